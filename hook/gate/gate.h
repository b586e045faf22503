/* ocigate: what the runtime integrations (hook, wrapper) do with a verdict,
 * and the record each decision leaves (OWASP D10).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_GATE_H
#define OCIGATE_GATE_H

#include "gate/engine.h"
#include "gate/identity.h"

enum gate_outcome
{
  GATE_ALLOW,   /* start the container as configured */
  GATE_REWRITE, /* apply the fixes, then start it */
  GATE_REFUSE,  /* do not start it */
};

struct gate
{
  const struct policy *policy; /* NULL when the policy failed to load */
  bool dry_run;                /* policy mode or --dry-run */
  bool can_rewrite;            /* precreate and the wrapper's create/run can */
  const char *cannot_rewrite;  /* what to do instead, when it cannot */
  const char *where;           /* "hook prestart", "ocigate-runc create", ... */
  const char *id;              /* container ID when known */
  const char *bundle;          /* bundle when known */
  /* What the config's annotations say the container is, for the log;
   * NULL when there is no config. */
  const struct container_identity *identity;
};

/* The outcome a verdict leads to at this integration point.  In dry-run
 * every container starts unchanged. */
enum gate_outcome gate_outcome (const struct gate *g, const struct verdict *v);

/* The reasons for a refusal, one line each, "ocigate: denied by RULE: ...":
 * at most GATE_REFUSAL_LINES_PER_RULE of a rule's findings, then one line
 * saying how many more there are (check and the decision log list all). */
#define GATE_REFUSAL_LINES_PER_RULE 3
char *gate_refusal (const struct gate *g, const struct verdict *v);

/* Read the OCI state a hook gets on stdin: the container ID and bundle
 * ("bundle", or "bundlePath" from older engines). */
/* The ID, the bundle and (when pid is not NULL) the pid of an OCI state; *pid
 * is 0 when the state has none. */
int oci_state_parse (const char *buf, size_t len, char **id, char **bundle, pid_t *pid, ocigate_error_t *err);

/* Whether a decision is logged: every one but a plain allow (no finding,
 * not dry-run, no error). */
bool gate_log_wanted (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error);

/* Log a decision as one JSON line to syslog (authpriv, tag ocigate) and to
 * the policy's log file, when gate_log_wanted(); *line, when line is not
 * NULL, gets the line (NULL when not logged), the caller's to free.
 * `error` is set instead of a verdict when the config or policy could not
 * be judged.  Failing to write the log file is returned as an error; the
 * caller decides (the decision itself stands).  gate_decide() (decide.h)
 * is what calls it. */
int gate_log (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error, char **line,
              ocigate_error_t *err);

/* The JSON line gate_log writes, whether or not it is wanted (for
 * GATE_LOG_RECORD, the fuzzers, the tests). */
char *gate_log_line (const struct gate *g, const struct verdict *v, enum gate_outcome outcome, const char *error);

#endif
