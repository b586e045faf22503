/* Unit tests for the gate: the refusal the hook and the wrapper print (one
 * line per refusing finding, at most GATE_REFUSAL_LINES_PER_RULE of a rule,
 * then a line counting the rest), and gate_decide(), the one decision
 * every front end makes.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#include "gate/decide.h"

#define ELISION(rule, n)                                                                                               \
  "ocigate: denied by " rule ": " n " of this rule; `ocigate check` on the config lists every one, and the decision "  \
  "log has them\n"

static void
add (struct verdict *v, const char *rule, enum action action, int i)
{
  verdict_add_finding (v, rule, action, "/x", "finding %d", i);
}

static void
test_few_lines_shown_whole (void **state UNUSED)
{
  struct gate g = { .where = "hook prestart" };
  cleanup_verdict struct verdict v = { 0 };
  add (&v, "a", ACTION_DENY, 1);
  add (&v, "a", ACTION_WARN, 2); /* does not refuse: not shown, not counted */
  add (&v, "a", ACTION_DENY, 3);
  add (&v, "b", ACTION_DENY, 4);
  cleanup_free char *r = gate_refusal (&g, &v);
  assert_string_equal (r, "ocigate: denied by a: finding 1\n"
                          "ocigate: denied by a: finding 3\n"
                          "ocigate: denied by b: finding 4\n");
}

static void
test_many_lines_counted (void **state UNUSED)
{
  struct gate g = { .where = "hook prestart" };
  cleanup_verdict struct verdict v = { 0 };
  add (&v, "a", ACTION_DENY, 0);
  for (int i = 1; i <= 10; i++)
    add (&v, "devices", ACTION_DENY, i);
  for (int i = 11; i <= 14; i++)
    add (&v, "caps", ACTION_DENY, i);
  cleanup_free char *r = gate_refusal (&g, &v);
  assert_string_equal (
      r, "ocigate: denied by a: finding 0\n"
         "ocigate: denied by devices: finding 1\n"
         "ocigate: denied by devices: finding 2\n"
         "ocigate: denied by devices: finding 3\n" ELISION (
             "devices", "7 more findings") "ocigate: denied by caps: finding 11\n"
                                           "ocigate: denied by caps: finding 12\n"
                                           "ocigate: denied by caps: finding 13\n" ELISION ("caps", "1 more finding"));
}

/* A fix the integration point cannot make refuses too, and counts as a line. */
static void
test_unfixable_counted (void **state UNUSED)
{
  struct gate g = { .where = "hook prestart", .cannot_rewrite = "use the wrapper" };
  cleanup_verdict struct verdict v = { 0 };
  for (int i = 1; i <= 4; i++)
    add (&v, "caps", i == 2 ? ACTION_DENY : ACTION_FIX, i);
  cleanup_free char *r = gate_refusal (&g, &v);
  assert_string_equal (r, "ocigate: denied by caps: finding 1 (the policy fixes this by rewriting, which hook prestart "
                          "cannot do: use the wrapper)\n"
                          "ocigate: denied by caps: finding 2\n"
                          "ocigate: denied by caps: finding 3 (the policy fixes this by rewriting, which hook prestart "
                          "cannot do: use the wrapper)\n" ELISION ("caps", "1 more finding"));
  /* Where it can rewrite, fixes do not refuse. */
  g.can_rewrite = true;
  cleanup_free char *w = gate_refusal (&g, &v);
  assert_string_equal (w, "ocigate: denied by caps: finding 2\n");
}

/* The real thing: Podman's --privileged config under the default policy. */
static void
test_privileged_fixture (void **state UNUSED)
{
  cleanup_policy struct policy *policy = NULL;
  cleanup_oci_config struct oci_config *cfg = NULL;
  cleanup_error ocigate_error_t err = NULL;
  if (policy_load_file ("policies/default.json", &policy, &err) < 0
      || oci_config_load_file ("tests/fixtures/podman-privileged.json", &cfg, &err) < 0)
    fail_msg ("%s", err->msg);
  struct host_info host;
  unit_host (&host, 0, 0);
  struct rule_context ctx = { .config = cfg, .host = &host };
  cleanup_verdict struct verdict v = { 0 };
  if (ocigate_evaluate (policy, &ctx, &v, &err) < 0)
    fail_msg ("%s", err->msg);
  host_info_release (&host);
  struct gate g = { .where = "hook prestart" };
  cleanup_free char *r = gate_refusal (&g, &v);
  size_t lines = 0;
  for (const char *p = r; *p; p++)
    lines += *p == '\n';
  assert_int_equal (unit_count (&v, "devices", ACTION_DENY), 95);
  assert_true (lines < 25);
  assert_non_null (strstr (r, "ocigate: denied by privileged: container is privileged"));
  assert_non_null (strstr (r, ELISION ("devices", "92 more findings")));
}

/* gate_decide() under the noNewPrivileges rule, whose one finding is
 * known to the byte. */
#define NNP_POLICY(action) "{'version': 1, 'rules': {'noNewPrivileges': {'action': '" action "'}}}"
#define NNP_MSG                                                                                                        \
  "process may gain privileges through setuid binaries and file capabilities (process.noNewPrivileges is absent, so "  \
  "false); set it to true (--security-opt no-new-privileges)"
#define NNP_FINDING(action)                                                                                            \
  "{\"rule\": \"noNewPrivileges\", \"action\": \"" action "\", \"message\": \"" NNP_MSG                                \
  "\", \"path\": \"/process/noNewPrivileges\"}"
#define CONFIG_NNP(nnp)                                                                                                \
  "{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']" nnp "}, "                   \
  "'root': {'path': 'rootfs'}}"
#define CONFIG_NO_NNP CONFIG_NNP ("")
#define CONFIG_WITH_NNP CONFIG_NNP (", 'noNewPrivileges': true")

/* A policy and a config, written with ' for ", loaded, and the host. */
struct decide_fixture
{
  struct policy *policy;
  struct oci_config *cfg;
  struct host_info host;
};

static void
fixture_load (struct decide_fixture *fx, const char *policy, const char *config)
{
  cleanup_free char *p = dq (policy), *c = dq (config);
  fx->policy = unit_policy (p);
  fx->cfg = unit_config (c);
  unit_host (&fx->host, 0, 0);
}

static void
fixture_release (struct decide_fixture *fx)
{
  host_info_release (&fx->host);
  oci_config_free (fx->cfg);
  policy_free (fx->policy);
}
#define cleanup_decide_fixture __attribute__ ((cleanup (fixture_release)))

/* The hook's prestart stage judging the fixture's config of container c1
 * in /b by its policy; the log's record made, not written. */
static struct gate_request
prestart_request (struct decide_fixture *fx)
{
  return (struct gate_request){
    .where = "hook prestart",
    .policy = { .loaded = fx->policy },
    .config = { .from = GATE_CONFIG_LOADED, .loaded = fx->cfg },
    .id = "c1",
    .bundle = "/b",
    .host = &fx->host,
    .log = GATE_LOG_RECORD,
  };
}

/* The log's record, its time stamp left out, is exactly this. */
static void
assert_log (const struct gate_result *res, const char *via, const char *outcome, const char *decision, bool dry_run,
            const char *findings)
{
  const char *line = res->log_line;
  assert_non_null (line);
  assert_true (strncmp (line, "{\"time\": \"", 10) == 0);
  const char *rest = strstr (line, "\", \"id\": ");
  assert_non_null (rest);
  const struct policy *p = res->policy;
  struct strbuf error = { 0 };
  strbuf_append (&error, "");
  if (res->error)
    {
      strbuf_append (&error, ", \"error\": ");
      strbuf_append_json_string (&error, res->error);
    }
  cleanup_free char *want = xasprintf (
      "\", \"id\": \"c1\", \"bundle\": \"/b\", \"via\": \"%s\", \"outcome\": \"%s\", \"decision\": \"%s\", "
      "\"dry_run\": %s%s, \"findings\": [%s], \"policy\": \"%s\", \"policy_sha256\": \"%s\"}",
      via, outcome, decision, dry_run ? "true" : "false", error.buf, findings, p ? p->source : "", p ? p->sha256 : "");
  strbuf_release (&error);
  assert_string_equal (rest, want);
}

static void
test_decide_allow (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("deny"), CONFIG_WITH_NNP);
  struct gate_request req = prestart_request (&fx);
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), 0);
  assert_null (err);
  assert_int_equal (res.outcome, GATE_ALLOW);
  assert_int_equal (res.failed, GATE_STEP_NONE);
  assert_int_equal (res.verdict.n_findings, 0);
  assert_ptr_equal (res.policy, fx.policy);
  assert_ptr_equal (res.config, fx.cfg);
  assert_null (res.error);
  assert_null (res.refusal);
  /* A plain allow is not logged. */
  assert_null (res.log_line);
  assert_null (res.log_error);
}

static void
test_decide_deny (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("deny"), CONFIG_NO_NNP);
  struct gate_request req = prestart_request (&fx);
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), 0);
  assert_int_equal (res.outcome, GATE_REFUSE);
  assert_int_equal (res.failed, GATE_STEP_NONE);
  assert_int_equal (res.verdict.n_findings, 1);
  assert_int_equal (unit_count (&res.verdict, "noNewPrivileges", ACTION_DENY), 1);
  assert_null (res.error);
  assert_string_equal (res.refusal, "ocigate: denied by noNewPrivileges: " NNP_MSG "\n");
  assert_log (&res, "hook prestart", "refuse", "deny", false, NNP_FINDING ("deny"));

  /* check and fix ask for no record. */
  req.log = GATE_LOG_NONE;
  cleanup_gate_result struct gate_result quiet = { 0 };
  assert_int_equal (gate_decide (&req, &quiet, &err), 0);
  assert_int_equal (quiet.outcome, GATE_REFUSE);
  assert_null (quiet.log_line);
}

struct commits
{
  int n;
  bool had_nnp;     /* the config committed was the rewritten one */
  const char *fail; /* fail with this message */
};

static int
count_commit (void *data, const struct oci_config *cfg, ocigate_error_t *err)
{
  struct commits *c = data;
  c->n++;
  json_object *nnp = json_get (json_get (cfg->root, "process"), "noNewPrivileges");
  c->had_nnp = nnp && json_object_get_boolean (nnp);
  if (c->fail)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s", c->fail);
  return 0;
}

static void
test_decide_rewrite (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("fix"), CONFIG_NO_NNP);
  struct commits commits = { 0 };
  struct gate_request req = prestart_request (&fx);
  req.where = "hook precreate";
  req.can_rewrite = true;
  req.commit = count_commit;
  req.data = &commits;
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), 0);
  assert_int_equal (res.outcome, GATE_REWRITE);
  assert_null (res.refusal);
  /* The lent config is the one rewritten, and the one committed. */
  assert_ptr_equal (res.config, fx.cfg);
  assert_string_equal (json_object_to_json_string_ext (json_get (fx.cfg->root, "process"), JSON_C_TO_STRING_PLAIN),
                       "{\"user\":{\"uid\":1000,\"gid\":1000},\"args\":[\"sh\"],\"noNewPrivileges\":true}");
  assert_int_equal (commits.n, 1);
  assert_true (commits.had_nnp);
  /* The verdict is the one the fixes were made for. */
  assert_int_equal (unit_count (&res.verdict, "noNewPrivileges", ACTION_FIX), 1);
  assert_log (&res, "hook precreate", "rewrite", "rewrite", false, NNP_FINDING ("fix"));
}

static void
test_decide_cannot_rewrite (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("fix"), CONFIG_NO_NNP);
  struct commits commits = { 0 };
  struct gate_request req = prestart_request (&fx);
  req.cannot_rewrite = "use the wrapper";
  req.commit = count_commit;
  req.data = &commits;
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), 0);
  assert_int_equal (res.outcome, GATE_REFUSE);
  assert_string_equal (res.refusal, "ocigate: denied by noNewPrivileges: " NNP_MSG
                                    " (the policy fixes this by rewriting, which hook prestart cannot do: use the "
                                    "wrapper)\n");
  assert_null (json_get (json_get (fx.cfg->root, "process"), "noNewPrivileges"));
  assert_int_equal (commits.n, 0);
  assert_log (&res, "hook prestart", "refuse", "rewrite", false, NNP_FINDING ("fix"));
}

/* A commit that fails refuses; the log lists the findings with the error
 * only where the refused config still goes to the runtime (precreate). */
static void
test_decide_commit_fails (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("fix"), CONFIG_NO_NNP);
  struct commits commits = { .fail = "write config.json: No space left on device" };
  struct gate_request req = prestart_request (&fx);
  req.where = "ocigate-runc create";
  req.can_rewrite = true;
  req.commit = count_commit;
  req.data = &commits;
  cleanup_error ocigate_error_t err = NULL;
  cleanup_gate_result struct gate_result res = { 0 };
  assert_int_equal (gate_decide (&req, &res, &err), -1);
  assert_string_equal (err->msg, "write config.json: No space left on device");
  assert_int_equal (commits.n, 1);
  assert_int_equal (res.outcome, GATE_REFUSE);
  assert_int_equal (res.failed, GATE_STEP_COMMIT);
  assert_string_equal (res.error, "write config.json: No space left on device");
  assert_string_equal (res.refusal, "ocigate: refused: write config.json: No space left on device\n");
  assert_log (&res, "ocigate-runc create", "refuse", "error", false, "");

  /* The fixes were made to the lent config before the commit failed: the
   * precreate hook judges a fresh one. */
  cleanup_decide_fixture struct decide_fixture again = { 0 };
  fixture_load (&again, NNP_POLICY ("fix"), CONFIG_NO_NNP);
  req.config.loaded = again.cfg;
  req.where = "hook precreate";
  req.log_findings_on_error = true;
  cleanup_error ocigate_error_t err2 = NULL;
  cleanup_gate_result struct gate_result precreate = { 0 };
  assert_int_equal (gate_decide (&req, &precreate, &err2), -1);
  assert_log (&precreate, "hook precreate", "refuse", "error", false, NNP_FINDING ("fix"));
}

static void
test_decide_dry_run (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("deny"), CONFIG_NO_NNP);
  struct gate_request req = prestart_request (&fx);
  cleanup_error ocigate_error_t err = NULL;
  req.dry_run = GATE_DRY_RUN_ON;
  cleanup_gate_result struct gate_result on = { 0 };
  assert_int_equal (gate_decide (&req, &on, &err), 0);
  assert_int_equal (on.outcome, GATE_ALLOW);
  assert_null (on.refusal);
  assert_log (&on, "hook prestart", "allow", "deny", true, NNP_FINDING ("deny"));

  /* A policy in dry-run mode: the same, but where the verdict is taken as
   * it is (check, fix). */
  cleanup_free char *json = dq ("{'version': 1, 'mode': 'dry-run', 'rules': {'noNewPrivileges': {'action': 'deny'}}}");
  cleanup_policy struct policy *dry = unit_policy (json);
  req.policy.loaded = dry;
  req.dry_run = GATE_DRY_RUN_POLICY;
  cleanup_gate_result struct gate_result mode = { 0 };
  assert_int_equal (gate_decide (&req, &mode, &err), 0);
  assert_int_equal (mode.outcome, GATE_ALLOW);
  assert_log (&mode, "hook prestart", "allow", "deny", true, NNP_FINDING ("deny"));
  req.dry_run = GATE_DRY_RUN_NEVER;
  cleanup_gate_result struct gate_result never = { 0 };
  assert_int_equal (gate_decide (&req, &never, &err), 0);
  assert_int_equal (never.outcome, GATE_REFUSE);
  assert_log (&never, "hook prestart", "refuse", "deny", false, NNP_FINDING ("deny"));
}

/* Fail closed: a policy that does not load refuses and says why, even in
 * a dry run. */
static void
test_decide_policy_fails (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("deny"), CONFIG_WITH_NNP);
  struct gate_request req = prestart_request (&fx);
  req.policy = (struct gate_policy_source){ .path = "/nonexistent/ocigate-policy.json", .trusted = true };
  req.dry_run = GATE_DRY_RUN_ON;
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), -1);
  assert_non_null (err);
  assert_string_equal (err->msg, "policy: open /nonexistent/ocigate-policy.json: No such file or directory");
  assert_int_equal (res.outcome, GATE_REFUSE);
  assert_int_equal (res.failed, GATE_STEP_POLICY);
  assert_null (res.policy);
  assert_string_equal (res.error, err->msg);
  assert_string_equal (res.refusal,
                       "ocigate: refused: policy: open /nonexistent/ocigate-policy.json: No such file or directory\n");
  assert_log (&res, "hook prestart", "refuse", "error", true, "");
}

static void
test_decide_config_fails (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("deny"), CONFIG_WITH_NNP);
  struct gate_request req = prestart_request (&fx);
  req.config = (struct gate_config_source){ .from = GATE_CONFIG_TEXT, .text = "{", .len = 1, .name = "config.json" };
  cleanup_free char *why = unit_config_error ("{");
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), -1);
  assert_string_equal (err->msg, why);
  assert_int_equal (res.outcome, GATE_REFUSE);
  assert_int_equal (res.failed, GATE_STEP_CONFIG);
  assert_null (res.config);
  assert_ptr_equal (res.policy, fx.policy);
  assert_string_equal (res.error, why);
  cleanup_free char *refusal = xasprintf ("ocigate: refused: %s\n", why);
  assert_string_equal (res.refusal, refusal);
  assert_log (&res, "hook prestart", "refuse", "error", false, "");

  /* A file: its own name in the message. */
  req.config = (struct gate_config_source){ .from = GATE_CONFIG_FILE, .path = "/nonexistent/config.json" };
  cleanup_gate_result struct gate_result file = { 0 };
  cleanup_error ocigate_error_t ferr = NULL;
  assert_int_equal (gate_decide (&req, &file, &ferr), -1);
  assert_int_equal (file.failed, GATE_STEP_CONFIG);
  assert_contains (file.refusal, "ocigate: refused: ");
  assert_contains (file.error, "/nonexistent/config.json");
}

/* A config given as text is loaded, judged and rewritten by the result. */
static void
test_decide_text (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("fix"), CONFIG_WITH_NNP);
  cleanup_free char *text = dq (CONFIG_NO_NNP);
  struct gate_request req = prestart_request (&fx);
  req.where = "ocigate fix";
  req.can_rewrite = true;
  req.log = GATE_LOG_NONE;
  req.config = (struct gate_config_source){ .from = GATE_CONFIG_TEXT, .text = text, .len = strlen (text), .name = "c" };
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), 0);
  assert_int_equal (res.outcome, GATE_REWRITE);
  assert_non_null (res.config);
  assert_ptr_not_equal (res.config, fx.cfg);
  assert_string_equal (res.config->name, "c");
  assert_true (json_object_get_boolean (json_get (json_get (res.config->root, "process"), "noNewPrivileges")));
}

#define RESOURCES_POLICY "{'version': 1, 'rules': {'resources': {'action': 'deny'}}}"
#define PIDS_LIFTED                                                                                                    \
  "ocigate: denied by resources: update lifts the container's limit on its number of processes (pids.limit=-1, "       \
  "unlimited); give a limit instead (--pids-limit 1024)\n"

/* An update is judged, not the config (which has no limit at all). */
static void
test_decide_update (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, RESOURCES_POLICY, CONFIG_WITH_NNP);
  struct gate_request req = prestart_request (&fx);
  req.where = "ocigate-runc update";
  cleanup_json json_object *none = json_tokener_parse ("{}");
  req.update = none;
  cleanup_gate_result struct gate_result keeps = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &keeps, &err), 0);
  assert_int_equal (keeps.outcome, GATE_ALLOW);
  assert_int_equal (keeps.verdict.n_findings, 0);

  cleanup_json json_object *lifts = json_tokener_parse ("{\"pids\": {\"limit\": -1}}");
  req.update = lifts;
  cleanup_gate_result struct gate_result lifted = { 0 };
  assert_int_equal (gate_decide (&req, &lifted, &err), 0);
  assert_int_equal (lifted.outcome, GATE_REFUSE);
  assert_string_equal (lifted.refusal, PIDS_LIFTED);

  /* Without an update, the config itself. */
  req.update = NULL;
  cleanup_gate_result struct gate_result config = { 0 };
  assert_int_equal (gate_decide (&req, &config, &err), 0);
  assert_int_equal (config.outcome, GATE_REFUSE);
  assert_int_equal (unit_count (&config.verdict, "resources", ACTION_DENY), 3);
}

/* The wrapper's exec: the front end's step turns the container's config
 * into the exec's process before the rules see it. */
struct exec_step
{
  int calls;
  const struct oci_config *seen;
  bool fail;
  const char *update; /* an update to read, as the wrapper's update does */
};

static int
exec_prepare (void *data, struct oci_config *cfg, json_object **update, ocigate_error_t *err)
{
  struct exec_step *step = data;
  step->calls++;
  step->seen = cfg;
  if (step->fail)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "--user \"x\" is not a numeric ID");
  if (step->update)
    {
      *update = json_tokener_parse (step->update);
      return 0;
    }
  json_object_object_del (json_get (cfg->root, "process"), "noNewPrivileges");
  return oci_config_refresh (cfg, err);
}

static void
test_decide_prepare (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("deny"), CONFIG_WITH_NNP);
  struct exec_step step = { 0 };
  struct gate_request req = prestart_request (&fx);
  req.where = "ocigate-runc exec";
  req.prepare = exec_prepare;
  req.data = &step;
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (gate_decide (&req, &res, &err), 0);
  assert_int_equal (step.calls, 1);
  assert_ptr_equal (step.seen, fx.cfg);
  assert_int_equal (res.outcome, GATE_REFUSE);
  assert_string_equal (res.refusal, "ocigate: denied by noNewPrivileges: " NNP_MSG "\n");

  /* Its failure refuses, and says why. */
  step = (struct exec_step){ .fail = true };
  cleanup_gate_result struct gate_result failed = { 0 };
  cleanup_error ocigate_error_t ferr = NULL;
  assert_int_equal (gate_decide (&req, &failed, &ferr), -1);
  assert_int_equal (step.calls, 1);
  assert_int_equal (failed.failed, GATE_STEP_PREPARE);
  assert_int_equal (failed.verdict.n_findings, 0);
  assert_string_equal (failed.refusal, "ocigate: refused: --user \"x\" is not a numeric ID\n");
  assert_log (&failed, "ocigate-runc exec", "refuse", "error", false, "");

  /* An update read by the step is what is judged. */
  cleanup_decide_fixture struct decide_fixture rx = { 0 };
  fixture_load (&rx, RESOURCES_POLICY, CONFIG_WITH_NNP);
  req = prestart_request (&rx);
  step = (struct exec_step){ .update = "{\"pids\": {\"limit\": -1}}" };
  req.prepare = exec_prepare;
  req.data = &step;
  cleanup_gate_result struct gate_result update = { 0 };
  cleanup_error ocigate_error_t uerr = NULL;
  assert_int_equal (gate_decide (&req, &update, &uerr), 0);
  assert_int_equal (update.outcome, GATE_REFUSE);
  assert_string_equal (update.refusal, PIDS_LIFTED);
}

/* Exceptions match on the request's container ID and bundle. */
static void
test_decide_exceptions (void **state UNUSED)
{
  static const char *const matches[] = { "{'id': 'web-*'}", "{'bundle': '/srv/*'}" };
  for (size_t m = 0; m < ARRAY_SIZE (matches); m++)
    {
      cleanup_free char *policy = xasprintf ("{'version': 1, 'rules': {'noNewPrivileges': {'action': 'deny'}}, "
                                             "'exceptions': [{'match': %s, 'rules': ['noNewPrivileges'], "
                                             "'reason': 'legacy'}]}",
                                             matches[m]);
      cleanup_decide_fixture struct decide_fixture fx = { 0 };
      fixture_load (&fx, policy, CONFIG_NO_NNP);
      struct gate_request req = prestart_request (&fx);
      req.id = m == 0 ? "web-1" : "db-1";
      req.bundle = m == 0 ? "/home/b" : "/srv/b";
      cleanup_gate_result struct gate_result relaxed = { 0 };
      cleanup_error ocigate_error_t err = NULL;
      assert_int_equal (gate_decide (&req, &relaxed, &err), 0);
      assert_int_equal (relaxed.outcome, GATE_ALLOW);
      assert_int_equal (relaxed.verdict.n_findings, 1);
      assert_int_equal (relaxed.verdict.findings[0].action, ACTION_WARN);
      assert_string_equal (relaxed.verdict.findings[0].message, "exception 0 (\"legacy\") relaxes this deny: " NNP_MSG);
      /* An exception's use is logged, never a silent allow. */
      assert_contains (relaxed.log_line, "\"outcome\": \"allow\", \"decision\": \"allow\"");
      assert_contains (relaxed.log_line, "exception 0 (\\\"legacy\\\") relaxes this deny");

      req.id = m == 0 ? "db-1" : "web-1";
      req.bundle = m == 0 ? "/srv/b" : "/home/b";
      cleanup_gate_result struct gate_result other = { 0 };
      assert_int_equal (gate_decide (&req, &other, &err), 0);
      assert_int_equal (other.outcome, GATE_REFUSE);
      assert_int_equal (other.verdict.findings[0].action, ACTION_DENY);
    }
}

/* What the front end could not read itself refuses the same way. */
static void
test_refuse (void **state UNUSED)
{
  cleanup_decide_fixture struct decide_fixture fx = { 0 };
  fixture_load (&fx, NNP_POLICY ("deny"), CONFIG_WITH_NNP);
  struct gate_request req = prestart_request (&fx);
  cleanup_gate_result struct gate_result res = { 0 };
  gate_refuse (&req, "OCI state: must be an object", &res);
  assert_int_equal (res.outcome, GATE_REFUSE);
  assert_int_equal (res.failed, GATE_STEP_INPUT);
  assert_ptr_equal (res.policy, fx.policy);
  assert_string_equal (res.refusal, "ocigate: refused: OCI state: must be an object\n");
  assert_log (&res, "hook prestart", "refuse", "error", false, "");

  /* Before any policy: the log names none. */
  req.policy.loaded = NULL;
  req.dry_run = GATE_DRY_RUN_ON;
  cleanup_gate_result struct gate_result early = { 0 };
  gate_refuse (&req, "OCI state: must be an object", &early);
  assert_null (early.policy);
  assert_log (&early, "hook prestart", "refuse", "error", true, "");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_few_lines_shown_whole),
    cmocka_unit_test (test_many_lines_counted),
    cmocka_unit_test (test_unfixable_counted),
    cmocka_unit_test (test_privileged_fixture),
    cmocka_unit_test (test_decide_allow),
    cmocka_unit_test (test_decide_deny),
    cmocka_unit_test (test_decide_rewrite),
    cmocka_unit_test (test_decide_cannot_rewrite),
    cmocka_unit_test (test_decide_commit_fails),
    cmocka_unit_test (test_decide_dry_run),
    cmocka_unit_test (test_decide_policy_fails),
    cmocka_unit_test (test_decide_config_fails),
    cmocka_unit_test (test_decide_text),
    cmocka_unit_test (test_decide_update),
    cmocka_unit_test (test_decide_prepare),
    cmocka_unit_test (test_decide_exceptions),
    cmocka_unit_test (test_refuse),
  };
  return cmocka_run_group_tests_name ("gate", tests, NULL, NULL);
}
