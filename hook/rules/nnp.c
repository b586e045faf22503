/* noNewPrivileges: process.noNewPrivileges is true, so setuid binaries and
 * file capabilities cannot raise the process's privileges after exec.
 * CIS Docker 5.25; Pod Security restricted (allowPrivilegeEscalation=false).
 *
 * An absent key (Docker's and Podman's default) or null reads as false, as
 * the runtimes read it.  "fix" sets it to true and touches nothing else.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>

#include "core/rule.h"

#define NNP_POINTER "/process/noNewPrivileges"

/* The value: 1 true, 0 false, -1 absent, -2 null. */
static int
nnp_read (const struct oci_config *cfg, int *out, ocigate_error_t *err)
{
  json_object *process = json_get (cfg->root, "process");
  json_object *v = json_get (process, "noNewPrivileges");
  if (v == NULL) /* json-c's null is NULL too */
    {
      *out = json_object_object_get_ex (process, "noNewPrivileges", NULL) ? -2 : -1;
      return 0;
    }
  if (!json_object_is_type (v, json_type_boolean))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "process.noNewPrivileges: must be a boolean, not %s",
                               json_type_to_name (json_object_get_type (v)));
  *out = json_object_get_boolean (v) ? 1 : 0;
  return 0;
}

static int
nnp_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  int value = -1;
  if (nnp_read (ctx->config, &value, err) < 0)
    return -1;
  if (value == 1)
    return 0;
  verdict_add_finding (v, s->rule->id, s->action, NNP_POINTER,
                       "process may gain privileges through setuid binaries and file capabilities "
                       "(process.noNewPrivileges%s); set it to true (--security-opt no-new-privileges)",
                       value == 0    ? "=false"
                       : value == -1 ? " is absent, so false"
                                     : " is null, so false");
  return 0;
}

static int
nnp_apply (struct rule_context *ctx, const struct rule_setting *s UNUSED, ocigate_error_t *err)
{
  struct oci_config *cfg = ctx->config;
  int value = -1;
  if (nnp_read (cfg, &value, err) < 0)
    return -1;
  /* config.c guarantees process is an object. */
  json_object_object_add (json_get (cfg->root, "process"), "noNewPrivileges", json_object_new_boolean (1));
  return oci_config_refresh (cfg, err);
}

const struct rule rule_nnp = {
  .id = "noNewPrivileges",
  .summary = "the process may gain privileges on exec (process.noNewPrivileges is not true)",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .evaluate = nnp_evaluate,
  .apply = nnp_apply,
};
