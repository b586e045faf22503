/* hooks: no hook of the config runs a program as root that ocigate has
 * not verified.  OWASP Docker Top 10 D04 (the gate is not bypassed by what
 * the runtime runs beside the container).
 *
 * The runtime runs config.json's hooks itself (runtime-spec, config.md
 * "POSIX-platform Hooks"), as the user it runs as, root for runc and crun
 * under every engine but a rootless one, with every capability:
 *
 *  - prestart, createRuntime, poststart, poststop: on the host, in the
 *    runtime's namespaces.  A poststart hook `/bin/sh -c ...` gave whoever
 *    wrote the config a root shell on the host, whatever the other rules
 *    said of the container.
 *  - createContainer: in the container's namespaces, but before the
 *    runtime enters its root (runc runs it before pivot_root), so the path
 *    is the host's and the program sees the host's files.
 *  - startContainer is not judged: the runtime runs it in the container,
 *    after the root is entered and the process's user, capabilities and
 *    seccomp filter are in place (the path is the container's), so it can
 *    do no more than the container's own process, which the other rules
 *    judge.
 *
 * A hook of a judged stage passes when it is one of:
 *
 *  - ocigate's own: its program is the file this ocigate runs (device and
 *    inode, compared with /proc/self/exe, not the name) and its args run
 *    `ocigate hook ...` (args[1] "hook", args[0] not the name of a
 *    wrapper): the prestart hook of Podman's hooks.d and the refusing hook
 *    the precreate hook adds.  Such a hook can only refuse.
 *  - Docker's network hook: dockerd (20.10 and later) re-executing itself,
 *    path /proc/PID/exe and args[0] "libnetwork-setkey".  Verified on the
 *    process: /proc/PID/exe links to one of `engineBinaries` and is that
 *    file (device and inode), and the process runs as root (all of its
 *    UIDs 0).  Whatever else runs at that PID is a finding.  A PID that has
 *    no process (or no program) here cannot be verified, but the runtime
 *    could not run it either: that is a warning whatever the action, so
 *    `ocigate check` of a config captured on another host still judges the
 *    rest.  A non-root ocigate that may not read the process says so the
 *    same way; a root one that cannot read it makes the finding.
 *  - a path the option `allow` lists, exactly as written there.
 *
 * The runtime resolves the path again when it runs the hook, after ocigate
 * has decided, so the program of ocigate's own hook and of an allowed one
 * must also be a regular file that nobody but root (or the user ocigate
 * runs as, whom a rootless runtime runs the hook as) can replace: the
 * file, the directory it is in and every one above belong to root and are
 * writable by nobody else (trust_check(), as for the policy and
 * config.json).  None of the three passes with an `env` entry that glibc
 * removes from the environment of a setuid program (LD_PRELOAD, any LD_*,
 * GCONV_PATH, ...): the hook runs as root, and those would load code of
 * the config's choosing into it.
 *
 * Each finding points at the hook (/hooks/poststart/0).  A config refused
 * at precreate still reaches the runtime, with ocigate's refusing hook
 * first in prestart and createRuntime (cli/hook.c), so nothing after it in
 * those runs, nor createContainer, startContainer or poststart, which come
 * later.  poststop hooks do run: the runtime runs them when it deletes the
 * container that failed to start (runc's destroy, Podman's cleanup).  So
 * the rule sets disarm_refused, and the hooks it found are removed from
 * the refused config, those of every stage alike; refused unjudged (no
 * findings to go by), the config loses every hook, and the refusing hook
 * is added after.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "core/field.h"
#include "core/rule.h"
#include "rules/pathutil.h"

struct hook_stage
{
  const char *name;  /* the member of "hooks" */
  const char *where; /* where and as whom the runtime runs it */
};

static const struct hook_stage hook_stages[] = {
  { "prestart", "on the host as root" },
  { "createRuntime", "on the host as root" },
  { "createContainer", "as root before the container's root is entered" },
  { "poststart", "on the host as root" },
  { "poststop", "on the host as root" },
};

/* Docker's network hook: dockerd re-executing itself by this name. */
#define DOCKER_SETKEY "libnetwork-setkey"

/* What glibc's loader removes from the environment of a setuid program
 * (sysdeps/generic/unsecvars.h), besides every LD_ name. */
static const char *const unsafe_env[] = {
  "GCONV_PATH", "GETCONF_DIR", "GLIBC_TUNABLES",   "HOSTALIASES", "LOCALDOMAIN", "LOCPATH", "MALLOC_TRACE",
  "NIS_PATH",   "NLSPATH",     "RESOLV_HOST_CONF", "RES_OPTIONS", "TMPDIR",      "TZDIR",
};

struct hooks_options
{
  char **allow;   /* exact paths, NULL-terminated */
  char **engines; /* what /proc/PID/exe of Docker's hook may link to */
};

static void
hooks_options_free (void *p)
{
  struct hooks_options *o = p;
  if (o == NULL)
    return;
  cleanup_strvp (&o->allow);
  cleanup_strvp (&o->engines);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (hooks_options, hooks_options_free)
#define cleanup_hooks_options __attribute__ ((cleanup (cleanup_hooks_optionsp)))

/* A list of absolute paths written as a config would give them: the
 * runtime is handed the path as it is, so it is compared as it is. */
static int
option_exact_paths (json_object *opts, const char *key, const struct policy_where *where, char ***out,
                    ocigate_error_t *err)
{
  json_object *v = json_get (opts, key);
  if (v == NULL || !json_object_is_type (v, json_type_array))
    return policy_where_error (where, key, -1, err, "must be an array of absolute paths");
  size_t len = json_object_array_length (v);
  if (len > OCIGATE_MAX_LIST)
    return policy_where_error (where, key, -1, err, "%zu paths, more than the limit of %d", len, OCIGATE_MAX_LIST);
  cleanup_strv char **list = xzalloc ((len + 1) * sizeof *list);
  for (size_t i = 0; i < len; i++)
    {
      json_object *p = json_object_array_get_idx (v, i);
      if (!json_object_is_type (p, json_type_string) || json_object_get_string (p)[0] != '/')
        return policy_where_error (where, key, (long)i, err, "must be an absolute path (a string starting with /)");
      const char *path = json_object_get_string (p);
      cleanup_free char *normal = path_normalize (path);
      if (strcmp (normal, path) != 0 || strcmp (path, "/") == 0)
        {
          cleanup_free char *shown = text_excerpt (path);
          return policy_where_error (where, key, (long)i, err,
                                     "\"%s\" must name a file by its absolute path with no \".\", \"..\" or empty "
                                     "component and no trailing /, as a config gives it",
                                     shown);
        }
      list[i] = xstrdup (path);
    }
  *out = steal_pointer (&list);
  return 0;
}

static int
hooks_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "allow", "engineBinaries", NULL };
  if (rule_options_check_keys (opts, where, keys, err) < 0)
    return -1;
  cleanup_hooks_options struct hooks_options *o = xzalloc (sizeof *o);
  if (option_exact_paths (opts, "allow", where, &o->allow, err) < 0
      || option_exact_paths (opts, "engineBinaries", where, &o->engines, err) < 0)
    return -1;
  *out = steal_pointer (&o);
  return 0;
}

/* One hook of the config, read. */
struct hook_entry
{
  const struct hook_stage *stage;
  size_t index;
  const char *path;
  json_object *args, *env;
  size_t n_args, n_env;
};

/* Read hooks.STAGE[i] (types only); -1 with an input error. */
static int
read_entry (json_object *list, const struct json_path *stage_at, size_t i, struct hook_entry *e, ocigate_error_t *err)
{
  json_object *entry = NULL;
  if (field_item_object (list, stage_at, i, &entry, err) < 0)
    return -1;
  const struct json_path *at = FIELD_INDEX (stage_at, i);
  e->index = i;
  if (field_string (entry, at, "path", FIELD_REQUIRED, NULL, &e->path, err) < 0
      || field_string_array (entry, at, "args", NULL, FIELD_OPTIONAL, &e->args, &e->n_args, err) < 0
      || field_string_array (entry, at, "env", NULL, FIELD_OPTIONAL, &e->env, &e->n_env, err) < 0)
    return -1;
  return 0;
}

static const char *
arg (const struct hook_entry *e, size_t i)
{
  return i < e->n_args ? json_object_get_string (json_object_array_get_idx (e->args, i)) : NULL;
}

/* "config hook runs PATH WHERE[AFTER] (hooks.STAGE[I].path=PATH[,
 * CONTEXT]); REMEDY" at /hooks/STAGE/I. */
static void
hook_finding (const struct rule_setting *s, struct verdict *v, enum action action, const struct hook_entry *e,
              const char *after, const char *context, const char *remedy)
{
  cleanup_free char *shown = text_excerpt (e->path);
  cleanup_free char *pointer = xasprintf ("/hooks/%s/%zu", e->stage->name, e->index);
  verdict_add_finding (v, s->rule->id, action, pointer, "config hook runs %s %s%s (hooks.%s[%zu].path=%s%s%s); %s",
                       shown, e->stage->where, after ? after : "", e->stage->name, e->index, shown, context ? ", " : "",
                       context ? context : "", remedy);
}

/* The program of the hook is the file this process runs. */
static bool
is_self (struct host_info *host, const char *path)
{
  dev_t dev;
  ino_t ino;
  struct stat st;
  return host_self_exe (host, &dev, &ino) == 0 && stat (path, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

/* args run `ocigate hook ...`, not the wrapper that args[0] would name. */
static bool
runs_ocigate_hook (const struct hook_entry *e)
{
  const char *a0 = arg (e, 0), *a1 = arg (e, 1);
  if (a0 == NULL || a1 == NULL || strcmp (a1, "hook") != 0)
    return false;
  const char *base = strrchr (a0, '/');
  base = base ? base + 1 : a0;
  return strcmp (base, "ocigate-runc") != 0 && strcmp (base, "ocigate-crun") != 0;
}

/* The program cannot be replaced by anyone but root before the runtime
 * runs it; otherwise a finding saying why. */
static bool
program_trusted (const struct rule_setting *s, struct verdict *v, const struct hook_entry *e, const char *whose)
{
  cleanup_error ocigate_error_t terr = NULL;
  if (trust_check (-1, e->path, "hook", NULL, OCIGATE_ERR_INPUT, &terr) == 0)
    return true;
  /* "hook PATH: what; remedy" or "hook: VERB PATH: strerror" */
  const char *why = terr->msg;
  size_t plen = strlen (e->path);
  if (strncmp (why, "hook ", 5) == 0 && strncmp (why + 5, e->path, plen) == 0 && strncmp (why + 5 + plen, ": ", 2) == 0)
    why += 5 + plen + 2;
  else if (strncmp (why, "hook: ", 6) == 0)
    why += 6;
  const char *semi = strrchr (why, ';');
  cleanup_free char *what = semi ? xstrndup (why, (size_t)(semi - why)) : xstrdup (why);
  cleanup_free char *context = xasprintf ("%s: %s", whose, what);
  hook_finding (s, v, s->action, e, ", from a file others could replace before the runtime runs it", context,
                semi ? semi + 2 : "install the program where only root can change it");
  return false;
}

/* No variable of `env` would load code into the root hook. */
static void
judge_env (const struct rule_setting *s, struct verdict *v, const struct hook_entry *e)
{
  for (size_t i = 0; i < e->n_env; i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (e->env, i));
      size_t name_len = strcspn (kv, "=");
      bool unsafe = strncmp (kv, "LD_", 3) == 0;
      for (size_t k = 0; k < ARRAY_SIZE (unsafe_env) && !unsafe; k++)
        unsafe = strlen (unsafe_env[k]) == name_len && strncmp (kv, unsafe_env[k], name_len) == 0;
      if (!unsafe)
        continue;
      cleanup_free char *var = text_excerpt (kv);
      cleanup_free char *context = xasprintf ("hooks.%s[%zu].env[%zu]=%s", e->stage->name, e->index, i, var);
      hook_finding (s, v, s->action, e,
                    " with a variable that loads code of the config's choosing into it (glibc ignores it for "
                    "setuid programs)",
                    context, "remove the variable from the hook's env");
      return;
    }
}

/* The PID of "/proc/PID/exe", or 0: decimal without a leading zero, as
 * the kernel's /proc reads it. */
static unsigned long
proc_exe_pid (const char *path)
{
  if (strncmp (path, "/proc/", 6) != 0 || path[6] < '1' || path[6] > '9')
    return 0;
  char *end = NULL;
  errno = 0;
  unsigned long pid = strtoul (path + 6, &end, 10);
  if (errno || pid > INT_MAX || strcmp (end, "/exe") != 0)
    return 0;
  return pid;
}

/* Whether every UID of the process in /proc/PID/status (at dfd) is 0;
 * -1 when it cannot be read. */
static int
process_all_root (int dfd)
{
  cleanup_close int fd = openat (dfd, "status", O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return -1;
  cleanup_file FILE *f = fdopen (fd, "re");
  if (f == NULL)
    return -1;
  (void)steal_fd (&fd);
  char line[256];
  while (fgets (line, sizeof line, f))
    {
      if (strncmp (line, "Uid:", 4) != 0)
        continue;
      /* real, effective, saved and file system UIDs */
      const char *p = line + 4;
      for (int k = 0; k < 4; k++)
        {
          char *end = NULL;
          errno = 0;
          unsigned long id = strtoul (p, &end, 10);
          if (end == p || errno)
            return -1;
          if (id != 0)
            return 0;
          p = end;
        }
      return 1;
    }
  return -1;
}

/* Docker's network hook, verified on the process its path names. */
static void
judge_engine_hook (const struct rule_context *ctx, const struct rule_setting *s, const struct hooks_options *o,
                   struct verdict *v, const struct hook_entry *e, unsigned long pid)
{
  static const char remedy[] = "remove the hook; only Docker's own network hook, with /proc/PID/exe a process of a "
                               "binary in rules.hooks.engineBinaries run by root, passes";
  const char *a0 = arg (e, 0);
  if (a0 == NULL || strcmp (a0, DOCKER_SETKEY) != 0)
    {
      cleanup_free char *shown = text_excerpt (a0 ? a0 : "");
      cleanup_free char *context = xasprintf ("args[0]=%s, not Docker's " DOCKER_SETKEY, shown);
      hook_finding (s, v, s->action, e, ", the program of another process", context, remedy);
      return;
    }
  cleanup_free char *dir = xasprintf ("%s/%lu", ctx->host->proc_path, pid);
  cleanup_close int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  char target[PATH_MAX];
  ssize_t n = dfd < 0 ? -1 : readlinkat (dfd, "exe", target, sizeof target - 1);
  if (n < 0)
    {
      int errnum = errno;
      bool gone = errnum == ENOENT || errnum == ESRCH;
      bool unreadable = (errnum == EACCES || errnum == EPERM) && ctx->host->euid != 0;
      cleanup_free char *context
          = xasprintf ("Docker's network hook; %s: %s", dfd < 0 ? dir : "its program", strerror (errnum));
      if (gone)
        hook_finding (s, v, ACTION_WARN, e,
                      " and cannot be verified here: no such process with a program on this host, so the runtime "
                      "could not run it either",
                      context, "judge the config on the host whose engine wrote it");
      else if (unreadable)
        hook_finding (s, v, ACTION_WARN, e, " and cannot be verified by ocigate running as a user other than root",
                      context, "run ocigate as root");
      else
        hook_finding (s, v, s->action, e, " and its process cannot be verified", context, remedy);
      return;
    }
  target[n] = '\0';
  cleanup_free char *shown_target = text_excerpt (target);
  struct stat run, engine;
  if (!strv_contains (o->engines, target) || fstatat (dfd, "exe", &run, 0) < 0 || stat (target, &engine) < 0
      || run.st_dev != engine.st_dev || run.st_ino != engine.st_ino)
    {
      cleanup_free char *context = xasprintf ("the program of process %lu is %s", pid, shown_target);
      hook_finding (s, v, s->action, e,
                    ", the program of a process that is not an engine of rules.hooks.engineBinaries", context, remedy);
      return;
    }
  int all_root = process_all_root (dfd);
  if (all_root != 1)
    {
      cleanup_free char *context = xasprintf ("process %lu of %s %s", pid, shown_target,
                                              all_root < 0 ? "whose UIDs cannot be read" : "not run by root");
      hook_finding (s, v, s->action, e, ", the program of a process not verified as root's", context, remedy);
      return;
    }
  judge_env (s, v, e);
}

static void
judge_entry (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
             const struct hook_entry *e)
{
  const struct hooks_options *o = s->options;
  unsigned long pid = proc_exe_pid (e->path);
  if (pid)
    {
      judge_engine_hook (ctx, s, o, v, e, pid);
      return;
    }
  const char *whose = NULL;
  if (strv_contains (o->allow, e->path))
    whose = "listed in rules.hooks.allow";
  else if (runs_ocigate_hook (e) && is_self (ctx->host, e->path))
    whose = "ocigate's own hook";
  if (whose == NULL)
    {
      hook_finding (s, v, s->action, e, NULL, NULL, "remove the hook, or list the path in rules.hooks.allow");
      return;
    }
  if (program_trusted (s, v, e, whose))
    judge_env (s, v, e);
}

/* Every stage read, then judged: a config that cannot be judged has no
 * findings. */
static int
hooks_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  static const struct json_path hooks_at = { .key = "hooks" };
  json_object *hooks = NULL;
  if (field_object (ctx->config->root, NULL, "hooks", FIELD_OPTIONAL, NULL, &hooks, err) < 0)
    return -1;
  if (hooks == NULL)
    return 0;
  for (int judging = 0; judging <= 1; judging++)
    for (size_t k = 0; k < ARRAY_SIZE (hook_stages); k++)
      {
        const struct json_path *stage_at = FIELD_KEY (&hooks_at, hook_stages[k].name);
        json_object *list = NULL;
        size_t n = 0;
        if (field_array (hooks, &hooks_at, hook_stages[k].name, NULL, FIELD_OPTIONAL, &list, &n, err) < 0)
          return -1;
        for (size_t i = 0; i < n; i++)
          {
            struct hook_entry e = { .stage = &hook_stages[k] };
            if (read_entry (list, stage_at, i, &e, err) < 0)
              return -1;
            if (judging)
              judge_entry (ctx, s, v, &e);
          }
      }
  return 0;
}

/* Refused unjudged: every hook goes (the refusing one is added after). */
static void
hooks_disarm_unjudged (json_object *root)
{
  json_object_object_del (root, "hooks");
}

const struct rule rule_hooks = {
  .id = "hooks",
  .summary = "config hooks the runtime runs as root: only ocigate's own, Docker's verified network hook and "
             "allowed programs",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"allow\": [], \"engineBinaries\": [\"/usr/sbin/dockerd\"]}",
  .parse_options = hooks_parse,
  .free_options = hooks_options_free,
  .evaluate = hooks_evaluate,
  .disarm_refused = true,
  .disarm_unjudged = hooks_disarm_unjudged,
};
