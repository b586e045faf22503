# tests/e2e/lib-hook.bash - shared helpers for the hook suites
# (runc-hook.bats, crun-hook.bats, podman.bats, adversarial.bats).  Real
# engines, no mocks.
#
# Load with `load lib-hook` from a .bats file in tests/e2e/.
#
# Per suite (setup_file -> hook_setup_file): ocigate is installed with
# `make install PREFIX=I/prefix HOOKSDIR=I/hooks.d SYSCONFDIR=I/etc` into a
# private directory I (mktemp -d) that teardown_file removes; make install
# enables no hook, so the suites take the hooks.d files it installs under
# I/prefix/share/ocigate/hooks.d into I/hooks.d, as an administrator would.
# Per test (setup -> hook_setup): a private temp dir $T (mktemp -d: root-owned,
# mode 0700, which the policy trust check accepts) holds bundles, runtime
# state (--root), policies, logs and Podman storage; teardown removes every
# container started in it (by ID) and then $T.

# shellcheck disable=SC2016,SC2034,SC2154  # jq programs, bats globals
HOOK_REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
# shellcheck source=../lib/rootfs.sh
. "$HOOK_REPO/tests/lib/rootfs.sh"

# The messages the tests look for.
MSG_USER_ROOT='ocigate: denied by user.root: process runs as host UID 0'
MSG_PRIVILEGED='ocigate: denied by privileged'
MSG_HOST_PID='ocigate: denied by hostNamespaces.pid'

# ---------------------------------------------------------------- assertions

# assert_contains HAYSTACK NEEDLE: fixed-string match, prints both otherwise.
assert_contains() {
  case "$1" in
    *"$2"*) return 0 ;;
  esac
  printf 'expected to find:\n  %s\nin:\n%s\n' "$2" "$1" >&2
  return 1
}

assert_not_contains() {
  case "$1" in
    *"$2"*)
      printf 'expected NOT to find:\n  %s\nin:\n%s\n' "$2" "$1" >&2
      return 1
      ;;
  esac
  return 0
}

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
  [ "$1" = "$2" ] && return 0
  printf '%s: expected\n  %s\ngot\n  %s\n' "${3:-value}" "$2" "$1" >&2
  return 1
}

# assert_status WANT: after `run`, prints the output when the status differs.
assert_status() {
  if [ "$status" -ne "$1" ]; then
    printf 'expected exit status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2
    return 1
  fi
}

# assert_failure: after `run`, a non-zero status.
assert_failure() {
  if [ "$status" -eq 0 ]; then
    printf 'expected a failure, got exit status 0; output:\n%s\n' "$output" >&2
    return 1
  fi
}

# ------------------------------------------------------------------- install

# hook_install DEST: install ocigate under DEST with make install, as the
# README says, and copy the hooks.d files it installs into DEST/hooks.d; a
# failing install fails the suite.
hook_install() {
  local dest=$1 f
  if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
    make -C "$HOOK_REPO" install PREFIX="$dest/prefix" HOOKSDIR="$dest/hooks.d" \
    SYSCONFDIR="$dest/etc" >"$dest/make-install.log" 2>&1; then
    cat "$dest/make-install.log" >&2
    return 1
  fi
  if [ -e "$dest/hooks.d" ]; then
    echo "make install wrote into HOOKSDIR: it must enable no hook" >&2
    return 1
  fi
  mkdir -m 0755 "$dest/hooks.d"
  cp "$dest"/prefix/share/ocigate/hooks.d/*.json "$dest/hooks.d/"
  for f in "$dest"/hooks.d/*.json; do
    if [ "$(jq -r '.hook.path' "$f")" != "$dest/prefix/bin/ocigate" ]; then
      echo "make install wrote ${f##*/} naming another binary" >&2
      return 1
    fi
  done
  [ -x "$dest/prefix/bin/ocigate" ]
}

# hook_setup_file: call from setup_file.  Exports OCIGATE (the installed
# binary) and HOOKS_D (a hooks.d directory with the installed hooks.d files).
hook_setup_file() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "the e2e hook suites run as root" >&2
    return 1
  fi
  HOOK_INST=$(mktemp -d)
  export HOOK_INST
  hook_install "$HOOK_INST"
  export OCIGATE="$HOOK_INST/prefix/bin/ocigate"
  export HOOKS_D="$HOOK_INST/hooks.d"
  if [ -e /etc/ocigate/policy.json ] && ! cmp -s /etc/ocigate/policy.json "$HOOK_REPO/policies/default.json"; then
    echo "# note: /etc/ocigate/policy.json differs from policies/default.json; tests without -p use it" >&3
  fi
}

hook_teardown_file() {
  if [ -n "${HOOK_INST:-}" ]; then rm -rf "$HOOK_INST"; fi
}

# ---------------------------------------------------------- per-test setup

hook_setup() {
  T=$(mktemp -d)
  # A container ID unique to this test.
  CID="ocigate-e2e-${T##*.}"
}

# hook_teardown_cgroups ID: a runtime that died half-way may leave its
# cgroup directories (runc and crun put them at /ID without cgroupsPath).
hook_teardown_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/"$1" /sys/fs/cgroup/"$1"; do
    if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
  done
  return 0
}

# ---------------------------------------------------------------- bundles

# new_bundle DIR: tests/lib/rootfs.sh's bundle (busybox, runc spec, /bin/true).
new_bundle() {
  make_bundle "$1" >/dev/null
}

# bundle_jq BUNDLE FILTER [JQ-ARGS...]: edit BUNDLE/config.json in place.
bundle_jq() {
  local b=$1 filter=$2
  shift 2
  jq "$@" "$filter" "$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# bundle_user BUNDLE UID GID: run as UID:GID.
bundle_user() {
  bundle_jq "$1" '.process.user = {"uid": ($u|tonumber), "gid": ($g|tonumber)}' --arg u "$2" --arg g "$3"
}

# bundle_args BUNDLE ARG...: process.args.
bundle_args() {
  local b=$1
  shift
  bundle_jq "$b" '.process.args = $a' --argjson a "$(json_strings "$@")"
}

# bundle_userns BUNDLE: a user namespace mapping 0->100000 (65536) for UIDs
# and GIDs; the rootfs is chowned so that the remapped root can use it.
bundle_userns() {
  # The remapped root must reach the rootfs: $T (0700) becomes 0711, which
  # the policy trust check still accepts (nobody else may write it).
  chmod 0711 "$T"
  chown -R 100000:100000 "$1/rootfs"
  bundle_jq "$1" '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# bundle_no_pidns BUNDLE: share the host's PID namespace.  With a user
# namespace neither runc nor crun may mount a new proc there (EPERM, before
# any prestart hook runs), so /proc becomes a bind of the host's, as Podman
# does for --pid host.
bundle_no_pidns() {
  bundle_jq "$1" '.linux.namespaces |= map(select(.type != "pid"))
    | .mounts |= map(if .destination == "/proc"
        then {"destination": "/proc", "type": "bind", "source": "/proc",
              "options": ["rbind", "nosuid", "noexec", "nodev"]}
        else . end)'
}

# add_ocigate_hook BUNDLE [EXTRA-HOOK-ARG...]: the README's runc/crun hook
# (path = installed ocigate, args ocigate hook --stage prestart), with extra
# arguments such as -p POLICY or --dry-run appended.
add_ocigate_hook() {
  local b=$1
  shift
  bundle_jq "$b" '.hooks.prestart += [{"path": $path, "args": (["ocigate", "hook", "--stage", "prestart"] + $extra)}]' \
    --arg path "$OCIGATE" --argjson extra "$(json_strings "$@")"
}

# json_strings ARG...: a JSON array of the arguments (jq's --args would
# take an argument such as -p for one of its own options).
json_strings() {
  if [ $# -eq 0 ]; then
    echo '[]'
  else
    printf '%s\n' "$@" | jq -R . | jq -sc .
  fi
}

# readme_command REGEX: the first command of README's section "runc and
# crun" whose first line matches REGEX, up to its "mv config.json.new
# config.json".
readme_command() {
  awk -v re="$1" '/^### runc and crun/ { s = 1 } s && $0 ~ re { c = 1 } c { print } c && /mv config.json.new config.json/ { exit }' \
    "$HOOK_REPO/README.md"
}

# readme_add_hook BUNDLE: run the README's own jq command (section "runc and
# crun") in BUNDLE, with /usr/local/bin/ocigate replaced by the installed
# binary.  Fails if the README no longer has that command.
readme_add_hook() {
  local b=$1 cmd
  cmd=$(readme_command '^    jq ')
  case "$cmd" in
    *'"/usr/local/bin/ocigate"'*'mv config.json.new config.json'*) ;;
    *)
      echo "README.md: the runc/crun jq command was not found; got: $cmd" >&2
      return 1
      ;;
  esac
  cmd=${cmd//\/usr\/local\/bin\/ocigate/$OCIGATE}
  (cd "$b" && eval "$cmd")
}

# write_policy FILE [JQ-FILTER [JQ-ARGS...]]: policies/default.json passed
# through JQ-FILTER, mode 0644 (owned by root, in the 0700 $T).
write_policy() {
  local f=$1 filter=${2:-.}
  shift
  [ $# -gt 0 ] && shift
  jq "$@" "$filter" "$HOOK_REPO/policies/default.json" >"$f"
  chmod 0644 "$f"
}

# log_lines FILE: the number of lines in a decision log (0 if absent).
log_lines() {
  if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi
}

# check_dry_run_log FILE VIA: every line of the decision log is JSON, and
# one line from VIA (e.g. "hook prestart") says: outcome allow, dry_run
# true, decision deny, with a user.root deny finding.
check_dry_run_log() {
  local f=$1 via=$2
  [ -s "$f" ] || {
    echo "log $f is empty or absent" >&2
    return 1
  }
  jq -e . "$f" >/dev/null || {
    echo "log $f is not JSON lines:" >&2
    cat "$f" >&2
    return 1
  }
  jq -se --arg via "$via" 'map(select(.via == $via
      and .outcome == "allow" and .dry_run == true and .decision == "deny"
      and (.findings | any(.rule == "user.root" and .action == "deny"))))
    | length >= 1' "$f" >/dev/null || {
    echo "no dry-run line from '$via' in $f:" >&2
    cat "$f" >&2
    return 1
  }
}

# ------------------------------------------------------------------- runc

RUNC_BIN=$(command -v runc || echo /usr/sbin/runc)

# runc_r ARGS...: runc with this test's private state directory.
runc_r() {
  timeout 60 "$RUNC_BIN" --root "$T/runc" "$@"
}

# runc_cleanup: kill and delete every container this test left (by ID).
runc_cleanup() {
  local id
  [ -d "$T/runc" ] || return 0
  for id in $(runc_r list -q 2>/dev/null); do
    runc_r kill "$id" KILL 2>/dev/null || true
    runc_r delete -f "$id" 2>/dev/null || true
    hook_teardown_cgroups "$id"
  done
  return 0
}

# ------------------------------------------------------------------- crun

CRUN_BIN=$(command -v crun || echo /usr/bin/crun)

# crun needs a private mount namespace without the cgroup2 mount on hybrid
# cgroup hosts ("cgroups in hybrid mode not supported").
crun_hybrid() {
  mountpoint -q /sys/fs/cgroup/unified 2>/dev/null &&
    [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ]
}

# crun_r ARGS...: crun with this test's private state directory.  With
# CRUN_ENV_I=1 the runtime runs under `env -i` (empty environment).
crun_r() {
  local pre=()
  [ "${CRUN_ENV_I:-0}" = 1 ] && pre=(env -i)
  if crun_hybrid; then
    timeout 60 "${pre[@]}" /usr/bin/unshare -m /bin/sh -c \
      '/bin/umount /sys/fs/cgroup/unified && exec "$@"' sh "$CRUN_BIN" --root "$T/crun" "$@"
  else
    timeout 60 "${pre[@]}" "$CRUN_BIN" --root "$T/crun" "$@"
  fi
}

crun_cleanup() {
  local id
  [ -d "$T/crun" ] || return 0
  for id in $(CRUN_ENV_I=0 crun_r list -q 2>/dev/null); do
    CRUN_ENV_I=0 crun_r kill "$id" KILL 2>/dev/null || true
    CRUN_ENV_I=0 crun_r delete -f "$id" 2>/dev/null || true
    hook_teardown_cgroups "$id"
  done
  return 0
}

# crun_hook_stderr BUNDLE: crun 1.8 does not show a hook's stderr; its
# annotation run.oci.hooks.stderr sends it to a file, $HOOK_STDERR: one in
# /run/ocigate/hooks/, where README tells crun users to put it (the
# default policy's runtimeAnnotations rule allows no other place).
HOOK_STDERR_DIR=/run/ocigate/hooks
crun_hook_stderr() {
  hook_stderr_file
  bundle_jq "$1" '.annotations["run.oci.hooks.stderr"] = $f' --arg f "$HOOK_STDERR"
}

# hook_stderr_file: make README's directory (mode 0700) and set HOOK_STDERR
# to this container's file in it.
hook_stderr_file() {
  [ -d /run/ocigate ] || mkdir -m 0700 /run/ocigate
  [ -d "$HOOK_STDERR_DIR" ] || mkdir -m 0700 "$HOOK_STDERR_DIR"
  HOOK_STDERR="$HOOK_STDERR_DIR/$CID.stderr"
}

hook_stderr() {
  if [ -n "${HOOK_STDERR:-}" ] && [ -e "$HOOK_STDERR" ]; then cat "$HOOK_STDERR"; fi
}

hook_stderr_cleanup() {
  if [ -n "${HOOK_STDERR:-}" ]; then rm -f "$HOOK_STDERR"; fi
}

# --------------------------------------------------------------- podman

# podman_setup_file / podman_teardown_file: Podman creates a few global
# directories even with private storage (/var/lib/containers/cache for the
# blob info cache, /run/containers/networks); remove them afterwards if this
# suite created them.
podman_setup_file() {
  local d
  PODMAN_CREATED=""
  for d in /var/lib/containers /run/containers; do
    [ -e "$d" ] || PODMAN_CREATED="$PODMAN_CREATED $d"
  done
  export PODMAN_CREATED
}

podman_teardown_file() {
  local d
  for d in ${PODMAN_CREATED:-}; do
    case "$d" in
      /var/lib/containers)
        rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
        rmdir /var/lib/containers/cache /var/lib/containers 2>/dev/null || true
        ;;
      /run/containers)
        rmdir /run/containers/networks /run/containers 2>/dev/null || true
        ;;
    esac
  done
  return 0
}

# podman_setup: private storage under $T, a containers.conf with ulimits this
# machine allows, and the busybox image imported as localhost/bb:1.
podman_setup() {
  printf '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1024:1024"]\n' >"$T/containers.conf"
  export CONTAINERS_CONF="$T/containers.conf"
  PODMAN=(podman --root "$T/root" --runroot "$T/runroot" --tmpdir "$T/tmp"
    --network-config-dir "$T/net" --events-backend none --storage-driver vfs)
  mkdir -p "$T/nohooks"
  new_bundle "$T/img"
  add_sysprobe "$T/img"
  make_rootfs_tar "$T/img" "$T/rootfs.tar"
  timeout 120 "${PODMAN[@]}" import -q "$T/rootfs.tar" localhost/bb:1 >/dev/null
}

# prun ARGS...: podman run --rm with runc and no network (the hooks dir is
# given by each test: --hooks-dir "$HOOKS_D", or "$T/nohooks" for none).
prun() {
  timeout 120 "${PODMAN[@]}" run --rm --runtime runc --network none "$@"
}

podman_cleanup() {
  local id m
  if [ -d "$T/root" ]; then
    for id in $("${PODMAN[@]}" ps -aq --no-trunc 2>/dev/null); do
      timeout 60 "${PODMAN[@]}" rm -f -t 0 "$id" >/dev/null 2>&1 || true
    done
    timeout 60 "${PODMAN[@]}" rmi -af >/dev/null 2>&1 || true
  fi
  # Nothing should be mounted under $T; unmount what is, deepest first.
  for m in $(findmnt -rn -o TARGET | grep -F "$T/" | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  return 0
}

# capbnd OUTPUT: the CapBnd mask (decimal) from `grep CapBnd /proc/self/status`.
capbnd() {
  local hex
  hex=$(printf '%s\n' "$1" | sed -n 's/^CapBnd:[[:space:]]*\([0-9a-f]*\).*/\1/p' | head -n 1)
  [ -n "$hex" ] || {
    echo "no CapBnd line in: $1" >&2
    return 1
  }
  echo $((16#$hex))
}

# cap_bit NAME: the capability's bit number (linux/capability.h).
cap_bit() {
  case "$1" in
    CAP_CHOWN) echo 0 ;; CAP_DAC_OVERRIDE) echo 1 ;; CAP_DAC_READ_SEARCH) echo 2 ;;
    CAP_FOWNER) echo 3 ;; CAP_FSETID) echo 4 ;; CAP_KILL) echo 5 ;; CAP_SETGID) echo 6 ;;
    CAP_SETUID) echo 7 ;; CAP_SETPCAP) echo 8 ;; CAP_LINUX_IMMUTABLE) echo 9 ;;
    CAP_NET_BIND_SERVICE) echo 10 ;; CAP_NET_BROADCAST) echo 11 ;; CAP_NET_ADMIN) echo 12 ;;
    CAP_NET_RAW) echo 13 ;; CAP_IPC_LOCK) echo 14 ;; CAP_IPC_OWNER) echo 15 ;;
    CAP_SYS_MODULE) echo 16 ;; CAP_SYS_RAWIO) echo 17 ;; CAP_SYS_CHROOT) echo 18 ;;
    CAP_SYS_PTRACE) echo 19 ;; CAP_SYS_PACCT) echo 20 ;; CAP_SYS_ADMIN) echo 21 ;;
    CAP_SYS_BOOT) echo 22 ;; CAP_SYS_NICE) echo 23 ;; CAP_SYS_RESOURCE) echo 24 ;;
    CAP_SYS_TIME) echo 25 ;; CAP_SYS_TTY_CONFIG) echo 26 ;; CAP_MKNOD) echo 27 ;;
    CAP_LEASE) echo 28 ;; CAP_AUDIT_WRITE) echo 29 ;; CAP_AUDIT_CONTROL) echo 30 ;;
    CAP_SETFCAP) echo 31 ;; CAP_MAC_OVERRIDE) echo 32 ;; CAP_MAC_ADMIN) echo 33 ;;
    CAP_SYSLOG) echo 34 ;; CAP_WAKE_ALARM) echo 35 ;; CAP_BLOCK_SUSPEND) echo 36 ;;
    CAP_AUDIT_READ) echo 37 ;; CAP_PERFMON) echo 38 ;; CAP_BPF) echo 39 ;;
    CAP_CHECKPOINT_RESTORE) echo 40 ;;
    *)
      echo "unknown capability $1" >&2
      return 1
      ;;
  esac
}

# allow_mask [POLICY]: the mask of rules.capabilities.allow (decimal).
allow_mask() {
  local mask=0 c b
  for c in $(jq -r '.rules.capabilities.allow[]' "${1:-$HOOK_REPO/policies/default.json}"); do
    b=$(cap_bit "$c") || return 1
    mask=$((mask | (1 << b)))
  done
  echo "$mask"
}

# ============================================================ shared cases
#
# The runc and crun suites run the same cases; each suite defines:
#   rt_run BUNDLE     run the container (bats `run`), then REASON = where the
#                     hook's stderr shows (runc: its own error output; crun:
#                     the run.oci.hooks.stderr file); RT_ENV_I=1 runs the
#                     runtime under `env -i`
#   rt_bundle DIR     new_bundle plus what the runtime needs
#   rt_no_container   succeed only if the runtime lists no container and
#                     `state $CID` fails
#   RT_NAME           "runc" or "crun"

# env_recorder BUNDLE FILE [ENV-JSON]: a first prestart hook that writes its
# environment to FILE (and the OCI state to FILE.state).
env_recorder() {
  local b=$1 f=$2 envjson=${3:-null}
  bundle_jq "$b" '.hooks.prestart = [{"path": "/bin/sh",
      "args": ["sh", "-c", "cat > \($f).state; /usr/bin/env > \($f)"]}
      + (if $e == null then {} else {"env": $e} end)] + (.hooks.prestart // [])' \
    --arg f "$f" --argjson e "$envjson"
}

# caps_plus BUNDLE CAP: add CAP to bounding, effective and permitted.
caps_plus() {
  bundle_jq "$1" '.process.capabilities |= (.bounding += [$c] | .effective += [$c] | .permitted += [$c])' --arg c "$2"
}

hookcase_readme_refuses_root() {
  rt_bundle "$T/b"
  readme_add_hook "$T/b"
  run jq -c '.hooks.prestart' "$T/b/config.json"
  [ "$output" = "[{\"path\":\"$OCIGATE\",\"args\":[\"ocigate\",\"hook\",\"--stage\",\"prestart\"]}]" ]
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "$MSG_USER_ROOT (process.user.uid=0, no user namespace)"
  RUN_OUTPUT=$output
  rt_no_container
}

# A read-only bind of /root (a sensitive host path) at a destination that
# carries a forged line and a terminal escape: the refusal quotes it
# escaped.  runc shows the hook's stderr quoted in its own error (so a
# backslash there is doubled), crun's REASON is the hook's stderr itself.
hookcase_config_text_printable() {
  rt_bundle "$T/b"
  bundle_user "$T/b" 1000 1000
  bundle_args "$T/b" /bin/true
  bundle_jq "$T/b" '.mounts += [{"destination": $d, "type": "bind", "source": "/root", "options": ["rbind", "ro"]}]' \
    --arg d "$(printf '/mnt/x\nocigate: allowed by every rule\033[2J')"
  add_ocigate_hook "$T/b"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: denied by mounts: bind mount of sensitive host path /root"
  assert_contains "$REASON" 'x0aocigate: allowed by every rule\'
  assert_contains "$REASON" 'x1b[2J); remove the mount'
  # Nothing the config wrote starts a line of its own or reaches the terminal.
  if grep -q '^ocigate: allowed' <<<"$REASON"; then false; fi
  [[ "$REASON" != *$'\033'* ]]
  rt_no_container
}

# hookcase_key_reading UID-KEYS CONTROL-UID REASON: a config whose user is
# written as UID-KEYS ("uid": 1000 and a second key, which jq cannot
# write) and that runtimes read differently: a control bundle without
# ocigate shows this runtime's reading (it runs /bin/id as CONTROL-UID);
# with ocigate the container is refused with REASON.
hookcase_key_reading() {
  local keys=$1 control_uid=$2 reason=$3 b
  for b in "$T/control" "$T/b"; do
    compliant_bundle "$b"
  done
  add_ocigate_hook "$T/b"
  sed -i "s/\"uid\": 1000/$keys/" "$T/control/config.json" "$T/b/config.json"
  grep -qF "$keys" "$T/control/config.json"
  grep -qF "$keys" "$T/b/config.json"
  rt_run "$T/control"
  assert_status 0
  assert_contains "$output" "uid=$control_uid gid=1000"
  rt_no_container
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "$reason"
  assert_not_contains "$output" "uid="
  rt_no_container
}

# runc takes the last of two keys, crun the first.  (runc quotes the
# hook's stderr in its error: no quotes in REASON.)
hookcase_duplicate_key() {
  hookcase_key_reading '"uid": 0, "uid": 1000' "$1" 'given twice in /process/user; runtimes read such JSON differently'
}

# runc takes "UID" for uid (Go matches field names whatever their case),
# crun ignores it.
hookcase_field_case() {
  hookcase_key_reading '"uid": 1000, "UID": 0' "$1" 'by runc, which matches field names whatever their case'
}

hookcase_compliant_runs() {
  rt_bundle "$T/b"
  bundle_user "$T/b" 1000 1000
  bundle_args "$T/b" /bin/id
  add_ocigate_hook "$T/b"
  # Precondition: every capability of the config is on the allowlist.
  jq -e --slurpfile p "$HOOK_REPO/policies/default.json" \
    '[.process.capabilities[][]] - $p[0].rules.capabilities.allow == []' "$T/b/config.json" >/dev/null
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=1000 gid=1000"
  assert_not_contains "$REASON" "ocigate"
  rt_no_container
}

hookcase_fix_refused_at_prestart() {
  rt_bundle "$T/b"
  bundle_user "$T/b" 1000 1000
  bundle_args "$T/b" /bin/id
  caps_plus "$T/b" CAP_SYS_ADMIN
  add_ocigate_hook "$T/b"
  # Precondition: the policy would fix (rewrite) this config, not deny it.
  run "$OCIGATE" check --format json "$T/b/config.json"
  assert_status 0
  [ "$(jq -r .decision <<<"$output")" = rewrite ]
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: denied by capabilities: capability CAP_SYS_ADMIN is not on the allowlist"
  assert_contains "$REASON" "precreate"
  assert_contains "$REASON" "wrapper"
  assert_not_contains "$output" "uid=1000 gid="
  rt_no_container
}

hookcase_userns_root_runs() {
  rt_bundle "$T/b"
  bundle_userns "$T/b"
  bundle_args "$T/b" /bin/id
  add_ocigate_hook "$T/b"
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  rt_no_container
}

hookcase_userns_host_pid_refused() {
  rt_bundle "$T/b"
  bundle_userns "$T/b"
  bundle_no_pidns "$T/b"
  bundle_args "$T/b" /bin/id
  # Control: without ocigate this container starts here.
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=0"
  add_ocigate_hook "$T/b"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "$MSG_HOST_PID"
  assert_not_contains "$output" "uid=0 gid=0"
  rt_no_container
}

# check_log_line FILE: the last line's id, bundle and policy fields.
check_log_fields() {
  local f=$1 policy=$2
  jq -se --arg id "$CID" --arg b "$T/b" --arg p "$policy" --arg sha "$(sha256sum "$policy" | cut -d' ' -f1)" \
    '.[-1] | .id == $id and .bundle == $b and .policy == $p and .policy_sha256 == $sha and (.time | length > 0)' \
    "$f" >/dev/null || {
    echo "unexpected id/bundle/policy fields in $f:" >&2
    cat "$f" >&2
    return 1
  }
}

hookcase_dry_run_policy() {
  rt_bundle "$T/b"
  bundle_args "$T/b" /bin/id
  write_policy "$T/policy.json" '.mode = "dry-run" | .log = {"file": $log}' --arg log "$T/ocigate.log"
  add_ocigate_hook "$T/b" -p "$T/policy.json"
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  [ "$(log_lines "$T/ocigate.log")" -eq 1 ]
  check_dry_run_log "$T/ocigate.log" "hook prestart"
  check_log_fields "$T/ocigate.log" "$T/policy.json"
  rt_no_container
}

hookcase_dry_run_flag() {
  rt_bundle "$T/b"
  bundle_args "$T/b" /bin/id
  write_policy "$T/policy.json" '.log = {"file": $log}' --arg log "$T/ocigate.log"
  # Control: the same enforcing policy without --dry-run refuses, and logs it.
  cp "$T/b/config.json" "$T/config.plain"
  add_ocigate_hook "$T/b" -p "$T/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "$MSG_USER_ROOT"
  jq -se '.[-1] | .outcome == "refuse" and .dry_run == false and .decision == "deny"' "$T/ocigate.log" >/dev/null
  cp "$T/config.plain" "$T/b/config.json"
  add_ocigate_hook "$T/b" -p "$T/policy.json" --dry-run
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  [ "$(log_lines "$T/ocigate.log")" -eq 2 ]
  check_dry_run_log "$T/ocigate.log" "hook prestart"
  jq -se '.[-1] | .dry_run == true' "$T/ocigate.log" >/dev/null
  check_log_fields "$T/ocigate.log" "$T/policy.json"
  rt_no_container
}

# README "Logs": every decision that is not a plain allow (here: a warning)
# is appended to the policy's log file; a plain allow is not.
hookcase_log_warn_not_plain_allow() {
  rt_bundle "$T/b"
  bundle_user "$T/b" 1000 1000
  bundle_args "$T/b" /bin/id
  # resources off: runc's template sets no limits, a warning under the default
  write_policy "$T/policy.json" '.log = {"file": $log} | .rules.resources.action = "off"' --arg log "$T/ocigate.log"
  add_ocigate_hook "$T/b" -p "$T/policy.json"
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=1000 gid=1000"
  assert_eq "$(log_lines "$T/ocigate.log")" 0 "log lines after a plain allow"
  # GID 0 is a user.root warning: allowed, and logged.
  bundle_user "$T/b" 1000 0
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=1000 gid=0"
  assert_eq "$(log_lines "$T/ocigate.log")" 1 "log lines after an allow with a warning"
  jq -se '.[0] | .outcome == "allow" and .decision == "allow" and .dry_run == false and .via == "hook prestart"
      and (.findings | length == 1 and .[0].rule == "user.root" and .[0].action == "warn")' \
    "$T/ocigate.log" >/dev/null || {
    cat "$T/ocigate.log" >&2
    return 1
  }
  check_log_fields "$T/ocigate.log" "$T/policy.json"
  rt_no_container
}

# The trust and load cases use a compliant container (uid 1000), which the
# embedded default would allow: a refusal shows the default was not used.
compliant_bundle() {
  rt_bundle "$1"
  bundle_user "$1" 1000 1000
  bundle_args "$1" /bin/id
}

hookcase_policy_writable() {
  compliant_bundle "$T/b"
  write_policy "$T/policy.json"
  add_ocigate_hook "$T/b" -p "$T/policy.json"
  # Control: the same policy, mode 0644, allows it.
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=1000"
  chmod 0666 "$T/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: policy $T/policy.json"
  assert_contains "$REASON" "writable by everyone"
  assert_not_contains "$output" "uid=1000 gid="
  chmod 0664 "$T/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: policy $T/policy.json"
  assert_contains "$REASON" "writable by its group"
  # Every container: the root one gets the same reason, not a verdict.
  bundle_user "$T/b" 0 0
  chmod 0666 "$T/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: policy $T/policy.json"
  assert_not_contains "$REASON" "user.root"
  rt_no_container
}

hookcase_policy_dir_writable() {
  compliant_bundle "$T/b"
  mkdir "$T/pol"
  write_policy "$T/pol/policy.json"
  add_ocigate_hook "$T/b" -p "$T/pol/policy.json"
  chmod 0777 "$T/pol"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: policy $T/pol"
  assert_contains "$REASON" "writable"
  # The owner is checked too.
  chmod 0755 "$T/pol"
  chown 1000 "$T/pol/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: policy $T/pol/policy.json"
  assert_contains "$REASON" "owned by UID 1000"
  rt_no_container
}

hookcase_policy_malformed() {
  compliant_bundle "$T/b"
  add_ocigate_hook "$T/b" -p "$T/policy.json"
  # A syntax error on line 4.
  printf '{\n  "version": 1,\n  "rules": {\n    "user.root": { "action": "deny", }\n  }\n}\n' >"$T/policy.json"
  chmod 0644 "$T/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: $T/policy.json:4:"
  assert_not_contains "$output" "uid=1000 gid="
  # Valid JSON, an unknown option on line 4: file, line and key.
  printf '{\n  "version": 1,\n  "rules": {\n    "user.root": { "action": "deny", "bogus": 1 }\n  }\n}\n' >"$T/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: $T/policy.json:4: rules.user.root.bogus"
  assert_not_contains "$output" "uid=1000 gid="
  # An unknown rule.
  printf '{\n  "version": 1,\n  "rules": {\n    "user.nobody": { "action": "deny" }\n  }\n}\n' >"$T/policy.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: $T/policy.json:4:"
  assert_contains "$REASON" "user.nobody"
  rt_no_container
}

hookcase_policy_missing() {
  compliant_bundle "$T/b"
  add_ocigate_hook "$T/b" -p "$T/absent.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: policy: open $T/absent.json"
  assert_not_contains "$output" "uid=1000 gid="
  rt_no_container
}

# README ("Trust"): a policy is read only if it and its directory belong to
# root and nobody else may write them.  Through a symlink, ocigate checks the
# directory of the link, not the directory the file is in, so a policy in a
# world-writable directory (anyone may replace it) is trusted.
# Repro: mkdir -m 0777 /tmp/w; jq '.rules["user.root"].action="off"'
#   policies/default.json >/tmp/w/p.json; ln -s /tmp/w/p.json /root/p.json;
#   echo '{"id":"x","bundle":"BUNDLE-OF-A-ROOT-CONTAINER"}' |
#   ocigate hook -p /root/p.json      -> exit 0 (allowed)
#   ... | ocigate hook -p /tmp/w/p.json -> refused: its directory is writable
hookcase_policy_symlink() {
  rt_bundle "$T/b"
  mkdir "$T/w"
  write_policy "$T/w/policy.json" '.rules["user.root"].action = "off"'
  chmod 0777 "$T/w"
  ln -s "$T/w/policy.json" "$T/link.json"
  add_ocigate_hook "$T/b" -p "$T/link.json"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: refused: policy"
  assert_contains "$REASON" "writable"
  rt_no_container
}

hookcase_empty_env() {
  local cfg
  # 1. The README's hook (no "env") under `env -i RUNTIME`, with the
  # default policy allowing the recorder's /bin/sh (the hooks rule).
  jq '.rules.hooks.allow = ["/bin/sh"]' "$HOOK_REPO/policies/default.json" >"$T/policy.json"
  chmod 0644 "$T/policy.json"
  rt_bundle "$T/b"
  add_ocigate_hook "$T/b" -p "$T/policy.json"
  env_recorder "$T/b" "$T/env1"
  cp "$T/b/config.json" "$T/config.root"
  RT_ENV_I=1 rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "$MSG_USER_ROOT"
  [ -e "$T/env1" ]
  run grep -c '^PATH=' "$T/env1"
  [ "$output" = 0 ]
  bundle_user "$T/b" 1000 1000
  bundle_args "$T/b" /bin/id
  RT_ENV_I=1 rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=1000"
  # 2. Hooks with "env": [] under the runtime's own environment.
  cp "$T/config.root" "$T/b/config.json"
  bundle_jq "$T/b" '.hooks.prestart |= map(.env = [])'
  rm -f "$T/env1"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "$MSG_USER_ROOT"
  run grep -c '^PATH=' "$T/env1"
  [ "$output" = 0 ]
  bundle_user "$T/b" 1000 1000
  bundle_args "$T/b" /bin/id
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "uid=1000"
  rt_no_container
}

# capture_state: run a compliant container whose first prestart hook saves
# the OCI state the runtime gives hooks in $T/rec.state; print that state
# with "bundle" renamed "bundlePath" (as older engines wrote it).
capture_state_bundlepath() {
  rt_bundle "$T/b"
  bundle_user "$T/b" 1000 1000
  env_recorder "$T/b" "$T/rec"
  rt_run "$T/b"
  assert_status 0
  jq -e --arg b "$T/b" '.bundle == $b' "$T/rec.state" >/dev/null
  jq -c '.bundlePath = .bundle | del(.bundle) | del(.pid)' "$T/rec.state" >"$T/state-old.json"
  jq -e 'has("bundle") | not' "$T/state-old.json" >/dev/null
  # The recorder did its work: the hooks rule would refuse its /bin/sh.
  bundle_jq "$T/b" 'del(.hooks)'
}

hookcase_bundlepath_allowed() {
  capture_state_bundlepath
  run env -i "$OCIGATE" hook <"$T/state-old.json"
  assert_status 0
  [ -z "$output" ]
  install -m 0644 "$HOOK_REPO/policies/restricted.json" "$T/restricted.json"
  run env -i "$OCIGATE" hook --stage prestart -p "$T/restricted.json" <"$T/state-old.json"
  # restricted denies the host namespaces runc spec leaves out (cgroup).
  assert_status 1
  assert_contains "$output" "ocigate: denied by hostNamespaces.cgroup"
}

hookcase_bundlepath_refused() {
  capture_state_bundlepath
  bundle_user "$T/b" 0 0
  run env -i "$OCIGATE" hook <"$T/state-old.json"
  assert_status 1
  assert_contains "$output" "$MSG_USER_ROOT"
  # Neither "bundle" nor "bundlePath": refused, not allowed.
  jq -c 'del(.bundlePath)' "$T/state-old.json" >"$T/state-none.json"
  run env -i "$OCIGATE" hook <"$T/state-none.json"
  assert_status 1
  assert_contains "$output" 'ocigate: refused: OCI state: no "bundle"'
  # A bundlePath without a config.json: refused (fail closed).
  mkdir "$T/empty"
  jq -c --arg b "$T/empty" '.bundlePath = $b' "$T/state-old.json" >"$T/state-empty.json"
  run env -i "$OCIGATE" hook <"$T/state-empty.json"
  assert_status 1
  assert_contains "$output" "ocigate: refused:"
  assert_contains "$output" "$T/empty/config.json"
}
