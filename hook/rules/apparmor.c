/* apparmor: the process is not explicitly unconfined by AppArmor.
 * CIS Docker 5.1.
 *
 * process.apparmorProfile "unconfined" (in any case) is a finding.  With
 * the option "require", a config without a profile (absent, null or "") is
 * a finding too, but only on a host with AppArmor enabled: elsewhere the
 * engines write no profile at all, and none could be applied.  The host is
 * asked (/sys/module/apparmor/parameters/enabled reads "Y") only when that
 * answer decides something; a file that exists but cannot be read fails
 * closed.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/field.h"
#include "core/rule.h"

#define APPARMOR_SYSFS "/sys/module/apparmor/parameters/enabled"
#define APPARMOR_POINTER "/process/apparmorProfile"

static const struct json_path process_at = { .key = "process" };

static const char *apparmor_sysfs_path = APPARMOR_SYSFS;

/* For tests: where to read whether AppArmor is enabled; NULL restores the
 * default. */
void rule_apparmor_set_sysfs_path (const char *path);
void
rule_apparmor_set_sysfs_path (const char *path)
{
  apparmor_sysfs_path = path ? path : APPARMOR_SYSFS;
}

struct apparmor_options
{
  bool require;
};

static int
apparmor_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "require", NULL };
  struct apparmor_options o = { 0 };
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_bool (opts, "require", where, &o.require, err) < 0)
    return -1;
  *out = xmemdup (&o, sizeof o);
  return 0;
}

enum host_lsm
{
  HOST_LSM_OFF,
  HOST_LSM_ON,
  HOST_LSM_UNKNOWN,
};

static enum host_lsm
host_apparmor (char **why)
{
  cleanup_close int fd = open (apparmor_sysfs_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return HOST_LSM_OFF; /* the module is not there */
      *why = xasprintf ("open %s: %s", apparmor_sysfs_path, strerror (errno));
      return HOST_LSM_UNKNOWN;
    }
  char buf[8] = { 0 };
  ssize_t n;
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      *why = xasprintf ("read %s: %s", apparmor_sysfs_path, strerror (errno));
      return HOST_LSM_UNKNOWN;
    }
  return buf[0] == 'Y' ? HOST_LSM_ON : HOST_LSM_OFF;
}

static int
apparmor_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                   ocigate_error_t *err)
{
  const struct apparmor_options *o = s->options;
  enum field_state state;
  const char *name = NULL;
  if (field_string (json_get (ctx->config->root, "process"), &process_at, "apparmorProfile", FIELD_OPTIONAL, &state,
                    &name, err)
      < 0)
    return -1;
  const char *shown = state == FIELD_PRESENT ? "empty" : state == FIELD_NULL ? "null" : "absent";
  bool absent = name == NULL;
  if (name)
    {
      if (strcasecmp (name, "unconfined") == 0)
        {
          /* Only the letters of "unconfined": safe to show as they are. */
          verdict_add_finding (v, s->rule->id, s->action, APPARMOR_POINTER,
                               "process runs without AppArmor confinement (process.apparmorProfile=%s); drop "
                               "--security-opt apparmor=unconfined so the engine's default profile applies, or "
                               "name a profile",
                               name);
          return 0;
        }
      absent = name[0] == '\0'; /* runc and crun apply no profile for "" */
    }
  if (!absent || !o->require)
    return 0;
  cleanup_free char *why = NULL;
  switch (host_apparmor (&why))
    {
    case HOST_LSM_OFF:
      break;
    case HOST_LSM_ON:
      verdict_add_finding (v, s->rule->id, s->action, APPARMOR_POINTER,
                           "process has no AppArmor profile (process.apparmorProfile is %s, and the host has "
                           "AppArmor enabled); run it under a profile (the engine's default, or --security-opt "
                           "apparmor=PROFILE)",
                           shown);
      break;
    case HOST_LSM_UNKNOWN:
      verdict_add_finding (v, s->rule->id, s->action, APPARMOR_POINTER,
                           "cannot tell whether the host has AppArmor enabled (process.apparmorProfile is %s, %s); "
                           "run the process under a profile (--security-opt apparmor=PROFILE)",
                           shown, why);
      break;
    }
  return 0;
}

const struct rule rule_apparmor = {
  .id = "apparmor",
  .summary = "the process is unconfined by AppArmor (or, with \"require\", has no profile on an AppArmor host)",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"require\": false}",
  .parse_options = apparmor_parse,
  .free_options = free,
  .evaluate = apparmor_evaluate,
};
