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

#include "base/caps.h"
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
  /* The process runs in its root file system already (a running
   * container, for `ocigate audit`): its mount points are the container's
   * own paths and its root is "/", not the bundle's rootfs as at the
   * prestart and createRuntime hooks. */
  bool in_root;
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

/* The credentials and restrictions of a process, as /proc/PID/status
 * gives them to the host: IDs as the host sees them (the status is read
 * from the host's PID namespace), capability sets as the process's own
 * user namespace holds them. */
enum live_seccomp
{
  LIVE_SECCOMP_UNKNOWN = -1, /* the kernel does not say */
  LIVE_SECCOMP_OFF = 0,
  LIVE_SECCOMP_STRICT = 1,
  LIVE_SECCOMP_FILTER = 2,
};

/* Supplementary groups beyond this are not read (the kernel's NGROUPS_MAX). */
#define LIVE_MAX_GROUPS 65536

struct live_creds
{
  uint32_t uid[4]; /* real, effective, saved, file system */
  uint32_t gid[4];
  uint32_t *groups;
  size_t n_groups;
  capmask_t caps[CAPSET__COUNT]; /* by enum cap_set */
  int no_new_privs;              /* 0 or 1; -1: the kernel does not say */
  enum live_seccomp seccomp;
};

void live_creds_release (struct live_creds *c);
#define cleanup_live_creds __attribute__ ((cleanup (live_creds_release)))

/* Parse the text of a /proc/PID/status (name in messages): Uid, Gid,
 * Groups, the five Cap lines are required, NoNewPrivs and Seccomp are read
 * when the kernel has them.  out is initialised here and released by the
 * caller. */
int live_status_parse (const char *text, size_t len, const char *name, struct live_creds *out, ocigate_error_t *err);

/* live_status_parse() of the process's /proc/PID/status. */
int live_process_creds (const struct live_process *lp, struct live_creds *out, ocigate_error_t *err);

/* The process's command line, its arguments separated by spaces, each
 * control character and backslash escaped, at most PRINTABLE_LINE_MAX
 * bytes: "" for a process without one (a kernel thread, a zombie). */
char *live_process_cmdline (const struct live_process *lp);

/* The start time of the process (/proc/PID/stat field 22, clock ticks after
 * boot), which tells a PID the kernel gave another process apart; -1 when
 * it cannot be read. */
int live_process_start_time (const struct live_process *lp, uint64_t *start);

/* The inode of the process's namespace of type t (stat of its
 * /proc/PID/ns/NAME): 0, or the errno of the stat. */
int live_ns_inode (const struct live_process *lp, enum ns_type t, ino_t *ino);

#endif
