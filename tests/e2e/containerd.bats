#!/usr/bin/env bats
# End to end: containerd 1.6 with `ctr run --runc-binary .../ocigate-runc`
# (README "Engines" -> "containerd"), a real private containerd started once
# for the file, and the binary `make install PREFIX=...` installed, with the
# embedded default policy.
#
# What ctr 1.6 offers for a container that is not root: `ctr run` has no
# --user flag, but it applies the image config's User.  So the file imports
# two small OCI images built here from busybox: one without a User (root)
# and one with User "1000"; the README line is then run as written,
# `ctr run --runc-binary PATH --rm IMAGE ID CMD`.  `ctr run --config SPEC ID`
# (a whole spec) covers user namespaces, since ctr 1.6 ignores --uidmap
# with --rootfs.  `--rootfs DIR` is used for the dry-run wrapper.
#
# Run as root from the repository root:  bats --tap tests/e2e/containerd.bats

bats_require_minimum_version 1.5.0
load lib-daemon

IMG_ROOT=docker.io/library/ocigate-e2e-root:1
IMG_USER=docker.io/library/ocigate-e2e-user:1

containerd_setup() {
  # a user namespace's root must reach the rootfs below this directory
  chmod 0711 "$CT"
  e2e_install "$CT"
  containerd_start "$CT" || return 1
  mkdir -p "$CT/img"
  make_rootfs "$CT/img" >/dev/null && add_sysprobe "$CT/img" || return 1
  make_oci_image_tar "$CT/img" "$CT/root.tar" "" &&
    make_oci_image_tar "$CT/img" "$CT/user.tar" 1000 || return 1
  ctrc "$CT" images import --base-name docker.io/library/ocigate-e2e-root "$CT/root.tar" >/dev/null &&
    ctrc "$CT" images import --base-name docker.io/library/ocigate-e2e-user "$CT/user.tar" >/dev/null || return 1
  # the installed wrapper in dry-run, under a script that keeps its name
  make_named_wrapper "$CT/dry" ocigate-runc "$CT/prefix/bin/ocigate-runc" --ocigate-dry-run
}

setup_file() {
  e2e_need_build
  [ "$(id -u)" -eq 0 ] || skip "needs root: starts containerd"
  command -v containerd >/dev/null && command -v ctr >/dev/null ||
    skip "containerd and ctr are not installed (Debian package containerd)"
  [ ! -e /etc/ocigate/policy.json ] ||
    skip "/etc/ocigate/policy.json exists on this machine and would replace the embedded default policy"
  CT=$(mktemp -d)
  export CT
  containerd_setup || {
    containerd_teardown
    return 1
  }
}

containerd_teardown() {
  [ -n "${CT:-}" ] || return 0
  containerd_stop "$CT"
  e2e_rmdir "$CT"
}

teardown_file() {
  containerd_teardown
}

setup() {
  RUNTIME="$CT/prefix/bin/ocigate-runc"
  # unique IDs: the runc shim keeps state in /run/containerd/runc/default
  ID="ocigate-e2e-$$-$BATS_TEST_NUMBER"
}

teardown() {
  ctr_cleanup "$CT"
}

c() { ctrc "$CT" "$@"; }

@test "containerd: the README ctr line refuses a root image: ctr: failed to create shim task: OCI runtime create failed: ocigate: denied by user.root" {
  [ -x "$RUNTIME" ]
  run c run --runc-binary "$RUNTIME" --rm "$IMG_ROOT" "$ID" /bin/true
  echo "status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ctr: failed to create shim task: OCI runtime create failed: ocigate: denied by user.root"*": unknown"* ]]
  [ -z "$(c containers ls -q)" ]
}

@test "containerd: ctr run --privileged is refused and ctr shows ocigate: denied by privileged" {
  run c run --runc-binary "$RUNTIME" --privileged --rm "$IMG_USER" "$ID" /bin/true
  echo "status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"OCI runtime create failed: ocigate: denied by privileged"* ]]
  # image User 1000: the privileged rule alone refuses it
  [[ "$output" != *"user.root"* ]]
  [ -z "$(c containers ls -q)" ]
}

@test "containerd: the README ctr line starts a compliant image (User 1000)" {
  # The rewrite's line is the container's first of standard error.
  run --separate-stderr c run --seccomp --runc-binary "$RUNTIME" --rm "$IMG_USER" "$ID" /bin/id
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=1000 "* ]]
  [ "$stderr" = "ocigate: rewrote: capabilities: dropped CAP_NET_RAW" ]
  # control: the same line with the root image is not started (test 1), so
  # the wrapper really judged this one; and without --seccomp ctr gives the
  # container no seccomp profile, which the default policy inserts
  run --separate-stderr c run --runc-binary "$RUNTIME" --rm "$IMG_USER" "$ID-nosec" sh -c 'grep Seccomp: /proc/self/status'
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Seccomp:"*"2"* ]]
  [[ "$stderr" == *"seccomp: added the profile /usr/share/containers/seccomp.json"* ]]
}

@test "containerd: --cap-add CAP_NET_ADMIN is trimmed to the default allowlist; CAP_SYS_ADMIN with the calls its profile allows for it" {
  run c run --seccomp --runc-binary "$RUNTIME" --rm --cap-add CAP_NET_ADMIN \
    "$IMG_USER" "$ID" /bin/grep CapBnd /proc/self/status
  echo "status=$status output=$output"
  [ "$status" -eq 0 ]
  mask=$(capbnd_of "$output")
  bit_clear "$mask" 12
  # containerd's default set less NET_RAW is the default allowlist
  [ "$mask" = "$(policy_allow_mask "$E2E_ROOT/policies/default.json")" ]
  # control: plain runc grants it
  run c run --seccomp --rm --cap-add CAP_NET_ADMIN "$IMG_USER" "$ID-ctl" /bin/grep CapBnd /proc/self/status
  [ "$status" -eq 0 ]
  bit_set "$(capbnd_of "$output")" 12
  # CAP_SYS_ADMIN makes containerd's profile allow the kernel-escape calls:
  # the capability goes, and so do they (the kernel says EINVAL to the
  # probe's arguments, the profile EPERM)
  run --separate-stderr c run --seccomp --runc-binary "$RUNTIME" --rm --cap-add CAP_SYS_ADMIN "$IMG_USER" "$ID-sa" \
    sh -c 'grep CapBnd /proc/self/status; sysprobe perf_event_open quotactl'
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [ "$(capbnd_of "$output")" = "$(policy_allow_mask "$E2E_ROOT/policies/default.json")" ]
  [[ "$output" == *"perf_event_open=EPERM"* ]]
  [[ "$output" == *"quotactl=EPERM"* ]]
  [[ "$stderr" == *"seccomp: took bpf, lookup_dcookie, perf_event_open, quotactl, quotactl_fd out of linux.seccomp.syscalls["* ]]
  # control: without ocigate, both reach the kernel
  run c run --seccomp --rm --cap-add CAP_SYS_ADMIN "$IMG_USER" "$ID-sa-ctl" sysprobe perf_event_open quotactl
  [ "$status" -eq 0 ]
  [[ "$output" == *"perf_event_open=EINVAL"* ]]
  [[ "$output" == *"quotactl=EINVAL"* ]]
}

@test "containerd: ctr run --rootfs: a root container is refused, and starts under the --ocigate-dry-run wrapper" {
  mkdir -p "$CT/t$BATS_TEST_NUMBER"
  make_rootfs "$CT/t$BATS_TEST_NUMBER" >/dev/null
  local rootfs="$CT/t$BATS_TEST_NUMBER/rootfs"
  run c run --runc-binary "$RUNTIME" --rm --rootfs "$rootfs" "$ID" /bin/id
  echo "enforce: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by user.root"* ]]
  run c run --runc-binary "$CT/dry/ocigate-runc" --rm --rootfs "$rootfs" "$ID-dry" /bin/id
  echo "dry-run: status=$status output=$output"
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=0 "* ]]
}

@test "containerd: ctr run --config: root in a user namespace mapped to 1000000 starts; mapped onto host 0 it is refused" {
  local b="$CT/t$BATS_TEST_NUMBER"
  make_bundle "$b" >/dev/null
  jq --arg r "$b/rootfs" '.root.path = $r | .process.args = ["/bin/id"]
      | .linux.namespaces += [{"type": "user"}]
      | .linux.uidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]
      | .linux.gidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]' \
    "$b/config.json" >"$b/userns.json"
  run --separate-stderr c run --runc-binary "$RUNTIME" --rm --config "$b/userns.json" "$ID"
  echo "userns: status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=0 "* ]]
  jq '.linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]' "$b/userns.json" >"$b/onto0.json"
  run c run --runc-binary "$RUNTIME" --rm --config "$b/onto0.json" "$ID-0"
  echo "onto 0: status=$status output=$output"
  [ "$status" -ne 0 ]
  # (the runtime log holds one line: later reasons lose their "ocigate: ")
  [[ "$output" == *"OCI runtime create failed: ocigate: denied by "*"denied by user.mapping: mapping puts container UID 0 on host UID 0"* ]]
  # and without the user namespace: root on the host
  jq '.linux.namespaces |= map(select(.type != "user")) | del(.linux.uidMappings, .linux.gidMappings)' \
    "$b/userns.json" >"$b/nouserns.json"
  run c run --runc-binary "$RUNTIME" --rm --config "$b/nouserns.json" "$ID-n"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by user.root"* ]]
}

@test "containerd: a rewrite shows in ctr containers info as the label dev.ocigate.rewrite, the config's annotation" {
  run --separate-stderr c run -d --seccomp --runc-binary "$RUNTIME" --cap-add CAP_NET_ADMIN "$IMG_USER" "$ID" /bin/sleep 60
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  run c containers info "$ID"
  [ "$status" -eq 0 ]
  local label
  label=$(jq -r '.Labels["dev.ocigate.rewrite"]' <<<"$output")
  echo "label: $label"
  [[ "$label" == "capabilities: dropped CAP_NET_ADMIN, CAP_NET_RAW"* ]]
  # the same text as the config the runtime ran
  run runc --root /run/containerd/runc/default state "$ID"
  [ "$status" -eq 0 ]
  [ "$(jq -r '.annotations["dev.ocigate.rewrite"]' <<<"$output")" = "$label" ]
  # control: what ocigate did not rewrite (its dry-run wrapper) has no label
  run c run -d --seccomp --runc-binary "$CT/dry/ocigate-runc" --cap-add CAP_NET_ADMIN "$IMG_USER" "$ID-dry" /bin/sleep 60
  [ "$status" -eq 0 ]
  run c containers info "$ID-dry"
  [ "$status" -eq 0 ]
  [ "$(jq -r '.Labels["dev.ocigate.rewrite"]' <<<"$output")" = null ]
}

@test "containerd: a ctr that never answers holds the start up 2 s at most; the container starts rewritten and stderr says why no label" {
  # A second containerd, in a mount namespace where the ctr beside its
  # shim (and in /usr/bin) never answers.
  local d="$CT/slow"
  mkdir -p "$d"
  printf '#!/bin/sh\necho $$ >%q\nexec sleep 60\n' "$d/ctr-hangs.pid" >"$d/ctr-hangs"
  chmod 0755 "$d/ctr-hangs"
  containerd_start "$d" unshare -m sh -c 'mount --bind "$0" /usr/bin/ctr && exec "$@"' "$d/ctr-hangs" || return 1
  ctrc "$d" images import --base-name docker.io/library/ocigate-e2e-user "$CT/user.tar" >/dev/null
  local t0=$SECONDS
  run --separate-stderr ctrc "$d" run --seccomp --runc-binary "$RUNTIME" --rm --cap-add CAP_NET_ADMIN \
    "$IMG_USER" "$ID" /bin/grep CapBnd /proc/self/status
  local took=$((SECONDS - t0))
  echo "status=$status took=${took}s output=$output stderr=$stderr"
  ctr_cleanup "$d"
  containerd_stop "$d"
  [ "$status" -eq 0 ]
  [ "$took" -lt 10 ]
  bit_clear "$(capbnd_of "$output")" 12
  [[ "$stderr" == *"ocigate: rewrote: capabilities: dropped CAP_NET_ADMIN"* ]]
  [[ "$stderr" == *"ocigate: label containerd's record of $ID (namespace default, $d/ctd.sock): /usr/bin/ctr: killed after 2000 ms without an answer; the container starts as judged, rewritten"* ]]
  # it was run, and killed
  [ -s "$d/ctr-hangs.pid" ]
  run kill -0 "$(cat "$d/ctr-hangs.pid")"
  [ "$status" -ne 0 ]
}
