/* Unit tests for the "devices" rule: host devices beyond the allowlist
 * (checked by type and numbers too), and device cgroups that allow every
 * device, judged in order.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unit.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#define RULE "devices"
#define POLICY(action) "{'version': 1, 'rules': {'devices': {'action': '" action "'}}}"
/* Docker's device cgroup: deny all, then what it creates, then fuse. */
#define DOCKER_CGROUP                                                                                                  \
  "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 5, 'access': 'rwm'},"         \
  " {'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'rwm'},"                                            \
  " {'allow': false, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rwm'}]"

/* A config with this "linux" section. */
static void
judge (struct judged *j, const char *policy, const char *linux_)
{
  cleanup_free char *p = dq (policy);
  cleanup_free char *c0 = xasprintf ("{'process': {'args': ['sh']}, 'linux': %s}", linux_);
  cleanup_free char *c = dq (c0);
  unit_judge (j, p, c);
}

/* linux.devices = devs, with Docker's device cgroup. */
static void
judge_devices (struct judged *j, const char *policy, const char *devs)
{
  cleanup_free char *l = xasprintf ("{'devices': %s, 'resources': {'devices': " DOCKER_CGROUP "}}", devs);
  judge (j, policy, l);
}

/* linux.resources.devices = rules, no linux.devices, and namespaces. */
static void
judge_cgroup (struct judged *j, const char *policy, const char *rules, const char *namespaces)
{
  cleanup_free char *l = rules ? xasprintf ("{'namespaces': %s, 'resources': {'devices': %s}}", namespaces, rules)
                               : xasprintf ("{'namespaces': %s}", namespaces);
  judge (j, policy, l);
}

static char *
judge_error (const char *linux_)
{
  cleanup_free char *c = xasprintf ("{'process': {'args': ['sh']}, 'linux': %s}", linux_);
  enum ocigate_error_kind kind;
  char *msg = unit_judge_error_q (POLICY ("deny"), c, &kind);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  return msg;
}

static void
test_host_device (void **state UNUSED)
{
  struct judged j;
  judge_devices (&j, POLICY ("deny"),
                 "[{'path': '/dev/null', 'type': 'c', 'major': 1, 'minor': 3, 'fileMode': 438},"
                 " {'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229, 'fileMode': 438},"
                 " {'path': '/dev/sda', 'type': 'b', 'major': 8, 'minor': 0}]");
  assert_int_equal (j.v.n_findings, 2);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/linux/devices/1");
  assert_string_equal (f->message, "host device /dev/fuse in the container (linux.devices[1]: c 10:229); remove it "
                                   "(--device /dev/fuse), or add it to rules.devices.allow");
  assert_string_equal (j.v.findings[1].path, "/linux/devices/2");
  assert_contains (j.v.findings[1].message, "host device /dev/sda in the container (linux.devices[2]: b 8:0);");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* Every device the runtimes make anyway, spelled loosely. */
  judge_devices (&j, POLICY ("deny"),
                 "[{'path': '/dev/zero', 'type': 'c', 'major': 1, 'minor': 5},"
                 " {'path': '/dev//full', 'type': 'c', 'major': 1, 'minor': 7},"
                 " {'path': '/dev/./random', 'type': 'c', 'major': 1, 'minor': 8},"
                 " {'path': '/dev/urandom', 'type': 'u', 'major': 1, 'minor': 9},"
                 " {'path': '/dev/tty', 'type': 'c', 'major': 5, 'minor': 0},"
                 " {'path': '/dev/console', 'type': 'c', 'major': 5, 'minor': 1},"
                 " {'path': '/dev/ptmx', 'type': 'c', 'major': 5, 'minor': 2}]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* No linux.devices at all, or an empty one. */
  judge_devices (&j, POLICY ("deny"), "[]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_devices (&j, POLICY ("deny"), "null");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* An allowed name is not enough: the node must be that device. */
static void
test_disguised_device (void **state UNUSED)
{
  struct judged j;
  judge_devices (&j, POLICY ("deny"),
                 "[{'path': '/dev/null', 'type': 'b', 'major': 8, 'minor': 0},"
                 " {'path': '/dev/zero', 'type': 'c', 'major': 1, 'minor': 1},"
                 " {'path': '/dev/../dev/tty', 'type': 'c', 'major': 4, 'minor': 1},"
                 " {'path': '/dev/random', 'type': 'p'}]");
  assert_int_equal (j.v.n_findings, 3);
  assert_string_equal (j.v.findings[0].path, "/linux/devices/0");
  assert_string_equal (j.v.findings[0].message,
                       "device /dev/null is not the host's /dev/null (linux.devices[0]: b 8:0, the host's is c 1:3); "
                       "give it the type and numbers of /dev/null, or remove it");
  assert_contains (j.v.findings[1].message, "device /dev/zero is not the host's /dev/zero (linux.devices[1]: c 1:1, "
                                            "the host's is c 1:5)");
  assert_contains (j.v.findings[2].message, "device /dev/../dev/tty is not the host's /dev/tty (linux.devices[2]: c "
                                            "4:1, the host's is c 5:0)");
  unit_judged_release (&j);
}

/* The policy's allowlist; a path outside the kernel's fixed set is
 * checked against this host's node. */
static void
test_allow_option (void **state UNUSED)
{
  static const char *const policy
      = "{'version': 1, 'rules': {'devices': {'action': 'deny', 'allow': ['/dev/null', '/dev/fuse', "
        "'/nonexistent/dev/x']}}}";
  struct judged j;
  /* Off the list now: /dev/zero. */
  judge_devices (&j, policy, "[{'path': '/dev/zero', 'type': 'c', 'major': 1, 'minor': 5}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "host device /dev/zero in the container");
  unit_judged_release (&j);

  judge_devices (&j, policy, "[{'path': '/nonexistent/dev/x', 'type': 'c', 'major': 10, 'minor': 229}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].message,
                       "cannot tell whether device /nonexistent/dev/x is the host's (linux.devices[0]: c 10:229; "
                       "/nonexistent/dev/x is not a device on this host); judge the config on the host that has the "
                       "device, or remove it");
  unit_judged_release (&j);

  cleanup_free char *rel = dq ("{'version': 1, 'rules': {'devices': {'action': 'deny', 'allow': ['dev/null']}}}");
  cleanup_free char *msg = unit_policy_error (rel);
  assert_contains (msg, "rules.devices.allow[0]: must be an absolute path (a string starting with /)");
  cleanup_free char *fix = dq ("{'version': 1, 'rules': {'devices': {'action': 'fix'}}}");
  cleanup_free char *msg2 = unit_policy_error (fix);
  assert_contains (msg2, "\"fix\" is not an action of this rule");
  struct stat st;
  if (stat ("/dev/fuse", &st) < 0 || !S_ISCHR (st.st_mode))
    skip ();
  cleanup_free char *same = xasprintf ("[{'path': '/dev/fuse', 'type': 'c', 'major': %u, 'minor': %u}]",
                                       major (st.st_rdev), minor (st.st_rdev));
  judge_devices (&j, policy, same);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  cleanup_free char *other = xasprintf ("[{'path': '/dev/fuse', 'type': 'b', 'major': %u, 'minor': %u}]",
                                        major (st.st_rdev), minor (st.st_rdev));
  judge_devices (&j, policy, other);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "device /dev/fuse is not the host's /dev/fuse");
  unit_judged_release (&j);
}

/* The last entry of type "a" sets the default, whatever its numbers. */
static void
test_allow_all (void **state UNUSED)
{
  struct judged j;
  judge_cgroup (&j, POLICY ("deny"), "[{'allow': true, 'access': 'rwm'}]", "[]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/devices/0");
  assert_string_equal (j.v.findings[0].message,
                       "device cgroup allows every device (linux.resources.devices[0]: allow=true, type=a, "
                       "access=rwm, no deny-all entry after it); drop --privileged (or a --device-cgroup-rule "
                       "'a *:* rwm'), or end the list's type-a entries with {\"allow\": false, \"access\": \"rwm\"}");
  unit_judged_release (&j);

  /* Allow-all, then deny-all: deny-all. */
  judge_cgroup (&j, POLICY ("deny"), "[{'allow': true, 'access': 'rwm'}, {'allow': false, 'type': 'a'}]", "[]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Deny-all, then allow-all: allow-all, pointing at the second. */
  judge_cgroup (&j, POLICY ("deny"),
                "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': "
                "'rwm'}, {'allow': true, 'type': 'a', 'major': -1, 'minor': -1, 'access': 'rwm'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/devices/2");
  unit_judged_release (&j);

  /* Type "a" ignores numbers and access (the kernel writes a bare "a"). */
  judge_cgroup (&j, POLICY ("deny"), "[{'allow': false}, {'allow': true, 'major': 8, 'minor': 0, 'access': 'm'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "(linux.resources.devices[1]: allow=true, type=a, access=m,");
  unit_judged_release (&j);

  /* Explicit allow-all is a finding in a user namespace too. */
  judge_cgroup (&j, POLICY ("deny"), "[{'allow': true, 'access': 'rwm'}]", "[{'type': 'user'}]");
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);
}

/* No deny-all at all: crun on cgroup v1 keeps the host's allow-all. */
static void
test_no_deny_all (void **state UNUSED)
{
  struct judged j;
  judge_cgroup (&j, POLICY ("deny"), NULL, "[{'type': 'mount'}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/devices");
  assert_string_equal (j.v.findings[0].message,
                       "device cgroup has no deny-all entry (linux.resources.devices absent, no user namespace): crun "
                       "on cgroup v1 keeps the host's default, every device; start linux.resources.devices with "
                       "{\"allow\": false, \"access\": \"rwm\"}");
  unit_judged_release (&j);

  judge_cgroup (&j, POLICY ("deny"), "[{'allow': true, 'type': 'c', 'major': 10, 'minor': 229, 'access': 'rwm'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "(linux.resources.devices has no entry of type a, no user namespace)");
  unit_judged_release (&j);

  /* In a user namespace mknod is refused: nothing to find. */
  judge_cgroup (&j, POLICY ("deny"), NULL, "[{'type': 'user'}, {'type': 'mount'}]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_cgroup (&j, POLICY ("deny"), "[]", "[{'type': 'user'}]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  /* ... unless the "user namespace" is the host's own. */
  judge_cgroup (&j, POLICY ("deny"), NULL, "[{'type': 'user', 'path': '/proc/self/ns/user'}]");
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);

  /* No "linux" at all. */
  struct judged k;
  unit_judge (&k, "{\"version\": 1, \"rules\": {\"devices\": {\"action\": \"warn\"}}}",
              "{\"process\": {\"args\": [\"sh\"]}}");
  assert_int_equal (unit_count (&k.v, RULE, ACTION_WARN), 1);
  assert_contains (k.v.findings[0].message, "linux.resources.devices absent");
  unit_judged_release (&k);
}

/* After a deny-all, every character or block device by wildcard. */
static void
test_every_of_a_type (void **state UNUSED)
{
  struct judged j;
  judge_cgroup (&j, POLICY ("deny"),
                "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'access': 'rw'},"
                " {'allow': true, 'type': 'b', 'major': -1, 'minor': -1, 'access': 'm'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/devices/1");
  assert_string_equal (j.v.findings[0].message,
                       "device cgroup allows every character device (linux.resources.devices[1]: allow=true, type=c, "
                       "no major or minor, access=rw); give the major and minor numbers of the devices the container "
                       "needs");
  unit_judged_release (&j);

  /* Taken back by a later deny of the same wildcard: only mknod left. */
  judge_cgroup (&j, POLICY ("deny"),
                "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'b', 'access': 'rwm'},"
                " {'allow': false, 'type': 'b', 'access': 'rw'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Reset by a later deny-all. */
  judge_cgroup (&j, POLICY ("deny"),
                "[{'allow': true, 'type': 'b', 'access': 'r'}, {'allow': false, 'access': 'rwm'},"
                " {'allow': true, 'type': 'c', 'major': 136, 'access': 'rwm'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* The finding points at the entry that granted read or write. */
  judge_cgroup (&j, POLICY ("deny"),
                "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c', 'access': 'w'},"
                " {'allow': true, 'type': 'c', 'access': 'm'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/devices/1");
  unit_judged_release (&j);

  judge_cgroup (&j, POLICY ("deny"), "[{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'b', 'access': 'r'}]",
                "[]");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "allows every block device (linux.resources.devices[1]:");
  unit_judged_release (&j);
}

static void
test_actions (void **state UNUSED)
{
  struct judged j;
  judge_cgroup (&j, POLICY ("warn"), "[{'allow': true, 'access': 'rwm'}]", "[]");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
  judge_cgroup (&j, POLICY ("off"), "[{'allow': true, 'access': 'rwm'}]", "[]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_input_errors (void **state UNUSED)
{
  static const struct
  {
    const char *linux_;
    const char *message;
  } cases[] = {
    { "{'devices': {}}", "config.json: rule devices: linux.devices: must be an array, not object {}" },
    { "{'devices': ['/dev/fuse']}",
      "config.json: rule devices: linux.devices[0]: must be an object, not string \"/dev/fuse\"" },
    { "{'devices': [{'type': 'c', 'major': 1, 'minor': 3}]}",
      "config.json: rule devices: linux.devices[0].path: missing" },
    { "{'devices': [{'path': 3, 'type': 'c', 'major': 1, 'minor': 3}]}",
      "config.json: rule devices: linux.devices[0].path: must be a string, not int 3" },
    { "{'devices': [{'path': '/dev/null', 'type': 'c', 'major': '1', 'minor': 3}]}",
      "config.json: rule devices: linux.devices[0].major: must be an integer, not string \"1\"" },
    { "{'devices': [{'path': '/dev/null', 'type': 'c', 'major': 1.5, 'minor': 3}]}",
      "config.json: rule devices: linux.devices[0].major: must be an integer, not double 1.5" },
    { "{'devices': [{'path': '/dev/null', 'type': 'x', 'major': 1, 'minor': 3}]}",
      "config.json: rule devices: linux.devices[0].type: \"x\" is not one of c, b, u, p" },
    { "{'devices': [{'path': '/dev/null', 'type': 'c', 'minor': 3}]}",
      "config.json: rule devices: linux.devices[0]: a device of type c needs a major and a minor number" },
    { "{'resources': []}", "config.json: rule devices: linux.resources: must be an object, not array []" },
    { "{'resources': {'devices': 'a *:* rwm'}}",
      "config.json: rule devices: linux.resources.devices: must be an array, not string \"a *:* rwm\"" },
    { "{'resources': {'devices': [{'access': 'rwm'}]}}",
      "config.json: rule devices: linux.resources.devices[0].allow: missing (true or false)" },
    { "{'resources': {'devices': [{'allow': 'false'}]}}",
      "config.json: rule devices: linux.resources.devices[0].allow: must be a boolean, not string \"false\"" },
    { "{'resources': {'devices': [{'allow': false, 'major': '*'}]}}",
      "config.json: rule devices: linux.resources.devices[0].major: must be an integer, not string \"*\"" },
    { "{'resources': {'devices': [{'allow': false, 'type': 'p'}]}}",
      "config.json: rule devices: linux.resources.devices[0].type: \"p\" is not one of a, b, c" },
    { "{'resources': {'devices': [{'allow': false, 'access': 'rwx'}]}}",
      "config.json: rule devices: linux.resources.devices[0].access: \"rwx\" has a letter other than r, w, m" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = judge_error (cases[i].linux_);
      assert_contains (msg, cases[i].message);
    }

  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{'devices': [");
  for (int i = 0; i < 4097; i++)
    strbuf_appendf (&sb, "%s{'path': '/dev/null', 'type': 'c', 'major': 1, 'minor': 3}", i ? "," : "");
  strbuf_append (&sb, "]}");
  cleanup_free char *msg = judge_error (sb.buf);
  assert_string_equal (msg, "config.json: rule devices: linux.devices: 4097 entries, more than the limit of 4096");
  strbuf_release (&sb);
}

static void
test_fixtures (void **state UNUSED)
{
  static const struct
  {
    const char *name;
    size_t findings;
    const char *needle;
    const char *path;
  } cases[] = {
    { "docker-default.json", 0, NULL, NULL },
    { "podman-default.json", 0, NULL, NULL },
    { "ctr-default.json", 0, NULL, NULL },
    { "runc-spec.json", 0, NULL, NULL },
    { "crun-spec.json", 0, NULL, NULL },
    { "runc-spec-rootless.json", 0, NULL, NULL },
    { "crun-spec-rootless.json", 0, NULL, NULL },
    { "podman-uidmap.json", 0, NULL, NULL },
    { "podman-userns-auto.json", 0, NULL, NULL },
    { "docker-userns-remap.json", 0, NULL, NULL },
    { "ctr-uidmap.json", 0, NULL, NULL },
    { "docker-device-fuse.json", 1,
      "host device /dev/fuse in the container (linux.devices[0]: c 10:229); remove it (--device /dev/fuse)",
      "/linux/devices/0" },
    { "ctr-device-fuse.json", 1, "host device /dev/fuse", "/linux/devices/0" },
    { "docker-privileged.json", 95, "device cgroup allows every device (linux.resources.devices[0]",
      "/linux/resources/devices/0" },
    { "podman-privileged.json", 95, "host device /dev/vda in the container", NULL },
    { "ctr-privileged.json", 95, "device cgroup allows every device", "/linux/resources/devices/0" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct policy *pol = unit_policy_rule (RULE, "{\"action\": \"deny\"}");
      struct oci_config *cfg = NULL;
      ocigate_error_t err = NULL;
      cleanup_free char *path = xasprintf ("tests/fixtures/%s", cases[i].name);
      if (oci_config_load_file (path, &cfg, &err) < 0)
        fail_msg ("fixture did not load: %s", err->msg);
      struct host_info host;
      unit_host (&host, 0, 0);
      struct rule_context ctx = { .config = cfg, .host = &host };
      struct verdict v = { 0 };
      if (ocigate_evaluate (pol, &ctx, &v, &err) < 0)
        fail_msg ("%s: %s", cases[i].name, err->msg);
      if (v.n_findings != cases[i].findings)
        fail_msg ("%s: %zu findings, want %zu%s%s", cases[i].name, v.n_findings, cases[i].findings,
                  v.n_findings ? "; first: " : "", v.n_findings ? v.findings[0].message : "");
      if (cases[i].needle)
        {
          const struct finding *f = unit_find (&v, RULE, cases[i].needle);
          if (f == NULL)
            fail_msg ("%s: no finding with \"%s\"", cases[i].name, cases[i].needle);
          if (cases[i].path)
            assert_string_equal (f->path, cases[i].path);
        }
      verdict_release (&v);
      host_info_release (&host);
      oci_config_free (cfg);
      policy_free (pol);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_host_device),  cmocka_unit_test (test_disguised_device),
    cmocka_unit_test (test_allow_option), cmocka_unit_test (test_allow_all),
    cmocka_unit_test (test_no_deny_all),  cmocka_unit_test (test_every_of_a_type),
    cmocka_unit_test (test_actions),      cmocka_unit_test (test_input_errors),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule devices", tests, NULL, NULL);
}
