/* Unit tests for the "noNewPrivileges" rule: process.noNewPrivileges must
 * be true; "fix" sets it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "noNewPrivileges"
#define POLICY(action) "{'version': 1, 'rules': {'noNewPrivileges': {'action': '" action "'}}}"
#define MSG_ABSENT                                                                                                     \
  "process may gain privileges through setuid binaries and file capabilities (process.noNewPrivileges is absent, so "  \
  "false); set it to true (--security-opt no-new-privileges)"
#define MSG_FALSE                                                                                                      \
  "process may gain privileges through setuid binaries and file capabilities (process.noNewPrivileges=false); set it " \
  "to true (--security-opt no-new-privileges)"

/* A config whose process has `nnp` as its last member ("" for none). */
static char *
config_nnp (const char *nnp)
{
  return xasprintf ("{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']%s%s}, "
                    "'root': {'path': 'rootfs'}}",
                    *nnp ? ", 'noNewPrivileges': " : "", nnp);
}

static void
judge_nnp (struct judged *j, const char *policy, const char *nnp)
{
  cleanup_free char *c = config_nnp (nnp);
  unit_judge_q (j, policy, c);
}

/* Evaluate a config that the rule cannot judge; returns the message. */
static char *
judge_error (const char *policy, const char *config, enum ocigate_error_kind *kind)
{
  return unit_judge_error_q (policy, config, kind);
}

static void
test_absent (void **state UNUSED)
{
  struct judged j;
  judge_nnp (&j, POLICY ("deny"), "");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/process/noNewPrivileges");
  assert_string_equal (f->message, MSG_ABSENT);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* null is read as the runtimes read it: false. */
  judge_nnp (&j, POLICY ("deny"), "null");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(process.noNewPrivileges is null, so false)");
  unit_judged_release (&j);
}

static void
test_false_and_true (void **state UNUSED)
{
  struct judged j;
  judge_nnp (&j, POLICY ("deny"), "false");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_DENY);
  assert_string_equal (j.v.findings[0].path, "/process/noNewPrivileges");
  assert_string_equal (j.v.findings[0].message, MSG_FALSE);
  unit_judged_release (&j);

  judge_nnp (&j, POLICY ("deny"), "true");
  assert_int_equal (j.v.n_findings, 0);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
}

static void
test_actions (void **state UNUSED)
{
  struct judged j;
  judge_nnp (&j, POLICY ("warn"), "false");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_nnp (&j, POLICY ("fix"), "");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_REWRITE);
  unit_judged_release (&j);

  judge_nnp (&j, POLICY ("off"), "false");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* "fix" sets the key to true, in place when present, appended when not;
 * the rest of the document is unchanged, byte for byte. */
static void
test_fix (void **state UNUSED)
{
  static const char *const values[] = { "", "false", "null" };
  for (size_t i = 0; i < ARRAY_SIZE (values); i++)
    {
      cleanup_free char *raw
          = xasprintf ("{'ociVersion': '1.0.2', 'x-vendor': {'a': [1, 2]},"
                       " 'process': {'terminal': false, 'user': {'uid': 1000, 'gid': 1000},"
                       "   'args': ['sh'], 'env': ['PATH=/bin'], 'cwd': '/'%s%s, 'x-proc': [true]},"
                       " 'root': {'path': 'rootfs'},"
                       " 'linux': {'namespaces': [{'type': 'pid'}], 'maskedPaths': ['/proc/kcore']}}",
                       *values[i] ? ", 'noNewPrivileges': " : "", values[i]);
      cleanup_free char *config = dq (raw);
      struct judged j;
      cleanup_free char *p = dq (POLICY ("fix"));
      unit_judge (&j, p, config);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);

      /* What the document must become: the same edit, made by hand. */
      cleanup_json json_object *want = NULL;
      ocigate_error_t err = NULL;
      assert_int_equal (json_parse_untrusted (config, strlen (config), "want", &want, &err), 0);
      json_object_object_add (json_get (want, "process"), "noNewPrivileges", json_object_new_boolean (1));

      apply_fixes (&j);
      assert_string_equal (json_object_to_json_string (j.cfg->root), json_object_to_json_string (want));
      json_object *nnp = json_get (json_get (j.cfg->root, "process"), "noNewPrivileges");
      assert_true (json_object_is_type (nnp, json_type_boolean) && json_object_get_boolean (nnp));
      if (*values[i])
        {
          /* Replaced where it was: still before x-proc. */
          const char *s = json_object_to_json_string (j.cfg->root);
          assert_true (strstr (s, "noNewPrivileges") < strstr (s, "x-proc"));
        }
      unit_assert_clean (&j);
      unit_judged_release (&j);
    }
}

static void
test_wrong_type (void **state UNUSED)
{
  static const struct
  {
    const char *value, *type;
  } cases[]
      = { { "'true'", "string \"true\"" }, { "1", "int 1" }, { "{}", "object {}" }, { "[true]", "array [true]" } };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *config = config_nnp (cases[i].value);
      enum ocigate_error_kind kind;
      cleanup_free char *msg = judge_error (POLICY ("warn"), config, &kind);
      cleanup_free char *want = xasprintf (
          "config.json: rule noNewPrivileges: process.noNewPrivileges: must be a boolean, not %s", cases[i].type);
      assert_string_equal (msg, want);
      assert_int_equal (kind, OCIGATE_ERR_INPUT);
    }
  /* Off, the rule does not read the field. */
  struct judged j;
  judge_nnp (&j, POLICY ("off"), "'yes'");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_policy (void **state UNUSED)
{
  cleanup_free char *p = dq ("{'version': 1, 'rules': {'noNewPrivileges': {'action': 'deny', 'strict': true}}}");
  cleanup_free char *msg = unit_policy_error (p);
  assert_contains (msg, "rules.noNewPrivileges.strict: unknown option (this rule takes only \"action\")");
  assert_null (rule_find (RULE)->default_options);
  assert_non_null (rule_find (RULE)->apply);
}

/* Real engines: Docker's default has no key, its --security-opt
 * no-new-privileges and ctr's default set it. */
static void
test_fixtures (void **state UNUSED)
{
  static const struct
  {
    const char *file;
    size_t findings;
  } cases[] = { { "tests/fixtures/docker-default.json", 1 }, { "tests/fixtures/docker-nnp.json", 0 },
                { "tests/fixtures/podman-default.json", 1 }, { "tests/fixtures/podman-nnp.json", 0 },
                { "tests/fixtures/ctr-default.json", 0 },    { "tests/fixtures/ctr-allow-new-privs.json", 1 },
                { "tests/fixtures/runc-spec.json", 0 } };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct judged j;
      unit_judge_file (&j, POLICY ("deny"), cases[i].file);
      if (unit_count (&j.v, RULE, ACTION_DENY) != cases[i].findings)
        fail_msg ("%s: %zu findings, want %zu", cases[i].file, unit_count (&j.v, RULE, -1), cases[i].findings);
      if (cases[i].findings)
        assert_string_equal (j.v.findings[0].message, MSG_ABSENT);
      unit_judged_release (&j);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_absent),   cmocka_unit_test (test_false_and_true), cmocka_unit_test (test_actions),
    cmocka_unit_test (test_fix),      cmocka_unit_test (test_wrong_type),     cmocka_unit_test (test_policy),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule noNewPrivileges", tests, NULL, NULL);
}
