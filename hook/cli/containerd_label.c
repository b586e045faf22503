/* The wrapper's rewrite on containerd's record of the container: see
 * containerd_label.h.  containerd 1.6 holds no lock on its metadata while
 * a shim runs `runc create`, so the label, one short metadata update, is
 * taken during the task's creation (tests/e2e/containerd.bats starts
 * containers so).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cli/containerd_label.h"

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/jsonio.h"
#include "base/util.h"
#include "core/engine_words.h"

/* What ctr's own flag parser would not take for a flag. */
static bool
plain_word (const char *s, size_t len)
{
  if (len == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= '0' && s[0] <= '9')))
    return false;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '/' || s[i] == '\0')
      return false;
  return true;
}

char *
containerd_bundle_namespace (const char *bundle, const char *id)
{
  size_t ns_len = 0;
  const char *ns = id ? engine_containerd_namespace (bundle, &ns_len) : NULL;
  if (ns == NULL)
    return NULL;
  const char *tail = ns + ns_len + 1;
  size_t id_len = strcspn (tail, "/");
  /* NAMESPACE/ID, at most a trailing slash after it. */
  if (tail[id_len] == '/' && tail[id_len + 1] != '\0')
    return NULL;
  if (!plain_word (ns, ns_len) || strlen (id) != id_len || strncmp (tail, id, id_len) != 0 || !plain_word (id, id_len))
    return NULL;
  return xstrndup (ns, ns_len);
}

char *
containerd_shim_address (const char *cmdline, size_t len)
{
  const char *end = cmdline + len;
  for (const char *arg = cmdline; arg < end; arg += strnlen (arg, (size_t)(end - arg)) + 1)
    {
      size_t n = strnlen (arg, (size_t)(end - arg));
      const char *name = arg[0] == '-' && arg[1] == '-' ? arg + 2 : arg + 1;
      if (arg[0] != '-' || strncmp (name, "address", 7) != 0)
        continue;
      const char *value = NULL;
      if (name[7] == '=')
        value = name + 8;
      else if (name[7] == '\0' && arg + n + 1 < end)
        value = arg + n + 1;
      /* Not an empty one, nor one that would read as a flag. */
      if (value && value[0] && value[0] != '-' && value + strnlen (value, (size_t)(end - value)) < end)
        return xstrdup (value);
    }
  return NULL;
}

static long long
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first line of what the program said, for the message. */
static const char *
first_line (char *text)
{
  text[strcspn (text, "\n")] = '\0';
  return text[0] ? text : "(nothing on standard error)";
}

int
cli_run_bounded (char *const argv[], int timeout_ms, ocigate_error_t *err)
{
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return ocigate_error_make_errno (err, errno, "%s: pipe", argv[0]);
  long long deadline = now_ms () + timeout_ms;
  pid_t pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (pipefd[0]);
      close (pipefd[1]);
      return ocigate_error_make_errno (err, e, "%s: fork", argv[0]);
    }
  if (pid == 0)
    {
      /* Its own group, so that what it may start is killed with it. */
      (void)setpgid (0, 0);
      int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (null_fd < 0 || dup2 (null_fd, STDIN_FILENO) < 0 || dup2 (null_fd, STDOUT_FILENO) < 0
          || dup2 (pipefd[1], STDERR_FILENO) < 0)
        _exit (127);
      /* Nothing the runtime was handed (the container's stdio, a console
       * socket) stays open in it; a kernel without close_range(2) leaves
       * them to ctr, which does not use them. */
      (void)close_range (3, ~0U, 0);
      /* Not the caller's environment: CONTAINERD_ADDRESS and the like
       * there would change what the arguments say. */
      char *env[] = { (char *)"LC_ALL=C", NULL };
      execve (argv[0], argv, env);
      dprintf (STDERR_FILENO, "cannot run: %s\n", strerror (errno));
      _exit (127);
    }
  (void)setpgid (pid, pid); /* the same, should the parent run first */
  close (pipefd[1]);
  cleanup_close int rfd = pipefd[0];
  char said[512];
  size_t n_said = 0;
  bool timed_out = false;
  /* What it says until it closes standard error (it exits), kept to the
   * first bytes; then its exit, within what is left of the time. */
  for (;;)
    {
      long long left = deadline - now_ms ();
      if (left <= 0)
        {
          timed_out = true;
          break;
        }
      struct pollfd pfd = { .fd = rfd, .events = POLLIN };
      int r = poll (&pfd, 1, (int)left);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        continue; /* the deadline ends it above */
      char buf[512];
      ssize_t got = read (rfd, buf, sizeof buf);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        break;
      size_t keep = (size_t)got < sizeof said - 1 - n_said ? (size_t)got : sizeof said - 1 - n_said;
      memcpy (said + n_said, buf, keep);
      n_said += keep;
    }
  said[n_said] = '\0';
  int status = 0;
  pid_t w = 0;
  while (!timed_out)
    {
      w = waitpid (pid, &status, WNOHANG);
      if (w == pid || (w < 0 && errno != EINTR))
        break;
      if (now_ms () >= deadline)
        timed_out = true;
      else
        {
          struct timespec pause = { 0, 2000000L }; /* 2 ms */
          nanosleep (&pause, NULL);
        }
    }
  if (timed_out)
    {
      (void)kill (-pid, SIGKILL);
      (void)kill (pid, SIGKILL);
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
      return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: killed after %d ms without an answer", argv[0],
                                 timeout_ms);
    }
  if (w < 0)
    return ocigate_error_make_errno (err, errno, "%s: wait", argv[0]);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  cleanup_free char *shown = printable_line (xstrdup (first_line (said)));
  if (WIFEXITED (status))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: exit status %d: %s", argv[0], WEXITSTATUS (status),
                               shown);
  return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: killed by signal %d: %s", argv[0], WTERMSIG (status),
                             shown);
}

/* A ctr root installed: root's, and nobody else may write it or a
 * directory above it (whoever could would run as root here). */
static bool
trusted_program (const char *path)
{
  struct stat st;
  cleanup_error ocigate_error_t err = NULL;
  return stat (path, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111) != 0
         && trust_check (-1, path, "ctr", NULL, OCIGATE_ERR_INTERNAL, &err) == 0;
}

/* The parent of pid, from the PPid line of /proc/PID/status; 0 when it
 * cannot be read. */
static pid_t
parent_of (pid_t pid)
{
  char path[64];
  (void)snprintf (path, sizeof path, "/proc/%d/status", (int)pid);
  cleanup_free char *text = NULL;
  size_t len = 0;
  cleanup_error ocigate_error_t err = NULL;
  if (read_file_limited (path, 65536, &text, &len, &err) < 0)
    return 0;
  const char *line = strstr (text, "\nPPid:");
  if (line == NULL)
    return 0;
  char *end = NULL;
  errno = 0;
  long ppid = strtol (line + 6, &end, 10);
  if (errno != 0 || end == line + 6 || ppid < 0 || ppid > INT32_MAX)
    return 0;
  return (pid_t)ppid;
}

/* How far above this process the shim may be: Docker 20.10 runs a runtime
 * that has runtimeArgs through a shell script of its own, which does not
 * exec it. */
#define SHIM_MAX_DEPTH 3

/* The shim that ran this process, itself or through a script: its command
 * line (the address) and the directory of its program (the ctr installed
 * with it). */
static void
parent_shim (char **address, char **dir)
{
  pid_t pid = getppid ();
  for (int depth = 0; depth < SHIM_MAX_DEPTH && pid > 1; depth++, pid = parent_of (pid))
    {
      char exe_link[64];
      (void)snprintf (exe_link, sizeof exe_link, "/proc/%d/exe", (int)pid);
      cleanup_free char *exe = realpath (exe_link, NULL);
      const char *base = exe ? strrchr (exe, '/') : NULL;
      if (base == NULL || strncmp (base + 1, "containerd-shim", 15) != 0)
        continue;
      char cmd_path[64];
      (void)snprintf (cmd_path, sizeof cmd_path, "/proc/%d/cmdline", (int)pid);
      cleanup_free char *cmdline = NULL;
      size_t len = 0;
      cleanup_error ocigate_error_t err = NULL;
      if (read_file_limited (cmd_path, 65536, &cmdline, &len, &err) == 0)
        *address = containerd_shim_address (cmdline, len);
      *dir = xstrndup (exe, (size_t)(base - exe));
      return;
    }
}

int
containerd_label (const char *bundle, const char *id, const char *key, const char *value, ocigate_error_t *err)
{
  cleanup_free char *abs = bundle && bundle[0] != '/' ? realpath (bundle, NULL) : NULL;
  cleanup_free char *ns = containerd_bundle_namespace (abs ? abs : bundle, id);
  if (ns == NULL)
    return 0;
  cleanup_free char *address = NULL, *shim_dir = NULL;
  parent_shim (&address, &shim_dir);
  cleanup_free char *beside = shim_dir ? xasprintf ("%s/ctr", shim_dir) : NULL;
  const char *candidates[] = { beside, "/usr/bin/ctr", "/usr/local/bin/ctr" };
  const char *ctr = NULL;
  for (size_t i = 0; i < ARRAY_SIZE (candidates) && ctr == NULL; i++)
    if (candidates[i] && trusted_program (candidates[i]))
      ctr = candidates[i];
  if (ctr == NULL)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL,
                               "no ctr that root alone may write%s%s, /usr/bin or /usr/local/bin",
                               shim_dir ? " in " : "", shim_dir ? shim_dir : "");
  const char *at = address ? address : CONTAINERD_DEFAULT_ADDRESS;
  /* ctr would try to connect until its time is up. */
  struct stat st;
  if (stat (at, &st) < 0 || !S_ISSOCK (st.st_mode))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL,
                               "label containerd's record of %s (namespace %s): no containerd socket at %s%s", id, ns,
                               at, address ? "" : " (no containerd shim above this process names another)");
  /* NAME=VALUE forms: nothing of them reads as another flag. */
  cleanup_free char *a_address = xasprintf ("--address=%s", at);
  cleanup_free char *a_ns = xasprintf ("--namespace=%s", ns);
  cleanup_free char *a_timeout = xasprintf ("--timeout=%dms", CONTAINERD_LABEL_TIMEOUT_MS);
  cleanup_free char *a_label = xasprintf ("%s=%s", key, value);
  cleanup_free char *a_ctr = xstrdup (ctr);
  cleanup_free char *a_id = xstrdup (id);
  char *argv[] = { a_ctr, a_address, a_ns, a_timeout, (char *)"containers", (char *)"label", a_id, a_label, NULL };
  if (cli_run_bounded (argv, CONTAINERD_LABEL_TIMEOUT_MS, err) < 0)
    return ocigate_error_prefix (err, "label containerd's record of %s (namespace %s, %s)", id, ns, a_address + 10);
  return 1;
}
