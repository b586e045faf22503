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

# dockerd_with_image: a private dockerd (dkr "$T" dk) holding the busybox
# image audit-bb:1; the test is skipped when dockerd is missing or does not start.
dockerd_with_image() {
  e2e_need_cmd dockerd "$DOCKER_CLI"
  DK=1
  dockerd_start "$T" dk || skip "dockerd does not start here"
  make_rootfs "$T/img"
  make_rootfs_tar "$T/img" "$T/img.tar"
  dkr "$T" dk import "$T/img.tar" audit-bb:1 >/dev/null
}

# The issue's done-when line, one test per engine: a root container, a
# privileged one and a `--user 1000` one with a root process exec'd into it,
# all started by the engine itself (no ocigate in the way), are each listed
# with the engine and the right verdict, and the exec'd process is a live
# finding while the container's own process is not.

# audit_until_live ROOT...: run `audit --format json` over the roots (as
# `run`) until a live.user finding shows (an exec -d returns before its
# process runs), at most about 5 s.
audit_until_live() {
  local args=() r deadline=$((SECONDS + 5))
  for r in "$@"; do args+=(--root "$r"); done
  # A deadline, not a count: nothing `run` runs can reset it.
  while :; do
    run --separate-stderr audit "${args[@]}" --format json
    [[ "$output" == *'"live.user"'* ]] && return 0
    [ "$SECONDS" -lt "$deadline" ] || return 0
    sleep 0.1
  done
}

# check_engine_verdicts ENGINE KEY ROOT PRIV USER EXEC-CMDLINE: the audit's
# output ($output, $status) lists the containers whose KEY (id or name) is
# ROOT, PRIV and USER, once each, with ENGINE; ROOT is denied for user.root,
# PRIV for privileged; USER's config is allowed or rewritten, its one
# live.user finding is a process other than its init whose command line is
# EXEC-CMDLINE (checked in /proc too), and its init has no live finding.
check_engine_verdicts() {
  local engine=$1 key=$2 root=$3 priv=$4 user=$5 cmdline=$6 line pid
  echo "$output"
  [ "$status" -eq 1 ]
  while IFS= read -r line; do
    printf '%s\n' "$line" | jq -e 'type == "object"' >/dev/null || {
      echo "not a JSON object: $line"
      return 1
    }
  done <<<"$output"
  echo "$output" | jq -se --arg k "$key" --arg e "$engine" --arg r "$root" --arg p "$priv" --arg u "$user" '
    def one($v): map(select(.[$k] == $v)) | if length == 1 then .[0] else error("\($v): \(length) entries") end;
    def has_rule($n): (.findings | map(.rule) | index($n)) != null;
    (one($r) | .engine == $e and .decision == "deny" and has_rule("user.root"))
    and (one($p) | .engine == $e and .decision == "deny" and has_rule("privileged"))
    and (one($u) | . as $c | .engine == $e and (.decision == "allow" or .decision == "rewrite")
         and .processes == 2 and ($c.pid > 0)
         and ([.live[] | select(.pid == $c.pid)] == [])
         and ([.live[] | select(.rule == "live.user")] | length == 1
              and .[0].pid != $c.pid and (.[0].cmdline | test("sleep"))))'
  pid=$(echo "$output" | jq -r --arg k "$key" --arg u "$user" 'select(.[$k] == $u) | .live[] | select(.rule == "live.user") | .pid')
  [ "$(tr '\0' ' ' </proc/"$pid"/cmdline)" = "$cmdline " ]
  [ "$(awk '/^Uid:/ {print $3}' /proc/"$pid"/status)" = 0 ]
}

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
  echo "$output" | jq -se '.[] | select(.id == "ok") | .decision == "allow" and .processes == 1 and .live == [] and .engine == "runc" and (.pid > 0)
    and .rewrite == null'
}

@test "what ocigate-runc rewrote at start is on the container's line and in its JSON object, as the config's annotation says" {
  bundle_extra_caps "$T/rw" /bin/sleep 300
  "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run -d -b "$T/rw" rw </dev/null >/dev/null 2>"$T/rw.err"
  grep -qx "ocigate: rewrote: capabilities: dropped CAP_NET_ADMIN, CAP_SYS_ADMIN" "$T/rw.err"
  local want="capabilities: dropped CAP_NET_ADMIN, CAP_SYS_ADMIN"
  [ "$(jq -r '.annotations["dev.ocigate.rewrite"]' "$T/rw/config.json")" = "$want" ]
  # and one started past ocigate says nothing of it
  start_plain plain
  run --separate-stderr audit --root "$R"
  echo "$output"
  [[ "$(grep '^rw  ' <<<"$output")" == "rw  runc  "*"  allow  1 processes  0 findings  rewrote at start: $want" ]]
  [[ "$(grep '^plain  ' <<<"$output")" != *"rewrote"* ]]
  run --separate-stderr audit --root "$R" --format json
  echo "$output" | jq -se --arg w "$want" '(.[] | select(.id == "rw") | .rewrite == $w and .decision == "allow")
    and (.[] | select(.id == "plain") | .rewrite == null)'
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
  dockerd_with_image
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

@test "done-when, plain runc: root, privileged and user 1000 with a runc exec -u 0 are listed and judged" {
  start_plain rroot '.process.user = {"uid": 0, "gid": 0}'
  # Every capability of the host's bounding set (all of them fail here:
  # "unable to apply caps"), UID 1000, so that only the privileged rule
  # can deny it.
  bundle_privileged "$T/rpriv" "$(host_caps_json)"
  jq_inplace "$T/rpriv/config.json" '.process.args = ["/bin/sleep", "300"]'
  "$RUNC" --root "$R" run -d -b "$T/rpriv" rpriv </dev/null >/dev/null
  start_plain ruser
  "$RUNC" --root "$R" exec -d --user 0:0 ruser /bin/sleep 297 </dev/null >/dev/null
  audit_until_live "$R"
  check_engine_verdicts runc id rroot rpriv ruser "/bin/sleep 297"
}

@test "done-when, Docker: root, privileged and user 1000 with a docker exec -u 0 are listed and judged" {
  dockerd_with_image
  dkr "$T" dk run -d --name dw-root --network none audit-bb:1 /bin/sleep 300 >/dev/null
  # `--privileged` fails on a host whose bounding set lacks a capability
  # ("unable to apply caps"); then the other marks of --privileged, as UID
  # 1000, with which `--cap-add ALL` starts there.
  if ! dkr "$T" dk run -d --name dw-priv --network none --privileged audit-bb:1 /bin/sleep 300 >/dev/null 2>&1; then
    dkr "$T" dk rm -f dw-priv >/dev/null 2>&1 || true
    dkr "$T" dk run -d --name dw-priv --network none --user 1000 --security-opt seccomp=unconfined \
      --security-opt systempaths=unconfined --device-cgroup-rule 'a *:* rwm' --cap-add ALL \
      audit-bb:1 /bin/sleep 300 >/dev/null
  fi
  dkr "$T" dk run -d --name dw-user --network none --user 1000 audit-bb:1 /bin/sleep 300 >/dev/null
  dkr "$T" dk exec -d -u 0 dw-user /bin/sleep 297
  audit_until_live "$T/dk/exec/runtime-runc"
  check_engine_verdicts docker name dw-root dw-priv dw-user "/bin/sleep 297"
}

@test "done-when, Podman: root, privileged and user 1000 with a podman exec -u 0 are listed and judged" {
  e2e_need_cmd podman
  make_rootfs "$T/pimg"
  make_rootfs_tar "$T/pimg" "$T/pimg.tar"
  podman import "$T/pimg.tar" localhost/audit-bb:1 >/dev/null || skip "podman cannot import here"
  local prun=(podman run -d --runtime "$RUNC" --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
  PODMAN_IDS="pw-root pw-priv pw-user"
  "${prun[@]}" --name pw-root localhost/audit-bb:1 /bin/sleep 300 >/dev/null
  # As for Docker: --privileged, else its other marks with the host's capabilities.
  local capadd
  mapfile -t capadd < <(host_caps_json | jq -r '.[] | "--cap-add=" + .')
  if ! "${prun[@]}" --name pw-priv --privileged localhost/audit-bb:1 /bin/sleep 300 >/dev/null 2>&1; then
    podman rm -f pw-priv >/dev/null 2>&1 || true
    "${prun[@]}" --name pw-priv --user 1000 --security-opt seccomp=unconfined --security-opt unmask=ALL \
      --device-cgroup-rule 'a *:* rwm' "${capadd[@]}" \
      localhost/audit-bb:1 /bin/sleep 300 >/dev/null
  fi
  "${prun[@]}" --name pw-user --user 1000 localhost/audit-bb:1 /bin/sleep 300 >/dev/null
  podman exec -d -u 0 pw-user /bin/sleep 297 >/dev/null
  audit_until_live /run/runc
  check_engine_verdicts podman name pw-root pw-priv pw-user "/bin/sleep 297"
}

@test "done-when, containerd: root, privileged and user 1000 with a ctr task exec --user 0 are listed and judged" {
  e2e_need_cmd containerd ctr
  CTD="$T/ctd"
  mkdir -p "$CTD"
  # Its own namespace: the shim keeps runc's state in /run/containerd/runc/NS,
  # apart from any other containerd's; ctr_cleanup (teardown) reads it too.
  export CONTAINERD_NAMESPACE=ocigate-audit-e2e
  containerd_start "$CTD" || skip "containerd does not start here"
  make_rootfs "$T/c0"
  make_oci_image_tar "$T/c0" "$T/c0.tar" 0
  make_rootfs "$T/c1"
  make_oci_image_tar "$T/c1" "$T/c1.tar" 1000
  ctrc "$CTD" images import --base-name audit-root "$T/c0.tar" >/dev/null
  ctrc "$CTD" images import --base-name audit-user "$T/c1.tar" >/dev/null
  # ctr run calls the runc of PATH, as containerd does by default.
  ctrc "$CTD" run -d audit-root:1 cw-root /bin/sleep 300 >/dev/null
  ctrc "$CTD" run -d --privileged audit-user:1 cw-priv /bin/sleep 300 >/dev/null
  ctrc "$CTD" run -d audit-user:1 cw-user /bin/sleep 300 >/dev/null
  ctrc "$CTD" tasks exec -d --user 0 --exec-id x cw-user /bin/sleep 297 >/dev/null
  audit_until_live "/run/containerd/runc/$CONTAINERD_NAMESPACE"
  check_engine_verdicts containerd id cw-root cw-priv cw-user "/bin/sleep 297"
}
