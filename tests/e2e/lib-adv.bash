# tests/e2e/lib-adv.bash - helpers for adversarial.bats: an unprivileged
# local user (UID 65534, nobody) racing root's `runc run` through ocigate.
#
# Load after lib-hook (`load lib-hook`, then `load lib-adv`): it uses its
# install ($OCIGATE), $T, $HOOK_REPO, bundle_jq and runc_cleanup.
#
# Per test (adv_setup): $A, a directory of nobody's own in /tmp, where the
# attacker's links live; $WRAPPER, the installed ocigate-runc.  Each test
# then names its policy with adv_policy NAME (default or restricted): $P
# becomes a copy of policies/NAME.json (0644 in the root-owned $T), and
# the bundles adv_make_bundle builds are fitted to it (adv_fit), so that
# the harmless side of each race starts under either policy.
# adv_teardown kills every process adv_bg started (by PID), deletes the
# containers, unmounts the network namespace file, removes the marker in
# the host's / and both directories, whatever the test did.
#
# A "win" is measured from inside the container (what its /bin/sh prints),
# or on the host for what runs on the host (a config hook): never by
# ocigate's verdict.  A refusal or a failed start is not a win.

# shellcheck disable=SC2016,SC2034,SC2154  # jq programs, bats globals

ADV_TRIES=${ADV_TRIES:-100}
ADV_UID=65534

# as_nobody CMD...: CMD as UID and GID 65534, no supplementary groups.
# (adv_bg takes "${NOBODY[@]}" CMD...: a function would leave a subshell
# between the PID it records and the program.)
NOBODY=(setpriv --reuid="$ADV_UID" --regid="$ADV_UID" --clear-groups)
as_nobody() {
  "${NOBODY[@]}" "$@"
}

adv_setup() {
  A=$(mktemp -d /tmp/ocigate-adv.XXXXXX)
  chown "$ADV_UID:$ADV_UID" "$A"
  chmod 0755 "$A"
  ADV_PIDS=()
  ADV_ID="ocigate-adv-${T##*.}"
  ADV_MARKER=""
  ADV_NETNS=""
  WRAPPER="$HOOK_INST/prefix/bin/ocigate-runc"
  # (none until adv_policy: a test that forgets it fails at its first use)
  ADV_POLICY_NAME=""
  ADV_CUID=""
  P=""
}

# adv_policy NAME: the test runs under policies/NAME.json (default or
# restricted), which its @test name must say ("[NAME]").  Sets
# ADV_POLICY_NAME, $P (a copy, 0644 in $T) and ADV_CUID, the UID a
# container with a user namespace runs as inside it: 0 under default, 1000
# under restricted (its user.root has requireNonRoot: container UID 0 is
# refused wherever it lands).
adv_policy() {
  case $1 in
    default) ADV_CUID=0 ;;
    restricted) ADV_CUID=1000 ;;
    *)
      echo "adv_policy: no policy $1 in this suite" >&2
      return 1
      ;;
  esac
  [[ $BATS_TEST_DESCRIPTION == *"[$1]"* ]] || {
    echo "adv_policy $1: the test's name does not say [$1]: $BATS_TEST_DESCRIPTION" >&2
    return 1
  }
  ADV_POLICY_NAME=$1
  P="$T/policy.json"
  adv_write_policy "$P"
}

# adv_write_policy FILE [JQ-FILTER [JQ-ARGS...]]: the test's policy
# (policies/$ADV_POLICY_NAME.json) through JQ-FILTER, mode 0644.
adv_write_policy() {
  local f=$1 filter=${2:-.}
  shift
  [ $# -gt 0 ] && shift
  [ -n "$ADV_POLICY_NAME" ] || {
    echo "adv_write_policy: no adv_policy in this test" >&2
    return 1
  }
  jq "$@" "$filter" "$HOOK_REPO/policies/$ADV_POLICY_NAME.json" >"$f"
  chmod 0644 "$f"
}

adv_teardown() {
  local pid d
  for pid in "${ADV_PIDS[@]+"${ADV_PIDS[@]}"}"; do
    adv_kill "$pid"
  done
  ADV_PIDS=()
  runc_cleanup
  # A start that failed half-way may leave its cgroup (runc puts one at
  # /ID without cgroupsPath); only this test's IDs are touched.
  for d in /sys/fs/cgroup/"$ADV_ID"-* /sys/fs/cgroup/*/"$ADV_ID"-*; do
    if [ -d "$d" ]; then rmdir "$d" 2>/dev/null || true; fi
  done
  if [ -n "$ADV_NETNS" ]; then umount "$ADV_NETNS" 2>/dev/null || true; fi
  if [ -n "$ADV_MARKER" ]; then rm -f "$ADV_MARKER"; fi
  if [ -n "${A:-}" ] && [ -d "$A" ]; then rm -rf "$A"; fi
  return 0
}

# adv_bg CMD...: CMD (a program, not a function: its PID is the program's)
# in the background (fd 3, bats' own, closed); its PID goes to ADV_PIDS,
# which adv_teardown kills.  Sets ADV_BG_PID.
adv_bg() {
  "$@" </dev/null >/dev/null 2>&1 3>&- &
  adv_track $!
}

# adv_track PID: a background process of this shell for adv_teardown to
# kill.  Disowned: bash still reaps it, without a "Killed" line.
adv_track() {
  ADV_BG_PID=$1
  disown "$1"
  ADV_PIDS+=("$1")
}

# adv_kill PID: SIGKILL, and wait (up to 2 s) until it is gone.
adv_kill() {
  local i
  kill -KILL "$1" 2>/dev/null || return 0
  for ((i = 0; i < 200; i++)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.01
  done
}

# The attacker's swap: make a link at a temporary name, rename it over NAME
# (ln -sfn TARGET TMP; mv -T TMP NAME), so that NAME always exists and is
# one link or the other.  Done with the system calls themselves (symlink,
# rename) in python3 when it is there: about 75 us a swap on the reference
# machine, against some 5-10 ms for the two programs (ADV_FLIPPER=sh forces
# them).
ADV_FLIP_PY='
import os, sys
d, name, a, b = sys.argv[1:5]
os.chdir(d)
tmp = "." + name + ".flip"
while True:
    for t in (a, b):
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        os.symlink(t, tmp)
        os.rename(tmp, name)
'
ADV_FLIP_SH='
cd "$1" || exit 1
n=$2 a=$3 b=$4
while :; do
  ln -sfn -- "$a" ".$n.flip" && mv -T -- ".$n.flip" "$n"
  ln -sfn -- "$b" ".$n.flip" && mv -T -- ".$n.flip" "$n"
done'

# adv_flip NAME TARGET1 TARGET2: nobody flips $A/NAME between two symbolic
# links, as fast as it can, until the test ends.  Returns once both
# targets have been seen at $A/NAME.  Sets ADV_FLIP_PID.
adv_flip() {
  local name=$1 t1=$2 t2=$3 i seen1=0 seen2=0 cur
  if [ "${ADV_FLIPPER:-auto}" != sh ] && [ -x /usr/bin/python3 ]; then
    adv_bg "${NOBODY[@]}" /usr/bin/python3 -c "$ADV_FLIP_PY" "$A" "$name" "$t1" "$t2"
  else
    adv_bg "${NOBODY[@]}" /bin/bash -c "$ADV_FLIP_SH" _ "$A" "$name" "$t1" "$t2"
  fi
  ADV_FLIP_PID=$ADV_BG_PID
  for ((i = 0; i < 500; i++)); do
    cur=$(readlink "$A/$name" 2>/dev/null) || cur=
    [ "$cur" = "$t1" ] && seen1=1
    [ "$cur" = "$t2" ] && seen2=1
    [ $((seen1 + seen2)) -eq 2 ] && return 0
    kill -0 "$ADV_FLIP_PID" 2>/dev/null || break
    sleep 0.01
  done
  echo "nobody's flip loop for $A/$name does not run (seen $t1: $seen1, $t2: $seen2)" >&2
  return 1
}

# adv_flip_alive: the flip loop is still running (a dead one would make a
# race test pass without a race).
adv_flip_alive() {
  kill -0 "$ADV_FLIP_PID" 2>/dev/null || {
    echo "nobody's flip loop (PID $ADV_FLIP_PID) died during the tries" >&2
    return 1
  }
}

# ------------------------------------------------------------------ bundles

# adv_make_bundle DIR: tests/lib/rootfs.sh's bundle (busybox, runc spec,
# Docker's seccomp profile), fitted to the test's policy (adv_fit).
adv_make_bundle() {
  make_bundle "$1" >/dev/null
  adv_fit "$1"
}

# adv_fit BUNDLE: what the test's policy asks of every container, so that
# a harmless config is allowed and only what the race changes can be
# refused.  default: nothing (runc spec's config passes; its warnings do
# not refuse).  restricted (`ocigate check -p policies/restricted.json` on
# runc spec's config): no capability but CAP_NET_BIND_SERVICE (runc spec
# keeps CAP_AUDIT_WRITE and CAP_KILL), a cgroup namespace of its own, and
# memory, PID and CPU limits (warnings only, set so that nothing is left
# to report); runc spec already has a read-only root, noNewPrivileges and
# the masked and read-only paths, and restricted's apparmor and selinux
# rules do not "require" a profile.
adv_fit() {
  case $ADV_POLICY_NAME in
    default) ;;
    restricted)
      bundle_jq "$1" '.process.capabilities |= map_values(map(select(. == "CAP_NET_BIND_SERVICE")))
        | .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])
        | .linux.resources.memory.limit = 536870912
        | .linux.resources.pids.limit = 1024
        | .linux.resources.cpu.shares = 1024'
      ;;
    *)
      echo "adv_fit: no adv_policy in this test" >&2
      return 1
      ;;
  esac
}

# adv_bundle DIR UID SCRIPT: adv_make_bundle's bundle running
# /bin/sh -c SCRIPT as UID:UID.  Every script ends with `echo ADV-RAN`:
# the container started.
adv_bundle() {
  adv_make_bundle "$1"
  bundle_jq "$1" '.process.user = {"uid": ($u | tonumber), "gid": ($u | tonumber)}
    | .process.args = ["/bin/sh", "-c", ($s + "; echo ADV-RAN")]' --arg u "$2" --arg s "$3"
}

# adv_hook BUNDLE STAGE [POLICY]: ocigate's hook first in STAGE (prestart or
# createRuntime), with -p POLICY (default $P).
adv_hook() {
  bundle_jq "$1" '.hooks[$st] = [{"path": $o, "args": ["ocigate", "hook", "--stage", $st, "-p", $p]}]
      + (.hooks[$st] // [])' --arg o "$OCIGATE" --arg st "$2" --arg p "${3:-$P}"
}

# adv_keep BUNDLE...: keep a copy of each config; adv_tries puts it back
# before every try, so each try starts from the same config whatever a
# wrapper wrote into it.
ADV_KEPT=()
adv_keep() {
  local b
  for b in "$@"; do
    cp -p "$b/config.json" "$b/config.json.adv-orig"
    ADV_KEPT+=("$b")
  done
}

adv_restore() {
  local b
  for b in "${ADV_KEPT[@]+"${ADV_KEPT[@]}"}"; do
    cmp -s "$b/config.json.adv-orig" "$b/config.json" || cp "$b/config.json.adv-orig" "$b/config.json"
  done
}

# --------------------------------------------------------------- runtimes

# adv_runc ID BUNDLE: plain runc (the hooks are the config's own).
adv_runc() {
  timeout 60 "$RUNC_BIN" --root "$T/runc" run -b "$2" "$1"
}

# adv_wrap ID BUNDLE [POLICY]: runc through the wrapper.
adv_wrap() {
  timeout 60 "$WRAPPER" --ocigate-policy="${3:-$P}" --root "$T/runc" run -b "$2" "$1"
}

# ------------------------------------------------------------------ tries

# adv_tries LABEL NEEDLE CMD...: run CMD ADV_TRIES times, each with {ID} in
# its arguments replaced by a new container ID.  A try whose output holds
# NEEDLE (a fixed string the container prints only with the forbidden
# property) is a win.  Counts: ADV_WINS, ADV_STARTED (ran without the
# property), ADV_REFUSED (ocigate said no), ADV_OTHER (failed otherwise);
# ADV_WIN_OUT and ADV_OTHER_OUT keep the first of each.  With
# ADV_STOP_AT_WIN=1 the tries end at the first win.  One summary line goes
# to the TAP output (and to the file $ADV_REPORT when set).
adv_tries() {
  local label=$1 needle=$2 i out id
  shift 2
  local cmd=("$@")
  ADV_WINS=0 ADV_STARTED=0 ADV_REFUSED=0 ADV_OTHER=0 ADV_RUN=0 ADV_WIN_OUT="" ADV_OTHER_OUT=""
  for ((i = 1; i <= ADV_TRIES; i++)); do
    id="$ADV_ID-$label-$i"
    adv_restore
    out=$("${cmd[@]//\{ID\}/$id}" 2>&1 </dev/null) || true
    ADV_RUN=$i
    if [[ $out == *"$needle"* ]]; then
      ADV_WINS=$((ADV_WINS + 1))
      [ -n "$ADV_WIN_OUT" ] || ADV_WIN_OUT="try $i: $out"
      [ "${ADV_STOP_AT_WIN:-0}" = 1 ] && break
    elif [[ $out == *ADV-RAN* ]]; then
      ADV_STARTED=$((ADV_STARTED + 1))
    elif [[ $out == *"ocigate: "* ]]; then
      ADV_REFUSED=$((ADV_REFUSED + 1))
    else
      ADV_OTHER=$((ADV_OTHER + 1))
      [ -n "$ADV_OTHER_OUT" ] || ADV_OTHER_OUT="try $i: $out"
    fi
  done
  adv_say "$label: $ADV_WINS wins in $ADV_RUN tries (started safely $ADV_STARTED, refused $ADV_REFUSED, failed otherwise $ADV_OTHER)"
}

# adv_say TEXT: one line in the TAP output (and in $ADV_REPORT when set),
# after the test's policy.
adv_say() {
  echo "# [${ADV_POLICY_NAME:-no policy}] $*" >&3
  if [ -n "${ADV_REPORT:-}" ]; then echo "$BATS_TEST_NAME: [${ADV_POLICY_NAME:-no policy}] $*" >>"$ADV_REPORT"; fi
}

# adv_no_wins: after adv_tries, fail when any try won, showing the first.
adv_no_wins() {
  if [ "$ADV_WINS" -ne 0 ]; then
    printf '%s of %s tries won; the first:\n%s\n' "$ADV_WINS" "$ADV_RUN" "$ADV_WIN_OUT" >&2
    [ -z "$ADV_OTHER_OUT" ] || printf 'first other failure:\n%s\n' "$ADV_OTHER_OUT" >&2
    return 1
  fi
  [ -z "$ADV_OTHER_OUT" ] || printf '(no win; first other failure: %s)\n' "$ADV_OTHER_OUT" >&2
  return 0
}

# adv_control LABEL NEEDLE CMD...: the same race without ocigate must be
# won, or the race tests could not tell a win from a loss.  Stops at the
# first win (ADV_CONTROL_FULL=1 runs every try, to measure the rate).
adv_control() {
  local stop=1
  [ "${ADV_CONTROL_FULL:-0}" = 1 ] && stop=0
  ADV_STOP_AT_WIN=$stop adv_tries "$@"
  if [ "$ADV_WINS" -eq 0 ]; then
    printf 'without ocigate no try of %s tries won: the test cannot see a win\n' "$ADV_RUN" >&2
    [ -z "$ADV_OTHER_OUT" ] || printf 'first failure:\n%s\n' "$ADV_OTHER_OUT" >&2
    return 1
  fi
}

# adv_once NEEDLE CMD...: one start; ADV_OUT its output.  Returns 0 when
# it won (NEEDLE printed), 1 when it did not.
adv_once() {
  local needle=$1
  shift
  ADV_OUT=$("$@" 2>&1 </dev/null) || true
  [[ $ADV_OUT == *"$needle"* ]]
}

# adv_expect_start NEEDLE CMD...: a control that must start and print NEEDLE.
adv_expect_start() {
  adv_once "$@" || {
    printf 'control did not print %s:\n%s\n' "$1" "$ADV_OUT" >&2
    return 1
  }
}

# ------------------------------------------------------------ namespaces

# adv_netns FILE: a network namespace that is not the host's, bound at
# FILE (root's), unmounted by adv_teardown.
adv_netns() {
  touch "$1"
  unshare --net="$1" true
  ADV_NETNS=$1
}

# adv_host_netns_path: a path to the host's network namespace for the
# attacker's link: /proc/1/ns/net, or, where PID 1 may not be read (some
# VMs' init), that of a root process of ours in the host's namespaces.
adv_host_netns_path() {
  HOST_NET=$(readlink /proc/self/ns/net)
  if [ "$(readlink /proc/1/ns/net 2>/dev/null)" = "$HOST_NET" ]; then
    HOST_NET_PATH=/proc/1/ns/net
  else
    adv_bg sleep 100000
    HOST_NET_PATH=/proc/$ADV_BG_PID/ns/net
    [ "$(readlink "$HOST_NET_PATH")" = "$HOST_NET" ]
  fi
}

# adv_wait_userns PID: wait until PID is `sleep` in a user namespace of its
# own, its uid_map written.
adv_wait_userns() {
  local pid=$1 i
  for ((i = 0; i < 500; i++)); do
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] && [ -n "$(cat "/proc/$pid/uid_map" 2>/dev/null)" ] &&
      [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ]; then
      return 0
    fi
    sleep 0.01
  done
  echo "PID $pid did not enter a user namespace of its own" >&2
  return 1
}

# adv_root_userns MAP: `sleep` of root's in a user namespace of its own
# whose uid_map and gid_map are MAP ("INSIDE OUTSIDE COUNT" lines;
# setgroups denied first, as unshare --map-root-user does).  Sets
# ADV_BG_PID.  (The kernel takes a map in one write: bash's printf writes
# line by line, dd all it read at once.)
adv_root_userns() {
  local pid i
  adv_bg unshare -U sleep 100000
  pid=$ADV_BG_PID
  for ((i = 0; i < 500; i++)); do
    [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sleep ] &&
      [ "$(readlink "/proc/$pid/ns/user")" != "$(readlink /proc/self/ns/user)" ] && break
    sleep 0.01
  done
  echo deny >"/proc/$pid/setgroups"
  dd of="/proc/$pid/uid_map" bs=4096 iflag=fullblock conv=notrunc status=none <<<"$1"
  dd of="/proc/$pid/gid_map" bs=4096 iflag=fullblock conv=notrunc status=none <<<"$1"
  adv_wait_userns "$pid"
}
