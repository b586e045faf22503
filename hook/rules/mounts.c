/* mounts: no bind mount of a sensitive host path (or of a parent of one),
 * no shared mount propagation, read-only sysfs and cgroup file systems,
 * and, when asked, read-only binds only.
 * OWASP Docker Top 10 D05; CIS Docker Benchmark v1.6.0 5.6 (sensitive host
 * directories), 5.20 (propagation not shared), 5.32 (the Docker socket); Pod Security
 * baseline (hostPath volumes).
 *
 * A source is judged as the kernel would find it on this host: "..", "."
 * and "//" applied and symbolic links followed (/var/run is a link to
 * /run), so /var/run/docker.sock and /run/./docker.sock are the same
 * socket.  A source that does not exist (yet) is taken lexically below its
 * longest existing prefix.  The sensitive list is resolved the same way
 * when a config is judged, not when the policy loads: the policy may have
 * been written on another host.  Both the lexical and the resolved forms
 * are compared, so a check run on a host whose links differ errs on the
 * side of a finding.  The source is also looked up by the kernel (stat(2))
 * and compared by device and inode with the sensitive paths and the
 * directories above them: /proc/PID/root/DIR leads into another mount
 * namespace, where /etc may be bound on DIR, which no reading of the name
 * shows.
 *
 * A bind of a path BELOW a sensitive one is not refused: Docker and Podman
 * bind each container's resolv.conf, hostname and hosts from below
 * /var/lib/docker/containers and the containers storage; binding
 * /etc/hosts exposes one file, binding /etc all of them.  A PARENT is
 * refused: binding /var exposes /var/lib/docker, binding / everything.
 *
 * A bind source that is a UNIX socket is refused wherever it lies, unless
 * allowSockets lists it: a socket hands the container the service behind
 * it (an engine's socket is root on the host), and a name says nothing of
 * it (/srv/x/docker.sock, or /run/containerd/containerd.sock below a
 * sensitive directory).  It is known by its file type on this host, found
 * as mount(2) and the runtimes' open(O_PATH) find it: every symbolic link
 * followed, the last one too.  A source that does not exist (yet) is no
 * socket; at prestart and createRuntime the mount the runtime made for a
 * bind of the config is judged by what it is, so a socket put there after
 * the judgement is refused then.  Allowed sockets are compared by device
 * and inode, so a link to one is the same socket.  A socket that is also a
 * sensitive path (the engines' own: /run/docker.sock) keeps that finding,
 * whatever allowSockets says.  A directory that holds sockets is not one.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/jsonio.h"
#include "core/field.h"
#include "core/rule.h"
#include "rules/pathutil.h"

struct mounts_options
{
  char **sensitive; /* normalised, NULL-terminated */
  size_t n_sensitive;
  char **allow_sockets; /* normalised, NULL-terminated */
  size_t n_allow_sockets;
  bool require_ro_binds;
};

static void
mounts_options_free (void *p)
{
  struct mounts_options *o = p;
  if (o == NULL)
    return;
  cleanup_strvp (&o->sensitive);
  cleanup_strvp (&o->allow_sockets);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (mounts_options, mounts_options_free)
#define cleanup_mounts_options __attribute__ ((cleanup (cleanup_mounts_optionsp)))

static int
mounts_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "sensitive", "allowSockets", "requireReadOnlyBinds", NULL };
  cleanup_mounts_options struct mounts_options *o = xzalloc (sizeof *o);
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_paths (opts, "sensitive", where, OCIGATE_MAX_LIST, &o->sensitive, &o->n_sensitive, err) < 0
      || rule_option_paths (opts, "allowSockets", where, OCIGATE_MAX_LIST, &o->allow_sockets, &o->n_allow_sockets, err)
             < 0
      || rule_option_bool (opts, "requireReadOnlyBinds", where, &o->require_ro_binds, err) < 0)
    return -1;
  *out = steal_pointer (&o);
  return 0;
}

static const struct json_path mounts_at = { .key = "mounts" };
static const struct json_path linux_at = { .key = "linux" };

static const char *
option_at (json_object *opts, size_t k)
{
  return json_object_get_string (json_object_array_get_idx (opts, k));
}

static bool
has_option (json_object *opts, const char *name)
{
  size_t n = opts ? json_object_array_length (opts) : 0;
  for (size_t k = 0; k < n; k++)
    if (strcmp (option_at (opts, k), name) == 0)
      return true;
  return false;
}

/* The runtimes read options in order: the last of ro/rw wins. */
static bool
is_read_only (json_object *opts)
{
  bool ro = false;
  size_t n = opts ? json_object_array_length (opts) : 0;
  for (size_t k = 0; k < n; k++)
    {
      const char *o = option_at (opts, k);
      if (strcmp (o, "ro") == 0 || strcmp (o, "rro") == 0)
        ro = true;
      else if (strcmp (o, "rw") == 0 || strcmp (o, "rrw") == 0)
        ro = false;
    }
  return ro;
}

/* shared, private, slave, unbindable, or one of them with an r before it */
static bool
is_propagation (const char *option)
{
  const char *mode = option[0] == 'r' ? option + 1 : option; /* no mode itself starts with r */
  return strcmp (mode, "shared") == 0 || strcmp (mode, "private") == 0 || strcmp (mode, "slave") == 0
         || strcmp (mode, "unbindable") == 0;
}

/* The index of the propagation option that takes effect (the runtimes
 * apply them in order), or -1. */
static long
last_propagation (json_object *opts)
{
  long last = -1;
  size_t n = opts ? json_object_array_length (opts) : 0;
  for (size_t k = 0; k < n; k++)
    if (is_propagation (option_at (opts, k)))
      last = (long)k;
  return last;
}

static bool
is_shared (const char *mode)
{
  return strcmp (mode, "shared") == 0 || strcmp (mode, "rshared") == 0;
}

/* Whether the container gets a namespace of its own of type t (not the
 * host's, which a path may name). */
static bool
own_namespace (const struct rule_context *ctx, enum ns_type t)
{
  const struct ns_entry *ns = &ctx->config->ns[t];
  if (!ns->present)
    return false;
  if (ns->path == NULL)
    return true;
  cleanup_free char *why = NULL;
  return host_ns_identify (ctx->host, t, ns->path, &why) == NS_IDENTITY_OTHER;
}

/* One sensitive path, as written and as found on this host. */
struct sensitive
{
  const char *lexical;
  char *resolved;
  size_t lexical_len, resolved_len; /* compared first: every bind mount meets every path */
};

/* runc and crun take a relative bind source from the bundle directory. */
static char *
absolute_source (const struct rule_context *ctx, const char *source)
{
  if (source[0] == '/')
    return xstrdup (source);
  const char *base = ctx->bundle ? ctx->bundle : ".";
  if (base[0] == '/')
    return xasprintf ("%s/%s", base, source);
  char cwd[PATH_MAX];
  const char *dir = getcwd (cwd, sizeof cwd) ? cwd : "/";
  return xasprintf ("%s/%s/%s", dir, base, source);
}

enum match
{
  MATCH_NONE,
  MATCH_EXACT,
  MATCH_PARENT,
};

/* The sensitive path a source is, or else the first it is a parent of.
 * The resolved forms are compared first, so the name in the message is
 * the one the kernel would see. */
static enum match
match_sensitive (const struct sensitive *sens, size_t n, const char *lexical, const char *resolved, const char **which)
{
  size_t lexical_len = strlen (lexical), resolved_len = strlen (resolved);
  for (int parent = 0; parent < 2; parent++)
    for (int form = 0; form < 4; form++)
      for (size_t i = 0; i < n; i++)
        {
          bool src_resolved = form == 0 || form == 2, s_resolved = form == 0 || form == 3;
          const char *src = src_resolved ? resolved : lexical;
          size_t src_len = src_resolved ? resolved_len : lexical_len;
          const char *s = s_resolved ? sens[i].resolved : sens[i].lexical;
          size_t s_len = s_resolved ? sens[i].resolved_len : sens[i].lexical_len;
          bool hit
              = parent ? path_is_within_len (s, s_len, src, src_len) : s_len == src_len && memcmp (s, src, s_len) == 0;
          if (hit)
            {
              *which = s;
              return parent ? MATCH_PARENT : MATCH_EXACT;
            }
        }
  return MATCH_NONE;
}

static char *
options_pointer (json_object *opts, size_t i)
{
  return opts ? xasprintf ("/mounts/%zu/options", i) : xasprintf ("/mounts/%zu", i);
}

struct mount_view
{
  size_t index;
  const char *destination; /* normalised */
  const char *type;        /* NULL when absent */
  const char *source;      /* as written; NULL when absent */
  char *absolute;          /* bind sources: from the bundle when relative, else as written */
  char *lexical;           /* bind sources: absolute, normalised */
  char *resolved;          /* bind sources: as found on this host */
  json_object *opts;
  bool bind;
  bool read_only;
};

static void
mount_view_release (struct mount_view *m)
{
  free (m->absolute);
  free (m->lexical);
  free (m->resolved);
}
#define cleanup_mount_view __attribute__ ((cleanup (mount_view_release)))

/* The sockets allowSockets lists, by device and inode as found on this
 * host when the first socket is met (a socket made anew has a new inode,
 * and is looked up again by the next judgement). */
struct socket_id
{
  dev_t dev;
  ino_t ino;
};

struct allowed_sockets
{
  bool found;
  size_t n;
  struct socket_id *id;
};

static void
allowed_sockets_release (struct allowed_sockets *a)
{
  free (a->id);
}
#define cleanup_allowed_sockets __attribute__ ((cleanup (allowed_sockets_release)))

static bool
socket_allowed (const struct mounts_options *o, struct allowed_sockets *a, dev_t dev, ino_t ino)
{
  if (!a->found)
    {
      a->id = xzalloc ((o->n_allow_sockets + 1) * sizeof *a->id);
      for (size_t k = 0; k < o->n_allow_sockets; k++)
        {
          struct stat st;
          if (stat (o->allow_sockets[k], &st) == 0 && S_ISSOCK (st.st_mode))
            a->id[a->n++] = (struct socket_id){ st.st_dev, st.st_ino };
        }
      a->found = true;
    }
  for (size_t k = 0; k < a->n; k++)
    if (a->id[k].dev == dev && a->id[k].ino == ino)
      return true;
  return false;
}

/* A host object a mount must not show: a sensitive path, or a directory
 * above one (binding it exposes what is below). */
struct sensitive_object
{
  dev_t dev;
  ino_t ino;
  const char *sensitive; /* the sensitive path (resolved) */
  char *path;            /* this object's path: sensitive, or a parent */
};

struct sensitive_objects
{
  struct sensitive_object *obj;
  size_t n;
  bool found; /* sensitive_objects_find() has filled it in */
};

static void
sensitive_objects_release (struct sensitive_objects *so)
{
  for (size_t i = 0; i < so->n; i++)
    free (so->obj[i].path);
  free (so->obj);
}
#define cleanup_sensitive_objects __attribute__ ((cleanup (sensitive_objects_release)))

/* The sensitive paths and every directory above them, by device and inode
 * on this host; what does not exist here cannot be mounted. */
static void
sensitive_objects_find (const struct sensitive *sens, size_t n, struct sensitive_objects *so)
{
  /* The paths looked up so far: the sensitive paths share most of the
   * directories above them. */
  if (so->found)
    return;
  so->found = true;
  cleanup_strbuf struct strbuf seen = { 0 };
  strbuf_append (&seen, "\n");
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *path = xstrdup (sens[i].resolved);
      for (;;)
        {
          struct stat st;
          cleanup_free char *key = xasprintf ("\n%s\n", path);
          bool looked = strstr (seen.buf, key) != NULL;
          if (!looked)
            strbuf_append (&seen, key + 1);
          if (!looked && stat (path, &st) == 0)
            {
              so->obj = xreallocarray (so->obj, so->n + 1, sizeof *so->obj);
              so->obj[so->n++] = (struct sensitive_object){ st.st_dev, st.st_ino, sens[i].resolved, xstrdup (path) };
            }
          char *slash = strrchr (path, '/');
          if (slash == NULL || strcmp (path, "/") == 0)
            break;
          if (slash == path)
            slash[1] = '\0';
          else
            *slash = '\0';
        }
    }
}

/* A bind source whose path names no sensitive path, but which the kernel
 * finds to be one, or a directory above one, by device and inode: a path
 * through /proc/PID/root or /proc/PID/cwd leads into that process's mount
 * namespace, where anyone who can make a user namespace can bind /etc
 * onto a directory of their own; path_resolve() reads those links as the
 * host sees them, and mount(2) follows them.  True when it is a finding. */
static bool
judge_source_object (const struct rule_setting *s, const struct mount_view *m, const struct sensitive *sens,
                     size_t n_sens, struct sensitive_objects *so, struct verdict *v)
{
  struct stat st;
  if (stat (m->absolute, &st) < 0)
    return false;
  sensitive_objects_find (sens, n_sens, so);
  for (size_t k = 0; k < so->n; k++)
    {
      const struct sensitive_object *o = &so->obj[k];
      if (o->dev != st.st_dev || o->ino != st.st_ino)
        continue;
      cleanup_free char *pointer = xasprintf ("/mounts/%zu/source", m->index);
      if (strcmp (o->path, o->sensitive) == 0)
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "bind mount of sensitive host path %s, reached by a way its name does not show "
                             "(mounts[%zu].source=%s, device %u:%u inode %lu, destination %s); remove the mount",
                             o->path, m->index, m->source, major (st.st_dev), minor (st.st_dev),
                             (unsigned long)st.st_ino, m->destination);
      else
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "bind mount of host path %s, a parent of sensitive host path %s, reached by a way its "
                             "name does not show (mounts[%zu].source=%s, device %u:%u inode %lu, destination %s); "
                             "remove the mount, or bind only the directory the container needs",
                             o->path, o->sensitive, m->index, m->source, major (st.st_dev), minor (st.st_dev),
                             (unsigned long)st.st_ino, m->destination);
      return true;
    }
  return false;
}

/* Whether path is a UNIX socket allowSockets does not list. */
static bool
socket_not_allowed (const struct rule_setting *s, const char *path, struct allowed_sockets *allowed)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISSOCK (st.st_mode) && !socket_allowed (s->options, allowed, st.st_dev, st.st_ino);
}

/* A bind source that is a UNIX socket on this host, as the runtime would
 * open it (stat(2) follows every link, as mount(2) does).  runc cleans a
 * relative source lexically (filepath.Join with the bundle), crun does
 * not: "s.sock/" or "x/../s.sock" is a socket to runc and no path at all
 * to the kernel, so both forms are looked at. */
static void
judge_socket_source (const struct rule_context *ctx, const struct rule_setting *s, const struct mount_view *m,
                     struct allowed_sockets *allowed, struct verdict *v)
{
  if (!socket_not_allowed (s, m->absolute, allowed) && !socket_not_allowed (s, m->lexical, allowed))
    return;
  cleanup_free char *pointer = xasprintf ("/mounts/%zu/source", m->index);
  cleanup_free char *remedy = engine_bind_remedy (rule_engine (ctx), m->source, m->destination);
  verdict_add_finding (v, s->rule->id, s->action, pointer,
                       "bind mount of a UNIX socket (mounts[%zu].source=%s, resolved %s, destination %s): the "
                       "container can use the service behind it with that service's rights on the host; %s, or list "
                       "the socket in rules.mounts.allowSockets",
                       m->index, m->source, m->resolved, m->destination, remedy ? remedy : "remove the mount");
}

static void
judge_bind_source (const struct rule_context *ctx, const struct rule_setting *s, const struct mount_view *m,
                   const struct sensitive *sens, size_t n_sens, struct sensitive_objects *so,
                   struct allowed_sockets *allowed, struct verdict *v)
{
  /* Where the container cannot mount sysfs (a user namespace that does
   * not own the network namespace: rootless runc, podman --uidmap
   * --network host) or procfs (a user namespace in the host's PID
   * namespace: podman --uidmap --pid host), the runtimes bind the host's
   * instead; root in a user namespace is not the host's root (unless the
   * mapping includes host ID 0, which user.mapping judges), and the
   * read-only and host-namespace checks judge what remains. */
  bool userns = own_namespace (ctx, NS_USER);
  if (userns && strcmp (m->destination, "/sys") == 0 && strcmp (m->resolved, "/sys") == 0)
    return;
  if (userns && !own_namespace (ctx, NS_PID) && strcmp (m->destination, "/proc") == 0
      && strcmp (m->resolved, "/proc") == 0)
    return;
  const char *which = NULL;
  enum match match = match_sensitive (sens, n_sens, m->lexical, m->resolved, &which);
  if (match == MATCH_NONE && judge_source_object (s, m, sens, n_sens, so, v))
    return;
  if (match == MATCH_NONE)
    {
      judge_socket_source (ctx, s, m, allowed, v);
      return;
    }
  cleanup_free char *pointer = xasprintf ("/mounts/%zu/source", m->index);
  if (match == MATCH_EXACT)
    verdict_add_finding (v, s->rule->id, s->action, pointer,
                         "bind mount of sensitive host path %s (mounts[%zu].source=%s, resolved %s, destination %s); "
                         "remove the mount",
                         which, m->index, m->source, m->resolved, m->destination);
  else
    verdict_add_finding (v, s->rule->id, s->action, pointer,
                         "bind mount of host path %s, a parent of sensitive host path %s (mounts[%zu].source=%s, "
                         "resolved %s, destination %s); remove the mount, or bind only the directory the container "
                         "needs",
                         m->resolved, which, m->index, m->source, m->resolved, m->destination);
}

static void
judge_mount (const struct rule_context *ctx, const struct rule_setting *s, const struct mount_view *m,
             const struct sensitive *sens, size_t n_sens, struct sensitive_objects *so, struct allowed_sockets *allowed,
             struct verdict *v)
{
  const struct mounts_options *o = s->options;
  if (m->bind)
    judge_bind_source (ctx, s, m, sens, n_sens, so, allowed, v);

  long prop = last_propagation (m->opts);
  if (prop >= 0 && is_shared (option_at (m->opts, (size_t)prop)))
    {
      cleanup_free char *pointer = xasprintf ("/mounts/%zu/options/%ld", m->index, prop);
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "mount propagation is shared with the host (mounts[%zu].options[%ld]=%s, destination %s); "
                           "make it private or slave (bind-propagation=rprivate or rslave)",
                           m->index, prop, option_at (m->opts, (size_t)prop), m->destination);
    }

  bool type_sysfs = m->type && strcmp (m->type, "sysfs") == 0;
  bool type_cgroup = m->type && (strcmp (m->type, "cgroup") == 0 || strcmp (m->type, "cgroup2") == 0);
  bool bind_cgroup = m->bind && path_is_within (m->resolved, "/sys/fs/cgroup");
  bool bind_sysfs = m->bind && !bind_cgroup && path_is_within (m->resolved, "/sys");
  if (m->read_only)
    return;
  bool sysfs = type_sysfs || bind_sysfs;
  bool cgroup = !sysfs && (type_cgroup || bind_cgroup);
  /* Docker clears "ro" on the cgroup mount when it remaps users
   * (--userns-remap): cgroup files belong to the host's root, which a
   * user namespace's root is not, so the kernel refuses its writes. */
  bool cgroup_writable = cgroup && !own_namespace (ctx, NS_USER);
  bool bind_writable = !sysfs && !cgroup && m->bind && o->require_ro_binds;
  if (!sysfs && !cgroup_writable && !bind_writable)
    return;
  cleanup_free char *what = NULL;
  if (type_sysfs || type_cgroup)
    what = xasprintf ("type=%s", m->type);
  else if (bind_sysfs || bind_cgroup)
    what = xasprintf ("bind of %s", m->resolved);
  cleanup_free char *pointer = options_pointer (m->opts, m->index);
  enum engine_kind engine = rule_engine (ctx);
  if (sysfs)
    verdict_add_finding (
        v, s->rule->id, s->action, pointer, "sysfs is writable (mounts[%zu]: %s, destination %s, no \"ro\" option); %s",
        m->index, what, m->destination,
        rule_hint (engine, HINT_SYSFS_WRITABLE, "add \"ro\" to its options (a writable /sys comes with --privileged)"));
  else if (cgroup_writable)
    /* With /sys read-only, --privileged did not make it (it makes both
     * writable): Docker's userns-remap did, for the user namespace
     * --userns host then took away. */
    verdict_add_finding (v, s->rule->id, s->action, pointer,
                         "cgroup file system is writable (mounts[%zu]: %s, destination %s, no \"ro\" option, no "
                         "user namespace); %s",
                         m->index, what, m->destination,
                         rule_hint (engine,
                                    sysfs_writable (ctx->config) ? HINT_CGROUP_PRIVILEGED : HINT_CGROUP_USERNS_HOST,
                                    "add \"ro\" to its options (engines mount cgroups writable for --privileged, and "
                                    "Docker's userns-remap for the user namespace --userns host takes away)"));
  else
    verdict_add_finding (v, s->rule->id, s->action, pointer,
                         "bind mount is writable (mounts[%zu].source=%s, destination %s, no \"ro\" option); add "
                         "\"ro\" to its options (-v SRC:DST:ro), as rules.mounts.requireReadOnlyBinds asks",
                         m->index, m->source, m->destination);
}

static int
judge_root_propagation (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                        ocigate_error_t *err)
{
  const char *prop = NULL;
  if (field_string (json_get (ctx->config->root, "linux"), &linux_at, "rootfsPropagation", FIELD_OPTIONAL, NULL, &prop,
                    err)
      < 0)
    return -1;
  if (prop && is_shared (prop))
    verdict_add_finding (v, s->rule->id, s->action, "/linux/rootfsPropagation",
                         "root file system propagation is shared with the host (linux.rootfsPropagation=%s); make it "
                         "private or slave, and give no mount bind-propagation=shared or rshared",
                         prop);
  return 0;
}

/* Sensitive paths as written and as found on this host, with what
 * finding them cost in lookups. */
struct sensitive_set
{
  char **lexical; /* NULL-terminated */
  struct sensitive *sens;
  size_t n;
  size_t cost;
};

static void
sensitive_set_free (struct sensitive_set *set)
{
  if (set == NULL)
    return;
  for (size_t i = 0; set->sens && i < set->n; i++)
    free (set->sens[i].resolved);
  free (set->sens);
  cleanup_strvp (&set->lexical);
  free (set);
}

static void
cleanup_sensitive_setp (struct sensitive_set **set)
{
  sensitive_set_free (*set);
}
#define cleanup_sensitive_set __attribute__ ((cleanup (cleanup_sensitive_setp)))

/* The sensitive paths as found on this host, kept for the process as the
 * lookups below them are (pathutil.c): `check` meets the same list in every
 * config.  A reuse charges the lookups the resolution cost, so the budget
 * left for a config's own sources is what it would have been. */
static struct sensitive_set *sensitive_memo;

static bool
sensitive_memo_matches (const struct mounts_options *o)
{
  if (sensitive_memo == NULL || sensitive_memo->n != o->n_sensitive)
    return false;
  for (size_t k = 0; k < o->n_sensitive; k++)
    if (strcmp (sensitive_memo->lexical[k], o->sensitive[k]) != 0)
      return false;
  return true;
}

/* The sensitive paths as found on this host (the memo's: not to be
 * freed); NULL when the lookups run out. */
static const struct sensitive *
resolve_sensitive (const struct mounts_options *o, size_t *budget)
{
  if (sensitive_memo_matches (o) && sensitive_memo->cost <= *budget)
    {
      *budget -= sensitive_memo->cost;
      return sensitive_memo->sens;
    }
  size_t before = *budget;
  cleanup_sensitive_set struct sensitive_set *set = xzalloc (sizeof *set);
  set->lexical = xzalloc ((o->n_sensitive + 1) * sizeof (char *));
  set->sens = xzalloc ((o->n_sensitive + 1) * sizeof (struct sensitive));
  for (size_t k = 0; k < o->n_sensitive; k++, set->n++)
    {
      struct sensitive *sk = &set->sens[k];
      set->lexical[k] = xstrdup (o->sensitive[k]);
      sk->lexical = set->lexical[k];
      sk->lexical_len = strlen (set->lexical[k]);
      sk->resolved = path_resolve (o->sensitive[k], budget);
      if (sk->resolved == NULL)
        return NULL;
      sk->resolved_len = strlen (sk->resolved);
    }
  set->cost = before - *budget;
  sensitive_set_free (sensitive_memo);
  sensitive_memo = steal_pointer (&set);
  return sensitive_memo->sens;
}

/* The config's mount at a destination, the last one (the runtimes mount
 * in order, so it is the one on top); -1 when none. */
struct config_mount
{
  char *destination; /* normalised */
  const char *type;
  bool bind;
};

static long
config_mount_at (const struct config_mount *cm, size_t n, const char *dest)
{
  for (size_t i = n; i-- > 0;)
    if (cm[i].destination && strcmp (cm[i].destination, dest) == 0)
      return (long)i;
  return -1;
}

static bool
has_finding_at (const struct verdict *v, const char *pointer)
{
  for (size_t i = 0; i < v->n_findings; i++)
    if (strcmp (v->findings[i].path, pointer) == 0)
      return true;
  return false;
}

/* The file systems the runtimes make for a container, none of which holds
 * the host's files. */
static bool
is_pseudo_fs (const char *type)
{
  static const char *const types[] = { "proc", "sysfs", "cgroup", "cgroup2", "mqueue", "devpts", "tmpfs", NULL };
  for (size_t i = 0; type && types[i]; i++)
    if (strcmp (type, types[i]) == 0)
      return true;
  return false;
}

/* The root file system as the runtime finds it: root.path, from the bundle
 * when relative.  NULL with *why when it cannot be found. */
static char *
live_rootfs (const struct rule_context *ctx, char **why, ocigate_error_t *err)
{
  static const struct json_path root_at = { .key = "root" };
  const char *path = NULL;
  if (ctx->live->in_root)
    return xstrdup ("/");
  if (field_string (json_get (ctx->config->root, "root"), &root_at, "path", FIELD_OPTIONAL, NULL, &path, err) < 0)
    return NULL;
  cleanup_free char *abs = absolute_source (ctx, path ? path : "rootfs");
  char *real = realpath (abs, NULL);
  if (real == NULL)
    *why = xasprintf ("root.path=%s: %s", path ? path : "", strerror (errno));
  return real;
}

/* What the container's mounts really show, by device and inode: a source
 * path the runtime resolved after ocigate judged it may have led to a
 * sensitive host path by then, or to a socket.  Only the config's binds
 * are judged as sockets: the runtimes bind their own (the directory of
 * runc's notify socket) and hooks theirs, which the config does not
 * describe. */
static int
judge_live_mounts (const struct rule_context *ctx, const struct rule_setting *s, const struct sensitive *sens,
                   size_t n_sens, const struct config_mount *cm, size_t n_cm, struct allowed_sockets *allowed,
                   struct verdict *v, ocigate_error_t *err)
{
  cleanup_free char *why = NULL;
  cleanup_free char *rootfs = live_rootfs (ctx, &why, err);
  if (rootfs == NULL)
    {
      if (why == NULL)
        return -1;
      verdict_add_finding (v, s->rule->id, s->action, "/root/path",
                           "cannot find the container's root file system to judge its mounts (%s); give a root.path "
                           "that exists",
                           why);
      return 0;
    }
  cleanup_sensitive_objects struct sensitive_objects so = { 0 };
  sensitive_objects_find (sens, n_sens, &so);
  const struct live_mount *mounts = NULL;
  size_t n = 0;
  if (live_mounts (ctx->live, rootfs, &mounts, &n, err) < 0)
    return -1;
  bool userns = own_namespace (ctx, NS_USER);
  /* A process in its root already sees the container's paths as they are. */
  size_t rootfs_len = strcmp (rootfs, "/") == 0 ? 0 : strlen (rootfs);
  /* The root file system itself, whether or not the runtime bound it onto
   * itself, then every mount on it. */
  for (size_t i = 0; i <= n; i++)
    {
      const struct live_mount *m = i < n ? &mounts[i] : NULL;
      const char *point = m ? m->mount_point : rootfs;
      const char *dest = point[rootfs_len] ? point + rootfs_len : "/";
      if (m && m->covered)
        {
          /* A later mount on the same point hides it from a lookup by path,
           * and a container that may unmount the top one would see it. */
          if (strcmp (dest, "/") != 0 && !is_pseudo_fs (m->fstype))
            verdict_add_finding (v, s->rule->id, s->action, "/mounts",
                                 "container's mount at %s (%s %s) lies under another mount on the same point: what "
                                 "it shows cannot be judged, and unmounting the one on top would show it; give each "
                                 "destination one mount",
                                 dest, m->fstype, m->source);
          continue;
        }
      struct stat st = { 0 };
      int e = m ? m->stat_error : live_stat (ctx->live, rootfs, &st);
      if (m && e == 0)
        {
          st.st_dev = m->dev;
          st.st_ino = m->ino;
        }
      long j = m ? config_mount_at (cm, n_cm, dest) : -1;
      cleanup_free char *pointer = j >= 0 ? xasprintf ("/mounts/%ld/source", j) : xstrdup ("/root/path");
      if (e != 0)
        {
          verdict_add_finding (v, s->rule->id, s->action, pointer,
                               "cannot judge what the container's mount at %s shows (%s in the container's mount "
                               "namespace: %s); give mount paths that only root can change",
                               dest, point, strerror (e));
          continue;
        }
      /* A file system the config asks the runtime to make (proc, sysfs,
       * mqueue...) may share its instance with the host's where the
       * container shares that namespace: hostNamespaces judges that. */
      if (j >= 0 && !cm[j].bind && is_pseudo_fs (cm[j].type) && strcmp (m->fstype, cm[j].type) == 0)
        continue;
      if (j >= 0 && has_finding_at (v, pointer))
        continue;
      bool sensitive = false;
      for (size_t k = 0; k < so.n && !sensitive; k++)
        {
          const struct sensitive_object *o = &so.obj[k];
          if (o->dev != st.st_dev || o->ino != st.st_ino)
            continue;
          sensitive = true;
          bool exact = strcmp (o->path, o->sensitive) == 0;
          /* The runtimes' own binds of /sys and /proc in a user namespace
           * (judge_bind_source()). */
          if (userns && exact && j >= 0 && strcmp (dest, o->path) == 0
              && (strcmp (dest, "/sys") == 0 || (strcmp (dest, "/proc") == 0 && !own_namespace (ctx, NS_PID))))
            break;
          cleanup_free char *source = j >= 0 ? xasprintf ("; mounts[%ld].destination=%s", j, dest) : xstrdup ("");
          if (exact)
            verdict_add_finding (v, s->rule->id, s->action, pointer,
                                 "container's %s at %s is sensitive host path %s (device %u:%u inode %lu, as the "
                                 "runtime mounted it%s): a path changed after ocigate judged it; remove the mount, "
                                 "and give sources that only root can change",
                                 m ? "mount" : "root file system", dest, o->path, major (st.st_dev), minor (st.st_dev),
                                 (unsigned long)st.st_ino, source);
          else
            verdict_add_finding (v, s->rule->id, s->action, pointer,
                                 "container's %s at %s is host path %s, a parent of sensitive host path %s (device "
                                 "%u:%u inode %lu, as the runtime mounted it%s): a path changed after ocigate judged "
                                 "it; remove the mount, and give sources that only root can change",
                                 m ? "mount" : "root file system", dest, o->path, o->sensitive, major (st.st_dev),
                                 minor (st.st_dev), (unsigned long)st.st_ino, source);
        }
      if (!sensitive && m && j >= 0 && cm[j].bind && S_ISSOCK (m->mode)
          && !socket_allowed (s->options, allowed, st.st_dev, st.st_ino))
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "container's mount at %s is a UNIX socket (device %u:%u inode %lu, as the runtime mounted "
                             "it; mounts[%ld].destination=%s) that rules.mounts.allowSockets does not list: its source "
                             "became a socket after ocigate judged it; remove the mount, and give sources that only "
                             "root can change",
                             dest, major (st.st_dev), minor (st.st_dev), (unsigned long)st.st_ino, j, dest);
    }
  return 0;
}

static void
config_mounts_release (struct config_mount **cm)
{
  if (*cm == NULL)
    return;
  for (struct config_mount *m = *cm; m->destination || m->type || m->bind; m++)
    free (m->destination);
  free (*cm);
}

static int
mounts_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  const struct mounts_options *o = s->options;
  if (judge_root_propagation (ctx, s, v, err) < 0)
    return -1;
  static const struct field_count mounts_count = { OCIGATE_MAX_LIST, "mounts", NULL };
  json_object *mounts = NULL;
  size_t n = 0;
  if (field_array (ctx->config->root, NULL, "mounts", &mounts_count, FIELD_OPTIONAL, &mounts, &n, err) < 0)
    return -1;

  /* Resolved once per config, when it has a bind mount. */
  const struct sensitive *sens = NULL;
  size_t budget = PATHUTIL_LOOKUP_BUDGET;
  cleanup_allowed_sockets struct allowed_sockets allowed = { 0 };
  cleanup_sensitive_objects struct sensitive_objects so = { 0 };
  int ret = 0;
  /* For the live judgement: what the config asks to mount where. */
  __attribute__ ((cleanup (config_mounts_release))) struct config_mount *cm
      = ctx->live ? xzalloc ((n + 1) * sizeof *cm) : NULL;
  for (size_t i = 0; i < n && ret == 0; i++)
    {
      const struct json_path *at = FIELD_INDEX (&mounts_at, i);
      json_object *m = NULL;
      const char *dest = NULL;
      size_t n_opts = 0;
      cleanup_mount_view struct mount_view mv = { .index = i };
      if (field_item_object (mounts, &mounts_at, i, &m, err) < 0
          || field_string (m, at, "destination", FIELD_REQUIRED, NULL, &dest, err) < 0
          || field_string (m, at, "type", FIELD_OPTIONAL, NULL, &mv.type, err) < 0
          || field_string (m, at, "source", FIELD_OPTIONAL, NULL, &mv.source, err) < 0
          || field_string_array (m, at, "options", NULL, FIELD_OPTIONAL, &mv.opts, &n_opts, err) < 0)
        {
          ret = -1;
          break;
        }
      mv.bind
          = (mv.type && strcmp (mv.type, "bind") == 0) || has_option (mv.opts, "bind") || has_option (mv.opts, "rbind");
      if (mv.bind && mv.source == NULL)
        {
          ret = field_error (at, "source", err, "missing (a bind mount needs one)");
          break;
        }
      mv.read_only = is_read_only (mv.opts);
      cleanup_free char *dest_norm = path_normalize (dest);
      mv.destination = dest_norm;
      if (cm)
        cm[i] = (struct config_mount){ .destination = xstrdup (dest_norm), .type = mv.type, .bind = mv.bind };
      if (mv.bind)
        {
          /* The kernel refuses longer paths; and a bound on the work. */
          if (strlen (mv.source) >= PATH_MAX)
            {
              ret = field_error (at, "source", err, "%zu bytes, more than the kernel's limit on a path (%d)",
                                 strlen (mv.source), PATH_MAX - 1);
              break;
            }
          if (sens == NULL)
            sens = resolve_sensitive (o, &budget);
          mv.absolute = absolute_source (ctx, mv.source);
          mv.resolved = sens ? path_resolve (mv.absolute, &budget) : NULL;
          if (mv.resolved == NULL)
            {
              ret = field_error (at, "source", err,
                                 "the bind sources need more than %d path lookups to resolve; cannot be judged",
                                 PATHUTIL_LOOKUP_BUDGET);
              break;
            }
          mv.lexical = path_normalize (mv.absolute);
        }
      judge_mount (ctx, s, &mv, sens, o->n_sensitive, &so, &allowed, v);
    }
  if (ret < 0 || !ctx->live)
    return ret;
  if (sens == NULL && (sens = resolve_sensitive (o, &budget)) == NULL)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                               "mounts: the sensitive paths need more than %d path lookups "
                               "to resolve; cannot be judged",
                               PATHUTIL_LOOKUP_BUDGET);
  return judge_live_mounts (ctx, s, sens, o->n_sensitive, cm, n, &allowed, v, err);
}

const struct rule rule_mounts = {
  .id = "mounts",
  .summary = "bind mounts of sensitive host paths or their parents or of UNIX sockets, shared propagation, "
             "writable sysfs and cgroups, writable binds",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options
  = "{\"sensitive\": [\"/\", \"/etc\", \"/proc\", \"/sys\", \"/dev\", \"/boot\", \"/root\", \"/usr\", "
    "\"/lib/modules\", \"/var/run/docker.sock\", \"/run/docker.sock\", \"/run/docker\", \"/var/lib/docker\", "
    "\"/run/containerd\", \"/var/lib/containerd\", \"/run/containers\", \"/var/lib/containers\", \"/run/podman\", "
    "\"/run/crio\", \"/var/run/crio\", \"/run/runc\", \"/var/lib/kubelet\", \"/run/systemd\", \"/run/dbus\"], "
    "\"allowSockets\": [], \"requireReadOnlyBinds\": false}",
  .parse_options = mounts_parse,
  .free_options = mounts_options_free,
  .evaluate = mounts_evaluate,
};
