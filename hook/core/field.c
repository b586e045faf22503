/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "core/field.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

/* The function itself, not field.h's model of it for the analyzer. */
#undef field_error

/* ---- messages: only an error makes them ---- */

static void
append_key (struct strbuf *sb, const char *key)
{
  cleanup_free char *k = text_excerpt (key);
  if (sb->len)
    strbuf_append (sb, ".");
  strbuf_append (sb, k);
}

static void
// NOLINTNEXTLINE(misc-no-recursion): as deep as the document, which jsonio.c bounds
append_path (struct strbuf *sb, const struct json_path *at)
{
  if (at == NULL)
    return;
  append_path (sb, at->up);
  if (at->key)
    append_key (sb, at->key);
  else
    strbuf_appendf (sb, "[%zu]", at->index);
}

char *
field_name (const struct json_path *at, const char *key)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  append_path (&sb, at);
  if (key)
    append_key (&sb, key);
  if (sb.len == 0)
    strbuf_append (&sb, "config");
  return strbuf_steal (&sb);
}

/* Where the UTF-8 character holding s[i] starts. */
static size_t
char_start (const char *s, size_t i)
{
  while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
    i--;
  return i;
}

/* len bytes of s (NULs included) as a JSON string, cut after
 * FIELD_TEXT_MAX bytes; printable_line() escapes what JSON does not. */
static void
append_text (struct strbuf *sb, const char *s, size_t len)
{
  size_t shown = len > FIELD_TEXT_MAX ? char_start (s, FIELD_TEXT_MAX) : len;
  strbuf_append_mem (sb, "\"", 1);
  for (size_t i = 0; i < shown; i++)
    {
      unsigned char c = (unsigned char)s[i];
      if (c == '"' || c == '\\')
        strbuf_appendf (sb, "\\%c", c);
      else if (c == '\n')
        strbuf_append (sb, "\\n");
      else if (c == '\t')
        strbuf_append (sb, "\\t");
      else if (c < 0x20)
        strbuf_appendf (sb, "\\u%04x", c);
      else
        strbuf_append_mem (sb, s + i, 1);
    }
  strbuf_append_mem (sb, "\"", 1);
  if (shown < len)
    strbuf_append (sb, "...");
}

/* A value inside a message: strings quoted, numbers as written (both
 * cut), arrays and objects as [...] and {...}. */
static void
append_scalar (struct strbuf *sb, json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_string:
      append_text (sb, json_object_get_string (v), (size_t)json_object_get_string_len (v));
      return;
    case json_type_array:
      strbuf_append (sb, json_object_array_length (v) ? "[...]" : "[]");
      return;
    case json_type_object:
      strbuf_append (sb, json_object_object_length (v) ? "{...}" : "{}");
      return;
    case json_type_null:
    case json_type_boolean:
    case json_type_int:
    case json_type_double:
      break;
    }
  /* A double keeps the text it was read from, which may be long. */
  const char *text = json_object_to_json_string_ext (v, JSON_C_TO_STRING_PLAIN);
  size_t len = strlen (text);
  strbuf_append_mem (sb, text, len > FIELD_TEXT_MAX ? FIELD_TEXT_MAX : len);
  if (len > FIELD_TEXT_MAX)
    strbuf_append (sb, "...");
}

/* An array or object, one level deep, cut after about FIELD_VALUE_MAX. */
static void
append_container (struct strbuf *sb, json_object *v)
{
  bool array = json_object_is_type (v, json_type_array);
  size_t start = sb->len;
  bool first = true, cut = false;
  strbuf_append (sb, array ? "[" : "{");
  if (array)
    {
      size_t n = json_object_array_length (v);
      for (size_t i = 0; i < n && !cut; i++)
        {
          cut = sb->len - start > FIELD_VALUE_MAX;
          if (cut)
            break;
          strbuf_append (sb, first ? "" : ",");
          first = false;
          append_scalar (sb, json_object_array_get_idx (v, i));
        }
    }
  else
    {
      json_object_object_foreach (v, key, val)
        {
          cut = sb->len - start > FIELD_VALUE_MAX;
          if (cut)
            break;
          strbuf_append (sb, first ? "" : ",");
          first = false;
          append_text (sb, key, strlen (key));
          strbuf_append (sb, ":");
          append_scalar (sb, val);
        }
    }
  if (cut)
    strbuf_append (sb, ",...");
  strbuf_append (sb, array ? "]" : "}");
}

char *
field_value_text (json_object *value)
{
  json_type t = json_object_get_type (value);
  if (t == json_type_null)
    return xstrdup ("null");
  cleanup_strbuf struct strbuf sb = { 0 };
  strbuf_appendf (&sb, "%s ", json_type_to_name (t));
  if (t == json_type_array || t == json_type_object)
    append_container (&sb, value);
  else
    append_scalar (&sb, value);
  return strbuf_steal (&sb);
}

int
field_error (const struct json_path *at, const char *key, ocigate_error_t *err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  cleanup_free char *name = field_name (at, key);
  return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: %s", name, msg);
}

/* "must be WANT, not TYPE VALUE" */
static int
type_error (json_object *value, const struct json_path *at, const char *key, const char *want, ocigate_error_t *err)
{
  cleanup_free char *text = field_value_text (value);
  return field_error (at, key, err, "must be %s, not %s", want, text);
}

static const char *
type_phrase (json_type t)
{
  switch (t)
    {
    case json_type_null:
      return "null";
    case json_type_boolean:
      return "a boolean";
    case json_type_double:
      return "a number";
    case json_type_int:
      return "an integer";
    case json_type_object:
      return "an object";
    case json_type_array:
      return "an array";
    case json_type_string:
      return "a string";
    }
  return "a value";
}

/* ---- reading ---- */

static enum field_state
member (json_object *parent, const char *key, json_object **out)
{
  *out = NULL;
  if (parent == NULL || !json_object_is_type (parent, json_type_object)
      || !json_object_object_get_ex (parent, key, out))
    return FIELD_ABSENT;
  return *out == NULL ? FIELD_NULL : FIELD_PRESENT; /* json-c's null is NULL */
}

/* parent.key of the type, or an error saying "must be WANT". */
static int
get_typed (json_object *parent, const struct json_path *at, const char *key, json_type type, const char *want,
           unsigned flags, enum field_state *state, json_object **out, ocigate_error_t *err)
{
  json_object *v = NULL;
  enum field_state st = member (parent, key, &v);
  *out = NULL;
  if (state)
    *state = st;
  if (st == FIELD_NULL && (flags & FIELD_NOT_NULL))
    return type_error (NULL, at, key, want, err);
  if (st != FIELD_PRESENT)
    return (flags & FIELD_REQUIRED) ? field_error (at, key, err, "missing") : 0;
  if (!json_object_is_type (v, type))
    return type_error (v, at, key, want, err);
  *out = v;
  return 0;
}

int
field_get (json_object *parent, const struct json_path *at, const char *key, json_type type, unsigned flags,
           enum field_state *state, json_object **out, ocigate_error_t *err)
{
  return get_typed (parent, at, key, type, type_phrase (type), flags, state, out, err);
}

int
field_bool (json_object *parent, const struct json_path *at, const char *key, unsigned flags, enum field_state *state,
            bool *out, ocigate_error_t *err)
{
  json_object *v = NULL;
  *out = false;
  if (field_get (parent, at, key, json_type_boolean, flags, state, &v, err) < 0)
    return -1;
  *out = v && json_object_get_boolean (v);
  return 0;
}

int
field_string (json_object *parent, const struct json_path *at, const char *key, unsigned flags, enum field_state *state,
              const char **out, ocigate_error_t *err)
{
  json_object *v = NULL;
  *out = NULL;
  if (field_get (parent, at, key, json_type_string, flags, state, &v, err) < 0)
    return -1;
  *out = v ? json_object_get_string (v) : NULL;
  return 0;
}

int
field_object (json_object *parent, const struct json_path *at, const char *key, unsigned flags, enum field_state *state,
              json_object **out, ocigate_error_t *err)
{
  return field_get (parent, at, key, json_type_object, flags, state, out, err);
}

static int
get_list (json_object *parent, const struct json_path *at, const char *key, const struct field_count *count,
          const char *want, unsigned flags, json_object **out, size_t *n, ocigate_error_t *err)
{
  *n = 0;
  if (get_typed (parent, at, key, json_type_array, want, flags, NULL, out, err) < 0)
    return -1;
  if (*out == NULL)
    return 0;
  size_t max = count ? count->max : OCIGATE_MAX_LIST;
  size_t len = json_object_array_length (*out);
  if (len > max)
    {
      *out = NULL;
      return field_error (at, key, err, "%zu %s, more than %s of %zu", len,
                          count && count->noun ? count->noun : "entries",
                          count && count->limit ? count->limit : "the limit", max);
    }
  *n = len;
  return 0;
}

int
field_array (json_object *parent, const struct json_path *at, const char *key, const struct field_count *count,
             unsigned flags, json_object **out, size_t *n, ocigate_error_t *err)
{
  return get_list (parent, at, key, count, "an array", flags, out, n, err);
}

/* Item i of the array at `at`, which must be a string; `of_strings`: the
 * array is one of strings, and the message says so. */
static int
string_item (json_object *array, const struct json_path *at, size_t i, bool of_strings, const char **out,
             ocigate_error_t *err)
{
  json_object *item = json_object_array_get_idx (array, i);
  const struct json_path *here = FIELD_INDEX (at, i);
  *out = NULL;
  if (!json_object_is_type (item, json_type_string))
    {
      if (!of_strings)
        return type_error (item, here, NULL, "a string", err);
      cleanup_free char *text = field_value_text (item);
      cleanup_free char *list = field_name (at, NULL);
      return field_error (here, NULL, err, "must be a string, not %s (%s must be an array of strings)", text, list);
    }
  *out = json_object_get_string (item);
  return 0;
}

int
field_string_array (json_object *parent, const struct json_path *at, const char *key, const struct field_count *count,
                    unsigned flags, json_object **out, size_t *n, ocigate_error_t *err)
{
  if (get_list (parent, at, key, count, "an array of strings", flags, out, n, err) < 0)
    return -1;
  const struct json_path list_at = { .up = at, .key = key };
  for (size_t i = 0; i < *n; i++)
    {
      const char *s;
      if (string_item (*out, &list_at, i, true, &s, err) < 0)
        {
          *out = NULL;
          *n = 0;
          return -1;
        }
    }
  return 0;
}

/* json-c keeps an integer above INT64_MAX as a uint64, and clamps one that
 * does not fit 64 bits: to INT64_MIN below, to UINT64_MAX above. */
static bool
beyond_64_bits (json_object *v)
{
  int64_t i = json_object_get_int64 (v);
  return i == INT64_MIN || (i == INT64_MAX && json_object_get_uint64 (v) == UINT64_MAX);
}

static bool
above_int64 (json_object *v)
{
  return json_object_get_int64 (v) == INT64_MAX && json_object_get_uint64 (v) > (uint64_t)INT64_MAX;
}

int
field_int64 (json_object *parent, const struct json_path *at, const char *key, unsigned flags, enum field_state *state,
             int64_t *out, ocigate_error_t *err)
{
  json_object *v = NULL;
  *out = 0;
  if (field_get (parent, at, key, json_type_int, flags, state, &v, err) < 0)
    return -1;
  if (v == NULL)
    return 0;
  if (beyond_64_bits (v) || above_int64 (v))
    return field_error (at, key, err, "%s is out of range for a 64-bit integer", json_object_to_json_string (v));
  *out = json_object_get_int64 (v);
  return 0;
}

/* An integer value (of json_type_int) from 0 to max.  The value's text is
 * made only for an error: json-c allocates it, and keeps it in the object. */
static int
uint_value (json_object *v, const struct json_path *at, const char *key, uint64_t max, uint64_t *out,
            ocigate_error_t *err)
{
  bool full = max == UINT64_MAX;
  if (beyond_64_bits (v))
    return full ? field_error (at, key, err, "%s is out of range for a 64-bit integer", json_object_to_json_string (v))
                : field_error (at, key, err, "a number beyond 64 bits is out of range (0 to %llu)",
                               (unsigned long long)max);
  if (json_object_get_int64 (v) < 0)
    return full ? field_error (at, key, err, "%s is negative (an unsigned integer)", json_object_to_json_string (v))
                : field_error (at, key, err, "%s is out of range (0 to %llu)", json_object_to_json_string (v),
                               (unsigned long long)max);
  uint64_t u = json_object_get_uint64 (v);
  if (u > max)
    return field_error (at, key, err, "%s is out of range (0 to %llu)", json_object_to_json_string (v),
                        (unsigned long long)max);
  *out = u;
  return 0;
}

/* "an integer", or "an integer from 0 to MAX" for a narrower range. */
static const char *
uint_phrase (uint64_t max, char *buf, size_t size)
{
  if (max == UINT64_MAX)
    return "an integer";
  (void)snprintf (buf, size, "an integer from 0 to %llu", (unsigned long long)max); /* size holds it */
  return buf;
}

int
field_uint64 (json_object *parent, const struct json_path *at, const char *key, uint64_t max, unsigned flags,
              enum field_state *state, uint64_t *out, ocigate_error_t *err)
{
  json_object *v = NULL;
  char phrase[48];
  *out = 0;
  if (get_typed (parent, at, key, json_type_int, uint_phrase (max, phrase, sizeof phrase), flags, state, &v, err) < 0)
    return -1;
  return v ? uint_value (v, at, key, max, out, err) : 0;
}

int
field_uint32 (json_object *parent, const struct json_path *at, const char *key, unsigned flags, enum field_state *state,
              uint32_t *out, ocigate_error_t *err)
{
  uint64_t v = 0;
  if (field_uint64 (parent, at, key, UINT32_MAX, flags, state, &v, err) < 0)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

int
field_item_object (json_object *array, const struct json_path *at, size_t i, json_object **out, ocigate_error_t *err)
{
  json_object *item = json_object_array_get_idx (array, i);
  *out = NULL;
  if (!json_object_is_type (item, json_type_object))
    return type_error (item, FIELD_INDEX (at, i), NULL, "an object", err);
  *out = item;
  return 0;
}

int
field_item_string (json_object *array, const struct json_path *at, size_t i, const char **out, ocigate_error_t *err)
{
  return string_item (array, at, i, false, out, err);
}

int
field_item_uint32 (json_object *array, const struct json_path *at, size_t i, uint32_t *out, ocigate_error_t *err)
{
  json_object *item = json_object_array_get_idx (array, i);
  const struct json_path *here = FIELD_INDEX (at, i);
  char phrase[48];
  uint64_t v = 0;
  if (!json_object_is_type (item, json_type_int))
    return type_error (item, here, NULL, uint_phrase (UINT32_MAX, phrase, sizeof phrase), err);
  if (uint_value (item, here, NULL, UINT32_MAX, &v, err) < 0)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

int
field_want (json_object *value, const struct json_path *at, json_type type, ocigate_error_t *err)
{
  if (json_object_is_type (value, type))
    return 0;
  return type_error (value, at, NULL, type_phrase (type), err);
}
