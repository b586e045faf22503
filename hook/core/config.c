/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/config.h"
#include "base/fsutil.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "base/jsonio.h"
#include "core/field.h"

static const char *const ns_names[NS__COUNT] = { "pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time" };
static const char *const ns_proc_names[NS__COUNT] = { "pid", "net", "mnt", "ipc", "uts", "user", "cgroup", "time" };
static const char *const cap_set_names[CAPSET__COUNT]
    = { "bounding", "effective", "permitted", "inheritable", "ambient" };

const char *
ns_type_name (enum ns_type t)
{
  return ns_names[t];
}

const char *
ns_proc_name (enum ns_type t)
{
  return ns_proc_names[t];
}

const char *
cap_set_name (enum cap_set s)
{
  return cap_set_names[s];
}

json_object *
json_get (json_object *o, const char *key)
{
  json_object *v = NULL;
  if (o == NULL || !json_object_is_type (o, json_type_object))
    return NULL;
  if (!json_object_object_get_ex (o, key, &v))
    return NULL;
  return v;
}

json_object *
json_get_path (json_object *root, const char *const *keys)
{
  json_object *o = root;
  for (; o && *keys; keys++)
    o = json_get (o, *keys);
  return o;
}

static const struct json_path process_at = { .key = "process" };
static const struct json_path linux_at = { .key = "linux" };

static int
load_user (struct oci_config *cfg, json_object *process, ocigate_error_t *err)
{
  json_object *user = NULL;
  if (field_object (process, &process_at, "user", FIELD_OPTIONAL, NULL, &user, err) < 0)
    return -1;
  if (user == NULL)
    return 0; /* the runtime runs the process as 0:0 */
  const struct json_path *user_at = FIELD_KEY (&process_at, "user");
  json_object *gids = NULL;
  size_t n = 0;
  if (field_uint32 (user, user_at, "uid", FIELD_OPTIONAL, NULL, &cfg->uid, err) < 0
      || field_uint32 (user, user_at, "gid", FIELD_OPTIONAL, NULL, &cfg->gid, err) < 0
      || field_array (user, user_at, "additionalGids", NULL, FIELD_OPTIONAL, &gids, &n, err) < 0)
    return -1;
  if (gids == NULL)
    return 0;
  cfg->additional_gids = xreallocarray (NULL, n, sizeof (uint32_t));
  cfg->n_additional_gids = n;
  for (size_t i = 0; i < n; i++)
    if (field_item_uint32 (gids, FIELD_KEY (user_at, "additionalGids"), i, &cfg->additional_gids[i], err) < 0)
      return -1;
  return 0;
}

static int
load_capabilities (struct oci_config *cfg, json_object *process, ocigate_error_t *err)
{
  json_object *caps = NULL;
  if (field_object (process, &process_at, "capabilities", FIELD_OPTIONAL, NULL, &caps, err) < 0)
    return -1;
  cfg->has_capabilities = caps != NULL;
  if (!cfg->has_capabilities)
    return 0;
  const struct json_path caps_at = { .up = &process_at, .key = "capabilities" };
  for (int s = 0; s < CAPSET__COUNT; s++)
    {
      json_object *set = NULL;
      size_t n = 0;
      if (field_array (caps, &caps_at, cap_set_names[s], NULL, FIELD_OPTIONAL, &set, &n, err) < 0)
        return -1;
      const struct json_path set_at = { .up = &caps_at, .key = cap_set_names[s] };
      for (size_t i = 0; i < n; i++)
        {
          const char *name = NULL;
          if (field_item_string (set, &set_at, i, &name, err) < 0)
            return -1;
          int c = cap_parse_name (name);
          if (c < 0)
            return field_error (FIELD_INDEX (&set_at, i), NULL, err,
                                "unknown capability \"%s\" (names are CAP_ and the upper-case name, as "
                                "CAP_NET_BIND_SERVICE)",
                                name);
          cfg->caps[s] |= CAPMASK (c);
        }
    }
  return 0;
}

static int
load_namespaces (struct oci_config *cfg, json_object *linux_, ocigate_error_t *err)
{
  json_object *nss = NULL;
  size_t n = 0;
  if (field_array (linux_, &linux_at, "namespaces", NULL, FIELD_OPTIONAL, &nss, &n, err) < 0)
    return -1;
  const struct json_path nss_at = { .up = &linux_at, .key = "namespaces" };
  for (size_t i = 0; i < n; i++)
    {
      json_object *ns = NULL;
      const char *type = NULL, *path = NULL;
      const struct json_path *ns_at = FIELD_INDEX (&nss_at, i);
      if (field_item_object (nss, &nss_at, i, &ns, err) < 0
          || field_string (ns, ns_at, "type", FIELD_REQUIRED, NULL, &type, err) < 0)
        return -1;
      int t;
      for (t = 0; t < NS__COUNT; t++)
        if (strcmp (ns_names[t], type) == 0)
          break;
      if (t == NS__COUNT)
        return field_error (ns_at, "type", err,
                            "unknown namespace type \"%s\" (one of pid, network, mount, ipc, uts, user, cgroup, time)",
                            type);
      /* The runtime must reject a type given twice; judging either entry
       * alone could judge the one the runtime does not use. */
      if (cfg->ns[t].present)
        return field_error (ns_at, "type", err, "namespace type \"%s\" given twice (also at [%zu])", ns_names[t],
                            cfg->ns[t].index);
      cfg->ns[t].present = true;
      cfg->ns[t].index = i;
      if (field_string (ns, ns_at, "path", FIELD_OPTIONAL, NULL, &path, err) < 0)
        return -1;
      /* An empty path means a new namespace, as runc reads it. */
      if (path && path[0] != '\0')
        cfg->ns[t].path = path;
    }
  return 0;
}

static int
load_mappings (json_object *linux_, const char *key, struct id_mapping **out, size_t *n_out, ocigate_error_t *err)
{
  static const struct field_count mappings_count = { OCIGATE_MAX_MAPPINGS, "mappings", "the kernel's limit" };
  json_object *maps = NULL;
  size_t n = 0;
  if (field_array (linux_, &linux_at, key, &mappings_count, FIELD_OPTIONAL, &maps, &n, err) < 0)
    return -1;
  if (maps == NULL)
    return 0;
  *out = xreallocarray (NULL, n, sizeof (struct id_mapping));
  *n_out = n;
  const struct json_path maps_at = { .up = &linux_at, .key = key };
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = NULL;
      const struct json_path *m_at = FIELD_INDEX (&maps_at, i);
      struct id_mapping *map = &(*out)[i];
      if (field_item_object (maps, &maps_at, i, &m, err) < 0
          || field_uint32 (m, m_at, "containerID", FIELD_REQUIRED, NULL, &map->container_id, err) < 0
          || field_uint32 (m, m_at, "hostID", FIELD_REQUIRED, NULL, &map->host_id, err) < 0
          || field_uint32 (m, m_at, "size", FIELD_REQUIRED, NULL, &map->size, err) < 0)
        return -1;
    }
  return 0;
}

static void
config_clear_views (struct oci_config *cfg)
{
  free (cfg->additional_gids);
  free (cfg->uid_mappings);
  free (cfg->gid_mappings);
  /* What the file was, and whose process it holds, stays. */
  json_object *root = cfg->root;
  char *name = cfg->name;
  bool via_link = cfg->via_link, exec_process = cfg->exec_process;
  memset (cfg, 0, sizeof *cfg);
  cfg->root = root;
  cfg->name = name;
  cfg->via_link = via_link;
  cfg->exec_process = exec_process;
}

int
oci_config_refresh (struct oci_config *cfg, ocigate_error_t *err)
{
  config_clear_views (cfg);
  if (field_want (cfg->root, NULL, json_type_object, err) < 0)
    return -1;
  json_object *process = NULL, *linux_ = NULL;
  if (field_object (cfg->root, NULL, "process", FIELD_OPTIONAL, NULL, &process, err) < 0)
    return -1;
  if (process == NULL)
    return field_error (NULL, "process", err, "missing (a container needs a process to start; nothing to judge)");
  if (load_user (cfg, process, err) < 0 || load_capabilities (cfg, process, err) < 0)
    return -1;
  if (field_object (cfg->root, NULL, "linux", FIELD_OPTIONAL, NULL, &linux_, err) < 0)
    return -1;
  if (linux_ == NULL)
    return 0; /* no namespaces at all: every rule judges that as the host's */
  cfg->has_linux = true;
  if (load_namespaces (cfg, linux_, err) < 0)
    return -1;
  if (load_mappings (linux_, "uidMappings", &cfg->uid_mappings, &cfg->n_uid_mappings, err) < 0)
    return -1;
  return load_mappings (linux_, "gidMappings", &cfg->gid_mappings, &cfg->n_gid_mappings, err);
}

int
oci_config_load_buffer (const char *buf, size_t len, const char *name, struct oci_config **out, ocigate_error_t *err)
{
  cleanup_oci_config struct oci_config *cfg = xzalloc (sizeof *cfg);
  cfg->name = xstrdup (name);
  if (len > OCIGATE_MAX_CONFIG_BYTES)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: %zu bytes, more than the limit of %u", name, len,
                               OCIGATE_MAX_CONFIG_BYTES);
  if (json_parse_untrusted (buf, len, name, &cfg->root, err) < 0 || spec_keys_check (cfg->root, false, name, err) < 0)
    return -1;
  if (oci_config_refresh (cfg, err) < 0)
    return ocigate_error_prefix (err, "%s", name);
  *out = steal_pointer (&cfg);
  return 0;
}

int
oci_config_load_file_into (const char *path, struct read_buffer *rb, struct oci_config **out, ocigate_error_t *err)
{
  size_t len = 0;
  bool via_link = false;
  if (read_file_into (path, OCIGATE_MAX_CONFIG_BYTES, rb, &len, &via_link, err) < 0)
    return -1;
  if (oci_config_load_buffer (rb->data, len, strcmp (path, "-") == 0 ? "<stdin>" : path, out, err) < 0)
    return -1;
  (*out)->via_link = via_link;
  return 0;
}

int
oci_config_load_file (const char *path, struct oci_config **out, ocigate_error_t *err)
{
  cleanup_read_buffer struct read_buffer rb = { 0 };
  return oci_config_load_file_into (path, &rb, out, err);
}

void
oci_config_free (struct oci_config *cfg)
{
  if (cfg == NULL)
    return;
  config_clear_views (cfg);
  if (cfg->root)
    json_object_put (cfg->root);
  free (cfg->name);
  free (cfg);
}

void
cleanup_oci_configp (struct oci_config **cfg)
{
  oci_config_free (*cfg);
}

bool
id_mapping_to_host (const struct id_mapping *m, size_t n, uint32_t id, uint32_t *host)
{
  for (size_t i = 0; i < n; i++)
    {
      if (id >= m[i].container_id && (uint64_t)id < (uint64_t)m[i].container_id + m[i].size)
        {
          uint64_t h = (uint64_t)m[i].host_id + (id - m[i].container_id);
          if (h > UINT32_MAX)
            return false;
          *host = (uint32_t)h;
          return true;
        }
    }
  return false;
}

static struct trust_rules
bundle_trust_rules (const struct oci_config *cfg)
{
  uint32_t root_on_host = 0;
  struct trust_rules rules = { .closed_ok = true, .also_owner = (uid_t)-1 };
  if (cfg->n_uid_mappings && id_mapping_to_host (cfg->uid_mappings, cfg->n_uid_mappings, 0, &root_on_host))
    rules.also_owner = (uid_t)root_on_host;
  return rules;
}

int
oci_config_check_trusted (const struct oci_config *cfg, const char *path, ocigate_error_t *err)
{
  struct trust_rules rules = bundle_trust_rules (cfg);
  return trust_check (-1, path, "config", &rules, OCIGATE_ERR_INPUT, err);
}

int
oci_config_check_rootfs (const struct oci_config *cfg, const char *bundle, ocigate_error_t *err)
{
  json_object *root = json_get (cfg->root, "root");
  json_object *p = root ? json_get (root, "path") : NULL;
  if (p == NULL || !json_object_is_type (p, json_type_string) || json_object_get_string_len (p) == 0)
    return 0; /* the runtime refuses it */
  const char *path = json_object_get_string (p);
  cleanup_free char *abs
      = path[0] == '/' ? xstrdup (path) : xasprintf ("%s/%s", bundle && *bundle ? bundle : ".", path);
  struct trust_rules rules = bundle_trust_rules (cfg);
  /* What the root file system holds is the container's, whoever owns it
   * (a user namespace's root, Docker's userns-remap): what counts is that
   * nobody else can repoint the path.  Not there yet: whoever may create
   * it decides what it is, so its directory is held too. */
  struct stat st;
  bool missing = lstat (abs, &st) < 0 && errno == ENOENT;
  if (missing)
    {
      char *slash = strrchr (abs, '/');
      if (slash && slash != abs)
        *slash = '\0';
      else if (slash)
        slash[1] = '\0';
    }
  return trust_check_dir (abs, missing, "root.path", &rules, OCIGATE_ERR_INPUT, err);
}
