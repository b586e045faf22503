#!/usr/bin/env bats
# A config that joins a user namespace by path: runc ignores the config's
# uidMappings and gidMappings, so ocigate judges the joined namespace's real
# uid_map and gid_map, and who owns it (check, and the hook with a state
# whose pid is a process in that namespace).  Needs root and unshare.
bats_require_minimum_version 1.5.0
load helpers

setup() {
  [ "$(id -u)" -eq 0 ] || skip "needs root (creates user namespaces as root and as nobody)"
  command -v unshare >/dev/null || skip "needs unshare (util-linux)"
  T=$(mktemp -d)
}

teardown() {
  local p
  # userns_process runs in $(...): its PIDs come back through a file
  if [ -f "$T/pids" ]; then
    while read -r p; do kill "$p" 2>/dev/null || true; done <"$T/pids"
  fi
  rm -rf "$T"
}

# userns_process WHO [MAP...]: a process in a new user namespace created by
# WHO (root or nobody), its uid_map and gid_map written as MAP
# ("0 100000 65536") by root from outside; prints its PID.
userns_process() {
  local who=$1 map=${2:-} pid
  if [ "$who" = root ]; then
    unshare -U sleep 600 </dev/null >/dev/null 2>&1 &
  else
    setpriv --reuid=65534 --regid=65534 --clear-groups unshare -U sleep 600 </dev/null >/dev/null 2>&1 &
  fi
  pid=$!
  echo "$pid" >>"$T/pids"
  # wait for the unshare to have happened
  for _ in $(seq 100); do
    [ "$(readlink /proc/$pid/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
    sleep 0.05
  done
  if [ -n "$map" ]; then
    echo "$map" >/proc/$pid/uid_map
    echo "deny" >/proc/$pid/setgroups 2>/dev/null || true
    echo "$map" >/proc/$pid/gid_map
  fi
  echo "$pid"
}

# joining PID: the compliant config, root inside, joining PID's user
# namespace, with mappings that would pass if the runtime used them.
joining() {
  compliant_config | jq --arg p "/proc/$1/ns/user" '.process.user = {"uid": 0, "gid": 0}
    | .linux.namespaces += [{"type": "user", "path": $p}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "a joined user namespace that root created and mapped onto unused IDs is allowed" {
  pid=$(userns_process root "0 100000 65536")
  joining "$pid" >"$T/c.json"
  run "$OCIGATE" check "$T/c.json"
  echo "$output"
  [ "$status" -eq 0 ]
}

@test "a joined user namespace that maps container 0 to host 0 is refused though uidMappings look fine" {
  pid=$(userns_process root "0 0 65536")
  joining "$pid" >"$T/c.json"
  run "$OCIGATE" check "$T/c.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny user.root: process runs as host UID 0 (process.user.uid=0, the joined user namespace maps container 0 to host 0)"* ]]
  [[ "$output" == *"deny user.mapping: mapping puts container UID 0 on host UID 0 (line 1 of the uid_map of the user namespace joined by linux.namespaces["*"].path=/proc/$pid/ns/user: hostID=0 size=65536)"* ]]
}

@test "a joined user namespace that an ordinary user created is refused, whoever it maps" {
  pid=$(userns_process nobody "0 65534 1")
  joining "$pid" >"$T/c.json"
  run "$OCIGATE" check "$T/c.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny user.mapping: container is in a user namespace that UID 65534 (nobody) owns (the user namespace joined by linux.namespaces["*"].path=/proc/$pid/ns/user): that user can enter, trace and change every process in it"* ]]
  # the same through the restricted policy
  run "$OCIGATE" check -p "$POLICIES/restricted.json" "$T/c.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"UID 65534 (nobody) owns"* ]]
}

@test "a joined user namespace with no uid_map yet is refused: whoever writes it first decides" {
  pid=$(userns_process nobody)
  joining "$pid" >"$T/c.json"
  run "$OCIGATE" check "$T/c.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"has no uid_map yet: whoever writes it first decides where the container's IDs land"* ]]
}

@test "the hook judges the user namespace the state's process is really in, not the config's mappings" {
  # the config asks for a new user namespace with fine mappings; the
  # process of the state is in one that maps container 0 to host 0
  pid=$(userns_process root "0 0 65536")
  mkdir "$T/b" "$T/b/rootfs"
  mutate '.process.user = {"uid": 0, "gid": 0} | .root.path = "rootfs"
    | .linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' >"$T/b/config.json"
  # without a pid, the description is judged: allowed
  printf '{"ociVersion": "1.0.2", "id": "j1", "status": "creating", "bundle": "%s"}' "$T/b" >"$T/state0.json"
  run "$OCIGATE" hook --stage prestart <"$T/state0.json"
  echo "$output"
  [ "$status" -eq 0 ]
  printf '{"ociVersion": "1.0.2", "id": "j1", "status": "creating", "pid": %d, "bundle": "%s"}' "$pid" "$T/b" >"$T/state.json"
  run "$OCIGATE" hook --stage createRuntime <"$T/state.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"denied by user.root: process runs as host UID 0 (process.user.uid=0, the user namespace the container's process is really in (/proc/$pid/ns/user) maps container 0 to host 0)"* ]]
  [[ "$output" == *"denied by user.mapping: mapping puts container UID 0 on host UID 0 (line 1 of the uid_map of the user namespace the container's process (PID $pid) is really in: hostID=0 size=65536)"* ]]
  # a process that is gone cannot be judged: refused
  printf '{"ociVersion": "1.0.2", "id": "j1", "status": "creating", "pid": 2147483647, "bundle": "%s"}' "$T/b" >"$T/gone.json"
  run "$OCIGATE" hook --stage createRuntime <"$T/gone.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"refused: the container's process (PID 2147483647, from the OCI state) cannot be judged"* ]]
}
