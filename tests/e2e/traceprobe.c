/* traceprobe: whether a process of the container can make a system call
 * its seccomp profile answers with SCMP_ACT_TRACE run, by tracing its own
 * child.  perf_event_open is made with flags the kernel refuses (EINVAL)
 * once the call reaches it; the profile's answers are ENOSYS (a trace with
 * no tracer) or EPERM (Docker's default action).  Prints "untraced=WHAT"
 * for the call made directly, then "traced=WHAT" for the child's, made
 * under a tracer that asked for seccomp events (PTRACE_O_TRACESECCOMP) and
 * lets each go on: the kernel then runs the filter again and takes a
 * second SECCOMP_RET_TRACE as an allow.  Built static by the e2e tests.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
what (long r)
{
  return r >= 0            ? "OK"
         : errno == EINVAL ? "EINVAL"
         : errno == ENOSYS ? "ENOSYS"
         : errno == EPERM  ? "EPERM"
                           : strerror (errno);
}

static long
probe (void)
{
  return syscall (SYS_perf_event_open, NULL, 0, -1, -1, ~0UL);
}

int
main (void)
{
  long r = probe ();
  printf ("untraced=%s\n", what (r));
  fflush (stdout);
  pid_t pid = fork ();
  if (pid < 0)
    return 1;
  if (pid == 0)
    {
      if (ptrace (PTRACE_TRACEME, 0, 0, 0) < 0)
        {
          printf ("traced=no ptrace: %s\n", strerror (errno));
          fflush (stdout);
          _exit (1);
        }
      raise (SIGSTOP);
      r = probe ();
      printf ("traced=%s\n", what (r));
      fflush (stdout);
      _exit (0);
    }
  int st = 0;
  if (waitpid (pid, &st, 0) < 0 || WIFEXITED (st))
    return 1;
  ptrace (PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESECCOMP);
  ptrace (PTRACE_CONT, pid, 0, 0);
  for (;;)
    {
      if (waitpid (pid, &st, 0) < 0 || WIFEXITED (st) || WIFSIGNALED (st))
        break;
      ptrace (PTRACE_CONT, pid, 0, 0);
    }
  return 0;
}
