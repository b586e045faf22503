/* seccomp: the deny list judged on the profile's BPF program.  A call of
 * the list that the program allows whatever its arguments (bpf_judge())
 * is a finding naming what allows it; when bpf_judge() cannot tell, a
 * plain reading of the profile decides.  The verdicts are kept with the
 * build, per system call number, for the next judgement of the same
 * program.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "rules/seccomp/bpf.h"
#include "rules/seccomp/cache.h"
#include "rules/seccomp/seccomp_internal.h"

/* The plain reading, when bpf_judge() is unsure: the first unconditional
 * rule for the name decides (libseccomp keeps the first one); with no rule
 * at all the default does; with only conditional rules, the call is not
 * allowed unconditionally. */
static bool
json_allows (const struct sc_profile *p, const char *name)
{
  uint32_t def = sc_default_value (p);
  bool named = false;
  for (size_t i = 0; i < p->n_entries; i++)
    {
      const struct sc_entry *e = &p->entries[i];
      uint32_t action = sc_entry_value (e);
      if (action == def)
        continue;
      for (size_t k = 0; k < e->n_names; k++)
        if (strcmp (sc_name_at (e, k), name) == 0)
          {
            if (e->n_args == 0)
              return sc_action_allows (action);
            named = true;
            break;
          }
    }
  return !named && sc_action_allows (def);
}

/* The entries that allow a call: the first unconditional allowing rule
 * and the first conditional one (SIZE_MAX when none), each with the
 * index of the name in it. */
struct allowing
{
  size_t uncond, uncond_k, cond, cond_k;
};

static struct allowing
find_allowing (const struct sc_profile *p, const char *name)
{
  struct allowing a = { SIZE_MAX, 0, SIZE_MAX, 0 };
  uint32_t def = sc_default_value (p);
  for (size_t i = 0; i < p->n_entries; i++)
    {
      const struct sc_entry *e = &p->entries[i];
      uint32_t action = sc_entry_value (e);
      if (action == def || !sc_action_allows (action))
        continue;
      for (size_t k = 0; k < e->n_names; k++)
        {
          if (strcmp (sc_name_at (e, k), name) != 0)
            continue;
          if (e->n_args == 0)
            {
              a.uncond = i;
              a.uncond_k = k;
              return a;
            }
          if (a.cond == SIZE_MAX)
            {
              a.cond = i;
              a.cond_k = k;
            }
          break;
        }
    }
  return a;
}

/* Name what allows the call: the first unconditional allowing rule, else
 * the first conditional one, else the default action. */
static void
blame (const struct sc_profile *p, const char *name, struct judge *j)
{
  struct allowing a = find_allowing (p, name);
  if (a.uncond != SIZE_MAX)
    {
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names/%zu", a.uncond, a.uncond_k);
      sc_add_finding (j, j->deny_act, pointer,
                      "seccomp profile allows %s unconditionally (linux.seccomp.syscalls[%zu]: names include "
                      "\"%s\", action %s, no argument conditions); remove it or make it SCMP_ACT_ERRNO",
                      name, a.uncond, name, p->entries[a.uncond].action);
      return;
    }
  if (a.cond != SIZE_MAX)
    {
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names/%zu", a.cond, a.cond_k);
      sc_add_finding (
          j, j->deny_act, pointer,
          "seccomp profile allows %s unconditionally (linux.seccomp.syscalls[%zu]: names include \"%s\", "
          "action %s, with argument conditions that, with the other rules for it, match every call); narrow "
          "the conditions or make the rules SCMP_ACT_ERRNO",
          name, a.cond, name, p->entries[a.cond].action);
      return;
    }
  sc_add_finding (j, j->deny_act, "/linux/seccomp/defaultAction",
                  "seccomp profile allows %s unconditionally (linux.seccomp.defaultAction=%s, and no rule restricts "
                  "\"%s\"); add {\"names\": [\"%s\"], \"action\": \"SCMP_ACT_ERRNO\"} to linux.seccomp.syscalls",
                  name, p->default_action, name, name);
}

/* The calls of the deny list that the engine's default profile allows
 * for one capability the process has, from one entry: the person added
 * the capability, not the calls, so one finding names the flag. */
struct cap_group
{
  int cap;
  size_t entry, name_at; /* the entry, and its first name found */
  struct strbuf names;
  size_t n;
};

struct cap_groups
{
  struct cap_group *g;
  size_t n;
};

static void
cap_groups_release (struct cap_groups *groups)
{
  for (size_t i = 0; i < groups->n; i++)
    strbuf_release (&groups->g[i].names);
  free (groups->g);
}
#define cleanup_cap_groups __attribute__ ((cleanup (cap_groups_release)))

/* Put the call in its capability's group when the engine's default
 * profile allows it for a capability of the process and an entry allows
 * it unconditionally; false when it does not, and blame() says what does. */
static bool
group_by_capability (const struct sc_profile *p, const char *name, const struct judge *j, struct cap_groups *groups,
                     size_t cap_groups_max)
{
  if (j->engine == ENGINE_UNKNOWN)
    return false;
  int cap = engine_profile_capability (j->engine, name, j->caps);
  struct allowing a = find_allowing (p, name);
  if (cap < 0 || a.uncond == SIZE_MAX)
    return false;
  struct cap_group *g = NULL;
  for (size_t i = 0; i < groups->n && g == NULL; i++)
    if (groups->g[i].cap == cap && groups->g[i].entry == a.uncond)
      g = &groups->g[i];
  if (g == NULL)
    {
      if (groups->g == NULL)
        groups->g = xreallocarray (NULL, cap_groups_max, sizeof *groups->g);
      g = &groups->g[groups->n++];
      *g = (struct cap_group){ cap, a.uncond, a.uncond_k, { 0 }, 0 };
    }
  strbuf_appendf (&g->names, "%s%s", g->n++ ? ", " : "", name);
  return true;
}

static void
report_cap_groups (const struct sc_profile *p, const struct cap_groups *groups, struct judge *j)
{
  for (size_t i = 0; i < groups->n; i++)
    {
      const struct cap_group *g = &groups->g[i];
      cleanup_free char *flag = engine_cap_flag (j->engine, true, g->cap);
      cleanup_free char *pointer = xasprintf ("/linux/seccomp/syscalls/%zu/names/%zu", g->entry, g->name_at);
      sc_add_finding (j, j->deny_act, pointer,
                      "`%s` makes %s default seccomp profile allow %s unconditionally (linux.seccomp.syscalls[%zu]: "
                      "action %s, no argument conditions, for %s in process.capabilities); drop it%s, and the profile "
                      "leaves %s out%s",
                      flag, engine_profile_owner (j->engine), g->names.buf, g->entry, p->entries[g->entry].action,
                      cap_name (g->cap), engine_cap_add_all (j->engine) ? " (and ALL, which includes it)" : "",
                      g->n == 1 ? "it" : "them",
                      j->deny_act == ACTION_FIX ? "; under this policy ocigate takes them out of the profile" : "");
    }
}

/* Whether the program allows `name`, a call the native architecture does
 * not have, whatever its arguments on one of the profile's other
 * architectures: i386's stime and clock_settime64 set the clock as
 * settimeofday and clock_settime do, and a process of the container may
 * be a 32-bit one.  The profile's entries hold for every architecture, so
 * only such names need this; their verdicts are not kept (the cache's are
 * by native number). */
static bool
deny_call_allowed_other_arch (const struct sc_profile *p, const char *name, const struct sock_filter *prog, size_t n,
                              struct bpf_states *st)
{
  for (size_t i = 0; i < p->n_archs; i++)
    {
      uint32_t arch = p->arch_tokens[i];
      int nr = arch ? seccomp_syscall_resolve_name_arch (arch, name) : -1;
      if (nr < 0)
        continue;
      enum bpf_verdict bv = bpf_judge (prog, n, arch, (uint32_t)nr, st);
      if (bv == BPF_ALLOWS_ALWAYS || (bv == BPF_UNSURE && json_allows (p, name)))
        return true;
    }
  return false;
}

/* Whether the program allows the call `name` whatever its arguments on
 * the native architecture (or, for a call it does not have, on another of
 * the profile's), reusing what verdicts[] (kept with the build) says and
 * filling in what it did not (*judged then true). */
static bool
deny_call_allowed (const struct sc_profile *p, const char *name, const struct sock_filter *prog, size_t n,
                   signed char verdicts[SECCOMP_CACHE_VERDICTS], struct bpf_states *st, bool *judged)
{
  uint32_t native = seccomp_arch_native ();
  int nr = seccomp_syscall_resolve_name_arch (native, name);
  if (nr < 0)
    return deny_call_allowed_other_arch (p, name, prog, n, st);
  enum bpf_verdict bv;
  if (nr < SECCOMP_CACHE_VERDICTS && verdicts[nr] >= 0)
    bv = (enum bpf_verdict)verdicts[nr];
  else
    {
      bv = bpf_judge (prog, n, native, (uint32_t)nr, st);
      if (nr < SECCOMP_CACHE_VERDICTS)
        {
          verdicts[nr] = (signed char)bv;
          *judged = true;
        }
    }
  return bv == BPF_ALLOWS_ALWAYS || (bv == BPF_UNSURE && json_allows (p, name));
}

/* Judge each call of the deny list; true when verdicts[] was filled in. */
static bool
judge_deny (const struct sc_profile *p, const struct seccomp_options *o, const struct sock_filter *prog, size_t n,
            signed char verdicts[SECCOMP_CACHE_VERDICTS], struct judge *j)
{
  cleanup_bpf_states struct bpf_states st = { 0 };
  cleanup_cap_groups struct cap_groups groups = { 0 };
  bool judged = false;
  for (size_t d = 0; d < o->n_deny; d++)
    if (deny_call_allowed (p, o->deny[d], prog, n, verdicts, &st, &judged)
        && !group_by_capability (p, o->deny[d], j, &groups, o->n_deny))
      blame (p, o->deny[d], j);
  report_cap_groups (p, &groups, j);
  return judged;
}

int
sc_compile_and_judge (const struct sc_profile *p, const struct seccomp_options *o, struct judge *j,
                      ocigate_error_t *err)
{
  size_t key_len = 0;
  cleanup_free char *key = sc_build_key (p, &key_len);
  cleanup_sc_built struct seccomp_built b = { 0 };
  bool fresh = false;
  enum compiled r = sc_compile_bpf (p, key, key_len, &b, &fresh, j, err);
  if (r == COMPILE_FAILED)
    return -1;
  /* A new build is kept (a time-out is not: it may come from a loaded
   * machine), and so are the verdicts judged now, with the program. */
  bool judged = r == COMPILE_READY && judge_deny (p, o, b.prog, b.len / sizeof (struct sock_filter), b.verdicts, j);
  if ((fresh && !j->timed_out) || judged)
    seccomp_cache_put (key, key_len, &b);
  return 0;
}

int
sc_deny_allowed (const struct sc_profile *p, const struct seccomp_options *o, char ***out, ocigate_error_t *err)
{
  size_t key_len = 0;
  cleanup_free char *key = sc_build_key (p, &key_len);
  cleanup_sc_built struct seccomp_built b = { 0 };
  cleanup_verdict struct verdict scratch = { 0 };
  struct judge j = { .v = &scratch, .id = "seccomp", .act = ACTION_DENY, .deny_act = ACTION_DENY };
  bool fresh = false;
  enum compiled r = sc_compile_bpf (p, key, key_len, &b, &fresh, &j, err);
  if (r == COMPILE_FAILED)
    return -1;
  if (r == COMPILE_REFUSED)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "the seccomp profile could not be built again: %s",
                               scratch.n_findings ? scratch.findings[0].message : "no reason given");
  cleanup_bpf_states struct bpf_states st = { 0 };
  cleanup_strv char **allowed = xzalloc ((o->n_deny + 1) * sizeof *allowed);
  size_t n_allowed = 0;
  bool judged = false;
  for (size_t d = 0; d < o->n_deny; d++)
    if (deny_call_allowed (p, o->deny[d], b.prog, b.len / sizeof (struct sock_filter), b.verdicts, &st, &judged))
      allowed[n_allowed++] = xstrdup (o->deny[d]);
  if ((fresh && !j.timed_out) || judged)
    seccomp_cache_put (key, key_len, &b);
  *out = steal_pointer (&allowed);
  return 0;
}
