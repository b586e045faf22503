/* Unit tests for the refusal the hook and the wrapper print: one line per
 * refusing finding, at most GATE_REFUSAL_LINES_PER_RULE of a rule, then a
 * line counting the rest.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#include "gate/gate.h"

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

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_few_lines_shown_whole),
    cmocka_unit_test (test_many_lines_counted),
    cmocka_unit_test (test_unfixable_counted),
    cmocka_unit_test (test_privileged_fixture),
  };
  return cmocka_run_group_tests_name ("gate refusal", tests, NULL, NULL);
}
