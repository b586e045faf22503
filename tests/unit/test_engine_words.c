/* Unit tests for the engines' words (core/engine_words.c): which engine
 * wrote a config, and the hints table's lookups.
 * SPDX-License-Identifier: GPL-2.0-or-later */
#include <linux/capability.h>

#include "unit.h"
#include "core/engine_words.h"

#define FIXTURES "tests/fixtures/"
#define CONTAINERD_TASKS "/run/containerd/io.containerd.runtime.v2.task/"

static struct oci_config *
fixture (const char *name)
{
  cleanup_free char *path = xasprintf (FIXTURES "%s", name);
  struct oci_config *cfg = NULL;
  ocigate_error_t err = NULL;
  if (oci_config_load_file (path, &cfg, &err) < 0)
    fail_msg ("%s", err->msg);
  return cfg;
}

static enum engine_kind
detect (const char *name, const char *bundle)
{
  cleanup_oci_config struct oci_config *cfg = fixture (name);
  return engine_detect (cfg, bundle);
}

/* Every engine's fixtures, as the engine left them. */
static void
test_detect_fixtures (void **state UNUSED)
{
  static const struct
  {
    const char *file, *bundle;
    enum engine_kind want;
  } cases[] = {
    { "docker-default.json", NULL, ENGINE_DOCKER },      /* cgroup path and network hook */
    { "docker-network-host.json", NULL, ENGINE_DOCKER }, /* the cgroup path alone */
    { "docker-userns-remap.json", NULL, ENGINE_DOCKER },
    { "docker-default.json", CONTAINERD_TASKS "moby/0123", ENGINE_DOCKER },
    { "podman-default.json", NULL, ENGINE_PODMAN }, /* CRI-O's annotations too, and its own */
    { "podman-privileged.json", NULL, ENGINE_PODMAN },
    { "ctr-default.json", NULL, ENGINE_UNKNOWN }, /* ctr leaves no trace in the config */
    { "ctr-default.json", CONTAINERD_TASKS "ocigate/ocigate-1", ENGINE_CTR },
    { "ctr-default.json", "/run/containerd/io.containerd.runtime.v1.linux/default/x", ENGINE_CTR },
    { "ctr-default.json", CONTAINERD_TASKS "moby/x", ENGINE_DOCKER },
    { "ctr-default.json", "/srv/bundles/x", ENGINE_UNKNOWN },
    { "runc-spec.json", NULL, ENGINE_OCI_RUNTIME }, /* hostname "runc" */
    { "crun-spec.json", NULL, ENGINE_OCI_RUNTIME }, /* hostname "crun" */
    { "runc-spec-rootless.json", NULL, ENGINE_OCI_RUNTIME },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    if (detect (cases[i].file, cases[i].bundle) != cases[i].want)
      fail_msg ("%s (bundle %s): engine %d, want %d", cases[i].file, cases[i].bundle ? cases[i].bundle : "none",
                (int)detect (cases[i].file, cases[i].bundle), (int)cases[i].want);
}

/* A config of a process and `members` (a JSON object's members). */
static struct oci_config *
config_with (const char *members)
{
  cleanup_free char *json
      = xasprintf ("{\"ociVersion\": \"1.0.2\", \"process\": {\"args\": [\"sh\"]}%s%s}", *members ? ", " : "", members);
  return unit_config (json);
}

static enum engine_kind
detect_json (const char *object, const char *bundle)
{
  /* object is {MEMBERS}: the braces go */
  cleanup_free char *members = xstrndup (object + 1, strlen (object) - 2);
  cleanup_oci_config struct oci_config *cfg = config_with (members);
  return engine_detect (cfg, bundle);
}

/* The Kubernetes engines by their annotations; one annotation's value of
 * the wrong type is no trace. */
static void
test_detect_annotations (void **state UNUSED)
{
  assert_int_equal (detect_json ("{\"annotations\": {\"io.kubernetes.cri.container-type\": \"container\"}}",
                                 CONTAINERD_TASKS "k8s.io/x"),
                    ENGINE_CRI_CONTAINERD);
  assert_int_equal (detect_json ("{\"annotations\": {\"io.container.manager\": \"cri-o\"}}", NULL), ENGINE_CRIO);
  assert_int_equal (detect_json ("{\"annotations\": {\"io.kubernetes.cri-o.ContainerType\": \"container\"}}", NULL),
                    ENGINE_CRIO);
  assert_int_equal (detect_json ("{\"annotations\": {\"io.container.manager\": \"libpod\", "
                                 "\"io.kubernetes.cri-o.ContainerType\": \"container\"}}",
                                 NULL),
                    ENGINE_PODMAN);
  assert_int_equal (detect_json ("{\"linux\": {\"cgroupsPath\": \"system.slice:docker:0123\"}}", NULL), ENGINE_DOCKER);
  assert_int_equal (detect_json ("{\"annotations\": {\"io.container.manager\": 1}}", NULL), ENGINE_UNKNOWN);
  assert_int_equal (detect_json ("{}", NULL), ENGINE_UNKNOWN);
}

static void
test_docker_remaps (void **state UNUSED)
{
  cleanup_oci_config struct oci_config *remap = fixture ("docker-userns-remap-userns-host.json");
  cleanup_oci_config struct oci_config *plain = fixture ("docker-default.json");
  assert_true (engine_docker_remaps (remap));
  assert_false (engine_docker_remaps (plain));
  cleanup_oci_config struct oci_config *dotted = config_with ("\"root\": {\"path\": \"/srv/1.x/rootfs\"}");
  assert_false (engine_docker_remaps (dotted));
}

/* The system calls a capability brings in an engine's default profile. */
static void
test_profile_capability (void **state UNUSED)
{
  capmask_t all = ~(capmask_t)0;
  assert_int_equal (engine_profile_capability (ENGINE_DOCKER, "init_module", CAPMASK (CAP_SYS_MODULE)), CAP_SYS_MODULE);
  assert_int_equal (engine_profile_capability (ENGINE_DOCKER, "init_module", CAPMASK (CAP_SYS_ADMIN)), -1);
  assert_int_equal (engine_profile_capability (ENGINE_PODMAN, "open_by_handle_at", all), CAP_DAC_READ_SEARCH);
  assert_int_equal (engine_profile_capability (ENGINE_CTR, "iopl", all), CAP_SYS_RAWIO);
  assert_int_equal (engine_profile_capability (ENGINE_CRIO, "acct", all), CAP_SYS_PACCT);
  /* bpf: CAP_SYS_ADMIN in every profile, CAP_BPF in Docker's and
   * containerd's only; the first the process has. */
  assert_int_equal (engine_profile_capability (ENGINE_DOCKER, "bpf", all), CAP_SYS_ADMIN);
  assert_int_equal (engine_profile_capability (ENGINE_DOCKER, "bpf", CAPMASK (CAP_BPF)), CAP_BPF);
  assert_int_equal (engine_profile_capability (ENGINE_CRI_CONTAINERD, "perf_event_open", CAPMASK (CAP_PERFMON)),
                    CAP_PERFMON);
  assert_int_equal (engine_profile_capability (ENGINE_PODMAN, "bpf", CAPMASK (CAP_BPF)), -1);
  /* Allowed by some default profile without the capability: never blamed on it. */
  assert_int_equal (engine_profile_capability (ENGINE_DOCKER, "ptrace", all), -1);
  assert_int_equal (engine_profile_capability (ENGINE_PODMAN, "setns", all), -1);
  /* No profile of their own. */
  assert_int_equal (engine_profile_capability (ENGINE_OCI_RUNTIME, "init_module", all), -1);
  assert_int_equal (engine_profile_capability (ENGINE_UNKNOWN, "init_module", all), -1);
  assert_string_equal (engine_profile_owner (ENGINE_DOCKER), "Docker's");
  assert_string_equal (engine_profile_owner (ENGINE_CRIO), "CRI-O's");
  assert_null (engine_profile_owner (ENGINE_OCI_RUNTIME));
}

static void
assert_cap_flag (enum engine_kind e, bool add, const char *want)
{
  cleanup_free char *flag = engine_cap_flag (e, add, CAP_SYS_MODULE);
  if (want == NULL)
    assert_null (flag);
  else
    assert_string_equal (flag, want);
}

static void
test_cap_flags (void **state UNUSED)
{
  assert_cap_flag (ENGINE_DOCKER, true, "--cap-add SYS_MODULE");
  assert_cap_flag (ENGINE_PODMAN, false, "--cap-drop SYS_MODULE");
  assert_cap_flag (ENGINE_CTR, true, "--cap-add CAP_SYS_MODULE");
  assert_cap_flag (ENGINE_CRI_CONTAINERD, true, "securityContext.capabilities.add: [SYS_MODULE]");
  assert_cap_flag (ENGINE_CRIO, false, "securityContext.capabilities.drop: [SYS_MODULE]");
  assert_cap_flag (ENGINE_OCI_RUNTIME, false, "remove CAP_SYS_MODULE from process.capabilities");
  assert_cap_flag (ENGINE_UNKNOWN, true, NULL);
  assert_true (engine_cap_add_all (ENGINE_DOCKER));
  assert_false (engine_cap_add_all (ENGINE_CTR));
}

/* The hints the issue asks for, and none where the engine is not known. */
static void
test_hints (void **state UNUSED)
{
  assert_non_null (strstr (engine_hint (ENGINE_DOCKER, HINT_HOST_ROOT), "userns-remap"));
  assert_non_null (strstr (engine_hint (ENGINE_DOCKER, HINT_HOST_ROOT), "`ocigate setup docker --userns`"));
  assert_non_null (strstr (engine_hint (ENGINE_DOCKER, HINT_HOST_ROOT_USERNS_HOST), "drop --userns host"));
  assert_non_null (strstr (engine_hint (ENGINE_PODMAN, HINT_HOST_ROOT), "--userns auto"));
  assert_non_null (strstr (engine_hint (ENGINE_PODMAN, HINT_HOST_ROOT), "`ocigate setup podman --userns`"));
  assert_non_null (strstr (engine_hint (ENGINE_CTR, HINT_HOST_ROOT), "--uidmap"));
  assert_non_null (strstr (engine_hint (ENGINE_CRIO, HINT_HOST_ROOT), "hostUsers: false"));
  assert_non_null (strstr (engine_hint (ENGINE_OCI_RUNTIME, HINT_HOST_ROOT), "linux.uidMappings"));
  assert_non_null (strstr (engine_hint (ENGINE_DOCKER, HINT_CGROUP_USERNS_HOST), "--userns host"));
  assert_null (strstr (engine_hint (ENGINE_DOCKER, HINT_CGROUP_USERNS_HOST), "--privileged"));
  assert_non_null (strstr (engine_hint (ENGINE_DOCKER, HINT_MASKED_PATHS), "systempaths=unconfined"));
  assert_non_null (strstr (engine_hint (ENGINE_PODMAN, HINT_MASKED_PATHS), "unmask"));
  assert_string_equal (engine_hint (ENGINE_CTR, HINT_HOST_NS_NETWORK), "--net-host");
  assert_string_equal (engine_hint (ENGINE_CRI_CONTAINERD, HINT_HOST_NS_PID), "hostPID: true");
  for (int h = 0; h < HINT__COUNT; h++)
    assert_null (engine_hint (ENGINE_UNKNOWN, (enum engine_hint)h));
  assert_string_equal (engine_name (ENGINE_UNKNOWN), "");
  assert_string_equal (engine_name (ENGINE_CTR), "ctr");
}

/* A bind's remedy with the config's source and destination, in each
 * engine's flag; none where the engine is not known. */
static void
test_bind_remedy (void **state UNUSED)
{
  static const struct
  {
    enum engine_kind e;
    const char *want;
  } cases[] = {
    { ENGINE_DOCKER, "drop -v /srv/x/docker.sock:/var/run/docker.sock (or the --mount that binds it)" },
    { ENGINE_PODMAN, "drop -v /srv/x/docker.sock:/var/run/docker.sock (or the --mount that binds it)" },
    { ENGINE_CTR, "drop --mount type=bind,src=/srv/x/docker.sock,dst=/var/run/docker.sock" },
    { ENGINE_CRI_CONTAINERD, "remove the hostPath volume /srv/x/docker.sock mounted at /var/run/docker.sock" },
    { ENGINE_CRIO, "remove the hostPath volume /srv/x/docker.sock mounted at /var/run/docker.sock" },
  };
  for (size_t i = 0; i < ARRAY_SIZE (cases); i++)
    {
      cleanup_free char *r = engine_bind_remedy (cases[i].e, "/srv/x/docker.sock", "/var/run/docker.sock");
      assert_non_null (r);
      assert_string_equal (r, cases[i].want);
    }
  assert_null (engine_bind_remedy (ENGINE_UNKNOWN, "/a", "/b"));
  assert_null (engine_bind_remedy (ENGINE_OCI_RUNTIME, "/a", "/b"));
}

/* --ulimit where the engine has it, -1 for unlimited; the containerd
 * namespace of a bundle. */
static void
test_ulimit_and_namespace (void **state UNUSED)
{
  cleanup_free char *docker = engine_ulimit_flag (ENGINE_DOCKER, "RLIMIT_NOFILE", 1024, 1048576);
  assert_string_equal (docker, "--ulimit nofile=1024:1048576");
  cleanup_free char *podman = engine_ulimit_flag (ENGINE_PODMAN, "RLIMIT_MEMLOCK", UINT64_MAX, UINT64_MAX);
  assert_string_equal (podman, "--ulimit memlock=-1:-1");
  cleanup_free char *big = engine_ulimit_flag (ENGINE_DOCKER, "RLIMIT_CORE", 0, UINT64_MAX - 1);
  assert_string_equal (big, "--ulimit core=0:18446744073709551614");
  static const enum engine_kind none[]
      = { ENGINE_UNKNOWN, ENGINE_CTR, ENGINE_CRI_CONTAINERD, ENGINE_CRIO, ENGINE_OCI_RUNTIME };
  for (size_t i = 0; i < ARRAY_SIZE (none); i++)
    assert_null (engine_ulimit_flag (none[i], "RLIMIT_NOFILE", 1, 1));
  assert_null (engine_ulimit_flag (ENGINE_DOCKER, "NOFILE", 1, 1));
  assert_non_null (strstr (engine_hint (ENGINE_CTR, HINT_RLIMITS), "--config spec"));
  assert_string_equal (engine_hint (ENGINE_CTR, HINT_CGROUP_PARENT), "drop --cgroup, or give one the policy allows");
  assert_string_equal (engine_hint (ENGINE_DOCKER, HINT_CGROUP_PARENT),
                       "drop --cgroup-parent, or give one the policy allows");

  size_t len = 0;
  const char *ns = engine_containerd_namespace (CONTAINERD_TASKS "k8s.io/abc", &len);
  assert_non_null (ns);
  assert_int_equal (len, 6);
  assert_memory_equal (ns, "k8s.io", 6);
  /* The last task directory counts: the state directory may be named anything. */
  ns = engine_containerd_namespace ("/x/io.containerd.runtime.v2.task/moby" CONTAINERD_TASKS "k8s.io/p", &len);
  assert_non_null (ns);
  assert_int_equal (len, 6);
  assert_memory_equal (ns, "k8s.io", 6);
  assert_null (engine_containerd_namespace (CONTAINERD_TASKS "/abc", &len));
  assert_null (engine_containerd_namespace (CONTAINERD_TASKS "abc", &len));
  assert_null (engine_containerd_namespace ("/srv/bundles/x", &len));
  assert_null (engine_containerd_namespace (NULL, &len));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_detect_fixtures), cmocka_unit_test (test_detect_annotations),
    cmocka_unit_test (test_docker_remaps),   cmocka_unit_test (test_profile_capability),
    cmocka_unit_test (test_cap_flags),       cmocka_unit_test (test_hints),
    cmocka_unit_test (test_bind_remedy),     cmocka_unit_test (test_ulimit_and_namespace),
  };
  return cmocka_run_group_tests_name ("engine words", tests, NULL, NULL);
}
