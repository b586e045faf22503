/* Unit tests for the "user.root" rule: the process must not run as host
 * UID 0; host GID 0 is reported as a warning.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#define RULE "user.root"
#define DENY "{'version': 1, 'rules': {'user.root': {'action': 'deny'}}}"
#define WARN "{'version': 1, 'rules': {'user.root': {'action': 'warn'}}}"
#define NS_NO_USER "{'type': 'pid'}, {'type': 'network'}, {'type': 'mount'}"
#define MAP_100000 "[{'containerID': 0, 'hostID': 100000, 'size': 65536}]"

/* A config: process.user, then the linux.namespaces entries and extra
 * linux members (each may be ""). */
static char *
config (const char *user, const char *namespaces, const char *linux_extra)
{
  return xasprintf ("{'process': {'user': %s, 'args': ['sh']}, 'linux': {'namespaces': [%s]%s%s}}", user, namespaces,
                    *linux_extra ? ", " : "", linux_extra);
}

static void
judge_config (struct judged *j, const char *policy, const char *user, const char *namespaces, const char *linux_extra)
{
  cleanup_free char *c = config (user, namespaces, linux_extra);
  unit_judge_q (j, policy, c);
}

/* A child process in new namespaces of `flags`, held until released, so
 * the test can point a config at /proc/PID/ns/... */
struct ns_child
{
  pid_t pid;
  int hold_fd;
};

static void
ns_child_release (struct ns_child *c)
{
  close (c->hold_fd);
  int status = 0;
  if (waitpid (c->pid, &status, 0) != c->pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    fail_msg ("namespace child did not exit cleanly");
}

/* 0, or the errno of the child's unshare. */
static int
ns_child_start (struct ns_child *c, int flags)
{
  int ready[2], hold[2];
  if (pipe2 (ready, O_CLOEXEC) < 0 || pipe2 (hold, O_CLOEXEC) < 0)
    fail_msg ("pipe: %s", strerror (errno));
  pid_t pid = fork ();
  if (pid < 0)
    fail_msg ("fork: %s", strerror (errno));
  if (pid == 0)
    {
      close (ready[0]);
      close (hold[1]);
      int e = unshare (flags) == 0 ? 0 : errno;
      char b;
      if (write (ready[1], &e, sizeof e) != sizeof e || (e == 0 && read (hold[0], &b, 1) < 0))
        _exit (1);
      _exit (0);
    }
  close (ready[1]);
  close (hold[0]);
  int e = 0;
  if (read (ready[0], &e, sizeof e) != sizeof e)
    e = EIO;
  close (ready[0]);
  c->pid = pid;
  c->hold_fd = hold[1];
  if (e != 0)
    ns_child_release (c);
  return e;
}

static void
write_proc (pid_t pid, const char *file, const char *text)
{
  cleanup_free char *path = xasprintf ("/proc/%d/%s", (int)pid, file);
  cleanup_close int fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, text, strlen (text)) != (ssize_t)strlen (text))
    fail_msg ("write %s: %s", path, strerror (errno));
}

/* uid 0 and no user namespace: host root. */
static void
test_uid0_no_userns (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 0, 'gid': 1000}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/process/user/uid");
  assert_contains (f->message, "host UID 0");
  assert_string_equal (f->message, "process runs as host UID 0 (process.user.uid=0, no user namespace); run as a "
                                   "non-root user (--user UID) or add a user namespace");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* No process.user at all runs as 0:0. */
  unit_judge_q (&j, DENY, "{'process': {'args': ['sh']}, 'linux': {'namespaces': [" NS_NO_USER "]}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_non_null (unit_find (&j.v, RULE, "host UID 0"));
  unit_judged_release (&j);
}

/* 4294967295 is (uid_t) -1: setresuid leaves the runtime's UID 0 (crun
 * runs it so), and setresgid the runtime's GID 0. */
static void
test_uid_minus_one (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 4294967295, 'gid': 4294967295}", NS_NO_USER, "");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  const struct finding *f = unit_find (&j.v, RULE, "host UID 0");
  assert_non_null (f);
  assert_string_equal (f->path, "/process/user/uid");
  assert_contains (f->message, "process.user.uid=4294967295, which is (uid_t) -1");
  assert_non_null (unit_find (&j.v, RULE, "process.user.gid=4294967295, which is (gid_t) -1"));
  unit_judged_release (&j);

  /* 4294967294 is an ordinary ID. */
  judge_config (&j, DENY, "{'uid': 4294967294, 'gid': 4294967294}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_uid1000 (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 1000, 'gid': 1000}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* A user namespace mapping container root onto 100000: not host root. */
static void
test_uid0_mapped_away (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 0, 'gid': 0, 'additionalGids': [0]}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': " MAP_100000 ", 'gidMappings': " MAP_100000);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* A mapping of container 0 (or of the process's UID) onto host 0. */
static void
test_mapping_to_host_root (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 0, 'gid': 1000}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1},"
                " {'containerID': 1, 'hostID': 100001, 'size': 65535}],"
                " 'gidMappings': " MAP_100000);
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/process/user/uid");
  assert_string_equal (j.v.findings[0].message,
                       "process runs as host UID 0 (process.user.uid=0, linux.uidMappings map container 0 to host "
                       "0); map container root to an unprivileged host range");
  unit_judged_release (&j);

  /* A non-root container user mapped onto host root is host root too. */
  judge_config (&j, DENY, "{'uid': 5, 'gid': 1000}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 5},"
                " {'containerID': 5, 'hostID': 0, 'size': 1}], 'gidMappings': " MAP_100000);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_non_null (unit_find (&j.v, RULE, "(process.user.uid=5, linux.uidMappings map container 5 to host 0)"));
  unit_judged_release (&j);
}

/* A new user namespace without mappings: fail closed for root. */
static void
test_userns_without_mappings (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 0, 'gid': 0}", NS_NO_USER ", {'type': 'user'}", "");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/linux/uidMappings");
  assert_string_equal (j.v.findings[0].message,
                       "process runs as UID 0 in a user namespace with no linux.uidMappings (process.user.uid=0); map "
                       "container root to an unprivileged host range");
  unit_judged_release (&j);

  /* Empty lists are no mappings either. */
  judge_config (&j, DENY, "{'uid': 0, 'gid': 0}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': [], 'gidMappings': []");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_string_equal (j.v.findings[0].path, "/linux/uidMappings");
  unit_judged_release (&j);

  judge_config (&j, DENY, "{'uid': 1000, 'gid': 1000}", NS_NO_USER ", {'type': 'user'}", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Host GID 0 is a warning whatever the rule's action. */
static void
test_gid0_warns (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 1000, 'gid': 0}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 0);
  assert_string_equal (j.v.findings[0].path, "/process/user/gid");
  assert_string_equal (j.v.findings[0].message, "process runs with host GID 0 (process.user.gid=0, no user namespace); "
                                                "give it a non-root group (--user UID:GID)");
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  /* Root with group 0: a deny for the UID and a warning for the GID. */
  judge_config (&j, DENY, "{'uid': 0, 'gid': 0}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 2);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  unit_judged_release (&j);

  /* GID 0 mapped onto host 0 in a user namespace. */
  judge_config (&j, DENY, "{'uid': 0, 'gid': 0}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': " MAP_100000 ", 'gidMappings': [{'containerID': 0, 'hostID': 0, 'size': 1}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_WARN);
  assert_contains (j.v.findings[0].message, "(process.user.gid=0, linux.gidMappings map container 0 to host 0)");
  unit_judged_release (&j);
}

/* Supplementary group 0: one warning, at the first such entry. */
static void
test_additional_gid0_warns (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 1000, 'gid': 1000, 'additionalGids': [10, 0, 0]}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_WARN);
  assert_string_equal (j.v.findings[0].path, "/process/user/additionalGids/1");
  assert_string_equal (j.v.findings[0].message,
                       "process is in host group 0 (process.user.additionalGids[1]=0, no user namespace); leave group "
                       "0 out of the supplementary groups");
  unit_judged_release (&j);

  judge_config (&j, DENY, "{'uid': 1000, 'gid': 1000, 'additionalGids': [10, 20]}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* A user namespace ocigate cannot resolve: it cannot tell, so it denies,
 * whatever the UID. */
static void
test_userns_path_missing (void **state UNUSED)
{
  static const char *const users[] = { "{'uid': 0, 'gid': 0}", "{'uid': 1000, 'gid': 1000}" };
  for (size_t i = 0; i < ARRAY_SIZE (users); i++)
    {
      struct judged j;
      judge_config (&j, DENY, users[i], NS_NO_USER ", {'type': 'user', 'path': '/nonexistent/ns/user'}", "");
      assert_int_equal (j.v.n_findings, 1);
      assert_int_equal (j.v.findings[0].action, ACTION_DENY);
      assert_string_equal (j.v.findings[0].path, "/linux/namespaces");
      assert_contains (j.v.findings[0].message, "cannot tell which host UID the process runs as (process.user.uid=");
      assert_contains (j.v.findings[0].message, "cannot stat /nonexistent/ns/user: No such file or directory");
      unit_judged_release (&j);
    }
}

/* Joining the host's own user namespace isolates nothing. */
static void
test_userns_path_is_host (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, DENY, "{'uid': 0, 'gid': 1000}", NS_NO_USER ", {'type': 'user', 'path': '/proc/self/ns/user'}", "");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/process/user/uid");
  assert_string_equal (j.v.findings[0].message,
                       "process runs as host UID 0 (process.user.uid=0, the user namespace entry joins the host's own "
                       "user namespace); run as a non-root user (--user UID) or add a user namespace");
  unit_judged_release (&j);
}

/* Joining another user namespace: its uid_map decides. */
static void
test_userns_joined (void **state UNUSED)
{
  static const struct
  {
    const char *uid_map;
    size_t findings;
  } cases[] = { { "0 100000 65536\n", 0 }, { "0 0 1\n1 100001 65535\n", 1 } };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct ns_child child;
      int e = ns_child_start (&child, CLONE_NEWUSER);
      if (e == EPERM || e == EINVAL || e == ENOSPC)
        skip ();
      assert_int_equal (e, 0);
      write_proc (child.pid, "uid_map", cases[i].uid_map);
      write_proc (child.pid, "gid_map", "0 100000 65536\n");
      cleanup_free char *ns = xasprintf (NS_NO_USER ", {'type': 'user', 'path': '/proc/%d/ns/user'}", (int)child.pid);
      struct judged j;
      judge_config (&j, DENY, "{'uid': 0, 'gid': 0}", ns, "");
      ns_child_release (&child);
      assert_int_equal (j.v.n_findings, cases[i].findings);
      if (cases[i].findings)
        {
          assert_int_equal (j.v.findings[0].action, ACTION_DENY);
          assert_string_equal (j.v.findings[0].path, "/process/user/uid");
          assert_contains (j.v.findings[0].message,
                           "(process.user.uid=0, the joined user namespace maps container 0 to host 0)");
        }
      unit_judged_release (&j);
    }
}

/* The policy's action is the UID finding's action. */
static void
test_action_warn (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, WARN, "{'uid': 0, 'gid': 1000}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_WARN);
  assert_string_equal (j.v.findings[0].path, "/process/user/uid");
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_config (&j, WARN, "{'uid': 1000, 'gid': 1000}", NS_NO_USER ", {'type': 'user', 'path': '/nonexistent'}", "");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_non_null (unit_find (&j.v, RULE, "cannot tell"));
  unit_judged_release (&j);

  judge_config (&j, "{'version': 1, 'rules': {'user.root': {'action': 'off'}}}", "{'uid': 0, 'gid': 0}", NS_NO_USER,
                "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* requireNonRoot (runAsNonRoot): container UID 0 is refused wherever a
 * user namespace maps it. */
#define NONROOT(action, value)                                                                                         \
  "{'version': 1, 'rules': {'user.root': {'action': '" action "', 'requireNonRoot': " value "}}}"
#define MSG_NONROOT                                                                                                    \
  "process runs as UID 0 in the container (process.user.uid=0; the policy requires a non-root user even with a user "  \
  "namespace); run as a non-root user (--user UID)"

static void
test_require_non_root_mapped (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, NONROOT ("deny", "true"), "{'uid': 0, 'gid': 0}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': " MAP_100000 ", 'gidMappings': " MAP_100000);
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/process/user/uid");
  assert_string_equal (f->message, MSG_NONROOT);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* The default, and false, keep the old verdict: mapped root passes. */
  judge_config (&j, NONROOT ("deny", "false"), "{'uid': 0, 'gid': 0}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': " MAP_100000 ", 'gidMappings': " MAP_100000);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Non-root passes; no process.user at all is UID 0. */
  judge_config (&j, NONROOT ("deny", "true"), "{'uid': 1000, 'gid': 1000}", NS_NO_USER ", {'type': 'user'}",
                "'uidMappings': " MAP_100000 ", 'gidMappings': " MAP_100000);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  unit_judge_q (&j, NONROOT ("warn", "true"),
                "{'process': {'args': ['sh']}, 'linux': {'namespaces': [" NS_NO_USER
                ", {'type': 'user'}], 'uidMappings': " MAP_100000 ", 'gidMappings': " MAP_100000 "}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_WARN);
  assert_string_equal (j.v.findings[0].message, MSG_NONROOT);
  unit_judged_release (&j);
}

/* Next to the host-root findings, requireNonRoot adds its own, after the
 * UID finding and before the GID warnings; those keep their text. */
static void
test_require_non_root_with_others (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, NONROOT ("deny", "true"), "{'uid': 0, 'gid': 0}", NS_NO_USER, "");
  assert_int_equal (j.v.n_findings, 3);
  assert_string_equal (j.v.findings[0].message, "process runs as host UID 0 (process.user.uid=0, no user namespace); "
                                                "run as a non-root user (--user UID) or add a user namespace");
  assert_string_equal (j.v.findings[1].message, MSG_NONROOT);
  assert_int_equal (j.v.findings[1].action, ACTION_DENY);
  assert_string_equal (j.v.findings[2].path, "/process/user/gid");
  assert_int_equal (j.v.findings[2].action, ACTION_WARN);
  unit_judged_release (&j);

  /* A user namespace without mappings: both findings. */
  judge_config (&j, NONROOT ("deny", "true"), "{'uid': 0, 'gid': 0}", NS_NO_USER ", {'type': 'user'}", "");
  assert_int_equal (j.v.n_findings, 2);
  assert_string_equal (j.v.findings[0].path, "/linux/uidMappings");
  assert_string_equal (j.v.findings[1].message, MSG_NONROOT);
  unit_judged_release (&j);

  /* A namespace ocigate cannot read: UID 0 is still known. */
  judge_config (&j, NONROOT ("deny", "true"), "{'uid': 0, 'gid': 0}",
                NS_NO_USER ", {'type': 'user', 'path': '/nonexistent/ns/user'}", "");
  assert_int_equal (j.v.n_findings, 2);
  assert_non_null (unit_find (&j.v, RULE, "cannot tell which host UID"));
  assert_non_null (unit_find (&j.v, RULE, "the policy requires a non-root user"));
  unit_judged_release (&j);
}

static void
test_require_non_root_policy (void **state UNUSED)
{
  cleanup_free char *p1 = dq (NONROOT ("deny", "'yes'"));
  cleanup_free char *e1 = unit_policy_error (p1);
  assert_contains (e1, "rules.user.root.requireNonRoot: must be true or false");
  cleanup_free char *p2 = dq ("{'version': 1, 'rules': {'user.root': {'action': 'deny', 'runAsNonRoot': true}}}");
  cleanup_free char *e2 = unit_policy_error (p2);
  assert_contains (e2, "rules.user.root.runAsNonRoot: unknown option (this rule takes: action, requireNonRoot)");
  assert_string_equal (rule_find (RULE)->default_options, "{\"requireNonRoot\": false}");

  /* Shown with its default by "policy show". */
  cleanup_free char *p3 = dq (DENY);
  cleanup_policy struct policy *pol = unit_policy (p3);
  cleanup_json json_object *shown = policy_to_json (pol);
  assert_string_equal (json_object_to_json_string (json_get (json_get (shown, "rules"), RULE)),
                       "{ \"action\": \"deny\", \"requireNonRoot\": false }");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_uid0_no_userns),
    cmocka_unit_test (test_uid_minus_one),
    cmocka_unit_test (test_uid1000),
    cmocka_unit_test (test_uid0_mapped_away),
    cmocka_unit_test (test_mapping_to_host_root),
    cmocka_unit_test (test_userns_without_mappings),
    cmocka_unit_test (test_gid0_warns),
    cmocka_unit_test (test_additional_gid0_warns),
    cmocka_unit_test (test_userns_path_missing),
    cmocka_unit_test (test_userns_path_is_host),
    cmocka_unit_test (test_userns_joined),
    cmocka_unit_test (test_action_warn),
    cmocka_unit_test (test_require_non_root_mapped),
    cmocka_unit_test (test_require_non_root_with_others),
    cmocka_unit_test (test_require_non_root_policy),
  };
  return cmocka_run_group_tests_name ("rule user.root", tests, NULL, NULL);
}
