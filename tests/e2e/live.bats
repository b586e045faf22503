#!/usr/bin/env bats
# End to end: what the runtime really made is judged, not only its
# description.  A path in a config (a bind source, a namespace path) is
# resolved by ocigate when it judges and by the runtime again when it uses
# it; here the path changes in between, deterministically:
#   - through the hook: a prestart hook placed before ocigate's puts the
#     path back to a harmless target after runc has used it, so the config
#     ocigate reads is harmless and only the container's real mounts and
#     namespaces show what runc did;
#   - through the wrapper: the policy's runc is a script that turns the path
#     to its harmful target after the wrapper judged it and before the real
#     runc uses it; the wrapper's verification hook must catch it.
# Each case first shows the change works (the container gets the property
# when nothing judges what runc made), then that ocigate refuses it.
# tests/e2e/adversarial.bats races the same paths from an unprivileged user.
#
# Run as root from the repository root:  bats --tap tests/e2e/live.bats

bats_require_minimum_version 1.5.0
load lib-daemon

# The policies here are the shipped default one, with changes.
DEFAULT_POLICY="$E2E_ROOT/policies/default.json"

setup_file() {
  e2e_need_build
}

setup() {
  e2e_need_root
  e2e_need_cmd "$RUNC" jq unshare
  T=$(mktemp -d)
  R="$T/runc-root"
  P="$T/policy.json"
  MARK="ocigate-live-mark-${T##*.}"
  touch "/$MARK"
  # a directory another user controls: the paths below go through it
  mkdir -m 0755 "$T/pub" "$T/pub/safe"
  chown -R 65534:65534 "$T/pub"
  chmod 0755 "$T"
}

teardown() {
  runc_cleanup "$R"
  rm -f "/$MARK"
  if [ -n "${NETNS_FILE:-}" ]; then umount "$NETNS_FILE" 2>/dev/null || true; fi
  e2e_rmdir "$T"
}

# flip LINK TARGET: point LINK at TARGET in one rename, as its owner would.
flip() {
  ln -sfn "$2" "$1.new" && mv -T "$1.new" "$1"
}

# policy_allowing_sh: the default policy, with /bin/sh allowed as a config
# hook (the hook that flips a path back) and runc at RUNC_PATH.
policy_allowing_sh() {
  write_policy "$P" '.rules.hooks = {"action": "deny", "allow": ["/bin/sh"]}
    | .runtime.runc = $runc' --arg runc "${1:-$RUNC}"
}

# userns_bundle DIR: a user namespace (container 0-65535 on host
# 100000-165535), with /sys a bind of the host's: a user namespace cannot
# mount sysfs for a network namespace it does not own.
userns_bundle() {
  chown -R 100000:100000 "$1/rootfs"
  jq_inplace "$1/config.json" '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .mounts |= map(if .destination == "/sys" then {"destination": "/sys", "type": "bind", "source": "/sys",
                        "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
    | .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

# hook_bundle DIR STAGE-OF-OCIGATE: a compliant bundle that lists the
# mounts root, then runs a prestart hook flipping $T/pub/link back to
# $T/pub/safe, then ocigate as the hook at STAGE (none: no ocigate).
hook_bundle() {
  bundle_compliant "$1" /bin/sh -c 'ls /mnt; readlink /proc/self/ns/net'
  jq_inplace "$1/config.json" '.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", $flip]}]
      | if $stage == "none" then . else
          .hooks[$stage] = (.hooks[$stage] // []) + [{"path": $ocigate, "args": ["ocigate", "hook", "--stage", $stage, "-p", $p]}]
        end' \
    --arg flip "ln -sfn $T/pub/safe $T/pub/link.new && mv -T $T/pub/link.new $T/pub/link" \
    --arg ocigate "$(readlink -f "$OCIGATE")" --arg stage "$2" --arg p "$P"
}

@test "live: a bind source that leads to / when runc mounts it is refused by the hook at prestart and createRuntime" {
  policy_allowing_sh
  for stage in none createContainer prestart createRuntime; do
    rm -rf "$T/b"
    hook_bundle "$T/b" "$stage"
    jq_inplace "$T/b/config.json" '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
      --arg s "$T/pub/link"
    flip "$T/pub/link" /
    run --separate-stderr "$RUNC" --root "$R" run -b "$T/b" "lv-$stage"
    echo "$stage: status=$status out=$output err=$stderr"
    if [ "$stage" = none ] || [ "$stage" = createContainer ]; then
      # control: nothing judges what runc made, and the container has host /
      [ "$status" -eq 0 ]
      [[ "$output" == *"$MARK"* ]]
    else
      [ "$status" -ne 0 ]
      [[ "$output" != *"$MARK"* ]]
      [[ "$stderr" == *"denied by mounts: container's mount at /mnt is sensitive host path / (device "*"as the runtime mounted it; mounts["*"].destination=/mnt)"* ]]
    fi
    "$RUNC" --root "$R" delete -f "lv-$stage" 2>/dev/null || true
  done
}

@test "live: a network namespace path that leads to the host's when runc joins it is refused (hook and wrapper)" {
  policy_allowing_sh
  # a network namespace that is not the host's, kept by a bind mount
  NETNS_FILE="$T/netns"
  touch "$NETNS_FILE"
  unshare --net="$NETNS_FILE" true
  host_net=$(readlink /proc/$$/ns/net)
  for stage in none prestart createRuntime; do
    rm -rf "$T/b"
    hook_bundle "$T/b" "$stage"
    userns_bundle "$T/b"
    jq_inplace "$T/b/config.json" '.hooks.prestart[0].args[2] = $flip
        | .linux.namespaces |= map(if .type == "network" then {"type": "network", "path": $l} else . end)' \
      --arg l "$T/pub/link" --arg flip "ln -sfn $NETNS_FILE $T/pub/link.new && mv -T $T/pub/link.new $T/pub/link"
    flip "$T/pub/link" /proc/$$/ns/net
    run --separate-stderr "$RUNC" --root "$R" run -b "$T/b" "ln-$stage"
    echo "$stage: status=$status out=$output err=$stderr"
    if [ "$stage" = none ]; then
      # control: runc joins the host's network namespace
      [ "$status" -eq 0 ]
      [[ "$output" == *"$host_net"* ]]
    else
      [ "$status" -ne 0 ]
      [[ "$output" != *"$host_net"* ]]
      [[ "$stderr" == *"denied by hostNamespaces.network: container's process (PID "*") is in the host's network namespace"* ]]
    fi
    "$RUNC" --root "$R" delete -f "ln-$stage" 2>/dev/null || true
  done

  # the wrapper: its runc flips the link to the host's after the judgement
  cat >"$T/flipping-runc" <<SH
#!/bin/sh
ln -sfn /proc/$$/ns/net $T/pub/link.new && mv -T $T/pub/link.new $T/pub/link
exec $RUNC "\$@"
SH
  chmod 0755 "$T/flipping-runc"
  write_policy "$P" '.runtime.runc = $r' --arg r "$T/flipping-runc"
  rm -rf "$T/w"
  bundle_compliant "$T/w" /bin/sh -c 'readlink /proc/self/ns/net'
  userns_bundle "$T/w"
  jq_inplace "$T/w/config.json" '.linux.namespaces |= map(if .type == "network" then {"type": "network", "path": $l} else . end)' \
    --arg l "$T/pub/link"
  flip "$T/pub/link" "$NETNS_FILE"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run -b "$T/w" lw1
  echo "wrapper: status=$status out=$output err=$stderr"
  [ "$status" -ne 0 ]
  [[ "$output" != *"$host_net"* ]]
  [[ "$stderr" == *"denied by hostNamespaces.network: container's process (PID "*") is in the host's network namespace"* ]]
}

@test "live: a bind source the wrapper judged harmless and runc found to be / is refused by the wrapper's verification hook" {
  cat >"$T/flipping-runc" <<SH
#!/bin/sh
ln -sfn / $T/pub/link.new && mv -T $T/pub/link.new $T/pub/link
exec $RUNC "\$@"
SH
  chmod 0755 "$T/flipping-runc"
  write_policy "$P" '.runtime.runc = $r' --arg r "$T/flipping-runc"
  bundle_compliant "$T/w" /bin/ls /mnt
  jq_inplace "$T/w/config.json" '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]' \
    --arg s "$T/pub/link"
  # control: the same flip with plain runc gives the container host /
  flip "$T/pub/link" "$T/pub/safe"
  run --separate-stderr "$T/flipping-runc" --root "$R" run -b "$T/w" lc1
  [ "$status" -eq 0 ]
  [[ "$output" == *"$MARK"* ]]
  "$RUNC" --root "$R" delete -f lc1 2>/dev/null || true

  flip "$T/pub/link" "$T/pub/safe"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run -b "$T/w" lw2
  echo "status=$status out=$output err=$stderr"
  [ "$status" -ne 0 ]
  [[ "$output" != *"$MARK"* ]]
  # refused by the hook the wrapper added, not by the wrapper
  [[ "$stderr" == *"error running hook #0"*"denied by mounts: "*"/mnt"* ]]
}

@test "live: a bind source that led to / hidden under a later mount on the same point is refused, not skipped" {
  # The swapped bind is covered by a tmpfs at the same destination: a
  # lookup by path sees the tmpfs, and a container that may unmount it
  # would see the host's /.
  write_policy "$P" '.rules.hooks = {"action": "deny", "allow": ["/bin/sh"]}'
  for stage in none prestart; do
    rm -rf "$T/b"
    hook_bundle "$T/b" "$stage"
    jq_inplace "$T/b/config.json" '.mounts += [{"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "ro"]},
        {"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}]
      | .process.args = ["/bin/sh", "-c", "grep \" /mnt \" /proc/self/mountinfo"]' --arg s "$T/pub/link"
    flip "$T/pub/link" /
    run --separate-stderr "$RUNC" --root "$R" run -b "$T/b" "lh-$stage"
    echo "$stage: status=$status out=$output err=$stderr"
    if [ "$stage" = none ]; then
      # control: two mounts at /mnt in the container, the host's / below
      [ "$status" -eq 0 ]
      [ "$(grep -c ' /mnt ' <<<"$output")" -eq 2 ]
    else
      [ "$status" -ne 0 ]
      [[ "$stderr" == *"denied by mounts: container's mount at /mnt ("*") lies under another mount on the same point"* ]]
    fi
    "$RUNC" --root "$R" delete -f "lh-$stage" 2>/dev/null || true
  done
}

@test "live: a bind source that is a UNIX socket when runc mounts it is refused by the hook at prestart and createRuntime" {
  # The prestart hook before ocigate's points the link back at a directory
  # after runc bound what it led to: the config's source is no socket when
  # ocigate reads it, and only the container's mount shows one.
  e2e_need_cmd python3
  policy_allowing_sh
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/pub/app.sock"
  for stage in none prestart createRuntime; do
    rm -rf "$T/b"
    hook_bundle "$T/b" "$stage"
    jq_inplace "$T/b/config.json" '.mounts += [{"destination": "/app.sock", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]
      | .process.args = ["/bin/sh", "-c", "test -S /app.sock && echo socket-mounted"]' --arg s "$T/pub/link"
    flip "$T/pub/link" "$T/pub/app.sock"
    run --separate-stderr "$RUNC" --root "$R" run -b "$T/b" "ls-$stage"
    echo "$stage: status=$status out=$output err=$stderr"
    if [ "$stage" = none ]; then
      # control: nothing judges what runc made, and the container has the socket
      [ "$status" -eq 0 ]
      [[ "$output" == *socket-mounted* ]]
    else
      [ "$status" -ne 0 ]
      [[ "$output" != *socket-mounted* ]]
      [[ "$stderr" == *"denied by mounts: container's mount at /app.sock is a UNIX socket (device "*"as the runtime mounted it; mounts["*"].destination=/app.sock) that rules.mounts.allowSockets does not list"* ]]
    fi
    "$RUNC" --root "$R" delete -f "ls-$stage" 2>/dev/null || true
  done
}
