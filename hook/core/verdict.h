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

const char *action_name (enum action a);
int action_parse (const char *name); /* -1 when unknown */
const char *decision_name (enum decision d);

void verdict_add_finding (struct verdict *v, const char *rule, enum action action, const char *path, const char *fmt,
                          ...) PRINTF_LIKE (5, 6);
enum decision verdict_decide (const struct verdict *v);
void verdict_release (struct verdict *v);
#define cleanup_verdict __attribute__ ((cleanup (verdict_release)))

#endif
