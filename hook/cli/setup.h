/* ocigate setup: what setup.c (the command, the journal, --print and
 * --undo) shares with the one file per engine (setup_docker.c, ...).
 * An engine plans: it reads the files it changes under ROOT and hands
 * setup.c their new text, the diversions it makes (runtimes), and what to
 * say; setup.c shows, writes, runs and records.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_SETUP_H
#define OCIGATE_SETUP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "base/error.h"
#include "base/util.h"

/* setup's journal and the originals it keeps, under ROOT. */
#define SETUP_JOURNAL_DIR "var/lib/ocigate/setup"

/* One file setup writes: its text before (NULL: absent) and after. */
struct setup_file
{
  char *rel; /* under ROOT, without the leading slash: "etc/docker/daemon.json" */
  const char *engine;
  char *old;
  size_t old_len;
  bool existed;
  char *text;
  size_t len;
};

/* A binary setup puts ocigate in the place of (runtimes): dpkg-divert
 * moves ROOT/path aside to divert_to, and a symbolic link to link_to
 * takes its place.  Commands, not a file: setup runs dpkg-divert. */
struct setup_divert
{
  char *path;      /* as dpkg sees it: "/usr/sbin/runc" */
  char *divert_to; /* "/usr/sbin/runc.distrib" */
  char *link_to;   /* "BINDIR/ocigate-runc" */
  const char *engine;
  bool add; /* the diversion is to be added; false: ocigate's is there, only the link is missing */
};

struct setup_ctx
{
  const char *root;   /* "" for /, else without a trailing slash */
  const char *bindir; /* where ocigate-runc and ocigate-crun are, as the host sees it */
  bool userns;
  bool install; /* --install: this binary and its links into bindir first */
  struct setup_file *files;
  size_t n_files;
  struct setup_divert *diverts;
  size_t n_diverts;
  struct strbuf notes; /* what to tell before anything is written */
  /* Set by an engine whose change a signal does not apply (userns-remap). */
  bool needs_restart;
};

struct setup_engine
{
  const char *name;
  int (*plan) (struct setup_ctx *ctx, ocigate_error_t *err);
  /* What makes the engine read the files again; NULL: nothing, and
   * no_restart says why (Podman: each command reads them). */
  const char *restart;
  const char *no_restart;
  /* A daemon that reloads what setup writes on SIGHUP: its pid files
   * under ROOT and its process name; NULL: none. */
  const char *const *pid_files;
  const char *daemon;
  /* `setup all` sets the engine up when any of these is under ROOT
   * (paths under ROOT, without the leading slash), and needs (NULL: none)
   * is too: runtimes needs dpkg-divert. */
  const char *const *binaries;
  const char *needs;
  /* What stays open when the engine is found but what it needs is not. */
  const char *without_needs;
};

extern const struct setup_engine setup_engine_docker;
extern const struct setup_engine setup_engine_podman;
extern const struct setup_engine setup_engine_containerd;
extern const struct setup_engine setup_engine_crio;
extern const struct setup_engine setup_engine_runtimes;

/* ROOT/rel as written, for messages (allocated). */
char *setup_path (const struct setup_ctx *ctx, const char *rel);

/* ROOT/rel for a system call: each symbolic link on the way followed as
 * the host would (under ROOT: path_in_root), the last one only when
 * follow_last (to read or write a file's contents, not to look at or
 * replace the link itself). */
int setup_at (const struct setup_ctx *ctx, const char *rel, bool follow_last, char **out, ocigate_error_t *err);

/* The text of ROOT/rel as setup would leave it (a file planned already
 * gives its new text): *text NULL and *exists false when absent. */
int setup_read (struct setup_ctx *ctx, const char *rel, char **text, size_t *len, bool *exists, ocigate_error_t *err);

/* Plan ROOT/rel to hold text (taken); nothing when it holds it already. */
void setup_put (struct setup_ctx *ctx, const char *engine, const char *rel, char *text, size_t len);

/* Plan ROOT/path diverted to divert_to by dpkg-divert (when add) and a
 * link to link_to in its place. */
void setup_divert (struct setup_ctx *ctx, const char *engine, const char *path, const char *divert_to,
                   const char *link_to, bool add);

/* What dpkg-divert is, as the host sees it (setup runs it chrooted into
 * ROOT under --root), and the package its diversions are made for. */
#define SETUP_DPKG_DIVERT "/usr/bin/dpkg-divert"
#define SETUP_DPKG_PACKAGE "ocigate"

void setup_note (struct setup_ctx *ctx, const char *fmt, ...) PRINTF_LIKE (2, 3);

/* The journal (var/lib/ocigate/setup/journal.json), an empty one when
 * there is none yet (its directories made). */
int setup_journal_open (const struct setup_ctx *ctx, json_object **journal, ocigate_error_t *err);

/* The journal's entry for rel, made when there is none: whether the file
 * existed and its original (old, old_len) kept beside the journal; the
 * directories on its way made, and recorded for --undo.  NULL on error. */
json_object *setup_journal_track (const struct setup_ctx *ctx, json_object *journal, const char *rel, bool existed,
                                  const char *old, size_t old_len, ocigate_error_t *err);

int setup_journal_save (const struct setup_ctx *ctx, json_object *journal, ocigate_error_t *err);

/* o[key] when it has that type, else NULL. */
json_object *setup_json_member (json_object *o, const char *key, json_type type);

/* --install (setup_node.c): the running binary to ROOT/bindir/ocigate
 * (0755, root's) with the links ocigate-runc and ocigate-crun to it, each
 * journaled under the name "install" (an entry with a "type": "file" or
 * "link").  Shown only with print.  1 something changed, 0 nothing to
 * change, -1 an error (nothing of the engines is written then). */
extern const struct setup_engine setup_engine_install;
int setup_install (struct setup_ctx *ctx, bool print, ocigate_error_t *err);

/* --undo of one journal entry with a "type" (what --install wrote): 1
 * given back (or shown), 0 changed since (said, left), -1 an error. */
int setup_install_undo_entry (const struct setup_ctx *ctx, json_object *e, bool print, ocigate_error_t *err);

/* --wait: SIGTERM and SIGINT blocked (before setting up, so that one sent
 * meanwhile is not lost), then, once set up, said and waited for. */
void setup_wait_block (sigset_t *stop);
void setup_wait (const sigset_t *stop);

/* o[key] when it is a string, else NULL. */
const char *setup_json_string (json_object *o, const char *key);

/* A range of IDs [start, start + count). */
struct setup_id_range
{
  uint64_t start;
  uint64_t count;
};

/* The lowest start >= min of count IDs that overlaps none of taken
 * (any order); -1 when none fits below 2^32 - 1. */
int setup_pick_range (const struct setup_id_range *taken, size_t n, uint64_t min, uint64_t count, uint64_t *start);

/* Append the ranges of an /etc/subuid or /etc/subgid text
 * ("NAME:START:COUNT" lines) to *v; *has_user says whether user has one. */
void setup_subid_ranges (const char *text, size_t len, const char *user, struct setup_id_range **v, size_t *n,
                         bool *has_user);

/* Append the IDs (third field) of an /etc/passwd or /etc/group text. */
void setup_account_ids (const char *text, size_t len, struct setup_id_range **v, size_t *n);

/* containerd's config.toml: its top-level version (0 when it has none;
 * -1 when it has no key and no table at all: comments only) and the text with
 * entry in its top-level imports array (*out NULL: there already).  Only
 * a one-line imports array of plain strings is edited; anything else is
 * an error, and nothing to write. */
int setup_containerd_imports (const char *text, size_t len, const char *entry, char **out, size_t *out_len,
                              int *version, ocigate_error_t *err);

/* containerd 1.x's drop-in body: the CRI plugin's tables of config.toml
 * (text) as they are, the runc runtime's runtime_type and BinaryName
 * (binary) set in them; what else it found there worth saying goes to
 * notes, one line each.  An error when a CRI setting could be where a
 * line-by-line reading does not see it. */
int setup_containerd_cri (const char *text, size_t len, const char *binary, char **out, size_t *out_len,
                          struct strbuf *notes, ocigate_error_t *err);

/* For `ocigate audit`: each engine on the host under root ("" for /), as
 * `setup all` finds them, with what its setup (with bindir) would still
 * change: report (data, engine, binary, pending), pending NULL when
 * nothing; when the engine is there without what it needs, pending says
 * what stays open.  Plans only: nothing is written. */
typedef void (*setup_pending_fn) (void *data, const char *engine, const char *binary, const char *pending);
int setup_engines_pending (const char *root, const char *bindir, setup_pending_fn report, void *data,
                           ocigate_error_t *err);

#endif
