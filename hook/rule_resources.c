/* resources: the container has a memory limit, a limit on its number of
 * processes and a CPU share, so one container cannot starve the host.
 * OWASP Docker Top 10 D07; CIS Docker 5.10 (memory), 5.11 (CPU shares),
 * 5.28 (pids).
 *
 * Each of linux.resources.memory.limit, linux.resources.pids.limit and
 * linux.resources.cpu.shares must be present and above 0 (the runtimes read
 * 0 as "not set", and -1 as "unlimited") unless the policy turns that check
 * off (requireMemory, requirePids, requireCpuShares).  "fix" writes the
 * policy's value (memory, pids, cpuShares) where a check fails, creating
 * the objects on the way; a limit that is already set is never touched.
 * One exception keeps the rewritten config startable: when
 * linux.resources.memory.swap (memory plus swap) is set and below the
 * policy's memory value, the new limit is the swap value, as runc refuses a
 * memory limit above it and the container could not use more anyway.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rule.h"

struct resources_options
{
  bool require_memory, require_pids, require_cpu_shares;
  uint64_t memory, pids, cpu_shares;
};

/* cgroup v1 cpu.shares takes 2 to 262144 (runc maps it onto v2 weights). */
#define CPU_SHARES_MIN 2
#define CPU_SHARES_MAX 262144

static int
resources_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[]
      = { "requireMemory", "memory", "requirePids", "pids", "requireCpuShares", "cpuShares", NULL };
  struct resources_options o = { 0 };
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_bool (opts, "requireMemory", where, &o.require_memory, err) < 0
      || rule_option_uint (opts, "memory", where, 1, INT64_MAX, &o.memory, err) < 0
      || rule_option_bool (opts, "requirePids", where, &o.require_pids, err) < 0
      || rule_option_uint (opts, "pids", where, 1, INT64_MAX, &o.pids, err) < 0
      || rule_option_bool (opts, "requireCpuShares", where, &o.require_cpu_shares, err) < 0
      || rule_option_uint (opts, "cpuShares", where, CPU_SHARES_MIN, CPU_SHARES_MAX, &o.cpu_shares, err) < 0)
    return -1;
  *out = xmemdup (&o, sizeof o);
  return 0;
}

/* An optional object member: NULL when absent or null. */
static int
get_object (json_object *parent, const char *key, const char *field, json_object **out, ocigate_error_t *err)
{
  json_object *o = json_get (parent, key);
  *out = NULL;
  if (o == NULL) /* absent or null */
    return 0;
  if (!json_object_is_type (o, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an object, not %s", field, json_type_label (o));
  *out = o;
  return 0;
}

/* An optional integer member; *present false when absent or null.  The
 * spec's limits are int64; cpu.shares is uint64, read up to INT64_MAX
 * (beyond is as good as unlimited shares, and passes). */
static int
get_int (json_object *parent, const char *key, const char *field, bool is_unsigned, bool *present, int64_t *out,
         ocigate_error_t *err)
{
  json_object *o = json_get (parent, key);
  *present = false;
  *out = 0;
  if (o == NULL) /* absent or null */
    return 0;
  if (!json_object_is_type (o, json_type_int))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an integer, not %s", field, json_type_label (o));
  int64_t v = json_object_get_int64 (o);
  /* json-c clamps what does not fit 64 bits to INT64_MIN or UINT64_MAX,
   * and keeps numbers above INT64_MAX as uint64. */
  bool above_int64 = v == INT64_MAX && json_object_get_uint64 (o) != (uint64_t)INT64_MAX;
  bool clamped = v == INT64_MIN || (above_int64 && json_object_get_uint64 (o) == UINT64_MAX);
  if (clamped || (above_int64 && !is_unsigned))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: %s is out of range for a 64-bit integer", field,
                               json_object_to_json_string (o));
  if (is_unsigned && v < 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: %s is negative (an unsigned integer)", field,
                               json_object_to_json_string (o));
  *present = true;
  *out = v;
  return 0;
}

struct resources_view
{
  json_object *linux_, *resources, *memory, *pids, *cpu;
  bool has_memory_limit, has_swap, has_pids_limit, has_cpu_shares;
  int64_t memory_limit, swap, pids_limit, cpu_shares;
};

static int
resources_read (const struct oci_config *cfg, struct resources_view *r, ocigate_error_t *err)
{
  *r = (struct resources_view){ 0 };
  /* config.c guarantees linux is an object when it is there. */
  r->linux_ = json_get (cfg->root, "linux");
  if (r->linux_ && !json_object_is_type (r->linux_, json_type_object))
    r->linux_ = NULL;
  if (get_object (r->linux_, "resources", "linux.resources", &r->resources, err) < 0
      || get_object (r->resources, "memory", "linux.resources.memory", &r->memory, err) < 0
      || get_object (r->resources, "pids", "linux.resources.pids", &r->pids, err) < 0
      || get_object (r->resources, "cpu", "linux.resources.cpu", &r->cpu, err) < 0
      || get_int (r->memory, "limit", "linux.resources.memory.limit", false, &r->has_memory_limit, &r->memory_limit,
                  err)
             < 0
      || get_int (r->memory, "swap", "linux.resources.memory.swap", false, &r->has_swap, &r->swap, err) < 0
      || get_int (r->pids, "limit", "linux.resources.pids.limit", false, &r->has_pids_limit, &r->pids_limit, err) < 0
      || get_int (r->cpu, "shares", "linux.resources.cpu.shares", true, &r->has_cpu_shares, &r->cpu_shares, err) < 0)
    return -1;
  return 0;
}

/* "=-1, unlimited", "=0, not set", " is absent" for the message. */
static char *
describe (bool present, int64_t value)
{
  if (!present)
    return xstrdup (" is absent");
  if (value == -1)
    return xstrdup ("=-1, unlimited");
  if (value == 0)
    return xstrdup ("=0, not set");
  return xasprintf ("=%lld", (long long)value);
}

static int
resources_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                    ocigate_error_t *err)
{
  const struct resources_options *o = s->options;
  struct resources_view r;
  if (resources_read (ctx->config, &r, err) < 0)
    return -1;
  if (o->require_memory && r.memory_limit <= 0)
    {
      cleanup_free char *d = describe (r.has_memory_limit, r.memory_limit);
      verdict_add_finding (v, s->rule->id, s->action, "/linux/resources/memory/limit",
                           "container has no memory limit (linux.resources.memory.limit%s); set one (--memory %llu)", d,
                           (unsigned long long)o->memory);
    }
  if (o->require_pids && r.pids_limit <= 0)
    {
      cleanup_free char *d = describe (r.has_pids_limit, r.pids_limit);
      verdict_add_finding (v, s->rule->id, s->action, "/linux/resources/pids/limit",
                           "container has no limit on its number of processes (linux.resources.pids.limit%s); set "
                           "one (--pids-limit %llu)",
                           d, (unsigned long long)o->pids);
    }
  if (o->require_cpu_shares && r.cpu_shares <= 0)
    {
      cleanup_free char *d = describe (r.has_cpu_shares, r.cpu_shares);
      verdict_add_finding (v, s->rule->id, s->action, "/linux/resources/cpu/shares",
                           "container has no CPU share (linux.resources.cpu.shares%s); set one (--cpu-shares %llu)", d,
                           (unsigned long long)o->cpu_shares);
    }
  return 0;
}

/* parent.key as an object, created when absent or null. */
static json_object *
ensure_object (json_object *parent, const char *key)
{
  json_object *o = json_get (parent, key);
  if (o && json_object_is_type (o, json_type_object))
    return o;
  o = json_object_new_object ();
  json_object_object_add (parent, key, o);
  return o;
}

static int
resources_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  const struct resources_options *o = s->options;
  struct oci_config *cfg = ctx->config;
  struct resources_view r;
  if (resources_read (cfg, &r, err) < 0)
    return -1;
  bool need_memory = o->require_memory && r.memory_limit <= 0;
  bool need_pids = o->require_pids && r.pids_limit <= 0;
  bool need_cpu = o->require_cpu_shares && r.cpu_shares <= 0;
  if (!need_memory && !need_pids && !need_cpu)
    return 0;
  json_object *resources = ensure_object (ensure_object (cfg->root, "linux"), "resources");
  if (need_memory)
    {
      uint64_t limit = o->memory;
      if (r.swap > 0 && (uint64_t)r.swap < limit)
        limit = (uint64_t)r.swap;
      json_object_object_add (ensure_object (resources, "memory"), "limit", json_object_new_int64 ((int64_t)limit));
    }
  if (need_pids)
    json_object_object_add (ensure_object (resources, "pids"), "limit", json_object_new_int64 ((int64_t)o->pids));
  if (need_cpu)
    json_object_object_add (ensure_object (resources, "cpu"), "shares", json_object_new_int64 ((int64_t)o->cpu_shares));
  return oci_config_refresh (cfg, err);
}

const struct rule rule_resources = {
  .id = "resources",
  .summary = "the container has no memory limit, pids limit or CPU share (linux.resources)",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"requireMemory\": true, \"memory\": 536870912, \"requirePids\": true, \"pids\": 1024, "
                     "\"requireCpuShares\": true, \"cpuShares\": 1024}",
  .parse_options = resources_parse,
  .free_options = free,
  .evaluate = resources_evaluate,
  .apply = resources_apply,
};
