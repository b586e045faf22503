/* Unit tests for the "seccomp" rule: a profile is there, its default does
 * not allow, libseccomp builds it as runc would, and the kernel-escape
 * system calls are not allowed unconditionally; "fix" inserts Podman's
 * profile, translated as Podman does.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <limits.h>
#include <seccomp.h>
#include <unistd.h>
#include <valgrind/valgrind.h>

#include "unit.h"

#define RULE "seccomp"
#define FIXTURES "tests/fixtures/"

static char *
policy_with (const char *action, const char *options)
{
  return xasprintf ("{'version': 1, 'rules': {'seccomp': {'action': '%s'%s%s}}}", action, options ? ", " : "",
                    options ? options : "");
}

static void
judge (struct judged *j, const char *action, const char *options, const char *config)
{
  cleanup_free char *p = policy_with (action, options);
  cleanup_free char *pj = dq (p);
  cleanup_free char *c = dq (config);
  unit_judge (j, pj, c);
}

/* A config whose linux.seccomp is `seccomp` (JSON, ' for "). */
static char *
config_with (const char *seccomp)
{
  return xasprintf ("{'ociVersion': '1.0.2', 'process': {'args': ['sh'], 'capabilities': {'bounding': ['CAP_CHOWN']}},"
                    " 'root': {'path': 'rootfs'}, 'linux': {'namespaces': [{'type': 'pid'}], 'seccomp': %s}}",
                    seccomp);
}

static void
judge_seccomp (struct judged *j, const char *action, const char *options, const char *seccomp)
{
  cleanup_free char *c = config_with (seccomp);
  judge (j, action, options, c);
}

/* Judge a fixture file as it is on disk. */
static void
judge_file (struct judged *j, const char *action, const char *options, const char *path)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (read_file_limited (path, OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  cleanup_free char *p = policy_with (action, options);
  cleanup_free char *pj = dq (p);
  memset (j, 0, sizeof *j);
  j->policy = unit_policy (pj);
  if (oci_config_load_buffer (buf, len, path, &j->cfg, &err) < 0)
    fail_msg ("%s", err->msg);
  unit_host (&j->host, 0, 0);
  struct rule_context ctx = { .config = j->cfg, .host = &j->host };
  if (ocigate_evaluate (j->policy, &ctx, &j->v, &err) < 0)
    fail_msg ("evaluate failed: %s", err->msg);
}

/* The rule must fail to judge; returns the message (caller frees) and
 * its kind. */
static char *
judge_error (const char *options, const char *seccomp, enum ocigate_error_kind *kind)
{
  cleanup_free char *p = policy_with ("deny", options);
  cleanup_free char *c = config_with (seccomp);
  return unit_judge_error_q (p, c, kind);
}

static char *
apply_fixes_error_kind (struct judged *j, enum ocigate_error_kind *kind)
{
  struct rule_context ctx = { .config = j->cfg, .host = &j->host };
  ocigate_error_t err = NULL;
  if (ocigate_apply_fixes (j->policy, &ctx, &j->v, &err) == 0)
    fail_msg ("fix succeeded but should not have");
  if (kind)
    *kind = err->kind;
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

static char *
apply_fixes_error (struct judged *j)
{
  return apply_fixes_error_kind (j, NULL);
}

static void
assert_clean_now (struct judged *j)
{
  struct rule_context ctx = { .config = j->cfg, .host = &j->host };
  struct verdict v = { 0 };
  ocigate_error_t err = NULL;
  if (ocigate_evaluate (j->policy, &ctx, &v, &err) < 0)
    fail_msg ("re-judging failed: %s", err->msg);
  if (v.n_findings)
    fail_msg ("still: %s", v.findings[0].message);
  verdict_release (&v);
}

/* A finding with this pointer and action whose message contains needle. */
static const struct finding *
find_at (const struct verdict *v, const char *pointer, int action, const char *needle)
{
  for (size_t i = 0; i < v->n_findings; i++)
    {
      const struct finding *f = &v->findings[i];
      if (strcmp (f->rule, RULE) == 0 && strcmp (f->path, pointer) == 0 && (action < 0 || (int)f->action == action)
          && (needle == NULL || strstr (f->message, needle)))
        return f;
    }
  for (size_t i = 0; i < v->n_findings; i++)
    print_message ("  finding: %s %s %s\n", action_name (v->findings[i].action), v->findings[i].path,
                   v->findings[i].message);
  fail_msg ("no %s finding at %s with \"%s\"", action < 0 ? "" : action_name (action), pointer, needle ? needle : "");
  return NULL;
}

static char *
abs_path (const char *rel)
{
  char cwd[PATH_MAX];
  if (getcwd (cwd, sizeof cwd) == NULL)
    fail_msg ("getcwd");
  return xasprintf ("%s/%s", cwd, rel);
}

/* libseccomp accepts SCMP_ACT_LOG, SCMP_ACT_KILL_PROCESS and
 * SCMP_ACT_NOTIFY only where the kernel has them, which it asks with
 * seccomp(2); valgrind does not pass that call on (API level 1). */
static bool
kernel_has_new_actions (void)
{
  return seccomp_api_get () >= 5;
}

/* libseccomp is slow enough under valgrind for the 5 s limit to hit
 * profiles that take a fraction of a second otherwise. */
static bool
slow (void)
{
  return RUNNING_ON_VALGRIND;
}

static bool
native_is_x86_64 (void)
{
  return seccomp_arch_native () == SCMP_ARCH_X86_64;
}

/* ------------------------------------------------------------------ */

/* The engines' default profiles compile and pass with the default deny
 * list: no finding at all (every name they use is known to libseccomp). */
static void
test_engine_defaults_pass (void **state UNUSED)
{
  static const char *const files[] = {
    FIXTURES "docker-default.json",  FIXTURES "podman-default.json",  FIXTURES "ctr-seccomp.json",
    FIXTURES "docker-user1000.json", FIXTURES "podman-user1000.json", FIXTURES "docker-userns-remap.json",
    FIXTURES "podman-uidmap.json",   FIXTURES "docker-nnp.json",      FIXTURES "podman-readonly.json",
  };
  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      struct judged j;
      judge_file (&j, "deny", NULL, files[i]);
      if (j.v.n_findings)
        fail_msg ("%s: %s", files[i], j.v.findings[0].message);
      assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
      unit_judged_release (&j);
    }
}

/* --cap-add SYS_ADMIN makes Docker and Podman allow bpf and friends. */
static void
test_engine_capadd_sysadmin (void **state UNUSED)
{
  struct judged j;
  judge_file (&j, "deny", NULL, FIXTURES "docker-capadd-sysadmin.json");
  /* The calls Docker's profile allows for CAP_SYS_ADMIN: one finding,
   * naming the flag that brought them. */
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/syscalls/9/names/0", ACTION_DENY, NULL);
  assert_string_equal (f->message,
                       "`--cap-add SYS_ADMIN` makes Docker's default seccomp profile allow bpf, perf_event_open, "
                       "lookup_dcookie, quotactl, quotactl_fd unconditionally (linux.seccomp.syscalls[9]: action "
                       "SCMP_ACT_ALLOW, "
                       "no argument conditions, for CAP_SYS_ADMIN in process.capabilities); drop it (and ALL, which "
                       "includes it), and the profile leaves them out");
  unit_judged_release (&j);

  judge_file (&j, "deny", NULL, FIXTURES "podman-capadd-sysadmin.json");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  find_at (&j.v, "/linux/seccomp/syscalls/10/names/0", ACTION_DENY,
           "`--cap-add SYS_ADMIN` makes Podman's default seccomp profile allow bpf, perf_event_open, lookup_dcookie, "
           "quotactl unconditionally");
  unit_judged_release (&j);
}

/* Where the engine is not known, the profile is judged in the config's
 * words: Docker's profile with CAP_SYS_ADMIN, in a config without
 * Docker's traces, is a finding a call. */
static void
test_capadd_config_words (void **state UNUSED)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (read_file_limited (FIXTURES "docker-capadd-sysadmin.json", OCIGATE_MAX_CONFIG_BYTES, &text, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  cleanup_json json_object *root = json_tokener_parse (text);
  assert_non_null (root);
  struct judged j;
  judge_seccomp (&j, "deny", NULL, json_object_to_json_string (json_get (json_get (root, "linux"), "seccomp")));
  /* bpf, perf_event_open, lookup_dcookie, quotactl, quotactl_fd */
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 5);
  find_at (&j.v, "/linux/seccomp/syscalls/9/names/0", ACTION_DENY,
           "seccomp profile allows bpf unconditionally (linux.seccomp.syscalls[9]: names include \"bpf\", action "
           "SCMP_ACT_ALLOW, no argument conditions); remove it or make it SCMP_ACT_ERRNO");
  assert_non_null (unit_find (&j.v, RULE, "allows quotactl unconditionally"));
  unit_judged_release (&j);
}

/* What the engines allow on purpose is not on the default list; a policy
 * can add it.  Docker allows personality only for a few arguments, and
 * clone with a mask: conditional, no finding.  Podman's setns shows the
 * first unconditional rule winning: its allow (syscalls[1]) comes before
 * its errno for containers without CAP_SYS_ADMIN (syscalls[10]). */
static void
test_engine_stricter_list (void **state UNUSED)
{
  static const char *const opts = "'deny': ['ptrace', 'personality', 'clone', 'mount', 'setns', 'unshare']";
  struct judged j;
  judge_file (&j, "deny", opts, FIXTURES "docker-default.json");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/syscalls/1/names/0", ACTION_DENY, "allows ptrace unconditionally");
  unit_judged_release (&j);

  judge_file (&j, "deny", opts, FIXTURES "podman-default.json");
  assert_int_equal (j.v.n_findings, 5);
  assert_null (unit_find (&j.v, RULE, "personality"));
  assert_non_null (unit_find (&j.v, RULE, "allows clone unconditionally"));
  assert_non_null (unit_find (&j.v, RULE, "allows mount unconditionally"));
  assert_non_null (unit_find (&j.v, RULE, "allows unshare unconditionally"));
  const struct finding *f = unit_find (&j.v, RULE, "allows setns unconditionally");
  assert_non_null (f);
  assert_contains (f->message, "linux.seccomp.syscalls[1]: names include \"setns\"");
  unit_judged_release (&j);
}

static void
test_unconfined (void **state UNUSED)
{
  /* Each in its engine's words; ctr-default.json judged without its
   * bundle, whose path names containerd, in the config's. */
  static const struct
  {
    const char *file, *remedy;
  } cases[] = {
    { FIXTURES "docker-seccomp-unconfined.json",
      "drop --security-opt seccomp=unconfined (and --privileged) so Docker's default profile applies, or give one "
      "(--security-opt seccomp=PROFILE.json)" },
    { FIXTURES "podman-seccomp-unconfined.json",
      "drop --security-opt seccomp=unconfined (and --privileged) so Podman's default profile applies, or give one "
      "(--security-opt seccomp=PROFILE.json)" },
    { FIXTURES "runc-spec.json", "add a linux.seccomp profile whose defaultAction is SCMP_ACT_ERRNO" },
    { FIXTURES "ctr-default.json",
      "give it one: the engine's default (drop seccomp=unconfined; ctr run --seccomp) or its own" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      struct judged j;
      judge_file (&j, "deny", NULL, cases[i].file);
      assert_int_equal (j.v.n_findings, 1);
      const struct finding *f = find_at (&j.v, "/linux/seccomp", ACTION_DENY, NULL);
      cleanup_free char *want
          = xasprintf ("no seccomp profile (linux.seccomp is absent, as with --security-opt seccomp=unconfined); %s",
                       cases[i].remedy);
      assert_string_equal (f->message, want);
      unit_judged_release (&j);
    }

  struct judged j;
  judge_seccomp (&j, "warn", NULL, "null");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp", ACTION_WARN, "(linux.seccomp is null, as with --security-opt seccomp=unconfined)");
  unit_judged_release (&j);

  /* runc sets no filter for a profile with neither. */
  judge_seccomp (&j, "deny", NULL, "{'defaultAction': '', 'syscalls': [], 'architectures': ['SCMP_ARCH_X86_64']}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp", ACTION_DENY,
           "(linux.seccomp has no defaultAction and no syscalls, which runc reads as no profile)");
  unit_judged_release (&j);

  /* No linux at all. */
  judge (&j, "deny", NULL, "{'process': {'args': ['sh']}}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp", ACTION_DENY, "linux.seccomp is absent");
  unit_judged_release (&j);
}

/* Everything but linux.seccomp, as text. */
static json_object *
snapshot_without_seccomp (json_object *root)
{
  json_object *s = json_object_new_object ();
  json_object_object_foreach (root, key, val)
    {
      if (strcmp (key, "linux") != 0)
        json_object_object_add (s, key, json_object_new_string (json_object_to_json_string (val)));
    }
  json_object_object_foreach (json_get (root, "linux"), lkey, lval)
    {
      if (strcmp (lkey, "seccomp") != 0)
        {
          cleanup_free char *k = xasprintf ("linux.%s", lkey);
          json_object_object_add (s, k, json_object_new_string (json_object_to_json_string (lval)));
        }
    }
  return s;
}

/* The fix gives podman-seccomp-unconfined exactly what Podman itself
 * wrote into podman-default (same capabilities), and nothing else moves. */
static void
test_fix_podman_profile (void **state UNUSED)
{
  if (!native_is_x86_64 ())
    skip ();
  struct judged j;
  judge_file (&j, "fix", NULL, FIXTURES "podman-seccomp-unconfined.json");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp", ACTION_FIX, "no seccomp profile");
  assert_int_equal (verdict_decide (&j.v), DECISION_REWRITE);
  json_object *before = snapshot_without_seccomp (j.cfg->root);
  size_t n_top = json_object_object_length (j.cfg->root);

  apply_fixes (&j);

  struct judged want;
  judge_file (&want, "fix", NULL, FIXTURES "podman-default.json");
  json_object *got_sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
  json_object *want_sc = json_get (json_get (want.cfg->root, "linux"), "seccomp");
  assert_non_null (got_sc);
  if (!json_object_equal (got_sc, want_sc))
    fail_msg ("inserted profile differs from Podman's:\n%s", json_object_to_json_string (got_sc));
  /* In Podman's key order, too. */
  assert_string_equal (json_object_to_json_string (got_sc), json_object_to_json_string (want_sc));
  unit_judged_release (&want);

  json_object *after = snapshot_without_seccomp (j.cfg->root);
  if (!json_object_equal (before, after))
    fail_msg ("other fields changed:\n%s\n%s", json_object_to_json_string (before), json_object_to_json_string (after));
  assert_int_equal (json_object_object_length (j.cfg->root), n_top);
  json_object_put (before);
  json_object_put (after);
  assert_clean_now (&j);
  unit_judged_release (&j);
}

/* Docker's own unconfined config, and runc's spec, get Podman's default
 * profile and then pass the rule with its default deny list. */
static void
test_fix_other_engines (void **state UNUSED)
{
  static const char *const files[] = { FIXTURES "docker-seccomp-unconfined.json", FIXTURES "runc-spec.json",
                                       FIXTURES "crun-spec-rootless.json", FIXTURES "ctr-default.json" };
  for (size_t i = 0; i < ARRAY_SIZE (files); i++)
    {
      struct judged j;
      judge_file (&j, "fix", NULL, files[i]);
      assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
      apply_fixes (&j);
      json_object *sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
      assert_non_null (sc);
      assert_string_equal (json_object_get_string (json_get (sc, "defaultAction")), "SCMP_ACT_ERRNO");
      assert_clean_now (&j);
      unit_judged_release (&j);
    }

  /* No linux object at all: the fix makes one. */
  struct judged j;
  judge (&j, "fix", NULL, "{'process': {'args': ['sh'], 'capabilities': {'bounding': ['CAP_KILL']}}}");
  apply_fixes (&j);
  assert_true (j.cfg->has_linux);
  assert_non_null (json_get (json_get (j.cfg->root, "linux"), "seccomp"));
  assert_clean_now (&j);
  unit_judged_release (&j);
}

/* Podman's translation on a profile of ours: includes/excludes by
 * capability, architecture and minKernel, archMap, errno names over
 * errnoRet, "name", comments dropped. */
static void
test_fix_translation (void **state UNUSED)
{
  if (!native_is_x86_64 ())
    skip ();
  cleanup_free char *profile = abs_path (UNIT_FIXTURES "/seccomp-podman-format.json");
  cleanup_free char *opts = xasprintf ("'profile': '%s'", profile);
  struct judged j;
  judge (&j, "fix", opts,
         "{'process': {'args': ['sh'], 'capabilities': {'bounding': ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'], "
         "'effective': ['CAP_CHOWN']}}, 'linux': {}}");
  apply_fixes (&j);
  json_object *got = json_get (json_get (j.cfg->root, "linux"), "seccomp");

  cleanup_free char *buf = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (read_file_limited (UNIT_FIXTURES "/seccomp-podman-format-expected.json", 1 << 20, &buf, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  json_object *want = NULL;
  if (json_parse_untrusted (buf, len, "expected", &want, &err) < 0)
    fail_msg ("%s", err->msg);
  if (!json_object_equal (got, want))
    fail_msg ("translated:\n%s\nwant:\n%s", json_object_to_json_string_ext (got, JSON_C_TO_STRING_PRETTY),
              json_object_to_json_string_ext (want, JSON_C_TO_STRING_PRETTY));
  json_object_put (want);
  assert_clean_now (&j);
  unit_judged_release (&j);

  /* With CAP_SYS_ADMIN, the includes entry comes in, the excludes one goes. */
  judge (&j, "fix", opts, "{'process': {'args': ['sh'], 'capabilities': {'bounding': ['CAP_SYS_ADMIN']}}}");
  apply_fixes (&j);
  json_object *sys = json_get (json_get (json_get (j.cfg->root, "linux"), "seccomp"), "syscalls");
  assert_string_equal (json_object_to_json_string (json_get (json_object_array_get_idx (sys, 3), "names")),
                       "[ \"clone\", \"mount\" ]");
  assert_null (json_get (json_object_array_get_idx (sys, 3), "args"));
  unit_judged_release (&j);
}

/* The profile is read at fix time; a profile that cannot be read or used
 * is an error, never a container without seccomp. */
static void
test_fix_profile_errors (void **state UNUSED)
{
  struct
  {
    const char *file;
    const char *want;
  } cases[] = {
    { "/nonexistent/seccomp.json", "seccomp profile: open /nonexistent/seccomp.json: No such file or directory" },
    { UNIT_FIXTURES "/seccomp-bad-types.json",
      "/seccomp-bad-types.json: syscalls[0].names: must be an array of strings, not string \"read\"" },
    { UNIT_FIXTURES "/seccomp-truncated.json", "/seccomp-truncated.json:1:" },
    { UNIT_FIXTURES "/seccomp-no-default.json",
      "/seccomp-no-default.json: defaultAction: missing (without one, the container would run without seccomp)" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *profile = cases[i].file[0] == '/' ? xstrdup (cases[i].file) : abs_path (cases[i].file);
      cleanup_free char *opts = xasprintf ("'profile': '%s'", profile);
      struct judged j;
      /* Loading the policy does not read the file. */
      judge (&j, "fix", opts, "{'process': {'args': ['sh']}, 'linux': {'seccomp': null}}");
      assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
      cleanup_free char *msg = apply_fixes_error (&j);
      assert_contains (msg, "fix seccomp: seccomp profile");
      assert_contains (msg, cases[i].want);
      /* Still no profile: nothing was half-written. */
      assert_null (json_get (json_get (j.cfg->root, "linux"), "seccomp"));
      unit_judged_release (&j);
    }

  /* The profile would allow bpf: the fix inserts it and takes bpf out. */
  cleanup_free char *profile = abs_path (UNIT_FIXTURES "/seccomp-allows-bpf.json");
  cleanup_free char *opts = xasprintf ("'profile': '%s'", profile);
  struct judged j;
  judge (&j, "fix", opts, "{'process': {'args': ['sh']}}");
  apply_fixes (&j);
  json_object *sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
  assert_string_equal (
      json_object_to_json_string_ext (json_get (json_object_array_get_idx (json_get (sc, "syscalls"), 0), "names"),
                                      JSON_C_TO_STRING_PLAIN),
      "[\"read\",\"write\"]");
  assert_clean_now (&j);
  unit_judged_release (&j);

  /* One whose default action allows every call cannot be mended: the
   * rewritten config still fails the rule, and is refused with why. */
  cleanup_free char *allowing = abs_path (UNIT_FIXTURES "/seccomp-default-allow.json");
  cleanup_free char *opts2 = xasprintf ("'profile': '%s'", allowing);
  judge (&j, "fix", opts2, "{'process': {'args': ['sh']}}");
  cleanup_free char *msg = apply_fixes_error (&j);
  assert_contains (msg, "the rewritten config still fails seccomp: seccomp profile allows every system call it does "
                        "not list (linux.seccomp.defaultAction=SCMP_ACT_ALLOW)");
  unit_judged_release (&j);
}

/* The fixes of a policy, made as the gate makes them, with what they say
 * they changed; the notes are the caller's. */
static void
apply_fixes_noted (struct judged *j, struct fix_notes *notes)
{
  struct rule_context ctx = { .config = j->cfg, .host = &j->host, .notes = notes };
  ocigate_error_t err = NULL;
  if (ocigate_apply_fixes (j->policy, &ctx, &j->v, &err) < 0)
    fail_msg ("fix failed: %s", err->msg);
}

static bool
notes_have (const struct fix_notes *notes, const char *want)
{
  for (size_t i = 0; i < notes->n_notes; i++)
    if (strcmp (notes->notes[i], want) == 0)
      return true;
  for (size_t i = 0; i < notes->n_notes; i++)
    print_message ("  note: %s\n", notes->notes[i]);
  return false;
}

/* Whether an entry whose action allows names `name`. */
static bool
allow_entry_names (json_object *sc, const char *name)
{
  json_object *syscalls = json_get (sc, "syscalls");
  for (size_t i = 0; syscalls && i < json_object_array_length (syscalls); i++)
    {
      json_object *e = json_object_array_get_idx (syscalls, i);
      const char *action = json_object_get_string (json_get (e, "action"));
      if (strcmp (action, "SCMP_ACT_ALLOW") != 0 && strcmp (action, "SCMP_ACT_LOG") != 0)
        continue;
      json_object *names = json_get (e, "names");
      for (size_t k = 0; k < json_object_array_length (names); k++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (names, k)), name) == 0)
          return true;
    }
  return false;
}

/* Trimming is one rewrite: `capabilities` takes the capabilities off the
 * allowlist, and `seccomp` the calls Docker's profile allowed for them
 * (docker run --user 1000 --cap-add ALL), so the container starts rather
 * than being refused, and the profile still refuses the deny list. */
static void
test_fix_trims_with_capabilities (void **state UNUSED)
{
  static const char *const deny[]
      = { "kexec_load",      "init_module", "finit_module", "delete_module", "open_by_handle_at", "bpf",
          "perf_event_open", "iopl",        "ioperm",       "acct",          "settimeofday",      "clock_settime",
          "lookup_dcookie",  "quotactl",    "quotactl_fd",  "stime" };
  cleanup_free char *buf = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (read_file_limited (FIXTURES "docker-user1000-capadd-all.json", OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  struct judged j = { 0 };
  cleanup_free char *policy = dq ("{'version': 1, 'rules': {'capabilities': {'action': 'fix', 'allow': ['CAP_CHOWN', "
                                  "'CAP_KILL', 'CAP_SETUID', 'CAP_SETGID']}, 'seccomp': {'action': 'fix'}}}");
  j.policy = unit_policy (policy);
  if (oci_config_load_buffer (buf, len, "docker.json", &j.cfg, &err) < 0)
    fail_msg ("%s", err->msg);
  unit_host (&j.host, 0, 0);
  struct rule_context ctx = { .config = j.cfg, .host = &j.host };
  if (ocigate_evaluate (j.policy, &ctx, &j.v, &err) < 0)
    fail_msg ("%s", err->msg);
  /* One finding per capability that brought calls, each one the fix mends. */
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 6);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 0);
  find_at (&j.v, "/linux/seccomp/syscalls/10/names/0", ACTION_FIX,
           "`--cap-add SYS_ADMIN` makes Docker's default seccomp profile allow bpf, perf_event_open, lookup_dcookie, "
           "quotactl, quotactl_fd unconditionally");
  json_object *sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
  size_t entries_before = json_object_array_length (json_get (sc, "syscalls"));

  cleanup_fix_notes struct fix_notes notes = { 0 };
  apply_fixes_noted (&j, &notes);
  sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
  assert_true (notes_have (&notes, "seccomp: took bpf, lookup_dcookie, perf_event_open, quotactl, quotactl_fd out of "
                                   "linux.seccomp.syscalls[10] (action SCMP_ACT_ALLOW)"));
  assert_true (notes_have (&notes, "seccomp: took delete_module, init_module, finit_module out of "
                                   "linux.seccomp.syscalls[13] (action SCMP_ACT_ALLOW), and that entry, left with no "
                                   "names"));
  /* The five entries that held nothing else are gone (SYS_TIME's with
   * i386's stime); what the SYS_ADMIN entry allows besides (mount,
   * unshare) stays, for the kernel to refuse without the capability. */
  assert_int_equal (json_object_array_length (json_get (sc, "syscalls")), entries_before - 5);
  for (size_t i = 0; i < ARRAY_SIZE (deny); i++)
    if (allow_entry_names (sc, deny[i]))
      fail_msg ("an allowing entry still names %s", deny[i]);
  assert_true (allow_entry_names (sc, "mount"));
  assert_true (allow_entry_names (sc, "sethostname"));
  assert_string_equal (json_object_get_string (json_get (sc, "defaultAction")), "SCMP_ACT_ERRNO");
  assert_clean_now (&j);
  unit_judged_release (&j);
}

/* A call allowed by an unconditional entry and by a conditional one that
 * matches every call: both go, the conditional one only because the call
 * is still allowed after the first step. */
static void
test_fix_trims_conditional (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "fix", "'deny': ['bpf']",
                 "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': ["
                 "{'names': ['bpf', 'read'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 0, "
                 "'valueTwo': 0, 'op': 'SCMP_CMP_MASKED_EQ'}]},"
                 "{'names': ['bpf'], 'action': 'SCMP_ACT_LOG'},"
                 "{'names': ['write'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
  cleanup_fix_notes struct fix_notes notes = { 0 };
  apply_fixes_noted (&j, &notes);
  assert_true (notes_have (&notes, "seccomp: took bpf out of linux.seccomp.syscalls[1] (action SCMP_ACT_LOG), and "
                                   "that entry, left with no names"));
  assert_true (notes_have (&notes, "seccomp: took bpf out of linux.seccomp.syscalls[0] (action SCMP_ACT_ALLOW, with "
                                   "argument conditions)"));
  json_object *sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
  assert_string_equal (json_object_to_json_string_ext (json_get (sc, "syscalls"), JSON_C_TO_STRING_PLAIN),
                       "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
                       "\"value\":0,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},{\"names\":[\"write\"],"
                       "\"action\":\"SCMP_ACT_ALLOW\"}]");
  assert_clean_now (&j);
  unit_judged_release (&j);

  /* A call allowed only for some arguments is no finding, and a fix for
   * another call leaves its entry alone. */
  judge_seccomp (&j, "fix", "'deny': ['bpf', 'personality']",
                 "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': ["
                 "{'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 8, "
                 "'op': 'SCMP_CMP_EQ'}]}, {'names': ['bpf', 'read'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
  apply_fixes (&j);
  sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
  assert_true (allow_entry_names (sc, "personality"));
  assert_false (allow_entry_names (sc, "bpf"));
  assert_clean_now (&j);
  unit_judged_release (&j);
}

/* Where the default action allows (allowDefaultAllow), taking the calls
 * out is not enough: an entry returning EPERM is added for them. */
static void
test_fix_trims_default_allow (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "fix", "'allowDefaultAllow': true, 'deny': ['bpf', 'perf_event_open']",
                 "{'defaultAction': 'SCMP_ACT_LOG', 'syscalls': [{'names': ['bpf', 'read'], 'action': "
                 "'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 2);
  cleanup_fix_notes struct fix_notes notes = { 0 };
  apply_fixes_noted (&j, &notes);
  assert_true (notes_have (&notes, "seccomp: took bpf out of linux.seccomp.syscalls[0] (action SCMP_ACT_ALLOW)"));
  assert_true (notes_have (&notes, "seccomp: added an entry returning EPERM for bpf, perf_event_open (the default "
                                   "action SCMP_ACT_LOG allows them)"));
  json_object *sc = json_get (json_get (j.cfg->root, "linux"), "seccomp");
  assert_string_equal (json_object_to_json_string_ext (json_get (sc, "syscalls"), JSON_C_TO_STRING_PLAIN),
                       "[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},{\"names\":[\"bpf\",\"perf_event_open\"],"
                       "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]");
  assert_clean_now (&j);
  unit_judged_release (&j);
}

/* A value of a wrong type in a profile file is an error of the policy
 * that names the file, then the field within it, and the value there. */
static void
test_fix_profile_wrong_types (void **state UNUSED)
{
  struct
  {
    const char *profile;
    const char *want;
  } cases[] = {
    { "[]", "must be a JSON object, not array []" },
    { "{'defaultAction': 1}", "defaultAction: must be a string, not int 1" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': '1'}",
      "defaultErrnoRet: must be an integer from 0 to 4294967295, not string \"1\"" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrno': 'EWHAT'}", "defaultErrno: unknown errno \"EWHAT\"" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': [1]}",
      "architectures[0]: must be a string, not int 1 (architectures must be an array of strings)" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'archMap': {}}", "archMap: must be an array, not object {}" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'archMap': [{'architecture': 'SCMP_ARCH_PPC'}, 1]}",
      "archMap[1]: must be an object, not int 1" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'archMap': [{'architecture': 5}]}",
      "archMap[0].architecture: must be a string, not int 5" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'flags': 'SECCOMP_FILTER_FLAG_LOG'}",
      "flags: must be an array of strings, not string \"SECCOMP_FILTER_FLAG_LOG\"" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': {}}", "syscalls: must be an array, not object {}" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}, "
      "{'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': []}]}",
      "syscalls[1].includes: must be an object, not array []" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', "
      "'excludes': {'caps': 'CAP_SYS_ADMIN'}}]}",
      "syscalls[0].excludes.caps: must be an array of strings, not string \"CAP_SYS_ADMIN\"" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', "
      "'includes': {'minKernel': 'four'}}]}",
      "syscalls[0].includes.minKernel: \"four\" is not a kernel version (as \"4.8\")" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read', 2], 'action': 'SCMP_ACT_ALLOW'}]}",
      "syscalls[0].names[1]: must be a string, not int 2 (syscalls[0].names must be an array of strings)" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read']}]}", "syscalls[0].action: missing" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ERRNO', "
      "'errnoRet': -1}]}",
      "syscalls[0].errnoRet: -1 is out of range (0 to 4294967295)" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', "
      "'args': [{'index': 0, 'op': 'SCMP_CMP_EQ'}, {'index': '1', 'op': 'SCMP_CMP_EQ'}]}]}",
      "syscalls[0].args[1].index: must be an integer from 0 to 4294967295, not string \"1\"" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', "
      "'args': [{'index': 0, 'op': 7}]}]}",
      "syscalls[0].args[0].op: must be a string, not int 7" },
  };
  char path[] = "/tmp/ocigate-seccomp-XXXXXX";
  int fd = mkstemp (path);
  assert_true (fd >= 0);
  close (fd);
  cleanup_free char *opts = xasprintf ("'profile': '%s'", path);
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *text = dq (cases[i].profile);
      FILE *f = fopen (path, "w");
      assert_non_null (f);
      assert_true (fputs (text, f) >= 0);
      assert_int_equal (fclose (f), 0);
      struct judged j;
      judge (&j, "fix", opts, "{'process': {'args': ['sh']}, 'linux': {'seccomp': null}}");
      enum ocigate_error_kind kind = OCIGATE_ERR_INTERNAL;
      cleanup_free char *msg = apply_fixes_error_kind (&j, &kind);
      cleanup_free char *want = xasprintf ("config.json: fix seccomp: seccomp profile %s: %s", path, cases[i].want);
      assert_string_equal (msg, want);
      assert_int_equal (kind, OCIGATE_ERR_POLICY);
      unit_judged_release (&j);
    }
  unlink (path);
}

#define BASE                                                                                                           \
  "'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']"

static void
test_unknown_syscall_warns (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'},"
                 " {'names': ['write', 'no_such_call', 'exit', 'frobnicate'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/syscalls/1/names/1", ACTION_WARN, NULL);
  const struct scmp_version *ver = seccomp_version ();
  cleanup_free char *want = xasprintf (
      "seccomp profile names system calls libseccomp %u.%u.%u does not know (linux.seccomp.syscalls[1].names: "
      "\"no_such_call\", \"frobnicate\"); runc and crun skip them: check the spelling, or update libseccomp if they "
      "are new",
      ver->major, ver->minor, ver->micro);
  assert_string_equal (f->message, want);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  /* A warning under "fix" too; long lists are cut. */
  judge_seccomp (&j, "fix", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'], "
                 "'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}");
  assert_int_equal (j.v.n_findings, 1);
  f = find_at (&j.v, "/linux/seccomp/syscalls/0/names/0", ACTION_WARN, "\"a5\" and 2 more); runc and crun skip them");
  unit_judged_release (&j);
}

static void
test_bad_action (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'},"
                 " {'names': ['bpf'], 'action': 'SCMP_ACT_BOGUS'}, {'names': ['getpid']}]}");
  assert_int_equal (j.v.n_findings, 2);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/syscalls/1/action", ACTION_DENY, NULL);
  assert_string_equal (f->message,
                       "unknown seccomp action (linux.seccomp.syscalls[1].action=\"SCMP_ACT_BOGUS\"); use one of "
                       "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, "
                       "SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY");
  find_at (&j.v, "/linux/seccomp/syscalls/2", ACTION_DENY,
           "seccomp rule without an action (linux.seccomp.syscalls[2].action is absent");
  unit_judged_release (&j);

  /* The default action too; under "fix" it is a denial. */
  judge_seccomp (&j, "fix", NULL,
                 "{'defaultAction': 'SCMP_ACT_DENY', 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY,
           "unknown seccomp action (linux.seccomp.defaultAction=\"SCMP_ACT_DENY\")");
  unit_judged_release (&j);

  judge_seccomp (&j, "deny", NULL, "{'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp", ACTION_DENY, "seccomp profile has no default action");
  unit_judged_release (&j);

  /* Every action runc knows is accepted; SCMP_ACT_NOTIFY not for write. */
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'listenerPath': '/run/agent.sock', 'syscalls': ["
                 "{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}, {'names': ['getuid'], 'action': 'SCMP_ACT_KILL'},"
                 "{'names': ['getgid'], 'action': 'SCMP_ACT_KILL_THREAD'},"
                 "{'names': ['getpgrp'], 'action': 'SCMP_ACT_TRAP'},"
                 "{'names': ['getsid'], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 1},"
                 "{'names': ['uname'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 22}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  if (kernel_has_new_actions ())
    {
      judge_seccomp (&j, "deny", NULL,
                     "{" BASE ", 'listenerPath': '/run/agent.sock', 'syscalls': ["
                     "{'names': ['getpid'], 'action': 'SCMP_ACT_LOG'},"
                     "{'names': ['getppid'], 'action': 'SCMP_ACT_KILL_PROCESS'},"
                     "{'names': ['gettid'], 'action': 'SCMP_ACT_NOTIFY'}]}");
      assert_int_equal (j.v.n_findings, 0);
      unit_judged_release (&j);
    }

  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_NOTIFY'}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/syscalls/0/names/1", ACTION_DENY, "sends write(2) to a notify listener");
  unit_judged_release (&j);

  judge_seccomp (&j, "deny", NULL, "{'defaultAction': 'SCMP_ACT_NOTIFY'}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY, "which runc refuses as the default");
  unit_judged_release (&j);
}

static void
test_bad_operator (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': ["
                 "{'index': 0, 'value': 8, 'op': 'SCMP_CMP_EQ'}, {'index': 1, 'value': 1, 'op': 'SCMP_CMP_EQUAL'}]}]}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/syscalls/0/args/1/op", ACTION_DENY, NULL);
  assert_string_equal (f->message,
                       "unknown seccomp operator (linux.seccomp.syscalls[0].args[1].op=\"SCMP_CMP_EQUAL\"); "
                       "use one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, "
                       "SCMP_CMP_GT, SCMP_CMP_MASKED_EQ");
  unit_judged_release (&j);

  /* No operator, and an argument that does not exist. */
  judge_seccomp (&j, "warn", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': ["
                 "{'index': 0, 'value': 8}, {'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}");
  assert_int_equal (j.v.n_findings, 2);
  find_at (&j.v, "/linux/seccomp/syscalls/0/args/0", ACTION_WARN, "without an operator");
  find_at (&j.v, "/linux/seccomp/syscalls/0/args/1/index", ACTION_WARN,
           "seccomp argument index out of range (linux.seccomp.syscalls[0].args[1].index=6;");
  unit_judged_release (&j);

  /* Every operator, and two conditions on one argument (runc splits them). */
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': ["
                 "{'index': 0, 'value': 8, 'op': 'SCMP_CMP_NE'}, {'index': 1, 'value': 1, 'op': 'SCMP_CMP_LT'},"
                 "{'index': 2, 'value': 1, 'op': 'SCMP_CMP_LE'}, {'index': 3, 'value': 1, 'op': 'SCMP_CMP_GE'},"
                 "{'index': 4, 'value': 1, 'op': 'SCMP_CMP_GT'}, {'index': 5, 'value': 255, 'valueTwo': 1, 'op': "
                 "'SCMP_CMP_MASKED_EQ'}]},"
                 "{'names': ['socket'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 1, 'op': "
                 "'SCMP_CMP_EQ'}, {'index': 0, 'value': 2, 'op': 'SCMP_CMP_EQ'}]}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_architectures_flags (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", NULL,
                 "{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_VAX', "
                 "'x86', 'SCMP_ARCH_aarch64'], 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/architectures/1", ACTION_DENY, NULL);
  assert_string_equal (f->message, "unknown seccomp architecture (linux.seccomp.architectures[1]=\"SCMP_ARCH_VAX\", "
                                   "which libseccomp does not know); use SCMP_ARCH_ and a libseccomp name, as "
                                   "SCMP_ARCH_X86_64");
  unit_judged_release (&j);

  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'flags': ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', "
                 "'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_WHATEVER'], 'syscalls': [{'names': ['read'], "
                 "'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/flags/3", ACTION_DENY,
           "unknown seccomp flag (linux.seccomp.flags[3]=\"SECCOMP_FILTER_FLAG_WHATEVER\"");
  unit_judged_release (&j);
}

/* Allowed by the default action: both the default and the call. */
static void
test_default_allow (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", "'deny': ['mount', 'bpf']",
                 "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['bpf'], 'action': 'SCMP_ACT_ERRNO'}]}");
  assert_int_equal (j.v.n_findings, 2);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY, "allows every");
  assert_string_equal (f->message,
                       "seccomp profile allows every system call it does not list "
                       "(linux.seccomp.defaultAction=SCMP_ACT_ALLOW); make the default SCMP_ACT_ERRNO and list what "
                       "the container needs, or set rules.seccomp.allowDefaultAllow");
  f = find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY, "mount");
  assert_string_equal (f->message,
                       "seccomp profile allows mount unconditionally (linux.seccomp.defaultAction=SCMP_ACT_ALLOW, and "
                       "no rule restricts \"mount\"); add {\"names\": [\"mount\"], \"action\": \"SCMP_ACT_ERRNO\"} to "
                       "linux.seccomp.syscalls");
  unit_judged_release (&j);

  /* allowDefaultAllow: no finding for the default; the list still counts. */
  judge_seccomp (&j, "deny", "'allowDefaultAllow': true, 'deny': ['mount']",
                 "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mount'], 'action': 'SCMP_ACT_ERRNO'}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  if (kernel_has_new_actions ())
    {
      /* SCMP_ACT_LOG allows too. */
      judge_seccomp (&j, "deny", "'deny': ['mount']", "{'defaultAction': 'SCMP_ACT_LOG'}");
      assert_int_equal (j.v.n_findings, 2);
      find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY,
               "allows every system call it does not list (linux.seccomp.defaultAction=SCMP_ACT_LOG)");
      find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY, "allows mount unconditionally");
      unit_judged_release (&j);
    }

  judge_seccomp (&j, "deny", "'allowDefaultAllow': true, 'deny': ['mount']", "{'defaultAction': 'SCMP_ACT_ALLOW'}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY, "allows mount unconditionally");
  unit_judged_release (&j);

  /* A rule that allows what the default allows is skipped (runc does):
   * the default is to blame.  An errno rule with arguments restricts it. */
  judge_seccomp (&j, "deny", "'allowDefaultAllow': true, 'deny': ['mount', 'bpf']",
                 "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mount'], 'action': 'SCMP_ACT_ALLOW'},"
                 " {'names': ['bpf'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 0, 'op': "
                 "'SCMP_CMP_EQ'}]}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/defaultAction", ACTION_DENY, "allows mount unconditionally");
  unit_judged_release (&j);
}

static void
test_explicit_allow (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},"
                 " {'names': ['getpid', 'bpf'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/syscalls/1/names/1", ACTION_DENY, NULL);
  assert_string_equal (f->message,
                       "seccomp profile allows bpf unconditionally (linux.seccomp.syscalls[1]: names include \"bpf\", "
                       "action SCMP_ACT_ALLOW, no argument conditions); remove it or make it SCMP_ACT_ERRNO");
  unit_judged_release (&j);

  /* SCMP_ACT_LOG allows too. */
  if (kernel_has_new_actions ())
    {
      judge_seccomp (&j, "warn", NULL, "{" BASE ", 'syscalls': [{'names': ['kexec_load'], 'action': 'SCMP_ACT_LOG'}]}");
      assert_int_equal (j.v.n_findings, 1);
      find_at (&j.v, "/linux/seccomp/syscalls/0/names/0", ACTION_WARN, "allows kexec_load unconditionally");
      unit_judged_release (&j);
    }

  /* The first unconditional rule for a call wins in libseccomp. */
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['bpf'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38},"
                 " {'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW'},"
                 " {'names': ['bpf'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/syscalls/0/names/0", ACTION_DENY, "allows bpf unconditionally");
  unit_judged_release (&j);

  /* An unconditional allow replaces earlier conditional rules. */
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['bpf'], 'action': 'SCMP_ACT_KILL', 'args': [{'index': 0, "
                 "'value': 0, 'op': 'SCMP_CMP_EQ'}]}, {'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/syscalls/1/names/0", ACTION_DENY, "no argument conditions");
  unit_judged_release (&j);
}

static void
test_conditional_allow (void **state UNUSED)
{
  struct judged j;
  /* As Docker allows personality and clone. */
  judge_seccomp (&j, "deny", "'deny': ['personality', 'clone', 'bpf']",
                 "{" BASE ", 'syscalls': ["
                 "{'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 0, 'op': "
                 "'SCMP_CMP_EQ'}]},"
                 "{'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 4294967295, "
                 "'op': 'SCMP_CMP_EQ'}]},"
                 "{'names': ['clone'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 2114060288, "
                 "'valueTwo': 0, 'op': 'SCMP_CMP_MASKED_EQ'}]},"
                 "{'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 5, 'op': "
                 "'SCMP_CMP_LT'}, {'index': 1, 'value': 0, 'op': 'SCMP_CMP_NE'}]}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Conditions that match every call are no conditions. */
  judge_seccomp (&j, "deny", "'deny': ['bpf']",
                 "{" BASE ", 'syscalls': [{'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, "
                 "'value': 0, 'op': 'SCMP_CMP_GE'}]}]}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/syscalls/0/names/0", ACTION_DENY, NULL);
  assert_string_equal (f->message,
                       "seccomp profile allows bpf unconditionally (linux.seccomp.syscalls[0]: names include \"bpf\", "
                       "action SCMP_ACT_ALLOW, with argument conditions that, with the other rules for it, match "
                       "every call); narrow the conditions or make the rules SCMP_ACT_ERRNO");
  unit_judged_release (&j);

  /* Two halves that cover the whole range. */
  judge_seccomp (&j, "deny", "'deny': ['bpf']",
                 "{" BASE ", 'syscalls': [{'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, "
                 "'value': 5, 'op': 'SCMP_CMP_LT'}]}, {'names': ['bpf'], 'action': 'SCMP_ACT_ALLOW', 'args': "
                 "[{'index': 0, 'value': 5, 'op': 'SCMP_CMP_GE'}]}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/syscalls/0/names/0", ACTION_DENY, "with argument conditions");
  unit_judged_release (&j);
}

/* libseccomp refuses the second rule: same call and arguments, another
 * action.  runc would fail to start the container. */
static void
test_does_not_compile (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", NULL,
                 "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'},"
                 " {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 8, 'op': "
                 "'SCMP_CMP_EQ'}]},"
                 " {'names': ['getpid', 'personality'], 'action': 'SCMP_ACT_KILL', 'args': [{'index': 0, 'value': 8, "
                 "'op': 'SCMP_CMP_EQ'}]}]}");
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp/syscalls/2/names/1", ACTION_DENY, NULL);
  assert_string_equal (f->message, "seccomp profile does not compile (linux.seccomp.syscalls[2]: libseccomp refuses "
                                   "the rule for \"personality\": it conflicts with an earlier rule for the same call "
                                   "and arguments); fix the entry: runc and crun refuse the profile");
  unit_judged_release (&j);

  /* An empty name: runc refuses it. */
  judge_seccomp (&j, "deny", NULL, "{" BASE ", 'syscalls': [{'names': ['read', ''], 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp/syscalls/0/names/1", ACTION_DENY, "empty system call name");
  unit_judged_release (&j);
}

static char *
big_profile (size_t entries, size_t names, size_t args, size_t archs, bool same_index)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': [");
  for (size_t i = 0; i < archs; i++)
    strbuf_append (&sb, i ? ", 'SCMP_ARCH_X86_64'" : "'SCMP_ARCH_X86_64'");
  strbuf_append (&sb, "], 'syscalls': [");
  for (size_t i = 0; i < entries; i++)
    {
      strbuf_append (&sb, i ? ", {'names': [" : "{'names': [");
      for (size_t k = 0; k < names; k++)
        strbuf_append (&sb, k ? ", 'read'" : "'read'");
      strbuf_append (&sb, "], 'action': 'SCMP_ACT_ALLOW', 'args': [");
      for (size_t k = 0; k < args; k++)
        strbuf_appendf (&sb, "%s{'index': %zu, 'value': %zu, 'op': 'SCMP_CMP_EQ'}", k ? ", " : "",
                        same_index ? 0 : k % 6, k + 1);
      strbuf_append (&sb, "]}");
    }
  strbuf_append (&sb, "]}");
  return strbuf_steal (&sb);
}

static void
test_too_large (void **state UNUSED)
{
  struct
  {
    size_t entries, names, args, archs;
    bool same_index;
    const char *pointer, *what;
  } cases[] = {
    { 4097, 1, 0, 1, false, "/linux/seccomp/syscalls",
      "(linux.seccomp.syscalls has 4097 entries, more than the limit of 4096)" },
    { 1, 1025, 0, 1, false, "/linux/seccomp/syscalls/0/names",
      "(linux.seccomp.syscalls[0].names has 1025 entries, more than the limit of 1024)" },
    { 2, 1, 7, 1, false, "/linux/seccomp/syscalls/0/args",
      "(linux.seccomp.syscalls[0].args has 7 entries, more than the limit of 6)" },
    { 1, 1, 0, 65, false, "/linux/seccomp/architectures",
      "(linux.seccomp.architectures has 65 entries, more than the limit of 64)" },
    { 9, 1024, 0, 1, false, "/linux/seccomp/syscalls",
      "(linux.seccomp.syscalls makes more than 8192 libseccomp rules, one per name or per condition on a repeated "
      "argument (9216 by syscalls[8]))" },
    /* Two conditions on one argument: a rule per condition. */
    { 5, 1000, 2, 1, true, "/linux/seccomp/syscalls", "(10000 by syscalls[4])" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *prof
          = big_profile (cases[i].entries, cases[i].names, cases[i].args, cases[i].archs, cases[i].same_index);
      struct judged j;
      /* Not judged, so denied, even under "warn". */
      judge_seccomp (&j, "warn", NULL, prof);
      assert_int_equal (j.v.n_findings, 1);
      const struct finding *f = find_at (&j.v, cases[i].pointer, ACTION_DENY, cases[i].what);
      assert_contains (f->message, "seccomp profile too large (");
      assert_contains (f->message, "); ocigate does not judge profiles this large: shorten it");
      unit_judged_release (&j);
    }

  /* At the limits it is judged (and compiles). */
  static const size_t fits[][5] = { { 4096, 2, 6, 64, 0 }, { 8, 1024, 0, 1, 0 }, { 4, 1024, 2, 1, 1 } };
  for (size_t i = 0; i < ARRAY_SIZE (fits) && !slow (); i++)
    {
      cleanup_free char *prof = big_profile (fits[i][0], fits[i][1], fits[i][2], fits[i][3], fits[i][4]);
      struct judged j;
      judge_seccomp (&j, "deny", NULL, prof);
      assert_int_equal (j.v.n_findings, 0);
      unit_judged_release (&j);
    }
}

/* The names Docker's profile allows, for profiles of many rules. */
static json_object *
docker_names (json_object **root)
{
  cleanup_free char *buf = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (read_file_limited (FIXTURES "docker-default.json", OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0
      || json_parse_untrusted (buf, len, "docker-default.json", root, &err) < 0)
    fail_msg ("%s", err->msg);
  json_object *sys = json_get (json_get (json_get (*root, "linux"), "seccomp"), "syscalls");
  return json_get (json_object_array_get_idx (sys, 0), "names");
}

/* One errno per call on nine architectures: over the kernel's 4096
 * instructions, which runc and crun could not load. */
static void
test_too_long_for_kernel (void **state UNUSED)
{
  if (slow ())
    skip ();
  json_object *root = NULL;
  json_object *names = docker_names (&root);
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', "
                      "'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM', 'SCMP_ARCH_RISCV64', "
                      "'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL'], 'syscalls': [");
  size_t n = json_object_array_length (names);
  for (size_t i = 0; i < n; i++)
    strbuf_appendf (&sb, "%s{'names': ['%s'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': %zu}", i ? ", " : "",
                    json_object_get_string (json_object_array_get_idx (names, i)), i + 1);
  strbuf_append (&sb, "]}");
  json_object_put (root);
  struct judged j;
  judge_seccomp (&j, "warn", "'allowDefaultAllow': true, 'deny': []", sb.buf);
  strbuf_release (&sb);
  assert_int_equal (j.v.n_findings, 1);
  find_at (&j.v, "/linux/seccomp", ACTION_WARN, "seccomp profile is too long for the kernel (it compiles to ");
  assert_contains (j.v.findings[0].message, "BPF instructions, more than the kernel's limit of 4096, so runc and crun "
                                            "cannot load it); shorten it");
  unit_judged_release (&j);
}

/* libseccomp needs minutes for this (six conditions per rule, each
 * different): ocigate gives up after 5 seconds and denies. */
static void
test_too_complex (void **state UNUSED)
{
  static const char *const ops[]
      = { "SCMP_CMP_EQ", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE", "SCMP_CMP_GE" };
  json_object *root = NULL;
  json_object *names = docker_names (&root);
  size_t n = json_object_array_length (names);
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{" BASE ", 'syscalls': [");
  for (size_t i = 0; i < 256; i++)
    {
      strbuf_appendf (&sb, "%s{'names': ['%s', '%s'], 'action': '%s', 'args': [", i ? ", " : "",
                      json_object_get_string (json_object_array_get_idx (names, (2 * i) % n)),
                      json_object_get_string (json_object_array_get_idx (names, (2 * i + 1) % n)),
                      i % 2 ? "SCMP_ACT_ALLOW" : "SCMP_ACT_KILL");
      for (size_t k = 0; k < 6; k++)
        strbuf_appendf (&sb, "%s{'index': %zu, 'value': %zu, 'valueTwo': %zu, 'op': '%s'}", k ? ", " : "", k, i * 7 + k,
                        i, ops[k]);
      strbuf_append (&sb, "]}");
    }
  strbuf_append (&sb, "]}");
  json_object_put (root);
  struct judged j;
  judge_seccomp (&j, "warn", NULL, sb.buf);
  strbuf_release (&sb);
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = find_at (&j.v, "/linux/seccomp", ACTION_DENY, NULL);
  assert_string_equal (f->message, "seccomp profile too complex (libseccomp did not build it within 5 seconds, and "
                                   "runc, which builds it the same way, would take as long); ocigate does not judge "
                                   "it: simplify it");
  unit_judged_release (&j);
}

/* A wrong type is an input error naming the field and the value there;
 * the engine names the config and the rule once. */
static void
test_wrong_types (void **state UNUSED)
{
  struct
  {
    const char *seccomp;
    const char *want;
  } cases[] = {
    { "[]", "linux.seccomp: must be an object, not array []" },
    { "{'defaultAction': 7}", "linux.seccomp.defaultAction: must be a string, not int 7" },
    { "{" BASE ", 'syscalls': {}}", "linux.seccomp.syscalls: must be an array, not object {}" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}, 'read']}",
      "linux.seccomp.syscalls[1]: must be an object, not string \"read\"" },
    { "{" BASE ", 'syscalls': [{}, {}, {}, {'names': 'read', 'action': 'SCMP_ACT_ALLOW'}]}",
      "linux.seccomp.syscalls[3].names: must be an array of strings, not string \"read\"" },
    { "{" BASE ", 'syscalls': [{'names': ['read', 5], 'action': 'SCMP_ACT_ALLOW'}]}",
      "linux.seccomp.syscalls[0].names[1]: must be a string, not int 5 (linux.seccomp.syscalls[0].names must be an "
      "array of strings)" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}, {'names': ['read', 'write', "
      "'open', {'n': 'close'}], 'action': 'SCMP_ACT_ALLOW'}]}",
      "linux.seccomp.syscalls[1].names[3]: must be a string, not object {\"n\":\"close\"} "
      "(linux.seccomp.syscalls[1].names must be an array of strings)" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': ['SCMP_ACT_ALLOW']}]}",
      "linux.seccomp.syscalls[0].action: must be a string, not array [\"SCMP_ACT_ALLOW\"]" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': "
      "'8', 'op': 'SCMP_CMP_EQ'}]}]}",
      "linux.seccomp.syscalls[0].args[0].value: must be an integer, not string \"8\"" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': -1, 'op': "
      "'SCMP_CMP_EQ'}]}]}",
      "linux.seccomp.syscalls[0].args[0].index: -1 is out of range (0 to 4294967295)" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}, {'names': ['write'], 'action': "
      "'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'op': 'SCMP_CMP_EQ'}, {'index': '1', 'op': 'SCMP_CMP_EQ'}]}]}",
      "linux.seccomp.syscalls[1].args[1].index: must be an integer from 0 to 4294967295, not string \"1\"" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': 1, "
      "'valueTwo': -1, 'op': 'SCMP_CMP_MASKED_EQ'}]}]}",
      "linux.seccomp.syscalls[0].args[0].valueTwo: -1 is negative (an unsigned integer)" },
    /* json-c reads every number past 64 bits as 18446744073709551615, so
     * that one cannot be told from them (core/field.h). */
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'value': "
      "99999999999999999999, 'op': 'SCMP_CMP_EQ'}]}]}",
      "linux.seccomp.syscalls[0].args[0].value: 18446744073709551615 is out of range for a 64-bit integer" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, 'op': 3}]}]}",
      "linux.seccomp.syscalls[0].args[0].op: must be a string, not int 3" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': {}}]}",
      "linux.seccomp.syscalls[0].args: must be an array, not object {}" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': [7]}]}",
      "linux.seccomp.syscalls[0].args[0]: must be an object, not int 7" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1.5}]}",
      "linux.seccomp.syscalls[0].errnoRet: must be an integer from 0 to 4294967295, not double 1.5" },
    { "{" BASE ", 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 'EPERM'}]}",
      "linux.seccomp.syscalls[0].errnoRet: must be an integer from 0 to 4294967295, not string \"EPERM\"" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 4294967296}",
      "linux.seccomp.defaultErrnoRet: 4294967296 is out of range (0 to 4294967295)" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': true}",
      "linux.seccomp.defaultErrnoRet: must be an integer from 0 to 4294967295, not boolean true" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': 'SCMP_ARCH_X86_64'}",
      "linux.seccomp.architectures: must be an array of strings, not string \"SCMP_ARCH_X86_64\"" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['SCMP_ARCH_X86_64', null]}",
      "linux.seccomp.architectures[1]: must be a string, not null (linux.seccomp.architectures must be an array of "
      "strings)" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'flags': [1]}",
      "linux.seccomp.flags[0]: must be a string, not int 1 (linux.seccomp.flags must be an array of strings)" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'listenerPath': 1}",
      "linux.seccomp.listenerPath: must be a string, not int 1" },
    { "{'defaultAction': 'SCMP_ACT_ERRNO', 'listenerMetadata': {'a': 1}}",
      "linux.seccomp.listenerMetadata: must be a string, not object {\"a\":1}" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      enum ocigate_error_kind kind = OCIGATE_ERR_INTERNAL;
      cleanup_free char *msg = judge_error (NULL, cases[i].seccomp, &kind);
      cleanup_free char *want = xasprintf ("config.json: rule seccomp: %s", cases[i].want);
      assert_string_equal (msg, want);
      assert_int_equal (kind, OCIGATE_ERR_INPUT);
    }
}

/* null reads as absent inside the profile, as Go reads it. */
static void
test_nulls (void **state UNUSED)
{
  struct judged j;
  judge_seccomp (&j, "deny", NULL,
                 "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': null, 'architectures': null, 'flags': null,"
                 " 'syscalls': [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW', 'args': null, 'errnoRet': null},"
                 " {'names': null, 'action': 'SCMP_ACT_ALLOW'}]}");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_actions (void **state UNUSED)
{
  static const char *const sc = "{'defaultAction': 'SCMP_ACT_ALLOW'}";
  struct judged j;
  judge_seccomp (&j, "warn", "'deny': ['bpf']", sc);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 2);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  /* The default action that allows cannot be fixed; bpf, which it
   * allows, could be, but the decision is a refusal. */
  judge_seccomp (&j, "fix", "'deny': ['bpf']", sc);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_FIX), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  judge_seccomp (&j, "off", "'deny': ['bpf']", sc);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_policy_options (void **state UNUSED)
{
  struct
  {
    const char *rule;
    const char *want;
  } cases[] = {
    { "{'action': 'deny', 'profile': 'seccomp.json'}",
      "test-policy.json:1: rules.seccomp.profile: must be the absolute path of a seccomp profile (a string "
      "starting with /)" },
    { "{'action': 'deny', 'profile': 5}", "rules.seccomp.profile: must be the absolute path" },
    { "{'action': 'deny', 'allowDefaultAllow': 'yes'}", "rules.seccomp.allowDefaultAllow: must be true or false" },
    { "{'action': 'deny', 'deny': 'mount'}", "rules.seccomp.deny: must be an array of system call names" },
    { "{'action': 'deny', 'deny': ['mount', 'mount_everything']}",
      "rules.seccomp.deny[1]: unknown system call \"mount_everything\" (libseccomp does not know it; names are as in "
      "the manual, as kexec_load)" },
    { "{'action': 'deny', 'deny': ['mount', 3]}", "rules.seccomp.deny[1]: must be a system call name (string)" },
    { "{'action': 'deny', 'profiles': '/x'}",
      "rules.seccomp.profiles: unknown option (this rule takes: action, profile, allowDefaultAllow, deny)" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *p = xasprintf ("{'version': 1, 'rules': {'seccomp': %s}}", cases[i].rule);
      cleanup_free char *pj = dq (p);
      cleanup_free char *msg = unit_policy_error (pj);
      assert_contains (msg, cases[i].want);
    }

  /* The profile is not read when the policy loads. */
  cleanup_free char *ok = dq ("{'version': 1, 'rules': {'seccomp': {'action': 'fix', 'profile': '/nonexistent', "
                              "'deny': [], 'allowDefaultAllow': true}}}");
  struct policy *p = unit_policy (ok);
  policy_free (p);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_engine_defaults_pass),
    cmocka_unit_test (test_engine_capadd_sysadmin),
    cmocka_unit_test (test_capadd_config_words),
    cmocka_unit_test (test_engine_stricter_list),
    cmocka_unit_test (test_unconfined),
    cmocka_unit_test (test_fix_podman_profile),
    cmocka_unit_test (test_fix_other_engines),
    cmocka_unit_test (test_fix_translation),
    cmocka_unit_test (test_fix_profile_errors),
    cmocka_unit_test (test_fix_profile_wrong_types),
    cmocka_unit_test (test_unknown_syscall_warns),
    cmocka_unit_test (test_bad_action),
    cmocka_unit_test (test_bad_operator),
    cmocka_unit_test (test_architectures_flags),
    cmocka_unit_test (test_default_allow),
    cmocka_unit_test (test_explicit_allow),
    cmocka_unit_test (test_conditional_allow),
    cmocka_unit_test (test_does_not_compile),
    cmocka_unit_test (test_too_large),
    cmocka_unit_test (test_too_long_for_kernel),
    cmocka_unit_test (test_too_complex),
    cmocka_unit_test (test_wrong_types),
    cmocka_unit_test (test_nulls),
    cmocka_unit_test (test_fix_trims_with_capabilities),
    cmocka_unit_test (test_fix_trims_conditional),
    cmocka_unit_test (test_fix_trims_default_allow),
    cmocka_unit_test (test_actions),
    cmocka_unit_test (test_policy_options),
  };
  return cmocka_run_group_tests_name ("rule seccomp", tests, NULL, NULL);
}
