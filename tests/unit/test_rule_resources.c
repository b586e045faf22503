/* Unit tests for the "resources" rule: a memory limit, a pids limit and a
 * CPU limit (shares or a quota) are set; "fix" fills in the policy's
 * values.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "resources"
#define POLICY(action) "{'version': 1, 'rules': {'resources': {'action': '" action "'}}}"
#define MSG_MEMORY                                                                                                     \
  "container has no memory limit (linux.resources.memory.limit is absent); set one (--memory 536870912)"
#define MSG_PIDS                                                                                                       \
  "container has no limit on its number of processes (linux.resources.pids.limit is absent); set one (--pids-limit "   \
  "1024)"
#define MSG_CPU                                                                                                        \
  "container has no CPU limit, neither a share nor a quota (linux.resources.cpu.shares is absent, "                    \
  "linux.resources.cpu.quota is absent); set one (--cpu-shares 1024, or --cpus N)"
#define ALL_SET "{'memory': {'limit': 67108864}, 'pids': {'limit': 100}, 'cpu': {'shares': 512}}"

/* A config with linux.resources (NULL: no "linux" at all). */
static char *
config (const char *resources)
{
  if (resources == NULL)
    return xstrdup ("{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}, "
                    "'root': {'path': 'rootfs'}}");
  return xasprintf ("{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}, "
                    "'root': {'path': 'rootfs'}, 'linux': {'namespaces': [{'type': 'pid'}], 'resources': %s}}",
                    resources);
}

static void
judge_res (struct judged *j, const char *policy, const char *resources)
{
  cleanup_free char *p = dq (policy);
  cleanup_free char *raw = config (resources);
  cleanup_free char *c = dq (raw);
  unit_judge (j, p, c);
}

static char *
judge_error (const char *policy, const char *resources)
{
  cleanup_free char *c = config (resources);
  enum ocigate_error_kind kind;
  char *msg = unit_judge_error_q (policy, c, &kind);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  return msg;
}

static void
assert_clean_now (struct judged *j)
{
  struct rule_context ctx = { .config = j->cfg, .host = &j->host };
  struct verdict v = { 0 };
  ocigate_error_t err = NULL;
  assert_int_equal (ocigate_evaluate (j->policy, &ctx, &v, &err), 0);
  if (v.n_findings)
    fail_msg ("still: %s", v.findings[0].message);
  verdict_release (&v);
}

/* linux.resources as JSON text, for comparisons. */
static const char *
resources_text (struct judged *j)
{
  return json_object_to_json_string_ext (json_get (json_get (j->cfg->root, "linux"), "resources"),
                                         JSON_C_TO_STRING_PLAIN);
}

static void
test_all_absent (void **state UNUSED)
{
  struct judged j;
  judge_res (&j, POLICY ("deny"), "{}");
  assert_int_equal (j.v.n_findings, 3);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 3);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/memory/limit");
  assert_string_equal (j.v.findings[0].message, MSG_MEMORY);
  assert_string_equal (j.v.findings[1].path, "/linux/resources/pids/limit");
  assert_string_equal (j.v.findings[1].message, MSG_PIDS);
  assert_string_equal (j.v.findings[2].path, "/linux/resources/cpu/shares");
  assert_string_equal (j.v.findings[2].message, MSG_CPU);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* No linux, or no resources: the same three. */
  judge_res (&j, POLICY ("deny"), NULL);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 3);
  unit_judged_release (&j);
  judge_res (&j, POLICY ("deny"), "null");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 3);
  unit_judged_release (&j);

  judge_res (&j, POLICY ("deny"), ALL_SET);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* -1 is unlimited, 0 is "not set": neither is a limit. */
static void
test_unlimited_and_zero (void **state UNUSED)
{
  struct judged j;
  judge_res (&j, POLICY ("warn"), "{'memory': {'limit': -1}, 'pids': {'limit': 0}, 'cpu': {'shares': 0}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 3);
  assert_string_equal (j.v.findings[0].message, "container has no memory limit (linux.resources.memory.limit=-1, "
                                                "unlimited); set one (--memory 536870912)");
  assert_contains (j.v.findings[1].message, "(linux.resources.pids.limit=0, not set)");
  assert_contains (j.v.findings[2].message, "(linux.resources.cpu.shares=0, not set, linux.resources.cpu.quota is "
                                            "absent)");
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_res (&j, POLICY ("deny"), "{'memory': {'limit': -2, 'swap': -1}, 'pids': {'limit': -1}, 'cpu': {'shares': 2}}");
  assert_int_equal (j.v.n_findings, 2);
  assert_contains (j.v.findings[0].message, "(linux.resources.memory.limit=-2)");
  assert_contains (j.v.findings[1].message, "(linux.resources.pids.limit=-1, unlimited)");
  unit_judged_release (&j);
}

/* Each requirement can be turned off; the values name the remedy. */
static void
test_options (void **state UNUSED)
{
  struct judged j;
  judge_res (&j,
             "{'version': 1, 'rules': {'resources': {'action': 'deny', 'requireMemory': false, 'requireCpuShares': "
             "false, 'pids': 64}}}",
             "{}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/pids/limit");
  assert_contains (j.v.findings[0].message, "set one (--pids-limit 64)");
  unit_judged_release (&j);

  judge_res (&j, "{'version': 1, 'rules': {'resources': {'action': 'deny', 'requirePids': false}}}",
             "{'memory': {'limit': 1}, 'cpu': {'shares': 2}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  judge_res (&j, "{'version': 1, 'rules': {'resources': {'action': 'off'}}}", "{'memory': {'limit': 'x'}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  assert_string_equal (rule_find (RULE)->default_options,
                       "{\"requireMemory\": true, \"memory\": 536870912, \"requirePids\": true, \"pids\": 1024, "
                       "\"requireCpuShares\": true, \"cpuShares\": 1024}");
}

/* "fix" creates what is missing, keeps what is set, and changes nothing
 * else in the document. */
static void
test_fix_creates (void **state UNUSED)
{
  struct judged j;
  judge_res (&j, POLICY ("fix"), NULL);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 3);
  assert_int_equal (verdict_decide (&j.v), DECISION_REWRITE);
  apply_fixes (&j);
  cleanup_free char *want
      = dq ("{'ociVersion':'1.0.2','process':{'user':{'uid':1000,'gid':1000},'args':['sh']},'root':{'path':'rootfs'},"
            "'linux':{'resources':{'memory':{'limit':536870912},'pids':{'limit':1024},'cpu':{'shares':1024}}}}");
  assert_string_equal (json_object_to_json_string_ext (j.cfg->root, JSON_C_TO_STRING_PLAIN), want);
  assert_true (j.cfg->has_linux); /* the views follow the tree */
  assert_clean_now (&j);
  unit_judged_release (&j);
}

static void
test_fix_keeps (void **state UNUSED)
{
  struct judged j;
  /* Docker's shape: memory and cpu objects without limits, pids absent;
   * a pids limit above the policy's stays. */
  judge_res (&j, POLICY ("fix"),
             "{'devices': [{'allow': false, 'access': 'rwm'}], 'memory': {'disableOOMKiller': false}, "
             "'cpu': {'shares': 0, 'quota': -1}, 'pids': {'limit': 4096}, 'blockIO': {'weight': 10}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 2);
  apply_fixes (&j);
  cleanup_free char *want = dq ("{'devices':[{'allow':false,'access':'rwm'}],'memory':{'disableOOMKiller':false,"
                                "'limit':536870912},'cpu':{'shares':1024,'quota':-1},'pids':{'limit':4096},"
                                "'blockIO':{'weight':10}}");
  assert_string_equal (resources_text (&j), want);
  assert_clean_now (&j);
  unit_judged_release (&j);

  /* A quota is the CPU limit (--cpus 0.5): no share is added. */
  judge_res (&j, POLICY ("fix"), "{'cpu': {'shares': 0, 'quota': 50000, 'period': 100000}, 'pids': {'limit': 4096}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
  apply_fixes (&j);
  cleanup_free char *want1
      = dq ("{'cpu':{'shares':0,'quota':50000,'period':100000},'pids':{'limit':4096},'memory':{'limit':536870912}}");
  assert_string_equal (resources_text (&j), want1);
  assert_clean_now (&j);
  unit_judged_release (&j);

  /* -1 is replaced where it was; the policy's own values are used. */
  judge_res (&j,
             "{'version': 1, 'rules': {'resources': {'action': 'fix', 'memory': 1048576, 'pids': 7, 'cpuShares': "
             "2}}}",
             "{'pids': {'limit': -1}, 'memory': {'limit': -1, 'reservation': 1}, 'cpu': {'shares': 100}}");
  apply_fixes (&j);
  cleanup_free char *want2
      = dq ("{'pids':{'limit':7},'memory':{'limit':1048576,'reservation':1},'cpu':{'shares':100}}");
  assert_string_equal (resources_text (&j), want2);
  unit_judged_release (&j);
}

/* A memory+swap limit below the policy's memory caps the new limit, so
 * the runtime still accepts the config. */
static void
test_fix_swap (void **state UNUSED)
{
  struct judged j;
  judge_res (&j, POLICY ("fix"), "{'memory': {'swap': 134217728}, 'pids': {'limit': 10}, 'cpu': {'shares': 10}}");
  apply_fixes (&j);
  cleanup_free char *want
      = dq ("{'memory':{'swap':134217728,'limit':134217728},'pids':{'limit':10},'cpu':{'shares':10}}");
  assert_string_equal (resources_text (&j), want);
  unit_judged_release (&j);

  /* A larger or unlimited swap does not. */
  judge_res (&j, POLICY ("fix"), "{'memory': {'swap': -1}, 'pids': {'limit': 10}, 'cpu': {'shares': 10}}");
  apply_fixes (&j);
  cleanup_free char *want2 = dq ("{'memory':{'swap':-1,'limit':536870912},'pids':{'limit':10},'cpu':{'shares':10}}");
  assert_string_equal (resources_text (&j), want2);
  unit_judged_release (&j);
}

static void
test_config_errors (void **state UNUSED)
{
  static const struct
  {
    const char *resources, *want;
  } cases[] = {
    { "[]", "linux.resources: must be an object, not array []" },
    { "{'memory': 5}", "linux.resources.memory: must be an object, not int 5" },
    { "{'pids': 'max'}", "linux.resources.pids: must be an object, not string \"max\"" },
    { "{'cpu': true}", "linux.resources.cpu: must be an object, not boolean true" },
    { "{'memory': {'limit': '1g'}}", "linux.resources.memory.limit: must be an integer, not string \"1g\"" },
    { "{'memory': {'limit': 1.5}}", "linux.resources.memory.limit: must be an integer, not double 1.5" },
    { "{'memory': {'limit': 1, 'swap': '2'}}", "linux.resources.memory.swap: must be an integer, not string \"2\"" },
    { "{'pids': {'limit': null, 'x': 1}, 'cpu': {'shares': '512'}}",
      "linux.resources.cpu.shares: must be an integer, not string \"512\"" },
    { "{'cpu': {'shares': -5}}", "linux.resources.cpu.shares: -5 is negative (an unsigned integer)" },
    { "{'memory': {'limit': 9223372036854775808}}",
      "linux.resources.memory.limit: 9223372036854775808 is out of range for a 64-bit integer" },
    { "{'pids': {'limit': -9223372036854775809}}", "linux.resources.pids.limit: " },
    { "{'unified': []}", "linux.resources.unified: must be an object, not array []" },
    { "{'unified': {'pids.max': 100}}", "linux.resources.unified.pids.max: must be a string, not int 100" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = judge_error (POLICY ("warn"), cases[i].resources);
      cleanup_free char *want = xasprintf ("config.json: rule resources: %s", cases[i].want);
      assert_contains (msg, want);
    }

  /* cpu.shares is unsigned: above INT64_MAX is still a share. */
  struct judged j;
  judge_res (&j, POLICY ("deny"),
             "{'memory': {'limit': 9223372036854775807}, 'pids': {'limit': 1}, 'cpu': {'shares': "
             "18446744073709551614}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_policy_errors (void **state UNUSED)
{
  static const struct
  {
    const char *options, *want;
  } cases[] = {
    { "'requireMemory': 'yes'", "rules.resources.requireMemory: must be true or false" },
    { "'requirePids': 1", "rules.resources.requirePids: must be true or false" },
    { "'requireCpuShares': null", "rules.resources.requireCpuShares: must be true or false" },
    { "'memory': 0", "rules.resources.memory: must be an integer from 1 to 9223372036854775807" },
    { "'memory': '512m'", "rules.resources.memory: must be an integer from 1 to 9223372036854775807" },
    { "'pids': -1", "rules.resources.pids: must be an integer from 1 to 9223372036854775807" },
    { "'cpuShares': 1", "rules.resources.cpuShares: must be an integer from 2 to 262144" },
    { "'cpuShares': 262145", "rules.resources.cpuShares: must be an integer from 2 to 262144" },
    { "'cpus': 2", "rules.resources.cpus: unknown option (this rule takes: action, requireMemory, memory, "
                   "requirePids, pids, requireCpuShares, cpuShares)" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *raw
          = xasprintf ("{'version': 1, 'rules': {'resources': {'action': 'fix', %s}}}", cases[i].options);
      cleanup_free char *p = dq (raw);
      cleanup_free char *msg = unit_policy_error (p);
      assert_contains (msg, cases[i].want);
    }
}

static void
test_fixtures (void **state UNUSED)
{
  struct judged j;
  unit_judge_file (&j, POLICY ("deny"), "tests/fixtures/docker-memory-pids.json");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* --cpus 0.5 instead of --cpu-shares: a quota is the CPU limit. */
  unit_judge_file (&j, POLICY ("deny"), "tests/fixtures/docker-cpus.json");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Docker writes cpu.shares 0 and no limits. */
  unit_judge_file (&j, POLICY ("deny"), "tests/fixtures/docker-default.json");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 3);
  assert_contains (j.v.findings[2].message,
                   "(linux.resources.cpu.shares=0, not set, linux.resources.cpu.quota is absent)");
  unit_judged_release (&j);

  /* Podman sets a pids limit of 2048; fix leaves it. */
  unit_judge_file (&j, POLICY ("fix"), "tests/fixtures/podman-default.json");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 2);
  assert_null (unit_find (&j.v, RULE, "pids"));
  apply_fixes (&j);
  json_object *res = json_get (json_get (j.cfg->root, "linux"), "resources");
  assert_int_equal (json_object_get_int64 (json_get (json_get (res, "pids"), "limit")), 2048);
  assert_int_equal (json_object_get_int64 (json_get (json_get (res, "memory"), "limit")), 536870912);
  unit_judged_release (&j);

  /* ctr sets cpu shares 1024 only. */
  unit_judge_file (&j, POLICY ("deny"), "tests/fixtures/ctr-default.json");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 2);
  assert_null (unit_find (&j.v, RULE, "CPU"));
  unit_judged_release (&j);
}

/* On cgroup v2 the runtimes write linux.resources.unified last: "max"
 * there lifts a limit set above, and a value is the limit. */
static void
test_unified (void **state UNUSED)
{
  struct judged j;
  judge_res (&j, POLICY ("deny"),
             "{'memory': {'limit': 67108864}, 'pids': {'limit': 100}, 'cpu': {'shares': 512}, "
             "'unified': {'memory.max': 'max', 'pids.max': ' max\\n'}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 2);
  assert_string_equal (j.v.findings[0].path, "/linux/resources/unified/memory.max");
  assert_string_equal (j.v.findings[0].message,
                       "container has no memory limit (linux.resources.unified memory.max=\"max\", which the runtime "
                       "writes after linux.resources.memory.limit); drop it and set a limit (--memory 536870912)");
  assert_string_equal (j.v.findings[1].path, "/linux/resources/unified/pids.max");
  assert_contains (j.v.findings[1].message, "(linux.resources.unified pids.max=\" max\\x0a\", which the runtime writes "
                                            "after linux.resources.pids.limit); drop it and set a limit (--pids-limit "
                                            "1024)");
  unit_judged_release (&j);

  /* A value is a limit, even without the field; other files, and what the
   * kernel would not read as "max", are not a lift. */
  judge_res (&j, POLICY ("deny"),
             "{'cpu': {'shares': 512}, 'unified': {'memory.max': '512M', 'pids.max': '100', 'memory.high': 'max', "
             "'memory.swap.max': 'max'}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_res (&j, POLICY ("deny"),
             "{'memory': {'limit': 1}, 'pids': {'limit': 1}, 'cpu': {'shares': 2}, "
             "'unified': {'memory.max': 'maxx', 'pids.max': 'MAX'}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  /* A requirement turned off does not look at its file. */
  judge_res (&j, "{'version': 1, 'rules': {'resources': {'action': 'deny', 'requirePids': false}}}",
             "{'memory': {'limit': 1}, 'cpu': {'shares': 2}, 'unified': {'pids.max': 'max'}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* fix drops the lifting file, and adds a limit only where none is set. */
  judge_res (&j, POLICY ("fix"),
             "{'memory': {'limit': 67108864}, 'cpu': {'shares': 512}, 'unified': {'memory.max': 'max', 'pids.max': "
             "'max', 'memory.high': '1G'}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 2);
  apply_fixes (&j);
  cleanup_free char *want = dq ("{'memory':{'limit':67108864},'cpu':{'shares':512},'unified':{'memory.high':'1G'},"
                                "'pids':{'limit':1024}}");
  assert_string_equal (resources_text (&j), want);
  assert_clean_now (&j);
  unit_judged_release (&j);
}

/* An update of a container whose config has these resources. */
static void
judge_update_of (struct judged *j, const char *policy, const char *resources, const char *update)
{
  judge_res (j, policy, resources);
  verdict_release (&j->v);
  j->v = (struct verdict){ 0 };
  cleanup_free char *text = dq (update);
  json_object *u = json_tokener_parse (text);
  assert_non_null (u);
  struct rule_context ctx = { .config = j->cfg, .host = &j->host, .id = "c1" };
  ocigate_error_t err = NULL;
  if (ocigate_evaluate_update (j->policy, &ctx, u, &j->v, &err) < 0)
    fail_msg ("evaluate_update failed: %s", err->msg);
  json_object_put (u);
}

/* A policy, a running container's config (all three set) and an update
 * of its resources (' for "): the update's findings. */
static void
judge_update (struct judged *j, const char *policy, const char *update)
{
  judge_update_of (j, policy, ALL_SET, update);
}

/* runc update / crun update: only what lifts a required limit counts. */
static void
test_update (void **state UNUSED)
{
  struct judged j;
  judge_update (&j, POLICY ("deny"), "{'pids': {'limit': -1}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/pids/limit");
  assert_string_equal (j.v.findings[0].message, "update lifts the container's limit on its number of processes "
                                                "(pids.limit=-1, unlimited); give a limit instead (--pids-limit 1024)");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  /* What Docker sends for docker update --memory-swap -1: 0 is "unchanged". */
  judge_update (&j, POLICY ("deny"),
                "{'memory': {'limit': 0, 'reservation': 0, 'kernel': 0, 'swap': -1}, 'cpu': {'shares': 0, 'quota': "
                "0, 'period': 0}, 'blockIO': {'weight': 0}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_update (&j, POLICY ("deny"), "{}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_update (&j, POLICY ("deny"), "{'memory': {'limit': 1}, 'pids': {'limit': 200}, 'unified': {'pids.max': '9'}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  judge_update (&j, POLICY ("deny"), "{'memory': {'limit': -2}, 'unified': {'pids.max': 'max'}}");
  assert_int_equal (j.v.n_findings, 2);
  assert_string_equal (j.v.findings[0].path, "/memory/limit");
  assert_string_equal (j.v.findings[0].message, "update lifts the container's memory limit (memory.limit=-2, "
                                                "unlimited); give a limit instead (--memory 536870912)");
  assert_string_equal (j.v.findings[1].path, "/unified/pids.max");
  assert_contains (j.v.findings[1].message, "(unified pids.max=\"max\")");
  unit_judged_release (&j);
  judge_update (&j, POLICY ("deny"), "{'memory': {'limit': 5}, 'unified': {'memory.max': 'max'}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/unified/memory.max");
  unit_judged_release (&j);

  /* warn lets it through; a requirement turned off and the rule off see nothing. */
  judge_update (&j, POLICY ("warn"), "{'pids': {'limit': -1}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
  judge_update (&j, "{'version': 1, 'rules': {'resources': {'action': 'deny', 'requirePids': false}}}",
                "{'pids': {'limit': -1}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_update (&j, POLICY ("off"), "{'pids': {'limit': -1}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* An exception for the container relaxes it, as for its config. */
  judge_update (&j,
                "{'version': 1, 'rules': {'resources': {'action': 'deny'}}, 'exceptions': [{'match': {'id': 'c*'}, "
                "'rules': ['resources'], 'reason': 'load test'}]}",
                "{'pids': {'limit': -1}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_contains (j.v.findings[0].message, "exception 0 (\"load test\") relaxes this deny: update lifts");
  unit_judged_release (&j);
}

#define MEM_PIDS "'memory': {'limit': 1}, 'pids': {'limit': 1}"

/* The CPU finding alone of a config with a memory and pids limit and this
 * cpu (and unified) text; NULL when there is none. */
static char *
cpu_finding (const char *cpu)
{
  cleanup_free char *res = xasprintf ("{" MEM_PIDS ", %s}", cpu);
  struct judged j;
  judge_res (&j, POLICY ("deny"), res);
  if (j.v.n_findings > 1)
    fail_msg ("%s: %zu findings", cpu, j.v.n_findings);
  char *msg = NULL;
  if (j.v.n_findings == 1)
    {
      assert_string_equal (j.v.findings[0].path, "/linux/resources/cpu/shares");
      msg = xstrdup (j.v.findings[0].message);
    }
  unit_judged_release (&j);
  return msg;
}

static void
assert_cpu_limited (const char *cpu)
{
  cleanup_free char *msg = cpu_finding (cpu);
  if (msg)
    fail_msg ("%s: %s", cpu, msg);
}

static void
assert_cpu_unlimited (const char *cpu, const char *expect)
{
  cleanup_free char *msg = cpu_finding (cpu);
  if (msg == NULL)
    fail_msg ("%s: no finding", cpu);
  assert_contains (msg, expect);
}

/* A CPU limit is a share or a quota (--cpus); "max" in cgroup v2's
 * cpu.max lifts the quota, as in memory.max and pids.max. */
static void
test_cpu_quota (void **state UNUSED)
{
  /* --cpus 0.5, with and without the period (the kernel's 100 ms). */
  assert_cpu_limited ("'cpu': {'shares': 0, 'quota': 50000, 'period': 100000}");
  assert_cpu_limited ("'cpu': {'quota': 50000}");
  assert_cpu_limited ("'cpu': {'quota': 50000, 'period': 0}");
  assert_cpu_limited ("'cpu': {'shares': 2, 'quota': -1}");
  /* -1 is no quota, 0 is "not set". */
  assert_cpu_unlimited ("'cpu': {'quota': -1, 'period': 100000}",
                        "(linux.resources.cpu.shares is absent, linux.resources.cpu.quota=-1, unlimited)");
  assert_cpu_unlimited ("'cpu': {'shares': 0, 'quota': 0}", "(linux.resources.cpu.shares=0, not set, "
                                                            "linux.resources.cpu.quota=0, not set)");
  assert_cpu_unlimited ("'cpu': {'period': 100000}", "linux.resources.cpu.quota is absent)");

  /* unified cpu.max replaces the quota: "max" lifts it, a number is one. */
  cleanup_free char *lifted = cpu_finding ("'cpu': {'quota': 50000}, 'unified': {'cpu.max': 'max 100000'}");
  assert_non_null (lifted);
  assert_string_equal (lifted, "container has no CPU limit, neither a share nor a quota (linux.resources.cpu.shares "
                               "is absent; linux.resources.unified cpu.max=\"max 100000\", which the runtime writes "
                               "after linux.resources.cpu.quota); set a share (--cpu-shares 1024), or a quota in "
                               "cpu.max");
  assert_cpu_unlimited ("'cpu': {'quota': 50000}, 'unified': {'cpu.max': ' max'}", "cpu.max=\" max\"");
  assert_cpu_unlimited ("'unified': {'cpu.max': '0 100000'}", "cpu.max=\"0 100000\"");
  assert_cpu_unlimited ("'unified': {'cpu.max': '-5'}", "cpu.max=\"-5\"");
  assert_cpu_unlimited ("'unified': {'cpu.max': 'maxx'}", "cpu.max=\"maxx\"");
  assert_cpu_unlimited ("'unified': {'cpu.max': ''}", "cpu.max=\"\"");
  assert_cpu_limited ("'unified': {'cpu.max': '50000 100000'}");
  assert_cpu_limited ("'unified': {'cpu.max': ' 50000\\n'}");
  assert_cpu_limited ("'cpu': {'quota': -1}, 'unified': {'cpu.max': '50000'}");
  /* A share stands whatever cpu.max says. */
  assert_cpu_limited ("'cpu': {'shares': 512}, 'unified': {'cpu.max': 'max'}");

  /* The contract's names still turn it off. */
  struct judged j;
  judge_res (&j, "{'version': 1, 'rules': {'resources': {'action': 'deny', 'requireCpuShares': false}}}",
             "{" MEM_PIDS ", 'cpu': {'quota': -1}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* fix adds a share and leaves cpu.max as it is. */
  judge_res (&j, POLICY ("fix"), "{" MEM_PIDS ", 'unified': {'cpu.max': 'max'}}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
  apply_fixes (&j);
  cleanup_free char *want
      = dq ("{'memory':{'limit':1},'pids':{'limit':1},'unified':{'cpu.max':'max'},'cpu':{'shares':1024}}");
  assert_string_equal (resources_text (&j), want);
  assert_clean_now (&j);
  unit_judged_release (&j);

  /* Wrong types are input errors. */
  cleanup_free char *e1 = judge_error (POLICY ("deny"), "{'cpu': {'quota': '50000'}}");
  assert_contains (e1, "linux.resources.cpu.quota: must be an integer, not string \"50000\"");
  cleanup_free char *e2 = judge_error (POLICY ("deny"), "{'unified': {'cpu.max': 50000}}");
  assert_contains (e2, "linux.resources.unified.cpu.max: must be a string, not int 50000");
}

/* An update lifts a CPU quota; it lifts the CPU limit when the container
 * has no share. */
static void
test_update_cpu (void **state UNUSED)
{
  static const char *const quota_only = "{" MEM_PIDS ", 'cpu': {'shares': 0, 'quota': 50000, 'period': 100000}}";
  struct judged j;
  judge_update_of (&j, POLICY ("deny"), quota_only, "{'cpu': {'quota': -1}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/cpu/quota");
  assert_string_equal (j.v.findings[0].message,
                       "update lifts the container's CPU quota (cpu.quota=-1, unlimited), and its config has no CPU "
                       "share (linux.resources.cpu.shares=0, not set); give a quota instead (--cpus N), or a share "
                       "with it (--cpu-shares 1024)");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  judge_update_of (&j, POLICY ("deny"), quota_only, "{'unified': {'cpu.max': 'max 100000'}}");
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/unified/cpu.max");
  assert_contains (j.v.findings[0].message, "(unified cpu.max=\"max 100000\"), and its config has no CPU share");
  unit_judged_release (&j);

  /* unified replaces the quota field: a quota there stands. */
  judge_update_of (&j, POLICY ("deny"), quota_only, "{'cpu': {'quota': -1}, 'unified': {'cpu.max': '20000'}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  /* A share in the update, or in the config, keeps a CPU limit. */
  judge_update_of (&j, POLICY ("deny"), quota_only, "{'cpu': {'quota': -1, 'shares': 512}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_update_of (&j, POLICY ("deny"), ALL_SET, "{'cpu': {'quota': -1}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  /* A new quota, or none named, changes nothing; nor does the rule turned off. */
  judge_update_of (&j, POLICY ("deny"), quota_only, "{'cpu': {'quota': 20000, 'period': 100000}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_update_of (&j, POLICY ("deny"), quota_only, "{'cpu': {'quota': 0, 'period': 0, 'shares': 0}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_update_of (&j, "{'version': 1, 'rules': {'resources': {'action': 'deny', 'requireCpuShares': false}}}",
                   quota_only, "{'cpu': {'quota': -1}}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_update_errors (void **state UNUSED)
{
  static const struct
  {
    const char *update, *want;
  } cases[] = {
    { "{'pids': {'limit': 'max'}}", "config.json: rule resources: pids.limit: must be an integer, not string \"max\"" },
    { "{'memory': []}", "config.json: rule resources: memory: must be an object, not array []" },
    { "{'unified': {'memory.max': null, 'pids.max': -1}}",
      "config.json: rule resources: unified.pids.max: must be a string, not int -1" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct judged j;
      judge_res (&j, POLICY ("deny"), ALL_SET);
      cleanup_free char *text = dq (cases[i].update);
      json_object *u = json_tokener_parse (text);
      struct rule_context ctx = { .config = j.cfg, .host = &j.host };
      struct verdict v = { 0 };
      ocigate_error_t err = NULL;
      assert_int_equal (ocigate_evaluate_update (j.policy, &ctx, u, &v, &err), -1);
      assert_string_equal (err->msg, cases[i].want);
      assert_int_equal (err->kind, OCIGATE_ERR_INPUT);
      ocigate_error_free (&err);
      verdict_release (&v);
      json_object_put (u);
      unit_judged_release (&j);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_all_absent),    cmocka_unit_test (test_unlimited_and_zero),
    cmocka_unit_test (test_options),       cmocka_unit_test (test_fix_creates),
    cmocka_unit_test (test_fix_keeps),     cmocka_unit_test (test_fix_swap),
    cmocka_unit_test (test_config_errors), cmocka_unit_test (test_policy_errors),
    cmocka_unit_test (test_fixtures),      cmocka_unit_test (test_unified),
    cmocka_unit_test (test_update),        cmocka_unit_test (test_update_errors),
    cmocka_unit_test (test_cpu_quota),     cmocka_unit_test (test_update_cpu),
  };
  return cmocka_run_group_tests_name ("rule resources", tests, NULL, NULL);
}
