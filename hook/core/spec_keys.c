/* The keys of a config's runtime-spec objects, spelt as the spec spells
 * them.
 *
 * runc reads config.json with Go's encoding/json, which matches a key to a
 * struct field whatever its case ("UID" is uid, "ſ" is s and "K", the
 * Kelvin sign, is k; from Go 1.21 "uıd", with a dotless i, is uid too),
 * the last such key winning; crun and ocigate match keys exactly.  So {"uid": 1000, "UID": 0}
 * ran as UID 0 under runc after ocigate judged UID 1000, and a lone
 * "Mounts" was mounted by runc and never seen by ocigate.  A key that is
 * not a field of its object but folds to one is refused.  Keys of maps
 * (annotations, linux.sysctl, ...) are not fields: Go matches them exactly.
 *
 * The fields are runtime-spec's (specs-go/config.go, to 1.2), Linux and
 * the common ones; an object of a platform runc does not read (windows,
 * solaris, vm, zos) is never decoded into anything a Linux runtime uses.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <string.h>

#include "core/config.h"
#include "base/jsonio.h"
#include "base/util.h"

enum spec_struct
{
  S_NONE = -1,
  S_SPEC,
  S_PROCESS,
  S_BOX,
  S_USER,
  S_CAPS,
  S_RLIMIT,
  S_SCHED,
  S_IOPRIO,
  S_CPU_AFFINITY,
  S_ROOT,
  S_MOUNT,
  S_ID_MAPPING,
  S_HOOKS,
  S_HOOK,
  S_LINUX,
  S_NAMESPACE,
  S_DEVICE,
  S_RESOURCES,
  S_DEVICE_CGROUP,
  S_MEMORY,
  S_CPU,
  S_PIDS,
  S_BLOCK_IO,
  S_WEIGHT_DEVICE,
  S_THROTTLE_DEVICE,
  S_HUGEPAGE,
  S_NETWORK,
  S_IF_PRIORITY,
  S_RDMA,
  S_SECCOMP,
  S_SYSCALL,
  S_SECCOMP_ARG,
  S_INTEL_RDT,
  S_PERSONALITY,
  S_TIME_OFFSET,
  S_NET_DEVICE,
  S_MEMORY_POLICY,
};

struct spec_field
{
  const char *name;
  enum spec_struct child; /* what its value is, or holds */
  bool many;              /* an array or a map of `child` */
};

#define F(n)                                                                                                           \
  {                                                                                                                    \
    n, S_NONE, false                                                                                                   \
  }
#define ONE(n, c)                                                                                                      \
  {                                                                                                                    \
    n, c, false                                                                                                        \
  }
#define MANY(n, c)                                                                                                     \
  {                                                                                                                    \
    n, c, true                                                                                                         \
  }
#define END                                                                                                            \
  {                                                                                                                    \
    NULL, S_NONE, false                                                                                                \
  }

static const struct spec_field f_spec[] = {
  F ("ociVersion"),
  ONE ("process", S_PROCESS),
  ONE ("root", S_ROOT),
  F ("hostname"),
  F ("domainname"),
  MANY ("mounts", S_MOUNT),
  ONE ("hooks", S_HOOKS),
  F ("annotations"),
  ONE ("linux", S_LINUX),
  F ("solaris"),
  F ("windows"),
  F ("vm"),
  F ("zos"),
  END,
};
static const struct spec_field f_process[] = {
  F ("terminal"),
  ONE ("consoleSize", S_BOX),
  ONE ("user", S_USER),
  F ("args"),
  F ("commandLine"),
  F ("env"),
  F ("cwd"),
  ONE ("capabilities", S_CAPS),
  MANY ("rlimits", S_RLIMIT),
  F ("noNewPrivileges"),
  F ("apparmorProfile"),
  F ("oomScoreAdj"),
  ONE ("scheduler", S_SCHED),
  F ("selinuxLabel"),
  ONE ("ioPriority", S_IOPRIO),
  ONE ("execCPUAffinity", S_CPU_AFFINITY),
  END,
};
static const struct spec_field f_box[] = { F ("height"), F ("width"), END };
static const struct spec_field f_user[] = {
  F ("uid"), F ("gid"), F ("umask"), F ("additionalGids"), F ("username"), END,
};
static const struct spec_field f_caps[] = {
  F ("bounding"), F ("effective"), F ("inheritable"), F ("permitted"), F ("ambient"), END,
};
static const struct spec_field f_rlimit[] = { F ("type"), F ("hard"), F ("soft"), END };
static const struct spec_field f_sched[] = {
  F ("policy"), F ("nice"), F ("priority"), F ("flags"), F ("runtime"), F ("deadline"), F ("period"), END,
};
static const struct spec_field f_ioprio[] = { F ("class"), F ("priority"), END };
static const struct spec_field f_cpu_affinity[] = { F ("initial"), F ("final"), END };
static const struct spec_field f_root[] = { F ("path"), F ("readonly"), END };
static const struct spec_field f_mount[] = {
  F ("destination"),
  F ("type"),
  F ("source"),
  F ("options"),
  MANY ("uidMappings", S_ID_MAPPING),
  MANY ("gidMappings", S_ID_MAPPING),
  END,
};
static const struct spec_field f_id_mapping[] = { F ("containerID"), F ("hostID"), F ("size"), END };
static const struct spec_field f_hooks[] = {
  MANY ("prestart", S_HOOK),
  MANY ("createRuntime", S_HOOK),
  MANY ("createContainer", S_HOOK),
  MANY ("startContainer", S_HOOK),
  MANY ("poststart", S_HOOK),
  MANY ("poststop", S_HOOK),
  END,
};
static const struct spec_field f_hook[] = { F ("path"), F ("args"), F ("env"), F ("timeout"), END };
static const struct spec_field f_linux[] = {
  MANY ("uidMappings", S_ID_MAPPING),
  MANY ("gidMappings", S_ID_MAPPING),
  F ("sysctl"),
  ONE ("resources", S_RESOURCES),
  F ("cgroupsPath"),
  MANY ("namespaces", S_NAMESPACE),
  MANY ("devices", S_DEVICE),
  ONE ("seccomp", S_SECCOMP),
  F ("rootfsPropagation"),
  F ("maskedPaths"),
  F ("readonlyPaths"),
  F ("mountLabel"),
  ONE ("intelRdt", S_INTEL_RDT),
  ONE ("personality", S_PERSONALITY),
  MANY ("timeOffsets", S_TIME_OFFSET),
  MANY ("netDevices", S_NET_DEVICE),
  ONE ("memoryPolicy", S_MEMORY_POLICY),
  END,
};
static const struct spec_field f_namespace[] = { F ("type"), F ("path"), END };
static const struct spec_field f_device[] = {
  F ("path"), F ("type"), F ("major"), F ("minor"), F ("fileMode"), F ("uid"), F ("gid"), END,
};
static const struct spec_field f_resources[] = {
  MANY ("devices", S_DEVICE_CGROUP),
  ONE ("memory", S_MEMORY),
  ONE ("cpu", S_CPU),
  ONE ("pids", S_PIDS),
  ONE ("blockIO", S_BLOCK_IO),
  MANY ("hugepageLimits", S_HUGEPAGE),
  ONE ("network", S_NETWORK),
  MANY ("rdma", S_RDMA),
  F ("unified"),
  END,
};
static const struct spec_field f_device_cgroup[] = {
  F ("allow"), F ("type"), F ("major"), F ("minor"), F ("access"), END,
};
static const struct spec_field f_memory[] = {
  F ("limit"),
  F ("reservation"),
  F ("swap"),
  F ("kernel"),
  F ("kernelTCP"),
  F ("swappiness"),
  F ("disableOOMKiller"),
  F ("useHierarchy"),
  F ("checkBeforeUpdate"),
  END,
};
static const struct spec_field f_cpu[] = {
  F ("shares"),         F ("quota"), F ("burst"), F ("period"), F ("realtimeRuntime"),
  F ("realtimePeriod"), F ("cpus"),  F ("mems"),  F ("idle"),   END,
};
static const struct spec_field f_pids[] = { F ("limit"), END };
static const struct spec_field f_block_io[] = {
  F ("weight"),
  F ("leafWeight"),
  MANY ("weightDevice", S_WEIGHT_DEVICE),
  MANY ("throttleReadBpsDevice", S_THROTTLE_DEVICE),
  MANY ("throttleWriteBpsDevice", S_THROTTLE_DEVICE),
  MANY ("throttleReadIOPSDevice", S_THROTTLE_DEVICE),
  MANY ("throttleWriteIOPSDevice", S_THROTTLE_DEVICE),
  END,
};
static const struct spec_field f_weight_device[] = { F ("major"), F ("minor"), F ("weight"), F ("leafWeight"), END };
static const struct spec_field f_throttle_device[] = { F ("major"), F ("minor"), F ("rate"), END };
static const struct spec_field f_hugepage[] = { F ("pageSize"), F ("limit"), END };
static const struct spec_field f_network[] = { F ("classID"), MANY ("priorities", S_IF_PRIORITY), END };
static const struct spec_field f_if_priority[] = { F ("name"), F ("priority"), END };
static const struct spec_field f_rdma[] = { F ("hcaHandles"), F ("hcaObjects"), END };
static const struct spec_field f_seccomp[] = {
  F ("defaultAction"), F ("defaultErrnoRet"),  F ("architectures"),          F ("flags"),
  F ("listenerPath"),  F ("listenerMetadata"), MANY ("syscalls", S_SYSCALL), END,
};
static const struct spec_field f_syscall[] = {
  F ("names"), F ("action"), F ("errnoRet"), MANY ("args", S_SECCOMP_ARG), END,
};
static const struct spec_field f_seccomp_arg[] = { F ("index"), F ("value"), F ("valueTwo"), F ("op"), END };
static const struct spec_field f_intel_rdt[] = {
  F ("closID"), F ("schemata"), F ("l3CacheSchema"), F ("memBwSchema"), F ("enableCMT"), F ("enableMBM"), END,
};
static const struct spec_field f_personality[] = { F ("domain"), F ("flags"), END };
static const struct spec_field f_time_offset[] = { F ("secs"), F ("nanosecs"), END };
static const struct spec_field f_net_device[] = { F ("name"), END };
static const struct spec_field f_memory_policy[] = { F ("mode"), F ("nodes"), F ("flags"), END };

static const struct spec_field *const spec_structs[] = {
  [S_SPEC] = f_spec,
  [S_PROCESS] = f_process,
  [S_BOX] = f_box,
  [S_USER] = f_user,
  [S_CAPS] = f_caps,
  [S_RLIMIT] = f_rlimit,
  [S_SCHED] = f_sched,
  [S_IOPRIO] = f_ioprio,
  [S_CPU_AFFINITY] = f_cpu_affinity,
  [S_ROOT] = f_root,
  [S_MOUNT] = f_mount,
  [S_ID_MAPPING] = f_id_mapping,
  [S_HOOKS] = f_hooks,
  [S_HOOK] = f_hook,
  [S_LINUX] = f_linux,
  [S_NAMESPACE] = f_namespace,
  [S_DEVICE] = f_device,
  [S_RESOURCES] = f_resources,
  [S_DEVICE_CGROUP] = f_device_cgroup,
  [S_MEMORY] = f_memory,
  [S_CPU] = f_cpu,
  [S_PIDS] = f_pids,
  [S_BLOCK_IO] = f_block_io,
  [S_WEIGHT_DEVICE] = f_weight_device,
  [S_THROTTLE_DEVICE] = f_throttle_device,
  [S_HUGEPAGE] = f_hugepage,
  [S_NETWORK] = f_network,
  [S_IF_PRIORITY] = f_if_priority,
  [S_RDMA] = f_rdma,
  [S_SECCOMP] = f_seccomp,
  [S_SYSCALL] = f_syscall,
  [S_SECCOMP_ARG] = f_seccomp_arg,
  [S_INTEL_RDT] = f_intel_rdt,
  [S_PERSONALITY] = f_personality,
  [S_TIME_OFFSET] = f_time_offset,
  [S_NET_DEVICE] = f_net_device,
  [S_MEMORY_POLICY] = f_memory_policy,
};

/* Whether Go's encoding/json would take key for the field `name` (which is
 * ASCII): ASCII letters in either case, and the three other characters
 * that fold to an ASCII letter, U+017F (s), U+212A (k) and U+0131 (i). */
static bool
folds_to (const char *key, const char *name)
{
  const unsigned char *k = (const unsigned char *)key;
  for (const char *n = name; *n; n++)
    {
      int want = *n >= 'a' && *n <= 'z' ? *n - 'a' + 'A' : *n;
      int got;
      if (k[0] == 0xc5 && k[1] == 0xbf)
        got = 'S', k += 2;
      else if (k[0] == 0xe2 && k[1] == 0x84 && k[2] == 0xaa)
        got = 'K', k += 3;
      else if (k[0] == 0xc4 && k[1] == 0xb1)
        got = 'I', k += 2;
      else if (k[0] && k[0] < 0x80)
        got = k[0] >= 'a' && k[0] <= 'z' ? k[0] - 'a' + 'A' : k[0], k++;
      else
        return false;
      if (got != want)
        return false;
    }
  return *k == '\0';
}

static const struct spec_field *
field_of (const struct spec_field *fields, const char *key)
{
  for (const struct spec_field *f = fields; f->name; f++)
    if (f->name[0] == key[0] && strcmp (f->name, key) == 0)
      return f;
  return NULL;
}

static int spec_keys_object (json_object *o, enum spec_struct s, const struct json_path *at, const char *name,
                             ocigate_error_t *err);

/* v is the value of field f, at `at`. */
static int
// NOLINTNEXTLINE(misc-no-recursion): as deep as the spec's structs
spec_keys_value (json_object *v, const struct spec_field *f, const struct json_path *at, const char *name,
                 ocigate_error_t *err)
{
  enum json_type type = json_object_get_type (v);
  if (!f->many && type == json_type_object)
    return spec_keys_object (v, f->child, at, name, err);
  if (f->many && type == json_type_array)
    {
      const struct array_list *items = json_object_get_array (v);
      for (size_t i = 0; i < items->length; i++)
        {
          struct json_path item = { .up = at, .index = i };
          if (json_object_get_type (items->array[i]) == json_type_object
              && spec_keys_object (items->array[i], f->child, &item, name, err) < 0)
            return -1;
        }
    }
  else if (f->many && type == json_type_object)
    {
      json_object_object_foreach (v, key, member)
        {
          struct json_path item = { .up = at, .key = key };
          if (json_object_get_type (member) == json_type_object
              && spec_keys_object (member, f->child, &item, name, err) < 0)
            return -1;
        }
    }
  return 0;
}

static int
// NOLINTNEXTLINE(misc-no-recursion): as deep as the spec's structs
spec_keys_object (json_object *o, enum spec_struct s, const struct json_path *at, const char *name,
                  ocigate_error_t *err)
{
  const struct spec_field *fields = spec_structs[s];
  json_object_object_foreach (o, key, val)
    {
      const struct spec_field *f = field_of (fields, key);
      if (f == NULL)
        {
          for (const struct spec_field *g = fields; g->name; g++)
            if (folds_to (key, g->name))
              {
                cleanup_free char *where = json_path_pointer (at);
                return ocigate_error_make (err, 0, OCIGATE_ERR_INPUT,
                                           "%s: %s: key \"%s\" can be taken for the field \"%s\" by runc, which "
                                           "matches field names whatever their case (crun ignores it); spell it \"%s\"",
                                           name, *where ? where : "the document", key, g->name, g->name);
              }
          continue;
        }
      struct json_path field = { .up = at, .key = f->name };
      if (f->child != S_NONE && spec_keys_value (val, f, &field, name, err) < 0)
        return -1;
    }
  return 0;
}

int
spec_keys_check (json_object *root, bool process_only, const char *name, ocigate_error_t *err)
{
  if (json_object_get_type (root) != json_type_object)
    return 0; /* the caller says what the document should be */
  return spec_keys_object (root, process_only ? S_PROCESS : S_SPEC, NULL, name, err);
}
