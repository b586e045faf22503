/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/gate.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/jsonio.h"
#include "core/report.h"
#include "gate/decision_log.h"

enum gate_outcome
gate_outcome (const struct gate *g, const struct verdict *v)
{
  if (g->dry_run)
    return GATE_ALLOW;
  switch (verdict_decide (v))
    {
    case DECISION_DENY:
      return GATE_REFUSE;
    case DECISION_REWRITE:
      return g->can_rewrite ? GATE_REWRITE : GATE_REFUSE;
    case DECISION_ALLOW:
      break;
    }
  return GATE_ALLOW;
}

static void
append_elision (struct strbuf *sb, const char *rule, size_t left_out)
{
  strbuf_appendf (sb,
                  "ocigate: denied by %s: %zu more finding%s of this rule; `ocigate check` on the config lists every "
                  "one, and the decision log has them\n",
                  rule, left_out, left_out == 1 ? "" : "s");
}

char *
gate_refusal (const struct gate *g, const struct verdict *v)
{
  /* "ocigate: denied by RULE: MESSAGE[ (the policy fixes this ...)]\n",
   * put together by appending.  A privileged container has over a hundred
   * findings (one per host device and per capability), and these lines end
   * up in one error message of docker run or podman run: past
   * GATE_REFUSAL_LINES_PER_RULE lines of a rule, one line counts the rest. */
  struct strbuf sb = { 0 };
  const char *rule = NULL; /* a rule's findings are consecutive */
  size_t shown = 0, left_out = 0;
  for (size_t i = 0; i < v->n_findings; i++)
    {
      const struct finding *f = &v->findings[i];
      bool unfixable = f->action == ACTION_FIX && !g->can_rewrite;
      if (f->action != ACTION_DENY && !unfixable)
        continue;
      if (rule == NULL || strcmp (rule, f->rule) != 0)
        {
          if (left_out)
            append_elision (&sb, rule, left_out);
          rule = f->rule;
          shown = left_out = 0;
        }
      if (shown == GATE_REFUSAL_LINES_PER_RULE)
        {
          left_out++;
          continue;
        }
      shown++;
      strbuf_append (&sb, "ocigate: denied by ");
      strbuf_append (&sb, f->rule);
      strbuf_append (&sb, ": ");
      strbuf_append (&sb, f->message);
      if (unfixable)
        {
          strbuf_append (&sb, " (the policy fixes this by rewriting, which ");
          strbuf_append (&sb, g->where);
          strbuf_append (&sb, " cannot do: ");
          strbuf_append (&sb, g->cannot_rewrite ? g->cannot_rewrite
                                                : "use the precreate hook or the ocigate-runc/ocigate-crun wrapper");
          strbuf_append (&sb, ")");
        }
      strbuf_append (&sb, "\n");
    }
  if (left_out)
    append_elision (&sb, rule, left_out);
  return strbuf_steal (&sb);
}

int
oci_state_parse (const char *buf, size_t len, char **id, char **bundle, pid_t *pid, ocigate_error_t *err)
{
  cleanup_json json_object *state = NULL;
  if (json_parse_untrusted (buf, len, "OCI state", &state, err) < 0)
    return -1;
  if (!json_object_is_type (state, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "OCI state: must be an object");
  json_object *b = json_get (state, "bundle");
  if (b == NULL)
    b = json_get (state, "bundlePath");
  if (b == NULL || !json_object_is_type (b, json_type_string) || json_object_get_string_len (b) == 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "OCI state: no \"bundle\" (or \"bundlePath\") string");
  /* A "\u0000" would have cut the bundle path or the ID (which exceptions
   * match on) short: json_parse_untrusted() refuses it. */
  if (pid)
    {
      /* runc and crun give the init process's from createRuntime on; 0 or
       * none before it. */
      json_object *p = json_get (state, "pid");
      int64_t value = p && json_object_is_type (p, json_type_int) ? json_object_get_int64 (p) : 0;
      if (p && !json_object_is_type (p, json_type_null)
          && (!json_object_is_type (p, json_type_int) || value < 0 || value > INT32_MAX))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "OCI state: \"pid\" must be a process ID");
      *pid = (pid_t)value;
    }
  json_object *i = json_get (state, "id");
  *id = xstrdup (i && json_object_is_type (i, json_type_string) ? json_object_get_string (i) : "");
  *bundle = xstrdup (json_object_get_string (b));
  return 0;
}

static const char *
outcome_name (enum gate_outcome o)
{
  static const char *const names[] = { "allow", "rewrite", "refuse" };
  return names[o];
}

#define SYSLOG_SHORT_LINE 8000

/* The log line; with `max` above 0, only the findings that keep it within
 * max bytes, and "findings_omitted": how many were left out. */
static char *
log_line (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error, size_t max)
{
  char stamp[UTC_STAMP_SIZE];
  utc_stamp (stamp);
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"time\": ");
  strbuf_append_json_string (&sb, stamp);
  /* The runtime's ID (the OCI state's, the wrapper's argument), else the
   * one the annotations give (Podman's precreate hook has no state). */
  const struct container_identity *who = g->identity;
  const char *id = g->id && g->id[0] ? g->id : who && who->id ? who->id : "";
  strbuf_append (&sb, ", \"id\": ");
  strbuf_append_json_string (&sb, id);
  strbuf_append (&sb, ", \"bundle\": ");
  strbuf_append_json_string (&sb, g->bundle ? g->bundle : "");
  if (who)
    container_identity_append_json (&sb, who, false);
  strbuf_append (&sb, ", \"via\": ");
  strbuf_append_json_string (&sb, g->where);
  strbuf_appendf (&sb, ", \"outcome\": \"%s\", \"decision\": \"%s\", \"dry_run\": %s", outcome_name (outcome),
                  error ? "error" : decision_name (verdict_decide (v)), g->dry_run ? "true" : "false");
  if (error)
    {
      strbuf_append (&sb, ", \"error\": ");
      strbuf_append_json_string (&sb, error);
    }
  struct strbuf tail = { 0 };
  strbuf_append (&tail, ", \"policy\": ");
  strbuf_append_json_string (&tail, g->policy ? g->policy->source : "");
  strbuf_append (&tail, ", \"policy_sha256\": ");
  strbuf_append_json_string (&tail, g->policy ? g->policy->sha256 : "");
  strbuf_append (&tail, "}");
  strbuf_append (&sb, ", \"findings\": [");
  size_t n = v ? v->n_findings : 0, kept = 0;
  for (; kept < n; kept++)
    {
      size_t before = sb.len;
      if (kept)
        strbuf_append (&sb, ", ");
      report_append_finding_json (&sb, &v->findings[kept]);
      /* and room for the "]", the count of findings left out, the tail */
      if (max && sb.len + 48 + tail.len > max)
        {
          sb.len = before;
          sb.buf[before] = '\0';
          break;
        }
    }
  strbuf_append (&sb, "]");
  if (kept < n)
    strbuf_appendf (&sb, ", \"findings_omitted\": %zu", n - kept);
  strbuf_append_mem (&sb, tail.buf, tail.len);
  strbuf_release (&tail);
  return strbuf_steal (&sb);
}

char *
gate_log_line (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error)
{
  return log_line (g, v, outcome, error, 0);
}

bool
gate_log_wanted (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error)
{
  return error != NULL || g->dry_run || outcome != GATE_ALLOW || (v != NULL && v->n_findings > 0);
}

/* Send the line of `len` bytes at *line to syslog and the log file; *line
 * grows by the newline the file gets, which is left after the NUL. */
static int
log_write (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error, char **line,
           size_t len, ocigate_error_t *err)
{
  int priority = outcome == GATE_ALLOW ? LOG_NOTICE : LOG_WARNING;
  if (decision_log_syslog (priority, *line, len) == EMSGSIZE)
    {
      /* A datagram holds about 200 KiB (net.core.wmem_default), and a
       * config can make its decision's line far longer: one finding of
       * 4 KiB per mount.  Dropping the line would let whoever writes the
       * config keep the decision out of syslog, so syslog gets the first
       * findings that fit in SYSLOG_SHORT_LINE (rsyslog's default largest
       * message) and how many it left out; the log file gets them all. */
      cleanup_free char *shorter = log_line (g, v, outcome, error, SYSLOG_SHORT_LINE);
      (void)decision_log_syslog (priority, shorter, strlen (shorter));
    }
  /* The file always, syslog or not: a host without a syslog daemon
   * (a container image, a minimal install) would lose the line, and a
   * person can read the file on any host. */
  *line = xrealloc (*line, len + 2);
  (*line)[len] = '\n';
  (*line)[len + 1] = '\0';
  return decision_log_append (gate_log_file (g->policy), gate_log_max_bytes (g->policy), *line, len + 1, err);
}

int
gate_log (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error, char **line,
          ocigate_error_t *err)
{
  if (line)
    *line = NULL;
  if (!gate_log_wanted (g, v, outcome, error))
    return 0;
  cleanup_free char *text = gate_log_line (g, v, outcome, error);
  size_t len = strlen (text);
  int r = log_write (g, v, outcome, error, &text, len, err);
  text[len] = '\0';
  if (line)
    *line = steal_pointer (&text);
  return r;
}
