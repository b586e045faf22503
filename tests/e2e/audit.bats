#!/usr/bin/env bats
# End to end: `ocigate audit` finds running containers through the state
# their runtime keeps, whichever engine started them, judges each config as
# `check` does and each process as it really runs.
#
# Run as root from the repository root:  bats --tap tests/e2e/audit.bats

bats_require_minimum_version 1.5.0
load lib-daemon

setup_file() {
  e2e_need_build
}

setup() {
  e2e_need_root
  e2e_need_cmd "$RUNC" jq
  T=$(mktemp -d)
  R="$T/runc-root"
  P="$T/policy.json"
  write_policy "$P"
}

teardown() {
  runc_cleanup "$R"
  [ -n "${CTD:-}" ] && containerd_stop "$CTD"
  [ -n "${DK:-}" ] && dockerd_stop "$T" dk
  if [ -n "${PODMAN_IDS:-}" ]; then
    # shellcheck disable=SC2086
    podman rm -f $PODMAN_IDS >/dev/null 2>&1
    podman rmi localhost/audit-bb:1 >/dev/null 2>&1
  fi
  umount_under "$T"
  e2e_rmdir "$T"
}

audit() { "$OCIGATE" audit -p "$P" --no-host "$@"; }

# start_plain NAME [JQ-FILTER]: a compliant sleeping container through plain
# runc (no ocigate), changed by the filter.
start_plain() {
  bundle_compliant "$T/$1" /bin/sleep 300
  [ -z "${2:-}" ] || jq_inplace "$T/$1/config.json" "$2"
  "$RUNC" --root "$R" run -d -b "$T/$1" "$1" </dev/null >/dev/null
}

@test "a compliant container started through ocigate-runc is clean" {
  bundle_compliant "$T/ok" /bin/sleep 300
  "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run -d -b "$T/ok" ok </dev/null >/dev/null
  run --separate-stderr audit --root "$R"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "${lines[0]}" == "ok  runc  "*"  allow  1 processes  "* ]]
  run --separate-stderr audit --root "$R" --format json
  [ "$status" -eq 0 ]
  echo "$output" | jq -se '.[] | select(.id == "ok") | .decision == "allow" and .processes == 1 and .live == [] and .engine == "runc" and (.pid > 0)'
}

@test "runc exec -u 0 and --cap CAP_SYS_ADMIN into a plain runc container are findings with the PID and command line" {
  start_plain px
  "$RUNC" --root "$R" exec -d -u 0 --cap CAP_SYS_ADMIN px /bin/sleep 299 </dev/null >/dev/null
  sleep 0.3
  run --separate-stderr audit --root "$R" --format json
  echo "$output"
  [ "$status" -eq 1 ]
  echo "$output" | jq -se '.[] | select(.id == "px") | .processes == 2'
  pid=$(echo "$output" | jq -r 'select(.id == "px") | .live[] | select(.rule == "live.user") | .pid')
  [ -n "$pid" ] && [ "$pid" -gt 0 ]
  [ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "/bin/sleep 299 " ]
  echo "$output" | jq -se --argjson p "$pid" '.[] | select(.id == "px") | .live | map(select(.pid == $p))
    | (map(.rule) | index("live.capabilities")) != null
      and (map(select(.field == "CapEff"))[0].value | test("CAP_SYS_ADMIN"))
      and .[0].cmdline == "/bin/sleep 299"'
  run --separate-stderr audit --root "$R"
  [ "$status" -eq 1 ]
  [[ "$output" == *"live live.user pid=$pid uid=0: process runs as host root"*"(cmdline: /bin/sleep 299)"* ]]
}

@test "a container in the host's network namespace is a finding" {
  # Whatever the user namespace: the shipped policies deny it only with one.
  write_policy "$P" '.rules["hostNamespaces.network"] = {"action": "deny"}'
  start_plain hn '.linux.namespaces |= map(select(.type != "network"))'
  run --separate-stderr audit --root "$R" --format json
  echo "$output"
  [ "$status" -eq 1 ]
  echo "$output" | jq -se '.[] | select(.id == "hn") | .findings | map(.rule) | index("hostNamespaces.network") != null'
}

@test "a state that cannot be read exits 2 and says which" {
  start_plain bad
  mkdir "$R/broken" && echo '{"id": "broken", "init_process_pid": "x"}' >"$R/broken/state.json"
  run --separate-stderr audit --root "$R" --format json
  echo "$output"
  [ "$status" -eq 2 ]
  echo "$output" | jq -se '.[] | select(.id == "broken") | .decision == "error" and (.error | test("must be an integer"))'
  echo "$output" | jq -se '.[] | select(.id == "bad") | .decision != null'
}

@test "usage errors exit 2; no container is exit 0" {
  run --separate-stderr "$OCIGATE" audit --format yaml
  [ "$status" -eq 2 ]
  run --separate-stderr "$OCIGATE" audit extra
  [ "$status" -eq 2 ]
  mkdir -p "$R"
  run --separate-stderr audit --root "$R"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}

@test "host findings are JSON objects with a host field" {
  run --separate-stderr "$OCIGATE" audit -p "$P" --root "$T/none" --format json
  echo "$output"
  if [ -n "$output" ]; then
    [ "$status" -eq 1 ]
    echo "$output" | jq -se 'all(has("host") and has("message") and has("fix"))'
  else
    [ "$status" -eq 0 ]
  fi
}

@test "a crun container is found with its engine" {
  e2e_need_cmd crun unshare
  bundle_compliant "$T/cr" /bin/sleep 300
  unshare -m sh -c "umount /sys/fs/cgroup/unified 2>/dev/null; crun --root '$T/crun' run -d -b '$T/cr' cr" </dev/null >/dev/null
  run --separate-stderr audit --root "$T/crun" --format json
  echo "$output"
  crun --root "$T/crun" delete -f cr >/dev/null 2>&1 || true
  echo "$output" | jq -se '.[] | select(.id == "cr") | .engine == "crun" and .runtime == "crun" and .processes == 1'
}

@test "a Docker container of a private dockerd is found with its engine, name and image" {
  e2e_need_cmd dockerd "$DOCKER_CLI"
  DK=1
  dockerd_start "$T" dk || skip "dockerd does not start here"
  make_rootfs "$T/img"
  make_rootfs_tar "$T/img" "$T/img.tar"
  dkr "$T" dk import "$T/img.tar" audit-bb:1 >/dev/null
  dkr "$T" dk run -d --name audit-web --network none audit-bb:1 /bin/sleep 300 >/dev/null
  run --separate-stderr audit --root "$T/dk/exec/runtime-runc" --format json
  echo "$output"
  echo "$output" | jq -se '.[] | select(.name == "audit-web") | .engine == "docker" and .image == "audit-bb:1" and .processes == 1'
}

@test "a ctr container is found with its engine and name" {
  e2e_need_cmd containerd ctr
  CTD="$T/ctd"
  mkdir -p "$CTD"
  containerd_start "$CTD" || skip "containerd does not start here"
  make_rootfs "$T/ci"
  make_oci_image_tar "$T/ci" "$T/ci.tar" 1000
  ctrc "$CTD" images import --base-name audit-ctr "$T/ci.tar" >/dev/null
  ctrc "$CTD" run -d --runc-binary "$RUNC" audit-ctr:1 audit-ctr-1 /bin/sleep 300 >/dev/null
  run --separate-stderr audit --root /run/containerd/runc --format json
  echo "$output"
  echo "$output" | jq -se '.[] | select(.id == "audit-ctr-1") | .engine == "containerd" and .name == "audit-ctr-1"'
}

@test "a Podman container is found with its engine, name and image" {
  e2e_need_cmd podman
  make_rootfs "$T/pimg"
  make_rootfs_tar "$T/pimg" "$T/pimg.tar"
  podman import "$T/pimg.tar" localhost/audit-bb:1 >/dev/null || skip "podman cannot import here"
  PODMAN_IDS=audit-pod
  run --separate-stderr podman run -d --runtime "$RUNC" --network none --ulimit nofile=1024:1024 \
    --ulimit nproc=1024:1024 --name audit-pod localhost/audit-bb:1 /bin/sleep 300
  [ "$status" -eq 0 ] || skip "podman cannot run here: $stderr"
  id=$output
  PODMAN_IDS=$id
  run --separate-stderr audit --root /run/runc --format json
  echo "$output"
  echo "$output" | jq -se --arg id "$id" '.[] | select(.id == $id) | .engine == "podman" and .name == "audit-pod"
    and (.image | test("audit-bb"))'
}
