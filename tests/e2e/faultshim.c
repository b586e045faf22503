/* tests/e2e/faultshim.c - an LD_PRELOAD shim that makes file system calls
 * fail, for the crash-safety tests of the wrapper's rewrite (faults.bats).
 *
 *   gcc -shared -fPIC -o faultshim.so faultshim.c
 *   FAULTSHIM_DIR=/bundle FAULTSHIM_WRITE_AFTER=100 LD_PRELOAD=./faultshim.so ocigate-runc ...
 *
 * Faults touch only files directly in FAULTSHIM_DIR (and that directory
 * itself for fsync), so the program's standard error, logs and policy are
 * left alone.  Settings (environment):
 *
 *   FAULTSHIM_DIR=PATH          where faults apply (required; else the shim is inert)
 *   FAULTSHIM_WRITE_AFTER=N     writes succeed for N bytes in all, then fail with ENOSPC
 *                               (a write straddling N is short, ending at N)
 *   FAULTSHIM_WRITE_MAX=N       every write writes at most N bytes (short writes, no error)
 *   FAULTSHIM_FSYNC=file|dir    fsync/fdatasync of a regular file in DIR, or of DIR, fails with EIO
 *   FAULTSHIM_RENAME=1          rename* with its target in DIR fails with EIO
 *   FAULTSHIM_LINK=1            linkat with its target in DIR fails with EIO (naming an
 *                               O_TMPFILE file)
 *   FAULTSHIM_NO_TMPFILE=1      open* of DIR with O_TMPFILE fails with EOPNOTSUPP, as on a
 *                               filesystem without O_TMPFILE
 *   FAULTSHIM_LOG=PATH          one line per fault injected ("write N", "fsync", "rename"),
 *                               so a test can tell the shim really took part
 *
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static char fault_dir[PATH_MAX];
static int inited, active;
static long long write_after = -1, write_max = -1, written;
static int fsync_file, fsync_dir, rename_fail, link_fail, no_tmpfile;
static const char *log_path;

static void
shim_init (void)
{
  if (inited)
    return;
  inited = 1;
  const char *d = getenv ("FAULTSHIM_DIR");
  if (d == NULL || *d == '\0' || realpath (d, fault_dir) == NULL)
    return;
  active = 1;
  const char *s;
  if ((s = getenv ("FAULTSHIM_WRITE_AFTER")) && *s)
    write_after = atoll (s);
  if ((s = getenv ("FAULTSHIM_WRITE_MAX")) && *s)
    write_max = atoll (s);
  if ((s = getenv ("FAULTSHIM_FSYNC")) && *s)
    {
      fsync_file = strcmp (s, "file") == 0;
      fsync_dir = strcmp (s, "dir") == 0;
    }
  if ((s = getenv ("FAULTSHIM_RENAME")) && *s)
    rename_fail = strcmp (s, "1") == 0;
  if ((s = getenv ("FAULTSHIM_LINK")) && *s)
    link_fail = strcmp (s, "1") == 0;
  if ((s = getenv ("FAULTSHIM_NO_TMPFILE")) && *s)
    no_tmpfile = strcmp (s, "1") == 0;
  log_path = getenv ("FAULTSHIM_LOG");
}

/* Append a line to the log with raw system calls (no recursion into us). */
static void
shim_log (const char *fmt, long long v)
{
  if (log_path == NULL || *log_path == '\0')
    return;
  char line[128];
  int n = snprintf (line, sizeof line, fmt, v);
  if (n <= 0)
    return;
  int fd = (int)syscall (SYS_openat, AT_FDCWD, log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  if (syscall (SYS_write, fd, line, (size_t)n) < 0)
    {
      /* nothing to do */
    }
  syscall (SYS_close, fd);
}

/* Whether PATH is FAULT_DIR itself (want_dir) or directly inside it. */
static int
path_in_dir (const char *path, int want_dir)
{
  if (want_dir)
    return strcmp (path, fault_dir) == 0;
  size_t n = strlen (fault_dir);
  return strncmp (path, fault_dir, n) == 0 && path[n] == '/' && strchr (path + n + 1, '/') == NULL;
}

/* Whether fd is a regular file in FAULT_DIR (want_dir = 0) or the directory. */
static int
fd_targeted (int fd, int want_dir)
{
  if (!active)
    return 0;
  struct stat st;
  if (fstat (fd, &st) < 0)
    return 0;
  if (want_dir ? !S_ISDIR (st.st_mode) : !S_ISREG (st.st_mode))
    return 0;
  char link[64], path[PATH_MAX];
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink (link, path, sizeof path - 1);
  if (n <= 0)
    return 0;
  path[n] = '\0';
  return path_in_dir (path, want_dir);
}

/* How many of len bytes a write to a targeted fd may write; -1: fail now. */
static ssize_t
write_budget (size_t len)
{
  size_t allow = len;
  if (write_max >= 0 && allow > (size_t)write_max)
    allow = (size_t)(write_max ? write_max : 1);
  if (write_after >= 0)
    {
      if (written >= write_after)
        return -1;
      if ((long long)allow > write_after - written)
        allow = (size_t)(write_after - written);
    }
  return (ssize_t)allow;
}

ssize_t
write (int fd, const void *buf, size_t len)
{
  shim_init ();
  if (len > 0 && fd_targeted (fd, 0))
    {
      ssize_t allow = write_budget (len);
      if (allow < 0)
        {
          shim_log ("write ENOSPC after %lld bytes\n", written);
          errno = ENOSPC;
          return -1;
        }
      if ((size_t)allow < len)
        shim_log ("write short %lld\n", (long long)allow);
      ssize_t r = syscall (SYS_write, fd, buf, (size_t)allow);
      if (r > 0)
        written += r;
      return r;
    }
  return syscall (SYS_write, fd, buf, len);
}

ssize_t
pwrite (int fd, const void *buf, size_t len, off_t off)
{
  shim_init ();
  if (len > 0 && fd_targeted (fd, 0))
    {
      ssize_t allow = write_budget (len);
      if (allow < 0)
        {
          shim_log ("pwrite ENOSPC after %lld bytes\n", written);
          errno = ENOSPC;
          return -1;
        }
      ssize_t r = syscall (SYS_pwrite64, fd, buf, (size_t)allow, off);
      if (r > 0)
        written += r;
      return r;
    }
  return syscall (SYS_pwrite64, fd, buf, len, off);
}

ssize_t
writev (int fd, const struct iovec *iov, int cnt)
{
  shim_init ();
  if (fd_targeted (fd, 0) && cnt > 0)
    /* one buffer at a time: a short write is allowed */
    return write (fd, iov[0].iov_base, iov[0].iov_len);
  return syscall (SYS_writev, fd, iov, cnt);
}

static int
sync_fault (int fd, const char *what)
{
  shim_init ();
  if ((fsync_file && fd_targeted (fd, 0)) || (fsync_dir && fd_targeted (fd, 1)))
    {
      shim_log (what, 0);
      errno = EIO;
      return 1;
    }
  return 0;
}

int
fsync (int fd)
{
  if (sync_fault (fd, "fsync EIO\n"))
    return -1;
  return (int)syscall (SYS_fsync, fd);
}

int
fdatasync (int fd)
{
  if (sync_fault (fd, "fdatasync EIO\n"))
    return -1;
  return (int)syscall (SYS_fdatasync, fd);
}

/* The target's directory, resolved; whether it is FAULT_DIR. */
static int
target_in_dir (int dirfd, const char *newpath)
{
  char full[PATH_MAX * 2], dir[PATH_MAX * 2], real[PATH_MAX];
  if (newpath[0] == '/')
    snprintf (full, sizeof full, "%s", newpath);
  else
    {
      char base[PATH_MAX];
      if (dirfd == AT_FDCWD)
        {
          if (getcwd (base, sizeof base) == NULL)
            return 0;
        }
      else
        {
          char link[64];
          snprintf (link, sizeof link, "/proc/self/fd/%d", dirfd);
          ssize_t n = readlink (link, base, sizeof base - 1);
          if (n <= 0)
            return 0;
          base[n] = '\0';
        }
      snprintf (full, sizeof full, "%s/%s", base, newpath);
    }
  snprintf (dir, sizeof dir, "%s", full);
  char *slash = strrchr (dir, '/');
  if (slash == NULL)
    return 0;
  if (slash == dir)
    slash[1] = '\0';
  else
    *slash = '\0';
  if (realpath (dir, real) == NULL)
    return 0;
  return strcmp (real, fault_dir) == 0;
}

static int
rename_targeted (int dirfd, const char *newpath)
{
  shim_init ();
  return active && rename_fail && target_in_dir (dirfd, newpath);
}

static int
raw_renameat (int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
#ifdef SYS_renameat
  return (int)syscall (SYS_renameat, olddirfd, oldpath, newdirfd, newpath);
#else
  return (int)syscall (SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, 0U);
#endif
}

int
rename (const char *oldpath, const char *newpath)
{
  if (rename_targeted (AT_FDCWD, newpath))
    {
      shim_log ("rename EIO\n", 0);
      errno = EIO;
      return -1;
    }
  return raw_renameat (AT_FDCWD, oldpath, AT_FDCWD, newpath);
}

int
renameat (int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
  if (rename_targeted (newdirfd, newpath))
    {
      shim_log ("renameat EIO\n", 0);
      errno = EIO;
      return -1;
    }
  return raw_renameat (olddirfd, oldpath, newdirfd, newpath);
}

int
renameat2 (int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
  if (rename_targeted (newdirfd, newpath))
    {
      shim_log ("renameat2 EIO\n", 0);
      errno = EIO;
      return -1;
    }
  return (int)syscall (SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

int
linkat (int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags)
{
  shim_init ();
  if (active && link_fail && target_in_dir (newdirfd, newpath))
    {
      shim_log ("linkat EIO\n", 0);
      errno = EIO;
      return -1;
    }
  return (int)syscall (SYS_linkat, olddirfd, oldpath, newdirfd, newpath, flags);
}

/* Whether an open of path with flags is an O_TMPFILE open of FAULT_DIR to
 * refuse (the filesystem "has no O_TMPFILE"). */
static int
tmpfile_refused (int dirfd, const char *path, int flags)
{
  shim_init ();
  if (!active || !no_tmpfile || (flags & O_TMPFILE) != O_TMPFILE || (dirfd != AT_FDCWD && path[0] != '/'))
    return 0;
  char real[PATH_MAX];
  if (realpath (path, real) == NULL || strcmp (real, fault_dir) != 0)
    return 0;
  shim_log ("tmpfile EOPNOTSUPP\n", 0);
  errno = EOPNOTSUPP;
  return 1;
}

/* open and openat, their mode taken from the arguments by the caller. */
static int
shim_openat (int dirfd, const char *path, int flags, mode_t mode)
{
  if (tmpfile_refused (dirfd, path, flags))
    return -1;
  return (int)syscall (SYS_openat, dirfd, path, flags, mode);
}

#define OPEN_MODE(flags, mode)                                                                                        \
  do                                                                                                                   \
    {                                                                                                                  \
      va_list ap;                                                                                                      \
      va_start (ap, flags);                                                                                            \
      mode = ((flags) & O_CREAT) || ((flags) & O_TMPFILE) == O_TMPFILE ? va_arg (ap, mode_t) : 0;                     \
      va_end (ap);                                                                                                     \
    }                                                                                                                  \
  while (0)

int
openat (int dirfd, const char *path, int flags, ...)
{
  mode_t mode;
  OPEN_MODE (flags, mode);
  return shim_openat (dirfd, path, flags, mode);
}

int
open (const char *path, int flags, ...)
{
  mode_t mode;
  OPEN_MODE (flags, mode);
  return shim_openat (AT_FDCWD, path, flags, mode);
}

int open64 (const char *path, int flags, ...) __attribute__ ((alias ("open")));
int openat64 (int dirfd, const char *path, int flags, ...) __attribute__ ((alias ("openat")));
