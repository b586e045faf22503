/* Unit tests for the "maskedPaths" rule: the /proc and /sys paths the
 * engines mask or make read-only are there; "fix" appends what is missing.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "unit.h"

#define RULE "maskedPaths"
#define POLICY(action) "{'version': 1, 'rules': {'maskedPaths': {'action': '" action "'}}}"
/* Docker 20.10's lists, as it writes them. */
#define DOCKER_MASKED                                                                                                  \
  "['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',"             \
  " '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware']"
#define DOCKER_READONLY "['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']"

static const char *const default_masked[]
    = { "/proc/acpi",        "/proc/kcore",       "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware" };
static const char *const default_readonly[]
    = { "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger" };

/* A config whose linux section has these two lists (NULL: absent). */
static void
judge_lists (struct judged *j, const char *policy, const char *masked, const char *readonly)
{
  cleanup_free char *c
      = xasprintf ("{'process': {'args': ['sh']}, 'linux': {'namespaces': [{'type': 'mount'}]%s%s%s%s}}",
                   masked ? ", 'maskedPaths': " : "", masked ? masked : "", readonly ? ", 'readonlyPaths': " : "",
                   readonly ? readonly : "");
  unit_judge_q (j, policy, c);
}

/* linux.KEY is exactly `want` (JSON text of the array). */
static void
assert_list (json_object *root, const char *key, const char *want)
{
  json_object *a = json_get (json_get (root, "linux"), key);
  if (a == NULL)
    fail_msg ("linux.%s is absent", key);
  cleanup_free char *w = dq (want);
  cleanup_json json_object *expect = json_tokener_parse (w);
  assert_non_null (expect);
  assert_string_equal (
      json_object_to_json_string_ext (a, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
      json_object_to_json_string_ext (expect, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

static void
test_engine_lists_pass (void **state UNUSED)
{
  struct judged j;
  judge_lists (&j, POLICY ("deny"), DOCKER_MASKED, DOCKER_READONLY);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Podman's: /proc/asound read-only instead of masked. */
  judge_lists (&j, POLICY ("deny"),
               "['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', "
               "'/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/fs/selinux', "
               "'/sys/dev/block']",
               "['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Spelled loosely, or covered by a parent. */
  judge_lists (&j, POLICY ("deny"),
               "['/proc//acpi/', '/proc/./kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', "
               "'/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/x/../firmware']",
               "['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc', '/proc/sysrq-trigger']");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_missing_paths (void **state UNUSED)
{
  struct judged j;
  judge_lists (&j, POLICY ("deny"),
               "['/proc/asound', '/proc/acpi', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',"
               " '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware/efi']",
               "['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sysrq-trigger', '/proc/sys/kernel']");
  assert_int_equal (j.v.n_findings, 3);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 3);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->path, "/linux/maskedPaths");
  assert_string_equal (f->message, "/proc/kcore is not masked (linux.maskedPaths does not list it or a parent of it); "
                                   "add it to linux.maskedPaths, as the engines do without --privileged or "
                                   "--security-opt unmask");
  /* A child does not cover its parent. */
  assert_contains (j.v.findings[1].message, "/sys/firmware is not masked (");
  assert_string_equal (j.v.findings[2].path, "/linux/readonlyPaths");
  assert_string_equal (j.v.findings[2].message,
                       "/proc/sys is not read-only (linux.readonlyPaths does not list it or a parent of it, nor is it "
                       "masked); add it to linux.readonlyPaths, as the engines do without --privileged");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* Read-only does not count as masked. */
  judge_lists (&j, POLICY ("deny"), "[]", "['/proc']");
  assert_int_equal (j.v.n_findings, 9);
  assert_contains (j.v.findings[0].message, "/proc/acpi is not masked (linux.maskedPaths does not list it");
  unit_judged_release (&j);

  /* Both absent: one finding per path, saying so. */
  judge_lists (&j, POLICY ("warn"), NULL, NULL);
  assert_int_equal (j.v.n_findings, 15);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 15);
  for (size_t i = 0; i < ARRAY_SIZE (default_masked); i++)
    {
      const struct finding *m = &j.v.findings[i];
      cleanup_free char *want = xasprintf ("%s is not masked (linux.maskedPaths is absent);", default_masked[i]);
      assert_contains (m->message, want);
      assert_string_equal (m->path, "/linux/maskedPaths");
    }
  for (size_t i = 0; i < ARRAY_SIZE (default_readonly); i++)
    {
      const struct finding *r = &j.v.findings[ARRAY_SIZE (default_masked) + i];
      cleanup_free char *want
          = xasprintf ("%s is not read-only (linux.readonlyPaths is absent, nor is it masked);", default_readonly[i]);
      assert_contains (r->message, want);
      assert_string_equal (r->path, "/linux/readonlyPaths");
    }
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_lists (&j, POLICY ("off"), NULL, NULL);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Everything but linux.maskedPaths and linux.readonlyPaths, as text. */
static json_object *
snapshot_others (json_object *root)
{
  json_object *snap = json_object_new_object ();
  json_object_object_foreach (root, key, val)
    {
      if (strcmp (key, "linux") == 0)
        continue;
      json_object_object_add (snap, key, json_object_new_string (json_object_to_json_string (val)));
    }
  json_object_object_foreach (json_get (root, "linux"), lkey, lval)
    {
      if (strcmp (lkey, "maskedPaths") == 0 || strcmp (lkey, "readonlyPaths") == 0)
        continue;
      cleanup_free char *k = xasprintf ("linux.%s", lkey);
      json_object_object_add (snap, k, json_object_new_string (json_object_to_json_string (lval)));
    }
  return snap;
}

static void
test_fix_appends (void **state UNUSED)
{
  struct judged j;
  unit_judge_q (
      &j, POLICY ("fix"),
      "{'ociVersion': '1.0.2', 'x-vendor': {'a': [1, 2]},"
      " 'process': {'args': ['sh'], 'user': {'uid': 0, 'gid': 0}, 'capabilities': {'bounding': ['CAP_KILL']}},"
      " 'root': {'path': 'rootfs', 'readonly': true},"
      " 'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc'}],"
      " 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}], 'x-linux': null,"
      "   'maskedPaths': ['/custom/one', '/proc/keys', '/proc/kcore'],"
      "   'readonlyPaths': ['/proc/sys', '/custom/two'],"
      "   'resources': {'devices': [{'allow': false, 'access': 'rwm'}]}}}");
  assert_int_equal (j.v.n_findings, 7 + 5);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 12);
  assert_int_equal (verdict_decide (&j.v), DECISION_REWRITE);
  json_object *root = j.cfg->root;
  cleanup_json json_object *before = snapshot_others (root);

  apply_fixes (&j);

  assert_list (root, "maskedPaths",
               "['/custom/one', '/proc/keys', '/proc/kcore', '/proc/acpi', '/proc/latency_stats', '/proc/timer_list', "
               "'/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware']");
  assert_list (root, "readonlyPaths",
               "['/proc/sys', '/custom/two', '/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', "
               "'/proc/sysrq-trigger']");
  cleanup_json json_object *after = snapshot_others (root);
  assert_string_equal (json_object_to_json_string (after), json_object_to_json_string (before));
  unit_assert_clean (&j);
  unit_judged_release (&j);
}

/* No "linux" (or null lists): created, with the defaults in order. */
static void
test_fix_creates (void **state UNUSED)
{
  struct judged j;
  unit_judge_q (&j, POLICY ("fix"), "{'process': {'args': ['sh']}, 'hostname': 'h'}");
  assert_int_equal (j.v.n_findings, 15);
  apply_fixes (&j);
  assert_list (j.cfg->root, "maskedPaths",
               "['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', "
               "'/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware']");
  assert_list (j.cfg->root, "readonlyPaths",
               "['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']");
  assert_int_equal (json_object_object_length (json_get (j.cfg->root, "linux")), 2);
  assert_string_equal (json_object_get_string (json_get (j.cfg->root, "hostname")), "h");
  assert_int_equal (json_object_object_length (j.cfg->root), 3);
  unit_assert_clean (&j);
  unit_judged_release (&j);

  unit_judge_q (&j, POLICY ("fix"),
                "{'process': {'args': ['sh']}, 'linux': {'maskedPaths': null, 'readonlyPaths': " DOCKER_READONLY "}}");
  assert_int_equal (j.v.n_findings, 9 + 1); /* /proc/asound is neither masked nor read-only */
  apply_fixes (&j);
  assert_list (j.cfg->root, "maskedPaths",
               "['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', "
               "'/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware']");
  assert_list (j.cfg->root, "readonlyPaths",
               "['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger', '/proc/asound']");
  unit_assert_clean (&j);
  unit_judged_release (&j);
}

/* The policy's lists, normalised; duplicates appended once. */
static void
test_options (void **state UNUSED)
{
  static const char *const policy
      = "{'version': 1, 'rules': {'maskedPaths': {'action': 'fix', 'masked': ['/sys/devices/virtual/powercap', "
        "'/sys/devices/virtual//powercap/'], 'readonly': ['/proc/sys', '/proc/./sys']}}}";
  struct judged j;
  judge_lists (&j, policy, DOCKER_MASKED, "[]");
  assert_int_equal (j.v.n_findings, 2);
  assert_contains (j.v.findings[0].message, "/sys/devices/virtual/powercap is not masked (");
  assert_contains (j.v.findings[1].message, "/proc/sys is not read-only (");
  apply_fixes (&j);
  json_object *m = json_get (json_get (j.cfg->root, "linux"), "maskedPaths");
  assert_int_equal (json_object_array_length (m), 11);
  assert_string_equal (json_object_get_string (json_object_array_get_idx (m, 10)), "/sys/devices/virtual/powercap");
  assert_list (j.cfg->root, "readonlyPaths", "['/proc/sys']");
  unit_assert_clean (&j);
  unit_judged_release (&j);

  cleanup_free char *rel
      = dq ("{'version': 1, 'rules': {'maskedPaths': {'action': 'deny',\n 'readonly': ['/proc/sys', 'proc/bus']}}}");
  cleanup_free char *msg = unit_policy_error (rel);
  assert_string_equal (msg, "test-policy.json:2: rules.maskedPaths.readonly[1]: must be an absolute path (a string "
                            "starting with /)");
  cleanup_free char *notlist = dq ("{'version': 1, 'rules': {'maskedPaths': {'action': 'deny', 'masked': {}}}}");
  cleanup_free char *msg2 = unit_policy_error (notlist);
  assert_contains (msg2, "rules.maskedPaths.masked: must be an array of absolute paths");
  cleanup_free char *unknown = dq ("{'version': 1, 'rules': {'maskedPaths': {'action': 'deny', 'paths': []}}}");
  cleanup_free char *msg3 = unit_policy_error (unknown);
  assert_contains (msg3, "rules.maskedPaths.paths: unknown option (this rule takes: action, masked, readonly)");
}

static char *
judge_error (const char *config)
{
  enum ocigate_error_kind kind;
  char *msg = unit_judge_error_q (POLICY ("fix"), config, &kind);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  return msg;
}

static void
test_input_errors (void **state UNUSED)
{
  cleanup_free char *m1 = judge_error ("{'process': {}, 'linux': {'maskedPaths': '/proc/kcore'}}");
  assert_string_equal (m1, "config.json: rule maskedPaths: linux.maskedPaths: must be an array of strings, not "
                           "string \"/proc/kcore\"");
  cleanup_free char *m2 = judge_error ("{'process': {}, 'linux': {'maskedPaths': [], 'readonlyPaths': ['/a', 2]}}");
  assert_contains (
      m2,
      "config.json: rule maskedPaths: linux.readonlyPaths[1]: must be a string, not int 2 (linux.readonlyPaths must be "
      "an array of strings)");

  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{'process': {}, 'linux': {'maskedPaths': [");
  for (int i = 0; i < 4097; i++)
    strbuf_appendf (&sb, "%s'/p%d'", i ? "," : "", i);
  strbuf_append (&sb, "]}}");
  cleanup_free char *m3 = judge_error (sb.buf);
  assert_string_equal (m3, "config.json: rule maskedPaths: linux.maskedPaths: 4097 paths, more than the limit of "
                           "4096");
  strbuf_release (&sb);
}

static void
test_fixtures (void **state UNUSED)
{
  static const struct
  {
    const char *name;
    size_t findings;
  } cases[] = {
    { "docker-default.json", 0 },     { "podman-default.json", 0 },     { "ctr-default.json", 0 },
    { "runc-spec.json", 0 },          { "crun-spec.json", 0 },          { "runc-spec-rootless.json", 0 },
    { "crun-spec-rootless.json", 0 }, { "docker-privileged.json", 15 }, { "podman-privileged.json", 15 },
    { "ctr-privileged.json", 15 },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct policy *pol = unit_policy_rule (RULE, "{\"action\": \"fix\"}");
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
      if (v.n_findings)
        {
          /* The fix gives the privileged config the default lists. */
          if (ocigate_apply_fixes (pol, &ctx, &v, &err) < 0)
            fail_msg ("%s: fix failed: %s", cases[i].name, err->msg);
          assert_int_equal (json_object_array_length (json_get (json_get (cfg->root, "linux"), "maskedPaths")), 9);
          assert_int_equal (json_object_array_length (json_get (json_get (cfg->root, "linux"), "readonlyPaths")), 6);
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
    cmocka_unit_test (test_engine_lists_pass), cmocka_unit_test (test_missing_paths),
    cmocka_unit_test (test_fix_appends),       cmocka_unit_test (test_fix_creates),
    cmocka_unit_test (test_options),           cmocka_unit_test (test_input_errors),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule maskedPaths", tests, NULL, NULL);
}
