/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/engine.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static bool
glob_matches (const char *pattern, const char *value)
{
  return pattern == NULL || (value && fnmatch (pattern, value, 0) == 0);
}

static bool
exception_matches (const struct policy_exception *e, const struct rule_context *ctx)
{
  json_object *root = ctx->config->root;
  json_object *args = json_get (json_get (root, "process"), "args");
  json_object *arg0 = args && json_object_is_type (args, json_type_array) && json_object_array_length (args) > 0
                          ? json_object_array_get_idx (args, 0)
                          : NULL;
  const char *args0 = arg0 && json_object_is_type (arg0, json_type_string) ? json_object_get_string (arg0) : NULL;
  if (!glob_matches (e->id, ctx->id) || !glob_matches (e->bundle, ctx->bundle) || !glob_matches (e->args0, args0))
    return false;
  json_object *annotations = json_get (root, "annotations");
  for (size_t a = 0; a < e->n_annotations; a++)
    {
      bool found = false;
      if (annotations && json_object_is_type (annotations, json_type_object))
        {
          json_object_object_foreach (annotations, key, val)
            {
              /* ocigate's own (the rewrite, the decision-log mark), written
               * by the gate after a judgement: what a config brings under
               * them is nobody's word. */
              if (strncmp (key, OCIGATE_ANNOTATION_PREFIX, strlen (OCIGATE_ANNOTATION_PREFIX)) == 0)
                continue;
              if (!found && fnmatch (e->annotation_keys[a], key, 0) == 0 && json_object_is_type (val, json_type_string)
                  && fnmatch (e->annotation_values[a], json_object_get_string (val), 0) == 0)
                found = true;
            }
        }
      if (!found)
        return false;
    }
  return true;
}

/* Whether an exception matches the container, found out only when one of
 * its rules has a finding. */
enum exception_match
{
  EXCEPTION_UNTRIED,
  EXCEPTION_MATCHES,
  EXCEPTION_DOES_NOT_MATCH,
};

/* An exception turns the findings of its rules into warnings that say so:
 * the container is allowed, and the exception shows in every report. */
static void
apply_exceptions (const struct policy *p, const struct rule_context *ctx, struct verdict *v)
{
  for (size_t i = 0; i < p->n_exceptions; i++)
    {
      const struct policy_exception *e = &p->exceptions[i];
      enum exception_match match = EXCEPTION_UNTRIED;
      for (size_t f = 0; f < v->n_findings; f++)
        {
          struct finding *fd = &v->findings[f];
          bool named = false;
          for (size_t r = 0; r < e->n_rules; r++)
            named = named || strcmp (e->rules[r]->id, fd->rule) == 0;
          if (!named || fd->action == ACTION_WARN)
            continue;
          if (match == EXCEPTION_UNTRIED)
            match = exception_matches (e, ctx) ? EXCEPTION_MATCHES : EXCEPTION_DOES_NOT_MATCH;
          if (match == EXCEPTION_DOES_NOT_MATCH)
            break;
          char *msg = xasprintf ("exception %zu (\"%s\") relaxes this %s: %s", i, e->reason, action_name (fd->action),
                                 fd->message);
          free (fd->message);
          fd->message = msg;
          fd->action = ACTION_WARN;
        }
    }
}

/* Take a leading "NAME: " (the config's name) off an error's message. */
static void
drop_config_name (const struct rule_context *ctx, ocigate_error_t *err)
{
  const char *name = ctx->config->name;
  size_t len = strlen (name);
  char *msg = err && *err ? (*err)->msg : NULL;
  if (msg && strncmp (msg, name, len) == 0 && strncmp (msg + len, ": ", 2) == 0)
    memmove (msg, msg + len + 2, strlen (msg + len + 2) + 1);
}

/* A rule's error names the config once, first, then the rule: "NAME: rule
 * ID: FIELD: PROBLEM", so that `check` over many configs says which one
 * cannot be judged.  Rules do not name the config. */
static int
rule_error_prefix (const struct rule_context *ctx, const char *id, ocigate_error_t *err)
{
  return ocigate_error_prefix (err, "%s: rule %s", ctx->config->name, id);
}

/* Every rule the policy turns on judges the config, or, with an update,
 * every such rule that judges updates judges it; then the exceptions. */
static int
evaluate_rules (const struct policy *p, const struct rule_context *ctx, json_object *update, struct verdict *v,
                ocigate_error_t *err)
{
  for (size_t i = 0; i < p->n_settings; i++)
    {
      const struct rule_setting *s = &p->settings[i];
      if (s->action == ACTION_OFF || (update && s->rule->evaluate_update == NULL))
        continue;
      int r = update ? s->rule->evaluate_update (ctx, s, update, v, err) : s->rule->evaluate (ctx, s, v, err);
      if (r < 0)
        return rule_error_prefix (ctx, s->rule->id, err);
    }
  apply_exceptions (p, ctx, v);
  return 0;
}

int
ocigate_evaluate (const struct policy *p, const struct rule_context *ctx, struct verdict *v, ocigate_error_t *err)
{
  return evaluate_rules (p, ctx, NULL, v, err);
}

int
ocigate_evaluate_update (const struct policy *p, const struct rule_context *ctx, json_object *update, struct verdict *v,
                         ocigate_error_t *err)
{
  return evaluate_rules (p, ctx, update, v, err);
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
      size_t noted = ctx->notes ? ctx->notes->n_notes : 0;
      if (s->rule->apply (ctx, s, err) < 0)
        return ocigate_error_prefix (err, "%s: fix %s", ctx->config->name, s->rule->id);
      /* Every rewrite shows, even one whose rule does not say what. */
      if (ctx->notes && ctx->notes->n_notes == noted)
        fix_notes_add (ctx->notes, s->rule->id, "fixed");
    }
  cleanup_verdict struct verdict after = { 0 };
  if (ocigate_evaluate (p, ctx, &after, err) < 0)
    {
      /* "NAME: judging the rewritten config: rule ID: ...": the name first. */
      drop_config_name (ctx, err);
      return ocigate_error_prefix (err, "%s: judging the rewritten config", ctx->config->name);
    }
  for (size_t i = 0; i < after.n_findings; i++)
    if (after.findings[i].action == ACTION_FIX || after.findings[i].action == ACTION_DENY)
      return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "the rewritten config still fails %s: %s",
                                 after.findings[i].rule, after.findings[i].message);
  return 0;
}
