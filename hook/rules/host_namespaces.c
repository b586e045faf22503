/* hostNamespaces.{pid,network,ipc,uts,cgroup}: the container does not share
 * the host's namespace of that type.  One rule per namespace type so a
 * policy can treat --pid=host and --uts=host differently.
 * OWASP Docker Top 10 D04; CIS Docker v1.6.0 5.10 (network), 5.16
 * (pid), 5.17 (ipc), 5.21 (uts);
 * Pod Security baseline (hostNetwork, hostPID, hostIPC).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>

#include "core/rule.h"
#include "rules/userns.h"

enum when
{
  WHEN_ALWAYS,
  WHEN_USERNS,
};

struct host_ns_options
{
  enum when when;
};

static int
host_ns_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "when", NULL };
  static const char *const whens[] = { "always", "userns", NULL };
  int when = WHEN_ALWAYS; /* the index in whens */
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_enum (opts, "when", where, whens, &when, err) < 0)
    return -1;
  struct host_ns_options o = { .when = (enum when)when };
  *out = xmemdup (&o, sizeof o);
  return 0;
}

/* The flag a person would drop, for the remedy: in the words of the
 * engine that wrote the config, else Docker's and Podman's. */
static const char *
host_flag (const struct rule_context *ctx, enum ns_type t)
{
  enum engine_kind e = rule_engine (ctx);
  switch (t)
    {
    case NS_PID:
      return rule_hint (e, HINT_HOST_NS_PID, "--pid host");
    case NS_NETWORK:
      return rule_hint (e, HINT_HOST_NS_NETWORK, "--network host");
    case NS_IPC:
      return rule_hint (e, HINT_HOST_NS_IPC, "--ipc host");
    case NS_UTS:
      return rule_hint (e, HINT_HOST_NS_UTS, "--uts host");
    case NS_CGROUP:
      return rule_hint (e, HINT_HOST_NS_CGROUP, "--cgroupns host");
    default:
      return "the host namespace";
    }
}

/* The namespace the container's process is really in: a path the runtime
 * resolved after ocigate judged it may have led to the host's. */
static int
live_evaluate_type (const struct rule_context *ctx, const struct rule_setting *s, enum ns_type t, const char *context,
                    struct verdict *v)
{
  const struct ns_entry *ns = &ctx->config->ns[t];
  const char *name = ns_type_name (t);
  cleanup_free char *path = live_ns_path (ctx->live, t);
  const char *why = NULL;
  cleanup_free char *pointer
      = ns->present ? xasprintf ("/linux/namespaces/%zu", ns->index) : xstrdup ("/linux/namespaces");
  switch (live_ns_identify (ctx->live, ctx->host, t, &why))
    {
    case NS_IDENTITY_HOST:
      if (!ns->present)
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "container shares the host's %s namespace (linux.namespaces has no \"%s\" entry%s); "
                             "drop %s so the runtime creates a new one",
                             name, name, context, host_flag (ctx, t));
      else
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "container's process (PID %d) is in the host's %s namespace (%s is the host's; "
                             "linux.namespaces[%zu]%s%s%s): the runtime found the host's where ocigate judged "
                             "another; drop %s, and give namespace paths that only root can change",
                             (int)ctx->live->pid, name, path, ns->index, ns->path ? ".path=" : " asks for a new one",
                             ns->path ? ns->path : "", context, host_flag (ctx, t));
      break;
    case NS_IDENTITY_UNKNOWN:
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "cannot tell whether the container's %s namespace is the host's (%s); let the runtime "
                           "create the namespace",
                           name, why);
      break;
    case NS_IDENTITY_OTHER:
      break;
    }
  return 0;
}

static int
host_ns_evaluate_type (const struct rule_context *ctx, const struct rule_setting *s, enum ns_type t, struct verdict *v)
{
  const struct host_ns_options *o = s->options;
  const struct oci_config *cfg = ctx->config;
  const struct ns_entry *ns = &cfg->ns[t];
  const char *name = ns_type_name (t);

  cleanup_userns_view struct userns_view view;
  userns_view_init (&view, ctx);
  bool has_userns = view.kind != USERNS_NONE && view.kind != USERNS_HOST;
  if (o->when == WHEN_USERNS && !has_userns)
    return 0;
  const char *context = has_userns ? ", with a user namespace" : "";

  if (ctx->live)
    return live_evaluate_type (ctx, s, t, context, v);
  if (!ns->present)
    {
      verdict_add_finding (v, s->rule->id, s->action, "/linux/namespaces",
                           "container shares the host's %s namespace (linux.namespaces has no \"%s\" entry%s); "
                           "drop %s so the runtime creates a new one",
                           name, name, context, host_flag (ctx, t));
      return 0;
    }
  if (ns->path == NULL)
    return 0;
  cleanup_free char *pointer = xasprintf ("/linux/namespaces/%zu/path", ns->index);
  cleanup_free char *why = NULL;
  switch (host_ns_identify (ctx->host, t, ns->path, &why))
    {
    case NS_IDENTITY_HOST:
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "container joins the host's %s namespace (linux.namespaces[%zu].path=%s%s); drop %s", name,
                           ns->index, ns->path, context, host_flag (ctx, t));
      break;
    case NS_IDENTITY_UNKNOWN:
      /* A namespace ocigate cannot see might be the host's: fail closed. */
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "cannot tell whether the %s namespace is the host's (linux.namespaces[%zu].path=%s: %s); "
                           "judge the config where that path exists, or let the runtime create the namespace",
                           name, ns->index, ns->path, why);
      break;
    case NS_IDENTITY_OTHER:
      break;
    }
  return 0;
}

#define HOST_NS_RULE(var, type, label)                                                                                 \
  static int var##_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,          \
                             ocigate_error_t *err UNUSED)                                                              \
  {                                                                                                                    \
    return host_ns_evaluate_type (ctx, s, type, v);                                                                    \
  }                                                                                                                    \
  const struct rule var = {                                                                                            \
    .id = "hostNamespaces." label,                                                                                     \
    .summary = "the container shares the host's " label " namespace",                                                  \
    .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),                       \
    .default_options = "{\"when\": \"always\"}",                                                                       \
    .parse_options = host_ns_parse,                                                                                    \
    .free_options = free,                                                                                              \
    .evaluate = var##_evaluate,                                                                                        \
  }

HOST_NS_RULE (rule_host_ns_pid, NS_PID, "pid");
HOST_NS_RULE (rule_host_ns_network, NS_NETWORK, "network");
HOST_NS_RULE (rule_host_ns_ipc, NS_IPC, "ipc");
HOST_NS_RULE (rule_host_ns_uts, NS_UTS, "uts");
HOST_NS_RULE (rule_host_ns_cgroup, NS_CGROUP, "cgroup");
