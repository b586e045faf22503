#!/usr/bin/env bats
# The wrapper's judgement of an exec, in front of a fake runtime that logs
# its arguments and answers `state` with a running container of a bundle
# here: no container engine and no container needed (tests/e2e/wrapper.bats
# runs the same wrapper in front of the real runc).
bats_require_minimum_version 1.5.0
load helpers

OCIGATE_RUNC="$ROOT/build/ocigate-runc"
OCIGATE_CRUN="$ROOT/build/ocigate-crun"

# $T/b is the bundle of the running container c1, with a compliant config;
# $T/policy.json is POLICY (the default) naming $T/runtime as runc and crun.
setup() {
  T=$(mktemp -d)
  mkdir -m 0755 "$T/b"
  compliant_config >"$T/b/config.json"
  printf '{"ociVersion": "1.0.2", "id": "c1", "status": "running", "pid": 1, "bundle": "%s"}\n' "$T/b" >"$T/state.json"
  fake_runtime
}

teardown() {
  rm -rf "$T"
}

runtime_log() {
  if [ -e "$T/runtime.log" ]; then cat "$T/runtime.log"; fi
}

# CVE-2024-21626: runc up to 1.1.11 starts a process whose cwd is
# /proc/self/fd/N in a directory of the host; `runc exec --cwd` reaches it
# in a running container, where no hook runs.
@test "ocigate-runc exec --cwd /proc/self/fd/7 is refused by processCwd and runc never execs" {
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --cwd /proc/self/fd/7 c1 /bin/sh
  echo "status=$status out=$output err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by processCwd: working directory is in /proc, whose magic links can lead out of the container (process.cwd=/proc/self/fd/7, CVE-2024-21626); set process.cwd to a directory of the container (docker run -w, podman run --workdir, runc exec --cwd)"* ]]
  [[ "$stderr" == *"ocigate: --cwd /proc/self/fd/7 sets this exec's process.cwd: drop the option (runc then keeps the container's process.cwd) or name a directory of the container"* ]]
  [ "$(runtime_log)" = "--root $T/root state c1" ]
}

@test "ocigate-runc exec: every spelling of a cwd in /proc is refused, as written and as normalised" {
  for cwd in /proc/thread-self/fd/7 /proc/1/fd/8 /proc/self/cwd /proc/self/root /proc/./self/fd/7 \
    /proc/1/../self/fd/7 //proc//self/fd/7 /proc/self/fd/7/; do
    rm -f "$T/runtime.log"
    run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec "--cwd=$cwd" c1 /bin/true
    echo "$cwd: status=$status err=$stderr"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"ocigate: denied by processCwd: working directory is in /proc"*"(process.cwd=$cwd"* ]]
    [ "$(runtime_log)" = "state c1" ]
  done
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec --cwd /proc/1/../self/fd/7/ c1 /bin/true
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"(process.cwd=/proc/1/../self/fd/7/, normalised /proc/self/fd/7, CVE-2024-21626)"* ]]
  # a relative one: runc would refuse it itself, the wrapper does first
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec --cwd proc/self/fd/7 c1 /bin/true
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by processCwd: working directory is not an absolute path (process.cwd=proc/self/fd/7,"* ]]
}

@test "ocigate-runc exec: a cwd of the container, or none (the container's), goes to runc as given" {
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --cwd /tmp c1 /bin/true
  echo "status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(runtime_log)" = "--root $T/root state c1
--root $T/root exec --cwd /tmp c1 /bin/true" ]
  rm -f "$T/runtime.log"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec c1 /bin/true
  [ "$status" -eq 0 ]
  [ "$(runtime_log)" = "state c1
exec c1 /bin/true" ]
}

@test "ocigate-crun exec --cwd /proc/self/fd/7 is refused too; its plain exec, in /, passes" {
  run --separate-stderr "$OCIGATE_CRUN" --ocigate-policy="$T/policy.json" exec --user 1000:1000 --no-new-privs --cwd /proc/self/fd/7 c1 /bin/true
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by processCwd: working directory is in /proc"*"(process.cwd=/proc/self/fd/7, CVE-2024-21626)"* ]]
  [[ "$stderr" == *"ocigate: --cwd /proc/self/fd/7 sets this exec's process.cwd: drop the option (crun then starts the process in /)"* ]]
  [ "$(runtime_log)" = "state c1" ]
  rm -f "$T/runtime.log"
  run --separate-stderr "$OCIGATE_CRUN" --ocigate-policy="$T/policy.json" exec --user 1000:1000 --no-new-privs c1 /bin/true
  echo "status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(runtime_log)" = "state c1
exec --user 1000:1000 --no-new-privs c1 /bin/true" ]
}

@test "ocigate-runc exec --process with a cwd in /proc is refused, the file left as it was" {
  jq '.process | .cwd = "/proc/self/fd/7"' "$T/b/config.json" >"$T/process.json"
  cp "$T/process.json" "$T/process.before"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec --process "$T/process.json" c1
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by processCwd: working directory is in /proc"*"(process.cwd=/proc/self/fd/7, CVE-2024-21626)"* ]]
  [ "$(runtime_log)" = "state c1" ]
  [[ "$stderr" != *"--cwd"*"sets this exec's"* ]]
  cmp "$T/process.before" "$T/process.json"
}

@test "at warn the same exec goes through, and the decision log says what it found" {
  jq --arg r "$T/runtime" --arg f "$T/decisions.log" '.runtime = {"runc": $r, "crun": $r}
      | .rules.processCwd = {"action": "warn"} | .log = {"file": $f}' "$POLICIES/default.json" >"$T/policy.json"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec --cwd /proc/self/fd/7 c1 /bin/true
  echo "status=$status err=$stderr"
  cat "$T/decisions.log"
  [ "$status" -eq 0 ]
  [ "$(runtime_log)" = "state c1
exec --cwd /proc/self/fd/7 c1 /bin/true" ]
  jq -e '.id == "c1" and .via == "ocigate-runc exec" and .outcome == "allow" and (.findings | length) == 1
      and .findings[0].rule == "processCwd" and .findings[0].action == "warn"
      and (.findings[0].message | contains("(process.cwd=/proc/self/fd/7, CVE-2024-21626)"))' "$T/decisions.log"
}

@test "check and the hook refuse a config whose cwd is in /proc, as the wrapper does" {
  mutate '.process.cwd = "/proc/self/fd/7"' >"$T/b/config.json"
  run "$OCIGATE" check -p "$T/policy.json" "$T/b/config.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/b/config.json: deny processCwd: working directory is in /proc, whose magic links can lead out of the container (process.cwd=/proc/self/fd/7, CVE-2024-21626)"* ]]
  printf '{"ociVersion": "1.0.2", "id": "c2", "status": "creating", "bundle": "%s"}' "$T/b" >"$T/hook-state.json"
  run "$OCIGATE" hook -p "$T/policy.json" --stage prestart <"$T/hook-state.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"ocigate: denied by processCwd: working directory is in /proc"* ]]
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" create --bundle "$T/b" c2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by processCwd"* ]]
  [ -z "$(runtime_log)" ]
}

# After `ocigate setup runtimes`, /usr/sbin/runc is ocigate: the wrapper
# must never run itself (gate/real_runtime.h).
@test "a wrapper whose runtime is ocigate itself, not diverted by dpkg, refuses and does not loop" {
  jq --arg r "$OCIGATE_RUNC" '.runtime = {"runc": $r, "crun": $r}' "$POLICIES/default.json" >"$T/self.json"
  run --separate-stderr timeout 10 "$OCIGATE_RUNC" --ocigate-policy="$T/self.json" create --bundle "$T/b" c2
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [ "$stderr" = "ocigate: refused: runtime.runc $OCIGATE_RUNC is ocigate itself and dpkg diverts it nowhere (/var/lib/dpkg/diversions): set runtime.runc in the policy to the real runc" ]
  # The commands that pass straight through refuse too, with the same words.
  run --separate-stderr timeout 10 "$OCIGATE_CRUN" --ocigate-policy="$T/self.json" --version
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [ "$stderr" = "ocigate: runtime.crun $OCIGATE_RUNC is ocigate itself and dpkg diverts it nowhere (/var/lib/dpkg/diversions): set runtime.crun in the policy to the real crun" ]
  run --separate-stderr timeout 10 "$OCIGATE_RUNC" --ocigate-policy="$T/self.json" state c1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"is ocigate itself"* ]]
}

@test "called as runc or crun (the names engines use after setup runtimes), ocigate is that runtime's wrapper" {
  ln -s "$OCIGATE" "$T/runc"
  ln -s "$OCIGATE" "$T/crun"
  run --separate-stderr "$T/runc" --ocigate-policy="$T/policy.json" exec --cwd /proc/self/fd/7 c1 /bin/sh
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: --cwd /proc/self/fd/7 sets this exec's process.cwd: drop the option (runc then keeps"* ]]
  [ "$(runtime_log)" = "state c1" ]
  rm -f "$T/runtime.log"
  run --separate-stderr "$T/crun" --ocigate-policy="$T/policy.json" exec --user 1000:1000 --no-new-privs c1 /bin/true
  echo "status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(runtime_log)" = "state c1
exec --user 1000:1000 --no-new-privs c1 /bin/true" ]
  # argv[0] a path, as the containerd shim's exec of runc from PATH gives.
  rm -f "$T/runtime.log"
  run --separate-stderr "$T/runc" --ocigate-policy="$T/policy.json" --version
  [ "$status" -eq 0 ]
  [ "$(runtime_log)" = "--version" ]
}

@test "a runtime that runs the wrapper again by name is refused four wrappers deep, not looped" {
  ln -s "$OCIGATE" "$T/runc"
  # What a runtime does that runs `runc` from PATH, when runc is the wrapper.
  cat >"$T/loop" <<EOF
#!/bin/sh
echo "\$OCIGATE_WRAPPER_DEPTH" >>"$T/depths"
exec "$T/runc" --ocigate-policy="$T/loop.json" "\$@"
EOF
  chmod 0755 "$T/loop"
  jq --arg r "$T/loop" '.runtime = {"runc": $r}' "$POLICIES/default.json" >"$T/loop.json"
  run --separate-stderr timeout 10 "$T/runc" --ocigate-policy="$T/loop.json" --version
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [ "$stderr" = "ocigate: ocigate-runc runs 4 wrappers deep (OCIGATE_WRAPPER_DEPTH): the runtime it runs, runtime.runc $T/loop, calls it back (runs runc by name, which is the wrapper): set runtime.runc in the policy to the real runc" ]
  [ "$(cat "$T/depths")" = "$(printf '1\n2\n3\n4')" ]
  # A judged command is refused the same way, before the runtime runs.
  run --separate-stderr env OCIGATE_WRAPPER_DEPTH=4 "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec c1 /bin/true
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == "ocigate: refused: ocigate-runc runs 4 wrappers deep"* ]]
  [ -z "$(runtime_log)" ]
  # A depth that is not a count refuses too.
  run --separate-stderr env OCIGATE_WRAPPER_DEPTH=x "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --version
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"OCIGATE_WRAPPER_DEPTH=x: not a count of wrappers"* ]]
}

# bundle_config FILTER: $T/b/config.json with the jq FILTER applied;
# $T/c.json keeps the result.
bundle_config() {
  jq "$1" "$T/b/config.json" >"$T/c.json"
  cp "$T/c.json" "$T/b/config.json"
}

@test "ocigate-runc create: a rewrite is written with its dev.ocigate.rewrite annotation and said on stderr" {
  bundle_config '.process.capabilities.bounding += ["CAP_NET_RAW", "CAP_NET_ADMIN"] | .process.noNewPrivileges = false
      | .annotations = {"dev.ocigate.rewrite": "approved", "a": "b"}'
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" create --bundle "$T/b" c2
  echo "status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$stderr" = "ocigate: rewrote: capabilities: dropped CAP_NET_ADMIN, CAP_NET_RAW; noNewPrivileges: set true" ]
  jq -e '.annotations == {"dev.ocigate.rewrite": "capabilities: dropped CAP_NET_ADMIN, CAP_NET_RAW; noNewPrivileges: set true", "a": "b"}' "$T/b/config.json"
  [ "$(runtime_log)" = "create --bundle $T/b c2" ]
}

@test "ocigate-runc create: an dev.ocigate.rewrite annotation is removed when nothing is rewritten, in dry-run too" {
  bundle_config '.annotations = {"dev.ocigate.rewrite": "approved"}'
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" create --bundle "$T/b" c2
  [ "$status" -eq 0 ]
  [ -z "$stderr" ]
  jq -e '.annotations == {}' "$T/b/config.json"
  jq '.process.capabilities.bounding += ["CAP_NET_RAW"] | .annotations = {"dev.ocigate.rewrite": "approved"}' "$T/c.json" >"$T/b/config.json"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --ocigate-dry-run create --bundle "$T/b" c3
  [ "$status" -eq 0 ]
  [ -z "$stderr" ]
  jq -e '.annotations == {} and (.process.capabilities.bounding | index("CAP_NET_RAW")) and (.hooks.createRuntime == null)' "$T/b/config.json"
  # a dry run of a config without one leaves the file alone
  cp "$T/b/config.json" "$T/before.json"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --ocigate-dry-run create --bundle "$T/b" c4
  cmp "$T/before.json" "$T/b/config.json"
}

@test "ocigate-runc exec --process: a trimmed process is said on stderr (the container's config is not the exec's)" {
  jq '.process | .capabilities.bounding += ["CAP_NET_RAW"]' "$T/b/config.json" >"$T/process.json"
  cp "$T/b/config.json" "$T/config.before"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" exec --process "$T/process.json" c1
  echo "status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$stderr" = "ocigate: rewrote: capabilities: dropped CAP_NET_RAW" ]
  jq -e '.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]' "$T/process.json"
  cmp "$T/config.before" "$T/b/config.json"
}
