/* Unit tests for core/runstate.c (runc's state.json, crun's status) and
 * the per-process readers of core/live.c (/proc/PID/status, cmdline,
 * stat): real files captured by tests/unit/data/runstate/capture.sh, and
 * input that is cut short, too large or of the wrong types, which must be
 * a clear error, never a crash.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#include <unistd.h>

#include "base/jsonio.h"
#include "core/live.h"
#include "core/runstate.h"

#define DATA UNIT_FIXTURES "/runstate"

static char *
slurp (const char *path, size_t *len)
{
  char *buf = NULL;
  ocigate_error_t err = NULL;
  if (read_file_limited (path, RUNSTATE_MAX_BYTES, &buf, len, &err) < 0)
    fail_msg ("%s", err->msg);
  return buf;
}

static void
test_runc_captured (void **state UNUSED)
{
  cleanup_run_state struct run_state s = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (run_state_read (RUN_RUNC, DATA "/runc-captured", &s, &err), -1);
  ocigate_error_free (&err);
  size_t len = 0;
  cleanup_free char *text = slurp (DATA "/runc-state.json", &len);
  assert_int_equal (run_state_parse (RUN_RUNC, text, len, "state.json", &s, &err), 0);
  assert_string_equal (s.id, "c2");
  assert_int_equal (s.pid, 30866);
  assert_int_equal (s.start_time, 2577903);
  assert_string_equal (s.bundle, "/tmp/aud/b");
  assert_string_equal (s.created, "2026-12-07T22:29:30.216435984Z");
}

static void
test_crun_captured (void **state UNUSED)
{
  cleanup_run_state struct run_state s = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  size_t len = 0;
  cleanup_free char *text = slurp (DATA "/crun-status", &len);
  assert_int_equal (run_state_parse (RUN_CRUN, text, len, "status", &s, &err), 0);
  assert_null (s.id);
  assert_int_equal (s.pid, 32015);
  assert_int_equal (s.start_time, 2578138);
  assert_string_equal (s.bundle, "/tmp/aud/b");
  assert_non_null (s.created);
}

/* Each bad input is an input error whose message holds `want`. */
static void
bad (enum run_runtime rt, const char *text, size_t len, const char *want)
{
  cleanup_run_state struct run_state s = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  if (run_state_parse (rt, text, len, "st", &s, &err) != -1)
    fail_msg ("accepted: %.*s", (int)len, text);
  assert_non_null (err);
  if (strstr (err->msg, want) == NULL)
    fail_msg ("\"%s\" does not say \"%s\"", err->msg, want);
}

static void
test_truncated (void **state UNUSED)
{
  size_t len = 0;
  /* Cut before the closing brace: whatever is left is not a document. */
  cleanup_free char *runc = slurp (DATA "/runc-state.json", &len);
  len = (size_t)(strrchr (runc, '}') - runc);
  for (size_t cut = 0; cut < len; cut += 97)
    bad (RUN_RUNC, runc, cut, "st");
  cleanup_free char *crun = slurp (DATA "/crun-status", &len);
  len = (size_t)(strrchr (crun, '}') - crun);
  for (size_t cut = 0; cut < len; cut += 7)
    bad (RUN_CRUN, crun, cut, "st");
}

static void
test_wrong_types (void **state UNUSED)
{
  bad (RUN_RUNC, "[]", 2, "must be an object");
  bad (RUN_RUNC, "null", 4, "must be an object");
  bad (RUN_RUNC, "{\"id\":\"a\"}", 10, "\"init_process_pid\": missing");
  const char *cases[][2] = {
    { "{\"id\":\"a\",\"init_process_pid\":\"1\"}", "must be an integer, not string" },
    { "{\"id\":\"a\",\"init_process_pid\":0}", "must be from 1 to" },
    { "{\"id\":\"a\",\"init_process_pid\":-5}", "must be from 1 to" },
    { "{\"id\":\"a\",\"init_process_pid\":99999999999999999999}", "init_process_pid" },
    { "{\"id\":\"a\",\"init_process_pid\":1.5}", "must be an integer, not double" },
    { "{\"id\":7,\"init_process_pid\":1}", "\"id\": must be a string, not int" },
    { "{\"init_process_pid\":1}", "\"id\": missing" },
    { "{\"id\":\"a\",\"init_process_pid\":1,\"init_process_start\":-1}", "init_process_start" },
    { "{\"id\":\"a\",\"init_process_pid\":1,\"config\":[]}", "\"config\": must be an object" },
    { "{\"id\":\"a\",\"init_process_pid\":1,\"config\":{\"labels\":{}}}", "\"config.labels\": must be an array" },
    { "{\"id\":\"a\",\"init_process_pid\":1,\"config\":{\"labels\":[1]}}", "\"config.labels[0]\": must be a string" },
    { "{\"id\":\"a\",\"init_process_pid\":1,\"config\":{\"labels\":[\"bundle=rel\"]}}", "absolute path" },
    { "{\"id\":\"a\",\"init_process_pid\":1,\"id\":\"b\"}", "st" },
    { "{\"id\":\"a\",\"init_process_pid\":1,\"created\":false}", "\"created\": must be a string" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    bad (RUN_RUNC, cases[i][0], strlen (cases[i][0]), cases[i][1]);
  const char *crun_cases[][2] = {
    { "{\"pid\":1}", "\"bundle\": missing" },
    { "{\"pid\":1,\"bundle\":[]}", "\"bundle\": must be a string" },
    { "{\"bundle\":\"/b\"}", "\"pid\": missing" },
    { "{\"pid\":true,\"bundle\":\"/b\"}", "must be an integer" },
    { "{\"pid\":1,\"bundle\":\"/b\",\"process-start-time\":\"x\"}", "process-start-time" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (crun_cases); i++)
    bad (RUN_CRUN, crun_cases[i][0], strlen (crun_cases[i][0]), crun_cases[i][1]);
}

/* A runc state's bundle is the last "bundle=" label: runc appends its own. */
static void
test_runc_bundle_label (void **state UNUSED)
{
  const char *text = "{\"id\":\"a\",\"init_process_pid\":4,\"config\":{\"labels\":[\"bundle=/fake\",\"x=y\","
                     "\"bundle=/real\"]}}";
  cleanup_run_state struct run_state s = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (run_state_parse (RUN_RUNC, text, strlen (text), "st", &s, &err), 0);
  assert_string_equal (s.bundle, "/real");
  assert_int_equal (s.start_time, 0);
}

/* Deeper than the depth limit, and more values than the count limit. */
static void
test_huge (void **state UNUSED)
{
  size_t depth = OCIGATE_MAX_JSON_DEPTH + 10;
  cleanup_free char *deep = xmalloc (2 * depth + 1);
  memset (deep, '[', depth);
  memset (deep + depth, ']', depth);
  deep[2 * depth] = '\0';
  bad (RUN_RUNC, deep, 2 * depth, "st");
  cleanup_strbuf struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"id\":\"a\",\"init_process_pid\":1,\"config\":{\"labels\":[");
  for (int i = 0; i < 5000; i++)
    strbuf_append (&sb, i ? ",\"l\"" : "\"l\"");
  strbuf_append (&sb, "]}}");
  bad (RUN_RUNC, sb.buf, sb.len, "more than 4096 entries");
}

static void
test_status_captured (void **state UNUSED)
{
  size_t len = 0;
  cleanup_free char *text = slurp (DATA "/proc-status-exec-root", &len);
  cleanup_live_creds struct live_creds c = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (live_status_parse (text, len, "status", &c, &err), 0);
  assert_int_equal (c.uid[1], 0);
  assert_int_equal (c.gid[0], 1000);
  assert_int_equal (c.n_groups, 0);
  assert_true (c.caps[CAPSET_EFFECTIVE] & CAPMASK (21)); /* CAP_SYS_ADMIN */
  assert_int_equal (c.caps[CAPSET_AMBIENT], 0);
  assert_int_equal (c.no_new_privs, 1);
  assert_int_equal (c.seccomp, LIVE_SECCOMP_OFF);
}

static void
bad_status (const char *text, const char *want)
{
  cleanup_live_creds struct live_creds c = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (live_status_parse (text, strlen (text), "status", &c, &err), -1);
  if (strstr (err->msg, want) == NULL)
    fail_msg ("\"%s\" does not say \"%s\"", err->msg, want);
}

#define CAPS "CapInh:\t0\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n"

static void
test_status_bad (void **state UNUSED)
{
  bad_status ("", "no Uid");
  bad_status ("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n", "no Uid");
  bad_status ("Uid:\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n" CAPS, "\"Uid\" cannot be read");
  bad_status ("Uid:\t0\t0\t0\t4294967296\nGid:\t0\t0\t0\t0\nGroups:\n" CAPS, "\"Uid\"");
  bad_status ("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t-1\nGroups:\n" CAPS, "\"Gid\"");
  bad_status ("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\t1 x\n" CAPS, "\"Groups\"");
  bad_status ("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n" CAPS "CapEff:\t00000000000000000\n", "\"CapEff\"");
  bad_status ("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n" CAPS "Seccomp:\t3\n", "\"Seccomp\"");
  bad_status ("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nGroups:\n" CAPS "NoNewPrivs:\t\n", "\"NoNewPrivs\"");
  /* Cut anywhere, the captured file is an error or parses, never a crash. */
  size_t len = 0;
  cleanup_free char *text = slurp (DATA "/proc-status-exec-root", &len);
  for (size_t cut = 0; cut < len; cut++)
    {
      cleanup_live_creds struct live_creds c = { 0 };
      cleanup_error ocigate_error_t err = NULL;
      int r = live_status_parse (text, cut, "status", &c, &err);
      assert_true (r == 0 || (r == -1 && err != NULL));
    }
}

/* This test's own process: its command line, start time and creds. */
static void
test_self (void **state UNUSED)
{
  cleanup_host_info struct host_info host;
  host_info_init (&host);
  cleanup_live_process struct live_process lp;
  live_process_init (&lp, &host, getpid ());
  cleanup_free char *cmd = live_process_cmdline (&lp);
  assert_non_null (strstr (cmd, "test_runstate"));
  uint64_t start = 0;
  assert_int_equal (live_process_start_time (&lp, &start), 0);
  assert_true (start > 0);
  cleanup_live_creds struct live_creds c = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  assert_int_equal (live_process_creds (&lp, &c, &err), 0);
  assert_int_equal (c.uid[1], geteuid ());
  ino_t ino = 0;
  assert_int_equal (live_ns_inode (&lp, NS_PID, &ino), 0);
  live_process_init (&lp, &host, 0x7ffffff0);
  cleanup_free char *none = live_process_cmdline (&lp);
  assert_string_equal (none, "");
  assert_int_equal (live_process_start_time (&lp, &start), -1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_runc_captured),
    cmocka_unit_test (test_crun_captured),
    cmocka_unit_test (test_truncated),
    cmocka_unit_test (test_wrong_types),
    cmocka_unit_test (test_runc_bundle_label),
    cmocka_unit_test (test_huge),
    cmocka_unit_test (test_status_captured),
    cmocka_unit_test (test_status_bad),
    cmocka_unit_test (test_self),
  };
  return cmocka_run_group_tests_name ("runstate", tests, NULL, NULL);
}
