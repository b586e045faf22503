/* seccomp: reading linux.seccomp into a struct sc_profile, every type
 * checked and every count held to its limit (seccomp_internal.h); a
 * profile past a limit is not judged.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rules/seccomp/seccomp_internal.h"

void
sc_profile_release (struct sc_profile *p)
{
  free (p->entries);
}

/* The helpers below name the field in their errors; it is given as a
 * format and its arguments, and formatted only when there is an error
 * (a profile has hundreds of fields, and judging it must stay cheap). */
int
get_uint (json_object *o, uint64_t max, uint64_t *out, ocigate_error_t *err, const char *fmt, ...)
{
  /* json-c reads numbers beyond 64 bits as 18446744073709551615. */
  bool is_uint = json_object_is_type (o, json_type_int) && json_object_get_int64 (o) >= 0;
  uint64_t v = is_uint ? json_object_get_uint64 (o) : 0;
  if (is_uint && v <= max)
    {
      *out = v;
      return 0;
    }
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *field = xvasprintf (fmt, ap);
  va_end (ap);
  if (!is_uint)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an integer from 0 to %llu, not %s %s", field,
                               (unsigned long long)max, json_type_label (o), json_object_to_json_string (o));
  return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: %s is out of range (0 to %llu)", field,
                             json_object_to_json_string (o), (unsigned long long)max);
}

/* An optional array of strings: NULL when absent or null. */
int
get_strings (json_object *parent, const char *key, json_object **out, size_t *n, ocigate_error_t *err, const char *fmt,
             ...)
{
  json_object *a = json_get (parent, key);
  *out = NULL;
  *n = 0;
  if (a == NULL)
    return 0;
  bool is_array = json_object_is_type (a, json_type_array);
  size_t len = is_array ? json_object_array_length (a) : 0, bad = 0;
  for (; bad < len; bad++)
    if (!json_object_is_type (json_object_array_get_idx (a, bad), json_type_string))
      break;
  if (is_array && bad == len)
    {
      *out = a;
      *n = len;
      return 0;
    }
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *field = xvasprintf (fmt, ap);
  va_end (ap);
  if (!is_array)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an array of strings, not %s", field,
                               json_type_label (a));
  json_object *s = json_object_array_get_idx (a, bad);
  return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be an array of strings (%s[%zu] is %s)", field, field,
                             bad, json_type_label (s));
}

int
get_string (json_object *parent, const char *key, const char **out, ocigate_error_t *err, const char *fmt, ...)
{
  json_object *s = json_get (parent, key);
  *out = NULL;
  if (s == NULL)
    return 0;
  if (json_object_is_type (s, json_type_string))
    {
      *out = json_object_get_string (s);
      return 0;
    }
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *field = xvasprintf (fmt, ap);
  va_end (ap);
  return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "%s: must be a string, not %s", field, json_type_label (s));
}

void
sc_too_large_release (struct sc_too_large *big)
{
  free (big->pointer);
  free (big->what);
}

static enum profile_parsed
too_large (struct sc_too_large *big, size_t n, size_t limit, const char *field, const char *pointer)
{
  big->pointer = xstrdup (pointer);
  big->what = xasprintf ("%s has %zu entries, more than the limit of %zu", field, n, limit);
  return PROFILE_TOO_LARGE;
}

static enum profile_parsed
parse_args (json_object *entry, size_t i, struct sc_entry *e, struct sc_too_large *big, ocigate_error_t *err)
{
  json_object *args = json_get (entry, "args");
  if (args == NULL)
    return PROFILE_PARSED;
  if (!json_object_is_type (args, json_type_array))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "linux.seccomp.syscalls[%zu].args: must be an array, not %s",
                               i, json_type_label (args));
  size_t n = json_object_array_length (args);
  if (n > SECCOMP_MAX_ARGS)
    {
      cleanup_free char *field = xasprintf ("linux.seccomp.syscalls[%zu].args", i);
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/args", i);
      return too_large (big, n, SECCOMP_MAX_ARGS, field, pointer);
    }
  for (size_t k = 0; k < n; k++)
    {
      json_object *a = json_object_array_get_idx (args, k);
      if (!json_object_is_type (a, json_type_object))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                   "linux.seccomp.syscalls[%zu].args[%zu]: must be an object, not %s", i, k,
                                   json_type_label (a));
      struct sc_arg *arg = &e->args[k];
      static const char *const keys[] = { "index", "value", "valueTwo" };
      uint64_t *dst[] = { &arg->index, &arg->value, &arg->value_two };
      for (size_t f = 0; f < 3; f++)
        {
          json_object *val = json_get (a, keys[f]);
          if (val == NULL)
            continue; /* as Go reads it: 0 */
          if (get_uint (val, f == 0 ? UINT32_MAX : UINT64_MAX, dst[f], err, "linux.seccomp.syscalls[%zu].args[%zu].%s",
                        i, k, keys[f])
              < 0)
            return PROFILE_FAILED;
        }
      if (get_string (a, "op", &arg->op, err, "linux.seccomp.syscalls[%zu].args[%zu].op", i, k) < 0)
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

enum profile_parsed
sc_profile_parse (json_object *sc, struct sc_profile *p, struct sc_too_large *big, ocigate_error_t *err)
{
  memset (p, 0, sizeof *p);
  p->default_act = -1;
  if (!json_object_is_type (sc, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "linux.seccomp: must be an object, not %s",
                               json_type_label (sc));
  if (get_string (sc, "defaultAction", &p->default_action, err, "linux.seccomp.defaultAction") < 0)
    return PROFILE_FAILED;
  if (p->default_action)
    p->default_act = sc_action_find (p->default_action);
  json_object *der = json_get (sc, "defaultErrnoRet");
  if (der)
    {
      uint64_t v;
      if (get_uint (der, UINT32_MAX, &v, err, "linux.seccomp.defaultErrnoRet") < 0)
        return PROFILE_FAILED;
      p->has_default_errno = true;
      p->default_errno = (uint32_t)v;
    }
  const char *ignored;
  if (get_string (sc, "listenerPath", &ignored, err, "linux.seccomp.listenerPath") < 0
      || get_string (sc, "listenerMetadata", &ignored, err, "linux.seccomp.listenerMetadata") < 0)
    return PROFILE_FAILED;

  if (get_strings (sc, "architectures", &p->archs, &p->n_archs, err, "linux.seccomp.architectures") < 0)
    return PROFILE_FAILED;
  if (p->n_archs > SECCOMP_MAX_ARCHES)
    return too_large (big, p->n_archs, SECCOMP_MAX_ARCHES, "linux.seccomp.architectures",
                      "/linux/seccomp/architectures");
  for (size_t i = 0; i < p->n_archs; i++)
    p->arch_tokens[i] = sc_arch_resolve (json_object_get_string (json_object_array_get_idx (p->archs, i)));

  if (get_strings (sc, "flags", &p->flags, &p->n_flags, err, "linux.seccomp.flags") < 0)
    return PROFILE_FAILED;
  if (p->n_flags > SECCOMP_MAX_FLAGS)
    return too_large (big, p->n_flags, SECCOMP_MAX_FLAGS, "linux.seccomp.flags", "/linux/seccomp/flags");

  json_object *syscalls = json_get (sc, "syscalls");
  if (syscalls == NULL)
    return PROFILE_PARSED;
  if (!json_object_is_type (syscalls, json_type_array))
    return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "linux.seccomp.syscalls: must be an array, not %s",
                               json_type_label (syscalls));
  size_t n = json_object_array_length (syscalls);
  if (n > SECCOMP_MAX_SYSCALLS)
    return too_large (big, n, SECCOMP_MAX_SYSCALLS, "linux.seccomp.syscalls", "/linux/seccomp/syscalls");
  p->entries = xreallocarray (NULL, n ? n : 1, sizeof *p->entries);
  memset (p->entries, 0, (n ? n : 1) * sizeof *p->entries);
  p->n_entries = n;
  size_t total_rules = 0;
  for (size_t i = 0; i < n; i++)
    {
      json_object *entry = json_object_array_get_idx (syscalls, i);
      struct sc_entry *e = &p->entries[i];
      e->act = -1;
      if (!json_object_is_type (entry, json_type_object))
        return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT, "linux.seccomp.syscalls[%zu]: must be an object, not %s",
                                   i, json_type_label (entry));
      if (get_strings (entry, "names", &e->names, &e->n_names, err, "linux.seccomp.syscalls[%zu].names", i) < 0)
        return PROFILE_FAILED;
      if (e->n_names > SECCOMP_MAX_NAMES)
        {
          cleanup_free char *nf = xasprintf ("linux.seccomp.syscalls[%zu].names", i);
          cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names", i);
          return too_large (big, e->n_names, SECCOMP_MAX_NAMES, nf, pointer);
        }
      if (get_string (entry, "action", &e->action, err, "linux.seccomp.syscalls[%zu].action", i) < 0)
        return PROFILE_FAILED;
      if (e->action)
        e->act = sc_action_find (e->action);
      json_object *er = json_get (entry, "errnoRet");
      if (er)
        {
          uint64_t v;
          if (get_uint (er, UINT32_MAX, &v, err, "linux.seccomp.syscalls[%zu].errnoRet", i) < 0)
            return PROFILE_FAILED;
          e->has_errno = true;
          e->errno_ret = (uint32_t)v;
        }
      enum profile_parsed r = parse_args (entry, i, e, big, err);
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
