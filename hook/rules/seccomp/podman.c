/* seccomp: Podman's translation of its profile format, for "fix".
 * containers/common pkg/seccomp reads seccomp.json (its format, which
 * also reads Docker's) and writes the config's linux.seccomp for the
 * container at hand; sc_profile_translate() does the same.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "core/field.h"
#include "rules/seccomp/seccomp_internal.h"

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

struct xlate
{
  const char *path;
  const char *native_go;   /* "amd64": what includes/excludes.arches name */
  const char *native_scmp; /* "SCMP_ARCH_X86_64" when Podman maps archMap for it */
  capmask_t caps;          /* the container's bounding set */
  unsigned kernel_major, kernel_minor;
};

/* Wrap an error of the getters (core/field.h), which name the field as a
 * path from the file's top ("syscalls[3].names"): it is the file's, an
 * error of the policy, not the config's. */
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
 * in `errnoRet`; *out stays NULL when there is neither.  `o` sits at `at`. */
static int
xlate_errno (const struct xlate *x, json_object *o, const struct json_path *at, const char *name_key,
             const char *num_key, json_object **out, ocigate_error_t *err)
{
  const char *name = NULL;
  if (field_string (o, at, name_key, FIELD_OPTIONAL, NULL, &name, err) < 0)
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
      field_error (at, name_key, err, "unknown errno \"%s\"", name);
      return xlate_fail (x, err);
    }
  enum field_state num = FIELD_ABSENT;
  uint32_t v = 0;
  if (field_uint32 (o, at, num_key, FIELD_OPTIONAL, &num, &v, err) < 0)
    return xlate_fail (x, err);
  if (num == FIELD_PRESENT)
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
xlate_filter (const struct xlate *x, json_object *entry, const struct json_path *entry_at, bool includes, bool *keep,
              ocigate_error_t *err)
{
  const char *key = includes ? "includes" : "excludes";
  const struct json_path filter_at = { .up = entry_at, .key = key };
  json_object *f = NULL;
  if (field_object (entry, entry_at, key, FIELD_OPTIONAL, NULL, &f, err) < 0)
    return xlate_fail (x, err);
  if (f == NULL)
    return 0;
  json_object *list = NULL;
  size_t n = 0;
  if (field_string_array (f, &filter_at, "arches", SC_UNCOUNTED, FIELD_OPTIONAL, &list, &n, err) < 0)
    return xlate_fail (x, err);
  if (n)
    {
      bool native = false;
      for (size_t k = 0; k < n; k++)
        native = native || strcmp (json_object_get_string (json_object_array_get_idx (list, k)), x->native_go) == 0;
      if (includes ? !native : native)
        *keep = false;
    }
  if (field_string_array (f, &filter_at, "caps", SC_UNCOUNTED, FIELD_OPTIONAL, &list, &n, err) < 0)
    return xlate_fail (x, err);
  for (size_t k = 0; k < n; k++)
    {
      int c = cap_parse_name (json_object_get_string (json_object_array_get_idx (list, k)));
      bool held = c >= 0 && (x->caps & CAPMASK (c));
      if (includes ? !held : held)
        *keep = false;
    }
  const char *min = NULL;
  if (field_string (f, &filter_at, "minKernel", FIELD_OPTIONAL, NULL, &min, err) < 0)
    return xlate_fail (x, err);
  if (min)
    {
      unsigned major, minor;
      if (parse_kernel (min, &major, &minor) < 0)
        {
          field_error (&filter_at, "minKernel", err, "\"%s\" is not a kernel version (as \"4.8\")", min);
          return xlate_fail (x, err);
        }
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

static const struct json_path syscalls_at = { .key = "syscalls" };
static const struct json_path archmap_at = { .key = "archMap" };

static int
xlate_args (const struct xlate *x, json_object *e, const struct json_path *entry_at, json_object *out_entry,
            ocigate_error_t *err)
{
  const struct json_path args_at = { .up = entry_at, .key = "args" };
  json_object *args = NULL;
  size_t n = 0;
  if (field_array (e, entry_at, "args", SC_UNCOUNTED, FIELD_OPTIONAL, &args, &n, err) < 0)
    return xlate_fail (x, err);
  if (n == 0)
    return 0;
  json_object *out = json_object_new_array ();
  json_object_object_add (out_entry, "args", out);
  for (size_t k = 0; k < n; k++)
    {
      const struct json_path arg_at = { .up = &args_at, .index = k };
      json_object *a = NULL;
      uint64_t index = 0, value = 0, value_two = 0;
      const char *op = NULL;
      if (field_item_object (args, &args_at, k, &a, err) < 0
          || field_uint64 (a, &arg_at, "index", UINT32_MAX, FIELD_OPTIONAL, NULL, &index, err) < 0
          || field_uint64 (a, &arg_at, "value", UINT64_MAX, FIELD_OPTIONAL, NULL, &value, err) < 0
          || field_uint64 (a, &arg_at, "valueTwo", UINT64_MAX, FIELD_OPTIONAL, NULL, &value_two, err) < 0
          || field_string (a, &arg_at, "op", FIELD_OPTIONAL, NULL, &op, err) < 0)
        return xlate_fail (x, err);
      /* As Podman writes specs.LinuxSeccompArg: valueTwo only when set. */
      json_object *arg = json_object_new_object ();
      json_object_array_add (out, arg);
      json_object_object_add (arg, "index", new_uint (index));
      json_object_object_add (arg, "value", new_uint (value));
      if (value_two)
        json_object_object_add (arg, "valueTwo", new_uint (value_two));
      json_object_object_add (arg, "op", json_object_new_string (op ? op : ""));
    }
  return 0;
}

static int
xlate_syscalls (const struct xlate *x, json_object *prof, json_object *out, ocigate_error_t *err)
{
  json_object *syscalls = NULL;
  size_t n = 0;
  if (field_array (prof, NULL, "syscalls", SC_UNCOUNTED, FIELD_OPTIONAL, &syscalls, &n, err) < 0)
    return xlate_fail (x, err);
  if (syscalls == NULL)
    return 0;
  json_object *list = json_object_new_array ();
  json_object_object_add (out, "syscalls", list);
  for (size_t i = 0; i < n; i++)
    {
      const struct json_path entry_at = { .up = &syscalls_at, .index = i };
      json_object *e = NULL;
      if (field_item_object (syscalls, &syscalls_at, i, &e, err) < 0)
        return xlate_fail (x, err);
      bool keep = true;
      if (xlate_filter (x, e, &entry_at, false, &keep, err) < 0 || xlate_filter (x, e, &entry_at, true, &keep, err) < 0)
        return -1;
      if (!keep)
        continue;
      const char *name = NULL, *action = NULL;
      json_object *names = NULL;
      size_t n_names = 0;
      if (field_string (e, &entry_at, "name", FIELD_OPTIONAL, NULL, &name, err) < 0
          || field_string_array (e, &entry_at, "names", SC_UNCOUNTED, FIELD_OPTIONAL, &names, &n_names, err) < 0
          || field_string (e, &entry_at, "action", FIELD_OPTIONAL, NULL, &action, err) < 0)
        return xlate_fail (x, err);
      if (name && name[0] && n_names)
        return xlate_error (x, err, "syscalls[%zu]: both \"name\" and \"names\" (use either)", i);
      if (action == NULL || action[0] == '\0')
        return xlate_error (x, err, "syscalls[%zu].action: missing", i);
      cleanup_json json_object *errno_ret = NULL;
      if (xlate_errno (x, e, &entry_at, "errno", "errnoRet", &errno_ret, err) < 0)
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
      if (xlate_args (x, e, &entry_at, entry, err) < 0)
        return -1;
    }
  if (json_object_array_length (list) == 0)
    json_object_object_del (out, "syscalls");
  return 0;
}

static int
xlate_arches (const struct xlate *x, json_object *prof, json_object *out, ocigate_error_t *err)
{
  json_object *list = NULL, *map = NULL;
  size_t n = 0, n_map = 0;
  if (field_string_array (prof, NULL, "architectures", SC_UNCOUNTED, FIELD_OPTIONAL, &list, &n, err) < 0
      || field_array (prof, NULL, "archMap", SC_UNCOUNTED, FIELD_OPTIONAL, &map, &n_map, err) < 0)
    return xlate_fail (x, err);
  if (n && n_map)
    return xlate_error (x, err, "both \"architectures\" and \"archMap\" (use either)");
  json_object *arr = json_object_new_array ();
  json_object_object_add (out, "architectures", arr);
  for (size_t i = 0; i < n; i++)
    json_object_array_add (arr, json_object_new_string (json_object_get_string (json_object_array_get_idx (list, i))));
  for (size_t i = 0; i < n_map; i++)
    {
      const struct json_path m_at = { .up = &archmap_at, .index = i };
      json_object *m = NULL, *subs = NULL;
      const char *arch = NULL;
      size_t n_subs = 0;
      if (field_item_object (map, &archmap_at, i, &m, err) < 0
          || field_string (m, &m_at, "architecture", FIELD_OPTIONAL, NULL, &arch, err) < 0
          || field_string_array (m, &m_at, "subArchitectures", SC_UNCOUNTED, FIELD_OPTIONAL, &subs, &n_subs, err) < 0)
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
int
sc_profile_translate (const char *path, const struct oci_config *cfg, json_object **out, ocigate_error_t *err)
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
    {
      cleanup_free char *text = field_value_text (prof);
      return xlate_error (&x, err, "must be a JSON object, not %s", text);
    }

  const char *def = NULL;
  if (field_string (prof, NULL, "defaultAction", FIELD_OPTIONAL, NULL, &def, err) < 0)
    return xlate_fail (&x, err);
  if (def == NULL || def[0] == '\0')
    return xlate_error (&x, err, "defaultAction: missing (without one, the container would run without seccomp)");
  cleanup_json json_object *o = json_object_new_object ();
  json_object_object_add (o, "defaultAction", json_object_new_string (def));
  cleanup_json json_object *der = NULL;
  if (xlate_errno (&x, prof, NULL, "defaultErrno", "defaultErrnoRet", &der, err) < 0)
    return -1;
  if (der)
    json_object_object_add (o, "defaultErrnoRet", steal_pointer (&der));
  if (xlate_arches (&x, prof, o, err) < 0)
    return -1;
  json_object *flags = NULL;
  size_t n_flags = 0;
  if (field_string_array (prof, NULL, "flags", SC_UNCOUNTED, FIELD_OPTIONAL, &flags, &n_flags, err) < 0)
    return xlate_fail (&x, err);
  if (n_flags)
    json_object_object_add (o, "flags", copy_strings (flags));
  static const char *const listener[] = { "listenerPath", "listenerMetadata" };
  for (size_t i = 0; i < ARRAY_SIZE (listener); i++)
    {
      const char *s = NULL;
      if (field_string (prof, NULL, listener[i], FIELD_OPTIONAL, NULL, &s, err) < 0)
        return xlate_fail (&x, err);
      if (s && s[0])
        json_object_object_add (o, listener[i], json_object_new_string (s));
    }
  if (xlate_syscalls (&x, prof, o, err) < 0)
    return -1;
  *out = steal_pointer (&o);
  return 0;
}
