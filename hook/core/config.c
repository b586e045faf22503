/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/config.h"
#include "base/fsutil.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonio.h"

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

static const char *
type_name (json_object *o)
{
  return json_type_to_name (json_object_get_type (o));
}

/* The field (fmt...) is the dotted name users know from config.json: it is
 * formatted only for the message of an error. */
static int want_type (json_object *o, json_type t, ocigate_error_t *err, const char *fmt, ...) PRINTF_LIKE (4, 5);

static int
want_type (json_object *o, json_type t, ocigate_error_t *err, const char *fmt, ...)
{
  if (json_object_is_type (o, t))
    return 0;
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *field = xvasprintf (fmt, ap);
  va_end (ap);
  return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be %s %s, not %s", field,
                             t == json_type_array || t == json_type_object ? "an" : "a", json_type_to_name (t),
                             type_name (o));
}

static int get_uint32 (json_object *o, uint32_t *out, ocigate_error_t *err, const char *fmt, ...) PRINTF_LIKE (4, 5);

static int
get_uint32 (json_object *o, uint32_t *out, ocigate_error_t *err, const char *fmt, ...)
{
  if (json_object_is_type (o, json_type_int))
    {
      int64_t v = json_object_get_int64 (o);
      if (v >= 0 && v <= (int64_t)UINT32_MAX)
        {
          *out = (uint32_t)v;
          return 0;
        }
    }
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *field = xvasprintf (fmt, ap);
  va_end (ap);
  if (!json_object_is_type (o, json_type_int))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an integer from 0 to 4294967295, not %s %s",
                               field, type_name (o), json_object_to_json_string (o));
  int64_t v = json_object_get_int64 (o);
  /* json-c keeps integers above INT64_MAX as uint64 and clamps what does
   * not fit 64 bits; either way the value is out of range. */
  bool clamped = v == INT64_MIN || (v == INT64_MAX && json_object_get_uint64 (o) == UINT64_MAX);
  if (clamped)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                               "%s: a number beyond 64 bits is out of range (0 to 4294967295)", field);
  if (v < 0 || v > (int64_t)UINT32_MAX || (v == INT64_MAX && json_object_get_uint64 (o) > (uint64_t)INT64_MAX))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: %s is out of range (0 to 4294967295)", field,
                               json_object_to_json_string (o));
  *out = (uint32_t)v;
  return 0;
}

/* An optional array field, parent_field.key: NULL when absent or null, else
 * checked for type and length (the noun and limit name the count in the
 * message). */
static int
get_list (json_object *parent, const char *parent_field, const char *key, size_t max, const char *noun,
          const char *limit, json_object **out, size_t *n, ocigate_error_t *err)
{
  json_object *a = json_get (parent, key);
  *out = NULL;
  *n = 0;
  if (a == NULL || json_object_is_type (a, json_type_null))
    return 0;
  if (want_type (a, json_type_array, err, "%s.%s", parent_field, key) < 0)
    return -1;
  size_t len = json_object_array_length (a);
  if (len > max)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s.%s: %zu %s, more than %s of %zu", parent_field, key, len,
                               noun, limit, max);
  *out = a;
  *n = len;
  return 0;
}

static int
load_user (struct oci_config *cfg, json_object *process, ocigate_error_t *err)
{
  json_object *user = json_get (process, "user");
  if (user == NULL)
    return 0; /* the runtime runs the process as 0:0 */
  if (want_type (user, json_type_object, err, "process.user") < 0)
    return -1;
  json_object *v;
  if ((v = json_get (user, "uid")) && get_uint32 (v, &cfg->uid, err, "process.user.uid") < 0)
    return -1;
  if ((v = json_get (user, "gid")) && get_uint32 (v, &cfg->gid, err, "process.user.gid") < 0)
    return -1;
  json_object *gids = NULL;
  size_t n = 0;
  if (get_list (user, "process.user", "additionalGids", OCIGATE_MAX_LIST, "entries", "the limit", &gids, &n, err) < 0)
    return -1;
  if (gids == NULL)
    return 0;
  cfg->additional_gids = xreallocarray (NULL, n, sizeof (uint32_t));
  cfg->n_additional_gids = n;
  for (size_t i = 0; i < n; i++)
    {
      if (get_uint32 (json_object_array_get_idx (gids, i), &cfg->additional_gids[i], err,
                      "process.user.additionalGids[%zu]", i)
          < 0)
        return -1;
    }
  return 0;
}

static int
load_capabilities (struct oci_config *cfg, json_object *process, ocigate_error_t *err)
{
  json_object *caps = json_get (process, "capabilities");
  cfg->has_capabilities = caps != NULL && !json_object_is_type (caps, json_type_null);
  if (!cfg->has_capabilities)
    return 0;
  if (want_type (caps, json_type_object, err, "process.capabilities") < 0)
    return -1;
  for (int s = 0; s < CAPSET__COUNT; s++)
    {
      json_object *set = NULL;
      size_t n = 0;
      if (get_list (caps, "process.capabilities", cap_set_names[s], OCIGATE_MAX_LIST, "entries", "the limit", &set, &n,
                    err)
          < 0)
        return -1;
      for (size_t i = 0; i < n; i++)
        {
          json_object *name = json_object_array_get_idx (set, i);
          int c = json_object_is_type (name, json_type_string) ? cap_parse_name (json_object_get_string (name)) : -1;
          if (c >= 0)
            {
              cfg->caps[s] |= CAPMASK (c);
              continue;
            }
          /* The item's name is made only for the error. */
          cleanup_free char *item = xasprintf ("process.capabilities.%s[%zu]", cap_set_names[s], i);
          if (want_type (name, json_type_string, err, "%s", item) < 0)
            return -1;
          return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                     "%s: unknown capability \"%s\" (names are CAP_ and the upper-case name, "
                                     "as CAP_NET_BIND_SERVICE)",
                                     item, json_object_get_string (name));
        }
    }
  return 0;
}

static int
load_namespaces (struct oci_config *cfg, json_object *linux_, ocigate_error_t *err)
{
  json_object *nss = NULL;
  size_t n = 0;
  if (get_list (linux_, "linux", "namespaces", OCIGATE_MAX_LIST, "entries", "the limit", &nss, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      json_object *ns = json_object_array_get_idx (nss, i);
      if (want_type (ns, json_type_object, err, "linux.namespaces[%zu]", i) < 0)
        return -1;
      json_object *type = json_get (ns, "type");
      if (type == NULL)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "linux.namespaces[%zu].type: missing", i);
      if (want_type (type, json_type_string, err, "linux.namespaces[%zu].type", i) < 0)
        return -1;
      int t;
      for (t = 0; t < NS__COUNT; t++)
        if (strcmp (ns_names[t], json_object_get_string (type)) == 0)
          break;
      if (t == NS__COUNT)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                   "linux.namespaces[%zu].type: unknown namespace type \"%s\" (one of pid, network, "
                                   "mount, ipc, uts, user, cgroup, time)",
                                   i, json_object_get_string (type));
      /* The runtime must reject a type given twice; judging either entry
       * alone could judge the one the runtime does not use. */
      if (cfg->ns[t].present)
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                   "linux.namespaces[%zu].type: namespace type \"%s\" given twice (also at [%zu])", i,
                                   ns_names[t], cfg->ns[t].index);
      cfg->ns[t].present = true;
      cfg->ns[t].index = i;
      json_object *path = json_get (ns, "path");
      if (path && !json_object_is_type (path, json_type_null))
        {
          if (want_type (path, json_type_string, err, "linux.namespaces[%zu].path", i) < 0)
            return -1;
          if (!json_is_clean_string (path))
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "linux.namespaces[%zu].path: contains a NUL byte", i);
          /* An empty path means a new namespace, as runc reads it. */
          if (json_object_get_string_len (path) > 0)
            cfg->ns[t].path = json_object_get_string (path);
        }
    }
  return 0;
}

static int
load_mappings (json_object *linux_, const char *key, struct id_mapping **out, size_t *n_out, ocigate_error_t *err)
{
  json_object *maps = NULL;
  size_t n = 0;
  if (get_list (linux_, "linux", key, OCIGATE_MAX_MAPPINGS, "mappings", "the kernel's limit", &maps, &n, err) < 0)
    return -1;
  if (maps == NULL)
    return 0;
  *out = xreallocarray (NULL, n, sizeof (struct id_mapping));
  *n_out = n;
  for (size_t i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (maps, i);
      if (want_type (m, json_type_object, err, "linux.%s[%zu]", key, i) < 0)
        return -1;
      static const char *const keys[] = { "containerID", "hostID", "size" };
      uint32_t vals[3];
      for (int k = 0; k < 3; k++)
        {
          json_object *v = json_get (m, keys[k]);
          if (v == NULL)
            return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "linux.%s[%zu].%s: missing", key, i, keys[k]);
          if (get_uint32 (v, &vals[k], err, "linux.%s[%zu].%s", key, i, keys[k]) < 0)
            return -1;
        }
      (*out)[i] = (struct id_mapping){ vals[0], vals[1], vals[2] };
    }
  return 0;
}

static void
config_clear_views (struct oci_config *cfg)
{
  free (cfg->additional_gids);
  free (cfg->uid_mappings);
  free (cfg->gid_mappings);
  json_object *root = cfg->root;
  char *name = cfg->name;
  memset (cfg, 0, sizeof *cfg);
  cfg->root = root;
  cfg->name = name;
}

int
oci_config_refresh (struct oci_config *cfg, ocigate_error_t *err)
{
  config_clear_views (cfg);
  if (want_type (cfg->root, json_type_object, err, "config") < 0)
    return -1;
  json_object *process = json_get (cfg->root, "process");
  if (process == NULL || json_object_is_type (process, json_type_null))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                               "process: missing (a container needs a process to start; nothing to judge)");
  if (want_type (process, json_type_object, err, "process") < 0)
    return -1;
  if (load_user (cfg, process, err) < 0 || load_capabilities (cfg, process, err) < 0)
    return -1;
  json_object *linux_ = json_get (cfg->root, "linux");
  if (linux_ == NULL || json_object_is_type (linux_, json_type_null))
    return 0; /* no namespaces at all: every rule judges that as the host's */
  if (want_type (linux_, json_type_object, err, "linux") < 0)
    return -1;
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
  __attribute__ ((cleanup (read_buffer_release))) struct read_buffer rb = { 0 };
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

int
oci_config_check_trusted (const struct oci_config *cfg, const char *path, ocigate_error_t *err)
{
  uint32_t root_on_host = 0;
  struct trust_rules rules = { .closed_ok = true, .also_owner = (uid_t)-1 };
  if (cfg->n_uid_mappings && id_mapping_to_host (cfg->uid_mappings, cfg->n_uid_mappings, 0, &root_on_host))
    rules.also_owner = (uid_t)root_on_host;
  return trust_check (-1, path, "config", &rules, OCIGATE_ERR_INPUT, err);
}
