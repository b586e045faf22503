/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rules/userns.h"

#include <stdlib.h>

static bool
same_mappings (const struct id_mapping *a, size_t n_a, const struct id_mapping *b, size_t n_b)
{
  if (n_a != n_b)
    return false;
  for (size_t i = 0; i < n_a; i++)
    if (a[i].container_id != b[i].container_id || a[i].host_id != b[i].host_id || a[i].size != b[i].size)
      return false;
  return true;
}

/* The mappings of the namespace file at path: USERNS_JOINED, or
 * USERNS_UNKNOWN when they cannot be read. */
static void
read_joined (struct userns_view *view, const struct rule_context *ctx, char *path)
{
  view->ns_path = path;
  view->owns_maps = true;
  if (host_userns_mappings (ctx->host, path, false, &view->uid_maps, &view->n_uid_maps, &view->why) < 0
      || host_userns_mappings (ctx->host, path, true, &view->gid_maps, &view->n_gid_maps, &view->why) < 0)
    {
      view->kind = USERNS_UNKNOWN;
      return;
    }
  view->kind = USERNS_JOINED;
}

/* A new namespace with the config's own mappings. */
static void
view_new (struct userns_view *view, const struct oci_config *cfg)
{
  *view = (struct userns_view){
    .kind = USERNS_NEW,
    .uid_maps = cfg->uid_mappings,
    .n_uid_maps = cfg->n_uid_mappings,
    .gid_maps = cfg->gid_mappings,
    .n_gid_maps = cfg->n_gid_mappings,
  };
}

/* The namespace at path (taken), which is `identity`: host_kind when it
 * is the host's, else USERNS_JOINED with its own mappings, or
 * USERNS_UNKNOWN. */
static void
view_of_identity (struct userns_view *view, const struct rule_context *ctx, char *path, enum ns_identity identity,
                  enum userns_kind host_kind)
{
  cleanup_free char *owned = path;
  switch (identity)
    {
    case NS_IDENTITY_HOST:
      view->kind = host_kind;
      return;
    case NS_IDENTITY_UNKNOWN:
      view->kind = USERNS_UNKNOWN;
      return;
    case NS_IDENTITY_OTHER:
      break;
    }
  read_joined (view, ctx, steal_pointer (&owned));
}

/* What the container's process is really in.  A new namespace that the
 * runtime made from the config's own mappings is judged as the config
 * says, in the config's words; anything else by what /proc shows. */
static void
view_live (struct userns_view *view, const struct rule_context *ctx)
{
  const struct oci_config *cfg = ctx->config;
  const struct ns_entry *ns = &cfg->ns[NS_USER];
  const char *why = NULL;
  enum ns_identity identity = live_ns_identify (ctx->live, ctx->host, NS_USER, &why);
  if (why)
    view->why = xstrdup (why);
  view_of_identity (view, ctx, live_ns_path (ctx->live, NS_USER), identity, ns->present ? USERNS_HOST : USERNS_NONE);
  if (view->kind != USERNS_JOINED)
    return;
  view->live = true;
  if (ns->present && ns->path == NULL
      && same_mappings (view->uid_maps, view->n_uid_maps, cfg->uid_mappings, cfg->n_uid_mappings)
      && same_mappings (view->gid_maps, view->n_gid_maps, cfg->gid_mappings, cfg->n_gid_mappings))
    {
      userns_view_release (view);
      view_new (view, cfg);
    }
}

void
userns_view_init (struct userns_view *view, const struct rule_context *ctx)
{
  const struct oci_config *cfg = ctx->config;
  const struct ns_entry *ns = &cfg->ns[NS_USER];
  *view = (struct userns_view){ 0 };
  if (ctx->live)
    view_live (view, ctx);
  else if (!ns->present)
    view->kind = USERNS_NONE;
  else if (ns->path == NULL)
    view_new (view, cfg);
  else
    view_of_identity (view, ctx, xstrdup (ns->path), host_ns_identify (ctx->host, NS_USER, ns->path, &view->why),
                      USERNS_HOST);
}

void
userns_view_release (struct userns_view *view)
{
  if (view->owns_maps)
    {
      free (view->uid_maps);
      free (view->gid_maps);
    }
  free (view->ns_path);
  free (view->why);
  *view = (struct userns_view){ 0 };
}

bool
userns_view_host_id (const struct userns_view *view, bool gid, uint32_t id, uint32_t *host)
{
  switch (view->kind)
    {
    case USERNS_NONE:
    case USERNS_HOST:
      *host = id;
      return true;
    case USERNS_NEW:
    case USERNS_JOINED:
      return gid ? id_mapping_to_host (view->gid_maps, view->n_gid_maps, id, host)
                 : id_mapping_to_host (view->uid_maps, view->n_uid_maps, id, host);
    case USERNS_UNKNOWN:
      break;
    }
  return false;
}

char *
userns_view_describe (const struct userns_view *view, bool gid, uint32_t id)
{
  const char *key = gid ? "gidMappings" : "uidMappings";
  switch (view->kind)
    {
    case USERNS_NONE:
      return xstrdup ("no user namespace");
    case USERNS_HOST:
      return xstrdup ("the user namespace entry joins the host's own user namespace");
    case USERNS_NEW:
      if ((gid ? view->n_gid_maps : view->n_uid_maps) == 0)
        return xasprintf ("a user namespace with no linux.%s", key);
      return xasprintf ("linux.%s map container %u to host 0", key, id);
    case USERNS_JOINED:
      return view->live ? xasprintf ("the user namespace the container's process is really in (%s) maps container %u "
                                     "to host 0",
                                     view->ns_path, id)
                        : xasprintf ("the joined user namespace maps container %u to host 0", id);
    case USERNS_UNKNOWN:
      return xstrdup (view->why ? view->why : "the user namespace cannot be resolved");
    }
  return xstrdup ("");
}

char *
userns_view_name (const struct userns_view *view, const struct rule_context *ctx)
{
  if (view->live)
    return xasprintf ("the user namespace the container's process (PID %d) is really in", (int)ctx->live->pid);
  const struct ns_entry *ns = &ctx->config->ns[NS_USER];
  return xasprintf ("the user namespace joined by linux.namespaces[%zu].path=%s", ns->index, ns->path ? ns->path : "");
}
