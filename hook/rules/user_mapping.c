/* user.mapping: user namespace mappings land on unused, unprivileged host IDs.
 * OWASP Docker Top 10 D01 ("use user IDs which haven't been taken yet").
 *
 * An ID is taken when a host account has it, and also when /etc/subuid
 * (/etc/subgid) gives it to a user: newuidmap lets that user map it into
 * a user namespace of their own, become it there, and so own whatever the
 * container's IDs own on the host (its files, its bundle).  The ranges of
 * the engines' own users (option allowRangesOf: Docker's dockremap,
 * Podman's and CRI-O's containers, the kubelet's kubelet), of root, and of
 * the user ocigate runs as (a rootless engine maps onto its user's
 * ranges) are the container's to use.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "core/rule.h"
#include "rules/userns.h"

struct user_mapping_options
{
  char **allow_ranges_of; /* user names, or decimal UIDs */
  size_t n_allow_ranges_of;
};

static void
user_mapping_options_free (void *p)
{
  struct user_mapping_options *o = p;
  if (o == NULL)
    return;
  cleanup_strvp (&o->allow_ranges_of);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (user_mapping_options, user_mapping_options_free)
#define cleanup_user_mapping_options __attribute__ ((cleanup (cleanup_user_mapping_optionsp)))

static int
user_mapping_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "allowRangesOf", NULL };
  if (rule_options_check_keys (opts, where, keys, err) < 0)
    return -1;
  json_object *v = json_get (opts, "allowRangesOf");
  if (v == NULL || !json_object_is_type (v, json_type_array))
    return policy_where_error (where, "allowRangesOf", -1, err, "must be an array of user names");
  size_t n = json_object_array_length (v);
  if (n > OCIGATE_MAX_LIST)
    return policy_where_error (where, "allowRangesOf", -1, err, "%zu names, more than the limit of %d", n,
                               OCIGATE_MAX_LIST);
  cleanup_user_mapping_options struct user_mapping_options *o = xzalloc (sizeof *o);
  o->allow_ranges_of = xzalloc ((n + 1) * sizeof *o->allow_ranges_of);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (v, i);
      const char *name = json_object_is_type (e, json_type_string) ? json_object_get_string (e) : "";
      /* What can stand first on a line of /etc/subuid. */
      if (name[0] == '\0' || strpbrk (name, ":\n") != NULL || strlen (name) > 256)
        return policy_where_error (where, "allowRangesOf", (long)i, err,
                                   "must be a user name as /etc/subuid names it (a string of 1 to 256 characters "
                                   "without \":\" or a newline)");
      o->allow_ranges_of[i] = xstrdup (name);
      o->n_allow_ranges_of++;
    }
  *out = steal_pointer (&o);
  return 0;
}

/* The kernel rejects a mapping whose last ID wraps past 2^32-1. */
static bool
range_overflows (uint32_t first, uint32_t size)
{
  return (uint64_t)first + size > UINT32_MAX;
}

static bool
ranges_overlap (uint32_t a, uint32_t a_size, uint32_t b, uint32_t b_size)
{
  return (uint64_t)a < (uint64_t)b + b_size && (uint64_t)b < (uint64_t)a + a_size;
}

/* An owner in /etc/subuid given as a UID rather than a name. */
static bool
owner_is_uid (const char *owner)
{
  return owner[strspn (owner, "0123456789")] == '\0';
}

/* Whether a subordinate range's owner may lend its IDs to containers:
 * root, the user ocigate runs as (self, with its name self_name when it
 * has one), or a user of allowRangesOf.  The owner is a user name or a
 * decimal UID; either matches the other through /etc/passwd. */
static bool
owner_may_lend (const struct rule_context *ctx, const struct user_mapping_options *o, uint32_t self,
                const char *self_name, const char *owner)
{
  const char *name = owner;
  if (owner_is_uid (owner))
    {
      unsigned long uid = strtoul (owner, NULL, 10);
      if (uid == 0 || uid == self)
        return true;
      name = uid <= UINT32_MAX ? host_user_name (ctx->host, (uint32_t)uid) : NULL;
    }
  if (name && (strcmp (name, "root") == 0 || (self_name && strcmp (name, self_name) == 0)))
    return true;
  for (size_t i = 0; i < o->n_allow_ranges_of; i++)
    if (strcmp (owner, o->allow_ranges_of[i]) == 0 || (name && strcmp (name, o->allow_ranges_of[i]) == 0))
      return true;
  return false;
}

/* The subordinate ranges (of /etc/subgid when gid) whose owners may not
 * lend them, decided once per range rather than once per mapping: a
 * config may hold hundreds of mappings and a host thousands of ranges. */
static int
foreign_ranges (const struct rule_context *ctx, const struct user_mapping_options *o, bool gid,
                const struct host_subid_range ***out, size_t *n_out, ocigate_error_t *err)
{
  const struct host_subid_range *ranges = NULL;
  const struct host_account *users = NULL;
  size_t n = 0, n_users = 0;
  /* Owners' names and UIDs meet in /etc/passwd. */
  if (host_accounts (ctx->host, false, &users, &n_users, err) < 0
      || host_subid_ranges (ctx->host, gid, &ranges, &n, err) < 0)
    return -1;
  uint32_t self = (uint32_t)ctx->host->euid;
  const char *self_name = host_user_name (ctx->host, self);
  const struct host_subid_range **foreign = xreallocarray (NULL, n + 1, sizeof (const struct host_subid_range *));
  size_t n_foreign = 0;
  for (size_t i = 0; i < n; i++)
    if (!owner_may_lend (ctx, o, self, self_name, ranges[i].owner))
      foreign[n_foreign++] = &ranges[i];
  *out = foreign;
  *n_out = n_foreign;
  return 0;
}

/* The lowest-starting of the ranges that overlaps the size IDs from
 * first, or NULL. */
static const struct host_subid_range *
first_overlap (const struct host_subid_range *const *ranges, size_t n, uint32_t first, uint32_t size)
{
  const struct host_subid_range *hit = NULL;
  for (size_t i = 0; i < n; i++)
    {
      const struct host_subid_range *r = ranges[i];
      if ((uint64_t)first + size <= r->start || r->last < first)
        continue;
      if (hit == NULL || r->start < hit->start)
        hit = r;
    }
  return hit;
}

/* "dockremap, containers or no user" */
static char *
lenders_text (const struct user_mapping_options *o)
{
  cleanup_strbuf struct strbuf sb = { 0 };
  for (size_t i = 0; i < o->n_allow_ranges_of; i++)
    {
      strbuf_append (&sb, o->allow_ranges_of[i]);
      strbuf_append (&sb, i + 1 < o->n_allow_ranges_of ? ", " : " or ");
    }
  strbuf_append (&sb, "no user");
  return strbuf_steal (&sb);
}

/* Where the mappings judged come from: the config's linux.uidMappings
 * (gidMappings), or the uid_map (gid_map) of a namespace the container
 * joins or is really in, which the runtime uses instead. */
struct map_source
{
  const struct id_mapping *maps;
  size_t n;
  const char *joined;  /* NULL: the config's; else the namespace's name */
  const char *pointer; /* the joined namespace's entry */
};

/* "linux.uidMappings[2]" or "line 3 of the uid_map of NAMESPACE". */
static char *
map_label (const struct map_source *src, bool gid, size_t i)
{
  if (src->joined == NULL)
    return xasprintf ("linux.%s[%zu]", gid ? "gidMappings" : "uidMappings", i);
  return xasprintf ("line %zu of the %s of %s", i + 1, gid ? "gid_map" : "uid_map", src->joined);
}

static int
check_mappings (const struct rule_context *ctx, const struct rule_setting *s, bool gid, const struct map_source *src,
                struct verdict *v, ocigate_error_t *err)
{
  const struct user_mapping_options *opts = s->options;
  /* Read when a mapping first needs them. */
  cleanup_free const struct host_subid_range **foreign = NULL;
  size_t n_foreign = 0;
  const struct id_mapping *maps = src->maps;
  size_t n = src->n;
  const char *key = gid ? "gidMappings" : "uidMappings";
  const char *kind = gid ? "GID" : "UID";
  /* A rootless engine maps container root onto the user who runs it. */
  uint32_t self = gid ? (uint32_t)ctx->host->egid : (uint32_t)ctx->host->euid;

  for (size_t i = 0; i < n; i++)
    {
      const struct id_mapping *m = &maps[i];
      cleanup_free char *pointer = src->joined ? xstrdup (src->pointer) : xasprintf ("/linux/%s/%zu", key, i);
      cleanup_free char *label = map_label (src, gid, i);
      if (m->size == 0)
        {
          verdict_add_finding (v, s->rule->id, s->action, pointer,
                               "mapping maps no IDs (%s%ssize=0); give it a size of 1 or more", label,
                               src->joined ? ": " : ".");
          continue;
        }
      if (range_overflows (m->container_id, m->size) || range_overflows (m->host_id, m->size))
        {
          verdict_add_finding (v, s->rule->id, s->action, pointer,
                               "mapping overflows 32 bits (%s: containerID=%u hostID=%u size=%u); keep "
                               "ID + size at most 4294967295",
                               label, m->container_id, m->host_id, m->size);
          continue;
        }
      uint32_t last = m->host_id + (m->size - 1);
      if (m->host_id == 0)
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "mapping puts container %s %u on host %s 0 (%s: hostID=0 size=%u); map onto "
                             "an unused host range such as one from /etc/sub%cid",
                             kind, m->container_id, kind, label, m->size, gid ? 'g' : 'u');
      for (size_t j = 0; j < i; j++)
        {
          const struct id_mapping *o = &maps[j];
          if (o->size == 0 || range_overflows (o->container_id, o->size) || range_overflows (o->host_id, o->size))
            continue;
          bool host_overlap = ranges_overlap (m->host_id, m->size, o->host_id, o->size);
          bool cont_overlap = ranges_overlap (m->container_id, m->size, o->container_id, o->size);
          if (host_overlap || cont_overlap)
            {
              cleanup_free char *other = map_label (src, gid, j);
              verdict_add_finding (v, s->rule->id, s->action, pointer,
                                   "mapping overlaps %s (%s: %s IDs %u-%u); give each mapping "
                                   "its own container and host range",
                                   other, label, host_overlap ? "host" : "container",
                                   host_overlap ? m->host_id : m->container_id,
                                   host_overlap ? last : m->container_id + (m->size - 1));
            }
        }
      const struct host_account *acc = NULL;
      size_t n_acc = 0;
      if (host_accounts (ctx->host, gid, &acc, &n_acc, err) < 0)
        return -1;
      const struct host_account *hit = NULL;
      for (size_t a = 0; a < n_acc; a++)
        {
          uint32_t id = acc[a].id;
          if (id == 0 || id == self || id < m->host_id || id > last)
            continue;
          if (hit == NULL || id < hit->id)
            hit = &acc[a];
        }
      if (hit)
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "mapping lands on host %s %s (%s %u) (%s: hostID=%u size=%u); map onto IDs no "
                             "host account uses, such as a range from /etc/sub%cid",
                             gid ? "group" : "user", hit->name, kind, hit->id, label, m->host_id, m->size,
                             gid ? 'g' : 'u');

      if (foreign == NULL && foreign_ranges (ctx, opts, gid, &foreign, &n_foreign, err) < 0)
        return -1;
      const struct host_subid_range *r = first_overlap (foreign, n_foreign, m->host_id, m->size);
      if (r)
        {
          uint32_t from = r->start > m->host_id ? r->start : m->host_id;
          uint32_t to = r->last < last ? r->last : last;
          cleanup_free char *lenders = lenders_text (opts);
          verdict_add_finding (v, s->rule->id, s->action, pointer,
                               "mapping lands on host %ss %u-%u, which /etc/sub%cid gives to %s%s: new%cidmap lets "
                               "that user become them (%s: hostID=%u size=%u); map onto a range of %s, or "
                               "add %s to rules.user.mapping.allowRangesOf",
                               kind, from, to, gid ? 'g' : 'u', owner_is_uid (r->owner) ? "UID " : "", r->owner,
                               gid ? 'g' : 'u', label, m->host_id, m->size, lenders, r->owner);
        }
    }
  return 0;
}

/* Whoever owns a user namespace holds every capability over it: a
 * container in a namespace an ordinary user created is that user's to
 * enter, trace and change.  Only root, or the user ocigate runs as (a
 * rootless engine's namespaces are its user's), may own it. */
static void
check_owner (const struct rule_context *ctx, const struct rule_setting *s, const struct userns_view *view,
             const char *name, const char *pointer, struct verdict *v)
{
  uid_t owner = 0;
  cleanup_free char *why = NULL;
  if (live_userns_owner (view->ns_path, &owner, &why) < 0)
    {
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "cannot tell who owns %s (%s); let the runtime create the user namespace", name, why);
      return;
    }
  if (owner == 0 || owner == ctx->host->euid)
    return;
  const struct host_account *users = NULL;
  size_t n_users = 0;
  cleanup_error ocigate_error_t err = NULL;
  const char *user = host_accounts (ctx->host, false, &users, &n_users, &err) == 0
                         ? host_user_name (ctx->host, (uint32_t)owner)
                         : NULL;
  verdict_add_finding (v, s->rule->id, s->action, pointer,
                       "container is in a user namespace that UID %u%s%s%s owns (%s): that user can enter, trace and "
                       "change every process in it; join a user namespace root created, or let the runtime create "
                       "one (drop the path)",
                       (unsigned)owner, user ? " (" : "", user ? user : "", user ? ")" : "", name);
}

static int
user_mapping_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                       ocigate_error_t *err)
{
  const struct oci_config *cfg = ctx->config;
  cleanup_userns_view struct userns_view view;
  userns_view_init (&view, ctx);
  if (view.kind != USERNS_JOINED)
    {
      struct map_source uids = { .maps = cfg->uid_mappings, .n = cfg->n_uid_mappings };
      struct map_source gids = { .maps = cfg->gid_mappings, .n = cfg->n_gid_mappings };
      if (check_mappings (ctx, s, false, &uids, v, err) < 0 || check_mappings (ctx, s, true, &gids, v, err) < 0)
        return -1;
      return 0;
    }
  /* The runtime ignores the config's mappings for a namespace it joins:
   * what counts is the namespace's own, and who owns it. */
  cleanup_free char *name = userns_view_name (&view, ctx);
  const struct ns_entry *ns = &cfg->ns[NS_USER];
  cleanup_free char *pointer
      = ns->present ? xasprintf ("/linux/namespaces/%zu%s", ns->index, ns->path ? "/path" : "") : xstrdup ("/linux");
  check_owner (ctx, s, &view, name, pointer, v);
  if (view.n_uid_maps == 0 || view.n_gid_maps == 0)
    verdict_add_finding (v, s->rule->id, s->action, pointer,
                         "%s has no %s yet: whoever writes it first decides where the container's IDs land; join a "
                         "namespace whose mappings are written, or let the runtime create one",
                         name, view.n_uid_maps == 0 ? "uid_map" : "gid_map");
  struct map_source uids = { .maps = view.uid_maps, .n = view.n_uid_maps, .joined = name, .pointer = pointer };
  struct map_source gids = { .maps = view.gid_maps, .n = view.n_gid_maps, .joined = name, .pointer = pointer };
  if (check_mappings (ctx, s, false, &uids, v, err) < 0 || check_mappings (ctx, s, true, &gids, v, err) < 0)
    return -1;
  return 0;
}

const struct rule rule_user_mapping = {
  .id = "user.mapping",
  .summary = "uid/gid mappings onto host ID 0, overlapping, overflowing, or onto IDs of host accounts or of "
             "users' subordinate ranges",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"allowRangesOf\": [\"dockremap\", \"containers\", \"kubelet\"]}",
  .parse_options = user_mapping_parse,
  .free_options = user_mapping_options_free,
  .evaluate = user_mapping_evaluate,
};
