#!/usr/bin/env bats
# End to end: `ocigate setup` on this host's real /etc, then the real
# engines started the way an administrator would start them after it.
#
#   - `--print` changes nothing; `--undo` gives back every file setup
#     touched; setup twice is setup once: each compared on the host's own
#     files (path, type, mode, owner, link target, SHA-256).
#   - After `ocigate setup all` (every engine on the host, and runc and
#     crun themselves): a root container without a user namespace is
#     refused under Docker, Podman and containerd, and so are the ways
#     around the gate the engines offer (`docker run --runtime runc`,
#     `podman --hooks-dir EMPTY run`, `podman exec -u 0`, `ctr run` without
#     `--runc-binary`...), each beside a `--user 1000` container that
#     starts through the same setup.
#   - `ocigate setup --userns docker podman`: a root container starts in a
#     user namespace (no 0 -> 0 in its uid_map), Docker's after the
#     restart setup asks for, Podman's with nothing else done.
#
# THIS SUITE CHANGES THE HOST (/etc/docker, /etc/containers, /etc/containerd,
# /etc/ocigate, /etc/subuid, /etc/subgid, /var/lib/ocigate, and dpkg
# diversions of /usr/sbin/runc and /usr/bin/crun).  It runs under
# the lock every suite that changes the host takes:
#     flock /tmp/ocigate-host.lock bats --tap tests/e2e/setup.bats
# (setup_file takes it itself when no parent process holds it).  setup_file
# keeps a full copy of every file setup may touch and refuses to start on a
# host an earlier run left set up (it undoes that first, and says so);
# teardown_file stops the engines, runs `ocigate setup --undo`, and gives
# back from the copy whatever still differs, even when tests failed.
#
# ocigate is the one `make install PREFIX=...` installs into a directory only
# root may write (setup --bindir names it).  dockerd is lib-daemon's
# private one, which reads /etc/docker/daemon.json as a system dockerd does,
# started once, after setup (the tests run in order); containerd is
# lib-daemon's private one (ctr); Podman runs with private storage and no
# CONTAINERS_CONF, so that it reads /etc/containers as it would on the host.
#
# Run as root from the repository root.

bats_require_minimum_version 1.5.0
load lib-daemon
load lib-hook
load lib-setup

# What the tests set up: every engine on the host, and runc and crun
# themselves (`all`, as the README says to run it).
ENGINES=(all)
# Podman's default ulimits are above what such hosts allow; no
# containers.conf is written for them (that would be a file of the host).
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
IMG_ROOT=docker.io/library/ocigate-e2e-root:1
IMG_USER=docker.io/library/ocigate-e2e-user:1

# ----------------------------------------------------------------- helpers

# og ARGS...: the installed ocigate.
og() { "$ST/prefix/bin/ocigate" "$@"; }

# og_setup ARGS...: `ocigate setup --bindir PREFIX/bin ARGS...` under `run`.
og_setup() {
  run og setup --bindir "$ST/prefix/bin" "$@"
  echo "ocigate setup $*: status $status; output:"
  echo "$output"
}

# host_set_up: the engines set up (the tests below need it; a test run on
# its own does it here, after the tests above it did it already).
host_set_up() {
  og_setup "${ENGINES[@]}"
  assert_status 0
}

# docker_up: the private dockerd, started once and found running by the
# tests after; it reads /etc/docker/daemon.json (no --config-file).  The
# image is imported again after a restart with userns-remap, which hides
# the images Docker had.
docker_up() {
  if [ -f "$ST/docker/dockerd.bgpid" ] && kill -0 "$(cat "$ST/docker/dockerd.bgpid")" 2>/dev/null; then
    return 0
  fi
  dockerd_start "$ST" docker 3>&- || return 1
  d import "$ST/rootfs.tar" bb:1 >/dev/null
}

d() { dkr "$ST" docker "$@"; }

# p ARGS...: podman with the suite's own storage; prun ARGS...: podman run.
p() {
  timeout 120 podman --root "$ST/podman/root" --runroot "$ST/podman/runroot" --tmpdir "$ST/podman/tmp" \
    --network-config-dir "$ST/podman/net" --events-backend none --storage-driver vfs "$@"
}
prun() { p run --rm --network none "${ULIMITS[@]}" "$@"; }

c() { ctrc "$ST" "$@"; }

# real_runc: runc itself, where dpkg may have diverted it.
real_runc() { dpkg-divert --truename /usr/sbin/runc; }

# is_root_id OUTPUT: a line of `id` says UID 0.
is_root_id() { grep -Eq '^uid=0( |\()' <<<"$1"; }

# uid_map_maps_root OUTPUT: true when a line of a uid_map maps 0 onto 0.
uid_map_maps_root() { awk '$1 == 0 && $2 == 0 { found = 1 } END { exit !found }' <<<"$1"; }

# ------------------------------------------------------------- the suite

suite_setup() {
  local left
  ST=$(mktemp -d)
  export ST
  # a user namespace's root must reach the engines' storage below it
  chmod 0711 "$ST"
  host_lock "$ST" || return 1
  e2e_install "$ST"
  if [ "$(cat "$ST/install.status")" -ne 0 ]; then
    cat "$ST/install.log" >&2
    return 1
  fi
  # An earlier run that could not clean up: undone first, loudly.
  left=$(host_leftovers)
  if [ -n "$left" ]; then
    {
      echo "ocigate setup left these on this host (an earlier run?); undoing them first:"
      echo "$left"
      host_undo "$ST/prefix/bin/ocigate" "${ENGINES[@]}"
    } | loud LEFTOVER
    left=$(host_leftovers)
    if [ -n "$left" ]; then
      printf 'still there after ocigate setup --undo; undo them by hand first:\n%s\n' "$left" >&2
      return 1
    fi
  fi
  host_save "$ST" || return 1
  podman_setup_file
  mkdir -p "$ST/img" "$ST/empty"
  make_rootfs "$ST/img" >/dev/null && make_rootfs_tar "$ST/img" "$ST/rootfs.tar" || return 1
  if command -v podman >/dev/null; then
    p import -q "$ST/rootfs.tar" localhost/bb:1 >/dev/null || return 1
  fi
  if command -v containerd >/dev/null && command -v ctr >/dev/null; then
    containerd_start "$ST" 3>&- || return 1
    make_oci_image_tar "$ST/img" "$ST/root.tar" "" && make_oci_image_tar "$ST/img" "$ST/user.tar" 1000 &&
      c images import --base-name docker.io/library/ocigate-e2e-root "$ST/root.tar" >/dev/null &&
      c images import --base-name docker.io/library/ocigate-e2e-user "$ST/user.tar" >/dev/null || return 1
  fi
}

setup_file() {
  e2e_need_build
  [ "$(id -u)" -eq 0 ] || skip "needs root: changes the host's /etc and starts engines"
  suite_setup
}

teardown_file() {
  local id out
  [ -n "${ST:-}" ] && [ -d "$ST" ] || return 0
  dockerd_stop "$ST" docker
  if [ -d "$ST/podman/root" ]; then
    for id in $(p ps -aq --no-trunc 2>/dev/null); do p rm -f -t 0 "$id" >/dev/null 2>&1; done
  fi
  containerd_stop "$ST"
  if [ -f "$ST/tree" ]; then
    out=$(host_undo "$ST/prefix/bin/ocigate" "${ENGINES[@]}")
    if ! out+=$'\n'$(host_restore "$ST"); then
      loud teardown <<<"$out"
    fi
    if ! diff "$ST/diversions" <(dpkg-divert --list | sort) >/dev/null; then
      {
        echo "dpkg-divert --list differs from before the suite:"
        diff "$ST/diversions" <(dpkg-divert --list | sort)
      } | loud teardown
    fi
  fi
  podman_teardown_file
  host_unlock "$ST"
  e2e_rmdir "$ST"
}

teardown() {
  local id
  if [ -S "$ST/docker/docker.sock" ]; then
    for id in $(d ps -aq 2>/dev/null); do d rm -f "$id" >/dev/null 2>&1; done
  fi
  if [ -d "$ST/podman/root" ]; then
    for id in $(p ps -aq --no-trunc 2>/dev/null); do p rm -f -t 0 "$id" >/dev/null 2>&1; done
  fi
  ctr_cleanup "$ST"
}

# ------------------------------------------------------- the host's files

@test "setup --print all changes nothing on the host (its files compared), and shows each change" {
  local before
  before=$(host_tree)
  og_setup --print --userns --mode dry-run "${ENGINES[@]}"
  assert_status 0
  assert_contains "$output" "+++ /etc/docker/daemon.json (ocigate setup)"
  assert_contains "$output" "+++ /etc/containers/containers.conf.d/50-ocigate.conf (ocigate setup)"
  assert_contains "$output" "+++ /etc/containerd/conf.d/ocigate.toml (ocigate setup)"
  # (a host whose user containers has ranges already keeps them)
  grep -q '^containers:' /etc/subuid 2>/dev/null || assert_contains "$output" "+++ /etc/subuid (ocigate setup)"
  assert_contains "$output" "+++ /etc/ocigate/policy.json (ocigate setup)"
  assert_contains "$output" "would run: /usr/bin/dpkg-divert --package ocigate --divert /usr/sbin/runc.distrib --rename --add /usr/sbin/runc"
  assert_contains "$output" "would link /usr/sbin/runc -> $ST/prefix/bin/ocigate-runc"
  assert_contains "$output" "would keep the originals"
  assert_eq "$(host_tree)" "$before" "the host's files after setup --print"
  assert_host_tree "$ST/tree"
  assert_eq "$(dpkg-divert --list | sort)" "$(cat "$ST/diversions")" "dpkg-divert --list after setup --print"
}

@test "setup all, setup --userns docker podman, then --undo all gives back every file byte for byte (and --undo --print changes nothing)" {
  local before set_up had_range=
  if grep -q '^containers:' /etc/subuid 2>/dev/null; then had_range=1; fi
  before=$(host_tree)
  og_setup "${ENGINES[@]}"
  assert_status 0
  og_setup --userns docker podman
  assert_status 0
  set_up=$(host_tree)
  # Control: setup did change the host's files.
  [ "$set_up" != "$before" ]
  og_setup --undo --print "${ENGINES[@]}"
  assert_status 0
  assert_contains "$output" "--- /etc/docker/daemon.json"
  assert_eq "$(host_tree)" "$set_up" "the host's files after setup --undo --print"
  og_setup --undo "${ENGINES[@]}"
  assert_status 0
  # (removed where setup made the file, restored where it changed one)
  [[ "$output" =~ (removed|restored)\ /etc/docker/daemon.json ]]
  [ -n "$had_range" ] || [[ "$output" =~ (removed|restored)\ /etc/subuid ]]
  assert_eq "$(host_tree)" "$before" "the host's files after setup --undo"
  assert_host_tree "$ST/tree"
  assert_eq "$(dpkg-divert --list | sort)" "$(cat "$ST/diversions")" "dpkg-divert --list after setup --undo"
  # Nothing of setup's is left to undo.
  [ -z "$(host_leftovers)" ]
}

@test "setup all twice is setup all once: the second says nothing to change and changes nothing" {
  local once
  og_setup "${ENGINES[@]}"
  assert_status 0
  [[ "$output" =~ (created|changed)\ /etc/docker/daemon.json ]]
  # runc's place: a link to the wrapper, runc itself where dpkg moved it.
  assert_eq "$(readlink /usr/sbin/runc)" "$ST/prefix/bin/ocigate-runc" "/usr/sbin/runc"
  assert_eq "$(real_runc)" /usr/sbin/runc.distrib "dpkg-divert --truename /usr/sbin/runc"
  once=$(host_tree)
  og_setup "${ENGINES[@]}"
  assert_status 0
  assert_contains "$output" "nothing to change"
  assert_not_contains "$output" "created "
  assert_not_contains "$output" "changed "
  assert_eq "$(host_tree)" "$once" "the host's files after setup a second time"
}

# ------------------------------------------------------------------ Docker

@test "docker: after setup all, a --user 1000 container starts through ocigate-runc, the default runtime of daemon.json" {
  e2e_need_cmd dockerd "$DOCKER_CLI"
  host_set_up
  docker_up
  [ "$(d info --format '{{.DefaultRuntime}}')" = ocigate-runc ]
  run -0 d run --rm --network none --user 1000 bb:1 /bin/id
  assert_contains "$output" "uid=1000"
}

@test "docker: after setup all, a root container without a user namespace is refused by user.root" {
  e2e_need_cmd dockerd "$DOCKER_CLI"
  host_set_up
  docker_up
  run d run --rm --network none bb:1 /bin/id
  assert_failure
  assert_contains "$output" "OCI runtime create failed: $MSG_USER_ROOT"
  if is_root_id "$output"; then false; fi
}

@test "docker: after setup all, docker run --runtime runc of a root container is refused by user.root" {
  e2e_need_cmd dockerd "$DOCKER_CLI"
  host_set_up
  docker_up
  # Control: Docker's own runc runtime starts a --user 1000 container.
  run -0 d run --rm --network none --runtime runc --user 1000 bb:1 /bin/id
  assert_contains "$output" "uid=1000"
  run d run --rm --network none --runtime runc bb:1 /bin/id
  assert_failure
  assert_contains "$output" "OCI runtime create failed: $MSG_USER_ROOT"
  if is_root_id "$output"; then false; fi
}

# ------------------------------------------------------------------ Podman

@test "podman: after setup all, a --user 1000 container starts through ocigate-runc, the runtime of the drop-in" {
  e2e_need_cmd podman
  host_set_up
  run -0 p info --format '{{.Host.OCIRuntime.Path}}'
  assert_eq "$output" "$ST/prefix/bin/ocigate-runc" "Podman's runtime"
  run -0 prun --user 1000 localhost/bb:1 /bin/id
  assert_contains "$output" "uid=1000"
}

@test "podman: after setup all, a root container without a user namespace is refused by user.root" {
  e2e_need_cmd podman
  host_set_up
  run prun localhost/bb:1 /bin/id
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  if is_root_id "$output"; then false; fi
}

@test "podman: after setup all, podman --hooks-dir EMPTY run of a root container is refused by user.root" {
  e2e_need_cmd podman
  host_set_up
  # Control: the same empty hooks dir lets a --user 1000 container start.
  run -0 p --hooks-dir "$ST/empty" run --rm --network none "${ULIMITS[@]}" --user 1000 localhost/bb:1 /bin/id
  assert_contains "$output" "uid=1000"
  run p --hooks-dir "$ST/empty" run --rm --network none "${ULIMITS[@]}" localhost/bb:1 /bin/id
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  if is_root_id "$output"; then false; fi
}

@test "podman: after setup all, podman --runtime runc of a root container is refused by user.root" {
  e2e_need_cmd podman
  host_set_up
  # Control: runc, named on the command line, starts a --user 1000 container.
  run -0 prun --runtime runc --user 1000 localhost/bb:1 /bin/id
  assert_contains "$output" "uid=1000"
  run prun --runtime runc localhost/bb:1 /bin/id
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  if is_root_id "$output"; then false; fi
}

@test "podman: after setup all, podman exec -u 0 in a --user 1000 container is refused by user.root" {
  e2e_need_cmd podman
  host_set_up
  local cid
  cid=$(p run -d --network none "${ULIMITS[@]}" --user 1000 localhost/bb:1 /bin/sleep 300)
  # Control: an exec as the container's user runs.
  run -0 p exec "$cid" /bin/id
  assert_contains "$output" "uid=1000"
  run p exec -u 0 "$cid" /bin/id
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  if is_root_id "$output"; then false; fi
}

# podman exec --privileged asks runc for every capability: the privileged
# rule refuses such an exec (README, "The wrapper"), where without ocigate
# it got CAP_SYS_ADMIN in a --user 1000 container.
@test "podman: after setup all, podman exec --privileged in a --user 1000 container is refused" {
  e2e_need_cmd podman
  host_set_up
  local cid
  cid=$(p run -d --network none "${ULIMITS[@]}" --user 1000 localhost/bb:1 /bin/sleep 300)
  run p exec --privileged "$cid" grep CapBnd /proc/self/status
  [ "$status" -ne 0 ]
  assert_contains "$output" "ocigate: denied by privileged: exec is privileged"
  # The same container takes a plain exec.
  run -0 p exec "$cid" grep CapBnd /proc/self/status
  # Control: the same exec in a container of the real runc (not through
  # ocigate) gets every capability of the host, CAP_SYS_ADMIN among them.
  cid=$(p run -d --network none "${ULIMITS[@]}" --runtime "$(real_runc)" --user 1000 localhost/bb:1 /bin/sleep 300)
  run -0 p exec --privileged "$cid" grep CapBnd /proc/self/status
  bit_set "$(capbnd_of "$output")" 21
}

# -------------------------------------------------------------- containerd

@test "containerd: after setup all, ctr run without --runc-binary: a User 1000 image starts" {
  e2e_need_cmd containerd ctr
  host_set_up
  run -0 c run --rm --seccomp "$IMG_USER" "ocigate-e2e-setup-$BATS_TEST_NUMBER" /bin/id
  assert_contains "$output" "uid=1000"
}

# ctr runs runc by name, which setup all made the wrapper: the same image
# without a User is refused (with --seccomp: the one rule left is user.root).
@test "containerd: after setup all, ctr run without --runc-binary of a root image is refused by user.root" {
  e2e_need_cmd containerd ctr
  host_set_up
  run c run --rm --seccomp "$IMG_ROOT" "ocigate-e2e-setup-$BATS_TEST_NUMBER" /bin/id
  assert_failure
  assert_contains "$output" "ctr: failed to create shim task: OCI runtime create failed: $MSG_USER_ROOT"
  if is_root_id "$output"; then false; fi
}

# ------------------------------------------------------------------ userns

@test "setup --userns docker podman: a Docker root container starts remapped after the restart setup asks for" {
  e2e_need_cmd dockerd "$DOCKER_CLI"
  host_set_up
  docker_up
  og_setup --userns docker podman
  assert_status 0
  assert_contains "$output" '"userns-remap": "default"'
  assert_contains "$output" "SIGHUP does not apply userns-remap"
  assert_contains "$output" "docker: run \`systemctl restart docker\` to apply the changes"
  # What the administrator does on reading that: restart dockerd (here the
  # suite's own, by PID); the image is imported again, as Docker hides the
  # ones it had (setup said so).
  dockerd_stop "$ST" docker
  docker_up
  run -0 d run --rm --network none bb:1 sh -c 'id; cat /proc/self/uid_map'
  is_root_id "$output"
  if uid_map_maps_root "$output"; then false; fi
}

@test "setup --userns docker podman: a Podman root container starts remapped onto the containers user's range" {
  e2e_need_cmd podman
  host_set_up
  og_setup --userns docker podman
  assert_status 0
  local start count host
  IFS=: read -r _ start count < <(grep '^containers:' /etc/subuid)
  [ -n "$start" ] && [ -n "$count" ]
  run -0 prun localhost/bb:1 sh -c 'id; cat /proc/self/uid_map'
  is_root_id "$output"
  if uid_map_maps_root "$output"; then false; fi
  host=$(awk '$1 == 0 { print $2 }' <<<"$output")
  [ "$host" -ge "$start" ] && [ "$host" -lt $((start + count)) ]
}
