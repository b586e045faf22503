/* sysprobe: tells whether seccomp or the kernel answered a system call.
 *
 * For each name given, it makes the call with arguments the kernel itself
 * refuses with EINVAL before it looks at any capability, and prints
 * "NAME=EINVAL" (the call reached the kernel: the seccomp profile allows
 * it), or the errno the profile answers a call it does not allow with:
 * "NAME=EPERM" (Docker's default action) or "NAME=ENOSYS" (Podman's,
 * defaultErrnoRet 38); the kernel would have said EINVAL.  Built static by the
 * e2e tests and copied into their busybox root.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static long
probe (const char *name)
{
  /* perf_event_open: unknown flags, refused before the attributes are read. */
  if (strcmp (name, "perf_event_open") == 0)
    return syscall (SYS_perf_event_open, NULL, 0, -1, -1, ~0UL);
  /* quotactl: a quota type past MAXQUOTAS, refused before any permission. */
  if (strcmp (name, "quotactl") == 0)
    return syscall (SYS_quotactl, 0xdead, NULL, 0, NULL);
  /* clock_settime: no such clock, refused before CAP_SYS_TIME is asked. */
  if (strcmp (name, "clock_settime") == 0)
    return syscall (SYS_clock_settime, 0x7fff, NULL);
  errno = ENOSYS;
  return -2;
}

int
main (int argc, char **argv)
{
  int status = 0;
  for (int i = 1; i < argc; i++)
    {
      errno = 0;
      long r = probe (argv[i]);
      if (r == -2)
        {
          fprintf (stderr, "sysprobe: unknown call %s\n", argv[i]);
          status = 2;
          continue;
        }
      const char *what = r >= 0            ? "OK"
                         : errno == EPERM  ? "EPERM"
                         : errno == EINVAL ? "EINVAL"
                         : errno == ENOSYS ? "ENOSYS"
                                           : strerror (errno);
      printf ("%s=%s\n", argv[i], what);
    }
  return status;
}
