/* Which runtime the wrapper runs (real_runtime.h), and dpkg's diversions.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/real_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/jsonio.h"

void
dpkg_diversion_release (struct dpkg_diversion *d)
{
  free (d->from);
  free (d->to);
  free (d->package);
  *d = (struct dpkg_diversion){ 0 };
}

void
dpkg_diversions_free (struct dpkg_diversion *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    dpkg_diversion_release (&v[i]);
  free (v);
}

int
dpkg_diversions_parse (const char *text, size_t len, const char *name, struct dpkg_diversion **out, size_t *n_out,
                       ocigate_error_t *err)
{
  struct dpkg_diversion *v = NULL;
  size_t n = 0;
  char *fields[3] = { NULL, NULL, NULL };
  size_t line_no = 0;
  const char *end = text + len;
  *out = NULL;
  *n_out = 0;
  if (memchr (text, '\0', len) != NULL)
    {
      ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: a NUL byte: not dpkg's diversions", name);
      goto fail;
    }
  for (const char *line = text; line < end;)
    {
      const char *eol = memchr (line, '\n', (size_t)(end - line));
      /* dpkg writes every line with its newline: one without was cut. */
      if (eol == NULL)
        {
          ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%zu: the last line has no newline: the file is cut short",
                              name, line_no + 1);
          goto fail;
        }
      size_t field = line_no % 3;
      line_no++;
      if (eol == line)
        {
          ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%zu: an empty line: not dpkg's diversions", name, line_no);
          goto fail;
        }
      if (field < 2 && line[0] != '/')
        {
          ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s:%zu: %s path is not absolute: not dpkg's diversions", name,
                              line_no, field == 0 ? "a diverted" : "a diverted-to");
          goto fail;
        }
      fields[field] = xstrndup (line, (size_t)(eol - line));
      if (field == 2)
        {
          v = xreallocarray (v, n + 1, sizeof *v);
          v[n++] = (struct dpkg_diversion){ .from = fields[0], .to = fields[1], .package = fields[2] };
          fields[0] = fields[1] = fields[2] = NULL;
        }
      line = eol + 1;
    }
  if (line_no % 3 != 0)
    {
      ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                          "%s: ends after line %zu, inside an entry (three lines each): the file is cut short", name,
                          line_no);
      goto fail;
    }
  *out = v;
  *n_out = n;
  return 0;

fail:
  for (size_t i = 0; i < 3; i++)
    free (fields[i]);
  dpkg_diversions_free (v, n);
  return -1;
}

int
dpkg_diversion_lookup (const char *path, bool trusted, const char *from, struct dpkg_diversion *found, bool *has,
                       ocigate_error_t *err)
{
  *has = false;
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    {
      /* No database: dpkg has diverted nothing. */
      if (errno == ENOENT)
        return 0;
      return ocigate_error_make_errno (err, errno, "open %s", path);
    }
  if (trusted && trust_check (fd, path, "dpkg's diversions", NULL, OCIGATE_ERR_INPUT, err) < 0)
    return -1;
  cleanup_free char *text = NULL;
  size_t len = 0;
  if (read_fd_limited (fd, path, DPKG_DIVERSIONS_MAX_BYTES, &text, &len, err) < 0)
    return -1;
  struct dpkg_diversion *v = NULL;
  size_t n = 0;
  if (dpkg_diversions_parse (text, len, path, &v, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && !*has; i++)
    if (strcmp (v[i].from, from) == 0)
      {
        *found = v[i];
        v[i] = (struct dpkg_diversion){ 0 };
        *has = true;
      }
  dpkg_diversions_free (v, n);
  return 0;
}

static bool
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int
real_runtime_resolve (const char *configured, const char *name, const char *diversions, char **real,
                      ocigate_error_t *err)
{
  *real = NULL;
  struct stat runtime_st, self_st;
  /* A runtime that cannot be looked at is not this binary; running it
   * fails, and says why. */
  if (stat (configured, &runtime_st) < 0)
    {
      *real = xstrdup (configured);
      return 0;
    }
  /* /proc/self/exe opened: the binary that runs, even when its path has
   * been replaced since. */
  cleanup_close int self_fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self_fd < 0 || fstat (self_fd, &self_st) < 0)
    return ocigate_error_make_errno (
        err, errno, "runtime.%s %s: cannot tell whether it is ocigate itself: /proc/self/exe", name, configured);
  if (!same_file (&runtime_st, &self_st))
    {
      *real = xstrdup (configured);
      return 0;
    }
  /* The wrapper took the runtime's place (ocigate setup runtimes): only
   * now is dpkg's database read. */
  struct dpkg_diversion d = { 0 };
  bool has = false;
  if (dpkg_diversion_lookup (diversions, true, configured, &d, &has, err) < 0)
    return ocigate_error_prefix (err, "runtime.%s %s is ocigate itself, and where dpkg moved the real %s is unknown",
                                 name, configured, name);
  if (!has)
    return ocigate_error_make (err, 0, OCIGATE_ERR_POLICY,
                               "runtime.%s %s is ocigate itself and dpkg diverts it nowhere (%s): set runtime.%s in "
                               "the policy to the real %s",
                               name, configured, diversions, name, name);
  int r = 0;
  struct stat to_st;
  if (stat (d.to, &to_st) < 0)
    r = ocigate_error_make_errno (err, errno,
                                  "runtime.%s %s is ocigate itself, diverted to %s, which cannot be run: set "
                                  "runtime.%s in the policy to the real %s: stat %s",
                                  name, configured, d.to, name, name, d.to);
  else if (same_file (&to_st, &self_st))
    r = ocigate_error_make (err, 0, OCIGATE_ERR_POLICY,
                            "runtime.%s %s is ocigate itself, and so is %s, where dpkg diverts it: set runtime.%s in "
                            "the policy to the real %s",
                            name, configured, d.to, name, name);
  else
    *real = steal_pointer (&d.to);
  dpkg_diversion_release (&d);
  return r;
}
