/* capabilities: every capability the process holds is on the allowlist.
 * OWASP Docker Top 10 D04; CIS Docker v1.6.0 5.4; Pod Security baseline/restricted.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"

struct capabilities_options
{
  capmask_t allow;
};

static int
capabilities_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "allow", NULL };
  struct capabilities_options o = { 0 };
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_caps (opts, "allow", where, &o.allow, err) < 0)
    return -1;
  *out = xmemdup (&o, sizeof o);
  return 0;
}

static void
mask_names (struct strbuf *sb, capmask_t m)
{
  bool first = true;
  for (int c = 0; c < 64; c++)
    if (m & CAPMASK (c))
      {
        strbuf_appendf (sb, "%s%s", first ? "" : ", ", cap_name (c));
        first = false;
      }
  if (first)
    strbuf_append (sb, "none");
}

/* Where a capability first appears, for the finding's JSON pointer. */
static char *
cap_pointer (json_object *root, int cap)
{
  json_object *caps = json_get (json_get (root, "process"), "capabilities");
  for (int s = 0; s < CAPSET__COUNT; s++)
    {
      json_object *set = json_get (caps, cap_set_name (s));
      if (set == NULL || !json_object_is_type (set, json_type_array))
        continue;
      size_t n = json_object_array_length (set);
      for (size_t i = 0; i < n; i++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (set, i)), cap_name (cap)) == 0)
          return xasprintf ("/process/capabilities/%s/%zu", cap_set_name (s), i);
    }
  return xstrdup ("/process/capabilities");
}

static int
capabilities_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                       ocigate_error_t *err UNUSED)
{
  const struct capabilities_options *o = s->options;
  const struct oci_config *cfg = ctx->config;
  if (!cfg->has_capabilities)
    {
      cleanup_strbuf struct strbuf allowed = { 0 };
      mask_names (&allowed, o->allow);
      verdict_add_finding (v, s->rule->id, s->action, "/process/capabilities",
                           "process keeps every capability of the runtime (process.capabilities is absent); list "
                           "the capabilities it needs, at most: %s",
                           allowed.buf);
      return 0;
    }
  capmask_t all = 0;
  for (int set = 0; set < CAPSET__COUNT; set++)
    all |= cfg->caps[set];
  capmask_t extra = all & ~o->allow;
  enum engine_kind engine = extra ? rule_engine (ctx) : ENGINE_UNKNOWN;
  for (int c = 0; c < 64; c++)
    {
      if (!(extra & CAPMASK (c)))
        continue;
      cleanup_strbuf struct strbuf sets = { 0 };
      for (int set = 0; set < CAPSET__COUNT; set++)
        if (cfg->caps[set] & CAPMASK (c))
          strbuf_appendf (&sets, "%s%s", sets.len ? ", " : "", cap_set_name (set));
      cleanup_free char *pointer = cap_pointer (cfg->root, c);
      cleanup_free char *drop = engine_cap_flag (engine, false, c);
      cleanup_free char *config_words = drop ? NULL : xasprintf ("--cap-drop %s", cap_name (c) + 4);
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "capability %s is not on the allowlist (process.capabilities: %s); drop it (%s) or add it "
                           "to rules.capabilities.allow",
                           cap_name (c), sets.buf, drop ? drop : config_words);
    }
  return 0;
}

/* Rebuild one set keeping order and every entry whose capability is in keep. */
static void
filter_set (json_object *caps, enum cap_set set, capmask_t keep)
{
  json_object *arr = json_get (caps, cap_set_name (set));
  if (arr == NULL || !json_object_is_type (arr, json_type_array))
    return;
  json_object *kept = json_object_new_array ();
  size_t n = json_object_array_length (arr);
  for (size_t i = 0; i < n; i++)
    {
      json_object *name = json_object_array_get_idx (arr, i);
      int c = cap_parse_name (json_object_get_string (name));
      if (c >= 0 && (keep & CAPMASK (c)))
        json_object_array_add (kept, json_object_get (name));
    }
  json_object_object_add (caps, cap_set_name (set), kept);
}

static json_object *
mask_to_array (capmask_t m)
{
  json_object *arr = json_object_new_array ();
  for (int c = 0; c < 64; c++)
    if (m & CAPMASK (c))
      json_object_array_add (arr, json_object_new_string (cap_name (c)));
  return arr;
}

static int
capabilities_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  const struct capabilities_options *o = s->options;
  struct oci_config *cfg = ctx->config;
  json_object *process = json_get (cfg->root, "process");
  if (!cfg->has_capabilities)
    {
      /* What the process would have had anyway, cut to the allowlist. */
      json_object *caps = json_object_new_object ();
      json_object_object_add (caps, "bounding", mask_to_array (o->allow));
      json_object_object_add (caps, "effective", mask_to_array (o->allow));
      json_object_object_add (caps, "permitted", mask_to_array (o->allow));
      json_object_object_add (process, "capabilities", caps);
      fix_notes_add (ctx->notes, s->rule->id, "set to the allowlist (process.capabilities was absent: every one)");
      return oci_config_refresh (cfg, err);
    }
  capmask_t held = 0;
  for (int set = 0; set < CAPSET__COUNT; set++)
    held |= cfg->caps[set];
  cleanup_strbuf struct strbuf dropped = { 0 };
  mask_names (&dropped, held & ~o->allow);
  fix_notes_add (ctx->notes, s->rule->id, "dropped %s", dropped.buf);
  json_object *caps = json_get (process, "capabilities");
  for (int set = 0; set < CAPSET__COUNT; set++)
    if (set != CAPSET_AMBIENT)
      filter_set (caps, set, o->allow);
  /* The kernel refuses an ambient capability that is not both permitted
   * and inheritable, so keep the rewritten config startable. */
  capmask_t permitted = cfg->caps[CAPSET_PERMITTED] & o->allow;
  capmask_t inheritable = cfg->caps[CAPSET_INHERITABLE] & o->allow;
  filter_set (caps, CAPSET_AMBIENT, o->allow & permitted & inheritable);
  return oci_config_refresh (cfg, err);
}

const struct rule rule_capabilities = {
  .id = "capabilities",
  .summary = "capabilities outside the allowlist, in any of the five sets",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"allow\": []}",
  .parse_options = capabilities_parse,
  .free_options = free,
  .evaluate = capabilities_evaluate,
  .apply = capabilities_apply,
};
