/* Unit tests for the "cgroupsPath" rule: linux.cgroupsPath below a parent
 * the engines use, read as the cgroupfs and the systemd drivers read it.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include "unit.h"

#define RULE "cgroupsPath"
#define DENY "{'version': 1, 'rules': {'cgroupsPath': {'action': 'deny'}}}"
#define ALLOW(list) "{'version': 1, 'rules': {'cgroupsPath': {'action': 'deny', 'allow': " list "}}}"
#define CTR_BUNDLE "/run/containerd/io.containerd.runtime.v2.task/ocigate/ocigate-1"
#define DOCKER_ID "1956b0949250e42eefdd4f5e17095601461c808c7183161038e2efc75fdbd88b"

/* Judge a config whose linux.cgroupsPath is `path` (a JSON value written
 * with ' for "; NULL: absent), with the bundle the rule may read. */
static void
judge_cg (struct judged *j, const char *policy, const char *path, const char *bundle, const char *annotations)
{
  cleanup_free char *raw
      = xasprintf ("{'ociVersion': '1.0.2', 'process': {'user': {'uid': 1000, 'gid': 1000}, 'args': ['sh']}, "
                   "'root': {'path': 'rootfs'}, 'linux': {'namespaces': [{'type': 'pid'}]%s%s}%s%s}",
                   path ? ", 'cgroupsPath': " : "", path ? path : "", annotations ? ", 'annotations': " : "",
                   annotations ? annotations : "");
  cleanup_free char *p = dq (policy), *c = dq (raw);
  unit_judge_bundle_on (j, p, c, bundle, NULL);
}

static void
assert_verdict (const char *policy, const char *path, const char *bundle, size_t findings)
{
  struct judged j;
  cleanup_free char *quoted = path ? xasprintf ("'%s'", path) : NULL;
  judge_cg (&j, policy, quoted, bundle, NULL);
  if (j.v.n_findings != findings)
    fail_msg ("%s: %zu findings, not %zu%s%s", path ? path : "(absent)", j.v.n_findings, findings,
              j.v.n_findings ? ": " : "", j.v.n_findings ? j.v.findings[0].message : "");
  for (size_t i = 0; i < j.v.n_findings; i++)
    {
      assert_string_equal (j.v.findings[i].rule, RULE);
      assert_string_equal (j.v.findings[i].path, "/linux/cgroupsPath");
    }
  unit_judged_release (&j);
}

/* What the engines write passes the default list. */
static void
test_engine_paths (void **state UNUSED)
{
  static const char *const ok[] = {
    "/docker/" DOCKER_ID,                                       /* Docker, cgroupfs */
    "system.slice:docker:" DOCKER_ID,                           /* Docker, systemd */
    "/libpod_parent/libpod-" DOCKER_ID,                         /* Podman, cgroupfs */
    "/libpod_parent/" DOCKER_ID "/libpod-" DOCKER_ID,           /* a Podman pod */
    "machine.slice:libpod:" DOCKER_ID,                          /* Podman, systemd */
    "machine-libpod_pod_" DOCKER_ID ".slice:libpod:" DOCKER_ID, /* a Podman pod, systemd */
    "user.slice:libpod:" DOCKER_ID,                             /* rootless Podman */
    "/kubepods/besteffort/pod1234/" DOCKER_ID,                  /* the kubelet, cgroupfs */
    "/kubepods/pod1234/" DOCKER_ID,
    "kubepods-besteffort-pod1234.slice:cri-containerd:" DOCKER_ID, /* the kubelet, systemd */
    "kubepods-pod1234.slice:crio:" DOCKER_ID,
    "kubepods.slice:crio:" DOCKER_ID,
  };
  for (size_t i = 0; i < ARRAY_SIZE (ok); i++)
    assert_verdict (DENY, ok[i], NULL, 0);
  /* The parent itself: the runtime would join it and write the
   * container's limits over the ones set on it. */
  assert_verdict (DENY, "/docker", NULL, 1);
  assert_verdict (DENY, "/kubepods", NULL, 1);
  assert_verdict (ALLOW ("['/']"), "/", NULL, 1);
  /* Nobody asked for a place: the runtime chooses. */
  assert_verdict (DENY, NULL, NULL, 0);
  assert_verdict (DENY, "", NULL, 0);
  struct judged j;
  judge_cg (&j, DENY, "null", NULL, NULL);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* --cgroup-parent elsewhere, and what cannot be read one way. */
static void
test_outside (void **state UNUSED)
{
  struct judged j;
  judge_cg (&j, DENY, "'/" DOCKER_ID "'", NULL, NULL);
  assert_int_equal (j.v.n_findings, 1);
  assert_string_equal (j.v.findings[0].message,
                       "container's cgroup is outside the parents its engine uses, and the limits set on them "
                       "(linux.cgroupsPath=/" DOCKER_ID ": below none of the allowed parents; allowed: /docker, "
                       "/libpod_parent, /kubepods, system.slice, machine.slice, user.slice, kubepods.slice); place it "
                       "below one of rules.cgroupsPath.allow, or add its parent there");
  assert_int_equal (verdict_decide (&j.v), DECISION_DENY);
  unit_judged_release (&j);

  static const struct
  {
    const char *path, *why;
  } cases[] = {
    { "/escape/" DOCKER_ID, ": below none of the allowed parents;" },
    { "/dockerx/" DOCKER_ID, ": below none of the allowed parents;" },
    { "/", ": below none of the allowed parents;" },
    { "/docker/../" DOCKER_ID, ": a path with an empty, \".\" or \"..\" component" },
    { "/docker/./x", ": a path with an empty, \".\" or \"..\" component" },
    { "/docker//x", ": a path with an empty, \".\" or \"..\" component" },
    { "/docker/", ": a path with an empty, \".\" or \"..\" component" },
    { "//docker/x", ": a path with an empty, \".\" or \"..\" component" },
    { "docker/x", ": a relative path, which the runtime puts below its own cgroup" },
    { "..", ": a relative path" },
    { "system.slice:docker", ": not of the systemd form slice:prefix:name" },
    { "system.slice:docker:x:y", ": not of the systemd form slice:prefix:name" },
    { ":docker:x", ": no slice, so the runtime's default one" },
    { "system:docker:x", ": a slice name systemd refuses" },
    { "system-.slice:docker:x", ": a slice name systemd refuses" },
    { "system--x.slice:docker:x", ": a slice name systemd refuses" },
    { "a/system.slice:docker:x", ": a slice name systemd refuses" },
    { "system.slice:docker:x.slice", ": a name that is a slice or holds a \"/\"" },
    { "system.slice:docker:x/" DOCKER_ID, ": a name that is a slice or holds a \"/\"" },
    { "escape.slice:docker:x", ": slice escape.slice is below none of the allowed slices" },
    { "-.slice:docker:x", ": slice -.slice is below none of the allowed slices" },
    { "systemx.slice:docker:x", ": slice systemx.slice is below none of the allowed slices" },
    { "kubepodsx-a.slice:crio:x", ": slice kubepodsx-a.slice is below none" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *quoted = xasprintf ("'%s'", cases[i].path);
      judge_cg (&j, DENY, quoted, NULL, NULL);
      if (j.v.n_findings != 1)
        fail_msg ("%s: %zu findings", cases[i].path, j.v.n_findings);
      cleanup_free char *want = xasprintf ("(linux.cgroupsPath=%s%s", cases[i].path, cases[i].why);
      assert_contains (j.v.findings[0].message, want);
      unit_judged_release (&j);
    }

  judge_cg (&j, "{'version': 1, 'rules': {'cgroupsPath': {'action': 'warn'}}}", "'/'", NULL, NULL);
  assert_int_equal (unit_count (&j.v, RULE, ACTION_WARN), 1);
  unit_judged_release (&j);
  judge_cg (&j, "{'version': 1, 'rules': {'cgroupsPath': {'action': 'off'}}}", "'/'", NULL, NULL);
  assert_int_equal (j.v.n_findings, 0);
  unit_judged_release (&j);
}

/* The engines' words: Docker and Podman --cgroup-parent, ctr --cgroup. */
static void
test_engine_words (void **state UNUSED)
{
  struct judged j;
  judge_cg (&j, DENY, "'/escape/x'", NULL, "{'io.container.manager': 'libpod'}");
  assert_contains (j.v.findings[0].message, "; drop --cgroup-parent, or give one the policy allows");
  unit_judged_release (&j);
  judge_cg (&j, DENY, "'/escape/x'", "/run/containerd/io.containerd.runtime.v2.task/default/x", NULL);
  assert_contains (j.v.findings[0].message,
                   "allowed: /docker, /libpod_parent, /kubepods, system.slice, machine.slice, user.slice, "
                   "kubepods.slice, /default (containerd's namespace)); drop --cgroup, or give one the policy allows");
  unit_judged_release (&j);
}

/* ctr puts a container at /NAMESPACE/ID: allowed where the bundle shows
 * the namespace, unless the policy says otherwise. */
static void
test_containerd_namespace (void **state UNUSED)
{
  assert_verdict (DENY, "/ocigate/ocigate-1", CTR_BUNDLE, 0);
  /* ctr writes /NAMESPACE/ID; /NAMESPACE holds the namespace's other
   * containers */
  assert_verdict (DENY, "/ocigate", CTR_BUNDLE, 1);
  /* a namespace named as a systemd unit would make the host's own
   * cgroups parents */
  assert_verdict (DENY, "/system.slice/containerd.service",
                  "/run/containerd/io.containerd.runtime.v2.task/system.slice/ocigate-1", 1);
  assert_verdict (DENY, "/init.scope/ocigate-1", "/run/containerd/io.containerd.runtime.v2.task/init.scope/ocigate-1",
                  1);
  assert_verdict (DENY, "/ocigate/ocigate-1", "/run/containerd/io.containerd.runtime.v1.linux/ocigate/x", 0);
  assert_verdict (DENY, "/ocigate/ocigate-1", NULL, 1);
  assert_verdict (DENY, "/ocigatex/ocigate-1", CTR_BUNDLE, 1);
  assert_verdict (DENY, "/default/ocigate-1", CTR_BUNDLE, 1);
  assert_verdict (DENY, "/ocigate/ocigate-1", "/var/lib/ocigate/ocigate-1", 1);
  assert_verdict ("{'version': 1, 'rules': {'cgroupsPath': {'action': 'deny', 'containerdNamespace': false}}}",
                  "/ocigate/ocigate-1", CTR_BUNDLE, 1);
  /* Docker's and the CRIs' containers live in containerd too, but never
   * at /NAMESPACE: only ctr's configs get that parent. */
  struct judged j;
  judge_cg (&j, DENY, "'/moby/x'", "/run/containerd/io.containerd.runtime.v2.task/moby/x", NULL);
  assert_int_equal (j.v.n_findings, 1);
  unit_judged_release (&j);
  judge_cg (&j, DENY, "'/k8s.io/x'", "/run/containerd/io.containerd.runtime.v2.task/k8s.io/x",
            "{'io.kubernetes.cri.container-type': 'container'}");
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "allowed: /docker, /libpod_parent, /kubepods, system.slice, "
                                            "machine.slice, user.slice, kubepods.slice); the kubelet chooses it");
  unit_judged_release (&j);
  /* a daemon with a containerd namespace of its own: Docker, by its
   * network hook, still gets no /NAMESPACE */
  cleanup_free char *text = NULL;
  size_t len = 0;
  ocigate_error_t err = NULL;
  if (read_file_limited ("tests/fixtures/docker-cgroup-parent.json", OCIGATE_MAX_CONFIG_BYTES, &text, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  json_object *doc = json_tokener_parse (text);
  json_object_object_add (json_object_object_get (doc, "linux"), "cgroupsPath",
                          json_object_new_string ("/ocigate-e2e-main/x"));
  unit_judge_bundle_on (&j, "{\"version\": 1, \"rules\": {\"cgroupsPath\": {\"action\": \"deny\"}}}",
                        json_object_to_json_string (doc),
                        "/run/containerd/io.containerd.runtime.v2.task/ocigate-e2e-main/x", NULL);
  json_object_put (doc);
  assert_int_equal (j.v.n_findings, 1);
  assert_contains (j.v.findings[0].message, "kubepods.slice); drop --cgroup-parent");
  unit_judged_release (&j);
}

/* A policy's list replaces the default one. */
static void
test_options (void **state UNUSED)
{
  assert_verdict (ALLOW ("['/kubelet', 'custom.slice']"), "/kubelet/kubepods/pod1/x", NULL, 0);
  assert_verdict (ALLOW ("['/kubelet', 'custom.slice']"), "custom-a-b.slice:x:y", NULL, 0);
  assert_verdict (ALLOW ("['/kubelet', 'custom.slice']"), "/docker/x", NULL, 1);
  assert_verdict (ALLOW ("['/kubelet', 'custom.slice']"), "system.slice:docker:x", NULL, 1);
  assert_verdict (ALLOW ("['/']"), "/anything/x", NULL, 0);
  assert_verdict (ALLOW ("['/']"), "/a/../x", NULL, 1);
  assert_verdict (ALLOW ("['-.slice']"), "anything-x.slice:a:b", NULL, 0);
  assert_verdict (ALLOW ("[]"), "/docker/x", NULL, 1);
  assert_verdict (ALLOW ("[]"), NULL, NULL, 0);

  static const struct
  {
    const char *policy, *want;
  } cases[] = {
    { ALLOW ("'/docker'"), "allow: must be an array of cgroup paths and systemd slices" },
    { ALLOW ("['docker']"), "must be a cgroup path from the root" },
    { ALLOW ("['/docker/']"), "must be a cgroup path from the root" },
    { ALLOW ("['/docker/../x']"), "must be a cgroup path from the root" },
    { ALLOW ("['-docker.slice']"), "must be a cgroup path from the root" },
    { ALLOW ("[1]"), "must be a cgroup path from the root" },
    { "{'version': 1, 'rules': {'cgroupsPath': {'action': 'fix'}}}", "fix" },
    { "{'version': 1, 'rules': {'cgroupsPath': {'action': 'deny', 'containerdNamespace': 1}}}",
      "containerdNamespace: must be true or false" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *p = dq (cases[i].policy);
      cleanup_free char *msg = unit_policy_error (p);
      assert_contains (msg, cases[i].want);
    }
  assert_string_equal (rule_find (RULE)->default_options,
                       "{\"allow\": [\"/docker\", \"/libpod_parent\", \"/kubepods\", \"system.slice\", "
                       "\"machine.slice\", \"user.slice\", \"kubepods.slice\"], \"containerdNamespace\": true}");
}

static void
test_config_errors (void **state UNUSED)
{
  enum ocigate_error_kind kind;
  cleanup_free char *msg = unit_judge_error_q (
      DENY, "{'process': {'args': ['sh']}, 'root': {'path': 'rootfs'}, 'linux': {'cgroupsPath': 1}}", &kind);
  assert_int_equal (kind, OCIGATE_ERR_INPUT);
  assert_contains (msg, "linux.cgroupsPath: must be a string, not int 1");
}

/* Real configs: every engine's own parent passes (ctr's with its bundle);
 * Docker's --cgroup-parent / does not. */
static void
test_fixtures (void **state UNUSED)
{
  static const char *const pass[] = { "docker-default", "podman-default", "runc-spec", "crun-spec" };
  struct judged j;
  for (size_t i = 0; i < ARRAY_SIZE (pass); i++)
    {
      cleanup_free char *path = xasprintf ("tests/fixtures/%s.json", pass[i]);
      unit_judge_file (&j, DENY, path);
      assert_int_equal (unit_count (&j.v, RULE, -1), 0);
      unit_judged_release (&j);
    }
  unit_judge_file (&j, DENY, "tests/fixtures/docker-cgroup-parent.json");
  assert_int_equal (unit_count (&j.v, RULE, ACTION_DENY), 1);
  assert_non_null (unit_find (&j.v, RULE, ": below none of the allowed parents;"));
  assert_non_null (unit_find (&j.v, RULE, "; drop --cgroup-parent, or give one the policy allows"));
  unit_judged_release (&j);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_engine_paths), cmocka_unit_test (test_outside),
    cmocka_unit_test (test_engine_words), cmocka_unit_test (test_containerd_namespace),
    cmocka_unit_test (test_options),      cmocka_unit_test (test_config_errors),
    cmocka_unit_test (test_fixtures),
  };
  return cmocka_run_group_tests_name ("rule cgroupsPath", tests, NULL, NULL);
}
