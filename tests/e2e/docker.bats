#!/usr/bin/env bats
# End to end: Docker with ocigate as its runtime, README "Installing" and
# "Engines" -> "Docker" followed as written, with real dockerd daemons:
#
#   main    --config-file daemon.json: {"runtimes": {"ocigate": {"path":
#           PREFIX/bin/ocigate-runc}}, "default-runtime": "ocigate"} (README's
#           daemon.json; two more runtimes pass ocigate's own options through
#           "runtimeArgs", as "The wrapper" says Docker can)
#   userns  daemon.json {"userns-remap": "default"} and README's command-line
#           form --add-runtime ocigate=PREFIX/bin/ocigate-runc --default-runtime ocigate
#
# The binary is the one `make install PREFIX=...` installed, with the
# embedded default policy.  Both daemons are started once for the file and
# stopped by PID in teardown_file; their state lives in one mktemp -d dir.
#
# Run as root from the repository root:  bats --tap tests/e2e/docker.bats

bats_require_minimum_version 1.5.0
load lib-daemon

docker_setup() {
  # userns-remap needs o+x on every directory above its data root
  chmod 0711 "$DT"
  e2e_install "$DT"
  RUNTIME="$DT/prefix/bin/ocigate-runc"
  cp "$E2E_ROOT/policies/restricted.json" "$DT/restricted.json"
  cp "$E2E_ROOT/tests/policies/mission.json" "$DT/mission.json"
  jq '.rules.resources = {"action": "deny"}' "$E2E_ROOT/tests/policies/mission.json" >"$DT/limits.json"
  # The default policy in dry-run, logging to a file of the test's own.
  jq --arg f "$DT/day/decisions.log" '.log = {"file": $f}' "$E2E_ROOT/policies/audit.json" >"$DT/audit.json"
  chmod 0644 "$DT/restricted.json" "$DT/mission.json" "$DT/limits.json" "$DT/audit.json"
  jq -n --arg w "$RUNTIME" --arg p "--ocigate-policy=$DT/restricted.json" --arg m "--ocigate-policy=$DT/mission.json" \
    --arg l "--ocigate-policy=$DT/limits.json" --arg a "--ocigate-policy=$DT/audit.json" '{
      "runtimes": {
        "ocigate": {"path": $w},
        "ocigate-restricted": {"path": $w, "runtimeArgs": [$p]},
        "ocigate-mission": {"path": $w, "runtimeArgs": [$m]},
        "ocigate-limits": {"path": $w, "runtimeArgs": [$l]},
        "ocigate-audit": {"path": $w, "runtimeArgs": [$a]},
        "ocigate-dry-run": {"path": $w, "runtimeArgs": ["--ocigate-dry-run"]}
      },
      "default-runtime": "ocigate"}' >"$DT/daemon.json"
  echo '{"userns-remap": "default"}' >"$DT/daemon-userns.json"

  dockerd_start "$DT" main --config-file "$DT/daemon.json" || return 1
  dockerd_start "$DT" userns --config-file "$DT/daemon-userns.json" \
    --add-runtime "ocigate=$RUNTIME" --default-runtime ocigate || return 1

  mkdir -p "$DT/img"
  make_rootfs "$DT/img" >/dev/null && add_sysprobe "$DT/img" && make_rootfs_tar "$DT/img" "$DT/rootfs.tar" || return 1
  dkr "$DT" main import "$DT/rootfs.tar" bb:1 >/dev/null || return 1
  dkr "$DT" userns import "$DT/rootfs.tar" bb:1 >/dev/null || return 1
}

setup_file() {
  e2e_need_build
  [ "$(id -u)" -eq 0 ] || skip "needs root: starts dockerd"
  command -v dockerd >/dev/null || skip "dockerd is not installed (Debian package docker.io)"
  [ -x "$DOCKER_CLI" ] || skip "the docker client is not installed (Debian package docker.io)"
  [ ! -e /etc/ocigate/policy.json ] ||
    skip "/etc/ocigate/policy.json exists on this machine and would replace the embedded default policy"
  DT=$(mktemp -d)
  export DT
  docker_setup || {
    docker_teardown
    return 1
  }
}

docker_teardown() {
  [ -n "${DT:-}" ] || return 0
  dockerd_stop "$DT" main
  dockerd_stop "$DT" userns
  e2e_rmdir "$DT"
}

teardown_file() {
  docker_teardown
}

setup() {
  RUNTIME="$DT/prefix/bin/ocigate-runc"
}

teardown() {
  # containers a failed test may have left (the daemons stay for the file)
  local d ids
  for d in main userns; do
    ids=$(dkr "$DT" "$d" ps -aq 2>/dev/null)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || dkr "$DT" "$d" rm -f $ids >/dev/null 2>&1
  done
}

# d ARGS...: docker against the main daemon; du: against the userns one.
d() { dkr "$DT" main "$@"; }
du() { dkr "$DT" userns "$@"; }

@test "docker: make install (README Installing) installs the binary, its links, policy, hooks.d files and man pages" {
  cat "$DT/install.log"
  [ "$(cat "$DT/install.status")" -eq 0 ]
  [ -x "$DT/prefix/bin/ocigate" ]
  [ "$(readlink "$DT/prefix/bin/ocigate-runc")" = ocigate ]
  [ "$(readlink "$DT/prefix/bin/ocigate-crun")" = ocigate ]
  cmp "$DT/etc/ocigate/policy.json" "$E2E_ROOT/policies/default.json"
  [ -f "$DT/prefix/share/ocigate/schema/policy.schema.json" ]
  for p in "$E2E_ROOT"/policies/*.json; do cmp "$p" "$DT/prefix/share/ocigate/policies/${p##*/}"; done
  grep -q "$DT/prefix/bin/ocigate" "$DT/prefix/share/ocigate/hooks.d/ocigate-precreate.json"
  grep -q "$DT/prefix/bin/ocigate" "$DT/prefix/share/ocigate/hooks.d/ocigate-prestart.json"
  [ ! -e "$DT/hooks.d" ]
  [ -s "$DT/prefix/share/man/man1/ocigate.1" ]
  [ -s "$DT/prefix/share/man/man5/ocigate-policy.5" ]
}

@test "docker: docker run --privileged is refused: OCI runtime create failed: ocigate: denied by privileged" {
  run d run --rm --network none --privileged bb:1 /bin/true
  echo "status=$status output=$output"
  [ "$status" -ne 0 ]
  # README: docker: Error response from daemon: failed to create shim task:
  # OCI runtime create failed: ocigate: denied by privileged: container is privileged (...): unknown.
  [[ "$output" == *"docker: Error response from daemon: failed to create shim task: OCI runtime create failed: ocigate: denied by privileged: container is privileged ("*": unknown."* ]]
  # Its 94 host devices are three lines and a count, not a page each.
  [[ "$output" == *"denied by devices: "*" more findings of this rule; \`ocigate check\` on the config lists every one"* ]]
  [ "${#output}" -lt 8192 ]
  [ -z "$(d ps -aq)" ]
  # the same container as UID 1000: refused by privileged alone
  run d run --rm --network none --privileged --user 1000 bb:1 /bin/true
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by privileged"* ]]
  [[ "$output" != *"user.root"* ]]
}

@test "docker: --user 1000 --cap-add ALL starts trimmed under the default policy: the allowlist, and a profile that still refuses the deny list" {
  want=$(policy_allow_mask "$E2E_ROOT/policies/default.json")
  [ "$want" = 00000000a80405fb ]
  # Docker's profile for every capability allows init_module, bpf,
  # perf_event_open, quotactl, clock_settime... unconditionally: the
  # default policy drops the capabilities and those allowances with them.
  run d run --rm --network none --user 1000 --cap-add ALL bb:1 sh -c 'grep CapBnd /proc/self/status; sysprobe perf_event_open quotactl clock_settime'
  echo "status=$status output=$output"
  [ "$status" -eq 0 ]
  [ "$(capbnd_of "$output")" = "$want" ]
  # EPERM is the profile's answer: the kernel itself says EINVAL (below).
  [[ "$output" == *"perf_event_open=EPERM"* ]]
  [[ "$output" == *"quotactl=EPERM"* ]]
  [[ "$output" == *"clock_settime=EPERM"* ]]
  # The wrapper says what it changed, where docker run shows it.
  [[ "$output" == *"ocigate: rewrote: capabilities: dropped CAP_DAC_READ_SEARCH"* ]]
  [[ "$output" == *"seccomp: took open_by_handle_at out of linux.seccomp.syscalls[9]"* ]]
  # The four mission rules alone trim the capabilities the same way
  # (tests/policies/mission.json).
  run d run --rm --network none --runtime ocigate-mission --user 1000 --cap-add ALL bb:1 grep CapBnd /proc/self/status
  [ "$status" -eq 0 ]
  [ "$(capbnd_of "$output")" = "$want" ]
  # control: Docker's own runtime grants more (the host's bounding set),
  # and its profile lets the calls reach the kernel.
  run d run --rm --network none --runtime runc --user 1000 --cap-add ALL bb:1 sh -c 'grep CapBnd /proc/self/status; sysprobe perf_event_open quotactl clock_settime'
  echo "status=$status output=$output"
  [ "$status" -eq 0 ]
  [ "$(capbnd_of "$output")" != "$want" ]
  bit_set "$(capbnd_of "$output")" 21
  [[ "$output" == *"perf_event_open=EINVAL"* ]]
  [[ "$output" == *"quotactl=EINVAL"* ]]
  [[ "$output" == *"clock_settime=EINVAL"* ]]
}

@test "docker: a rewrite shows in runc state's dev.ocigate.rewrite, containerd's record and its stderr line in the container's output" {
  run d run -d --name rewritten --network none --runtime ocigate-mission --user 1000 --cap-add NET_ADMIN bb:1 sleep 60
  echo "status=$status output=$output"
  [ "$status" -eq 0 ]
  local id=$output
  # Docker gives each runtime its own runc root under its exec root.
  local state root
  state=$(find "$DT/main/exec" /run/containerd/runc -path "*/$id/state.json" 2>/dev/null | head -n 1)
  root=${state%/"$id"/state.json}
  run runc --root "$root" state "$id"
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$(jq -r '.annotations["dev.ocigate.rewrite"]' <<<"$output")" == *"capabilities: dropped CAP_NET_ADMIN"* ]]
  # Without a terminal, containerd's shim gives runc create the container's
  # own stdio: the wrapper's line is the container's first line of stderr.
  run d logs rewritten
  echo "logs: $output"
  [[ "$output" == *"ocigate: rewrote: capabilities: dropped CAP_NET_ADMIN"* ]]
  # docker inspect shows dockerd's own record, which no runtime reaches;
  # containerd's record of the container (dockerd's --containerd-namespace)
  # carries it as a label, the config's text.
  local sock=$DT/main/exec/containerd/containerd.sock
  [ -S "$sock" ] || sock=/run/containerd/containerd.sock
  run ctr --address "$sock" -n ocigate-e2e-main containers info "$id"
  echo "$output"
  [ "$status" -eq 0 ]
  local label
  label=$(jq -r '.Labels["dev.ocigate.rewrite"]' <<<"$output")
  [[ "$label" == *"capabilities: dropped CAP_NET_ADMIN"* ]]
  run runc --root "$root" state "$id"
  [ "$(jq -r '.annotations["dev.ocigate.rewrite"]' <<<"$output")" = "$label" ]
  run d inspect rewritten
  [[ "$output" != *"dev.ocigate.rewrite"* ]]
  run d rm -f rewritten
}

@test "docker: a plain root docker run is refused by user.root; --user 1000 starts" {
  run d run --rm --network none bb:1 /bin/true
  echo "status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"OCI runtime create failed: ocigate: denied by user.root"* ]]
  # The rewrite's line is the container's first of standard error.
  run --separate-stderr d run --rm --network none --user 1000 bb:1 /bin/id
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=1000 "* ]]
  [ "$stderr" = "ocigate: rewrote: capabilities: dropped CAP_NET_RAW; noNewPrivileges: set true" ]
}

@test "docker: --cgroup-parent / is refused by cgroupsPath, naming the flag; the daemon's own parent passes" {
  # CIS Docker Benchmark v1.6.0 5.25: / puts the container's cgroup at /ID,
  # outside /docker.  The daemon's containerd namespace is no parent for
  # Docker's containers either.
  # (dockerd_start gives the main daemon the namespace ocigate-e2e-main.)
  for parent in / /ocigate-e2e-main; do
    run d run --rm --network none --user 1000 --cgroup-parent "$parent" bb:1 /bin/true
    echo "status=$status output=$output"
    [ "$status" -ne 0 ]
    [[ "$output" == *"OCI runtime create failed: ocigate: denied by cgroupsPath: container's cgroup is outside the parents its engine uses"*"; drop --cgroup-parent, or give one the policy allows"* ]]
  done
  run --separate-stderr d run --rm --network none --user 1000 --cgroup-parent /docker bb:1 /bin/true
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
}

@test "docker: with userns-remap default a root container starts remapped (uid=0 inside); --userns host is refused" {
  run --separate-stderr du run --rm --network none bb:1 /bin/id
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=0(root) gid=0(root)"* || "$output" == "uid=0 gid=0"* ]]
  # and it was rewritten: Docker's default set less NET_RAW is the allowlist
  run du run --rm --network none bb:1 grep CapBnd /proc/self/status
  [ "$status" -eq 0 ]
  [ "$(capbnd_of "$output")" = "$(policy_allow_mask "$E2E_ROOT/policies/default.json")" ]
  bit_clear "$(capbnd_of "$output")" 13

  run du run --rm --network none --userns host bb:1 /bin/id
  echo "status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by user.root"* ]]
}

@test "docker: docker exec --privileged and -u 0 are refused; a plain docker exec works" {
  d run -d --name ex1 --network none --user 1000 --cap-drop NET_RAW bb:1 /bin/sleep 60
  # Docker passes --process with every capability: the privileged rule
  # refuses it (trimmed, it would run as something else than asked).
  run d exec --privileged ex1 /bin/grep CapBnd /proc/self/status
  echo "privileged: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by privileged: exec is privileged"* ]]
  run d exec -u 0 ex1 /bin/id
  echo "root: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by user.root"* ]]
  run d exec ex1 /bin/id
  echo "plain: status=$status output=$output"
  [ "$status" -eq 0 ]
  # the exec's own output, beside the wrapper's line on a rewrite (the two
  # streams interleave in either order)
  printf '%s\n' "${lines[@]}" | grep -q '^uid=1000 '
  printf '%s\n' "${lines[@]}" | grep -q '^ocigate: rewrote: '
  [ "${#lines[@]}" -eq 2 ]
}

@test "docker: a plain docker exec into a default --user 1000 container ocigate admitted works" {
  # Docker builds the exec'd process from the container's spec as Docker
  # made it (NET_RAW in the bounding set), not from the config.json ocigate
  # rewrote: the wrapper trims the --process file the same way.
  d run -d --name ex2 --network none --user 1000 bb:1 /bin/sleep 60
  run --separate-stderr d exec ex2 /bin/id
  echo "status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=1000 "* ]]
  [ "$stderr" = "ocigate: rewrote: capabilities: dropped CAP_NET_RAW; noNewPrivileges: set true" ]
}

@test "docker: runtimeArgs pass --ocigate-policy: restricted.json refuses --network host and --pid host" {
  local opts=(--rm --runtime ocigate-restricted --user 1000 --cap-drop ALL --cap-add NET_BIND_SERVICE
    --cgroupns private --security-opt no-new-privileges --read-only)
  # control: allowed by restricted.json
  run d run "${opts[@]}" --network none bb:1 /bin/id
  echo "control: status=$status output=$output"
  [ "$status" -eq 0 ]
  [[ "$output" == "uid=1000 "* ]]
  # --network host arrives as the path of the host's namespace
  run d run "${opts[@]}" --network host bb:1 /bin/id
  echo "net host: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by hostNamespaces.network"* ]]
  # --pid host arrives as a missing pid entry
  run d run "${opts[@]}" --network none --pid host bb:1 /bin/id
  echo "pid host: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by hostNamespaces.pid"* ]]
  # the default policy denies host namespaces only with a user namespace
  run d run --rm --user 1000 --network host --pid host bb:1 /bin/id
  echo "default: status=$status output=$output"
  [ "$status" -eq 0 ]
}

# pids_max_of NAME: pids.max of a running container's cgroup.
pids_max_of() { pids_max_of_pid "$(d inspect -f '{{.State.Pid}}' "$1")"; }

@test "docker: resources deny: a container without limits is refused; docker update --pids-limit -1 is refused, 200 applies" {
  run d run --rm --network none --runtime ocigate-limits --user 1000 bb:1 /bin/true
  echo "no limits: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by resources: container has no memory limit"* ]]
  d run -d --name up1 --network none --runtime ocigate-limits --user 1000 --memory 64m --pids-limit 100 \
    --cpu-shares 512 bb:1 /bin/sleep 60
  [ "$(pids_max_of up1)" = 100 ]
  # containerd hands runc the update on stdin; without ocigate it lifts the limit to "max"
  run d update --pids-limit -1 up1
  echo "update -1: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by resources: update lifts the container's limit on its number of processes (pids.limit=-1, unlimited)"* ]]
  [ "$(pids_max_of up1)" = 100 ]
  run d update --pids-limit 200 --cpu-shares 256 up1
  echo "update 200: status=$status output=$output"
  [ "$status" -eq 0 ]
  [ "$(pids_max_of up1)" = 200 ]
  # the default policy only warns about limits: the update goes through
  d run -d --name up2 --network none --user 1000 --pids-limit 100 bb:1 /bin/sleep 60
  run d update --pids-limit -1 up2
  echo "default: status=$status output=$output"
  [ "$status" -eq 0 ]
  [ "$(pids_max_of up2)" = max ]
}

@test "docker: runtimeArgs pass --ocigate-dry-run: a root container starts unchanged" {
  run d run --rm --network none --runtime ocigate-dry-run bb:1 grep -E 'Uid|CapBnd' /proc/self/status
  echo "status=$status output=$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"Uid:"*"0"* ]]
  # not rewritten: Docker's NET_RAW (bit 13) is still there
  bit_set "$(capbnd_of "$output")" 13
}

@test "docker: a dry-run day under policies/audit.json: all start; ocigate report lists what would have been refused or rewritten, by rule and name" {
  local log="$DT/day/decisions.log" n
  rm -f "$log" "$log.1"
  local da=(run -d --network none --runtime ocigate-audit)
  d "${da[@]}" --name day-root bb:1 sleep 60
  # `--privileged` fails on a host whose bounding set lacks a capability
  # ("unable to apply caps": runc's, after the dry run let it through);
  # then the other marks of --privileged, as UID 1000.
  if ! d "${da[@]}" --name day-priv --privileged bb:1 sleep 60 2>/dev/null; then
    d rm -f day-priv >/dev/null 2>&1 || true
    d "${da[@]}" --name day-priv --user 1000 --security-opt seccomp=unconfined --security-opt systempaths=unconfined \
      --device-cgroup-rule 'a *:* rwm' --cap-add ALL bb:1 sleep 60
  fi
  # NET_RAW is Docker's and not on the allowlist, and Docker sets no
  # noNewPrivileges: with both seen to, the --user 1000 one is clean;
  # with NET_ADMIN added, the other would be trimmed.
  local clean=(--user 1000 --cap-drop NET_RAW --security-opt no-new-privileges)
  d "${da[@]}" --name day-cap "${clean[@]}" --cap-add NET_ADMIN bb:1 sleep 60
  d "${da[@]}" --name day-clean "${clean[@]}" bb:1 sleep 60
  for n in day-root day-priv day-cap day-clean; do
    [ "$(d inspect -f '{{.State.Running}}' "$n")" = true ]
  done
  # dry run: NET_ADMIN is still there
  run d exec day-cap grep CapBnd /proc/self/status
  bit_set "$(capbnd_of "$output")" 12
  cat "$log"
  # every start was judged and logged with the container's name, in dry-run
  jq -se 'all(.dry_run == true and .outcome == "allow") and (map(.name) | index("day-cap") != null)' "$log"
  # the clean one was judged too: its warnings are logged, allowed
  jq -se 'map(select(.name == "day-clean")) | length == 1 and .[0].decision == "allow"' "$log"

  run --separate-stderr "$OCIGATE" report "$log"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"user.root: refuse: "*"  day-root ("*", bb:1, docker): 1 decision, first "* ]]
  [[ "$output" == *"privileged: refuse: "*"  day-priv ("* ]]
  [[ "$output" == *"capabilities: rewrite: "*"  day-cap ("* ]]
  [[ "$output" != *day-clean* ]]
  run --separate-stderr "$OCIGATE" report --format json "$log"
  echo "$output"
  [ "$status" -eq 1 ]
  jq -se 'def names($r; $e): [.[] | select(.rule == $r and .effect == $e) | .list[].container];
    (names("user.root"; "refuse") | index("day-root") != null)
    and (names("privileged"; "refuse") | index("day-priv") != null)
    and (names("capabilities"; "rewrite") == ["day-cap"]) and (names("noNewPrivileges"; "rewrite") == [])
    and ([.[].list[].container] | index("day-clean") == null)
    and all(.dry_run_decisions == .decisions)' <<<"$output"
  d rm -f day-root day-priv day-cap day-clean >/dev/null
}
