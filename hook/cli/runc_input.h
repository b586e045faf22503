/* ocigate: what runc's and crun's judged commands bring besides the
 * container's config: the process `exec` adds, the resources `update`
 * applies.  Read from the runtime's argv (runc_args.h) as the runtime
 * reads them, for the wrapper to judge and hand over.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_RUNC_INPUT_H
#define OCIGATE_RUNC_INPUT_H

#include "cli/runc_args.h"
#include "core/config.h"

/* Put the process `exec` adds in cfg's place of the container's: the
 * --process file as it is (the runtime then ignores the flags), or the
 * process the flags make, as args->runtime makes it (runc: the container's
 * changed by them; crun: a new one, see exec_flags()). */
int runc_exec_process (const struct runc_args *args, struct oci_config *cfg, ocigate_error_t *err);

/* The descriptors create, run and exec pass to the container from fd 3 on
 * (--preserve-fds N, and LISTEN_FDS as the runtime reads it): each must be
 * open in this process and not close-on-exec, so that it is the engine's
 * and not one the runtime opens for itself at that number, and none may be
 * a directory or a block device, handles on the host's filesystem beyond
 * the container's root.  Call it before opening anything. */
int runc_check_passed_fds (const struct runc_args *args, ocigate_error_t *err);

/* The LinuxResources the runtime will apply: the --resources document
 * (its bytes kept in *text, to hand the runtime), or what the flags ask
 * for.  runc and crun ignore the flags when --resources is given. */
int runc_update_resources (const struct runc_args *args, char **text, size_t *len, json_object **out,
                           ocigate_error_t *err);

/* The runtime reads the resources ocigate judged, not the file or stream
 * again: they go to its standard input, and --resources in argv (the
 * runtime's, parsed into args) becomes "-". */
int runc_hand_over_resources (const struct runc_args *args, char **argv, const char *text, size_t len,
                              ocigate_error_t *err);

#endif
