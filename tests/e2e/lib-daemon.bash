# tests/e2e/lib-daemon.bash - shared helpers for the wrapper-runtime e2e
# suites (wrapper.bats, docker.bats, containerd.bats, faults.bats).
#
# Everything here runs REAL runtimes and daemons; nothing is mocked.  Each
# suite keeps its state in its own `mktemp -d` directory and stops what it
# started by PID (never by process name).
#
# Load with:   load lib-daemon

E2E_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
OCIGATE="$E2E_ROOT/build/ocigate"
OCIGATE_RUNC="$E2E_ROOT/build/ocigate-runc"
RUNC=/usr/sbin/runc
# The wrapper's mechanism tests (write_policy) build on the four mission
# rules alone: their configs come from runc's template, which has no seccomp
# profile and no resource limits, so the hardening rules of the default
# policy would refuse or warn about every one of them for reasons of their
# own.  Tests of README's sections use the embedded default itself.
DEFAULT_POLICY="$E2E_ROOT/tests/policies/mission.json"
# Debian's docker.io client; a different docker client may come first in PATH.
if [ -x /usr/bin/docker ]; then DOCKER_CLI=/usr/bin/docker; else DOCKER_CLI=$(command -v docker || echo docker); fi

# shellcheck source=../lib/rootfs.sh
. "$E2E_ROOT/tests/lib/rootfs.sh"
# oci_image_archive, shared with the installer image (make image)
# shellcheck source=../../deploy/kubernetes/build-image.sh
. "$E2E_ROOT/deploy/kubernetes/build-image.sh"

# Capability names by bit number (linux/capability.h, up to Linux 5.9).
CAP_NAMES=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID
  CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN
  CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE
  CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME
  CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP
  CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ
  CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE)

# --- preconditions -------------------------------------------------------

e2e_need_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root: these suites start real containers"
}

# e2e_need_cmd CMD...: skip when an engine's program is not installed.
e2e_need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || skip "$c is not installed (tests/deps.sh test installs it)"
  done
}

# The build must exist (make check builds first).  Fails, not skips.
e2e_need_build() {
  if [ ! -x "$OCIGATE" ] || [ ! -e "$OCIGATE_RUNC" ]; then
    echo "build/ocigate or build/ocigate-runc missing: run make first" >&2
    return 1
  fi
}

# --- small tools ---------------------------------------------------------

sha() { sha256sum "$1" | cut -d' ' -f1; }

# jq_inplace FILE FILTER [JQ-ARGS...]: rewrite FILE through jq (test setup only).
jq_inplace() {
  local f=$1 filter=$2
  shift 2
  jq "$@" "$filter" "$f" >"$f.e2e-tmp" && cat "$f.e2e-tmp" >"$f" && rm -f "$f.e2e-tmp"
}

# json_array STRING...: a JSON array of the strings.
json_array() { printf '%s\n' "$@" | jq -R . | jq -s -c .; }
caps_json() { json_array "$@"; }

ALL_CAPS_JSON=$(caps_json "${CAP_NAMES[@]}")

# host_caps_json: every capability in this process's bounding set (a
# container can hold no other: runc fails "unable to apply caps").
host_caps_json() {
  local bnd i names=()
  bnd=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
  for i in "${!CAP_NAMES[@]}"; do
    if (((bnd >> i) & 1)); then names+=("${CAP_NAMES[$i]}"); fi
  done
  caps_json "${names[@]}"
}

# cap_bit NAME: the capability's bit number.
cap_bit() {
  local i
  for i in "${!CAP_NAMES[@]}"; do
    [ "${CAP_NAMES[$i]}" = "$1" ] && {
      echo "$i"
      return 0
    }
  done
  echo "unknown capability $1" >&2
  return 1
}

# caps_mask NAME...: the mask as /proc/PID/status prints it (16 hex digits).
caps_mask() {
  local m=0 n b
  for n in "$@"; do
    b=$(cap_bit "$n") || return 1
    m=$((m | (1 << b)))
  done
  printf '%016x\n' "$m"
}

# policy_allow_mask POLICY: the mask of a policy's capabilities.allow.
policy_allow_mask() {
  local names
  mapfile -t names < <(jq -r '.rules.capabilities.allow[]' "$1")
  caps_mask "${names[@]}"
}

# capbnd_of TEXT: the CapBnd mask out of `grep CapBnd /proc/self/status` output.
capbnd_of() { printf '%s\n' "$1" | awk '/CapBnd:/ {print $2}' | tail -n1; }

# bit_set / bit_clear MASK BIT: whether bit BIT of hex MASK is set / clear.
# (Assert with these, not with `! bit_set`: bats ignores a negated failure.)
bit_set() { (((16#$1 >> $2) & 1)); }
bit_clear() { (((16#$1 >> $2) & 1 ^ 1)); }

# --- configs and policies ------------------------------------------------

# jq filters over a `runc spec` config.
# Compliant under the default policy: runc spec's capabilities (AUDIT_WRITE,
# KILL, NET_BIND_SERVICE) are on the allowlist; run as UID 1000.
FILTER_COMPLIANT='.process.user = {"uid": 1000, "gid": 1000}'
# What --privileged does to a config: every capability in every set, no
# seccomp, a device cgroup allowing every device, no masked or read-only
# paths, /sys writable.  $caps is passed with --argjson.
FILTER_PRIVILEGED='.process.capabilities = {"bounding": $caps, "effective": $caps, "permitted": $caps,
                                            "inheritable": $caps}
  | del(.linux.seccomp)
  | .linux.resources.devices = [{"allow": true, "access": "rwm"}]
  | .linux.maskedPaths = [] | .linux.readonlyPaths = []
  | .mounts |= map(if .destination == "/sys" then .options -= ["ro"] else . end)'
# Two capabilities the default policy trims (bits 21 and 12).
FILTER_EXTRA_CAPS='.process.capabilities |= with_entries(
    if (.key == "bounding" or .key == "effective" or .key == "permitted")
    then .value += ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"] else . end)'

# What the default policy's fix makes of a FILTER_EXTRA_CAPS config (README:
# the others removed from all five sets, ambient kept within permitted and
# inheritable, so an absent inheritable set empties ambient), saying so in
# its dev.ocigate.rewrite annotation.
# A config the wrapper handed on, less the verification hook it adds first
# to hooks.createRuntime (an error when that hook is not there).
FILTER_UNVERIFIED="$(sed -n '/^def unverified:/,/;$/p' "$E2E_ROOT/tests/lib/unverified.jq" | sed '1d; $s/;$//')"
FILTER_EXTRA_CAPS_FIXED='.process.capabilities |= (
    with_entries(if .key == "ambient" then . else .value -= ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"] end)
    | . as $c
    | if has("ambient") then .ambient |= map(select(. as $n
          | (($c.permitted // []) | index($n)) != null and (($c.inheritable // []) | index($n)) != null))
      else . end)
  | .annotations["dev.ocigate.rewrite"] = "capabilities: dropped CAP_NET_ADMIN, CAP_SYS_ADMIN"'

# bundle_compliant DIR [ARG...]: a busybox bundle the default policy allows
# as is, running ARG... (default /bin/true) as UID 1000.
bundle_compliant() {
  local dir=$1
  shift
  make_bundle "$dir" >/dev/null || return 1
  jq_inplace "$dir/config.json" "$FILTER_COMPLIANT"
  if [ $# -gt 0 ]; then
    jq_inplace "$dir/config.json" '.process.args = $a' --argjson a "$(json_array "$@")"
  fi
}

# bundle_privileged DIR [CAPS-JSON]: a --privileged-style bundle (UID 1000, so
# that only the privileged rule can refuse it).
bundle_privileged() {
  bundle_compliant "$1" || return 1
  jq_inplace "$1/config.json" "$FILTER_PRIVILEGED" --argjson caps "${2:-$ALL_CAPS_JSON}"
}

# bundle_extra_caps DIR [ARG...]: compliant plus CAP_SYS_ADMIN and
# CAP_NET_ADMIN, which the default policy trims (a rewrite).
bundle_extra_caps() {
  local dir=$1
  shift
  bundle_compliant "$dir" "$@" || return 1
  jq_inplace "$dir/config.json" "$FILTER_EXTRA_CAPS"
}

# write_policy FILE [JQ-FILTER [JQ-ARGS...]]: the default policy, changed by
# the filter, written with mode 0644.
write_policy() {
  local f=$1 filter=${2:-.}
  shift
  [ $# -gt 0 ] && shift
  jq "$@" "$filter" "$DEFAULT_POLICY" >"$f" && chmod 0644 "$f"
}

# make_named_wrapper DIR NAME TARGET ARG...: DIR/NAME, a script that execs
# TARGET (an ocigate-runc) with ARG... before the engine's arguments.  The
# wrapper picks its mode from the basename of the path it is exec'd under,
# which stays ocigate-runc.
make_named_wrapper() {
  local dir=$1 name=$2 target=$3 a q=""
  shift 3
  for a in "$@"; do q+=" $(printf '%q' "$a")"; done
  mkdir -p "$dir"
  printf '#!/bin/sh\nexec %q%s "$@"\n' "$target" "$q" >"$dir/$name"
  chmod 0755 "$dir/$name"
}

# --- cleanup -------------------------------------------------------------

# runc_cleanup ROOT: delete every container runc knows in ROOT.
runc_cleanup() {
  local root=$1 id
  [ -d "$root" ] || return 0
  for id in $("$RUNC" --root "$root" list -q 2>/dev/null); do
    "$RUNC" --root "$root" kill "$id" KILL >/dev/null 2>&1
    "$RUNC" --root "$root" delete -f "$id" >/dev/null 2>&1
  done
}

# umount_under DIR: unmount everything mounted at or below DIR, deepest first.
umount_under() {
  local dir=$1 m
  [ -n "$dir" ] || return 0
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
}

# pids_with_arg TEXT: PIDs of processes whose command line contains TEXT
# (used only with a unique temp path, never a program name).
pids_with_arg() {
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$1"; then echo "${p#/proc/}"; fi
  done
}

# stop_pid PID [SECONDS]: TERM, wait, then KILL.
stop_pid() {
  local pid=$1 t=${2:-20} i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < t * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    # a zombie counts as gone (reaped when it is ours; a daemon an
    # earlier test started is not: wait then fails, and that is fine)
    if [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ]; then
      wait "$pid" 2>/dev/null || true
      return 0
    fi
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
  return 0
}

# e2e_rmdir DIR: unmount and remove a suite's temp dir.
e2e_rmdir() {
  local dir=$1
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  umount_under "$dir"
  rm -rf "$dir"
}

# --- installing (README "Installing") ------------------------------------

# e2e_install DIR: `make install PREFIX=DIR/prefix HOOKSDIR=DIR/hooks.d
# SYSCONFDIR=DIR/etc`, its output in DIR/install.log and status in
# DIR/install.status.  When make install fails, the binary and its links are
# installed by hand (the Makefile's own lines) so the engine tests still run
# the installed layout; the test "make install" reports the failure.
e2e_install() {
  local dir=$1 status
  (cd "$E2E_ROOT" && make install PREFIX="$dir/prefix" HOOKSDIR="$dir/hooks.d" SYSCONFDIR="$dir/etc") \
    >"$dir/install.log" 2>&1
  status=$?
  echo "$status" >"$dir/install.status"
  if [ "$status" -ne 0 ]; then
    install -D -m 0755 "$OCIGATE" "$dir/prefix/bin/ocigate" &&
      ln -sf ocigate "$dir/prefix/bin/ocigate-runc" &&
      ln -sf ocigate "$dir/prefix/bin/ocigate-crun"
  fi
}

# The README-as-written tests use the embedded default policy; a policy in
# /etc/ocigate would take precedence over it.
e2e_need_no_system_policy() {
  [ ! -e /etc/ocigate/policy.json ] ||
    skip "/etc/ocigate/policy.json exists on this machine and would replace the embedded default policy"
}

# pids_max_of_pid PID: pids.max of the cgroup PID is in (cgroup v1 or v2).
pids_max_of_pid() {
  local cg
  cg=$(awk -F: '$2 == "pids" || $2 == "" { print $3; exit }' "/proc/$1/cgroup")
  if [ -e "/sys/fs/cgroup/pids$cg/pids.max" ]; then cat "/sys/fs/cgroup/pids$cg/pids.max"; else cat "/sys/fs/cgroup$cg/pids.max"; fi
}

# --- dockerd -------------------------------------------------------------

# dockerd_start DIR NAME [DOCKERD-ARGS...]: a private dockerd with its state in
# DIR/NAME (data, exec root, pidfile, socket, log).  Its own containerd
# namespace keeps it apart from a system dockerd sharing a system containerd.
dockerd_start() {
  local dir=$1 name=$2 i
  shift 2
  local d="$dir/$name"
  mkdir -p "$d"
  dockerd --iptables=false --ip-masq=false --bridge=none --storage-driver=vfs \
    --data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
    -H "unix://$d/docker.sock" --containerd-namespace "ocigate-e2e-$name" \
    --containerd-plugins-namespace "ocigate-e2e-$name-plugins" "$@" >"$d/dockerd.log" 2>&1 &
  echo $! >"$d/dockerd.bgpid"
  for ((i = 0; i < 300; i++)); do
    if [ -S "$d/docker.sock" ] && "$DOCKER_CLI" -H "unix://$d/docker.sock" version >/dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$(cat "$d/dockerd.bgpid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "dockerd $name did not start; its log:" >&2
  tail -n 30 "$d/dockerd.log" >&2
  return 1
}

# dkr DIR NAME ARGS...: the docker client talking to that dockerd.
dkr() {
  local d="$1/$2"
  shift 2
  "$DOCKER_CLI" -H "unix://$d/docker.sock" "$@"
}

# dockerd_stop DIR NAME: remove its containers, stop it by PID, then its
# containerd and shims (found by the unique exec root in their command line).
dockerd_stop() {
  local dir=$1 name=$2 p ids
  local d="$dir/$name"
  [ -f "$d/dockerd.bgpid" ] || return 0
  if [ -S "$d/docker.sock" ]; then
    ids=$(dkr "$dir" "$name" ps -aq 2>/dev/null)
    # shellcheck disable=SC2086
    [ -n "$ids" ] && dkr "$dir" "$name" rm -f $ids >/dev/null 2>&1
  fi
  stop_pid "$(cat "$d/dockerd.bgpid")" 30
  if [ -f "$d/exec/containerd/containerd.pid" ]; then
    p=$(cat "$d/exec/containerd/containerd.pid")
    if [ -n "$p" ] && { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qF "$d/"; then stop_pid "$p" 20; fi
  fi
  for p in $(pids_with_arg "$d/"); do stop_pid "$p" 5; done
  rm -f "$d/dockerd.bgpid"
}

# --- containerd ----------------------------------------------------------

# containerd_start DIR [PREFIX...]: a private containerd in DIR (root, state,
# sockets); the CRI plugin is disabled and nothing is written outside DIR.
# PREFIX, a command that ends by exec'ing its arguments (unshare ...), runs
# containerd under it.
containerd_start() {
  local dir=$1 i
  shift
  cat >"$dir/containerd.toml" <<EOF
version = 2
root = "$dir/ctd-root"
state = "$dir/ctd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/ctd.sock"
[ttrpc]
  address = "$dir/ctd.sock.ttrpc"
[debug]
  address = "$dir/ctd-debug.sock"
[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = "$dir/ctd-opt"
EOF
  "$@" containerd --config "$dir/containerd.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.bgpid"
  for ((i = 0; i < 300; i++)); do
    if ctr --address "$dir/ctd.sock" version >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$(cat "$dir/containerd.bgpid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "containerd did not start; its log:" >&2
  tail -n 30 "$dir/containerd.log" >&2
  return 1
}

# ctrc DIR ARGS...: ctr talking to that containerd.
ctrc() {
  local dir=$1
  shift
  ctr --address "$dir/ctd.sock" "$@"
}

# ctr_cleanup DIR: kill every task and delete every container of that containerd.
ctr_cleanup() {
  local dir=$1 id
  ctrc "$dir" version >/dev/null 2>&1 || return 0
  for id in $(ctrc "$dir" tasks ls -q 2>/dev/null); do
    ctrc "$dir" tasks kill -s SIGKILL "$id" >/dev/null 2>&1
  done
  for id in $(ctrc "$dir" containers ls -q 2>/dev/null); do
    ctrc "$dir" tasks delete -f "$id" >/dev/null 2>&1
    ctrc "$dir" containers delete "$id" >/dev/null 2>&1
  done
}

# containerd_stop DIR: kill leftover tasks, remove containers, stop it by PID
# and any shim whose command line names its socket.
containerd_stop() {
  local dir=$1 p
  [ -f "$dir/containerd.bgpid" ] || return 0
  ctr_cleanup "$dir"
  stop_pid "$(cat "$dir/containerd.bgpid")" 20
  for p in $(pids_with_arg "$dir/ctd.sock"); do stop_pid "$p" 5; done
  rm -f "$dir/containerd.bgpid"
}

# make_oci_image_tar DIR OUT.tar USER: an OCI image archive (for `ctr images
# import --base-name NAME`, which names it NAME:1) of DIR/rootfs with
# config.User = USER and Cmd /bin/id.
make_oci_image_tar() {
  local dir=$1 out=$2 user=$3
  make_rootfs_tar "$dir" "$dir/layer.tar" || return 1
  oci_image_archive "$dir/layer.tar" "$out" \
    "$(jq -cn --arg u "$user" '{User: $u, Env: ["PATH=/bin"], Cmd: ["/bin/id"]}')" 1
}

# need_static_ocigate: skip when build/ocigate needs a dynamic loader (the
# sanitizer build, make check SANITIZE=1): as an image on an empty base it
# finds none of its libraries.
need_static_ocigate() {
  if readelf -l "$OCIGATE" 2>/dev/null | grep -q 'program interpreter'; then
    skip "needs the static build: this ocigate is linked dynamically (a sanitizer build) and runs where no library is"
  fi
}
