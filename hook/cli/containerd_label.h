/* The wrapper's rewrite shown where containerd shows a container: a label
 * on containerd's own record of it (`ctr containers info`), set with
 * containerd's own ctr.  containerd keeps its record in its metadata, not
 * in the bundle's config.json the wrapper rewrote, so the config's
 * annotation alone does not show there.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_CONTAINERD_LABEL_H
#define OCIGATE_CONTAINERD_LABEL_H

#include <stddef.h>

#include "base/error.h"

/* How long the label may hold up a container's start: ctr takes some tens
 * of milliseconds; past this it is killed and the container starts as
 * judged (the rewrite itself is what protects). */
#define CONTAINERD_LABEL_TIMEOUT_MS 2000

/* The socket containerd listens on unless told otherwise. */
#define CONTAINERD_DEFAULT_ADDRESS "/run/containerd/containerd.sock"

/* containerd's namespace of the container whose bundle is `bundle` and
 * whose runtime ID is `id`: the v2 shims' bundles are
 * STATE/io.containerd.runtime.v2.task/NAMESPACE/ID (Docker's namespace is
 * moby, or its --containerd-namespace).  Allocated; NULL when the bundle
 * is not such a path, or when the namespace or ID would not read as an
 * argument of ctr (empty, or not beginning with a letter or digit). */
char *containerd_bundle_namespace (const char *bundle, const char *id);

/* The value of -address (or --address, -address=, --address=) on a
 * containerd shim's command line, `len` bytes of NUL-ended arguments as
 * /proc/PID/cmdline holds them.  Allocated; NULL when there is none. */
char *containerd_shim_address (const char *cmdline, size_t len);

/* Run argv (argv[0] a path, run with execve in an environment of its own,
 * its standard input and output /dev/null, in a process group of its own)
 * and wait at most timeout_ms for it to exit; past that the group is
 * killed.  0 when it exited 0; otherwise -1 with err saying how it ended
 * and the first line of what it wrote on standard error. */
int cli_run_bounded (char *const argv[], int timeout_ms, ocigate_error_t *err);

/* Label containerd's record of the container (bundle, id: as
 * containerd_bundle_namespace) key=value, through the ctr that sits
 * beside the shim that ran this process (its parent, or an ancestor a
 * few levels up when a script ran it: Docker's runtimeArgs), else
 * /usr/bin/ctr or /usr/local/bin/ctr, when root owns it and nobody else
 * may write it; containerd's address is the shim's -address, else
 * CONTAINERD_DEFAULT_ADDRESS, and must be a socket.  1 labelled, 0 not a
 * container containerd started (nothing done), -1 with err when it could
 * not be labelled within CONTAINERD_LABEL_TIMEOUT_MS. */
int containerd_label (const char *bundle, const char *id, const char *key, const char *value, ocigate_error_t *err);

#endif
