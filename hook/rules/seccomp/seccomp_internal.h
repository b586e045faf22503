/* ocigate: what the files of the seccomp rule share.  Only
 * rules/seccomp/ includes it; the rule itself is rule_seccomp (seccomp.c).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef OCIGATE_SECCOMP_INTERNAL_H
#define OCIGATE_SECCOMP_INTERNAL_H

#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/field.h"
#include "core/rule.h"

/* The limits on what is judged (README.md "Limits"). */
#define SECCOMP_MAX_SYSCALLS 4096
#define SECCOMP_MAX_NAMES 1024
/* libseccomp 2.5 takes time quadratic in the rules added (16384 take
 * seconds): at most this many, one per name or, when two conditions test
 * one argument, one per name and condition.  Engines' profiles make ~450. */
#define SECCOMP_MAX_RULES 8192
#define SECCOMP_MAX_ARGS 6
#define SECCOMP_MAX_ARCHES 64
#define SECCOMP_MAX_FLAGS 64
#define SECCOMP_MAX_DENY 1024
#define SECCOMP_MAX_PROFILE_BYTES (4u << 20) /* 4 MiB */

/* ------------------------------------------------------------------ */
/* names.c: the names the runtimes know                                 */

/* The actions runc and crun read, as listed in messages. */
#define ACTIONS_KNOWN                                                                                                  \
  "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_ERRNO, SCMP_ACT_TRACE, "        \
  "SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY"

/* The operators runc and crun read, as listed in messages. */
#define OPERATORS_KNOWN                                                                                                \
  "SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, SCMP_CMP_MASKED_EQ"

/* The action called `name`: its index, which the functions below take;
 * -1 when runc and crun do not know it. */
int sc_action_find (const char *name);

/* The libseccomp value of action `act` without its errno (SCMP_ACT_ERRNO
 * is SCMP_ACT_ERRNO (0)). */
uint32_t sc_action_plain (int act);

/* Whether a libseccomp action value lets the call through. */
bool sc_action_allows (uint32_t value);

/* The libseccomp value of action `act` as runc gives it to libseccomp. */
uint32_t sc_action_value (int act, bool has_errno, uint32_t errno_ret);

/* The operator called `name`; 0 when runc and crun do not know it. */
enum scmp_compare sc_operator_find (const char *name);

/* Whether runc or crun knows the filter flag called `name`. */
bool sc_flag_known (const char *name);

/* The libseccomp token of an architecture as runc or crun write it
 * ("SCMP_ARCH_X86_64", also "x86_64" for crun); 0 when unknown. */
uint32_t sc_arch_resolve (const char *name);

/* ------------------------------------------------------------------ */
/* seccomp.c: the rule's options                                        */

struct seccomp_options
{
  char *profile;
  bool allow_default_allow;
  char **deny;
  size_t n_deny;
};

/* ------------------------------------------------------------------ */
/* profile.c: reading linux.seccomp                                     */

struct sc_arg
{
  uint64_t index;
  uint64_t value;
  uint64_t value_two;
  const char *op; /* NULL when absent */
  enum scmp_compare cmp;
};

struct sc_entry
{
  json_object *names; /* NULL when absent */
  size_t n_names;
  const char *action; /* NULL when absent */
  int act;            /* sc_action_find(), -1 when unknown */
  bool has_errno;
  uint32_t errno_ret;
  struct sc_arg args[SECCOMP_MAX_ARGS];
  size_t n_args;
};

/* linux.seccomp as read.  Strings and arrays are the config's tree's;
 * only entries[] is owned. */
struct sc_profile
{
  const char *default_action; /* NULL when absent */
  int default_act;
  bool has_default_errno;
  uint32_t default_errno;
  json_object *archs;
  size_t n_archs;
  uint32_t arch_tokens[SECCOMP_MAX_ARCHES]; /* 0 when unknown */
  json_object *flags;
  size_t n_flags;
  struct sc_entry *entries;
  size_t n_entries;
};

void sc_profile_release (struct sc_profile *p);
#define cleanup_sc_profile __attribute__ ((cleanup (sc_profile_release)))

/* A limit the profile passes: where, and what (owned). */
struct sc_too_large
{
  char *pointer;
  char *what;
};

void sc_too_large_release (struct sc_too_large *big);
#define cleanup_sc_too_large __attribute__ ((cleanup (sc_too_large_release)))

/* What sc_profile_parse() made of linux.seccomp. */
enum profile_parsed
{
  PROFILE_FAILED = -1,   /* a value of a wrong type: *err says which (as ocigate_error_make() returns) */
  PROFILE_PARSED = 0,    /* every type and count checked */
  PROFILE_TOO_LARGE = 1, /* a limit passed: *big says which */
};

/* Read linux.seccomp into *p, checking every type and count. */
enum profile_parsed sc_profile_parse (json_object *sc, struct sc_profile *p, struct sc_too_large *big,
                                      ocigate_error_t *err);

/* Two conditions on one argument: runc adds one rule per condition. */
bool sc_args_repeat_index (const struct sc_entry *e);

/* The action values runc gives libseccomp for the default and an entry. */
uint32_t sc_default_value (const struct sc_profile *p);
uint32_t sc_entry_value (const struct sc_entry *e);

/* The k-th name of an entry. */
static inline const char *
sc_name_at (const struct sc_entry *e, size_t k)
{
  return json_object_get_string (json_object_array_get_idx (e->names, k));
}

/* The lists of a profile, read whatever their length (core/field.h):
 * past SECCOMP_MAX_* a profile is too large to judge, a finding rather
 * than an input error, and a Podman profile file has no limits of its own
 * but its size. */
#define SC_UNCOUNTED (&(const struct field_count){ .max = SIZE_MAX })

/* ------------------------------------------------------------------ */
/* checks.c: what the rule finds                                        */

/* The findings of one judgement. */
struct judge
{
  struct verdict *v;
  const char *id;
  enum action act; /* the rule's action; "fix" cannot mend these: deny */
  /* The action of the deny list's findings: "fix" takes those calls out of
   * the entries that allow them (seccomp_apply()). */
  enum action deny_act;
  size_t invalid; /* findings that make the runtimes refuse the profile */
  bool timed_out; /* libseccomp ran out of time: not a verdict to keep */
  /* The engine that wrote the config and the capabilities the process
   * has: an engine's default profile allows some calls for a capability
   * (--cap-add SYS_MODULE: init_module), and the finding names that flag. */
  enum engine_kind engine;
  capmask_t caps;
};

/* Add a finding of the rule, with a message formatted here. */
void sc_add_finding (struct judge *j, enum action act, const char *pointer, const char *fmt, ...) PRINTF_LIKE (4, 5);

/* The checks that need no compiler: what the runtimes would refuse
 * (counted in j->invalid), a default action that allows, and unknown
 * names (a warning). */
void sc_check_static (const struct sc_profile *p, const struct seccomp_options *o, struct judge *j);

/* ------------------------------------------------------------------ */
/* build.c: the profile built as runc builds it                         */

struct seccomp_built;

/* Every input that decides the program libseccomp builds of p, as bytes:
 * the key of the build in the cache (rules/seccomp/cache.h). */
char *sc_build_key (const struct sc_profile *p, size_t *len);

/* What sc_compile_bpf() gives. */
enum compiled
{
  COMPILE_FAILED = -1, /* an error: *err says (as ocigate_error_make() returns) */
  COMPILE_REFUSED = 0, /* no program to judge: a finding says why */
  COMPILE_READY = 1,   /* the program, in *bp */
};

/* The BPF program of p, built under `key` or kept from an earlier build
 * (*fresh false).  Refused when libseccomp refuses the profile, takes too
 * long (j->timed_out), or makes it too long for the kernel: each a finding
 * in j. */
enum compiled sc_compile_bpf (const struct sc_profile *p, const char *key, size_t key_len, struct seccomp_built *bp,
                              bool *fresh, struct judge *j, ocigate_error_t *err);

void sc_built_release (struct seccomp_built *b);
#define cleanup_sc_built __attribute__ ((cleanup (sc_built_release)))

/* ------------------------------------------------------------------ */
/* deny.c: the deny list judged on the program                          */

/* Build p (build.c) and judge the calls of o->deny on its program: a
 * finding in j for each that it allows unconditionally. */
int sc_compile_and_judge (const struct sc_profile *p, const struct seccomp_options *o, struct judge *j,
                          ocigate_error_t *err);

/* The calls of o->deny that p allows whatever their arguments (what
 * sc_compile_and_judge() finds), as a NULL-terminated list, for the fix.
 * A profile that cannot be built is an error: it was judged before. */
int sc_deny_allowed (const struct sc_profile *p, const struct seccomp_options *o, char ***out, ocigate_error_t *err);

/* ------------------------------------------------------------------ */
/* memo.c: the findings of a profile, kept for the next config          */

/* What a judgement's findings are kept under (owned). */
struct sc_outcome_key
{
  bool on; /* false: not kept (the process's first profile, or not an object) */
  uint64_t shape;
  char *options;
  size_t options_len;
};

void sc_outcome_key_release (struct sc_outcome_key *key);
#define cleanup_sc_outcome_key __attribute__ ((cleanup (sc_outcome_key_release)))

/* When this linux.seccomp was judged before under these options, action,
 * engine and capabilities (the words of its findings), add its findings
 * (maybe none) to v and say true; else false, with *key filled for
 * sc_outcome_keep() once it is judged. */
bool sc_outcome_lookup (json_object *profile, const struct seccomp_options *o, enum action act, const struct judge *j,
                        struct sc_outcome_key *key, struct verdict *v);

/* Keep the findings from v->findings[before] on under *key, when it is on. */
void sc_outcome_keep (json_object *profile, struct sc_outcome_key *key, const struct verdict *v, size_t before);

/* ------------------------------------------------------------------ */
/* podman.c: Podman's profile format                                    */

/* Read the profile file at `path`, in Podman's format, and translate it
 * as Podman does for the container of cfg into *out, a linux.seccomp
 * object.  What is wrong with the file is an error of the policy
 * (OCIGATE_ERR_POLICY). */
int sc_profile_translate (const char *path, const struct oci_config *cfg, json_object **out, ocigate_error_t *err);

#endif
