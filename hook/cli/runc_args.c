/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cli/runc_args.h"

#include <stdlib.h>
#include <string.h>

#define G RUNC_CMD_GLOBAL
#define C RUNC_CMD_CREATE
#define R RUNC_CMD_RUN
#define E RUNC_CMD_EXEC
#define U RUNC_CMD_UPDATE
#define RUNC RUNC_RUNTIME_RUNC
#define CRUN RUNC_RUNTIME_CRUN
#define BOTH RUNC_RUNTIME_BOTH
#define JUDGED RUNC_OPT_JUDGED
#define PASS RUNC_OPT_PASS
#define REFUSED RUNC_OPT_REFUSED

/* Every option of runc 1.1 and crun 1.8 (`runc --help`, `runc create
 * --help`, `crun exec --help`, ...) before the command and after create,
 * run, exec and update, and a few of later versions that engines pass.
 * An option's row says which commands and runtimes take it, whether it
 * takes a value, what ocigate does with it and why.  tests/unit/
 * test_runc_args.c holds this table to the runtimes' lists. */
static const struct runc_opt options[] = {
  /* Before the command. */
  { "debug", 0, G, BOTH, false, PASS, RUNC_STORE_NONE, "more of the runtime's own log" },
  { "log", 0, G, BOTH, true, PASS, RUNC_STORE_LOG,
    "the host file the runtime logs to, the engine's; ocigate appends its refusals there" },
  { "log-format", 0, G, BOTH, true, PASS, RUNC_STORE_LOG_FORMAT, "the format of that log" },
  { "log-level", 0, G, BOTH, true, PASS, RUNC_STORE_NONE, "later runc and crun: how much the runtime logs" },
  { "root", 0, G, BOTH, true, JUDGED, RUNC_STORE_ROOT,
    "the runtime's state directory: exec and update find the container they judge there (`state ID`)" },
  { "criu", 0, G, RUNC, true, PASS, RUNC_STORE_NONE,
    "the criu program of checkpoint and restore, not of these commands" },
  { "systemd-cgroup", 0, G, BOTH, false, PASS, RUNC_STORE_NONE,
    "systemd makes the container's cgroup; its limits are the config's either way" },
  { "cgroup-manager", 0, G, CRUN, true, JUDGED, RUNC_STORE_CGROUP_MANAGER,
    "systemd or cgroupfs make the container's cgroup with the config's limits; \"disabled\" is refused: crun "
    "then makes none, and none of the limits applies" },
  { "rootless", 0, G, RUNC, true, PASS, RUNC_STORE_NONE,
    "runc ignores cgroup permission errors, which root does not meet; the limits are the config's" },
  { "rootless", 0, G, CRUN, true, JUDGED, RUNC_STORE_ROOT,
    "crun 1.8 reads --rootless VALUE as --root VALUE: the state directory, as --root" },
  { "help", 'h', G | C | R | E | U, RUNC, false, PASS, RUNC_STORE_EXITS, "runc prints help and exits; nothing runs" },
  { "help", '?', G | C | R | E | U, CRUN, false, PASS, RUNC_STORE_EXITS, "crun prints help and exits; nothing runs" },
  { "usage", 0, G | C | R | E | U, CRUN, false, PASS, RUNC_STORE_EXITS, "crun prints usage and exits; nothing runs" },
  { "version", 'v', G, BOTH, false, PASS, RUNC_STORE_EXITS, "prints the version and exits; nothing runs" },
  { "version", 'V', G, CRUN, false, PASS, RUNC_STORE_EXITS, "prints the version and exits; nothing runs" },

  /* create and run */
  { "bundle", 'b', C | R, BOTH, true, JUDGED, RUNC_STORE_BUNDLE, "the bundle whose config.json is judged" },
  { "config", 'f', C | R, CRUN, true, JUDGED, RUNC_STORE_CONFIG,
    "the config file crun reads instead of config.json: judged in its place" },
  { "no-pivot", 0, C | R, BOTH, false, REFUSED, RUNC_STORE_NONE,
    "without pivot_root the host's root filesystem stays in the container's mount namespace, beneath a chroot "
    "that a process with CAP_SYS_ADMIN can leave; drop --no-pivot (Docker: DOCKER_RAMDISK unset; containerd: "
    "NoPivotRoot false)" },
  { "no-new-keyring", 0, C | R, BOTH, false, REFUSED, RUNC_STORE_NONE,
    "the container would share the session keyring of the process that starts it, and the keys in it; drop "
    "--no-new-keyring (containerd: NoNewKeyring false)" },
  { "no-subreaper", 0, R, RUNC, false, PASS, RUNC_STORE_NONE,
    "whether the runtime reaps the container's orphans on the host: the runtime's process, not the container's" },
  { "no-subreaper", 0, C | R, CRUN, false, PASS, RUNC_STORE_NONE,
    "whether the runtime reaps the container's orphans on the host: the runtime's process, not the container's" },
  { "keep", 0, R, RUNC, false, PASS, RUNC_STORE_NONE,
    "runc keeps the container's state after it exits: the host's bookkeeping" },

  /* create, run and exec */
  { "console-socket", 0, C | R | E, BOTH, true, PASS, RUNC_STORE_NONE,
    "a host socket, the engine's, that receives the pseudo-terminal's master; the process has a terminal only "
    "as process.terminal (exec: --tty) says" },
  { "pidfd-socket", 0, C | R | E, BOTH, true, PASS, RUNC_STORE_NONE,
    "later runc and crun: a host socket, the engine's, that receives a pidfd of the process" },
  { "pid-file", 0, C | R | E, BOTH, true, PASS, RUNC_STORE_NONE,
    "a host file, the engine's, the runtime writes the process ID to" },
  { "preserve-fds", 0, C | R | E, BOTH, true, JUDGED, RUNC_STORE_PRESERVE_FDS,
    "fds 3 to 3+N-1 go to the process: each must be open in the wrapper, handed over by the engine, and not a "
    "directory or a block device of the host" },
  { "detach", 'd', R | E, BOTH, false, PASS, RUNC_STORE_NONE,
    "whether the runtime waits for the process; the process is the same" },

  /* exec: what changes the process is put into it, as the runtime does
   * (runc_input.c), and judged by the rules. */
  { "process", 'p', E, BOTH, true, JUDGED, RUNC_STORE_PROCESS,
    "the process file, judged and rewritten in place of the container's process; the runtime ignores the flags "
    "then" },
  { "user", 'u', E, BOTH, true, JUDGED, RUNC_STORE_USER, "process.user.uid and gid (crun: 0:0 without it)" },
  { "additional-gids", 'g', E, RUNC, true, JUDGED, RUNC_STORE_GIDS, "added to process.user.additionalGids" },
  { "cap", 'c', E, BOTH, true, JUDGED, RUNC_STORE_CAP,
    "runc adds it to the bounding, effective, permitted and ambient sets; crun's -c are those sets" },
  { "no-new-privs", 0, E, BOTH, false, JUDGED, RUNC_STORE_NO_NEW_PRIVS,
    "process.noNewPrivileges: runc sets the flag's value (--no-new-privs=false clears it); crun sets it true, "
    "and false without the flag" },
  { "apparmor", 0, E, BOTH, true, JUDGED, RUNC_STORE_APPARMOR, "process.apparmorProfile" },
  { "process-label", 0, E, BOTH, true, JUDGED, RUNC_STORE_PROCESS_LABEL, "process.selinuxLabel" },
  { "cwd", 0, E, BOTH, true, JUDGED, RUNC_STORE_CWD, "process.cwd (crun: / without it)" },
  { "cgroup", 0, E, BOTH, true, JUDGED, RUNC_STORE_EXEC_CGROUP,
    "a cgroup below the container's, held by its limits; a \"..\" in it is refused, since runc 1.1 checks the "
    "result by its string prefix only" },
  { "env", 'e', E, BOTH, true, PASS, RUNC_STORE_NONE,
    "the process's environment, which a process can set for itself: it gains nothing by it" },
  { "tty", 't', E, BOTH, false, PASS, RUNC_STORE_NONE,
    "a pseudo-terminal for the process, made in the container's /dev/pts" },
  { "ignore-paused", 0, E, RUNC, false, PASS, RUNC_STORE_NONE,
    "exec into a frozen container: the process is frozen with it" },

  /* update: what can lift a limit the resources rule requires is judged
   * (runc_input.c); the rest cannot. */
  { "resources", 'r', U, BOTH, true, JUDGED, RUNC_STORE_RESOURCES, "the LinuxResources document the runtime applies" },
  { "memory", 0, U, BOTH, true, JUDGED, RUNC_STORE_MEMORY, "the memory limit; a negative one lifts it" },
  { "pids-limit", 0, U, BOTH, true, JUDGED, RUNC_STORE_PIDS_LIMIT, "the pids limit; a negative one lifts it" },
  { "cpu-quota", 0, U, BOTH, true, JUDGED, RUNC_STORE_CPU_QUOTA,
    "the CPU quota, a CPU limit as a share is; a negative one lifts it" },
  { "cpu-share", 0, U, BOTH, true, JUDGED, RUNC_STORE_CPU_SHARE,
    "the CPU share, a CPU limit that no update lifts (crun writes it under a key it does not read)" },
#define UPDATE_PASS(name, why)                                                                                         \
  {                                                                                                                    \
    name, 0, U, BOTH, true, PASS, RUNC_STORE_NONE, why                                                                 \
  }
  UPDATE_PASS ("blkio-weight", "a share of block I/O, not a limit the resources rule requires"),
  UPDATE_PASS ("cpu-period", "CPU bandwidth, not a limit the resources rule requires"),
  UPDATE_PASS ("cpu-burst", "later runc: CPU bandwidth, not a limit the resources rule requires"),
  UPDATE_PASS ("cpu-rt-period", "real-time CPU bandwidth, not a limit the resources rule requires"),
  UPDATE_PASS ("cpu-rt-runtime", "real-time CPU bandwidth, not a limit the resources rule requires"),
  UPDATE_PASS ("cpu-idle", "later runc: the idle scheduling policy, not a limit the resources rule requires"),
  UPDATE_PASS ("cpuset-cpus", "which CPUs, not a limit the resources rule requires"),
  UPDATE_PASS ("cpuset-mems", "which memory nodes, not a limit the resources rule requires"),
  UPDATE_PASS ("kernel-memory", "cgroup v1 kernel memory, not a limit the resources rule requires"),
  UPDATE_PASS ("kernel-memory-tcp", "cgroup v1 kernel memory, not a limit the resources rule requires"),
  UPDATE_PASS ("memory-reservation", "a soft limit, not the memory limit"),
  UPDATE_PASS ("memory-swap", "memory and swap together, not the memory limit"),
  UPDATE_PASS ("l3-cache-schema", "Intel RDT cache allocation, not a limit the resources rule requires"),
  UPDATE_PASS ("mem-bw-schema", "Intel RDT memory bandwidth, not a limit the resources rule requires"),
#undef UPDATE_PASS
  { NULL, 0, 0, 0, false, PASS, RUNC_STORE_NONE, NULL },
};

#undef G
#undef C
#undef R
#undef E
#undef U
#undef RUNC
#undef CRUN
#undef BOTH
#undef JUDGED
#undef PASS
#undef REFUSED

const struct runc_opt *
runc_args_options (void)
{
  return options;
}

bool
runc_command_is_judged (const char *command)
{
  return command
         && (strcmp (command, "create") == 0 || strcmp (command, "run") == 0 || strcmp (command, "exec") == 0
             || strcmp (command, "update") == 0);
}

static unsigned
command_bit (const char *command)
{
  if (strcmp (command, "create") == 0)
    return RUNC_CMD_CREATE;
  if (strcmp (command, "run") == 0)
    return RUNC_CMD_RUN;
  if (strcmp (command, "exec") == 0)
    return RUNC_CMD_EXEC;
  return RUNC_CMD_UPDATE;
}

/* Match "--name", "--name=value" and "-x" (its value, if any, is the next
 * argument) among the options `where` (a command bit) takes under
 * `runtime`.  The one-dash long form ("-bundle") and glued short values
 * ("-b=X", "-bX") are left unmatched on purpose: runc (urfave/cli) and crun
 * (GNU argp) read them differently, so ocigate could judge one bundle while
 * the runtime starts another.  So are abbreviations, which argp takes. */
static const struct runc_opt *
match_opt (unsigned where, enum runc_runtime runtime, const char *arg, const char **inline_value)
{
  *inline_value = NULL;
  if (arg[0] != '-' || arg[1] == '\0')
    return NULL;
  if (arg[1] != '-')
    {
      if (arg[2] != '\0')
        return NULL;
      for (const struct runc_opt *o = options; o->long_name; o++)
        if ((o->commands & where) && (o->runtimes & runtime) && o->short_name && o->short_name == arg[1])
          return o;
      return NULL;
    }
  const char *name = arg + 2;
  const char *eq = strchr (name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen (name);
  for (const struct runc_opt *o = options; o->long_name; o++)
    if ((o->commands & where) && (o->runtimes & runtime) && strlen (o->long_name) == len
        && strncmp (o->long_name, name, len) == 0)
      {
        if (eq)
          *inline_value = eq + 1;
        return o;
      }
  return NULL;
}

/* --preserve-fds N: decimal digits only.  runc reads the value as a Go
 * integer (a sign, 0x, 0o and 0b prefixes, a leading 0 for octal, "_"
 * between digits), crun with strtoul (a sign, spaces, trailing junk, base
 * 10): anything but plain decimal could mean one count to ocigate and
 * another to the runtime. */
static int
parse_preserve_fds (const char *value, unsigned long *out, ocigate_error_t *err)
{
  size_t len = strlen (value);
  bool digits = len > 0 && len <= 7 && strspn (value, "0123456789") == len && (value[0] != '0' || len == 1);
  unsigned long n = digits ? strtoul (value, NULL, 10) : 0;
  if (!digits || n > RUNC_ARGS_MAX_PRESERVE_FDS)
    return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                               "--preserve-fds %s: must be a count of descriptors in decimal, from 0 to %d (runc and "
                               "crun read other forms differently)",
                               value, RUNC_ARGS_MAX_PRESERVE_FDS);
  *out = n;
  return 0;
}

/* exec --cgroup [CONTROLLERS:]PATH: a ".." component refused. */
static int
check_exec_cgroup (const char *value, ocigate_error_t *err)
{
  for (const char *p = value; *p;)
    {
      size_t len = strcspn (p, "/:");
      if (len == 2 && p[0] == '.' && p[1] == '.')
        return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                   "--cgroup %s: \"..\" leaves the container's cgroup (runc 1.1 checks only the "
                                   "string prefix, so a sibling's cgroup passes); name a cgroup below the "
                                   "container's, without \"..\"",
                                   value);
      p += len;
      if (*p)
        p++;
    }
  return 0;
}

/* index: the argv element that holds the value; arg: the option as given. */
static int
store (struct runc_args *out, const struct runc_opt *o, const char *arg, const char *value, int index,
       ocigate_error_t *err)
{
  if (o->disposition == RUNC_OPT_REFUSED)
    return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "option %s is refused: %s", arg, o->reason);
  /* take_opt() gives an option that takes a value one; a flag has none, or
   * "true" or "false". */
  const char *v = value ? value : "";
  switch (o->store)
    {
    case RUNC_STORE_NONE:
      break;
    case RUNC_STORE_EXITS:
      out->exits = true;
      break;
    case RUNC_STORE_ROOT:
      out->root = value;
      break;
    case RUNC_STORE_LOG:
      out->log = value;
      break;
    case RUNC_STORE_LOG_FORMAT:
      out->log_format = value;
      break;
    case RUNC_STORE_CGROUP_MANAGER:
      if (strcmp (v, "disabled") == 0)
        return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                   "--cgroup-manager disabled: crun would make no cgroup, so none of the container's "
                                   "limits would apply; use --cgroup-manager systemd or cgroupfs");
      break;
    case RUNC_STORE_BUNDLE:
      out->bundle = value; /* the last one wins, as in both runtimes */
      break;
    case RUNC_STORE_CONFIG:
      out->config_file = value;
      break;
    case RUNC_STORE_PRESERVE_FDS:
      if (parse_preserve_fds (v, &out->preserve_fds, err) < 0)
        return -1;
      out->preserve_fds_arg = value; /* the last one wins */
      break;
    case RUNC_STORE_PROCESS:
      out->process_file = value;
      break;
    case RUNC_STORE_USER:
      out->user = value;
      break;
    case RUNC_STORE_CWD:
      out->cwd = value;
      break;
    case RUNC_STORE_NO_NEW_PRIVS:
      out->no_new_privs = value && strcmp (value, "false") == 0 ? RUNC_BOOL_FALSE : RUNC_BOOL_TRUE;
      out->no_new_privs_arg = arg;
      break;
    case RUNC_STORE_APPARMOR:
      out->apparmor = value;
      break;
    case RUNC_STORE_PROCESS_LABEL:
      out->process_label = value;
      break;
    case RUNC_STORE_EXEC_CGROUP:
      return check_exec_cgroup (v, err);
    case RUNC_STORE_RESOURCES:
      out->resources_file = value;
      out->resources_index = index;
      break;
    case RUNC_STORE_MEMORY:
      out->update_memory = value;
      break;
    case RUNC_STORE_PIDS_LIMIT:
      out->update_pids = value;
      break;
    case RUNC_STORE_CPU_QUOTA:
      out->update_cpu_quota = value;
      break;
    case RUNC_STORE_CPU_SHARE:
      out->update_cpu_share = value;
      break;
    case RUNC_STORE_GIDS:
    case RUNC_STORE_CAP:
      {
        bool gids = o->store == RUNC_STORE_GIDS;
        const char **list = gids ? out->gids : out->caps;
        size_t *n = gids ? &out->n_gids : &out->n_caps;
        if (*n >= RUNC_ARGS_MAX_LIST)
          return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "more than %d --%s options", RUNC_ARGS_MAX_LIST,
                                     o->long_name);
        list[(*n)++] = value;
        break;
      }
    }
  return 0;
}

/* Consume the option at argv[*i]; its value is the next argument whatever
 * it looks like ("--bundle create" is a bundle named create).  A flag
 * takes "=true" or "=false" as runc does (crun refuses both, but for
 * --tty). */
static int
take_opt (int argc, char *const *argv, int *i, const struct runc_opt *o, const char *inline_value,
          struct runc_args *out, ocigate_error_t *err)
{
  const char *arg = argv[*i];
  const char *value = NULL;
  if (o->takes_value)
    {
      if (inline_value)
        value = inline_value;
      else if (*i + 1 < argc)
        value = argv[++*i];
      else
        return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "option %s needs a value", arg);
    }
  else if (inline_value && strcmp (inline_value, "true") != 0 && strcmp (inline_value, "false") != 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "option %s takes no value", arg);
  else
    value = inline_value;
  return store (out, o, arg, value, *i, err);
}

static const char *
runtime_name (enum runc_runtime runtime)
{
  return runtime == RUNC_RUNTIME_CRUN ? "crun" : "runc";
}

int
runc_args_parse (enum runc_runtime runtime, int argc, char *const *argv, struct runc_args *out, ocigate_error_t *err)
{
  memset (out, 0, sizeof *out);
  out->runtime = runtime;
  out->command_index = -1;
  int i = 1;
  /* Global options come before the command. */
  for (; i < argc; i++)
    {
      const char *inline_value = NULL;
      const struct runc_opt *o = match_opt (RUNC_CMD_GLOBAL, runtime, argv[i], &inline_value);
      if (o == NULL)
        break;
      if (take_opt (argc, argv, &i, o, inline_value, out, err) < 0)
        return -1;
      if (out->exits)
        return 0;
    }
  if (i < argc && argv[i][0] == '-')
    {
      /* An option ocigate does not know: the runtime's business, unless a
       * judged command may follow it, since ocigate cannot tell whether the
       * option swallows the next word. */
      for (int j = i; j < argc; j++)
        if (runc_command_is_judged (argv[j]))
          return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                     "unknown global option %s of %s before %s; ocigate refuses what it cannot read",
                                     argv[i], runtime_name (runtime), argv[j]);
      return 0;
    }
  if (i >= argc)
    return 0;
  out->command_index = i;
  out->command = argv[i];
  if (!runc_command_is_judged (out->command))
    return 0;

  unsigned where = command_bit (out->command);
  bool is_exec = where == RUNC_CMD_EXEC;
  size_t positionals = 0;
  bool only_positionals = false;
  for (i++; i < argc; i++)
    {
      const char *arg = argv[i];
      if (!only_positionals && strcmp (arg, "--") == 0)
        {
          only_positionals = true;
          continue;
        }
      if (!only_positionals && arg[0] == '-' && arg[1] != '\0')
        {
          const char *inline_value = NULL;
          const struct runc_opt *o = match_opt (where, runtime, arg, &inline_value);
          if (o == NULL)
            return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                       "unknown option %s for %s %s; ocigate refuses what it cannot read", arg,
                                       runtime_name (runtime), out->command);
          if (take_opt (argc, argv, &i, o, inline_value, out, err) < 0)
            return -1;
          if (out->exits)
            return 0;
          continue;
        }
      positionals++;
      if (positionals == 1)
        out->id = arg;
      /* exec: what follows the ID is the command to run, not options. */
      if (is_exec)
        break;
      /* crun reads options after the ID too (GNU argp), so keep going. */
    }
  if (out->id == NULL)
    return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "%s without a container ID", out->command);
  if (!is_exec && positionals > 1)
    return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "%s takes one container ID, got %zu arguments", out->command,
                               positionals);
  return 0;
}
