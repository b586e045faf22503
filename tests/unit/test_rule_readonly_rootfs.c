/* Unit tests for the "readonlyRootfs" rule: root.readonly must be true;
 * "fix" sets it in the existing root; a config without root is denied.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "readonlyRootfs"
#define POLICY(action) "{'version': 1, 'rules': {'readonlyRootfs': {'action': '" action "'}}}"
#define MSG_ABSENT                                                                                                     \
  "root filesystem is writable (root.readonly is absent, so false); mount it read-only (--read-only) and give the "    \
  "paths that must be written a tmpfs or a volume"
#define MSG_NO_ROOT                                                                                                    \
  "container has no root filesystem entry (root is absent, and ocigate will not make up a root path); give the "       \
  "config a root with root.path and root.readonly=true"

/* A config with `root` as its root member ("" for none). */
static char *
config_root (const char *root)
{
  return xasprintf ("{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}%s%s, "
                    "'hostname': 'c'}",
                    *root ? ", 'root': " : "", root);
}

static void
judge_root (struct judged *j, const char *policy, const char *root)
{
  cleanup_free char *c = config_root (root);
  unit_judge_q (j, policy, c);
}

static char *
judge_error (const char *policy, const char *config, enum ocigate_error_kind *kind)
{
  return unit_judge_error_q (policy, config, kind);
}

static void
test_writable (void **state UNUSED)
{
  struct judged j;
  judge_root (&j, POLICY ("deny"), "{'path': 'rootfs'}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/root/readonly");
  assert_string_equal (f->message, MSG_ABSENT);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  judge_root (&j, POLICY ("deny"), "{'path': 'rootfs', 'readonly': false}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_string_equal (j.v.findings[0].path, "/root/readonly");
  assert_string_equal (j.v.findings[0].message,
                       "root filesystem is writable (root.readonly=false); mount it read-only (--read-only) and give "
                       "the paths that must be written a tmpfs or a volume");
  unit_judged_release (&j);

  judge_root (&j, POLICY ("deny"), "{'path': 'rootfs', 'readonly': null}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(root.readonly is null, so false)");
  unit_judged_release (&j);

  judge_root (&j, POLICY ("deny"), "{'path': 'rootfs', 'readonly': true}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_actions (void **state UNUSED)
{
  struct judged j;
  judge_root (&j, POLICY ("warn"), "{'path': 'rootfs'}");
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_root (&j, POLICY ("fix"), "{'path': 'rootfs', 'readonly': false}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_REWRITE);
  unit_judged_release (&j);

  judge_root (&j, POLICY ("off"), "{'path': 'rootfs'}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* No root at all: a finding with the policy's action, but "fix" cannot
 * invent a path, so under "fix" it is a deny and nothing is rewritten. */
static void
test_no_root (void **state UNUSED)
{
  static const char *const roots[] = { "", "null" };
  for (size_t i = 0; i < ARRAY_SIZE (roots); i++)
    {
      struct judged j;
      judge_root (&j, POLICY ("warn"), roots[i]);
      assert_int_equal (j.v.n_findings, 1);
      assert_int_equal (j.v.findings[0].action, ACTION_WARN);
      assert_string_equal (j.v.findings[0].path, "/root");
      assert_string_equal (j.v.findings[0].message, MSG_NO_ROOT);
      unit_judged_release (&j);

      judge_root (&j, POLICY ("fix"), roots[i]);
      assert_int_equal (j.v.n_findings, 1);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 0);
      assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
      cleanup_free char *before = xstrdup (json_object_to_json_string (j.cfg->root));
      /* The rule's fix, called anyway, leaves such a config alone. */
      const struct rule *r = rule_find (RULE);
      size_t k = 0;
      while (j.policy->settings[k].rule != r)
        k++;
      struct rule_context ctx = { .config = j.cfg, .host = &j.host };
      ocigate_error_t err = NULL;
      assert_int_equal (r->apply (&ctx, &j.policy->settings[k], &err), 0);
      assert_string_equal (json_object_to_json_string (j.cfg->root), before);
      unit_judged_release (&j);
    }
}

/* "fix" sets root.readonly, in place or appended, and nothing else. */
static void
test_fix (void **state UNUSED)
{
  static const char *const roots[] = { "{'path': 'rootfs'}", "{'path': 'rootfs', 'readonly': false, 'x': 1}",
                                       "{'readonly': null, 'path': '/var/lib/c/rootfs'}" };
  for (size_t i = 0; i < ARRAY_SIZE (roots); i++)
    {
      cleanup_free char *raw
          = xasprintf ("{'ociVersion': '1.0.2', 'x-vendor': {'a': [1, 2]}, 'root': %s,"
                       " 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh'], 'noNewPrivileges': true},"
                       " 'mounts': [{'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs'}],"
                       " 'linux': {'namespaces': [{'type': 'mount'}]}}",
                       roots[i]);
      cleanup_free char *config = dq (raw);
      cleanup_free char *p = dq (POLICY ("fix"));
      struct judged j;
      unit_judge (&j, p, config);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);

      cleanup_json json_object *want = NULL;
      ocigate_error_t err = NULL;
      assert_int_equal (json_parse_untrusted (config, strlen (config), "want", &want, &err), 0);
      json_object_object_add (json_get (want, "root"), "readonly", json_object_new_boolean (1));

      apply_fixes (&j);
      assert_string_equal (json_object_to_json_string (j.cfg->root), json_object_to_json_string (want));
      json_object *ro = json_get (json_get (j.cfg->root, "root"), "readonly");
      assert_true (json_object_is_type (ro, json_type_boolean) && json_object_get_boolean (ro));

      struct rule_context ctx = { .config = j.cfg, .host = &j.host };
      struct verdict v = { 0 };
      assert_int_equal (ocigate_evaluate (j.policy, &ctx, &v, &err), 0);
      assert_int_equal (v.n_findings, 0);
      verdict_release (&v);
      unit_judged_release (&j);
    }
}

static void
test_wrong_type (void **state UNUSED)
{
  static const struct
  {
    const char *root, *want;
  } cases[] = {
    { "'rootfs'", "config.json: rule readonlyRootfs: root: must be an object, not string \"rootfs\"" },
    { "['rootfs']", "config.json: rule readonlyRootfs: root: must be an object, not array [\"rootfs\"]" },
    { "{'path': 'rootfs', 'readonly': 'true'}",
      "config.json: rule readonlyRootfs: root.readonly: must be a boolean, not string \"true\"" },
    { "{'path': 'rootfs', 'readonly': 1}",
      "config.json: rule readonlyRootfs: root.readonly: must be a boolean, not int 1" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *config = config_root (cases[i].root);
      enum ocigate_error_kind kind;
      cleanup_free char *msg = judge_error (POLICY ("fix"), config, &kind);
      assert_string_equal (msg, cases[i].want);
      assert_int_equal (kind, OCIGATE_ERR_INPUT);
    }
}

static void
test_policy (void **state UNUSED)
{
  cleanup_free char *p = dq ("{'version': 1, 'rules': {'readonlyRootfs': {'action': 'fix', 'tmpfs': ['/tmp']}}}");
  cleanup_free char *msg = unit_policy_error (p);
  assert_contains (msg, "rules.readonlyRootfs.tmpfs: unknown option (this rule takes only \"action\")");
  assert_null (rule_find (RULE)->default_options);
}

static void
test_fixtures (void **state UNUSED)
{
  static const struct
  {
    const char *file;
    size_t findings;
  } cases[] = {
    { "tests/fixtures/docker-default.json", 1 }, { "tests/fixtures/docker-readonly.json", 0 },
    { "tests/fixtures/podman-default.json", 1 }, { "tests/fixtures/podman-readonly.json", 0 },
    { "tests/fixtures/ctr-default.json", 1 },    { "tests/fixtures/ctr-readonly.json", 0 },
    { "tests/fixtures/runc-spec.json", 0 },      { "tests/fixtures/crun-spec.json", 0 },
  };
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
    cmocka_unit_test (test_writable), cmocka_unit_test (test_actions),    cmocka_unit_test (test_no_root),
    cmocka_unit_test (test_fix),      cmocka_unit_test (test_wrong_type), cmocka_unit_test (test_policy),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule readonlyRootfs", tests, NULL, NULL);
}
