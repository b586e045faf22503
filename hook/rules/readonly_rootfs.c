/* readonlyRootfs: root.readonly is true, so the container cannot change
 * its own image (dropped binaries, edited configuration).
 * OWASP Docker Top 10 D09; CIS Docker v1.6.0 5.13.
 *
 * An absent or null root.readonly reads as false.  "fix" sets it to true
 * in the existing "root" object.  A config with no "root" at all is a
 * finding that "fix" cannot mend: ocigate will not make up a root path (an
 * empty one would make runc use the bundle directory itself as the
 * rootfs), and runc refuses such a config anyway ("root must be
 * specified").  Under "fix" that finding is therefore a deny.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>

#include "core/field.h"
#include "core/rule.h"

enum rootfs_state
{
  ROOTFS_NO_ROOT,
  ROOTFS_ABSENT, /* root.readonly absent */
  ROOTFS_NULL,
  ROOTFS_FALSE,
  ROOTFS_TRUE,
};

static int
rootfs_read (const struct oci_config *cfg, json_object **root_out, enum rootfs_state *out, ocigate_error_t *err)
{
  static const struct json_path root_at = { .key = "root" };
  enum field_state state;
  bool readonly;
  if (field_object (cfg->root, NULL, "root", FIELD_OPTIONAL, NULL, root_out, err) < 0)
    return -1;
  if (*root_out == NULL) /* absent or null */
    {
      *out = ROOTFS_NO_ROOT;
      return 0;
    }
  if (field_bool (*root_out, &root_at, "readonly", FIELD_OPTIONAL, &state, &readonly, err) < 0)
    return -1;
  switch (state)
    {
    case FIELD_ABSENT:
      *out = ROOTFS_ABSENT;
      break;
    case FIELD_NULL:
      *out = ROOTFS_NULL;
      break;
    case FIELD_PRESENT:
      *out = readonly ? ROOTFS_TRUE : ROOTFS_FALSE;
      break;
    }
  return 0;
}

static int
rootfs_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  json_object *root;
  enum rootfs_state state;
  if (rootfs_read (ctx->config, &root, &state, err) < 0)
    return -1;
  switch (state)
    {
    case ROOTFS_TRUE:
      return 0;
    case ROOTFS_NO_ROOT:
      verdict_add_finding (v, s->rule->id, s->action == ACTION_FIX ? ACTION_DENY : s->action, "/root",
                           "container has no root filesystem entry (root is absent, and ocigate will not make up "
                           "a root path); give the config a root with root.path and root.readonly=true");
      return 0;
    case ROOTFS_ABSENT:
    case ROOTFS_NULL:
    case ROOTFS_FALSE:
      verdict_add_finding (v, s->rule->id, s->action, "/root/readonly",
                           "root filesystem is writable (root.readonly%s); mount it read-only (--read-only) and give "
                           "the paths that must be written a tmpfs or a volume",
                           state == ROOTFS_FALSE  ? "=false"
                           : state == ROOTFS_NULL ? " is null, so false"
                                                  : " is absent, so false");
      return 0;
    }
  return 0;
}

static int
rootfs_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  struct oci_config *cfg = ctx->config;
  json_object *root;
  enum rootfs_state state;
  if (rootfs_read (cfg, &root, &state, err) < 0)
    return -1;
  if (root == NULL)
    return 0; /* nothing to fix: that finding is a deny */
  json_object_object_add (root, "readonly", json_object_new_boolean (1));
  fix_notes_add (ctx->notes, s->rule->id, "root.readonly set true");
  return oci_config_refresh (cfg, err);
}

const struct rule rule_readonly_rootfs = {
  .id = "readonlyRootfs",
  .summary = "the container's root filesystem is writable (root.readonly is not true)",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .evaluate = rootfs_evaluate,
  .apply = rootfs_apply,
};
