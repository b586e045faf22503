/* ocigate-runc / ocigate-crun: a wrapper runtime in front of runc or crun,
 * for engines that run a runtime rather than hooks (Docker, containerd).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/containerd_label.h"
#include "base/fsutil.h"
#include "gate/decide.h"
#include "gate/real_runtime.h"
#include "base/jsonio.h"
#include "cli/runc_args.h"
#include "cli/runc_input.h"

/* Options for ocigate itself, accepted before the runtime's own (Docker's
 * "runtimeArgs" can pass them); removed before the runtime runs. */
#define OPT_POLICY "--ocigate-policy="
#define OPT_DRY_RUN "--ocigate-dry-run"

/* How many wrappers deep this one runs: each sets it, one more, for the
 * runtime it runs.  A runtime that runs `runc` by name, which is the
 * wrapper again (after `ocigate setup runtimes`), would otherwise loop. */
#define WRAPPER_DEPTH_ENV "OCIGATE_WRAPPER_DEPTH"
#define WRAPPER_MAX_DEPTH 4

struct wrapper
{
  const char *runtime; /* "runc" or "crun" */
  const char *policy_path;
  bool dry_run;
  int argc;
  char **argv; /* the runtime's argv, ocigate's options removed */
  struct runc_args args;
};

/* Append the refusal to the runtime's log as the runtime would: Docker and
 * containerd show the last error line of it to the person who typed the
 * command.  A log that cannot be written changes nothing. */
static void
append_runtime_log (const struct wrapper *w, const char *msg)
{
  if (w->args.log == NULL)
    return;
  int fd = open (w->args.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    return;
  char stamp[UTC_STAMP_SIZE];
  utc_stamp (stamp);
  struct strbuf sb = { 0 };
  if (w->args.log_format && strcmp (w->args.log_format, "json") == 0)
    {
      strbuf_append (&sb, "{\"level\":\"error\",\"msg\":");
      strbuf_append_json_string (&sb, msg);
      strbuf_appendf (&sb, ",\"time\":\"%s\"}\n", stamp);
    }
  else
    {
      strbuf_appendf (&sb, "time=\"%s\" level=error msg=", stamp);
      strbuf_append_json_string (&sb, msg);
      strbuf_append (&sb, "\n");
    }
  if (write_all (fd, sb.buf, sb.len) < 0)
    {
      /* the decision stands either way */
    }
  strbuf_release (&sb);
  close (fd);
}

/* Refused: the reasons to stderr and to the runtime's log; the decision
 * log has them already (but for `note`, which may be NULL: what the
 * wrapper adds about the runtime's options). */
static int
wrapper_refused (const struct wrapper *w, const struct gate_result *res, const char *note)
{
  fputs (res->refusal, stderr);
  if (note)
    fputs (note, stderr);
  /* One log line, reasons joined: the engines show only the last line. */
  cleanup_free char *text = xasprintf ("%s%s", res->refusal, note ? note : "");
  struct strbuf sb = { 0 };
  char *save = NULL;
  for (char *line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      if (sb.len && strncmp (line, "ocigate: ", 9) == 0)
        line += 9;
      strbuf_appendf (&sb, "%s%s", sb.len ? "; " : "", line);
    }
  cleanup_free char *joined = strbuf_steal (&sb);
  append_runtime_log (w, joined);
  if (res->log_error)
    fprintf (stderr, "ocigate: %s\n", res->log_error);
  return EXIT_DENIED;
}

/* What the wrapper itself could not read or do refuses too. */
static int
wrapper_refuse (const struct wrapper *w, const struct gate_request *req, const char *error)
{
  cleanup_gate_result struct gate_result res = { 0 };
  gate_refuse (req, error, &res);
  return wrapper_refused (w, &res, NULL);
}

static int
exec_runtime (const char *real, struct wrapper *w)
{
  /* argv[0] is the runtime's own path; the copy is ours until execv. */
  cleanup_free char *argv0 = xstrdup (real);
  w->argv[0] = argv0;
  execv (real, w->argv);
  int e = errno;
  fprintf (stderr, "ocigate: cannot run %s: %s\n", real, strerror (e));
  return EXIT_DENIED;
}

/* The runtime to run for the policy's runtime.NAME (`configured`): never
 * this binary (gate/real_runtime.h), nor a runtime that has run the
 * wrapper WRAPPER_MAX_DEPTH times in a row.  Whatever runs next (state,
 * the command) is told one wrapper more. */
static int
wrapper_real_runtime (const struct wrapper *w, const char *configured, char **real, ocigate_error_t *err)
{
  const char *now = getenv (WRAPPER_DEPTH_ENV);
  long depth = 0;
  if (now && *now)
    {
      char *end = NULL;
      errno = 0;
      depth = strtol (now, &end, 10);
      if (errno || *end || depth < 0)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s=%s: not a count of wrappers", WRAPPER_DEPTH_ENV, now);
    }
  if (depth >= WRAPPER_MAX_DEPTH)
    return ocigate_error_make (err, 0, OCIGATE_ERR_POLICY,
                               "ocigate-%s runs %ld wrappers deep (%s): the runtime it runs, runtime.%s %s, calls it "
                               "back (runs %s by name, which is the wrapper): set runtime.%s in the policy to the real "
                               "%s",
                               w->runtime, depth, WRAPPER_DEPTH_ENV, w->runtime, configured, w->runtime, w->runtime,
                               w->runtime);
  if (real_runtime_resolve (configured, w->runtime, DPKG_DIVERSIONS, real, err) < 0)
    return -1;
  char next[24];
  (void)snprintf (next, sizeof next, "%ld", depth + 1);
  if (setenv (WRAPPER_DEPTH_ENV, next, 1) < 0)
    return ocigate_error_make_errno (err, errno, "setenv %s", WRAPPER_DEPTH_ENV);
  return 0;
}

/* `RUNTIME --root R state ID` names the bundle of a running container. */
static int
container_bundle (const char *real, const struct wrapper *w, char **bundle, ocigate_error_t *err)
{
  int pipefd[2];
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return ocigate_error_make_errno (err, errno, "pipe");
  pid_t pid = fork ();
  if (pid < 0)
    {
      int e = errno;
      close (pipefd[0]);
      close (pipefd[1]);
      return ocigate_error_make_errno (err, e, "fork");
    }
  if (pid == 0)
    {
      dup2 (pipefd[1], STDOUT_FILENO);
      /* Standard input is the command's (update --resources -), not state's. */
      int null_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (null_fd < 0 || dup2 (null_fd, STDIN_FILENO) < 0)
        _exit (127);
      char *argv[8];
      int n = 0;
      argv[n++] = xstrdup (real);
      if (w->args.root)
        {
          argv[n++] = xstrdup ("--root");
          argv[n++] = xstrdup (w->args.root);
        }
      argv[n++] = xstrdup ("state");
      argv[n++] = xstrdup (w->args.id);
      argv[n] = NULL;
      execv (real, argv);
      _exit (127);
    }
  close (pipefd[1]);
  cleanup_close int rfd = pipefd[0];
  cleanup_free char *buf = NULL;
  size_t len = 0;
  int r = read_fd_limited (rfd, "runtime state", OCIGATE_MAX_STATE_BYTES, &buf, &len, err);
  /* A runtime that says more than the limit, or that ocigate stopped
   * reading, would wait forever on the full pipe. */
  if (r < 0)
    kill (pid, SIGKILL);
  close (steal_fd (&rfd));
  int status = 0;
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (r < 0)
    return -1;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s state %s failed: no such container to judge", real,
                               w->args.id);
  cleanup_free char *id = NULL;
  if (oci_state_parse (buf, len, &id, bundle, NULL, err) < 0)
    return ocigate_error_prefix (err, "%s state %s", real, w->args.id);
  return 0;
}

/* What a judged command puts before the policy. */
enum judged
{
  JUDGED_CONTAINER, /* create, run: the container's config */
  JUDGED_EXEC,      /* exec: the process it adds to a running container */
  JUDGED_UPDATE,    /* update: the resources it changes */
};

static enum judged
judged_of (const char *command)
{
  if (strcmp (command, "exec") == 0)
    return JUDGED_EXEC;
  if (strcmp (command, "update") == 0)
    return JUDGED_UPDATE;
  return JUDGED_CONTAINER;
}

/* What the wrapper's own steps of the decision work on. */
struct wrapper_input
{
  struct wrapper *w;
  const char *config_path;
  char **update_text; /* update --resources as read, for the runtime */
  size_t update_len;
};

static int
prepare_exec (void *data, struct oci_config *cfg, json_object **update UNUSED, ocigate_error_t *err)
{
  const struct wrapper_input *in = data;
  return runc_exec_process (&in->w->args, cfg, err);
}

/* The runtime makes the namespaces and mounts after the wrapper has
 * judged their description, resolving its paths again: a hook at
 * createRuntime, once they are made and before the container's process
 * runs, judges what they really are (core/live.h), with the wrapper's
 * policy. */
static int
prepare_container (void *data, struct oci_config *cfg, json_object **update UNUSED, ocigate_error_t *err)
{
  const struct wrapper_input *in = data;
  json_object *args = json_object_new_array ();
  json_object_array_add (args, json_object_new_string ("ocigate"));
  json_object_array_add (args, json_object_new_string ("hook"));
  json_object_array_add (args, json_object_new_string ("--stage"));
  json_object_array_add (args, json_object_new_string ("createRuntime"));
  json_object_array_add (args, json_object_new_string ("--verify"));
  if (in->w->policy_path)
    {
      /* The runtime runs hooks from a directory of its own. */
      cleanup_free char *abs = realpath (in->w->policy_path, NULL);
      if (abs == NULL)
        {
          json_object_put (args);
          return ocigate_error_make_errno (err, errno, "add the verification hook: policy %s", in->w->policy_path);
        }
      json_object_array_add (args, json_object_new_string ("-p"));
      json_object_array_add (args, json_object_new_string (abs));
    }
  if (cli_prepend_hook (cfg->root, "createRuntime", args, err) < 0)
    return ocigate_error_prefix (err, "add the verification hook");
  return 0;
}

static int
prepare_update (void *data, struct oci_config *cfg UNUSED, json_object **update, ocigate_error_t *err)
{
  struct wrapper_input *in = data;
  return runc_update_resources (&in->w->args, in->update_text, &in->update_len, update, err);
}

static int
write_json (const char *path, json_object *what, ocigate_error_t *err)
{
  cleanup_free char *text = xasprintf ("%s\n", json_to_text_compact (what));
  return write_file_atomic (path, text, strlen (text), err);
}

static int
commit_config (void *data, const struct oci_config *cfg, ocigate_error_t *err)
{
  const struct wrapper_input *in = data;
  return write_json (in->config_path, cfg->root, err);
}

/* An exec's fixes go to its process file; the container's own config is
 * not the exec's to change. */
static int
commit_process (void *data, const struct oci_config *cfg, ocigate_error_t *err)
{
  const struct wrapper_input *in = data;
  return write_json (in->w->args.process_file, json_get (cfg->root, "process"), err);
}

/* Adds one line of exec_option_notes(), escaped. */
static void
add_note (struct strbuf *sb, char *line)
{
  cleanup_free char *printable = printable_line (line);
  strbuf_appendf (sb, "ocigate: %s\n", printable);
}

/* A flag-built exec refused for what an option of the runtime's (or its
 * absence, to crun) put in the process: which option, its value, and what
 * would make it pass, in the runtime's words.  NULL when there is none. */
static char *
exec_option_notes (const struct runc_args *a, const struct gate_result *res, bool can_rewrite)
{
  if (a->process_file)
    return NULL;
  bool crun = a->runtime == RUNC_RUNTIME_CRUN;
  bool nnp = false, apparmor = false, label = false, user = false, cwd = false;
  for (size_t i = 0; i < res->verdict.n_findings; i++)
    {
      const struct finding *f = &res->verdict.findings[i];
      if (f->action != ACTION_DENY && !(f->action == ACTION_FIX && !can_rewrite))
        continue;
      nnp |= strcmp (f->path, "/process/noNewPrivileges") == 0;
      apparmor |= strcmp (f->path, "/process/apparmorProfile") == 0;
      label |= strcmp (f->path, "/process/selinuxLabel") == 0;
      user |= strncmp (f->path, "/process/user", 13) == 0;
      cwd |= strcmp (f->path, "/process/cwd") == 0;
    }
  struct strbuf sb = { 0 };
  if (nnp && !crun && a->no_new_privs == RUNC_BOOL_FALSE)
    add_note (&sb, xasprintf ("%s makes this exec's process.noNewPrivileges false: drop the option (runc then keeps "
                              "the container's noNewPrivileges)",
                              a->no_new_privs_arg));
  if (nnp && crun && a->no_new_privs == RUNC_BOOL_UNSET)
    add_note (&sb, xstrdup ("crun exec without --no-new-privs runs the process with noNewPrivileges false: add "
                            "--no-new-privs, or pass the process with --process"));
  if (apparmor && a->apparmor)
    add_note (&sb, xasprintf ("--apparmor %s sets this exec's process.apparmorProfile: drop the option (the "
                              "container's profile then applies) or name a confining profile",
                              a->apparmor));
  if (label && a->process_label)
    add_note (&sb, xasprintf ("--process-label %s sets this exec's process.selinuxLabel: drop the option (the "
                              "container's label then applies) or name a confining label",
                              a->process_label));
  /* runc takes only a non-empty --cwd (runc_input.c); crun any. */
  if (cwd && a->cwd && (crun || a->cwd[0]))
    add_note (&sb,
              xasprintf ("--cwd %s sets this exec's process.cwd: drop the option (%s) or name a directory of "
                         "the container",
                         a->cwd,
                         crun ? "crun then starts the process in /" : "runc then keeps the container's process.cwd"));
  if (user && crun && a->user == NULL)
    add_note (&sb, xstrdup ("crun exec without --user runs the process as 0:0: pass --user UID[:GID], or the "
                            "process with --process"));
  return sb.len ? strbuf_steal (&sb) : NULL;
}

static int
wrapper_judge (struct wrapper *w)
{
  heap_reserve (CLI_DECISION_HEAP);
  enum judged judged = judged_of (w->args.command);
  cleanup_free char *where = xasprintf ("ocigate-%s %s", w->runtime, w->args.command);
  cleanup_free char *update_text = NULL;
  struct wrapper_input in = { .w = w, .update_text = &update_text };
  struct gate_request req = {
    .where = where,
    .dry_run = w->dry_run ? GATE_DRY_RUN_ON : GATE_DRY_RUN_POLICY,
    .cannot_rewrite = "drop the option that adds it, or pass the process with --process",
    .policy = { .path = w->policy_path, .trusted = true },
    .id = w->args.id,
    .data = &in,
    .log = GATE_LOG_WRITE,
  };
  switch (judged)
    {
    case JUDGED_CONTAINER:
      req.can_rewrite = true;
      req.annotate = true;
      req.commit = commit_config;
      break;

    case JUDGED_EXEC:
      /* An exec is rewritten through its --process file; flags cannot be. */
      req.can_rewrite = w->args.process_file != NULL;
      req.prepare = prepare_exec;
      req.commit = commit_process;
      break;
    case JUDGED_UPDATE:
      /* An update is not rewritten. */
      req.cannot_rewrite = "keep the limit";
      req.prepare = prepare_update;
      break;
    }
  cleanup_error ocigate_error_t err = NULL;
  cleanup_policy struct policy *policy = NULL;
  if (gate_load_policy (&req.policy, &policy, &err) < 0)
    return wrapper_refuse (w, &req, err->msg);
  req.policy.loaded = policy;
  /* A dry run lets the container start unchanged. */
  if (judged == JUDGED_CONTAINER && !w->dry_run && !policy->dry_run)
    {
      req.prepare = prepare_container;
      req.commit_always = true;
    }
  cleanup_free char *real = NULL;
  if (wrapper_real_runtime (w, strcmp (w->runtime, "crun") == 0 ? policy->runtime_crun : policy->runtime_runc, &real,
                            &err)
      < 0)
    return wrapper_refuse (w, &req, err->msg);

  cleanup_free char *bundle = NULL;
  if (judged == JUDGED_CONTAINER)
    bundle = xstrdup (w->args.bundle ? w->args.bundle : ".");
  else if (container_bundle (real, w, &bundle, &err) < 0)
    return wrapper_refuse (w, &req, err->msg);
  req.bundle = bundle;
  /* crun 1.8 reads --config FILE from the current directory, except the
   * name config.json itself, which it reads from the bundle. */
  const char *cf = judged == JUDGED_CONTAINER ? w->args.config_file : NULL;
  cleanup_free char *config_path
      = cf && strcmp (cf, "config.json") != 0 ? xstrdup (cf) : xasprintf ("%s/config.json", bundle);
  in.config_path = config_path;
  /* The runtime reads the file again after us: nobody else may be able to
   * swap it in between. */
  req.config.from = GATE_CONFIG_FILE;
  req.config.path = config_path;
  req.config.trusted = true;

  cleanup_gate_result struct gate_result res = { 0 };
  if (gate_decide (&req, &res, &err) < 0 || res.outcome == GATE_REFUSE)
    {
      cleanup_free char *note = judged == JUDGED_EXEC ? exec_option_notes (&w->args, &res, req.can_rewrite) : NULL;
      return wrapper_refused (w, &res, note);
    }
  /* Where the engine shows a successful runtime's standard error (Podman),
   * the rewrite is not a surprise: a dropped capability otherwise shows
   * only as an EPERM inside the container. */
  if (res.rewrote)
    fprintf (stderr, "ocigate: rewrote: %s\n", res.rewrote);
  /* containerd's inspect command (`ctr containers info`) shows its own
   * record, not the config: the rewrite goes there too, as a label.  It
   * changes no decision and holds the start up for at most
   * CONTAINERD_LABEL_TIMEOUT_MS; only a rewrite pays for it. */
  cleanup_error ocigate_error_t lerr = NULL;
  if (res.rewrote && judged == JUDGED_CONTAINER
      && containerd_label (bundle, w->args.id, OCIGATE_REWRITE_ANNOTATION, res.rewrote, &lerr) < 0)
    fprintf (stderr, "ocigate: %s; the container starts as judged, rewritten\n", lerr->msg);
  if (res.log_error)
    fprintf (stderr, "ocigate: %s\n", res.log_error);
  cleanup_error ocigate_error_t herr = NULL;
  if (update_text && runc_hand_over_resources (&w->args, w->argv, update_text, in.update_len, &herr) < 0)
    return wrapper_refuse (w, &req, herr->msg);
  return exec_runtime (real, w);
}

int
wrapper_main (int argc, char **argv, const char *runtime)
{
  struct wrapper w = { .runtime = runtime };
  /* argv without ocigate's own leading options; argv[argc] stays NULL. */
  cleanup_free char **args = xreallocarray (NULL, (size_t)argc + 1, sizeof (char *));
  int n = 0;
  args[n++] = argv[0];
  int i = 1;
  for (; i < argc; i++)
    {
      if (strncmp (argv[i], OPT_POLICY, strlen (OPT_POLICY)) == 0)
        w.policy_path = argv[i] + strlen (OPT_POLICY);
      else if (strcmp (argv[i], OPT_DRY_RUN) == 0)
        w.dry_run = true;
      else
        break;
    }
  for (; i < argc; i++)
    args[n++] = argv[i];
  args[n] = NULL;
  w.argc = n;
  w.argv = args;

  cleanup_error ocigate_error_t err = NULL;
  enum runc_runtime rt = strcmp (runtime, "crun") == 0 ? RUNC_RUNTIME_CRUN : RUNC_RUNTIME_RUNC;
  /* The descriptors the runtime passes on are looked at before the wrapper
   * opens anything that could take their numbers. */
  if (runc_args_parse (rt, w.argc, w.argv, &w.args, &err) < 0
      || (runc_command_is_judged (w.args.command) && !w.args.exits && strcmp (w.args.command, "update") != 0
          && runc_check_passed_fds (&w.args, &err) < 0))
    {
      cleanup_free char *where = xasprintf ("ocigate-%s", runtime);
      struct gate_request req = { .where = where, .log = GATE_LOG_WRITE };
      return wrapper_refuse (&w, &req, err->msg);
    }
  if (!runc_command_is_judged (w.args.command) || w.args.exits)
    {
      /* start, state, kill, delete, features, --version, create --help...:
       * the runtime's alone, and it must work even when the policy does
       * not. */
      cleanup_free char *configured = policy_runtime_path_lenient (w.policy_path, runtime);
      cleanup_free char *real = NULL;
      if (wrapper_real_runtime (&w, configured, &real, &err) < 0)
        {
          fprintf (stderr, "ocigate: %s\n", err->msg);
          return EXIT_DENIED;
        }
      return exec_runtime (real, &w);
    }
  return wrapper_judge (&w);
}
