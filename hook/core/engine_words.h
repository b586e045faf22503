/* ocigate: the words of the engine that wrote a config.
 *
 * A finding names the config's field, and what would make it pass; a
 * person who ran `docker run` or `podman run` wrote flags, not fields, and
 * some fields they never asked for (Docker's seccomp profile allows
 * init_module because of --cap-add SYS_MODULE).  Which engine wrote the
 * config is read from its traces (engine_detect()), and each engine has
 * one table of hints, keyed by the shape of a finding: the flag to change,
 * in its own words.  Where the engine is not known the rules keep the
 * config's words.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_ENGINE_WORDS_H
#define OCIGATE_ENGINE_WORDS_H

#include "base/caps.h"
#include "core/config.h"

enum engine_kind
{
  ENGINE_UNKNOWN,
  ENGINE_DOCKER,
  ENGINE_PODMAN,
  ENGINE_CTR,            /* containerd's ctr run */
  ENGINE_CRI_CONTAINERD, /* Kubernetes through containerd's CRI */
  ENGINE_CRIO,           /* Kubernetes through CRI-O */
  ENGINE_OCI_RUNTIME,    /* a spec of `runc spec` or `crun spec`, run by hand */
  ENGINE__COUNT,
};

/* Which engine wrote the config, from the traces it leaves: Podman's and
 * the CRIs' annotations, the bundle directory containerd makes for its
 * namespace (Docker's is "moby"), Docker's cgroup path and network hook,
 * the hostname `runc spec` and `crun spec` write.  bundle may be NULL. */
enum engine_kind engine_detect (const struct oci_config *cfg, const char *bundle);

/* Whether a Docker config comes from a daemon with userns-remap: its
 * root file system lies in the data root's "UID.GID" directory of the
 * remapped range (/var/lib/docker/100000.100000/...). */
bool engine_docker_remaps (const struct oci_config *cfg);

/* "Docker", "Podman", "ctr", "Kubernetes", "runc or crun"; "" when
 * unknown. */
const char *engine_name (enum engine_kind e);

/* The shapes of findings an engine's words are kept for: the rule, and
 * what made the finding. */
enum engine_hint
{
  HINT_HOST_ROOT,             /* user.root: host UID 0, no user namespace */
  HINT_HOST_ROOT_USERNS_HOST, /* the same where the engine would give one */
  HINT_HOST_GROUP,            /* user.root: host GID 0, no user namespace */
  HINT_NO_SECCOMP,            /* seccomp: no profile */
  HINT_SYSFS_WRITABLE,        /* mounts: writable /sys */
  HINT_CGROUP_PRIVILEGED,     /* mounts: writable cgroups, with a writable /sys */
  HINT_CGROUP_USERNS_HOST,    /* mounts: writable cgroups, /sys read-only */
  HINT_DEVICES_PRIVILEGED,    /* devices: every device allowed, /sys writable */
  HINT_DEVICES_RULE,          /* devices: every device allowed, /sys read-only */
  HINT_MASKED_PATHS,          /* maskedPaths: a path not masked */
  HINT_READONLY_PATHS,        /* maskedPaths: a path not read-only */
  HINT_HOST_NS_PID,           /* hostNamespaces.*: the flag that shares it */
  HINT_HOST_NS_NETWORK,
  HINT_HOST_NS_IPC,
  HINT_HOST_NS_UTS,
  HINT_HOST_NS_CGROUP,
  HINT_RLIMITS,       /* rlimits: where the limits are set, for an engine without --ulimit */
  HINT_CGROUP_PARENT, /* cgroupsPath: the option that placed the container */
  HINT__COUNT,
};

/* The remedy engine e's users act on for a finding of shape h, one
 * clause, no trailing punctuation; NULL when e has none (the rule keeps
 * the config's words). */
const char *engine_hint (enum engine_kind e, enum engine_hint h);

/* The capability of `held` for which engine e's default seccomp profile
 * allows `syscall` unconditionally (and without which it does not); -1
 * when none does, or e makes no profile. */
int engine_profile_capability (enum engine_kind e, const char *syscall, capmask_t held);

/* Whose default seccomp profile engine e gives: "Docker's"; NULL when it
 * gives none. */
const char *engine_profile_owner (enum engine_kind e);

/* How a person using engine e adds capability `cap` ("--cap-add SYS_ADMIN",
 * "--cap-add CAP_SYS_ADMIN", "capabilities.add: [SYS_ADMIN]") or drops
 * it; NULL when e is not known.  Allocated. */
char *engine_cap_flag (enum engine_kind e, bool add, int cap);

/* What a person using engine e removes so that the config no longer
 * binds host path `source` at `destination`: "drop -v SRC:DST (or the
 * --mount that binds it)"; NULL when e is not known.  Allocated. */
char *engine_bind_remedy (enum engine_kind e, const char *source, const char *destination);

/* How a person using engine e sets rlimit `type` ("RLIMIT_NOFILE") to
 * soft:hard: "--ulimit nofile=1024:1048576" (Docker, Podman; -1 for
 * unlimited); NULL when e has no such option (ctr, Kubernetes).
 * Allocated. */
char *engine_ulimit_flag (enum engine_kind e, const char *type, uint64_t soft, uint64_t hard);

/* The containerd namespace of a bundle containerd made
 * (TASKDIR/NAMESPACE/ID), *len bytes; NULL when bundle is not one. */
const char *engine_containerd_namespace (const char *bundle, size_t *len);

/* Whether engine e adds every capability for "ALL" (--cap-add ALL). */
bool engine_cap_add_all (enum engine_kind e);

#endif
