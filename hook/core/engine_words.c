/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/engine_words.h"

#include <linux/capability.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Which engine wrote the config                                        */

static const char *
annotation (const struct oci_config *cfg, const char *key)
{
  json_object *v = json_get (json_get (cfg->root, "annotations"), key);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

static const char *
string_at (json_object *o, const char *key)
{
  json_object *v = json_get (o, key);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

/* containerd's bundles are TASKDIR/NAMESPACE/ID, for the v2 shims and the
 * v1 ones; the namespace, or NULL when the bundle is not one.  The last
 * TASKDIR counts: the state directory above it may be named anything. */
const char *
engine_containerd_namespace (const char *bundle, size_t *len)
{
  static const char *const task_dirs[] = { "/io.containerd.runtime.v2.task/", "/io.containerd.runtime.v1.linux/" };
  const char *ns = NULL;
  for (size_t i = 0; bundle && i < ARRAY_SIZE (task_dirs); i++)
    for (const char *at = strstr (bundle, task_dirs[i]); at; at = strstr (at + 1, task_dirs[i]))
      if (ns == NULL || at + strlen (task_dirs[i]) > ns)
        ns = at + strlen (task_dirs[i]);
  if (ns == NULL)
    return NULL;
  const char *slash = strchr (ns, '/');
  if (slash == NULL || slash == ns)
    return NULL;
  *len = (size_t)(slash - ns);
  return ns;
}

/* Docker leaves its name in the cgroup path (cgroupfs "/docker/ID",
 * systemd "system.slice:docker:ID") and, with a network, its hook. */
static bool
docker_traces (const struct oci_config *cfg)
{
  const char *cgroups = string_at (json_get (cfg->root, "linux"), "cgroupsPath");
  if (cgroups && (strncmp (cgroups, "/docker/", 8) == 0 || strstr (cgroups, ":docker:") != NULL))
    return true;
  json_object *prestart = json_get (json_get (cfg->root, "hooks"), "prestart");
  size_t n = prestart && json_object_is_type (prestart, json_type_array) ? json_object_array_length (prestart) : 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *args = json_get (json_object_array_get_idx (prestart, i), "args");
      json_object *a0
          = args && json_object_is_type (args, json_type_array) ? json_object_array_get_idx (args, 0) : NULL;
      if (a0 && json_object_is_type (a0, json_type_string)
          && strcmp (json_object_get_string (a0), "libnetwork-setkey") == 0)
        return true;
    }
  return false;
}

enum engine_kind
engine_detect (const struct oci_config *cfg, const char *bundle)
{
  /* Podman writes CRI-O's annotations too, so its own come first. */
  const char *manager = annotation (cfg, "io.container.manager");
  if (manager && strcmp (manager, "libpod") == 0)
    return ENGINE_PODMAN;
  if ((manager && strcmp (manager, "cri-o") == 0) || annotation (cfg, "io.kubernetes.cri-o.ContainerType"))
    return ENGINE_CRIO;
  if (annotation (cfg, "io.kubernetes.cri.container-type"))
    return ENGINE_CRI_CONTAINERD;
  size_t ns_len = 0;
  const char *ns = engine_containerd_namespace (bundle, &ns_len);
  if ((ns && ns_len == 4 && strncmp (ns, "moby", 4) == 0) || docker_traces (cfg))
    return ENGINE_DOCKER;
  if (ns)
    return ENGINE_CTR;
  const char *hostname = string_at (cfg->root, "hostname");
  if (hostname && (strcmp (hostname, "runc") == 0 || strcmp (hostname, "crun") == 0))
    return ENGINE_OCI_RUNTIME;
  return ENGINE_UNKNOWN;
}

static bool
all_digits (const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return n > 0;
}

bool
engine_docker_remaps (const struct oci_config *cfg)
{
  const char *path = string_at (json_get (cfg->root, "root"), "path");
  for (const char *c = path; c && *c;)
    {
      const char *end = strchr (c, '/');
      size_t len = end ? (size_t)(end - c) : strlen (c);
      const char *dot = memchr (c, '.', len);
      if (dot && all_digits (c, (size_t)(dot - c)) && all_digits (dot + 1, len - (size_t)(dot - c) - 1))
        return true;
      c = end ? end + 1 : NULL;
    }
  return false;
}

/* ------------------------------------------------------------------ */
/* Each engine's words                                                  */

/* Whose default seccomp profile a row of profile_grants[] is in. */
enum profile_family
{
  PROFILE_NONE,
  PROFILE_MOBY,       /* Docker: moby profiles/seccomp/default.json */
  PROFILE_CONTAINERS, /* Podman, CRI-O: containers/common seccomp.json */
  PROFILE_CONTAINERD, /* ctr --seccomp, containerd's CRI RuntimeDefault */
};
#define IN_MOBY (1u << PROFILE_MOBY)
#define IN_CONTAINERS (1u << PROFILE_CONTAINERS)
#define IN_CONTAINERD (1u << PROFILE_CONTAINERD)
#define IN_ALL (IN_MOBY | IN_CONTAINERS | IN_CONTAINERD)

/* How a person adds or drops a capability: BEFORE NAME AFTER, NAME with
 * or without "CAP_". */
struct cap_words
{
  const char *add_before, *add_after, *drop_before, *drop_after;
  bool full_name;
  bool add_all; /* the engine adds every capability for "ALL" */
};

struct engine_words
{
  const char *name;
  const char *profile_owner; /* NULL: the engine gives no seccomp profile */
  enum profile_family profile;
  struct cap_words caps;
  const char *hints[HINT__COUNT];
};

/* A hint is one sentence, split over lines where it is long; every entry
 * is designated, so no comma can be missing between two of them. */
// NOLINTBEGIN(bugprone-suspicious-missing-comma)
/* What Docker and Podman share: the flags of their common command line. */
#define DOCKER_PODMAN_FLAGS                                                                                            \
  [HINT_HOST_GROUP] = "give it a non-root group (--user UID:GID)",                                                     \
  [HINT_DEVICES_RULE] = "drop the --device-cgroup-rule that allows every device ('a *:* rwm')",                        \
  [HINT_HOST_NS_PID] = "--pid host", [HINT_HOST_NS_NETWORK] = "--network host", [HINT_HOST_NS_IPC] = "--ipc host",     \
  [HINT_HOST_NS_UTS] = "--uts host", [HINT_HOST_NS_CGROUP] = "--cgroupns host",                                        \
  [HINT_CGROUP_PARENT] = "drop --cgroup-parent, or give one the policy allows"

#define KUBERNETES_WORDS                                                                                               \
  .name = "Kubernetes",                                                                                                \
  .caps = { "securityContext.capabilities.add: [", "]", "securityContext.capabilities.drop: [", "]", false, true },    \
  .hints = {                                                                                                           \
    [HINT_HOST_ROOT] = "run it as a non-root user (securityContext runAsNonRoot: true and runAsUser: UID), or in a "   \
                       "user namespace (the pod's hostUsers: false)",                                                  \
    [HINT_HOST_GROUP] = "give it a non-root group (securityContext.runAsGroup: GID)",                                  \
    [HINT_NO_SECCOMP] = "set securityContext.seccompProfile.type: RuntimeDefault (and drop privileged: true)",         \
    [HINT_SYSFS_WRITABLE] = "drop securityContext.privileged: true",                                                   \
    [HINT_CGROUP_PRIVILEGED] = "drop securityContext.privileged: true",                                                \
    [HINT_DEVICES_PRIVILEGED] = "drop securityContext.privileged: true",                                               \
    [HINT_MASKED_PATHS] = "drop securityContext.privileged: true and procMount: Unmasked",                             \
    [HINT_READONLY_PATHS] = "drop securityContext.privileged: true and procMount: Unmasked",                           \
    [HINT_HOST_NS_PID] = "hostPID: true",                                                                              \
    [HINT_HOST_NS_NETWORK] = "hostNetwork: true",                                                                      \
    [HINT_HOST_NS_IPC] = "hostIPC: true",                                                                              \
    [HINT_HOST_NS_UTS] = "hostNetwork: true",                                                                          \
    [HINT_RLIMITS] = "the runtime's defaults, containerd's base_runtime_spec or CRI-O's default_ulimits: Kubernetes "  \
                     "has no setting for them",                                                                        \
    [HINT_CGROUP_PARENT] = "the kubelet chooses it (its cgroupRoot and cgroupDriver): add that parent to "             \
                           "rules.cgroupsPath.allow",                                                                  \
  }

static const struct engine_words words[ENGINE__COUNT] = {
  [ENGINE_DOCKER] = {
    .name = "Docker",
    .profile_owner = "Docker's",
    .profile = PROFILE_MOBY,
    .caps = { "--cap-add ", "", "--cap-drop ", "", false, true },
    .hints = {
      [HINT_HOST_ROOT] = "run as a non-root user (--user UID), or let the daemon remap root to an unprivileged range "
                         "(userns-remap: `ocigate setup docker --userns`)",
      [HINT_HOST_ROOT_USERNS_HOST] = "run as a non-root user (--user UID), or drop --userns host so the daemon's "
                                     "userns-remap maps root to an unprivileged range",
      [HINT_NO_SECCOMP] = "drop --security-opt seccomp=unconfined (and --privileged) so Docker's default profile "
                          "applies, or give one (--security-opt seccomp=PROFILE.json)",
      [HINT_SYSFS_WRITABLE] = "drop --privileged, which makes Docker mount /sys writable",
      [HINT_CGROUP_PRIVILEGED] = "drop --privileged, which makes Docker mount cgroups writable",
      [HINT_CGROUP_USERNS_HOST] = "drop --userns host: a daemon with userns-remap mounts cgroups writable for the user "
                                  "namespace it gives, which --userns host takes away",
      [HINT_DEVICES_PRIVILEGED] = "drop --privileged, which makes Docker allow every device",
      [HINT_MASKED_PATHS] = "drop --privileged and --security-opt systempaths=unconfined, so Docker masks it",
      [HINT_READONLY_PATHS] = "drop --privileged and --security-opt systempaths=unconfined, so Docker makes it "
                              "read-only",
      DOCKER_PODMAN_FLAGS,
    },
  },
  [ENGINE_PODMAN] = {
    .name = "Podman",
    .profile_owner = "Podman's",
    .profile = PROFILE_CONTAINERS,
    .caps = { "--cap-add ", "", "--cap-drop ", "", false, true },
    .hints = {
      [HINT_HOST_ROOT] = "run as a non-root user (--user UID), or in a user namespace (--userns auto; for every "
                         "container: `ocigate setup podman --userns`)",
      [HINT_NO_SECCOMP] = "drop --security-opt seccomp=unconfined (and --privileged) so Podman's default profile "
                          "applies, or give one (--security-opt seccomp=PROFILE.json)",
      [HINT_SYSFS_WRITABLE] = "drop --privileged, which makes Podman mount /sys writable",
      [HINT_CGROUP_PRIVILEGED] = "drop --privileged, which makes Podman mount cgroups writable",
      [HINT_DEVICES_PRIVILEGED] = "drop --privileged, which makes Podman allow every device",
      [HINT_MASKED_PATHS] = "drop --privileged and --security-opt unmask=..., so Podman masks it",
      [HINT_READONLY_PATHS] = "drop --privileged and --security-opt unmask=..., so Podman makes it read-only",
      DOCKER_PODMAN_FLAGS,
    },
  },
  [ENGINE_CTR] = {
    .name = "ctr",
    .profile_owner = "containerd's",
    .profile = PROFILE_CONTAINERD,
    .caps = { "--cap-add ", "", "--cap-drop ", "", true, false },
    .hints = {
      [HINT_HOST_ROOT] = "run it in a user namespace (ctr run --uidmap 0:100000:65536 --gidmap 0:100000:65536, with "
                         "an image: ctr ignores them with --rootfs), or as a non-root user (process.user.uid of a "
                         "--config spec: ctr run has no --user)",
      [HINT_HOST_GROUP] = "give it a non-root group (process.user.gid of a --config spec: ctr run has no --user)",
      [HINT_NO_SECCOMP] = "add --seccomp (containerd's default profile; --seccomp-profile FILE with it for another), and drop --privileged",
      [HINT_SYSFS_WRITABLE] = "drop --privileged, which makes containerd mount /sys writable",
      [HINT_CGROUP_PRIVILEGED] = "drop --privileged, which makes containerd mount cgroups writable",
      [HINT_DEVICES_PRIVILEGED] = "drop --privileged, which makes containerd allow every device",
      [HINT_MASKED_PATHS] = "drop --privileged, so containerd masks it",
      [HINT_READONLY_PATHS] = "drop --privileged, so containerd makes it read-only",
      [HINT_HOST_NS_PID] = "--with-ns pid:PATH",
      [HINT_HOST_NS_NETWORK] = "--net-host",
      [HINT_HOST_NS_IPC] = "--with-ns ipc:PATH",
      [HINT_HOST_NS_UTS] = "--with-ns uts:PATH",
      [HINT_HOST_NS_CGROUP] = "--with-ns cgroup:PATH",
      [HINT_RLIMITS] = "a --config spec: ctr run has no option for them",
      [HINT_CGROUP_PARENT] = "drop --cgroup, or give one the policy allows",
    },
  },
  [ENGINE_CRI_CONTAINERD] = { .profile_owner = "containerd's", .profile = PROFILE_CONTAINERD, KUBERNETES_WORDS },
  [ENGINE_CRIO] = { .profile_owner = "CRI-O's", .profile = PROFILE_CONTAINERS, KUBERNETES_WORDS },
  [ENGINE_OCI_RUNTIME] = {
    .name = "runc or crun",
    .caps = { "", " in process.capabilities", "remove ", " from process.capabilities", true, false },
    .hints = {
      [HINT_HOST_ROOT] = "set process.user.uid to a non-root UID, or add a \"user\" entry to linux.namespaces with "
                         "linux.uidMappings and linux.gidMappings",
      [HINT_HOST_GROUP] = "set process.user.gid to a non-root GID",
      [HINT_NO_SECCOMP] = "add a linux.seccomp profile whose defaultAction is SCMP_ACT_ERRNO",
    },
  },
};

// NOLINTEND(bugprone-suspicious-missing-comma)

/* The system calls of the engines' default profiles that a capability
 * brings (their "includes": {"caps": [...]}), as far as they are
 * kernel-escape calls no default profile allows without it: ptrace,
 * mount, unshare, setns and reboot are left out, since some profile
 * allows them anyway (Docker's ptrace on kernels from 4.8, Podman's the
 * others), and blaming the capability would send the person after the
 * wrong flag.  Read from moby's profiles/seccomp/default.json,
 * containers/common's pkg/seccomp/seccomp.json and containerd's
 * contrib/seccomp/seccomp_default.go. */
struct profile_grant
{
  int cap;
  unsigned profiles; /* IN_* */
  const char *const *syscalls;
};

#define SYSCALLS(...) ((const char *const[]){ __VA_ARGS__, NULL })
static const struct profile_grant profile_grants[] = {
  { CAP_SYS_MODULE, IN_ALL, SYSCALLS ("init_module", "finit_module", "delete_module") },
  { CAP_SYS_MODULE, IN_CONTAINERS | IN_CONTAINERD, SYSCALLS ("query_module") },
  { CAP_DAC_READ_SEARCH, IN_ALL, SYSCALLS ("open_by_handle_at") },
  { CAP_SYS_ADMIN, IN_ALL, SYSCALLS ("bpf", "perf_event_open", "lookup_dcookie", "quotactl", "fanotify_init") },
  { CAP_BPF, IN_MOBY | IN_CONTAINERD, SYSCALLS ("bpf") },
  { CAP_PERFMON, IN_MOBY | IN_CONTAINERD, SYSCALLS ("perf_event_open") },
  { CAP_SYS_ADMIN, IN_MOBY | IN_CONTAINERD, SYSCALLS ("quotactl_fd") },
  { CAP_SYS_RAWIO, IN_ALL, SYSCALLS ("iopl", "ioperm") },
  { CAP_SYS_PACCT, IN_ALL, SYSCALLS ("acct") },
  { CAP_SYS_TIME, IN_ALL, SYSCALLS ("settimeofday", "stime", "clock_settime", "clock_settime64") },
  { CAP_SYS_TTY_CONFIG, IN_ALL, SYSCALLS ("vhangup") },
};

const char *
engine_name (enum engine_kind e)
{
  return words[e].name ? words[e].name : "";
}

const char *
engine_hint (enum engine_kind e, enum engine_hint h)
{
  return words[e].hints[h];
}

const char *
engine_profile_owner (enum engine_kind e)
{
  return words[e].profile_owner;
}

int
engine_profile_capability (enum engine_kind e, const char *syscall, capmask_t held)
{
  if (words[e].profile == PROFILE_NONE)
    return -1;
  unsigned in = 1u << words[e].profile;
  for (size_t i = 0; i < ARRAY_SIZE (profile_grants); i++)
    {
      const struct profile_grant *g = &profile_grants[i];
      if (!(g->profiles & in) || !(held & CAPMASK (g->cap)))
        continue;
      for (const char *const *s = g->syscalls; *s; s++)
        if (strcmp (*s, syscall) == 0)
          return g->cap;
    }
  return -1;
}

char *
engine_cap_flag (enum engine_kind e, bool add, int cap)
{
  const struct engine_words *w = &words[e];
  if (w->name == NULL)
    return NULL;
  const char *name = cap_name (cap);
  if (!w->caps.full_name && strncmp (name, "CAP_", 4) == 0)
    name += 4;
  return add ? xasprintf ("%s%s%s", w->caps.add_before, name, w->caps.add_after)
             : xasprintf ("%s%s%s", w->caps.drop_before, name, w->caps.drop_after);
}

char *
engine_bind_remedy (enum engine_kind e, const char *source, const char *destination)
{
  switch (e)
    {
    case ENGINE_DOCKER:
    case ENGINE_PODMAN:
      return xasprintf ("drop -v %s:%s (or the --mount that binds it)", source, destination);
    case ENGINE_CTR:
      return xasprintf ("drop --mount type=bind,src=%s,dst=%s", source, destination);
    case ENGINE_CRI_CONTAINERD:
    case ENGINE_CRIO:
      return xasprintf ("remove the hostPath volume %s mounted at %s", source, destination);
    case ENGINE_OCI_RUNTIME:
    case ENGINE_UNKNOWN:
    case ENGINE__COUNT:
      break;
    }
  return NULL;
}

char *
engine_ulimit_flag (enum engine_kind e, const char *type, uint64_t soft, uint64_t hard)
{
  if ((e != ENGINE_DOCKER && e != ENGINE_PODMAN) || strncmp (type, "RLIMIT_", 7) != 0)
    return NULL;
  /* Both read -1 as unlimited and take the name in lower case. */
  cleanup_free char *name = xstrdup (type + 7);
  for (char *c = name; *c; c++)
    if (*c >= 'A' && *c <= 'Z')
      *c = (char)(*c - 'A' + 'a');
  char s[24] = "-1", h[24] = "-1"; /* RLIM_INFINITY, uint64 -1 */
  if (soft != UINT64_MAX)
    (void)snprintf (s, sizeof s, "%llu", (unsigned long long)soft);
  if (hard != UINT64_MAX)
    (void)snprintf (h, sizeof h, "%llu", (unsigned long long)hard);
  return xasprintf ("--ulimit %s=%s:%s", name, s, h);
}

bool
engine_cap_add_all (enum engine_kind e)
{
  return words[e].caps.add_all;
}
