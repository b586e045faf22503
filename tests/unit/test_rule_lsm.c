/* Unit tests for the "apparmor" and "selinux" rules: no explicitly
 * unconfined profile or type; with "require", no missing label on a host
 * whose LSM is enabled (the host's files, host_info.apparmor_path and
 * selinux_path, are pointed at test files).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unit.h"

#include <errno.h>
#include <unistd.h>

#define AA_DENY "{'version': 1, 'rules': {'apparmor': {'action': 'deny'}}}"
#define AA_REQUIRE "{'version': 1, 'rules': {'apparmor': {'action': 'deny', 'require': true}}}"
#define SE_DENY "{'version': 1, 'rules': {'selinux': {'action': 'deny'}}}"
#define SE_REQUIRE "{'version': 1, 'rules': {'selinux': {'action': 'deny', 'require': true}}}"

#define MSG_AA_UNCONFINED                                                                                              \
  "process runs without AppArmor confinement (process.apparmorProfile=unconfined); drop --security-opt "               \
  "apparmor=unconfined so the engine's default profile applies, or name a profile"
#define MSG_AA_MISSING                                                                                                 \
  "process has no AppArmor profile (process.apparmorProfile is absent, and the host has AppArmor enabled); run it "    \
  "under a profile (the engine's default, or --security-opt apparmor=PROFILE)"
#define MSG_SE_SPC                                                                                                     \
  "process runs in the SELinux type spc_t, which SELinux does not confine "                                            \
  "(process.selinuxLabel=system_u:system_r:spc_t:s0); drop --privileged and --security-opt label=disable so the "      \
  "engine's container type (container_t) applies"
#define MSG_SE_MISSING                                                                                                 \
  "process has no SELinux label (process.selinuxLabel is absent, and the host has SELinux enabled); let the engine "   \
  "label the container (drop --security-opt label=disable) or give it one (--security-opt label=type:container_t)"

/* The test's host files, below a fresh directory. */
static char tmpdir[] = "/tmp/ocigate-lsm.XXXXXX";
static char *path_yes, *path_no, *path_empty, *path_loop, *path_missing;

/* The LSM files the host of the next judgements has; NULL: the real ones. */
static const char *apparmor_path, *selinux_path;

static void
lsm_host (struct host_info *host)
{
  if (apparmor_path)
    host->apparmor_path = apparmor_path;
  if (selinux_path)
    host->selinux_path = selinux_path;
}

static void
write_text (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  if (f == NULL || fputs (text, f) < 0 || fclose (f) != 0)
    fail_msg ("write %s: %s", path, strerror (errno));
}

static int
setup (void **state UNUSED)
{
  if (mkdtemp (tmpdir) == NULL)
    return -1;
  path_yes = xasprintf ("%s/enabled-yes", tmpdir);
  path_no = xasprintf ("%s/enabled-no", tmpdir);
  path_empty = xasprintf ("%s/enabled-empty", tmpdir);
  path_loop = xasprintf ("%s/loop", tmpdir);
  path_missing = xasprintf ("%s/missing", tmpdir);
  write_text (path_yes, "Y\n");
  write_text (path_no, "N\n");
  write_text (path_empty, "");
  /* A symlink to itself: open and stat fail with ELOOP, not ENOENT. */
  if (symlink (path_loop, path_loop) < 0)
    return -1;
  return 0;
}

static int
teardown (void **state UNUSED)
{
  unlink (path_yes);
  unlink (path_no);
  unlink (path_empty);
  unlink (path_loop);
  rmdir (tmpdir);
  free (path_yes);
  free (path_no);
  free (path_empty);
  free (path_loop);
  free (path_missing);
  apparmor_path = NULL;
  selinux_path = NULL;
  return 0;
}

/* A config with extra process members and extra linux members (each may
 * be "", else starts with ", "). */
static char *
config (const char *process_extra, const char *linux_extra)
{
  return xasprintf ("{'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']%s}, 'root': {'path': 'rootfs'}, "
                    "'linux': {'namespaces': [{'type': 'mount'}]%s}}",
                    process_extra, linux_extra);
}

static void
judge_config (struct judged *j, const char *policy, const char *process_extra, const char *linux_extra)
{
  cleanup_free char *c = config (process_extra, linux_extra);
  unit_judge_q_on (j, policy, c, lsm_host);
}

static char *
judge_error (const char *policy, const char *process_extra, const char *linux_extra)
{
  cleanup_free char *c = config (process_extra, linux_extra);
  enum ocigate_error_kind kind;
  char *msg = unit_judge_error_q_on (policy, c, &kind, lsm_host);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  return msg;
}

/* ---- apparmor ---- */

static void
test_aa_unconfined (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, AA_DENY, ", 'apparmorProfile': 'unconfined'", "");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, "apparmor");
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/process/apparmorProfile");
  assert_string_equal (f->message, MSG_AA_UNCONFINED);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* Any case. */
  judge_config (&j, AA_DENY, ", 'apparmorProfile': 'UnConfined'", "");
  assert_int_equal (unit_count (&j.v, "apparmor", ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(process.apparmorProfile=UnConfined)");
  unit_judged_release (&j);

  /* A profile, or none, is fine without "require". */
  static const char *const fine[] = { ", 'apparmorProfile': 'docker-default'", ", 'apparmorProfile': 'unconfined2'",
                                      ", 'apparmorProfile': ''", ", 'apparmorProfile': null", "" };
  apparmor_path = path_yes;
  for (size_t i = 0; i < ARRAY_SIZE (fine); i++)
    {
      judge_config (&j, AA_DENY, fine[i], "");
      assert_int_equal (j.v.n_findings, 0);
      unit_judged_release (&j);
    }
  apparmor_path = NULL;

  judge_config (&j, "{'version': 1, 'rules': {'apparmor': {'action': 'warn'}}}", ", 'apparmorProfile': 'unconfined'",
                "");
  assert_int_equal (unit_count (&j.v, "apparmor", ACTION_WARN), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
}

static void
test_aa_require (void **state UNUSED)
{
  struct judged j;
  /* Host with AppArmor: no profile is a finding. */
  apparmor_path = path_yes;
  judge_config (&j, AA_REQUIRE, "", "");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/process/apparmorProfile");
  assert_string_equal (j.v.findings[0].message, MSG_AA_MISSING);
  unit_judged_release (&j);

  judge_config (&j, AA_REQUIRE, ", 'apparmorProfile': ''", "");
  assert_int_equal (unit_count (&j.v, "apparmor", ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(process.apparmorProfile is empty, and the host has AppArmor enabled)");
  unit_judged_release (&j);

  judge_config (&j, AA_REQUIRE, ", 'apparmorProfile': null", "");
  assert_int_equal (unit_count (&j.v, "apparmor", ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(process.apparmorProfile is null, and the host has AppArmor enabled)");
  unit_judged_release (&j);

  judge_config (&j, AA_REQUIRE, ", 'apparmorProfile': 'docker-default'", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Unconfined stays one finding, whatever "require" says. */
  judge_config (&j, AA_REQUIRE, ", 'apparmorProfile': 'unconfined'", "");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].message, MSG_AA_UNCONFINED);
  unit_judged_release (&j);

  /* Host without AppArmor (module absent, "N", nothing): nothing to
   * require. */
  char **const off[] = { &path_missing, &path_no, &path_empty };
  for (size_t i = 0; i < ARRAY_SIZE (off); i++)
    {
      apparmor_path = *off[i];
      judge_config (&j, AA_REQUIRE, "", "");
      assert_int_equal (j.v.n_findings, 0);
      unit_judged_release (&j);
    }

  /* A host file that cannot be read: fail closed. */
  apparmor_path = path_loop;
  judge_config (&j, AA_REQUIRE, "", "");
  assert_int_equal (unit_count (&j.v, "apparmor", ACTION_DENY), 1);
  cleanup_free char *want = xasprintf ("cannot tell whether the host has AppArmor enabled (process.apparmorProfile is "
                                       "absent, open %s: %s); run the process under a profile (--security-opt "
                                       "apparmor=PROFILE)",
                                       path_loop, strerror (ELOOP));
  assert_string_equal (j.v.findings[0].message, want);
  unit_judged_release (&j);

  /* A directory opens but does not read. */
  apparmor_path = tmpdir;
  judge_config (&j, AA_REQUIRE, "", "");
  assert_int_equal (unit_count (&j.v, "apparmor", ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "cannot tell whether the host has AppArmor enabled");
  assert_contains (j.v.findings[0].message, strerror (EISDIR));
  unit_judged_release (&j);
  apparmor_path = NULL;
}

static void
test_aa_errors (void **state UNUSED)
{
  cleanup_free char *m1 = judge_error (AA_DENY, ", 'apparmorProfile': 5", "");
  assert_string_equal (m1, "config.json: rule apparmor: process.apparmorProfile: must be a string, not int 5");
  cleanup_free char *m2 = judge_error (AA_DENY, ", 'apparmorProfile': ['unconfined']", "");
  assert_string_equal (
      m2, "config.json: rule apparmor: process.apparmorProfile: must be a string, not array [\"unconfined\"]");

  cleanup_free char *p1 = dq ("{'version': 1, 'rules': {'apparmor': {'action': 'deny', 'require': 'yes'}}}");
  cleanup_free char *e1 = unit_policy_error (p1);
  assert_contains (e1, "rules.apparmor.require: must be true or false");
  cleanup_free char *p2 = dq ("{'version': 1, 'rules': {'apparmor': {'action': 'deny', 'profile': 'x'}}}");
  cleanup_free char *e2 = unit_policy_error (p2);
  assert_contains (e2, "rules.apparmor.profile: unknown option (this rule takes: action, require)");
  cleanup_free char *p3 = dq ("{'version': 1, 'rules': {'apparmor': {'action': 'fix'}}}");
  cleanup_free char *e3 = unit_policy_error (p3);
  assert_contains (e3, "rules.apparmor.action: \"fix\" is not an action of this rule (\"off\", \"warn\", \"deny\")");
  assert_string_equal (rule_find ("apparmor")->default_options, "{\"require\": false}");
}

/* ---- selinux ---- */

static void
test_se_unconfined_types (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, SE_DENY, ", 'selinuxLabel': 'system_u:system_r:spc_t:s0'", "");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, "selinux");
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/process/selinuxLabel");
  assert_string_equal (f->message, MSG_SE_SPC);
  unit_judged_release (&j);

  static const struct
  {
    const char *label, *type;
  } bad[] = {
    { "unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023", "unconfined_t" },
    { "system_u:system_r:spc_t", "spc_t" }, /* no level: non-MLS policy */
    { "a:b:spc_t:s0:c1,c2", "spc_t" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      cleanup_free char *extra = xasprintf (", 'selinuxLabel': '%s'", bad[i].label);
      judge_config (&j, SE_DENY, extra, "");
      assert_int_equal (unit_count (&j.v, "selinux", ACTION_DENY), 1);
      cleanup_free char *want = xasprintf ("process runs in the SELinux type %s, which SELinux does not confine "
                                           "(process.selinuxLabel=%s);",
                                           bad[i].type, bad[i].label);
      assert_contains (j.v.findings[0].message, want);
      unit_judged_release (&j);
    }

  static const char *const fine[] = { "system_u:system_r:container_t:s0:c1,c2",
                                      "spc_t",
                                      "spc_t:s0",
                                      "a:b:spc_tx:s0",
                                      "a:b:spc:s0",
                                      "a:b:unconfined:s0",
                                      "a:b:xspc_t",
                                      "a:spc_t:c:s0",
                                      "",
                                      "unconfined_u:unconfined_r" };
  selinux_path = path_missing;
  for (size_t i = 0; i < ARRAY_SIZE (fine); i++)
    {
      cleanup_free char *extra = xasprintf (", 'selinuxLabel': '%s'", fine[i]);
      judge_config (&j, SE_DENY, extra, ", 'mountLabel': 'system_u:object_r:container_file_t:s0:c1,c2'");
      if (j.v.n_findings)
        fail_msg ("%s: %s", fine[i], j.v.findings[0].message);
      unit_judged_release (&j);
    }
  selinux_path = NULL;
}

static void
test_se_mount_label (void **state UNUSED)
{
  struct judged j;
  judge_config (&j, SE_DENY, "", ", 'mountLabel': 'system_u:object_r:spc_t:s0'");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/mountLabel");
  assert_string_equal (j.v.findings[0].message,
                       "container's mounts are labelled with the SELinux type spc_t, which SELinux does not confine "
                       "(linux.mountLabel=system_u:object_r:spc_t:s0); drop --privileged and --security-opt "
                       "label=disable so the engine labels them for the container (container_file_t)");
  unit_judged_release (&j);

  /* Both: two findings, process first. */
  judge_config (&j, "{'version': 1, 'rules': {'selinux': {'action': 'warn'}}}",
                ", 'selinuxLabel': 'system_u:system_r:spc_t:s0'",
                ", 'mountLabel': 'unconfined_u:object_r:unconfined_t:s0'");
  assert_int_equal (j.v.n_findings, 2);
  assert_int_equal (unit_count (&j.v, "selinux", ACTION_WARN), 2);
  assert_string_equal (j.v.findings[0].path, "/process/selinuxLabel");
  assert_string_equal (j.v.findings[1].path, "/linux/mountLabel");
  assert_contains (j.v.findings[1].message, "SELinux type unconfined_t");
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
}

/* Control bytes in a label are shown escaped, not written to the log. */
static void
test_se_escapes (void **state UNUSED)
{
  struct judged j;
  unit_judge_q_on (&j, SE_DENY,
                   "{'process': {'args': ['sh'], 'user': {'uid': 1}, 'selinuxLabel': 'x:y:spc_t:s0\\nocigate: allow'}}",
                   lsm_host);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "(process.selinuxLabel=x:y:spc_t:s0\\x0aocigate: allow)");
  assert_null (strchr (j.v.findings[0].message, '\n'));
  unit_judged_release (&j);
}

static void
test_se_require (void **state UNUSED)
{
  struct judged j;
  selinux_path = path_no; /* exists: SELinux is enabled */
  judge_config (&j, SE_REQUIRE, "", "");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/process/selinuxLabel");
  assert_string_equal (j.v.findings[0].message, MSG_SE_MISSING);
  unit_judged_release (&j);

  judge_config (&j, SE_REQUIRE, ", 'selinuxLabel': ''", "");
  assert_int_equal (unit_count (&j.v, "selinux", ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(process.selinuxLabel is empty, and the host has SELinux enabled)");
  unit_judged_release (&j);

  /* A mount label alone does not confine the process. */
  judge_config (&j, SE_REQUIRE, ", 'selinuxLabel': null", ", 'mountLabel': 'system_u:object_r:container_file_t:s0'");
  assert_int_equal (unit_count (&j.v, "selinux", ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(process.selinuxLabel is null, and the host has SELinux enabled)");
  unit_judged_release (&j);

  judge_config (&j, SE_REQUIRE, ", 'selinuxLabel': 'system_u:system_r:container_t:s0:c1,c2'", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Without "require", no label is fine even with SELinux. */
  judge_config (&j, SE_DENY, "", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  selinux_path = path_missing;
  judge_config (&j, SE_REQUIRE, "", "");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  selinux_path = path_loop;
  judge_config (&j, SE_REQUIRE, "", "");
  assert_int_equal (unit_count (&j.v, "selinux", ACTION_DENY), 1);
  cleanup_free char *want = xasprintf ("cannot tell whether the host has SELinux enabled (process.selinuxLabel is "
                                       "absent, stat %s: %s); give the process a label (--security-opt "
                                       "label=type:container_t)",
                                       path_loop, strerror (ELOOP));
  assert_string_equal (j.v.findings[0].message, want);
  unit_judged_release (&j);
  selinux_path = NULL;
}

static void
test_se_errors (void **state UNUSED)
{
  cleanup_free char *m1 = judge_error (SE_DENY, ", 'selinuxLabel': 1", "");
  assert_string_equal (m1, "config.json: rule selinux: process.selinuxLabel: must be a string, not int 1");
  cleanup_free char *m2 = judge_error (SE_DENY, "", ", 'mountLabel': []");
  assert_string_equal (m2, "config.json: rule selinux: linux.mountLabel: must be a string, not array []");

  cleanup_free char *p1 = dq ("{'version': 1, 'rules': {'selinux': {'action': 'deny', 'require': 1}}}");
  cleanup_free char *e1 = unit_policy_error (p1);
  assert_contains (e1, "rules.selinux.require: must be true or false");
  cleanup_free char *p2 = dq ("{'version': 1, 'rules': {'selinux': {'action': 'fix'}}}");
  cleanup_free char *e2 = unit_policy_error (p2);
  assert_contains (e2, "\"fix\" is not an action of this rule");
  assert_string_equal (rule_find ("selinux")->default_options, "{\"require\": false}");
}

/* Engine defaults never fire, with "require" on: this host has neither
 * LSM (the fixtures' README says so of the machine that made them). */
static void
test_fixtures (void **state UNUSED)
{
  static const char *const files[]
      = { "tests/fixtures/docker-default.json",    "tests/fixtures/docker-apparmor-unconfined.json",
          "tests/fixtures/docker-privileged.json", "tests/fixtures/podman-default.json",
          "tests/fixtures/podman-privileged.json", "tests/fixtures/ctr-default.json",
          "tests/fixtures/runc-spec.json",         "tests/fixtures/crun-spec-rootless.json" };
  apparmor_path = path_missing;
  selinux_path = path_missing;
  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      struct judged j;
      unit_judge_file_on (&j,
                          "{'version': 1, 'rules': {'apparmor': {'action': 'deny', 'require': true},"
                          " 'selinux': {'action': 'deny', 'require': true}}}",
                          files[i], lsm_host);
      if (j.v.n_findings)
        fail_msg ("%s: %s", files[i], j.v.findings[0].message);
      unit_judged_release (&j);
    }
  apparmor_path = NULL;
  selinux_path = NULL;
}

/* The host facts behind "require": read on first use, once. */
static void
test_host_facts (void **state UNUSED)
{
  struct host_info host;
  unit_host (&host, 0, 0);
  host.apparmor_path = path_yes;
  host.selinux_path = path_missing;
  const char *why = "unset";
  assert_false (host.apparmor.probed);
  assert_int_equal (host_apparmor (&host, &why), LSM_ENABLED);
  assert_null (why);
  assert_true (host.apparmor.probed);
  assert_int_equal (host_selinux (&host, &why), LSM_DISABLED);
  /* Read once: the answer holds for the host_info, whatever the file
   * says afterwards, until it is released. */
  host.apparmor_path = path_no;
  host.selinux_path = path_no;
  assert_int_equal (host_apparmor (&host, &why), LSM_ENABLED);
  assert_int_equal (host_selinux (&host, &why), LSM_DISABLED);
  host_info_release (&host);
  assert_false (host.apparmor.probed);
  assert_int_equal (host_apparmor (&host, &why), LSM_DISABLED);
  assert_int_equal (host_selinux (&host, &why), LSM_ENABLED);
  host_info_release (&host);

  /* Cannot be read: unknown, with the reason, kept with the answer. */
  host.apparmor_path = path_loop;
  host.selinux_path = path_loop;
  cleanup_free char *aa_want = xasprintf ("open %s: %s", path_loop, strerror (ELOOP));
  cleanup_free char *se_want = xasprintf ("stat %s: %s", path_loop, strerror (ELOOP));
  assert_int_equal (host_apparmor (&host, &why), LSM_UNKNOWN);
  assert_string_equal (why, aa_want);
  assert_int_equal (host_selinux (&host, &why), LSM_UNKNOWN);
  assert_string_equal (why, se_want);
  assert_int_equal (host_apparmor (&host, &why), LSM_UNKNOWN);
  assert_string_equal (why, aa_want);
  host_info_release (&host);

  /* A judgement the host's answer cannot change does not ask it. */
  apparmor_path = path_loop;
  selinux_path = path_loop;
  struct judged j;
  judge_config (&j, "{'version': 1, 'rules': {'apparmor': {'action': 'deny'}, 'selinux': {'action': 'deny'}}}", "", "");
  assert_int_equal (j.v.n_findings, 0);
  assert_false (j.host.apparmor.probed);
  assert_false (j.host.selinux.probed);
  unit_judged_release (&j);
  judge_config (&j, AA_REQUIRE, ", 'apparmorProfile': 'docker-default'", "");
  assert_false (j.host.apparmor.probed);
  unit_judged_release (&j);
  apparmor_path = NULL;
  selinux_path = NULL;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_aa_unconfined),  cmocka_unit_test (test_aa_require),
    cmocka_unit_test (test_aa_errors),      cmocka_unit_test (test_se_unconfined_types),
    cmocka_unit_test (test_se_mount_label), cmocka_unit_test (test_se_escapes),
    cmocka_unit_test (test_se_require),     cmocka_unit_test (test_se_errors),
    cmocka_unit_test (test_fixtures),       cmocka_unit_test (test_host_facts),
  };
  return cmocka_run_group_tests_name ("rules apparmor and selinux", tests, setup, teardown);
}
