#!/usr/bin/env bats
# The decision log's file: where it is by default, how it is made and
# kept to a size, what it refuses, what each line says of the container,
# and one line per container start where Podman runs both hooks.  The
# hook is fed by hand; real engines run it in tests/e2e/.
load helpers
bats_require_minimum_version 1.5.0

setup() {
  T=$(mktemp -d)
  mkdir "$T/bundle"
  # user.root denies; capabilities warns: a warning is logged, a plain allow is not
  policy "$T/policy.json" "$T/logs/decisions.log"
}

teardown() {
  rm -rf "$T"
}

# policy FILE [LOG [MAXBYTES]]: a policy logging to LOG (none: the default file).
policy() {
  jq -n --arg log "${2:-}" --argjson max "${3:-null}" '{"version": 1,
      "rules": {"user.root": {"action": "deny"}, "capabilities": {"action": "warn", "allow": ["CAP_NET_BIND_SERVICE"]}}}
    | if $log != "" then .log.file = $log else . end | if $max then .log.maxBytes = $max else . end' >"$1"
  chmod 0644 "$1"
}

state() {
  printf '{"ociVersion": "1.0.2", "id": "%s", "status": "creating", "bundle": "%s"}' "${2:-c1}" "$1"
}

# Run "$@" where /var/log is a tmpfs of a mount namespace of its own: the
# default file, /var/log/ocigate/decisions.log, lands there, and TREE is
# what the namespace's /var/log then held (find's type, mode, owner, path).
# A host without syslog: a /dev/log there is covered by /dev/null, which
# takes no connection.
with_var_log() {
  unshare -m sh -ec '
    mount --make-rprivate /
    mount -t tmpfs -o mode=0755 tmpfs /var/log
    if [ -e /dev/log ]; then mount --bind /dev/null /dev/log; fi
    rc=0
    "$@" || rc=$?
    find /var/log -printf "%y %m %u %p\n" | sort >"$T/tree"
    cat /var/log/ocigate/decisions.log >"$T/default.log" 2>/dev/null || :
    exit $rc' sh "$@"
}

@test "with no log file in the policy, decisions go to /var/log/ocigate/decisions.log: directory 0700, file 0600" {
  [ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
  export T
  policy "$T/default.json"
  # on a host without syslog, as ocigate itself says
  run with_var_log "$OCIGATE" policy show -p "$T/default.json"
  [[ "$output" == *"decisions are logged to /var/log/ocigate/decisions.log "*"which is not there now"* ]]
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run with_var_log "$OCIGATE" hook -p "$T/default.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: denied by user.root: "* ]]
  grep -qx 'd 700 root /var/log/ocigate' "$T/tree"
  grep -qx 'f 600 root /var/log/ocigate/decisions.log' "$T/tree"
  [ "$(wc -l <"$T/default.log")" -eq 1 ]
  jq -e '.id == "c1" and .outcome == "refuse" and .via == "hook prestart"' "$T/default.log"
}

@test "the file gets every logged decision whether or not syslog listens, one whole line each" {
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  for _ in 1 2 3; do
    run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
    [ "$status" -eq 1 ]
  done
  [ "$(wc -l <"$T/logs/decisions.log")" -eq 3 ]
  jq -se 'length == 3 and all(.outcome == "refuse")' "$T/logs/decisions.log"
  [ "$(stat -c %a "$T/logs")" = 700 ]
  [ "$(stat -c %a "$T/logs/decisions.log")" = 600 ]
}

@test "concurrent decisions do not interleave their lines" {
  # 40 hooks at once
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  for _ in $(seq 40); do
    "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json" 2>/dev/null &
  done
  wait || true
  [ "$(wc -l <"$T/logs/decisions.log")" -eq 40 ]
  jq -se 'length == 40' "$T/logs/decisions.log"
}

@test "a log file that is a symbolic link is not followed: the line is not written, the failure is said, the decision stands" {
  mkdir -m 0700 "$T/logs"
  ln -s "$T/elsewhere" "$T/logs/decisions.log"
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "ocigate: denied by user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); set process.user.uid to a non-root UID, or add a \"user\" entry to linux.namespaces with linux.uidMappings and linux.gidMappings" ]
  [ "${lines[1]}" = "ocigate: open log $T/logs/decisions.log: Too many levels of symbolic links" ]
  [ ! -e "$T/elsewhere" ]
  # an allow stays an allow
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 0 ]
  [ "$output" = "ocigate: open log $T/logs/decisions.log: Too many levels of symbolic links" ]
}

@test "a log directory others may write is refused: the line is not written, the decision stands" {
  mkdir -m 0777 "$T/logs"
  chmod 0777 "$T/logs"
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 0 ]
  [ "$output" = "ocigate: log directory $T/logs: its directory $T/logs is writable by everyone (mode 0777); chmod go-w $T/logs" ]
  [ ! -e "$T/logs/decisions.log" ]
}

@test "past log.maxBytes the file becomes decisions.log.1, one old file kept" {
  policy "$T/policy.json" "$T/logs/decisions.log" 4096
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  local size n=0
  size=$("$OCIGATE" hook -p "$T/policy.json" <"$T/state.json" 2>/dev/null; wc -c <"$T/logs/decisions.log")
  # enough decisions to pass the bound twice
  while [ "$n" -lt $((2 * 4096 / size + 2)) ]; do
    "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json" 2>/dev/null || true
    n=$((n + 1))
  done
  [ -s "$T/logs/decisions.log.1" ]
  [ "$(stat -c %s "$T/logs/decisions.log.1")" -gt 4096 ]
  [ "$(stat -c %s "$T/logs/decisions.log.1")" -le $((4096 + size)) ]
  [ ! -e "$T/logs/decisions.log.2" ]
  [ "$(stat -c %a "$T/logs/decisions.log.1")" = 600 ]
  # every line of both is whole
  jq -se 'all(.outcome == "refuse")' "$T/logs/decisions.log.1"
  if [ -e "$T/logs/decisions.log" ]; then jq -se 'all(.outcome == "refuse")' "$T/logs/decisions.log"; fi
}

@test "run as a user who cannot write the log, the decision stands and the failure is said once" {
  [ "$(id -u)" = 0 ] || skip "needs root to become another user"
  export T
  policy "$T/default.json"
  chmod 0755 "$T"
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run with_var_log setpriv --reuid 65534 --regid 65534 --clear-groups "$OCIGATE" hook -p "$T/default.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[0]}" == "ocigate: denied by user.root: "* ]]
  [ "${lines[1]}" = "ocigate: log directory /var/log/ocigate: mkdir: Permission denied" ]
}

@test "a line names the container as its engine's annotations do; values are escaped and bounded" {
  local long
  long=$(head -c 600 /dev/zero | tr '\0' 'n')
  compliant_config | jq --arg long "$long" '.process.user.uid = 0 | .annotations = {
      "io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.container-name": ("we\"b\n" + $long),
      "io.kubernetes.cri.image-name": "docker.io/library/nginx:1.25", "io.kubernetes.cri.sandbox-name": "web-1",
      "io.kubernetes.cri.sandbox-namespace": "shop"}' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  jq -e '.id == "c1" and .engine == "containerd" and .image == "docker.io/library/nginx:1.25" and .pod == "web-1"
      and .namespace == "shop" and (.name | startswith("we\"b\n") and endswith("...") and (length == 259))' \
    "$T/logs/decisions.log"
  # Docker 20.10's config names nothing: no such member
  jq '.process.user.uid = 0' "$FIXTURES/docker-default.json" >"$T/bundle/config.json"
  rm "$T/logs/decisions.log"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  jq -e 'has("name") or has("image") or has("engine") | not' "$T/logs/decisions.log"
}

# Podman: the precreate hook, then the prestart hook on the config it
# handed on (here: written to the bundle as Podman does).
podman_start() {
  "$OCIGATE" hook -p "$1" --stage precreate <"$T/in.json" >"$T/bundle/config.json" 2>/dev/null
  state "$T/bundle" f9057fa44383 >"$T/state.json"
  run "$OCIGATE" hook -p "$1" --stage prestart <"$T/state.json"
}

# Podman's own config, its rootfs and host paths made this host's.
podman_config() {
  mkdir -p "$T/rootfs"
  jq --arg r "$T/rootfs" '.root.path = $r | .mounts |= map(select(.type != "bind" or (.destination == "/run/.containerenv")))
      | .process.user = {"uid": 1000, "gid": 1000} | .linux.resources = {}
      | .process.capabilities |= map_values(["CAP_NET_BIND_SERVICE"])' "$FIXTURES/podman-default.json" | jq "$1"
}

@test "Podman: precreate and prestart log one line per container start, with the ID from the config" {
  # a warning (capabilities): precreate logs it; prestart decides the same, and does not
  podman_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/in.json"
  podman_start "$T/policy.json"
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$T/logs/decisions.log")" -eq 1 ]
  jq -e '.via == "hook precreate" and .engine == "podman" and .outcome == "allow"
      and .id == "f9057fa44383aaac2168c48a9491d2d4189a5134e510bb9c60f60f72c3ba8ab1"' "$T/logs/decisions.log"
  jq -e '.annotations["dev.ocigate.judged"] == "allow"' "$T/bundle/config.json"
  # dry-run of a refusal: one line, from precreate
  rm "$T/logs/decisions.log"
  jq '.mode = "dry-run"' "$T/policy.json" >"$T/dry.json"
  podman_config '.process.user.uid = 0' >"$T/in.json"
  podman_start "$T/dry.json"
  [ "$status" -eq 0 ]
  [ "$(wc -l <"$T/logs/decisions.log")" -eq 1 ]
  jq -e '.via == "hook precreate" and .decision == "deny" and .dry_run' "$T/logs/decisions.log"
  # a plain allow: no line, no mark
  rm "$T/logs/decisions.log"
  podman_config '.' >"$T/in.json"
  podman_start "$T/policy.json"
  [ "$status" -eq 0 ]
  [ ! -e "$T/logs/decisions.log" ]
  cmp "$T/in.json" "$T/bundle/config.json"
}

@test "a prestart hook logs what differs from the mark, and every refusal; precreate replaces a mark it is given" {
  # prestart alone (CRI-O), a config marked "allow" by whoever wrote it: refused, and logged
  jq '.process.user.uid = 0 | .annotations["dev.ocigate.judged"] = "allow"' <(compliant_config) >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  jq -e '.outcome == "refuse" and .via == "hook prestart"' "$T/logs/decisions.log"
  # a mark of another decision: logged
  rm "$T/logs/decisions.log"
  jq '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .annotations["dev.ocigate.judged"] = "deny"' \
    <(compliant_config) >"$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 0 ]
  jq -e '.outcome == "allow" and .via == "hook prestart"' "$T/logs/decisions.log"
  # the mark a precreate hook is given is replaced by its own, or taken off
  podman_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .annotations["dev.ocigate.judged"] = "deny"' >"$T/in.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/in.json" >"$T/out.json"
  jq -e '.annotations["dev.ocigate.judged"] == "allow"' "$T/out.json"
  podman_config '.annotations["dev.ocigate.judged"] = "deny"' >"$T/in.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/in.json" >"$T/out.json"
  jq -e '.annotations | has("dev.ocigate.judged") | not' "$T/out.json"
}

@test "Docker: the name and image come from dockerd's own record of the container, when only root may write it" {
  local id=1956b0949250e42eefdd4f5e17095601461c808c7183161038e2efc75fdbd88b
  mkdir -p "$T/docker/containers/$id" "$T/rootfs"
  printf '{"ID": "%s", "Name": "/web", "Config": {"Image": "nginx:1.25"}}' "$id" >"$T/docker/containers/$id/config.v2.json"
  jq --arg h "$T/docker/containers/$id/hostname" --arg r "$T/rootfs" '.root.path = $r
      | .mounts |= map(if .destination == "/etc/hostname" then .source = $h else . end)' \
    "$FIXTURES/docker-default.json" >"$T/bundle/config.json"
  state "$T/bundle" "$id" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  jq -e --arg id "$id" '.id == $id and .engine == "docker" and .name == "web" and .image == "nginx:1.25"' \
    "$T/logs/decisions.log"
  # a record others may write says nothing; the decision is the same
  chmod 0666 "$T/docker/containers/$id/config.v2.json"
  rm "$T/logs/decisions.log"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  jq -e '.outcome == "refuse" and (has("name") or has("image") or has("engine") | not)' "$T/logs/decisions.log"
}
