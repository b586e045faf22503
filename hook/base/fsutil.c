/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "base/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "LABEL: VERB PATH: strerror" with errnum, of the given kind; -1. */
static int
fail_errno (ocigate_error_t *err, int errnum, enum ocigate_error_kind kind, const char *label, const char *verb,
            const char *path)
{
  ocigate_error_make_errno (err, errnum, "%s: %s %s", label, verb, path);
  (*err)->kind = kind;
  return -1;
}

/* An owner other than root or ourselves, or write access for anyone else.
 * `what` names the file or directory checked, `path` the file trusted,
 * `shown` the one to chmod or chown. */
static int
check_owner_mode (const char *label, const char *what, const char *path, const char *shown, const struct stat *st,
                  bool sticky_ok, const struct trust_rules *rules, enum ocigate_error_kind kind, ocigate_error_t *err)
{
  uid_t self = geteuid ();
  bool also = rules && rules->also_owner != (uid_t)-1 && st->st_uid == rules->also_owner;
  if (st->st_uid != 0 && st->st_uid != self && !also)
    return ocigate_error_make (err, 0, kind, "%s %s: %s is owned by UID %u, not root%s; chown root %s", label, path,
                               what, (unsigned)st->st_uid, self ? " or the user ocigate runs as" : "", shown);
  if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !(sticky_ok && (st->st_mode & S_ISVTX)))
    return ocigate_error_make (err, 0, kind, "%s %s: %s is writable by %s (mode %04o); chmod go-w %s", label, path,
                               what, (st->st_mode & S_IWOTH) ? "everyone" : "its group",
                               (unsigned)(st->st_mode & 07777), shown);
  return 0;
}

/* The directories of `real` (a resolved path to a file), from "/" down to
 * the file's own.  With rules->closed_ok, one that passes and that neither
 * its group nor others may search (0700) ends the walk with *closed set:
 * nobody else can reach what is below it by a path, whoever owns that. */
static int
check_directories (const char *real, const char *label, const char *path, const struct trust_rules *rules, bool *closed,
                   enum ocigate_error_kind kind, ocigate_error_t *err)
{
  const char *last = strrchr (real, '/'); /* the end of the file's own directory */
  cleanup_free char *dir = xstrdup (real);
  *closed = false;
  for (const char *end = real; end && end <= last; end = strchr (end + 1, '/'))
    {
      size_t n = end == real ? 1 : (size_t)(end - real); /* keep "/" itself */
      memcpy (dir, real, n);
      dir[n] = '\0';
      struct stat st;
      if (stat (dir, &st) < 0)
        return fail_errno (err, errno, kind, label, "stat", dir);
      bool own_dir = end == last;
      cleanup_free char *what = xasprintf ("%s %s", own_dir ? "its directory" : "the directory above it", dir);
      if (check_owner_mode (label, what, path, dir, &st, !own_dir, rules, kind, err) < 0)
        return -1;
      if (rules && rules->closed_ok && (st.st_mode & (S_IXGRP | S_IXOTH)) == 0)
        {
          *closed = true;
          return 0;
        }
    }
  return 0;
}

/* Every symbolic link that resolving path goes through, in the path as
 * given or in a link's target, sits in a directory held to what the file's
 * own is held to: whoever may write that directory may point the link
 * elsewhere (a link cannot be changed in place).  Resolved one component
 * at a time, as the kernel does, so a link halfway ("/tmp/x/policy.json"
 * with /tmp/x a link) is seen too.  *real: the path resolved, as
 * realpath(3) gives it. */
#define TRUST_MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
static int
resolve_checking_links (const char *path, const char *label, const struct trust_rules *rules,
                        enum ocigate_error_kind kind, char **real, ocigate_error_t *err)
{
  cleanup_strbuf struct strbuf done = { 0 }; /* resolved so far: no link in it; "" is "/" */
  if (path[0] != '/')
    {
      cleanup_free char *cwd = realpath (".", NULL);
      if (cwd == NULL)
        return fail_errno (err, errno, kind, label, "resolve the current directory for", path);
      strbuf_append (&done, strcmp (cwd, "/") == 0 ? "" : cwd);
    }
  else
    strbuf_append (&done, "");
  cleanup_free char *todo = xstrdup (path);
  unsigned links = 0;
  size_t at = 0;
  while (todo[at])
    {
      if (todo[at] == '/')
        {
          at++;
          continue;
        }
      size_t n = strcspn (todo + at, "/");
      if (n == 1 && todo[at] == '.')
        {
          at += n;
          continue;
        }
      if (n == 2 && todo[at] == '.' && todo[at + 1] == '.')
        {
          char *slash = strrchr (done.buf, '/');
          done.len = slash ? (size_t)(slash - done.buf) : 0;
          done.buf[done.len] = '\0';
          at += n;
          continue;
        }
      size_t before = done.len;
      strbuf_append (&done, "/");
      strbuf_append_mem (&done, todo + at, n);
      at += n;
      struct stat st;
      if (lstat (done.buf, &st) < 0)
        return fail_errno (err, errno, kind, label, "resolve", path);
      if (!S_ISLNK (st.st_mode))
        continue;
      if (++links > TRUST_MAX_LINKS)
        return fail_errno (err, ELOOP, kind, label, "resolve", path);
      char target[PATH_MAX];
      ssize_t len = readlink (done.buf, target, sizeof target - 1);
      if (len < 0)
        return fail_errno (err, errno, kind, label, "resolve", path);
      target[len] = '\0';
      /* The link's directory, resolved: held as a file's own directory is. */
      cleanup_free char *in_link_dir = xasprintf ("%.*s/link", (int)before, done.buf);
      bool link_closed = false;
      if (check_directories (in_link_dir, label, path, rules, &link_closed, kind, err) < 0)
        return -1;
      /* Go on with the target, then the rest of the path. */
      char *rest = xasprintf ("%s/%s", target, todo + at);
      free (todo);
      todo = rest;
      at = 0;
      done.len = target[0] == '/' ? 0 : before;
      done.buf[done.len] = '\0';
    }
  *real = done.len ? strbuf_steal (&done) : xstrdup ("/");
  return 0;
}

int
trust_check (int fd, const char *path, const char *label, const struct trust_rules *rules, enum ocigate_error_kind kind,
             ocigate_error_t *err)
{
  struct stat st;
  if ((fd >= 0 ? fstat (fd, &st) : stat (path, &st)) < 0)
    return fail_errno (err, errno, kind, label, "stat", path);
  if (!S_ISREG (st.st_mode))
    return ocigate_error_make (err, 0, kind, "%s %s: not a regular file", label, path);
  /* One walk resolves the path and checks the links on the way. */
  cleanup_free char *real = NULL;
  if (resolve_checking_links (path, label, rules, kind, &real, err) < 0)
    return -1;
  bool closed = false;
  if (check_directories (real, label, path, rules, &closed, kind, err) < 0)
    return -1;
  /* Below a closed directory nobody else reaches the file itself. */
  if (!closed && check_owner_mode (label, "the file", path, path, &st, false, rules, kind, err) < 0)
    return -1;
  return 0;
}

int
trust_check_dir (const char *path, bool itself, const char *label, const struct trust_rules *rules,
                 enum ocigate_error_kind kind, ocigate_error_t *err)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return fail_errno (err, errno, kind, label, "stat", path);
  if (!S_ISDIR (st.st_mode))
    return ocigate_error_make (err, 0, kind, "%s %s: not a directory", label, path);
  cleanup_free char *real = NULL;
  if (resolve_checking_links (path, label, rules, kind, &real, err) < 0)
    return -1;
  /* With `itself`, the directory is held as a file's own directory is: a
   * name in it is what check_directories() takes for the file. */
  cleanup_free char *inside = itself ? xasprintf ("%s/.", strcmp (real, "/") == 0 ? "" : real) : xstrdup (real);
  bool closed = false;
  return check_directories (inside, label, path, rules, &closed, kind, err);
}

int
write_all (int fd, const char *data, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return -1;
        }
      data += n;
      len -= (size_t)n;
    }
  return 0;
}

/* Give the unnamed temporary file fd (O_TMPFILE) a name beside the target,
 * for the rename: ".BASE.ocigate-PID-N".  Through /proc/self/fd, which
 * needs no privilege; without /proc, AT_EMPTY_PATH (CAP_DAC_READ_SEARCH on
 * older kernels).  NULL with errno set on failure. */
static char *
name_temp (int fd, const char *dir, const char *base)
{
  char proc[64];
  (void)snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  long pid = (long)getpid ();
  for (unsigned n = 0; n < 64; n++)
    {
      cleanup_free char *name = xasprintf ("%s/.%s.ocigate-%ld-%u", dir, base, pid, n);
      if (linkat (AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0)
        return steal_pointer (&name);
      if (errno == ENOENT && linkat (fd, "", AT_FDCWD, name, AT_EMPTY_PATH) == 0)
        return steal_pointer (&name);
      if (errno != EEXIST)
        return NULL;
    }
  errno = EEXIST;
  return NULL;
}

/* Write data to a new temporary file in dir with the given mode (and, run
 * as root, the owner and group of `owner` unless NULL), synced and closed, and
 * return its name for the rename.  With `unnamed`, the file has no name
 * while it is written (O_TMPFILE) and is named last; else it is named
 * from the start (mkostemp).  On failure: NULL and err, nothing left
 * behind, and *retry true when a named file may still work (no O_TMPFILE
 * here, or no way to name the file). */
static char *
write_temp (const char *dir, const char *base, bool unnamed, const char *data, size_t len, mode_t mode,
            const struct stat *owner, const char *path, bool *retry, ocigate_error_t *err)
{
  cleanup_free char *tmp = NULL; /* its name, once it has one */
  cleanup_close int fd = -1;
  *retry = false;
  if (unnamed)
    fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  else
    {
      tmp = xasprintf ("%s/.%s.ocigate-XXXXXX", dir, base);
      fd = mkostemp (tmp, O_CLOEXEC);
    }
  if (fd < 0)
    {
      *retry = unnamed;
      (void)ocigate_error_make_errno (err, errno, "create a temporary file beside %s", path);
      return NULL;
    }
  int e = 0;
  const char *step = NULL;
  if (fchmod (fd, mode) < 0)
    e = errno, step = "chmod";
  else if (owner && geteuid () == 0 && fchown (fd, owner->st_uid, owner->st_gid) < 0)
    e = errno, step = "chown";
  else if (write_all (fd, data, len) < 0)
    e = errno, step = "write";
  else if (fsync (fd) < 0)
    e = errno, step = "fsync";
  else if (tmp == NULL && (tmp = name_temp (fd, dir, base)) == NULL)
    e = errno, step = "link", *retry = true;
  if (step == NULL)
    {
      int fdc = steal_fd (&fd);
      if (close (fdc) < 0)
        e = errno, step = "close";
    }
  if (step == NULL)
    return steal_pointer (&tmp);
  if (tmp == NULL)
    (void)ocigate_error_make_errno (err, e, "%s an unnamed temporary file in %s (writing %s)", step, dir, path);
  else
    {
      unlink (tmp);
      (void)ocigate_error_make_errno (err, e, "%s %s (writing %s)", step, tmp, path);
    }
  return NULL;
}

/* fsync the directory a file was just renamed into. */
static int
fsync_dir (const char *dir, const char *path, ocigate_error_t *err)
{
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || fsync (dfd) < 0)
    return ocigate_error_make_errno (err, errno, "fsync directory %s (the new %s is in place)", dir, path);
  return 0;
}

/* Write data beside path under a temporary name with the given mode (and
 * owner, unless NULL) and rename it over path. */
static int
replace_file (const char *path, const char *data, size_t len, mode_t mode, const struct stat *owner,
              ocigate_error_t *err)
{
  cleanup_free char *path_copy = xstrdup (path);
  const char *dir = dirname (path_copy);
  cleanup_free char *copy2 = xstrdup (path);
  const char *base = basename (copy2);

  /* Unnamed while it is written, so a process killed before the rename
   * leaves nothing behind but in the two system calls between link and
   * rename.  Where that cannot be (a filesystem without O_TMPFILE; no
   * /proc and no privilege to name the file), a file named from the
   * start. */
  bool retry = false;
  cleanup_free char *tmp = write_temp (dir, base, true, data, len, mode, owner, path, &retry, err);
  if (tmp == NULL && retry)
    {
      ocigate_error_free (err);
      tmp = write_temp (dir, base, false, data, len, mode, owner, path, &retry, err);
    }
  if (tmp == NULL)
    return -1;
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return ocigate_error_make_errno (err, e, "rename %s (writing %s)", tmp, path);
    }
  return fsync_dir (dir, path, err);
}

int
write_file_atomic (const char *path, const char *data, size_t len, ocigate_error_t *err)
{
  struct stat st;
  bool exists = stat (path, &st) == 0;
  if (!exists && errno != ENOENT)
    return ocigate_error_make_errno (err, errno, "stat %s", path);
  return replace_file (path, data, len, exists ? (st.st_mode & 07777) : 0644, exists ? &st : NULL, err);
}

int
write_file_atomic_as (const char *path, const char *data, size_t len, mode_t mode, uid_t uid, gid_t gid,
                      ocigate_error_t *err)
{
  struct stat owner = { .st_uid = uid, .st_gid = gid };
  return replace_file (path, data, len, mode, &owner, err);
}

int
symlink_atomic (const char *target, const char *path, ocigate_error_t *err)
{
  cleanup_free char *path_copy = xstrdup (path);
  const char *dir = dirname (path_copy);
  cleanup_free char *copy2 = xstrdup (path);
  const char *base = basename (copy2);
  long pid = (long)getpid ();
  for (unsigned n = 0; n < 64; n++)
    {
      cleanup_free char *tmp = xasprintf ("%s/.%s.ocigate-%ld-%u", dir, base, pid, n);
      if (symlink (target, tmp) < 0)
        {
          if (errno == EEXIST)
            continue;
          return ocigate_error_make_errno (err, errno, "symlink %s (linking %s)", tmp, path);
        }
      if (rename (tmp, path) < 0)
        {
          int e = errno;
          unlink (tmp);
          return ocigate_error_make_errno (err, e, "rename %s (linking %s)", tmp, path);
        }
      return fsync_dir (dir, path, err);
    }
  return ocigate_error_make_errno (err, EEXIST, "symlink beside %s", path);
}

/* ------------------------------------------------------ a root of our own */

#define ROOTED_MAX_LINKS 40

/* The target of the symbolic link at path (allocated). */
static int
link_target (const char *path, char **out, ocigate_error_t *err)
{
  for (size_t size = 256;; size *= 2)
    {
      cleanup_free char *buf = xmalloc (size);
      ssize_t n = readlink (path, buf, size);
      if (n < 0)
        return ocigate_error_make_errno (err, errno, "readlink %s", path);
      if ((size_t)n < size)
        {
          buf[n] = '\0';
          *out = steal_pointer (&buf);
          return 0;
        }
      if (size >= 65536)
        return ocigate_error_make (err, ENAMETOOLONG, OCIGATE_ERR_INPUT, "readlink %s: target too long", path);
    }
}

int
path_in_root (const char *root, const char *path, bool follow_last, char **out, ocigate_error_t *err)
{
  *out = NULL;
  if (root[0] == '\0')
    {
      /* The host's own root: the kernel resolves it the same way. */
      *out = xasprintf ("/%s", path[0] == '/' ? path + 1 : path);
      return 0;
    }
  /* What is left to walk, and what was walked (under root, no link in it). */
  cleanup_free char *todo = xstrdup (path);
  cleanup_strbuf struct strbuf done = { 0 };
  int links = 0;
  char *rest = todo;
  while (rest && *rest)
    {
      char *slash = strchr (rest, '/');
      char *name = rest;
      if (slash)
        *slash = '\0';
      rest = slash ? slash + 1 : NULL;
      if (name[0] == '\0' || strcmp (name, ".") == 0)
        continue;
      if (strcmp (name, "..") == 0)
        {
          /* Never above root, as in a chroot. */
          char *up = done.buf && done.len ? strrchr (done.buf, '/') : NULL;
          if (up)
            {
              done.len = (size_t)(up - done.buf);
              done.buf[done.len] = '\0';
            }
          continue;
        }
      bool last = rest == NULL || *rest == '\0';
      size_t before = done.len;
      strbuf_appendf (&done, "/%s", name);
      if (last && !follow_last)
        break;
      cleanup_free char *host = xasprintf ("%s%s", root, done.buf);
      struct stat st;
      if (lstat (host, &st) < 0 || !S_ISLNK (st.st_mode))
        continue; /* absent (the rest stays as written) or not a link */
      if (++links > ROOTED_MAX_LINKS)
        return ocigate_error_make (err, ELOOP, OCIGATE_ERR_INPUT, "%s: more than %d symbolic links under %s", path,
                                   ROOTED_MAX_LINKS, root);
      cleanup_free char *target = NULL;
      if (link_target (host, &target, err) < 0)
        return -1;
      /* The link's target, then what was left after it. */
      char *next = xasprintf ("%s/%s", target, rest ? rest : "");
      done.len = target[0] == '/' ? 0 : before;
      if (done.buf)
        done.buf[done.len] = '\0';
      free (todo);
      todo = next;
      rest = todo;
    }
  *out = xasprintf ("%s%s", root, done.len ? done.buf : "/");
  return 0;
}
