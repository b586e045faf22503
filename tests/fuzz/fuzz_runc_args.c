/* libFuzzer target: the command line an engine gives runc or crun.
 *
 * bytes split on NUL -> argv (argv[0] included, at most 64 arguments, each
 * in its own allocation so a read past one is caught) -> runc_args_parse,
 * as crun reads it when argv[0] has "crun" in it (as the wrapper picks its
 * runtime by its name), else as runc does.
 *
 * Invariants (abort): an error has a message and a success none; every
 * string the parser returns points into argv (a whole argument, or the
 * value of an --opt=value); a judged command has an ID, which is a whole
 * argument after the command, unless the runtime only prints and exits
 * (--help); a command that is not judged has no ID or bundle; counts stay
 * within RUNC_ARGS_MAX_LIST, --preserve-fds within
 * RUNC_ARGS_MAX_PRESERVE_FDS and given when not 0; the runtime is the one
 * asked for.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "fuzz_common.h"

#include "cli/runc_args.h"

#define MAX_ARGS 64

static int argc_;
static char *argv_[MAX_ARGS + 1];

/* The index of the argument s points into; -1 when it points elsewhere. */
static int
arg_of (const char *s)
{
  for (int i = 0; i < argc_; i++)
    if (s >= argv_[i] && s <= argv_[i] + strlen (argv_[i]))
      return i;
  return -1;
}

static void
check_into_argv (const char *s, const char *what)
{
  if (s != NULL && arg_of (s) < 0)
    fuzz_fail ("%s does not point into argv", what);
}

static void
check (const struct runc_args *a)
{
  check_into_argv (a->root, "root");
  check_into_argv (a->log, "log");
  check_into_argv (a->log_format, "log_format");
  check_into_argv (a->bundle, "bundle");
  check_into_argv (a->config_file, "config_file");
  check_into_argv (a->process_file, "process_file");
  check_into_argv (a->user, "user");
  check_into_argv (a->cwd, "cwd");
  check_into_argv (a->apparmor, "apparmor");
  check_into_argv (a->process_label, "process_label");
  check_into_argv (a->no_new_privs_arg, "no_new_privs_arg");
  check_into_argv (a->preserve_fds_arg, "preserve_fds_arg");
  if (a->preserve_fds > RUNC_ARGS_MAX_PRESERVE_FDS || (a->preserve_fds && a->preserve_fds_arg == NULL))
    fuzz_fail ("preserve_fds %lu over the limit or not given", a->preserve_fds);
  if ((a->no_new_privs == RUNC_BOOL_UNSET) != (a->no_new_privs_arg == NULL))
    fuzz_fail ("no_new_privs and its argument disagree");
  if (a->n_gids > RUNC_ARGS_MAX_LIST || a->n_caps > RUNC_ARGS_MAX_LIST)
    fuzz_fail ("n_gids %zu or n_caps %zu over the limit", a->n_gids, a->n_caps);
  for (size_t i = 0; i < a->n_gids; i++)
    check_into_argv (a->gids[i], "gids[i]");
  for (size_t i = 0; i < a->n_caps; i++)
    check_into_argv (a->caps[i], "caps[i]");

  if (a->command_index < 0)
    {
      if (a->command != NULL || a->id != NULL)
        fuzz_fail ("no command index, but a command or ID");
      return;
    }
  if (a->command_index < 1 || a->command_index >= argc_ || a->command != argv_[a->command_index])
    fuzz_fail ("command_index %d does not name the command", a->command_index);
  if (!runc_command_is_judged (a->command))
    {
      if (a->id || a->bundle || a->config_file || a->process_file || a->user || a->n_gids || a->n_caps)
        fuzz_fail ("command \"%s\" is not judged but has judged fields", a->command);
      return;
    }
  if (a->id == NULL && a->exits)
    return;
  if (a->id == NULL)
    fuzz_fail ("judged command \"%s\" without an ID", a->command);
  int k = arg_of (a->id);
  if (k <= a->command_index || a->id != argv_[k])
    fuzz_fail ("the ID of \"%s\" is not a whole argument after the command", a->command);
  if (strcmp (a->command, "exec") == 0 && (a->bundle || a->config_file))
    fuzz_fail ("exec with a bundle or config file");
  if (strcmp (a->command, "exec") != 0
      && (a->process_file || a->user || a->n_gids || a->n_caps || a->cwd || a->apparmor || a->process_label
          || a->no_new_privs != RUNC_BOOL_UNSET))
    fuzz_fail ("%s with exec's options", a->command);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *p = size ? (const char *)data : "", *end = p + size;
  argc_ = 0;
  while (argc_ < MAX_ARGS && (p < end || argc_ == 0))
    {
      const char *nul = p < end ? memchr (p, '\0', (size_t)(end - p)) : NULL;
      size_t len = nul ? (size_t)(nul - p) : (size_t)(end - p);
      argv_[argc_] = xmalloc (len + 1);
      if (len)
        memcpy (argv_[argc_], p, len);
      argv_[argc_][len] = '\0';
      argc_++;
      p += len + (nul ? 1 : 0);
    }
  argv_[argc_] = NULL;

  enum runc_runtime rt = strstr (argv_[0], "crun") ? RUNC_RUNTIME_CRUN : RUNC_RUNTIME_RUNC;
  struct runc_args a;
  ocigate_error_t err = NULL;
  int r = runc_args_parse (rt, argc_, argv_, &a, &err);
  fuzz_check_error (r, err, "runc_args_parse");
  if (r == 0)
    {
      if (a.runtime != rt)
        fuzz_fail ("runtime %d, asked for %d", a.runtime, rt);
      check (&a);
    }
  else
    ocigate_error_free (&err);
  for (int i = 0; i < argc_; i++)
    free (argv_[i]);
  return 0;
}
