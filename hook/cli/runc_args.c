/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cli/runc_args.h"

#include <string.h>

enum opt_id
{
  OPT_FLAG,  /* takes no value, ignored */
  OPT_VALUE, /* takes a value, ignored */
  OPT_ROOT,
  OPT_LOG,
  OPT_LOG_FORMAT,
  OPT_BUNDLE,
  OPT_CONFIG,
  OPT_PROCESS,
  OPT_USER,
  OPT_GIDS,
  OPT_CAP,
  OPT_RESOURCES,
  OPT_MEMORY,
  OPT_PIDS_LIMIT,
};

struct opt
{
  const char *long_name; /* without dashes */
  char short_name;       /* 0 for none */
  enum opt_id id;
};

/* runc 1.1 and crun 1.8 global options. */
static const struct opt global_opts[] = {
  { "debug", 0, OPT_FLAG },
  { "systemd-cgroup", 0, OPT_FLAG },
  { "log", 0, OPT_LOG },
  { "log-format", 0, OPT_LOG_FORMAT },
  { "log-level", 0, OPT_VALUE },
  { "root", 0, OPT_ROOT },
  { "criu", 0, OPT_VALUE },
  { "rootless", 0, OPT_VALUE },
  { "cgroup-manager", 0, OPT_VALUE },
  { NULL, 0, 0 },
};

static const struct opt create_opts[] = {
  { "bundle", 'b', OPT_BUNDLE },
  { "config", 'f', OPT_CONFIG }, /* crun */
  { "console-socket", 0, OPT_VALUE },
  { "pidfd-socket", 0, OPT_VALUE },
  { "pid-file", 0, OPT_VALUE },
  { "preserve-fds", 0, OPT_VALUE },
  { "no-pivot", 0, OPT_FLAG },
  { "no-new-keyring", 0, OPT_FLAG },
  { "detach", 'd', OPT_FLAG }, /* run */
  { "keep", 0, OPT_FLAG },     /* run */
  { "no-subreaper", 0, OPT_FLAG },
  { NULL, 0, 0 },
};

static const struct opt exec_opts[] = {
  { "console-socket", 0, OPT_VALUE },
  { "pidfd-socket", 0, OPT_VALUE },
  { "cwd", 0, OPT_VALUE },
  { "env", 'e', OPT_VALUE },
  { "tty", 't', OPT_FLAG },
  { "user", 'u', OPT_USER },
  { "additional-gids", 'g', OPT_GIDS },
  { "process", 'p', OPT_PROCESS },
  { "detach", 'd', OPT_FLAG },
  { "pid-file", 0, OPT_VALUE },
  { "process-label", 0, OPT_VALUE },
  { "apparmor", 0, OPT_VALUE },
  { "no-new-privs", 0, OPT_FLAG },
  { "cap", 'c', OPT_CAP },
  { "preserve-fds", 0, OPT_VALUE },
  { "cgroup", 0, OPT_VALUE },
  { "ignore-paused", 0, OPT_FLAG },
  { NULL, 0, 0 },
};

/* runc 1.1 and crun 1.8 `update` options (and runc's later cpu-burst,
 * cpu-idle).  The ones left as OPT_VALUE cannot lift a limit ocigate
 * requires. */
static const struct opt update_opts[] = {
  { "resources", 'r', OPT_RESOURCES },   { "memory", 0, OPT_MEMORY },
  { "pids-limit", 0, OPT_PIDS_LIMIT },   { "blkio-weight", 0, OPT_VALUE },
  { "cpu-period", 0, OPT_VALUE },        { "cpu-quota", 0, OPT_VALUE },
  { "cpu-burst", 0, OPT_VALUE },         { "cpu-share", 0, OPT_VALUE },
  { "cpu-rt-period", 0, OPT_VALUE },     { "cpu-rt-runtime", 0, OPT_VALUE },
  { "cpu-idle", 0, OPT_VALUE },          { "cpuset-cpus", 0, OPT_VALUE },
  { "cpuset-mems", 0, OPT_VALUE },       { "kernel-memory", 0, OPT_VALUE },
  { "kernel-memory-tcp", 0, OPT_VALUE }, { "memory-reservation", 0, OPT_VALUE },
  { "memory-swap", 0, OPT_VALUE },       { "l3-cache-schema", 0, OPT_VALUE },
  { "mem-bw-schema", 0, OPT_VALUE },     { NULL, 0, 0 },
};

bool
runc_command_is_judged (const char *command)
{
  return command
         && (strcmp (command, "create") == 0 || strcmp (command, "run") == 0 || strcmp (command, "exec") == 0
             || strcmp (command, "update") == 0);
}

/* Match "--name", "--name=value" and "-x" (its value, if any, is the next
 * argument).  The one-dash long form ("-bundle") and glued short values
 * ("-b=X", "-bX") are left unmatched on purpose: runc (urfave/cli) and crun
 * (GNU argp) read them differently, so ocigate could judge one bundle while
 * the runtime starts another. */
static const struct opt *
match_opt (const struct opt *table, const char *arg, const char **inline_value)
{
  *inline_value = NULL;
  if (arg[0] != '-' || arg[1] == '\0')
    return NULL;
  if (arg[1] != '-')
    {
      if (arg[2] != '\0')
        return NULL;
      for (const struct opt *o = table; o->long_name; o++)
        if (o->short_name && o->short_name == arg[1])
          return o;
      return NULL;
    }
  const char *name = arg + 2;
  const char *eq = strchr (name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen (name);
  for (const struct opt *o = table; o->long_name; o++)
    if (strlen (o->long_name) == len && strncmp (o->long_name, name, len) == 0)
      {
        if (eq)
          *inline_value = eq + 1;
        return o;
      }
  return NULL;
}

/* index: the argv element that holds the value. */
static int
store (struct runc_args *out, const struct opt *o, const char *value, int index, ocigate_error_t *err)
{
  switch (o->id)
    {
    case OPT_FLAG:
    case OPT_VALUE:
      break;
    case OPT_ROOT:
      out->root = value;
      break;
    case OPT_LOG:
      out->log = value;
      break;
    case OPT_LOG_FORMAT:
      out->log_format = value;
      break;
    case OPT_BUNDLE:
      out->bundle = value; /* the last one wins, as in both runtimes */
      break;
    case OPT_CONFIG:
      out->config_file = value;
      break;
    case OPT_PROCESS:
      out->process_file = value;
      break;
    case OPT_USER:
      out->user = value;
      break;
    case OPT_RESOURCES:
      out->resources_file = value;
      out->resources_index = index;
      break;
    case OPT_MEMORY:
      out->update_memory = value;
      break;
    case OPT_PIDS_LIMIT:
      out->update_pids = value;
      break;
    case OPT_GIDS:
    case OPT_CAP:
      {
        const char **list = o->id == OPT_GIDS ? out->gids : out->caps;
        size_t *n = o->id == OPT_GIDS ? &out->n_gids : &out->n_caps;
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
 * it looks like ("--bundle create" is a bundle named create). */
static int
take_opt (int argc, char *const *argv, int *i, const struct opt *o, const char *inline_value, struct runc_args *out,
          ocigate_error_t *err)
{
  const char *value = NULL;
  bool wants_value = o->id != OPT_FLAG;
  if (wants_value)
    {
      if (inline_value)
        value = inline_value;
      else if (*i + 1 < argc)
        value = argv[++*i];
      else
        return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "option %s needs a value", argv[*i]);
    }
  else if (inline_value && strcmp (inline_value, "true") != 0 && strcmp (inline_value, "false") != 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE, "option %s takes no value", argv[*i]);
  return store (out, o, value, *i, err);
}

int
runc_args_parse (int argc, char *const *argv, struct runc_args *out, ocigate_error_t *err)
{
  memset (out, 0, sizeof *out);
  out->command_index = -1;
  int i = 1;
  /* Global options come before the command. */
  for (; i < argc; i++)
    {
      const char *inline_value = NULL;
      const struct opt *o = match_opt (global_opts, argv[i], &inline_value);
      if (o == NULL)
        break;
      if (take_opt (argc, argv, &i, o, inline_value, out, err) < 0)
        return -1;
    }
  if (i < argc && argv[i][0] == '-')
    {
      /* --version, --help or an option ocigate does not know: the runtime's
       * business, unless a judged command may follow it, since ocigate
       * cannot tell whether the option swallows the next word. */
      for (int j = i; j < argc; j++)
        if (runc_command_is_judged (argv[j]))
          return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                     "unknown global option %s before %s; ocigate refuses what it cannot read", argv[i],
                                     argv[j]);
      return 0;
    }
  if (i >= argc)
    return 0;
  out->command_index = i;
  out->command = argv[i];
  if (!runc_command_is_judged (out->command))
    return 0;

  bool is_exec = strcmp (out->command, "exec") == 0;
  bool is_update = strcmp (out->command, "update") == 0;
  const struct opt *table = is_exec ? exec_opts : is_update ? update_opts : create_opts;
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
          const struct opt *o = match_opt (table, arg, &inline_value);
          if (o == NULL)
            return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                       "unknown option %s for %s; ocigate refuses what it cannot read", arg,
                                       out->command);
          if (take_opt (argc, argv, &i, o, inline_value, out, err) < 0)
            return -1;
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
