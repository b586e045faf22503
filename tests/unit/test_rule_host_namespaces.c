/* Unit tests for the hostNamespaces.* rules: the container does not share
 * (or join) the host's pid, network, ipc, uts or cgroup namespace.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PID_RULE "hostNamespaces.pid"
#define NET_RULE "hostNamespaces.network"
#define MAP                                                                                                            \
  "'uidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536}], "                                             \
  "'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536}]"

/* A child process in a new namespace of `flags`, held until released, so
 * a config can point at /proc/PID/ns/... */
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

/* A child in a new network namespace, or skip() where none can be made. */
static void
net_child_start (struct ns_child *c)
{
  int e = ns_child_start (c, CLONE_NEWNET);
  if (e == EPERM)
    skip ();
  if (e != 0)
    fail_msg ("unshare(CLONE_NEWNET): %s", strerror (e));
}

static char *
policy (const char *rule, const char *action, const char *when)
{
  return xasprintf ("{'version': 1, 'rules': {'%s': {'action': '%s', 'when': '%s'}}}", rule, action, when);
}

/* Judge linux.namespaces [namespaces] (plus extra linux members) under one
 * hostNamespaces rule. */
static void
judge_ns (struct judged *j, const char *rule, const char *action, const char *when, const char *namespaces,
          const char *linux_extra)
{
  cleanup_free char *p0 = policy (rule, action, when);
  cleanup_free char *c0 = xasprintf ("{'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}, "
                                     "'linux': {'namespaces': [%s]%s%s}}",
                                     namespaces, *linux_extra ? ", " : "", linux_extra);
  cleanup_free char *p = dq (p0);
  cleanup_free char *c = dq (c0);
  unit_judge (j, p, c);
}

/* A config whose network namespace is at `path`, judged under `action`. */
static void
judge_net_path (struct judged *j, const char *action, const char *path)
{
  cleanup_free char *ns = xasprintf ("{'type': 'pid'}, {'type': 'network', 'path': '%s'}, {'type': 'mount'}", path);
  judge_ns (j, NET_RULE, action, "always", ns, "");
}

static void
assert_one (const struct judged *j, const char *rule, enum action action, const char *path, const char *message)
{
  if (j->v.n_findings != 1)
    fail_msg ("expected one finding, got %zu (first: %s)", j->v.n_findings,
              j->v.n_findings ? j->v.findings[0].message : "none");
  const struct finding *f = &j->v.findings[0];
  assert_string_equal (f->rule, rule);
  assert_int_equal (f->action, action);
  assert_string_equal (f->path, path);
  assert_string_equal (f->message, message);
}

/* No "pid" entry: the container shares the host's PID namespace. */
static void
test_missing_pid_always (void **state UNUSED)
{
  struct judged j;
  judge_ns (&j, PID_RULE, "deny", "always", "{'type': 'network'}, {'type': 'mount'}", "");
  assert_one (&j, PID_RULE, ACTION_DENY, "/linux/namespaces",
              "container shares the host's pid namespace (linux.namespaces has no \"pid\" entry); drop --pid host so "
              "the runtime creates a new one");
  unit_judged_release (&j);

  /* With the entry, nothing. */
  judge_ns (&j, PID_RULE, "deny", "always", "{'type': 'pid'}, {'type': 'network'}", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* An empty path is a new namespace too. */
  judge_ns (&j, PID_RULE, "deny", "always", "{'type': 'pid', 'path': ''}", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* when=userns judges only configs with a user namespace. */
static void
test_missing_pid_when_userns (void **state UNUSED)
{
  struct judged j;
  judge_ns (&j, PID_RULE, "deny", "userns", "{'type': 'network'}, {'type': 'mount'}", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  judge_ns (&j, PID_RULE, "deny", "userns", "{'type': 'network'}, {'type': 'mount'}, {'type': 'user'}", MAP);
  assert_one (&j, PID_RULE, ACTION_DENY, "/linux/namespaces",
              "container shares the host's pid namespace (linux.namespaces has no \"pid\" entry, with a user "
              "namespace); drop --pid host so the runtime creates a new one");
  unit_judged_release (&j);

  /* Joining the host's own user namespace is no user namespace. */
  judge_ns (&j, PID_RULE, "deny", "userns", "{'type': 'network'}, {'type': 'user', 'path': '/proc/self/ns/user'}", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Each rule judges its own type and names its own engine flag. */
static void
test_each_type (void **state UNUSED)
{
  static const struct
  {
    const char *type, *flag;
  } types[] = { { "pid", "--pid host" },
                { "network", "--network host" },
                { "ipc", "--ipc host" },
                { "uts", "--uts host" },
                { "cgroup", "--cgroupns host" } };
  static const char *const all = "{'type': 'pid'}, {'type': 'network'}, {'type': 'ipc'}, {'type': 'uts'}, "
                                 "{'type': 'cgroup'}, {'type': 'mount'}";
  for (size_t i = 0; i < ARRAY_SIZE (types); i++)
    {
      cleanup_free char *rule = xasprintf ("hostNamespaces.%s", types[i].type);
      struct judged j;
      judge_ns (&j, rule, "warn", "always", "{'type': 'mount'}", "");
      cleanup_free char *msg = xasprintf ("container shares the host's %s namespace (linux.namespaces has no \"%s\" "
                                          "entry); drop %s so the runtime creates a new one",
                                          types[i].type, types[i].type, types[i].flag);
      assert_one (&j, rule, ACTION_WARN, "/linux/namespaces", msg);
      unit_judged_release (&j);

      judge_ns (&j, rule, "deny", "always", all, "");
      assert_int_equal (j.v.n_findings, 0);
      unit_judged_release (&j);
    }

  /* No linux section at all: every host namespace is shared. */
  struct policy *p = unit_policy ("{\"version\": 1, \"rules\": {"
                                  "\"hostNamespaces.pid\": {\"action\": \"deny\"},"
                                  "\"hostNamespaces.network\": {\"action\": \"deny\"},"
                                  "\"hostNamespaces.ipc\": {\"action\": \"deny\"},"
                                  "\"hostNamespaces.uts\": {\"action\": \"deny\"},"
                                  "\"hostNamespaces.cgroup\": {\"action\": \"deny\"}}}");
  struct oci_config *cfg = unit_config ("{\"process\": {\"args\": [\"sh\"]}}");
  struct host_info host;
  unit_host (&host, 0, 0);
  struct rule_context ctx = { .config = cfg, .host = &host };
  struct verdict v = { 0 };
  ocigate_error_t err = NULL;
  assert_int_equal (ocigate_evaluate (p, &ctx, &v, &err), 0);
  assert_int_equal (v.n_findings, 5);
  for (size_t i = 0; i < ARRAY_SIZE (types); i++)
    {
      cleanup_free char *rule = xasprintf ("hostNamespaces.%s", types[i].type);
      assert_int_equal (unit_count (&v, rule, ACTION_DENY), 1);
    }
  verdict_release (&v);
  host_info_release (&host);
  oci_config_free (cfg);
  policy_free (p);
}

/* A path to the host's own namespace joins it. */
static void
test_path_self_ns (void **state UNUSED)
{
  struct judged j;
  judge_net_path (&j, "deny", "/proc/self/ns/net");
  assert_one (&j, NET_RULE, ACTION_DENY, "/linux/namespaces/1/path",
              "container joins the host's network namespace (linux.namespaces[1].path=/proc/self/ns/net); drop "
              "--network host");
  unit_judged_release (&j);

  /* With a user namespace, the message says so. */
  judge_ns (&j, NET_RULE, "deny", "userns", "{'type': 'user'}, {'type': 'network', 'path': '/proc/self/ns/net'}", MAP);
  assert_one (&j, NET_RULE, ACTION_DENY, "/linux/namespaces/1/path",
              "container joins the host's network namespace (linux.namespaces[1].path=/proc/self/ns/net, with a user "
              "namespace); drop --network host");
  unit_judged_release (&j);
}

/* PID 1's namespace is the host's too, where /proc/1 can be read. */
static void
test_path_pid1_ns (void **state UNUSED)
{
  struct stat st;
  if (stat ("/proc/1/ns/net", &st) < 0)
    {
      /* hidden here (hidepid, or a sandbox) */
      print_message ("# skipped: /proc/1/ns/net cannot be read on this host: %s\n", strerror (errno));
      skip ();
    }
  struct judged j;
  judge_net_path (&j, "deny", "/proc/1/ns/net");
  assert_one (&j, NET_RULE, ACTION_DENY, "/linux/namespaces/1/path",
              "container joins the host's network namespace (linux.namespaces[1].path=/proc/1/ns/net); drop --network "
              "host");
  unit_judged_release (&j);
}

/* A path that does not exist cannot be judged: fail closed. */
static void
test_path_missing (void **state UNUSED)
{
  struct judged j;
  judge_net_path (&j, "deny", "/nonexistent/ns/net");
  assert_one (&j, NET_RULE, ACTION_DENY, "/linux/namespaces/1/path",
              "cannot tell whether the network namespace is the host's (linux.namespaces[1].path=/nonexistent/ns/net: "
              "cannot stat /nonexistent/ns/net: No such file or directory); judge the config where that path exists, "
              "or let the runtime create the namespace");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  judge_net_path (&j, "warn", "/nonexistent/ns/net");
  assert_int_equal (unit_count (&j.v, NET_RULE, ACTION_WARN), 1);
  assert_non_null (unit_find (&j.v, NET_RULE, "cannot tell"));
  unit_judged_release (&j);
}

/* A regular file is not a namespace. */
static void
test_path_regular_file (void **state UNUSED)
{
  struct judged j;
  judge_net_path (&j, "deny", UNIT_FIXTURES "/passwd");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/linux/namespaces/1/path");
  assert_contains (j.v.findings[0].message, "cannot tell whether the network namespace is the host's "
                                            "(linux.namespaces[1].path=" UNIT_FIXTURES "/passwd: " UNIT_FIXTURES
                                            "/passwd is not a namespace file)");
  unit_judged_release (&j);

  /* Nor is a directory. */
  judge_net_path (&j, "deny", "/proc/self/ns");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "/proc/self/ns is not a namespace file");
  unit_judged_release (&j);
}

/* Another real network namespace: a child that unshared one. */
static void
test_path_other_ns (void **state UNUSED)
{
  struct ns_child child;
  net_child_start (&child);

  cleanup_free char *path = xasprintf ("/proc/%d/ns/net", (int)child.pid);
  struct judged j;
  judge_net_path (&j, "deny", path);
  size_t n = j.v.n_findings;
  cleanup_free char *msg = n ? xstrdup (j.v.findings[0].message) : NULL;
  unit_judged_release (&j);

  /* The same child's PID namespace is still the host's. */
  cleanup_free char *ns = xasprintf ("{'type': 'pid', 'path': '/proc/%d/ns/pid'}", (int)child.pid);
  judge_ns (&j, PID_RULE, "deny", "always", ns, "");
  size_t n_pid = j.v.n_findings;
  cleanup_free char *pid_msg = n_pid ? xstrdup (j.v.findings[0].message) : NULL;
  unit_judged_release (&j);

  ns_child_release (&child);
  if (n != 0)
    fail_msg ("another network namespace was judged: %s", msg);
  assert_int_equal (n_pid, 1);
  assert_contains (pid_msg, "container joins the host's pid namespace");
}

/* The host's namespaces are read from host->proc_path: self and 1.  A fake
 * /proc whose "1" is in another network namespace shows that PID 1 counts
 * on its own, and one with neither cannot judge anything. */
static void
test_host_reference_from_proc_path (void **state UNUSED)
{
  struct ns_child child;
  net_child_start (&child);
  char dir[] = "/tmp/ocigate-unit-proc.XXXXXX";
  if (mkdtemp (dir) == NULL)
    fail_msg ("mkdtemp: %s", strerror (errno));
  cleanup_free char *d1 = xasprintf ("%s/1", dir);
  cleanup_free char *d1ns = xasprintf ("%s/1/ns", dir);
  cleanup_free char *link = xasprintf ("%s/1/ns/net", dir);
  cleanup_free char *target = xasprintf ("/proc/%d/ns/net", (int)child.pid);
  assert_int_equal (mkdir (d1, 0755), 0);
  assert_int_equal (mkdir (d1ns, 0755), 0);
  assert_int_equal (symlink (target, link), 0);

  cleanup_free char *p = dq ("{'version': 1, 'rules': {'hostNamespaces.network': {'action': 'deny'}}}");
  cleanup_free char *c0 = xasprintf ("{'process': {'args': ['sh']}, 'linux': {'namespaces': "
                                     "[{'type': 'network', 'path': '%s'}]}}",
                                     target);
  cleanup_free char *c = dq (c0);
  struct policy *policy = unit_policy (p);
  struct oci_config *cfg = unit_config (c);
  struct host_info host;
  unit_host (&host, 0, 0);
  host.proc_path = dir;
  struct rule_context ctx = { .config = cfg, .host = &host };
  struct verdict v = { 0 }, v2 = { 0 };
  ocigate_error_t err = NULL;
  int r = ocigate_evaluate (policy, &ctx, &v, &err);

  /* Without any reference the rule cannot tell. */
  unlink (link);
  int r2 = ocigate_evaluate (policy, &ctx, &v2, &err);
  rmdir (d1ns);
  rmdir (d1);
  rmdir (dir);
  ns_child_release (&child);

  assert_int_equal (r, 0);
  assert_int_equal (v.n_findings, 1);
  assert_string_equal (v.findings[0].path, "/linux/namespaces/0/path");
  cleanup_free char *want = xasprintf ("container joins the host's network namespace (linux.namespaces[0].path=%s); "
                                       "drop --network host",
                                       target);
  assert_string_equal (v.findings[0].message, want);

  assert_int_equal (r2, 0);
  assert_int_equal (v2.n_findings, 1);
  cleanup_free char *want2 = xasprintf ("cannot read the host's network namespace from %s", dir);
  assert_contains (v2.findings[0].message, "cannot tell whether the network namespace is the host's");
  assert_contains (v2.findings[0].message, want2);

  verdict_release (&v);
  verdict_release (&v2);
  host_info_release (&host);
  oci_config_free (cfg);
  policy_free (policy);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_missing_pid_always),
    cmocka_unit_test (test_missing_pid_when_userns),
    cmocka_unit_test (test_each_type),
    cmocka_unit_test (test_path_self_ns),
    cmocka_unit_test (test_path_pid1_ns),
    cmocka_unit_test (test_path_missing),
    cmocka_unit_test (test_path_regular_file),
    cmocka_unit_test (test_path_other_ns),
    cmocka_unit_test (test_host_reference_from_proc_path),
  };
  return cmocka_run_group_tests_name ("rule hostNamespaces", tests, NULL, NULL);
}
