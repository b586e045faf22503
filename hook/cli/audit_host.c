/* ocigate audit: the host's checks.  Whether every engine on the host runs
 * its containers through ocigate (setup's own plans: an engine whose setup
 * would still change something is not wired), whether user namespace
 * remapping is configured, whether the subordinate ID ranges are sane, and
 * whether the decision log reaches somewhere.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/jsonio.h"
#include "cli/audit.h"
#include "gate/decision_log.h"
#include "cli/setup.h"
#include "core/config.h"

void
audit_host_findings_release (struct audit_host_findings *f)
{
  for (size_t i = 0; i < f->n; i++)
    {
      free (f->v[i].check);
      free (f->v[i].message);
      free (f->v[i].fix);
    }
  free (f->v);
  *f = (struct audit_host_findings){ 0 };
}

void
audit_host_add (struct audit_host_findings *f, const char *check, const char *fix, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *message = xvasprintf (fmt, ap);
  va_end (ap);
  f->v = xreallocarray (f->v, f->n + 1, sizeof *f->v);
  f->v[f->n++] = (struct audit_host_finding){
    .check = xstrdup (check),
    .message = printable_line (message),
    .fix = xstrdup (fix),
  };
}

/* ---- engines ---- */

struct engine_seen
{
  char name[32];
  char *binary;
  char *pending; /* NULL: wired */
};

struct engines_seen
{
  struct engine_seen v[8];
  size_t n;
};

static void
engine_seen (void *data, const char *engine, const char *binary, const char *pending)
{
  struct engines_seen *s = data;
  if (s->n >= ARRAY_SIZE (s->v))
    return;
  struct engine_seen *e = &s->v[s->n++];
  (void)snprintf (e->name, sizeof e->name, "%s", engine);
  e->binary = xstrdup (binary);
  e->pending = pending ? xstrdup (pending) : NULL;
}

static const struct engine_seen *
seen (const struct engines_seen *s, const char *name)
{
  for (size_t i = 0; i < s->n; i++)
    if (strcmp (s->v[i].name, name) == 0)
      return &s->v[i];
  return NULL;
}

/* Where ocigate-runc is: beside the running binary, as setup assumes. */
static char *
self_dir (void)
{
  char *exe = realpath ("/proc/self/exe", NULL);
  if (exe == NULL)
    return xstrdup ("/usr/local/bin");
  char *slash = strrchr (exe, '/');
  if (slash && slash != exe)
    *slash = '\0';
  return exe;
}

static void
check_engines (const char *root, struct audit_host_findings *out)
{
  struct engines_seen s = { 0 };
  cleanup_free char *bindir = self_dir ();
  cleanup_error ocigate_error_t err = NULL;
  if (setup_engines_pending (root, bindir, engine_seen, &s, &err) < 0)
    audit_host_add (out, "engines", "fix the file, then run 'ocigate setup --print all'",
                    "cannot tell whether the engines run their containers through ocigate: %s", err->msg);
  /* runc and crun diverted to ocigate: whatever runs them by name goes
   * through the gate, whatever its own configuration says. */
  const struct engine_seen *rt = seen (&s, "runtimes");
  bool runtimes_wired = rt && rt->pending == NULL;
  for (size_t i = 0; i < s.n; i++)
    {
      const struct engine_seen *e = &s.v[i];
      if (e->pending == NULL || (runtimes_wired && strcmp (e->name, "runtimes") != 0))
        continue;
      cleanup_free char *check = xasprintf ("engine.%s", e->name);
      cleanup_free char *fix = xasprintf ("run 'ocigate setup %s'", e->name);
      if (strcmp (e->name, "runtimes") == 0)
        audit_host_add (out, check, fix,
                        "/%s is found and runc or crun is not ocigate (%s): whatever runs them by name (docker "
                        "--runtime runc, podman --runtime runc, ctr run without --runc-binary) is not judged",
                        e->binary, e->pending);
      else
        audit_host_add (out, check, fix,
                        "/%s is found and its containers do not go through ocigate (%s): the gate is open to "
                        "every container %s starts",
                        e->binary, e->pending, e->name);
    }
  for (size_t i = 0; i < s.n; i++)
    {
      free (s.v[i].binary);
      free (s.v[i].pending);
    }
}

/* ---- user namespace remapping ---- */

static char *
under (const char *root, const char *path)
{
  return xasprintf ("%s%s", root, path);
}

/* Podman's [containers] userns: a line `userns = "..."` in
 * containers.conf or a drop-in, other than "" and "host". */
static bool
podman_userns_in (const char *path)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  cleanup_error ocigate_error_t err = NULL;
  if (read_file_limited (path, 1u << 20, &text, &len, &err) < 0)
    return false;
  bool found = false;
  for (char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    {
      line += strspn (line, " \t");
      if (strncmp (line, "userns", 6) != 0)
        continue;
      const char *v = line + 6 + strspn (line + 6, " \t");
      if (*v != '=')
        continue;
      v += 1 + strspn (v + 1, " \t");
      if (strncmp (v, "\"\"", 2) != 0 && strncmp (v, "\"host\"", 6) != 0)
        found = true;
    }
  return found;
}

static void
check_userns (const char *root, struct audit_host_findings *out)
{
  struct stat st;
  cleanup_free char *dockerd = under (root, "/usr/bin/dockerd");
  cleanup_free char *dockerd2 = under (root, "/usr/sbin/dockerd");
  if (stat (dockerd, &st) == 0 || stat (dockerd2, &st) == 0)
    {
      cleanup_free char *path = under (root, "/etc/docker/daemon.json");
      cleanup_free char *text = NULL;
      size_t len = 0;
      cleanup_error ocigate_error_t err = NULL;
      cleanup_json json_object *doc = NULL;
      const char *remap = NULL;
      if (read_file_limited (path, 1u << 20, &text, &len, &err) == 0
          && json_parse_untrusted (text, len, path, &doc, &err) == 0)
        {
          json_object *v = json_get (doc, "userns-remap");
          remap = json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
        }
      if (remap == NULL || remap[0] == '\0')
        audit_host_add (out, "userns.docker",
                        "set \"userns-remap\": \"default\" in /etc/docker/daemon.json (or run "
                        "'ocigate setup --userns docker')",
                        "Docker runs containers without user namespace remapping: root in a container is root "
                        "on the host (%s has no \"userns-remap\")",
                        path);
    }
  cleanup_free char *podman = under (root, "/usr/bin/podman");
  if (stat (podman, &st) == 0)
    {
      bool set = false;
      cleanup_free char *conf = under (root, "/etc/containers/containers.conf");
      set = podman_userns_in (conf);
      cleanup_free char *dir = under (root, "/etc/containers/containers.conf.d");
      cleanup_dir DIR *d = opendir (dir);
      struct dirent *e;
      // cppcheck-suppress readdirCalled ; one thread, and readdir_r is deprecated (readdir(3))
      while (d && (e = readdir (d)) != NULL)
        {
          size_t n = strlen (e->d_name);
          if (n < 6 || strcmp (e->d_name + n - 5, ".conf") != 0)
            continue;
          cleanup_free char *p = xasprintf ("%s/%s", dir, e->d_name);
          set |= podman_userns_in (p);
        }
      if (!set)
        audit_host_add (out, "userns.podman",
                        "set userns = \"auto\" under [containers] in containers.conf (or run 'ocigate setup "
                        "--userns podman')",
                        "Podman runs containers without a user namespace by default: root in a container is root "
                        "on the host (no userns in containers.conf)");
    }
}

/* ---- subordinate IDs ---- */

static void
check_subids (struct host_info *host, bool groups, struct audit_host_findings *out)
{
  const char *file = groups ? "/etc/subgid" : "/etc/subuid";
  cleanup_free char *check = xasprintf ("subid.%s", groups ? "subgid" : "subuid");
  const struct host_subid_range *r = NULL;
  size_t n = 0;
  cleanup_error ocigate_error_t err = NULL;
  if (host_subid_ranges (host, groups, &r, &n, &err) < 0)
    {
      audit_host_add (out, check, "make it readable, one NAME:START:COUNT a line", "%s cannot be read: %s", file,
                      err->msg);
      return;
    }
  const struct host_account *acc = NULL;
  size_t n_acc = 0;
  cleanup_error ocigate_error_t aerr = NULL;
  if (host_accounts (host, groups, &acc, &n_acc, &aerr) < 0)
    n_acc = 0;
  for (size_t i = 0; i < n; i++)
    {
      for (size_t j = i + 1; j < n; j++)
        if (strcmp (r[i].owner, r[j].owner) != 0 && r[i].start <= r[j].last && r[j].start <= r[i].last)
          audit_host_add (out, check, "give each owner a range of its own",
                          "%s: the ranges of %s (%u-%u) and %s (%u-%u) overlap: the containers of one can reach "
                          "the files of the other's",
                          file, r[i].owner, r[i].start, r[i].last, r[j].owner, r[j].start, r[j].last);
      for (size_t k = 0; k < n_acc; k++)
        if (acc[k].id >= r[i].start && acc[k].id <= r[i].last)
          {
            audit_host_add (out, check, "move the range above every host account's ID (100000 and up)",
                            "%s: the range of %s (%u-%u) holds host %s %s (%u): its containers can map onto it", file,
                            r[i].owner, r[i].start, r[i].last, groups ? "group" : "user", acc[k].name, acc[k].id);
            break;
          }
    }
}

/* ---- the decision log ---- */

/* Whether a decision reaches somewhere a person can read: syslog where
 * a daemon listens on /dev/log, else the log file (gate/decision_log.h),
 * whose directory root can write or make. */
static void
check_log (const char *root, const struct policy *policy, struct audit_host_findings *out)
{
  struct gate_log_where where;
  gate_log_where (policy, &where);
  if (where.syslog)
    return;
  cleanup_free char *file = under (root, where.file);
  cleanup_free char *dir = xstrdup (file);
  char *slash = strrchr (dir, '/');
  if (slash)
    slash[slash == dir ? 1 : 0] = '\0';
  cleanup_free char *parent = xstrdup (dir);
  slash = strrchr (parent, '/');
  if (slash)
    slash[slash == parent ? 1 : 0] = '\0';
  struct stat st;
  bool writable = stat (dir, &st) == 0 ? access (dir, W_OK) == 0 : access (parent, W_OK) == 0;
  if (!writable)
    audit_host_add (out, "log",
                    "run a syslog daemon listening on /dev/log, or set \"log\": {\"file\": PATH} in the policy, "
                    "PATH in a directory root can write",
                    "the decision log reaches nobody: nothing listens on /dev/log and %s cannot be written", file);
}

void
audit_host (const char *root, struct host_info *host, const struct policy *policy, struct audit_host_findings *out)
{
  check_engines (root, out);
  check_userns (root, out);
  check_subids (host, false, out);
  check_subids (host, true, out);
  check_log (root, policy, out);
}
