/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "rules/userns.h"

#include <stdlib.h>

void
userns_view_init (struct userns_view *view, const struct rule_context *ctx)
{
  const struct oci_config *cfg = ctx->config;
  *view = (struct userns_view){ 0 };
  const struct ns_entry *ns = &cfg->ns[NS_USER];
  if (!ns->present)
    {
      view->kind = USERNS_NONE;
      return;
    }
  if (ns->path == NULL)
    {
      view->kind = USERNS_NEW;
      view->uid_maps = cfg->uid_mappings;
      view->n_uid_maps = cfg->n_uid_mappings;
      view->gid_maps = cfg->gid_mappings;
      view->n_gid_maps = cfg->n_gid_mappings;
      return;
    }
  switch (host_ns_identify (ctx->host, NS_USER, ns->path, &view->why))
    {
    case NS_IDENTITY_HOST:
      view->kind = USERNS_HOST;
      return;
    case NS_IDENTITY_UNKNOWN:
      view->kind = USERNS_UNKNOWN;
      return;
    case NS_IDENTITY_OTHER:
      break;
    }
  view->owns_maps = true;
  if (host_userns_mappings (ctx->host, ns->path, false, &view->uid_maps, &view->n_uid_maps, &view->why) < 0
      || host_userns_mappings (ctx->host, ns->path, true, &view->gid_maps, &view->n_gid_maps, &view->why) < 0)
    {
      view->kind = USERNS_UNKNOWN;
      return;
    }
  view->kind = USERNS_JOINED;
}

void
userns_view_release (struct userns_view *view)
{
  if (view->owns_maps)
    {
      free (view->uid_maps);
      free (view->gid_maps);
    }
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
      return xasprintf ("the joined user namespace maps container %u to host 0", id);
    case USERNS_UNKNOWN:
      return xstrdup (view->why ? view->why : "the user namespace cannot be resolved");
    }
  return xstrdup ("");
}
