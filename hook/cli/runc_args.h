/* ocigate: reading the command line an engine gives runc or crun.
 *
 * A pure function over argv, so it can be tested and fuzzed alone.  It
 * knows every option of runc 1.1 and crun 1.8 that the judged commands
 * (create, run, exec, update) and the global options before them take, in
 * one table (runc_args_options()): each option is judged (read into what
 * the wrapper puts before the policy), passed through for a written
 * reason, or refused.  An unknown option there is refused rather than
 * guessed at, since guessing wrong could judge one bundle while the runtime
 * starts another.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_RUNC_ARGS_H
#define OCIGATE_RUNC_ARGS_H

#include "base/error.h"

#define RUNC_ARGS_MAX_LIST 256
/* --preserve-fds N: the kernel's default ceiling of open files (nr_open). */
#define RUNC_ARGS_MAX_PRESERVE_FDS 1048576

/* The runtime behind the wrapper: the two read some options differently. */
enum runc_runtime
{
  RUNC_RUNTIME_RUNC = 1 << 0,
  RUNC_RUNTIME_CRUN = 1 << 1,
};
#define RUNC_RUNTIME_BOTH (RUNC_RUNTIME_RUNC | RUNC_RUNTIME_CRUN)

/* Where an option goes: before the command, or after one of these. */
enum runc_cmd
{
  RUNC_CMD_GLOBAL = 1 << 0,
  RUNC_CMD_CREATE = 1 << 1,
  RUNC_CMD_RUN = 1 << 2,
  RUNC_CMD_EXEC = 1 << 3,
  RUNC_CMD_UPDATE = 1 << 4,
};

/* What ocigate does with an option. */
enum runc_disposition
{
  RUNC_OPT_JUDGED,  /* read into what is judged, or its value checked */
  RUNC_OPT_PASS,    /* cannot change what the container or process gets */
  RUNC_OPT_REFUSED, /* changes it in a way no rule can judge */
};

/* What the parser does with an option's value. */
enum runc_store
{
  RUNC_STORE_NONE,
  RUNC_STORE_EXITS, /* --help, --version: the runtime prints and exits */
  RUNC_STORE_ROOT,
  RUNC_STORE_LOG,
  RUNC_STORE_LOG_FORMAT,
  RUNC_STORE_CGROUP_MANAGER,
  RUNC_STORE_BUNDLE,
  RUNC_STORE_CONFIG,
  RUNC_STORE_PRESERVE_FDS,
  RUNC_STORE_PROCESS,
  RUNC_STORE_USER,
  RUNC_STORE_GIDS,
  RUNC_STORE_CAP,
  RUNC_STORE_CWD,
  RUNC_STORE_NO_NEW_PRIVS,
  RUNC_STORE_APPARMOR,
  RUNC_STORE_PROCESS_LABEL,
  RUNC_STORE_EXEC_CGROUP,
  RUNC_STORE_RESOURCES,
  RUNC_STORE_MEMORY,
  RUNC_STORE_PIDS_LIMIT,
  RUNC_STORE_CPU_QUOTA,
  RUNC_STORE_CPU_SHARE,
};

/* One row of the table. */
struct runc_opt
{
  const char *long_name; /* without dashes */
  char short_name;       /* 0 for none */
  unsigned commands;     /* enum runc_cmd bits */
  unsigned runtimes;     /* enum runc_runtime bits */
  bool takes_value;      /* a flag takes none, or "=true" / "=false" */
  enum runc_disposition disposition;
  enum runc_store store;
  const char *reason; /* why; for a refused option, the refusal's remedy too */
};

/* The table, ending with a row whose long_name is NULL. */
const struct runc_opt *runc_args_options (void);

/* A flag given as --flag, --flag=true or --flag=false. */
enum runc_bool
{
  RUNC_BOOL_UNSET,
  RUNC_BOOL_FALSE,
  RUNC_BOOL_TRUE,
};

struct runc_args
{
  enum runc_runtime runtime;
  int command_index; /* argv index of the command; -1 when there is none */
  const char *command;
  bool exits;             /* --help, --version...: the runtime prints and exits */
  const char *root;       /* --root (crun 1.8 reads --rootless as --root too) */
  const char *log;        /* --log */
  const char *log_format; /* --log-format */

  /* create, run, exec */
  const char *id;
  unsigned long preserve_fds;   /* --preserve-fds N */
  const char *preserve_fds_arg; /* as given, for messages; NULL when absent */
  /* create, run */
  const char *bundle;      /* last -b/--bundle, NULL for the current directory */
  const char *config_file; /* crun -f/--config */
  /* exec */
  const char *process_file;             /* -p/--process */
  const char *user;                     /* -u/--user */
  const char *gids[RUNC_ARGS_MAX_LIST]; /* -g/--additional-gids */
  size_t n_gids;
  const char *caps[RUNC_ARGS_MAX_LIST]; /* -c/--cap */
  size_t n_caps;
  const char *cwd;              /* --cwd */
  enum runc_bool no_new_privs;  /* --no-new-privs[=BOOL] */
  const char *no_new_privs_arg; /* the argument as given */
  const char *apparmor;         /* --apparmor */
  const char *process_label;    /* --process-label */
  /* update */
  const char *resources_file;   /* -r/--resources: a file, or - for standard input */
  int resources_index;          /* the argv element holding that value */
  const char *update_memory;    /* --memory */
  const char *update_pids;      /* --pids-limit */
  const char *update_cpu_quota; /* --cpu-quota */
  const char *update_cpu_share; /* --cpu-share */
};

/* The commands ocigate judges; every other one passes straight through. */
bool runc_command_is_judged (const char *command);

/* Parse argv (argv[0] is the program) as `runtime` reads it.  Fails with a
 * usage-kind error for what a judged command cannot be safely read from,
 * and for a refused option. */
int runc_args_parse (enum runc_runtime runtime, int argc, char *const *argv, struct runc_args *out,
                     ocigate_error_t *err);

#endif
