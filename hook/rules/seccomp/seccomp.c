/* seccomp: the container runs under a seccomp profile that the runtimes can
 * build and that does not allow the kernel-escape system calls outright.
 * OWASP Docker Top 10 D04; CIS Docker v1.6.0 5.22; Pod Security baseline/restricted.
 *
 * What it judges in linux.seccomp (runtime-spec):
 *
 *  - A profile is there.  Absent or null (--security-opt seccomp=unconfined)
 *    is a finding, and so is an object with no defaultAction and no
 *    syscalls, which runc reads as "no seccomp" (crun refuses it).  "fix"
 *    inserts the profile of the option `profile`, a file in Podman's format
 *    (containers/common seccomp.json, which also reads Docker's), translated
 *    as Podman does: see sc_profile_translate().  The file is read at fix time,
 *    not when the policy loads; if it cannot be read, that is an error.
 *  - defaultAction is not SCMP_ACT_ALLOW or SCMP_ACT_LOG, unless the option
 *    allowDefaultAllow says so.  SCMP_ACT_TRACE and SCMP_ACT_NOTIFY count
 *    as allowing, here and below: a ptracer in the container, or the agent
 *    at listenerPath, can let the call run (sc_action_allows()).
 *  - Every architecture resolves with libseccomp (with or without the
 *    SCMP_ARCH_ prefix, in any case, as crun reads it); every action, flag
 *    and operator is one the runtimes know; argument indexes are 0 to 5;
 *    SCMP_ACT_NOTIFY is neither the default nor used on write(2) (runc
 *    refuses both).
 *  - A system call name libseccomp does not know is a warning whatever the
 *    rule's action: runc and crun skip such names.
 *  - The profile compiles: it is built with libseccomp the way runc builds
 *    it (libcontainer/seccomp: seccomp_init with the default action, the
 *    architectures, one seccomp_rule_add_array per entry and name, unknown
 *    names and entries whose action is the default skipped, conditions on
 *    the same argument split into one rule each) and exported as BPF, in a
 *    child process given SECCOMP_COMPILE_SECONDS (libseccomp can take
 *    minutes on a crafted profile).  It is never loaded.  A step
 *    libseccomp refuses is a finding naming the entry, as is a program
 *    longer than the kernel's 4096 instructions.
 *  - None of the system calls of the option `deny` is allowed
 *    unconditionally on the native architecture (a call it does not have,
 *    as i386's stime, on the profile's other architectures).  This reads the BPF
 *    program libseccomp generated, so it sees what the kernel would do,
 *    rule order and libseccomp's merging included (an unconditional rule
 *    wins over conditional ones; of two unconditional rules, the first
 *    one added stays): bpf_judge() runs the program with the
 *    architecture and system call number known and the arguments
 *    unknown, following every branch some argument value can take.  When
 *    every return it can reach allows (SCMP_ACT_ALLOW, _LOG, _TRACE, _NOTIFY),
 *    the call is allowed whatever its arguments: a finding.  When some
 *    return does not allow, the call is allowed at most conditionally, as
 *    Docker's personality(2) and clone(2) rules: no finding.  Should the
 *    program use something bpf_judge() does not model, a plain reading of
 *    the JSON decides instead (json_allows()).  The finding names the
 *    entry that allows the call, or the default action.
 *
 * The default `deny` list leaves out what the engines' own default
 * profiles allow unconditionally (Docker 20.10, Podman 4.3 with
 * containers-common 0.50, containerd 1.6), as judged on their configs:
 * ptrace (allowed by all three on kernels from 4.8), and mount, umount2,
 * unshare, setns, pivot_root, keyctl, reboot and name_to_handle_at
 * (allowed by Podman's profile, which leaves them to the capability
 * checks).  personality is left out too: it is not a way into the kernel,
 * and Docker allows it for a few arguments.  A policy can list any of them.
 *
 * Limits: 4096 syscall entries, 1024 names per entry, 6 arguments per
 * entry, 64 architectures, 64 flags, and 8192 libseccomp rules in all (see
 * SECCOMP_MAX_RULES in seccomp_internal.h).  A larger profile, or one libseccomp cannot build in
 * time, is not judged: a deny finding, whatever the rule's action.  Wrong
 * JSON types make the config impossible to judge (an input error).
 * "fix" mends the missing profile (it inserts one) and the calls of the
 * deny list a profile allows (it takes them out: seccomp_trim()); the
 * other findings cannot be fixed, and under "fix" they deny.
 *
 * The rule's files, in the order of a judgement:
 *
 *   seccomp.c   the rule: options, whether there is a profile, the
 *               judgement's steps, the fix
 *   memo.c      the findings of a profile, kept for the next config of a
 *               `check` run
 *   profile.c   reading linux.seccomp: types, counts, limits
 *   names.c     the actions, operators, flags and architectures the
 *               runtimes know
 *   checks.c    the checks that need no compiler
 *   build.c     the build with libseccomp, as runc does, in a child; its
 *               BPF program
 *   cache.c     builds kept by their inputs, in memory and on disk
 *   deny.c      the deny list judged on the program
 *   bpf.c       bpf_judge(): what a BPF program does with a system call
 *   podman.c    "fix": Podman's profile format translated as Podman does
 *
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/jsonio.h"
#include "core/rule.h"
#include "rules/seccomp/seccomp_internal.h"

#define DEFAULT_PROFILE "/usr/share/containers/seccomp.json"

/* ------------------------------------------------------------------ */
/* Options                                                              */

static void
seccomp_options_free (void *p)
{
  struct seccomp_options *o = p;
  if (o == NULL)
    return;
  free (o->profile);
  for (size_t i = 0; i < o->n_deny; i++)
    free (o->deny[i]);
  free (o->deny);
  free (o);
}

static void
seccomp_options_release (struct seccomp_options **o)
{
  seccomp_options_free (*o);
}
#define cleanup_seccomp_options __attribute__ ((cleanup (seccomp_options_release)))

static int
seccomp_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "profile", "allowDefaultAllow", "deny", NULL };
  if (rule_options_check_keys (opts, where, keys, err) < 0)
    return -1;
  cleanup_seccomp_options struct seccomp_options *o = xzalloc (sizeof *o);

  /* Only the path is checked here: the file is read when a fix needs it. */
  json_object *profile = json_get (opts, "profile");
  if (profile == NULL || !json_object_is_type (profile, json_type_string) || json_object_get_string (profile)[0] != '/'
      || json_object_get_string_len (profile) >= PATH_MAX)
    return policy_where_error (where, "profile", -1, err,
                               "must be the absolute path of a seccomp profile (a string starting with /)");
  o->profile = xstrdup (json_object_get_string (profile));

  if (rule_option_bool (opts, "allowDefaultAllow", where, &o->allow_default_allow, err) < 0)
    return -1;

  json_object *deny = json_get (opts, "deny");
  if (deny == NULL || !json_object_is_type (deny, json_type_array))
    return policy_where_error (where, "deny", -1, err, "must be an array of system call names");
  size_t n = json_object_array_length (deny);
  if (n > SECCOMP_MAX_DENY)
    return policy_where_error (where, "deny", -1, err, "%zu names, more than the limit of %d", n, SECCOMP_MAX_DENY);
  o->deny = xreallocarray (NULL, n ? n : 1, sizeof *o->deny);
  for (size_t i = 0; i < n; i++)
    {
      json_object *name = json_object_array_get_idx (deny, i);
      if (name == NULL || !json_object_is_type (name, json_type_string))
        return policy_where_error (where, "deny", (long)i, err, "must be a system call name (string)");
      const char *s = json_object_get_string (name);
      if (seccomp_syscall_resolve_name (s) == __NR_SCMP_ERROR)
        return policy_where_error (where, "deny", (long)i, err,
                                   "unknown system call \"%s\" (libseccomp does not know it; names are as in the "
                                   "manual, as kexec_load)",
                                   s);
      o->deny[o->n_deny++] = xstrdup (s);
    }
  *out = steal_pointer (&o);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Evaluate                                                             */

enum presence
{
  SC_ABSENT,
  SC_NULL,
  SC_EMPTY, /* no defaultAction, no syscalls: runc sets no filter */
  SC_PRESENT,
};

static enum presence
seccomp_presence (json_object *root, json_object **out)
{
  json_object *linux_ = json_get (root, "linux");
  json_object *sc = NULL;
  *out = NULL;
  if (linux_ == NULL || !json_object_is_type (linux_, json_type_object)
      || !json_object_object_get_ex (linux_, "seccomp", &sc))
    return SC_ABSENT;
  if (sc == NULL)
    return SC_NULL;
  *out = sc;
  if (json_object_is_type (sc, json_type_object))
    {
      json_object *da = json_get (sc, "defaultAction");
      json_object *sys = json_get (sc, "syscalls");
      bool no_default
          = da == NULL || (json_object_is_type (da, json_type_string) && json_object_get_string_len (da) == 0);
      bool no_syscalls
          = sys == NULL || (json_object_is_type (sys, json_type_array) && json_object_array_length (sys) == 0);
      if (no_default && no_syscalls)
        return SC_EMPTY;
    }
  return SC_PRESENT;
}

static int
seccomp_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  const struct seccomp_options *o = s->options;
  json_object *sc;
  enum presence pr = seccomp_presence (ctx->config->root, &sc);
  if (pr != SC_PRESENT)
    {
      verdict_add_finding (v, s->rule->id, s->action, "/linux/seccomp", "no seccomp profile (%s); %s",
                           pr == SC_ABSENT ? "linux.seccomp is absent, as with --security-opt seccomp=unconfined"
                           : pr == SC_NULL ? "linux.seccomp is null, as with --security-opt seccomp=unconfined"
                                           : "linux.seccomp has no defaultAction and no syscalls, which runc reads "
                                             "as no profile",
                           rule_hint (rule_engine (ctx), HINT_NO_SECCOMP,
                                      "give it one: the engine's default (drop seccomp=unconfined; ctr run --seccomp) "
                                      "or its own"));
      return 0;
    }
  capmask_t caps = 0;
  for (int set = 0; set < CAPSET__COUNT; set++)
    caps |= ctx->config->caps[set];
  struct judge j = { .v = v,
                     .id = s->rule->id,
                     .act = s->action == ACTION_FIX ? ACTION_DENY : s->action,
                     .deny_act = s->action,
                     .engine = rule_engine (ctx),
                     .caps = caps };
  cleanup_sc_outcome_key struct sc_outcome_key key = { 0 };
  if (sc_outcome_lookup (sc, o, s->action, &j, &key, v))
    return 0; /* the findings of the same profile, judged before */
  cleanup_sc_profile struct sc_profile p = { 0 };
  cleanup_sc_too_large struct sc_too_large big = { 0 };
  enum profile_parsed r = sc_profile_parse (sc, &p, &big, err);
  if (r == PROFILE_FAILED)
    return -1;
  if (r == PROFILE_TOO_LARGE)
    {
      /* Not judged, so not allowed, whatever the rule's action. */
      verdict_add_finding (v, s->rule->id, ACTION_DENY, big.pointer,
                           "seccomp profile too large (%s); ocigate does not judge profiles this large: shorten it",
                           big.what);
      return 0;
    }
  size_t before = v->n_findings;
  sc_check_static (&p, o, &j);
  if (!j.invalid && sc_compile_and_judge (&p, o, &j, err) < 0)
    return -1; /* (when j.invalid, runc and crun refuse it: nothing more to learn by compiling) */
  if (!j.timed_out)
    sc_outcome_keep (sc, &key, v, before);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Fix                                                                  */

/* One step of the fix of a profile that is there (the engine's, or the
 * one just inserted): every call of the deny list that the profile allows
 * whatever its arguments is taken out of every entry whose action allows
 * it and that has no argument conditions, or, with `conditional`, out of
 * every entry whose action allows it; an entry left without names goes.
 * With `conditional`, where the default action allows too
 * (allowDefaultAllow), one entry returning EPERM for the calls is added.
 *
 * seccomp_apply() takes the unconditional entries first and the others
 * only for a call still allowed after that: Docker allows clone
 * unconditionally for --cap-add SYS_ADMIN and for some flags to every
 * container, and taking the second entry too would leave the container
 * unable to fork, should a policy list clone. */
static int
trim_step (struct rule_context *ctx, const struct rule_setting *s, json_object *sc, bool conditional,
           ocigate_error_t *err)
{
  const struct seccomp_options *o = s->options;
  cleanup_sc_profile struct sc_profile p = { 0 };
  cleanup_sc_too_large struct sc_too_large big = { 0 };
  enum profile_parsed parsed = sc_profile_parse (sc, &p, &big, err);
  if (parsed == PROFILE_FAILED)
    return -1;
  if (parsed == PROFILE_TOO_LARGE)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "seccomp profile too large to trim (%s)", big.what);
  cleanup_strv char **allowed = NULL;
  if (sc_deny_allowed (&p, o, &allowed, err) < 0)
    return -1;
  if (allowed[0] == NULL)
    return 0;

  /* First what goes, said in the profile's indexes as they are now; then
   * the tree is changed from the last entry back, so those indexes hold. */
  uint32_t def = sc_default_value (&p);
  cleanup_free bool *trimmed = xzalloc ((p.n_entries ? p.n_entries : 1) * sizeof *trimmed);
  cleanup_free bool *emptied = xzalloc ((p.n_entries ? p.n_entries : 1) * sizeof *emptied);
  for (size_t i = 0; i < p.n_entries; i++)
    {
      const struct sc_entry *e = &p.entries[i];
      uint32_t action = sc_entry_value (e);
      if (action == def || !sc_action_allows (action) || (e->n_args > 0 && !conditional))
        continue; /* (runc skips an entry with the default action) */
      cleanup_strbuf struct strbuf taken = { 0 };
      size_t n_taken = 0;
      for (size_t k = 0; k < e->n_names; k++)
        if (strv_contains (allowed, sc_name_at (e, k)))
          strbuf_appendf (&taken, "%s%s", n_taken++ ? ", " : "", sc_name_at (e, k));
      if (n_taken == 0)
        continue;
      trimmed[i] = true;
      emptied[i] = n_taken == e->n_names;
      fix_notes_add (ctx->notes, s->rule->id, "took %s out of linux.seccomp.syscalls[%zu] (action %s%s)%s", taken.buf,
                     i, e->action, e->n_args ? ", with argument conditions" : "",
                     emptied[i] ? ", and that entry, left with no names" : "");
    }
  json_object *syscalls = json_get (sc, "syscalls");
  for (size_t i = p.n_entries; i-- > 0;)
    {
      const struct sc_entry *e = &p.entries[i];
      if (!trimmed[i])
        continue;
      if (emptied[i])
        json_object_array_del_idx (syscalls, i, 1);
      else
        for (size_t k = e->n_names; k-- > 0;)
          if (strv_contains (allowed, sc_name_at (e, k)))
            json_object_array_del_idx (e->names, k, 1);
    }

  cleanup_strbuf struct strbuf all = { 0 };
  for (char **a = allowed; *a; a++)
    strbuf_appendf (&all, "%s%s", a == allowed ? "" : ", ", *a);
  if (!sc_action_allows (def))
    {
      fix_notes_add (ctx->notes, s->rule->id, "the default action %s now decides %s", p.default_action, all.buf);
      return 0;
    }
  if (!conditional)
    return 0; /* the next step takes the rest and adds the entry */
  json_object *names = json_object_new_array ();
  for (char **a = allowed; *a; a++)
    json_object_array_add (names, json_object_new_string (*a));
  json_object *entry = json_object_new_object ();
  json_object_object_add (entry, "names", names);
  json_object_object_add (entry, "action", json_object_new_string ("SCMP_ACT_ERRNO"));
  json_object_object_add (entry, "errnoRet", json_object_new_int (EPERM));
  if (syscalls == NULL)
    {
      syscalls = json_object_new_array ();
      json_object_object_add (sc, "syscalls", syscalls);
    }
  json_object_array_add (syscalls, entry);
  fix_notes_add (ctx->notes, s->rule->id, "added an entry returning EPERM for %s (the default action %s allows them)",
                 all.buf, p.default_action);
  return 0;
}

/* The fix of a profile that is there: the calls of the deny list it
 * allows go, so that the default action decides them (trim_step()).
 *
 * Why this and not a profile derived again from the engine's template for
 * the capabilities kept: the engines add bpf, perf_event_open,
 * init_module and the like to their profile for --cap-add SYS_ADMIN,
 * SYS_MODULE or ALL, as unconditional allow entries, and once
 * `capabilities` has trimmed those capabilities these entries are left
 * over.  Taking the deny list's calls out removes exactly what the policy
 * says must not be allowed, on any profile (Docker's, Podman's,
 * containerd's or a person's own), and keeps every other entry as it was
 * written; a template would have to be the engine's own version, which
 * ocigate cannot know.  What the same entries allow besides (mount,
 * setns, unshare for SYS_ADMIN) stays allowed by the profile and is left
 * to the kernel's capability checks, as Podman's own profile leaves it;
 * a policy that lists those calls in `deny` has them taken out too.  The
 * result is judged again before it is used (ocigate_apply_fixes()). */
static int
seccomp_trim (struct rule_context *ctx, const struct rule_setting *s, json_object *sc, ocigate_error_t *err)
{
  if (trim_step (ctx, s, sc, false, err) < 0 || trim_step (ctx, s, sc, true, err) < 0)
    return -1;
  return 0;
}

static int
seccomp_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  const struct seccomp_options *o = s->options;
  struct oci_config *cfg = ctx->config;
  json_object *sc;
  if (seccomp_presence (cfg->root, &sc) != SC_PRESENT)
    {
      cleanup_json json_object *profile = NULL;
      if (sc_profile_translate (o->profile, cfg, &profile, err) < 0)
        return -1;
      json_object *linux_ = json_get (cfg->root, "linux");
      if (linux_ == NULL)
        {
          linux_ = json_object_new_object ();
          json_object_object_add (cfg->root, "linux", linux_);
        }
      sc = profile;
      json_object_object_add (linux_, "seccomp", steal_pointer (&profile));
      fix_notes_add (ctx->notes, s->rule->id, "added the profile %s", o->profile);
    }
  /* The profile inserted is translated for the capabilities kept, but a
   * file of the policy's can still allow what the deny list names. */
  if (seccomp_trim (ctx, s, sc, err) < 0)
    return -1;
  return oci_config_refresh (cfg, err);
}

const struct rule rule_seccomp = {
  .id = "seccomp",
  .summary = "no seccomp profile, a default action that allows, a profile the runtimes cannot build, or "
             "kernel-escape system calls allowed unconditionally",
  .actions
  = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_FIX) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"profile\": \"" DEFAULT_PROFILE "\", \"allowDefaultAllow\": false, \"deny\": ["
                     "\"kexec_load\", \"kexec_file_load\", \"init_module\", \"finit_module\", \"delete_module\", "
                     "\"open_by_handle_at\", \"bpf\", \"perf_event_open\", \"add_key\", \"request_key\", "
                     "\"userfaultfd\", \"swapon\", \"swapoff\", \"iopl\", \"ioperm\", \"acct\", \"settimeofday\", "
                     "\"clock_settime\", \"lookup_dcookie\", \"quotactl\", \"nfsservctl\", \"quotactl_fd\", \"stime\", "
                     "\"clock_settime64\"]}",
  .parse_options = seccomp_parse,
  .free_options = seccomp_options_free,
  .evaluate = seccomp_evaluate,
  .apply = seccomp_apply,
};
