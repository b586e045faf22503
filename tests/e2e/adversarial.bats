#!/usr/bin/env bats
# Adversarial end to end: an unprivileged local user (UID 65534, nobody)
# races root's `runc run` through ocigate, as a hook in config.json and as
# the wrapper ocigate-runc.  Whatever nobody controls (a symbolic link in a
# directory of its own, a user namespace it made) can change between the
# moment ocigate judges and the moment runc acts.
#
# Each race runs ADV_TRIES tries (default 100) and asserts ZERO wins.  A win
# is the container really getting the forbidden property while it started,
# seen from inside it (what its /bin/sh prints), or on the host for what
# runs there (a config hook): never ocigate's own verdict.  A refusal or a
# failed start is not a win.  Each race has a control without ocigate that
# must be won (so that a win can be seen at all), and each race test first
# shows that the harmless side of the race starts through the same path
# (so that zero wins does not come from refusing everything for some other
# reason).  ADV_CONTROL_FULL=1 runs every try of the controls, to measure
# the win rate; ADV_FLIPPER=sh flips with ln and mv instead of python3.
#
# Every class runs under two policies, policies/default.json and
# policies/restricted.json: the tests are functions taking nothing, and
# each has one @test per policy at the end of this file, whose name says
# the policy ("[default]", "[restricted]") and which calls adv_policy
# NAME, then the function.  The bundles are fitted to the policy
# (adv_fit in lib-adv.bash) so that the harmless side still starts under
# restricted, which refuses more; ADV_TRIES tries for each race under
# each policy.
#
# Run as root from the repository root: bats --tap tests/e2e/adversarial.bats

# shellcheck disable=SC2016  # jq programs and container scripts in single quotes
load lib-hook
load lib-adv

setup_file() {
  hook_setup_file
  for c in setpriv unshare; do
    command -v "$c" >/dev/null || {
      echo "$c is missing (util-linux)" >&2
      return 1
    }
  done
}

teardown_file() {
  hook_teardown_file
}

setup() {
  hook_setup
  adv_setup
}

teardown() {
  adv_teardown
  hook_teardown_cgroups "$CID"
  rm -rf "$T"
}

# ========================= 1. bind mount source swap =====================
#
# The config binds $A/link (nobody's) read-only at /mnt/adv; nobody flips
# link between $A/harmless, a directory of its own, and /.  A marker file
# that exists only at the host's / tells the container it got /.

bind_swap_setup() {
  ADV_MARKER=/ocigate-adv-marker-${T##*.}
  touch "$ADV_MARKER"
  as_nobody mkdir "$A/harmless"
  adv_bundle "$T/b" 1000 "if [ -e /mnt/adv/${ADV_MARKER#/} ]; then echo ADV-WIN; fi"
  bundle_jq "$T/b" '.mounts += [{"destination": "/mnt/adv", "type": "bind", "source": $s, "options": ["bind", "ro"]}]' \
    --arg s "$A/link"
}

# bind_swap_controls RUNNER: through RUNNER (adv_runc with ocigate's hook
# in the config, or adv_wrap), the same config binding a directory of
# root's starts; and the link left on / is refused.
bind_swap_controls() {
  local run=$1
  mkdir "$T/share"
  cp -p "$T/b/config.json" "$T/b/config.race"
  bundle_jq "$T/b" '(.mounts[] | select(.destination == "/mnt/adv") | .source) = $s' --arg s "$T/share"
  adv_expect_start ADV-RAN "$run" "$ADV_ID-ok" "$T/b"
  [[ $ADV_OUT != *ADV-WIN* ]]
  cp -p "$T/b/config.race" "$T/b/config.json"
  as_nobody ln -s / "$A/link"
  if adv_once ADV-WIN "$run" "$ADV_ID-root" "$T/b"; then
    echo "the link left on / won without a race: $ADV_OUT" >&2
    return 1
  fi
  [[ $ADV_OUT == *"ocigate: "* ]] || {
    echo "the link left on / was not refused by ocigate: $ADV_OUT" >&2
    return 1
  }
  as_nobody rm "$A/link"
  adv_keep "$T/b"
}

bind_swap_control() {
  bind_swap_setup
  adv_flip link "$A/harmless" /
  adv_control bind-none ADV-WIN adv_runc '{ID}' "$T/b"
}

# bind_swap_hook STAGE: ocigate's hook at STAGE (prestart, createRuntime).
bind_swap_hook() {
  bind_swap_setup
  adv_hook "$T/b" "$1"
  bind_swap_controls adv_runc
  adv_flip link "$A/harmless" /
  adv_tries "bind-$1" ADV-WIN adv_runc '{ID}' "$T/b"
  adv_flip_alive
  adv_no_wins
}

bind_swap_wrapper() {
  bind_swap_setup
  bind_swap_controls adv_wrap
  adv_flip link "$A/harmless" /
  adv_tries bind-wrapper ADV-WIN adv_wrap '{ID}' "$T/b"
  adv_flip_alive
  adv_no_wins
}

# ==================== 2. network namespace path swap =====================
#
# A container with a user namespace (0 -> 100000, 65536), running as
# ADV_CUID in it (0, or 1000 under restricted), joins the network
# namespace at $A/ns, which nobody flips between a namespace root made
# (bound at $T/netns) and the host's.  The container prints the namespace
# it is in; the host's is a win.  The config mounts no sysfs: a user
# namespace may not mount one in a network namespace it does not own (both
# are root's here; Podman binds the host's /sys instead).

netns_setup() {
  adv_netns "$T/netns"
  adv_host_netns_path
  OTHER_NET="net:[$(stat -L -c %i "$T/netns")]"
  [ "$OTHER_NET" != "$HOST_NET" ]
  adv_make_bundle "$T/b"
  bundle_userns "$T/b"
  bundle_jq "$T/b" '.process.user = {"uid": ($u | tonumber), "gid": ($u | tonumber)}
    | .process.args = ["/bin/sh", "-c", "echo \"ADV-NET=$(readlink /proc/self/ns/net);\"; echo ADV-RAN"]
    | .mounts |= map(select(.destination | startswith("/sys") | not))
    | .linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "$A/ns" --arg u "$ADV_CUID"
}

# netns_controls RUNNER: the namespace root made, by its own path, starts;
# the link left on the host's is refused.
netns_controls() {
  local run=$1
  cp -p "$T/b/config.json" "$T/b/config.race"
  bundle_jq "$T/b" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "$T/netns"
  adv_expect_start "ADV-NET=$OTHER_NET;" "$run" "$ADV_ID-ok" "$T/b"
  cp -p "$T/b/config.race" "$T/b/config.json"
  as_nobody ln -s "$HOST_NET_PATH" "$A/ns"
  if adv_once "ADV-NET=$HOST_NET;" "$run" "$ADV_ID-host" "$T/b"; then
    echo "the link left on the host's namespace won without a race: $ADV_OUT" >&2
    return 1
  fi
  [[ $ADV_OUT == *"ocigate: "* ]] || {
    echo "the link left on the host's namespace was not refused by ocigate: $ADV_OUT" >&2
    return 1
  }
  as_nobody rm "$A/ns"
  adv_keep "$T/b"
}

netns_control() {
  netns_setup
  adv_flip ns "$T/netns" "$HOST_NET_PATH"
  adv_control netns-none "ADV-NET=$HOST_NET;" adv_runc '{ID}' "$T/b"
}

# netns_hook STAGE: ocigate's hook at STAGE (prestart, createRuntime).
netns_hook() {
  netns_setup
  adv_hook "$T/b" "$1"
  netns_controls adv_runc
  adv_flip ns "$T/netns" "$HOST_NET_PATH"
  adv_tries "netns-$1" "ADV-NET=$HOST_NET;" adv_runc '{ID}' "$T/b"
  adv_flip_alive
  adv_no_wins
}

netns_wrapper() {
  netns_setup
  netns_controls adv_wrap
  adv_flip ns "$T/netns" "$HOST_NET_PATH"
  adv_tries netns-wrapper "ADV-NET=$HOST_NET;" adv_wrap '{ID}' "$T/b"
  adv_flip_alive
  adv_no_wins
}

# ========================== 3. bundle path swap ==========================
#
# Root runs `runc run -b $A/bundle`; nobody flips bundle between a bundle
# whose process runs as UID 1000 and one whose process runs as UID 0 (both
# root's; user.root refuses the second).  The container prints its UID.

bundle_swap_setup() {
  adv_bundle "$T/b1000" 1000 'echo "ADV-UID=$(id -u);"'
  adv_bundle "$T/b0" 0 'echo "ADV-UID=$(id -u);"'
  if [ "${1:-}" = hook ]; then
    adv_hook "$T/b1000" prestart
    adv_hook "$T/b0" prestart
  fi
}

# bundle_swap_controls RUNNER: each bundle by its own path: UID 1000 starts,
# UID 0 is refused; and the link left on the UID 0 bundle is refused.
bundle_swap_controls() {
  local run=$1
  adv_expect_start "ADV-UID=1000;" "$run" "$ADV_ID-ok" "$T/b1000"
  if adv_once "ADV-UID=0;" "$run" "$ADV_ID-root" "$T/b0"; then
    echo "the UID 0 bundle started: $ADV_OUT" >&2
    return 1
  fi
  as_nobody ln -s "$T/b0" "$A/bundle"
  if adv_once "ADV-UID=0;" "$run" "$ADV_ID-link" "$A/bundle"; then
    echo "the link left on the UID 0 bundle won without a race: $ADV_OUT" >&2
    return 1
  fi
  as_nobody rm "$A/bundle"
  adv_keep "$T/b1000" "$T/b0"
}

bundle_swap_control() {
  bundle_swap_setup
  adv_flip bundle "$T/b1000" "$T/b0"
  adv_control bundle-none "ADV-UID=0;" adv_runc '{ID}' "$A/bundle"
}

bundle_swap_hook() {
  bundle_swap_setup hook
  bundle_swap_controls adv_runc
  adv_flip bundle "$T/b1000" "$T/b0"
  adv_tries bundle-prestart "ADV-UID=0;" adv_runc '{ID}' "$A/bundle"
  adv_flip_alive
  adv_no_wins
}

bundle_swap_wrapper() {
  bundle_swap_setup
  bundle_swap_controls adv_wrap
  adv_flip bundle "$T/b1000" "$T/b0"
  adv_tries bundle-wrapper "ADV-UID=0;" adv_wrap '{ID}' "$A/bundle"
  adv_flip_alive
  adv_no_wins
}

# ================= 4. policy path through nobody's link ==================
#
# Two root-owned policy directories: $T/strict (the test's policy) and
# $T/permissive (the same with user.root off).  The config runs as UID 0.
# A policy path through nobody's link $A/dirlink must be refused,
# whichever it points at.

policy_link_setup() {
  mkdir -m 0755 "$T/strict" "$T/permissive"
  adv_write_policy "$T/strict/policy.json"
  adv_write_policy "$T/permissive/policy.json" '.rules["user.root"].action = "off"'
  # $T/b for the hook (its -p set by hook_policy), $T/w for the wrapper
  adv_bundle "$T/b" 0 'echo "ADV-UID=$(id -u);"'
  adv_hook "$T/b" prestart "$T/strict/policy.json"
  adv_bundle "$T/w" 0 'echo "ADV-UID=$(id -u);"'
}

# hook_policy POLICY: the -p of the config's ocigate hook.
hook_policy() {
  bundle_jq "$T/b" '.hooks.prestart[0].args[5] = $p' --arg p "$1"
}

policy_link_left() {
  policy_link_setup
  local fails=() p
  # Controls: the permissive policy by its own path lets UID 0 in, the
  # strict one does not.
  hook_policy "$T/permissive/policy.json"
  adv_expect_start "ADV-UID=0;" adv_runc "$ADV_ID-hp" "$T/b"
  adv_expect_start "ADV-UID=0;" adv_wrap "$ADV_ID-wp" "$T/w" "$T/permissive/policy.json"
  hook_policy "$T/strict/policy.json"
  if adv_once "ADV-UID=0;" adv_runc "$ADV_ID-hs" "$T/b"; then fails+=("hook, strict policy: $ADV_OUT"); fi
  if adv_once "ADV-UID=0;" adv_wrap "$ADV_ID-ws" "$T/w" "$T/strict/policy.json"; then
    fails+=("wrapper, strict policy: $ADV_OUT")
  fi
  [ ${#fails[@]} -eq 0 ] || {
    printf 'the strict policy let UID 0 in: %s\n' "${fails[@]}" >&2
    return 1
  }

  as_nobody ln -s "$T/permissive" "$A/dirlink"
  as_nobody ln -s "$T/permissive/policy.json" "$A/filelink"
  for p in "$A/dirlink/policy.json" "$A/filelink"; do
    hook_policy "$p"
    if adv_once "ADV-UID=0;" adv_runc "$ADV_ID-h${#fails[@]}" "$T/b"; then fails+=("hook -p $p: $ADV_OUT"); fi
    if adv_once "ADV-UID=0;" adv_wrap "$ADV_ID-w${#fails[@]}" "$T/w" "$p"; then fails+=("wrapper --ocigate-policy=$p: $ADV_OUT"); fi
  done
  adv_say "policy links: ${#fails[@]} of 4 won"
  if [ ${#fails[@]} -gt 0 ]; then
    printf 'won: %s\n' "${fails[@]}" >&2
    return 1
  fi
}

policy_link_hook() {
  policy_link_setup
  hook_policy "$A/dirlink/policy.json"
  adv_keep "$T/b"
  adv_flip dirlink "$T/strict" "$T/permissive"
  adv_tries policy-hook "ADV-UID=0;" adv_runc '{ID}' "$T/b"
  adv_flip_alive
  adv_no_wins
}

policy_link_wrapper() {
  policy_link_setup
  adv_keep "$T/w"
  adv_flip dirlink "$T/strict" "$T/permissive"
  adv_tries policy-wrapper "ADV-UID=0;" adv_wrap '{ID}' "$T/w" "$A/dirlink/policy.json"
  adv_flip_alive
  adv_no_wins
}

# ================ 5. joining a user namespace by its path ================
#
# runc ignores linux.uidMappings when it joins a user namespace: the one
# in force is the namespace's own.  The config's mappings (0 -> 100000)
# look safe; the container prints the line of the uid_map it really got
# that maps its user.
#
# Under restricted (requireNonRoot) the harmless config runs as UID 1000
# in a user namespace of its own.  runc becomes UID 0 in a joined user
# namespace before it becomes the config's user, so the joined one must
# map 0 as well as the config's user: nobody can map one ID only (its
# own), so nobody's namespace holds a config that runs as 0, which
# requireNonRoot refuses too; joined_userns_judge's NEEDLE then shows
# that the joined namespace is refused for what it is as well.  Root's
# maps 0 (to 100000) and 1000 (to host 0), and the config runs as 1000.

# joined_userns_bundle PATH UID: runs as UID:UID in the user namespace at
# PATH.  Neither runc's rlimits (set from the host on a process in a
# namespace root does not own) nor devpts' gid=5 (unmapped there) would
# work.
joined_userns_bundle() {
  adv_make_bundle "$T/b"
  bundle_userns "$T/b"
  bundle_jq "$T/b" '.process.user = {"uid": ($u | tonumber), "gid": ($u | tonumber)}
    | .process.args = ["/bin/sh", "-c", $s]
    | del(.process.rlimits)
    | .mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)' --arg u "$ADV_CUID" \
    --arg s 'u=$(id -u); while read -r a b c; do
        if [ "$u" -ge "$a" ] && [ "$u" -lt $((a + c)) ]; then echo "ADV-MAP=$a:$b:$c;"; fi
      done </proc/self/uid_map; echo ADV-RAN'
  # control: with a new namespace (no path) the config, as ADV_CUID,
  # starts through the wrapper (which hands it on with its verification
  # hook: put it back)
  cp -p "$T/b/config.json" "$T/b/config.json.keep"
  adv_expect_start ADV-RAN adv_wrap "$ADV_ID-new" "$T/b"
  mv "$T/b/config.json.keep" "$T/b/config.json"
  bundle_jq "$T/b" '.linux.namespaces |= map(if .type == "user" then .path = $p else . end)
    | .process.user = {"uid": ($u | tonumber), "gid": ($u | tonumber)}' --arg p "$1" --arg u "$2"
}

# joined_userns_judge [NEEDLE]: a start through the wrapper, through the
# hook, or check allowing the config, each is a win; and check's report
# must hold NEEDLE (the joined namespace's own finding) when given.
joined_userns_judge() {
  local fails=() needle=${1:-}
  # control: runc alone starts it
  adv_expect_start ADV-RAN adv_runc "$ADV_ID-plain" "$T/b"
  adv_say "without ocigate the container started with ${ADV_OUT%%;*}"
  if adv_once ADV-RAN adv_wrap "$ADV_ID-wrap" "$T/b"; then fails+=("wrapper: $ADV_OUT"); fi
  if "$OCIGATE" check -p "$P" "$T/b/config.json" >"$T/check.out" 2>&1; then
    fails+=("check allowed it: $(cat "$T/check.out")")
  elif [ -n "$needle" ] && ! grep -qF -- "$needle" "$T/check.out"; then
    fails+=("check refused it, but not for the joined namespace ($needle): $(cat "$T/check.out")")
  fi
  adv_hook "$T/b" prestart
  if adv_once ADV-RAN adv_runc "$ADV_ID-hook" "$T/b"; then fails+=("hook: $ADV_OUT"); fi
  adv_say "${#fails[@]} of 3 (wrapper, check, hook) let it through"
  if [ ${#fails[@]} -gt 0 ]; then
    printf 'won: %s\n' "${fails[@]}" >&2
    return 1
  fi
}

joined_userns_nobody() {
  adv_bg "${NOBODY[@]}" unshare -U --map-root-user sleep 100000
  adv_wait_userns "$ADV_BG_PID"
  [ "$(awk '$1 == 0 {print $2}' "/proc/$ADV_BG_PID/uid_map")" = "$ADV_UID" ]
  joined_userns_bundle "/proc/$ADV_BG_PID/ns/user" 0
  joined_userns_judge "a user namespace that UID $ADV_UID"
}

# (under default the map is "0 0 1", what unshare --map-root-user writes)
joined_userns_root() {
  local map="0 0 1"
  [ "$ADV_CUID" -eq 0 ] || map=$(printf '0 100000 1\n%s 0 1' "$ADV_CUID")
  adv_root_userns "$map"
  [ "$(awk -v u="$ADV_CUID" '$1 == u {print $2}' "/proc/$ADV_BG_PID/uid_map")" = 0 ]
  joined_userns_bundle "/proc/$ADV_BG_PID/ns/user" "$ADV_CUID"
  joined_userns_judge "the joined user namespace maps container $ADV_CUID to host 0"
}

# ================== 6. what a runtime reads differently ==================

nul_key() {
  local fails=()
  adv_bundle "$T/b" 1000 'echo "ADV-UID=$(id -u);"'
  cp -p "$T/b/config.json" "$T/clean.json"
  # control: with the key spelt right it starts, as UID 1000, through the
  # wrapper (which rewrites config.json: put it back)
  adv_expect_start "ADV-UID=1000;" adv_wrap "$ADV_ID-clean" "$T/b"
  cp "$T/clean.json" "$T/b/config.json"
  sed -i 's/"uid": 1000/"uid\\u0000": 1000/' "$T/b/config.json"
  grep -qF '"uid\u0000": 1000' "$T/b/config.json"
  # control: runc reads no uid and runs the default, 0
  adv_expect_start "ADV-UID=0;" adv_runc "$ADV_ID-plain" "$T/b"
  if adv_once "ADV-UID=0;" adv_wrap "$ADV_ID-wrap" "$T/b"; then fails+=("wrapper: $ADV_OUT"); fi
  if "$OCIGATE" check -p "$P" "$T/b/config.json" >"$T/check.out" 2>&1; then
    fails+=("check allowed it: $(cat "$T/check.out")")
  fi
  cp "$T/clean.json" "$T/b/config.json"
  adv_hook "$T/b" prestart
  sed -i 's/"uid": 1000/"uid\\u0000": 1000/' "$T/b/config.json"
  grep -qF '"uid\u0000": 1000' "$T/b/config.json"
  if adv_once "ADV-UID=0;" adv_runc "$ADV_ID-hook" "$T/b"; then fails+=("hook: $ADV_OUT"); fi
  adv_say "${#fails[@]} of 3 (wrapper, check, hook) let it through"
  if [ ${#fails[@]} -gt 0 ]; then
    printf 'won: %s\n' "${fails[@]}" >&2
    return 1
  fi
}

config_hook() {
  local fails=()
  adv_bundle "$T/b" 1000 'true'
  # control: without the hook it starts through the wrapper (which
  # rewrites config.json: put it back)
  cp -p "$T/b/config.json" "$T/clean.json"
  adv_expect_start ADV-RAN adv_wrap "$ADV_ID-clean" "$T/b"
  cp "$T/clean.json" "$T/b/config.json"
  bundle_jq "$T/b" '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo owned >> \($f)"]}]' \
    --arg f "$T/hook-ran"
  # control: runc alone runs it on the host
  adv_expect_start ADV-RAN adv_runc "$ADV_ID-plain" "$T/b"
  [ -s "$T/hook-ran" ]
  rm "$T/hook-ran"
  adv_once ADV-RAN adv_wrap "$ADV_ID-wrap" "$T/b" || true
  if [ -e "$T/hook-ran" ]; then fails+=("wrapper: the hook ran; $ADV_OUT"); fi
  rm -f "$T/hook-ran"
  if "$OCIGATE" check -p "$P" "$T/b/config.json" >"$T/check.out" 2>&1; then
    fails+=("check allowed it: $(cat "$T/check.out")")
  fi
  adv_hook "$T/b" prestart
  adv_once ADV-RAN adv_runc "$ADV_ID-hook" "$T/b" || true
  if [ -e "$T/hook-ran" ]; then fails+=("hook: the hook ran; $ADV_OUT"); fi
  adv_say "${#fails[@]} of 3 (wrapper, check, hook) let it through"
  if [ ${#fails[@]} -gt 0 ]; then
    printf 'won: %s\n' "${fails[@]}" >&2
    return 1
  fi
}

# ============================ 7. FIFO config ============================
#
# The bundle (root's) has a FIFO (root's, 0644) for config.json.  The
# wrapper and the hook must refuse at once: (a) with nothing at the other
# end (open would wait), (b) with a root process holding it open and never
# writing (read would wait), (c) with a root process writing a UID 1000
# config, then a UID 0 config, again and again (one reading for the judge,
# another for runc).

fifo_setup() {
  adv_bundle "$T/f" 1000 'echo "ADV-UID=$(id -u);"'
  cp "$T/f/config.json" "$T/c1000.json"
  jq '.process.user = {"uid": 0, "gid": 0}' "$T/c1000.json" >"$T/c0.json"
  rm "$T/f/config.json"
  mkfifo -m 0644 "$T/f/config.json"
  adv_bg sleep 100000
  FIFO_STATE_PID=$ADV_BG_PID
}

fifo_holder() {
  sleep 100000 <>"$T/f/config.json" >/dev/null 2>&1 3>&- &
  adv_track $!
  FIFO_PEER=$!
}

fifo_writer() {
  # (the pause lets each reader see the end of its document before the
  # next one is written)
  bash -c 'c=$(<"$1"); d=$(<"$2"); while :; do printf "%s\n" "$c" >"$3"; sleep 0.05; printf "%s\n" "$d" >"$3"; sleep 0.05; done' \
    _ "$T/c1000.json" "$T/c0.json" "$T/f/config.json" </dev/null >/dev/null 2>&1 3>&- &
  adv_track $!
  FIFO_PEER=$!
}

fifo_stop_peer() {
  if [ -n "${FIFO_PEER:-}" ]; then
    adv_kill "$FIFO_PEER"
    FIFO_PEER=""
  fi
}

# fifo_try WHAT STDIN CMD...: CMD (a program) under timeout 10, STDIN on
# its standard input; a win is a start, an exit 0, or blocking until the
# timeout.
fifo_try() {
  local what=$1 stdin=$2 status t0 t1
  shift 2
  t0=$(date +%s%N)
  FIFO_OUT=$(timeout 10 "$@" 2>&1 <<<"$stdin") && status=0 || status=$?
  t1=$(date +%s%N)
  FIFO_LINE="$what: exit $status after $(((t1 - t0) / 1000000)) ms: $(head -c 300 <<<"$FIFO_OUT" | tr '\n' ' ')"
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    fifo_fails+=("$what: blocked until timeout 10 killed it")
  elif [ "$status" -eq 0 ] || [[ $FIFO_OUT == *ADV-RAN* ]]; then
    fifo_fails+=("$what: exit $status; $FIFO_OUT")
  fi
}

# fifo_state ID: the OCI state runc would feed a hook for the FIFO bundle.
fifo_state() {
  printf '{"ociVersion": "1.0.2", "id": "%s", "status": "creating", "pid": %s, "bundle": "%s"}' \
    "$1" "$FIFO_STATE_PID" "$T/f"
}

fifo_config() {
  local fifo_fails=() v
  fifo_setup
  # control: the UID 1000 config, in a regular file, is allowed
  "$OCIGATE" check -p "$P" "$T/c1000.json" >"$T/check.out" 2>&1 || {
    echo "the policy refuses the UID 1000 config itself: $(cat "$T/check.out")" >&2
    return 1
  }
  # control (c): runc alone reads the FIFO and starts what the writer sent
  fifo_writer
  adv_expect_start ADV-RAN adv_runc "$ADV_ID-plain" "$T/f"
  fifo_stop_peer
  for v in none holder writer; do
    case $v in
      holder) fifo_holder ;;
      writer) fifo_writer ;;
    esac
    fifo_try "wrapper ($v)" "" "$WRAPPER" --ocigate-policy="$P" --root "$T/runc" run -b "$T/f" "$ADV_ID-w-$v"
    adv_say "$FIFO_LINE"
    fifo_try "hook ($v)" "$(fifo_state "$ADV_ID-h-$v")" "$OCIGATE" hook --stage prestart -p "$P"
    adv_say "$FIFO_LINE"
    fifo_stop_peer
  done
  if [ ${#fifo_fails[@]} -gt 0 ]; then
    printf 'won: %s\n' "${fifo_fails[@]}" >&2
    return 1
  fi
}

# ================================ the tests ================================
#
# Each class once per policy: adv_policy NAME (which checks that the name
# says [NAME]), then the shared function.

# ---- policies/default.json

@test "1 [default] control: without ocigate, nobody's bind source swap puts the host's / in the container" { adv_policy default; bind_swap_control; }
@test "1a [default] bind source swap, ocigate hook at prestart: / never reaches the container" { adv_policy default; bind_swap_hook prestart; }
@test "1a [default] bind source swap, ocigate hook at createRuntime: / never reaches the container" { adv_policy default; bind_swap_hook createRuntime; }
@test "1b [default] bind source swap, wrapper ocigate-runc run: / never reaches the container" { adv_policy default; bind_swap_wrapper; }
@test "2 [default] control: without ocigate, nobody's namespace path swap puts a user-namespaced container in the host's network namespace" { adv_policy default; netns_control; }
@test "2a [default] network namespace path swap with a user namespace, ocigate hook at prestart: never the host's" { adv_policy default; netns_hook prestart; }
@test "2a [default] network namespace path swap with a user namespace, ocigate hook at createRuntime: never the host's" { adv_policy default; netns_hook createRuntime; }
@test "2b [default] network namespace path swap with a user namespace, wrapper ocigate-runc run: never the host's" { adv_policy default; netns_wrapper; }
@test "3 [default] control: without ocigate, nobody's bundle path swap runs the UID 0 bundle" { adv_policy default; bundle_swap_control; }
@test "3a [default] bundle path swap, ocigate hook at prestart: never UID 0" { adv_policy default; bundle_swap_hook; }
@test "3b [default] bundle path swap, wrapper ocigate-runc run -b: never UID 0" { adv_policy default; bundle_swap_wrapper; }
@test "4 [default] policy through nobody's directory link (left on a permissive policy): refused by the hook and the wrapper" { adv_policy default; policy_link_left; }
@test "4a [default] policy through nobody's directory link flipped between strict and permissive, hook -p: UID 0 never runs" { adv_policy default; policy_link_hook; }
@test "4b [default] policy through nobody's directory link flipped between strict and permissive, wrapper --ocigate-policy: UID 0 never runs" { adv_policy default; policy_link_wrapper; }
@test "5 [default] joined user namespace made by nobody (unshare -U --map-root-user): refused by the wrapper, check and the hook" { adv_policy default; joined_userns_nobody; }
@test "5 [default] joined user namespace made by root whose uid_map maps the container's user to host 0: refused by the wrapper, check and the hook" { adv_policy default; joined_userns_root; }
@test "6 [default] a key \"uid\\u0000\" (runc runs UID 0): refused by the wrapper, check and the hook" { adv_policy default; nul_key; }
@test "6 [default] a config hook createRuntime running /bin/sh on the host: refused by the wrapper, check and the hook, and never runs" { adv_policy default; config_hook; }
@test "7 [default] a FIFO config.json: the hook and the wrapper refuse promptly (no peer, a silent holder, a writer)" { adv_policy default; fifo_config; }

# ---- policies/restricted.json

@test "1 [restricted] control: without ocigate, nobody's bind source swap puts the host's / in the container" { adv_policy restricted; bind_swap_control; }
@test "1a [restricted] bind source swap, ocigate hook at prestart: / never reaches the container" { adv_policy restricted; bind_swap_hook prestart; }
@test "1a [restricted] bind source swap, ocigate hook at createRuntime: / never reaches the container" { adv_policy restricted; bind_swap_hook createRuntime; }
@test "1b [restricted] bind source swap, wrapper ocigate-runc run: / never reaches the container" { adv_policy restricted; bind_swap_wrapper; }
@test "2 [restricted] control: without ocigate, nobody's namespace path swap puts a user-namespaced container in the host's network namespace" { adv_policy restricted; netns_control; }
@test "2a [restricted] network namespace path swap with a user namespace, ocigate hook at prestart: never the host's" { adv_policy restricted; netns_hook prestart; }
@test "2a [restricted] network namespace path swap with a user namespace, ocigate hook at createRuntime: never the host's" { adv_policy restricted; netns_hook createRuntime; }
@test "2b [restricted] network namespace path swap with a user namespace, wrapper ocigate-runc run: never the host's" { adv_policy restricted; netns_wrapper; }
@test "3 [restricted] control: without ocigate, nobody's bundle path swap runs the UID 0 bundle" { adv_policy restricted; bundle_swap_control; }
@test "3a [restricted] bundle path swap, ocigate hook at prestart: never UID 0" { adv_policy restricted; bundle_swap_hook; }
@test "3b [restricted] bundle path swap, wrapper ocigate-runc run -b: never UID 0" { adv_policy restricted; bundle_swap_wrapper; }
@test "4 [restricted] policy through nobody's directory link (left on a permissive policy): refused by the hook and the wrapper" { adv_policy restricted; policy_link_left; }
@test "4a [restricted] policy through nobody's directory link flipped between strict and permissive, hook -p: UID 0 never runs" { adv_policy restricted; policy_link_hook; }
@test "4b [restricted] policy through nobody's directory link flipped between strict and permissive, wrapper --ocigate-policy: UID 0 never runs" { adv_policy restricted; policy_link_wrapper; }
@test "5 [restricted] joined user namespace made by nobody (unshare -U --map-root-user): refused by the wrapper, check and the hook" { adv_policy restricted; joined_userns_nobody; }
@test "5 [restricted] joined user namespace made by root whose uid_map maps the container's user to host 0: refused by the wrapper, check and the hook" { adv_policy restricted; joined_userns_root; }
@test "6 [restricted] a key \"uid\\u0000\" (runc runs UID 0): refused by the wrapper, check and the hook" { adv_policy restricted; nul_key; }
@test "6 [restricted] a config hook createRuntime running /bin/sh on the host: refused by the wrapper, check and the hook, and never runs" { adv_policy restricted; config_hook; }
@test "7 [restricted] a FIFO config.json: the hook and the wrapper refuse promptly (no peer, a silent holder, a writer)" { adv_policy restricted; fifo_config; }
