/* ocigate: what rules share to read their policy options.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <string.h>

#include "base/jsonio.h"
#include "core/rule.h"

int
policy_where_error (const struct policy_where *where, const char *key, long index, ocigate_error_t *err,
                    const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  cleanup_free char *id = json_pointer_escape (where->rule_id);
  cleanup_strbuf struct strbuf pointer = { 0 };
  cleanup_strbuf struct strbuf field = { 0 };
  strbuf_appendf (&pointer, "/rules/%s", id);
  strbuf_appendf (&field, "rules.%s", where->rule_id);
  if (key)
    {
      cleanup_free char *k = json_pointer_escape (key);
      strbuf_appendf (&pointer, "/%s", k);
      strbuf_appendf (&field, ".%s", key);
    }
  if (index >= 0)
    {
      strbuf_appendf (&pointer, "/%ld", index);
      strbuf_appendf (&field, "[%ld]", index);
    }
  unsigned line = where->text ? json_pointer_line (where->text, where->text_len, pointer.buf) : 0;
  if (line == 0 && where->text)
    line = json_pointer_line (where->text, where->text_len, "/rules"); /* a default option: point at the rules */
  if (line)
    ocigate_error_make (err, 0, OCIGATE_ERR_POLICY, "%s:%u: %s: %s", where->file, line, field.buf, msg);
  else
    ocigate_error_make (err, 0, OCIGATE_ERR_POLICY, "%s: %s: %s", where->file, field.buf, msg);
  return -1;
}

int
rule_options_check_keys (json_object *opts, const struct policy_where *where, const char *const *allowed,
                         ocigate_error_t *err)
{
  json_object_object_foreach (opts, key, val)
    {
      (void)val;
      bool ok = false;
      for (const char *const *a = allowed; *a; a++)
        ok = ok || strcmp (*a, key) == 0;
      if (!ok)
        {
          cleanup_strbuf struct strbuf known = { 0 };
          for (const char *const *a = allowed; *a; a++)
            strbuf_appendf (&known, "%s%s", known.len ? ", " : "", *a);
          policy_where_error (where, key, -1, err, "unknown option (this rule takes: action%s%s)",
                              known.len ? ", " : "", known.len ? known.buf : "");
          return -1;
        }
    }
  return 0;
}

int
rule_option_enum (json_object *opts, const char *key, const struct policy_where *where, const char *const *values,
                  int *out, ocigate_error_t *err)
{
  json_object *v = json_get (opts, key);
  if (v == NULL || !json_object_is_type (v, json_type_string))
    return policy_where_error (where, key, -1, err, "must be a string");
  for (int i = 0; values[i]; i++)
    if (strcmp (values[i], json_object_get_string (v)) == 0)
      {
        *out = i;
        return 0;
      }
  cleanup_strbuf struct strbuf known = { 0 };
  for (int i = 0; values[i]; i++)
    strbuf_appendf (&known, "%s\"%s\"", i ? ", " : "", values[i]);
  policy_where_error (where, key, -1, err, "\"%s\" is not one of %s", json_object_get_string (v), known.buf);
  return -1;
}

int
rule_option_caps (json_object *opts, const char *key, const struct policy_where *where, capmask_t *out,
                  ocigate_error_t *err)
{
  json_object *v = json_get (opts, key);
  if (v == NULL || !json_object_is_type (v, json_type_array))
    return policy_where_error (where, key, -1, err, "must be an array of capability names");
  capmask_t m = 0;
  size_t n = json_object_array_length (v);
  for (size_t i = 0; i < n; i++)
    {
      json_object *name = json_object_array_get_idx (v, i);
      if (!json_object_is_type (name, json_type_string))
        return policy_where_error (where, key, (long)i, err, "must be a capability name (string)");
      int c = cap_parse_name (json_object_get_string (name));
      if (c < 0)
        return policy_where_error (where, key, (long)i, err,
                                   "unknown capability \"%s\" (names are CAP_ and the upper-case name, as "
                                   "CAP_NET_BIND_SERVICE)",
                                   json_object_get_string (name));
      m |= CAPMASK (c);
    }
  *out = m;
  return 0;
}

int
rule_option_uint (json_object *opts, const char *key, const struct policy_where *where, uint64_t min, uint64_t max,
                  uint64_t *out, ocigate_error_t *err)
{
  json_object *v = json_get (opts, key);
  if (v == NULL || !json_object_is_type (v, json_type_int) || json_object_get_int64 (v) < 0
      || (uint64_t)json_object_get_int64 (v) < min || (uint64_t)json_object_get_int64 (v) > max)
    return policy_where_error (where, key, -1, err, "must be an integer from %llu to %llu", (unsigned long long)min,
                               (unsigned long long)max);
  *out = (uint64_t)json_object_get_int64 (v);
  return 0;
}

int
rule_option_bool (json_object *opts, const char *key, const struct policy_where *where, bool *out, ocigate_error_t *err)
{
  json_object *v = json_get (opts, key);
  if (v == NULL || !json_object_is_type (v, json_type_boolean))
    return policy_where_error (where, key, -1, err, "must be true or false");
  *out = json_object_get_boolean (v);
  return 0;
}

const char *
json_type_label (json_object *o)
{
  return json_type_to_name (json_object_get_type (o));
}
