/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/decision_log.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <paths.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"

/* A socket connected to /dev/log, of whichever kind it is; -1 when there
 * is none to connect to. */
static int
syslog_connect (int *type)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = _PATH_LOG };
  int types[] = { SOCK_DGRAM, SOCK_STREAM };
  for (size_t t = 0; t < ARRAY_SIZE (types); t++)
    {
      cleanup_close int fd = socket (AF_UNIX, types[t] | SOCK_CLOEXEC, 0);
      if (fd < 0)
        return -1;
      if (connect (fd, (struct sockaddr *)&addr, sizeof addr) == 0)
        {
          *type = types[t];
          return steal_fd (&fd);
        }
      if (errno != EPROTOTYPE)
        return -1; /* else /dev/log is the other kind */
    }
  return -1;
}

bool
decision_log_syslog_reachable (void)
{
  int type;
  cleanup_close int fd = syslog_connect (&type);
  return fd >= 0;
}

int
decision_log_syslog (int priority, const char *line, size_t len)
{
  char stamp[32] = "";
  time_t now = time (NULL);
  struct tm tm;
  if (localtime_r (&now, &tm) == NULL || strftime (stamp, sizeof stamp, "%h %e %T", &tm) == 0)
    stamp[0] = '\0';
  char head[80];
  int n = snprintf (head, sizeof head, "<%d>%s ocigate[%ld]: ", LOG_AUTHPRIV | priority, stamp, (long)getpid ());
  if (n < 0 || (size_t)n >= sizeof head)
    return 0;
  int type;
  cleanup_close int fd = syslog_connect (&type);
  if (fd < 0)
    return 0;
  /* sendmsg() does not write to the buffers: their const goes for the call. */
  static char nul = '\0';
  union
  {
    const char *in;
    void *out;
  } body = { .in = line };
  struct iovec iov[] = { { head, (size_t)n }, { body.out, len }, { &nul, 1 } };
  struct msghdr mh = { .msg_iov = iov, .msg_iovlen = type == SOCK_STREAM ? 3 : 2 };
  return sendmsg (fd, &mh, MSG_NOSIGNAL) < 0 ? errno : 0;
}

const char *
gate_log_file (const struct policy *p)
{
  return p && p->log_file ? p->log_file : OCIGATE_LOG_FILE;
}

uint64_t
gate_log_max_bytes (const struct policy *p)
{
  return p ? p->log_max_bytes : OCIGATE_LOG_MAX_BYTES;
}

void
gate_log_where (const struct policy *p, struct gate_log_where *out)
{
  *out = (struct gate_log_where){
    .syslog = decision_log_syslog_reachable (),
    .file = gate_log_file (p),
    .max_bytes = gate_log_max_bytes (p),
  };
}

char *
gate_log_destination (const struct policy *p)
{
  struct gate_log_where w;
  gate_log_where (p, &w);
  return xasprintf ("decisions are logged to %s (JSON lines; past %" PRIu64 " bytes it becomes %s.1) and to syslog "
                    "(authpriv, tag ocigate), %s",
                    w.file, w.max_bytes, w.file,
                    w.syslog ? "which listens on " _PATH_LOG
                             : "which is not there now (" _PATH_LOG " takes no connection): the file is the log");
}

/* Split path into its directory and its last name, both allocated. */
static void
split_path (const char *path, char **dir, char **base)
{
  const char *slash = strrchr (path, '/');
  if (slash == NULL)
    {
      *dir = xstrdup (".");
      *base = xstrdup (path);
      return;
    }
  *dir = slash == path ? xstrdup ("/") : xstrndup (path, (size_t)(slash - path));
  *base = xstrdup (slash + 1);
}

/* Rename the file this decision wrote (fd) to BASE.1 in the directory dfd,
 * holding the directory's lock so that of two decisions past the bound one
 * rotates, and only while the name still holds that file (another decision
 * may have rotated it already).  A decision that finds the lock taken
 * leaves the rotation to the one holding it rather than wait. */
static int
rotate (int dfd, const char *dir, const char *base, int fd, ocigate_error_t *err)
{
  if (flock (dfd, LOCK_EX | LOCK_NB) < 0)
    return errno == EWOULDBLOCK ? 0 : ocigate_error_make_errno (err, errno, "rotate log %s/%s: lock", dir, base);
  struct stat mine, named;
  cleanup_free char *old = xasprintf ("%s.1", base);
  int r = 0;
  if (fstat (fd, &mine) == 0 && fstatat (dfd, base, &named, AT_SYMLINK_NOFOLLOW) == 0 && mine.st_dev == named.st_dev
      && mine.st_ino == named.st_ino && renameat (dfd, base, dfd, old) < 0)
    r = ocigate_error_make_errno (err, errno, "rotate log %s/%s to %s", dir, base, old);
  (void)flock (dfd, LOCK_UN);
  return r;
}

int
decision_log_append (const char *path, uint64_t max_bytes, const char *line, size_t len, ocigate_error_t *err)
{
  cleanup_free char *dir = NULL, *base = NULL;
  split_path (path, &dir, &base);
  if (base[0] == '\0')
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "log %s: not a file name", path);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return ocigate_error_make_errno (err, errno, "log directory %s: mkdir", dir);
  if (trust_check_dir (dir, true, "log directory", NULL, OCIGATE_ERR_INTERNAL, err) < 0)
    return -1;
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return ocigate_error_make_errno (err, errno, "open log directory %s", dir);
  /* Not a link (whoever made it chose the file), not a FIFO to hang on. */
  cleanup_close int fd
      = openat (dfd, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
  if (fd < 0)
    return ocigate_error_make_errno (err, errno, "open log %s", path);
  struct stat st;
  if (fstat (fd, &st) < 0)
    return ocigate_error_make_errno (err, errno, "stat log %s", path);
  if (!S_ISREG (st.st_mode))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "log %s: not a regular file", path);
  /* One write with O_APPEND: concurrent decisions do not interleave. */
  if (write_all (fd, line, len) < 0)
    return ocigate_error_make_errno (err, errno, "write log %s", path);
  if (max_bytes == 0 || (uint64_t)st.st_size + len <= max_bytes)
    return 0;
  return rotate (dfd, dir, base, fd, err);
}

const char *
gate_judged_decision (enum gate_outcome outcome, const struct verdict *v)
{
  return outcome == GATE_REWRITE ? decision_name (DECISION_ALLOW) : decision_name (verdict_decide (v));
}

bool
gate_judged_mark (json_object *config, const char *decision)
{
  json_object *a = json_get (config, "annotations");
  if (a == NULL && decision)
    {
      a = json_object_new_object ();
      json_object_object_add (config, "annotations", a);
    }
  if (a == NULL || !json_object_is_type (a, json_type_object))
    return false;
  if (decision)
    json_object_object_add (a, GATE_JUDGED_ANNOTATION, json_object_new_string (decision));
  else
    json_object_object_del (a, GATE_JUDGED_ANNOTATION);
  return true;
}

bool
gate_judged_marked (json_object *config, const char *decision)
{
  json_object *v = json_get (json_get (config, "annotations"), GATE_JUDGED_ANNOTATION);
  return v && json_object_is_type (v, json_type_string) && strcmp (json_object_get_string (v), decision) == 0;
}
