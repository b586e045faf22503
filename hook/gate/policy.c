/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "gate/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fsutil.h"
#include "base/jsonio.h"

static int policy_error_at (const char *file, const char *text, size_t len, const char *pointer, const char *field,
                            ocigate_error_t *err, const char *fmt, ...) PRINTF_LIKE (7, 8);

static int
policy_error_at (const char *file, const char *text, size_t len, const char *pointer, const char *field,
                 ocigate_error_t *err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  unsigned line = pointer ? json_pointer_line (text, len, pointer) : 0;
  if (line)
    return ocigate_error_make (err, 0, OCIGATE_ERR_POLICY, "%s:%u: %s: %s", file, line, field, msg);
  return ocigate_error_make (err, 0, OCIGATE_ERR_POLICY, "%s: %s: %s", file, field, msg);
}

static const char *const runtime_keys[] = { "runc", "crun", NULL };

/* An optional section of absolute paths: "runtime": {"runc": PATH, ...}. */
static int
load_paths (json_object *root, const char *section, const char *const *keys, char **const *out, const char *name,
            const char *buf, size_t len, ocigate_error_t *err)
{
  json_object *sec = json_get (root, section);
  if (sec == NULL)
    return 0;
  cleanup_free char *pointer = xasprintf ("/%s", section);
  if (!json_object_is_type (sec, json_type_object))
    return policy_error_at (name, buf, len, pointer, section, err, "must be an object");
  json_object_object_foreach (sec, key, val)
    {
      cleanup_free char *field = xasprintf ("%s.%s", section, key);
      cleanup_free char *kp = xasprintf ("/%s/%s", section, key);
      size_t i = 0;
      while (keys[i] && strcmp (keys[i], key) != 0)
        i++;
      if (keys[i] == NULL)
        return policy_error_at (name, buf, len, kp, field, err, "unknown key");
      if (!json_object_is_type (val, json_type_string) || json_object_get_string (val)[0] != '/')
        return policy_error_at (name, buf, len, kp, field, err, "must be an absolute path");
      free (*out[i]);
      *out[i] = xstrdup (json_object_get_string (val));
    }
  return 0;
}

/* "log": {"file": PATH, "maxBytes": N}, both optional. */
static int
load_log (struct policy *p, json_object *root, const char *name, const char *buf, size_t len, ocigate_error_t *err)
{
  json_object *sec = json_get (root, "log");
  if (sec == NULL)
    return 0;
  if (!json_object_is_type (sec, json_type_object))
    return policy_error_at (name, buf, len, "/log", "log", err, "must be an object");
  json_object_object_foreach (sec, key, val)
    {
      cleanup_free char *ptr = json_pointer_escape (key);
      cleanup_free char *kp = xasprintf ("/log/%s", ptr);
      cleanup_free char *field = xasprintf ("log.%s", key);
      if (strcmp (key, "file") == 0)
        {
          const char *f = json_object_is_type (val, json_type_string) ? json_object_get_string (val) : "";
          if (f[0] != '/' || f[strlen (f) - 1] == '/')
            return policy_error_at (name, buf, len, kp, field, err, "must be an absolute path of a file");
          free (p->log_file);
          p->log_file = xstrdup (f);
        }
      else if (strcmp (key, "maxBytes") == 0)
        {
          int64_t n = json_object_is_type (val, json_type_int) ? json_object_get_int64 (val) : -1;
          if (n < 0 || (uint64_t)n < OCIGATE_LOG_MAX_BYTES_MIN || (uint64_t)n > OCIGATE_LOG_MAX_BYTES_MAX)
            return policy_error_at (
                name, buf, len, kp, field, err, "must be a size in bytes from %" PRIu64 " to %" PRIu64 ", not %s",
                OCIGATE_LOG_MAX_BYTES_MIN, OCIGATE_LOG_MAX_BYTES_MAX, json_object_to_json_string (val));
          p->log_max_bytes = (uint64_t)n;
        }
      else
        return policy_error_at (name, buf, len, kp, field, err, "unknown key (log has \"file\" and \"maxBytes\")");
    }
  return 0;
}

static int
exception_glob (json_object *v, const char *field, const char *name, const char *buf, size_t len, const char *pointer,
                char **out, ocigate_error_t *err)
{
  if (!json_object_is_type (v, json_type_string) || json_object_get_string_len (v) == 0)
    return policy_error_at (name, buf, len, pointer, field, err, "must be a non-empty string (a glob)");
  *out = xstrdup (json_object_get_string (v));
  return 0;
}

static int
load_exception (struct policy_exception *e, json_object *ex, size_t i, const char *name, const char *buf, size_t len,
                ocigate_error_t *err)
{
  cleanup_free char *field = xasprintf ("exceptions[%zu]", i);
  cleanup_free char *pointer = xasprintf ("/exceptions/%zu", i);
  if (!json_object_is_type (ex, json_type_object))
    return policy_error_at (name, buf, len, pointer, field, err, "must be an object with match, rules and reason");
  json_object_object_foreach (ex, key, val)
    {
      (void)val;
      if (strcmp (key, "match") != 0 && strcmp (key, "rules") != 0 && strcmp (key, "reason") != 0)
        {
          cleanup_free char *kf = xasprintf ("%s.%s", field, key);
          cleanup_free char *kp = xasprintf ("%s/%s", pointer, key);
          return policy_error_at (name, buf, len, kp, kf, err, "unknown key (an exception has match, rules, reason)");
        }
    }
  json_object *reason = json_get (ex, "reason");
  cleanup_free char *rf = xasprintf ("%s.reason", field);
  cleanup_free char *rp = xasprintf ("%s/reason", pointer);
  if (reason == NULL || !json_object_is_type (reason, json_type_string) || json_object_get_string_len (reason) == 0)
    return policy_error_at (name, buf, len, reason ? rp : pointer, rf, err,
                            "must say why (a non-empty string): it is logged with every use");
  e->reason = xstrdup (json_object_get_string (reason));

  json_object *rules = json_get (ex, "rules");
  cleanup_free char *lf = xasprintf ("%s.rules", field);
  cleanup_free char *lp = xasprintf ("%s/rules", pointer);
  if (rules == NULL || !json_object_is_type (rules, json_type_array) || json_object_array_length (rules) == 0)
    return policy_error_at (name, buf, len, rules ? lp : pointer, lf, err, "must be a non-empty array of rule IDs");
  size_t n = json_object_array_length (rules);
  /* An array of pointers: the size of a pointer is meant. */
  e->rules = xzalloc (n * sizeof *e->rules); // NOLINT(bugprone-sizeof-expression)
  for (size_t r = 0; r < n; r++)
    {
      json_object *id = json_object_array_get_idx (rules, r);
      cleanup_free char *item = xasprintf ("%s[%zu]", lf, r);
      cleanup_free char *ip = xasprintf ("%s/%zu", lp, r);
      const struct rule *rule
          = json_object_is_type (id, json_type_string) ? rule_find (json_object_get_string (id)) : NULL;
      if (rule == NULL)
        return policy_error_at (name, buf, len, ip, item, err, "%s is not a rule ID", json_object_to_json_string (id));
      e->rules[e->n_rules++] = rule;
    }

  json_object *match = json_get (ex, "match");
  cleanup_free char *mf = xasprintf ("%s.match", field);
  cleanup_free char *mp = xasprintf ("%s/match", pointer);
  if (match == NULL || !json_object_is_type (match, json_type_object) || json_object_object_length (match) == 0)
    return policy_error_at (name, buf, len, match ? mp : pointer, mf, err,
                            "must be an object with at least one of id, bundle, args0, annotations");
  json_object_object_foreach (match, mkey, mval)
    {
      cleanup_free char *kf = xasprintf ("%s.%s", mf, mkey);
      cleanup_free char *kp = xasprintf ("%s/%s", mp, mkey);
      int r = 0;
      if (strcmp (mkey, "id") == 0)
        r = exception_glob (mval, kf, name, buf, len, kp, &e->id, err);
      else if (strcmp (mkey, "bundle") == 0)
        r = exception_glob (mval, kf, name, buf, len, kp, &e->bundle, err);
      else if (strcmp (mkey, "args0") == 0)
        r = exception_glob (mval, kf, name, buf, len, kp, &e->args0, err);
      else if (strcmp (mkey, "annotations") == 0)
        {
          if (!json_object_is_type (mval, json_type_object) || json_object_object_length (mval) == 0)
            return policy_error_at (name, buf, len, kp, kf, err, "must be an object of key glob to value glob");
          size_t na = (size_t)json_object_object_length (mval);
          e->annotation_keys = xzalloc (na * sizeof (char *));
          e->annotation_values = xzalloc (na * sizeof (char *));
          json_object_object_foreach (mval, akey, aval)
            {
              cleanup_free char *af = xasprintf ("%s[\"%s\"]", kf, akey);
              if (!json_object_is_type (aval, json_type_string))
                return policy_error_at (name, buf, len, kp, af, err, "must be a string (a glob)");
              e->annotation_keys[e->n_annotations] = xstrdup (akey);
              e->annotation_values[e->n_annotations++] = xstrdup (json_object_get_string (aval));
            }
        }
      else
        return policy_error_at (name, buf, len, kp, kf, err, "unknown key (match on id, bundle, args0, annotations)");
      if (r < 0)
        return -1;
    }
  return 0;
}

static int
load_exceptions (struct policy *p, json_object *list, const char *name, const char *buf, size_t len,
                 ocigate_error_t *err)
{
  if (list == NULL)
    return 0;
  if (!json_object_is_type (list, json_type_array))
    return policy_error_at (name, buf, len, "/exceptions", "exceptions", err, "must be an array");
  size_t n = json_object_array_length (list);
  if (n > OCIGATE_MAX_EXCEPTIONS)
    return policy_error_at (name, buf, len, "/exceptions", "exceptions", err,
                            "%zu exceptions, more than the limit of %d", n, OCIGATE_MAX_EXCEPTIONS);
  p->exceptions = xzalloc ((n ? n : 1) * sizeof *p->exceptions);
  for (size_t i = 0; i < n; i++)
    {
      p->n_exceptions = i + 1; /* so policy_free releases what loaded */
      if (load_exception (&p->exceptions[i], json_object_array_get_idx (list, i), i, name, buf, len, err) < 0)
        return -1;
    }
  return 0;
}

static size_t
rule_count (void)
{
  size_t n = 0;
  while (rule_table[n])
    n++;
  return n;
}

static int
load_rule (struct rule_setting *s, json_object *given, const struct policy_where *where, ocigate_error_t *err)
{
  const struct rule *r = s->rule;
  if (!json_object_is_type (given, json_type_object))
    return policy_where_error (where, NULL, -1, err, "must be an object with an \"action\"");
  json_object *action = json_get (given, "action");
  if (action == NULL)
    return policy_where_error (where, NULL, -1, err, "\"action\" is missing");
  if (!json_object_is_type (action, json_type_string))
    return policy_where_error (where, "action", -1, err, "must be a string");
  int a = action_parse (json_object_get_string (action));
  if (a < 0 || !(r->actions & ACTION_MASK (a)))
    {
      struct strbuf ok = { 0 };
      for (int i = ACTION_OFF; i <= ACTION_DENY; i++)
        if (r->actions & ACTION_MASK (i))
          strbuf_appendf (&ok, "%s\"%s\"", ok.len ? ", " : "", action_name (i));
      policy_where_error (where, "action", -1, err, "\"%s\" is not an action of this rule (%s)",
                          json_object_get_string (action), ok.buf);
      strbuf_release (&ok);
      return -1;
    }
  s->action = a;

  /* Defaults first, then what the policy says. */
  json_object *opts = NULL;
  if (json_parse_untrusted (r->default_options ? r->default_options : "{}",
                            strlen (r->default_options ? r->default_options : "{}"), r->id, &opts, err)
      < 0)
    return -1;
  json_object_object_foreach (given, key, val)
    {
      if (strcmp (key, "action") == 0)
        continue;
      if (r->parse_options == NULL)
        {
          json_object_put (opts);
          return policy_where_error (where, key, -1, err, "unknown option (this rule takes only \"action\")");
        }
      json_object_object_add (opts, key, json_object_get (val));
    }
  s->options_json = opts;
  if (r->parse_options && r->parse_options (opts, where, &s->options, err) < 0)
    return -1;
  return 0;
}

static void
policy_init_settings (struct policy *p)
{
  p->n_settings = rule_count ();
  p->settings = xzalloc (p->n_settings * sizeof *p->settings);
  for (size_t i = 0; i < p->n_settings; i++)
    p->settings[i].rule = rule_table[i];
}

/* policy_load_buffer(), with the SHA-256 of buf when it is known (hex),
 * or NULL to compute it. */
static int
policy_load_digested (const char *buf, size_t len, const char *name, const char *sha256, struct policy **out,
                      ocigate_error_t *err)
{
  cleanup_policy struct policy *p = xzalloc (sizeof *p);
  p->source = xstrdup (name);
  p->runtime_runc = xstrdup (OCIGATE_DEFAULT_RUNC);
  p->runtime_crun = xstrdup (OCIGATE_DEFAULT_CRUN);
  p->log_max_bytes = OCIGATE_LOG_MAX_BYTES;
  if (sha256 && strlen (sha256) == SHA256_HEX_LEN)
    memcpy (p->sha256, sha256, SHA256_HEX_LEN + 1);
  else
    sha256_hex (buf, len, p->sha256);
  policy_init_settings (p);
  if (len > OCIGATE_MAX_POLICY_BYTES)
    return ocigate_error_make (err, 0, OCIGATE_ERR_POLICY, "%s: %zu bytes, more than the limit of %u", name, len,
                               OCIGATE_MAX_POLICY_BYTES);
  cleanup_json json_object *root = NULL;
  if (json_parse_untrusted (buf, len, name, &root, err) < 0)
    {
      (*err)->kind = OCIGATE_ERR_POLICY;
      return -1;
    }
  if (!json_object_is_type (root, json_type_object))
    return ocigate_error_make (err, 0, OCIGATE_ERR_POLICY, "%s: must be a JSON object", name);

  json_object_object_foreach (root, key, val)
    {
      (void)val;
      if (strcmp (key, "version") != 0 && strcmp (key, "mode") != 0 && strcmp (key, "rules") != 0
          && strcmp (key, "runtime") != 0 && strcmp (key, "log") != 0 && strcmp (key, "exceptions") != 0)
        {
          cleanup_free char *ptr = json_pointer_escape (key);
          cleanup_free char *pointer = xasprintf ("/%s", ptr);
          return policy_error_at (name, buf, len, pointer, key, err,
                                  "unknown key (a policy has \"version\", \"mode\", \"rules\", \"exceptions\", "
                                  "\"runtime\" and \"log\")");
        }
    }
  json_object *version = json_get (root, "version");
  if (version == NULL)
    return policy_error_at (name, buf, len, NULL, "version", err, "missing (this ocigate reads version 1)");
  if (!json_object_is_type (version, json_type_int) || json_object_get_int64 (version) != 1)
    return policy_error_at (name, buf, len, "/version", "version", err, "%s is not a version this ocigate reads (1)",
                            json_object_to_json_string (version));
  json_object *mode = json_get (root, "mode");
  if (mode)
    {
      const char *m = json_object_is_type (mode, json_type_string) ? json_object_get_string (mode) : "";
      if (strcmp (m, "enforce") == 0)
        p->dry_run = false;
      else if (strcmp (m, "dry-run") == 0)
        p->dry_run = true;
      else
        return policy_error_at (name, buf, len, "/mode", "mode", err, "%s is not \"enforce\" or \"dry-run\"",
                                json_object_to_json_string (mode));
    }
  if (load_paths (root, "runtime", runtime_keys, (char **[]){ &p->runtime_runc, &p->runtime_crun }, name, buf, len, err)
          < 0
      || load_log (p, root, name, buf, len, err) < 0)
    return -1;
  json_object *rules = json_get (root, "rules");
  if (rules == NULL)
    return policy_error_at (name, buf, len, NULL, "rules", err, "missing (an object of rule ID to settings)");
  if (!json_object_is_type (rules, json_type_object))
    return policy_error_at (name, buf, len, "/rules", "rules", err, "must be an object of rule ID to settings");

  json_object_object_foreach (rules, id, given)
    {
      const struct rule *r = rule_find (id);
      struct policy_where where = { name, buf, len, id };
      if (r == NULL)
        {
          struct strbuf known = { 0 };
          for (const struct rule *const *t = rule_table; *t; t++)
            strbuf_appendf (&known, "%s%s", known.len ? ", " : "", (*t)->id);
          policy_where_error (&where, NULL, -1, err, "unknown rule (rules are: %s)", known.buf);
          strbuf_release (&known);
          return -1;
        }
      size_t i = 0;
      while (p->settings[i].rule != r)
        i++;
      if (load_rule (&p->settings[i], given, &where, err) < 0)
        return -1;
    }
  if (load_exceptions (p, json_get (root, "exceptions"), name, buf, len, err) < 0)
    return -1;
  /* Rules the policy leaves out are off; their options still show. */
  for (size_t i = 0; i < p->n_settings; i++)
    {
      struct rule_setting *s = &p->settings[i];
      if (s->options_json || s->rule->default_options == NULL)
        continue;
      const char *d = s->rule->default_options;
      if (json_parse_untrusted (d, strlen (d), s->rule->id, &s->options_json, err) < 0)
        return -1;
    }
  *out = steal_pointer (&p);
  return 0;
}

static int
policy_load_path (const char *path, bool trusted, struct policy **out, ocigate_error_t *err)
{
  /* A policy the hook or the wrapper trusts is a regular file (the trust
   * check says so): opened without blocking, a FIFO there is that error
   * instead of a container start that hangs in open(2).  check and fix
   * also read a pipe (-p <(jq ... policy.json)). */
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (trusted ? O_NONBLOCK : 0));
  if (fd < 0)
    {
      ocigate_error_make_errno (err, errno, "policy: open %s", path);
      (*err)->kind = OCIGATE_ERR_POLICY;
      return -1;
    }
  if (trusted && trust_check (fd, path, "policy", NULL, OCIGATE_ERR_POLICY, err) < 0)
    return -1;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  if (read_fd_limited (fd, path, OCIGATE_MAX_POLICY_BYTES, &buf, &len, err) < 0)
    {
      (*err)->kind = OCIGATE_ERR_POLICY;
      return ocigate_error_prefix (err, "policy");
    }
  return policy_load_buffer (buf, len, path, out, err);
}

int
policy_load_buffer (const char *buf, size_t len, const char *name, struct policy **out, ocigate_error_t *err)
{
  return policy_load_digested (buf, len, name, NULL, out, err);
}

int
policy_load_file (const char *path, struct policy **out, ocigate_error_t *err)
{
  return policy_load_path (path, false, out, err);
}

int
policy_load_embedded (struct policy **out, ocigate_error_t *err)
{
  /* Two symbols, not one array: subtract their addresses, not the pointers. */
  size_t len = (size_t)((uintptr_t)ocigate_default_policy_end - (uintptr_t)ocigate_default_policy);
  return policy_load_digested (ocigate_default_policy, len, OCIGATE_EMBEDDED_POLICY, ocigate_default_policy_sha256, out,
                               err);
}

int
policy_load_effective (const char *path, bool trusted, struct policy **out, ocigate_error_t *err)
{
  if (path)
    return policy_load_path (path, trusted, out, err);
  struct stat st;
  if (stat (OCIGATE_POLICY_PATH, &st) == 0)
    return policy_load_path (OCIGATE_POLICY_PATH, trusted, out, err);
  if (errno != ENOENT)
    {
      /* Present but unreadable is not "absent": never fall back. */
      ocigate_error_make_errno (err, errno, "policy %s", OCIGATE_POLICY_PATH);
      (*err)->kind = OCIGATE_ERR_POLICY;
      return -1;
    }
  return policy_load_embedded (out, err);
}

char *
policy_runtime_path_lenient (const char *path, const char *runtime)
{
  const char *fallback = strcmp (runtime, "crun") == 0 ? OCIGATE_DEFAULT_CRUN : OCIGATE_DEFAULT_RUNC;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  const char *file = path ? path : OCIGATE_POLICY_PATH;
  /* The path names what runs as root: only a trusted policy may name it. */
  cleanup_close int fd = open (file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0 || trust_check (fd, file, "policy", NULL, OCIGATE_ERR_POLICY, &err) < 0
      || read_fd_limited (fd, file, OCIGATE_MAX_POLICY_BYTES, &buf, &len, &err) < 0)
    {
      ocigate_error_free (&err);
      return xstrdup (fallback);
    }
  cleanup_json json_object *root = NULL;
  if (json_parse_untrusted (buf, len, "policy", &root, &err) < 0)
    {
      ocigate_error_free (&err);
      return xstrdup (fallback);
    }
  json_object *v = json_get (json_get (root, "runtime"), runtime);
  if (v && json_object_is_type (v, json_type_string) && json_object_get_string (v)[0] == '/')
    return xstrdup (json_object_get_string (v));
  return xstrdup (fallback);
}

json_object *
policy_to_json (const struct policy *p)
{
  json_object *root = json_object_new_object ();
  json_object_object_add (root, "version", json_object_new_int (1));
  json_object_object_add (root, "mode", json_object_new_string (p->dry_run ? "dry-run" : "enforce"));
  json_object *rules = json_object_new_object ();
  for (size_t i = 0; i < p->n_settings; i++)
    {
      const struct rule_setting *s = &p->settings[i];
      json_object *r = json_object_new_object ();
      json_object_object_add (r, "action", json_object_new_string (action_name (s->action)));
      if (s->options_json)
        {
          json_object_object_foreach (s->options_json, key, val)
            json_object_object_add (r, key, json_object_get (val));
        }
      json_object_object_add (rules, s->rule->id, r);
    }
  json_object_object_add (root, "rules", rules);
  if (p->n_exceptions)
    {
      json_object *list = json_object_new_array ();
      for (size_t i = 0; i < p->n_exceptions; i++)
        {
          const struct policy_exception *e = &p->exceptions[i];
          json_object *ex = json_object_new_object (), *match = json_object_new_object (),
                      *ids = json_object_new_array ();
          if (e->id)
            json_object_object_add (match, "id", json_object_new_string (e->id));
          if (e->bundle)
            json_object_object_add (match, "bundle", json_object_new_string (e->bundle));
          if (e->args0)
            json_object_object_add (match, "args0", json_object_new_string (e->args0));
          if (e->n_annotations)
            {
              json_object *ann = json_object_new_object ();
              for (size_t a = 0; a < e->n_annotations; a++)
                json_object_object_add (ann, e->annotation_keys[a], json_object_new_string (e->annotation_values[a]));
              json_object_object_add (match, "annotations", ann);
            }
          for (size_t r = 0; r < e->n_rules; r++)
            json_object_array_add (ids, json_object_new_string (e->rules[r]->id));
          json_object_object_add (ex, "match", match);
          json_object_object_add (ex, "rules", ids);
          json_object_object_add (ex, "reason", json_object_new_string (e->reason));
          json_object_array_add (list, ex);
        }
      json_object_object_add (root, "exceptions", list);
    }
  json_object *runtime = json_object_new_object ();
  json_object_object_add (runtime, "runc", json_object_new_string (p->runtime_runc));
  json_object_object_add (runtime, "crun", json_object_new_string (p->runtime_crun));
  json_object_object_add (root, "runtime", runtime);
  json_object *log = json_object_new_object ();
  json_object_object_add (log, "file", json_object_new_string (p->log_file ? p->log_file : OCIGATE_LOG_FILE));
  json_object_object_add (log, "maxBytes", json_object_new_int64 ((int64_t)p->log_max_bytes));
  json_object_object_add (root, "log", log);
  return root;
}

void
policy_free (struct policy *p)
{
  if (p == NULL)
    return;
  for (size_t i = 0; i < p->n_settings; i++)
    {
      struct rule_setting *s = &p->settings[i];
      if (s->options && s->rule->free_options)
        s->rule->free_options (s->options);
      if (s->options_json)
        json_object_put (s->options_json);
    }
  for (size_t i = 0; i < p->n_exceptions; i++)
    {
      struct policy_exception *e = &p->exceptions[i];
      free (e->id);
      free (e->bundle);
      free (e->args0);
      for (size_t a = 0; a < e->n_annotations; a++)
        {
          free (e->annotation_keys[a]);
          free (e->annotation_values[a]);
        }
      free (e->annotation_keys);
      free (e->annotation_values);
      free (e->rules);
      free (e->reason);
    }
  free (p->exceptions);
  free (p->settings);
  free (p->source);
  free (p->runtime_runc);
  free (p->runtime_crun);
  free (p->log_file);
  free (p);
}

void
cleanup_policyp (struct policy **p)
{
  policy_free (*p);
}
