/* ocigate: where the container's IDs land on the host.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_USERNS_H
#define OCIGATE_USERNS_H

#include "core/rule.h"

enum userns_kind
{
  USERNS_NONE,    /* no user namespace: container IDs are host IDs */
  USERNS_HOST,    /* joins the host's own user namespace */
  USERNS_NEW,     /* a new namespace with the config's mappings */
  USERNS_JOINED,  /* joins another namespace (or, live, is in one the config
                     did not describe); mappings read from /proc */
  USERNS_UNKNOWN, /* joins a namespace ocigate cannot resolve */
};

struct userns_view
{
  enum userns_kind kind;
  char *why;                              /* USERNS_UNKNOWN: what failed */
  struct id_mapping *uid_maps, *gid_maps; /* not owned for USERNS_NEW */
  size_t n_uid_maps, n_gid_maps;
  bool owns_maps;
  /* USERNS_JOINED: the namespace file the mappings and the owner were read
   * from (the config's path, or /proc/PID/ns/user of the live process),
   * and whether it is the live process's. */
  char *ns_path;
  bool live;
};

void userns_view_init (struct userns_view *view, const struct rule_context *ctx);
void userns_view_release (struct userns_view *view);
#define cleanup_userns_view __attribute__ ((cleanup (userns_view_release)))

/* A user namespace that separates container IDs from host IDs. */
static inline bool
userns_view_isolates (const struct userns_view *view)
{
  return view->kind == USERNS_NEW || view->kind == USERNS_JOINED;
}

/* The host ID of a container ID; false when unmapped (or unknowable). */
bool userns_view_host_id (const struct userns_view *view, bool gid, uint32_t id, uint32_t *host);
/* "no user namespace", "linux.uidMappings map container 0 to host 0", ... */
char *userns_view_describe (const struct userns_view *view, bool gid, uint32_t id);

/* For USERNS_JOINED: "the user namespace joined by
 * linux.namespaces[2].path=/proc/42/ns/user" or "the user namespace the
 * container's process (PID 42) is really in".  Allocated. */
char *userns_view_name (const struct userns_view *view, const struct rule_context *ctx);

#endif
