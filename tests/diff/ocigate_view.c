/* ocigate_view: a config.json as ocigate reads it, for
 * tests/cli/differential.bats.
 *
 * The config is loaded as every front end loads it (oci_config_load_buffer:
 * the strict JSON layer, the runtime-spec keys, the typed views) and
 * judged by every rule of POLICY; what cannot be judged is refused: the
 * error on stderr, exit 2.  Otherwise the fields the rules judge are
 * printed as runc_view.go prints runc's reading of them: one line of JSON,
 * keys in a fixed order, absent and null as Go's types hold them (an
 * absent string is "", an absent optional number null), every byte of a
 * string outside printable ASCII as \u00XX.  Strings are read as the rules
 * read them, as C strings.  A field this program cannot read although the
 * rules let the config through is exit 3: the view must be made to read it.
 *
 * Usage: ocigate_view POLICY CONFIG
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonio.h"
#include "core/config.h"
#include "core/field.h"
#include "core/host.h"
#include "core/verdict.h"
#include "gate/engine.h"
#include "gate/policy.h"

static struct strbuf out;
static ocigate_error_t err;

static void
check (int r)
{
  if (r >= 0)
    return;
  fprintf (stderr, "ocigate_view: cannot read what the rules let through: %s\n", err ? err->msg : "?");
  exit (3);
}

static void
raw (const char *s)
{
  strbuf_append (&out, s);
}

static void
str (const char *s)
{
  raw ("\"");
  for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
    {
      if (*p == '"' || *p == '\\')
        strbuf_appendf (&out, "\\%c", *p);
      else if (*p < 0x20 || *p >= 0x7f)
        strbuf_appendf (&out, "\\u%04x", *p);
      else
        strbuf_append_mem (&out, p, 1);
    }
  raw ("\"");
}

/* ",KEY:" or "KEY:" */
static void
key (const char *k, bool first)
{
  if (!first)
    raw (",");
  str (k);
  raw (":");
}

static void
m_str (json_object *parent, const struct json_path *at, const char *k, bool first)
{
  const char *s = NULL;
  check (field_string (parent, at, k, FIELD_OPTIONAL, NULL, &s, &err));
  key (k, first);
  str (s);
}

static void
m_bool (json_object *parent, const struct json_path *at, const char *k, bool first)
{
  bool b = false;
  check (field_bool (parent, at, k, FIELD_OPTIONAL, NULL, &b, &err));
  key (k, first);
  raw (b ? "true" : "false");
}

static void
m_i64 (json_object *parent, const struct json_path *at, const char *k, bool optional, bool first)
{
  int64_t v = 0;
  enum field_state st;
  check (field_int64 (parent, at, k, FIELD_OPTIONAL, &st, &v, &err));
  key (k, first);
  if (optional && st != FIELD_PRESENT)
    raw ("null");
  else
    strbuf_appendf (&out, "%lld", (long long)v);
}

static void
m_uint (json_object *parent, const struct json_path *at, const char *k, uint64_t max, bool first)
{
  uint64_t v = 0;
  enum field_state st;
  check (field_uint64 (parent, at, k, max, FIELD_OPTIONAL, &st, &v, &err));
  key (k, first);
  if (st != FIELD_PRESENT)
    raw ("null");
  else
    strbuf_appendf (&out, "%llu", (unsigned long long)v);
}

static void
m_strs (json_object *parent, const struct json_path *at, const char *k, bool first)
{
  json_object *a = NULL;
  size_t n = 0;
  check (field_string_array (parent, at, k, NULL, FIELD_OPTIONAL, &a, &n, &err));
  key (k, first);
  raw ("[");
  for (size_t i = 0; i < n; i++)
    {
      raw (i ? "," : "");
      str (json_object_get_string (json_object_array_get_idx (a, i)));
    }
  raw ("]");
}

static json_object *
m_obj (json_object *parent, const struct json_path *at, const char *k, bool first)
{
  json_object *o = NULL;
  check (field_object (parent, at, k, FIELD_OPTIONAL, NULL, &o, &err));
  key (k, first);
  if (o == NULL)
    raw ("null");
  return o;
}

/* A map of strings, keys sorted as Go's sort.Strings sorts them (bytes). */
static int
cmp_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *)a, *(const char *const *)b);
}

static void
m_map (json_object *parent, const struct json_path *at, const char *k, bool first)
{
  json_object *o = NULL;
  check (field_object (parent, at, k, FIELD_OPTIONAL, NULL, &o, &err));
  key (k, first);
  size_t n = o ? (size_t)json_object_object_length (o) : 0, i = 0;
  const char **keys = xzalloc ((n + 1) * sizeof *keys);
  if (o)
    {
      json_object_object_foreach (o, mk, mv)
        {
          (void)mv;
          keys[i++] = mk;
        }
    }
  qsort (keys, n, sizeof *keys, cmp_keys);
  raw ("{");
  for (i = 0; i < n; i++)
    m_str (o, FIELD_KEY (at, k), keys[i], i == 0);
  raw ("}");
  free (keys);
}

/* Each item of the array parent.k, an object (null: one with no members,
 * as Go reads it), printed by `item`. */
static void
m_objects (json_object *parent, const struct json_path *at, const char *k, bool first,
           void (*item) (json_object *, const struct json_path *))
{
  json_object *a = NULL;
  size_t n = 0;
  check (field_array (parent, at, k, NULL, FIELD_OPTIONAL, &a, &n, &err));
  key (k, first);
  raw ("[");
  const struct json_path *list_at = FIELD_KEY (at, k);
  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_array_get_idx (a, i);
      if (o != NULL)
        check (field_item_object (a, list_at, i, &o, &err));
      raw (i ? ",{" : "{");
      item (o, FIELD_INDEX (list_at, i));
      raw ("}");
    }
  raw ("]");
}

/* An rlimit as the rule reads it: a number from 0 up, json-c's
 * UINT64_MAX for anything larger (which Go refuses). */
static void
rlimit_value (json_object *r, const struct json_path *at, const char *k)
{
  json_object *v = NULL;
  check (field_get (r, at, k, json_type_int, FIELD_OPTIONAL, NULL, &v, &err));
  key (k, false);
  strbuf_appendf (&out, "%llu", v ? (unsigned long long)json_object_get_uint64 (v) : 0ULL);
}

static void
rlimit_item (json_object *r, const struct json_path *at)
{
  m_str (r, at, "type", true);
  rlimit_value (r, at, "hard");
  rlimit_value (r, at, "soft");
}

static void
mount_item (json_object *m, const struct json_path *at)
{
  m_str (m, at, "destination", true);
  m_str (m, at, "type", false);
  m_str (m, at, "source", false);
  m_strs (m, at, "options", false);
}

static void
hook_item (json_object *h, const struct json_path *at)
{
  m_str (h, at, "path", true);
  m_strs (h, at, "args", false);
  m_strs (h, at, "env", false);
  m_i64 (h, at, "timeout", true, false);
}

static void
namespace_item (json_object *ns, const struct json_path *at)
{
  m_str (ns, at, "type", true);
  m_str (ns, at, "path", false);
}

static void
syscall_item (json_object *s, const struct json_path *at)
{
  m_strs (s, at, "names", true);
  m_str (s, at, "action", false);
}

static void
device_item (json_object *d, const struct json_path *at)
{
  m_str (d, at, "path", true);
  m_str (d, at, "type", false);
  m_i64 (d, at, "major", false, false);
  m_i64 (d, at, "minor", false, false);
  m_uint (d, at, "fileMode", UINT32_MAX, false);
  m_uint (d, at, "uid", UINT32_MAX, false);
  m_uint (d, at, "gid", UINT32_MAX, false);
}

static void
device_rule_item (json_object *d, const struct json_path *at)
{
  m_bool (d, at, "allow", true);
  m_str (d, at, "type", false);
  m_i64 (d, at, "major", true, false);
  m_i64 (d, at, "minor", true, false);
  m_str (d, at, "access", false);
}

static void
mappings (const char *k, const struct id_mapping *m, size_t n)
{
  key (k, false);
  raw ("[");
  for (size_t i = 0; i < n; i++)
    strbuf_appendf (&out, "%s{\"containerID\":%u,\"hostID\":%u,\"size\":%u}", i ? "," : "", m[i].container_id,
                    m[i].host_id, m[i].size);
  raw ("]");
}

static void
view (const struct oci_config *cfg)
{
  static const struct json_path process_at = { .key = "process" }, linux_at = { .key = "linux" };
  json_object *root = cfg->root, *process = json_get (root, "process");
  strbuf_appendf (&out, "{\"uid\":%u,\"gid\":%u,\"additionalGids\":[", cfg->uid, cfg->gid);
  for (size_t i = 0; i < cfg->n_additional_gids; i++)
    strbuf_appendf (&out, "%s%u", i ? "," : "", cfg->additional_gids[i]);
  raw ("]");
  json_object *caps = m_obj (process, &process_at, "capabilities", false);
  if (caps)
    {
      const struct json_path *caps_at = FIELD_KEY (&process_at, "capabilities");
      raw ("{");
      m_strs (caps, caps_at, "bounding", true);
      m_strs (caps, caps_at, "effective", false);
      m_strs (caps, caps_at, "permitted", false);
      m_strs (caps, caps_at, "inheritable", false);
      m_strs (caps, caps_at, "ambient", false);
      raw ("}");
    }
  m_bool (process, &process_at, "noNewPrivileges", false);
  m_str (process, &process_at, "apparmorProfile", false);
  m_str (process, &process_at, "selinuxLabel", false);
  m_str (process, &process_at, "cwd", false);
  m_objects (process, &process_at, "rlimits", false, rlimit_item);
  json_object *r = m_obj (root, NULL, "root", false);
  if (r)
    {
      raw ("{");
      m_bool (r, FIELD_KEY (NULL, "root"), "readonly", true);
      raw ("}");
    }
  m_objects (root, NULL, "mounts", false, mount_item);
  m_map (root, NULL, "annotations", false);
  json_object *hooks = m_obj (root, NULL, "hooks", false);
  if (hooks)
    {
      static const char *const stages[]
          = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };
      raw ("{");
      for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
        m_objects (hooks, FIELD_KEY (NULL, "hooks"), stages[i], i == 0, hook_item);
      raw ("}");
    }
  json_object *lx = m_obj (root, NULL, "linux", false);
  if (lx == NULL)
    {
      raw ("}");
      return;
    }
  raw ("{");
  m_str (lx, &linux_at, "cgroupsPath", true);
  m_objects (lx, &linux_at, "namespaces", false, namespace_item);
  mappings ("uidMappings", cfg->uid_mappings, cfg->n_uid_mappings);
  mappings ("gidMappings", cfg->gid_mappings, cfg->n_gid_mappings);
  json_object *sc = m_obj (lx, &linux_at, "seccomp", false);
  if (sc)
    {
      const struct json_path *sc_at = FIELD_KEY (&linux_at, "seccomp");
      raw ("{");
      m_str (sc, sc_at, "defaultAction", true);
      m_objects (sc, sc_at, "syscalls", false, syscall_item);
      raw ("}");
    }
  m_strs (lx, &linux_at, "maskedPaths", false);
  m_strs (lx, &linux_at, "readonlyPaths", false);
  m_objects (lx, &linux_at, "devices", false, device_item);
  json_object *res = m_obj (lx, &linux_at, "resources", false);
  if (res)
    {
      const struct json_path *res_at = FIELD_KEY (&linux_at, "resources");
      raw ("{");
      m_objects (res, res_at, "devices", true, device_rule_item);
      json_object *mem = m_obj (res, res_at, "memory", false);
      if (mem)
        {
          const struct json_path *mem_at = FIELD_KEY (res_at, "memory");
          raw ("{");
          m_i64 (mem, mem_at, "limit", true, true);
          m_i64 (mem, mem_at, "reservation", true, false);
          m_i64 (mem, mem_at, "swap", true, false);
          raw ("}");
        }
      json_object *pids = m_obj (res, res_at, "pids", false);
      if (pids)
        {
          raw ("{");
          m_i64 (pids, FIELD_KEY (res_at, "pids"), "limit", false, true);
          raw ("}");
        }
      json_object *cpu = m_obj (res, res_at, "cpu", false);
      if (cpu)
        {
          const struct json_path *cpu_at = FIELD_KEY (res_at, "cpu");
          raw ("{");
          m_uint (cpu, cpu_at, "shares", UINT64_MAX, true);
          m_i64 (cpu, cpu_at, "quota", true, false);
          m_uint (cpu, cpu_at, "period", UINT64_MAX, false);
          m_str (cpu, cpu_at, "cpus", false);
          m_str (cpu, cpu_at, "mems", false);
          raw ("}");
        }
      raw ("}");
    }
  m_map (lx, &linux_at, "sysctl", false);
  raw ("}}");
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      fprintf (stderr, "usage: ocigate_view POLICY CONFIG\n");
      return 1;
    }
  cleanup_policy struct policy *policy = NULL;
  if (policy_load_file (argv[1], &policy, &err) < 0)
    {
      fprintf (stderr, "ocigate_view: %s\n", err->msg);
      return 1;
    }
  cleanup_free char *buf = NULL;
  size_t len = 0;
  cleanup_oci_config struct oci_config *cfg = NULL;
  cleanup_host_info struct host_info host = { 0 };
  host_info_init (&host);
  cleanup_verdict struct verdict v = { 0 };
  if (read_file_limited (argv[2], OCIGATE_MAX_CONFIG_BYTES, &buf, &len, &err) < 0
      || oci_config_load_buffer (buf, len, argv[2], &cfg, &err) < 0)
    {
      fprintf (stderr, "ocigate refuses: %s\n", err->msg);
      return 2;
    }
  struct rule_context ctx = { .config = cfg, .host = &host };
  if (ocigate_evaluate (policy, &ctx, &v, &err) < 0)
    {
      fprintf (stderr, "ocigate refuses: %s\n", err->msg);
      return 2;
    }
  view (cfg);
  printf ("%s\n", out.buf);
  strbuf_release (&out);
  return 0;
}
