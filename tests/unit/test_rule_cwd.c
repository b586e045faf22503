/* Unit tests for the "processCwd" rule: process.cwd is absolute and not in
 * /proc or another proc file system the config mounts (CVE-2024-21626),
 * judged lexically after "//", "." and "..".
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <dirent.h>

#include "unit.h"

#define RULE "processCwd"
#define POLICY(action) "{'version': 1, 'rules': {'processCwd': {'action': '" action "'}}}"
#define DENY POLICY ("deny")
#define HOW "set process.cwd to a directory of the container (docker run -w, podman run --workdir, runc exec --cwd)"
#define MSG_PROC(cwd_and_note)                                                                                         \
  "working directory is in /proc, whose magic links can lead out of the container (process.cwd=" cwd_and_note          \
  ", CVE-2024-21626); " HOW

/* A config whose process.cwd is the JSON text `cwd` (NULL: no cwd) and
 * whose mounts are the JSON array text `mounts` (NULL: none); both with '
 * for ". */
static char *
config_with (const char *cwd, const char *mounts)
{
  cleanup_free char *raw
      = xasprintf ("{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, "
                   "'args': ['sh']%s%s}, 'root': {'path': 'rootfs'}%s%s}",
                   cwd ? ", 'cwd': " : "", cwd ? cwd : "", mounts ? ", 'mounts': " : "", mounts ? mounts : "");
  return dq (raw);
}

/* The same with process.cwd the string `cwd`, quoted as JSON. */
static char *
config_cwd (const char *cwd, const char *mounts)
{
  cleanup_json json_object *s = json_object_new_string (cwd);
  cleanup_free char *quoted = xstrdup (json_object_to_json_string (s));
  /* dq() would turn a ' of the path into a "; no path here has one. */
  assert_null (strchr (cwd, '\''));
  return config_with (quoted, mounts);
}

static void
judge (struct judged *j, const char *policy, const char *config)
{
  cleanup_free char *p = dq (policy);
  unit_judge (j, p, config);
}

/* The one finding of a judged config: deny, at /process/cwd. */
static const struct finding *
only_finding (const struct judged *j)
{
  if (j->v.n_findings != 1)
    fail_msg ("%zu findings, want 1", j->v.n_findings);
  const struct finding *f = &j->v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "/process/cwd");
  return f;
}

/* Every way into /proc is refused, and the message names the cwd as
 * written and, when it differs, as normalised. */
static void
test_proc (void **state UNUSED)
{
  static const struct
  {
    const char *cwd, *shown;
  } cases[] = {
    { "/proc/self/fd/7", "/proc/self/fd/7" },
    { "/proc/thread-self/fd/7", "/proc/thread-self/fd/7" },
    { "/proc/1/fd/7", "/proc/1/fd/7" },
    { "/proc/4194304/fd/8", "/proc/4194304/fd/8" },
    { "/proc/self/fdinfo/7", "/proc/self/fdinfo/7" },
    { "/proc/self/cwd", "/proc/self/cwd" },
    { "/proc/self/root", "/proc/self/root" },
    { "/proc/1/root/etc", "/proc/1/root/etc" },
    { "/proc/self/map_files", "/proc/self/map_files" },
    { "/proc/self/task/1/fd/7", "/proc/self/task/1/fd/7" },
    { "/proc", "/proc" },
    { "/proc/", "/proc/, normalised /proc" },
    { "/proc/self/fd/7/", "/proc/self/fd/7/, normalised /proc/self/fd/7" },
    { "//proc//self/fd/7", "//proc//self/fd/7, normalised /proc/self/fd/7" },
    { "/proc/./self/fd/7", "/proc/./self/fd/7, normalised /proc/self/fd/7" },
    { "/proc/1/../self/fd/7", "/proc/1/../self/fd/7, normalised /proc/self/fd/7" },
    { "/./proc/self/fd/7", "/./proc/self/fd/7, normalised /proc/self/fd/7" },
    { "/../proc/self/fd/7", "/../proc/self/fd/7, normalised /proc/self/fd/7" },
    { "/tmp/../proc/self/fd/7", "/tmp/../proc/self/fd/7, normalised /proc/self/fd/7" },
    { "/proc/self/fd/7/../..", "/proc/self/fd/7/../.., normalised /proc/self" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *c = config_cwd (cases[i].cwd, NULL);
      cleanup_free char *want = xasprintf ("working directory is in /proc, whose magic links can lead out of the "
                                           "container (process.cwd=%s, CVE-2024-21626); " HOW,
                                           cases[i].shown);
      struct judged j;
      judge (&j, DENY, c);
      assert_string_equal (only_finding (&j)->message, want);
      assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
      unit_judged_release (&j);
    }
  /* The message of the CVE's own spelling, whole. */
  struct judged j;
  cleanup_free char *c = config_cwd ("/proc/self/fd/7", NULL);
  judge (&j, DENY, c);
  assert_string_equal (only_finding (&j)->message, MSG_PROC ("/proc/self/fd/7"));
  unit_judged_release (&j);
}

/* Directories of the container pass, whatever they are called, and so
 * does what only looks like /proc until normalised. */
static void
test_container_dirs (void **state UNUSED)
{
  static const char *const cwds[] = {
    "/",
    "/work",
    "/root",
    "/procfs",
    "/proc-data",
    "/procx/self/fd/7",
    "/home/proc",
    "/sys",
    "/sys/fs/cgroup",
    "/tmp/proc/self/fd/7",
    "/proc/../tmp",
    "/proc/self/../../srv",
    "//",
    "/./",
    "/var/lib/proc",
    "/dev",
  };
  for (size_t i = 0; i < ARRAY_SIZE (cwds); i++)
    {
      cleanup_free char *c = config_cwd (cwds[i], NULL);
      struct judged j;
      judge (&j, DENY, c);
      if (j.v.n_findings)
        fail_msg ("%s: %s", cwds[i], j.v.findings[0].message);
      assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
      unit_judged_release (&j);
    }
}

/* A cwd that is not absolute, or none at all, is refused: the
 * runtime-spec requires an absolute path, and runc refuses any other. */
static void
test_not_absolute (void **state UNUSED)
{
  static const char *const relative[]
      = { "work", "proc/self/fd/7", "./proc/self/fd/7", "../proc/self/fd/7", ".", " /work" };
  for (size_t i = 0; i < ARRAY_SIZE (relative); i++)
    {
      cleanup_free char *c = config_cwd (relative[i], NULL);
      cleanup_free char *want
          = xasprintf ("working directory is not an absolute path (process.cwd=%s, which the runtime-spec requires "
                       "to be absolute: where a relative one leads depends on the runtime); " HOW,
                       relative[i]);
      struct judged j;
      judge (&j, DENY, c);
      assert_string_equal (only_finding (&j)->message, want);
      unit_judged_release (&j);
    }

  static const struct
  {
    const char *json, *said;
  } unset[] = { { "''", "empty" }, { "null", "null" }, { NULL, "absent" } };
  for (size_t i = 0; i < ARRAY_SIZE (unset); i++)
    {
      cleanup_free char *c = config_with (unset[i].json, NULL);
      cleanup_free char *want = xasprintf ("working directory is not set (process.cwd is %s, and the runtime-spec "
                                           "requires an absolute path); " HOW,
                                           unset[i].said);
      struct judged j;
      judge (&j, DENY, c);
      assert_string_equal (only_finding (&j)->message, want);
      unit_judged_release (&j);
    }
}

/* A proc file system mounted elsewhere, or the host's /proc bound there,
 * is /proc by another name. */
static void
test_proc_mounts (void **state UNUSED)
{
  static const struct
  {
    const char *cwd, *mounts, *want; /* want: NULL for no finding */
  } cases[] = {
    { "/p/self/fd/7", "[{'destination': '/p', 'type': 'proc', 'source': 'proc'}]",
      "(process.cwd=/p/self/fd/7, mounts[0] mounts a proc file system at /p, CVE-2024-21626)" },
    { "/p", "[{'destination': '/tmp', 'type': 'tmpfs'}, {'destination': '/p/', 'type': 'proc'}]",
      "(process.cwd=/p, mounts[1] mounts a proc file system at /p, CVE-2024-21626)" },
    { "/x/./self/fd/7", "[{'destination': '//x', 'type': 'proc', 'source': 'proc'}]",
      "(process.cwd=/x/./self/fd/7, normalised /x/self/fd/7, mounts[0] mounts a proc file system at /x, "
      "CVE-2024-21626)" },
    { "/hp/1/root", "[{'destination': '/hp', 'type': 'bind', 'source': '/proc', 'options': ['rbind']}]",
      "(process.cwd=/hp/1/root, mounts[0] mounts host path /proc at /hp, CVE-2024-21626)" },
    { "/hp/fd/7", "[{'destination': '/hp', 'type': 'none', 'source': '/run/../proc/self', 'options': ['bind']}]",
      "(process.cwd=/hp/fd/7, mounts[0] mounts host path /proc/self at /hp, CVE-2024-21626)" },
    /* not a proc file system, or not where the cwd is */
    { "/s/kernel", "[{'destination': '/s', 'type': 'sysfs', 'source': 'sysfs'}]", NULL },
    { "/m/fd", "[{'destination': '/m', 'type': 'bind', 'source': '/procx', 'options': ['rbind']}]", NULL },
    { "/m/fd", "[{'destination': '/m', 'type': 'bind', 'source': '/srv/proc', 'options': ['rbind']}]", NULL },
    { "/work", "[{'destination': '/p', 'type': 'proc', 'source': 'proc'}]", NULL },
    { "/pp", "[{'destination': '/p', 'type': 'proc', 'source': 'proc'}]", NULL },
    { "/", "[{'destination': '/proc', 'type': 'proc', 'source': 'proc'}]", NULL },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *c = config_cwd (cases[i].cwd, cases[i].mounts);
      struct judged j;
      judge (&j, DENY, c);
      if (cases[i].want == NULL)
        {
          if (j.v.n_findings)
            fail_msg ("%s: %s", cases[i].cwd, j.v.findings[0].message);
        }
      else
        {
          const struct finding *f = only_finding (&j);
          assert_contains (f->message, "working directory is in a proc file system, whose magic links can lead out "
                                       "of the container ");
          assert_contains (f->message, cases[i].want);
          assert_contains (f->message, "); " HOW);
        }
      unit_judged_release (&j);
    }
}

static void
test_actions (void **state UNUSED)
{
  cleanup_free char *c = config_cwd ("/proc/self/fd/7", NULL);
  struct judged j;
  judge (&j, POLICY ("warn"), c);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge (&j, POLICY ("off"), c);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Off, the rule reads nothing: a cwd of the wrong type is not its error. */
  cleanup_free char *bad = config_with ("7", NULL);
  judge (&j, POLICY ("off"), bad);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_wrong_type (void **state UNUSED)
{
  static const struct
  {
    const char *cwd, *mounts, *want;
  } cases[] = {
    { "7", NULL, "config.json: rule processCwd: process.cwd: must be a string, not int 7" },
    { "true", NULL, "config.json: rule processCwd: process.cwd: must be a string, not boolean true" },
    { "['/proc/self/fd/7']", NULL,
      "config.json: rule processCwd: process.cwd: must be a string, not array [\"/proc/self/fd/7\"]" },
    { "{'path': '/'}", NULL,
      "config.json: rule processCwd: process.cwd: must be a string, not object {\"path\":\"/\"}" },
    /* the mounts it reads to find a proc file system elsewhere */
    { "'/work'", "{'destination': '/p'}", "config.json: rule processCwd: mounts: must be an array, not object" },
    { "'/work'", "[7]", "config.json: rule processCwd: mounts[0]: must be an object, not int 7" },
    { "'/work'", "[{'type': 'proc'}]", "config.json: rule processCwd: mounts[0].destination: missing" },
    { "'/work'", "[{'destination': 5, 'type': 'proc'}]",
      "config.json: rule processCwd: mounts[0].destination: must be a string, not int 5" },
    { "'/work'", "[{'destination': '/p', 'type': ['proc']}]",
      "config.json: rule processCwd: mounts[0].type: must be a string, not array [\"proc\"]" },
    { "'/work'", "[{'destination': '/p', 'type': 'bind', 'source': 1}]",
      "config.json: rule processCwd: mounts[0].source: must be a string, not int 1" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *c = config_with (cases[i].cwd, cases[i].mounts);
      enum ocigate_error_kind kind;
      cleanup_free char *msg = unit_judge_error_q (DENY, c, &kind);
      assert_contains (msg, cases[i].want);
      assert_int_equal (kind, OCIGATE_ERR_INPUT);
    }
}

static void
test_policy (void **state UNUSED)
{
  cleanup_free char *fix = dq (POLICY ("fix"));
  cleanup_free char *msg = unit_policy_error (fix);
  assert_contains (msg, "\"fix\" is not an action of this rule");
  cleanup_free char *opt = dq ("{'version': 1, 'rules': {'processCwd': {'action': 'deny', 'allow': ['/proc']}}}");
  cleanup_free char *msg2 = unit_policy_error (opt);
  assert_contains (msg2, "rules.processCwd.allow: unknown option (this rule takes only \"action\")");
  const struct rule *r = rule_find (RULE);
  assert_non_null (r);
  assert_null (r->default_options);
  assert_null (r->apply);
  assert_false (r->disarm_refused);
}

/* No config a real engine wrote has such a cwd: every fixture passes. */
static void
test_fixtures (void **state UNUSED)
{
  DIR *d = opendir ("tests/fixtures");
  assert_non_null (d);
  size_t judged = 0;
  struct dirent *e;
  while ((e = readdir (d)) != NULL)
    {
      size_t len = strlen (e->d_name);
      if (len < 5 || strcmp (e->d_name + len - 5, ".json") != 0)
        continue;
      cleanup_free char *path = xasprintf ("tests/fixtures/%s", e->d_name);
      struct judged j;
      unit_judge_file (&j, DENY, path);
      if (j.v.n_findings)
        fail_msg ("%s: %s", path, j.v.findings[0].message);
      unit_judged_release (&j);
      judged++;
    }
  closedir (d);
  assert_true (judged >= 50);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_proc),        cmocka_unit_test (test_container_dirs), cmocka_unit_test (test_not_absolute),
    cmocka_unit_test (test_proc_mounts), cmocka_unit_test (test_actions),        cmocka_unit_test (test_wrong_type),
    cmocka_unit_test (test_policy),      cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule processCwd", tests, NULL, NULL);
}
