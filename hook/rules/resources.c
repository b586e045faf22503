/* resources: the container has a memory limit, a limit on its number of
 * processes and a CPU limit (a share or a quota), so one container cannot
 * starve the host.
 * OWASP Docker Top 10 D07; CIS Docker Benchmark v1.6.0 5.11 (memory), 5.12
 * (CPU priority), 5.29 (pids).
 *
 * Each of linux.resources.memory.limit and linux.resources.pids.limit must
 * be present and above 0 (the runtimes read 0 as "not set", and -1 as
 * "unlimited") unless the policy turns that check off (requireMemory,
 * requirePids).  On cgroup v2, runc and crun write linux.resources.unified
 * after those limits, so "max" in its memory.max or pids.max lifts them
 * again, and any other value there is the limit.
 *
 * The CPU limit (requireCpuShares, a name kept from when only shares
 * counted) is linux.resources.cpu.shares above 0, or a CFS quota: what
 * `--cpus 0.5` gives is cpu.quota 50000 with cpu.period 100000, at most
 * half a CPU, a limit as much as a share is.  A quota is cpu.quota above 0;
 * -1 is none, and 0 is "not set".  The period may be absent (or 0, "not
 * set"): runc writes cgroup v2's cpu.max with the kernel's default period
 * (100000 us) and leaves v1's cfs_period_us as it is, so the quota holds
 * over that period.  On cgroup v2 a unified cpu.max replaces it: "max ..."
 * lifts the quota, a positive number first is one, and anything else
 * (which the kernel refuses) is none.  A quota so large that it exceeds
 * the host's CPUs passes, as a share of any size does.
 *
 * "fix" writes the policy's value (memory, pids, cpuShares) where a check
 * fails, creating the objects on the way and dropping a unified "max" of
 * memory.max or pids.max; a CPU limit is fixed with a share, which leaves
 * a lifted quota as it is.  A limit that is already set is never touched.
 * One
 * exception keeps the rewritten config startable: when
 * linux.resources.memory.swap (memory plus swap) is set and below the
 * policy's memory value, the new limit is the swap value, as runc refuses a
 * memory limit above it and the container could not use more anyway.
 *
 * The wrapper also judges `runc update` / `crun update` (docker update,
 * containerd's UpdateTask), which change the limits of a running container
 * without a hook: an update that lifts a required limit (a negative memory
 * or pids limit, "max" in unified) is a finding.  A limit an update leaves
 * out or gives as 0 stays as it was, and CPU shares cannot be lifted; a
 * CPU quota can (cpu.quota -1, unified cpu.max "max ..."), which is a
 * finding unless the container keeps a share: the config's, or one the
 * update gives (an earlier update's share is not known here).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"

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

/* The kernel strips white space around what is written to a cgroup file,
 * then reads "max" as no limit. */
static bool
unified_is_max (const char *value)
{
  while (isspace ((unsigned char)*value))
    value++;
  size_t n = strlen (value);
  while (n > 0 && isspace ((unsigned char)value[n - 1]))
    n--;
  return n == 3 && memcmp (value, "max", 3) == 0;
}

/* What a unified cpu.max ("QUOTA PERIOD", "QUOTA", "max PERIOD") says of
 * the quota. */
enum cpu_max
{
  CPU_MAX_QUOTA,  /* a positive number of microseconds */
  CPU_MAX_LIFTED, /* "max" */
  CPU_MAX_OTHER,  /* what the kernel refuses: no quota */
};

static enum cpu_max
unified_cpu_max (const char *value)
{
  while (isspace ((unsigned char)*value))
    value++;
  size_t n = strcspn (value, " \t\n\v\f\r");
  if (n == 3 && memcmp (value, "max", 3) == 0)
    return CPU_MAX_LIFTED;
  bool positive = false;
  for (size_t k = 0; k < n; k++)
    {
      if (!isdigit ((unsigned char)value[k]))
        return CPU_MAX_OTHER;
      positive = positive || value[k] != '0';
    }
  return positive ? CPU_MAX_QUOTA : CPU_MAX_OTHER;
}

struct resources_view
{
  json_object *resources, *memory, *pids, *cpu, *unified;
  bool has_memory_limit, has_swap, has_pids_limit, has_cpu_shares, has_cpu_quota;
  int64_t memory_limit, swap, pids_limit, cpu_shares, cpu_quota;
  const char *unified_memory_max, *unified_pids_max, *unified_cpu_max; /* NULL when absent */
};

/* A LinuxResources object at `at`: the config's linux.resources, or an
 * update's (the document itself, NULL).  The spec's limits are int64;
 * cpu.shares is uint64, and a share beyond INT64_MAX is as good as
 * unlimited shares, and passes. */
static int
resources_read (json_object *resources, const struct json_path *at, struct resources_view *r, ocigate_error_t *err)
{
  *r = (struct resources_view){ .resources = resources };
  const struct json_path memory_at = { .up = at, .key = "memory" }, pids_at = { .up = at, .key = "pids" },
                         cpu_at = { .up = at, .key = "cpu" }, unified_at = { .up = at, .key = "unified" };
  enum field_state memory_limit, swap, pids_limit, cpu_shares, cpu_quota;
  uint64_t shares = 0;
  if (field_object (resources, at, "memory", FIELD_OPTIONAL, NULL, &r->memory, err) < 0
      || field_object (resources, at, "pids", FIELD_OPTIONAL, NULL, &r->pids, err) < 0
      || field_object (resources, at, "cpu", FIELD_OPTIONAL, NULL, &r->cpu, err) < 0
      || field_object (resources, at, "unified", FIELD_OPTIONAL, NULL, &r->unified, err) < 0
      || field_int64 (r->memory, &memory_at, "limit", FIELD_OPTIONAL, &memory_limit, &r->memory_limit, err) < 0
      || field_int64 (r->memory, &memory_at, "swap", FIELD_OPTIONAL, &swap, &r->swap, err) < 0
      || field_int64 (r->pids, &pids_at, "limit", FIELD_OPTIONAL, &pids_limit, &r->pids_limit, err) < 0
      || field_uint64 (r->cpu, &cpu_at, "shares", UINT64_MAX, FIELD_OPTIONAL, &cpu_shares, &shares, err) < 0
      || field_int64 (r->cpu, &cpu_at, "quota", FIELD_OPTIONAL, &cpu_quota, &r->cpu_quota, err) < 0
      || field_string (r->unified, &unified_at, "memory.max", FIELD_OPTIONAL, NULL, &r->unified_memory_max, err) < 0
      || field_string (r->unified, &unified_at, "pids.max", FIELD_OPTIONAL, NULL, &r->unified_pids_max, err) < 0
      || field_string (r->unified, &unified_at, "cpu.max", FIELD_OPTIONAL, NULL, &r->unified_cpu_max, err) < 0)
    return -1;
  r->has_memory_limit = memory_limit == FIELD_PRESENT;
  r->has_swap = swap == FIELD_PRESENT;
  r->has_pids_limit = pids_limit == FIELD_PRESENT;
  r->has_cpu_shares = cpu_shares == FIELD_PRESENT;
  r->has_cpu_quota = cpu_quota == FIELD_PRESENT;
  r->cpu_shares = shares > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)shares;
  return 0;
}

static int
config_resources_read (const struct oci_config *cfg, struct resources_view *r, ocigate_error_t *err)
{
  static const struct json_path linux_at = { .key = "linux" }, resources_at = { .up = &linux_at, .key = "resources" };
  /* config.c guarantees linux is an object when it is there. */
  json_object *resources = NULL;
  if (field_object (json_get (cfg->root, "linux"), &linux_at, "resources", FIELD_OPTIONAL, NULL, &resources, err) < 0)
    return -1;
  return resources_read (resources, &resources_at, r, err);
}

/* Whether a limit holds after the runtime applied the config: a unified
 * value replaces the limit, and "max" there is none. */
static bool
limited (const char *unified, int64_t limit)
{
  if (unified)
    return !unified_is_max (unified);
  return limit > 0;
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

/* The memory and the pids limit: how each is named and where it sits. */
struct limit_kind
{
  const char *what;  /* "memory limit" */
  const char *field; /* "memory": linux.resources.memory.limit */
  const char *file;  /* its cgroup v2 file in unified */
  const char *flag;  /* the engines' option */
  const char *pointer, *unified_pointer, *update_pointer, *update_unified_pointer;
};

static const struct limit_kind memory_kind = {
  .what = "memory limit",
  .field = "memory",
  .file = "memory.max",
  .flag = "--memory",
  .pointer = "/linux/resources/memory/limit",
  .unified_pointer = "/linux/resources/unified/memory.max",
  .update_pointer = "/memory/limit",
  .update_unified_pointer = "/unified/memory.max",
};

static const struct limit_kind pids_kind = {
  .what = "limit on its number of processes",
  .field = "pids",
  .file = "pids.max",
  .flag = "--pids-limit",
  .pointer = "/linux/resources/pids/limit",
  .unified_pointer = "/linux/resources/unified/pids.max",
  .update_pointer = "/pids/limit",
  .update_unified_pointer = "/unified/pids.max",
};

/* A config: the limit holds after the runtime applied it (see limited()). */
static void
judge_config_limit (struct verdict *v, const struct rule_setting *s, const struct limit_kind *k, bool has,
                    int64_t value, const char *unified, uint64_t fill)
{
  if (limited (unified, value))
    return;
  if (unified)
    {
      verdict_add_finding (v, s->rule->id, s->action, k->unified_pointer,
                           "container has no %s (linux.resources.unified %s=\"%s\", which the runtime writes after "
                           "linux.resources.%s.limit); drop it and set a limit (%s %llu)",
                           k->what, k->file, unified, k->field, k->flag, (unsigned long long)fill);
      return;
    }
  cleanup_free char *d = describe (has, value);
  verdict_add_finding (v, s->rule->id, s->action, k->pointer,
                       "container has no %s (linux.resources.%s.limit%s); set one (%s %llu)", k->what, k->field, d,
                       k->flag, (unsigned long long)fill);
}

/* An update: it lifts the limit when it asks for none. */
static void
judge_update_limit (struct verdict *v, const struct rule_setting *s, const struct limit_kind *k, int64_t value,
                    const char *unified, uint64_t fill)
{
  if (unified && unified_is_max (unified))
    verdict_add_finding (v, s->rule->id, s->action, k->update_unified_pointer,
                         "update lifts the container's %s (unified %s=\"%s\"); give a limit instead (%s %llu)", k->what,
                         k->file, unified, k->flag, (unsigned long long)fill);
  else if (value < 0)
    verdict_add_finding (v, s->rule->id, s->action, k->update_pointer,
                         "update lifts the container's %s (%s.limit=%lld, unlimited); give a limit instead (%s %llu)",
                         k->what, k->field, (long long)value, k->flag, (unsigned long long)fill);
}

/* Whether the container has a CPU limit after the runtime applied the
 * config: a share, or a quota that a unified cpu.max does not replace. */
static bool
cpu_limited (const struct resources_view *r)
{
  if (r->cpu_shares > 0)
    return true;
  if (r->unified_cpu_max)
    return unified_cpu_max (r->unified_cpu_max) == CPU_MAX_QUOTA;
  return r->cpu_quota > 0;
}

static void
judge_config_cpu (struct verdict *v, const struct rule_setting *s, const struct resources_view *r, uint64_t fill)
{
  if (cpu_limited (r))
    return;
  cleanup_free char *shares = describe (r->has_cpu_shares, r->cpu_shares);
  if (r->unified_cpu_max)
    {
      verdict_add_finding (v, s->rule->id, s->action, "/linux/resources/cpu/shares",
                           "container has no CPU limit, neither a share nor a quota (linux.resources.cpu.shares%s; "
                           "linux.resources.unified cpu.max=\"%s\", which the runtime writes after "
                           "linux.resources.cpu.quota); set a share (--cpu-shares %llu), or a quota in cpu.max",
                           shares, r->unified_cpu_max, (unsigned long long)fill);
      return;
    }
  cleanup_free char *quota = describe (r->has_cpu_quota, r->cpu_quota);
  verdict_add_finding (v, s->rule->id, s->action, "/linux/resources/cpu/shares",
                       "container has no CPU limit, neither a share nor a quota (linux.resources.cpu.shares%s, "
                       "linux.resources.cpu.quota%s); set one (--cpu-shares %llu, or --cpus N)",
                       shares, quota, (unsigned long long)fill);
}

static int
resources_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                    ocigate_error_t *err)
{
  const struct resources_options *o = s->options;
  struct resources_view r;
  if (config_resources_read (ctx->config, &r, err) < 0)
    return -1;
  if (o->require_memory)
    judge_config_limit (v, s, &memory_kind, r.has_memory_limit, r.memory_limit, r.unified_memory_max, o->memory);
  if (o->require_pids)
    judge_config_limit (v, s, &pids_kind, r.has_pids_limit, r.pids_limit, r.unified_pids_max, o->pids);
  if (o->require_cpu_shares)
    judge_config_cpu (v, s, &r, o->cpu_shares);
  return 0;
}

/* An update that lifts the CPU quota leaves the container without a CPU
 * limit unless it keeps a share: the config's, or the update's. */
static int
judge_update_cpu (const struct rule_context *ctx, const struct rule_setting *s, const struct resources_view *u,
                  uint64_t fill, struct verdict *v, ocigate_error_t *err)
{
  bool lifts = u->unified_cpu_max ? unified_cpu_max (u->unified_cpu_max) == CPU_MAX_LIFTED : u->cpu_quota < 0;
  if (!lifts || u->cpu_shares > 0)
    return 0;
  struct resources_view c;
  if (config_resources_read (ctx->config, &c, err) < 0)
    return -1;
  if (c.cpu_shares > 0)
    return 0;
  cleanup_free char *shares = describe (c.has_cpu_shares, c.cpu_shares);
  if (u->unified_cpu_max)
    verdict_add_finding (v, s->rule->id, s->action, "/unified/cpu.max",
                         "update lifts the container's CPU quota (unified cpu.max=\"%s\"), and its config has no "
                         "CPU share (linux.resources.cpu.shares%s); give a quota instead (--cpus N), or a share with "
                         "it (--cpu-shares %llu)",
                         u->unified_cpu_max, shares, (unsigned long long)fill);
  else
    verdict_add_finding (v, s->rule->id, s->action, "/cpu/quota",
                         "update lifts the container's CPU quota (cpu.quota=%lld, unlimited), and its config has no "
                         "CPU share (linux.resources.cpu.shares%s); give a quota instead (--cpus N), or a share with "
                         "it (--cpu-shares %llu)",
                         (long long)u->cpu_quota, shares, (unsigned long long)fill);
  return 0;
}

/* An update changes only what it names: a limit it leaves out or gives as
 * 0 stays as it was (runc and crun skip it), a negative one is "no limit"
 * (-1 is what docker update --pids-limit -1 sends), and a unified value
 * replaces the file's. */
static int
resources_evaluate_update (const struct rule_context *ctx, const struct rule_setting *s, json_object *update,
                           struct verdict *v, ocigate_error_t *err)
{
  const struct resources_options *o = s->options;
  struct resources_view r;
  if (resources_read (update, NULL, &r, err) < 0)
    return -1;
  if (o->require_memory)
    judge_update_limit (v, s, &memory_kind, r.memory_limit, r.unified_memory_max, o->memory);
  if (o->require_pids)
    judge_update_limit (v, s, &pids_kind, r.pids_limit, r.unified_pids_max, o->pids);
  if (o->require_cpu_shares)
    return judge_update_cpu (ctx, s, &r, o->cpu_shares, v, err);
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
  if (config_resources_read (cfg, &r, err) < 0)
    return -1;
  bool need_memory = o->require_memory && !limited (r.unified_memory_max, r.memory_limit);
  bool need_pids = o->require_pids && !limited (r.unified_pids_max, r.pids_limit);
  bool need_cpu = o->require_cpu_shares && !cpu_limited (&r);
  if (!need_memory && !need_pids && !need_cpu)
    return 0;
  /* A unified "max" would lift the limit written below. */
  if (need_memory && r.unified_memory_max)
    json_object_object_del (r.unified, "memory.max");
  if (need_pids && r.unified_pids_max)
    json_object_object_del (r.unified, "pids.max");
  json_object *resources = ensure_object (ensure_object (cfg->root, "linux"), "resources");
  if (need_memory && r.memory_limit <= 0)
    {
      uint64_t limit = o->memory;
      if (r.swap > 0 && (uint64_t)r.swap < limit)
        limit = (uint64_t)r.swap;
      json_object_object_add (ensure_object (resources, "memory"), "limit", json_object_new_int64 ((int64_t)limit));
    }
  if (need_pids && r.pids_limit <= 0)
    json_object_object_add (ensure_object (resources, "pids"), "limit", json_object_new_int64 ((int64_t)o->pids));
  if (need_cpu)
    json_object_object_add (ensure_object (resources, "cpu"), "shares", json_object_new_int64 ((int64_t)o->cpu_shares));
  fix_notes_add (ctx->notes, s->rule->id, "set%s%s%s", need_memory ? " a memory limit" : "",
                 need_pids ? (need_memory ? ", a pids limit" : " a pids limit") : "",
                 need_cpu ? (need_memory || need_pids ? ", CPU shares" : " CPU shares") : "");
  return oci_config_refresh (cfg, err);
}

const struct rule rule_resources = {
  .id = "resources",
  .summary = "the container has no memory limit, pids limit or CPU limit, a share or a quota (linux.resources)",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"requireMemory\": true, \"memory\": 536870912, \"requirePids\": true, \"pids\": 1024, "
                     "\"requireCpuShares\": true, \"cpuShares\": 1024}",
  .parse_options = resources_parse,
  .free_options = free,
  .evaluate = resources_evaluate,
  .apply = resources_apply,
  .evaluate_update = resources_evaluate_update,
};
