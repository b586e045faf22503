/* runtimeAnnotations: no annotation makes the runtime replace what ocigate
 * judged, or act as host root on a host path or socket the config names.
 * OWASP Docker Top 10 D04 (the seccomp profile that was judged is the one
 * loaded); CIS Docker v1.6.0 5.22.
 *
 * crun reads these annotations of config.json (crun 1.8, src/libcrun); runc
 * reads none of them.  Each is a finding unless the option `allow` lists it:
 *
 *  - run.oci.seccomp_bpf_data: a base64 BPF program crun loads as the
 *    container's seccomp filter in place of linux.seccomp.  The seccomp rule
 *    judges linux.seccomp, so a config with Docker's profile and this
 *    annotation passed it while the container ran under any filter at all
 *    (an allow-everything program lets unshare(2) through Docker's profile).
 *  - run.oci.seccomp.plugins: libraries crun dlopen()s into its own process,
 *    which runs as host root, to answer seccomp notifications.
 *  - run.oci.seccomp.receiver, and the spec's linux.seccomp.listenerPath
 *    (runc and crun): a host socket the runtime connects to and hands the
 *    container's seccomp notification descriptor, so that whatever listens
 *    there answers the container's system calls.
 *  - run.oci.pidfd_receiver: a host socket crun hands a pidfd of the
 *    container's process.
 *  - run.oci.keep_original_groups (any value but "0"): crun skips
 *    setgroups(2), so the process keeps the supplementary groups of
 *    whatever started crun.  Run as root those are root's: GID 0 through
 *    sudo, su or runuser (initgroups), and any group root was given;
 *    crun 1.8.1 ran uid 1000 with groups 0,6,27 that way.  A rootless
 *    runtime keeps its user's own groups, which grant nothing new, so the
 *    finding is only made when ocigate, and so the runtime, runs as root.
 *  - run.oci.hooks.stdout, run.oci.hooks.stderr: a host file crun creates
 *    (mode 0700) or appends to as root, following symlinks, and fills with
 *    the hooks' output.  crun opens it before any hook runs, so a prestart
 *    hook refuses the container too late to keep the file from being
 *    written.  The wrappers refuse before crun starts; the precreate hook
 *    hands Podman a refusing config without the members found here
 *    (disarm_refused), so crun never sees them.
 *
 * An `allow` entry is "KEY=VALUE" with KEY one of the above: VALUE is the
 * exact value, or a directory ending in a slash and a star, for any file
 * name directly in that directory (not ".", "..", nor one with a "/").  The default allows the
 * hooks' output in /run/ocigate/hooks/, a directory only root can write,
 * which is where README tells crun users to send the hook's reasons.
 * Annotations the list does not name are not judged (ocigate's own
 * dev.ocigate.rewrite among them: the gate writes it after judging, and
 * replaces what a config brings under it).  A judged key whose
 * value is not a string makes the config impossible to judge.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"

struct runtime_key
{
  const char *key;       /* annotation name */
  const char *effect;    /* what the runtime does with the value */
  const char *remedy;    /* NULL: remove the annotation */
  bool root_runtime;     /* only a finding when the runtime runs as root */
  const char *off_value; /* the value that turns it off, or NULL */
};

static const struct runtime_key runtime_keys[] = {
  { .key = "run.oci.seccomp_bpf_data",
    .effect = "crun loads this BPF program as the seccomp filter in place of linux.seccomp, the profile ocigate "
              "judged" },
  { .key = "run.oci.seccomp.plugins", .effect = "crun loads these libraries into its own process, as host root" },
  { .key = "run.oci.seccomp.receiver",
    .effect = "crun hands the container's seccomp notifications to this host socket, whose listener answers its "
              "system calls" },
  { .key = "run.oci.pidfd_receiver", .effect = "crun hands a pidfd of the container's process to this host socket" },
  { .key = "run.oci.hooks.stdout",
    .effect = "crun creates or appends to this host file as root, before any hook runs" },
  { .key = "run.oci.hooks.stderr",
    .effect = "crun creates or appends to this host file as root, before any hook runs" },
  { .key = "run.oci.keep_original_groups",
    .effect = "crun skips setgroups(2), so the process keeps the supplementary groups of the root process that "
              "started crun (GID 0 when started through sudo or su)",
    .remedy = "remove the annotation (Podman's --group-add keep-groups) and give the groups with --group-add GID",
    .root_runtime = true,
    .off_value = "0" },
};

#define LISTENER_KEY "linux.seccomp.listenerPath"
#define N_KEYS (sizeof runtime_keys / sizeof runtime_keys[0])

struct allow_entry
{
  char *key;
  char *value; /* exact, or the directory with its "/" when dir */
  bool dir;
};

struct runtime_annotations_options
{
  struct allow_entry *allow;
  size_t n_allow;
};

static void
runtime_annotations_options_free (void *p)
{
  struct runtime_annotations_options *o = p;
  if (o == NULL)
    return;
  for (size_t i = 0; i < o->n_allow; i++)
    {
      free (o->allow[i].key);
      free (o->allow[i].value);
    }
  free (o->allow);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (runtime_annotations_options, runtime_annotations_options_free)
#define cleanup_runtime_annotations_options __attribute__ ((cleanup (cleanup_runtime_annotations_optionsp)))

static bool
judged_key (const char *key, size_t len)
{
  if (len == strlen (LISTENER_KEY) && strncmp (key, LISTENER_KEY, len) == 0)
    return true;
  for (size_t i = 0; i < N_KEYS; i++)
    if (len == strlen (runtime_keys[i].key) && strncmp (key, runtime_keys[i].key, len) == 0)
      return true;
  return false;
}

static int
runtime_annotations_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "allow", NULL };
  if (rule_options_check_keys (opts, where, keys, err) < 0)
    return -1;
  json_object *allow = json_get (opts, "allow");
  if (allow == NULL || !json_object_is_type (allow, json_type_array))
    return policy_where_error (where, "allow", -1, err, "must be an array of \"KEY=VALUE\" strings");
  size_t n = json_object_array_length (allow);
  if (n > OCIGATE_MAX_LIST)
    return policy_where_error (where, "allow", -1, err, "%zu entries, more than the limit of %d", n, OCIGATE_MAX_LIST);
  cleanup_runtime_annotations_options struct runtime_annotations_options *o = xzalloc (sizeof *o);
  o->allow = xreallocarray (NULL, n + 1, sizeof *o->allow);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (allow, i);
      const char *text = json_object_is_type (e, json_type_string) ? json_object_get_string (e) : NULL;
      const char *eq = text ? strchr (text, '=') : NULL;
      if (eq == NULL || !judged_key (text, (size_t)(eq - text)))
        {
          if (text == NULL)
            return policy_where_error (where, "allow", (long)i, err, "must be a \"KEY=VALUE\" string");
          cleanup_free char *shown = text_excerpt (text);
          cleanup_strbuf struct strbuf known = { 0 };
          for (size_t k = 0; k < N_KEYS; k++)
            strbuf_appendf (&known, "%s, ", runtime_keys[k].key);
          policy_where_error (where, "allow", (long)i, err, "\"%s\" is not KEY=VALUE with KEY one of %s" LISTENER_KEY,
                              shown, known.buf);
          return -1;
        }
      const char *value = eq + 1;
      size_t vlen = strlen (value);
      bool dir = vlen >= 2 && strcmp (value + vlen - 2, "/*") == 0;
      if (dir
          && (value[0] != '/' || strstr (value, "//") || strstr (value, "/./") || strstr (value, "/../")
              || strcmp (value, "/*") == 0))
        {
          cleanup_free char *shown = text_excerpt (text);
          return policy_where_error (where, "allow", (long)i, err,
                                     "\"%s\": a directory entry (ending in /*) must name a directory other than / "
                                     "by its absolute path, with no \".\", \"..\" or empty component",
                                     shown);
        }
      struct allow_entry *a = &o->allow[o->n_allow++];
      a->key = xstrndup (text, (size_t)(eq - text));
      a->value = dir ? xstrndup (value, vlen - 1) : xstrdup (value);
      a->dir = dir;
    }
  *out = steal_pointer (&o);
  return 0;
}

/* A file NAME directly in DIR ("/run/ocigate/hooks/"): one component, not
 * "." or "..", so the value cannot climb out of DIR (DIR's own components
 * were checked when the policy loaded). */
static bool
directly_in (const char *dir, const char *value)
{
  size_t dlen = strlen (dir);
  if (strncmp (value, dir, dlen) != 0)
    return false;
  const char *name = value + dlen;
  return *name != '\0' && strchr (name, '/') == NULL && strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

static bool
value_allowed (const struct runtime_annotations_options *o, const char *key, const char *value)
{
  for (size_t i = 0; i < o->n_allow; i++)
    {
      const struct allow_entry *a = &o->allow[i];
      if (strcmp (a->key, key) != 0)
        continue;
      if (a->dir ? directly_in (a->value, value) : strcmp (a->value, value) == 0)
        return true;
    }
  return false;
}

static void
runtime_finding (const struct rule_setting *s, struct verdict *v, const char *pointer, const char *field,
                 const char *key, const char *value, const char *effect, const char *remedy)
{
  cleanup_free char *shown = text_excerpt (value);
  verdict_add_finding (v, s->rule->id, s->action, pointer,
                       "%s (%s=\"%s\"); %s, or add \"%s=VALUE\" to rules.runtimeAnnotations.allow", effect, field,
                       shown, remedy, key);
}

static int
runtime_annotations_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                              ocigate_error_t *err)
{
  const struct runtime_annotations_options *o = s->options;
  json_object *root = ctx->config->root;
  static const struct json_path annotations_at = { .key = "annotations" }, linux_at = { .key = "linux" },
                                seccomp_at = { .up = &linux_at, .key = "seccomp" };
  json_object *annotations = NULL;
  const char *values[N_KEYS];
  const char *listener = NULL;
  /* Every value first: a config that cannot be judged has no findings. */
  if (field_object (root, NULL, "annotations", FIELD_OPTIONAL, NULL, &annotations, err) < 0)
    return -1;
  for (size_t i = 0; i < N_KEYS; i++)
    if (field_string (annotations, &annotations_at, runtime_keys[i].key, FIELD_NOT_NULL, NULL, &values[i], err) < 0)
      return -1;
  /* A seccomp that is not an object is the seccomp rule's to refuse. */
  if (field_string (json_get (json_get (root, "linux"), "seccomp"), &seccomp_at, "listenerPath", FIELD_NOT_NULL, NULL,
                    &listener, err)
      < 0)
    return -1;

  for (size_t i = 0; i < N_KEYS; i++)
    {
      const char *key = runtime_keys[i].key;
      if (values[i] == NULL || value_allowed (o, key, values[i])
          || (runtime_keys[i].off_value && strcmp (values[i], runtime_keys[i].off_value) == 0)
          || (runtime_keys[i].root_runtime && ctx->host->euid != 0))
        continue;
      cleanup_free char *escaped = json_pointer_escape (key);
      cleanup_free char *pointer = xasprintf ("/annotations/%s", escaped);
      cleanup_free char *field = xasprintf ("annotations.%s", key);
      runtime_finding (s, v, pointer, field, key, values[i], runtime_keys[i].effect,
                       runtime_keys[i].remedy ? runtime_keys[i].remedy : "remove the annotation");
    }
  if (listener && !value_allowed (o, LISTENER_KEY, listener))
    runtime_finding (s, v, "/linux/seccomp/listenerPath", LISTENER_KEY, LISTENER_KEY, listener,
                     "the runtime hands the container's seccomp notifications to this host socket, whose listener "
                     "answers its system calls",
                     "remove listenerPath (and SCMP_ACT_NOTIFY)");
  return 0;
}

/* Refused unjudged: every key crun acts on goes, allowed or not. */
static void
runtime_annotations_disarm_unjudged (json_object *root)
{
  json_object *annotations = json_get (root, "annotations");
  if (annotations && json_object_is_type (annotations, json_type_object))
    for (size_t i = 0; i < N_KEYS; i++)
      json_object_object_del (annotations, runtime_keys[i].key);
  json_object *seccomp = json_get (json_get (root, "linux"), "seccomp");
  if (seccomp && json_object_is_type (seccomp, json_type_object))
    json_object_object_del (seccomp, "listenerPath");
}

const struct rule rule_runtime_annotations = {
  .id = "runtimeAnnotations",
  .summary = "annotations that make crun load another seccomp filter or act as root on a host path or socket",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"allow\": [\"run.oci.hooks.stdout=/run/ocigate/hooks/*\", "
                     "\"run.oci.hooks.stderr=/run/ocigate/hooks/*\"]}",
  .parse_options = runtime_annotations_parse,
  .free_options = runtime_annotations_options_free,
  .evaluate = runtime_annotations_evaluate,
  .disarm_refused = true,
  .disarm_unjudged = runtime_annotations_disarm_unjudged,
};
