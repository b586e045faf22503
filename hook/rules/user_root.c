/* user.root: the process must not run as host UID 0.
 * OWASP Docker Top 10 D01; CIS Docker v1.6.0 4.1; Pod Security restricted (runAsNonRoot).
 * With the option "requireNonRoot" (runAsNonRoot proper), container UID 0
 * is refused too, even when a user namespace maps it to an unprivileged
 * host UID.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>

#include "core/rule.h"
#include "rules/userns.h"

struct user_root_options
{
  bool require_non_root; /* Pod Security restricted: runAsNonRoot */
};

static int
user_root_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "requireNonRoot", NULL };
  struct user_root_options o = { 0 };
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_bool (opts, "requireNonRoot", where, &o.require_non_root, err) < 0)
    return -1;
  *out = xmemdup (&o, sizeof o);
  return 0;
}

/* 4294967295 is (uid_t) -1, which setresuid(2) and setresgid(2) read as
 * "leave it": crun then runs the process with its own ID, 0 (runc refuses
 * it).  Judge it as the 0 it becomes. */
#define ID_UNCHANGED UINT32_MAX

static uint32_t
id_as_run (uint32_t id)
{
  return id == ID_UNCHANGED ? 0 : id;
}

static const char *
id_note (uint32_t id)
{
  return id == ID_UNCHANGED ? ", which is (uid_t) -1: setresuid leaves the runtime's UID 0" : "";
}

static void
check_uid (const struct rule_context *ctx, const struct rule_setting *s, const struct userns_view *view,
           struct verdict *v)
{
  uint32_t given = ctx->config->uid, uid = id_as_run (given);
  uint32_t host = 1;
  if (view->kind == USERNS_UNKNOWN)
    {
      verdict_add_finding (v, s->rule->id, s->action, "/linux/namespaces",
                           "cannot tell which host UID the process runs as (process.user.uid=%u, %s); use a user "
                           "namespace ocigate can read, or a new one with linux.uidMappings",
                           uid, view->why);
      return;
    }
  if (view->kind == USERNS_NEW && view->n_uid_maps == 0)
    {
      /* Without mappings the runtime cannot place the process anywhere
       * but where it started; treat it as root, fail closed. */
      if (uid == 0)
        verdict_add_finding (v, s->rule->id, s->action, "/linux/uidMappings",
                             "process runs as UID 0 in a user namespace with no linux.uidMappings "
                             "(process.user.uid=%u%s); map container root to an unprivileged host range",
                             given, id_note (given));
      return;
    }
  if (!userns_view_host_id (view, false, uid, &host) || host != 0)
    return;
  cleanup_free char *how = userns_view_describe (view, false, uid);
  enum engine_kind engine = rule_engine (ctx);
  if (userns_view_isolates (view))
    verdict_add_finding (v, s->rule->id, s->action, "/process/user/uid",
                         "process runs as host UID 0 (process.user.uid=%u%s, %s); map container root to an "
                         "unprivileged host range",
                         given, id_note (given), how);
  else
    verdict_add_finding (v, s->rule->id, s->action, "/process/user/uid",
                         "process runs as host UID 0 (process.user.uid=%u%s, %s); %s", given, id_note (given), how,
                         rule_hint (engine,
                                    engine == ENGINE_DOCKER && engine_docker_remaps (ctx->config)
                                        ? HINT_HOST_ROOT_USERNS_HOST
                                        : HINT_HOST_ROOT,
                                    "run as a non-root user (--user UID) or add a user namespace"));
}

/* Host GID 0 opens files of the root group; reported, never denied. */
static void
check_gids (const struct rule_context *ctx, const struct rule_setting *s, const struct userns_view *view,
            struct verdict *v)
{
  const struct oci_config *cfg = ctx->config;
  uint32_t host = 1;
  if (view->kind == USERNS_UNKNOWN || (view->kind == USERNS_NEW && view->n_gid_maps == 0))
    return;
  if (userns_view_host_id (view, true, id_as_run (cfg->gid), &host) && host == 0)
    {
      cleanup_free char *how = userns_view_describe (view, true, id_as_run (cfg->gid));
      verdict_add_finding (v, s->rule->id, ACTION_WARN, "/process/user/gid",
                           "process runs with host GID 0 (process.user.gid=%u%s, %s); %s", cfg->gid,
                           cfg->gid == ID_UNCHANGED ? ", which is (gid_t) -1: setresgid leaves the "
                                                      "runtime's GID 0"
                                                    : "",
                           how,
                           rule_hint (rule_engine (ctx), HINT_HOST_GROUP, "give it a non-root group (--user UID:GID)"));
    }
  for (size_t i = 0; i < cfg->n_additional_gids; i++)
    {
      if (!userns_view_host_id (view, true, cfg->additional_gids[i], &host) || host != 0)
        continue;
      cleanup_free char *how = userns_view_describe (view, true, cfg->additional_gids[i]);
      cleanup_free char *pointer = xasprintf ("/process/user/additionalGids/%zu", i);
      verdict_add_finding (v, s->rule->id, ACTION_WARN, pointer,
                           "process is in host group 0 (process.user.additionalGids[%zu]=%u, %s); leave group 0 "
                           "out of the supplementary groups",
                           i, cfg->additional_gids[i], how);
      break; /* one is enough to say it */
    }
}

static int
user_root_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                    ocigate_error_t *err UNUSED)
{
  cleanup_userns_view struct userns_view view;
  userns_view_init (&view, ctx);
  check_uid (ctx, s, &view, v);
  /* With requireNonRoot, container UID 0 is refused wherever it lands on
   * the host: a finding of its own, next to any check_uid made. */
  const struct user_root_options *o = s->options;
  if (o && o->require_non_root && id_as_run (ctx->config->uid) == 0)
    verdict_add_finding (v, s->rule->id, s->action, "/process/user/uid",
                         "process runs as UID 0 in the container (process.user.uid=%u%s; the policy requires a "
                         "non-root user even with a user namespace); run as a non-root user (--user UID)",
                         ctx->config->uid, id_note (ctx->config->uid));
  check_gids (ctx, s, &view, v);
  return 0;
}

const struct rule rule_user_root = {
  .id = "user.root",
  .summary = "the process runs as host UID 0 (no user namespace, or one mapping container root to host root)",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"requireNonRoot\": false}",
  .parse_options = user_root_parse,
  .free_options = free,
  .evaluate = user_root_evaluate,
};
