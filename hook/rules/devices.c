/* devices: no host device in the container beyond the allowlist, and a
 * device cgroup that does not allow every device.
 * OWASP Docker Top 10 D04; CIS Docker v1.6.0 5.18 (host devices), 5.5 (privileged);
 * Pod Security baseline (privileged).
 *
 * linux.devices: each entry makes the runtime create (or, in a user
 * namespace, bind) a device node.  An entry is allowed by its path, and
 * only when its type and numbers are those of the device at that path:
 * {"path": "/dev/null", "type": "b", "major": 8, "minor": 0} would give the
 * container the host's first disk under an innocent name.  The numbers of
 * the devices every runtime provides are fixed by the kernel; for other
 * allowed paths they are read from this host's /dev.
 *
 * linux.resources.devices: the device cgroup is a list read in order.  An
 * entry of type "a" (or with no type) is "every device" whatever its
 * numbers and access: the kernel (cgroup v1 devices.allow) and runc's
 * emulator ignore them and reset the cgroup to allow-all or deny-all, and
 * crun writes a bare "a".  So the last such entry sets the default; an
 * allow-all followed by a deny-all is a deny-all.  After a deny-all, an
 * allow entry of type c or b with neither major nor minor, granting read
 * or write, still opens every character (or block) device; one granting
 * only mknod ("m", which runc and crun add themselves) does not.
 *
 * No entry of type "a" at all (or no list) leaves the default to the
 * runtime and the host: runc starts from deny-all, but crun on cgroup v1
 * writes only the entries, so the container keeps its parent cgroup's
 * default, allow-all on a stock host.  That is a finding, except in a user
 * namespace of the container's own: the kernel refuses mknod to every user
 * namespace but the initial one (the runtimes bind devices there instead,
 * and those binds are linux.devices entries, judged above), so an open
 * device cgroup gives it no device node it did not already have.  This is
 * what podman --uidmap and runc spec --rootless write.  Device nodes
 * shipped in the image's root file system are beyond this rule.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "base/jsonio.h"
#include "core/field.h"
#include "core/rule.h"
#include "rules/pathutil.h"

struct devices_options
{
  char **allow; /* normalised, NULL-terminated */
  size_t n_allow;
};

static void
devices_options_free (void *p)
{
  struct devices_options *o = p;
  if (o == NULL)
    return;
  cleanup_strvp (&o->allow);
  free (o);
}

RULE_OPTIONS_CLEANUP_FUNC (devices_options, devices_options_free)
#define cleanup_devices_options __attribute__ ((cleanup (cleanup_devices_optionsp)))

static int
devices_parse (json_object *opts, const struct policy_where *where, void **out, ocigate_error_t *err)
{
  static const char *const keys[] = { "allow", NULL };
  cleanup_devices_options struct devices_options *o = xzalloc (sizeof *o);
  if (rule_options_check_keys (opts, where, keys, err) < 0
      || rule_option_paths (opts, "allow", where, OCIGATE_MAX_LIST, &o->allow, &o->n_allow, err) < 0)
    return -1;
  *out = steal_pointer (&o);
  return 0;
}

static const struct json_path linux_at = { .key = "linux" };
static const struct json_path devices_at = { .up = &linux_at, .key = "devices" };
static const struct json_path resources_at = { .up = &linux_at, .key = "resources" };
static const struct json_path cgroup_at = { .up = &resources_at, .key = "devices" };

/* Whether the container gets a namespace of its own of type t. */
static bool
own_namespace (const struct rule_context *ctx, enum ns_type t)
{
  const struct ns_entry *ns = &ctx->config->ns[t];
  if (!ns->present)
    return false;
  if (ns->path == NULL)
    return true;
  cleanup_free char *why = NULL;
  return host_ns_identify (ctx->host, t, ns->path, &why) == NS_IDENTITY_OTHER;
}

/* The devices every runtime creates itself (devices.txt numbers). */
static const struct
{
  const char *path;
  int64_t major, minor;
} standard_devices[] = {
  { "/dev/null", 1, 3 },    { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },    { "/dev/random", 1, 8 },
  { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },  { "/dev/console", 5, 1 }, { "/dev/ptmx", 5, 2 },
};

/* What the device at an allowed path is: its type letter and numbers;
 * false with *why set when that cannot be told. */
static bool
expected_device (const char *path, char *type, int64_t *major, int64_t *minor, char **why)
{
  for (size_t i = 0; i < ARRAY_SIZE (standard_devices); i++)
    if (strcmp (standard_devices[i].path, path) == 0)
      {
        *type = 'c';
        *major = standard_devices[i].major;
        *minor = standard_devices[i].minor;
        return true;
      }
  struct stat st;
  if (stat (path, &st) < 0 || !(S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode)))
    {
      *why = xasprintf ("%s is not a device on this host", path);
      return false;
    }
  *type = S_ISCHR (st.st_mode) ? 'c' : 'b';
  *major = major (st.st_rdev);
  *minor = minor (st.st_rdev);
  return true;
}

static bool
on_list (char *const *list, const char *path)
{
  for (; *list; list++)
    if (strcmp (*list, path) == 0)
      return true;
  return false;
}

static int
judge_device (const struct rule_setting *s, json_object *devs, size_t i, struct verdict *v, ocigate_error_t *err)
{
  const struct devices_options *o = s->options;
  const struct json_path *at = FIELD_INDEX (&devices_at, i);
  json_object *d = NULL, *major_v = NULL, *minor_v = NULL;
  const char *path = NULL, *type = NULL;
  if (field_item_object (devs, &devices_at, i, &d, err) < 0
      || field_string (d, at, "path", FIELD_REQUIRED, NULL, &path, err) < 0
      || field_string (d, at, "type", FIELD_REQUIRED, NULL, &type, err) < 0
      || field_get (d, at, "major", json_type_int, FIELD_OPTIONAL, NULL, &major_v, err) < 0
      || field_get (d, at, "minor", json_type_int, FIELD_OPTIONAL, NULL, &minor_v, err) < 0)
    return -1;
  /* json-c's reading of the numbers (one beyond 64 bits clamped), as this
   * rule has always judged them. */
  int64_t major = major_v ? json_object_get_int64 (major_v) : 0;
  int64_t minor = minor_v ? json_object_get_int64 (minor_v) : 0;
  if (strcmp (type, "c") != 0 && strcmp (type, "b") != 0 && strcmp (type, "u") != 0 && strcmp (type, "p") != 0)
    return field_error (at, "type", err, "\"%s\" is not one of c, b, u, p", type);
  bool fifo = strcmp (type, "p") == 0;
  if (!fifo && !(major_v && minor_v))
    return field_error (at, NULL, err, "a device of type %s needs a major and a minor number", type);
  char pointer[48];
  (void)snprintf (pointer, sizeof pointer, "/linux/devices/%zu", i); /* 48 bytes hold it */
  cleanup_free char *norm = path_normalize (path);
  if (!on_list (o->allow, norm))
    {
      if (fifo)
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "host device %s in the container (linux.devices[%zu]: %s); remove it (--device %s), or "
                             "add it to rules.devices.allow",
                             path, i, type, path);
      else
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "host device %s in the container (linux.devices[%zu]: %s %lld:%lld); remove it "
                             "(--device %s), or add it to rules.devices.allow",
                             path, i, type, (long long)major, (long long)minor, path);
      return 0;
    }
  if (fifo)
    return 0;
  char want_type;
  int64_t want_major, want_minor;
  cleanup_free char *why = NULL;
  if (!expected_device (norm, &want_type, &want_major, &want_minor, &why))
    verdict_add_finding (v, s->rule->id, s->action, pointer,
                         "cannot tell whether device %s is the host's (linux.devices[%zu]: %s %lld:%lld; %s); judge "
                         "the config on the host that has the device, or remove it",
                         path, i, type, (long long)major, (long long)minor, why);
  else if ((type[0] == 'b') != (want_type == 'b') || major != want_major || minor != want_minor)
    verdict_add_finding (v, s->rule->id, s->action, pointer,
                         "device %s is not the host's %s (linux.devices[%zu]: %s %lld:%lld, the host's is %c "
                         "%lld:%lld); give it the type and numbers of %s, or remove it",
                         path, norm, i, type, (long long)major, (long long)minor, want_type, (long long)want_major,
                         (long long)want_minor, norm);
  return 0;
}

/* One entry of linux.resources.devices, checked. */
struct cgroup_entry
{
  bool allow;
  char type; /* 'a', 'b' or 'c' */
  bool wild_major, wild_minor;
  int64_t major, minor;
  const char *access; /* NULL: absent */
  unsigned perms;     /* bits: r 1, w 2, m 4 */
};

static int
read_cgroup_entry (json_object *list, size_t i, struct cgroup_entry *e, ocigate_error_t *err)
{
  const struct json_path *at = FIELD_INDEX (&cgroup_at, i);
  json_object *r = NULL, *major = NULL, *minor = NULL;
  enum field_state allow;
  const char *type = NULL;
  if (field_item_object (list, &cgroup_at, i, &r, err) < 0
      || field_bool (r, at, "allow", FIELD_OPTIONAL, &allow, &e->allow, err) < 0)
    return -1;
  if (allow != FIELD_PRESENT)
    return field_error (at, "allow", err, "missing (true or false)");
  if (field_string (r, at, "type", FIELD_OPTIONAL, NULL, &type, err) < 0
      || field_get (r, at, "major", json_type_int, FIELD_OPTIONAL, NULL, &major, err) < 0
      || field_get (r, at, "minor", json_type_int, FIELD_OPTIONAL, NULL, &minor, err) < 0
      || field_string (r, at, "access", FIELD_OPTIONAL, NULL, &e->access, err) < 0)
    return -1;
  if (type && strcmp (type, "a") != 0 && strcmp (type, "b") != 0 && strcmp (type, "c") != 0)
    return field_error (at, "type", err, "\"%s\" is not one of a, b, c", type);
  e->type = (type ? type : "a")[0];
  e->major = major ? json_object_get_int64 (major) : 0;
  e->minor = minor ? json_object_get_int64 (minor) : 0;
  e->wild_major = major == NULL || e->major == -1;
  e->wild_minor = minor == NULL || e->minor == -1;
  e->perms = e->access ? 0 : 7; /* no access given: the runtime's "rwm" */
  for (const char *c = e->access; c && *c; c++)
    {
      const char *letter = strchr ("rwm", *c);
      if (letter == NULL)
        return field_error (at, "access", err, "\"%s\" has a letter other than r, w, m", e->access);
      e->perms |= 1u << (letter - "rwm");
    }
  return 0;
}

static const char *
access_text (const struct cgroup_entry *e)
{
  return e->access ? e->access : "(absent)";
}

static int
judge_cgroup (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  json_object *resources = NULL, *list = NULL;
  size_t n = 0;
  if (field_object (json_get (ctx->config->root, "linux"), &linux_at, "resources", FIELD_OPTIONAL, NULL, &resources,
                    err)
          < 0
      || field_array (resources, &resources_at, "devices", NULL, FIELD_OPTIONAL, &list, &n, err) < 0)
    return -1;

  /* The wildcard that sets the default, and, after a deny-all, what is
   * left of allow entries for every c or every b device. */
  long last_a = -1;
  struct cgroup_entry deciding = { 0 };
  unsigned every[2] = { 0, 0 }; /* c, b */
  long every_at[2] = { -1, -1 };
  struct cgroup_entry every_entry[2] = { { 0 }, { 0 } };
  for (size_t i = 0; i < n; i++)
    {
      struct cgroup_entry e = { 0 };
      if (read_cgroup_entry (list, i, &e, err) < 0)
        return -1;
      if (e.type == 'a')
        {
          last_a = (long)i;
          deciding = e;
          every[0] = every[1] = 0;
          every_at[0] = every_at[1] = -1;
          continue;
        }
      if (!(e.wild_major && e.wild_minor))
        continue;
      int t = e.type == 'b';
      if (e.allow)
        {
          every[t] |= e.perms;
          if (e.perms & 3)
            {
              every_at[t] = (long)i;
              every_entry[t] = e;
            }
        }
      else
        every[t] &= ~e.perms;
    }

  if (last_a >= 0 && deciding.allow)
    {
      cleanup_free char *pointer = xasprintf ("/linux/resources/devices/%ld", last_a);
      /* --privileged makes /sys writable too; a device cgroup rule of
       * the person's (--device-cgroup-rule 'a *:* rwm') does not. */
      verdict_add_finding (v, s->rule->id, s->action, pointer,
                           "device cgroup allows every device (linux.resources.devices[%ld]: allow=true, type=a, "
                           "access=%s, no deny-all entry after it); %s",
                           last_a, access_text (&deciding),
                           rule_hint (rule_engine (ctx),
                                      sysfs_writable (ctx->config) ? HINT_DEVICES_PRIVILEGED : HINT_DEVICES_RULE,
                                      "drop --privileged (or a --device-cgroup-rule 'a *:* rwm'), or end the list's "
                                      "type-a entries with {\"allow\": false, \"access\": \"rwm\"}"));
      return 0;
    }
  if (last_a < 0 && !own_namespace (ctx, NS_USER))
    {
      verdict_add_finding (v, s->rule->id, s->action, "/linux/resources/devices",
                           "device cgroup has no deny-all entry (linux.resources.devices %s, no user namespace): crun "
                           "on cgroup v1 keeps the host's default, every device; start linux.resources.devices with "
                           "{\"allow\": false, \"access\": \"rwm\"}",
                           list ? "has no entry of type a" : "absent");
      return 0;
    }
  for (int t = 0; t < 2; t++)
    if (every[t] & 3)
      {
        const struct cgroup_entry *e = &every_entry[t];
        cleanup_free char *pointer = xasprintf ("/linux/resources/devices/%ld", every_at[t]);
        verdict_add_finding (v, s->rule->id, s->action, pointer,
                             "device cgroup allows every %s device (linux.resources.devices[%ld]: allow=true, "
                             "type=%c, no major or minor, access=%s); give the major and minor numbers of the devices "
                             "the container needs",
                             t ? "block" : "character", every_at[t], e->type, access_text (e));
      }
  return 0;
}

static int
devices_evaluate (const struct rule_context *ctx, const struct rule_setting *s, struct verdict *v, ocigate_error_t *err)
{
  json_object *devs = NULL;
  size_t n = 0;
  if (field_array (json_get (ctx->config->root, "linux"), &linux_at, "devices", NULL, FIELD_OPTIONAL, &devs, &n, err)
      < 0)
    return -1;
  /* The device cgroup's finding first: it is about every device, and a
   * refusal shows only the first few findings of a rule. */
  if (judge_cgroup (ctx, s, v, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (judge_device (s, devs, i, v, err) < 0)
      return -1;
  return 0;
}

const struct rule rule_devices = {
  .id = "devices",
  .summary = "host devices beyond the allowlist, and a device cgroup that allows every device",
  .actions = ACTION_MASK (ACTION_OFF) | ACTION_MASK (ACTION_WARN) | ACTION_MASK (ACTION_DENY),
  .default_options = "{\"allow\": [\"/dev/null\", \"/dev/zero\", \"/dev/full\", \"/dev/random\", \"/dev/urandom\", "
                     "\"/dev/tty\", \"/dev/console\", \"/dev/ptmx\"]}",
  .parse_options = devices_parse,
  .free_options = devices_options_free,
  .evaluate = devices_evaluate,
};
