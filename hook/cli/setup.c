/* ocigate setup: put ocigate in front of an engine's runtime, in the
 * engine's own configuration files, and take it out again.
 *
 * Each engine (setup_ENGINE.c) plans the files it changes, and runtimes
 * the binaries it diverts; setup.c adds the policy's mode, then shows the
 * plan (--print: unified diffs and commands, nothing written) or carries
 * it out: every original is kept under var/lib/ocigate/setup/ with a
 * journal that says which engine changed which file, whether it existed
 * and the SHA-256 of what setup wrote, so --undo gives back each file byte
 * for byte unless someone changed it since; and which diversion setup
 * added and what the link it made leads to, so --undo takes back just
 * that.  Every path is under --root; dpkg-divert runs chrooted into it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/setup.h"
#include "gate/policy.h"
#include "base/fsutil.h"
#include "base/jsonio.h"
#include "base/sha256.h"

#define POLICY "etc/ocigate/policy.json"
#define JOURNAL_PARENT "var/lib/ocigate"
#define JOURNAL_DIR SETUP_JOURNAL_DIR
#define JOURNAL JOURNAL_DIR "/journal.json"
#define SETUP_MAX_FILE_BYTES OCIGATE_MAX_CONFIG_BYTES

const char usage_setup[]
    = "Usage: ocigate setup [--print] [--mode enforce|dry-run] [--userns] [--root DIR] [--bindir DIR]\n"
      "                     [--restart none|signal|auto] [--install] [--wait] ENGINE...\n"
      "       ocigate setup --undo [--print] [--root DIR] [--restart none|signal|auto] [--install] ENGINE...\n"
      "Put ocigate in front of each ENGINE's runtime (docker, podman, containerd, crio), in the engine's own\n"
      "configuration files; --undo gives them back as they were.  ENGINE runtimes puts ocigate in the place of\n"
      "/usr/sbin/runc and /usr/bin/crun themselves (dpkg-divert moves each to NAME.distrib, and a link to\n"
      "BINDIR/ocigate-runc or ocigate-crun takes its name): whatever runs runc or crun by name passes the gate.\n"
      "ENGINE all: every engine found under DIR (and runtimes where dpkg-divert is); with --undo, all that\n"
      "the journal says setup did.\n"
      "  --print              show every change (a unified diff per file) and command; change nothing\n"
      "  --undo               give back each file of the ENGINEs byte for byte, or remove it if setup made it;\n"
      "                       a file changed since setup wrote it is named and left; remove each link setup\n"
      "                       made that still leads where it made it, and the diversion setup added\n"
      "  --mode MODE          set the mode of /etc/ocigate/policy.json: enforce or dry-run (without it an\n"
      "                       existing policy is left alone, and a missing one is the default in enforce)\n"
      "  --userns             also give containers user namespaces (docker: userns-remap; podman: userns=auto)\n"
      "  --root DIR           every file read or written is under DIR (default /); dpkg-divert runs chrooted\n"
      "                       into DIR\n"
      "  --bindir DIR         where ocigate-runc is, as the host sees it (default: the running ocigate's)\n"
      "  --restart HOW        none (default): say what to restart; signal: SIGHUP dockerd (which reloads its\n"
      "                       runtimes); auto: signal where that is enough, else say what to restart\n"
      "  --install            first copy this ocigate to BINDIR/ocigate (0755) with the links ocigate-runc and\n"
      "                       ocigate-crun; with --undo, remove them (after the ENGINEs' files), as --undo does\n"
      "                       a file; with it the ENGINEs may be left out\n"
      "  --wait               once set up, stay until SIGTERM or SIGINT, then undo what --undo would for the\n"
      "                       ENGINEs (and --install) and exit: a node's installer (a Kubernetes DaemonSet)\n"
      "Files: the journal and the originals in /var/lib/ocigate/setup/.\n"
      "Exit status: 0 done (or nothing to do), 1 a file refused (unparsable, changed since setup wrote it,\n"
      "cannot be edited safely) or not written, a diversion refused (another package's, no dpkg-divert) or\n"
      "failed, 2 usage error; --wait: 1 at once when setting up fails, else the status of the undo.\n";

enum setup_restart
{
  RESTART_NONE,
  RESTART_SIGNAL,
  RESTART_AUTO,
};

enum setup_mode
{
  MODE_KEEP,
  MODE_ENFORCE,
  MODE_DRY_RUN,
};

static const struct setup_engine *const engines[] = {
  &setup_engine_docker, &setup_engine_podman, &setup_engine_containerd, &setup_engine_crio, &setup_engine_runtimes,
};

#define ENGINE_NAMES "docker, podman, containerd, crio, runtimes, or all"

/* ------------------------------------------------------------ planning */

char *
setup_path (const struct setup_ctx *ctx, const char *rel)
{
  return xasprintf ("%s/%s", ctx->root, rel);
}

int
setup_at (const struct setup_ctx *ctx, const char *rel, bool follow_last, char **out, ocigate_error_t *err)
{
  return path_in_root (ctx->root, rel, follow_last, out, err);
}

static struct setup_file *
planned (struct setup_ctx *ctx, const char *rel)
{
  for (size_t i = 0; i < ctx->n_files; i++)
    if (strcmp (ctx->files[i].rel, rel) == 0)
      return &ctx->files[i];
  return NULL;
}

/* The file as it is now, with or without setup's plan. */
static int
read_now (const struct setup_ctx *ctx, const char *rel, char **text, size_t *len, bool *exists, ocigate_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_error ocigate_error_t rerr = NULL;
  *text = NULL;
  *len = 0;
  *exists = false;
  if (setup_at (ctx, rel, true, &path, err) < 0)
    return -1;
  if (read_file_limited (path, SETUP_MAX_FILE_BYTES, text, len, &rerr) == 0)
    {
      *exists = true;
      return 0;
    }
  if (rerr->status == ENOENT)
    return 0;
  *err = steal_pointer (&rerr);
  return -1;
}

int
setup_read (struct setup_ctx *ctx, const char *rel, char **text, size_t *len, bool *exists, ocigate_error_t *err)
{
  const struct setup_file *f = planned (ctx, rel);
  if (f == NULL)
    return read_now (ctx, rel, text, len, exists, err);
  *text = xmemdup (f->text, f->len + 1);
  *len = f->len;
  *exists = true;
  return 0;
}

void
setup_put (struct setup_ctx *ctx, const char *engine, const char *rel, char *text, size_t len)
{
  cleanup_free char *owned = text;
  struct setup_file *f = planned (ctx, rel);
  if (f)
    {
      free (f->text);
      f->text = steal_pointer (&owned);
      f->len = len;
      return;
    }
  cleanup_error ocigate_error_t err = NULL;
  cleanup_free char *old = NULL;
  size_t old_len = 0;
  bool existed = false;
  /* An unreadable file: writing it fails the same way later. */
  if (read_now (ctx, rel, &old, &old_len, &existed, &err) == 0 && existed && old_len == len
      && memcmp (old, text, len) == 0)
    return;
  ctx->files = xreallocarray (ctx->files, ctx->n_files + 1, sizeof *ctx->files);
  ctx->files[ctx->n_files++] = (struct setup_file){
    .rel = xstrdup (rel),
    .engine = engine,
    .old = steal_pointer (&old),
    .old_len = old_len,
    .existed = existed,
    .text = steal_pointer (&owned),
    .len = len,
  };
}

void
setup_divert (struct setup_ctx *ctx, const char *engine, const char *path, const char *divert_to, const char *link_to,
              bool add)
{
  ctx->diverts = xreallocarray (ctx->diverts, ctx->n_diverts + 1, sizeof *ctx->diverts);
  ctx->diverts[ctx->n_diverts++] = (struct setup_divert){
    .path = xstrdup (path),
    .divert_to = xstrdup (divert_to),
    .link_to = xstrdup (link_to),
    .engine = engine,
    .add = add,
  };
}

void
setup_note (struct setup_ctx *ctx, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *s = xvasprintf (fmt, ap);
  va_end (ap);
  strbuf_appendf (&ctx->notes, "%s.\n", s);
}

static void
setup_ctx_release (struct setup_ctx *ctx)
{
  for (size_t i = 0; i < ctx->n_files; i++)
    {
      free (ctx->files[i].rel);
      free (ctx->files[i].old);
      free (ctx->files[i].text);
    }
  free (ctx->files);
  for (size_t i = 0; i < ctx->n_diverts; i++)
    {
      free (ctx->diverts[i].path);
      free (ctx->diverts[i].divert_to);
      free (ctx->diverts[i].link_to);
    }
  free (ctx->diverts);
  strbuf_release (&ctx->notes);
}
#define cleanup_setup_ctx __attribute__ ((cleanup (setup_ctx_release)))

/* The policy's top-level "mode", the rest kept; the embedded default
 * where there is none. */
static int
plan_policy (struct setup_ctx *ctx, enum setup_mode mode, ocigate_error_t *err)
{
  cleanup_free char *old = NULL;
  size_t len = 0;
  bool exists = false;
  if (setup_read (ctx, POLICY, &old, &len, &exists, err) < 0)
    return -1;
  if (exists && mode == MODE_KEEP)
    return 0;
  const char *want = mode == MODE_DRY_RUN ? "dry-run" : "enforce";
  const char *text = exists ? old : ocigate_default_policy;
  size_t text_len = exists ? len : (size_t)((uintptr_t)ocigate_default_policy_end - (uintptr_t)ocigate_default_policy);
  cleanup_free char *path = setup_path (ctx, POLICY);
  cleanup_json json_object *root = NULL;
  if (json_parse_untrusted (text, text_len, exists ? path : OCIGATE_EMBEDDED_POLICY, &root, err) < 0)
    return -1;
  if (!json_object_is_type (root, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: not a JSON object", path);
  json_object *now = NULL;
  if (json_object_object_get_ex (root, "mode", &now) && json_object_is_type (now, json_type_string)
      && strcmp (json_object_get_string (now), want) == 0)
    {
      if (!exists)
        setup_put (ctx, NULL, POLICY, xmemdup (text, text_len + 1), text_len);
      return 0;
    }
  json_object_object_add (root, "mode", json_object_new_string (want));
  char *out = xasprintf ("%s\n", json_to_text (root));
  setup_put (ctx, NULL, POLICY, out, strlen (out));
  return 0;
}

/* ------------------------------------------------------------ ID ranges */

static int
range_cmp (const void *a, const void *b)
{
  const struct setup_id_range *x = a, *y = b;
  return x->start < y->start ? -1 : x->start > y->start;
}

int
setup_pick_range (const struct setup_id_range *taken, size_t n, uint64_t min, uint64_t count, uint64_t *start)
{
  cleanup_free struct setup_id_range *v = xreallocarray (NULL, n ? n : 1, sizeof *v);
  if (n > 0)
    memcpy (v, taken, n * sizeof *v);
  qsort (v, n, sizeof *v, range_cmp);
  uint64_t at = min;
  for (size_t i = 0; i < n; i++)
    {
      if (v[i].count == 0 || v[i].start + v[i].count <= at)
        continue;
      if (v[i].start >= at + count)
        break;
      at = v[i].start + v[i].count;
    }
  /* The last ID, 2^32 - 1, is (uid_t)-1. */
  if (at + count > UINT32_MAX)
    return -1;
  *start = at;
  return 0;
}

static void
push_range (struct setup_id_range **v, size_t *n, uint64_t start, uint64_t count)
{
  *v = xreallocarray (*v, *n + 1, sizeof **v);
  (*v)[(*n)++] = (struct setup_id_range){ start, count };
}

/* Number at p, up to ':' or the end of the line: false when it is not one. */
static bool
field_number (const char *p, const char *end, uint64_t *out)
{
  uint64_t v = 0;
  const char *s = p;
  for (; p < end && *p >= '0' && *p <= '9'; p++)
    {
      v = v * 10 + (uint64_t)(*p - '0');
      if (v > UINT32_MAX)
        return false;
    }
  *out = v;
  return p > s && (p == end || *p == ':' || *p == '\n' || *p == '\r');
}

/* The start of field i (0-based) of a ':'-separated line, or NULL. */
static const char *
line_field (const char *line, const char *eol, int i)
{
  for (const char *p = line; i > 0; i--)
    {
      p = memchr (p, ':', (size_t)(eol - p));
      if (p == NULL)
        return NULL;
      line = ++p;
    }
  return line;
}

void
setup_subid_ranges (const char *text, size_t len, const char *user, struct setup_id_range **v, size_t *n,
                    bool *has_user)
{
  const char *end = text + len;
  size_t ulen = strlen (user);
  for (const char *line = text; line < end;)
    {
      const char *eol = memchr (line, '\n', (size_t)(end - line));
      eol = eol ? eol : end;
      const char *s = line_field (line, eol, 1), *c = line_field (line, eol, 2);
      uint64_t start = 0, count = 0;
      if (s && c && field_number (s, eol, &start) && field_number (c, eol, &count))
        {
          push_range (v, n, start, count);
          if ((size_t)(s - 1 - line) == ulen && memcmp (line, user, ulen) == 0)
            *has_user = true;
        }
      line = eol < end ? eol + 1 : end;
    }
}

void
setup_account_ids (const char *text, size_t len, struct setup_id_range **v, size_t *n)
{
  const char *end = text + len;
  for (const char *line = text; line < end;)
    {
      const char *eol = memchr (line, '\n', (size_t)(end - line));
      eol = eol ? eol : end;
      const char *f = line_field (line, eol, 2);
      uint64_t id = 0;
      if (f && field_number (f, eol, &id))
        push_range (v, n, id, 1);
      line = eol < end ? eol + 1 : end;
    }
}

/* ------------------------------------------------------------- journal */

static json_object *
member (json_object *o, const char *key, json_type type)
{
  json_object *v = NULL;
  if (!json_object_object_get_ex (o, key, &v) || !json_object_is_type (v, type))
    return NULL;
  return v;
}

const char *
setup_json_string (json_object *o, const char *key)
{
  json_object *v = member (o, key, json_type_string);
  return v ? json_object_get_string (v) : NULL;
}

/* o[key] is an absolute path that does not climb out of ROOT. */
static bool
journal_path (json_object *o, const char *key)
{
  const char *p = setup_json_string (o, key);
  return p && p[0] == '/' && strstr (p, "..") == NULL;
}

/* *journal NULL when there is none. */
static int
journal_load (const struct setup_ctx *ctx, json_object **journal, ocigate_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char *path = setup_path (ctx, JOURNAL);
  size_t len = 0;
  bool exists = false;
  *journal = NULL;
  if (read_now (ctx, JOURNAL, &text, &len, &exists, err) < 0)
    return -1;
  if (!exists)
    return 0;
  cleanup_json json_object *j = NULL;
  if (json_parse_untrusted (text, len, path, &j, err) < 0)
    return -1;
  json_object *files = member (j, "files", json_type_array);
  if (files == NULL)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: no \"files\" array: not setup's journal", path);
  for (size_t i = 0; i < json_object_array_length (files); i++)
    {
      json_object *f = json_object_array_get_idx (files, i);
      if (!json_object_is_type (f, json_type_object) || !journal_path (f, "path")
          || setup_json_string (f, "sha256") == NULL || member (f, "engines", json_type_array) == NULL
          || member (f, "existed", json_type_boolean) == NULL
          || (json_object_get_boolean (member (f, "existed", json_type_boolean))
              && setup_json_string (f, "original") == NULL))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: files[%zu]: not an entry setup writes", path, i);
    }
  /* "actions" came after the first journals: none is none. */
  json_object *actions = NULL;
  if (json_object_object_get_ex (j, "actions", &actions) && !json_object_is_type (actions, json_type_array))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: \"actions\" is not an array: not setup's journal", path);
  for (size_t i = 0; actions && i < json_object_array_length (actions); i++)
    {
      json_object *a = json_object_array_get_idx (actions, i);
      const char *kind = json_object_is_type (a, json_type_object) ? setup_json_string (a, "kind") : NULL;
      json_object *link = NULL;
      if (kind == NULL || strcmp (kind, "divert") != 0 || !journal_path (a, "path") || !journal_path (a, "divert_to")
          || member (a, "engines", json_type_array) == NULL || member (a, "diverted", json_type_boolean) == NULL
          || (json_object_object_get_ex (a, "link", &link) && !json_object_is_type (link, json_type_string)
              && !json_object_is_type (link, json_type_null)))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: actions[%zu]: not an entry setup writes", path, i);
    }
  *journal = steal_pointer (&j);
  return 0;
}

static json_object *
journal_entry (json_object *journal, const char *rel)
{
  json_object *files = member (journal, "files", json_type_array);
  for (size_t i = 0; i < json_object_array_length (files); i++)
    {
      json_object *f = json_object_array_get_idx (files, i);
      if (strcmp (setup_json_string (f, "path") + 1, rel) == 0)
        return f;
    }
  return NULL;
}

static bool
array_has (json_object *a, const char *s)
{
  for (size_t i = 0; i < json_object_array_length (a); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (a, i)), s) == 0)
      return true;
  return false;
}

static void
array_add_once (json_object *a, const char *s)
{
  if (!array_has (a, s))
    json_object_array_add (a, json_object_new_string (s));
}

/* mkdir every missing directory of rel (a directory under ROOT), each one
 * made added to `made`. */
static int
make_dirs (const struct setup_ctx *ctx, const char *rel, mode_t mode, json_object *made, ocigate_error_t *err)
{
  cleanup_free char *copy = xstrdup (rel);
  for (char *slash = copy;; slash++)
    {
      slash = strchr (slash, '/');
      if (slash)
        *slash = '\0';
      cleanup_free char *path = NULL;
      if (setup_at (ctx, copy, false, &path, err) < 0)
        return -1;
      if (mkdir (path, mode) == 0)
        json_object_array_add (made, json_object_new_string (copy));
      else if (errno != EEXIST)
        return ocigate_error_make_errno (err, errno, "mkdir %s", path);
      if (slash == NULL)
        return 0;
      *slash = '/';
    }
}

static char *
dir_of_rel (const char *rel)
{
  const char *slash = strrchr (rel, '/');
  return slash ? xstrndup (rel, (size_t)(slash - rel)) : NULL;
}

static int
write_text (const struct setup_ctx *ctx, const char *rel, const char *text, size_t len, ocigate_error_t *err)
{
  cleanup_free char *path = NULL;
  if (setup_at (ctx, rel, true, &path, err) < 0)
    return -1;
  return write_file_atomic (path, text, len, err);
}

static int
journal_save (const struct setup_ctx *ctx, json_object *journal, ocigate_error_t *err)
{
  cleanup_free char *text = xasprintf ("%s\n", json_to_text (journal));
  return write_text (ctx, JOURNAL, text, strlen (text), err);
}

static int
by_length_desc (const void *a, const void *b)
{
  size_t x = strlen (*(char *const *)a), y = strlen (*(char *const *)b);
  return x < y ? 1 : x > y ? -1 : 0;
}

/* rmdir the directories setup made (a json-c array of names under ROOT),
 * deepest first; one that is not empty stays, and is added to `stay`. */
static void
remove_dirs (const struct setup_ctx *ctx, json_object *dirs, json_object *stay)
{
  size_t n = json_object_array_length (dirs);
  cleanup_free const char **v = xreallocarray (NULL, n ? n : 1, sizeof *v);
  for (size_t i = 0; i < n; i++)
    v[i] = json_object_get_string (json_object_array_get_idx (dirs, i));
  qsort (v, n, sizeof *v, by_length_desc);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *path = NULL;
      cleanup_error ocigate_error_t err = NULL;
      if (setup_at (ctx, v[i], false, &path, &err) < 0 || (rmdir (path) < 0 && errno != ENOENT))
        json_object_array_add (stay, json_object_new_string (v[i]));
    }
}

/* ---------------------------------------------------------- showing */

static int
write_temp (const char *dir, const char *name, const char *text, size_t len, char **path, ocigate_error_t *err)
{
  *path = xasprintf ("%s/%s", dir, name);
  cleanup_close int fd = open (*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0 || write_all (fd, text, len) < 0)
    return ocigate_error_make_errno (err, errno, "write %s", *path);
  return 0;
}

/* A unified diff from before to after (NULL: absent), by diff(1) where
 * it can run, else the two texts. */
static int
show_diff (const char *path, const char *before, size_t before_len, const char *after, size_t after_len,
           ocigate_error_t *err)
{
  const char *tmp = getenv ("TMPDIR");
  cleanup_free char *dir = xasprintf ("%s/ocigate-setup-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (mkdtemp (dir) == NULL)
    return ocigate_error_make_errno (err, errno, "mkdtemp %s", dir);
  cleanup_free char *a = NULL, *b = NULL;
  int r = write_temp (dir, "a", before ? before : "", before_len, &a, err);
  if (r == 0)
    r = write_temp (dir, "b", after ? after : "", after_len, &b, err);
  cleanup_free char *la = before ? xstrdup (path) : xstrdup ("/dev/null");
  cleanup_free char *lb = after ? xasprintf ("%s (ocigate setup)", path) : xstrdup ("/dev/null");
  int status = 0;
  if (r == 0)
    {
      (void)fflush (stdout);
      pid_t pid = fork ();
      if (pid == 0)
        {
          execlp ("diff", "diff", "-u", "--label", la, "--label", lb, a, b, (char *)NULL);
          _exit (127);
        }
      if (pid < 0 || waitpid (pid, &status, 0) < 0)
        r = ocigate_error_make_errno (err, errno, "run diff");
    }
  if (r == 0 && !(WIFEXITED (status) && WEXITSTATUS (status) <= 1))
    {
      printf ("--- %s\n", la);
      (void)fwrite (before ? before : "", 1, before_len, stdout);
      printf ("+++ %s\n", lb);
      (void)fwrite (after ? after : "", 1, after_len, stdout);
    }
  if (a)
    unlink (a);
  if (b)
    unlink (b);
  rmdir (dir);
  return r;
}

/* ----------------------------------------------------------- restarting */

/* The pid of the engine's daemon from its pid file, if that process is
 * running under the daemon's name; 0 otherwise. */
static pid_t
daemon_pid (const struct setup_ctx *ctx, const struct setup_engine *e, char **pid_file)
{
  for (const char *const *f = e->pid_files; *f; f++)
    {
      cleanup_free char *text = NULL;
      size_t len = 0;
      bool exists = false;
      cleanup_error ocigate_error_t err = NULL;
      if (read_now (ctx, *f, &text, &len, &exists, &err) < 0 || !exists)
        continue;
      free (*pid_file);
      *pid_file = setup_path (ctx, *f);
      char *end = NULL;
      long pid = strtol (text, &end, 10);
      if (pid <= 0 || pid > INT_MAX || end == text)
        continue;
      cleanup_free char *comm_path = xasprintf ("/proc/%ld/comm", pid);
      cleanup_free char *comm = NULL;
      if (read_file_limited (comm_path, 64, &comm, &len, &err) < 0)
        continue;
      if (len > 0 && comm[len - 1] == '\n')
        comm[len - 1] = '\0';
      if (strcmp (comm, e->daemon) == 0)
        return (pid_t)pid;
    }
  return 0;
}

static void
restart (const struct setup_ctx *ctx, const struct setup_engine *e, enum setup_restart how, bool print)
{
  if (e->restart == NULL)
    {
      printf ("%s: nothing to restart: %s\n", e->name, e->no_restart);
      return;
    }
  bool signal_it = e->daemon && how != RESTART_NONE && !(how == RESTART_AUTO && ctx->needs_restart);
  if (!signal_it)
    {
      const char *why = "";
      if (how != RESTART_NONE)
        why = e->daemon ? " (SIGHUP does not apply userns-remap)" : " (a signal does not make it read them again)";
      printf ("%s: run `%s` to apply the changes%s\n", e->name, e->restart, why);
      return;
    }
  cleanup_free char *pid_file = NULL;
  pid_t pid = daemon_pid (ctx, e, &pid_file);
  if (pid == 0)
    printf ("%s: no running %s found%s%s: nothing to signal; run `%s` to apply the changes\n", e->name, e->daemon,
            pid_file ? " in " : "", pid_file ? pid_file : "", e->restart);
  else if (print)
    printf ("%s: would run: kill -HUP %d (%s)\n", e->name, (int)pid, e->daemon);
  else if (kill (pid, SIGHUP) < 0)
    printf ("%s: kill -HUP %d: %s; run `%s` to apply the changes\n", e->name, (int)pid, strerror (errno), e->restart);
  else
    printf ("%s: sent SIGHUP to %s (pid %d): it reloads its runtimes and default-runtime\n", e->name, e->daemon,
            (int)pid);
  if (ctx->needs_restart)
    printf ("%s: SIGHUP does not apply userns-remap: run `%s` to apply it\n", e->name, e->restart);
}

static bool
engine_changed (const struct setup_ctx *ctx, const struct setup_engine *e)
{
  for (size_t i = 0; i < ctx->n_files; i++)
    if (ctx->files[i].engine && strcmp (ctx->files[i].engine, e->name) == 0)
      return true;
  for (size_t i = 0; i < ctx->n_diverts; i++)
    if (strcmp (ctx->diverts[i].engine, e->name) == 0)
      return true;
  return false;
}

/* ---------------------------------------------------------- diversions */

/* dpkg-divert's argv to add path's diversion to divert_to (divert_to
 * NULL: to remove it), moving the file (--rename). */
static char **
divert_argv (const char *path, const char *divert_to)
{
  const char *words[]
      = { SETUP_DPKG_DIVERT, "--package", SETUP_DPKG_PACKAGE, "--divert", divert_to, "--rename", "--add", path, NULL };
  const char *remove_words[]
      = { SETUP_DPKG_DIVERT, "--package", SETUP_DPKG_PACKAGE, "--rename", "--remove", path, NULL };
  const char *const *w = divert_to ? words : remove_words;
  size_t n = 0;
  while (w[n])
    n++;
  char **argv = xreallocarray (NULL, n + 1, sizeof *argv);
  for (size_t i = 0; i < n; i++)
    argv[i] = xstrdup (w[i]);
  argv[n] = NULL;
  return argv;
}

/* The command as setup shows it. */
static char *
command_text (const struct setup_ctx *ctx, char *const *argv)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, argv[0]);
  for (size_t i = 1; argv[i]; i++)
    strbuf_appendf (&sb, " %s", argv[i]);
  if (*ctx->root)
    strbuf_appendf (&sb, " (chrooted into %s)", ctx->root);
  return strbuf_steal (&sb);
}

/* Show dpkg-divert's command ("would run: ..." with print), or run it: the
 * host's, chrooted into ROOT under --root (an installer's container has no
 * dpkg of its own), never through a shell. */
static int
dpkg_divert (const struct setup_ctx *ctx, const char *path, const char *divert_to, bool print, ocigate_error_t *err)
{
  cleanup_strv char **argv = divert_argv (path, divert_to);
  cleanup_free char *shown = command_text (ctx, argv);
  printf ("%s: %s\n", print ? "would run" : "run", shown);
  if (print)
    return 0;
  (void)fflush (stdout);
  (void)fflush (stderr);
  pid_t pid = fork ();
  if (pid < 0)
    return ocigate_error_make_errno (err, errno, "fork for %s", shown);
  if (pid == 0)
    {
      /* Not the caller's environment: DPKG_ROOT or DPKG_ADMINDIR there
       * would divert in another tree than the one the journal speaks of. */
      char *env[] = { xstrdup ("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), xstrdup ("LC_ALL=C"), NULL };
      if (*ctx->root && (chroot (ctx->root) < 0 || chdir ("/") < 0))
        {
          fprintf (stderr, "ocigate: chroot %s: %s\n", ctx->root, strerror (errno));
          _exit (127);
        }
      execve (argv[0], argv, env);
      fprintf (stderr, "ocigate: cannot run %s: %s\n", argv[0], strerror (errno));
      _exit (127);
    }
  int status = 0;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ocigate_error_make_errno (err, errno, "wait for %s", shown);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  if (WIFEXITED (status))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: exit status %d", shown, WEXITSTATUS (status));
  return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "%s: killed by signal %d", shown, WTERMSIG (status));
}

/* The journal's action for path, or NULL. */
static json_object *
journal_action (json_object *journal, const char *path)
{
  json_object *actions = member (journal, "actions", json_type_array);
  for (size_t i = 0; actions && i < json_object_array_length (actions); i++)
    {
      json_object *a = json_object_array_get_idx (actions, i);
      if (strcmp (setup_json_string (a, "path"), path) == 0)
        return a;
    }
  return NULL;
}

/* Divert and link as planned; the journal is saved after each step, so
 * that it says what was done even when a later step fails. */
static int
apply_diverts (const struct setup_ctx *ctx, json_object *journal, ocigate_error_t *err)
{
  for (size_t i = 0; i < ctx->n_diverts; i++)
    {
      const struct setup_divert *d = &ctx->diverts[i];
      json_object *a = journal_action (journal, d->path);
      if (a == NULL)
        {
          json_object *actions = member (journal, "actions", json_type_array);
          if (actions == NULL)
            {
              actions = json_object_new_array ();
              json_object_object_add (journal, "actions", actions);
            }
          a = json_object_new_object ();
          json_object_object_add (a, "kind", json_object_new_string ("divert"));
          json_object_object_add (a, "path", json_object_new_string (d->path));
          json_object_object_add (a, "divert_to", json_object_new_string (d->divert_to));
          json_object_object_add (a, "package", json_object_new_string (SETUP_DPKG_PACKAGE));
          json_object *names = json_object_new_array ();
          json_object_array_add (names, json_object_new_string (d->engine));
          json_object_object_add (a, "engines", names);
          json_object_object_add (a, "diverted", json_object_new_boolean (false));
          json_object_object_add (a, "link", NULL);
          json_object_array_add (actions, a);
        }
      if (d->add)
        {
          if (dpkg_divert (ctx, d->path, d->divert_to, false, err) < 0)
            return -1;
          json_object_object_add (a, "diverted", json_object_new_boolean (true));
          if (journal_save (ctx, journal, err) < 0)
            return -1;
        }
      cleanup_free char *at = NULL;
      if (setup_at (ctx, d->path + 1, false, &at, err) < 0)
        return -1;
      if (symlink (d->link_to, at) < 0)
        return ocigate_error_make_errno (err, errno, "link %s to %s", at, d->link_to);
      json_object_object_add (a, "link", json_object_new_string (d->link_to));
      if (journal_save (ctx, journal, err) < 0)
        return -1;
      printf ("linked %s -> %s\n", d->path, d->link_to);
    }
  return 0;
}

/* Take back one diversion of the journal: the link while it still leads
 * where setup made it lead, then the diversion setup added (dpkg moves
 * the real binary back).  1 done (or shown), 0 the link changed since
 * (said, both left), -1 an error; the entry says what is left to do. */
static int
undo_divert (const struct setup_ctx *ctx, json_object *a, bool print, ocigate_error_t *err)
{
  const char *path = setup_json_string (a, "path");
  const char *link = setup_json_string (a, "link");
  cleanup_free char *at = NULL;
  if (setup_at (ctx, path + 1, false, &at, err) < 0)
    return -1;
  if (link)
    {
      char target[PATH_MAX];
      ssize_t n = readlink (at, target, sizeof target - 1);
      int e = errno;
      if (n >= 0)
        target[n] = '\0';
      if (n < 0 && e == ENOENT)
        printf ("%s: removed since ocigate setup made it a link to %s\n", path, link);
      else if (n < 0 || strcmp (target, link) != 0)
        {
          printf ("%s: changed since ocigate setup made it a link to %s: left as it is, and its diversion too\n", path,
                  link);
          return 0;
        }
      else if (print)
        printf ("would remove the link %s -> %s\n", path, link);
      else if (unlink (at) < 0)
        return ocigate_error_make_errno (err, errno, "remove %s", at);
      else
        {
          printf ("removed the link %s -> %s\n", path, link);
          json_object_object_add (a, "link", NULL);
        }
    }
  if (!json_object_get_boolean (member (a, "diverted", json_type_boolean)))
    {
      printf ("%s: its diversion to %s was there before ocigate setup: left\n", path,
              setup_json_string (a, "divert_to"));
      return 1;
    }
  if (dpkg_divert (ctx, path, NULL, print, err) < 0)
    return -1;
  return 1;
}

/* -------------------------------------------------------------- setup */

int
setup_journal_open (const struct setup_ctx *ctx, json_object **journal, ocigate_error_t *err)
{
  if (journal_load (ctx, journal, err) < 0)
    return -1;
  if (*journal != NULL)
    return 0;
  cleanup_json json_object *j = json_object_new_object ();
  json_object_object_add (j, "version", json_object_new_int (1));
  json_object *dirs = json_object_new_array ();
  json_object_object_add (j, "dirs", dirs);
  json_object_object_add (j, "files", json_object_new_array ());
  if (make_dirs (ctx, JOURNAL_PARENT, 0755, dirs, err) < 0 || make_dirs (ctx, JOURNAL_DIR, 0700, dirs, err) < 0)
    return -1;
  *journal = steal_pointer (&j);
  return 0;
}

json_object *
setup_journal_track (const struct setup_ctx *ctx, json_object *journal, const char *rel, bool existed, const char *old,
                     size_t old_len, ocigate_error_t *err)
{
  json_object *e = journal_entry (journal, rel);
  if (e == NULL)
    {
      e = json_object_new_object ();
      json_object_array_add (member (journal, "files", json_type_array), e);
      cleanup_free char *abs = xasprintf ("/%s", rel);
      json_object_object_add (e, "path", json_object_new_string (abs));
      json_object_object_add (e, "engines", json_object_new_array ());
      json_object_object_add (e, "existed", json_object_new_boolean (existed));
      if (existed)
        {
          char hex[SHA256_HEX_LEN + 1];
          sha256_hex (rel, strlen (rel), hex);
          cleanup_free char *name = xasprintf ("%.16s.orig", hex);
          cleanup_free char *orig = xasprintf (JOURNAL_DIR "/%s", name);
          if (write_text (ctx, orig, old, old_len, err) < 0)
            return NULL;
          json_object_object_add (e, "original", json_object_new_string (name));
        }
      json_object_object_add (e, "dirs", json_object_new_array ());
    }
  json_object *dirs = member (e, "dirs", json_type_array);
  if (dirs == NULL)
    {
      dirs = json_object_new_array ();
      json_object_object_add (e, "dirs", dirs);
    }
  cleanup_free char *dir = dir_of_rel (rel);
  if (dir && make_dirs (ctx, dir, 0755, dirs, err) < 0)
    return NULL;
  return e;
}

int
setup_journal_save (const struct setup_ctx *ctx, json_object *journal, ocigate_error_t *err)
{
  return journal_save (ctx, journal, err);
}

json_object *
setup_json_member (json_object *o, const char *key, json_type type)
{
  return member (o, key, type);
}

static int
apply (struct setup_ctx *ctx, const struct setup_engine **sel, size_t n_sel, ocigate_error_t *err)
{
  cleanup_json json_object *journal = NULL;
  if (setup_journal_open (ctx, &journal, err) < 0)
    return -1;
  /* The originals and the journal first: a file setup wrote is one it can
   * give back. */
  for (size_t i = 0; i < ctx->n_files; i++)
    {
      const struct setup_file *f = &ctx->files[i];
      json_object *e = setup_journal_track (ctx, journal, f->rel, f->existed, f->old, f->old_len, err);
      if (e == NULL)
        return -1;
      json_object *names = member (e, "engines", json_type_array);
      for (size_t k = 0; k < n_sel; k++)
        if (f->engine == NULL || strcmp (f->engine, sel[k]->name) == 0)
          array_add_once (names, sel[k]->name);
      char hex[SHA256_HEX_LEN + 1];
      sha256_hex (f->text, f->len, hex);
      json_object_object_add (e, "sha256", json_object_new_string (hex));
    }
  if (journal_save (ctx, journal, err) < 0)
    return -1;
  for (size_t i = 0; i < ctx->n_files; i++)
    {
      if (write_text (ctx, ctx->files[i].rel, ctx->files[i].text, ctx->files[i].len, err) < 0)
        return -1;
      printf ("%s /%s\n", ctx->files[i].existed ? "changed" : "created", ctx->files[i].rel);
    }
  return apply_diverts (ctx, journal, err);
}

static int
setup (struct setup_ctx *ctx, const struct setup_engine **sel, size_t n_sel, enum setup_mode mode, bool print,
       enum setup_restart how)
{
  cleanup_error ocigate_error_t err = NULL;
  int failed = 0;
  for (size_t i = 0; i < n_sel; i++)
    if (sel[i]->plan (ctx, &err) < 0)
      {
        fprintf (stderr, "ocigate: %s; nothing written\n", err->msg);
        ocigate_error_free (&err);
        failed = 1;
      }
  if (!failed && plan_policy (ctx, mode, &err) < 0)
    {
      fprintf (stderr, "ocigate: policy: %s; nothing written\n", err->msg);
      return EXIT_DENIED;
    }
  if (failed)
    return EXIT_DENIED;
  /* The program first: no engine is pointed at a binary not there yet. */
  if (ctx->install && setup_install (ctx, print, &err) < 0)
    {
      fprintf (stderr, "ocigate: --install: %s; nothing of the engines written\n", err->msg);
      return EXIT_DENIED;
    }
  if (n_sel == 0)
    return fflush (stdout) == 0 ? EXIT_ALLOWED : EXIT_DENIED;
  fputs (ctx->notes.buf ? ctx->notes.buf : "", stdout);
  if (ctx->n_files == 0 && ctx->n_diverts == 0)
    {
      printf ("nothing to change: %s set up already\n", n_sel == 1 ? sel[0]->name : "the engines are");
      return EXIT_ALLOWED;
    }
  if (print)
    {
      for (size_t i = 0; i < ctx->n_files; i++)
        {
          const struct setup_file *f = &ctx->files[i];
          cleanup_free char *path = xasprintf ("/%s", f->rel);
          if (show_diff (path, f->existed ? f->old : NULL, f->old_len, f->text, f->len, &err) < 0)
            {
              fprintf (stderr, "ocigate: %s\n", err->msg);
              return EXIT_DENIED;
            }
        }
      for (size_t i = 0; i < ctx->n_diverts; i++)
        {
          const struct setup_divert *d = &ctx->diverts[i];
          if (d->add)
            (void)dpkg_divert (ctx, d->path, d->divert_to, true, &err);
          printf ("would link %s -> %s\n", d->path, d->link_to);
        }
      printf ("would keep the originals and a journal in /" JOURNAL_DIR "/\n");
    }
  else if (apply (ctx, sel, n_sel, &err) < 0)
    {
      fprintf (stderr, "ocigate: %s\n", err->msg);
      return EXIT_DENIED;
    }
  for (size_t i = 0; i < n_sel; i++)
    if (engine_changed (ctx, sel[i]))
      restart (ctx, sel[i], how, print);
  return fflush (stdout) == 0 ? EXIT_ALLOWED : EXIT_DENIED;
}

/* --------------------------------------------------------------- undo */

/* Give back one file of the journal: 1 restored (or shown), 0 changed
 * since setup wrote it (said, left), -1 an error. */
static int
undo_file (const struct setup_ctx *ctx, json_object *e, bool print, ocigate_error_t *err)
{
  if (setup_json_string (e, "type"))
    return setup_install_undo_entry (ctx, e, print, err);
  const char *shown = setup_json_string (e, "path"), *rel = shown + 1;
  cleanup_free char *path = NULL;
  if (setup_at (ctx, rel, true, &path, err) < 0)
    return -1;
  cleanup_free char *now = NULL, *orig = NULL, *orig_rel = NULL;
  size_t now_len = 0, orig_len = 0;
  bool exists = false, orig_exists = false;
  if (read_now (ctx, rel, &now, &now_len, &exists, err) < 0)
    return -1;
  char hex[SHA256_HEX_LEN + 1];
  if (exists)
    sha256_hex (now, now_len, hex);
  if (!exists || strcmp (hex, setup_json_string (e, "sha256")) != 0)
    {
      printf ("%s: %s since ocigate setup wrote it: left as it is\n", shown, exists ? "changed" : "removed");
      return 0;
    }
  bool existed = json_object_get_boolean (member (e, "existed", json_type_boolean));
  if (existed)
    {
      orig_rel = xasprintf (JOURNAL_DIR "/%s", setup_json_string (e, "original"));
      if (read_now (ctx, orig_rel, &orig, &orig_len, &orig_exists, err) < 0)
        return -1;
      if (!orig_exists)
        return ocigate_error_make (err, ENOENT, OCIGATE_ERR_INPUT, "%s: its original /%s is gone", path, orig_rel);
    }
  if (print)
    return show_diff (shown, now, now_len, orig, orig_len, err) < 0 ? -1 : 1;
  if (existed)
    {
      if (write_file_atomic (path, orig, orig_len, err) < 0)
        return -1;
      cleanup_free char *orig_path = NULL;
      if (setup_at (ctx, orig_rel, false, &orig_path, err) == 0)
        (void)unlink (orig_path);
      printf ("restored /%s\n", rel);
    }
  else
    {
      if (unlink (path) < 0)
        return ocigate_error_make_errno (err, errno, "remove %s", path);
      printf ("removed /%s\n", rel);
    }
  return 1;
}

static int
undo (struct setup_ctx *ctx, const struct setup_engine **sel, size_t n_sel, bool print, enum setup_restart how)
{
  cleanup_error ocigate_error_t err = NULL;
  cleanup_json json_object *journal = NULL;
  if (journal_load (ctx, &journal, &err) < 0)
    {
      fprintf (stderr, "ocigate: %s\n", err->msg);
      return EXIT_DENIED;
    }
  if (journal == NULL)
    {
      printf ("nothing to undo: ocigate setup has changed nothing under %s/\n", ctx->root);
      return EXIT_ALLOWED;
    }
  json_object *files = member (journal, "files", json_type_array);
  cleanup_json json_object *kept = json_object_new_array ();
  cleanup_json json_object *dirs = json_object_new_array ();
  bool restored[ARRAY_SIZE (engines)] = { false };
  int status = EXIT_ALLOWED;
  for (size_t i = 0; i < json_object_array_length (files); i++)
    {
      json_object *e = json_object_array_get_idx (files, i);
      json_object *names = member (e, "engines", json_type_array);
      cleanup_json json_object *left = json_object_new_array ();
      for (size_t k = 0; k < json_object_array_length (names); k++)
        {
          const char *name = json_object_get_string (json_object_array_get_idx (names, k));
          bool undone = false;
          for (size_t s = 0; s < n_sel; s++)
            undone |= strcmp (name, sel[s]->name) == 0;
          if (!undone)
            json_object_array_add (left, json_object_new_string (name));
        }
      int r = 0;
      if (json_object_array_length (left) == json_object_array_length (names))
        r = 0; /* another engine's */
      else if (json_object_array_length (left) > 0)
        {
          /* Shared (the policy) with an engine that stays set up. */
          if (!print)
            json_object_object_add (e, "engines", json_object_get (left));
        }
      else if ((r = undo_file (ctx, e, print, &err)) < 0)
        {
          fprintf (stderr, "ocigate: %s\n", err->msg);
          ocigate_error_free (&err);
          status = EXIT_DENIED;
        }
      else if (r == 0)
        status = EXIT_DENIED;
      if (r == 1)
        {
          bool policy = strcmp (setup_json_string (e, "path"), "/" POLICY) == 0;
          json_object *made = member (e, "dirs", json_type_array);
          for (size_t k = 0; made && k < json_object_array_length (made); k++)
            json_object_array_add (dirs, json_object_get (json_object_array_get_idx (made, k)));
          for (size_t s = 0; s < ARRAY_SIZE (engines); s++)
            if (!policy && array_has (names, engines[s]->name))
              restored[s] = true;
          if (array_has (names, "docker")
              && memmem (setup_json_string (e, "path"), strlen (setup_json_string (e, "path")), "daemon.json", 11))
            ctx->needs_restart = true; /* userns-remap may go: SIGHUP does not apply that */
        }
      else
        json_object_array_add (kept, json_object_get (e));
    }
  json_object *actions = member (journal, "actions", json_type_array);
  cleanup_json json_object *kept_actions = json_object_new_array ();
  for (size_t i = 0; actions && i < json_object_array_length (actions); i++)
    {
      json_object *a = json_object_array_get_idx (actions, i);
      json_object *names = member (a, "engines", json_type_array);
      bool undoing = false;
      for (size_t s = 0; s < n_sel; s++)
        undoing |= array_has (names, sel[s]->name);
      int r = 0;
      if (undoing && (r = undo_divert (ctx, a, print, &err)) < 0)
        {
          fprintf (stderr, "ocigate: %s\n", err->msg);
          ocigate_error_free (&err);
        }
      if (undoing && r < 1)
        status = EXIT_DENIED;
      if (r == 1)
        for (size_t s = 0; s < ARRAY_SIZE (engines); s++)
          restored[s] |= array_has (names, engines[s]->name);
      else
        json_object_array_add (kept_actions, json_object_get (a));
    }
  if (!print)
    {
      /* A directory setup made that is not empty yet (another engine's
       * file is in it) goes with the journal's own, when the last file
       * does. */
      json_object *own = member (journal, "dirs", json_type_array);
      if (own == NULL)
        {
          own = json_object_new_array ();
          json_object_object_add (journal, "dirs", own);
        }
      bool last = json_object_array_length (kept) == 0 && json_object_array_length (kept_actions) == 0;
      if (last)
        {
          cleanup_free char *path = NULL;
          if (setup_at (ctx, JOURNAL, false, &path, &err) == 0)
            (void)unlink (path);
          for (size_t k = 0; k < json_object_array_length (own); k++)
            json_object_array_add (dirs, json_object_get (json_object_array_get_idx (own, k)));
        }
      cleanup_json json_object *stay = json_object_new_array ();
      remove_dirs (ctx, dirs, stay);
      if (!last)
        {
          for (size_t k = 0; k < json_object_array_length (stay); k++)
            array_add_once (own, json_object_get_string (json_object_array_get_idx (stay, k)));
          json_object_object_add (journal, "files", json_object_get (kept));
          if (actions)
            json_object_object_add (journal, "actions", json_object_get (kept_actions));
          if (journal_save (ctx, journal, &err) < 0)
            {
              fprintf (stderr, "ocigate: %s\n", err->msg);
              return EXIT_DENIED;
            }
        }
    }
  for (size_t s = 0; s < ARRAY_SIZE (engines); s++)
    if (restored[s])
      restart (ctx, engines[s], how, print);
  return fflush (stdout) == 0 ? status : EXIT_DENIED;
}

/* The engines' files first, then what --install put there: no engine is
 * left pointed at a program that is gone. */
static int
undo_with_install (struct setup_ctx *ctx, const struct setup_engine **sel, size_t n_sel, bool install, bool print,
                   enum setup_restart how)
{
  int status = n_sel > 0 ? undo (ctx, sel, n_sel, print, how) : EXIT_ALLOWED;
  const struct setup_engine *installed[] = { &setup_engine_install };
  if (install)
    {
      int r = undo (ctx, installed, 1, print, how);
      if (r != EXIT_ALLOWED)
        status = r;
    }
  return status;
}

/* ------------------------------------------------------------ command */

static int setup_usage (const char *fmt, ...) PRINTF_LIKE (1, 2);

static int
setup_usage (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("ocigate: ", stderr);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  fputs (usage_setup, stderr);
  return EXIT_ERROR;
}

/* Add e to sel once; NULL: nothing. */
static void
select_engine (const struct setup_engine **sel, size_t *n_sel, const struct setup_engine *e)
{
  for (size_t k = 0; k < *n_sel; k++)
    if (sel[k] == e)
      return;
  if (e)
    sel[(*n_sel)++] = e;
}

/* ROOT/rel exists (a dangling link counts: the binary is installed). */
static bool
exists_under (const struct setup_ctx *ctx, const char *rel)
{
  cleanup_free char *path = NULL;
  cleanup_error ocigate_error_t err = NULL;
  struct stat st;
  return setup_at (ctx, rel, false, &path, &err) == 0 && lstat (path, &st) == 0;
}

/* The first of e's binaries under ROOT, or NULL; *needs_missing when it is
 * there but what e needs is not. */
static const char *
engine_binary (const struct setup_ctx *ctx, const struct setup_engine *e, bool *needs_missing)
{
  *needs_missing = false;
  for (const char *const *b = e->binaries; *b; b++)
    if (exists_under (ctx, *b))
      {
        *needs_missing = e->needs && !exists_under (ctx, e->needs);
        return *b;
      }
  return NULL;
}

/* `setup all`: whether e is on the host, said either way. */
static bool
engine_found (const struct setup_ctx *ctx, const struct setup_engine *e)
{
  bool needs_missing = false;
  const char *b = engine_binary (ctx, e, &needs_missing);
  if (b && needs_missing)
    {
      printf ("all: %s: cannot be set up: found /%s but no /%s: %s\n", e->name, b, e->needs, e->without_needs);
      return false;
    }
  if (b)
    {
      printf ("all: %s: found /%s\n", e->name, b);
      return true;
    }
  cleanup_strbuf struct strbuf looked = { 0 };
  for (const char *const *bin = e->binaries; *bin; bin++)
    strbuf_appendf (&looked, "%s/%s", looked.len ? " or " : "", *bin);
  printf ("all: %s: not found (no %s)\n", e->name, looked.buf);
  return false;
}

int
setup_engines_pending (const char *root, const char *bindir, setup_pending_fn report, void *data, ocigate_error_t *err)
{
  for (size_t i = 0; i < ARRAY_SIZE (engines); i++)
    {
      const struct setup_engine *e = engines[i];
      cleanup_setup_ctx struct setup_ctx ctx = { .root = root, .bindir = bindir };
      bool needs_missing = false;
      const char *b = engine_binary (&ctx, e, &needs_missing);
      if (b == NULL)
        continue;
      if (needs_missing)
        {
          report (data, e->name, b, e->without_needs);
          continue;
        }
      if (e->plan (&ctx, err) < 0)
        return ocigate_error_prefix (err, "%s", e->name);
      cleanup_strbuf struct strbuf pending = { 0 };
      for (size_t f = 0; f < ctx.n_files; f++)
        strbuf_appendf (&pending, "%s/%s would change", pending.len ? "; " : "", ctx.files[f].rel);
      for (size_t d = 0; d < ctx.n_diverts; d++)
        strbuf_appendf (&pending, "%s%s is not diverted to ocigate", pending.len ? "; " : "", ctx.diverts[d].path);
      report (data, e->name, b, pending.len ? pending.buf : NULL);
    }
  return 0;
}

/* A directory as a prefix: without trailing slashes, "" for /. */
static char *
dir_prefix (const char *dir)
{
  size_t n = strlen (dir);
  while (n > 0 && dir[n - 1] == '/')
    n--;
  return xstrndup (dir, n);
}

/* bindir goes into JSON and TOML strings as it is. */
static bool
plain_path (const char *p)
{
  if (p[0] != '/')
    return false;
  for (; *p; p++)
    if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\')
      return false;
  return true;
}

int
cmd_setup (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "print", no_argument, NULL, 'P' },         { "undo", no_argument, NULL, 'U' },
    { "mode", required_argument, NULL, 'm' },    { "userns", no_argument, NULL, 'u' },
    { "root", required_argument, NULL, 'r' },    { "bindir", required_argument, NULL, 'b' },
    { "restart", required_argument, NULL, 'R' }, { "install", no_argument, NULL, 'I' },
    { "wait", no_argument, NULL, 'W' },          { NULL, 0, NULL, 0 },
  };
  bool print = false, undoing = false, userns = false, install = false, wait = false;
  enum setup_mode mode = MODE_KEEP;
  enum setup_restart how = RESTART_NONE;
  const char *root = "/", *bindir = NULL;
  int c;
  while ((c = getopt_long (argc, argv, "+", longopts, NULL)) != -1)
    {
      switch (c)
        {
        case 'P':
          print = true;
          break;
        case 'U':
          undoing = true;
          break;
        case 'I':
          install = true;
          break;
        case 'W':
          wait = true;
          break;
        case 'u':
          userns = true;
          break;
        case 'm':
          if (strcmp (optarg, "enforce") == 0)
            mode = MODE_ENFORCE;
          else if (strcmp (optarg, "dry-run") == 0)
            mode = MODE_DRY_RUN;
          else
            return setup_usage ("unknown mode '%s' (enforce or dry-run)", optarg);
          break;
        case 'r':
          root = optarg;
          break;
        case 'b':
          bindir = optarg;
          break;
        case 'R':
          if (strcmp (optarg, "none") == 0)
            how = RESTART_NONE;
          else if (strcmp (optarg, "signal") == 0)
            how = RESTART_SIGNAL;
          else if (strcmp (optarg, "auto") == 0)
            how = RESTART_AUTO;
          else
            return setup_usage ("unknown restart '%s' (none, signal or auto)", optarg);
          break;
        default:
          fputs (usage_setup, stderr);
          return EXIT_ERROR;
        }
    }
  if (optind >= argc && !install)
    return setup_usage ("%s", "no engine given (" ENGINE_NAMES ")");
  if (undoing && (userns || mode != MODE_KEEP || wait))
    return setup_usage ("%s", "--undo gives files back as they were: no --mode, --userns or --wait with it");
  if (wait && print)
    return setup_usage ("%s", "--wait sets up and waits: not with --print");

  const struct setup_engine *sel[ARRAY_SIZE (engines)];
  size_t n_sel = 0;
  bool all = false;
  for (int i = optind; i < argc; i++)
    {
      const struct setup_engine *e = NULL;
      all |= strcmp (argv[i], "all") == 0;
      for (size_t k = 0; k < ARRAY_SIZE (engines); k++)
        if (strcmp (argv[i], engines[k]->name) == 0)
          e = engines[k];
      if (e == NULL && strcmp (argv[i], "all") != 0)
        return setup_usage ("unknown engine '%s' (" ENGINE_NAMES ")", argv[i]);
      select_engine (sel, &n_sel, e);
    }

  cleanup_free char *self_dir = NULL;
  if (bindir == NULL)
    {
      cleanup_error ocigate_error_t err = NULL;
      cleanup_free char *self = cli_self_exe (&err);
      if (self == NULL)
        {
          fprintf (stderr, "ocigate: %s; name the directory with --bindir\n", err->msg);
          return EXIT_ERROR;
        }
      char *slash = strrchr (self, '/');
      if (slash)
        *slash = '\0';
      self_dir = xstrdup (*self ? self : "/");
      bindir = self_dir;
    }
  cleanup_free char *bin = dir_prefix (bindir);
  if (!plain_path (bindir) || *bin == '\0')
    return setup_usage ("--bindir '%s': an absolute path without quotes, backslashes or control characters, not /",
                        bindir);
  cleanup_free char *root_prefix = dir_prefix (root);
  struct stat st;
  if (stat (*root_prefix ? root_prefix : "/", &st) < 0 || !S_ISDIR (st.st_mode))
    return setup_usage ("--root '%s': not a directory", root);

  cleanup_setup_ctx struct setup_ctx ctx = { .root = root_prefix, .bindir = bin, .userns = userns, .install = install };
  /* --undo all: whatever the journal says setup did. */
  for (size_t k = 0; all && k < ARRAY_SIZE (engines); k++)
    if (undoing || engine_found (&ctx, engines[k]))
      select_engine (sel, &n_sel, engines[k]);
  if (n_sel == 0 && !install)
    {
      printf ("all: no engine found under %s/: nothing to set up\n", ctx.root);
      return EXIT_ALLOWED;
    }
  if (undoing)
    return undo_with_install (&ctx, sel, n_sel, install, print, how);
  sigset_t stop;
  if (wait)
    setup_wait_block (&stop);
  int status = setup (&ctx, sel, n_sel, mode, print, how);
  if (!wait || status != EXIT_ALLOWED)
    return status;
  setup_wait (&stop);
  cleanup_setup_ctx struct setup_ctx again = { .root = root_prefix, .bindir = bin };
  return undo_with_install (&again, sel, n_sel, install, false, how);
}
