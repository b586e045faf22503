/* Unit tests for the "capabilities" rule: every capability in any of the
 * five sets is on the allowlist; "fix" rewrites the sets down to it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "capabilities"
#define ALLOW "['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SETUID', 'CAP_SETGID']"
#define POLICY(action) "{'version': 1, 'rules': {'capabilities': {'action': '" action "', 'allow': " ALLOW "}}}"
/* The allowlist as the rule lists it: by capability number. */
#define ALLOW_NAMES "CAP_CHOWN, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_NET_BIND_SERVICE"

static char *
config_with_caps (const char *caps)
{
  return xasprintf ("{'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh'], 'capabilities': %s}}", caps);
}

static void
judge_caps (struct judged *j, const char *policy, const char *caps)
{
  cleanup_free char *c = config_with_caps (caps);
  unit_judge_q (j, policy, c);
}

static capmask_t
mask_of (const char *const *names)
{
  capmask_t m = 0;
  for (; *names; names++)
    {
      int c = cap_parse_name (*names);
      if (c < 0)
        fail_msg ("test bug: unknown capability %s", *names);
      m |= CAPMASK (c);
    }
  return m;
}

/* process.capabilities.SET is exactly `want`, in that order. */
static void
assert_set (json_object *root, const char *set, const char *const *want)
{
  json_object *arr = json_get (json_get (json_get (root, "process"), "capabilities"), set);
  if (arr == NULL || !json_object_is_type (arr, json_type_array))
    fail_msg ("process.capabilities.%s is not an array", set);
  size_t n = 0;
  while (want[n])
    n++;
  if (json_object_array_length (arr) != n)
    fail_msg ("process.capabilities.%s: %s, want %zu entries", set, json_object_to_json_string (arr), n);
  for (size_t i = 0; i < n; i++)
    assert_string_equal (json_object_get_string (json_object_array_get_idx (arr, i)), want[i]);
}

static void
assert_set_absent (json_object *root, const char *set)
{
  assert_null (json_get (json_get (json_get (root, "process"), "capabilities"), set));
}

static void
test_extra_in_bounding (void **state UNUSED)
{
  struct judged j;
  judge_caps (&j, POLICY ("deny"),
              "{'bounding': ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'], 'effective': ['CAP_CHOWN'], "
              "'permitted': ['CAP_CHOWN']}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/process/capabilities/bounding/2");
  assert_string_equal (f->message, "capability CAP_SYS_ADMIN is not on the allowlist (process.capabilities: bounding); "
                                   "drop it (--cap-drop SYS_ADMIN) or add it to rules.capabilities.allow");
  unit_judged_release (&j);

  /* Only on the allowlist: nothing. */
  judge_caps (&j, POLICY ("deny"),
              "{'bounding': " ALLOW ", 'effective': " ALLOW ", 'permitted': " ALLOW ", 'inheritable': [], "
              "'ambient': []}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* No set at all is no capability. */
  judge_caps (&j, POLICY ("deny"), "{}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* One finding per capability, naming every set it is in; the path is the
 * first place it appears. */
static void
test_extra_in_several_sets (void **state UNUSED)
{
  struct judged j;
  judge_caps (&j, POLICY ("deny"),
              "{'bounding': ['CAP_CHOWN', 'CAP_SYS_ADMIN'], 'effective': ['CAP_NET_RAW'], "
              "'permitted': ['CAP_SYS_ADMIN', 'CAP_CHOWN'], 'inheritable': ['CAP_KILL', 'CAP_NET_RAW'], "
              "'ambient': ['CAP_SYS_ADMIN']}");
  assert_int_equal (j.v.n_findings, 2);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 2);

  const struct finding *raw = unit_find (&j.v, RULE, "CAP_NET_RAW");
  assert_non_null (raw);
  assert_string_equal (raw->path, "/process/capabilities/effective/0");
  assert_string_equal (raw->message, "capability CAP_NET_RAW is not on the allowlist (process.capabilities: effective, "
                                     "inheritable); drop it (--cap-drop NET_RAW) or add it to "
                                     "rules.capabilities.allow");

  const struct finding *admin = unit_find (&j.v, RULE, "CAP_SYS_ADMIN");
  assert_non_null (admin);
  assert_string_equal (admin->path, "/process/capabilities/bounding/1");
  assert_contains (admin->message, "(process.capabilities: bounding, permitted, ambient)");
  unit_judged_release (&j);

  /* A capability only in ambient points into ambient. */
  judge_caps (&j, POLICY ("deny"), "{'bounding': ['CAP_CHOWN'], 'ambient': ['CAP_CHOWN', 'CAP_SYS_PTRACE']}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/process/capabilities/ambient/1");
  assert_contains (j.v.findings[0].message, "capability CAP_SYS_PTRACE is not on the allowlist (process.capabilities: "
                                            "ambient)");
  unit_judged_release (&j);
}

/* "fix" cuts every set to the allowlist, keeps the order of what stays,
 * keeps in ambient only what stays permitted and inheritable, and leaves
 * everything else in the document as it was. */
static void
test_fix_rewrites_sets (void **state UNUSED)
{
  struct judged j;
  unit_judge_q (&j, POLICY ("fix"),
                "{'ociVersion': '1.0.2', 'x-vendor': {'a': [1, 2]},"
                " 'annotations': {'org.example.owner': 'team-a', 'io.example/x': 'y'},"
                " 'process': {'terminal': false, 'user': {'uid': 1000, 'gid': 1000, 'additionalGids': [5]},"
                "   'args': ['sh', '-c', 'true'], 'env': ['PATH=/bin'], 'cwd': '/', 'x-proc': [true, null],"
                "   'capabilities': {"
                "     'bounding': ['CAP_SYS_ADMIN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_CHOWN'],"
                "     'effective': ['CAP_KILL', 'CAP_SYS_ADMIN', 'CAP_CHOWN'],"
                "     'permitted': ['CAP_CHOWN', 'CAP_NET_RAW', 'CAP_KILL', 'CAP_SETUID'],"
                "     'inheritable': ['CAP_KILL', 'CAP_SYS_ADMIN', 'CAP_SETUID'],"
                "     'ambient': ['CAP_SETUID', 'CAP_SYS_ADMIN', 'CAP_CHOWN', 'CAP_KILL']},"
                "   'noNewPrivileges': true},"
                " 'root': {'path': 'rootfs', 'readonly': true},"
                " 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}], 'maskedPaths': ['/proc/kcore']}}");
  assert_int_equal (j.v.n_findings, 2);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 2);
  assert_non_null (unit_find (&j.v, RULE, "CAP_SYS_ADMIN"));
  assert_non_null (unit_find (&j.v, RULE, "CAP_NET_RAW"));
  assert_int_equal (verdict_decide (&j.v), DECISION_REWRITE);

  /* Everything but process.capabilities, as text, before the fix. */
  json_object *root = j.cfg->root;
  json_object *before = json_object_new_object ();
  json_object_object_foreach (root, key, val)
    {
      if (strcmp (key, "process") != 0)
        json_object_object_add (before, key, json_object_new_string (json_object_to_json_string (val)));
    }
  json_object_object_foreach (json_get (root, "process"), pkey, pval)
    {
      if (strcmp (pkey, "capabilities") != 0)
        {
          cleanup_free char *k = xasprintf ("process.%s", pkey);
          json_object_object_add (before, k, json_object_new_string (json_object_to_json_string (pval)));
        }
    }
  assert_int_equal (json_object_object_length (before), 5 + 7);

  apply_fixes (&j);

  assert_set (root, "bounding", (const char *const[]){ "CAP_KILL", "CAP_CHOWN", NULL });
  assert_set (root, "effective", (const char *const[]){ "CAP_KILL", "CAP_CHOWN", NULL });
  assert_set (root, "permitted", (const char *const[]){ "CAP_CHOWN", "CAP_KILL", "CAP_SETUID", NULL });
  assert_set (root, "inheritable", (const char *const[]){ "CAP_KILL", "CAP_SETUID", NULL });
  /* CAP_CHOWN is allowed but no longer inheritable: out of ambient. */
  assert_set (root, "ambient", (const char *const[]){ "CAP_SETUID", "CAP_KILL", NULL });

  /* The typed views follow the tree. */
  assert_true (j.cfg->caps[CAPSET_BOUNDING] == mask_of ((const char *const[]){ "CAP_KILL", "CAP_CHOWN", NULL }));
  assert_true (j.cfg->caps[CAPSET_AMBIENT] == mask_of ((const char *const[]){ "CAP_SETUID", "CAP_KILL", NULL }));

  /* Every other field as it was, and in the same order. */
  json_object_object_foreach (root, key2, val2)
    {
      if (strcmp (key2, "process") == 0)
        continue;
      json_object *was = json_get (before, key2);
      if (was == NULL)
        fail_msg ("new top-level field %s", key2);
      assert_string_equal (json_object_to_json_string (val2), json_object_get_string (was));
    }
  size_t n_process = 0;
  json_object_object_foreach (json_get (root, "process"), pkey2, pval2)
    {
      n_process++;
      if (strcmp (pkey2, "capabilities") == 0)
        continue;
      cleanup_free char *k = xasprintf ("process.%s", pkey2);
      json_object *was = json_get (before, k);
      if (was == NULL)
        fail_msg ("new field %s", k);
      assert_string_equal (json_object_to_json_string (pval2), json_object_get_string (was));
    }
  assert_int_equal (n_process, 8);
  assert_int_equal (json_object_object_length (root), 6);
  assert_string_equal (json_object_to_json_string (json_get (root, "x-vendor")), "{ \"a\": [ 1, 2 ] }");
  assert_string_equal (json_object_get_string (json_get (json_get (root, "annotations"), "org.example.owner")),
                       "team-a");

  json_object_put (before);
  unit_assert_clean (&j);
  unit_judged_release (&j);
}

/* No process.capabilities: the process keeps the runtime's; the fix
 * writes the allowlist as bounding, effective and permitted. */
static void
test_absent_capabilities (void **state UNUSED)
{
  struct judged j;
  unit_judge_q (&j, POLICY ("fix"), "{'x-vendor': {'a': [1, 2]}, 'process': {'args': ['sh'], 'user': {'uid': 1000}}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_FIX);
  assert_string_equal (j.v.findings[0].path, "/process/capabilities");
  assert_string_equal (j.v.findings[0].message, "process keeps every capability of the runtime (process.capabilities "
                                                "is absent); list the capabilities it needs, at most: " ALLOW_NAMES);

  apply_fixes (&j);
  json_object *root = j.cfg->root;
  static const char *const want[]
      = { "CAP_CHOWN", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_NET_BIND_SERVICE", NULL };
  assert_set (root, "bounding", want);
  assert_set (root, "effective", want);
  assert_set (root, "permitted", want);
  assert_set_absent (root, "inheritable");
  assert_set_absent (root, "ambient");
  assert_true (j.cfg->has_capabilities);
  assert_true (j.cfg->caps[CAPSET_PERMITTED] == mask_of (want));
  assert_string_equal (json_object_to_json_string (json_get (root, "x-vendor")), "{ \"a\": [ 1, 2 ] }");
  unit_assert_clean (&j);
  unit_judged_release (&j);

  /* capabilities: null is absent too. */
  unit_judge_q (&j, POLICY ("deny"), "{'process': {'args': ['sh'], 'capabilities': null}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_string_equal (j.v.findings[0].path, "/process/capabilities");
  unit_judged_release (&j);

  /* An empty allowlist says so. */
  unit_judge_q (&j, "{'version': 1, 'rules': {'capabilities': {'action': 'deny'}}}", "{'process': {'args': ['sh']}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "list the capabilities it needs, at most: none");
  unit_judged_release (&j);
}

static void
test_actions (void **state UNUSED)
{
  static const char *const caps = "{'bounding': ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'], 'permitted': ['CAP_SYS_ADMIN']}";
  struct judged j;
  judge_caps (&j, POLICY ("deny"), caps);
  assert_int_equal (j.v.n_findings, 2);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 2);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  judge_caps (&j, POLICY ("warn"), caps);
  assert_int_equal (j.v.n_findings, 2);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 2);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_caps (&j, POLICY ("off"), caps);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* The allowlist is checked at load, and the error says where. */
static void
test_policy_unknown_capability (void **state UNUSED)
{
  cleanup_free char *json = dq ("{\n"
                                "  'version': 1,\n"
                                "  'rules': {\n"
                                "    'capabilities': {\n"
                                "      'action': 'deny',\n"
                                "      'allow': [\n"
                                "        'CAP_CHOWN',\n"
                                "        'CAP_BOGUS'\n"
                                "      ]\n"
                                "    }\n"
                                "  }\n"
                                "}\n");
  cleanup_free char *msg = unit_policy_error (json);
  assert_contains (msg, "CAP_BOGUS");
  assert_contains (msg, "test-policy.json:8:");
  assert_string_equal (msg, "test-policy.json:8: rules.capabilities.allow[1]: unknown capability \"CAP_BOGUS\" (names "
                            "are CAP_ and the upper-case name, as CAP_NET_BIND_SERVICE)");

  cleanup_free char *lower
      = dq ("{'version': 1, 'rules': {'capabilities': {'action': 'deny', 'allow': ['cap_chown']}}}");
  cleanup_free char *msg2 = unit_policy_error (lower);
  assert_contains (msg2, "rules.capabilities.allow[0]: unknown capability \"cap_chown\"");

  cleanup_free char *number = dq ("{'version': 1,\n 'rules': {'capabilities': {'action': 'deny',\n 'allow': [\n"
                                  " 'CAP_CHOWN',\n 21]}}}");
  cleanup_free char *msg3 = unit_policy_error (number);
  assert_string_equal (msg3, "test-policy.json:5: rules.capabilities.allow[1]: must be a capability name (string)");

  cleanup_free char *string = dq ("{'version': 1,\n 'rules': {'capabilities': {'action': 'deny',\n"
                                  " 'allow': 'CAP_CHOWN'}}}");
  cleanup_free char *msg4 = unit_policy_error (string);
  assert_string_equal (msg4, "test-policy.json:3: rules.capabilities.allow: must be an array of capability names");
}

/* The config's capability names are checked at load too. */
static void
test_config_unknown_capability (void **state UNUSED)
{
  cleanup_free char *c = config_with_caps ("{'bounding': ['CAP_BOGUS', 'CAP_CHOWN']}");
  cleanup_free char *json = dq (c);
  cleanup_free char *msg = unit_config_error (json);
  assert_contains (msg, "process.capabilities.bounding[0]");
  assert_string_equal (msg, "config.json: process.capabilities.bounding[0]: unknown capability \"CAP_BOGUS\" (names "
                            "are CAP_ and the upper-case name, as CAP_NET_BIND_SERVICE)");

  cleanup_free char *c2 = config_with_caps ("{'bounding': ['CAP_CHOWN'], 'ambient': ['CAP_CHOWN', 'SYS_ADMIN']}");
  cleanup_free char *json2 = dq (c2);
  cleanup_free char *msg2 = unit_config_error (json2);
  assert_contains (msg2, "config.json: process.capabilities.ambient[1]: unknown capability \"SYS_ADMIN\"");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_extra_in_bounding),
    cmocka_unit_test (test_extra_in_several_sets),
    cmocka_unit_test (test_fix_rewrites_sets),
    cmocka_unit_test (test_absent_capabilities),
    cmocka_unit_test (test_actions),
    cmocka_unit_test (test_policy_unknown_capability),
    cmocka_unit_test (test_config_unknown_capability),
  };
  return cmocka_run_group_tests_name ("rule capabilities", tests, NULL, NULL);
}
