/* Unit tests for core/live.c: a container process's mounts read from a
 * mountinfo and looked up through its root, on a fake /proc whose
 * PID/root is a directory of this test.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/live.h"

static char proc_dir[] = "/tmp/ocigate-unit-live-XXXXXX";

static void
put (const char *rel, const char *text)
{
  cleanup_free char *path = xasprintf ("%s/%s", proc_dir, rel);
  FILE *f = fopen (path, "w");
  assert_non_null (f);
  fputs (text, f);
  fclose (f);
}

static void
dir (const char *rel)
{
  cleanup_free char *path = xasprintf ("%s/%s", proc_dir, rel);
  assert_int_equal (mkdir (path, 0755), 0);
}

static int
setup (void **state UNUSED)
{
  if (mkdtemp (proc_dir) == NULL)
    return -1;
  dir ("42");
  dir ("42/root");
  dir ("42/root/b");
  dir ("42/root/b/rootfs");
  dir ("42/root/b/rootfs/with space");
  dir ("42/root/b/rootfs/proc");
  dir ("42/root/elsewhere");
  cleanup_free char *link = xasprintf ("%s/42/root/b/rootfs/linked", proc_dir);
  cleanup_free char *target = xasprintf ("%s/42/root/elsewhere", proc_dir);
  assert_int_equal (symlink (target, link), 0);
  put ("42/mountinfo", "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                       "30 22 8:1 /b/rootfs /b/rootfs rw - ext4 /dev/sda1 rw\n"
                       "31 30 0:5 / /b/rootfs/proc rw,nosuid - proc proc rw\n"
                       "32 30 8:1 /etc /b/rootfs/with\\040space ro master:3 - ext4 /dev/sda1 rw\n"
                       "33 30 8:1 / /b/rootfs/linked/x rw - ext4 /dev/sda1 rw\n"
                       "34 30 0:6 / /b/rootfs/proc rw - tmpfs tmpfs rw\n"
                       "35 22 0:7 / /b/rootfs-other rw - tmpfs tmpfs rw\n");
  return 0;
}

static int
teardown (void **state UNUSED)
{
  cleanup_free char *cmd = xasprintf ("rm -rf '%s'", proc_dir);
  return system (cmd) == 0 ? 0 : -1;
}

static void
live_at (struct live_process *lp, struct host_info *host)
{
  host_info_init (host);
  host->proc_path = proc_dir;
  live_process_init (lp, host, 42);
}

/* Only mounts at or below the root file system; escapes undone; a mount
 * under another on the same point is covered; each is looked up without
 * following a link. */
static void
test_mounts_below (void **state UNUSED)
{
  cleanup_host_info struct host_info host;
  cleanup_live_process struct live_process lp;
  live_at (&lp, &host);
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (live_process_check (&lp, &err), 0);
  const struct live_mount *m = NULL;
  size_t n = 0;
  assert_int_equal (live_mounts (&lp, "/b/rootfs", &m, &n, &err), 0);
  assert_int_equal (n, 5);
  assert_string_equal (m[0].mount_point, "/b/rootfs");
  assert_string_equal (m[1].mount_point, "/b/rootfs/proc");
  assert_true (m[1].covered);
  assert_string_equal (m[2].mount_point, "/b/rootfs/with space");
  assert_string_equal (m[2].root, "/etc");
  assert_string_equal (m[2].fstype, "ext4");
  assert_int_equal (m[2].stat_error, 0);
  assert_true (S_ISDIR (m[2].mode));
  struct stat st;
  cleanup_free char *real = xasprintf ("%s/42/root/b/rootfs/with space", proc_dir);
  assert_int_equal (stat (real, &st), 0);
  assert_int_equal (m[2].ino, st.st_ino);
  /* a link on the way is not followed */
  assert_string_equal (m[3].mount_point, "/b/rootfs/linked/x");
  assert_int_equal (m[3].stat_error, ELOOP);
  assert_false (m[4].covered);
  assert_string_equal (m[4].fstype, "tmpfs");
  assert_string_equal (m[4].source, "tmpfs");
}

static void
test_gone (void **state UNUSED)
{
  cleanup_host_info struct host_info host;
  host_info_init (&host);
  host.proc_path = proc_dir;
  cleanup_live_process struct live_process lp;
  live_process_init (&lp, &host, 43);
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (live_process_check (&lp, &err), -1);
  assert_non_null (strstr (err->msg, "the container's process (PID 43, from the OCI state) cannot be judged"));
  cleanup_free char *ns = live_ns_path (&lp, NS_NETWORK);
  cleanup_free char *want = xasprintf ("%s/43/ns/net", proc_dir);
  assert_string_equal (ns, want);
}

static void
test_bad_mountinfo (void **state UNUSED)
{
  put ("42/mountinfo", "22 1 8:1 / / rw,relatime shared:1 ext4 /dev/sda1 rw\n");
  cleanup_host_info struct host_info host;
  cleanup_live_process struct live_process lp;
  live_at (&lp, &host);
  cleanup_error ocigate_error_t err = NULL;
  const struct live_mount *m = NULL;
  size_t n = 0;
  assert_int_equal (live_mounts (&lp, "/", &m, &n, &err), -1);
  assert_non_null (strstr (err->msg, "mountinfo: line 1 cannot be read"));
}

static void
test_userns_owner (void **state UNUSED)
{
  uid_t owner = 1;
  cleanup_free char *why = NULL;
  assert_int_equal (live_userns_owner ("/proc/self/ns/user", &owner, &why), 0);
  /* this test's own user namespace: the host's, which nobody created, or
   * one whose creator the kernel names */
  cleanup_free char *bad = NULL;
  assert_int_equal (live_userns_owner ("/proc/self/status", &owner, &bad), -1);
  assert_non_null (strstr (bad, "cannot read who owns the user namespace at /proc/self/status"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_mounts_below),
    cmocka_unit_test (test_gone),
    cmocka_unit_test (test_bad_mountinfo),
    cmocka_unit_test (test_userns_owner),
  };
  return cmocka_run_group_tests_name ("live", tests, setup, teardown);
}
