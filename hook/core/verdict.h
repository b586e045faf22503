/* ocigate: findings and the decision they lead to.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_VERDICT_H
#define OCIGATE_VERDICT_H

#include "base/util.h"

enum action
{
  ACTION_OFF,
  ACTION_WARN,
  ACTION_FIX,
  ACTION_DENY,
};
#define ACTION_MASK(a) (1u << (a))

enum decision
{
  DECISION_ALLOW,
  DECISION_REWRITE,
  DECISION_DENY,
};

struct finding
{
  char *rule; /* the rule's ID, as in the policy */
  enum action action;
  char *path;    /* JSON pointer into config.json; "" for the document */
  char *message; /* problem (field=value, context); remedy */
};

struct verdict
{
  struct finding *findings;
  size_t n_findings;
  size_t cap_findings; /* allocated */
};

/* What the fixes of one decision changed, one note per rule that changed
 * something, "RULE: what" ("capabilities: dropped CAP_NET_RAW"), in policy
 * order.  The gate puts them, joined, in the rewritten config's annotation
 * (OCIGATE_REWRITE_ANNOTATION) and the wrapper on standard error: a
 * rewrite is otherwise invisible to whoever runs the container. */
struct fix_notes
{
  char **notes;
  size_t n_notes;
  size_t cap_notes; /* allocated */
};

/* The annotation of a config the gate hands on: what the gate changed, or
 * absent when it changed nothing.  ocigate's own key, in reverse-domain
 * notation as the runtime-spec asks; whatever a config brings under it is
 * replaced or removed, never believed.  Its value is at most
 * OCIGATE_REWRITE_ANNOTATION_MAX bytes. */
#define OCIGATE_ANNOTATION_PREFIX "dev.ocigate."
#define OCIGATE_REWRITE_ANNOTATION OCIGATE_ANNOTATION_PREFIX "rewrite"
#define OCIGATE_REWRITE_ANNOTATION_MAX 1024

/* Add "RULE: TEXT" to notes; nothing when notes is NULL (nobody asked). */
void fix_notes_add (struct fix_notes *notes, const char *rule, const char *fmt, ...) PRINTF_LIKE (3, 4);
/* The notes joined by "; ", at most max bytes (max >= 32): the notes
 * that fit in order, then "; and N more".  NULL when there is none. */
char *fix_notes_join (const struct fix_notes *notes, size_t max);
void fix_notes_release (struct fix_notes *notes);
#define cleanup_fix_notes __attribute__ ((cleanup (fix_notes_release)))

const char *action_name (enum action a);
int action_parse (const char *name); /* -1 when unknown */
const char *decision_name (enum decision d);

void verdict_add_finding (struct verdict *v, const char *rule, enum action action, const char *path, const char *fmt,
                          ...) PRINTF_LIKE (5, 6);
enum decision verdict_decide (const struct verdict *v);
void verdict_release (struct verdict *v);
#define cleanup_verdict __attribute__ ((cleanup (verdict_release)))

#endif
