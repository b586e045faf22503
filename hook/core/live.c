/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/live.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fsutil.h"

/* More mounts than this in one mount namespace is not a container's. */
#define LIVE_MAX_MOUNTS 65536

void
live_process_init (struct live_process *lp, const struct host_info *host, pid_t pid)
{
  *lp = (struct live_process){ .pid = pid, .proc_path = host->proc_path ? host->proc_path : "/proc" };
}

void
live_process_release (struct live_process *lp)
{
  for (size_t i = 0; i < lp->n_mounts; i++)
    {
      free (lp->mounts[i].mount_point);
      free (lp->mounts[i].root);
      free (lp->mounts[i].fstype);
      free (lp->mounts[i].source);
    }
  free (lp->mounts);
  for (size_t t = 0; t < NS__COUNT; t++)
    free (lp->ns_why[t]);
  *lp = (struct live_process){ 0 };
}

int
live_process_check (const struct live_process *lp, ocigate_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/%d", lp->proc_path, (int)lp->pid);
  struct stat st;
  if (stat (dir, &st) < 0)
    return ocigate_error_make_errno (
        err, errno, "the container's process (PID %d, from the OCI state) cannot be judged: %s", (int)lp->pid, dir);
  return 0;
}

char *
live_ns_path (const struct live_process *lp, enum ns_type t)
{
  return xasprintf ("%s/%d/ns/%s", lp->proc_path, (int)lp->pid, ns_proc_name (t));
}

enum ns_identity
live_ns_identify (struct live_process *lp, struct host_info *host, enum ns_type t, const char **why)
{
  if (!lp->ns_probed[t])
    {
      cleanup_free char *path = live_ns_path (lp, t);
      lp->ns_identity[t] = host_ns_identify (host, t, path, &lp->ns_why[t]);
      lp->ns_probed[t] = true;
    }
  *why = lp->ns_why[t];
  return lp->ns_identity[t];
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *
unescape_octal (const char *s)
{
  char *out = xstrdup (s);
  char *w = out;
  for (const char *r = s; *r; r++)
    {
      if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7')
        {
          *w++ = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
          r += 3;
          continue;
        }
      *w++ = *r;
    }
  *w = '\0';
  return out;
}

static bool
at_or_under (const char *path, const char *prefix)
{
  size_t n = strlen (prefix);
  if (n == 1 && prefix[0] == '/')
    return path[0] == '/';
  return strncmp (path, prefix, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* One line of mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3
 * /dev/root rw,errors=continue".  false when it is not in that shape. */
static bool
parse_mountinfo_line (char *line, struct live_mount *m)
{
  char *save = NULL;
  char *f[6] = { 0 };
  for (size_t i = 0; i < ARRAY_SIZE (f); i++)
    if ((f[i] = strtok_r (i == 0 ? line : NULL, " ", &save)) == NULL)
      return false;
  /* Optional fields up to the separator. */
  char *t;
  while ((t = strtok_r (NULL, " ", &save)) != NULL && strcmp (t, "-") != 0)
    ;
  char *fstype = t ? strtok_r (NULL, " ", &save) : NULL;
  char *source = fstype ? strtok_r (NULL, " ", &save) : NULL;
  if (fstype == NULL || source == NULL)
    return false;
  *m = (struct live_mount){
    .root = unescape_octal (f[3]),
    .mount_point = unescape_octal (f[4]),
    .fstype = unescape_octal (fstype),
    .source = unescape_octal (source),
  };
  return true;
}

/* openat2(2) where the kernel (or valgrind) lacks it: one component at a
 * time, none of them a symbolic link.  A mount point from mountinfo has
 * no "." or ".." in it. */
static int
lookup_by_components (int root_fd, const char *path, struct stat *st)
{
  cleanup_close int dir = fcntl (root_fd, F_DUPFD_CLOEXEC, 0);
  if (dir < 0)
    return errno;
  cleanup_free char *copy = xstrdup (path);
  char *save = NULL;
  for (char *name = strtok_r (copy, "/", &save); name; name = strtok_r (NULL, "/", &save))
    {
      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        return EXDEV;
      int fd = openat (dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0)
        return errno;
      close (dir);
      dir = fd;
      if (fstat (dir, st) < 0)
        return errno;
      if (S_ISLNK (st->st_mode))
        return ELOOP;
    }
  return fstat (dir, st) < 0 ? errno : 0;
}

/* What path shows in the process's mount namespace, never following a
 * symbolic link on the way (a mountinfo mount point has none). */
static int
lookup_in_root (int root_fd, const char *path, struct stat *st)
{
  while (*path == '/')
    path++;
  if (*path == '\0')
    return fstat (root_fd, st) < 0 ? errno : 0;
  struct open_how how = {
    .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
    .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  int fd = (int)syscall (SYS_openat2, root_fd, path, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS)
    return lookup_by_components (root_fd, path, st);
  if (fd < 0)
    return errno;
  int r = fstat (fd, st) < 0 ? errno : 0;
  close (fd);
  return r;
}

int
live_mounts (struct live_process *lp, const char *under, const struct live_mount **out, size_t *n, ocigate_error_t *err)
{
  if (!lp->mounts_loaded)
    {
      cleanup_free char *info_path = xasprintf ("%s/%d/mountinfo", lp->proc_path, (int)lp->pid);
      cleanup_free char *root_path = xasprintf ("%s/%d/root", lp->proc_path, (int)lp->pid);
      cleanup_file FILE *f = fopen (info_path, "re");
      if (f == NULL)
        return ocigate_error_make_errno (err, errno, "read the container's mounts: open %s", info_path);
      cleanup_close int root_fd = open (root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (root_fd < 0)
        return ocigate_error_make_errno (err, errno, "read the container's mounts: open %s", root_path);
      cleanup_free char *line = NULL;
      size_t cap = 0;
      size_t lines = 0;
      while (getline (&line, &cap, f) > 0)
        {
          if (++lines > LIVE_MAX_MOUNTS)
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: more than %d mounts", info_path,
                                       LIVE_MAX_MOUNTS);
          line[strcspn (line, "\n")] = '\0';
          struct live_mount m;
          if (!parse_mountinfo_line (line, &m))
            return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: line %zu cannot be read", info_path, lines);
          if (!at_or_under (m.mount_point, under))
            {
              free (m.mount_point);
              free (m.root);
              free (m.fstype);
              free (m.source);
              continue;
            }
          for (size_t i = 0; i < lp->n_mounts; i++)
            if (strcmp (lp->mounts[i].mount_point, m.mount_point) == 0)
              lp->mounts[i].covered = true;
          lp->mounts = xreallocarray (lp->mounts, lp->n_mounts + 1, sizeof *lp->mounts);
          lp->mounts[lp->n_mounts++] = m;
        }
      if (ferror (f))
        return ocigate_error_make_errno (err, errno, "read the container's mounts: read %s", info_path);
      for (size_t i = 0; i < lp->n_mounts; i++)
        {
          struct live_mount *m = &lp->mounts[i];
          if (m->covered)
            continue;
          struct stat st;
          m->stat_error = lookup_in_root (root_fd, m->mount_point, &st);
          if (m->stat_error == 0)
            {
              m->dev = st.st_dev;
              m->ino = st.st_ino;
              m->mode = st.st_mode;
            }
        }
      lp->mounts_loaded = true;
    }
  *out = lp->mounts;
  *n = lp->n_mounts;
  return 0;
}

int
live_stat (const struct live_process *lp, const char *path, struct stat *st)
{
  cleanup_free char *root_path = xasprintf ("%s/%d/root", lp->proc_path, (int)lp->pid);
  cleanup_close int root_fd = open (root_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return errno;
  return lookup_in_root (root_fd, path, st);
}

int
live_userns_owner (const char *path, uid_t *owner, char **why)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      *why = xasprintf ("cannot open %s: %s", path, strerror (errno));
      return -1;
    }
  uid_t uid = 0;
  if (ioctl (fd, NS_GET_OWNER_UID, &uid) < 0)
    {
      *why = xasprintf ("cannot read who owns the user namespace at %s: %s", path, strerror (errno));
      return -1;
    }
  *owner = uid;
  return 0;
}

void
live_creds_release (struct live_creds *c)
{
  free (c->groups);
  *c = (struct live_creds){ 0 };
}

/* "N N N N" (Uid, Gid): four decimal IDs. */
static bool
parse_ids4 (const char *s, uint32_t ids[4])
{
  for (int i = 0; i < 4; i++)
    {
      char *end = NULL;
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s < '0' || *s > '9')
        return false;
      errno = 0;
      unsigned long long v = strtoull (s, &end, 10);
      if (errno != 0 || v > UINT32_MAX)
        return false;
      ids[i] = (uint32_t)v;
      s = end;
    }
  while (*s == ' ' || *s == '\t')
    s++;
  return *s == '\0';
}

static bool
parse_groups (const char *s, struct live_creds *out)
{
  while (true)
    {
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s == '\0')
        return true;
      if (*s < '0' || *s > '9' || out->n_groups >= LIVE_MAX_GROUPS)
        return false;
      char *end = NULL;
      errno = 0;
      unsigned long long v = strtoull (s, &end, 10);
      if (errno != 0 || v > UINT32_MAX)
        return false;
      out->groups = xreallocarray (out->groups, out->n_groups + 1, sizeof *out->groups);
      out->groups[out->n_groups++] = (uint32_t)v;
      s = end;
    }
}

/* A capability set: 16 hexadecimal digits. */
static bool
parse_capmask (const char *s, capmask_t *out)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strspn (s, "0123456789abcdefABCDEF");
  if (n == 0 || n > 16 || s[n] != '\0')
    return false;
  *out = (capmask_t)strtoull (s, NULL, 16);
  return true;
}

static bool
parse_small (const char *s, int max, int *out)
{
  while (*s == ' ' || *s == '\t')
    s++;
  if (s[0] < '0' || s[0] - '0' > max || s[1] != '\0')
    return false;
  *out = s[0] - '0';
  return true;
}

int
live_status_parse (const char *text, size_t len, const char *name, struct live_creds *out, ocigate_error_t *err)
{
  *out = (struct live_creds){ .no_new_privs = -1, .seccomp = LIVE_SECCOMP_UNKNOWN };
  static const struct
  {
    const char *key;
    int cap; /* -1: not a capability set */
  } caps[] = {
    { "CapInh", CAPSET_INHERITABLE }, { "CapPrm", CAPSET_PERMITTED }, { "CapEff", CAPSET_EFFECTIVE },
    { "CapBnd", CAPSET_BOUNDING },    { "CapAmb", CAPSET_AMBIENT },
  };
  enum
  {
    SEEN_UID = 1 << 0,
    SEEN_GID = 1 << 1,
    SEEN_GROUPS = 1 << 2,
    SEEN_CAPS = 1 << 3, /* and the four after it */
  };
  unsigned seen = 0, want = SEEN_UID | SEEN_GID | SEEN_GROUPS;
  for (size_t i = 0; i < ARRAY_SIZE (caps); i++)
    want |= SEEN_CAPS << i;
  size_t line_no = 0;
  for (size_t at = 0; at < len;)
    {
      const char *nl = memchr (text + at, '\n', len - at);
      size_t end = nl ? (size_t)(nl - text) : len;
      line_no++;
      char line[512];
      size_t n = end - at;
      at = end + 1;
      if (n >= sizeof line)
        continue; /* a long line is none of those read here */
      memcpy (line, text + (at - n - 1), n);
      line[n] = '\0';
      char *colon = strchr (line, ':');
      if (colon == NULL)
        continue;
      *colon = '\0';
      const char *key = line, *value = colon + 1;
      bool ok = true;
      unsigned bit = 0;
      if (strcmp (key, "Uid") == 0)
        ok = parse_ids4 (value, out->uid), bit = SEEN_UID;
      else if (strcmp (key, "Gid") == 0)
        ok = parse_ids4 (value, out->gid), bit = SEEN_GID;
      else if (strcmp (key, "Groups") == 0)
        ok = (seen & SEEN_GROUPS) == 0 && parse_groups (value, out), bit = SEEN_GROUPS;
      else if (strcmp (key, "NoNewPrivs") == 0)
        ok = parse_small (value, 1, &out->no_new_privs);
      else if (strcmp (key, "Seccomp") == 0)
        {
          int mode = 0;
          ok = parse_small (value, 2, &mode);
          out->seccomp = (enum live_seccomp)mode;
        }
      else
        for (size_t i = 0; i < ARRAY_SIZE (caps); i++)
          if (strcmp (key, caps[i].key) == 0)
            {
              ok = parse_capmask (value, &out->caps[caps[i].cap]);
              bit = SEEN_CAPS << i;
            }
      if (!ok)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: line %zu: \"%s\" cannot be read", name, line_no,
                                   key);
      seen |= bit;
    }
  if ((seen & want) != want)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: no Uid, Gid, Groups or capability sets", name);
  return 0;
}

/* A /proc file of the process, at most max bytes of it. */
static int
read_proc_file (const struct live_process *lp, const char *file, size_t max, char **out, size_t *len,
                ocigate_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%d/%s", lp->proc_path, (int)lp->pid, file);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return ocigate_error_make_errno (err, errno, "open %s", path);
  cleanup_free char *buf = xmalloc (max + 1);
  size_t got = 0;
  while (got < max)
    {
      ssize_t r = read (fd, buf + got, max - got);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ocigate_error_make_errno (err, errno, "read %s", path);
      if (r == 0)
        break;
      got += (size_t)r;
    }
  buf[got] = '\0';
  *len = got;
  *out = steal_pointer (&buf);
  return 0;
}

/* /proc/PID/status is about 1.5 KiB; a Groups line of 65536 groups is
 * at most 720 KiB. */
#define LIVE_MAX_STATUS_BYTES ((size_t)1 << 20)

int
live_process_creds (const struct live_process *lp, struct live_creds *out, ocigate_error_t *err)
{
  *out = (struct live_creds){ 0 };
  cleanup_free char *text = NULL;
  size_t len = 0;
  if (read_proc_file (lp, "status", LIVE_MAX_STATUS_BYTES, &text, &len, err) < 0)
    return -1;
  cleanup_free char *name = xasprintf ("%s/%d/status", lp->proc_path, (int)lp->pid);
  return live_status_parse (text, len, name, out, err);
}

char *
live_process_cmdline (const struct live_process *lp)
{
  cleanup_error ocigate_error_t err = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;
  if (read_proc_file (lp, "cmdline", PRINTABLE_LINE_MAX, &text, &len, &err) < 0)
    return xstrdup ("");
  while (len > 0 && text[len - 1] == '\0')
    len--;
  cleanup_strbuf struct strbuf sb = { 0 };
  for (size_t i = 0; i < len; i++)
    {
      unsigned char c = (unsigned char)text[i];
      if (c == '\0')
        strbuf_append (&sb, " ");
      else if (c == '\\')
        strbuf_append (&sb, "\\\\");
      else
        strbuf_append_mem (&sb, &text[i], 1);
    }
  strbuf_append (&sb, "");
  return printable_line (strbuf_steal (&sb));
}

int
live_process_start_time (const struct live_process *lp, uint64_t *start)
{
  cleanup_error ocigate_error_t err = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;
  if (read_proc_file (lp, "stat", 4096, &text, &len, &err) < 0)
    return -1;
  /* The command name (field 2) may hold spaces and parentheses: the
   * fields after it start after its last ')'. */
  char *p = strrchr (text, ')');
  if (p == NULL)
    return -1;
  p++;
  /* Field 3 (state) is the first after it; the start time is field 22. */
  for (int field = 3; field < 22; field++)
    {
      p = strchr (p + 1, ' ');
      if (p == NULL)
        return -1;
    }
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull (p + 1, &end, 10);
  if (errno != 0 || end == p + 1)
    return -1;
  *start = v;
  return 0;
}

int
live_ns_inode (const struct live_process *lp, enum ns_type t, ino_t *ino)
{
  cleanup_free char *path = live_ns_path (lp, t);
  struct stat st;
  if (stat (path, &st) < 0)
    return errno;
  *ino = st.st_ino;
  return 0;
}
