/* ocigate report: the decision log summed up, for a dry-run rollout: which
 * containers the policy refused or rewrote (or, in a dry run, would have),
 * by rule, how often, first and last seen.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/lines.h"
#include "gate/decisions.h"
#include "gate/policy.h"

/* The decision log when the policy names no other file; FILE.1 is the
 * copy its rotation keeps. */
#define REPORT_DEFAULT_LOG OCIGATE_LOG_FILE

const char usage_report[]
    = "Usage: ocigate report [--since TIME] [--format text|json] [LOGFILE...]\n"
      "Sum up the decision log: the containers that were refused or rewritten, or in a dry run would\n"
      "have been, by rule, with how many decisions and when first and last.\n"
      "  --since TIME         only decisions from TIME on: RFC 3339 in UTC (2026-12-07T10:00:00Z) or\n"
      "                       an age (30m, 1h, 2d; s, m, h, d or w)\n"
      "  -f, --format FORMAT  text (default: a block per rule) or json (an object per rule per line)\n"
      "  LOGFILE              a decision log, - for standard input (journalctl -t ocigate -o cat |\n"
      "                       ocigate report -); default " REPORT_DEFAULT_LOG ".1 and " REPORT_DEFAULT_LOG "\n"
      "Lines that are not decisions are counted and passed over.\n"
      "Exit status: 0 nothing was or would have been refused or rewritten, 1 something was or would have been,\n"
      "2 usage error or a log that cannot be read.\n";

enum report_format
{
  REPORT_TEXT,
  REPORT_JSON,
};

/* Feed the log at path ("-": standard input) to s. */
static int
report_read (struct report_summary *s, const char *path, ocigate_error_t *err)
{
  bool is_stdin = strcmp (path, "-") == 0;
  cleanup_close int own_fd = is_stdin ? -1 : open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (!is_stdin && own_fd < 0)
    return ocigate_error_make_errno (err, errno, "open %s", path);
  cleanup_line_reader struct line_reader lr;
  line_reader_init (&lr, is_stdin ? STDIN_FILENO : own_fd, is_stdin ? "standard input" : path, DECISION_LOG_MAX_LINE);
  for (;;)
    {
      const char *line;
      size_t len;
      bool too_long;
      int r = line_reader_next (&lr, &line, &len, &too_long, err);
      if (r < 0)
        return -1;
      if (r == 0)
        return 0;
      report_summary_line (s, line, len, too_long);
    }
}

static void
format_time (time_t t, char stamp[UTC_STAMP_SIZE])
{
  struct tm tm;
  if (gmtime_r (&t, &tm) == NULL || strftime (stamp, UTC_STAMP_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    (void)snprintf (stamp, UTC_STAMP_SIZE, "%lld", (long long)t);
}

static const char *
plural (size_t n)
{
  return n == 1 ? "" : "s";
}

/* What the log says of a container besides its key, for people. */
static void
append_container_text (struct strbuf *sb, const struct report_container *c)
{
  char first[UTC_STAMP_SIZE], last[UTC_STAMP_SIZE];
  format_time (c->first, first);
  format_time (c->last, last);
  strbuf_appendf (sb, "  %s", c->key);
  const char *extra[] = { c->name && c->id ? c->id : NULL, c->image, c->engine };
  bool open = false;
  for (size_t i = 0; i < ARRAY_SIZE (extra); i++)
    if (extra[i])
      {
        strbuf_appendf (sb, "%s%s", open ? ", " : " (", extra[i]);
        open = true;
      }
  strbuf_appendf (sb, "%s: %zu decision%s, first %s, last %s", open ? ")" : "", c->decisions, plural (c->decisions),
                  first, last);
}

/* One line for people: what the log holds is escaped (printable_line). */
static void
put_line (char *line)
{
  cleanup_free char *shown = printable_line (line);
  puts (shown);
}

static void
report_text (const struct report_summary *s)
{
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct report_rule *g = &s->rules[i];
      size_t containers = g->n_containers;
      cleanup_free char *dry = g->dry_run_decisions ? xasprintf (" (%zu in dry-run)", g->dry_run_decisions) : NULL;
      put_line (xasprintf ("%s: %s: %zu container%s%s, %zu decision%s%s", g->rule, decision_effect_name (g->effect),
                           containers, plural (containers), g->decisions_omitted ? " and more" : "", g->decisions,
                           plural (g->decisions), dry ? dry : ""));
      for (size_t c = 0; c < g->n_containers; c++)
        {
          struct strbuf sb = { 0 };
          append_container_text (&sb, &g->containers[c]);
          put_line (strbuf_steal (&sb));
        }
      if (g->decisions_omitted)
        printf ("  %zu more decision%s of containers past the first %d\n", g->decisions_omitted,
                plural (g->decisions_omitted), REPORT_MAX_CONTAINERS);
      putchar ('\n');
    }
  if (s->rules_omitted_decisions)
    printf ("%zu more decision%s of rules past the first %d\n", s->rules_omitted_decisions,
            plural (s->rules_omitted_decisions), REPORT_MAX_RULES);
  if (!report_summary_any (s))
    printf ("nothing was or would have been refused or rewritten\n");
  printf ("%zu decision%s read", s->decisions, plural (s->decisions));
  if (s->before_since)
    printf (", %zu before --since", s->before_since);
  printf ("\n");
}

static void
append_member (struct strbuf *sb, const char *key, const char *value)
{
  if (value == NULL)
    return;
  strbuf_appendf (sb, ", \"%s\": ", key);
  strbuf_append_json_string (sb, value);
}

static void
report_json (const struct report_summary *s)
{
  for (size_t i = 0; i < s->n_rules; i++)
    {
      const struct report_rule *g = &s->rules[i];
      char first[UTC_STAMP_SIZE], last[UTC_STAMP_SIZE];
      format_time (g->first, first);
      format_time (g->last, last);
      struct strbuf sb = { 0 };
      strbuf_append (&sb, "{\"rule\": ");
      strbuf_append_json_string (&sb, g->rule);
      strbuf_appendf (&sb,
                      ", \"effect\": \"%s\", \"containers\": %zu, \"decisions\": %zu, \"dry_run_decisions\": %zu, "
                      "\"first\": \"%s\", \"last\": \"%s\", \"decisions_omitted\": %zu, \"list\": [",
                      decision_effect_name (g->effect), g->n_containers, g->decisions, g->dry_run_decisions, first,
                      last, g->decisions_omitted);
      for (size_t c = 0; c < g->n_containers; c++)
        {
          const struct report_container *k = &g->containers[c];
          format_time (k->first, first);
          format_time (k->last, last);
          strbuf_append (&sb, c ? ", {\"container\": " : "{\"container\": ");
          strbuf_append_json_string (&sb, k->key);
          append_member (&sb, "id", k->id);
          append_member (&sb, "name", k->name);
          append_member (&sb, "image", k->image);
          append_member (&sb, "engine", k->engine);
          strbuf_appendf (&sb, ", \"decisions\": %zu, \"first\": \"%s\", \"last\": \"%s\"}", k->decisions, first, last);
        }
      strbuf_append (&sb, "]}\n");
      (void)fwrite (sb.buf, 1, sb.len, stdout); /* ferror() is asked once, at the end */
      strbuf_release (&sb);
    }
}

int
cmd_report (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "since", required_argument, NULL, 's' },
    { "format", required_argument, NULL, 'f' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_report_summary struct report_summary s = { 0 };
  enum report_format format = REPORT_TEXT;
  cleanup_error ocigate_error_t err = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "+f:", longopts, NULL)) != -1)
    {
      switch (c)
        {
        case 's':
          if (decision_since_parse (optarg, time (NULL), &s.since, &err) < 0)
            {
              fprintf (stderr, "ocigate: %s\n%s", err->msg, usage_report);
              return EXIT_ERROR;
            }
          break;
        case 'f':
          if (strcmp (optarg, "text") == 0)
            format = REPORT_TEXT;
          else if (strcmp (optarg, "json") == 0)
            format = REPORT_JSON;
          else
            {
              fprintf (stderr, "ocigate: unknown format '%s' (text or json)\n%s", optarg, usage_report);
              return EXIT_ERROR;
            }
          break;
        default:
          fputs (usage_report, stderr);
          return EXIT_ERROR;
        }
    }
  if (optind == argc)
    {
      /* The rotated copy first, the older of the two; it may not be there. */
      if (report_read (&s, REPORT_DEFAULT_LOG ".1", &err) < 0 && err->status != ENOENT)
        {
          fprintf (stderr, "ocigate: report: %s\n", err->msg);
          return EXIT_ERROR;
        }
      ocigate_error_free (&err);
      if (report_read (&s, REPORT_DEFAULT_LOG, &err) < 0)
        {
          fprintf (stderr, "ocigate: report: %s (name the log, or - for standard input)\n", err->msg);
          return EXIT_ERROR;
        }
    }
  for (int i = optind; i < argc; i++)
    if (report_read (&s, argv[i], &err) < 0)
      {
        fprintf (stderr, "ocigate: report: %s\n", err->msg);
        return EXIT_ERROR;
      }
  report_summary_sort (&s);
  if (format == REPORT_JSON)
    report_json (&s);
  else
    report_text (&s);
  /* Said where people read: after the text, or on stderr beside JSON. */
  FILE *said = format == REPORT_JSON ? stderr : stdout;
  if (s.skipped)
    fprintf (said, "%s%zu line%s skipped: not a decision", format == REPORT_JSON ? "ocigate: report: " : "", s.skipped,
             plural (s.skipped));
  if (s.too_long)
    fprintf (said, " (%zu longer than %zu MiB)", s.too_long, DECISION_LOG_MAX_LINE >> 20);
  if (s.skipped)
    fputc ('\n', said);
  if (fflush (stdout) != 0 || ferror (stdout))
    {
      fprintf (stderr, "ocigate: report: write: %s\n", strerror (errno));
      return EXIT_ERROR;
    }
  return report_summary_any (&s) ? EXIT_DENIED : EXIT_ALLOWED;
}
