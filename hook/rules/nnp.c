/* noNewPrivileges: process.noNewPrivileges is true, so setuid binaries and
 * file capabilities cannot raise the process's privileges after exec.
 * CIS Docker v1.6.0 5.26; Pod Security restricted (allowPrivilegeEscalation=false).
 *
 * An absent key (Docker's and Podman's default) or null reads as false, as
 * the runtimes read it.  "fix" sets it to true and touches nothing else.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>

#include "core/field.h"
#include "core/rule.h"

#define NNP_POINTER "/process/noNewPrivileges"

static const struct json_path process_at = { .key = "process" };

static int
nnp_read (const struct oci_config *cfg, enum field_state *state, bool *value, ocigate_error_t *err)
{
  return field_bool (json_get (cfg->root, "process"), &process_at, "noNewPrivileges", FIELD_OPTIONAL, state, value,
                     err);
}

static int
nnp_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  enum field_state state;
  bool value;
  if (nnp_read (ctx->config, &state, &value, err) < 0)
    return -1;
  if (value)
    return 0;
  verdict_add_finding (v, s->rule->id, s->action, NNP_POINTER,
                       "process may gain privileges through setuid binaries and file capabilities "
                       "(process.noNewPrivileges%s); set it to true (--security-opt no-new-privileges)",
                       state == FIELD_PRESENT ? "=false"
                       : state == FIELD_NULL  ? " is null, so false"
                                              : " is absent, so false");
  return 0;
}

static int
nnp_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  struct oci_config *cfg = ctx->config;
  enum field_state state;
  bool value;
  if (nnp_read (cfg, &state, &value, err) < 0)
    return -1;
  /* config.c guarantees process is an object. */
  json_object_object_add (json_get (cfg->root, "process"), "noNewPrivileges", json_object_new_boolean (1));
  fix_notes_add (ctx->notes, s->rule->id, "set true");
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
