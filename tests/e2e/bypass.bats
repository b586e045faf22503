#!/usr/bin/env bats
# End to end: ways around the gate that a config's author tried, each shown
# won with plain runc (the control) and lost through build/ocigate-runc in
# front of the same runc, under policies/default.json.  What decides is
# what the container's own process sees, not ocigate's verdict.
#
# Run as root from the repository root:  bats --tap tests/e2e/bypass.bats

bats_require_minimum_version 1.5.0
load lib-daemon

setup_file() {
  e2e_need_build
}

setup() {
  e2e_need_root
  e2e_need_cmd "$RUNC" jq gcc python3
  T=$(mktemp -d)
  R="$T/runc-root"
  # the shipped default policy, not the suites' mission one
  P="$T/policy.json"
  cp "$E2E_ROOT/policies/default.json" "$P" && chmod 0644 "$P"
}

teardown() {
  runc_cleanup "$R"
  e2e_rmdir "$T"
}

wr() { "$OCIGATE_RUNC" --ocigate-policy="$P" "$@"; }

@test "seccomp: SCMP_ACT_TRACE on perf_event_open lets a traced child make it, unless ocigate takes it out" {
  bundle_compliant "$T/b" /bin/traceprobe
  gcc -static -O2 -Wall -Wextra -Werror -o "$T/b/rootfs/bin/traceprobe" "$E2E_ROOT/tests/e2e/traceprobe.c"
  jq_inplace "$T/b/config.json" '.linux.seccomp.syscalls += [{"names": ["perf_event_open"], "action": "SCMP_ACT_TRACE"}]'
  # control: the call reaches the kernel (EINVAL) under a tracer in the container
  run "$RUNC" --root "$R" run -b "$T/b" trace-ctl
  echo "control: $output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"traced=EINVAL"* ]]
  run --separate-stderr wr --root "$R" run -b "$T/b" trace1
  echo "status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"untraced=EPERM"* ]]
  [[ "$output" == *"traced=EPERM"* ]]
}

@test "mounts: a relative bind source s.sock/ that runc cleans to a socket is refused" {
  bundle_compliant "$T/b" /bin/ls -l /x
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/b/s.sock"
  jq_inplace "$T/b/config.json" '.mounts += [{"source": "s.sock/", "destination": "/x", "type": "bind", "options": ["bind", "ro"]}]'
  # control: runc joins the source to the bundle and cleans it: /x is the socket
  run "$RUNC" --root "$R" run -b "$T/b" sock-ctl
  echo "control: $output"
  [ "$status" -eq 0 ]
  [[ "$output" == s* ]]
  # refused by the first judgement, before runc runs (the live one at
  # createRuntime would stop it later, with runc's error around it)
  run --separate-stderr wr --root "$R" run -b "$T/b" sock1
  echo "status=$status out=$output err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by mounts: bind mount of a UNIX socket (mounts["*"].source=s.sock/"* ]]
  [ -z "$output" ]
}
