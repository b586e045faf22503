/* Unit tests for the "hooks" rule: no config hook the runtime runs as root
 * but ocigate's own, Docker's network hook verified on its process, and the
 * programs the policy allows, each a file only root can replace.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "rules/table.h"

#define RULE "hooks"
#define DENY "{'version': 1, 'rules': {'hooks': {'action': 'deny'}}}"
#define MSG_SH                                                                                                         \
  "config hook runs /bin/sh on the host as root (hooks.poststart[0].path=/bin/sh); remove the hook, or list the "      \
  "path in rules.hooks.allow"

/* A private directory (mode 0700, under the sticky /tmp) holding a
 * stand-in for ocigate's binary, an allowed program, a fake dockerd and a
 * fake /proc; host facts point there. */
static char dir[64];
static char self_exe[128], prog[128], dockerd[128], proc[128];

static void
write_file (const char *path, const char *text, mode_t mode)
{
  FILE *f = fopen (path, "w");
  assert_non_null (f);
  fputs (text, f);
  assert_int_equal (fclose (f), 0);
  assert_int_equal (chmod (path, mode), 0);
}

/* /proc/PID of the fake proc: exe links to target, status has uid. */
static void
fake_process (unsigned pid, const char *target, unsigned uid)
{
  cleanup_free char *p = xasprintf ("%s/%u", proc, pid);
  assert_int_equal (mkdir (p, 0755), 0);
  cleanup_free char *exe = xasprintf ("%s/exe", p);
  assert_int_equal (symlink (target, exe), 0);
  cleanup_free char *status = xasprintf ("%s/status", p);
  cleanup_free char *text = xasprintf ("Name:\tdockerd\nUid:\t%u\t%u\t%u\t%u\nGid:\t0\t0\t0\t0\n", uid, uid, uid, uid);
  write_file (status, text, 0644);
}

static int
setup (void **state UNUSED)
{
  snprintf (dir, sizeof dir, "/tmp/ocigate-hooks-XXXXXX");
  if (mkdtemp (dir) == NULL)
    return -1;
  snprintf (self_exe, sizeof self_exe, "%s/ocigate", dir);
  snprintf (prog, sizeof prog, "%s/prog", dir);
  snprintf (dockerd, sizeof dockerd, "%s/dockerd", dir);
  snprintf (proc, sizeof proc, "%s/proc", dir);
  write_file (self_exe, "#!/bin/true\n", 0755);
  write_file (prog, "#!/bin/true\n", 0755);
  write_file (dockerd, "#!/bin/true\n", 0755);
  if (mkdir (proc, 0755) < 0)
    return -1;
  fake_process (4242, dockerd, 0);
  fake_process (4243, dockerd, 1000);
  fake_process (4244, prog, 0);
  return 0;
}

static int
teardown (void **state UNUSED)
{
  cleanup_free char *cmd = xasprintf ("rm -rf '%s'", dir);
  return system (cmd) == 0 ? 0 : -1;
}

static void
fake_host (struct host_info *host)
{
  host->self_exe_path = self_exe;
  host->proc_path = proc;
}

/* Judge a config with these hooks (JSON, ' for ") under policy. */
static void
judge (struct judged *j, const char *policy, const char *hooks)
{
  cleanup_free char *c = xasprintf ("{'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}, "
                                    "'root': {'path': 'rootfs'}, 'hooks': %s}",
                                    hooks);
  unit_judge_q_on (j, policy, c, fake_host);
}

static void
test_host_root_hooks (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, "{'poststart': [{'path': '/bin/sh', 'args': ['sh', '-c', 'touch /tmp/owned']}]}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].rule, RULE);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/hooks/poststart/0");
  assert_string_equal (j.v.findings[0].message, MSG_SH);
  unit_judged_release (&j);

  /* Every stage that runs as root, each hook its own finding. */
  judge (&j, DENY,
         "{'prestart': [{'path': '/bin/true'}, {'path': '/bin/false'}], 'createRuntime': [{'path': '/bin/true'}], "
         "'createContainer': [{'path': '/bin/true'}], 'poststop': [{'path': '/bin/true'}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 5);
  assert_string_equal (j.v.findings[1].path, "/hooks/prestart/1");
  assert_contains (unit_find (&j.v, RULE, "createContainer")->message,
                   "runs /bin/true as root before the container's root is entered");
  unit_judged_release (&j);

  /* startContainer runs in the container: not judged, not even read. */
  judge (&j, DENY, "{'startContainer': [{'path': '/bin/sh'}, 7]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* warn reports the same. */
  judge (&j, "{'version': 1, 'rules': {'hooks': {'action': 'warn'}}}", "{'poststop': [{'path': '/bin/sh'}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  unit_judged_release (&j);
}

static void
test_own_hook (void **state UNUSED)
{
  struct judged j;
  /* Podman's hooks.d prestart hook and the refusing hook precreate adds. */
  cleanup_free char *own = xasprintf ("{'prestart': [{'path': '%s', 'args': ['ocigate', 'hook', '--refuse', 'x']}, "
                                      "{'path': '%s', 'args': ['ocigate', 'hook', '--stage', 'prestart']}], "
                                      "'createRuntime': [{'path': '%s', 'args': ['/usr/bin/ocigate', 'hook']}]}",
                                      self_exe, self_exe, self_exe);
  judge (&j, DENY, own);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* The same file by another name (compared by device and inode). */
  cleanup_free char *link = xasprintf ("%s/ocigate-link", dir);
  assert_int_equal (symlink (self_exe, link), 0);
  cleanup_free char *linked = xasprintf ("{'prestart': [{'path': '%s', 'args': ['ocigate', 'hook']}]}", link);
  judge (&j, DENY, linked);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  assert_int_equal (unlink (link), 0);

  /* ocigate run as anything but `ocigate hook` is not its own hook. */
  static const char *const not_hook[] = { "['ocigate', 'fix', '-o', '/etc/x', 'c.json']", "['ocigate']", "[]",
                                          "['ocigate-runc', 'hook']", "['/usr/bin/ocigate-crun', 'hook']" };
  for (size_t i = 0; i < ARRAY_SIZE (not_hook); i++)
    {
      cleanup_free char *h = xasprintf ("{'poststop': [{'path': '%s', 'args': %s}]}", self_exe, not_hook[i]);
      judge (&j, DENY, h);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
      assert_contains (j.v.findings[0].message, "remove the hook, or list the path in rules.hooks.allow");
      unit_judged_release (&j);
    }

  /* Another file with ocigate's arguments is not ocigate. */
  cleanup_free char *other = xasprintf ("{'prestart': [{'path': '%s', 'args': ['ocigate', 'hook']}]}", prog);
  judge (&j, DENY, other);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  unit_judged_release (&j);

  /* The runtime looks the path up again: a directory others may write is
   * a finding saying so. */
  assert_int_equal (chmod (dir, 0777), 0);
  judge (&j, DENY, own);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 3);
  cleanup_free char *want
      = xasprintf ("config hook runs %s on the host as root, from a file others could replace before the runtime "
                   "runs it (hooks.prestart[0].path=%s, ocigate's own hook: its directory %s is writable by everyone "
                   "(mode 0777)); chmod go-w %s",
                   self_exe, self_exe, dir, dir);
  assert_string_equal (j.v.findings[0].message, want);
  unit_judged_release (&j);
  assert_int_equal (chmod (dir, 0700), 0);
}

static void
test_allow (void **state UNUSED)
{
  cleanup_free char *policy = xasprintf (
      "{'version': 1, 'rules': {'hooks': {'action': 'deny', 'allow': ['%s', '/nonexistent/hook']}}}", prog);
  cleanup_free char *ok
      = xasprintf ("{'poststart': [{'path': '%s', 'args': ['prog'], 'env': ['PATH=/usr/bin']}]}", prog);
  struct judged j;
  judge (&j, policy, ok);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Compared exactly: another spelling of the path is not listed. */
  cleanup_free char *spelt = xasprintf ("{'poststart': [{'path': '%s/./prog'}]}", dir);
  judge (&j, policy, spelt);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  unit_judged_release (&j);

  /* A file its group may write; one that is not there. */
  assert_int_equal (chmod (prog, 0775), 0);
  judge (&j, policy, ok);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message,
                   "listed in rules.hooks.allow: the file is writable by its group (mode 0775)); chmod go-w");
  unit_judged_release (&j);
  assert_int_equal (chmod (prog, 0755), 0);
  judge (&j, policy, "{'poststop': [{'path': '/nonexistent/hook'}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "listed in rules.hooks.allow: stat /nonexistent/hook: No such file");
  unit_judged_release (&j);

  /* A loader variable in env loads code into the root hook. */
  static const char *const unsafe[] = { "LD_PRELOAD=/tmp/x.so", "LD_LIBRARY_PATH=/tmp", "GCONV_PATH=/tmp" };
  for (size_t i = 0; i < ARRAY_SIZE (unsafe); i++)
    {
      cleanup_free char *h
          = xasprintf ("{'poststart': [{'path': '%s', 'env': ['A=1', '%s', 'LD_AUDIT=x']}]}", prog, unsafe[i]);
      judge (&j, policy, h);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
      cleanup_free char *want = xasprintf ("hooks.poststart[0].env[1]=%s); remove the variable", unsafe[i]);
      assert_contains (j.v.findings[0].message, want);
      unit_judged_release (&j);
    }
  cleanup_free char *similar = xasprintf ("{'poststart': [{'path': '%s', 'env': ['GCONV=1', 'XLD_PRELOAD=x']}]}", prog);
  judge (&j, policy, similar);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_docker_hook (void **state UNUSED)
{
  cleanup_free char *policy = xasprintf (
      "{'version': 1, 'rules': {'hooks': {'action': 'deny', 'engineBinaries': ['/usr/bin/dockerd', '%s']}}}", dockerd);
  struct judged j;
  judge (&j, policy,
         "{'prestart': [{'path': '/proc/4242/exe', 'args': ['libnetwork-setkey', '-exec-root=/run/docker', 'c1', "
         "'n1']}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* A process not run by root; one of another program; not the setkey
   * re-exec; a program not among engineBinaries (the default). */
  judge (&j, policy, "{'prestart': [{'path': '/proc/4243/exe', 'args': ['libnetwork-setkey']}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "not run by root");
  unit_judged_release (&j);
  judge (&j, policy, "{'prestart': [{'path': '/proc/4244/exe', 'args': ['libnetwork-setkey']}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "not an engine of rules.hooks.engineBinaries");
  unit_judged_release (&j);
  judge (&j, policy, "{'poststart': [{'path': '/proc/4242/exe', 'args': ['dockerd', '--debug']}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "args[0]=dockerd, not Docker's libnetwork-setkey");
  unit_judged_release (&j);
  judge (&j, DENY, "{'prestart': [{'path': '/proc/4242/exe', 'args': ['libnetwork-setkey']}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  unit_judged_release (&j);
  judge (&j, policy,
         "{'prestart': [{'path': '/proc/4242/exe', 'args': ['libnetwork-setkey'], 'env': ['LD_PRELOAD=x']}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  unit_judged_release (&j);

  /* No such process here: a warning whatever the action. */
  judge (&j, policy, "{'prestart': [{'path': '/proc/4299/exe', 'args': ['libnetwork-setkey']}]}");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_WARN);
  assert_contains (j.v.findings[0].message, "cannot be verified here");
  unit_judged_release (&j);

  /* Not a PID as /proc reads it: just another path. */
  static const char *const paths[] = { "/proc/04242/exe", "/proc/self/exe", "/proc/4242/exe/", "/proc/4242/cwd" };
  for (size_t i = 0; i < ARRAY_SIZE (paths); i++)
    {
      cleanup_free char *h = xasprintf ("{'prestart': [{'path': '%s', 'args': ['libnetwork-setkey']}]}", paths[i]);
      judge (&j, policy, h);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
      assert_contains (j.v.findings[0].message, "remove the hook, or list the path in rules.hooks.allow");
      unit_judged_release (&j);
    }
}

static void
test_fixtures (void **state UNUSED)
{
  /* Docker's fixtures carry a setkey hook of a PID of the host they were
   * made on; the others have no hooks. */
  struct judged j;
  unit_judge_file_on (&j, DENY, "tests/fixtures/docker-default.json", fake_host);
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_WARN);
  assert_string_equal (j.v.findings[0].path, "/hooks/prestart/0");
  unit_judged_release (&j);
  static const char *const quiet[]
      = { "tests/fixtures/podman-default.json", "tests/fixtures/ctr-default.json", "tests/fixtures/runc-spec.json",
          "tests/fixtures/crun-spec.json", "tests/fixtures/docker-network-host.json" };
  for (size_t i = 0; i < ARRAY_SIZE (quiet); i++)
    {
      unit_judge_file_on (&j, DENY, quiet[i], fake_host);
      if (j.v.n_findings)
        fail_msg ("%s: %s", quiet[i], j.v.findings[0].message);
      unit_judged_release (&j);
    }
}

static void
test_config_errors (void **state UNUSED)
{
  static const struct
  {
    const char *hooks, *want;
  } cases[] = {
    { "1", "rule hooks: hooks: must be an object, not int 1" },
    { "{'prestart': {}}", "rule hooks: hooks.prestart: must be an array, not object {}" },
    { "{'poststop': [7]}", "rule hooks: hooks.poststop[0]: must be an object, not int 7" },
    { "{'poststop': [{'args': ['x']}]}", "rule hooks: hooks.poststop[0].path: missing" },
    { "{'poststart': [{'path': 5}]}", "rule hooks: hooks.poststart[0].path: must be a string, not int 5" },
    { "{'createContainer': [{'path': '/bin/x', 'env': 'A=1'}]}",
      "rule hooks: hooks.createContainer[0].env: must be an array" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *c = xasprintf ("{'process': {'args': ['sh']}, 'hooks': %s}", cases[i].hooks);
      enum ocigate_error_kind kind;
      cleanup_free char *msg = unit_judge_error_q_on (DENY, c, &kind, fake_host);
      assert_int_equal (kind, OCIGATE_ERR_INPUT);
      assert_contains (msg, cases[i].want);
    }
  /* A wrong type later in the config: no findings made before it count. */
  cleanup_free char *msg = unit_judge_error_q_on (
      DENY, "{'process': {'args': ['sh']}, 'hooks': {'prestart': [{'path': '/bin/sh'}], 'poststop': [{'path': 1}]}}",
      NULL, fake_host);
  assert_contains (msg, "hooks.poststop[0].path");
}

static void
test_policy_errors (void **state UNUSED)
{
  static const struct
  {
    const char *option, *want;
  } cases[] = {
    { "'allow': ['bin/x']", "rules.hooks.allow[0]: must be an absolute path" },
    { "'allow': ['/usr//bin/x']", "\"/usr//bin/x\" must name a file by its absolute path" },
    { "'allow': ['/usr/bin/../x']", "\"/usr/bin/../x\" must name a file" },
    { "'allow': ['/usr/bin/']", "\"/usr/bin/\" must name a file" },
    { "'allow': ['/']", "\"/\" must name a file" },
    { "'allow': '/bin/x'", "rules.hooks.allow: must be an array of absolute paths" },
    { "'engineBinaries': ['/usr/sbin/./dockerd']", "rules.hooks.engineBinaries[0]" },
    { "'trusted': []", "rules.hooks.trusted" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *p = xasprintf ("{'version': 1, 'rules': {'hooks': {'action': 'deny', %s}}}", cases[i].option);
      cleanup_free char *json = dq (p);
      cleanup_free char *msg = unit_policy_error (json);
      assert_contains (msg, cases[i].want);
    }
  cleanup_free char *fix = dq ("{'version': 1, 'rules': {'hooks': {'action': 'fix'}}}");
  cleanup_free char *msg = unit_policy_error (fix);
  assert_contains (msg, "\"fix\" is not an action of this rule");
}

/* Refused unjudged, a config loses every hook. */
static void
test_disarm_unjudged (void **state UNUSED)
{
  const struct rule *r = rule_find (RULE);
  assert_non_null (r);
  assert_true (r->disarm_refused);
  cleanup_json json_object *root = json_tokener_parse ("{\"hooks\": 7, \"process\": {}}");
  r->disarm_unjudged (root);
  assert_string_equal (json_object_to_json_string_ext (root, JSON_C_TO_STRING_PLAIN), "{\"process\":{}}");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_host_root_hooks), cmocka_unit_test (test_own_hook),
    cmocka_unit_test (test_allow),           cmocka_unit_test (test_docker_hook),
    cmocka_unit_test (test_fixtures),        cmocka_unit_test (test_config_errors),
    cmocka_unit_test (test_policy_errors),   cmocka_unit_test (test_disarm_unjudged),
  };
  return cmocka_run_group_tests_name ("rule hooks", tests, setup, teardown);
}
