/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "engine.h"

#include <string.h>

int
ocigate_evaluate (const struct policy *p, const struct rule_context *ctx, struct verdict *v, ocigate_error_t *err)
{
  for (size_t i = 0; i < p->n_settings; i++)
    {
      const struct rule_setting *s = &p->settings[i];
      if (s->action == ACTION_OFF)
        continue;
      if (s->rule->evaluate (ctx, s, v, err) < 0)
        return ocigate_error_prefix (err, "rule %s", s->rule->id);
    }
  return 0;
}

static bool
rule_has_fix (const struct verdict *v, const char *id)
{
  for (size_t i = 0; i < v->n_findings; i++)
    if (v->findings[i].action == ACTION_FIX && strcmp (v->findings[i].rule, id) == 0)
      return true;
  return false;
}

int
ocigate_apply_fixes (const struct policy *p, struct rule_context *ctx, const struct verdict *v, ocigate_error_t *err)
{
  for (size_t i = 0; i < p->n_settings; i++)
    {
      const struct rule_setting *s = &p->settings[i];
      if (!rule_has_fix (v, s->rule->id))
        continue;
      if (s->rule->apply == NULL)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "rule %s has a fix finding but cannot fix",
                                   s->rule->id);
      if (s->rule->apply (ctx, s, err) < 0)
        return ocigate_error_prefix (err, "fix %s", s->rule->id);
    }
  cleanup_verdict struct verdict after = { 0 };
  if (ocigate_evaluate (p, ctx, &after, err) < 0)
    return ocigate_error_prefix (err, "judging the rewritten config");
  for (size_t i = 0; i < after.n_findings; i++)
    if (after.findings[i].action == ACTION_FIX || after.findings[i].action == ACTION_DENY)
      return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "the rewritten config still fails %s: %s",
                                 after.findings[i].rule, after.findings[i].message);
  return 0;
}
