/* ocigate: the command line: check, fix and policy, audit (audit.c), and the way to the hook
 * (hook.c) and the wrapper runtime (wrapper.c).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "gate/decide.h"
#include "gate/decision_log.h"
#include "base/fsutil.h"
#include "base/jsonio.h"
#include "core/report.h"

#ifndef OCIGATE_VERSION
#define OCIGATE_VERSION "unknown"
#endif

static const char usage_main[]
    = "Usage: ocigate COMMAND [OPTION...]\n"
      "A least-privilege gate for OCI containers: judges a container's config.json against a policy.\n"
      "\n"
      "Commands:\n"
      "  check [-p POLICY] [--format text|json] CONFIG...   report the verdict, change nothing\n"
      "  fix [-p POLICY] [-i | -o OUT] CONFIG|-              write the config with the policy's fixes\n"
      "  policy show [-p POLICY]                             print the effective policy\n"
      "  policy validate FILE                                check a policy file\n"
      "  audit [-p POLICY] [--format text|json]              judge every running container and the host's wiring\n"
      "  hook [-p POLICY] [--stage STAGE] [--dry-run]        run as an OCI hook (see 'ocigate hook --help')\n"
      "  report [--since TIME] [--format text|json] [LOG...] what the decision log says was, or would have\n"
      "                                                      been, refused or rewritten, by rule\n"
      "  setup [--print] [--undo] ENGINE...                  put ocigate in front of docker, podman, containerd,\n"
      "                                                      crio, in runc's and crun's place (runtimes), or all\n"
      "                                                      (see 'ocigate setup --help')\n"
      "Installed as ocigate-runc or ocigate-crun (or as runc or crun, by setup runtimes), it is a wrapper\n"
      "runtime in front of runc or crun.\n"
      "\n"
      "Without -p, the policy is " OCIGATE_POLICY_PATH " if it exists, else the embedded default.\n"
      "Exit status: 0 allowed (as is or after rewrite), 1 denied, 2 usage error or input that cannot be judged.\n"
      "Run 'ocigate COMMAND --help' for a command's options.\n";

static const char usage_check[]
    = "Usage: ocigate check [-p POLICY] [--format text|json] [--id ID] [--bundle DIR] CONFIG...\n"
      "Judge each config.json (\"-\" for stdin) and report; never modifies anything.\n"
      "  -p, --policy FILE    policy to judge against\n"
      "  -f, --format FORMAT  text (default: one line per finding) or json (one object per config per line)\n"
      "  --id ID, --bundle DIR  the container ID and bundle the policy's exceptions match on\n"
      "                       (default: no ID, and the directory of each config)\n"
      "Exit status: 0 every config allowed (as is or after rewrite), 1 any denied, 2 usage error or a config\n"
      "that cannot be judged (unreadable, not JSON, wrong types, out-of-range numbers).\n";

static const char usage_fix[]
    = "Usage: ocigate fix [-p POLICY] [-i | -o OUT] [--id ID] [--bundle DIR] CONFIG|-\n"
      "Write the config with the policy's fixes applied; findings go to stderr.\n"
      "  -p, --policy FILE    policy to apply\n"
      "  --id ID, --bundle DIR  what the policy's exceptions match on (as for check)\n"
      "  -i, --in-place       replace CONFIG atomically (same directory, fsync, rename, same mode)\n"
      "  -o, --output FILE    write to FILE (atomically) instead of stdout\n"
      "Exit status: 0 written, 1 denied (nothing written), 2 usage error or a config that cannot be judged.\n";

static const char usage_policy[] = "Usage: ocigate policy show [-p POLICY]\n"
                                   "       ocigate policy validate FILE\n"
                                   "Print the effective policy (defaults filled in), or check a policy file.\n"
                                   "Exit status of validate: 0 valid, 1 invalid, 2 usage error.\n";

static int usage_error (const char *usage, const char *fmt, ...) PRINTF_LIKE (2, 3);

static int
usage_error (const char *usage, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("ocigate: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
  fputs (usage, stderr);
  return EXIT_ERROR;
}

static int
print_error (ocigate_error_t *err)
{
  fprintf (stderr, "ocigate: %s\n", (*err)->msg);
  return EXIT_ERROR;
}

/* The bundle a config file sits in, for exceptions that match on it;
 * NULL for stdin.  realpath() of the directory is kept for the next config
 * in the same directory (check judges many: it was a twentieth of its
 * time), except for a config that is a symbolic link, whose bundle is the
 * directory of its target. */
struct config_dirs
{
  char *given;
  char *real;
};

static void
config_dirs_release (struct config_dirs *d)
{
  free (d->given);
  free (d->real);
}
#define cleanup_config_dirs __attribute__ ((cleanup (config_dirs_release)))

/* The directory part of path: "." when it has none. */
static char *
dir_of (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash == NULL ? xstrdup (".") : slash == path ? xstrdup ("/") : xstrndup (path, (size_t)(slash - path));
}

static char *
config_dir (struct config_dirs *memo, const char *path, bool via_link)
{
  if (strcmp (path, "-") == 0)
    return NULL;
  cleanup_free char *target = via_link ? realpath (path, NULL) : NULL;
  if (via_link && target == NULL)
    return NULL;
  cleanup_free char *given = dir_of (target ? target : path);
  if (memo->given == NULL || strcmp (memo->given, given) != 0)
    {
      cleanup_free char *real = realpath (given, NULL);
      if (real == NULL)
        return NULL;
      config_dirs_release (memo);
      memo->given = steal_pointer (&given);
      memo->real = steal_pointer (&real);
    }
  return xstrdup (memo->real);
}

static bool
wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        return false;
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        return true;
    }
  return false;
}

/* check and fix: offline, so never a dry run and no decision log; they
 * can rewrite (check makes the fixes to see whether they can be made). */
static struct gate_request
offline_request (const char *where, const char *policy_path, const char *id)
{
  return (struct gate_request){
    .where = where,
    .can_rewrite = true,
    .dry_run = GATE_DRY_RUN_NEVER,
    .policy = { .path = policy_path },
    .id = id,
    .log = GATE_LOG_NONE,
  };
}

static int
cmd_check (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "policy", required_argument, NULL, 'p' },
    { "format", required_argument, NULL, 'f' },
    { "id", required_argument, NULL, 'I' },
    { "bundle", required_argument, NULL, 'B' },
    { NULL, 0, NULL, 0 },
  };
  const char *policy_path = NULL, *id = NULL, *bundle = NULL;
  bool json = false;
  int c;
  while ((c = getopt_long (argc, argv, "+p:f:", longopts, NULL)) != -1)
    {
      switch (c)
        {
        case 'p':
          policy_path = optarg;
          break;
        case 'f':
          if (cli_parse_format (optarg, &json) < 0)
            return usage_error (usage_check, "unknown format '%s' (text or json)", optarg);
          break;
        case 'I':
          id = optarg;
          break;
        case 'B':
          bundle = optarg;
          break;
        default:
          fputs (usage_check, stderr);
          return EXIT_ERROR;
        }
    }
  if (optind >= argc)
    return usage_error (usage_check, "no config to check");

  /* One policy and one host's facts for every config; the fixes of a
   * rewrite are made, to a tree that is this loop's, to see whether they
   * can be (a dry run of fix). */
  struct gate_request req = offline_request ("ocigate check", policy_path, id);
  cleanup_error ocigate_error_t err = NULL;
  cleanup_policy struct policy *policy = NULL;
  if (gate_load_policy (&req.policy, &policy, &err) < 0)
    return print_error (&err);
  req.policy.loaded = policy;

  /* Each config's tree is freed before the next one is read: left to its
   * defaults, malloc gives the top of the heap back and grows it again for
   * most configs (640 brk calls and 400 more page faults over the 3021
   * configs of the benchmark, about 5% of the time). */
  heap_reserve (CLI_DECISION_HEAP);
  cleanup_host_info struct host_info host = { 0 };
  host_info_init (&host);
  req.host = &host;
  cleanup_config_dirs struct config_dirs dirs = { 0 };
  cleanup_read_buffer struct read_buffer text = { 0 };
  int status = EXIT_ALLOWED;
  for (int i = optind; i < argc; i++)
    {
      const char *name = strcmp (argv[i], "-") == 0 ? "<stdin>" : argv[i];
      cleanup_oci_config struct oci_config *cfg = NULL;
      cleanup_gate_result struct gate_result res = { 0 };
      cleanup_error ocigate_error_t cerr = NULL;
      int r = oci_config_load_file_into (argv[i], &text, &cfg, &cerr);
      if (r == 0)
        {
          cleanup_free char *dir = bundle ? NULL : config_dir (&dirs, argv[i], cfg->via_link);
          req.bundle = bundle ? bundle : dir;
          req.config.from = GATE_CONFIG_LOADED;
          req.config.loaded = cfg;
          /* A fix that cannot be made (the seccomp rule's profile file
           * unreadable or too large) is the error fix would exit with, not
           * a "rewrite"; the engine names the config in it. */
          r = gate_decide (&req, &res, &cerr);
        }
      if (r < 0)
        {
          if (json)
            {
              cleanup_free char *line = report_json_error (name, cerr->msg);
              fputs (line, stdout);
            }
          else
            fprintf (stderr, "ocigate: %s\n", cerr->msg);
          status = EXIT_ERROR;
          continue;
        }
      cleanup_free char *out
          = json ? report_json (name, &res.verdict, &res.changes) : report_text (name, &res.verdict, &res.changes);
      fputs (out, stdout);
      if (res.outcome == GATE_REFUSE && status == EXIT_ALLOWED)
        status = EXIT_DENIED;
    }
  if (fflush (stdout) != 0)
    return EXIT_ERROR;
  return status;
}

static int
emit (const char *out_path, const char *data, size_t len, ocigate_error_t *err)
{
  if (out_path)
    return write_file_atomic (out_path, data, len, err);
  if (write_all (STDOUT_FILENO, data, len) < 0)
    return ocigate_error_make_errno (err, errno, "write to stdout");
  return 0;
}

static int
cmd_fix (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "policy", required_argument, NULL, 'p' }, { "in-place", no_argument, NULL, 'i' },
    { "output", required_argument, NULL, 'o' }, { "id", required_argument, NULL, 'I' },
    { "bundle", required_argument, NULL, 'B' }, { NULL, 0, NULL, 0 },
  };
  const char *policy_path = NULL, *out_path = NULL, *id = NULL, *bundle = NULL;
  bool in_place = false;
  int c;
  while ((c = getopt_long (argc, argv, "+p:io:", longopts, NULL)) != -1)
    {
      switch (c)
        {
        case 'p':
          policy_path = optarg;
          break;
        case 'i':
          in_place = true;
          break;
        case 'o':
          out_path = optarg;
          break;
        case 'I':
          id = optarg;
          break;
        case 'B':
          bundle = optarg;
          break;
        default:
          fputs (usage_fix, stderr);
          return EXIT_ERROR;
        }
    }
  if (optind != argc - 1)
    return usage_error (usage_fix, optind >= argc ? "no config to fix" : "fix takes one config");
  const char *path = argv[optind];
  if (in_place && out_path)
    return usage_error (usage_fix, "-i and -o exclude each other");
  if (in_place && strcmp (path, "-") == 0)
    return usage_error (usage_fix, "-i needs a file, not stdin");
  if (in_place)
    out_path = path;

  struct gate_request req = offline_request ("ocigate fix", policy_path, id);
  cleanup_error ocigate_error_t err = NULL;
  cleanup_policy struct policy *policy = NULL;
  if (gate_load_policy (&req.policy, &policy, &err) < 0)
    return print_error (&err);
  req.policy.loaded = policy;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  bool via_link = false;
  if (read_file_limited_link (path, OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &via_link, &err) < 0)
    return print_error (&err);
  const char *name = strcmp (path, "-") == 0 ? "<stdin>" : path;
  cleanup_free char *dir = NULL;
  if (bundle == NULL)
    {
      cleanup_config_dirs struct config_dirs dirs = { 0 };
      dir = config_dir (&dirs, path, via_link);
    }
  req.bundle = bundle ? bundle : dir;
  req.config.from = GATE_CONFIG_TEXT;
  req.config.text = buf;
  req.config.len = len;
  req.config.name = name;
  cleanup_gate_result struct gate_result res = { 0 };
  if (gate_decide (&req, &res, &err) < 0)
    return print_error (&err);

  cleanup_free char *report = report_text (name, &res.verdict, &res.changes);
  fputs (report, stderr);
  int r = 0;
  switch (res.outcome)
    {
    case GATE_REFUSE:
      return EXIT_DENIED;
    case GATE_ALLOW:
      /* Nothing to change: hand back the bytes as they came. */
      if (in_place)
        return EXIT_ALLOWED;
      r = emit (out_path, buf, len, &err);
      break;
    case GATE_REWRITE:
      {
        const char *text = json_to_text (res.config->root);
        cleanup_free char *with_nl = xasprintf ("%s\n", text);
        r = emit (out_path, with_nl, strlen (with_nl), &err);
        break;
      }
    }
  if (r < 0)
    return print_error (&err);
  return EXIT_ALLOWED;
}

static int
cmd_policy (int argc, char **argv)
{
  if (argc < 2)
    return usage_error (usage_policy, "policy needs a subcommand: show or validate");
  cleanup_error ocigate_error_t err = NULL;
  cleanup_policy struct policy *policy = NULL;
  if (strcmp (argv[1], "show") == 0)
    {
      static const struct option longopts[] = {
        { "policy", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
      };
      const char *policy_path = NULL;
      int c;
      optind = 1;
      while ((c = getopt_long (argc - 1, argv + 1, "+p:", longopts, NULL)) != -1)
        {
          if (c != 'p')
            {
              fputs (usage_policy, stderr);
              return EXIT_ERROR;
            }
          policy_path = optarg;
        }
      if (optind != argc - 1)
        return usage_error (usage_policy, "policy show takes no arguments besides -p");
      struct gate_policy_source src = { .path = policy_path };
      if (gate_load_policy (&src, &policy, &err) < 0)
        return print_error (&err);
      cleanup_json json_object *j = policy_to_json (policy);
      printf ("%s\n", json_to_text (j));
      /* Standard output stays a policy that loads again. */
      cleanup_free char *where = gate_log_destination (policy);
      fprintf (stderr, "ocigate: %s\n", where);
      return fflush (stdout) == 0 ? EXIT_ALLOWED : EXIT_ERROR;
    }
  if (strcmp (argv[1], "validate") == 0)
    {
      if (argc != 3)
        return usage_error (usage_policy, "policy validate takes one file");
      if (policy_load_file (argv[2], &policy, &err) < 0)
        {
          fprintf (stderr, "ocigate: %s\n", err->msg);
          return EXIT_DENIED;
        }
      printf ("%s: valid\n", argv[2]);
      return EXIT_ALLOWED;
    }
  return usage_error (usage_policy, "unknown policy subcommand '%s'", argv[1]);
}

/* "ocigate-runc" runs runc behind the gate, "ocigate-crun" crun; so do
 * "runc" and "crun", the names engines call after `ocigate setup
 * runtimes` put ocigate in their place (the wrapper then runs the real
 * one dpkg moved aside, never itself: gate/real_runtime.h). */
static const char *
wrapped_runtime (const char *argv0)
{
  const char *base = strrchr (argv0, '/');
  base = base ? base + 1 : argv0;
  if (strncmp (base, "ocigate-", 8) == 0)
    base += 8;
  if (strcmp (base, "runc") == 0)
    return "runc";
  if (strcmp (base, "crun") == 0)
    return "crun";
  return NULL;
}

int
main (int argc, char **argv)
{
  const char *runtime = argc > 0 ? wrapped_runtime (argv[0]) : NULL;
  if (runtime)
    return wrapper_main (argc, argv, runtime);
  if (argc < 2)
    return usage_error (usage_main, "no command given");
  const char *cmd = argv[1];
  if (strcmp (cmd, "--help") == 0 || strcmp (cmd, "-h") == 0 || strcmp (cmd, "help") == 0)
    {
      fputs (usage_main, stdout);
      return EXIT_ALLOWED;
    }
  if (strcmp (cmd, "--version") == 0 || strcmp (cmd, "version") == 0)
    {
      printf ("ocigate %s\n", OCIGATE_VERSION);
      return EXIT_ALLOWED;
    }
  struct
  {
    const char *name;
    int (*run) (int, char **);
    const char *usage;
  } const commands[] = {
    { "check", cmd_check, usage_check },    { "fix", cmd_fix, usage_fix },       { "policy", cmd_policy, usage_policy },
    { "hook", cmd_hook, usage_hook },       { "setup", cmd_setup, usage_setup }, { "audit", cmd_audit, usage_audit },
    { "report", cmd_report, usage_report },
  };
  for (size_t i = 0; i < ARRAY_SIZE (commands); i++)
    {
      if (strcmp (cmd, commands[i].name) != 0)
        continue;
      if (wants_help (argc - 1, argv + 1))
        {
          fputs (commands[i].usage, stdout);
          return EXIT_ALLOWED;
        }
      return commands[i].run (argc - 1, argv + 1);
    }
  return usage_error (usage_main, "unknown command '%s'", cmd);
}
