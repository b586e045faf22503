/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

void
host_info_init (struct host_info *host)
{
  memset (host, 0, sizeof *host);
  host->passwd_path = "/etc/passwd";
  host->group_path = "/etc/group";
  host->subuid_path = "/etc/subuid";
  host->subgid_path = "/etc/subgid";
  host->proc_path = "/proc";
  host->apparmor_path = "/sys/module/apparmor/parameters/enabled";
  host->selinux_path = "/sys/fs/selinux/enforce";
  host->self_exe_path = "/proc/self/exe";
  host->euid = geteuid ();
  host->egid = getegid ();
}

static void
accounts_free (struct host_account *a, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (a[i].name);
  free (a);
}

static void
subids_free (struct host_subid_range *r, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (r[i].owner);
  free (r);
}

/* What read_accounts() and read_subids() read, owned until the host_info
 * takes it (list_take): a file that fails halfway leaves nothing. */
struct account_list
{
  struct host_account *a;
  size_t n;
};

static void
account_list_release (struct account_list *l)
{
  accounts_free (l->a, l->n);
  l->a = NULL;
  l->n = 0;
}
#define cleanup_account_list __attribute__ ((cleanup (account_list_release)))

static struct host_account *
account_list_take (struct account_list *l, size_t *n)
{
  *n = l->n;
  l->n = 0;
  return steal_pointer (&l->a);
}

struct subid_list
{
  struct host_subid_range *r;
  size_t n;
};

static void
subid_list_release (struct subid_list *l)
{
  subids_free (l->r, l->n);
  l->r = NULL;
  l->n = 0;
}
#define cleanup_subid_list __attribute__ ((cleanup (subid_list_release)))

static struct host_subid_range *
subid_list_take (struct subid_list *l, size_t *n)
{
  *n = l->n;
  l->n = 0;
  return steal_pointer (&l->r);
}

void
host_info_release (struct host_info *host)
{
  accounts_free (host->users, host->n_users);
  accounts_free (host->groups, host->n_groups);
  host->users = host->groups = NULL;
  host->n_users = host->n_groups = 0;
  host->accounts_loaded = false;
  subids_free (host->subuids, host->n_subuids);
  subids_free (host->subgids, host->n_subgids);
  host->subuids = host->subgids = NULL;
  host->n_subuids = host->n_subgids = 0;
  host->subids_loaded = false;
  free (host->apparmor.why);
  free (host->selinux.why);
  host->apparmor = host->selinux = (struct host_lsm){ 0 };
  host->self_exe = (struct host_self_exe){ 0 };
}

/* name:x:ID:... — the third field is the ID for both files. */
static int
read_accounts (const char *path, struct account_list *out, ocigate_error_t *err)
{
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL)
    return ocigate_error_make_errno (err, errno, "open %s", path);
  cleanup_free char *line = NULL;
  size_t cap = 0;
  while (getline (&line, &cap, f) >= 0)
    {
      /* name:password:ID:... ; a line without two colons is not an account. */
      char *name = line;
      char *c1 = strchr (line, ':');
      char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
      if (c2 == NULL || c1 == line || name[0] == '#' || name[0] == '+' || name[0] == '-')
        continue;
      *c1 = '\0';
      char *idstr = c2 + 1;
      char *end = NULL;
      errno = 0;
      unsigned long id = strtoul (idstr, &end, 10);
      if (errno || end == idstr || *end != ':' || id > UINT32_MAX)
        continue;
      out->a = xreallocarray (out->a, out->n + 1, sizeof *out->a);
      out->a[out->n++] = (struct host_account){ (uint32_t)id, xstrdup (name) };
    }
  return 0;
}

static int
host_load_accounts (struct host_info *host, ocigate_error_t *err)
{
  if (host->accounts_loaded)
    return 0;
  cleanup_account_list struct account_list users = { 0 };
  cleanup_account_list struct account_list groups = { 0 };
  if (read_accounts (host->passwd_path, &users, err) < 0 || read_accounts (host->group_path, &groups, err) < 0)
    return -1;
  host->users = account_list_take (&users, &host->n_users);
  host->groups = account_list_take (&groups, &host->n_groups);
  host->accounts_loaded = true;
  return 0;
}

int
host_accounts (struct host_info *host, bool groups, const struct host_account **out, size_t *n, ocigate_error_t *err)
{
  if (host_load_accounts (host, err) < 0)
    return -1;
  *out = groups ? host->groups : host->users;
  *n = groups ? host->n_groups : host->n_users;
  return 0;
}

const char *
host_user_name (struct host_info *host, uint32_t uid)
{
  for (size_t i = 0; i < host->n_users; i++)
    if (host->users[i].id == uid)
      return host->users[i].name;
  return NULL;
}

/* A number of a subordinate ID line as shadow (4.13) reads it:
 * strtoul(3) with base 0 (so 0x... is hexadecimal and 0... octal, and a
 * leading space or sign is taken), the whole field, no ERANGE. */
static bool
subid_number (const char *s, unsigned long *out)
{
  char *end = NULL;
  errno = 0;
  unsigned long v = strtoul (s, &end, 0);
  if (*s == '\0' || *end != '\0' || errno == ERANGE)
    return false;
  *out = v;
  return true;
}

/* owner:start:count, and whatever follows a third ':' ignored, as shadow
 * reads a line.  A line shadow would not read grants nothing, and neither
 * does a range that ends past the last unsigned long (shadow's end
 * wraps), so both are skipped; a range is cut at the last 32-bit ID. */
static bool
subid_line (char *line, struct host_subid_range *out)
{
  /* shadow's buffer for a line; a longer one is not read. */
  if (strlen (line) >= 1024 || line[0] == '#')
    return false;
  char *c1 = strchr (line, ':');
  char *c2 = c1 ? strchr (c1 + 1, ':') : NULL;
  if (c2 == NULL || c1 == line)
    return false;
  char *c3 = strchr (c2 + 1, ':');
  *c1 = *c2 = '\0';
  if (c3)
    *c3 = '\0';
  unsigned long start, count;
  if (!subid_number (c1 + 1, &start) || !subid_number (c2 + 1, &count) || count == 0 || start > UINT32_MAX
      || count - 1 > ULONG_MAX - start)
    return false;
  unsigned long last = start + (count - 1);
  *out = (struct host_subid_range){ xstrdup (line), (uint32_t)start, last > UINT32_MAX ? UINT32_MAX : (uint32_t)last };
  return true;
}

/* A line shadow's newuidmap would not read is skipped as newuidmap skips
 * it. */
static int
read_subids (const char *path, struct subid_list *out, ocigate_error_t *err)
{
  cleanup_file FILE *f = fopen (path, "re");
  if (f == NULL && errno == ENOENT)
    return 0; /* no subordinate IDs on this host */
  if (f == NULL)
    return ocigate_error_make_errno (err, errno, "open %s", path);
  cleanup_free char *line = NULL;
  size_t cap = 0;
  int read_errno = 0;
  for (;;)
    {
      errno = 0;
      ssize_t len = getline (&line, &cap, f);
      if (len < 0)
        {
          read_errno = errno; /* 0 at the end of the file */
          break;
        }
      if (len > 0 && line[len - 1] == '\n')
        line[len - 1] = '\0';
      struct host_subid_range range;
      if (!subid_line (line, &range))
        continue;
      out->r = xreallocarray (out->r, out->n + 1, sizeof *out->r);
      out->r[out->n++] = range;
    }
  if (ferror (f))
    return ocigate_error_make_errno (err, read_errno ? read_errno : EIO, "read %s", path);
  return 0;
}

int
host_subid_ranges (struct host_info *host, bool groups, const struct host_subid_range **out, size_t *n,
                   ocigate_error_t *err)
{
  if (!host->subids_loaded)
    {
      cleanup_subid_list struct subid_list uids = { 0 };
      cleanup_subid_list struct subid_list gids = { 0 };
      if (read_subids (host->subuid_path, &uids, err) < 0 || read_subids (host->subgid_path, &gids, err) < 0)
        return -1;
      host->subuids = subid_list_take (&uids, &host->n_subuids);
      host->subgids = subid_list_take (&gids, &host->n_subgids);
      host->subids_loaded = true;
    }
  *out = groups ? host->subgids : host->subuids;
  *n = groups ? host->n_subgids : host->n_subuids;
  return 0;
}

enum ns_identity
host_ns_identify (struct host_info *host, enum ns_type t, const char *path, char **why)
{
  struct stat target, ref;
  struct statfs fs;
  if (stat (path, &target) < 0)
    {
      *why = xasprintf ("cannot stat %s: %s", path, strerror (errno));
      return NS_IDENTITY_UNKNOWN;
    }
  if (statfs (path, &fs) < 0 || fs.f_type != NSFS_MAGIC)
    {
      *why = xasprintf ("%s is not a namespace file", path);
      return NS_IDENTITY_UNKNOWN;
    }
  /* The engine that started ocigate runs in the host's namespaces, and so
   * does pid 1 where /proc/1 is readable (on some hosts it is not). */
  static const char *const pids[] = { "self", "1" };
  bool compared = false;
  for (size_t i = 0; i < ARRAY_SIZE (pids); i++)
    {
      cleanup_free char *ref_path = xasprintf ("%s/%s/ns/%s", host->proc_path, pids[i], ns_proc_name (t));
      if (stat (ref_path, &ref) < 0)
        continue;
      compared = true;
      if (ref.st_dev == target.st_dev && ref.st_ino == target.st_ino)
        return NS_IDENTITY_HOST;
    }
  if (!compared)
    {
      *why = xasprintf ("cannot read the host's %s namespace from %s", ns_type_name (t), host->proc_path);
      return NS_IDENTITY_UNKNOWN;
    }
  return NS_IDENTITY_OTHER;
}

/* AppArmor's module parameter reads "Y" when it is enabled. */
static enum lsm_state
probe_apparmor (const char *path, char **why)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      if (errno == ENOENT || errno == ENOTDIR)
        return LSM_DISABLED; /* the module is not there */
      *why = xasprintf ("open %s: %s", path, strerror (errno));
      return LSM_UNKNOWN;
    }
  char buf[8] = { 0 };
  ssize_t n;
  do
    n = read (fd, buf, sizeof buf - 1);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      *why = xasprintf ("read %s: %s", path, strerror (errno));
      return LSM_UNKNOWN;
    }
  return buf[0] == 'Y' ? LSM_ENABLED : LSM_DISABLED;
}

/* selinuxfs is mounted, with its enforce file, when SELinux is enabled. */
static enum lsm_state
probe_selinux (const char *path, char **why)
{
  struct stat st;
  if (stat (path, &st) == 0)
    return LSM_ENABLED;
  if (errno == ENOENT || errno == ENOTDIR)
    return LSM_DISABLED;
  *why = xasprintf ("stat %s: %s", path, strerror (errno));
  return LSM_UNKNOWN;
}

static enum lsm_state
host_lsm (struct host_lsm *lsm, const char *path, enum lsm_state (*probe) (const char *, char **), const char **why)
{
  if (!lsm->probed)
    {
      lsm->state = probe (path, &lsm->why);
      lsm->probed = true;
    }
  *why = lsm->why;
  return lsm->state;
}

enum lsm_state
host_apparmor (struct host_info *host, const char **why)
{
  return host_lsm (&host->apparmor, host->apparmor_path, probe_apparmor, why);
}

enum lsm_state
host_selinux (struct host_info *host, const char **why)
{
  return host_lsm (&host->selinux, host->selinux_path, probe_selinux, why);
}

int
host_self_exe (struct host_info *host, dev_t *dev, ino_t *ino)
{
  struct host_self_exe *s = &host->self_exe;
  if (!s->probed)
    {
      struct stat st;
      /* The file the link names, where it names one: under valgrind the
       * link is the tool's own binary, while readlink(2) of it names the
       * program run (cli_self_exe(), which adds ocigate's hooks). */
      char target[PATH_MAX];
      ssize_t n = readlink (host->self_exe_path, target, sizeof target - 1);
      if (n > 0)
        target[n] = '\0';
      if ((n <= 0 || stat (target, &st) < 0) && stat (host->self_exe_path, &st) < 0)
        s->error = errno ? errno : EIO;
      else
        {
          s->dev = st.st_dev;
          s->ino = st.st_ino;
        }
      s->probed = true;
    }
  if (s->error)
    {
      errno = s->error;
      return -1;
    }
  *dev = s->dev;
  *ino = s->ino;
  return 0;
}

int
host_userns_mappings (struct host_info *host, const char *path, bool gid, struct id_mapping **out, size_t *n,
                      char **why)
{
  cleanup_free char *prefix = xasprintf ("%s/", host->proc_path);
  const char *p = strncmp (path, prefix, strlen (prefix)) == 0 ? path + strlen (prefix) : NULL;
  char *end = NULL;
  errno = 0;
  unsigned long pid = p ? strtoul (p, &end, 10) : 0;
  if (p == NULL || end == p || errno != 0 || strcmp (end, "/ns/user") != 0)
    {
      *why = xasprintf ("the mappings of the user namespace at %s cannot be read (only /proc/PID/ns/user can)", path);
      return -1;
    }
  cleanup_free char *map_path = xasprintf ("%s/%lu/%s", host->proc_path, pid, gid ? "gid_map" : "uid_map");
  cleanup_file FILE *f = fopen (map_path, "re");
  if (f == NULL)
    {
      *why = xasprintf ("cannot read %s: %s", map_path, strerror (errno));
      return -1;
    }
  struct id_mapping *maps = NULL;
  size_t count = 0;
  unsigned long c, h, s;
  /* The kernel writes these: three 32-bit numbers a line, so none overflows. */
  while (count < OCIGATE_MAX_MAPPINGS && fscanf (f, "%lu %lu %lu", &c, &h, &s) == 3) // NOLINT(cert-err34-c)
    {
      maps = xreallocarray (maps, count + 1, sizeof *maps);
      maps[count++] = (struct id_mapping){ (uint32_t)c, (uint32_t)h, (uint32_t)s };
    }
  *out = maps;
  *n = count;
  return 0;
}
