#!/usr/bin/env bats
# Findings in the words of the engine that wrote the config: the flag the
# person typed, judged on the engines' real configs (tests/fixtures).
bats_require_minimum_version 1.5.0
load helpers

OCIGATE_RUNC="$ROOT/build/ocigate-runc"
# The bundle containerd makes for `ctr run` in the namespace "ocigate":
# ctr leaves no trace in the config itself.
CTR_BUNDLE=/run/containerd/io.containerd.runtime.v2.task/ocigate/ocigate-1

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

# refuse FIXTURE: the wrapper's refusal of the fixture's config at create,
# in $stderr, in front of a runtime that must not run.  The root file
# system the engine made is gone: the config gets one of its bundle.  The
# policy is the default one, changed by the jq filter $POLICY_EDIT if set.
refuse() {
  mkdir -m 0755 "$T/b" "$T/b/rootfs"
  jq -c '.root.path = "rootfs"' "$FIXTURES/$1" >"$T/b/config.json"
  printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>"%s/runtime.log"\nexit 0\n' "$T" >"$T/runtime"
  chmod 0755 "$T/runtime"
  jq --arg r "$T/runtime" "(${POLICY_EDIT:-.})"' + {"runtime": {"runc": $r, "crun": $r}}' "$POLICIES/default.json" >"$T/policy.json"
  chmod 0644 "$T/policy.json"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" create --bundle "$T/b" c1
  echo "status=$status"
  echo "$stderr"
  [ "$status" -eq 1 ]
  [ ! -e "$T/runtime.log" ]
}

@test "docker run --user 1000 --cap-add ALL: each seccomp finding names --cap-add, not the profile alone" {
  # Where the seccomp rule denies, the refusal names the flag.
  POLICY_EDIT='.rules.seccomp.action = "deny"' refuse docker-user1000-capadd-all.json
  [[ "$stderr" == *'ocigate: denied by seccomp: `--cap-add SYS_MODULE` makes Docker'"'"'s default seccomp profile allow init_module, finit_module, delete_module unconditionally (linux.seccomp.syscalls[13]: action SCMP_ACT_ALLOW, no argument conditions, for CAP_SYS_MODULE in process.capabilities); drop it (and ALL, which includes it), and the profile leaves them out'* ]]
  [[ "$stderr" == *'ocigate: denied by seccomp: `--cap-add SYS_ADMIN` makes Docker'"'"'s default seccomp profile allow bpf, perf_event_open, lookup_dcookie, quotactl, quotactl_fd unconditionally'* ]]
  # Under the default policy the same findings are fixes, in the same
  # words: none is in the profile's words.
  run "$OCIGATE" check "$FIXTURES/docker-user1000-capadd-all.json"
  [ "$(grep -c 'fix seccomp: `--cap-add .*; under this policy ocigate takes them out of the profile$' <<<"$output")" -eq 6 ]
  ! grep -q 'seccomp: seccomp profile allows' <<<"$output"
}

@test "podman run --user 1000 --cap-add SYS_ADMIN: names --cap-add and Podman's profile" {
  POLICY_EDIT='.rules.seccomp.action = "deny"' refuse podman-user1000-capadd-sysadmin.json
  [[ "$stderr" == *'ocigate: denied by seccomp: `--cap-add SYS_ADMIN` makes Podman'"'"'s default seccomp profile allow bpf, perf_event_open, lookup_dcookie, quotactl unconditionally (linux.seccomp.syscalls[10]:'* ]]
  run "$OCIGATE" check "$FIXTURES/podman-user1000-capadd-sysadmin.json"
  [[ "$output" == *'fix seccomp: `--cap-add SYS_ADMIN` makes Podman'"'"'s default seccomp profile allow bpf, perf_event_open, lookup_dcookie, quotactl unconditionally (linux.seccomp.syscalls[10]:'* ]]
}

@test "ctr run --seccomp --cap-add CAP_SYS_ADMIN: in ctr's words, with the bundle containerd makes" {
  run "$OCIGATE" check --bundle "$CTR_BUNDLE" "$FIXTURES/ctr-seccomp-capadd-sysadmin.json"
  [[ "$output" == *'fix seccomp: `--cap-add CAP_SYS_ADMIN` makes containerd'"'"'s default seccomp profile allow bpf, perf_event_open, lookup_dcookie, quotactl, quotactl_fd unconditionally'*'drop it, and the profile leaves them out; under this policy ocigate takes them out of the profile'* ]]
  [[ "$output" == *'drop it (--cap-drop CAP_NET_RAW)'* ]]
  # without the bundle, the profile's own words
  run "$OCIGATE" check "$FIXTURES/ctr-seccomp-capadd-sysadmin.json"
  [[ "$output" == *'fix seccomp: seccomp profile allows bpf unconditionally'* ]]
}

@test "docker run as root: user.root names userns-remap and ocigate setup docker --userns" {
  refuse docker-default.json
  [[ "$stderr" == *'ocigate: denied by user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); run as a non-root user (--user UID), or let the daemon remap root to an unprivileged range (userns-remap: `ocigate setup docker --userns`)'* ]]
}

@test "docker run --userns host on a remapping daemon: --userns host is named, not --privileged" {
  run "$OCIGATE" check "$FIXTURES/docker-userns-remap-userns-host.json"
  [[ "$output" == *'deny user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); run as a non-root user (--user UID), or drop --userns host so the daemon'"'"'s userns-remap maps root to an unprivileged range'* ]]
  [[ "$output" == *'deny mounts: cgroup file system is writable (mounts[4]: type=cgroup, destination /sys/fs/cgroup, no "ro" option, no user namespace); drop --userns host: a daemon with userns-remap mounts cgroups writable for the user namespace it gives, which --userns host takes away'* ]]
  ! grep -q 'privileged' <<<"$output"
  # --privileged makes /sys writable too: that one is named
  run "$OCIGATE" check "$FIXTURES/docker-privileged.json"
  [[ "$output" == *'cgroup file system is writable'*'drop --privileged, which makes Docker mount cgroups writable'* ]]
  [[ "$output" == *'maskedPaths: /proc/kcore is not masked (linux.maskedPaths is absent); drop --privileged and --security-opt systempaths=unconfined, so Docker masks it'* ]]
}

@test "podman run as root: user.root names --userns auto and ocigate setup podman --userns" {
  refuse podman-default.json
  [[ "$stderr" == *'ocigate: denied by user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); run as a non-root user (--user UID), or in a user namespace (--userns auto; for every container: `ocigate setup podman --userns`)'* ]]
  run "$OCIGATE" check "$FIXTURES/podman-privileged.json"
  [[ "$output" == *'/proc/kcore is not masked (linux.maskedPaths is absent); drop --privileged and --security-opt unmask=..., so Podman masks it'* ]]
}

@test "ctr run as root: user.root names a user namespace in ctr's words; without the bundle, the config's" {
  run "$OCIGATE" check --bundle "$CTR_BUNDLE" "$FIXTURES/ctr-default.json"
  [[ "$output" == *'deny user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); run it in a user namespace (ctr run --uidmap 0:100000:65536 --gidmap 0:100000:65536, with an image: ctr ignores them with --rootfs), or as a non-root user (process.user.uid of a --config spec: ctr run has no --user)'* ]]
  [[ "$output" == *'fix seccomp: no seccomp profile (linux.seccomp is absent, as with --security-opt seccomp=unconfined); add --seccomp'* ]]
  run "$OCIGATE" check "$FIXTURES/ctr-default.json"
  [[ "$output" == *'deny user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); run as a non-root user (--user UID) or add a user namespace'* ]]
}

@test "a Kubernetes container through containerd's CRI: securityContext's words" {
  jq '.annotations = {"io.kubernetes.cri.container-type": "container"}' "$FIXTURES/ctr-capadd-sysadmin.json" >"$T/cri.json"
  run "$OCIGATE" check --bundle /run/containerd/io.containerd.runtime.v2.task/k8s.io/0123 "$T/cri.json"
  [[ "$output" == *'deny user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); run it as a non-root user (securityContext runAsNonRoot: true and runAsUser: UID), or in a user namespace (the pod'"'"'s hostUsers: false)'* ]]
  [[ "$output" == *'drop it (securityContext.capabilities.drop: [SYS_ADMIN])'* ]]
  [[ "$output" == *'set securityContext.seccompProfile.type: RuntimeDefault'* ]]
}

@test "runc spec as root: the config's own fields" {
  run "$OCIGATE" check "$FIXTURES/runc-spec.json"
  [[ "$output" == *'deny user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); set process.user.uid to a non-root UID, or add a "user" entry to linux.namespaces with linux.uidMappings and linux.gidMappings'* ]]
  [[ "$output" == *'fix seccomp: no seccomp profile (linux.seccomp is absent, as with --security-opt seccomp=unconfined); add a linux.seccomp profile whose defaultAction is SCMP_ACT_ERRNO'* ]]
}

@test "--device-cgroup-rule 'a *:* rwm' is named for every device allowed; --privileged only where it made it" {
  run "$OCIGATE" check "$FIXTURES/docker-device-cgroup-rule-all.json"
  [[ "$output" == *"deny devices: device cgroup allows every device ("*"); drop the --device-cgroup-rule that allows every device ('a *:* rwm')"* ]]
  ! grep -q 'privileged' <<<"$output"
  run "$OCIGATE" check "$FIXTURES/podman-device-cgroup-rule-all.json"
  [[ "$output" == *"deny devices: device cgroup allows every device ("*"); drop the --device-cgroup-rule that allows every device ('a *:* rwm')"* ]]
  run "$OCIGATE" check "$FIXTURES/docker-privileged.json"
  [[ "$output" == *"deny devices: device cgroup allows every device ("*"); drop --privileged, which makes Docker allow every device"* ]]
}

@test "one check over configs with the same profile from different engines: each in its own words" {
  # the seccomp outcome memo replays a profile's findings from the second
  # config on: the words depend on the engine and the capabilities too
  jq 'del(.linux.cgroupsPath, .hooks)' "$FIXTURES/docker-capadd-sysadmin.json" >"$T/unknown.json"
  run "$OCIGATE" check "$FIXTURES/docker-capadd-sysadmin.json" "$T/unknown.json" "$FIXTURES/docker-capadd-sysadmin.json"
  [ "$(grep -c 'docker-capadd-sysadmin.json: fix seccomp: `--cap-add SYS_ADMIN` makes Docker' <<<"$output")" -eq 2 ]
  # bpf, perf_event_open, lookup_dcookie, quotactl and quotactl_fd, each on its own
  [ "$(grep -c "$T/unknown.json: fix seccomp: seccomp profile allows" <<<"$output")" -eq 5 ]
}
