/* ocigate: the container's config.json.
 *
 * The json-c tree is kept whole (every field ocigate does not know survives
 * a rewrite); the fields the rules judge are validated once at load and
 * exposed as typed views.  A value of the wrong type or range is an input
 * error: the config cannot be judged.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_CONFIG_H
#define OCIGATE_CONFIG_H

#include "base/caps.h"
#include "base/error.h"
#include "base/jsonio.h"

#define OCIGATE_MAX_MAPPINGS 340 /* the kernel's limit on uid_map lines */
#define OCIGATE_MAX_LIST 4096    /* namespaces, capabilities, gids */

enum ns_type
{
  NS_PID,
  NS_NETWORK,
  NS_MOUNT,
  NS_IPC,
  NS_UTS,
  NS_USER,
  NS_CGROUP,
  NS_TIME,
  NS__COUNT
};

enum cap_set
{
  CAPSET_BOUNDING,
  CAPSET_EFFECTIVE,
  CAPSET_PERMITTED,
  CAPSET_INHERITABLE,
  CAPSET_AMBIENT,
  CAPSET__COUNT
};

struct ns_entry
{
  bool present;
  const char *path; /* NULL: the runtime creates a new namespace */
  size_t index;     /* position in linux.namespaces */
};

struct id_mapping
{
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct oci_config
{
  json_object *root;
  char *name;    /* for messages: the file it came from */
  bool via_link; /* oci_config_load_file(): the path is a symbolic link */
  /* process is one that `exec` adds to the running container (the
   * wrapper), not the container's own. */
  bool exec_process;

  uint32_t uid;
  uint32_t gid;
  uint32_t *additional_gids;
  size_t n_additional_gids;

  bool has_capabilities; /* process.capabilities present */
  capmask_t caps[CAPSET__COUNT];

  bool has_linux;
  struct ns_entry ns[NS__COUNT];
  struct id_mapping *uid_mappings;
  size_t n_uid_mappings;
  struct id_mapping *gid_mappings;
  size_t n_gid_mappings;
};

const char *ns_type_name (enum ns_type t); /* runtime-spec: "network" */
const char *ns_proc_name (enum ns_type t); /* /proc/PID/ns: "net" */
const char *cap_set_name (enum cap_set s); /* "bounding" */

int oci_config_load_file (const char *path, struct oci_config **out, ocigate_error_t *err);
/* The same, reading into rb, which keeps its block for the next file. */
int oci_config_load_file_into (const char *path, struct read_buffer *rb, struct oci_config **out, ocigate_error_t *err);
int oci_config_load_buffer (const char *buf, size_t len, const char *name, struct oci_config **out,
                            ocigate_error_t *err);
/* Refuse a key of a runtime-spec object that is not one of its fields but
 * that runc, matching names whatever their case, takes for one ("UID");
 * process_only: root is a process (exec --process).  spec_keys.c */
int spec_keys_check (json_object *root, bool process_only, const char *name, ocigate_error_t *err);
/* Re-read the typed views after a rule changed the tree. */
int oci_config_refresh (struct oci_config *cfg, ocigate_error_t *err);
void oci_config_free (struct oci_config *cfg);
void cleanup_oci_configp (struct oci_config **cfg);
#define cleanup_oci_config __attribute__ ((cleanup (cleanup_oci_configp)))

/* The host ID a container ID maps to; false when no mapping covers it. */
bool id_mapping_to_host (const struct id_mapping *m, size_t n, uint32_t id, uint32_t *host);

/* The runtime reads path apart from ocigate: trust_check() it (fsutil.h),
 * with a 0700 directory on the way ending the check and the host UID of
 * the container's own root accepted as an owner. */
int oci_config_check_trusted (const struct oci_config *cfg, const char *path, ocigate_error_t *err);
/* The root file system the runtime mounts and then enters: root.path
 * (from the bundle when relative) resolves twice in the runtime, so it is
 * held to the same (trust_check_dir()); when it is not there, the
 * directory it would be made in. */
int oci_config_check_rootfs (const struct oci_config *cfg, const char *bundle, ocigate_error_t *err);

/* Navigation helpers over the tree; NULL when absent. */
json_object *json_get (json_object *o, const char *key);
json_object *json_get_path (json_object *root, const char *const *keys);

#endif
