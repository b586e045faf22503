/* ocigate audit: every running container on the host, whichever engine
 * started it, found through the state its runtime keeps (runc's
 * ROOT/ID/state.json, crun's ROOT/ID/status), never by asking a daemon;
 * its config judged by gate_decide() as `check` judges it, and every
 * process in it judged live (core/live.h) against what the config allows.
 * It only reads: nothing is rewritten, signalled or changed.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/jsonio.h"
#include "cli/audit.h"
#include "cli/cli.h"
#include "core/field.h"
#include "core/live.h"
#include "core/report.h"
#include "core/runstate.h"
#include "gate/decide.h"
#include "gate/identity.h"

const char usage_audit[]
    = "Usage: ocigate audit [-p POLICY] [--format text|json] [--root DIR]... [--no-host]\n"
      "Judge every running container on the host, found through the state runc and crun keep, and the\n"
      "host's wiring: its config as 'check' judges it, and each process in it as it really runs.\n"
      "Reads only: nothing is rewritten, signalled or changed.\n"
      "  -p, --policy FILE    policy to judge against\n"
      "  -f, --format FORMAT  text (default) or json (one object per container, then per host finding)\n"
      "  --root DIR           a runtime's state directory (runc's or crun's --root, or one holding\n"
      "                       namespaces of them) to scan instead of the known ones; may be repeated\n"
      "  --no-host            leave the host's checks out\n"
      "Exit status: 0 nothing found, 1 findings, 2 usage error or a state that cannot be read.\n";

/* The state directories runtimes keep by default, and the engines that
 * keep theirs elsewhere.  `nested`: each entry is a namespace (Docker's
 * runtime roots, containerd's shim roots), its containers one level
 * down. */
static const struct
{
  const char *path;
  bool nested;
} known_roots[] = {
  { "/run/runc", false },               /* runc, Podman with runc, CRI-O */
  { "/run/crun", false },               /* crun, Podman with crun */
  { "/run/containerd/runc", true },     /* containerd's runc shim: NAMESPACE/ID */
  { "/run/docker/runtime-runc", true }, /* Docker: moby/ID */
  { "/run/docker/runtime-crun", true }, /* Docker with --runtime crun */
  { "/run/docker/runtime-ocigate-runc", true },
  { "/run/docker/runtime-ocigate-crun", true },
};

/* Every process on the host with its PID namespace, read once for all
 * containers: a container's processes are those in its init's PID
 * namespace (every process runc or crun starts or execs into a container
 * joins it), or, for a container that shares the host's, those in its
 * init's cgroups. */
struct proc_entry
{
  pid_t pid;
  ino_t pidns;
};

struct proc_table
{
  struct proc_entry *v;
  size_t n;
};

static void
proc_table_release (struct proc_table *t)
{
  free (t->v);
  *t = (struct proc_table){ 0 };
}
#define cleanup_proc_table __attribute__ ((cleanup (proc_table_release)))

static int
proc_table_load (const char *proc, struct proc_table *t, ocigate_error_t *err)
{
  cleanup_dir DIR *d = opendir (proc);
  if (d == NULL)
    return ocigate_error_make_errno (err, errno, "list the processes: open %s", proc);
  int dfd = dirfd (d);
  struct dirent *e;
  // cppcheck-suppress readdirCalled ; one thread, and readdir_r is deprecated (readdir(3))
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_name[0] < '1' || e->d_name[0] > '9' || strspn (e->d_name, "0123456789") != strlen (e->d_name))
        continue;
      char rel[300];
      (void)snprintf (rel, sizeof rel, "%s/ns/pid", e->d_name);
      struct stat st;
      /* Gone since the listing, or a kernel thread's: not a container's. */
      if (fstatat (dfd, rel, &st, 0) < 0)
        continue;
      t->v = xreallocarray (t->v, t->n + 1, sizeof *t->v);
      t->v[t->n++] = (struct proc_entry){ .pid = (pid_t)strtol (e->d_name, NULL, 10), .pidns = st.st_ino };
    }
  return 0;
}

/* A finding of a process as it runs. */
struct live_finding
{
  char *rule;    /* live.user, live.capabilities, ... or a rule's ID */
  pid_t pid;     /* 0: the container as a whole */
  char *field;   /* what was read: "uid", "CapEff" */
  char *value;   /* what it holds */
  char *message; /* problem; what would make it pass */
  char *cmdline;
};

struct container
{
  char *root; /* the state root it was found under */
  char *dir;  /* ROOT[/NAMESPACE]/ID */
  const char *id;
  char *ns; /* Docker's and containerd's namespace, or NULL */
  struct run_state state;
  const char *engine;
  char *name;
  char *image;
  char *config_path;
  char *error; /* could not be judged */
  char *decision;
  char *rewrite;          /* what ocigate rewrote at start, as the config says */
  struct verdict verdict; /* the config's, as check gives it */
  struct live_finding *live;
  size_t n_live;
  size_t n_processes;
};

static void
container_release (struct container *c)
{
  free (c->root);
  free (c->dir);
  free (c->ns);
  run_state_release (&c->state);
  free (c->name);
  free (c->image);
  free (c->config_path);
  free (c->error);
  free (c->decision);
  free (c->rewrite);
  verdict_release (&c->verdict);
  for (size_t i = 0; i < c->n_live; i++)
    {
      free (c->live[i].rule);
      free (c->live[i].field);
      free (c->live[i].value);
      free (c->live[i].message);
      free (c->live[i].cmdline);
    }
  free (c->live);
  *c = (struct container){ 0 };
}
#define cleanup_container __attribute__ ((cleanup (container_release)))

static void live_add (struct container *c, const char *rule, pid_t pid, const char *cmdline, const char *field,
                      const char *value, const char *fmt, ...) PRINTF_LIKE (7, 8);

static void
live_add (struct container *c, const char *rule, pid_t pid, const char *cmdline, const char *field, const char *value,
          const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  char *message = xvasprintf (fmt, ap);
  va_end (ap);
  c->live = xreallocarray (c->live, c->n_live + 1, sizeof *c->live);
  c->live[c->n_live++] = (struct live_finding){
    .rule = xstrdup (rule),
    .pid = pid,
    .field = xstrdup (field),
    .value = printable_line (xstrdup (value)),
    .message = printable_line (message),
    .cmdline = xstrdup (cmdline ? cmdline : ""),
  };
}

/* ---- identity: the engine, the name and the image ---- */

/* What the engines that run containers through a runtime directly
 * write among the config's annotations (gate/identity.h, the decision
 * log's reading too): the CRI's (containerd, CRI-O), Podman's and
 * nerdctl's. */
static void
identity_from_annotations (json_object *root, struct container *c)
{
  cleanup_container_identity struct container_identity id = { 0 };
  container_identity_from_config (root, &id);
  if (id.engine)
    c->engine = strcmp (id.engine, "nerdctl") == 0 ? "containerd" : id.engine;
  if (id.name && c->name == NULL)
    c->name = steal_pointer (&id.name);
  if (id.image && c->image == NULL)
    c->image = steal_pointer (&id.image);
}

/* Read a file the engine keeps of its containers, only when root owns it
 * and the directory it is in and nobody else may write them: a file
 * anyone could write names what they like. */
static int
read_engine_file (const char *path, size_t max, char **out, size_t *len, ocigate_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
  if (fd < 0)
    return ocigate_error_make_errno (err, errno, "open %s", path);
  const char *slash = strrchr (path, '/');
  cleanup_free char *dir = slash ? xstrndup (path, (size_t)(slash - path)) : xstrdup (".");
  struct stat st, dst;
  if (fstat (fd, &st) < 0 || stat (dir, &dst) < 0)
    return ocigate_error_make_errno (err, errno, "stat %s", path);
  if (!S_ISREG (st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) != 0 || dst.st_uid != 0 || (dst.st_mode & 022) != 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: not root's alone, not read", path);
  return read_fd_limited (fd, path, max, out, len, err);
}

/* The source of the config's mount at destination, or NULL. */
static const char *
mount_source (json_object *root, const char *destination)
{
  json_object *mounts = json_get (root, "mounts");
  if (!json_object_is_type (mounts, json_type_array))
    return NULL;
  size_t n = json_object_array_length (mounts);
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      json_object *d = json_get (m, "destination"), *s = json_get (m, "source");
      if (json_object_is_type (d, json_type_string) && json_object_is_type (s, json_type_string)
          && strcmp (json_object_get_string (d), destination) == 0)
        return json_object_get_string (s);
    }
  return NULL;
}

/* Docker: DATA_ROOT/containers/ID/config.v2.json, found beside the
 * hostname file Docker mounts at /etc/hostname (the data root is the
 * daemon's --data-root, which no state names). */
static bool
identity_docker (json_object *root, struct container *c)
{
  const char *hostname = mount_source (root, "/etc/hostname");
  if (hostname == NULL || strrchr (hostname, '/') == NULL)
    return false;
  cleanup_free char *path = xasprintf ("%.*s/config.v2.json", (int)(strrchr (hostname, '/') - hostname), hostname);
  cleanup_error ocigate_error_t err = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;
  cleanup_json json_object *doc = NULL;
  if (read_engine_file (path, OCIGATE_MAX_CONFIG_BYTES, &text, &len, &err) < 0
      || json_parse_untrusted (text, len, path, &doc, &err) < 0)
    return false;
  json_object *name = json_get (doc, "Name");
  json_object *image = json_get (json_get (doc, "Config"), "Image");
  if (json_object_is_type (name, json_type_string) && c->name == NULL)
    {
      const char *s = json_object_get_string (name);
      c->name = xstrdup (s[0] == '/' ? s + 1 : s);
    }
  if (json_object_is_type (image, json_type_string) && c->image == NULL)
    c->image = xstrdup (json_object_get_string (image));
  return true;
}

/* Podman: c/storage's GRAPHROOT/DRIVER-containers/containers.json lists
 * each container's names and, in its metadata, the image's name; the
 * bundle is GRAPHROOT/DRIVER-containers/ID/userdata. */
static void
identity_podman (struct container *c)
{
  const char *bundle = c->state.bundle;
  if (bundle == NULL)
    return;
  size_t n = strlen (bundle);
  static const char tail[] = "/userdata";
  if (n < sizeof tail || strcmp (bundle + n - (sizeof tail - 1), tail) != 0)
    return;
  cleanup_free char *id_dir = xstrndup (bundle, n - (sizeof tail - 1));
  char *slash = strrchr (id_dir, '/');
  if (slash == NULL)
    return;
  *slash = '\0';
  cleanup_free char *path = xasprintf ("%s/containers.json", id_dir);
  cleanup_error ocigate_error_t err = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;
  cleanup_json json_object *doc = NULL;
  if (read_engine_file (path, OCIGATE_MAX_CONFIG_BYTES, &text, &len, &err) < 0
      || json_parse_untrusted (text, len, path, &doc, &err) < 0 || !json_object_is_type (doc, json_type_array))
    return;
  size_t count = json_object_array_length (doc);
  for (size_t i = 0; i < count; i++)
    {
      json_object *e = json_object_array_get_idx (doc, i);
      json_object *id = json_get (e, "id");
      if (!json_object_is_type (id, json_type_string) || strcmp (json_object_get_string (id), c->id) != 0)
        continue;
      json_object *names = json_get (e, "names");
      if (json_object_is_type (names, json_type_array) && json_object_array_length (names) > 0
          && json_object_is_type (json_object_array_get_idx (names, 0), json_type_string) && c->name == NULL)
        c->name = xstrdup (json_object_get_string (json_object_array_get_idx (names, 0)));
      json_object *meta = json_get (e, "metadata");
      cleanup_json json_object *m = NULL;
      if (json_object_is_type (meta, json_type_string)
          && json_parse_untrusted (json_object_get_string (meta), (size_t)json_object_get_string_len (meta), path, &m,
                                   &err)
                 == 0)
        {
          json_object *image = json_get (m, "image-name");
          if (json_object_is_type (image, json_type_string) && c->image == NULL)
            c->image = xstrdup (json_object_get_string (image));
        }
      return;
    }
}

/* Docker and containerd run each container's runtime with a bundle
 * under .../io.containerd.runtime.v2.task/NAMESPACE/ID; Docker's
 * namespace is moby.  Podman and CRI-O say so in the config. */
static void
identify (json_object *root, struct container *c)
{
  static const char task[] = "/io.containerd.runtime.v2.task/";
  const char *bundle = c->state.bundle ? c->state.bundle : "";
  const char *at = strstr (bundle, task);
  c->engine = c->state.runtime == RUN_RUNC ? "runc" : "crun";
  if (at)
    {
      const char *ns = at + sizeof task - 1;
      c->engine = strncmp (ns, "moby/", 5) == 0 ? "docker" : "containerd";
      if (c->ns == NULL)
        c->ns = xstrndup (ns, strcspn (ns, "/"));
    }
  identity_from_annotations (root, c);
  /* A private dockerd names its containerd namespace as it likes: Docker's
   * own record beside the hostname file it mounts tells it apart. */
  if (at && identity_docker (root, c))
    c->engine = "docker";
  else if (strcmp (c->engine, "podman") == 0 || strstr (bundle, "-containers/") != NULL)
    identity_podman (c);
  if (c->name == NULL && strcmp (c->engine, "containerd") == 0)
    c->name = xstrdup (c->id);
}

/* ---- the judgement ---- */

struct audit_run
{
  struct gate_request req; /* policy, host: the same for every container */
  struct host_info *host;
  struct proc_table procs;
  ino_t host_pidns;
};

/* One decision of the config text: as check gives it (live_pid 0), or
 * with what the init process really has. */
static int
decide (const struct audit_run *run, const struct container *c, const char *text, size_t len, pid_t live_pid,
        struct gate_result *res, ocigate_error_t *err)
{
  struct gate_request req = run->req;
  req.id = c->id;
  req.bundle = c->state.bundle;
  req.config = (struct gate_config_source){
    .from = GATE_CONFIG_TEXT,
    .text = text,
    .len = len,
    .name = c->config_path,
  };
  req.live_pid = live_pid;
  req.live_in_root = true;
  return gate_decide (&req, res, err);
}

static bool
verdict_has (const struct verdict *v, const struct finding *f)
{
  for (size_t i = 0; i < v->n_findings; i++)
    if (strcmp (v->findings[i].rule, f->rule) == 0 && strcmp (v->findings[i].message, f->message) == 0)
      return true;
  return false;
}

static void
cap_names (capmask_t mask, struct strbuf *sb)
{
  bool first = true;
  for (int cap = 0; cap < 64; cap++)
    if (mask & CAPMASK (cap))
      {
        const char *name = cap_name (cap);
        if (!first)
          strbuf_append (sb, ",");
        if (name)
          strbuf_append (sb, name);
        else
          strbuf_appendf (sb, "%d", cap);
        first = false;
      }
  strbuf_append (sb, "");
}

/* The host UID the config runs its processes as: process.user.uid, mapped
 * when the container has a user namespace of its own. */
static bool
config_host_uid (const struct oci_config *cfg, uint32_t *uid)
{
  if (cfg->ns[NS_USER].present && cfg->ns[NS_USER].path == NULL)
    return id_mapping_to_host (cfg->uid_mappings, cfg->n_uid_mappings, cfg->uid, uid);
  *uid = cfg->uid;
  return true;
}

/* Judge one process of the container against what its config allows. */
static void
judge_process (const struct audit_run *run, struct container *c, const struct oci_config *cfg, pid_t pid,
               const ino_t init_ns[NS__COUNT])
{
  struct live_process lp;
  live_process_init (&lp, run->host, pid);
  cleanup_error ocigate_error_t err = NULL;
  cleanup_live_creds struct live_creds creds = { 0 };
  if (live_process_creds (&lp, &creds, &err) < 0)
    return; /* gone since the listing */
  c->n_processes++;
  cleanup_free char *cmd = live_process_cmdline (&lp);
  char value[64];

  uint32_t want_uid = 0;
  bool mapped = config_host_uid (cfg, &want_uid);
  if (creds.uid[1] == 0 && (!mapped || want_uid != 0))
    {
      char want[48] = "none (the config's uid is unmapped)";
      if (mapped)
        (void)snprintf (want, sizeof want, "%u", want_uid);
      live_add (c, "live.user", pid, cmd, "uid", "0",
                "process runs as host root (euid=0) in a container whose config runs it as host uid %s; run it as "
                "the config's user (no exec -u 0), or give the container a user namespace",
                want);
    }

  static const struct
  {
    enum cap_set set;
    const char *field;
  } sets[] = {
    { CAPSET_EFFECTIVE, "CapEff" },
    { CAPSET_PERMITTED, "CapPrm" },
    { CAPSET_BOUNDING, "CapBnd" },
    { CAPSET_AMBIENT, "CapAmb" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (sets); i++)
    {
      capmask_t allowed = cfg->has_capabilities ? cfg->caps[sets[i].set] : 0;
      capmask_t extra = creds.caps[sets[i].set] & ~allowed;
      if (extra == 0)
        continue;
      cleanup_strbuf struct strbuf names = { 0 };
      cap_names (extra, &names);
      live_add (c, "live.capabilities", pid, cmd, sets[i].field, names.buf,
                "process holds capabilities beyond the config's process.capabilities.%s (%s=%s); run it with the "
                "config's capabilities (no exec --cap, no exec --privileged)",
                cap_set_name (sets[i].set), sets[i].field, names.buf);
    }

  json_object *nnp = json_get (json_get (cfg->root, "process"), "noNewPrivileges");
  if (nnp && json_object_get_boolean (nnp) && creds.no_new_privs == 0)
    live_add (c, "live.noNewPrivileges", pid, cmd, "NoNewPrivs", "0",
              "process may gain privileges (NoNewPrivs=0) in a container whose config sets "
              "process.noNewPrivileges; run it without --no-new-privs=false");
  if (json_get (json_get (cfg->root, "linux"), "seccomp") && creds.seccomp == LIVE_SECCOMP_OFF)
    live_add (c, "live.seccomp", pid, cmd, "Seccomp", "0",
              "process runs without a seccomp filter (Seccomp=0) in a container whose config has linux.seccomp; "
              "run it with the container's profile (no exec --privileged, no seccomp=unconfined)");

  for (enum ns_type t = 0; t < NS__COUNT; t++)
    {
      ino_t ino = 0;
      if (init_ns[t] == 0 || live_ns_inode (&lp, t, &ino) != 0 || ino == init_ns[t])
        continue;
      (void)snprintf (value, sizeof value, "%lu", (unsigned long)ino);
      live_add (c, "live.namespaces", pid, cmd, ns_proc_name (t), value,
                "process is not in the container's %s namespace (inode %lu, the init's %lu); enter the container "
                "with every namespace of its init",
                ns_type_name (t), (unsigned long)ino, (unsigned long)init_ns[t]);
    }
}

/* The processes of the container: those in its init's PID namespace, or,
 * when that is the host's, those in its init's cgroups (/proc/PID/cgroup
 * the same text). */
static void
judge_processes (const struct audit_run *run, struct container *c, const struct oci_config *cfg)
{
  struct live_process init;
  live_process_init (&init, run->host, c->state.pid);
  ino_t ns[NS__COUNT] = { 0 };
  for (enum ns_type t = 0; t < NS__COUNT; t++)
    if (live_ns_inode (&init, t, &ns[t]) != 0)
      ns[t] = 0;
  bool host_pidns = ns[NS_PID] == 0 || ns[NS_PID] == run->host_pidns;
  cleanup_free char *init_cgroup = NULL;
  if (host_pidns)
    {
      cleanup_free char *path = xasprintf ("%s/%d/cgroup", run->host->proc_path, (int)c->state.pid);
      size_t len = 0;
      cleanup_error ocigate_error_t err = NULL;
      if (read_file_limited (path, 65536, &init_cgroup, &len, &err) < 0)
        init_cgroup = NULL;
    }
  for (size_t i = 0; i < run->procs.n; i++)
    {
      const struct proc_entry *p = &run->procs.v[i];
      if (!host_pidns && p->pidns != ns[NS_PID])
        continue;
      if (host_pidns)
        {
          if (init_cgroup == NULL && p->pid != c->state.pid)
            continue;
          if (init_cgroup && p->pid != c->state.pid)
            {
              cleanup_free char *path = xasprintf ("%s/%d/cgroup", run->host->proc_path, (int)p->pid);
              cleanup_free char *text = NULL;
              size_t len = 0;
              cleanup_error ocigate_error_t err = NULL;
              if (read_file_limited (path, 65536, &text, &len, &err) < 0 || strcmp (text, init_cgroup) != 0)
                continue;
            }
        }
      judge_process (run, c, cfg, p->pid, ns);
    }
}

/* What the wrapper or the precreate hook wrote it rewrote at start (its
 * annotation; gate/decide.h), escaped and bounded, or NULL.  Only what
 * the config says: one started past ocigate may say anything, and a
 * value that is not a string is nobody's word. */
static char *
rewrite_annotation (json_object *root)
{
  static const struct json_path annotations_at = { .key = "annotations" };
  json_object *annotations = NULL;
  const char *text = NULL;
  cleanup_error ocigate_error_t err = NULL;
  if (field_object (root, NULL, "annotations", FIELD_OPTIONAL, NULL, &annotations, &err) < 0
      || field_string (annotations, &annotations_at, OCIGATE_REWRITE_ANNOTATION, FIELD_OPTIONAL, NULL, &text, &err) < 0
      || text == NULL)
    return NULL;
  return printable_line (xstrndup (text, OCIGATE_REWRITE_ANNOTATION_MAX));
}

/* Judge the container whose state is in dir. */
static void
audit_container (const struct audit_run *run, struct container *c)
{
  cleanup_error ocigate_error_t err = NULL;
  if (run_state_read (c->state.runtime, c->dir, &c->state, &err) < 0)
    {
      c->error = xstrdup (err->msg);
      return;
    }
  /* The runtime's own check that the PID is still the container's. */
  struct live_process init;
  live_process_init (&init, run->host, c->state.pid);
  uint64_t start = 0;
  if (live_process_start_time (&init, &start) < 0 || (c->state.start_time && start != c->state.start_time))
    {
      c->decision = xstrdup ("stopped");
      return;
    }
  /* crun keeps the config it runs beside its state; runc reads the bundle's. */
  cleanup_free char *crun_copy = xasprintf ("%s/config.json", c->dir);
  if (c->state.runtime == RUN_CRUN && access (crun_copy, F_OK) == 0)
    c->config_path = steal_pointer (&crun_copy);
  else if (c->state.bundle)
    c->config_path = xasprintf ("%s/config.json", c->state.bundle);
  else
    {
      c->error = xasprintf ("%s: the state names no bundle", c->dir);
      return;
    }
  cleanup_free char *text = NULL;
  size_t len = 0;
  cleanup_oci_config struct oci_config *cfg = NULL;
  if (read_file_limited (c->config_path, OCIGATE_MAX_CONFIG_BYTES, &text, &len, &err) < 0
      || oci_config_load_buffer (text, len, c->config_path, &cfg, &err) < 0)
    {
      c->error = xstrdup (err->msg);
      return;
    }
  identify (cfg->root, c);
  c->rewrite = rewrite_annotation (cfg->root);

  cleanup_gate_result struct gate_result as_check = { 0 };
  if (decide (run, c, text, len, 0, &as_check, &err) < 0)
    {
      c->error = xstrdup (err->msg);
      return;
    }
  c->decision = xstrdup (decision_name (verdict_decide (&as_check.verdict)));
  c->verdict = as_check.verdict;
  as_check.verdict = (struct verdict){ 0 };

  /* What the init process really has: the rules that judge namespaces,
   * the user namespace and mounts judge it instead of the paths. */
  cleanup_gate_result struct gate_result live = { 0 };
  cleanup_error ocigate_error_t lerr = NULL;
  cleanup_free char *init_cmd = live_process_cmdline (&init);
  if (decide (run, c, text, len, c->state.pid, &live, &lerr) < 0)
    live_add (c, "live", c->state.pid, init_cmd, "pid", "", "the container's init cannot be judged: %s", lerr->msg);
  else
    for (size_t i = 0; i < live.verdict.n_findings; i++)
      {
        const struct finding *f = &live.verdict.findings[i];
        if (!verdict_has (&c->verdict, f))
          live_add (c, f->rule, c->state.pid, init_cmd, f->path, "", "%s", f->message);
      }
  judge_processes (run, c, cfg);
}

/* ---- output ---- */

int
cli_parse_format (const char *arg, bool *json)
{
  if (strcmp (arg, "json") == 0 || strcmp (arg, "text") == 0)
    {
      *json = arg[0] == 'j';
      return 0;
    }
  return -1;
}

static size_t
container_findings (const struct container *c)
{
  return c->verdict.n_findings + c->n_live;
}

/* What makes audit exit 1: a config the policy would refuse or rewrite, or
 * a process that does not run as its config says.  A warning is shown
 * and counted, as check shows it, and is no failure. */
static bool
container_fails (const struct container *c)
{
  return c->n_live > 0 || (c->decision && strcmp (c->decision, "allow") != 0);
}

static const char *
or_dash (const char *s)
{
  return s && s[0] ? s : "-";
}

static void
print_text (const struct container *c, struct strbuf *sb)
{
  if (c->error)
    {
      strbuf_appendf (sb, "%.12s  %s  error: %s\n", c->id, or_dash (c->engine), c->error);
      return;
    }
  strbuf_appendf (sb, "%.12s  %s  %s  %s  %s  %zu processes  %zu findings", c->id, or_dash (c->engine),
                  or_dash (c->name), or_dash (c->image), c->decision, c->n_processes, container_findings (c));
  if (c->rewrite)
    strbuf_appendf (sb, "  rewrote at start: %s", c->rewrite);
  strbuf_append (sb, "\n");
  for (size_t i = 0; i < c->verdict.n_findings; i++)
    {
      const struct finding *f = &c->verdict.findings[i];
      strbuf_appendf (sb, "  %s %s config %s: %s\n", action_name (f->action), f->rule, or_dash (f->path), f->message);
    }
  for (size_t i = 0; i < c->n_live; i++)
    {
      const struct live_finding *f = &c->live[i];
      strbuf_appendf (sb, "  live %s pid=%d %s=%s: %s (cmdline: %s)\n", f->rule, (int)f->pid, or_dash (f->field),
                      or_dash (f->value), f->message, or_dash (f->cmdline));
    }
}

static void
json_member (struct strbuf *sb, const char *key, const char *value, bool first)
{
  strbuf_appendf (sb, "%s\"%s\":", first ? "" : ",", key);
  if (value)
    strbuf_append_json_string (sb, value);
  else
    strbuf_append (sb, "null");
}

static void
print_json (const struct container *c, struct strbuf *sb)
{
  strbuf_append (sb, "{");
  json_member (sb, "id", c->id, true);
  json_member (sb, "engine", c->engine, false);
  json_member (sb, "runtime", c->state.runtime == RUN_RUNC ? "runc" : "crun", false);
  json_member (sb, "name", c->name, false);
  json_member (sb, "image", c->image, false);
  json_member (sb, "state_dir", c->dir, false);
  json_member (sb, "bundle", c->state.bundle, false);
  json_member (sb, "config", c->config_path, false);
  json_member (sb, "created", c->state.created, false);
  json_member (sb, "rewrite", c->rewrite, false);
  strbuf_appendf (sb, ",\"pid\":%d", (int)c->state.pid);
  if (c->error)
    {
      json_member (sb, "decision", "error", false);
      json_member (sb, "error", c->error, false);
      strbuf_append (sb, "}\n");
      return;
    }
  json_member (sb, "decision", c->decision, false);
  strbuf_appendf (sb, ",\"processes\":%zu,\"findings_count\":%zu,\"findings\":", c->n_processes,
                  container_findings (c));
  report_append_findings_json (sb, &c->verdict);
  strbuf_append (sb, ",\"live\":[");
  for (size_t i = 0; i < c->n_live; i++)
    {
      const struct live_finding *f = &c->live[i];
      strbuf_append (sb, i ? ",{" : "{");
      json_member (sb, "rule", f->rule, true);
      strbuf_appendf (sb, ",\"pid\":%d", (int)f->pid);
      json_member (sb, "field", f->field, false);
      json_member (sb, "value", f->value, false);
      json_member (sb, "message", f->message, false);
      json_member (sb, "cmdline", f->cmdline, false);
      strbuf_append (sb, "}");
    }
  strbuf_append (sb, "]}\n");
}

/* ---- finding the containers ---- */

struct containers
{
  struct container *v;
  size_t n;
};

static void
containers_release (struct containers *cs)
{
  for (size_t i = 0; i < cs->n; i++)
    container_release (&cs->v[i]);
  free (cs->v);
  *cs = (struct containers){ 0 };
}
#define cleanup_containers __attribute__ ((cleanup (containers_release)))

/* The runtime whose state file dir holds, or -1 for none. */
static int
state_kind (int dfd, const char *name)
{
  char rel[512];
  struct stat st;
  (void)snprintf (rel, sizeof rel, "%s/" RUNSTATE_RUNC_FILE, name);
  if (fstatat (dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
    return RUN_RUNC;
  (void)snprintf (rel, sizeof rel, "%s/" RUNSTATE_CRUN_FILE, name);
  if (fstatat (dfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
    return RUN_CRUN;
  return -1;
}

/* The containers in dir (ns: the namespace it is, or NULL); when
 * namespaces is not NULL, the entries without a state file are added to
 * it: a nested root's namespaces, each with its containers.  A directory
 * that is not there has none. */
static void
scan_dir (const char *dir, const char *ns, struct containers *cs, char ***namespaces, size_t *n_namespaces)
{
  cleanup_dir DIR *d = opendir (dir);
  if (d == NULL)
    return;
  struct dirent *e;
  // cppcheck-suppress readdirCalled ; one thread, and readdir_r is deprecated (readdir(3))
  while ((e = readdir (d)) != NULL)
    {
      if (e->d_name[0] == '.' || strlen (e->d_name) > 256)
        continue;
      int kind = state_kind (dirfd (d), e->d_name);
      if (kind < 0)
        {
          if (namespaces)
            {
              *namespaces = xreallocarray (*namespaces, *n_namespaces + 1, sizeof **namespaces);
              (*namespaces)[(*n_namespaces)++] = xstrdup (e->d_name);
            }
          continue;
        }
      cs->v = xreallocarray (cs->v, cs->n + 1, sizeof *cs->v);
      struct container *c = &cs->v[cs->n++];
      *c = (struct container){
        .root = xstrdup (dir),
        .dir = xasprintf ("%s/%s", dir, e->d_name),
        .ns = ns ? xstrdup (ns) : NULL,
        .state = { .runtime = (enum run_runtime)kind },
      };
      c->id = strrchr (c->dir, '/') + 1;
    }
}

/* The containers of a state root: its own, and when nested, those of
 * each namespace in it (Docker's moby, containerd's default and k8s.io). */
static void
scan_root (const char *root, bool nested, struct containers *cs)
{
  char **namespaces = NULL;
  size_t n = 0;
  scan_dir (root, NULL, cs, &namespaces, &n);
  for (size_t i = 0; i < n; i++)
    {
      if (nested)
        {
          cleanup_free char *sub = xasprintf ("%s/%s", root, namespaces[i]);
          scan_dir (sub, namespaces[i], cs, NULL, NULL);
        }
      free (namespaces[i]);
    }
  free (namespaces);
}

static int
by_root_and_id (const void *a, const void *b)
{
  const struct container *x = a, *y = b;
  int r = strcmp (x->root, y->root);
  return r ? r : strcmp (x->id, y->id);
}

int
cmd_audit (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "policy", required_argument, NULL, 'p' },
    { "format", required_argument, NULL, 'f' },
    { "root", required_argument, NULL, 'R' },
    { "no-host", no_argument, NULL, 'H' },
    { NULL, 0, NULL, 0 },
  };
  const char *policy_path = NULL;
  bool json = false, with_host = true;
  cleanup_free const char **roots = NULL;
  size_t n_roots = 0;
  int c;
  while ((c = getopt_long (argc, argv, "+p:f:", longopts, NULL)) != -1)
    {
      switch (c)
        {
        case 'p':
          policy_path = optarg;
          break;
        case 'f':
          if (cli_parse_format (optarg, &json) < 0)
            {
              fprintf (stderr, "ocigate: unknown format '%s' (text or json)\n%s", optarg, usage_audit);
              return EXIT_ERROR;
            }
          break;
        case 'R':
          roots = xreallocarray (roots, n_roots + 1, sizeof *roots);
          roots[n_roots++] = optarg;
          break;
        case 'H':
          with_host = false;
          break;
        default:
          fputs (usage_audit, stderr);
          return EXIT_ERROR;
        }
    }
  if (optind != argc)
    {
      fprintf (stderr, "ocigate: audit takes no arguments\n%s", usage_audit);
      return EXIT_ERROR;
    }

  cleanup_error ocigate_error_t err = NULL;
  struct audit_run run = {
    .req = {
      .where = "ocigate audit",
      .can_rewrite = true,
      .dry_run = GATE_DRY_RUN_NEVER,
      .policy = { .path = policy_path },
      .log = GATE_LOG_NONE,
    },
  };
  cleanup_policy struct policy *policy = NULL;
  if (gate_load_policy (&run.req.policy, &policy, &err) < 0)
    {
      fprintf (stderr, "ocigate: %s\n", err->msg);
      return EXIT_ERROR;
    }
  run.req.policy.loaded = policy;
  cleanup_host_info struct host_info host = { 0 };
  host_info_init (&host);
  run.host = &host;
  run.req.host = &host;
  cleanup_proc_table struct proc_table procs = { 0 };
  if (proc_table_load (host.proc_path ? host.proc_path : "/proc", &procs, &err) < 0)
    {
      fprintf (stderr, "ocigate: %s\n", err->msg);
      return EXIT_ERROR;
    }
  run.procs = procs;
  struct stat st;
  cleanup_free char *self_ns = xasprintf ("%s/1/ns/pid", host.proc_path ? host.proc_path : "/proc");
  run.host_pidns = stat (self_ns, &st) == 0 ? st.st_ino : 0;

  cleanup_containers struct containers cs = { 0 };
  if (n_roots)
    for (size_t i = 0; i < n_roots; i++)
      scan_root (roots[i], true, &cs);
  else
    for (size_t i = 0; i < ARRAY_SIZE (known_roots); i++)
      scan_root (known_roots[i].path, known_roots[i].nested, &cs);
  if (cs.n > 1)
    qsort (cs.v, cs.n, sizeof *cs.v, by_root_and_id);

  int status = EXIT_ALLOWED;
  cleanup_strbuf struct strbuf out = { 0 };
  for (size_t i = 0; i < cs.n; i++)
    {
      struct container *ct = &cs.v[i];
      audit_container (&run, ct);
      if (ct->decision && strcmp (ct->decision, "stopped") == 0)
        continue;
      if (json)
        print_json (ct, &out);
      else
        print_text (ct, &out);
      if (ct->error)
        status = EXIT_ERROR;
      else if (container_fails (ct) && status == EXIT_ALLOWED)
        status = EXIT_DENIED;
    }
  if (with_host)
    {
      cleanup_audit_host_findings struct audit_host_findings hf = { 0 };
      audit_host ("", &host, policy, &hf);
      for (size_t i = 0; i < hf.n; i++)
        {
          if (json)
            {
              strbuf_append (&out, "{");
              json_member (&out, "host", hf.v[i].check, true);
              json_member (&out, "message", hf.v[i].message, false);
              json_member (&out, "fix", hf.v[i].fix, false);
              strbuf_append (&out, "}\n");
            }
          else
            strbuf_appendf (&out, "host %s: %s; %s\n", hf.v[i].check, hf.v[i].message, hf.v[i].fix);
        }
      if (hf.n && status == EXIT_ALLOWED)
        status = EXIT_DENIED;
    }
  if (out.len && write_all (STDOUT_FILENO, out.buf, out.len) < 0)
    return EXIT_ERROR;
  return status;
}
