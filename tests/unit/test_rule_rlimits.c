/* Unit tests for the "rlimits" rule: process.rlimits at most the policy's
 * maxima, of types the runtimes know, soft at most hard; "fix" lowers.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "rlimits"
#define POLICY(action) "{'version': 1, 'rules': {'rlimits': {'action': '" action "'}}}"
#define MAXIMUM(action, max) "{'version': 1, 'rules': {'rlimits': {'action': '" action "', 'maximum': " max "}}}"
#define UNLIMITED "18446744073709551615"

/* A config with process.rlimits (NULL: none), written with ' for ", and
 * annotations that tell which engine wrote it ("" for none). */
static char *
config_of (const char *rlimits, const char *annotations)
{
  return xasprintf ("{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']%s%s}, "
                    "'root': {'path': 'rootfs'}, 'linux': {'namespaces': [{'type': 'pid'}]}%s%s}",
                    rlimits ? ", 'rlimits': " : "", rlimits ? rlimits : "", annotations[0] ? ", 'annotations': " : "",
                    annotations);
}

static void
judge_rl (struct judged *j, const char *policy, const char *rlimits)
{
  cleanup_free char *raw = config_of (rlimits, "");
  unit_judge_q (j, policy, raw);
}

static void
judge_podman (struct judged *j, const char *policy, const char *rlimits)
{
  cleanup_free char *raw = config_of (rlimits, "{'io.container.manager': 'libpod'}");
  unit_judge_q (j, policy, raw);
}

static char *
judge_error (const char *rlimits)
{
  cleanup_free char *c = config_of (rlimits, "");
  enum ocigate_error_kind kind;
  char *msg = unit_judge_error_q (POLICY ("deny"), c, &kind);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  return msg;
}

static const char *
rlimits_text (const struct judged *j)
{
  return json_object_to_json_string_ext (json_get (json_get (j->cfg->root, "process"), "rlimits"),
                                         JSON_C_TO_STRING_PLAIN);
}

/* What the engines write by default passes the default maxima. */
static void
test_engine_defaults (void **state UNUSED)
{
  static const char *const ok[] = {
    NULL,
    "[]",
    "null",
    "[{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024}]",
    "[{'type': 'RLIMIT_NOFILE', 'hard': 1048576, 'soft': 1048576}, {'type': 'RLIMIT_NPROC', 'hard': 1048576, "
    "'soft': 1048576}]",
    "[{'type': 'RLIMIT_MEMLOCK', 'hard': 8388608, 'soft': 65536}]",
    /* RLIMIT_CORE and the other types have no default maximum */
    "[{'type': 'RLIMIT_CORE', 'hard': " UNLIMITED ", 'soft': " UNLIMITED
    "}, {'type': 'RLIMIT_STACK', 'hard': " UNLIMITED ", 'soft': 8388608}]",
  };
  for (size_t i = 0; i < ARRAY_SIZE (ok); i++)
    {
      struct judged j;
      judge_rl (&j, POLICY ("deny"), ok[i]);
      if (j.v.n_findings)
        fail_msg ("%s: %s", ok[i] ? ok[i] : "(none)", j.v.findings[0].message);
      unit_judged_release (&j);
    }
}

static void
test_above_maximum (void **state UNUSED)
{
  struct judged j;
  judge_rl (&j, POLICY ("deny"),
            "[{'type': 'RLIMIT_NOFILE', 'hard': 1048577, 'soft': 1024}, {'type': 'RLIMIT_NPROC', 'hard': " UNLIMITED
            ", 'soft': " UNLIMITED "}, {'type': 'RLIMIT_MEMLOCK', 'hard': 8388608, 'soft': 8388608}]");
  assert_int_equal (j.v.n_findings, 2);
  assert_string_equal (j.v.findings[0].rule, RULE);
  assert_string_equal (j.v.findings[0].path, "/process/rlimits/0");
  assert_string_equal (j.v.findings[0].message,
                       "rlimit RLIMIT_NOFILE is above the policy's maximum (process.rlimits[0] hard=1048577 "
                       "soft=1024, maximum 1048576: rules.rlimits.maximum); lower process.rlimits[0] to soft 1024, "
                       "hard 1048576 (in the config)");
  assert_string_equal (j.v.findings[1].path, "/process/rlimits/1");
  assert_contains (j.v.findings[1].message, "(process.rlimits[1] hard=unlimited soft=unlimited, maximum 1048576");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* The soft limit alone above the maximum is above the hard one too. */
  judge_rl (&j, POLICY ("warn"), "[{'type': 'RLIMIT_MEMLOCK', 'hard': 8388608, 'soft': 8388609}]");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_contains (j.v.findings[0].message, "is above the policy's maximum");
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  /* A type given twice is judged twice: runc and crun set both. */
  judge_rl (&j, POLICY ("deny"),
            "[{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024}, {'type': 'RLIMIT_NOFILE', 'hard': 2097152, "
            "'soft': 1024}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/process/rlimits/1");
  unit_judged_release (&j);

  judge_rl (&j, POLICY ("off"), "[{'type': 'RLIMIT_NOFILE', 'hard': " UNLIMITED ", 'soft': 1}, {'type': 'x'}]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Docker and Podman have --ulimit: the finding says it, -1 for unlimited. */
static void
test_engine_words (void **state UNUSED)
{
  struct judged j;
  judge_podman (&j, POLICY ("deny"), "[{'type': 'RLIMIT_NPROC', 'hard': " UNLIMITED ", 'soft': 4096}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "; lower it (--ulimit nproc=4096:1048576)");
  unit_judged_release (&j);

  judge_podman (&j, MAXIMUM ("deny", "{'RLIMIT_MEMLOCK': 0}"),
                "[{'type': 'RLIMIT_MEMLOCK', 'hard': " UNLIMITED ", 'soft': " UNLIMITED "}]");
  assert_contains (j.v.findings[0].message, "maximum 0: rules.rlimits.maximum); lower it (--ulimit memlock=0:0)");
  unit_judged_release (&j);

  /* The soft limit above the hard one, with no maximum for the type. */
  judge_podman (&j, POLICY ("deny"), "[{'type': 'RLIMIT_CORE', 'hard': 0, 'soft': " UNLIMITED "}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].message,
                       "rlimit RLIMIT_CORE has a soft limit above its hard limit, which runc and crun refuse "
                       "(process.rlimits[0] hard=0 soft=unlimited, setrlimit: EINVAL); lower it (--ulimit core=0:0)");
  unit_judged_release (&j);
}

/* runc and crun refuse a type they do not know: a finding, never fixed. */
static void
test_unknown_types (void **state UNUSED)
{
  static const char *const types[] = { "RLIMIT_NOFILES", "rlimit_nofile", "NOFILE", "", "RLIMIT_NLIMITS" };
  for (size_t i = 0; i < ARRAY_SIZE (types); i++)
    {
      struct judged j;
      cleanup_free char *rl = xasprintf ("[{'type': 'RLIMIT_NOFILE', 'hard': 1, 'soft': 1}, {'type': '%s', "
                                         "'hard': 1, 'soft': 1}]",
                                         types[i]);
      judge_rl (&j, POLICY ("fix"), rl);
      assert_int_equal (j.v.n_findings, 1);
      assert_string_equal (j.v.findings[0].path, "/process/rlimits/1/type");
      cleanup_free char *want = xasprintf ("rlimit type %s is not one runc or crun knows", types[i]);
      assert_contains (j.v.findings[0].message, want);
      assert_contains (j.v.findings[0].message, "; remove it");
      /* fix cannot make it pass: under fix it is a refusal, not a rewrite */
      assert_int_equal (j.v.findings[0].action, ACTION_DENY);
      assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
      struct rule_context ctx = { .config = j.cfg, .host = &j.host };
      ocigate_error_t err = NULL;
      assert_int_equal (ocigate_apply_fixes (j.policy, &ctx, &j.v, &err), -1);
      assert_contains (err->msg, "is not one runc or crun knows");
      ocigate_error_free (&err);
      unit_judged_release (&j);
    }
  /* Every name of setrlimit(2) is known. */
  static const char *const known[]
      = { "RLIMIT_AS",      "RLIMIT_CORE",     "RLIMIT_CPU",        "RLIMIT_DATA",   "RLIMIT_FSIZE", "RLIMIT_LOCKS",
          "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",       "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
          "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING", "RLIMIT_STACK" };
  for (size_t i = 0; i < ARRAY_SIZE (known); i++)
    {
      struct judged j;
      cleanup_free char *rl = xasprintf ("[{'type': '%s', 'hard': 1, 'soft': 1}]", known[i]);
      judge_rl (&j, POLICY ("deny"), rl);
      assert_int_equal (j.v.n_findings, 0);
      unit_judged_release (&j);
    }
}

/* fix lowers hard to the maximum and soft to hard; never raises, keeps
 * what passes and every other member. */
static void
test_fix (void **state UNUSED)
{
  struct judged j;
  judge_rl (&j, MAXIMUM ("fix", "{'RLIMIT_NOFILE': 65536, 'RLIMIT_CORE': 0}"),
            "[{'type': 'RLIMIT_NOFILE', 'hard': " UNLIMITED
            ", 'soft': 1024}, {'type': 'RLIMIT_NPROC', 'hard': " UNLIMITED ", 'soft': " UNLIMITED
            "}, {'type': 'RLIMIT_CORE', 'hard': 4096, 'soft': 4096, 'x': 1}, "
            "{'type': 'RLIMIT_STACK', 'hard': 10, 'soft': 20}]");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 3);
  assert_int_equal (verdict_decide (&j.v), DECISION_REWRITE);
  struct fix_notes notes = { 0 };
  struct rule_context ctx = { .config = j.cfg, .host = &j.host, .notes = &notes };
  ocigate_error_t err = NULL;
  if (ocigate_apply_fixes (j.policy, &ctx, &j.v, &err) < 0)
    fail_msg ("fix failed: %s", err->msg);
  cleanup_free char *want
      = dq ("[{'type':'RLIMIT_NOFILE','hard':65536,'soft':1024},{'type':'RLIMIT_NPROC','hard':" UNLIMITED
            ",'soft':" UNLIMITED "},{'type':'RLIMIT_CORE','hard':0,'soft':0,'x':1},{'type':'RLIMIT_STACK','hard':10,"
            "'soft':10}]");
  assert_string_equal (rlimits_text (&j), want);
  cleanup_free char *joined = fix_notes_join (&notes, 1024);
  assert_string_equal (joined, "rlimits: lowered RLIMIT_NOFILE to soft 1024, hard 65536; rlimits: lowered RLIMIT_CORE "
                               "to soft 0, hard 0; rlimits: lowered RLIMIT_STACK to soft 10, hard 10");
  fix_notes_release (&notes);
  unit_assert_clean (&j);
  unit_judged_release (&j);
}

static void
test_config_errors (void **state UNUSED)
{
  static const struct
  {
    const char *rlimits, *want;
  } cases[] = {
    { "{}", "process.rlimits: must be an array, not object {}" },
    { "['RLIMIT_NOFILE']", "process.rlimits[0]: must be an object, not string \"RLIMIT_NOFILE\"" },
    { "[{'hard': 1, 'soft': 1}]", "process.rlimits[0].type: missing" },
    { "[{'type': 1}]", "process.rlimits[0].type: must be a string, not int 1" },
    { "[{'type': 'RLIMIT_NOFILE', 'hard': -1, 'soft': 1}]",
      "process.rlimits[0].hard: -1 is negative (an unsigned integer)" },
    { "[{'type': 'RLIMIT_NOFILE', 'hard': 1, 'soft': 1.5}]",
      "process.rlimits[0].soft: must be an integer, not double 1.5" },
    { "[{'type': 'RLIMIT_NOFILE', 'hard': '1', 'soft': 1}]",
      "process.rlimits[0].hard: must be an integer, not string \"1\"" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = judge_error (cases[i].rlimits);
      cleanup_free char *want = xasprintf ("config.json: rule rlimits: %s", cases[i].want);
      assert_string_equal (msg, want);
    }
  /* Absent and null limits are 0, as runc and crun read them. */
  struct judged j;
  judge_rl (&j, POLICY ("deny"), "[{'type': 'RLIMIT_NOFILE'}, {'type': 'RLIMIT_NPROC', 'hard': null, 'soft': 1}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "(process.rlimits[1] hard=0 soft=1, setrlimit: EINVAL)");
  unit_judged_release (&j);
}

static void
test_policy_errors (void **state UNUSED)
{
  static const struct
  {
    const char *policy, *want;
  } cases[] = {
    { MAXIMUM ("deny", "[]"), "maximum: must be an object from RLIMIT_ names to the largest limit (an integer)" },
    { MAXIMUM ("deny", "{'RLIMIT_NOFILES': 1}"), "is not an rlimit type runc and crun know" },
    { MAXIMUM ("deny", "{'RLIMIT_NOFILE': -1}"), "RLIMIT_NOFILE must be an integer from 0 to" },
    { MAXIMUM ("deny", "{'RLIMIT_NOFILE': '1024'}"), "RLIMIT_NOFILE must be an integer from 0 to" },
    { MAXIMUM ("deny", "{'RLIMIT_NOFILE': " UNLIMITED "}"), "RLIMIT_NOFILE must be an integer from 0 to" },
    { "{'version': 1, 'rules': {'rlimits': {'action': 'deny', 'max': {}}}}", "max" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *p = dq (cases[i].policy);
      cleanup_free char *msg = unit_policy_error (p);
      assert_contains (msg, cases[i].want);
    }
  /* A policy's maximum replaces the default one: NPROC is not judged. */
  struct judged j;
  judge_rl (&j, MAXIMUM ("deny", "{'RLIMIT_NOFILE': 4096}"),
            "[{'type': 'RLIMIT_NPROC', 'hard': " UNLIMITED ", 'soft': " UNLIMITED "}, {'type': 'RLIMIT_NOFILE', "
            "'hard': 4097, 'soft': 4096}]");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/process/rlimits/1");
  unit_judged_release (&j);
  assert_string_equal (rule_find (RULE)->default_options,
                       "{\"maximum\": {\"RLIMIT_NOFILE\": 1048576, \"RLIMIT_NPROC\": 1048576, "
                       "\"RLIMIT_MEMLOCK\": 8388608}}");
}

/* Real configs: ctr's and Podman's defaults pass; Docker's --ulimit above
 * the maxima does not. */
static void
test_fixtures (void **state UNUSED)
{
  static const char *const pass[] = { "ctr-default", "podman-default", "docker-default", "runc-spec", "crun-spec" };
  for (size_t i = 0; i < ARRAY_SIZE (pass); i++)
    {
      struct judged j;
      cleanup_free char *path = xasprintf ("tests/fixtures/%s.json", pass[i]);
      unit_judge_file (&j, POLICY ("deny"), path);
      assert_int_equal (unit_count (&j.v, RULE, -1), 0);
      unit_judged_release (&j);
    }
  struct judged j;
  unit_judge_file (&j, POLICY ("fix"), "tests/fixtures/docker-ulimit.json");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 2);
  assert_non_null (unit_find (&j.v, RULE, "rlimit RLIMIT_NPROC is above the policy's maximum"));
  assert_non_null (unit_find (&j.v, RULE, "lower it (--ulimit nproc=1048576:1048576)"));
  assert_non_null (unit_find (&j.v, RULE, "hard=unlimited soft=unlimited, maximum 8388608"));
  assert_non_null (unit_find (&j.v, RULE, "lower it (--ulimit memlock=8388608:8388608)"));
  apply_fixes (&j);
  unit_assert_clean (&j);
  unit_judged_release (&j);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_engine_defaults),
    cmocka_unit_test (test_above_maximum),
    cmocka_unit_test (test_engine_words),
    cmocka_unit_test (test_unknown_types),
    cmocka_unit_test (test_fix),
    cmocka_unit_test (test_config_errors),
    cmocka_unit_test (test_policy_errors),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule rlimits", tests, NULL, NULL);
}
