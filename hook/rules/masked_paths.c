/* maskedPaths: the /proc and /sys paths the engines hide or make read-only
 * are hidden (linux.maskedPaths) or read-only (linux.readonlyPaths).
 * They leak host facts (/proc/kcore, /proc/keys, /proc/timer_list,
 * /sys/firmware) or change the host (/proc/sys, /proc/sysrq-trigger); the
 * engines drop them with --privileged or --security-opt unmask.
 * CIS Docker v1.6.0 5.5 (privileged); Pod Security baseline (procMount Default).
 *
 * The defaults are what the default config of every engine here has, so
 * no engine's default fires:
 *
 *   maskedPaths   Docker 20.10, containerd/ctr 1.6, runc spec, crun spec:
 *                 /proc/acpi /proc/asound /proc/kcore /proc/keys
 *                 /proc/latency_stats /proc/timer_list /proc/timer_stats
 *                 /proc/sched_debug /proc/scsi /sys/firmware (10)
 *                 Podman 4.3: the same without /proc/asound, plus
 *                 /sys/fs/selinux and /sys/dev/block (11)
 *   readonlyPaths all: /proc/bus /proc/fs /proc/irq /proc/sys
 *                 /proc/sysrq-trigger; Podman adds /proc/asound (6)
 *
 * So /proc/asound is required read-only, which a masked /proc/asound
 * (Docker's) satisfies too: hidden is stronger than read-only.  Newer
 * engines (Docker 25, containerd 1.7, runc 1.2) also mask
 * /sys/devices/virtual/powercap (CVE-2020-8694); it is not a default here
 * because the engines above lack it, and a policy may add it, as it may
 * add Podman's /sys/fs/selinux and /sys/dev/block.
 *
 * A path is covered by itself or by a parent: masking /proc/sys covers
 * /proc/sys/kernel.  "fix" appends what is missing, in the order of the
 * options, after the entries already there.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"
#include "rules/pathutil.h"

struct masked_options
{
  char **masked; /* normalised, NULL-terminated */
  size_t n_masked;
  char **readonly;
  size_t n_readonly;
};

static void
masked_options_free (void *p)
{
  struct masked_options *o = p;
  if (o == NULL)
    return;
  cleanup_strvp (&o->masked);
  cleanup_strvp (&o->readonly);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (masked_options, masked_options_free)
#define cleanup_masked_options __attribute__ ((cleanup (cleanup_masked_optionsp)))

static int
masked_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "masked", "readonly", NULL };
  cleanup_masked_options struct masked_options *o = xzalloc (sizeof *o);
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_paths (opts, "masked", where, OCIGATE_MAX_LIST, &o->masked, &o->n_masked, err) < 0
      || rule_option_paths (opts, "readonly", where, OCIGATE_MAX_LIST, &o->readonly, &o->n_readonly, err) < 0)
    return -1;
  *out = steal_pointer (&o);
  return 0;
}

/* linux.KEY as normalised paths (NULL-terminated, empty when absent);
 * *present tells whether the array is there. */
static int
read_paths (const struct oci_config *cfg, const char *key, char ***out, bool *present, ocigate_error_t *err)
{
  static const struct json_path linux_at = { .key = "linux" };
  static const struct field_count paths_count = { OCIGATE_MAX_LIST, "paths", NULL };
  json_object *a = NULL;
  size_t n = 0;
  if (field_string_array (json_get (cfg->root, "linux"), &linux_at, key, &paths_count, FIELD_OPTIONAL, &a, &n, err) < 0)
    return -1;
  *present = a != NULL;
  cleanup_strv char **list = xzalloc ((n + 1) * sizeof *list);
  for (size_t i = 0; i < n; i++)
    list[i] = path_normalize (json_object_get_string (json_object_array_get_idx (a, i)));
  *out = steal_pointer (&list);
  return 0;
}

static bool
covered (char *const *list, const char *path)
{
  for (; *list; list++)
    if (path_is_within (path, *list))
      return true;
  return false;
}

/* A required path the config lacks. */
struct missing
{
  const char *path;
  bool readonly;
};

static bool
listed (const struct missing *m, size_t n, const char *path, bool readonly)
{
  for (size_t i = 0; i < n; i++)
    if (m[i].readonly == readonly && strcmp (m[i].path, path) == 0)
      return true;
  return false;
}

/* Each required path the config lacks, once, in option order: masked
 * ones first, then read-only ones. */
static int
find_missing (const struct oci_config *cfg, const struct masked_options *o, struct missing **out, size_t *n,
              bool *has_masked, bool *has_readonly, ocigate_error_t *err)
{
  cleanup_strv char **masked = NULL;
  cleanup_strv char **readonly = NULL;
  if (read_paths (cfg, "maskedPaths", &masked, has_masked, err) < 0
      || read_paths (cfg, "readonlyPaths", &readonly, has_readonly, err) < 0)
    return -1;
  struct missing *m = xreallocarray (NULL, o->n_masked + o->n_readonly + 1, sizeof *m);
  size_t k = 0;
  for (size_t i = 0; i < o->n_masked; i++)
    if (!covered (masked, o->masked[i]) && !listed (m, k, o->masked[i], false))
      m[k++] = (struct missing){ o->masked[i], false };
  for (size_t i = 0; i < o->n_readonly; i++)
    if (!covered (readonly, o->readonly[i]) && !covered (masked, o->readonly[i])
        && !listed (m, k, o->readonly[i], true))
      m[k++] = (struct missing){ o->readonly[i], true };
  *out = m;
  *n = k;
  return 0;
}

static int
masked_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  cleanup_free struct missing *missing = NULL;
  size_t n = 0;
  bool has_masked, has_readonly;
  if (find_missing (ctx->config, s->options, &missing, &n, &has_masked, &has_readonly, err) < 0)
    return -1;
  enum engine_kind engine = n ? rule_engine (ctx) : ENGINE_UNKNOWN;
  for (size_t i = 0; i < n; i++)
    {
      const char *p = missing[i].path;
      if (!missing[i].readonly)
        verdict_add_finding (v, s->rule->id, s->action, "/linux/maskedPaths",
                             "%s is not masked (linux.maskedPaths %s); %s", p,
                             has_masked ? "does not list it or a parent of it" : "is absent",
                             rule_hint (engine, HINT_MASKED_PATHS,
                                        "add it to linux.maskedPaths, as the engines do without --privileged or "
                                        "--security-opt unmask"));
      else
        verdict_add_finding (v, s->rule->id, s->action, "/linux/readonlyPaths",
                             "%s is not read-only (linux.readonlyPaths %s, nor is it masked); %s", p,
                             has_readonly ? "does not list it or a parent of it" : "is absent",
                             rule_hint (engine, HINT_READONLY_PATHS,
                                        "add it to linux.readonlyPaths, as the engines do without --privileged"));
    }
  return 0;
}

/* linux.KEY, created (with "linux") when absent or null. */
static json_object *
ensure_array (json_object *root, const char *key)
{
  json_object *linux_ = json_get (root, "linux");
  if (linux_ == NULL || !json_object_is_type (linux_, json_type_object))
    {
      linux_ = json_object_new_object ();
      json_object_object_add (root, "linux", linux_);
    }
  json_object *a = json_get (linux_, key);
  if (a == NULL || !json_object_is_type (a, json_type_array))
    {
      a = json_object_new_array ();
      json_object_object_add (linux_, key, a);
    }
  return a;
}

static int
masked_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  cleanup_free struct missing *missing = NULL;
  size_t n = 0;
  bool has_masked, has_readonly;
  if (find_missing (ctx->config, s->options, &missing, &n, &has_masked, &has_readonly, err) < 0)
    return -1;
  cleanup_strbuf struct strbuf masked = { 0 }, readonly = { 0 };
  for (size_t i = 0; i < n; i++)
    {
      json_object *a = ensure_array (ctx->config->root, missing[i].readonly ? "readonlyPaths" : "maskedPaths");
      json_object_array_add (a, json_object_new_string (missing[i].path));
      struct strbuf *list = missing[i].readonly ? &readonly : &masked;
      strbuf_appendf (list, "%s%s", list->len ? ", " : "", missing[i].path);
    }
  if (masked.len || readonly.len)
    fix_notes_add (ctx->notes, s->rule->id, "%s%s%s%s%s", masked.len ? "masked " : "", masked.len ? masked.buf : "",
                   masked.len && readonly.len ? "; " : "", readonly.len ? "made read-only " : "",
                   readonly.len ? readonly.buf : "");
  return oci_config_refresh (ctx->config, err);
}

const struct rule rule_masked_paths = {
  .id = "maskedPaths",
  .summary = "the /proc and /sys paths the engines mask or make read-only, unmasked or writable",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"masked\": [\"/proc/acpi\", \"/proc/kcore\", \"/proc/keys\", \"/proc/latency_stats\", "
                     "\"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", \"/proc/scsi\", "
                     "\"/sys/firmware\"], "
                     "\"readonly\": [\"/proc/asound\", \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
                     "\"/proc/sysrq-trigger\"]}",
  .parse_options = masked_parse,
  .free_options = masked_options_free,
  .evaluate = masked_evaluate,
  .apply = masked_apply,
};
