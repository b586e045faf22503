/* seccomp: the outcome memo.  What the rule found in a profile, kept by
 * everything the findings depend on: the linux.seccomp object as read
 * (every value, in order, so a key order or a number's spelling that
 * differs is another profile), the options and the rule's action.  The
 * inputs of the build (libseccomp, the kernel, the architecture) do not
 * change within a process, and this memo lives in one.  `check` over many
 * configs meets the same few profiles again and again: a replay costs a
 * walk of the profile, not a parse, a build and a judgement, and is
 * exactly what judging would find.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rules/seccomp/seccomp_internal.h"

#define OUTCOME_SLOTS 32

struct outcome
{
  char *profile; /* flat_append() */
  size_t profile_len;
  uint64_t shape; /* profile_shape() */
  char *options;  /* options_key() */
  size_t options_len;
  struct finding *findings;
  size_t n_findings;
};

/* The memo of this process (single-threaded: ocigate judges one config
 * at a time). */
struct outcome_memo
{
  /* Profiles looked up so far.  Findings are kept from the second on:
   * the hook judges one, and keeping it would be work no decision needs. */
  unsigned profiles;
  size_t next; /* the slot the next outcome kept replaces, in turn */
  struct outcome slots[OUTCOME_SLOTS];
};
static struct outcome_memo memo;

static uint64_t
hash_bytes (uint64_t h, const void *data, size_t n)
{
  const unsigned char *p = data;
  for (size_t i = 0; i < n; i++)
    h = (h ^ p[i]) * 0x100000001b3ULL;
  return h;
}

/* A filter before flat_match(): the top-level keys and the size of each
 * value, which tells the profiles of a machine apart without a walk. */
static uint64_t
profile_shape (json_object *sc)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  json_object_object_foreach (sc, key, val)
    {
      h = hash_bytes (h, key, strlen (key) + 1);
      enum json_type t = json_object_get_type (val);
      size_t n = t == json_type_array    ? json_object_array_length (val)
                 : t == json_type_object ? (size_t)json_object_object_length (val)
                 : t == json_type_string ? (size_t)json_object_get_string_len (val)
                                         : 0;
      h = hash_bytes (h, &t, sizeof t);
      h = hash_bytes (h, &n, sizeof n);
    }
  return h;
}

/* The profile as read, flat: every value in order with its type, a
 * number as written, an object's keys in their order.  A memo's profile is
 * kept this way, and a config's is matched against it in one walk. */
static void
flat_append (struct strbuf *sb, json_object *o) // NOLINT(misc-no-recursion): as deep as the JSON, which is bounded
{
  unsigned char t = (unsigned char)json_object_get_type (o);
  strbuf_append_mem (sb, &t, 1);
  switch ((enum json_type)t)
    {
    case json_type_object:
      {
        size_t n = (size_t)json_object_object_length (o);
        strbuf_append_mem (sb, &n, sizeof n);
        json_object_object_foreach (o, key, val)
          {
            strbuf_append_mem (sb, key, strlen (key) + 1);
            flat_append (sb, val);
          }
        return;
      }
    case json_type_array:
      {
        size_t n = json_object_array_length (o);
        strbuf_append_mem (sb, &n, sizeof n);
        for (size_t i = 0; i < n; i++)
          flat_append (sb, json_object_array_get_idx (o, i));
        return;
      }
    case json_type_string:
      {
        size_t n = (size_t)json_object_get_string_len (o);
        strbuf_append_mem (sb, &n, sizeof n);
        strbuf_append_mem (sb, json_object_get_string (o), n);
        return;
      }
    case json_type_int:
      {
        int64_t i = json_object_get_int64 (o);
        uint64_t u = json_object_get_uint64 (o);
        strbuf_append_mem (sb, &i, sizeof i);
        strbuf_append_mem (sb, &u, sizeof u);
        return;
      }
    case json_type_boolean:
      {
        unsigned char b = json_object_get_boolean (o) ? 1 : 0;
        strbuf_append_mem (sb, &b, 1);
        return;
      }
    case json_type_double:
      {
        const char *text = json_object_get_string (o);
        strbuf_append_mem (sb, text, strlen (text) + 1);
        return;
      }
    case json_type_null:
      return;
    }
}

struct flat_cursor
{
  const char *at, *end;
};

static bool
flat_take (struct flat_cursor *c, const void *data, size_t n)
{
  if ((size_t)(c->end - c->at) < n || memcmp (c->at, data, n) != 0)
    return false;
  c->at += n;
  return true;
}

/* Whether o, read from c on, is what flat_append() wrote. */
static bool
flat_match (json_object *o, struct flat_cursor *c) // NOLINT(misc-no-recursion): as deep as the JSON, which is bounded
{
  unsigned char t = (unsigned char)json_object_get_type (o);
  if (!flat_take (c, &t, 1))
    return false;
  switch ((enum json_type)t)
    {
    case json_type_object:
      {
        size_t n = (size_t)json_object_object_length (o);
        if (!flat_take (c, &n, sizeof n))
          return false;
        json_object_object_foreach (o, key, val)
          {
            if (!flat_take (c, key, strlen (key) + 1) || !flat_match (val, c))
              return false;
          }
        return true;
      }
    case json_type_array:
      {
        struct array_list *a = json_object_get_array (o);
        size_t n = a->length;
        if (!flat_take (c, &n, sizeof n))
          return false;
        for (size_t i = 0; i < n; i++)
          if (!flat_match ((json_object *)a->array[i], c))
            return false;
        return true;
      }
    case json_type_string:
      {
        size_t n = (size_t)json_object_get_string_len (o);
        return flat_take (c, &n, sizeof n) && flat_take (c, json_object_get_string (o), n);
      }
    case json_type_int:
      {
        int64_t i = json_object_get_int64 (o);
        uint64_t u = json_object_get_uint64 (o);
        return flat_take (c, &i, sizeof i) && flat_take (c, &u, sizeof u);
      }
    case json_type_boolean:
      {
        unsigned char b = json_object_get_boolean (o) ? 1 : 0;
        return flat_take (c, &b, 1);
      }
    case json_type_double:
      {
        const char *text = json_object_get_string (o);
        return flat_take (c, text, strlen (text) + 1);
      }
    case json_type_null:
      break;
    }
  return true;
}

static char *
options_key (const struct seccomp_options *o, enum action act, const struct judge *j, size_t *len)
{
  struct strbuf sb = { 0 };
  strbuf_appendf (&sb, "%d %d %d %llx %zu", (int)act, o->allow_default_allow, (int)j->engine,
                  (unsigned long long)j->caps, o->n_deny);
  for (size_t d = 0; d < o->n_deny; d++)
    strbuf_append_mem (&sb, o->deny[d], strlen (o->deny[d]) + 1);
  *len = sb.len;
  return strbuf_steal (&sb);
}

void
sc_outcome_key_release (struct sc_outcome_key *key)
{
  free (key->options);
}

static bool
outcome_replay (json_object *profile, uint64_t shape, const char *options, size_t options_len, struct verdict *v)
{
  for (size_t s = 0; s < OUTCOME_SLOTS; s++)
    {
      const struct outcome *oc = &memo.slots[s];
      if (oc->profile == NULL || oc->shape != shape || oc->options_len != options_len
          || memcmp (oc->options, options, options_len) != 0)
        continue;
      struct flat_cursor c = { oc->profile, oc->profile + oc->profile_len };
      if (!flat_match (profile, &c) || c.at != c.end)
        continue;
      for (size_t i = 0; i < oc->n_findings; i++)
        {
          const struct finding *f = &oc->findings[i];
          verdict_add_finding (v, f->rule, f->action, f->path, "%s", f->message);
        }
      return true;
    }
  return false;
}

void
sc_outcome_keep (json_object *profile, struct sc_outcome_key *key, const struct verdict *v, size_t before)
{
  if (!key->on)
    return;
  struct outcome *oc = &memo.slots[memo.next++ % OUTCOME_SLOTS];
  free (oc->profile);
  free (oc->options);
  for (size_t i = 0; i < oc->n_findings; i++)
    {
      free (oc->findings[i].rule);
      free (oc->findings[i].path);
      free (oc->findings[i].message);
    }
  free (oc->findings);
  size_t n = v->n_findings - before;
  struct strbuf flat = { 0 };
  flat_append (&flat, profile);
  size_t flat_len = flat.len;
  *oc = (struct outcome){ strbuf_steal (&flat),
                          flat_len,
                          key->shape,
                          steal_pointer (&key->options),
                          key->options_len,
                          xreallocarray (NULL, n ? n : 1, sizeof (struct finding)),
                          n };
  for (size_t i = 0; i < n; i++)
    {
      const struct finding *f = &v->findings[before + i];
      oc->findings[i] = (struct finding){ xstrdup (f->rule), f->action, xstrdup (f->path), xstrdup (f->message) };
    }
}

bool
sc_outcome_lookup (json_object *profile, const struct seccomp_options *o, enum action act, const struct judge *j,
                   struct sc_outcome_key *key, struct verdict *v)
{
  /* else sc_profile_parse() says what is wrong with it */
  key->on = memo.profiles++ > 0 && json_object_is_type (profile, json_type_object);
  if (!key->on)
    return false;
  key->shape = profile_shape (profile);
  key->options = options_key (o, act, j, &key->options_len);
  return outcome_replay (profile, key->shape, key->options, key->options_len, v);
}
