/* ocigate: where the decision log goes: syslog when a daemon listens on
 * /dev/log, and always a file, the policy's or /var/log/ocigate's, kept to
 * a size by one rotation.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_DECISION_LOG_H
#define OCIGATE_DECISION_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gate/gate.h"
#include "gate/policy.h"

/* Where decisions go when the policy names no file (policy.h's
 * OCIGATE_LOG_FILE, here with its directory, which is made 0700 when
 * missing). */
#define OCIGATE_LOG_DIR "/var/log/ocigate"

/* Where a policy's decisions go. */
struct gate_log_where
{
  bool syslog;        /* a syslog daemon listens on /dev/log now */
  const char *file;   /* the file (the policy's, else OCIGATE_LOG_FILE); lent */
  uint64_t max_bytes; /* past this the file becomes FILE.1 */
};

/* The file decisions judged by policy p go to (p NULL: a policy that did
 * not load, whose decisions go to the default file), and its bound. */
const char *gate_log_file (const struct policy *p);
uint64_t gate_log_max_bytes (const struct policy *p);

/* Where decisions judged by policy p go (p NULL: a policy that did not
 * load, whose decisions go to the default file). */
void gate_log_where (const struct policy *p, struct gate_log_where *out);

/* The same as one sentence for people (`ocigate policy show`), allocated:
 * "decisions are logged to /var/log/ocigate/decisions.log (JSON lines,
 * kept to 16777216 bytes: then renamed to ....1) and to syslog (...)". */
char *gate_log_destination (const struct policy *p);

/* Append the `len` bytes at line (one JSON line, its newline included) to
 * the file at path with one write(2) on an O_APPEND descriptor, so that
 * concurrent decisions do not interleave.  The file's directory is made
 * (0700) when missing, and must then, and every directory above, belong
 * to root or to the caller with nobody else able to write it (base/fsutil.h
 * trust_check_dir()): whoever could would swap the file for another.  The
 * file itself is opened without following a link and must be a regular
 * one; it is created 0600.  Once the file has grown past max_bytes (0: no
 * bound), it is renamed to PATH.1 (replacing the one before) by the one
 * decision that holds an exclusive lock on the directory; a rotation that
 * fails is returned as an error after the line was written. */
int decision_log_append (const char *path, uint64_t max_bytes, const char *line, size_t len, ocigate_error_t *err);

/* Send what syslog(3) sends for openlog ("ocigate", LOG_PID, LOG_AUTHPRIV):
 * "<PRI>Mmm dd hh:mm:ss ocigate[PID]: LINE" to /dev/log, a datagram, or a
 * stream record ended by a NUL where /dev/log is a stream socket.  From the
 * caller's buffer: syslog(3) first copies the message into a stream of its
 * own, tens of KiB for a privileged config's findings.  As with syslog(3),
 * a missing or unwritable /dev/log is not an error; the errno of a send
 * that failed is returned, 0 otherwise. */
int decision_log_syslog (int priority, const char *line, size_t len);

/* Whether a syslog daemon listens on /dev/log: a socket that takes a
 * connection. */
bool decision_log_syslog_reachable (void);

/* One line per container start: Podman runs the precreate hook, which
 * judges (and rewrites) the config and logs, then the prestart hook on the
 * config the precreate hook handed on.  The precreate hook marks that
 * config with this annotation, whose value is the decision the prestart
 * hook is to reach; a later hook logs only a refusal or a decision other
 * than the marked one (GATE_LOG_WRITE_UNMARKED, decide.h).  Whoever writes
 * the config can write the mark too: the precreate hook replaces the one
 * it is given, and where no precreate hook runs a forged mark can at
 * worst keep out of the log a decision that let the container start
 * (allowed with warnings, or dry-run) and that the mark names; a refusal
 * is always logged. */
#define GATE_JUDGED_ANNOTATION "dev.ocigate.judged"

/* The decision a later hook reaches on the config a front end that can
 * rewrite hands on: a rewritten config is judged an allow. */
const char *gate_judged_decision (enum gate_outcome outcome, const struct verdict *v);

/* Mark config (the whole tree) with `decision`, or with NULL take the
 * mark off; false when the tree had no "annotations" object that could
 * take it (then it is left alone). */
bool gate_judged_mark (json_object *config, const char *decision);

/* Whether config carries the mark with `decision`. */
bool gate_judged_marked (json_object *config, const char *decision);

#endif
