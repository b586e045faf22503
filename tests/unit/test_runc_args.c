/* The wrapper's reading of runc's and crun's command line. */
#define _GNU_SOURCE
#include "unit.h"

#include <fcntl.h>
#include <unistd.h>

#include "cli/runc_args.h"
#include "cli/runc_input.h"

/* Parse a NULL-terminated argv as `rt` reads it; returns the error message
 * or NULL. */
static char *
parse_rt (enum runc_runtime rt, struct runc_args *a, const char *const *argv)
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
  if (runc_args_parse (rt, argc, copy, a, &err) == 0)
    return NULL;
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

static char *
parse (struct runc_args *a, const char *const *argv)
{
  return parse_rt (RUNC_RUNTIME_RUNC, a, argv);
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
  assert_null (parse_rt (RUNC_RUNTIME_CRUN, &a, ARGV ("create", "-f", "other.json", "ID")));
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
  assert_string_equal (a.update_cpu_share, "512");
  assert_null (a.update_cpu_quota);
  /* crun reads options after the ID */
  assert_null (parse (&a, ARGV ("update", "ID", "--pids-limit", "-1")));
  assert_string_equal (a.update_pids, "-1");

  /* The CPU flags become the update's cpu object: a quota only when it
   * lifts one, a share (runc's; crun reads its flag under a key it does
   * not use) only when it is one. */
  const struct
  {
    enum runc_runtime rt;
    const char *const *argv;
    const char *want;
  } cpu[] = {
    { RUNC_RUNTIME_RUNC, ARGV ("update", "--cpu-quota", "-1", "ID"), "{\"cpu\":{\"quota\":-1}}" },
    { RUNC_RUNTIME_RUNC, ARGV ("update", "--cpu-quota=50000", "--cpu-period", "100000", "ID"), "{}" },
    { RUNC_RUNTIME_RUNC, ARGV ("update", "--cpu-quota", "-1", "--cpu-share", "512", "--pids-limit", "-1", "ID"),
      "{\"pids\":{\"limit\":-1},\"cpu\":{\"quota\":-1,\"shares\":512}}" },
    { RUNC_RUNTIME_RUNC, ARGV ("update", "--cpu-share", "0", "ID"), "{}" },
    { RUNC_RUNTIME_RUNC, ARGV ("update", "--cpu-share", "-2", "ID"), "{}" },
    { RUNC_RUNTIME_CRUN, ARGV ("update", "ID", "--cpu-quota", "18446744073709551615", "--cpu-share", "512"),
      "{\"cpu\":{\"quota\":-1}}" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cpu); i++)
    {
      assert_null (parse_rt (cpu[i].rt, &a, cpu[i].argv));
      json_object *update = NULL;
      ocigate_error_t err = NULL;
      assert_int_equal (runc_update_resources (&a, NULL, NULL, &update, &err), 0);
      assert_string_equal (json_object_to_json_string_ext (update, JSON_C_TO_STRING_PLAIN), cpu[i].want);
      json_object_put (update);
    }

  const struct
  {
    const char *const *argv;
    const char *want;
  } bad[] = {
    { ARGV ("update", "--pids", "-1", "ID"), "unknown option --pids for runc update" }, /* argp would take the prefix */
    { ARGV ("update", "-pids-limit=-1", "ID"), "unknown option -pids-limit=-1 for runc update" },
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

/* The options of runc 1.1.5 and crun 1.8.1 as their --help lists them
 * (`runc --help`, `runc create --help`, `crun exec --help`, ...), and the
 * few of later versions the table keeps, each with what ocigate does with
 * it.  The table must hold exactly these: a row without an entry here, or
 * an entry without a row, fails test_table_is_the_runtimes_options. */
#define G RUNC_CMD_GLOBAL
#define C RUNC_CMD_CREATE
#define R RUNC_CMD_RUN
#define E RUNC_CMD_EXEC
#define U RUNC_CMD_UPDATE
#define RUNC RUNC_RUNTIME_RUNC
#define CRUN RUNC_RUNTIME_CRUN
#define BOTH RUNC_RUNTIME_BOTH
#define J RUNC_OPT_JUDGED
#define P RUNC_OPT_PASS
#define X RUNC_OPT_REFUSED
static const struct want
{
  unsigned runtimes;
  unsigned commands;
  const char *name;
  char short_name;
  bool value;
  enum runc_disposition disposition;
} wanted[] = {
  /* runc --help */
  { RUNC, G, "debug", 0, false, P },
  { RUNC, G, "log", 0, true, P },
  { RUNC, G, "log-format", 0, true, P },
  { RUNC, G, "root", 0, true, J },
  { RUNC, G, "criu", 0, true, P },
  { RUNC, G, "systemd-cgroup", 0, false, P },
  { RUNC, G, "rootless", 0, true, P },
  { RUNC, G | C | R | E | U, "help", 'h', false, P },
  { RUNC, G, "version", 'v', false, P },
  /* crun --help */
  { CRUN, G, "cgroup-manager", 0, true, J },
  { CRUN, G, "debug", 0, false, P },
  { CRUN, G, "log", 0, true, P },
  { CRUN, G, "log-format", 0, true, P },
  { CRUN, G, "root", 0, true, J },
  { CRUN, G, "rootless", 0, true, J }, /* crun 1.8 reads it as --root */
  { CRUN, G, "systemd-cgroup", 0, false, P },
  { CRUN, G | C | R | E | U, "help", '?', false, P },
  { CRUN, G | C | R | E | U, "usage", 0, false, P },
  { CRUN, G, "version", 'v', false, P },
  { CRUN, G, "version", 'V', false, P },
  /* later runc and crun */
  { BOTH, G, "log-level", 0, true, P },
  { BOTH, C | R | E, "pidfd-socket", 0, true, P },
  /* runc create, run; crun create, run */
  { BOTH, C | R, "bundle", 'b', true, J },
  { CRUN, C | R, "config", 'f', true, J },
  { BOTH, C | R | E, "console-socket", 0, true, P },
  { BOTH, C | R | E, "pid-file", 0, true, P },
  { BOTH, C | R, "no-pivot", 0, false, X },
  { BOTH, C | R, "no-new-keyring", 0, false, X },
  { BOTH, C | R | E, "preserve-fds", 0, true, J },
  { BOTH, R | E, "detach", 'd', false, P },
  { RUNC, R, "keep", 0, false, P },
  { RUNC, R, "no-subreaper", 0, false, P },
  { CRUN, C | R, "no-subreaper", 0, false, P },
  /* runc exec, crun exec */
  { BOTH, E, "cwd", 0, true, J },
  { BOTH, E, "env", 'e', true, P },
  { BOTH, E, "tty", 't', false, P },
  { BOTH, E, "user", 'u', true, J },
  { RUNC, E, "additional-gids", 'g', true, J },
  { BOTH, E, "process", 'p', true, J },
  { BOTH, E, "process-label", 0, true, J },
  { BOTH, E, "apparmor", 0, true, J },
  { BOTH, E, "no-new-privs", 0, false, J },
  { BOTH, E, "cap", 'c', true, J },
  { BOTH, E, "cgroup", 0, true, J },
  { RUNC, E, "ignore-paused", 0, false, P },
  /* runc update, crun update (cpu-burst, cpu-idle: later runc;
   * kernel-memory*: crun; l3-cache-schema, mem-bw-schema: runc) */
  { BOTH, U, "resources", 'r', true, J },
  { BOTH, U, "memory", 0, true, J },
  { BOTH, U, "pids-limit", 0, true, J },
  { BOTH, U, "blkio-weight", 0, true, P },
  { BOTH, U, "cpu-period", 0, true, P },
  { BOTH, U, "cpu-quota", 0, true, J },
  { BOTH, U, "cpu-burst", 0, true, P },
  { BOTH, U, "cpu-share", 0, true, J },
  { BOTH, U, "cpu-rt-period", 0, true, P },
  { BOTH, U, "cpu-rt-runtime", 0, true, P },
  { BOTH, U, "cpu-idle", 0, true, P },
  { BOTH, U, "cpuset-cpus", 0, true, P },
  { BOTH, U, "cpuset-mems", 0, true, P },
  { BOTH, U, "kernel-memory", 0, true, P },
  { BOTH, U, "kernel-memory-tcp", 0, true, P },
  { BOTH, U, "memory-reservation", 0, true, P },
  { BOTH, U, "memory-swap", 0, true, P },
  { BOTH, U, "l3-cache-schema", 0, true, P },
  { BOTH, U, "mem-bw-schema", 0, true, P },
};

/* The wanted entry for (runtime, command, long name, short name). */
static const struct want *
want_of (unsigned runtime, unsigned command, const char *name, char short_name)
{
  for (size_t i = 0; i < ARRAY_SIZE (wanted); i++)
    if ((wanted[i].runtimes & runtime) && (wanted[i].commands & command) && strcmp (wanted[i].name, name) == 0
        && wanted[i].short_name == short_name)
      return &wanted[i];
  return NULL;
}

static void
test_table_is_the_runtimes_options (void **state UNUSED)
{
  const struct runc_opt *table = runc_args_options ();
  /* Every row, for each command and runtime it names, is wanted as it is,
   * and has a reason. */
  for (const struct runc_opt *o = table; o->long_name; o++)
    {
      if (o->reason == NULL || o->reason[0] == '\0')
        fail_msg ("--%s has no reason", o->long_name);
      for (unsigned rt = RUNC; rt <= CRUN; rt <<= 1)
        for (unsigned cmd = G; cmd <= U; cmd <<= 1)
          {
            if (!(o->runtimes & rt) || !(o->commands & cmd))
              continue;
            const struct want *w = want_of (rt, cmd, o->long_name, o->short_name);
            if (w == NULL)
              fail_msg ("--%s (-%c) of command bit %u, runtime bit %u: in the table, not in the test", o->long_name,
                        o->short_name ? o->short_name : ' ', cmd, rt);
            if (w->value != o->takes_value || w->disposition != o->disposition)
              fail_msg ("--%s: the table says value %d, disposition %d; the test %d, %d", o->long_name, o->takes_value,
                        o->disposition, w->value, w->disposition);
          }
    }
  /* Every wanted option is in the table, once for each command and
   * runtime. */
  for (size_t i = 0; i < ARRAY_SIZE (wanted); i++)
    for (unsigned rt = RUNC; rt <= CRUN; rt <<= 1)
      for (unsigned cmd = G; cmd <= U; cmd <<= 1)
        {
          if (!(wanted[i].runtimes & rt) || !(wanted[i].commands & cmd))
            continue;
          int rows = 0;
          for (const struct runc_opt *o = table; o->long_name; o++)
            rows += (o->runtimes & rt) && (o->commands & cmd) && strcmp (o->long_name, wanted[i].name) == 0
                    && o->short_name == wanted[i].short_name;
          if (rows != 1)
            fail_msg ("--%s of command bit %u, runtime bit %u: %d rows in the table", wanted[i].name, cmd, rt, rows);
        }
}

/* Whether the runtime takes an option of this name (any short name). */
static bool
name_known (unsigned runtime, unsigned command, const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (wanted); i++)
    if ((wanted[i].runtimes & runtime) && (wanted[i].commands & command) && strcmp (wanted[i].name, name) == 0)
      return true;
  return false;
}

/* Parse one option, as --NAME (or -S) with a value each store accepts,
 * before the command (global) or after it. */
static char *
parse_one (enum runc_runtime rt, unsigned command, const struct want *w, bool use_short, struct runc_args *a)
{
  static const char *const names[] = { NULL, "create", "run", "exec", "update" };
  size_t c = 0;
  while ((1u << c) != command)
    c++;
  const char *value = strcmp (w->name, "preserve-fds") == 0     ? "0"
                      : strcmp (w->name, "cgroup-manager") == 0 ? "systemd"
                                                                : "1";
  cleanup_free char *opt = use_short ? xasprintf ("-%c", w->short_name) : xasprintf ("--%s", w->name);
  const char *argv[7];
  int n = 0;
  argv[n++] = "ocigate";
  if (c > 0)
    argv[n++] = names[c];
  argv[n++] = opt;
  if (w->value)
    argv[n++] = value;
  if (c == 0)
    argv[n++] = "create";
  argv[n++] = "ID";
  argv[n] = NULL;
  return parse_rt (rt, a, argv);
}

/* Each option parses where the table has it, long and short, or is
 * refused when it is refused; under a runtime or command that does not
 * take it, it is unknown, as the runtime itself would refuse it. */
static void
test_every_option_parses_where_it_belongs (void **state UNUSED)
{
  struct runc_args a;
  for (size_t i = 0; i < ARRAY_SIZE (wanted); i++)
    for (unsigned rt = RUNC; rt <= CRUN; rt <<= 1)
      for (unsigned cmd = G; cmd <= U; cmd <<= 1)
        {
          const struct want *w = &wanted[i];
          bool belongs = (w->runtimes & rt) && (w->commands & cmd);
          if (!belongs && name_known (rt, cmd, w->name))
            continue; /* another row of the name (help, version ...) */
          for (int use_short = 0; use_short <= (w->short_name != 0); use_short++)
            {
              cleanup_free char *msg = parse_one (rt, cmd, w, use_short, &a);
              if (!belongs)
                {
                  if (msg == NULL)
                    fail_msg ("--%s under runtime bit %u, command bit %u: parsed", w->name, rt, cmd);
                  assert_contains (msg, "ocigate refuses what it cannot read");
                }
              else if (w->disposition == RUNC_OPT_REFUSED)
                {
                  if (msg == NULL)
                    fail_msg ("--%s: parsed, but it is refused", w->name);
                  assert_contains (msg, "is refused");
                }
              else if (msg)
                fail_msg ("--%s under runtime bit %u, command bit %u: %s", w->name, rt, cmd, msg);
            }
        }
}

static void
test_exec_judged_options (void **state UNUSED)
{
  struct runc_args a;
  assert_null (parse (&a, ARGV ("exec", "--no-new-privs=false", "--apparmor", "unconfined", "--process-label",
                                "system_u:system_r:spc_t:s0", "--cwd=/tmp", "ID", "sh")));
  assert_int_equal (a.no_new_privs, RUNC_BOOL_FALSE);
  assert_string_equal (a.no_new_privs_arg, "--no-new-privs=false");
  assert_string_equal (a.apparmor, "unconfined");
  assert_string_equal (a.process_label, "system_u:system_r:spc_t:s0");
  assert_string_equal (a.cwd, "/tmp");
  assert_null (parse (&a, ARGV ("exec", "--no-new-privs", "ID", "sh")));
  assert_int_equal (a.no_new_privs, RUNC_BOOL_TRUE);
  assert_null (parse (&a, ARGV ("exec", "--no-new-privs=true", "ID", "sh")));
  assert_int_equal (a.no_new_privs, RUNC_BOOL_TRUE);
  /* the last one wins, as in Go's flag package */
  assert_null (parse (&a, ARGV ("exec", "--no-new-privs", "--no-new-privs=false", "ID", "sh")));
  assert_int_equal (a.no_new_privs, RUNC_BOOL_FALSE);
  assert_null (parse (&a, ARGV ("exec", "ID", "sh")));
  assert_int_equal (a.no_new_privs, RUNC_BOOL_UNSET);
  /* "0", "f", "no": Go reads two of them, crun none; refused */
  cleanup_free char *zero = parse (&a, ARGV ("exec", "--no-new-privs=0", "ID", "sh"));
  assert_contains (zero, "option --no-new-privs=0 takes no value");
  /* --no-new-privs false: "false" is the container ID, as in runc */
  assert_null (parse (&a, ARGV ("exec", "--no-new-privs", "false", "sh")));
  assert_string_equal (a.id, "false");
  assert_int_equal (a.no_new_privs, RUNC_BOOL_TRUE);

  /* --cgroup: below the container's, never beside it */
  assert_null (parse (&a, ARGV ("exec", "--cgroup", "sub", "--cgroup=cpu,memory:a/b", "ID", "sh")));
  const char *const *const up[] = {
    ARGV ("exec", "--cgroup", "..", "ID", "sh"),
    ARGV ("exec", "--cgroup", "../other", "ID", "sh"),
    ARGV ("exec", "--cgroup=memory:a/../../b", "ID", "sh"),
    ARGV ("exec", "--cgroup", "pids:..", "ID", "sh"),
  };
  for (size_t i = 0; i < ARRAY_SIZE (up); i++)
    {
      cleanup_free char *msg = parse (&a, up[i]);
      if (msg == NULL)
        fail_msg ("cgroup case %zu parsed", i);
      assert_contains (msg, "leaves the container's cgroup");
    }
  assert_null (parse (&a, ARGV ("exec", "--cgroup", "a..b/..c", "ID", "sh")));
}

static void
test_preserve_fds (void **state UNUSED)
{
  struct runc_args a;
  assert_null (parse (&a, ARGV ("run", "--preserve-fds", "2", "ID")));
  assert_int_equal (a.preserve_fds, 2);
  assert_string_equal (a.preserve_fds_arg, "2");
  assert_null (parse (&a, ARGV ("exec", "--preserve-fds=1048576", "ID", "sh")));
  assert_int_equal (a.preserve_fds, RUNC_ARGS_MAX_PRESERVE_FDS);
  assert_null (parse_rt (RUNC_RUNTIME_CRUN, &a, ARGV ("create", "ID", "--preserve-fds", "0")));
  assert_int_equal (a.preserve_fds, 0);
  assert_null (parse (&a, ARGV ("create", "ID")));
  assert_int_equal (a.preserve_fds, 0);
  assert_null (a.preserve_fds_arg);
  /* what runc (a Go integer) and crun (strtoul) read differently, huge,
   * negative, not a number */
  static const char *const bad[] = {
    "-1", "+1", "010", "0x3", "1_0", " 1", "1 ", "", "x", "1048577", "99999999999999999999", "18446744073709551615"
  };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      cleanup_free char *msg = parse (&a, ARGV ("run", "--preserve-fds", bad[i], "ID"));
      if (msg == NULL)
        fail_msg ("--preserve-fds \"%s\" parsed", bad[i]);
      assert_contains (msg, "must be a count of descriptors in decimal");
    }
}

static void
test_refused_and_runtime_options (void **state UNUSED)
{
  struct runc_args a;
  cleanup_free char *pivot = parse (&a, ARGV ("run", "--no-pivot", "ID"));
  assert_contains (pivot, "option --no-pivot is refused: without pivot_root");
  assert_contains (pivot, "drop --no-pivot");
  cleanup_free char *keyring = parse_rt (RUNC_RUNTIME_CRUN, &a, ARGV ("create", "ID", "--no-new-keyring"));
  assert_contains (keyring, "option --no-new-keyring is refused: the container would share the session keyring");
  cleanup_free char *disabled = parse_rt (RUNC_RUNTIME_CRUN, &a, ARGV ("--cgroup-manager", "disabled", "run", "ID"));
  assert_contains (disabled, "--cgroup-manager disabled: crun would make no cgroup");
  assert_null (parse_rt (RUNC_RUNTIME_CRUN, &a, ARGV ("--cgroup-manager=cgroupfs", "run", "ID")));

  /* crun 1.8 reads --rootless VALUE as --root VALUE; runc does not */
  assert_null (parse_rt (RUNC_RUNTIME_CRUN, &a, ARGV ("--root", "/a", "--rootless", "/b", "exec", "ID", "sh")));
  assert_string_equal (a.root, "/b");
  assert_null (parse (&a, ARGV ("--root", "/a", "--rootless", "true", "exec", "ID", "sh")));
  assert_string_equal (a.root, "/a");

  /* an option of the other runtime is unknown to this one */
  cleanup_free char *gids = parse_rt (RUNC_RUNTIME_CRUN, &a, ARGV ("exec", "-g", "10", "ID", "sh"));
  assert_contains (gids, "unknown option -g for crun exec");
  cleanup_free char *manager = parse (&a, ARGV ("--cgroup-manager", "systemd", "run", "ID"));
  assert_contains (manager, "unknown global option --cgroup-manager of runc before run");
  cleanup_free char *config = parse (&a, ARGV ("create", "-f", "c.json", "ID"));
  assert_contains (config, "unknown option -f for runc create");
  cleanup_free char *keep = parse (&a, ARGV ("create", "--keep", "ID"));
  assert_contains (keep, "unknown option --keep for runc create");

  /* help and version: the runtime prints and exits, nothing is judged */
  const struct
  {
    enum runc_runtime rt;
    const char *const *argv;
  } exits[] = {
    { RUNC_RUNTIME_RUNC, ARGV ("--help", "create", "ID") },  { RUNC_RUNTIME_RUNC, ARGV ("create", "--help") },
    { RUNC_RUNTIME_RUNC, ARGV ("exec", "-h", "ID") },        { RUNC_RUNTIME_CRUN, ARGV ("run", "-?") },
    { RUNC_RUNTIME_CRUN, ARGV ("create", "ID", "--usage") }, { RUNC_RUNTIME_CRUN, ARGV ("-V", "run", "ID") },
  };
  for (size_t i = 0; i < ARRAY_SIZE (exits); i++)
    {
      cleanup_free char *msg = parse_rt (exits[i].rt, &a, exits[i].argv);
      if (msg)
        fail_msg ("exits case %zu: %s", i, msg);
      assert_true (a.exits);
    }
}
#undef G
#undef C
#undef R
#undef E
#undef U
#undef RUNC
#undef CRUN
#undef BOTH
#undef J
#undef P
#undef X

/* runc_check_passed_fds() on this process's own fds 3 and 4 (and 5). */
static char *
check_fds (enum runc_runtime rt, const char *command, unsigned long n)
{
  static char arg[32];
  snprintf (arg, sizeof arg, "%lu", n);
  struct runc_args a = { .runtime = rt, .command = command, .preserve_fds = n, .preserve_fds_arg = arg };
  ocigate_error_t err = NULL;
  if (runc_check_passed_fds (&a, &err) == 0)
    return NULL;
  char *msg = xstrdup (err->msg);
  ocigate_error_free (&err);
  return msg;
}

static void
put_fd (int fd, const char *path, int flags)
{
  int f = open (path, flags);
  assert_true (f >= 0);
  if (f != fd)
    {
      assert_int_equal (dup3 (f, fd, flags & O_CLOEXEC), fd);
      close (f);
    }
}

static void
test_passed_fds (void **state UNUSED)
{
  unsetenv ("LISTEN_FDS");
  unsetenv ("LISTEN_PID");
  close (3);
  close (4);
  close (5);
  assert_null (check_fds (RUNC_RUNTIME_RUNC, "run", 0));
  cleanup_free char *none = check_fds (RUNC_RUNTIME_RUNC, "run", 1);
  assert_contains (none, "--preserve-fds 1 passes fd 3 to the container, but fd 3 is not open");
  put_fd (3, "/dev/null", O_RDONLY);
  assert_null (check_fds (RUNC_RUNTIME_RUNC, "run", 1));
  cleanup_free char *second = check_fds (RUNC_RUNTIME_CRUN, "exec", 2);
  assert_contains (second, "fd 4 is not open");
  put_fd (4, "/dev/null", O_RDONLY | O_CLOEXEC);
  cleanup_free char *cloexec = check_fds (RUNC_RUNTIME_RUNC, "exec", 2);
  assert_contains (cloexec, "fd 4 is close-on-exec");
  put_fd (4, "/", O_RDONLY | O_DIRECTORY);
  cleanup_free char *dir = check_fds (RUNC_RUNTIME_RUNC, "create", 2);
  assert_contains (dir, "fd 4 is a directory (/): through it the container reaches the host's directories");
  put_fd (4, "/", O_PATH);
  cleanup_free char *path = check_fds (RUNC_RUNTIME_RUNC, "create", 2);
  assert_contains (path, "fd 4 is a directory (/)");
  put_fd (4, "/dev/null", O_WRONLY);
  assert_null (check_fds (RUNC_RUNTIME_RUNC, "create", 2));

  /* LISTEN_FDS: runc's create and run take them first when LISTEN_PID is
   * this process; crun's always */
  cleanup_free char *pid = xasprintf ("%d", (int)getpid ());
  setenv ("LISTEN_FDS", "1", 1);
  setenv ("LISTEN_PID", pid, 1);
  cleanup_free char *listen = check_fds (RUNC_RUNTIME_RUNC, "run", 2);
  assert_contains (listen, "--preserve-fds 2 passes fd 5 to the container, but fd 5 is not open");
  assert_null (check_fds (RUNC_RUNTIME_RUNC, "exec", 2)); /* runc exec does not read it */
  setenv ("LISTEN_PID", "1", 1);
  assert_null (check_fds (RUNC_RUNTIME_RUNC, "run", 2)); /* not runc's: ignored */
  cleanup_free char *crun = check_fds (RUNC_RUNTIME_CRUN, "exec", 2);
  assert_contains (crun, "fd 5 is not open");
  setenv ("LISTEN_FDS", "3", 1);
  cleanup_free char *listen_only = check_fds (RUNC_RUNTIME_CRUN, "run", 0);
  assert_contains (listen_only, "LISTEN_FDS=3 passes fd 5 to the container, but fd 5 is not open");
  setenv ("LISTEN_FDS", "2x", 1);
  cleanup_free char *junk = check_fds (RUNC_RUNTIME_CRUN, "run", 0);
  assert_contains (junk, "LISTEN_FDS=2x in the environment: crun would pass descriptors");
  unsetenv ("LISTEN_FDS");
  unsetenv ("LISTEN_PID");
  close (3);
  close (4);
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
    cmocka_unit_test (test_table_is_the_runtimes_options),
    cmocka_unit_test (test_every_option_parses_where_it_belongs),
    cmocka_unit_test (test_exec_judged_options),
    cmocka_unit_test (test_preserve_fds),
    cmocka_unit_test (test_refused_and_runtime_options),
    cmocka_unit_test (test_passed_fds),
  };
  return cmocka_run_group_tests_name ("runc_args", tests, NULL, NULL);
}
