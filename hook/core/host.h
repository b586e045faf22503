/* ocigate: facts about the host a config is judged against.
 *
 * Read lazily: a decision that needs no account list never opens
 * /etc/passwd.  Paths are fields so tests can point them at files of their
 * own.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_HOST_H
#define OCIGATE_HOST_H

#include <sys/types.h>

#include "core/config.h"
#include "base/error.h"

struct host_account
{
  uint32_t id;
  char *name;
};

/* A line of /etc/subuid or /etc/subgid: its owner (a user name or a
 * decimal UID, as shadow's newuidmap reads it) may map the IDs from start
 * to last into user namespaces of its own. */
struct host_subid_range
{
  char *owner;
  uint32_t start, last;
};

/* Whether a Linux security module is enabled on the host. */
enum lsm_state
{
  LSM_DISABLED,
  LSM_ENABLED,
  LSM_UNKNOWN, /* the host's answer cannot be read: judged as neither */
};

/* The file this process runs, by device and inode, read once. */
struct host_self_exe
{
  bool probed;
  int error; /* errno of the failed stat(2); 0 when dev and ino are known */
  dev_t dev;
  ino_t ino;
};

/* A probe of the host, made once. */
struct host_lsm
{
  bool probed;
  enum lsm_state state;
  char *why; /* LSM_UNKNOWN: what failed */
};

struct host_info
{
  const char *passwd_path; /* default /etc/passwd */
  const char *group_path;  /* default /etc/group */
  const char *subuid_path; /* default /etc/subuid */
  const char *subgid_path; /* default /etc/subgid */
  const char *proc_path;   /* default /proc */
  /* default /sys/module/apparmor/parameters/enabled: reads "Y" when
   * AppArmor is enabled */
  const char *apparmor_path;
  /* default /sys/fs/selinux/enforce: exists when SELinux is enabled */
  const char *selinux_path;
  /* default /proc/self/exe: the file this process runs (a hook whose
   * program is that file is ocigate's own) */
  const char *self_exe_path;
  uid_t euid; /* the user ocigate runs as */
  gid_t egid;

  bool accounts_loaded;
  struct host_account *users;
  size_t n_users;
  struct host_account *groups;
  size_t n_groups;

  bool subids_loaded;
  struct host_subid_range *subuids;
  size_t n_subuids;
  struct host_subid_range *subgids;
  size_t n_subgids;

  struct host_lsm apparmor, selinux;
  struct host_self_exe self_exe;
};

enum ns_identity
{
  NS_IDENTITY_HOST,    /* the host's own namespace */
  NS_IDENTITY_OTHER,   /* another namespace */
  NS_IDENTITY_UNKNOWN, /* cannot be resolved: cannot be judged */
};

void host_info_init (struct host_info *host);
void host_info_release (struct host_info *host);
#define cleanup_host_info __attribute__ ((cleanup (host_info_release)))

/* The host's users (or groups), read on first use. */
int host_accounts (struct host_info *host, bool groups, const struct host_account **out, size_t *n,
                   ocigate_error_t *err);

/* The subordinate ranges of /etc/subuid (or /etc/subgid), read on first
 * use; none when the file does not exist. */
int host_subid_ranges (struct host_info *host, bool groups, const struct host_subid_range **out, size_t *n,
                       ocigate_error_t *err);

/* The name of the user with this UID in /etc/passwd, or NULL; after
 * host_accounts() has read it. */
const char *host_user_name (struct host_info *host, uint32_t uid);

/* Whether the namespace file at path is the host's namespace of type t
 * (compared by nsfs device and inode with /proc/self/ns and /proc/1/ns).
 * For NS_IDENTITY_UNKNOWN, *why says what failed (allocated). */
enum ns_identity host_ns_identify (struct host_info *host, enum ns_type t, const char *path, char **why);

/* Whether AppArmor (SELinux) is enabled on the host, read on first use.
 * A file that is not there says no; one that is there but cannot be read
 * is LSM_UNKNOWN, and *why (the host's, not to be freed) says what failed.
 * An answer of this process holds for the process: a module is not loaded
 * or unloaded while containers start. */
enum lsm_state host_apparmor (struct host_info *host, const char **why);
enum lsm_state host_selinux (struct host_info *host, const char **why);

/* The device and inode of the file this process runs (self_exe_path,
 * followed), read on first use; -1 with errno set when it cannot be
 * stat(2)ed.  The executable cannot change while the process runs. */
int host_self_exe (struct host_info *host, dev_t *dev, ino_t *ino);

/* The uid_map (or gid_map) of a user namespace given as /proc/PID/ns/user;
 * -1 with *why set when it cannot be read. */
int host_userns_mappings (struct host_info *host, const char *path, bool gid, struct id_mapping **out, size_t *n,
                          char **why);

#endif
