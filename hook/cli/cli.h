/* ocigate: the command-line layer (hook/cli/), the only code that
 * prints and exits.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_CLI_H
#define OCIGATE_CLI_H

#include <json-c/json.h>

#include "base/error.h"

enum
{
  EXIT_ALLOWED = 0,
  EXIT_DENIED = 1,
  EXIT_ERROR = 2,
};

/* The heap the hook and the wrapper reserve for one decision, and check
 * for each of its configs (heap_reserve()): the largest real fixture,
 * podman-privileged with its 143 findings, peaks at about 400 KiB. */
#define CLI_DECISION_HEAP ((size_t)512 * 1024)

int cmd_hook (int argc, char **argv);
extern const char usage_hook[];

/* ocigate report (report.c): the decision log summed up. */
int cmd_report (int argc, char **argv);
extern const char usage_report[];

/* ocigate setup (setup.c): the engines' configuration files. */
int cmd_setup (int argc, char **argv);
extern const char usage_setup[];

/* --format: "text" or "json" (*json); -1 for anything else. */
int cli_parse_format (const char *arg, bool *json);

/* ocigate audit (audit.c): the running containers and the host. */
int cmd_audit (int argc, char **argv);
extern const char usage_audit[];

/* Runs as ocigate-runc / ocigate-crun: argv is the runtime's own. */
int wrapper_main (int argc, char **argv, const char *runtime);

/* The path of the running ocigate binary (for hooks it adds). */
char *cli_self_exe (ocigate_error_t *err);

/* Put a hook running this ocigate binary with `args` (a json-c array,
 * taken) first in hooks.STAGE of the config tree. */
int cli_prepend_hook (json_object *root, const char *stage, json_object *args, ocigate_error_t *err);

#endif
