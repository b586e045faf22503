/* user.mapping: user namespace mappings land on unused, unprivileged host IDs.
 * OWASP Docker Top 10 D01 ("use user IDs which haven't been taken yet").
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>

#include "rule.h"

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

static int
check_mappings (const struct rule_context *ctx, const struct rule_setting *s, bool gid, struct verdict *v,
                ocigate_error_t *err)
{
  const struct oci_config *cfg = ctx->config;
  const struct id_mapping *maps = gid ? cfg->gid_mappings : cfg->uid_mappings;
  size_t n = gid ? cfg->n_gid_mappings : cfg->n_uid_mappings;
  const char *key = gid ? "gidMappings" : "uidMappings";
  const char *kind = gid ? "GID" : "UID";
  /* A rootless engine maps container root onto the user who runs it. */
  uint32_t self = gid ? (uint32_t)ctx->host->egid : (uint32_t)ctx->host->euid;

  for (size_t i = 0; i < n; i++)
    {
      const struct id_mapping *m = &maps[i];
      cleanup_free char *pointer = xasprintf ("/linux/%s/%zu", key, i);
      if (m->size == 0)
        {
          verdict_add_finding (v, s->rule->id, s->action, pointer,
                               "mapping maps no IDs (linux.%s[%zu].size=0); give it a size of 1 or more", key, i);
          continue;
        }
      if (range_overflows (m->container_id, m->size) || range_overflows (m->host_id, m->size))
        {
          verdict_add_finding (v, s->rule->id, s->action, pointer,
                               "mapping overflows 32 bits (linux.%s[%zu]: containerID=%u hostID=%u size=%u); keep "
                               "ID + size at most 4294967295",
                               key, i, m->container_id, m->host_id, m->size);
          continue;
        }
      uint32_t last = m->host_id + (m->size - 1);
      if (m->host_id == 0)
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "mapping puts container %s %u on host %s 0 (linux.%s[%zu]: hostID=0 size=%u); map onto "
                             "an unused host range such as one from /etc/sub%cid",
                             kind, m->container_id, kind, key, i, m->size, gid ? 'g' : 'u');
      for (size_t j = 0; j < i; j++)
        {
          const struct id_mapping *o = &maps[j];
          if (o->size == 0 || range_overflows (o->container_id, o->size) || range_overflows (o->host_id, o->size))
            continue;
          bool host_overlap = ranges_overlap (m->host_id, m->size, o->host_id, o->size);
          bool cont_overlap = ranges_overlap (m->container_id, m->size, o->container_id, o->size);
          if (host_overlap || cont_overlap)
            verdict_add_finding (v, s->rule->id, s->action, pointer,
                                 "mapping overlaps linux.%s[%zu] (linux.%s[%zu]: %s IDs %u-%u); give each mapping "
                                 "its own container and host range",
                                 key, j, key, i, host_overlap ? "host" : "container",
                                 host_overlap ? m->host_id : m->container_id,
                                 host_overlap ? last : m->container_id + (m->size - 1));
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
                             "mapping lands on host %s %s (%s %u) (linux.%s[%zu]: hostID=%u size=%u); map onto IDs no "
                             "host account uses, such as a range from /etc/sub%cid",
                             gid ? "group" : "user", hit->name, kind, hit->id, key, i, m->host_id, m->size,
                             gid ? 'g' : 'u');
    }
  return 0;
}

static int
user_mapping_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v,
                       ocigate_error_t *err)
{
  if (check_mappings (ctx, s, false, v, err) < 0 || check_mappings (ctx, s, true, v, err) < 0)
    return -1;
  return 0;
}

const struct rule rule_user_mapping = {
  .id = "user.mapping",
  .summary = "uid/gid mappings onto host ID 0, overlapping, overflowing, or onto IDs of host accounts",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .evaluate = user_mapping_evaluate,
};
