/* ocigate: reading the command line an engine gives runc or crun.
 *
 * A pure function over argv, so it can be tested and fuzzed alone.  It
 * knows the options of runc 1.1 and crun 1.8 that the judged commands
 * (create, run, exec, update) take; an unknown option there is refused rather
 * than guessed at, since guessing wrong could judge one bundle while the
 * runtime starts another.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_RUNC_ARGS_H
#define OCIGATE_RUNC_ARGS_H

#include "base/error.h"

#define RUNC_ARGS_MAX_LIST 256

struct runc_args
{
  int command_index; /* argv index of the command; -1 when there is none */
  const char *command;
  const char *root;       /* --root */
  const char *log;        /* --log */
  const char *log_format; /* --log-format */

  /* create, run, exec */
  const char *id;
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
  /* update */
  const char *resources_file; /* -r/--resources: a file, or - for standard input */
  int resources_index;        /* the argv element holding that value */
  const char *update_memory;  /* --memory */
  const char *update_pids;    /* --pids-limit */
};

/* The commands ocigate judges; every other one passes straight through. */
bool runc_command_is_judged (const char *command);

/* Parse argv (argv[0] is the program).  Fails with a usage-kind error for
 * what a judged command cannot be safely read from. */
int runc_args_parse (int argc, char *const *argv, struct runc_args *out, ocigate_error_t *err);

#endif
