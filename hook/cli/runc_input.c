/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "cli/runc_input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/jsonio.h"
#include "core/rule.h"

static int
parse_id (const char *s, const char *what, uint32_t *out, ocigate_error_t *err)
{
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull (s, &end, 10);
  if (errno || end == s || *end || v > UINT32_MAX || s[0] == '-')
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s \"%s\" is not a numeric ID", what, s);
  *out = (uint32_t)v;
  return 0;
}

static void
add_to_set (json_object *caps, const char *set, const char *name)
{
  json_object *arr = json_get (caps, set);
  if (arr == NULL || !json_object_is_type (arr, json_type_array))
    {
      arr = json_object_new_array ();
      json_object_object_add (caps, set, arr);
    }
  json_object_array_add (arr, json_object_new_string (name));
}

/* The process a flag-built exec runs, from the container's (proc, a copy
 * it changes): runc 1.1 (exec.go getProcess) starts from the container's
 * process and changes what a flag names; crun 1.8 (src/exec.c) makes a new
 * one, of which the user (0:0 without --user), the capabilities (the -c
 * ones, else the container's), noNewPrivileges (true with --no-new-privs,
 * else false), the cwd ("/" without --cwd), and the AppArmor profile and
 * SELinux label (the container's without the flags) are what the rules
 * read. */
static int
exec_flags (const struct runc_args *args, json_object *proc, ocigate_error_t *err)
{
  bool crun = args->runtime == RUNC_RUNTIME_CRUN;
  json_object *user = json_get (proc, "user");
  if (crun || user == NULL || !json_object_is_type (user, json_type_object))
    {
      user = json_object_new_object ();
      json_object_object_add (proc, "user", user);
    }
  if (crun)
    {
      json_object_object_add (user, "uid", json_object_new_int64 (0));
      json_object_object_add (user, "gid", json_object_new_int64 (0));
    }
  if (args->user)
    {
      cleanup_free char *u = xstrdup (args->user);
      char *colon = strchr (u, ':');
      if (colon)
        *colon = '\0';
      uint32_t uid = 0, gid = 0;
      if (parse_id (u, "--user", &uid, err) < 0 || (colon && parse_id (colon + 1, "--user group", &gid, err) < 0))
        return -1;
      json_object_object_add (user, "uid", json_object_new_int64 (uid));
      if (colon)
        json_object_object_add (user, "gid", json_object_new_int64 (gid));
    }
  for (size_t i = 0; i < args->n_gids; i++)
    {
      uint32_t gid = 0;
      if (parse_id (args->gids[i], "--additional-gids", &gid, err) < 0)
        return -1;
      json_object *gids = json_get (user, "additionalGids");
      if (gids == NULL || !json_object_is_type (gids, json_type_array))
        {
          gids = json_object_new_array ();
          json_object_object_add (user, "additionalGids", gids);
        }
      json_object_array_add (gids, json_object_new_int64 (gid));
    }
  if (args->n_caps)
    {
      json_object *caps = json_get (proc, "capabilities");
      if (crun || caps == NULL || !json_object_is_type (caps, json_type_object))
        {
          caps = json_object_new_object ();
          json_object_object_add (proc, "capabilities", caps);
        }
      for (size_t i = 0; i < args->n_caps; i++)
        {
          static const char *const sets[] = { "bounding", "effective", "permitted", "ambient" };
          for (size_t s = 0; s < ARRAY_SIZE (sets); s++)
            add_to_set (caps, sets[s], args->caps[i]);
        }
    }
  if (crun)
    json_object_object_add (proc, "noNewPrivileges", json_object_new_boolean (args->no_new_privs != RUNC_BOOL_UNSET));
  else if (args->no_new_privs != RUNC_BOOL_UNSET)
    json_object_object_add (proc, "noNewPrivileges", json_object_new_boolean (args->no_new_privs == RUNC_BOOL_TRUE));
  /* runc takes only a non-empty value; crun any. */
  if (args->apparmor && (crun || args->apparmor[0]))
    json_object_object_add (proc, "apparmorProfile", json_object_new_string (args->apparmor));
  if (args->process_label && (crun || args->process_label[0]))
    json_object_object_add (proc, "selinuxLabel", json_object_new_string (args->process_label));
  if (args->cwd && (crun || args->cwd[0]))
    json_object_object_add (proc, "cwd", json_object_new_string (args->cwd));
  else if (crun)
    json_object_object_add (proc, "cwd", json_object_new_string ("/"));
  return 0;
}

int
runc_exec_process (const struct runc_args *args, struct oci_config *cfg, ocigate_error_t *err)
{
  json_object *proc = NULL;
  if (args->process_file)
    {
      cleanup_free char *buf = NULL;
      size_t len = 0;
      if (read_file_limited (args->process_file, OCIGATE_MAX_CONFIG_BYTES, &buf, &len, err) < 0
          || json_parse_untrusted (buf, len, args->process_file, &proc, err) < 0)
        return -1;
      if (spec_keys_check (proc, true, args->process_file, err) < 0)
        {
          json_object_put (proc);
          return -1;
        }
    }
  else
    {
      json_object *orig = json_get (cfg->root, "process");
      if (json_object_deep_copy (orig, &proc, NULL) < 0)
        return ocigate_error_make (err, ENOMEM, OCIGATE_ERR_INTERNAL, "copy process");
      if (exec_flags (args, proc, err) < 0)
        {
          json_object_put (proc);
          return -1;
        }
    }
  json_object_object_add (cfg->root, "process", proc);
  cfg->exec_process = true;
  return oci_config_refresh (cfg, err);
}

/* Whether --memory, --pids-limit or --cpu-quota VALUE of `update` asks for
 * no limit, as
 * either runtime reads it: runc takes "-1" (and, for --pids-limit, any
 * negative Go integer: "-0x1" too), crun takes strtoul()'s result as a
 * long, so "-5" and numbers past LONG_MAX are negative there.  *as_read:
 * the negative value to name in a message. */
static bool
update_flag_lifts (const char *value, long long *as_read)
{
  errno = 0;
  unsigned long long u = strtoull (value, NULL, 10);
  long long crun = errno == ERANGE ? -1 : (long long)u;
  *as_read = crun < 0 ? crun : -1;
  return crun < 0 || value[0] == '-';
}

/* section.key of an update made from flags (memory.limit, pids.limit,
 * cpu.quota), when the flag lifts it. */
static void
update_add_flag (json_object *update, const char *section, const char *key, const char *value)
{
  long long as_read = 0;
  if (value == NULL || !update_flag_lifts (value, &as_read))
    return;
  json_object *o = json_get (update, section);
  if (o == NULL)
    {
      o = json_object_new_object ();
      json_object_object_add (update, section, o);
    }
  json_object_object_add (o, key, json_object_new_int64 (as_read));
}

/* runc's --cpu-share, a share the update gives (ParseUint: digits only);
 * crun writes the flag as "cpu.share", which it does not read, so it gives
 * none there. */
static void
update_add_share (const struct runc_args *args, json_object *update)
{
  const char *v = args->update_cpu_share;
  if (v == NULL || args->runtime != RUNC_RUNTIME_RUNC || v[0] == '\0' || strspn (v, "0123456789") != strlen (v))
    return;
  errno = 0;
  unsigned long long shares = strtoull (v, NULL, 10);
  if (errno != 0 || shares == 0 || shares > INT64_MAX)
    return;
  json_object *cpu = json_get (update, "cpu");
  if (cpu == NULL)
    {
      cpu = json_object_new_object ();
      json_object_object_add (update, "cpu", cpu);
    }
  json_object_object_add (cpu, "shares", json_object_new_int64 ((int64_t)shares));
}

int
runc_update_resources (const struct runc_args *args, char **text, size_t *len, json_object **out, ocigate_error_t *err)
{
  const char *file = args->resources_file;
  *out = NULL;
  if (file == NULL)
    {
      json_object *update = json_object_new_object ();
      update_add_flag (update, "memory", "limit", args->update_memory);
      update_add_flag (update, "pids", "limit", args->update_pids);
      update_add_flag (update, "cpu", "quota", args->update_cpu_quota);
      update_add_share (args, update);
      *out = update;
      return 0;
    }
  bool from_stdin = strcmp (file, "-") == 0;
  const char *name = from_stdin ? "update --resources on standard input" : file;
  int r = from_stdin ? read_fd_limited (STDIN_FILENO, name, OCIGATE_MAX_UPDATE_BYTES, text, len, err)
                     : read_file_limited (file, OCIGATE_MAX_UPDATE_BYTES, text, len, err);
  cleanup_json json_object *update = NULL;
  if (r < 0 || json_parse_untrusted (*text, *len, name, &update, err) < 0)
    return -1;
  if (!json_object_is_type (update, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an object (linux.resources), not %s", name,
                               json_type_label (update));
  /* runc reads it with Go's encoding/json, as it reads linux.resources. */
  cleanup_json json_object *as_config = json_object_new_object ();
  json_object *linux_ = json_object_new_object ();
  json_object_object_add (as_config, "linux", linux_);
  json_object_object_add (linux_, "resources", json_object_get (update));
  if (spec_keys_check (as_config, false, name, err) < 0)
    return -1;
  *out = steal_pointer (&update);
  return 0;
}

int
runc_hand_over_resources (const struct runc_args *args, char **argv, const char *text, size_t len, ocigate_error_t *err)
{
  static char dash[] = "-", long_dash[] = "--resources=-";
  cleanup_close int fd = memfd_create ("ocigate-update", MFD_CLOEXEC);
  if (fd < 0)
    return ocigate_error_make_errno (err, errno, "memfd_create");
  if (write_all (fd, text, len) < 0)
    return ocigate_error_make_errno (err, errno, "writing the update for the runtime");
  if (lseek (fd, 0, SEEK_SET) < 0 || dup2 (fd, STDIN_FILENO) < 0)
    return ocigate_error_make_errno (err, errno, "handing the update to the runtime");
  int i = args->resources_index;
  argv[i] = argv[i] == args->resources_file ? dash : long_dash;
  return 0;
}

/* LISTEN_FDS as the runtime reads it: how many descriptors from 3 on it
 * passes before the --preserve-fds ones.  runc takes them only for create
 * and run, and only when LISTEN_PID is its own process (the wrapper's: it
 * execs the runtime); crun takes LISTEN_FDS as it is, with strtoll, for
 * create, run and exec.  A value that is not plain decimal is refused. */
static int
listen_fds (const struct runc_args *args, unsigned long *out, ocigate_error_t *err)
{
  *out = 0;
  const char *fds = getenv ("LISTEN_FDS");
  if (fds == NULL)
    return 0;
  if (args->runtime == RUNC_RUNTIME_RUNC)
    {
      const char *pid = getenv ("LISTEN_PID");
      if (strcmp (args->command, "exec") == 0 || pid == NULL)
        return 0;
      char *end = NULL;
      errno = 0;
      long long p = strtoll (pid, &end, 10);
      if (errno || end == pid || *end || p != (long long)getpid ())
        return 0;
    }
  size_t len = strlen (fds);
  if (len == 0 || len > 7 || strspn (fds, "0123456789") != len || strtoul (fds, NULL, 10) > RUNC_ARGS_MAX_PRESERVE_FDS)
    return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                               "LISTEN_FDS=%s in the environment: %s would pass descriptors from 3 on to the "
                               "container, and ocigate cannot tell how many; unset it or make it a decimal count",
                               fds, args->runtime == RUNC_RUNTIME_CRUN ? "crun" : "runc");
  *out = strtoul (fds, NULL, 10);
  return 0;
}

int
runc_check_passed_fds (const struct runc_args *args, ocigate_error_t *err)
{
  unsigned long listen = 0;
  if (listen_fds (args, &listen, err) < 0)
    return -1;
  unsigned long n = listen + args->preserve_fds;
  for (unsigned long k = 0; k < n; k++)
    {
      int fd = (int)(3 + k);
      /* How the option that passes it reads in a message. */
      cleanup_free char *via
          = k < listen ? xasprintf ("LISTEN_FDS=%lu", listen) : xasprintf ("--preserve-fds %s", args->preserve_fds_arg);
      int flags = fcntl (fd, F_GETFD);
      if (flags < 0)
        return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                   "%s passes fd %d to the container, but fd %d is not open: the runtime would pass "
                                   "one of its own at that number (runc 1.1 hands over the host's cgroup directory "
                                   "so); open fd %d before running the runtime, or pass fewer",
                                   via, fd, fd, fd);
      if (flags & FD_CLOEXEC)
        return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                   "%s passes fd %d to the container, but fd %d is close-on-exec, so the runtime "
                                   "would not get it and could pass one of its own at that number; clear "
                                   "FD_CLOEXEC on fd %d, or pass fewer",
                                   via, fd, fd, fd);
      struct stat st;
      if (fstat (fd, &st) < 0)
        return ocigate_error_make_errno (err, errno, "fstat of fd %d (%s)", fd, via);
      if (S_ISDIR (st.st_mode) || S_ISBLK (st.st_mode))
        {
          cleanup_free char *link = xasprintf ("/proc/self/fd/%d", fd);
          char target[256] = "";
          ssize_t len = readlink (link, target, sizeof target - 1);
          target[len > 0 ? len : 0] = '\0';
          return ocigate_error_make (err, 0, OCIGATE_ERR_USAGE,
                                     "%s passes fd %d to the container, and fd %d is %s (%s): %s; pass only files, "
                                     "sockets, pipes and terminals",
                                     via, fd, fd, S_ISDIR (st.st_mode) ? "a directory" : "a block device", target,
                                     S_ISDIR (st.st_mode)
                                         ? "through it the container reaches the host's directories beyond its root "
                                           "(openat with \"..\")"
                                         : "the container would read and write a host disk raw");
        }
    }
  return 0;
}
