/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int
write_file_atomic (const char *path, const char *data, size_t len, ocigate_error_t *err)
{
  cleanup_free char *path_copy = xstrdup (path);
  const char *dir = dirname (path_copy);
  cleanup_free char *copy2 = xstrdup (path);
  cleanup_free char *tmpl = xasprintf ("%s/.%s.ocigate-XXXXXX", dir, basename (copy2));

  struct stat st;
  bool exists = stat (path, &st) == 0;
  if (!exists && errno != ENOENT)
    return ocigate_error_make_errno (err, errno, "stat %s", path);

  cleanup_close int fd = mkostemp (tmpl, O_CLOEXEC);
  if (fd < 0)
    return ocigate_error_make_errno (err, errno, "create a temporary file beside %s", path);
  mode_t mode = exists ? (st.st_mode & 07777) : 0644;
  int e = 0;
  const char *step = NULL;
  if (fchmod (fd, mode) < 0)
    e = errno, step = "chmod";
  else if (exists && geteuid () == 0 && fchown (fd, st.st_uid, st.st_gid) < 0)
    e = errno, step = "chown";
  else if (write_all (fd, data, len) < 0)
    e = errno, step = "write";
  else if (fsync (fd) < 0)
    e = errno, step = "fsync";
  if (step == NULL)
    {
      int fdc = steal_fd (&fd);
      if (close (fdc) < 0)
        e = errno, step = "close";
    }
  if (step == NULL && rename (tmpl, path) < 0)
    e = errno, step = "rename";
  if (step)
    {
      unlink (tmpl);
      return ocigate_error_make_errno (err, e, "%s %s (writing %s)", step, tmpl, path);
    }
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || fsync (dfd) < 0)
    return ocigate_error_make_errno (err, errno, "fsync directory %s (the new %s is in place)", dir, path);
  return 0;
}
