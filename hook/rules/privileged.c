/* privileged: the marks of `--privileged` (Docker, Podman, containerd).
 * No single field says "privileged"; the engines turn the flag into several
 * settings at once.  One of them alone (say seccomp=unconfined) is its own
 * rule's business, so this rule fires on several together and names them.
 * OWASP Docker Top 10 D01, D04; CIS Docker v1.6.0 5.5; Pod Security baseline.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "rules/pathutil.h"

#define PRIVILEGED_SIGNALS 6

struct privileged_options
{
  uint64_t min_signals;
};

static int
privileged_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "minSignals", NULL };
  struct privileged_options o = { 0 };
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_uint (opts, "minSignals", where, 2, PRIVILEGED_SIGNALS, &o.min_signals, err) < 0)
    return -1;
  *out = xmemdup (&o, sizeof o);
  return 0;
}

static int
popcount (capmask_t m)
{
  return __builtin_popcountll (m);
}

/* Every capability Linux had by 3.16 (CAP_CHOWN to CAP_AUDIT_READ), give or
 * take two: engines list only the ones they know (Docker 20.10 lacks the
 * three newest) and containerd copies its own set, which lacks whatever the
 * host's bounding set lacks. */
#define CLASSIC_CAPS 38
static bool
signal_all_caps (const struct oci_config *cfg, struct strbuf *sb)
{
  if (!cfg->has_capabilities)
    {
      strbuf_append (sb, "every capability (process.capabilities absent)");
      return true;
    }
  capmask_t classic = CAPMASK (CLASSIC_CAPS) - 1;
  capmask_t held = 0;
  for (int s = 0; s < CAPSET__COUNT; s++)
    held |= cfg->caps[s];
  held &= classic;
  if (CLASSIC_CAPS - popcount (held) > 2)
    return false;
  strbuf_appendf (sb, "every capability (%d of the %d from CAP_CHOWN to CAP_AUDIT_READ)", popcount (held),
                  CLASSIC_CAPS);
  return true;
}

static bool
signal_no_seccomp (const struct oci_config *cfg, struct strbuf *sb)
{
  json_object *seccomp = json_get (json_get (cfg->root, "linux"), "seccomp");
  if (seccomp && !json_object_is_type (seccomp, json_type_null))
    return false;
  strbuf_append (sb, "no seccomp profile");
  return true;
}

static bool
is_wildcard_device_rule (json_object *rule)
{
  json_object *type = json_get (rule, "type");
  json_object *major = json_get (rule, "major");
  json_object *minor = json_get (rule, "minor");
  bool any_type = type == NULL || json_object_is_type (type, json_type_null)
                  || (json_object_is_type (type, json_type_string) && strcmp (json_object_get_string (type), "a") == 0);
  bool any_major = major == NULL || json_object_is_type (major, json_type_null)
                   || (json_object_is_type (major, json_type_int) && json_object_get_int64 (major) == -1);
  bool any_minor = minor == NULL || json_object_is_type (minor, json_type_null)
                   || (json_object_is_type (minor, json_type_int) && json_object_get_int64 (minor) == -1);
  return any_type && any_major && any_minor;
}

/* The device cgroup is a list read in order; the last rule covering every
 * device sets the default.  No list at all leaves the host's default. */
static bool
signal_all_devices (const struct oci_config *cfg, struct strbuf *sb)
{
  json_object *devs = json_get_path (cfg->root, (const char *const[]){ "linux", "resources", "devices", NULL });
  if (devs == NULL || !json_object_is_type (devs, json_type_array))
    {
      strbuf_append (sb, "no device cgroup rules (linux.resources.devices absent)");
      return true;
    }
  bool allows_all = false; /* the last rule for every device allows it */
  size_t n = json_object_array_length (devs);
  for (size_t i = 0; i < n; i++)
    {
      json_object *r = json_object_array_get_idx (devs, i);
      if (!json_object_is_type (r, json_type_object) || !is_wildcard_device_rule (r))
        continue;
      json_object *a = json_get (r, "allow");
      allows_all = a && json_object_is_type (a, json_type_boolean) && json_object_get_boolean (a);
    }
  if (!allows_all)
    return false;
  strbuf_append (sb, "device cgroup allows every device");
  return true;
}

static bool
array_empty (json_object *a)
{
  return a == NULL || !json_object_is_type (a, json_type_array) || json_object_array_length (a) == 0;
}

static bool
signal_no_masks (const struct oci_config *cfg, struct strbuf *sb)
{
  json_object *linux_ = json_get (cfg->root, "linux");
  if (!array_empty (json_get (linux_, "maskedPaths")) || !array_empty (json_get (linux_, "readonlyPaths")))
    return false;
  strbuf_append (sb, "no masked or read-only paths");
  return true;
}

/* What every runtime provides itself; anything else comes from the host. */
static bool
is_default_device (const char *path)
{
  static const char *const defaults[] = { "/dev/null",    "/dev/zero", "/dev/full",    "/dev/random",
                                          "/dev/urandom", "/dev/tty",  "/dev/console", "/dev/ptmx" };
  for (size_t i = 0; i < ARRAY_SIZE (defaults); i++)
    if (strcmp (path, defaults[i]) == 0)
      return true;
  return false;
}

static bool
signal_host_devices (const struct oci_config *cfg, struct strbuf *sb)
{
  json_object *devs = json_get (json_get (cfg->root, "linux"), "devices");
  if (devs == NULL || !json_object_is_type (devs, json_type_array))
    return false;
  size_t n = json_object_array_length (devs), count = 0;
  const char *example = NULL;
  for (size_t i = 0; i < n; i++)
    {
      json_object *path = json_get (json_object_array_get_idx (devs, i), "path");
      if (path == NULL || !json_object_is_type (path, json_type_string))
        continue;
      if (is_default_device (json_object_get_string (path)))
        continue;
      if (example == NULL)
        example = json_object_get_string (path);
      count++;
    }
  /* One --device is a choice; a privileged container gets the whole /dev. */
  if (count < 2)
    return false;
  strbuf_appendf (sb, "%zu host devices in linux.devices (%s, ...)", count, example);
  return true;
}

static bool
signal_writable_sysfs (const struct oci_config *cfg, struct strbuf *sb)
{
  if (!sysfs_writable (cfg))
    return false;
  strbuf_append (sb, "writable /sys");
  return true;
}

static int
privileged_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                     ocigate_error_t *err UNUSED)
{
  const struct privileged_options *o = s->options;
  bool (*const signals[PRIVILEGED_SIGNALS]) (const struct oci_config *, struct strbuf *)
      = { signal_all_caps, signal_no_seccomp,   signal_all_devices,
          signal_no_masks, signal_host_devices, signal_writable_sysfs };
  cleanup_strbuf struct strbuf seen = { 0 };
  uint64_t count = 0;
  /* An exec carries one mark only, its capabilities, and `docker exec
   * --privileged` and `podman exec --privileged` ask for every one: that
   * alone makes it privileged (the container's own marks were judged when
   * it started).  Trimmed to the allowlist, it would run as something
   * other than what was asked, failing with EPERM. */
  if (ctx->config->exec_process && signal_all_caps (ctx->config, &seen))
    {
      verdict_add_finding (v, s->rule->id, s->action, "/process/capabilities",
                           "exec is privileged (%s); drop exec --privileged, and add only the capabilities it needs",
                           seen.buf);
      return 0;
    }
  for (size_t i = 0; i < PRIVILEGED_SIGNALS; i++)
    {
      cleanup_strbuf struct strbuf one = { 0 };
      if (signals[i](ctx->config, &one))
        {
          strbuf_appendf (&seen, "%s%s", count ? ", " : "", one.buf);
          count++;
        }
    }
  if (count >= o->min_signals)
    verdict_add_finding (v, s->rule->id, s->action, "",
                         "container is privileged (%llu of %d marks: %s); drop --privileged and grant only the "
                         "capabilities and devices it needs",
                         (unsigned long long)count, PRIVILEGED_SIGNALS, seen.buf);
  return 0;
}

const struct rule rule_privileged = {
  .id = "privileged",
  .summary = "the marks of --privileged: every capability, no seccomp, every device, no masked paths, host "
             "devices, writable /sys",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"minSignals\": 3}",
  .parse_options = privileged_parse,
  .free_options = free,
  .evaluate = privileged_evaluate,
};
