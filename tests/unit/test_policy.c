/* Unit tests for the policy loader: the embedded default, the shipped
 * policies, and errors that name the key and the line to edit.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#include <glob.h>

static size_t
table_length (void)
{
  size_t n = 0;
  while (rule_table[n])
    n++;
  return n;
}

/* Load policy text (' for ") that must fail: the message, which must be a
 * policy error; caller frees. */
static char *
policy_error (const char *text)
{
  cleanup_free char *json = dq (text);
  struct policy *p = NULL;
  ocigate_error_t err = NULL;
  if (policy_load_buffer (json, strlen (json), "test-policy.json", &p, &err) == 0)
    {
      policy_free (p);
      fail_msg ("policy loaded but should not have: %s", json);
    }
  if (err->kind != OCIGATE_ERR_POLICY)
    fail_msg ("error kind %d, not a policy error: %s", (int)err->kind, err->msg);
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

#define assert_prefix(s, prefix)                                                                                       \
  do                                                                                                                   \
    {                                                                                                                  \
      const char *s_ = (s);                                                                                            \
      if (strncmp (s_, (prefix), strlen (prefix)) != 0)                                                                \
        fail_msg ("expected \"%s\" to start with \"%s\"", s_, (prefix));                                               \
    }                                                                                                                  \
  while (0)

static char *
policy_json_text (const struct policy *p)
{
  json_object *j = policy_to_json (p);
  char *s = xstrdup (json_object_to_json_string (j));
  json_object_put (j);
  return s;
}

/* The default compiled in is policies/default.json, setting for setting. */
static void
test_embedded_default (void **state UNUSED)
{
  struct policy *emb = NULL, *file = NULL;
  ocigate_error_t err = NULL;
  if (policy_load_embedded (&emb, &err) < 0)
    fail_msg ("embedded: %s", err->msg);
  if (policy_load_file ("policies/default.json", &file, &err) < 0)
    fail_msg ("policies/default.json: %s", err->msg);
  assert_string_equal (emb->source, OCIGATE_EMBEDDED_POLICY);
  assert_string_equal (file->source, "policies/default.json");

  cleanup_free char *a = policy_json_text (emb);
  cleanup_free char *b = policy_json_text (file);
  assert_string_equal (a, b);
  /* The digest computed when built is the file's, as loading it computes. */
  assert_int_equal (strlen (emb->sha256), SHA256_HEX_LEN);
  assert_string_equal (emb->sha256, file->sha256);

  /* Not two empty policies that happen to agree: enforcing, capabilities
   * fixed to the allowlist, the root and privileged rules denying. */
  assert_false (emb->dry_run);
  assert_int_equal (emb->n_settings, table_length ());
  for (size_t i = 0; i < emb->n_settings; i++)
    {
      const struct rule_setting *s = &emb->settings[i];
      assert_ptr_equal (s->rule, rule_table[i]);
      if (strcmp (s->rule->id, "capabilities") == 0)
        assert_int_equal (s->action, ACTION_FIX);
      else if (strcmp (s->rule->id, "privileged") == 0 || strcmp (s->rule->id, "user.root") == 0)
        assert_int_equal (s->action, ACTION_DENY);
    }
  policy_free (emb);
  policy_free (file);
}

/* Every policy shipped in policies/ loads. */
static void
test_shipped_policies_load (void **state UNUSED)
{
  glob_t g;
  assert_int_equal (glob ("policies/*.json", 0, NULL, &g), 0);
  assert_true (g.gl_pathc >= 3);
  bool saw_audit = false;
  for (size_t i = 0; i < g.gl_pathc; i++)
    {
      struct policy *p = NULL;
      ocigate_error_t err = NULL;
      if (policy_load_file (g.gl_pathv[i], &p, &err) < 0)
        fail_msg ("%s: %s", g.gl_pathv[i], err->msg);
      if (strcmp (g.gl_pathv[i], "policies/audit.json") == 0)
        {
          saw_audit = true;
          assert_true (p->dry_run);
        }
      policy_free (p);
    }
  globfree (&g);
  assert_true (saw_audit);
}

static void
test_unknown_top_level_key (void **state UNUSED)
{
  cleanup_free char *msg = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {},\n"
                                         "  'bogus': true\n"
                                         "}\n");
  /* The list of keys grows; the line, the key and the complaint do not. */
  assert_prefix (msg, "test-policy.json:4: bogus: unknown key (a policy has \"version\", \"mode\", \"rules\"");
}

static void
test_version (void **state UNUSED)
{
  cleanup_free char *two = policy_error ("{\n"
                                         "  'rules': {},\n"
                                         "  'version': 2\n"
                                         "}\n");
  assert_string_equal (two, "test-policy.json:3: version: 2 is not a version this ocigate reads (1)");

  cleanup_free char *string = policy_error ("{\n  'version': '1',\n  'rules': {}\n}\n");
  assert_string_equal (string, "test-policy.json:2: version: \"1\" is not a version this ocigate reads (1)");

  /* Missing: the key is nowhere in the text, so no line to point at. */
  cleanup_free char *missing = policy_error ("{\n  'rules': {}\n}\n");
  assert_string_equal (missing, "test-policy.json: version: missing (this ocigate reads version 1)");
}

static void
test_mode (void **state UNUSED)
{
  cleanup_free char *msg = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {},\n"
                                         "\n"
                                         "  'mode': 'audit'\n"
                                         "}\n");
  assert_string_equal (msg, "test-policy.json:5: mode: \"audit\" is not \"enforce\" or \"dry-run\"");

  cleanup_free char *dry = dq ("{'version': 1, 'mode': 'dry-run', 'rules': {}}");
  struct policy *p = unit_policy (dry);
  assert_true (p->dry_run);
  policy_free (p);
  p = unit_policy ("{\"version\": 1, \"rules\": {}}");
  assert_false (p->dry_run);
  policy_free (p);
}

static void
test_unknown_rule (void **state UNUSED)
{
  cleanup_free char *msg = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {\n"
                                         "    'user.root': {'action': 'deny'},\n"
                                         "    'user.rooot': {'action': 'deny'}\n"
                                         "  }\n"
                                         "}\n");
  assert_contains (msg, "test-policy.json:5: rules.user.rooot: unknown rule (rules are: privileged, user.root, "
                        "user.mapping, capabilities, hostNamespaces.pid, hostNamespaces.network, "
                        "hostNamespaces.ipc, hostNamespaces.uts, hostNamespaces.cgroup, ");
  /* every rule of the table is named */
  for (size_t i = 0; rule_table[i]; i++)
    assert_contains (msg, rule_table[i]->id);
}

static void
test_missing_action (void **state UNUSED)
{
  cleanup_free char *msg = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {\n"
                                         "    'user.root': {'action': 'deny'},\n"
                                         "    'privileged': {\n"
                                         "      'minSignals': 3\n"
                                         "    }\n"
                                         "  }\n"
                                         "}\n");
  assert_string_equal (msg, "test-policy.json:5: rules.privileged: \"action\" is missing");

  cleanup_free char *notobj = policy_error ("{\n  'version': 1,\n  'rules': {\n    'user.root': 'deny'\n  }\n}\n");
  assert_string_equal (notobj, "test-policy.json:4: rules.user.root: must be an object with an \"action\"");

  cleanup_free char *unknown = policy_error ("{\n  'version': 1,\n  'rules': {\n    'user.root': {\n"
                                             "      'action': 'block'\n    }\n  }\n}\n");
  assert_string_equal (unknown, "test-policy.json:5: rules.user.root.action: \"block\" is not an action of this rule "
                                "(\"off\", \"warn\", \"deny\")");
}

/* "fix" only for rules that can fix. */
static void
test_fix_on_rule_without_fix (void **state UNUSED)
{
  cleanup_free char *msg = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {\n"
                                         "    'user.root': {\n"
                                         "      'action': 'fix'\n"
                                         "    }\n"
                                         "  }\n"
                                         "}\n");
  assert_string_equal (msg, "test-policy.json:5: rules.user.root.action: \"fix\" is not an action of this rule "
                            "(\"off\", \"warn\", \"deny\")");

  /* The one that can, may. */
  cleanup_free char *ok = dq ("{'version': 1, 'rules': {'capabilities': {'action': 'fix', 'allow': []}}}");
  struct policy *p = unit_policy (ok);
  assert_int_equal (p->settings[3].action, ACTION_FIX);
  assert_string_equal (p->settings[3].rule->id, "capabilities");
  policy_free (p);
}

static void
test_wrong_option_type (void **state UNUSED)
{
  cleanup_free char *min = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {\n"
                                         "    'privileged': {\n"
                                         "      'action': 'deny',\n"
                                         "      'minSignals': '3'\n"
                                         "    }\n"
                                         "  }\n"
                                         "}\n");
  assert_string_equal (min, "test-policy.json:6: rules.privileged.minSignals: must be an integer from 2 to 6");

  cleanup_free char *when = policy_error ("{\n"
                                          "  'version': 1,\n"
                                          "  'rules': {\n"
                                          "    'hostNamespaces.ipc': {\n"
                                          "      'action': 'deny',\n"
                                          "\n"
                                          "      'when': 1\n"
                                          "    }\n"
                                          "  }\n"
                                          "}\n");
  assert_string_equal (when, "test-policy.json:7: rules.hostNamespaces.ipc.when: must be a string");

  cleanup_free char *never = policy_error ("{\n  'version': 1,\n  'rules': {\n    'hostNamespaces.uts': {\n"
                                           "      'action': 'deny', 'when': 'never'\n    }\n  }\n}\n");
  assert_string_equal (never, "test-policy.json:5: rules.hostNamespaces.uts.when: \"never\" is not one of \"always\", "
                              "\"userns\"");

  cleanup_free char *action = policy_error ("{\n  'version': 1,\n  'rules': {\n    'user.root': {\n"
                                            "      'action': true\n    }\n  }\n}\n");
  assert_string_equal (action, "test-policy.json:5: rules.user.root.action: must be a string");
}

static void
test_unknown_option_key (void **state UNUSED)
{
  cleanup_free char *with_options = policy_error ("{\n"
                                                  "  'version': 1,\n"
                                                  "  'rules': {\n"
                                                  "    'privileged': {\n"
                                                  "      'action': 'deny',\n"
                                                  "      'minSignal': 3\n"
                                                  "    }\n"
                                                  "  }\n"
                                                  "}\n");
  assert_string_equal (with_options, "test-policy.json:6: rules.privileged.minSignal: unknown option (this rule "
                                     "takes: action, minSignals)");

  cleanup_free char *without = policy_error ("{\n"
                                             "  'version': 1,\n"
                                             "  'rules': {\n"
                                             "    'noNewPrivileges': {\n"
                                             "      'action': 'deny',\n"
                                             "      'when': 'always'\n"
                                             "    }\n"
                                             "  }\n"
                                             "}\n");
  assert_string_equal (without, "test-policy.json:6: rules.noNewPrivileges.when: unknown option (this rule takes only "
                                "\"action\")");
}

static void
test_rules_not_object (void **state UNUSED)
{
  cleanup_free char *array = policy_error ("{\n"
                                           "  'version': 1,\n"
                                           "  'rules':\n"
                                           "    ['user.root']\n"
                                           "}\n");
  assert_string_equal (array, "test-policy.json:3: rules: must be an object of rule ID to settings");

  cleanup_free char *missing = policy_error ("{\n  'version': 1\n}\n");
  assert_string_equal (missing, "test-policy.json: rules: missing (an object of rule ID to settings)");

  cleanup_free char *top = policy_error ("[1]");
  assert_string_equal (top, "test-policy.json: must be a JSON object");
}

static void
test_malformed_json (void **state UNUSED)
{
  cleanup_free char *msg = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {\n"
                                         "    'user.root': {'action' 'deny'}\n"
                                         "  }\n"
                                         "}\n");
  assert_string_equal (msg, "test-policy.json:4:28: invalid JSON: object property name separator ':' expected");

  cleanup_free char *comma = policy_error ("{\n  'version': 1,\n  'rules': {},\n}\n");
  assert_contains (comma, "test-policy.json:4:1: invalid JSON: ");

  cleanup_free char *truncated = policy_error ("{\n  'version': 1,\n  'rules': {");
  assert_string_equal (truncated, "test-policy.json:3:13: invalid JSON: unexpected end of input");
}

static void
test_too_large (void **state UNUSED)
{
  /* Valid JSON padded past the limit with spaces. */
  size_t len = OCIGATE_MAX_POLICY_BYTES + 1;
  char *buf = xmalloc (len);
  memset (buf, ' ', len);
  static const char doc[] = "{\"version\": 1, \"rules\": {}}";
  memcpy (buf, doc, sizeof doc - 1);
  struct policy *p = NULL;
  ocigate_error_t err = NULL;
  int r = policy_load_buffer (buf, len, "test-policy.json", &p, &err);
  assert_int_equal (r, -1);
  assert_int_equal (err->kind, OCIGATE_ERR_POLICY);
  assert_string_equal (err->msg, "test-policy.json: 1048577 bytes, more than the limit of 1048576");
  ocigate_error_free (&err);

  /* At the limit it loads. */
  r = policy_load_buffer (buf, len - 1, "test-policy.json", &p, &err);
  if (r < 0)
    fail_msg ("%s", err->msg);
  policy_free (p);
  free (buf);
}

/* Rules the policy leaves out are off, their default options shown. */
static void
test_absent_rules_are_off (void **state UNUSED)
{
  cleanup_free char *text = dq ("{'version': 1, 'rules': {'user.root': {'action': 'deny'}, "
                                "'hostNamespaces.pid': {'action': 'warn', 'when': 'userns'}}}");
  struct policy *p = unit_policy (text);
  json_object *j = policy_to_json (p);
  json_object *rules = json_get (j, "rules");
  assert_int_equal ((size_t)json_object_object_length (rules), table_length ());
  static const struct
  {
    const char *id, *json;
  } want[] = {
    { "privileged", "{ \"action\": \"off\", \"minSignals\": 3 }" },
    { "user.root", "{ \"action\": \"deny\", \"requireNonRoot\": false }" },
    { "user.mapping", "{ \"action\": \"off\", \"allowRangesOf\": [ \"dockremap\", \"containers\", \"kubelet\" ] }" },
    { "capabilities", "{ \"action\": \"off\", \"allow\": [ ] }" },
    { "hostNamespaces.pid", "{ \"action\": \"warn\", \"when\": \"userns\" }" },
    { "hostNamespaces.network", "{ \"action\": \"off\", \"when\": \"always\" }" },
    { "hostNamespaces.ipc", "{ \"action\": \"off\", \"when\": \"always\" }" },
    { "hostNamespaces.uts", "{ \"action\": \"off\", \"when\": \"always\" }" },
    { "hostNamespaces.cgroup", "{ \"action\": \"off\", \"when\": \"always\" }" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (want); i++)
    {
      json_object *r = json_get (rules, want[i].id);
      if (r == NULL)
        fail_msg ("rule %s not listed", want[i].id);
      assert_string_equal (json_object_to_json_string (r), want[i].json);
    }
  assert_string_equal (json_object_get_string (json_get (j, "mode")), "enforce");
  json_object_put (j);

  /* An off rule finds nothing even in the worst config. */
  struct judged jd;
  unit_judge (&jd, "{\"version\": 1, \"rules\": {}}", "{\"process\": {\"args\": [\"sh\"]}}");
  assert_int_equal (jd.v.n_findings, 0);
  unit_judged_release (&jd);
  policy_free (p);
}

static void
test_load_file_errors (void **state UNUSED)
{
  struct policy *p = NULL;
  ocigate_error_t err = NULL;
  assert_int_equal (policy_load_file ("tests/unit/data/no-such-policy.json", &p, &err), -1);
  assert_int_equal (err->kind, OCIGATE_ERR_POLICY);
  assert_string_equal (err->msg, "policy: open tests/unit/data/no-such-policy.json: No such file or directory");
  ocigate_error_free (&err);

  assert_int_equal (policy_load_file ("tests/unit/data", &p, &err), -1);
  assert_int_equal (err->kind, OCIGATE_ERR_POLICY);
  assert_prefix (err->msg, "policy");
  assert_contains (err->msg, "tests/unit/data: ");
  assert_contains (err->msg, "s a directory");
  ocigate_error_free (&err);
}

/* json_pointer_line() undoes RFC 6901 escaping ("~1" for "/", "~0" for
 * "~") before it compares a token with a key: it once did not, and an
 * unknown top-level key "a/b" got no line at all, an unknown rule
 * "no/such" the "rules" line instead of its own. */
static void
test_line_of_key_with_slash (void **state UNUSED)
{
  cleanup_free char *top = policy_error ("{\n"
                                         "  'version': 1,\n"
                                         "  'rules': {},\n"
                                         "  'a/b': true\n"
                                         "}\n");
  assert_prefix (top, "test-policy.json:4: a/b: unknown key");

  cleanup_free char *rule = policy_error ("{\n"
                                          "  'version': 1,\n"
                                          "  'rules': {\n"
                                          "    'user.root': {'action': 'deny'},\n"
                                          "    'user/root~1': {'action': 'deny'}\n"
                                          "  }\n"
                                          "}\n");
  assert_contains (rule, "test-policy.json:5: rules.user/root~1: unknown rule");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_embedded_default),
    cmocka_unit_test (test_shipped_policies_load),
    cmocka_unit_test (test_unknown_top_level_key),
    cmocka_unit_test (test_version),
    cmocka_unit_test (test_mode),
    cmocka_unit_test (test_unknown_rule),
    cmocka_unit_test (test_missing_action),
    cmocka_unit_test (test_fix_on_rule_without_fix),
    cmocka_unit_test (test_wrong_option_type),
    cmocka_unit_test (test_unknown_option_key),
    cmocka_unit_test (test_rules_not_object),
    cmocka_unit_test (test_malformed_json),
    cmocka_unit_test (test_too_large),
    cmocka_unit_test (test_absent_rules_are_off),
    cmocka_unit_test (test_load_file_errors),
    cmocka_unit_test (test_line_of_key_with_slash),
  };
  return cmocka_run_group_tests_name ("policy", tests, NULL, NULL);
}
