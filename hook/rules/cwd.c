/* processCwd: the process starts in a directory of the container:
 * process.cwd is an absolute path, and neither /proc nor another proc file
 * system the config mounts holds it.
 *
 * CVE-2024-21626 ("Leaky Vessels"): runc up to 1.1.11 (Debian 12's 1.1.5
 * unless patched) leaked a descriptor of a host directory into runc init,
 * which then made process.cwd its working directory and exec'd the
 * process: a cwd of /proc/self/fd/7 (the number varies) started it in the
 * host's file system, from where ../../.. reaches the host's root.
 * `runc exec --cwd` does the same to a running container; the wrapper puts
 * the option into the exec's process (cli/runc_input.c), so this rule
 * judges it there (the hook never sees an exec).
 *
 * The runtime resolves cwd inside the container after it has mounted /proc,
 * where /proc/PID/fd, cwd, root and map_files hold magic links that need
 * not stay in the container, and /proc/self and /proc/thread-self lead to
 * them.  No working directory a workload needs lies in a proc file system,
 * so all of /proc is refused, not a list of such entries (which /proc/1/..
 * and the like would walk around), and so is any other destination where
 * the config mounts proc (type "proc") or a host path below /proc.  /sys is
 * not refused: sysfs has no magic links, its links are plain ones that stay
 * in the container's view.
 *
 * The judgement is lexical: "//", "." and ".." applied, a trailing slash
 * dropped (path_normalize), so /proc/./self/fd/7, /proc/1/../self/fd/7/ and
 * //proc//self/fd/7 are /proc/self/fd/7.  The path is looked up in the
 * container's root file system, which ocigate does not read: a symbolic
 * link of the image that leads into /proc is not seen here.
 *
 * A cwd that is not absolute is refused too: the runtime-spec requires an
 * absolute one; runc refuses a relative one, and a runtime that does not
 * takes it from wherever it happens to be.  An absent, null or empty cwd
 * likewise: runc refuses it ("Cwd property must not be empty"), and ocigate
 * cannot tell where another runtime would start the process.
 *
 * One finding at most, at /process/cwd.  No fix: which directory the
 * process needs is the workload's to say.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"
#include "rules/pathutil.h"

#define CWD_POINTER "/process/cwd"
#define CWD_CVE "CVE-2024-21626"
#define CWD_HOW "set process.cwd to a directory of the container (docker run -w, podman run --workdir, runc exec --cwd)"

static const struct json_path process_at = { .key = "process" };
static const struct json_path mounts_at = { .key = "mounts" };

/* ", normalised N" when the cwd is not written as it normalises. */
static char *
normalised_note (const char *cwd, const char *norm)
{
  if (strcmp (cwd, norm) == 0)
    return xstrdup ("");
  return xasprintf (", normalised %s", norm);
}

/* The first mount of a proc file system (type "proc"), or of a host path
 * below /proc, whose destination holds `cwd` (normalised): in *what, what
 * it is, for the message; NULL when there is none. */
static int
proc_mount_holding (const struct rule_context *ctx, const char *cwd, char **what, ocigate_error_t *err)
{
  static const struct field_count mounts_count = { OCIGATE_MAX_LIST, "mounts", NULL };
  json_object *mounts = NULL;
  size_t n = 0;
  *what = NULL;
  if (field_array (ctx->config->root, NULL, "mounts", &mounts_count, FIELD_OPTIONAL, &mounts, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      const struct json_path *at = FIELD_INDEX (&mounts_at, i);
      json_object *m = NULL;
      const char *dest = NULL, *type = NULL, *source = NULL;
      if (field_item_object (mounts, &mounts_at, i, &m, err) < 0
          || field_string (m, at, "destination", FIELD_REQUIRED, NULL, &dest, err) < 0
          || field_string (m, at, "type", FIELD_OPTIONAL, NULL, &type, err) < 0
          || field_string (m, at, "source", FIELD_OPTIONAL, NULL, &source, err) < 0)
        return -1;
      bool proc_type = type && strcmp (type, "proc") == 0;
      /* Only a source that names proc can normalise below /proc. */
      bool proc_source = source && source[0] == '/' && strstr (source, "proc") != NULL;
      if (!proc_type && !proc_source)
        continue;
      cleanup_free char *source_norm = proc_source ? path_normalize (source) : NULL;
      if (!proc_type && !path_is_within (source_norm, "/proc"))
        continue;
      cleanup_free char *dest_norm = path_normalize (dest);
      if (!path_is_within (cwd, dest_norm))
        continue;
      if (proc_type)
        *what = xasprintf ("mounts[%zu] mounts a proc file system at %s", i, dest_norm);
      else
        *what = xasprintf ("mounts[%zu] mounts host path %s at %s", i, source_norm, dest_norm);
      return 0;
    }
  return 0;
}

static int
cwd_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  enum field_state state = FIELD_ABSENT;
  const char *cwd = NULL;
  if (field_string (json_get (ctx->config->root, "process"), &process_at, "cwd", FIELD_OPTIONAL, &state, &cwd, err) < 0)
    return -1;
  if (cwd == NULL || cwd[0] == '\0')
    {
      verdict_add_finding (v, s->rule->id, s->action, CWD_POINTER,
                           "working directory is not set (process.cwd is %s, and the runtime-spec requires an "
                           "absolute path); " CWD_HOW,
                           state == FIELD_PRESENT ? "empty"
                           : state == FIELD_NULL  ? "null"
                                                  : "absent");
      return 0;
    }
  if (cwd[0] != '/')
    {
      verdict_add_finding (v, s->rule->id, s->action, CWD_POINTER,
                           "working directory is not an absolute path (process.cwd=%s, which the runtime-spec "
                           "requires to be absolute: where a relative one leads depends on the runtime); " CWD_HOW,
                           cwd);
      return 0;
    }
  cleanup_free char *norm = path_normalize (cwd);
  if (path_is_within (norm, "/proc"))
    {
      cleanup_free char *note = normalised_note (cwd, norm);
      verdict_add_finding (v, s->rule->id, s->action, CWD_POINTER,
                           "working directory is in /proc, whose magic links can lead out of the container "
                           "(process.cwd=%s%s, " CWD_CVE "); " CWD_HOW,
                           cwd, note);
      return 0;
    }
  cleanup_free char *what = NULL;
  if (proc_mount_holding (ctx, norm, &what, err) < 0)
    return -1;
  if (what)
    {
      cleanup_free char *note = normalised_note (cwd, norm);
      verdict_add_finding (v, s->rule->id, s->action, CWD_POINTER,
                           "working directory is in a proc file system, whose magic links can lead out of the "
                           "container (process.cwd=%s%s, %s, " CWD_CVE "); " CWD_HOW,
                           cwd, note, what);
    }
  return 0;
}

const struct rule rule_process_cwd = {
  .id = "processCwd",
  .summary = "the process starts outside the container's directories (process.cwd in /proc or another proc file "
             "system, or not absolute)",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .evaluate = cwd_evaluate,
};
