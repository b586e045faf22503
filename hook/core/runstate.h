/* ocigate: the state a runtime keeps of each container it runs, read
 * without asking the runtime or the engine above it.
 *
 * runc keeps ROOT/ID/state.json (libcontainer's state: the init process's
 * PID and start time, the creation time, the bundle among the labels of
 * the config it converted); crun keeps ROOT/ID/status (the PID, its start
 * time, the bundle, the creation time).  Both are written by whoever runs
 * the runtime, so they are read as untrusted JSON: strict, size- and
 * depth-limited, every field's type checked.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_RUNSTATE_H
#define OCIGATE_RUNSTATE_H

#include <stdint.h>
#include <sys/types.h>

#include "base/error.h"

/* The runtime whose state file it is. */
enum run_runtime
{
  RUN_RUNC,
  RUN_CRUN,
};

/* The file under ROOT/ID that holds a runtime's state. */
#define RUNSTATE_RUNC_FILE "state.json"
#define RUNSTATE_CRUN_FILE "status"

/* A runc state.json holds the whole converted config: a config's limit. */
#define RUNSTATE_MAX_BYTES (16u << 20)

struct run_state
{
  enum run_runtime runtime;
  char *id;            /* runc: "id"; crun: none (the directory's name) */
  pid_t pid;           /* the container's init process */
  uint64_t start_time; /* its start time in clock ticks after boot (/proc/PID/stat field 22); 0: unknown */
  char *bundle;        /* NULL: the state names none */
  char *created;       /* RFC 3339, as the runtime wrote it; NULL: none */
};

void run_state_release (struct run_state *s);
#define cleanup_run_state __attribute__ ((cleanup (run_state_release)))

/* Parse the text of a state file of `runtime`, called name in messages,
 * into out (initialised here; released by the caller whatever the
 * return).  An input error names the field and what it must be. */
int run_state_parse (enum run_runtime runtime, const char *buf, size_t len, const char *name, struct run_state *out,
                     ocigate_error_t *err);

/* Read and parse ROOT/ID/FILE of `runtime` (dir is ROOT/ID). */
int run_state_read (enum run_runtime runtime, const char *dir, struct run_state *out, ocigate_error_t *err);

#endif
