/* seccomp: reading linux.seccomp into a struct sc_profile, every type
 * checked (core/field.h) and every count held to its limit
 * (seccomp_internal.h); a profile past a limit is not judged.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "rules/seccomp/seccomp_internal.h"

void
sc_profile_release (struct sc_profile *p)
{
  free (p->entries);
}

void
sc_too_large_release (struct sc_too_large *big)
{
  free (big->pointer);
  free (big->what);
}

static enum profile_parsed
too_large (struct sc_too_large *big, size_t n, size_t limit, const struct json_path *at, const char *key)
{
  const struct json_path list_at = { .up = at, .key = key };
  cleanup_free char *field = field_name (at, key);
  big->pointer = json_path_pointer (&list_at);
  big->what = xasprintf ("%s has %zu entries, more than the limit of %zu", field, n, limit);
  return PROFILE_TOO_LARGE;
}

static enum profile_parsed
parse_args (json_object *entry, const struct json_path *entry_at, struct sc_entry *e, struct sc_too_large *big,
            ocigate_error_t *err)
{
  const struct json_path args_at = { .up = entry_at, .key = "args" };
  json_object *args = NULL;
  size_t n = 0;
  if (field_array (entry, entry_at, "args", SC_UNCOUNTED, FIELD_OPTIONAL, &args, &n, err) < 0)
    return PROFILE_FAILED;
  if (n > SECCOMP_MAX_ARGS)
    return too_large (big, n, SECCOMP_MAX_ARGS, entry_at, "args");
  for (size_t k = 0; k < n; k++)
    {
      const struct json_path arg_at = { .up = &args_at, .index = k };
      struct sc_arg *arg = &e->args[k];
      json_object *a = NULL;
      /* Absent or null, a number is 0, as Go reads it. */
      if (field_item_object (args, &args_at, k, &a, err) < 0
          || field_uint64 (a, &arg_at, "index", UINT32_MAX, FIELD_OPTIONAL, NULL, &arg->index, err) < 0
          || field_uint64 (a, &arg_at, "value", UINT64_MAX, FIELD_OPTIONAL, NULL, &arg->value, err) < 0
          || field_uint64 (a, &arg_at, "valueTwo", UINT64_MAX, FIELD_OPTIONAL, NULL, &arg->value_two, err) < 0
          || field_string (a, &arg_at, "op", FIELD_OPTIONAL, NULL, &arg->op, err) < 0)
        return PROFILE_FAILED;
      if (arg->op)
        arg->cmp = sc_operator_find (arg->op);
    }
  e->n_args = n;
  return PROFILE_PARSED;
}

bool
sc_args_repeat_index (const struct sc_entry *e)
{
  uint64_t seen = 0;
  for (size_t k = 0; k < e->n_args; k++)
    {
      uint64_t bit = e->args[k].index < 64 ? (uint64_t)1 << e->args[k].index : 0;
      if (seen & bit)
        return true;
      seen |= bit;
    }
  return false;
}

static const struct json_path linux_at = { .key = "linux" };
static const struct json_path seccomp_at = { .up = &linux_at, .key = "seccomp" };
static const struct json_path syscalls_at = { .up = &seccomp_at, .key = "syscalls" };

static enum profile_parsed
parse_entry (json_object *syscalls, size_t i, struct sc_entry *e, struct sc_too_large *big, ocigate_error_t *err)
{
  const struct json_path entry_at = { .up = &syscalls_at, .index = i };
  json_object *entry = NULL;
  enum field_state errno_ret = FIELD_ABSENT;
  e->act = -1;
  if (field_item_object (syscalls, &syscalls_at, i, &entry, err) < 0
      || field_string_array (entry, &entry_at, "names", SC_UNCOUNTED, FIELD_OPTIONAL, &e->names, &e->n_names, err) < 0)
    return PROFILE_FAILED;
  if (e->n_names > SECCOMP_MAX_NAMES)
    return too_large (big, e->n_names, SECCOMP_MAX_NAMES, &entry_at, "names");
  if (field_string (entry, &entry_at, "action", FIELD_OPTIONAL, NULL, &e->action, err) < 0
      || field_uint32 (entry, &entry_at, "errnoRet", FIELD_OPTIONAL, &errno_ret, &e->errno_ret, err) < 0)
    return PROFILE_FAILED;
  if (e->action)
    e->act = sc_action_find (e->action);
  e->has_errno = errno_ret == FIELD_PRESENT;
  return parse_args (entry, &entry_at, e, big, err);
}

enum profile_parsed
sc_profile_parse (json_object *sc, struct sc_profile *p, struct sc_too_large *big, ocigate_error_t *err)
{
  memset (p, 0, sizeof *p);
  p->default_act = -1;
  enum field_state default_errno = FIELD_ABSENT;
  const char *ignored = NULL;
  if (field_want (sc, &seccomp_at, json_type_object, err) < 0
      || field_string (sc, &seccomp_at, "defaultAction", FIELD_OPTIONAL, NULL, &p->default_action, err) < 0
      || field_uint32 (sc, &seccomp_at, "defaultErrnoRet", FIELD_OPTIONAL, &default_errno, &p->default_errno, err) < 0
      || field_string (sc, &seccomp_at, "listenerPath", FIELD_OPTIONAL, NULL, &ignored, err) < 0
      || field_string (sc, &seccomp_at, "listenerMetadata", FIELD_OPTIONAL, NULL, &ignored, err) < 0)
    return PROFILE_FAILED;
  if (p->default_action)
    p->default_act = sc_action_find (p->default_action);
  p->has_default_errno = default_errno == FIELD_PRESENT;

  if (field_string_array (sc, &seccomp_at, "architectures", SC_UNCOUNTED, FIELD_OPTIONAL, &p->archs, &p->n_archs, err)
      < 0)
    return PROFILE_FAILED;
  if (p->n_archs > SECCOMP_MAX_ARCHES)
    return too_large (big, p->n_archs, SECCOMP_MAX_ARCHES, &seccomp_at, "architectures");
  for (size_t i = 0; i < p->n_archs; i++)
    p->arch_tokens[i] = sc_arch_resolve (json_object_get_string (json_object_array_get_idx (p->archs, i)));

  if (field_string_array (sc, &seccomp_at, "flags", SC_UNCOUNTED, FIELD_OPTIONAL, &p->flags, &p->n_flags, err) < 0)
    return PROFILE_FAILED;
  if (p->n_flags > SECCOMP_MAX_FLAGS)
    return too_large (big, p->n_flags, SECCOMP_MAX_FLAGS, &seccomp_at, "flags");

  json_object *syscalls = NULL;
  size_t n = 0;
  if (field_array (sc, &seccomp_at, "syscalls", SC_UNCOUNTED, FIELD_OPTIONAL, &syscalls, &n, err) < 0)
    return PROFILE_FAILED;
  if (syscalls == NULL)
    return PROFILE_PARSED;
  if (n > SECCOMP_MAX_SYSCALLS)
    return too_large (big, n, SECCOMP_MAX_SYSCALLS, &seccomp_at, "syscalls");
  p->entries = xreallocarray (NULL, n ? n : 1, sizeof *p->entries);
  memset (p->entries, 0, (n ? n : 1) * sizeof *p->entries);
  p->n_entries = n;
  size_t total_rules = 0;
  for (size_t i = 0; i < n; i++)
    {
      struct sc_entry *e = &p->entries[i];
      enum profile_parsed r = parse_entry (syscalls, i, e, big, err);
      if (r != PROFILE_PARSED)
        return r;
      total_rules += e->n_names * (sc_args_repeat_index (e) ? e->n_args : 1);
      if (total_rules > SECCOMP_MAX_RULES)
        {
          big->pointer = xstrdup ("/linux/seccomp/syscalls");
          big->what = xasprintf ("linux.seccomp.syscalls makes more than %d libseccomp rules, one per name or per "
                                 "condition on a repeated argument (%zu by syscalls[%zu])",
                                 SECCOMP_MAX_RULES, total_rules, i);
          return PROFILE_TOO_LARGE;
        }
    }
  return PROFILE_PARSED;
}

uint32_t
sc_default_value (const struct sc_profile *p)
{
  return sc_action_value (p->default_act, p->has_default_errno, p->default_errno);
}

uint32_t
sc_entry_value (const struct sc_entry *e)
{
  return sc_action_value (e->act, e->has_errno, e->errno_ret);
}
