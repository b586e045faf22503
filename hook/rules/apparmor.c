/* apparmor: the process is not explicitly unconfined by AppArmor.
 * CIS Docker v1.6.0 5.2.
 *
 * process.apparmorProfile "unconfined" (in any case) is a finding.  With
 * the option "require", a config without a profile (absent, null or "") is
 * a finding too, but only on a host with AppArmor enabled: elsewhere the
 * engines write no profile at all, and none could be applied.  The host is
 * asked (host_apparmor(): /sys/module/apparmor/parameters/enabled reads
 * "Y") only when that answer decides something; a file that exists but
 * cannot be read fails closed.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/field.h"
#include "core/rule.h"

#define APPARMOR_POINTER "/process/apparmorProfile"

static const struct json_path process_at = { .key = "process" };

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
  const char *why = NULL;
  switch (host_apparmor (ctx->host, &why))
    {
    case LSM_DISABLED:
      break;
    case LSM_ENABLED:
      verdict_add_finding (v, s->rule->id, s->action, APPARMOR_POINTER,
                           "process has no AppArmor profile (process.apparmorProfile is %s, and the host has "
                           "AppArmor enabled); run it under a profile (the engine's default, or --security-opt "
                           "apparmor=PROFILE)",
                           shown);
      break;
    case LSM_UNKNOWN:
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
