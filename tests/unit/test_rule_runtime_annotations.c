/* Unit tests for the "runtimeAnnotations" rule: no crun annotation (or
 * linux.seccomp.listenerPath) replaces the judged seccomp profile or has the
 * runtime act as root on a host path or socket, unless the policy allows it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "runtimeAnnotations"
#define DENY "{'version': 1, 'rules': {'runtimeAnnotations': {'action': 'deny'}}}"
#define ALLOW(list) "{'version': 1, 'rules': {'runtimeAnnotations': {'action': 'deny', 'allow': " list "}}}"
#define MSG_BPF                                                                                                        \
  "crun loads this BPF program as the seccomp filter in place of linux.seccomp, the profile ocigate judged "           \
  "(annotations.run.oci.seccomp_bpf_data=\"BgAAAAAA/38=\"); remove the annotation, or add "                            \
  "\"run.oci.seccomp_bpf_data=VALUE\" to rules.runtimeAnnotations.allow"

/* A non-root config with these annotations and linux.seccomp members. */
static char *
config (const char *annotations, const char *seccomp_extra)
{
  return xasprintf ("{'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}, 'root': {'path': 'rootfs'}, "
                    "'annotations': %s, 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO'%s}}}",
                    annotations, seccomp_extra);
}

static void
judge (struct judged *j, const char *policy, const char *annotations, const char *seccomp_extra)
{
  cleanup_free char *c = config (annotations, seccomp_extra);
  unit_judge_q (j, policy, c);
}

static void
test_each_key (void **state UNUSED)
{
  static const struct
  {
    const char *key, *value, *needle;
  } cases[] = {
    { "run.oci.seccomp_bpf_data", "BgAAAAAA/38=", "in place of linux.seccomp" },
    { "run.oci.seccomp.plugins", "/tmp/x.so", "into its own process, as host root" },
    { "run.oci.seccomp.receiver", "/run/agent.sock", "seccomp notifications to this host socket" },
    { "run.oci.pidfd_receiver", "/run/agent.sock", "a pidfd of the container's process" },
    { "run.oci.hooks.stdout", "/etc/sudoers.d/x", "creates or appends to this host file as root" },
    { "run.oci.hooks.stderr", "/etc/nologin", "creates or appends to this host file as root" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *ann = xasprintf ("{'%s': '%s', 'io.other': 'x'}", cases[i].key, cases[i].value);
      struct judged j;
      judge (&j, DENY, ann, "");
      assert_int_equal (j.v.n_findings, 1);
      const struct finding *f = &j.v.findings[0];
      assert_string_equal (f->rule, RULE);
      assert_int_equal (f->action, ACTION_DENY);
      cleanup_free char *pointer = xasprintf ("/annotations/%s", cases[i].key);
      assert_string_equal (f->path, pointer);
      assert_contains (f->message, cases[i].needle);
      cleanup_free char *shown = xasprintf ("(annotations.%s=\"%s\")", cases[i].key, cases[i].value);
      assert_contains (f->message, shown);
      unit_judged_release (&j);
    }

  struct judged j;
  judge (&j, DENY, "{'run.oci.seccomp_bpf_data': 'BgAAAAAA/38='}", "");
  assert_string_equal (j.v.findings[0].message, MSG_BPF);
  unit_judged_release (&j);

  judge (&j, DENY, "{}", ", 'listenerPath': '/run/agent.sock'");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/seccomp/listenerPath");
  assert_contains (j.v.findings[0].message, "(linux.seccomp.listenerPath=\"/run/agent.sock\"); remove listenerPath");
  unit_judged_release (&j);

  /* Other annotations, crun's harmless ones included, are not judged. */
  judge (&j, DENY,
         "{'run.oci.keep_original_groups': '0', 'run.oci.timens_offset': 'monotonic 1 0', 'run.oci.handler': 'krun', "
         "'RUN.OCI.SECCOMP_BPF_DATA': 'x', 'run.oci.seccomp_bpf_data ': 'x'}",
         "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Absent and null annotations. */
  judge (&j, DENY, "null", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_keep_original_groups (void **state UNUSED)
{
  /* Any value but "0" keeps the runtime's groups: root's when it runs as root. */
  static const char *const on[] = { "1", "", "true", "00" };
  for (size_t i = 0; i < ARRAY_SIZE (on); i++)
    {
      cleanup_free char *ann = xasprintf ("{'run.oci.keep_original_groups': '%s'}", on[i]);
      struct judged j;
      judge (&j, DENY, ann, ""); /* as root */
      if (j.v.n_findings != 1)
        fail_msg ("keep_original_groups=\"%s\": %zu findings", on[i], j.v.n_findings);
      assert_string_equal (j.v.findings[0].path, "/annotations/run.oci.keep_original_groups");
      assert_contains (j.v.findings[0].message,
                       "crun skips setgroups(2), so the process keeps the supplementary groups");
      assert_contains (j.v.findings[0].message, "remove the annotation (Podman's --group-add keep-groups)");
      /* A rootless runtime keeps its user's own groups. */
      j.host.euid = 1000;
      struct rule_context ctx = { .config = j.cfg, .host = &j.host };
      struct verdict v = { 0 };
      ocigate_error_t err = NULL;
      assert_int_equal (ocigate_evaluate (j.policy, &ctx, &v, &err), 0);
      assert_int_equal (v.n_findings, 0);
      verdict_release (&v);
      unit_judged_release (&j);
    }
}

static void
test_hook_output_default (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY,
         "{'run.oci.hooks.stderr': '/run/ocigate/hooks/c1.stderr', 'run.oci.hooks.stdout': "
         "'/run/ocigate/hooks/c1.stdout'}",
         "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  static const char *const outside[] = {
    "/run/ocigate/hooks/../../../etc/passwd",
    "/run/ocigate/hooks/..",
    "/run/ocigate/hooks/.",
    "/run/ocigate/hooks/",
    "/run/ocigate/hooks/a/b",
    "/run/ocigate/hooksx",
    "run/ocigate/hooks/x",
    "/run/ocigate/seccomp/x",
  };
  for (size_t i = 0; i < ARRAY_SIZE (outside); i++)
    {
      cleanup_free char *ann = xasprintf ("{'run.oci.hooks.stderr': '%s'}", outside[i]);
      judge (&j, DENY, ann, "");
      if (j.v.n_findings != 1)
        fail_msg ("%s: %zu findings", outside[i], j.v.n_findings);
      unit_judged_release (&j);
    }
  /* The default allows only the hooks' output there. */
  judge (&j, DENY, "{'run.oci.seccomp.plugins': '/run/ocigate/hooks/x.so'}", "");
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);
}

static void
test_allow (void **state UNUSED)
{
  struct judged j;
  const char *policy
      = ALLOW ("['run.oci.seccomp.receiver=/run/agent.sock', 'linux.seccomp.listenerPath=/run/agent.sock', "
               "'run.oci.hooks.stderr=/var/log/crun-hooks/*']");
  judge (&j, policy,
         "{'run.oci.seccomp.receiver': '/run/agent.sock', 'run.oci.hooks.stderr': '/var/log/crun-hooks/c.err'}",
         ", 'listenerPath': '/run/agent.sock'");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* An allow list replaces the default: /run/ocigate/hooks/ is no longer allowed. */
  judge (&j, policy, "{'run.oci.hooks.stderr': '/run/ocigate/hooks/c.err'}", "");
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);

  /* Exact values are exact; an entry allows only its own key. */
  judge (&j, policy,
         "{'run.oci.seccomp.receiver': '/run/agent.sock2', 'run.oci.pidfd_receiver': '/run/agent.sock', "
         "'run.oci.hooks.stdout': '/var/log/crun-hooks/c.out'}",
         ", 'listenerPath': '/run/agent.sock/'");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 4);
  unit_judged_release (&j);

  judge (&j, ALLOW ("['run.oci.seccomp_bpf_data=BgAAAAAA/38=']"), "{'run.oci.seccomp_bpf_data': 'BgAAAAAA/38='}", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  judge (&j, "{'version': 1, 'rules': {'runtimeAnnotations': {'action': 'warn'}}}",
         "{'run.oci.seccomp_bpf_data': 'BgAAAAAA/38='}", "");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  unit_judged_release (&j);
}

static void
test_policy_errors (void **state UNUSED)
{
  static const struct
  {
    const char *allow, *want;
  } cases[] = {
    { "'x'", "rules.runtimeAnnotations.allow: must be an array of \"KEY=VALUE\" strings" },
    { "[5]", "rules.runtimeAnnotations.allow[0]: must be a \"KEY=VALUE\" string" },
    { "['run.oci.hooks.stderr']", "rules.runtimeAnnotations.allow[0]: \"run.oci.hooks.stderr\" is not KEY=VALUE" },
    { "['io.other=x']", "rules.runtimeAnnotations.allow[0]: \"io.other=x\" is not KEY=VALUE with KEY one of" },
    { "['run.oci.hooks.stderr=relative/*']", "rules.runtimeAnnotations.allow[0]: \"run.oci.hooks.stderr=relative/*\": "
                                             "a directory entry (ending in /*) must name a directory other than /" },
    { "['run.oci.hooks.stderr=/*']", "a directory entry (ending in /*)" },
    { "['run.oci.hooks.stderr=/var/../etc/*']", "a directory entry (ending in /*)" },
    { "['run.oci.hooks.stderr=/var//log/*']", "a directory entry (ending in /*)" },
    { "['run.oci.hooks.stderr=/var/./log/*']", "a directory entry (ending in /*)" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *policy = xasprintf (
          "{'version': 1, 'rules': {'runtimeAnnotations': {'action': 'deny', 'allow': %s}}}", cases[i].allow);
      cleanup_free char *p = dq (policy);
      cleanup_free char *msg = unit_policy_error (p);
      assert_contains (msg, cases[i].want);
    }
  cleanup_free char *p = dq ("{'version': 1, 'rules': {'runtimeAnnotations': {'action': 'fix'}}}");
  cleanup_free char *msg = unit_policy_error (p);
  assert_contains (msg, "rules.runtimeAnnotations");
}

static void
test_config_errors (void **state UNUSED)
{
  static const struct
  {
    const char *annotations, *seccomp, *want;
  } cases[] = {
    { "['run.oci.hooks.stderr']", "",
      "config.json: rule runtimeAnnotations: annotations: must be an object, not array "
      "[\"run.oci.hooks.stderr\"]" },
    { "{'run.oci.hooks.stderr': 5}", "",
      "config.json: rule runtimeAnnotations: annotations.run.oci.hooks.stderr: must be a string, not int 5" },
    { "{'run.oci.seccomp_bpf_data': null}", "",
      "config.json: rule runtimeAnnotations: annotations.run.oci.seccomp_bpf_data: must be a string, not null" },
    { "{}", ", 'listenerPath': true",
      "config.json: rule runtimeAnnotations: linux.seccomp.listenerPath: must be a string, not boolean true" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *c = config (cases[i].annotations, cases[i].seccomp);
      enum ocigate_error_kind kind;
      cleanup_free char *msg = unit_judge_error_q (DENY, c, &kind);
      assert_int_equal (kind, OCIGATE_ERR_INPUT);
      assert_contains (msg, cases[i].want);
    }
}

static void
test_fixtures (void **state UNUSED)
{
  /* Configs made by the engines carry none of these annotations. */
  static const char *const quiet[]
      = { "tests/fixtures/docker-default.json", "tests/fixtures/podman-default.json", "tests/fixtures/ctr-default.json",
          "tests/fixtures/runc-spec.json", "tests/fixtures/crun-spec.json" };
  for (size_t i = 0; i < ARRAY_SIZE (quiet); i++)
    {
      struct judged j;
      unit_judge_file (&j, DENY, quiet[i]);
      if (j.v.n_findings)
        fail_msg ("%s: %s", quiet[i], j.v.findings[0].message);
      unit_judged_release (&j);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_each_key),
    cmocka_unit_test (test_keep_original_groups),
    cmocka_unit_test (test_hook_output_default),
    cmocka_unit_test (test_allow),
    cmocka_unit_test (test_policy_errors),
    cmocka_unit_test (test_config_errors),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule runtimeAnnotations", tests, NULL, NULL);
}
