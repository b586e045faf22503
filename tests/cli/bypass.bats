#!/usr/bin/env bats
# Ways around the gate an attacker who writes the config (a seccomp
# profile, mounts, limits) has tried: each test is one such config, and
# what the gate must say of it under the shipped default policy.
bats_require_minimum_version 1.5.0
load helpers

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

# check_of FILTER: the last line of `ocigate check` under the default
# policy on compliant_config with FILTER applied.
check_of() {
  mutate "$1" >"$T/c.json"
  run "$OCIGATE" check -p "$POLICIES/default.json" "$T/c.json"
}

@test "seccomp: SCMP_ACT_TRACE on a denied call counts as allowing it" {
  # A process of the container traces its own child with
  # PTRACE_O_TRACESECCOMP: at the child's bpf(2) the tracer is told, lets
  # it go on, and the kernel, running the filter again, takes the second
  # SECCOMP_RET_TRACE as an allow.
  check_of '.linux.seccomp.syscalls += [{"names": ["bpf"], "action": "SCMP_ACT_TRACE"}]'
  [ "${lines[-1]}" = "$T/c.json: rewrite" ]
  [[ "$output" == *"took bpf out of linux.seccomp.syscalls["*"] (action SCMP_ACT_TRACE), and that entry, left with no names"* ]]
  run "$OCIGATE" fix -p "$POLICIES/default.json" -o "$T/f.json" "$T/c.json"
  [ "$status" -eq 0 ]
  jq -e '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_TRACE")] == []' "$T/f.json"
  run "$OCIGATE" check -p "$POLICIES/default.json" "$T/f.json"
  [ "${lines[-1]}" = "$T/f.json: allow" ]
  # Under deny, the finding names the entry.
  jq '.rules.seccomp.action = "deny"' "$POLICIES/default.json" >"$T/deny.json"
  run "$OCIGATE" check -p "$T/deny.json" "$T/c.json"
  [[ "$output" == *"seccomp profile allows bpf unconditionally"*"action SCMP_ACT_TRACE"* ]]
  [ "${lines[-1]}" = "$T/c.json: deny" ]
}

@test "seccomp: SCMP_ACT_NOTIFY on a denied call counts as allowing it" {
  # The agent at listenerPath (any UNIX socket the creator names) answers
  # SECCOMP_USER_NOTIF_FLAG_CONTINUE and the call runs.  The default
  # policy refuses a listenerPath (runtimeAnnotations); this one allows
  # the agent, not what it may let through.
  jq '.rules.runtimeAnnotations.allow = ["linux.seccomp.listenerPath=/run/agent.sock"]' \
    "$POLICIES/default.json" >"$T/agent.json"
  mutate '.linux.seccomp.listenerPath = "/run/agent.sock"
          | .linux.seccomp.syscalls += [{"names": ["perf_event_open", "getpid"], "action": "SCMP_ACT_NOTIFY"}]' \
    >"$T/c.json"
  run "$OCIGATE" check -p "$T/agent.json" "$T/c.json"
  [ "${lines[-1]}" = "$T/c.json: rewrite" ]
  run "$OCIGATE" fix -p "$T/agent.json" -o "$T/f.json" "$T/c.json"
  [ "$status" -eq 0 ]
  jq -e '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_NOTIFY") | .names[]] == ["getpid"]' "$T/f.json"
}

@test "seccomp: a default SCMP_ACT_TRACE allows every call" {
  check_of '.linux.seccomp.defaultAction = "SCMP_ACT_TRACE"'
  [[ "$output" == *"seccomp profile allows every system call it does not list (linux.seccomp.defaultAction=SCMP_ACT_TRACE)"* ]]
  [ "${lines[-1]}" = "$T/c.json: deny" ]
}

@test "seccomp: a condition every real call meets allows a denied call" {
  skip "by design the deny list judges calls allowed whatever their arguments; a condition on an argument the call does not use (bpf's 6th, always 0) passes: refusing every conditional allow of a denied call changes the rule's meaning and the cached verdicts"
  check_of '.linux.seccomp.syscalls += [{"names": ["bpf"], "action": "SCMP_ACT_ALLOW",
                                         "args": [{"index": 5, "value": 0, "op": "SCMP_CMP_EQ"}]}]'
  [ "${lines[-1]}" = "$T/c.json: rewrite" ]
}

@test "seccomp: fix of --cap-add ALL leaves no other name of a denied operation allowed (quotactl_fd, i386's stime)" {
  # Docker's profile allows quotactl_fd for SYS_ADMIN and stime for
  # SYS_TIME, with quotactl and settimeofday; the trim took only the
  # latter, and a 32-bit process (SCMP_ARCH_X86 is in the profile) calls
  # stime, which x86_64 does not have, so it was never judged.
  f="$FIXTURES/docker-user1000-capadd-all.json"
  run "$OCIGATE" fix -p "$POLICIES/default.json" -o "$T/f.json" "$f"
  [ "$status" -eq 0 ]
  [[ "$output" == *"took settimeofday, stime, clock_settime out of linux.seccomp.syscalls["* ]]
  run jq -r '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]
              | select(. == "stime" or . == "quotactl_fd" or . == "clock_settime64")] | length' "$T/f.json"
  [ "$output" = 0 ]
  run "$OCIGATE" check -p "$POLICIES/default.json" "$T/f.json"
  [ "${lines[-1]}" = "$T/f.json: allow" ]
}

@test "seccomp: a denied call only another architecture has is judged there" {
  jq '.rules.seccomp.action = "deny"' "$POLICIES/default.json" >"$T/deny.json"
  mutate '.linux.seccomp.syscalls += [{"names": ["clock_settime64"], "action": "SCMP_ACT_ALLOW"}]' >"$T/c.json"
  run "$OCIGATE" check -p "$T/deny.json" "$T/c.json"
  [[ "$output" == *"seccomp profile allows clock_settime64 unconditionally"* ]]
  [ "${lines[-1]}" = "$T/c.json: deny" ]
  # Without i386 in the profile, the kernel refuses its calls anyway.
  mutate '.linux.seccomp.architectures = ["SCMP_ARCH_X86_64"]
          | .linux.seccomp.syscalls += [{"names": ["clock_settime64"], "action": "SCMP_ACT_ALLOW"}]' >"$T/c.json"
  run "$OCIGATE" check -p "$T/deny.json" "$T/c.json"
  [ "${lines[-1]}" = "$T/c.json: allow" ]
}

# ctr_check NAMESPACE CGROUPSPATH: check ctr's config as containerd hands it
# over for `ctr -n NAMESPACE run --cgroup CGROUPSPATH IMAGE ocigate-1`.
ctr_check() {
  jq --arg c "$2" '.linux.cgroupsPath = $c' "$FIXTURES/ctr-default.json" >"$T/c.json"
  run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/default.json" \
    --bundle "/run/containerd/io.containerd.runtime.v2.task/$1/ocigate-1" "$T/c.json"
  jq -r '[.findings[] | select(.rule == "cgroupsPath") | .message] | join("\n")' <<<"$output"
}

@test "cgroupsPath: ctr's namespace is no way to the host's own cgroups, nor to the namespace's cgroup itself" {
  # ctr -n system.slice: the runtime would join containerd.service's
  # cgroup and set the container's pids and memory limits on it.
  [[ "$(ctr_check system.slice /system.slice/containerd.service)" == *"(linux.cgroupsPath=/system.slice/containerd.service: below none of the allowed parents;"* ]]
  [[ "$(ctr_check system.slice /system.slice)" == *"below none of the allowed parents"* ]]
  [[ "$(ctr_check init.scope /init.scope/x)" == *"below none of the allowed parents"* ]]
  # /NAMESPACE itself holds the namespace's other containers.
  [[ "$(ctr_check ocigate /ocigate)" == *"(linux.cgroupsPath=/ocigate: below none of the allowed parents; allowed: "*", /ocigate (containerd's namespace))"* ]]
  # What ctr writes by itself passes.
  [ -z "$(ctr_check ocigate /ocigate/ocigate-1)" ]
}

@test "cgroupsPath: a path below an allowed parent that names another container's cgroup" {
  skip "not judged: ctr --cgroup /docker/VICTIM_ID (or /NAMESPACE/OTHER_ID) lies below an allowed parent, yet names a cgroup that exists, which the runtime joins and sets its limits on; whether it exists is known only on the host, before the runtime runs (precreate), and the rule reads the path alone"
  [ -n "$(ctr_check ocigate /docker/0123456789abcdef)" ]
}

@test "mounts: a relative socket source runc cleans lexically (s.sock/, x/../s.sock) is a socket" {
  # runc joins a relative bind source to the bundle with filepath.Join,
  # which cleans it: "s.sock/" binds the socket, though stat(2) of
  # BUNDLE/s.sock/ fails (ENOTDIR) and BUNDLE/x/../s.sock does not exist.
  mkdir "$T/b"
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/b/s.sock"
  local src
  for src in s.sock/ s.sock/. nothere/../s.sock ./s.sock//; do
    mutate ".mounts += [{\"source\": \"$src\", \"destination\": \"/x\", \"type\": \"bind\"}]" >"$T/b/config.json"
    run "$OCIGATE" check -p "$POLICIES/default.json" --bundle "$T/b" "$T/b/config.json"
    [[ "$output" == *"deny mounts: bind mount of a UNIX socket (mounts[7].source=$src, resolved $T/b/s.sock, destination /x)"* ]] || {
      echo "$src: $output"
      false
    }
    [ "${lines[-1]}" = "$T/b/config.json: deny" ]
  done
}

@test "cgroupsPath: an allowed parent itself is not a place for a container" {
  # ctr run --cgroup /docker: the runtime would join /docker, the parent
  # of every Docker container, and write this container's limits (say a
  # memory limit of 1 EiB) over the ones an administrator set on it.
  local cg
  for cg in /docker /kubepods /libpod_parent; do
    jq --arg c "$cg" '.linux.cgroupsPath = $c' "$FIXTURES/ctr-default.json" >"$T/c.json"
    run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/default.json" \
      --bundle /run/containerd/io.containerd.runtime.v2.task/ocigate/ocigate-1 "$T/c.json"
    [[ "$(jq -r '.findings[] | select(.rule == "cgroupsPath") | .message' <<<"$output")" == *"(linux.cgroupsPath=$cg: below none of the allowed parents;"* ]]
  done
}

@test "mounts: a source through /proc/PID/root, into a mount namespace where /etc is bound, is /etc" {
  # Anyone who can make a user namespace can bind /etc onto a directory of
  # their own there; /proc/PID/root/DIR is then the host's /etc to the
  # runtime's mount(2), and an empty directory by its name.
  mkdir "$T/d"
  unshare -Urm --propagation private sh -c "mount --bind /etc '$T/d' && exec sleep 60" &
  local pid=$! i
  for i in $(seq 50); do
    [ -e "/proc/$pid/root$T/d/passwd" ] && break
    sleep 0.1
  done
  [ -e "/proc/$pid/root$T/d/passwd" ] || {
    kill "$pid"
    skip "no user namespace with a bind mount here"
  }
  mutate ".mounts += [{\"source\": \"/proc/$pid/root$T/d\", \"destination\": \"/x\", \"type\": \"bind\", \"options\": [\"rbind\", \"ro\"]}]" >"$T/c.json"
  run "$OCIGATE" check -p "$POLICIES/default.json" "$T/c.json"
  kill "$pid"
  [[ "$output" == *"deny mounts: bind mount of sensitive host path /etc, reached by a way its name does not show (mounts[7].source=/proc/$pid/root$T/d, device "* ]]
  [ "${lines[-1]}" = "$T/c.json: deny" ]
}

@test "mounts: an allowSockets entry in a directory its user controls can be pointed at another socket" {
  skip "not fixed: allowSockets entries are looked up with stat(2) when a config is judged, so whoever may change the entry's path (rootless Podman's /run/user/UID/podman/podman.sock is in UID's own directory) can make it a link to a root service's socket (the system D-Bus), which is then allowed; pinning an entry needs a rule for who may change its path (only root, or the socket's owner), which is a policy decision"
  mkdir -p "$T/user" "$T/root"
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/root/service.sock"
  ln -s "$T/root/service.sock" "$T/user/podman.sock" # the user swapped their socket for a link
  jq --arg s "$T/user/podman.sock" '.rules.mounts.allowSockets = [$s]' "$POLICIES/default.json" >"$T/p.json"
  mutate ".mounts += [{\"source\": \"$T/user/podman.sock\", \"destination\": \"/x\", \"type\": \"bind\"}]" >"$T/c.json"
  run "$OCIGATE" check -p "$T/p.json" "$T/c.json"
  [ "${lines[-1]}" = "$T/c.json: deny" ]
}

@test "cgroupsPath: paths runc would clean or read elsewhere are findings; a NUL that runc keeps and C would stop at is refused" {
  # runc cleans /docker/abc/.. to /docker (the parent itself) and
  # /docker/x/../../escape to /escape; crun does not clean at all.  Each
  # form ocigate cannot read as the runtime does is a finding.
  local p
  for p in "/docker/abc/" "/docker//abc" "/docker/./abc" "/docker/abc/.." "/docker/x/../../escape" "docker/abc" \
    "/Docker/abc" ":docker:abc" "system.slice:docker:../../x" "system.slice:docker:abc:x"; do
    check_of ".linux.cgroupsPath = $(jq -n --arg p "$p" '$p')"
    echo "$p: $output"
    [[ "$output" == *"deny cgroupsPath: "* ]]
    [ "${lines[-1]}" = "$T/c.json: deny" ]
  done
  # "/docker/abc\u0000/../../escape": runc's Go string keeps the rest
  # (filepath.Clean makes it /escape), a C reader would see /docker/abc.
  mutate '.' | sed 's|"linux": {|"linux": {"cgroupsPath": "/docker/abc\\u0000/../../escape", |' >"$T/nul.json"
  grep -q 'u0000' "$T/nul.json"
  run "$OCIGATE" check -p "$POLICIES/default.json" "$T/nul.json"
  [ "$status" -eq 2 ]
  [[ "$output" == *'"\u0000" in a string: runtimes read such JSON differently'* ]]
}
