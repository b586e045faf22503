/* Unit tests for the "user.mapping" rule: uid/gid mappings land on unused,
 * unprivileged host IDs.
 *
 * The host's accounts are tests/unit/data/{passwd,group}:
 *   users  root 0, daemon 1, alice 1000, nobody 65534, svc 150000
 *   groups root 0, daemon 1, alice 1000, nogroup 65534, svc 150000,
 *          audit 300000
 * so 200000-265535 is free in both, and 100000-165535 is not (svc).
 * Subordinate ranges (data/subuid, data/subgid): dockremap 200000, alice
 * 3000000, alice again by UID 1000 at 3100000, bob (no account) 3200000,
 * root 5000000 and 5100000, containers 1000000-1999999 (UIDs only), and
 * lines newuidmap would not read (700000-960000).
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "user.mapping"
#define DENY "{'version': 1, 'rules': {'user.mapping': {'action': 'deny'}}}"
#define WARN "{'version': 1, 'rules': {'user.mapping': {'action': 'warn'}}}"
#define CLEAN "[{'containerID': 0, 'hostID': 200000, 'size': 65536}]"

/* When set, the host's /etc/subuid for judge_as(). */
static const char *subuid_file;

/* Judge mappings as a host where ocigate runs as euid:egid. */
static void
judge_as (struct judged *j, const char *policy, const char *uid_maps, const char *gid_maps, uid_t euid, gid_t egid)
{
  cleanup_free char *p = dq (policy);
  cleanup_free char *c0 = xasprintf ("{'process': {'user': {'uid': 0, 'gid': 0}, 'args': ['sh']}, 'linux': "
                                     "{'namespaces': [{'type': 'pid'}, {'type': 'mount'}, {'type': 'user'}], "
                                     "'uidMappings': %s, 'gidMappings': %s}}",
                                     uid_maps, gid_maps);
  cleanup_free char *c = dq (c0);
  memset (j, 0, sizeof *j);
  j->policy = unit_policy (p);
  j->cfg = unit_config (c);
  unit_host (&j->host, euid, egid);
  if (subuid_file)
    j->host.subuid_path = subuid_file;
  struct rule_context ctx = { .config = j->cfg, .host = &j->host };
  ocigate_error_t err = NULL;
  if (ocigate_evaluate (j->policy, &ctx, &j->v, &err) < 0)
    fail_msg ("evaluate failed: %s", err->msg);
}

static void
judge (struct judged *j, const char *policy, const char *uid_maps, const char *gid_maps)
{
  judge_as (j, policy, uid_maps, gid_maps, 0, 0);
}

/* The only finding is at `path` with `action` and says `message`. */
static void
assert_one (const struct judged *j, enum action action, const char *path, const char *message)
{
  if (j->v.n_findings != 1)
    fail_msg ("expected one finding, got %zu (first: %s)", j->v.n_findings,
              j->v.n_findings ? j->v.findings[0].message : "none");
  const struct finding *f = &j->v.findings[0];
  assert_string_equal (f->rule, RULE);
  assert_int_equal (f->action, action);
  assert_string_equal (f->path, path);
  assert_string_equal (f->message, message);
}

static void
test_host_id_zero (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 0, 'size': 1}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              "mapping puts container UID 0 on host UID 0 (linux.uidMappings[0]: hostID=0 size=1); map onto an unused "
              "host range such as one from /etc/subuid");
  unit_judged_release (&j);

  judge (&j, DENY, CLEAN, "[{'containerID': 5, 'hostID': 0, 'size': 1}]");
  assert_one (&j, ACTION_DENY, "/linux/gidMappings/0",
              "mapping puts container GID 5 on host GID 0 (linux.gidMappings[0]: hostID=0 size=1); map onto an unused "
              "host range such as one from /etc/subgid");
  unit_judged_release (&j);

  /* From host 0 up, the range also lands on daemon (1), named as well. */
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 0, 'size': 65536}]", CLEAN);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 2);
  assert_non_null (unit_find (&j.v, RULE, "on host UID 0"));
  assert_non_null (unit_find (&j.v, RULE, "mapping lands on host user daemon (UID 1)"));
  unit_judged_release (&j);
}

/* Host ranges that overlap: the later mapping names the earlier one. */
static void
test_overlap_host (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY,
         "[{'containerID': 0, 'hostID': 200000, 'size': 65536}, {'containerID': 65536, 'hostID': 230000, 'size': "
         "1000}]",
         CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/1",
              "mapping overlaps linux.uidMappings[0] (linux.uidMappings[1]: host IDs 230000-230999); give each mapping "
              "its own container and host range");
  unit_judged_release (&j);

  /* Adjacent ranges do not overlap. */
  judge (&j, DENY,
         "[{'containerID': 0, 'hostID': 200000, 'size': 1000}, {'containerID': 1000, 'hostID': 201000, 'size': "
         "1000}]",
         CLEAN);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Container ranges that overlap, naming whichever earlier index it is. */
static void
test_overlap_container (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, CLEAN,
         "[{'containerID': 0, 'hostID': 200000, 'size': 65536}, {'containerID': 1000, 'hostID': 400000, 'size': 10}]");
  assert_one (&j, ACTION_DENY, "/linux/gidMappings/1",
              "mapping overlaps linux.gidMappings[0] (linux.gidMappings[1]: container IDs 1000-1009); give each "
              "mapping its own container and host range");
  unit_judged_release (&j);

  judge (&j, DENY,
         "[{'containerID': 0, 'hostID': 200000, 'size': 1000}, {'containerID': 1000, 'hostID': 201000, 'size': 1000},"
         " {'containerID': 1500, 'hostID': 400000, 'size': 10}]",
         CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/2",
              "mapping overlaps linux.uidMappings[1] (linux.uidMappings[2]: container IDs 1500-1509); give each "
              "mapping its own container and host range");
  unit_judged_release (&j);

  judge (&j, DENY,
         "[{'containerID': 0, 'hostID': 200000, 'size': 1000}, {'containerID': 1000, 'hostID': 201000, 'size': 1000},"
         " {'containerID': 500, 'hostID': 400000, 'size': 10}]",
         CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/2",
              "mapping overlaps linux.uidMappings[0] (linux.uidMappings[2]: container IDs 500-509); give each mapping "
              "its own container and host range");
  unit_judged_release (&j);
}

/* The last ID of a range must fit 32 bits. */
static void
test_overflow (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 4294967000, 'size': 65536}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              "mapping overflows 32 bits (linux.uidMappings[0]: containerID=0 hostID=4294967000 size=65536); keep ID + "
              "size at most 4294967295");
  unit_judged_release (&j);

  judge (&j, DENY, CLEAN, "[{'containerID': 4294967000, 'hostID': 200000, 'size': 65536}]");
  assert_one (&j, ACTION_DENY, "/linux/gidMappings/0",
              "mapping overflows 32 bits (linux.gidMappings[0]: containerID=4294967000 hostID=200000 size=65536); keep "
              "ID + size at most 4294967295");
  unit_judged_release (&j);

  /* The boundary: ID + size = 4294967295 is fine, one more is not. */
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 4294901759, 'size': 65536}]", CLEAN);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  judge (&j, DENY, "[{'containerID': 0, 'hostID': 4294901760, 'size': 65536}]", CLEAN);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_non_null (unit_find (&j.v, RULE, "overflows"));
  unit_judged_release (&j);

  /* An overflowing mapping is not compared for overlaps. */
  judge (&j, DENY,
         "[{'containerID': 0, 'hostID': 4294967000, 'size': 65536}, {'containerID': 0, 'hostID': 4294967100, 'size': "
         "10}]",
         CLEAN);
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].path, "/linux/uidMappings/0");
  unit_judged_release (&j);
}

static void
test_size_zero (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 200000, 'size': 0}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              "mapping maps no IDs (linux.uidMappings[0].size=0); give it a size of 1 or more");
  unit_judged_release (&j);

  /* Size 0 even at host 0 is just size 0. */
  judge (&j, DENY, CLEAN, "[{'containerID': 0, 'hostID': 0, 'size': 0}]");
  assert_one (&j, ACTION_DENY, "/linux/gidMappings/0",
              "mapping maps no IDs (linux.gidMappings[0].size=0); give it a size of 1 or more");
  unit_judged_release (&j);
}

/* A range onto a host account's ID names the account (the lowest one). */
static void
test_lands_on_account (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 1000, 'size': 1}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              "mapping lands on host user alice (UID 1000) (linux.uidMappings[0]: hostID=1000 size=1); map onto IDs no "
              "host account uses, such as a range from /etc/subuid");
  unit_judged_release (&j);

  judge (&j, DENY, "[{'containerID': 0, 'hostID': 500, 'size': 200000}]", CLEAN);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "mapping lands on host user alice (UID 1000)");
  unit_judged_release (&j);

  /* The classic 100000-165535 is not free here: svc is 150000. */
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 100000, 'size': 65536}]", CLEAN);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "host user svc (UID 150000) (linux.uidMappings[0]: hostID=100000 "
                                            "size=65536)");
  unit_judged_release (&j);

  /* The range's last ID counts, one past it does not. */
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 84465, 'size': 65536}]", CLEAN);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "svc (UID 150000)");
  unit_judged_release (&j);

  judge (&j, DENY, "[{'containerID': 0, 'hostID': 84464, 'size': 65536}]", CLEAN);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* Rootless: ocigate runs as alice and maps container root onto her. */
static void
test_rootless_self (void **state UNUSED)
{
  static const char *const self = "[{'containerID': 0, 'hostID': 1000, 'size': 1}]";
  struct judged j;
  judge_as (&j, DENY, self, self, 1000, 1000);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  /* The same config judged by root lands on alice's user and group. */
  judge_as (&j, DENY, self, self, 0, 0);
  assert_int_equal (j.v.n_findings, 2);
  assert_non_null (unit_find (&j.v, RULE, "mapping lands on host user alice (UID 1000)"));
  assert_non_null (unit_find (&j.v, RULE, "mapping lands on host group alice (GID 1000)"));
  unit_judged_release (&j);

  /* Alice's own ID is excused, the others in the range are not. */
  judge_as (&j, DENY, "[{'containerID': 0, 'hostID': 1000, 'size': 65536}]", CLEAN, 1000, 1000);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "mapping lands on host user nobody (UID 65534)");
  unit_judged_release (&j);
}

/* gidMappings are checked against the group file. */
static void
test_gid_against_groups (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 265536, 'size': 65536}]",
         "[{'containerID': 0, 'hostID': 265536, 'size': 65536}]");
  assert_one (&j, ACTION_DENY, "/linux/gidMappings/0",
              "mapping lands on host group audit (GID 300000) (linux.gidMappings[0]: hostID=265536 size=65536); map "
              "onto IDs no host account uses, such as a range from /etc/subgid");
  unit_judged_release (&j);
}

static void
test_clean (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, CLEAN, CLEAN);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);

  judge (&j, DENY,
         "[{'containerID': 0, 'hostID': 200000, 'size': 1}, {'containerID': 1, 'hostID': 200001, 'size': 65535}]",
         "[{'containerID': 0, 'hostID': 400000, 'size': 65536}]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

static void
test_action_warn (void **state UNUSED)
{
  struct judged j;
  judge (&j, WARN, "[{'containerID': 0, 'hostID': 0, 'size': 1}]", CLEAN);
  assert_int_equal (j.v.n_findings, 1);
  assert_int_equal (j.v.findings[0].action, ACTION_WARN);
  assert_int_equal (verdict_decide (&j.v), DECISION_ALLOW);
  unit_judged_release (&j);
}

/* Without the account files the rule cannot judge: an error, not a pass. */
static void
test_accounts_unreadable (void **state UNUSED)
{
  cleanup_free char *p = dq (DENY);
  cleanup_free char *c = dq ("{'process': {'args': ['sh']}, 'linux': {'namespaces': [{'type': 'user'}], "
                             "'uidMappings': " CLEAN ", 'gidMappings': " CLEAN "}}");
  struct policy *policy = unit_policy (p);
  struct oci_config *cfg = unit_config (c);
  struct host_info host;
  unit_host (&host, 0, 0);
  host.passwd_path = "tests/unit/data/no-such-passwd";
  struct rule_context ctx = { .config = cfg, .host = &host };
  struct verdict v = { 0 };
  ocigate_error_t err = NULL;
  assert_int_equal (ocigate_evaluate (policy, &ctx, &v, &err), -1);
  assert_non_null (err);
  assert_string_equal (
      err->msg, "config.json: rule user.mapping: open tests/unit/data/no-such-passwd: No such file or directory");
  ocigate_error_free (&err);
  verdict_release (&v);
  host_info_release (&host);
  oci_config_free (cfg);
  policy_free (policy);
}

/* A host file that fails after another was read leaves nothing half
 * loaded: the host_info reads both again once they can be read. */
static void
test_host_files_half_read (void **state UNUSED)
{
  struct host_info host;
  unit_host (&host, 0, 0);
  host.group_path = "tests/unit/data/no-such-group";
  host.subgid_path = UNIT_FIXTURES; /* a directory: opens, but reading fails */
  const struct host_account *acc = NULL;
  const struct host_subid_range *ranges = NULL;
  size_t n = 0;
  ocigate_error_t err = NULL;
  assert_int_equal (host_accounts (&host, false, &acc, &n, &err), -1);
  assert_string_equal (err->msg, "open tests/unit/data/no-such-group: No such file or directory");
  ocigate_error_free (&err);
  assert_false (host.accounts_loaded);
  assert_null (host.users);
  assert_int_equal (host_subid_ranges (&host, false, &ranges, &n, &err), -1);
  ocigate_error_free (&err);
  assert_false (host.subids_loaded);
  assert_null (host.subuids);

  host.group_path = UNIT_FIXTURES "/group";
  host.subgid_path = UNIT_FIXTURES "/subgid";
  assert_int_equal (host_accounts (&host, false, &acc, &n, &err), 0);
  assert_true (n > 0);
  assert_string_equal (host_user_name (&host, 0), "root");
  assert_int_equal (host_subid_ranges (&host, true, &ranges, &n, &err), 0);
  assert_true (n > 0);
  host_info_release (&host);
}

/* An account line with no ':' at all is skipped.  read_accounts() once
 * looked for the ID after `line + strlen (name) + 1`, one past the end of
 * such a line: a last line without a newline ("broken" in
 * data/passwd-no-newline) read what getline() left in the buffer (alice's
 * bytes, so "broken" came back with UID 1000), and as the first line,
 * uninitialised heap (valgrind: "Conditional jump or move depends on
 * uninitialised value(s)" in strchr from read_accounts, host.c). */
static void
test_account_line_without_colon (void **state UNUSED)
{
  struct host_info host;
  unit_host (&host, 0, 0);
  host.passwd_path = UNIT_FIXTURES "/passwd-no-newline";
  const struct host_account *acc = NULL;
  size_t n = 0;
  ocigate_error_t err = NULL;
  if (host_accounts (&host, false, &acc, &n, &err) < 0)
    fail_msg ("%s", err->msg);
  for (size_t i = 0; i < n; i++)
    if (strcmp (acc[i].name, "broken") == 0)
      fail_msg ("a line with no fields read as account %s with UID %u", acc[i].name, acc[i].id);
  assert_int_equal (n, 2);
  host_info_release (&host);
}

#define SUB_MSG(kind, id, from, to, owner, key, host, size)                                                            \
  "mapping lands on host " kind "s " from "-" to ", which /etc/sub" id " gives to " owner ": new" id                   \
  "map lets that user become them (linux." key "[0]: hostID=" host " size=" size "); map onto a range of "             \
  "dockremap, containers, kubelet or no user, or add "

/* A range /etc/subuid gives to a user is taken: that user can become
 * those IDs and own what the container's IDs own. */
static void
test_subordinate_range_of_user (void **state UNUSED)
{
  struct judged j;
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 3000000, 'size': 65536}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              SUB_MSG ("UID", "uid", "3000000", "3065535", "alice", "uidMappings", "3000000",
                       "65536") "alice to rules.user.mapping.allowRangesOf");
  unit_judged_release (&j);

  /* Only the part that overlaps is named. */
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 2990000, 'size': 20000}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              SUB_MSG ("UID", "uid", "3000000", "3009999", "alice", "uidMappings", "2990000",
                       "20000") "alice to rules.user.mapping.allowRangesOf");
  unit_judged_release (&j);

  /* An owner given as a UID; an owner with no account. */
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 3100000, 'size': 10}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              SUB_MSG ("UID", "uid", "3100000", "3100009", "UID 1000", "uidMappings", "3100000",
                       "10") "1000 to rules.user.mapping.allowRangesOf");
  unit_judged_release (&j);
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 3265535, 'size': 1}]", CLEAN);
  assert_non_null (unit_find (&j.v, RULE, "which /etc/subuid gives to bob:"));
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);

  /* GIDs are judged against /etc/subgid, whose owners are users too. */
  judge (&j, DENY, CLEAN, "[{'containerID': 0, 'hostID': 3000000, 'size': 65536}]");
  assert_one (&j, ACTION_DENY, "/linux/gidMappings/0",
              SUB_MSG ("GID", "gid", "3000000", "3065535", "alice", "gidMappings", "3000000",
                       "65536") "alice to rules.user.mapping.allowRangesOf");
  unit_judged_release (&j);
  /* containers holds 1000000-1999999 in subuid only: as GIDs, free. */
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 1000000, 'size': 65536}]",
         "[{'containerID': 0, 'hostID': 1000000, 'size': 65536}]");
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* The ranges a container may use: the engines' users (the default
 * allowRangesOf), root's, and those of the user ocigate runs as. */
static void
test_subordinate_range_lenders (void **state UNUSED)
{
  struct judged j;
  const char *ok[] = { "[{'containerID': 0, 'hostID': 1500000, 'size': 65536}]",
                       "[{'containerID': 0, 'hostID': 5000000, 'size': 65536}]",
                       "[{'containerID': 0, 'hostID': 5100000, 'size': 65536}]" };
  for (size_t i = 0; i < ARRAY_SIZE (ok); i++)
    {
      judge (&j, DENY, ok[i], CLEAN);
      if (j.v.n_findings != 0)
        fail_msg ("%s: %s", ok[i], j.v.findings[0].message);
      unit_judged_release (&j);
    }

  /* Rootless: alice's engine maps onto alice's ranges, by name or UID. */
  judge_as (&j, DENY,
            "[{'containerID': 0, 'hostID': 1000, 'size': 1}, {'containerID': 1, 'hostID': 3000000, 'size': 65536}, "
            "{'containerID': 65537, 'hostID': 3100000, 'size': 65536}]",
            "[{'containerID': 0, 'hostID': 1000, 'size': 1}, {'containerID': 1, 'hostID': 3000000, 'size': 65536}]",
            1000, 1000);
  if (j.v.n_findings != 0)
    fail_msg ("rootless alice: %s", j.v.findings[0].message);
  unit_judged_release (&j);
  /* ... but not onto bob's. */
  judge_as (&j, DENY,
            "[{'containerID': 0, 'hostID': 1000, 'size': 1}, {'containerID': 1, 'hostID': 3200000, 'size': 1}]",
            "[{'containerID': 0, 'hostID': 1000, 'size': 1}]", 1000, 1000);
  assert_non_null (unit_find (&j.v, RULE, "gives to bob:"));
  unit_judged_release (&j);

  /* allowRangesOf replaces the engines' users; a name also lends the
   * ranges its UID owns. */
  judge (&j, "{'version': 1, 'rules': {'user.mapping': {'action': 'deny', 'allowRangesOf': ['alice']}}}",
         "[{'containerID': 0, 'hostID': 3000000, 'size': 65536}, {'containerID': 65536, 'hostID': 3100000, 'size': "
         "65536}]",
         "[{'containerID': 0, 'hostID': 200000, 'size': 65536}]");
  assert_one (&j, ACTION_DENY, "/linux/gidMappings/0",
              "mapping lands on host GIDs 200000-265535, which /etc/subgid gives to dockremap: newgidmap lets that "
              "user become them (linux.gidMappings[0]: hostID=200000 size=65536); map onto a range of alice or no "
              "user, or add dockremap to rules.user.mapping.allowRangesOf");
  unit_judged_release (&j);
  judge (&j, "{'version': 1, 'rules': {'user.mapping': {'action': 'deny', 'allowRangesOf': []}}}", CLEAN, CLEAN);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 2);
  assert_non_null (unit_find (&j.v, RULE, "map onto a range of no user, or add dockremap"));
  unit_judged_release (&j);
}

/* The file is read as shadow 4.13 reads it: numbers in any base
 * strtoul(3) takes, fields after the third ignored; lines it would not
 * read grant nothing.  No file, no ranges; a file that cannot be read
 * cannot be judged. */
static void
test_subordinate_files (void **state UNUSED)
{
  struct judged j;
  static const struct
  {
    const char *map, *owner_range;
  } read[] = {
    { "[{'containerID': 0, 'hostID': 800099, 'size': 5}]", "800099-800099, which /etc/subuid gives to long:" },
    { "[{'containerID': 0, 'hostID': 910000, 'size': 65536}]", "910000-910004, which /etc/subuid gives to spaced:" },
    { "[{'containerID': 0, 'hostID': 917500, 'size': 10}]", "917504-917509, which /etc/subuid gives to hex:" },
    { "[{'containerID': 0, 'hostID': 491520, 'size': 100}]", "491520-491527, which /etc/subuid gives to octal:" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (read); i++)
    {
      judge (&j, DENY, read[i].map, CLEAN);
      if (j.v.n_findings != 1 || strstr (j.v.findings[0].message, read[i].owner_range) == NULL)
        fail_msg ("%s: %zu findings, first: %s", read[i].map, j.v.n_findings,
                  j.v.n_findings ? j.v.findings[0].message : "none");
      unit_judged_release (&j);
    }
  static const char *const skipped[]
      = { "[{'containerID': 0, 'hostID': 700000, 'size': 10}]", "[{'containerID': 0, 'hostID': 900000, 'size': 10}]",
          "[{'containerID': 0, 'hostID': 950000, 'size': 50000}]" };
  for (size_t i = 0; i < ARRAY_SIZE (skipped); i++)
    {
      judge (&j, DENY, skipped[i], CLEAN);
      if (j.v.n_findings != 0)
        fail_msg ("%s: %s", skipped[i], j.v.findings[0].message);
      unit_judged_release (&j);
    }

  /* A range past the last 32-bit ID is cut there; one that starts past it
   * holds no ID a mapping can name. */
  subuid_file = UNIT_FIXTURES "/subuid-edge";
  judge (&j, DENY, "[{'containerID': 0, 'hostID': 4294901759, 'size': 65536}]", CLEAN);
  assert_one (&j, ACTION_DENY, "/linux/uidMappings/0",
              "mapping lands on host UIDs 4294967000-4294967294, which /etc/subuid gives to huge: newuidmap lets that "
              "user become them (linux.uidMappings[0]: hostID=4294901759 size=65536); map onto a range of dockremap, "
              "containers, kubelet or no user, or add huge to rules.user.mapping.allowRangesOf");
  unit_judged_release (&j);
  subuid_file = NULL;

  cleanup_free char *p = dq (DENY);
  cleanup_free char *c
      = dq ("{'process': {'args': ['sh']}, 'linux': {'namespaces': [{'type': 'user'}], "
            "'uidMappings': [{'containerID': 0, 'hostID': 3000000, 'size': 1}], 'gidMappings': " CLEAN "}}");
  struct policy *policy = unit_policy (p);
  struct oci_config *cfg = unit_config (c);
  struct host_info host;
  unit_host (&host, 0, 0);
  host.subuid_path = UNIT_FIXTURES "/no-such-subuid";
  struct rule_context ctx = { .config = cfg, .host = &host };
  struct verdict v = { 0 };
  ocigate_error_t err = NULL;
  if (ocigate_evaluate (policy, &ctx, &v, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_int_equal (v.n_findings, 0);
  verdict_release (&v);
  host_info_release (&host);

  unit_host (&host, 0, 0);
  host.subgid_path = UNIT_FIXTURES; /* a directory: opens, but reading fails */
  v = (struct verdict){ 0 };
  assert_int_equal (ocigate_evaluate (policy, &ctx, &v, &err), -1);
  assert_string_equal (err->msg, "config.json: rule user.mapping: read " UNIT_FIXTURES ": Is a directory");
  ocigate_error_free (&err);
  verdict_release (&v);
  host_info_release (&host);
  oci_config_free (cfg);
  policy_free (policy);
}

/* allowRangesOf holds names as /etc/subuid writes them. */
static void
test_allow_ranges_of_option (void **state UNUSED)
{
  const char *bad[] = { "{'version': 1, 'rules': {'user.mapping': {'action': 'deny', 'allowRangesOf': 'alice'}}}",
                        "{'version': 1, 'rules': {'user.mapping': {'action': 'deny', 'allowRangesOf': ['a:b']}}}",
                        "{'version': 1, 'rules': {'user.mapping': {'action': 'deny', 'allowRangesOf': ['']}}}",
                        "{'version': 1, 'rules': {'user.mapping': {'action': 'deny', 'allowRangesOf': [7]}}}" };
  for (size_t i = 0; i < ARRAY_SIZE (bad); i++)
    {
      cleanup_free char *p = dq (bad[i]);
      ocigate_error_t err = NULL;
      struct policy *policy = NULL;
      if (policy_load_buffer (p, strlen (p), "policy.json", &policy, &err) == 0)
        fail_msg ("accepted: %s", bad[i]);
      assert_non_null (strstr (err->msg, "rules.user.mapping.allowRangesOf"));
      ocigate_error_free (&err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_host_id_zero),
    cmocka_unit_test (test_overlap_host),
    cmocka_unit_test (test_overlap_container),
    cmocka_unit_test (test_overflow),
    cmocka_unit_test (test_size_zero),
    cmocka_unit_test (test_lands_on_account),
    cmocka_unit_test (test_rootless_self),
    cmocka_unit_test (test_gid_against_groups),
    cmocka_unit_test (test_clean),
    cmocka_unit_test (test_action_warn),
    cmocka_unit_test (test_accounts_unreadable),
    cmocka_unit_test (test_account_line_without_colon),
    cmocka_unit_test (test_subordinate_range_of_user),
    cmocka_unit_test (test_subordinate_range_lenders),
    cmocka_unit_test (test_subordinate_files),
    cmocka_unit_test (test_host_files_half_read),
    cmocka_unit_test (test_allow_ranges_of_option),
  };
  return cmocka_run_group_tests_name ("rule user.mapping", tests, NULL, NULL);
}
