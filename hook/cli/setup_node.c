/* ocigate setup --install and --wait: what a node's installer needs (the
 * DaemonSet of deploy/kubernetes/), which brings ocigate in an image and
 * must leave the node as it found it when it goes.
 *
 * --install puts the running binary (read through /proc/self/exe, so it
 * is the one the image brought) in ROOT/BINDIR as ocigate, with the links
 * ocigate-runc and ocigate-crun the engines are pointed at.  Each is
 * journaled like an engine's file, under the name "install", with a
 * "type": "file" (and the "mode" written) or "link" (and its "target");
 * "sha256" is that of the file's bytes or of the link's target, and an
 * original is kept beside the journal with its "original_type",
 * "original_mode", "original_uid" and "original_gid".  Entries without
 * "type" are the text files they always were.
 *
 * --wait keeps the process in the foreground once everything is set up,
 * so that the pod's end (SIGTERM) is the moment to take it back.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/setup.h"
#include "base/fsutil.h"
#include "base/jsonio.h"
#include "base/sha256.h"

#define INSTALL_ENGINE "install"
#define PROGRAM "ocigate"
#define PROGRAM_MODE 0755
/* A static ocigate is a few MiB; anything near this is not one. */
#define PROGRAM_MAX_BYTES ((size_t)128 << 20)

static const char *const wrapper_links[] = { "ocigate-runc", "ocigate-crun" };

const struct setup_engine setup_engine_install = {
  .name = INSTALL_ENGINE,
};

/* What is at a path, a link not followed: absent, a regular file (its
 * bytes) or a symbolic link (its target). */
struct node
{
  bool exists;
  bool is_link;
  char *data;
  size_t len;
  mode_t mode;
  uid_t uid;
  gid_t gid;
};

static void
node_release (struct node *n)
{
  free (n->data);
}
#define cleanup_node __attribute__ ((cleanup (node_release)))

static int
node_read (const char *path, struct node *n, ocigate_error_t *err)
{
  struct stat st;
  if (lstat (path, &st) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ocigate_error_make_errno (err, errno, "lstat %s", path);
    }
  n->exists = true;
  n->mode = st.st_mode & 07777;
  n->uid = st.st_uid;
  n->gid = st.st_gid;
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t len = readlink (path, target, sizeof target - 1);
      if (len < 0)
        return ocigate_error_make_errno (err, errno, "readlink %s", path);
      n->is_link = true;
      n->data = xstrndup (target, (size_t)len);
      n->len = (size_t)len;
      return 0;
    }
  if (!S_ISREG (st.st_mode))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: neither a file nor a symbolic link: left alone", path);
  return read_file_limited (path, PROGRAM_MAX_BYTES, &n->data, &n->len, err);
}

/* The owner --install gives the program: root, or whoever runs an
 * unprivileged setup (a test under --root). */
static uid_t
program_uid (void)
{
  return geteuid ();
}

static gid_t
program_gid (void)
{
  return geteuid () == 0 ? 0 : getegid ();
}

static bool
node_is (const struct node *now, const struct node *want)
{
  if (!now->exists || now->is_link != want->is_link || now->len != want->len
      || memcmp (now->data, want->data, want->len) != 0)
    return false;
  return want->is_link || (now->mode == want->mode && now->uid == want->uid && now->gid == want->gid);
}

static int
node_write (const char *path, const struct node *n, ocigate_error_t *err)
{
  if (n->is_link)
    return symlink_atomic (n->data, path, err);
  return write_file_atomic_as (path, n->data, n->len, n->mode, n->uid, n->gid, err);
}

static void
sha256_of (const struct node *n, char hex[SHA256_HEX_LEN + 1])
{
  sha256_hex (n->data, n->len, hex);
}

/* ------------------------------------------------------------ --install */

struct install_item
{
  char *rel;
  struct node want;
  struct node now;
};

static void install_items_release (struct install_item (*items)[1 + ARRAY_SIZE (wrapper_links)])
{
  for (size_t i = 0; i < ARRAY_SIZE (*items); i++)
    {
      free ((*items)[i].rel);
      node_release (&(*items)[i].want);
      node_release (&(*items)[i].now);
    }
}

static void
say_item (const struct install_item *it, bool print)
{
  if (it->want.is_link)
    printf ("%s /%s -> %s\n", print ? "would link" : "linked", it->rel, it->want.data);
  else
    printf ("%s /%s (this ocigate, %zu bytes, mode %04o)\n", print ? "would install" : "installed", it->rel,
            it->want.len, (unsigned)it->want.mode);
}

/* The journal's entry for what is written now, the original kept when
 * it is the first time. */
static int
journal_item (const struct setup_ctx *ctx, json_object *journal, const struct install_item *it, ocigate_error_t *err)
{
  const struct node *now = &it->now;
  json_object *e = setup_journal_track (ctx, journal, it->rel, now->exists, now->data, now->len, err);
  if (e == NULL)
    return -1;
  json_object *names = setup_json_member (e, "engines", json_type_array);
  if (json_object_array_length (names) == 0)
    {
      json_object_array_add (names, json_object_new_string (INSTALL_ENGINE));
      if (now->exists)
        {
          json_object_object_add (e, "original_type", json_object_new_string (now->is_link ? "link" : "file"));
          json_object_object_add (e, "original_mode", json_object_new_int ((int)now->mode));
          json_object_object_add (e, "original_uid", json_object_new_int64 ((int64_t)now->uid));
          json_object_object_add (e, "original_gid", json_object_new_int64 ((int64_t)now->gid));
        }
    }
  else if (setup_json_string (e, "type") == NULL)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "/%s: an engine's file in setup's journal, not a program",
                               it->rel);
  char hex[SHA256_HEX_LEN + 1];
  sha256_of (&it->want, hex);
  json_object_object_add (e, "type", json_object_new_string (it->want.is_link ? "link" : "file"));
  json_object_object_add (e, "sha256", json_object_new_string (hex));
  if (it->want.is_link)
    json_object_object_add (e, "target", json_object_new_string (it->want.data));
  else
    json_object_object_add (e, "mode", json_object_new_int ((int)it->want.mode));
  return 0;
}

int
setup_install (struct setup_ctx *ctx, bool print, ocigate_error_t *err)
{
  cleanup_free char *self = NULL;
  size_t self_len = 0;
  if (read_file_limited ("/proc/self/exe", PROGRAM_MAX_BYTES, &self, &self_len, err) < 0)
    return ocigate_error_prefix (err, "read the running ocigate");

  /* Every item looked at before any is written: one that cannot be
   * replaced (a directory in its place) stops the run with nothing done. */
  cleanup_free char *dir_rel = xstrdup (ctx->bindir + 1);
  struct install_item items[1 + ARRAY_SIZE (wrapper_links)] __attribute__ ((cleanup (install_items_release))) = { 0 };
  items[0].rel = xasprintf ("%s/" PROGRAM, dir_rel);
  items[0].want = (struct node){ .exists = true,
                                 .data = steal_pointer (&self),
                                 .len = self_len,
                                 .mode = PROGRAM_MODE,
                                 .uid = program_uid (),
                                 .gid = program_gid () };
  for (size_t i = 0; i < ARRAY_SIZE (wrapper_links); i++)
    {
      items[1 + i].rel = xasprintf ("%s/%s", dir_rel, wrapper_links[i]);
      items[1 + i].want
          = (struct node){ .exists = true, .is_link = true, .data = xstrdup (PROGRAM), .len = strlen (PROGRAM) };
    }
  bool changes = false;
  for (size_t i = 0; i < ARRAY_SIZE (items); i++)
    {
      cleanup_free char *path = NULL;
      if (setup_at (ctx, items[i].rel, false, &path, err) < 0 || node_read (path, &items[i].now, err) < 0)
        return -1;
      changes |= !node_is (&items[i].now, &items[i].want);
    }
  if (!changes)
    {
      printf ("nothing to install: %s holds this ocigate and its links already\n", ctx->bindir);
      return 0;
    }
  if (print)
    {
      for (size_t i = 0; i < ARRAY_SIZE (items); i++)
        if (!node_is (&items[i].now, &items[i].want))
          say_item (&items[i], true);
      return 1;
    }

  cleanup_json json_object *journal = NULL;
  if (setup_journal_open (ctx, &journal, err) < 0)
    return -1;
  for (size_t i = 0; i < ARRAY_SIZE (items); i++)
    if (!node_is (&items[i].now, &items[i].want) && journal_item (ctx, journal, &items[i], err) < 0)
      return -1;
  if (setup_journal_save (ctx, journal, err) < 0)
    return -1;
  /* The program before the links to it. */
  for (size_t i = 0; i < ARRAY_SIZE (items); i++)
    {
      if (node_is (&items[i].now, &items[i].want))
        continue;
      cleanup_free char *path = NULL;
      if (setup_at (ctx, items[i].rel, false, &path, err) < 0 || node_write (path, &items[i].want, err) < 0)
        return -1;
      say_item (&items[i], false);
    }
  return 1;
}

/* ---------------------------------------------------------------- undo */

static bool
journal_uint (json_object *e, const char *key, int64_t max, int64_t *out)
{
  json_object *v = setup_json_member (e, key, json_type_int);
  if (v == NULL)
    return false;
  *out = json_object_get_int64 (v);
  return *out >= 0 && *out <= max;
}

static int
original_path (const struct setup_ctx *ctx, json_object *e, char **out, ocigate_error_t *err)
{
  cleanup_free char *rel = xasprintf (SETUP_JOURNAL_DIR "/%s", setup_json_string (e, "original"));
  return setup_at (ctx, rel, true, out, err);
}

/* The original an entry keeps: *orig->exists false when there was none. */
static int
read_original (const struct setup_ctx *ctx, json_object *e, const char *path, struct node *orig, ocigate_error_t *err)
{
  if (!json_object_get_boolean (setup_json_member (e, "existed", json_type_boolean)))
    return 0;
  const char *type = setup_json_string (e, "original_type");
  int64_t mode = 0, uid = 0, gid = 0;
  if (type == NULL || (strcmp (type, "file") != 0 && strcmp (type, "link") != 0)
      || !journal_uint (e, "original_mode", 07777, &mode) || !journal_uint (e, "original_uid", UINT32_MAX - 1, &uid)
      || !journal_uint (e, "original_gid", UINT32_MAX - 1, &gid))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: its journal entry does not say what the original was",
                               path);
  cleanup_free char *orig_path = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0;
  if (original_path (ctx, e, &orig_path, err) < 0
      || read_file_limited (orig_path, PROGRAM_MAX_BYTES, &data, &len, err) < 0)
    return ocigate_error_prefix (err, "%s: its original", path);
  *orig = (struct node){ .exists = true,
                         .is_link = strcmp (type, "link") == 0,
                         .data = steal_pointer (&data),
                         .len = len,
                         .mode = (mode_t)mode,
                         .uid = (uid_t)uid,
                         .gid = (gid_t)gid };
  return 0;
}

int
setup_install_undo_entry (const struct setup_ctx *ctx, json_object *e, bool print, ocigate_error_t *err)
{
  const char *shown = setup_json_string (e, "path"), *type = setup_json_string (e, "type");
  cleanup_free char *path = NULL;
  if (setup_at (ctx, shown + 1, false, &path, err) < 0)
    return -1;
  if (strcmp (type, "file") != 0 && strcmp (type, "link") != 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: a journal entry of type \"%s\": not one setup writes",
                               path, type);
  cleanup_node struct node now = { 0 };
  if (node_read (path, &now, err) < 0)
    return -1;
  char hex[SHA256_HEX_LEN + 1] = "";
  if (now.exists)
    sha256_of (&now, hex);
  if (!now.exists || now.is_link != (strcmp (type, "link") == 0) || strcmp (hex, setup_json_string (e, "sha256")) != 0)
    {
      printf ("%s: %s since ocigate setup wrote it: left as it is\n", shown, now.exists ? "changed" : "removed");
      return 0;
    }
  cleanup_node struct node orig = { 0 };
  if (read_original (ctx, e, path, &orig, err) < 0)
    return -1;
  if (print)
    {
      printf ("would %s %s\n", orig.exists ? "restore" : "remove", shown);
      return 1;
    }
  if (!orig.exists)
    {
      if (unlink (path) < 0)
        return ocigate_error_make_errno (err, errno, "remove %s", path);
      printf ("removed %s\n", shown);
      return 1;
    }
  if (node_write (path, &orig, err) < 0)
    return -1;
  cleanup_free char *orig_path = NULL;
  cleanup_error ocigate_error_t uerr = NULL;
  if (original_path (ctx, e, &orig_path, &uerr) == 0)
    (void)unlink (orig_path);
  printf ("restored %s\n", shown);
  return 1;
}

/* ---------------------------------------------------------------- --wait */

void
setup_wait_block (sigset_t *stop)
{
  sigemptyset (stop);
  sigaddset (stop, SIGTERM);
  sigaddset (stop, SIGINT);
  /* Cannot fail with a valid set and how. */
  (void)sigprocmask (SIG_BLOCK, stop, NULL);
}

void
setup_wait (const sigset_t *stop)
{
  printf ("ocigate setup: set up; waiting for SIGTERM or SIGINT to take it back\n");
  (void)fflush (stdout);
  int sig = SIGTERM;
  (void)sigwait (stop, &sig);
  printf ("ocigate setup: %s: taking back what was set up\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  (void)fflush (stdout);
}
