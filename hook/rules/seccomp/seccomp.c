/* seccomp: the container runs under a seccomp profile that the runtimes can
 * build and that does not allow the kernel-escape system calls outright.
 * OWASP Docker Top 10 D04; CIS Docker 5.21; Pod Security baseline/restricted.
 *
 * What it judges in linux.seccomp (runtime-spec):
 *
 *  - A profile is there.  Absent or null (--security-opt seccomp=unconfined)
 *    is a finding, and so is an object with no defaultAction and no
 *    syscalls, which runc reads as "no seccomp" (crun refuses it).  "fix"
 *    inserts the profile of the option `profile`, a file in Podman's format
 *    (containers/common seccomp.json, which also reads Docker's), translated
 *    as Podman does: see profile_translate().  The file is read at fix time,
 *    not when the policy loads; if it cannot be read, that is an error.
 *  - defaultAction is not SCMP_ACT_ALLOW or SCMP_ACT_LOG, unless the option
 *    allowDefaultAllow says so.
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
 *    unconditionally on the native architecture.  This reads the BPF
 *    program libseccomp generated, so it sees what the kernel would do,
 *    rule order and libseccomp's merging included (an unconditional rule
 *    wins over conditional ones; of two unconditional rules, the first
 *    one added stays): bpf_judge() runs the program with the
 *    architecture and system call number known and the arguments
 *    unknown, following every branch some argument value can take.  When
 *    every return it can reach allows (SCMP_ACT_ALLOW or SCMP_ACT_LOG),
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
 * SECCOMP_MAX_RULES).  A larger profile, or one libseccomp cannot build in
 * time, is not judged: a deny finding, whatever the rule's action.  Wrong
 * JSON types make the config impossible to judge (an input error).
 * Findings other than the missing profile cannot be fixed: under "fix"
 * they deny.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/jsonio.h"
#include "core/rule.h"
#include "rules/seccomp/cache.h"
#include "rules/seccomp/seccomp_internal.h"

#define DEFAULT_PROFILE "/usr/share/containers/seccomp.json"

/* ------------------------------------------------------------------ */
/* Names for Podman's profiles                                        */

/* The architectures libseccomp 2.5 has, with the names Podman's profiles
 * use for them (Go's GOARCH, as libseccomp-golang prints them). */
static const struct
{
  uint32_t token;
  const char *scmp; /* SCMP_ARCH_... */
  const char *go;
  bool has_archmap; /* Podman maps archMap only for these natives */
} arches[] = {
  { SCMP_ARCH_X86, "SCMP_ARCH_X86", "x86", false },
  { SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64", "amd64", true },
  { SCMP_ARCH_X32, "SCMP_ARCH_X32", "x32", false },
  { SCMP_ARCH_ARM, "SCMP_ARCH_ARM", "arm", false },
  { SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64", "arm64", true },
  { SCMP_ARCH_MIPS, "SCMP_ARCH_MIPS", "mips", false },
  { SCMP_ARCH_MIPS64, "SCMP_ARCH_MIPS64", "mips64", true },
  { SCMP_ARCH_MIPS64N32, "SCMP_ARCH_MIPS64N32", "mips64n32", true },
  { SCMP_ARCH_MIPSEL, "SCMP_ARCH_MIPSEL", "mipsel", false },
  { SCMP_ARCH_MIPSEL64, "SCMP_ARCH_MIPSEL64", "mipsel64", true },
  { SCMP_ARCH_MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32", "mipsel64n32", true },
  { SCMP_ARCH_PPC, "SCMP_ARCH_PPC", "ppc", false },
  { SCMP_ARCH_PPC64, "SCMP_ARCH_PPC64", "ppc64", false },
  { SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le", false },
  { SCMP_ARCH_S390, "SCMP_ARCH_S390", "s390", false },
  { SCMP_ARCH_S390X, "SCMP_ARCH_S390X", "s390x", true },
  { SCMP_ARCH_PARISC, "SCMP_ARCH_PARISC", "parisc", false },
  { SCMP_ARCH_PARISC64, "SCMP_ARCH_PARISC64", "parisc64", false },
  { SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64", "riscv64", false },
};

/* The errno names Podman's profiles may use (containers/common
 * pkg/seccomp/errno_list.go). */
/* clang-format off */
#define E(x) { #x, x }
static const struct
{
  const char *name;
  unsigned value;
} errno_names[] = {
  E (EPERM), E (ENOENT), E (ESRCH), E (EIO), E (ENXIO), E (E2BIG), E (ENOEXEC), E (EBADF), E (ECHILD),
  E (EDEADLK), E (ENOMEM), E (EACCES), E (EFAULT), E (ENOTBLK), E (EBUSY), E (EEXIST), E (EXDEV), E (ENODEV),
  E (ENOTDIR), E (EISDIR), E (EINVAL), E (ENFILE), E (EMFILE), E (ENOTTY), E (ETXTBSY), E (EFBIG), E (ENOSPC),
  E (ESPIPE), E (EROFS), E (EMLINK), E (EPIPE), E (EDOM), E (ERANGE), E (EAGAIN), E (EINPROGRESS), E (EALREADY),
  E (ENOTSOCK), E (EDESTADDRREQ), E (EMSGSIZE), E (EPROTOTYPE), E (ENOPROTOOPT), E (EPROTONOSUPPORT),
  E (ESOCKTNOSUPPORT), E (EOPNOTSUPP), E (EPFNOSUPPORT), E (EAFNOSUPPORT), E (EADDRINUSE), E (EADDRNOTAVAIL),
  E (ENETDOWN), E (ENETUNREACH), E (ENETRESET), E (ECONNABORTED), E (ECONNRESET), E (ENOBUFS), E (EISCONN),
  E (ENOTCONN), E (ESHUTDOWN), E (ETOOMANYREFS), E (ETIMEDOUT), E (ECONNREFUSED), E (ELOOP), E (ENAMETOOLONG),
  E (EHOSTDOWN), E (EHOSTUNREACH), E (ENOTEMPTY), E (EUSERS), E (EDQUOT), E (ESTALE), E (EREMOTE), E (ENOLCK),
  E (ENOSYS), E (EILSEQ), E (ENOMEDIUM), E (EMEDIUMTYPE), E (EOVERFLOW), E (ECANCELED), E (EIDRM), E (ENOMSG),
  E (ENOTSUP), E (EBADMSG), E (ENOTRECOVERABLE), E (EOWNERDEAD),
};
#undef E
/* clang-format on */

static int
arch_index (uint32_t token)
{
  for (size_t i = 0; i < ARRAY_SIZE (arches); i++)
    if (arches[i].token == token)
      return (int)i;
  return -1;
}

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
cleanup_seccomp_optionsp (struct seccomp_options **o)
{
  seccomp_options_free (*o);
}

static int
seccomp_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "profile", "allowDefaultAllow", "deny", NULL };
  if (rule_options_check_keys (opts, where, keys, err) < 0)
    return -1;
  __attribute__ ((cleanup (cleanup_seccomp_optionsp))) struct seccomp_options *o = xzalloc (sizeof *o);

  /* Only the path is checked here: the file is read when a fix needs it. */
  json_object *profile = json_get (opts, "profile");
  if (profile == NULL || !json_is_clean_string (profile) || json_object_get_string (profile)[0] != '/'
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
      if (name == NULL || !json_is_clean_string (name))
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
      verdict_add_finding (v, s->rule->id, s->action, "/linux/seccomp",
                           "no seccomp profile (%s); give it one: the engine's default (drop seccomp=unconfined; "
                           "ctr run --seccomp) or its own",
                           pr == SC_ABSENT ? "linux.seccomp is absent, as with --security-opt seccomp=unconfined"
                           : pr == SC_NULL ? "linux.seccomp is null, as with --security-opt seccomp=unconfined"
                                           : "linux.seccomp has no defaultAction and no syscalls, which runc reads "
                                             "as no profile");
      return 0;
    }
  cleanup_outcome_key struct outcome_key key = { 0 };
  if (sc_outcome_lookup (sc, o, s->action, &key, v))
    return 0; /* the findings of the same profile, judged before */
  cleanup_sc_profile struct sc_profile p = { 0 };
  cleanup_too_large struct too_large big = { 0 };
  enum profile_parsed r = sc_profile_parse (sc, &p, &big, err);
  if (r == PROFILE_FAILED)
    return ocigate_error_prefix (err, "%s", ctx->config->name); /* as rule_config_error() says it */
  if (r == PROFILE_TOO_LARGE)
    {
      /* Not judged, so not allowed, whatever the rule's action. */
      verdict_add_finding (v, s->rule->id, ACTION_DENY, big.pointer,
                           "seccomp profile too large (%s); ocigate does not judge profiles this large: shorten it",
                           big.what);
      return 0;
    }
  size_t before = v->n_findings;
  struct judge j = { v, s->rule->id, s->action == ACTION_FIX ? ACTION_DENY : s->action, 0, false };
  sc_check_static (&p, o, &j);
  if (!j.invalid && sc_compile_and_judge (&p, o, &j, err) < 0)
    return -1; /* (when j.invalid, runc and crun refuse it: nothing more to learn by compiling) */
  if (!j.timed_out)
    sc_outcome_keep (sc, &key, v, before);
  return 0;
}

/* ------------------------------------------------------------------ */
/* Fix: Podman's translation of its profile format                      */

struct xlate
{
  const char *path;
  const char *native_go;   /* "amd64": what includes/excludes.arches name */
  const char *native_scmp; /* "SCMP_ARCH_X86_64" when Podman maps archMap for it */
  capmask_t caps;          /* the container's bounding set */
  unsigned kernel_major, kernel_minor;
};

/* Wrap an error of the get_* helpers: it is the profile's, not the config's. */
static int
xlate_fail (const struct xlate *x, ocigate_error_t *err)
{
  ocigate_error_prefix (err, "seccomp profile %s", x->path);
  (*err)->kind = OCIGATE_ERR_POLICY;
  return -1;
}

static int xlate_error (const struct xlate *x, ocigate_error_t *err, const char *fmt, ...) PRINTF_LIKE (3, 4);

static int
xlate_error (const struct xlate *x, ocigate_error_t *err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  cleanup_free char *msg = xvasprintf (fmt, ap);
  va_end (ap);
  return ocigate_error_make (err, 0, OCIGATE_ERR_POLICY, "seccomp profile %s: %s", x->path, msg);
}

static json_object *
new_uint (uint64_t v)
{
  return v <= INT64_MAX ? json_object_new_int64 ((int64_t)v) : json_object_new_uint64 (v);
}

/* Podman's getErrno: the name (or number) in `errno` wins over the number
 * in `errnoRet`; *out stays NULL when there is neither. */
static int
xlate_errno (const struct xlate *x, json_object *o, const char *name_key, const char *num_key, const char *field,
             json_object **out, ocigate_error_t *err)
{
  const char *name;
  cleanup_free char *nf = xasprintf ("%s%s", field, name_key);
  if (get_string (o, name_key, &name, err, "%s", nf) < 0)
    return xlate_fail (x, err);
  *out = NULL;
  if (name && name[0])
    {
      char *end = NULL;
      bool numeric = isdigit ((unsigned char)name[0]);
      errno = 0;
      unsigned long long v = numeric ? strtoull (name, &end, 10) : 0;
      if (numeric && *end == '\0' && errno == 0 && v <= UINT32_MAX)
        {
          *out = new_uint (v);
          return 0;
        }
      for (size_t i = 0; i < ARRAY_SIZE (errno_names); i++)
        if (strcmp (errno_names[i].name, name) == 0)
          {
            *out = new_uint (errno_names[i].value);
            return 0;
          }
      return xlate_error (x, err, "%s: unknown errno \"%s\"", nf, name);
    }
  json_object *num = json_get (o, num_key);
  if (num == NULL)
    return 0;
  cleanup_free char *numf = xasprintf ("%s%s", field, num_key);
  uint64_t v;
  if (get_uint (num, UINT32_MAX, &v, err, "%s", numf) < 0)
    return xlate_fail (x, err);
  *out = new_uint (v);
  return 0;
}

static int
parse_kernel (const char *s, unsigned *major, unsigned *minor)
{
  /* "MAJOR.MINOR", anything after it ignored */
  char *end = NULL;
  errno = 0;
  unsigned long ma = strtoul (s, &end, 10);
  if (end == s || *end != '.' || errno != 0 || ma > UINT_MAX)
    return -1;
  const char *m = end + 1;
  unsigned long mi = strtoul (m, &end, 10);
  if (end == m || errno != 0 || mi > UINT_MAX)
    return -1;
  *major = (unsigned)ma;
  *minor = (unsigned)mi;
  return 0;
}

/* Whether an entry's includes (or excludes) filter matches this container:
 * every listed capability in the bounding set and the native architecture
 * listed (excludes: any of them), the kernel at least minKernel. */
static int
xlate_filter (const struct xlate *x, json_object *entry, size_t i, bool includes, bool *keep, ocigate_error_t *err)
{
  const char *key = includes ? "includes" : "excludes";
  json_object *f = json_get (entry, key);
  cleanup_free char *field = xasprintf ("syscalls[%zu].%s", i, key);
  if (f == NULL)
    return 0;
  if (!json_object_is_type (f, json_type_object))
    return xlate_error (x, err, "%s: must be an object, not %s", field, json_type_label (f));
  json_object *list;
  size_t n;
  cleanup_free char *af = xasprintf ("%s.arches", field);
  if (get_strings (f, "arches", &list, &n, err, "%s", af) < 0)
    return xlate_fail (x, err);
  if (n)
    {
      bool native = false;
      for (size_t k = 0; k < n; k++)
        native = native || strcmp (json_object_get_string (json_object_array_get_idx (list, k)), x->native_go) == 0;
      if (includes ? !native : native)
        *keep = false;
    }
  cleanup_free char *cf = xasprintf ("%s.caps", field);
  if (get_strings (f, "caps", &list, &n, err, "%s", cf) < 0)
    return xlate_fail (x, err);
  for (size_t k = 0; k < n; k++)
    {
      int c = cap_parse_name (json_object_get_string (json_object_array_get_idx (list, k)));
      bool held = c >= 0 && (x->caps & CAPMASK (c));
      if (includes ? !held : held)
        *keep = false;
    }
  const char *min;
  cleanup_free char *mf = xasprintf ("%s.minKernel", field);
  if (get_string (f, "minKernel", &min, err, "%s", mf) < 0)
    return xlate_fail (x, err);
  if (min)
    {
      unsigned major, minor;
      if (parse_kernel (min, &major, &minor) < 0)
        return xlate_error (x, err, "%s: \"%s\" is not a kernel version (as \"4.8\")", mf, min);
      bool at_least = x->kernel_major > major || (x->kernel_major == major && x->kernel_minor >= minor);
      if (includes ? !at_least : at_least)
        *keep = false;
    }
  return 0;
}

static json_object *
copy_strings (json_object *a)
{
  json_object *out = json_object_new_array ();
  size_t n = json_object_array_length (a);
  for (size_t i = 0; i < n; i++)
    json_object_array_add (out, json_object_new_string (json_object_get_string (json_object_array_get_idx (a, i))));
  return out;
}

static int
xlate_args (const struct xlate *x, json_object *args, size_t i, json_object *out_entry, ocigate_error_t *err)
{
  if (args == NULL)
    return 0;
  if (!json_object_is_type (args, json_type_array))
    return xlate_error (x, err, "syscalls[%zu].args: must be an array, not %s", i, json_type_label (args));
  size_t n = json_object_array_length (args);
  if (n == 0)
    return 0;
  json_object *out = json_object_new_array ();
  json_object_object_add (out_entry, "args", out);
  for (size_t k = 0; k < n; k++)
    {
      json_object *a = json_object_array_get_idx (args, k);
      if (!json_object_is_type (a, json_type_object))
        return xlate_error (x, err, "syscalls[%zu].args[%zu]: must be an object, not %s", i, k, json_type_label (a));
      uint64_t vals[3] = { 0, 0, 0 };
      static const char *const keys[] = { "index", "value", "valueTwo" };
      for (size_t f = 0; f < 3; f++)
        {
          json_object *val = json_get (a, keys[f]);
          cleanup_free char *ff = xasprintf ("syscalls[%zu].args[%zu].%s", i, k, keys[f]);
          if (val && get_uint (val, f == 0 ? UINT32_MAX : UINT64_MAX, &vals[f], err, "%s", ff) < 0)
            return xlate_fail (x, err);
        }
      const char *op;
      cleanup_free char *of = xasprintf ("syscalls[%zu].args[%zu].op", i, k);
      if (get_string (a, "op", &op, err, "%s", of) < 0)
        return xlate_fail (x, err);
      /* As Podman writes specs.LinuxSeccompArg: valueTwo only when set. */
      json_object *arg = json_object_new_object ();
      json_object_array_add (out, arg);
      json_object_object_add (arg, "index", new_uint (vals[0]));
      json_object_object_add (arg, "value", new_uint (vals[1]));
      if (vals[2])
        json_object_object_add (arg, "valueTwo", new_uint (vals[2]));
      json_object_object_add (arg, "op", json_object_new_string (op ? op : ""));
    }
  return 0;
}

static int
xlate_syscalls (const struct xlate *x, json_object *prof, json_object *out, ocigate_error_t *err)
{
  json_object *syscalls = json_get (prof, "syscalls");
  if (syscalls == NULL)
    return 0;
  if (!json_object_is_type (syscalls, json_type_array))
    return xlate_error (x, err, "syscalls: must be an array, not %s", json_type_label (syscalls));
  json_object *list = json_object_new_array ();
  json_object_object_add (out, "syscalls", list);
  size_t n = json_object_array_length (syscalls);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (syscalls, i);
      if (!json_object_is_type (e, json_type_object))
        return xlate_error (x, err, "syscalls[%zu]: must be an object, not %s", i, json_type_label (e));
      bool keep = true;
      if (xlate_filter (x, e, i, false, &keep, err) < 0 || xlate_filter (x, e, i, true, &keep, err) < 0)
        return -1;
      if (!keep)
        continue;
      const char *name, *action;
      json_object *names;
      size_t n_names;
      cleanup_free char *nf = xasprintf ("syscalls[%zu].name", i);
      cleanup_free char *nsf = xasprintf ("syscalls[%zu].names", i);
      cleanup_free char *af = xasprintf ("syscalls[%zu].action", i);
      if (get_string (e, "name", &name, err, "%s", nf) < 0
          || get_strings (e, "names", &names, &n_names, err, "%s", nsf) < 0
          || get_string (e, "action", &action, err, "%s", af) < 0)
        return xlate_fail (x, err);
      if (name && name[0] && n_names)
        return xlate_error (x, err, "syscalls[%zu]: both \"name\" and \"names\" (use either)", i);
      if (action == NULL || action[0] == '\0')
        return xlate_error (x, err, "%s: missing", af);
      cleanup_free char *field = xasprintf ("syscalls[%zu].", i);
      cleanup_json json_object *errno_ret = NULL;
      if (xlate_errno (x, e, "errno", "errnoRet", field, &errno_ret, err) < 0)
        return -1;
      if (!(name && name[0]) && n_names == 0)
        continue; /* Podman writes nothing for it */
      json_object *entry = json_object_new_object ();
      json_object_array_add (list, entry);
      if (name && name[0])
        {
          json_object *one = json_object_new_array ();
          json_object_array_add (one, json_object_new_string (name));
          json_object_object_add (entry, "names", one);
        }
      else
        json_object_object_add (entry, "names", copy_strings (names));
      json_object_object_add (entry, "action", json_object_new_string (action));
      if (errno_ret)
        json_object_object_add (entry, "errnoRet", steal_pointer (&errno_ret));
      if (xlate_args (x, json_get (e, "args"), i, entry, err) < 0)
        return -1;
    }
  if (json_object_array_length (list) == 0)
    json_object_object_del (out, "syscalls");
  return 0;
}

static int
xlate_arches (const struct xlate *x, json_object *prof, json_object *out, ocigate_error_t *err)
{
  json_object *list, *map = json_get (prof, "archMap");
  size_t n;
  if (get_strings (prof, "architectures", &list, &n, err, "architectures") < 0)
    return xlate_fail (x, err);
  if (map && !json_object_is_type (map, json_type_array))
    return xlate_error (x, err, "archMap: must be an array, not %s", json_type_label (map));
  size_t n_map = map ? json_object_array_length (map) : 0;
  if (n && n_map)
    return xlate_error (x, err, "both \"architectures\" and \"archMap\" (use either)");
  json_object *arr = json_object_new_array ();
  json_object_object_add (out, "architectures", arr);
  for (size_t i = 0; i < n; i++)
    json_object_array_add (arr, json_object_new_string (json_object_get_string (json_object_array_get_idx (list, i))));
  for (size_t i = 0; i < n_map; i++)
    {
      json_object *m = json_object_array_get_idx (map, i);
      if (!json_object_is_type (m, json_type_object))
        return xlate_error (x, err, "archMap[%zu]: must be an object, not %s", i, json_type_label (m));
      const char *arch;
      json_object *subs;
      size_t n_subs;
      cleanup_free char *af = xasprintf ("archMap[%zu].architecture", i);
      cleanup_free char *sf = xasprintf ("archMap[%zu].subArchitectures", i);
      if (get_string (m, "architecture", &arch, err, "%s", af) < 0
          || get_strings (m, "subArchitectures", &subs, &n_subs, err, "%s", sf) < 0)
        return xlate_fail (x, err);
      if (x->native_scmp == NULL || arch == NULL || strcmp (arch, x->native_scmp) != 0)
        continue;
      json_object_array_add (arr, json_object_new_string (arch));
      for (size_t k = 0; k < n_subs; k++)
        json_object_array_add (arr,
                               json_object_new_string (json_object_get_string (json_object_array_get_idx (subs, k))));
      break;
    }
  if (json_object_array_length (arr) == 0)
    json_object_object_del (out, "architectures");
  return 0;
}

/* containers/common pkg/seccomp setupSeccomp(), as Podman runs it to turn
 * its seccomp.json into the config's linux.seccomp: keep the entries whose
 * includes match the container (capabilities in its bounding set, the
 * native architecture) and drop those whose excludes match; take the
 * native architecture's line of archMap; resolve errno names; drop
 * comments and filters.  minKernel in includes/excludes (Docker's format)
 * is honoured as Docker does.  Where the config has no
 * process.capabilities the process keeps every capability, so every
 * capability counts as held. */
static int
profile_translate (const char *path, const struct oci_config *cfg, json_object **out, ocigate_error_t *err)
{
  struct xlate x = { .path = path, .caps = cfg->has_capabilities ? cfg->caps[CAPSET_BOUNDING] : ~(capmask_t)0 };
  int ai = arch_index (seccomp_arch_native ());
  if (ai < 0)
    return xlate_error (&x, err, "the native architecture (libseccomp token %#x) is not one ocigate knows",
                        seccomp_arch_native ());
  x.native_go = arches[ai].go;
  x.native_scmp = arches[ai].has_archmap ? arches[ai].scmp : NULL;
  struct utsname u;
  if (uname (&u) < 0)
    return ocigate_error_make_errno (err, errno, "uname");
  if (parse_kernel (u.release, &x.kernel_major, &x.kernel_minor) < 0)
    return ocigate_error_make (err, 0, OCIGATE_ERR_INTERNAL, "cannot read the kernel version from \"%s\"", u.release);

  cleanup_free char *buf = NULL;
  size_t len = 0;
  if (read_file_limited (path, SECCOMP_MAX_PROFILE_BYTES, &buf, &len, err) < 0)
    {
      ocigate_error_prefix (err, "seccomp profile");
      (*err)->kind = OCIGATE_ERR_POLICY;
      return -1;
    }
  cleanup_json json_object *prof = NULL;
  if (json_parse_untrusted (buf, len, path, &prof, err) < 0)
    {
      ocigate_error_prefix (err, "seccomp profile");
      (*err)->kind = OCIGATE_ERR_POLICY;
      return -1;
    }
  if (!json_object_is_type (prof, json_type_object))
    return xlate_error (&x, err, "must be a JSON object, not %s", json_type_label (prof));

  const char *def;
  if (get_string (prof, "defaultAction", &def, err, "defaultAction") < 0)
    return xlate_fail (&x, err);
  if (def == NULL || def[0] == '\0')
    return xlate_error (&x, err, "defaultAction: missing (without one, the container would run without seccomp)");
  cleanup_json json_object *o = json_object_new_object ();
  json_object_object_add (o, "defaultAction", json_object_new_string (def));
  json_object *der = NULL;
  if (xlate_errno (&x, prof, "defaultErrno", "defaultErrnoRet", "", &der, err) < 0)
    return -1;
  if (der)
    json_object_object_add (o, "defaultErrnoRet", der);
  if (xlate_arches (&x, prof, o, err) < 0)
    return -1;
  json_object *flags;
  size_t n_flags;
  if (get_strings (prof, "flags", &flags, &n_flags, err, "flags") < 0)
    return xlate_fail (&x, err);
  if (n_flags)
    json_object_object_add (o, "flags", copy_strings (flags));
  static const char *const listener[] = { "listenerPath", "listenerMetadata" };
  for (size_t i = 0; i < ARRAY_SIZE (listener); i++)
    {
      const char *s;
      if (get_string (prof, listener[i], &s, err, "%s", listener[i]) < 0)
        return xlate_fail (&x, err);
      if (s && s[0])
        json_object_object_add (o, listener[i], json_object_new_string (s));
    }
  if (xlate_syscalls (&x, prof, o, err) < 0)
    return -1;
  *out = steal_pointer (&o);
  return 0;
}

static int
seccomp_apply (struct rule_context *ctx, const struct rule_setting *s, ocigate_error_t *err)
{
  const struct seccomp_options *o = s->options;
  struct oci_config *cfg = ctx->config;
  json_object *sc;
  if (seccomp_presence (cfg->root, &sc) == SC_PRESENT)
    return 0; /* nothing to fix: its findings are denials */
  cleanup_json json_object *profile = NULL;
  if (profile_translate (o->profile, cfg, &profile, err) < 0)
    return -1;
  json_object *linux_ = json_get (cfg->root, "linux");
  if (linux_ == NULL)
    {
      linux_ = json_object_new_object ();
      json_object_object_add (cfg->root, "linux", linux_);
    }
  json_object_object_add (linux_, "seccomp", steal_pointer (&profile));
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
                     "\"clock_settime\", \"lookup_dcookie\", \"quotactl\", \"nfsservctl\"]}",
  .parse_options = seccomp_parse,
  .free_options = seccomp_options_free,
  .evaluate = seccomp_evaluate,
  .apply = seccomp_apply,
};
