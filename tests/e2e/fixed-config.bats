#!/usr/bin/env bats
# A config `ocigate fix` rewrote still starts under real runc and runs a
# command: the fixes produce configs the runtime accepts.

setup() {
  ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
  OCIGATE="$ROOT/build/ocigate"
  . "$ROOT/tests/lib/rootfs.sh"
  T=$(mktemp -d)
  R="$T/runc-root"
  make_bundle "$T/b" >/dev/null
}

teardown() {
  runc --root "$R" delete -f fixed >/dev/null 2>&1 || true
  rm -rf "$T"
}

jq_inplace() {
  jq "$2" "$1" >"$1.new" && mv "$1.new" "$1"
}

@test "fixed under the default policy (capabilities, no-new-privileges, masked paths), it runs under runc" {
  jq_inplace "$T/b/config.json" '.process.user = {"uid": 1000, "gid": 1000} | .process.args = ["/bin/sh", "-c", "id; grep CapBnd /proc/self/status"]
      | .process.noNewPrivileges = false
      | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN", "CAP_NET_RAW"])
      | .linux.maskedPaths = ["/proc/kcore"] | del(.linux.readonlyPaths)'
  run "$OCIGATE" check "$T/b/config.json"
  [ "$status" -eq 0 ]
  [[ "${lines[-1]}" == *": rewrite" ]]
  [[ "$output" == *"fix noNewPrivileges"* && "$output" == *"fix maskedPaths"* && "$output" == *"fix capabilities"* ]]
  "$OCIGATE" fix -i "$T/b/config.json"
  run "$OCIGATE" check --format json "$T/b/config.json"
  [ "$status" -eq 0 ]
  jq -e '[.findings[] | select(.action != "warn")] == []' <<<"$output"
  run runc --root "$R" run -b "$T/b" fixed
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000 gid=1000"* ]]
  bnd=$(awk '/CapBnd/ {print $2}' <<<"$output")
  (( ((0x$bnd >> 21) & 1) == 0 && ((0x$bnd >> 13) & 1) == 0 ))
}

@test "a seccomp profile inserted by fix (Podman's, translated) runs under runc" {
  [ -r /usr/share/containers/seccomp.json ] || skip "no /usr/share/containers/seccomp.json (golang-github-containers-common)"
  jq '.rules.seccomp.action = "fix"' "$ROOT/policies/default.json" >"$T/policy.json"
  jq_inplace "$T/b/config.json" '.process.user = {"uid": 1000, "gid": 1000} | .process.args = ["/bin/id"] | del(.linux.seccomp)'
  run "$OCIGATE" check -p "$T/policy.json" "$T/b/config.json"
  [[ "$output" == *"fix seccomp: no seccomp profile"* ]]
  "$OCIGATE" fix -p "$T/policy.json" -i "$T/b/config.json"
  jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and (.linux.seccomp.syscalls | length) > 10' "$T/b/config.json"
  run runc --root "$R" run -b "$T/b" fixed
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000 gid=1000"* ]]
  # and the profile is really in force: a syscall it refuses fails
  jq_inplace "$T/b/config.json" '.process.args = ["/bin/sh", "-c", "grep Seccomp: /proc/self/status"]'
  runc --root "$R" delete -f fixed >/dev/null 2>&1 || true
  run runc --root "$R" run -b "$T/b" fixed
  [[ "$output" == *"Seccomp:"*"2"* ]]
}
