/* The wrapper's reading of runc's and crun's command line. */
#include "unit.h"

#include "cli/runc_args.h"

/* Parse a NULL-terminated argv; returns the error message or NULL. */
static char *
parse (struct runc_args *a, const char *const *argv)
{
  /* The parser keeps pointers into argv, so the copy lives on. */
  static char *copy[64];
  int argc = 0;
  for (; argv[argc] && argc < 63; argc++)
    {
      free (copy[argc]);
      copy[argc] = xstrdup (argv[argc]);
    }
  free (copy[argc]);
  copy[argc] = NULL;
  ocigate_error_t err = NULL;
  if (runc_args_parse (argc, copy, a, &err) == 0)
    return NULL;
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

#define ARGV(...) ((const char *const[]){ "ocigate-runc", __VA_ARGS__, NULL })

static void
test_docker_create (void **state UNUSED)
{
  struct runc_args a;
  assert_null (parse (&a, ARGV ("--root", "/run/docker/runtime-runc/moby", "--log", "/x/log.json", "--log-format",
                                "json", "create", "--bundle", "/b/ID", "--pid-file", "/b/ID/init.pid", "ID")));
  assert_string_equal (a.command, "create");
  assert_int_equal (a.command_index, 7);
  assert_string_equal (a.root, "/run/docker/runtime-runc/moby");
  assert_string_equal (a.log, "/x/log.json");
  assert_string_equal (a.log_format, "json");
  assert_string_equal (a.bundle, "/b/ID");
  assert_string_equal (a.id, "ID");
}

static void
test_bundle_forms (void **state UNUSED)
{
  struct runc_args a;
  assert_null (parse (&a, ARGV ("run", "--bundle=/one", "ID")));
  assert_string_equal (a.bundle, "/one");
  assert_null (parse (&a, ARGV ("run", "-b", "/one", "--bundle", "/two", "ID")));
  assert_string_equal (a.bundle, "/two"); /* the last one wins */
  assert_null (parse (&a, ARGV ("create", "ID")));
  assert_null (a.bundle); /* the current directory */
  /* A value that looks like a command is still a value. */
  assert_null (parse (&a, ARGV ("create", "--bundle", "create", "ID")));
  assert_string_equal (a.bundle, "create");
  assert_string_equal (a.id, "ID");
  /* crun reads options after the ID. */
  assert_null (parse (&a, ARGV ("create", "ID", "--bundle", "/late")));
  assert_string_equal (a.bundle, "/late");
  assert_null (parse (&a, ARGV ("create", "-f", "other.json", "ID")));
  assert_string_equal (a.config_file, "other.json");
}

static void
test_ambiguous_forms_refused (void **state UNUSED)
{
  struct runc_args a;
  /* runc and crun read these differently: refuse. */
  const char *const *const cases[] = {
    ARGV ("create", "-bundle", "/x", "ID"),  ARGV ("create", "-b=/x", "ID"),
    ARGV ("create", "-b/x", "ID"),           ARGV ("create", "--bun", "/x", "ID"),
    ARGV ("exec", "-process=/p.json", "ID"), ARGV ("-root", "/r", "create", "ID"),
    ARGV ("--frob", "create", "ID"),
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = parse (&a, cases[i]);
      if (msg == NULL)
        fail_msg ("case %zu parsed", i);
      assert_contains (msg, "ocigate refuses what it cannot read");
    }
}

static void
test_bad_shapes (void **state UNUSED)
{
  struct runc_args a;
  cleanup_free char *no_id = parse (&a, ARGV ("create", "--bundle", "/b"));
  assert_contains (no_id, "create without a container ID");
  cleanup_free char *no_value = parse (&a, ARGV ("create", "ID", "--bundle"));
  assert_contains (no_value, "option --bundle needs a value");
  cleanup_free char *two = parse (&a, ARGV ("run", "A", "B"));
  assert_contains (two, "run takes one container ID, got 2 arguments");
  cleanup_free char *flag_value = parse (&a, ARGV ("run", "--detach=yes", "ID"));
  assert_contains (flag_value, "takes no value");
}

static void
test_exec (void **state UNUSED)
{
  struct runc_args a;
  assert_null (
      parse (&a, ARGV ("--root", "/r", "exec", "--process", "/p.json", "--detach", "--pid-file", "/pid", "ID")));
  assert_string_equal (a.process_file, "/p.json");
  assert_string_equal (a.id, "ID");
  assert_null (parse (&a, ARGV ("exec", "-u", "0:0", "-g", "10", "--additional-gids=11", "--cap", "CAP_SYS_ADMIN", "-c",
                                "CAP_NET_RAW", "ID", "sh", "-c", "--user 1000")));
  assert_string_equal (a.user, "0:0");
  assert_int_equal (a.n_gids, 2);
  assert_string_equal (a.gids[1], "11");
  assert_int_equal (a.n_caps, 2);
  assert_string_equal (a.caps[1], "CAP_NET_RAW");
  /* what follows the ID is the command, never options */
  assert_string_equal (a.user, "0:0");
}

static void
test_update (void **state UNUSED)
{
  struct runc_args a;
  /* containerd's UpdateTask (docker update): the resources on stdin */
  assert_null (parse (
      &a, ARGV ("--root", "/r", "--log", "/l.json", "--log-format", "json", "update", "--resources", "-", "ID")));
  assert_true (runc_command_is_judged (a.command));
  assert_string_equal (a.resources_file, "-");
  assert_int_equal (a.resources_index, 9);
  assert_string_equal (a.id, "ID");
  assert_null (parse (&a, ARGV ("update", "--resources=/u.json", "ID")));
  assert_string_equal (a.resources_file, "/u.json");
  assert_int_equal (a.resources_index, 2);
  assert_null (parse (&a, ARGV ("update", "-r", "/a.json", "-r", "/b.json", "ID")));
  assert_string_equal (a.resources_file, "/b.json"); /* the last one wins */
  assert_int_equal (a.resources_index, 5);
  assert_null (parse (
      &a, ARGV ("update", "--memory", "-1", "--pids-limit=-1", "--cpu-share", "512", "--memory-swap", "-1", "ID")));
  assert_null (a.resources_file);
  assert_string_equal (a.update_memory, "-1");
  assert_string_equal (a.update_pids, "-1");
  /* crun reads options after the ID */
  assert_null (parse (&a, ARGV ("update", "ID", "--pids-limit", "-1")));
  assert_string_equal (a.update_pids, "-1");

  const struct
  {
    const char *const *argv;
    const char *want;
  } bad[] = {
    { ARGV ("update", "--pids", "-1", "ID"), "unknown option --pids for update" }, /* argp would take the prefix */
    { ARGV ("update", "-pids-limit=-1", "ID"), "unknown option -pids-limit=-1 for update" },
    { ARGV ("update", "--pids-limit"), "option --pids-limit needs a value" },
    { ARGV ("update", "--memory", "1g"), "update without a container ID" },
    { ARGV ("update", "A", "B"), "update takes one container ID, got 2 arguments" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      cleanup_free char *msg = parse (&a, bad[i].argv);
      assert_non_null (msg);
      assert_contains (msg, bad[i].want);
    }
}

static void
test_pass_through (void **state UNUSED)
{
  struct runc_args a;
  const char *const *const cases[] = {
    ARGV ("--version"),
    ARGV ("-v"),
    ARGV ("features"),
    ARGV ("--root", "/r", "state", "ID"),
    ARGV ("kill", "ID", "KILL"),
    ARGV ("--newflag", "delete", "ID"),
    ARGV ("delete", "--force", "ID"),
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *msg = parse (&a, cases[i]);
      if (msg)
        fail_msg ("case %zu: %s", i, msg);
      assert_false (runc_command_is_judged (a.command));
    }
  assert_null (parse (&a, ARGV ("--root", "/r", "state", "ID")));
  assert_string_equal (a.command, "state");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_docker_create),
    cmocka_unit_test (test_bundle_forms),
    cmocka_unit_test (test_ambiguous_forms_refused),
    cmocka_unit_test (test_bad_shapes),
    cmocka_unit_test (test_exec),
    cmocka_unit_test (test_update),
    cmocka_unit_test (test_pass_through),
  };
  return cmocka_run_group_tests_name ("runc_args", tests, NULL, NULL);
}
