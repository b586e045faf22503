/* ocigate: the decision log read back (ocigate report).  Each line is one
 * decision as gate.c writes it (JSON: time, id, bundle, via, outcome,
 * decision, dry_run, error, findings [{rule, action, message, path}],
 * policy, policy_sha256; name, image and engine when the log has them);
 * the summary says which containers were, or in a dry run would have been,
 * refused or rewritten, by which rule, how often, first and last.
 *
 * The log is input like any other: a line that is not such a record is
 * counted and passed over, and what the summary keeps is bounded whatever
 * the log holds (REPORT_MAX_RULES, REPORT_MAX_CONTAINERS).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_DECISIONS_H
#define OCIGATE_DECISIONS_H

#include <time.h>

#include "base/error.h"

/* A log line longer than this is passed over: the longest real decision,
 * a privileged container's 143 findings, is about 50 KiB. */
#define DECISION_LOG_MAX_LINE ((size_t)4 << 20)
/* Rule groups (rule and effect) and containers per group the summary
 * keeps; past them it counts. */
#define REPORT_MAX_RULES 256
#define REPORT_MAX_CONTAINERS 4096
/* The rules of one decision a summary looks at; a line naming more
 * distinct rules is not one gate.c wrote. */
#define DECISION_MAX_RULES 64

/* What enforcing did, or in a dry run would have done, with a container. */
enum decision_effect
{
  EFFECT_NONE,
  EFFECT_REWRITE,
  EFFECT_REFUSE,
};

/* The rule group of a decision that could not be judged. */
#define DECISION_ERROR_RULE "(error)"

/* One line of the log.  The strings borrow from root. */
struct decision_record
{
  json_object *root;
  time_t time;
  const char *time_text;
  const char *id, *bundle, *name, *image, *engine, *via;
  bool dry_run;
  enum decision_effect effect;
  /* The effect is what enforcing would have done: a dry run let the
   * container start (one that could not be judged is refused even so). */
  bool would;
  /* The rules behind the effect, each once: deny findings for a refusal
   * (and fix findings where the decision could not rewrite), fix findings
   * for a rewrite, DECISION_ERROR_RULE for a decision that could not be
   * judged. */
  const char *rules[DECISION_MAX_RULES];
  size_t n_rules;
};

/* Read one line (len bytes, no newline) into out, which the caller
 * releases whatever the return.  A syslog line ("... ocigate[PID]: {...}")
 * is read from its JSON.  -1 when it is not a decision record: err says
 * why, with the position for JSON that does not parse. */
int decision_record_parse (const char *line, size_t len, struct decision_record *out, ocigate_error_t *err);
void decision_record_release (struct decision_record *r);
#define cleanup_decision_record __attribute__ ((cleanup (decision_record_release)))

/* "2026-12-07T10:00:00Z" (RFC 3339 in UTC, as the log writes it; a
 * fraction of a second is read and dropped) into *out.  -1 otherwise. */
int decision_time_parse (const char *text, time_t *out);

/* report --since: RFC 3339 in UTC, or a time before now: N followed by s,
 * m, h, d or w ("30m", "2d"). */
int decision_since_parse (const char *arg, time_t now, time_t *out, ocigate_error_t *err);

/* A container as the summary names it: its name, else its ID, else its
 * bundle. */
struct report_container
{
  char *key;
  char *id, *name, *image, *engine; /* as first seen; NULL when absent */
  size_t decisions;
  time_t first, last;
};

/* A rule and the effect it had, with the containers it had it on. */
struct report_rule
{
  char *rule;
  enum decision_effect effect;
  size_t decisions;
  size_t dry_run_decisions; /* of decisions, those a dry run let through */
  time_t first, last;
  struct report_container *containers; /* REPORT_MAX_CONTAINERS at most */
  size_t n_containers, cap_containers;
  size_t *slots; /* hash of containers by key: index + 1, 0 free */
  size_t n_slots;
  size_t containers_omitted; /* distinct containers past the limit */
  size_t decisions_omitted;  /* and their decisions */
};

struct report_summary
{
  time_t since;              /* records before it are counted, not summed; 0: none */
  struct report_rule *rules; /* REPORT_MAX_RULES at most */
  size_t n_rules, cap_rules;
  size_t rules_omitted_decisions; /* decisions of rule groups past the limit */
  size_t lines;                   /* read, blank ones aside */
  size_t decisions;               /* records read, since `since` */
  size_t before_since;
  size_t skipped;  /* not a decision record */
  size_t too_long; /* longer than DECISION_LOG_MAX_LINE, of skipped */
};

/* Sum one record up (nothing when its effect is EFFECT_NONE). */
void report_summary_add (struct report_summary *s, const struct decision_record *r);
/* Feed one line of a log: parsed, filtered by since, summed; a line that
 * does not parse is counted in skipped (and too_long). */
void report_summary_line (struct report_summary *s, const char *line, size_t len, bool too_long);
/* Rules by decisions (most first), then name; containers likewise. */
void report_summary_sort (struct report_summary *s);
/* Whether anything was (or would have been) refused or rewritten. */
bool report_summary_any (const struct report_summary *s);
void report_summary_release (struct report_summary *s);
#define cleanup_report_summary __attribute__ ((cleanup (report_summary_release)))

const char *decision_effect_name (enum decision_effect e);

#endif
