#!/usr/bin/env bats
# The default policy's exceptions for ocigate's own installer (the DaemonSet
# of deploy/kubernetes/): its privileged root container with the host's /
# starts under containerd's CRI and under CRI-O, and so does its pod's
# sandbox under containerd; change any one criterion and it is refused.
load helpers

# A CRI container ID, and the bundles the engines give it.
CID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
CONTAINERD_BUNDLE=/run/containerd/io.containerd.runtime.v2.task/k8s.io/$CID
CRIO_BUNDLE=/run/containers/storage/overlay-containers/$CID/userdata

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

# The cgroup the kubelet (cgroupfs driver) gives a container of a
# best-effort pod; ctr's /NAMESPACE/ID is no CRI container's.
KUBEPODS_CGROUP=/kubepods/besteffort/pod5b0e7e4c-4c1d-4a53-9a57-1f0d3c2b6a11/0123456789abcdef

# installer_config ANNOTATIONS-JSON [ARGS0]: what the DaemonSet's container
# is, from containerd's own --privileged config: root, every capability and
# device, no seccomp, the host's PID namespace and / bind-mounted at /host.
installer_config() {
  jq --argjson a "$1" --arg a0 "${2:-/ocigate}" --arg cg "$KUBEPODS_CGROUP" '.process.args = [$a0, "setup", "--root", "/host", "--wait"]
      | .linux.cgroupsPath = $cg
      | .linux.namespaces |= map(select(.type != "pid"))
      | .mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind", "rw"]}]
      | .annotations = $a' "$FIXTURES/ctr-privileged.json" >"$T/config.json"
}

# sandbox_config ANNOTATIONS-JSON [ARGS0]: its pod's sandbox (pause) as
# containerd makes it for a privileged pod: no seccomp profile, user 65535.
sandbox_config() {
  jq --argjson a "$1" --arg a0 "${2:-/pause}" --arg cg "$KUBEPODS_CGROUP" '.process.args = [$a0]
      | .linux.cgroupsPath = $cg
      | .process.user = {"uid": 65535, "gid": 65535}
      | del(.linux.seccomp) | .root.readonly = true
      | .linux.namespaces |= map(select(.type != "pid"))
      | .annotations = $a' "$FIXTURES/ctr-default.json" >"$T/config.json"
}

CONTAINERD_ANN='{"io.kubernetes.cri.container-type": "container",
  "io.kubernetes.cri.sandbox-namespace": "ocigate-system", "io.kubernetes.cri.sandbox-name": "ocigate-installer-x7k2p",
  "io.kubernetes.cri.container-name": "ocigate-installer"}'
SANDBOX_ANN='{"io.kubernetes.cri.container-type": "sandbox",
  "io.kubernetes.cri.sandbox-namespace": "ocigate-system", "io.kubernetes.cri.sandbox-name": "ocigate-installer-x7k2p"}'
CRIO_ANN='{"io.kubernetes.pod.namespace": "ocigate-system", "io.kubernetes.container.name": "ocigate-installer",
  "io.kubernetes.pod.name": "ocigate-installer-x7k2p"}'

# check_at BUNDLE: the default policy's verdict on $T/config.json
# in that bundle (status and JSON output).
check_at() {
  run "$OCIGATE" check --format json -p "$POLICIES/default.json" --bundle "$1" "$T/config.json"
}

# The verdict of a sandbox no exception matches: the seccomp profile it
# lacks is inserted, and nothing says "exception".
not_excepted_but_fixed() {
  [ "$status" -eq 0 ]
  jq -e '.decision == "rewrite" and ([.findings[] | select(.rule == "seccomp") | .action] == ["fix"])
         and ([.findings[] | select(.message | startswith("exception"))] == [])' <<<"$output"
}

# The denials and fixes this config meets without an exception, as
# "rule,rule" (the seccomp rule fixes a missing profile: it inserts one).
denied_rules() {
  jq -r '[.findings[] | select(.action == "deny" or (.action == "fix" and .rule == "seccomp")) | .rule] | unique
         | join(",")' <<<"$output"
}

@test "installer exception: the installer's container under containerd's CRI is allowed, every relaxation named" {
  installer_config "$CONTAINERD_ANN"
  check_at "$CONTAINERD_BUNDLE"
  [ "$status" -eq 0 ]
  jq -e '.decision == "rewrite"' <<<"$output"
  [ -z "$(denied_rules)" ]
  # each relaxed finding says so; the capabilities and masked paths are still fixed
  jq -e '[.findings[] | select(.message | startswith("exception 0 (\"ocigate'"'"'s installer")) | .rule] | unique
         == ["devices", "mounts", "privileged", "seccomp", "user.root"]' <<<"$output"
  jq -e '[.findings[] | select(.action == "fix") | .rule] | unique == ["capabilities", "maskedPaths"]' <<<"$output"
}

@test "installer exception: without it, the same container is refused by exactly the rules it relaxes" {
  installer_config "$CONTAINERD_ANN"
  jq 'del(.exceptions)' "$POLICIES/default.json" >"$T/policy.json"
  chmod 0644 "$T/policy.json"
  run "$OCIGATE" check --format json -p "$T/policy.json" --bundle "$CONTAINERD_BUNDLE" "$T/config.json"
  [ "$status" -eq 1 ]
  [ "$(denied_rules)" = "devices,mounts,privileged,seccomp,user.root" ]
}

@test "installer exception: any one criterion changed (namespace, container name, bundle, args0) and it is refused" {
  local ann
  # another namespace, or another container of the pod
  for ann in '.["io.kubernetes.cri.sandbox-namespace"] = "default"' \
    '.["io.kubernetes.cri.container-name"] = "ocigate-installer-debug"' \
    'del(.["io.kubernetes.cri.sandbox-namespace"])'; do
    installer_config "$(jq -c "$ann" <<<"$CONTAINERD_ANN")"
    check_at "$CONTAINERD_BUNDLE"
    echo "$ann: $status"
    [ "$status" -eq 1 ]
    [ "$(denied_rules)" = "devices,mounts,privileged,seccomp,user.root" ]
  done
  # Docker's containerd namespace (moby), a bundle below the k8s.io one
  # (Podman's layout under `podman --root` there), Podman's and a plain path
  local bundle
  for bundle in "/run/containerd/io.containerd.runtime.v2.task/moby/$CID" \
    "/run/containerd/io.containerd.runtime.v2.task/k8s.io/overlay-containers/$CID/userdata" \
    "/run/containerd/io.containerd.runtime.v2.task/k8s.io/$CID/x" \
    "/var/lib/containers/storage/overlay-containers/$CID/userdata" "$T"; do
    installer_config "$CONTAINERD_ANN"
    check_at "$bundle"
    echo "$bundle: $status"
    [ "$status" -eq 1 ]
  done
  # another program
  installer_config "$CONTAINERD_ANN" /bin/sh
  check_at "$CONTAINERD_BUNDLE"
  [ "$status" -eq 1 ]
}

@test "installer exception: the pod's sandbox under containerd is allowed, seccomp alone relaxed; not another pod's" {
  sandbox_config "$SANDBOX_ANN"
  check_at "$CONTAINERD_BUNDLE"
  [ "$status" -eq 0 ]
  jq -e '[.findings[] | select(.message | startswith("exception 1 ")) | .rule] | unique == ["seccomp"]' <<<"$output"
  # A container of the pod posing as its sandbox, another pod's sandbox,
  # another program: no exception, so the default policy gives each the
  # profile it lacks (it would refuse them where the file is missing).
  local variant
  for variant in '.["io.kubernetes.cri.container-type"] = "container"' \
    '.["io.kubernetes.cri.sandbox-name"] = "debug-x7k2p"'; do
    sandbox_config "$(jq -c "$variant" <<<"$SANDBOX_ANN")"
    check_at "$CONTAINERD_BUNDLE"
    echo "$variant: $output"
    not_excepted_but_fixed
  done
  sandbox_config "$SANDBOX_ANN" /bin/sh
  check_at "$CONTAINERD_BUNDLE"
  not_excepted_but_fixed
  # the sandbox exception does not make a privileged root container pass
  installer_config "$SANDBOX_ANN" /pause
  check_at "$CONTAINERD_BUNDLE"
  [ "$status" -eq 1 ]
}

@test "installer exception: under CRI-O its container is allowed in CRI-O's bundle, and refused elsewhere" {
  installer_config "$CRIO_ANN"
  check_at "$CRIO_BUNDLE"
  [ "$status" -eq 0 ]
  [ -z "$(denied_rules)" ]
  # Podman's default bundle; containerd's annotations in CRI-O's bundle
  check_at "/var/lib/containers/storage/overlay-containers/$CID/userdata"
  [ "$status" -eq 1 ]
  installer_config "$CONTAINERD_ANN"
  check_at "$CRIO_BUNDLE"
  [ "$status" -eq 1 ]
  installer_config "$(jq -c '.["io.kubernetes.pod.namespace"] = "kube-system"' <<<"$CRIO_ANN")"
  check_at "$CRIO_BUNDLE"
  [ "$status" -eq 1 ]
}
