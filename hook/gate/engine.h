/* ocigate: the pipeline.  config + policy -> findings -> decision -> fix.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_ENGINE_H
#define OCIGATE_ENGINE_H

#include "gate/policy.h"

/* Run every rule the policy turns on; findings go into v. */
int ocigate_evaluate (const struct policy *p, const struct rule_context *ctx, struct verdict *v, ocigate_error_t *err);

/* Judge an update of a running container's resources (`runc update`):
 * every rule the policy turns on that judges updates; findings go into v.
 * update is the LinuxResources object, never NULL. */
int ocigate_evaluate_update (const struct policy *p, const struct rule_context *ctx, json_object *update,
                             struct verdict *v, ocigate_error_t *err);

/* Apply the fixes of a "rewrite" verdict to the config tree, then judge
 * the result again: a fix that leaves a fix or deny finding behind is a
 * bug, and is refused rather than trusted. */
int ocigate_apply_fixes (const struct policy *p, struct rule_context *ctx, const struct verdict *v,
                         ocigate_error_t *err);

#endif
