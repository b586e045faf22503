#!/usr/bin/env bats
# End-to-end: ocigate through Podman's hooks.d (README "Podman: hooks.d"),
# with real containers: Podman 4.3 runs the precreate hook itself (the
# config on stdin, the config to use on stdout) and hands the prestart hook
# to runc.
# Run as root from the repository root: bats --tap tests/e2e/podman.bats
#
# Each test has its own Podman storage (--root/--runroot/--tmpdir under $T,
# vfs driver, no network) and its own containers.conf (CONTAINERS_CONF):
# Podman's default ulimits are above what such hosts allow.  runc is the
# runtime (crun cannot run on hybrid cgroup hosts).  The hooks dir is given
# with --hooks-dir: "$HOOKS_D" (from make install) or "$T/nohooks" (none).

load lib-hook

IMG=localhost/bb:1

setup_file() {
  hook_setup_file
  podman_setup_file
}

teardown_file() {
  podman_teardown_file
  hook_teardown_file
}

setup() {
  hook_setup
  podman_setup
}

teardown() {
  podman_cleanup
  rm -rf "$T"
}

no_container_left() {
  run "${PODMAN[@]}" ps -aq
  assert_status 0
  [ -z "$output" ]
}

# hooks_with_args DIR ARG...: a copy of the installed hooks.d with ARGs
# appended to both hooks' args.
hooks_with_args() {
  local d=$1 f
  shift
  mkdir -p "$d"
  for f in "$HOOKS_D"/*.json; do
    jq --argjson extra "$(json_strings "$@")" '.hook.args += $extra' "$f" >"$d/${f##*/}"
  done
}

# runc_root ID: the --root of the runc that Podman made container ID with.
runc_root() {
  local d
  for d in /run/runc "$T/runroot/runc"; do
    if [ -e "$d/$1/state.json" ]; then
      echo "$d"
      return 0
    fi
  done
  echo "no runc state of $1" >&2
  return 1
}

# Bounding sets: the mask without ocigate, and the allowlist's.
base_capbnd() {
  run prun --hooks-dir "$T/nohooks" "$@" "$IMG" grep CapBnd /proc/self/status
  assert_status 0
  capbnd "$output"
}

@test "podman: README's hooks.d refuses --privileged with 'ocigate: denied by privileged'" {
  # The hooks dir is what make install wrote: both files, naming our binary.
  [ "$(ls "$HOOKS_D")" = "$(printf 'ocigate-precreate.json\nocigate-prestart.json')" ]
  run prun --hooks-dir "$HOOKS_D" --privileged "$IMG" /bin/true
  assert_failure
  assert_contains "$output" "Error: OCI runtime error"
  assert_contains "$output" "$MSG_PRIVILEGED: container is privileged ("
  # At most three lines of a rule, then a count: the error stays readable.
  assert_contains "$output" " more findings of this rule; \`ocigate check\` on the config lists every one"
  [ "${#output}" -lt 8192 ]
  no_container_left
}

@test "podman: --user 1000 --cap-add SYS_ADMIN starts with the bounding set trimmed to the allowlist" {
  local base allow got
  base=$(base_capbnd --user 1000 --cap-add SYS_ADMIN)
  # Control: without ocigate, CAP_SYS_ADMIN (bit 21) is in the bounding set.
  [ $(((base >> 21) & 1)) -eq 1 ]
  allow=$(allow_mask)
  # The four mission rules alone: under the default policy Podman's profile
  # for CAP_SYS_ADMIN (bpf, quotactl... allowed outright) is refused.
  cp "$HOOK_REPO/tests/policies/mission.json" "$T/mission.json"
  chmod 0644 "$T/mission.json"
  hooks_with_args "$T/mission.d" -p "$T/mission.json"
  run prun --hooks-dir "$T/mission.d" --user 1000 --cap-add SYS_ADMIN "$IMG" sh -c 'id; grep CapBnd /proc/self/status'
  assert_status 0
  assert_contains "$output" "uid=1000"
  got=$(capbnd "$output")
  [ $(((got >> 21) & 1)) -eq 0 ]
  assert_eq "$(printf '%x' "$got")" "$(printf '%x' $((base & allow)))" "CapBnd (Podman's set AND the allowlist)"
  no_container_left
}

@test "podman: --uidmap 0:100000:65536 --cap-add SYS_ADMIN starts trimmed under the default policy, its profile still refusing the deny list" {
  local base allow got map=(--uidmap 0:100000:65536 --gidmap 0:100000:65536)
  local probe='id; grep CapBnd /proc/self/status; sysprobe perf_event_open quotactl'
  # Control: without ocigate, CAP_SYS_ADMIN (bit 21) is in the bounding
  # set and Podman's profile lets perf_event_open and quotactl reach the
  # kernel (which says EINVAL to these arguments).
  run prun --hooks-dir "$T/nohooks" "${map[@]}" --cap-add SYS_ADMIN "$IMG" sh -c "$probe"
  assert_status 0
  base=$(capbnd "$output")
  [ $(((base >> 21) & 1)) -eq 1 ]
  assert_contains "$output" "perf_event_open=EINVAL"
  assert_contains "$output" "quotactl=EINVAL"
  allow=$(allow_mask)
  # README's hooks.d, the embedded default policy: the precreate hook
  # drops CAP_SYS_ADMIN and the calls Podman's profile allowed for it.
  run prun --hooks-dir "$HOOKS_D" "${map[@]}" --cap-add SYS_ADMIN "$IMG" sh -c "$probe"
  assert_status 0
  assert_contains "$output" "uid=0"
  got=$(capbnd "$output")
  [ $(((got >> 21) & 1)) -eq 0 ]
  assert_eq "$(printf '%x' "$got")" "$(printf '%x' $((base & allow)))" "CapBnd (Podman's set AND the allowlist)"
  # The calls get the profile's default action, which answers ENOSYS
  # (Podman's defaultErrnoRet 38): they no longer reach the kernel.
  assert_contains "$output" "perf_event_open=ENOSYS"
  assert_contains "$output" "quotactl=ENOSYS"
  no_container_left
}

@test "podman: a plain root container is refused by user.root" {
  # Control: without ocigate it runs.
  run prun --hooks-dir "$T/nohooks" "$IMG" /bin/id
  assert_status 0
  assert_contains "$output" "uid=0"
  run prun --hooks-dir "$HOOKS_D" "$IMG" /bin/id
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  assert_not_contains "$output" "uid=0 gid=0"
  no_container_left
}

@test "podman: --uidmap 0:100000:65536 root container starts" {
  run prun --hooks-dir "$HOOKS_D" --uidmap 0:100000:65536 --gidmap 0:100000:65536 "$IMG" /bin/id
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  no_container_left
}

# prun_subid FILE ARGS...: prun with FILE as the host's /etc/subuid and
# /etc/subgid, bound over them in a mount namespace of its own (Podman, its
# hooks and runc run in it; the host's files stay as they are).
prun_subid() {
  local f=$1
  shift
  timeout 120 unshare -m --propagation private \
    sh -c 'mount --bind "$0" /etc/subuid && mount --bind "$0" /etc/subgid && exec "$@"' "$f" \
    "${PODMAN[@]}" run --rm --runtime runc --network none "$@"
}

@test "podman: --uidmap onto a range /etc/subuid gives to a user is refused by user.mapping" {
  [ -f /etc/subuid ] && [ -f /etc/subgid ] || skip "no /etc/subuid or /etc/subgid to bind a test copy over"
  local map=(--uidmap 0:100000:65536 --gidmap 0:100000:65536)
  # As Debian's adduser leaves a host: alice holds 100000-165535, so she can
  # become the container's root in a user namespace of her own.
  printf 'alice:100000:65536\n' >"$T/subid"
  # Control: without ocigate it runs, as host UID 100000.
  run prun_subid "$T/subid" --hooks-dir "$T/nohooks" "${map[@]}" "$IMG" /bin/id
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  run prun_subid "$T/subid" --hooks-dir "$HOOKS_D" "${map[@]}" "$IMG" /bin/id
  assert_failure
  assert_contains "$output" "ocigate: denied by user.mapping: mapping lands on host UIDs 100000-165535, which /etc/subuid gives to alice"
  assert_contains "$output" "or add alice to rules.user.mapping.allowRangesOf"
  assert_not_contains "$output" "uid=0 gid=0"
  # The range of Docker's remap user is one containers may use.
  printf 'dockremap:100000:65536\n' >"$T/subid"
  run prun_subid "$T/subid" --hooks-dir "$HOOKS_D" "${map[@]}" "$IMG" /bin/id
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  no_container_left
}

@test "podman: --uidmap 0:100000:65536 --pid host is refused by hostNamespaces.pid" {
  local map=(--uidmap 0:100000:65536 --gidmap 0:100000:65536)
  run prun --hooks-dir "$T/nohooks" "${map[@]}" --pid host "$IMG" /bin/id
  assert_status 0
  run prun --hooks-dir "$HOOKS_D" "${map[@]}" --pid host "$IMG" /bin/id
  assert_failure
  assert_contains "$output" "$MSG_HOST_PID"
  assert_not_contains "$output" "uid=0 gid=0"
  no_container_left
}

@test "podman: dry-run policy (hooks.d with -p) starts the root container unchanged and logs it" {
  local base got
  write_policy "$T/policy.json" '.mode = "dry-run" | .log = {"file": $log}' --arg log "$T/ocigate.log"
  hooks_with_args "$T/hooks.d" -p "$T/policy.json"
  base=$(base_capbnd)
  run prun --hooks-dir "$T/hooks.d" "$IMG" sh -c 'id; grep CapBnd /proc/self/status'
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  # Unchanged: the capabilities the policy would trim are still there.
  got=$(capbnd "$output")
  assert_eq "$(printf '%x' "$got")" "$(printf '%x' "$base")" "CapBnd in dry-run"
  # One line for the start: the precreate hook's, which names the container;
  # the prestart hook decided the same and said nothing more.
  check_dry_run_log "$T/ocigate.log" "hook precreate"
  assert_eq "$(log_lines "$T/ocigate.log")" 1 "log lines of one start"
  jq -e '.engine == "podman" and (.id | test("^[0-9a-f]{64}$"))' "$T/ocigate.log" >/dev/null || {
    cat "$T/ocigate.log" >&2
    return 1
  }
  # Control: the same hooks dir with the policy enforcing refuses.
  write_policy "$T/policy.json" '.log = {"file": $log}' --arg log "$T/ocigate.log"
  run prun --hooks-dir "$T/hooks.d" "$IMG" /bin/id
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  jq -se 'map(select(.outcome == "refuse" and .dry_run == false)) | length >= 1' "$T/ocigate.log" >/dev/null
  no_container_left
}

@test "podman: the precreate rewrite is logged (outcome rewrite, CAP_NET_ADMIN fixed)" {
  write_policy "$T/policy.json" '.log = {"file": $log}' --arg log "$T/ocigate.log"
  hooks_with_args "$T/hooks.d" -p "$T/policy.json"
  run prun --hooks-dir "$T/hooks.d" --user 1000 --cap-add NET_ADMIN "$IMG" grep CapBnd /proc/self/status
  assert_status 0
  [ $((($(capbnd "$output") >> 12) & 1)) -eq 0 ]
  jq -se 'map(select(.via == "hook precreate" and .outcome == "rewrite" and .decision == "rewrite"
      and .dry_run == false
      and (.findings | any(.rule == "capabilities" and .action == "fix" and (.message | contains("CAP_NET_ADMIN"))))))
    | length == 1' "$T/ocigate.log" >/dev/null || {
    cat "$T/ocigate.log" >&2
    return 1
  }
  no_container_left
}

@test "podman: a rewritten container says so in dev.ocigate.rewrite: podman inspect and runc state show it" {
  write_policy "$T/policy.json"
  hooks_with_args "$T/hooks.d" -p "$T/policy.json"
  run timeout 120 "${PODMAN[@]}" run -d --name rewritten --runtime runc --network none --hooks-dir "$T/hooks.d" \
    --user 1000 --cap-add NET_ADMIN --annotation dev.ocigate.rewrite=approved "$IMG" sleep 60
  assert_status 0
  local id=$output
  run "${PODMAN[@]}" inspect --format '{{index .Config.Annotations "dev.ocigate.rewrite"}}' rewritten
  assert_status 0
  assert_contains "$output" "capabilities: dropped CAP_NET_ADMIN"
  # runc's state holds the config's annotations as runc read them
  run runc --root "$(runc_root "$id")" state "$id"
  assert_status 0
  assert_contains "$(jq -r '.annotations["dev.ocigate.rewrite"]' <<<"$output")" "capabilities: dropped CAP_NET_ADMIN"
  # a container with nothing to rewrite loses an annotation it brought
  run timeout 120 "${PODMAN[@]}" run -d --name kept --runtime runc --network none --hooks-dir "$T/hooks.d" \
    --user 1000 --security-opt no-new-privileges --cap-drop NET_RAW --annotation dev.ocigate.rewrite=approved "$IMG" \
    sleep 60
  assert_status 0
  id=$output
  run runc --root "$(runc_root "$id")" state "$id"
  assert_status 0
  assert_eq "$(jq -r '.annotations["dev.ocigate.rewrite"]' <<<"$output")" null "annotation kept"
}

@test "podman: precreate alone refuses with the reason shown (the prestart hook it adds)" {
  mkdir "$T/hooks.d"
  cp "$HOOKS_D/ocigate-precreate.json" "$T/hooks.d/"
  run prun --hooks-dir "$T/hooks.d" "$IMG" /bin/id
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  assert_not_contains "$output" "uid=0 gid=0"
  run prun --hooks-dir "$T/hooks.d" --user 1000 "$IMG" /bin/id
  assert_status 0
  assert_contains "$output" "uid=1000"
  no_container_left
}

@test "podman: the prestart hook judges the config runc really starts (a later precreate hook adds CAP_SYS_ADMIN)" {
  mkdir "$T/hooks.d"
  cp "$HOOKS_D"/*.json "$T/hooks.d/"
  # Runs after ocigate's precreate hook (name order) and undoes its rewrite.
  jq -n '{"version": "1.0.0",
      "hook": {"path": "/usr/bin/jq", "args": ["jq", "-c",
        ".process.capabilities |= with_entries(.value += [\"CAP_SYS_ADMIN\"])"]},
      "when": {"always": true}, "stages": ["precreate"]}' >"$T/hooks.d/zz-addcap-precreate.json"
  # Control: without ocigate's prestart hook the capability reaches the container.
  mkdir "$T/pre-only"
  cp "$HOOKS_D/ocigate-precreate.json" "$T/hooks.d/zz-addcap-precreate.json" "$T/pre-only/"
  run prun --hooks-dir "$T/pre-only" --user 1000 "$IMG" grep CapBnd /proc/self/status
  assert_status 0
  [ $((($(capbnd "$output") >> 21) & 1)) -eq 1 ]
  run prun --hooks-dir "$T/hooks.d" --user 1000 "$IMG" /bin/id
  assert_failure
  assert_contains "$output" "ocigate: denied by capabilities: capability CAP_SYS_ADMIN is not on the allowlist"
  assert_not_contains "$output" "uid=1000 gid="
  no_container_left
}

@test "podman: an untrusted (world-writable) policy refuses a compliant container, with the reason shown" {
  write_policy "$T/policy.json"
  hooks_with_args "$T/hooks.d" -p "$T/policy.json"
  run prun --hooks-dir "$T/hooks.d" --user 1000 "$IMG" /bin/id
  assert_status 0
  chmod 0666 "$T/policy.json"
  run prun --hooks-dir "$T/hooks.d" --user 1000 "$IMG" /bin/id
  assert_failure
  assert_contains "$output" "ocigate: refused: policy $T/policy.json"
  assert_contains "$output" "writable"
  assert_not_contains "$output" "uid=1000 gid="
  no_container_left
}

@test "podman: the precreate hook gets an empty environment (no PATH) and still decides" {
  mkdir "$T/hooks.d"
  cp "$HOOKS_D"/*.json "$T/hooks.d/"
  # A recorder that runs before ocigate's precreate hook (hooks.d is read
  # in name order) and passes the config through.  (The prestart hooks are
  # run by runc, with runc's environment.)
  jq -n --arg f "$T/env-precreate" '{"version": "1.0.0",
      "hook": {"path": "/bin/sh", "args": ["sh", "-c", "/usr/bin/env > \($f); exec /bin/cat"]},
      "when": {"always": true}, "stages": ["precreate"]}' >"$T/hooks.d/00-env-precreate.json"
  run prun --hooks-dir "$T/hooks.d" --user 1000 --cap-add NET_ADMIN "$IMG" grep CapBnd /proc/self/status
  assert_status 0
  [ -e "$T/env-precreate" ]
  run grep -c '^PATH=' "$T/env-precreate"
  assert_eq "$output" 0 "PATH lines in the precreate hook's environment"
  # The rewrite happened in that environment: CAP_NET_ADMIN is gone.
  run prun --hooks-dir "$T/hooks.d" --user 1000 --cap-add NET_ADMIN "$IMG" grep CapBnd /proc/self/status
  assert_status 0
  [ $((($(capbnd "$output") >> 12) & 1)) -eq 0 ]
  run prun --hooks-dir "$T/hooks.d" --privileged "$IMG" /bin/true
  assert_failure
  assert_contains "$output" "$MSG_PRIVILEGED"
  no_container_left
}

# README "Podman": with crun, Podman 4.3's default runtime on Debian, the
# container is refused just the same, but crun shows only that a hook
# failed.  (On this hybrid-cgroup host crun needs a mount namespace without
# /sys/fs/cgroup/unified.)
@test "podman: with crun (Podman's default runtime) the container is refused, crun saying only that a hook failed" {
  local pre=()
  crun_hybrid && pre=(/usr/bin/unshare -m /bin/sh -c '/bin/umount /sys/fs/cgroup/unified && exec "$@"' sh)
  # Control: crun runs a compliant container here.
  run timeout 120 "${pre[@]}" "${PODMAN[@]}" run --rm --runtime crun --network none --hooks-dir "$HOOKS_D" \
    --user 1000 "$IMG" /bin/id
  assert_status 0
  assert_contains "$output" "uid=1000"
  run timeout 120 "${pre[@]}" "${PODMAN[@]}" run --rm --runtime crun --network none --hooks-dir "$HOOKS_D" \
    "$IMG" /bin/id
  assert_failure
  assert_not_contains "$output" "uid=0 gid=0"
  assert_contains "$output" "crun: error executing hook"
}
