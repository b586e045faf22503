/* sysctls: every kernel parameter the container sets is a safe one.
 * Pod Security baseline (sysctls).
 *
 * Safe are the sysctls Kubernetes calls safe (namespaced, and unable to
 * affect other containers or the host) and those on the option "allow".
 * An "allow" entry is an exact name ("kernel.msgmax") or a prefix ending in
 * ".*" ("net.ipv4.conf.*" allows every name below net.ipv4.conf); no other
 * wildcard exists.  Names are compared with "/" read as "." (runc and crun
 * accept both as the separator and write /proc/sys/ with every "." turned
 * into "/"); a name with an empty component never matches a prefix.
 * Values must be strings, as in the runtime spec.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"

/* Kubernetes' safe set (pkg/security/podsecurity, baseline "sysctls"). */
static const char *const safe_sysctls[] = {
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  NULL,
};

struct sysctls_options
{
  char **exact;    /* normalised names */
  char **prefixes; /* normalised, with the "." and without the "*" */
  size_t n_exact, n_prefixes;
};

static void
sysctls_options_free (void *p)
{
  struct sysctls_options *o = p;
  if (o == NULL)
    return;
  for (size_t i = 0; i < o->n_exact; i++)
    free (o->exact[i]);
  for (size_t i = 0; i < o->n_prefixes; i++)
    free (o->prefixes[i]);
  free (o->exact);
  free (o->prefixes);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (sysctls_options, sysctls_options_free)
#define cleanup_sysctls_options __attribute__ ((cleanup (cleanup_sysctls_optionsp)))

/* "/" read as ".": the name runc and crun write under /proc/sys. */
static char *
normalise (const char *name)
{
  char *n = xstrdup (name);
  for (char *c = n; *c; c++)
    if (*c == '/')
      *c = '.';
  return n;
}

/* Non-empty components only: no leading, trailing or doubled dot. */
static bool
well_formed (const char *name, size_t len)
{
  if (len == 0 || name[0] == '.' || name[len - 1] == '.')
    return false;
  for (size_t i = 1; i < len; i++)
    if (name[i] == '.' && name[i - 1] == '.')
      return false;
  return true;
}

static int
sysctls_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "allow", NULL };
  if (rule_options_check_keys (opts, where, keys, err) < 0)
    return -1;
  json_object *allow = json_get (opts, "allow");
  if (allow == NULL || !json_object_is_type (allow, json_type_array))
    return policy_where_error (where, "allow", -1, err, "must be an array of sysctl names");
  size_t n = json_object_array_length (allow);
  if (n > OCIGATE_MAX_LIST)
    return policy_where_error (where, "allow", -1, err, "%zu entries, more than the limit of %d", n, OCIGATE_MAX_LIST);
  cleanup_sysctls_options struct sysctls_options *o = xzalloc (sizeof *o);
  o->exact = xreallocarray (NULL, n + 1, sizeof (char *));
  o->prefixes = xreallocarray (NULL, n + 1, sizeof (char *));
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (allow, i);
      if (!json_object_is_type (e, json_type_string))
        return policy_where_error (where, "allow", (long)i, err, "must be a sysctl name (string)");
      cleanup_free char *name = normalise (json_object_get_string (e));
      size_t len = strlen (name);
      char *star = strchr (name, '*');
      bool prefix = star && star == name + len - 1 && len >= 3 && name[len - 2] == '.';
      if ((star && !prefix) || !well_formed (name, prefix ? len - 2 : len))
        return policy_where_error (where, "allow", (long)i, err,
                                   "\"%s\" is not a sysctl name (as kernel.msgmax) or a prefix ending in \".*\" (as "
                                   "net.ipv4.conf.*)",
                                   json_object_get_string (e));
      if (prefix)
        {
          name[len - 1] = '\0'; /* keep the dot: "net.ipv4.conf." */
          o->prefixes[o->n_prefixes++] = steal_pointer (&name);
        }
      else
        o->exact[o->n_exact++] = steal_pointer (&name);
    }
  *out = steal_pointer (&o);
  return 0;
}

static bool
sysctl_allowed (const struct sysctls_options *o, const char *name)
{
  for (const char *const *s = safe_sysctls; *s; s++)
    if (strcmp (*s, name) == 0)
      return true;
  for (size_t i = 0; i < o->n_exact; i++)
    if (strcmp (o->exact[i], name) == 0)
      return true;
  if (!well_formed (name, strlen (name)))
    return false;
  for (size_t i = 0; i < o->n_prefixes; i++)
    if (strncmp (o->prefixes[i], name, strlen (o->prefixes[i])) == 0)
      return true;
  return false;
}

static int
sysctls_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  const struct sysctls_options *o = s->options;
  static const struct json_path linux_at = { .key = "linux" }, sysctl_at = { .up = &linux_at, .key = "sysctl" };
  json_object *sysctl = NULL;
  if (field_object (json_get (ctx->config->root, "linux"), &linux_at, "sysctl", FIELD_OPTIONAL, NULL, &sysctl, err) < 0)
    return -1;
  if (sysctl == NULL) /* absent or null */
    return 0;
  size_t n = (size_t)json_object_object_length (sysctl);
  if (n > OCIGATE_MAX_LIST)
    return field_error (&linux_at, "sysctl", err, "%zu entries, more than the limit of %d", n, OCIGATE_MAX_LIST);
  /* Every value first: a config that cannot be judged has no findings. */
  json_object_object_foreach (sysctl, key, val)
    {
      const char *value = NULL;
      (void)val;
      if (field_string (sysctl, &sysctl_at, key, FIELD_NOT_NULL, NULL, &value, err) < 0)
        return -1;
    }
  json_object_object_foreach (sysctl, key2, val2)
    {
      cleanup_free char *name = normalise (key2);
      if (sysctl_allowed (o, name))
        continue;
      cleanup_free char *escaped = json_pointer_escape (key2);
      cleanup_free char *pointer = xasprintf ("/linux/sysctl/%s", escaped);
      cleanup_free char *k = text_excerpt (key2);
      cleanup_free char *shown_name = text_excerpt (name);
      cleanup_free char *value = text_excerpt (json_object_get_string (val2));
      cleanup_free char *read_as = strcmp (name, key2) == 0 ? xstrdup ("") : xasprintf (", read as %s", shown_name);
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "sysctl %s is neither in the safe set nor allowed (linux.sysctl.%s=%s%s); drop --sysctl "
                           "%s or add it to rules.sysctls.allow",
                           shown_name, k, value, read_as, shown_name);
    }
  return 0;
}

const struct rule rule_sysctls = {
  .id = "sysctls",
  .summary = "kernel parameters (linux.sysctl) outside Kubernetes' safe set and the allowlist",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"allow\": []}",
  .parse_options = sysctls_parse,
  .free_options = sysctls_options_free,
  .evaluate = sysctls_evaluate,
};
