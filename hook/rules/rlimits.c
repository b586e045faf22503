/* rlimits: the resource limits the config sets for its process
 * (process.rlimits) are at most the policy's maxima.
 * CIS Docker Benchmark v1.6.0 5.19 ("Ensure that the default ulimit is
 * overwritten at runtime if needed").
 *
 * The runtime sets each entry with setrlimit(2) (runc, crun), in order,
 * before the process starts; a type the config leaves out keeps what
 * whoever started the runtime had (dockerd's and containerd's units give
 * LimitNOFILE=infinity, which is the kernel's nr_open, 1048576), which no
 * config shows.  So this rule judges what a config sets, not what it leaves
 * out: an unset limit is the engine's default, which is what CIS asks for
 * unless a container needs another.  The hard limit is what the container
 * can raise its soft limit to without CAP_SYS_RESOURCE, so both are judged.
 *
 * Options: "maximum", an object from RLIMIT_ name to the largest hard and
 * soft limit the policy accepts; a type it leaves out is not judged, and a
 * policy's "maximum" replaces the default one whole.  The defaults accept
 * the engines' defaults: Podman writes RLIMIT_NOFILE and RLIMIT_NPROC
 * 1048576 as root (containers.conf default_ulimits changes them), ctr and
 * `runc spec` RLIMIT_NOFILE 1024, Docker none unless asked (--ulimit,
 * default-ulimits); RLIMIT_NOFILE and RLIMIT_NPROC at most 1048576 (a
 * process's NPROC counts its user's processes on the whole host and does
 * not bound a container: the pids cgroup does, rules.resources),
 * RLIMIT_MEMLOCK at most 8 MiB (the kernel's own default since 5.16, and
 * systemd's for services; memory locked there cannot be reclaimed).
 * RLIMIT_CORE has no default maximum: the engines' daemons pass on an
 * unlimited one to every container that does not set it, so a maximum
 * would catch only a container that asks for less than that default; a
 * policy that wants core dumps bounded names it, and binds the containers
 * that set a limit.
 *
 * The runtimes refuse what they cannot set, so a container with such an
 * entry never starts; it is a finding all the same, so the refusal says
 * why before the runtime does: a type neither runc nor crun knows (both
 * match the sixteen RLIMIT_ names below exactly, case included: runc
 * "wrong rlimit value", crun "invalid rlimit"), and a soft limit above its
 * hard limit (setrlimit: EINVAL).  An unset hard or soft is 0, as both
 * read it.  18446744073709551615 is RLIM_INFINITY, "unlimited" (Docker
 * writes it for --ulimit core=-1); json-c reads any larger number as it
 * too, which runc refuses to read at all, and reading it as unlimited only
 * makes it fail a maximum.
 *
 * "fix" lowers a hard limit above its maximum to the maximum, and a soft
 * limit to its (lowered) hard limit; it never raises one and never removes
 * an entry, so a type the runtimes do not know still refuses the config.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"

/* runc's specconv rlimit table and crun's: the same sixteen names. */
static const char *const rlimit_types[] = {
  "RLIMIT_AS",      "RLIMIT_CORE",     "RLIMIT_CPU",        "RLIMIT_DATA",   "RLIMIT_FSIZE", "RLIMIT_LOCKS",
  "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",       "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
  "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING", "RLIMIT_STACK",
};
#define N_TYPES ARRAY_SIZE (rlimit_types)

#define RLIM_UNLIMITED UINT64_MAX

struct rlimits_options
{
  bool judged[N_TYPES];
  uint64_t maximum[N_TYPES];
};

static int
type_index (const char *type)
{
  for (size_t i = 0; i < N_TYPES; i++)
    if (strcmp (rlimit_types[i], type) == 0)
      return (int)i;
  return -1;
}

static int
rlimits_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "maximum", NULL };
  if (rule_options_check_keys (opts, where, keys, err) < 0)
    return -1;
  json_object *maximum = json_get (opts, "maximum");
  if (maximum == NULL || !json_object_is_type (maximum, json_type_object))
    return policy_where_error (where, "maximum", -1, err,
                               "must be an object from RLIMIT_ names to the largest limit (an integer)");
  struct rlimits_options o = { 0 };
  json_object_object_foreach (maximum, type, value)
    {
      int t = type_index (type);
      if (t < 0)
        return policy_where_error (where, "maximum", -1, err,
                                   "\"%s\" is not an rlimit type runc and crun know (RLIMIT_NOFILE, RLIMIT_NPROC, "
                                   "RLIMIT_CORE, RLIMIT_MEMLOCK, ...)",
                                   type);
      /* json-c keeps numbers above INT64_MAX as uint64: only 0 to
       * INT64_MAX are read back exactly, which is more than any limit. */
      if (!json_object_is_type (value, json_type_int) || json_object_get_int64 (value) < 0
          || json_object_get_int64 (value) == INT64_MAX)
        return policy_where_error (where, "maximum", -1, err, "%s must be an integer from 0 to %lld", type,
                                   (long long)INT64_MAX - 1);
      o.judged[t] = true;
      o.maximum[t] = (uint64_t)json_object_get_int64 (value);
    }
  *out = xmemdup (&o, sizeof o);
  return 0;
}

static const struct json_path process_at = { .key = "process" };
static const struct json_path rlimits_at = { .up = &process_at, .key = "rlimits" };

/* A limit: 0 to RLIM_INFINITY (see the top); absent or null is 0. */
static int
read_limit (json_object *entry, const struct json_path *at, const char *key, uint64_t *out, ocigate_error_t *err)
{
  json_object *v = NULL;
  *out = 0;
  if (field_get (entry, at, key, json_type_int, FIELD_OPTIONAL, NULL, &v, err) < 0)
    return -1;
  if (v == NULL)
    return 0;
  if (json_object_get_int64 (v) < 0)
    return field_error (at, key, err, "%s is negative (an unsigned integer)", json_object_to_json_string (v));
  *out = json_object_get_uint64 (v);
  return 0;
}

struct rlimit_entry
{
  json_object *object;
  const char *type;
  int index; /* in rlimit_types, -1 when the runtimes do not know it */
  uint64_t hard, soft;
};

/* process.rlimits, every entry read before any is judged: a config that
 * cannot be judged has no findings. */
static int
rlimits_read (json_object *root, struct rlimit_entry **out, size_t *n_out, ocigate_error_t *err)
{
  static const struct field_count count = { OCIGATE_MAX_LIST, NULL, NULL };
  json_object *list = NULL;
  size_t n = 0;
  *out = NULL;
  *n_out = 0;
  if (field_array (json_get (root, "process"), &process_at, "rlimits", &count, FIELD_OPTIONAL, &list, &n, err) < 0)
    return -1;
  if (n == 0)
    return 0;
  cleanup_free struct rlimit_entry *e = xreallocarray (NULL, n, sizeof *e);
  for (size_t i = 0; i < n; i++)
    {
      const struct json_path *at = FIELD_INDEX (&rlimits_at, i);
      e[i] = (struct rlimit_entry){ 0 };
      if (field_item_object (list, &rlimits_at, i, &e[i].object, err) < 0
          || field_string (e[i].object, at, "type", FIELD_REQUIRED, NULL, &e[i].type, err) < 0
          || read_limit (e[i].object, at, "hard", &e[i].hard, err) < 0
          || read_limit (e[i].object, at, "soft", &e[i].soft, err) < 0)
        return -1;
      e[i].index = type_index (e[i].type);
    }
  *out = steal_pointer (&e);
  *n_out = n;
  return 0;
}

/* What an entry becomes under the policy: the hard limit at most the
 * maximum, the soft limit at most the hard one. */
static void
lowered (const struct rlimits_options *o, const struct rlimit_entry *e, uint64_t *hard, uint64_t *soft)
{
  *hard = e->hard;
  if (o->judged[e->index] && *hard > o->maximum[e->index])
    *hard = o->maximum[e->index];
  *soft = e->soft < *hard ? e->soft : *hard;
}

/* "1048576", or "unlimited" for RLIM_INFINITY. */
static void
limit_text (uint64_t v, char buf[32])
{
  if (v == RLIM_UNLIMITED)
    memcpy (buf, "unlimited", sizeof "unlimited");
  else
    (void)snprintf (buf, 32, "%llu", (unsigned long long)v); /* 20 digits at most */
}

/* What would make it pass, in the engine's words where it has an option. */
static char *
remedy (enum engine_kind engine, size_t i, const char *type, uint64_t hard, uint64_t soft)
{
  char h[32], s[32];
  limit_text (hard, h);
  limit_text (soft, s);
  cleanup_free char *flag = engine_ulimit_flag (engine, type, soft, hard);
  if (flag)
    return xasprintf ("lower it (%s)", flag);
  const char *where = rule_hint (engine, HINT_RLIMITS, "the config");
  return xasprintf ("lower process.rlimits[%zu] to soft %s, hard %s (in %s)", i, s, h, where);
}

static int
rlimits_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  const struct rlimits_options *o = s->options;
  cleanup_free struct rlimit_entry *e = NULL;
  size_t n = 0;
  if (rlimits_read (ctx->config->root, &e, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *type = text_excerpt (e[i].type);
      if (e[i].index < 0)
        {
          cleanup_free char *pointer = xasprintf ("/process/rlimits/%zu/type", i);
          /* Not something "fix" mends (it never drops an entry): refused. */
          verdict_add_finding (v, s->rule->id, s->action == ACTION_FIX ? ACTION_DENY : s->action, pointer,
                               "rlimit type %s is not one runc or crun knows, and both refuse to start the container "
                               "(process.rlimits[%zu].type=%s; they know RLIMIT_NOFILE, RLIMIT_NPROC and the other "
                               "RLIMIT_ names of setrlimit(2), in capitals); remove it",
                               type, i, type);
          continue;
        }
      uint64_t hard, soft;
      lowered (o, &e[i], &hard, &soft);
      if (hard == e[i].hard && soft == e[i].soft)
        continue;
      char h[32], sf[32], max[32];
      limit_text (e[i].hard, h);
      limit_text (e[i].soft, sf);
      cleanup_free char *fix = remedy (rule_engine (ctx), i, e[i].type, hard, soft);
      cleanup_free char *pointer = xasprintf ("/process/rlimits/%zu", i);
      int t = e[i].index;
      if (o->judged[t] && (e[i].hard > o->maximum[t] || e[i].soft > o->maximum[t]))
        {
          limit_text (o->maximum[t], max);
          verdict_add_finding (v, s->rule->id, s->action, pointer,
                               "rlimit %s is above the policy's maximum (process.rlimits[%zu] hard=%s soft=%s, "
                               "maximum %s: rules.rlimits.maximum); %s",
                               type, i, h, sf, max, fix);
          continue;
        }
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "rlimit %s has a soft limit above its hard limit, which runc and crun refuse "
                           "(process.rlimits[%zu] hard=%s soft=%s, setrlimit: EINVAL); %s",
                           type, i, h, sf, fix);
    }
  return 0;
}

static int
rlimits_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  const struct rlimits_options *o = s->options;
  cleanup_free struct rlimit_entry *e = NULL;
  size_t n = 0;
  if (rlimits_read (ctx->config->root, &e, &n, err) < 0)
    return -1;
  bool changed = false;
  for (size_t i = 0; i < n; i++)
    {
      if (e[i].index < 0)
        continue;
      uint64_t hard, soft;
      lowered (o, &e[i], &hard, &soft);
      if (hard == e[i].hard && soft == e[i].soft)
        continue;
      /* json-c writes a uint64 above INT64_MAX as it is. */
      json_object_object_add (e[i].object, "hard", json_object_new_uint64 (hard));
      json_object_object_add (e[i].object, "soft", json_object_new_uint64 (soft));
      char h[32], sf[32];
      limit_text (hard, h);
      limit_text (soft, sf);
      fix_notes_add (ctx->notes, s->rule->id, "lowered %s to soft %s, hard %s", e[i].type, sf, h);
      changed = true;
    }
  return changed ? oci_config_refresh (ctx->config, err) : 0;
}

const struct rule rule_rlimits = {
  .id = "rlimits",
  .summary = "resource limits (process.rlimits) above the policy's maxima, of a type the runtimes do not know, or "
             "with a soft limit above the hard one",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"maximum\": {\"RLIMIT_NOFILE\": 1048576, \"RLIMIT_NPROC\": 1048576, "
                     "\"RLIMIT_MEMLOCK\": 8388608}}",
  .parse_options = rlimits_parse,
  .free_options = free,
  .evaluate = rlimits_evaluate,
  .apply = rlimits_apply,
};
