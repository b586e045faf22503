/* cgroupsPath: the container's cgroup (linux.cgroupsPath) lies below a
 * parent the policy allows, the parents the engines use, so it stays
 * within the limits set on them.
 * CIS Docker Benchmark v1.6.0 5.25 ("Ensure that cgroup usage is
 * confirmed": --cgroup-parent).
 *
 * `docker run --cgroup-parent /` (or /escape) puts the container's cgroup
 * at /ID (or /escape/ID) instead of /docker/ID, where neither the limits an
 * administrator sets on /docker nor any other apply; a path naming an
 * existing cgroup makes the runtime apply the config's resources to it
 * and put the container into it, before any hook runs (so the precreate
 * hook hands on a refused config without it: disarm_refused).
 *
 * The runtime reads the path in one of two ways, chosen by its own flag
 * (--systemd-cgroup), not by the config; ocigate reads it by its form,
 * which is the form each engine writes for the driver it runs:
 *
 *  - "/a/b" (the cgroupfs driver: Docker /docker/ID, Podman
 *    /libpod_parent/libpod-ID, ctr /NAMESPACE/ID, Kubernetes
 *    /kubepods/CLASS/podUID/ID): a path from the cgroup root, allowed when
 *    an "allow" entry that is a path lies above it, component by
 *    component (/dockerx is not below /docker, and /docker itself, which
 *    the runtime would join and set the container's limits on, is not).  An empty, "." or ".."
 *    component is a finding whatever follows: runc cleans the path
 *    lexically ("/docker/../x" is /x), crun hands it to the kernel, and
 *    no engine writes one, so no reading of it is certain.
 *  - "slice:prefix:name" (the systemd driver: Docker
 *    system.slice:docker:ID, Podman machine.slice:libpod:ID, Kubernetes
 *    kubepods-besteffort-podUID.slice:cri-containerd:ID): exactly three
 *    fields, as runc requires.  systemd places a slice by its name
 *    ("kubepods-besteffort.slice" is below kubepods.slice), so the slice is
 *    allowed when it is an "allow" entry that is a slice or below one by
 *    that naming; the container is the scope prefix-name.scope in it.  A
 *    slice systemd would refuse (not ending in .slice, a "/", an empty
 *    "-" component) or an empty one (the runtime's default) is a finding,
 *    and so is a name ending in .slice (the container is then a slice of
 *    its own, which systemd places by its name, anywhere) or holding a "/".
 *  - anything else is a relative path, which runc puts below the cgroup
 *    it runs in (on cgroup v2 below that one's parent), outside any
 *    engine's parent: a finding.  Under the cgroupfs driver a
 *    slice:prefix:name string is such a relative path too; ocigate cannot
 *    tell which driver the runtime will use, and the engines write that
 *    form only for the systemd driver.
 *
 * An absent, null or empty cgroupsPath passes: nobody asked for a place,
 * and the runtime chooses its own (runc: ID below its own cgroup, or
 * system.slice:runc:ID), as for `runc run` by hand; no engine leaves it
 * out.
 *
 * With "containerdNamespace" (default true), a config ctr wrote (its
 * bundle is one containerd made, TASKDIR/NAMESPACE/ID, and it bears no
 * trace of Docker, whose containers live in containerd too) may also lie
 * below /NAMESPACE, where ctr puts its containers (`ctr -n NAMESPACE
 * run`): the namespace cannot be listed in advance.  Not /NAMESPACE
 * itself, and not where the namespace is named as a systemd unit
 * (system.slice, init.scope): those are the host's own cgroups.  A config
 * judged without its bundle (check without --bundle) has no namespace.
 *
 * One finding at most, at /linux/cgroupsPath.  No fix: which parent a
 * container belongs in is the engine's or the person's to say.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/field.h"
#include "core/rule.h"

#define CGROUPS_POINTER "/linux/cgroupsPath"

struct cgroups_path_options
{
  char **paths;  /* "/docker": cgroupfs parents, without a trailing slash ("/" is the root) */
  char **slices; /* "system.slice": systemd slices */
  size_t n_paths, n_slices;
  bool containerd_namespace;
  char *allowed_text; /* the list, for messages */
};

static void
cgroups_path_options_free (void *p)
{
  struct cgroups_path_options *o = p;
  if (o == NULL)
    return;
  for (size_t i = 0; i < o->n_paths; i++)
    free (o->paths[i]);
  for (size_t i = 0; i < o->n_slices; i++)
    free (o->slices[i]);
  free (o->paths);
  free (o->slices);
  free (o->allowed_text);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (cgroups_path_options, cgroups_path_options_free)
#define cleanup_cgroups_path_options __attribute__ ((cleanup (cleanup_cgroups_path_optionsp)))

/* An absolute path whose components are none of "", "." and "..": "/" or
 * "/a/b", as written. */
static bool
plain_absolute (const char *path)
{
  if (path[0] != '/')
    return false;
  if (path[1] == '\0')
    return true;
  for (const char *c = path + 1;;)
    {
      const char *end = strchrnul (c, '/');
      size_t len = (size_t)(end - c);
      if (len == 0 || (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.'))
        return false;
      if (*end == '\0')
        return true;
      c = end + 1;
    }
}

/* A slice name as systemd (and runc's ExpandSlice) takes it: NAME.slice,
 * no "/", and NAME's "-" separated parts not empty; "-.slice" is the root
 * slice. */
static bool
valid_slice (const char *slice, size_t len)
{
  static const char suffix[] = ".slice";
  size_t sl = sizeof suffix - 1;
  if (len <= sl || memcmp (slice + len - sl, suffix, sl) != 0 || memchr (slice, '/', len))
    return false;
  size_t base = len - sl;
  if (base == 1 && slice[0] == '-')
    return true;
  if (slice[0] == '-' || slice[base - 1] == '-')
    return false;
  for (size_t i = 1; i < base; i++)
    if (slice[i] == '-' && slice[i - 1] == '-')
      return false;
  return true;
}

/* Whether slice (len bytes) is `parent` or below it by systemd's naming:
 * "a-b.slice" is below "a.slice"; everything is below "-.slice". */
static bool
slice_within (const char *slice, size_t len, const char *parent)
{
  size_t pl = strlen (parent);
  if (strcmp (parent, "-.slice") == 0 || (len == pl && memcmp (slice, parent, len) == 0))
    return true;
  size_t base = pl - (sizeof ".slice" - 1);
  return len > base + 1 && memcmp (slice, parent, base) == 0 && slice[base] == '-';
}

/* Whether path lies below dir, component by component; both plain
 * absolute paths (so a component follows a "/").  Not dir itself: the
 * parent holds the engine's other containers, and the runtime would join
 * it and write the container's resources over the limits set on it
 * (cgroup v1 lets it; v2 refuses a process in a cgroup whose children
 * have controllers, but not in one that has none yet).  No engine puts a
 * container at its parent. */
static bool
below (const char *path, const char *dir, size_t dir_len)
{
  if (dir_len == 1)
    return path[1] != '\0'; /* "/" */
  return strncmp (path, dir, dir_len) == 0 && path[dir_len] == '/';
}

static int
cgroups_path_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "allow", "containerdNamespace", NULL };
  cleanup_cgroups_path_options struct cgroups_path_options *o = xzalloc (sizeof *o);
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_bool (opts, "containerdNamespace", where, &o->containerd_namespace, err) < 0)
    return -1;
  json_object *allow = json_get (opts, "allow");
  if (allow == NULL || !json_object_is_type (allow, json_type_array))
    return policy_where_error (where, "allow", -1, err, "must be an array of cgroup paths and systemd slices");
  size_t n = json_object_array_length (allow);
  if (n > OCIGATE_MAX_LIST)
    return policy_where_error (where, "allow", -1, err, "%zu entries, more than the limit of %d", n, OCIGATE_MAX_LIST);
  o->paths = xreallocarray (NULL, n + 1, sizeof (char *));
  o->slices = xreallocarray (NULL, n + 1, sizeof (char *));
  cleanup_strbuf struct strbuf text = { 0 };
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (allow, i);
      const char *s = json_object_is_type (e, json_type_string) ? json_object_get_string (e) : NULL;
      if (s && plain_absolute (s))
        o->paths[o->n_paths++] = xstrdup (s);
      else if (s && valid_slice (s, strlen (s)))
        o->slices[o->n_slices++] = xstrdup (s);
      else
        return policy_where_error (where, "allow", (long)i, err,
                                   "must be a cgroup path from the root (\"/docker\", without \"//\", \".\" or \"..\") "
                                   "or a systemd slice (\"system.slice\")");
      strbuf_appendf (&text, "%s%s", i ? ", " : "", s);
    }
  o->allowed_text = n ? strbuf_steal (&text) : xstrdup ("");
  *out = steal_pointer (&o);
  return 0;
}

/* Whether name (len bytes) is the name of a systemd unit, whose cgroup
 * systemd keeps at the root of the hierarchy (system.slice, init.scope),
 * or below it (containerd.service). */
static bool
systemd_unit_name (const char *name, size_t len)
{
  static const char *const suffixes[] = { ".slice", ".scope", ".service" };
  for (size_t i = 0; i < ARRAY_SIZE (suffixes); i++)
    {
      size_t sl = strlen (suffixes[i]);
      if (len >= sl && memcmp (name + len - sl, suffixes[i], sl) == 0)
        return true;
    }
  return false;
}

/* ctr's parent, /NAMESPACE, for a config ctr wrote in a bundle containerd
 * made (NULL when it is not one): Docker's containers live in containerd
 * too (namespace moby, or the daemon's own), but Docker never puts a
 * container at /NAMESPACE, so its configs get no such parent.  The person
 * who runs ctr names the namespace: `ctr -n system.slice` would make the
 * host's own system.slice (and every service in it) a parent, whose
 * cgroups exist already and which the runtime would join and set the
 * container's limits on; a namespace named as a systemd unit gets none. */
static const char *
ctr_namespace (const struct cgroups_path_options *o, const struct rule_context *ctx, size_t *len)
{
  if (!o->containerd_namespace || rule_engine (ctx) != ENGINE_CTR)
    return NULL;
  const char *ns = engine_containerd_namespace (ctx->bundle, len);
  return ns && !systemd_unit_name (ns, *len) ? ns : NULL;
}

/* Why `path` is outside the allowed parents, or NULL when it is not; ns
 * (ns_len bytes) is ctr's namespace, or NULL. */
static char *
judge (const struct cgroups_path_options *o, const char *path, const char *ns, size_t ns_len)
{
  if (path[0] == '/')
    {
      if (!plain_absolute (path))
        return xstrdup ("a path with an empty, \".\" or \"..\" component, which no engine writes and which runc cleans "
                        "lexically, crun not");
      for (size_t i = 0; i < o->n_paths; i++)
        if (below (path, o->paths[i], strlen (o->paths[i])))
          return NULL;
      /* ctr puts a container at /NAMESPACE/ID, never at /NAMESPACE, which
       * holds the namespace's other containers (plain_absolute() has
       * made sure a component follows the "/"). */
      if (ns && strncmp (path + 1, ns, ns_len) == 0 && path[1 + ns_len] == '/')
        return NULL;
      return xstrdup ("below none of the allowed parents");
    }
  const char *colon1 = strchr (path, ':');
  if (colon1 == NULL)
    return xstrdup ("a relative path, which the runtime puts below its own cgroup, outside any engine's parent");
  const char *colon2 = strchr (colon1 + 1, ':');
  if (colon2 == NULL || strchr (colon2 + 1, ':'))
    return xstrdup ("not of the systemd form slice:prefix:name, which runc requires");
  const char *name = colon2 + 1;
  size_t slice_len = (size_t)(colon1 - path), name_len = strlen (name);
  if (slice_len == 0)
    return xstrdup ("no slice, so the runtime's default one");
  if (!valid_slice (path, slice_len))
    return xstrdup ("a slice name systemd refuses");
  if (strchr (name, '/') || (name_len >= 6 && strcmp (name + name_len - 6, ".slice") == 0))
    return xstrdup ("a name that is a slice or holds a \"/\": systemd places such a unit by its own name");
  for (size_t i = 0; i < o->n_slices; i++)
    if (slice_within (path, slice_len, o->slices[i]))
      return NULL;
  return xasprintf ("slice %.*s is below none of the allowed slices", (int)slice_len, path);
}

static int
cgroups_path_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                       ocigate_error_t *err)
{
  static const struct json_path linux_at = { .key = "linux" };
  const struct cgroups_path_options *o = s->options;
  const char *path = NULL;
  if (field_string (json_get (ctx->config->root, "linux"), &linux_at, "cgroupsPath", FIELD_OPTIONAL, NULL, &path, err)
      < 0)
    return -1;
  if (path == NULL || path[0] == '\0')
    return 0;
  size_t ns_len = 0;
  const char *ns = ctr_namespace (o, ctx, &ns_len);
  cleanup_free char *why = judge (o, path, ns, ns_len);
  if (why == NULL)
    return 0;
  cleanup_free char *ns_text
      = ns ? xasprintf ("%s/%.*s (containerd's namespace)", o->allowed_text[0] ? ", " : "", (int)ns_len, ns)
           : xstrdup ("");
  cleanup_free char *shown = text_excerpt (path);
  verdict_add_finding (v, s->rule->id, s->action, CGROUPS_POINTER,
                       "container's cgroup is outside the parents its engine uses, and the limits set on them "
                       "(linux.cgroupsPath=%s: %s; allowed: %s%s); %s",
                       shown, why, o->allowed_text, ns_text,
                       rule_hint (rule_engine (ctx), HINT_CGROUP_PARENT,
                                  "place it below one of rules.cgroupsPath.allow, or add its parent there"));
  return 0;
}

/* Refused unjudged: the runtime places the container where it chooses. */
static void
cgroups_path_disarm_unjudged (json_object *root)
{
  json_object *linux_ = json_get (root, "linux");
  if (linux_ && json_object_is_type (linux_, json_type_object))
    json_object_object_del (linux_, "cgroupsPath");
}

const struct rule rule_cgroups_path = {
  .id = "cgroupsPath",
  .summary = "the container's cgroup (linux.cgroupsPath) outside the parents the engines use",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"allow\": [\"/docker\", \"/libpod_parent\", \"/kubepods\", \"system.slice\", "
                     "\"machine.slice\", \"user.slice\", \"kubepods.slice\"], \"containerdNamespace\": true}",
  .parse_options = cgroups_path_parse,
  .free_options = cgroups_path_options_free,
  .evaluate = cgroups_path_evaluate,
  .disarm_refused = true,
  .disarm_unjudged = cgroups_path_disarm_unjudged,
};
