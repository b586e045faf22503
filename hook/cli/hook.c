/* ocigate hook: the OCI hook for runc, crun, Podman and CRI-O.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "base/fsutil.h"
#include "gate/decide.h"
#include "gate/decision_log.h"
#include "base/jsonio.h"

const char usage_hook[]
    = "Usage: ocigate hook [-p POLICY] [--stage STAGE] [--dry-run]\n"
      "Run as an OCI hook.  Engines start it with an empty environment; it needs none.\n"
      "  prestart, createRuntime, createContainer (default prestart): the OCI state is on stdin;\n"
      "      judge BUNDLE/config.json; exit 0 silently to allow, 1 with one line per reason to refuse\n"
      "      (at most three of a rule, then how many more; `ocigate check` lists them all).\n"
      "      At prestart and createRuntime, with the state's pid, the namespaces, ID mappings and\n"
      "      mounts are judged as the container's process really has them.\n"
      "      The config can no longer change here, so a finding the policy would fix refuses too.\n"
      "  precreate (Podman): the config is on stdin; the config to use is written to stdout,\n"
      "      rewritten where the policy fixes it.  A refused config comes back with an ocigate\n"
      "      prestart hook added that refuses it with the reason, so the runtime shows it.\n"
      "  -p, --policy FILE  policy (default "
      "/etc/ocigate/policy.json"
      " if present, else the embedded one);\n"
      "                     it must belong to root and be writable by nobody else\n"
      "  --dry-run          let every container start unchanged; log what would have happened\n"
      "  --verify           the wrapper judged and logged this container before the runtime made it:\n"
      "                     log only a refusal of what the runtime really made\n";

char *
cli_self_exe (ocigate_error_t *err)
{
  char buf[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0)
    {
      ocigate_error_make_errno (err, errno, "readlink /proc/self/exe");
      return NULL;
    }
  buf[n] = '\0';
  return xstrdup (buf);
}

static void
print_log_error (const struct gate_result *res)
{
  if (res->log_error)
    fprintf (stderr, "ocigate: %s\n", res->log_error);
}

/* Refused: the reasons to stderr; the decision log has them already. */
static int
refused (const struct gate_result *res)
{
  fputs (res->refusal, stderr);
  print_log_error (res);
  return EXIT_DENIED;
}

static int
hook_state (const char *policy_path, bool dry_run, const char *stage, bool verify)
{
  cleanup_free char *where = xasprintf ("hook %s", stage);
  struct gate_request req = {
    .where = where,
    .dry_run = dry_run ? GATE_DRY_RUN_ON : GATE_DRY_RUN_POLICY,
    .policy = { .path = policy_path, .trusted = true },
    /* After the precreate hook, which logged the decision and marked the
     * config with it (gate/decision_log.h), only what differs. */
    .log = verify ? GATE_LOG_WRITE_REFUSAL : GATE_LOG_WRITE_UNMARKED,
  };
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  cleanup_free char *buf = NULL, *id = NULL, *bundle = NULL;
  size_t len = 0;
  pid_t pid = 0;
  if (read_fd_limited (STDIN_FILENO, "OCI state", OCIGATE_MAX_STATE_BYTES, &buf, &len, &err) < 0
      || oci_state_parse (buf, len, &id, &bundle, &pid, &err) < 0)
    {
      gate_refuse (&req, err->msg, &res);
      return refused (&res);
    }
  req.id = id;
  req.bundle = bundle;
  /* At prestart and createRuntime the runtime has made the container's
   * namespaces and mounts, and its process waits for the hooks: judge
   * what it really has.  createContainer runs in the container's own
   * namespaces, where the host's cannot be told apart. */
  if (strcmp (stage, "createContainer") != 0)
    req.live_pid = pid;
  /* The runtime read the file before us: nobody else may be able to swap
   * it in between. */
  cleanup_free char *config_path = xasprintf ("%s/config.json", bundle);
  req.config.from = GATE_CONFIG_FILE;
  req.config.path = config_path;
  req.config.trusted = true;
  if (gate_decide (&req, &res, &err) < 0 || res.outcome == GATE_REFUSE)
    return refused (&res);
  print_log_error (&res);
  return EXIT_ALLOWED;
}

int
cli_prepend_hook (json_object *root, const char *stage, json_object *args, ocigate_error_t *err)
{
  cleanup_json json_object *owned_args = args;
  cleanup_free char *self = cli_self_exe (err);
  if (self == NULL)
    return -1;
  json_object *hooks = json_get (root, "hooks");
  if (hooks == NULL || json_object_is_type (hooks, json_type_null))
    {
      hooks = json_object_new_object ();
      json_object_object_add (root, "hooks", hooks);
    }
  if (!json_object_is_type (hooks, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "hooks: must be an object");
  json_object *list = json_get (hooks, stage);
  if (list && !json_object_is_type (list, json_type_null) && !json_object_is_type (list, json_type_array))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "hooks.%s: must be an array", stage);
  json_object *hook = json_object_new_object ();
  json_object_object_add (hook, "path", json_object_new_string (self));
  json_object_object_add (hook, "args", steal_pointer (&owned_args));
  /* json-c 0.16 cannot insert: rebuild the list with ours first. */
  json_object *first = json_object_new_array ();
  json_object_array_add (first, hook);
  size_t n = list && json_object_is_type (list, json_type_array) ? json_object_array_length (list) : 0;
  for (size_t i = 0; i < n; i++)
    json_object_array_add (first, json_object_get (json_object_array_get_idx (list, i)));
  json_object_object_add (hooks, stage, first);
  return 0;
}

/* Put a hook that refuses with `reasons` first in prestart and
 * createRuntime: Podman drops a precreate hook's stderr, the runtime shows
 * a prestart hook's. */
static int
inject_refusal (json_object *root, const char *reasons, ocigate_error_t *err)
{
  static const char *const stages[] = { "prestart", "createRuntime" };
  for (size_t s = 0; s < ARRAY_SIZE (stages); s++)
    {
      json_object *args = json_object_new_array ();
      json_object_array_add (args, json_object_new_string ("ocigate"));
      json_object_array_add (args, json_object_new_string ("hook"));
      cleanup_free char *copy = xstrdup (reasons);
      char *save = NULL;
      for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        {
          json_object_array_add (args, json_object_new_string ("--refuse"));
          json_object_array_add (args, json_object_new_string (line));
        }
      if (cli_prepend_hook (root, stages[s], args, err) < 0)
        return -1;
    }
  return 0;
}

/* The refused config still goes to the runtime: drop what the runtime
 * would act on before the refusing hook runs (rule.h, disarm_refused).
 * Refused unjudged (error set), the findings made before the error are not
 * all there are: every such rule disarms all it would judge. */
static void
disarm_refused (json_object *root, const struct verdict *v, const char *error)
{
  if (error)
    for (const struct rule *const *r = rule_table; *r; r++)
      if ((*r)->disarm_unjudged)
        (*r)->disarm_unjudged (root);
  /* Found first, then removed: taking hooks.poststop[0] out does not move
   * hooks.poststop[1] onto what another finding names. */
  cleanup_free char **doomed = xreallocarray (NULL, v->n_findings + 1, sizeof *doomed);
  size_t n = 0;
  for (size_t i = 0; i < v->n_findings; i++)
    {
      const struct rule *r = rule_find (v->findings[i].rule);
      if (r && r->disarm_refused)
        doomed[n++] = v->findings[i].path;
    }
  json_pointers_remove (root, doomed, n);
}

static int
emit_stdout (const char *data, size_t len)
{
  if (write_all (STDOUT_FILENO, data, len) < 0)
    {
      fprintf (stderr, "ocigate: write the config to stdout: %s\n", strerror (errno));
      return EXIT_DENIED;
    }
  return EXIT_ALLOWED;
}

static int
emit_tree (json_object *root)
{
  cleanup_free char *text = xasprintf ("%s\n", json_to_text (root));
  return emit_stdout (text, strlen (text));
}

static int
hook_precreate (const char *policy_path, bool dry_run)
{
  struct gate_request req = {
    .where = "hook precreate",
    .can_rewrite = true,
    .annotate = true,
    .dry_run = dry_run ? GATE_DRY_RUN_ON : GATE_DRY_RUN_POLICY,
    .policy = { .path = policy_path, .trusted = true },
    .log = GATE_LOG_WRITE,
    .log_findings_on_error = true,
  };
  cleanup_gate_result struct gate_result res = { 0 };
  cleanup_error ocigate_error_t err = NULL;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  cleanup_oci_config struct oci_config *cfg = NULL;
  /* Without a config there is nothing to hand back: fail the hook. */
  if (read_fd_limited (STDIN_FILENO, "config.json", OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0
      || oci_config_load_buffer (buf, len, "config.json", &cfg, &err) < 0)
    {
      gate_refuse (&req, err->msg, &res);
      return refused (&res);
    }
  req.config.from = GATE_CONFIG_LOADED;
  req.config.loaded = cfg;
  /* What could not be judged is refused like the rest, below. */
  (void)gate_decide (&req, &res, &err);
  print_log_error (&res);
  if (res.outcome != GATE_REFUSE)
    {
      /* The decision is logged here: the prestart hook, which judges the
       * config handed on, logs it again only if it decides otherwise.  A
       * mark this hook was given is not its own: replaced or taken off. */
      const char *mark = res.log_line ? gate_judged_decision (res.outcome, &res.verdict) : NULL;
      bool marked = json_get (json_get (cfg->root, "annotations"), GATE_JUDGED_ANNOTATION) != NULL;
      if ((mark || marked) && gate_judged_mark (cfg->root, mark))
        return emit_tree (cfg->root);
      /* As it came, unless rewritten or it came with ocigate's rewrite
       * annotation (removed). */
      return res.outcome == GATE_REWRITE || res.annotation_removed ? emit_tree (cfg->root) : emit_stdout (buf, len);
    }
  fputs (res.refusal, stderr);
  disarm_refused (cfg->root, &res.verdict, res.error);
  /* Refused before the gate could annotate (the policy did not load):
   * what the config claims ocigate rewrote goes all the same. */
  bool changed;
  cleanup_error ocigate_error_t aerr = NULL;
  (void)gate_annotate (cfg->root, NULL, &changed, &aerr);
  cleanup_error ocigate_error_t ierr = NULL;
  if (inject_refusal (cfg->root, res.refusal, &ierr) < 0)
    {
      fprintf (stderr, "ocigate: %s\n", ierr ? ierr->msg : "cannot add the refusing hook");
      return EXIT_DENIED;
    }
  return emit_tree (cfg->root);
}

int
cmd_hook (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "policy", required_argument, NULL, 'p' }, { "stage", required_argument, NULL, 's' },
    { "dry-run", no_argument, NULL, 'n' },      { "refuse", required_argument, NULL, 'r' },
    { "verify", no_argument, NULL, 'v' },       { NULL, 0, NULL, 0 },
  };
  const char *policy_path = NULL, *stage = "prestart";
  bool dry_run = false, refusing = false, verify = false;
  int c;
  while ((c = getopt_long (argc, argv, "+p:", longopts, NULL)) != -1)
    {
      switch (c)
        {
        case 'p':
          policy_path = optarg;
          break;
        case 's':
          stage = optarg;
          break;
        case 'n':
          dry_run = true;
          break;
        case 'v':
          /* The hook the wrapper adds (wrapper.c, prepare_container()). */
          verify = true;
          break;
        case 'r':
          /* The hook inject_refusal() adds: say why, and refuse. */
          fprintf (stderr, "%s\n", optarg);
          refusing = true;
          break;
        default:
          fputs (usage_hook, stderr);
          return EXIT_DENIED;
        }
    }
  if (refusing)
    return EXIT_DENIED;
  if (optind != argc)
    {
      fprintf (stderr, "ocigate: hook takes no arguments\n%s", usage_hook);
      return EXIT_DENIED;
    }
  heap_reserve (CLI_DECISION_HEAP);
  if (strcmp (stage, "precreate") == 0)
    return hook_precreate (policy_path, dry_run);
  if (strcmp (stage, "prestart") == 0 || strcmp (stage, "createRuntime") == 0 || strcmp (stage, "createContainer") == 0)
    return hook_state (policy_path, dry_run, stage, verify);
  fprintf (stderr, "ocigate: refused: unknown hook stage '%s' (precreate, prestart, createRuntime, createContainer)\n",
           stage);
  return EXIT_DENIED;
}
