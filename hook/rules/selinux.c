/* selinux: the process (and the container's files) are not given a
 * SELinux type that SELinux leaves unconfined.
 * CIS Docker v1.6.0 5.3.
 *
 * A label is "user:role:type[:level]" (the level may hold more colons:
 * "s0-s0:c0.c1023"); its third field is the type.  The types spc_t (what
 * --privileged and label=disable give) and unconfined_t in
 * process.selinuxLabel or linux.mountLabel are findings.  A label with
 * fewer than three fields names no type; the kernel refuses it when the
 * runtime applies it, so it is not judged here.  With the option
 * "require", a config whose process.selinuxLabel is absent, null or "" is
 * a finding on a host with SELinux enabled (host_selinux():
 * /sys/fs/selinux/enforce exists): the process would keep the runtime's
 * own domain; a host that cannot be read fails closed.  A missing
 * linux.mountLabel is not: the process's type is what confines it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"

struct selinux_options
{
  bool require;
};

static int
selinux_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "require", NULL };
  struct selinux_options o = { 0 };
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_bool (opts, "require", where, &o.require, err) < 0)
    return -1;
  *out = xmemdup (&o, sizeof o);
  return 0;
}

static const char *const unconfined_types[] = { "spc_t", "unconfined_t", NULL };

/* The label's type when it is one SELinux does not confine, else NULL. */
static const char *
unconfined_type (const char *label)
{
  const char *t = strchr (label, ':');
  if (t == NULL || (t = strchr (t + 1, ':')) == NULL)
    return NULL;
  t++;
  size_t len = strcspn (t, ":");
  for (const char *const *u = unconfined_types; *u; u++)
    if (strlen (*u) == len && strncmp (*u, t, len) == 0)
      return *u;
  return NULL;
}

static int
selinux_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  const struct selinux_options *o = s->options;
  json_object *root = ctx->config->root;
  static const struct json_path process_at = { .key = "process" }, linux_at = { .key = "linux" };
  enum field_state state;
  const char *label = NULL, *mount_label = NULL;
  if (field_string (json_get (root, "process"), &process_at, "selinuxLabel", FIELD_OPTIONAL, &state, &label, err) < 0
      || field_string (json_get (root, "linux"), &linux_at, "mountLabel", FIELD_OPTIONAL, NULL, &mount_label, err) < 0)
    return -1;

  const char *type;
  if (label && (type = unconfined_type (label)))
    {
      cleanup_free char *text = text_excerpt (label);
      verdict_add_finding (v, s->rule->id, s->action, "/process/selinuxLabel",
                           "process runs in the SELinux type %s, which SELinux does not confine "
                           "(process.selinuxLabel=%s); drop --privileged and --security-opt label=disable so the "
                           "engine's container type (container_t) applies",
                           type, text);
    }
  if (mount_label && (type = unconfined_type (mount_label)))
    {
      cleanup_free char *text = text_excerpt (mount_label);
      verdict_add_finding (v, s->rule->id, s->action, "/linux/mountLabel",
                           "container's mounts are labelled with the SELinux type %s, which SELinux does not "
                           "confine (linux.mountLabel=%s); drop --privileged and --security-opt label=disable so the "
                           "engine labels them for the container (container_file_t)",
                           type, text);
    }

  if (!o->require || (label && label[0] != '\0'))
    return 0;
  const char *shown = state == FIELD_PRESENT ? "empty" : state == FIELD_NULL ? "null" : "absent";
  const char *why = NULL;
  switch (host_selinux (ctx->host, &why))
    {
    case LSM_DISABLED:
      break;
    case LSM_ENABLED:
      verdict_add_finding (v, s->rule->id, s->action, "/process/selinuxLabel",
                           "process has no SELinux label (process.selinuxLabel is %s, and the host has SELinux "
                           "enabled); let the engine label the container (drop --security-opt label=disable) or "
                           "give it one (--security-opt label=type:container_t)",
                           shown);
      break;
    case LSM_UNKNOWN:
      verdict_add_finding (v, s->rule->id, s->action, "/process/selinuxLabel",
                           "cannot tell whether the host has SELinux enabled (process.selinuxLabel is %s, %s); give "
                           "the process a label (--security-opt label=type:container_t)",
                           shown, why);
      break;
    }
  return 0;
}

const struct rule rule_selinux = {
  .id = "selinux",
  .summary = "the process or its mounts have an unconfined SELinux type (spc_t, unconfined_t)",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"require\": false}",
  .parse_options = selinux_parse,
  .free_options = free,
  .evaluate = selinux_evaluate,
};
