/* Unit tests for the "privileged" rule: the marks --privileged leaves in a
 * config (every capability, no seccomp, every device, no masked paths, host
 * devices, writable /sys), counted against minSignals.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "privileged"
#define REMEDY "drop --privileged and grant only the capabilities and devices it needs"

/* linux.resources.devices lists. */
#define ALLOW_ALL "[{\"allow\": true, \"access\": \"rwm\"}]"
#define DENY_ALL "[{\"allow\": false, \"access\": \"rwm\"}]"
/* linux.devices: /dev/null is one the runtime adds itself; three from the host. */
#define HOST_DEVICES                                                                                                   \
  "[{\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3},"                                           \
  " {\"path\": \"/dev/sda\", \"type\": \"b\", \"major\": 8, \"minor\": 0},"                                            \
  " {\"path\": \"/dev/sdb\", \"type\": \"b\", \"major\": 8, \"minor\": 16},"                                           \
  " {\"path\": \"/dev/kmsg\", \"type\": \"c\", \"major\": 1, \"minor\": 11}]"
#define FEW_CAPS                                                                                                       \
  "{\"bounding\": [\"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\"], \"effective\": [\"CAP_CHOWN\"],"                          \
  " \"permitted\": [\"CAP_CHOWN\", \"CAP_NET_BIND_SERVICE\"]}"
#define SYS_RW "[\"nosuid\", \"noexec\", \"nodev\"]"
#define SYS_RO "[\"nosuid\", \"noexec\", \"nodev\", \"ro\"]"

/* What a config looks like, field by field; NULL leaves a field out. */
struct shape
{
  const char *caps;         /* process.capabilities */
  bool seccomp;             /* linux.seccomp present */
  const char *device_rules; /* linux.resources.devices */
  bool masks;               /* linux.maskedPaths and readonlyPaths */
  const char *devices;      /* linux.devices */
  const char *sys_options;  /* options of the /sys mount; NULL: no /sys mount */
};

enum
{
  MARK_CAPS = 1 << 0,
  MARK_NO_SECCOMP = 1 << 1,
  MARK_ALL_DEVICES = 1 << 2,
  MARK_NO_MASKS = 1 << 3,
  MARK_HOST_DEVICES = 1 << 4,
  MARK_RW_SYS = 1 << 5,
  MARK_ALL = (1 << 6) - 1,
};

/* The rule counts the capabilities Linux had by 3.16. */
#define CLASSIC "of the 38 from CAP_CHOWN to CAP_AUDIT_READ"

/* A capability set of every capability libcap knows but those in `drop`. */
static char *
caps_array (capmask_t drop)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "[");
  capmask_t m = cap_known_mask () & ~drop;
  bool first = true;
  for (int c = 0; c < 64; c++)
    if (m & CAPMASK (c))
      {
        strbuf_appendf (&sb, "%s\"%s\"", first ? "" : ", ", cap_name (c));
        first = false;
      }
  strbuf_append (&sb, "]");
  return strbuf_steal (&sb);
}

/* process.capabilities with the same set in all five sets. */
static char *
all_caps_object (capmask_t drop)
{
  cleanup_free char *set = caps_array (drop);
  return xasprintf ("{\"bounding\": %s, \"effective\": %s, \"permitted\": %s, \"inheritable\": %s, \"ambient\": %s}",
                    set, set, set, set, set);
}

static char *
config_text (const struct shape *s)
{
  struct strbuf sb = { 0 };
  strbuf_append (&sb, "{\"ociVersion\": \"1.0.2\", \"process\": {\"user\": {\"uid\": 0, \"gid\": 0}, "
                      "\"args\": [\"sh\"], \"cwd\": \"/\"");
  if (s->caps)
    strbuf_appendf (&sb, ", \"capabilities\": %s", s->caps);
  strbuf_append (&sb, "}, \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}");
  if (s->sys_options)
    strbuf_appendf (&sb, ", {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": %s}",
                    s->sys_options);
  strbuf_append (&sb, "], \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, "
                      "{\"type\": \"mount\"}], \"resources\": {");
  if (s->device_rules)
    strbuf_appendf (&sb, "\"devices\": %s", s->device_rules);
  strbuf_append (&sb, "}");
  if (s->devices)
    strbuf_appendf (&sb, ", \"devices\": %s", s->devices);
  if (s->masks)
    strbuf_append (&sb, ", \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"]");
  if (s->seccomp)
    strbuf_append (&sb, ", \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"architectures\": "
                        "[\"SCMP_ARCH_X86_64\"], \"syscalls\": []}");
  strbuf_append (&sb, "}}");
  return strbuf_steal (&sb);
}

/* A config with exactly the marks in `marks`, and none of the others. */
static char *
config_with_marks (unsigned marks)
{
  cleanup_free char *all = all_caps_object (0);
  struct shape s = {
    .caps = (marks & MARK_CAPS) ? all : FEW_CAPS,
    .seccomp = !(marks & MARK_NO_SECCOMP),
    .device_rules = (marks & MARK_ALL_DEVICES) ? ALLOW_ALL : DENY_ALL,
    .masks = !(marks & MARK_NO_MASKS),
    .devices = (marks & MARK_HOST_DEVICES) ? HOST_DEVICES : NULL,
    .sys_options = (marks & MARK_RW_SYS) ? SYS_RW : SYS_RO,
  };
  return config_text (&s);
}

static char *
policy_text (const char *action, int min_signals)
{
  if (min_signals > 0)
    return xasprintf ("{\"version\": 1, \"rules\": {\"" RULE "\": {\"action\": \"%s\", \"minSignals\": %d}}}", action,
                      min_signals);
  return xasprintf ("{\"version\": 1, \"rules\": {\"" RULE "\": {\"action\": \"%s\"}}}", action);
}

static void
judge_shape (struct judged *j, const char *action, int min_signals, const struct shape *s)
{
  cleanup_free char *policy = policy_text (action, min_signals);
  cleanup_free char *config = config_text (s);
  unit_judge (j, policy, config);
}

static void
judge_marks (struct judged *j, const char *action, int min_signals, unsigned marks)
{
  cleanup_free char *policy = policy_text (action, min_signals);
  cleanup_free char *config = config_with_marks (marks);
  unit_judge (j, policy, config);
}

static char *
expected (unsigned count, const char *marks)
{
  return xasprintf ("container is privileged (%u of 6 marks: %s); " REMEDY, count, marks);
}

/* The whole of --privileged: one deny finding on the document naming all six. */
static void
test_docker_privileged (void **state UNUSED)
{
  struct judged j;
  judge_marks (&j, "deny", 0, MARK_ALL);
  assert_int_equal (j.v.n_findings, 1);
  const struct finding *f = &j.v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, ACTION_DENY);
  assert_string_equal (f->path, "");
  cleanup_free char *want = expected (6, "every capability (38 " CLASSIC "), no seccomp profile, device cgroup allows "
                                         "every device, no masked or read-only paths, 3 host devices in linux.devices "
                                         "(/dev/sda, ...), writable /sys");
  assert_string_equal (f->message, want);
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);
}

/* The config Docker really wrote for `docker run --privileged`. */
static void
test_docker_privileged_fixture (void **state UNUSED)
{
  struct policy *p = unit_policy_rule (RULE, "{\"action\": \"deny\"}");
  struct oci_config *cfg = NULL;
  ocigate_error_t err = NULL;
  if (oci_config_load_file ("tests/fixtures/docker-privileged.json", &cfg, &err) < 0)
    fail_msg ("fixture did not load: %s", err->msg);
  struct host_info host;
  unit_host (&host, 0, 0);
  struct rule_context ctx = { .config = cfg, .host = &host };
  struct verdict v = { 0 };
  assert_int_equal (ocigate_evaluate (p, &ctx, &v, &err), 0);
  assert_int_equal (unit_count (&v, RULE, ACTION_DENY), 1);
  const struct finding *f = unit_find (&v, RULE, "6 of 6 marks");
  assert_non_null (f);
  assert_contains (f->message, "every capability (38 " CLASSIC "), no seccomp profile, device cgroup allows every "
                               "device, no masked or read-only paths, 94 host devices in linux.devices (/dev/autofs, "
                               "...), writable /sys");
  verdict_release (&v);
  host_info_release (&host);
  oci_config_free (cfg);
  policy_free (p);
}

/* Each mark alone is some other rule's business: no finding, not even at
 * the lowest minSignals. */
static void
test_one_mark_alone (void **state UNUSED)
{
  struct judged j;
  judge_marks (&j, "deny", 0, MARK_NO_SECCOMP);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  for (unsigned m = MARK_CAPS; m <= MARK_RW_SYS; m <<= 1)
    {
      judge_marks (&j, "deny", 2, m);
      if (j.v.n_findings != 0)
        fail_msg ("mark 0x%x alone gave: %s", m, j.v.findings[0].message);
      unit_judged_release (&j);
    }

  /* And none at all. */
  judge_marks (&j, "deny", 2, 0);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Two marks meet minSignals 2; the same pair misses minSignals 3. */
static void
test_min_signals_exact (void **state UNUSED)
{
  struct judged j;
  judge_marks (&j, "deny", 2, MARK_NO_SECCOMP | MARK_RW_SYS);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want2 = expected (2, "no seccomp profile, writable /sys");
  assert_string_equal (j.v.findings[0].message, want2);
  unit_judged_release (&j);

  judge_marks (&j, "deny", 3, MARK_NO_SECCOMP | MARK_RW_SYS);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Four of six at minSignals 4, then one fewer. */
  unsigned four = MARK_ALL_DEVICES | MARK_NO_MASKS | MARK_HOST_DEVICES | MARK_RW_SYS;
  judge_marks (&j, "deny", 4, four);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want4 = expected (4, "device cgroup allows every device, no masked or read-only paths, 3 host "
                                          "devices in linux.devices (/dev/sda, ...), writable /sys");
  assert_string_equal (j.v.findings[0].message, want4);
  unit_judged_release (&j);

  judge_marks (&j, "deny", 4, four & ~MARK_RW_SYS);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* The default is 3. */
  judge_marks (&j, "deny", 0, MARK_CAPS | MARK_NO_SECCOMP | MARK_NO_MASKS);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_non_null (unit_find (&j.v, RULE, "(3 of 6 marks: every capability"));
  unit_judged_release (&j);

  judge_marks (&j, "deny", 0, MARK_CAPS | MARK_NO_SECCOMP);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* minSignals 6 wants every mark. */
  judge_marks (&j, "deny", 6, MARK_ALL);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  unit_judged_release (&j);

  judge_marks (&j, "deny", 6, MARK_ALL & ~MARK_CAPS);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* minSignals is 2 to 6: the loader refuses anything else and says where. */
static void
test_min_signals_bounds (void **state UNUSED)
{
  static const char *const bad[] = { "1", "7", "0", "-1", "3.0", "\"3\"", "true", "null" };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      cleanup_free char *json = xasprintf ("{\n  \"version\": 1,\n  \"rules\": {\n    \"" RULE "\": {\n"
                                           "      \"action\": \"deny\",\n      \"minSignals\": %s\n    }\n  }\n}",
                                           bad[i]);
      cleanup_free char *msg = unit_policy_error (json);
      assert_string_equal (msg, "test-policy.json:6: rules.privileged.minSignals: must be an integer from 2 to 6");
    }
  static const int good[] = { 2, 6 };
  for (size_t i = 0; i < ARRAY_SIZE (good); i++)
    {
      cleanup_free char *json = policy_text ("deny", good[i]);
      struct policy *p = unit_policy (json);
      assert_int_equal (p->settings[0].action, ACTION_DENY);
      assert_string_equal (p->settings[0].rule->id, RULE);
      json_object *min = json_get (p->settings[0].options_json, "minSignals");
      assert_int_equal (json_object_get_int (min), good[i]);
      policy_free (p);
    }
}

/* The device cgroup is read in order: allow-all then deny-all denies. */
static void
test_device_rule_order (void **state UNUSED)
{
  cleanup_free char *all = all_caps_object (0);
  struct shape s
      = { .caps = all,
          .seccomp = false,
          .device_rules = "[{\"allow\": true, \"access\": \"rwm\"}, {\"allow\": false, \"access\": \"rwm\"}]",
          .masks = false,
          .devices = HOST_DEVICES,
          .sys_options = SYS_RW };
  struct judged j;
  judge_shape (&j, "deny", 0, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "(5 of 6 marks: ");
  assert_null (strstr (j.v.findings[0].message, "device cgroup"));
  unit_judged_release (&j);

  /* ... and with minSignals 6 that is not privileged at all. */
  judge_shape (&j, "deny", 6, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Deny-all then allow-all allows every device. */
  s.device_rules = "[{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"access\": \"rwm\"}]";
  judge_shape (&j, "deny", 6, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "device cgroup allows every device");
  unit_judged_release (&j);

  /* Explicit wildcards (type "a", major and minor -1) are wildcards too. */
  s.device_rules = "[{\"allow\": false, \"access\": \"rwm\"}, "
                   "{\"allow\": true, \"type\": \"a\", \"major\": -1, \"minor\": -1, \"access\": \"rwm\"}]";
  judge_shape (&j, "deny", 6, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  unit_judged_release (&j);

  /* Allowing every char device is not every device. */
  s.device_rules = "[{\"allow\": false, \"access\": \"rwm\"}, {\"allow\": true, \"type\": \"c\", \"access\": \"rwm\"}]";
  judge_shape (&j, "deny", 6, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* No device cgroup list at all leaves every device open. */
  s.device_rules = NULL;
  judge_shape (&j, "deny", 6, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "no device cgroup rules (linux.resources.devices absent)");
  unit_judged_release (&j);
}

/* No process.capabilities: the process keeps every capability. */
static void
test_absent_capabilities (void **state UNUSED)
{
  struct shape s = {
    .caps = NULL, .seccomp = false, .device_rules = DENY_ALL, .masks = true, .devices = NULL, .sys_options = SYS_RO
  };
  struct judged j;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want = expected (2, "every capability (process.capabilities absent), no seccomp profile");
  assert_string_equal (j.v.findings[0].message, want);
  unit_judged_release (&j);

  /* The same config listing a few capabilities has one mark only. */
  s.caps = FEW_CAPS;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* An empty capabilities object is no capability at all. */
  s.caps = "{}";
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* "Every capability" is the 38 classic ones give or take two (an engine may
 * not know the newest, a host's bounding set may lack some), not three. */
static void
test_all_caps_give_or_take_two (void **state UNUSED)
{
  struct shape s = { .seccomp = false, .device_rules = DENY_ALL, .masks = true, .sys_options = SYS_RO };
  struct judged j;

  /* The classic 38 and nothing newer (Docker 20.10). */
  cleanup_free char *classic = all_caps_object (~(capmask_t)0 << 38);
  s.caps = classic;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want38 = expected (2, "every capability (38 " CLASSIC "), no seccomp profile");
  assert_string_equal (j.v.findings[0].message, want38);
  unit_judged_release (&j);

  cleanup_free char *two = all_caps_object (CAPMASK (0) | CAPMASK (37));
  s.caps = two;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want36 = expected (2, "every capability (36 " CLASSIC "), no seccomp profile");
  assert_string_equal (j.v.findings[0].message, want36);
  unit_judged_release (&j);

  cleanup_free char *three = all_caps_object (CAPMASK (0) | CAPMASK (1) | CAPMASK (37));
  s.caps = three;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* The newer capabilities do not make up for missing classic ones. */
  cleanup_free char *newer = all_caps_object (CAPMASK (21) | CAPMASK (12) | CAPMASK (16));
  s.caps = newer;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* Capabilities count across sets: every one in some set is every one. */
  cleanup_free char *lo = caps_array (~(capmask_t)0 << 20);
  cleanup_free char *hi = caps_array (((capmask_t)1 << 20) - 1);
  cleanup_free char *split = xasprintf ("{\"bounding\": %s, \"permitted\": %s}", lo, hi);
  s.caps = split;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_contains (j.v.findings[0].message, "every capability (38 " CLASSIC ")");
  unit_judged_release (&j);
}

/* One --device is a choice; two or more host devices are a mark. */
static void
test_host_devices (void **state UNUSED)
{
  struct shape s
      = { .caps = FEW_CAPS, .seccomp = false, .device_rules = DENY_ALL, .masks = true, .sys_options = SYS_RO };
  struct judged j;

  s.devices = "[{\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229},"
              " {\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3},"
              " {\"path\": \"/dev/tty\", \"type\": \"c\", \"major\": 5, \"minor\": 0}]";
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  s.devices = "[{\"path\": \"/dev/null\", \"type\": \"c\", \"major\": 1, \"minor\": 3},"
              " {\"path\": \"/dev/fuse\", \"type\": \"c\", \"major\": 10, \"minor\": 229},"
              " {\"path\": \"/dev/kvm\", \"type\": \"c\", \"major\": 10, \"minor\": 232}]";
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want = expected (2, "no seccomp profile, 2 host devices in linux.devices (/dev/fuse, ...)");
  assert_string_equal (j.v.findings[0].message, want);
  unit_judged_release (&j);
}

/* /sys mounted read-only is not a mark; without "ro" it is. */
static void
test_sysfs (void **state UNUSED)
{
  struct shape s = { .caps = FEW_CAPS, .seccomp = false, .device_rules = DENY_ALL, .masks = true };
  struct judged j;

  s.sys_options = SYS_RO;
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  s.sys_options = NULL; /* no /sys mount at all */
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  s.sys_options = "[\"rw\"]";
  judge_shape (&j, "deny", 2, &s);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want = expected (2, "no seccomp profile, writable /sys");
  assert_string_equal (j.v.findings[0].message, want);
  unit_judged_release (&j);
}

/* The runtime mounts in order, and a later mount at /sys covers an earlier
 * one: a read-only /sys followed by a writable one leaves /sys writable.
 * signal_writable_sysfs() once decided on the first mount at /sys. */
static void
test_sysfs_later_mount_wins (void **state UNUSED)
{
  struct shape s = { .caps = FEW_CAPS,
                     .seccomp = false,
                     .device_rules = DENY_ALL,
                     .masks = true,
                     .sys_options = SYS_RO " }, {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": "
                                           "\"sysfs\", \"options\": " SYS_RW };
  struct judged j;
  judge_shape (&j, "deny", 2, &s);
  /* The shape really has two /sys mounts, the writable one last. */
  json_object *mounts = json_get (j.cfg->root, "mounts");
  assert_int_equal (json_object_array_length (mounts), 3);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  cleanup_free char *want = expected (2, "no seccomp profile, writable /sys");
  assert_string_equal (j.v.findings[0].message, want);
  unit_judged_release (&j);
}

/* The action is the policy's: warn reports, off says nothing. */
static void
test_actions (void **state UNUSED)
{
  struct judged j;
  judge_marks (&j, "warn", 0, MARK_ALL);
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);

  judge_marks (&j, "off", 0, MARK_ALL);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  cleanup_free char *msg = unit_policy_error ("{\"version\": 1, \"rules\": {\"" RULE "\": {\"action\": \"fix\"}}}");
  assert_string_equal (msg, "test-policy.json:1: rules.privileged.action: \"fix\" is not an action of this rule "
                            "(\"off\", \"warn\", \"deny\")");
}

/* An exec carries one mark, its capabilities: every one is enough there
 * (exec --privileged), fewer is not, and the container's own config with
 * the same single mark is still not privileged. */
static void
test_exec_every_capability (void **state UNUSED)
{
  cleanup_free char *policy = policy_text ("deny", 0);
  cleanup_free char *all = config_with_marks (MARK_CAPS);
  cleanup_free char *few = config_with_marks (0);
  const char *configs[] = { all, few };
  for (int i = 0; i < 2; i++)
    for (int exec = 0; exec < 2; exec++)
      {
        struct judged j;
        memset (&j, 0, sizeof j);
        j.policy = unit_policy (policy);
        j.cfg = unit_config (configs[i]);
        j.cfg->exec_process = exec;
        ocigate_error_t err = NULL;
        /* As the wrapper does once the exec's process is in: the mark stays. */
        if (oci_config_refresh (j.cfg, &err) < 0)
          fail_msg ("refresh failed: %s", err->msg);
        unit_host (&j.host, 0, 0);
        struct rule_context ctx = { .config = j.cfg, .host = &j.host };
        if (ocigate_evaluate (j.policy, &ctx, &j.v, &err) < 0)
          fail_msg ("evaluate failed: %s", err->msg);
        bool want = i == 0 && exec;
        assert_int_equal (j.v.n_findings, want ? 1 : 0);
        if (want)
          {
            assert_non_null (strstr (j.v.findings[0].message, "exec is privileged (every capability"));
            assert_non_null (strstr (j.v.findings[0].message, "drop exec --privileged"));
          }
        unit_judged_release (&j);
      }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_docker_privileged),
    cmocka_unit_test (test_docker_privileged_fixture),
    cmocka_unit_test (test_one_mark_alone),
    cmocka_unit_test (test_exec_every_capability),
    cmocka_unit_test (test_min_signals_exact),
    cmocka_unit_test (test_min_signals_bounds),
    cmocka_unit_test (test_device_rule_order),
    cmocka_unit_test (test_absent_capabilities),
    cmocka_unit_test (test_all_caps_give_or_take_two),
    cmocka_unit_test (test_host_devices),
    cmocka_unit_test (test_sysfs),
    cmocka_unit_test (test_actions),
    cmocka_unit_test (test_sysfs_later_mount_wins),
  };
  return cmocka_run_group_tests_name ("rule privileged", tests, NULL, NULL);
}
