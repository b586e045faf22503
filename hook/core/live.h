/* ocigate: what the kernel really gave a container's process.
 *
 * A config describes namespaces, mappings and mounts by paths that the
 * runtime resolves apart from ocigate, later: a path another user can
 * change may lead elsewhere by then.  Once the runtime has created the
 * namespaces and made the mounts, and before the container's own process
 * starts (the prestart and createRuntime hooks, with the container's init
 * PID in the OCI state), the rules judge the real objects instead: the
 * namespaces in /proc/PID/ns, the uid_map and gid_map, and every mount by
 * the device and inode it shows.  `ocigate audit` judges running
 * containers' processes with the same code.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_LIVE_H
#define OCIGATE_LIVE_H

#include <sys/stat.h>
#include <sys/types.h>

#include "core/host.h"

/* A mount of the process's mount namespace, as /proc/PID/mountinfo lists
 * it, with what its mount point shows through /proc/PID/root. */
struct live_mount
{
  char *mount_point; /* in the process's root, unescaped */
  char *root;        /* what of its file system is mounted there */
  char *fstype;
  char *source;
  bool covered;   /* a later mount sits on the same mount point */
  int stat_error; /* 0: dev and ino are known; else the errno of the lookup */
  dev_t dev;      /* what the mount point shows (the top mount) */
  ino_t ino;
  mode_t mode;
};

struct live_process
{
  pid_t pid;
  const char *proc_path; /* the host's /proc (host_info.proc_path) */
  /* live_ns_identify()'s answers, by namespace type */
  bool ns_probed[NS__COUNT];
  enum ns_identity ns_identity[NS__COUNT];
  char *ns_why[NS__COUNT];
  bool mounts_loaded;
  struct live_mount *mounts;
  size_t n_mounts;
};

void live_process_init (struct live_process *lp, const struct host_info *host, pid_t pid);
void live_process_release (struct live_process *lp);
#define cleanup_live_process __attribute__ ((cleanup (live_process_release)))

/* -1 with an error saying so when the process is not there. */
int live_process_check (const struct live_process *lp, ocigate_error_t *err);

/* "/proc/PID/ns/net" (allocated). */
char *live_ns_path (const struct live_process *lp, enum ns_type t);

/* Whether the process's namespace of type t is the host's
 * (host_ns_identify() of live_ns_path()), asked once per type: several
 * rules ask.  *why (the process's, not to be freed) says what failed. */
enum ns_identity live_ns_identify (struct live_process *lp, struct host_info *host, enum ns_type t, const char **why);

/* The mounts of the process's mount namespace whose mount point is `under`
 * or below it (a canonical host path), in mount order, read on the first
 * call (for the `under` of that call):
 * mountinfo once, and each mount point looked up through /proc/PID/root
 * without following a symbolic link. */
int live_mounts (struct live_process *lp, const char *under, const struct live_mount **out, size_t *n,
                 ocigate_error_t *err);

/* What path (a canonical path in the process's root) shows in the
 * process's mount namespace, without following a symbolic link: 0, or
 * the errno of the lookup. */
int live_stat (const struct live_process *lp, const char *path, struct stat *st);

/* The UID that owns the user namespace at path (NS_GET_OWNER_UID), as the
 * host sees it; -1 with *why set (allocated) when it cannot be read. */
int live_userns_owner (const char *path, uid_t *owner, char **why);

#endif
