/* Unit tests for the "sysctls" rule: every key of linux.sysctl is in
 * Kubernetes' safe set or on the policy's allowlist.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "sysctls"
#define DENY "{'version': 1, 'rules': {'sysctls': {'action': 'deny'}}}"
#define ALLOW(list) "{'version': 1, 'rules': {'sysctls': {'action': 'deny', 'allow': " list "}}}"
#define MSG_MSGMAX                                                                                                     \
  "sysctl kernel.msgmax is neither in the safe set nor allowed (linux.sysctl.kernel.msgmax=65536); drop --sysctl "     \
  "kernel.msgmax or add it to rules.sysctls.allow"

static char *
config (const char *sysctl)
{
  return xasprintf ("{'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}, 'root': {'path': 'rootfs'}, "
                    "'linux': {'namespaces': [{'type': 'ipc'}, {'type': 'network'}], 'sysctl': %s}}",
                    sysctl);
}

static void
judge_sysctl (struct judged *j, const char *policy, const char *sysctl)
{
  cleanup_free char *p = dq (policy);
  cleanup_free char *raw = config (sysctl);
  cleanup_free char *c = dq (raw);
  unit_judge (j, p, c);
}

static char *
judge_error (const char *policy, const char *sysctl)
{
  cleanup_free char *c = config (sysctl);
  enum ocigate_error_kind kind;
  char *msg = unit_judge_error_q (policy, c, &kind);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  return msg;
}

static char *
policy_error (const char *policy)
{
  cleanup_free char *p = dq (policy);
  return unit_policy_error (p);
}

static void
test_unsafe (void **state UNUSED)
{
  struct judged j;
  judge_sysctl (&j, DENY,
                "{'net.ipv4.ip_unprivileged_port_start': '0', 'kernel.msgmax': '65536', "
                "'net.ipv4.ping_group_range': '0 2147483647'}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/linux/sysctl/kernel.msgmax");
  assert_string_equal (f->message, MSG_MSGMAX);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* One finding per key, in document order. */
  judge_sysctl (&j, DENY, "{'net.core.somaxconn': '1024', 'kernel.shm_rmid_forced': '1', 'kernel.sem': '1 2 3 4'}");
  assert_int_equal (j.v.n_findings, 2);
  assert_string_equal (j.v.findings[0].path, "/linux/sysctl/net.core.somaxconn");
  assert_string_equal (j.v.findings[1].path, "/linux/sysctl/kernel.sem");
  assert_contains (j.v.findings[1].message, "(linux.sysctl.kernel.sem=1 2 3 4)");
  unit_judged_release (&j);

  judge_sysctl (&j, "{'version': 1, 'rules': {'sysctls': {'action': 'warn'}}}", "{'kernel.msgmax': '65536'}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_sysctl (&j, "{'version': 1, 'rules': {'sysctls': {'action': 'off'}}}", "{'kernel.msgmax': 65536}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_safe_set (void **state UNUSED)
{
  struct judged j;
  judge_sysctl (&j, DENY,
                "{'kernel.shm_rmid_forced': '1', 'net.ipv4.ip_local_port_range': '1024 65000', "
                "'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.tcp_syncookies': '1', "
                "'net.ipv4.ping_group_range': '0 2147483647', 'net.ipv4.ip_local_reserved_ports': '8080', "
                "'net.ipv4.tcp_keepalive_time': '600', 'net.ipv4.tcp_fin_timeout': '30', "
                "'net.ipv4.tcp_keepalive_intvl': '60', 'net.ipv4.tcp_keepalive_probes': '5'}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Empty, null, absent. */
  judge_sysctl (&j, DENY, "{}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_sysctl (&j, DENY, "null");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Near misses are not safe. */
  judge_sysctl (&j, DENY,
                "{'net.ipv4.tcp_syncookies.x': '1', 'net.ipv4.tcp_syncookie': '1', 'KERNEL.SHM_RMID_FORCED': '1'}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 3);
  unit_judged_release (&j);
}

/* "/" is a separator too: judged as ".", pointed at with ~1. */
static void
test_slash_names (void **state UNUSED)
{
  struct judged j;
  judge_sysctl (&j, DENY, "{'net/ipv4/tcp_syncookies': '1', 'net.ipv4/ip_local_port_range': '1 2'}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  judge_sysctl (&j, DENY, "{'kernel/msgmax': '65536'}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/sysctl/kernel~1msgmax");
  assert_string_equal (j.v.findings[0].message,
                       "sysctl kernel.msgmax is neither in the safe set nor allowed (linux.sysctl.kernel/msgmax=65536, "
                       "read as kernel.msgmax); drop --sysctl kernel.msgmax or add it to rules.sysctls.allow");
  unit_judged_release (&j);

  /* "~" is escaped as ~0; control bytes are shown escaped. */
  judge_sysctl (&j, DENY, "{'a~b': 'x\\ny'}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/sysctl/a~0b");
  assert_contains (j.v.findings[0].message, "(linux.sysctl.a~b=x\\x0ay)");
  unit_judged_release (&j);
}

static void
test_allow (void **state UNUSED)
{
  struct judged j;
  judge_sysctl (&j, ALLOW ("['kernel.msgmax']"), "{'kernel.msgmax': '65536', 'kernel/msgmax': '1'}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Allow entries are normalised too. */
  judge_sysctl (&j, ALLOW ("['kernel/msgmnb']"), "{'kernel.msgmnb': '65536', 'kernel.msgmax': '1'}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/sysctl/kernel.msgmax");
  unit_judged_release (&j);

  /* A prefix allows what is below it, and only that. */
  judge_sysctl (&j, ALLOW ("['net.ipv4.conf.*', 'kernel.msgmax']"),
                "{'net.ipv4.conf.all.rp_filter': '1', 'net/ipv4/conf/eth0/forwarding': '0', 'net.ipv4.conf': '1', "
                "'net.ipv4.confx.y': '1', 'net.ipv4.conf..x': '1', 'net.ipv4.conf.x.': '1', 'net.ipv4.conf.': '1', "
                "'net.ipv4.ip_forward': '1'}");
  const char *const denied[]
      = { "/linux/sysctl/net.ipv4.conf",    "/linux/sysctl/net.ipv4.confx.y", "/linux/sysctl/net.ipv4.conf..x",
          "/linux/sysctl/net.ipv4.conf.x.", "/linux/sysctl/net.ipv4.conf.",   "/linux/sysctl/net.ipv4.ip_forward" };
  assert_int_equal (j.v.n_findings, ARRAY_SIZE (denied));
  for (size_t i = 0; i < ARRAY_SIZE (denied); i++)
    assert_string_equal (j.v.findings[i].path, denied[i]);
  unit_judged_release (&j);

  /* The options as "policy show" prints them. */
  cleanup_free char *p = dq (ALLOW ("['net.ipv4.conf.*']"));
  cleanup_policy struct policy *pol = unit_policy (p);
  cleanup_json json_object *shown = policy_to_json (pol);
  assert_string_equal (json_object_to_json_string (json_get (json_get (shown, "rules"), RULE)),
                       "{ \"action\": \"deny\", \"allow\": [ \"net.ipv4.conf.*\" ] }");
  assert_string_equal (rule_find (RULE)->default_options, "{\"allow\": []}");
}

static void
test_policy_errors (void **state UNUSED)
{
  static const struct
  {
    const char *allow, *want;
  } cases[] = {
    { "'kernel.msgmax'", "rules.sysctls.allow: must be an array of sysctl names" },
    { "[5]", "rules.sysctls.allow[0]: must be a sysctl name (string)" },
    { "['kernel.msgmax', '*']", "rules.sysctls.allow[1]: \"*\" is not a sysctl name (as kernel.msgmax) or a prefix "
                                "ending in \".*\" (as net.ipv4.conf.*)" },
    { "['net.*.x']", "rules.sysctls.allow[0]: \"net.*.x\" is not a sysctl name" },
    { "['net.ipv4*']", "rules.sysctls.allow[0]: \"net.ipv4*\" is not a sysctl name" },
    { "['.*']", "rules.sysctls.allow[0]: \".*\" is not a sysctl name" },
    { "['']", "rules.sysctls.allow[0]: \"\" is not a sysctl name" },
    { "['net..ipv4']", "rules.sysctls.allow[0]: \"net..ipv4\" is not a sysctl name" },
    { "['net.ipv4.']", "rules.sysctls.allow[0]: \"net.ipv4.\" is not a sysctl name" },
    { "['net.*.*']", "rules.sysctls.allow[0]: \"net.*.*\" is not a sysctl name" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *policy
          = xasprintf ("{'version': 1, 'rules': {'sysctls': {'action': 'deny', 'allow': %s}}}", cases[i].allow);
      cleanup_free char *msg = policy_error (policy);
      assert_contains (msg, cases[i].want);
    }
  cleanup_free char *m = policy_error ("{'version': 1, 'rules': {'sysctls': {'action': 'deny', 'safe': []}}}");
  assert_contains (m, "rules.sysctls.safe: unknown option (this rule takes: action, allow)");
  cleanup_free char *m2 = policy_error ("{'version': 1, 'rules': {'sysctls': {'action': 'fix'}}}");
  assert_contains (m2, "\"fix\" is not an action of this rule");
}

static void
test_config_errors (void **state UNUSED) /* they name the config, as every rule does */
{
  cleanup_free char *m1 = judge_error (DENY, "{'net.ipv4.tcp_syncookies': '1', 'kernel.msgmax': 65536}");
  assert_string_equal (m1, "config.json: rule sysctls: linux.sysctl.kernel.msgmax: must be a string, not int 65536");
  /* Even for a safe key, and before any finding. */
  cleanup_free char *m2 = judge_error (DENY, "{'kernel.msgmax': '1', 'net.ipv4.tcp_syncookies': true}");
  assert_string_equal (
      m2, "config.json: rule sysctls: linux.sysctl.net.ipv4.tcp_syncookies: must be a string, not boolean true");
  cleanup_free char *m3 = judge_error (DENY, "['kernel.msgmax=1']");
  assert_string_equal (m3,
                       "config.json: rule sysctls: linux.sysctl: must be an object, not array [\"kernel.msgmax=1\"]");
  cleanup_free char *m4 = judge_error (DENY, "{'kernel.msgmax': null}");
  assert_string_equal (m4, "config.json: rule sysctls: linux.sysctl.kernel.msgmax: must be a string, not null");
}

/* Docker adds two safe sysctls to every container; only the unsafe one
 * it was asked for fires. */
static void
test_fixtures (void **state UNUSED)
{
  static const char *const quiet[] = { "tests/fixtures/docker-default.json",
                                       "tests/fixtures/docker-sysctl.json",
                                       "tests/fixtures/docker-userns-remap.json",
                                       "tests/fixtures/podman-sysctl.json",
                                       "tests/fixtures/podman-default.json",
                                       "tests/fixtures/ctr-default.json",
                                       "tests/fixtures/runc-spec.json" };
  struct judged j;
  for (size_t i = 0; i < ARRAY_SIZE (quiet); i++)
    {
      unit_judge_file (&j, DENY, quiet[i]);
      if (j.v.n_findings)
        fail_msg ("%s: %s", quiet[i], j.v.findings[0].message);
      unit_judged_release (&j);
    }
  unit_judge_file (&j, DENY, "tests/fixtures/docker-sysctl-unsafe.json");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/sysctl/kernel.msgmax");
  assert_string_equal (j.v.findings[0].message, MSG_MSGMAX);
  unit_judged_release (&j);

  unit_judge_file (&j, ALLOW ("['kernel.msgmax']"), "tests/fixtures/docker-sysctl-unsafe.json");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_unsafe),   cmocka_unit_test (test_safe_set),      cmocka_unit_test (test_slash_names),
    cmocka_unit_test (test_allow),    cmocka_unit_test (test_policy_errors), cmocka_unit_test (test_config_errors),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule sysctls", tests, NULL, NULL);
}
