#!/usr/bin/env bats
# The CIS Docker Benchmark v1.6.0 items a config shows that the rules
# rlimits (5.19, ulimits) and cgroupsPath (5.25, --cgroup-parent) claim,
# judged on configs Docker made (tests/fixtures/generate.sh):
# docker-ulimit.json is `docker run --ulimit nofile=1048576:1048576 --ulimit
# nproc=2097152:2097152 --ulimit memlock=-1:-1 --ulimit core=0:0`,
# docker-cgroup-parent.json `docker run --cgroup-parent /`.
bats_require_minimum_version 1.5.0
load helpers

setup() {
  T=$BATS_TEST_TMPDIR
}

# findings RULE: the messages of that rule's findings in $output (JSON).
findings() {
  jq -r --arg r "$1" '.findings[] | select(.rule == $r) | "\(.action) \(.path) \(.message)"' <<<"$output"
}

@test "rlimits: Docker's --ulimit above the default maxima is reported in Docker's words, the rest passes" {
  run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/default.json" "$FIXTURES/docker-ulimit.json"
  [ "$status" -eq 1 ] # user.root denies Docker's root container anyway
  findings rlimits
  [ "$(findings rlimits)" = "warn /process/rlimits/1 rlimit RLIMIT_MEMLOCK is above the policy's maximum (process.rlimits[1] hard=unlimited soft=unlimited, maximum 8388608: rules.rlimits.maximum); lower it (--ulimit memlock=8388608:8388608)
warn /process/rlimits/3 rlimit RLIMIT_NPROC is above the policy's maximum (process.rlimits[3] hard=2097152 soft=2097152, maximum 1048576: rules.rlimits.maximum); lower it (--ulimit nproc=1048576:1048576)" ]
}

@test "rlimits: fix lowers the limits above the maxima to them, keeps the others, and says what it did" {
  jq '.rules.rlimits.action = "fix" | .rules |= with_entries(select(.key == "rlimits"))' \
    "$POLICIES/default.json" >"$T/policy.json"
  run --separate-stderr "$OCIGATE" check -p "$T/policy.json" "$FIXTURES/docker-ulimit.json"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$FIXTURES/docker-ulimit.json: rewrite" ]
  "$OCIGATE" fix -p "$T/policy.json" -o "$T/fixed.json" "$FIXTURES/docker-ulimit.json"
  jq -c .process.rlimits "$T/fixed.json"
  [ "$(jq -c .process.rlimits "$T/fixed.json")" = '[{"type":"RLIMIT_CORE","hard":0,"soft":0},{"type":"RLIMIT_MEMLOCK","hard":8388608,"soft":8388608},{"type":"RLIMIT_NOFILE","hard":1048576,"soft":1048576},{"type":"RLIMIT_NPROC","hard":1048576,"soft":1048576}]' ]
  diff <(jq -S 'del(.process.rlimits)' "$FIXTURES/docker-ulimit.json") <(jq -S 'del(.process.rlimits)' "$T/fixed.json")
  run "$OCIGATE" check -p "$T/policy.json" "$T/fixed.json"
  [ "$status" -eq 0 ]
  [ "$output" = "$T/fixed.json: allow" ]
}

@test "rlimits: what the engines write by default passes every shipped policy" {
  for p in "$POLICIES"/*.json; do
    for f in docker-default podman-default ctr-default runc-spec crun-spec; do
      run --separate-stderr "$OCIGATE" check --format json -p "$p" "$FIXTURES/$f.json"
      [ -z "$(findings rlimits)" ] || {
        echo "$p $f: $(findings rlimits)"
        false
      }
    done
  done
}

@test "cgroupsPath: Docker's --cgroup-parent / is refused by the default and the CIS policy, naming the flag" {
  id=$(jq -r '.linux.cgroupsPath' "$FIXTURES/docker-cgroup-parent.json")
  [[ "$id" =~ ^/[0-9a-f]{64}$ ]]
  for p in default cis-docker restricted baseline; do
    run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/$p.json" "$FIXTURES/docker-cgroup-parent.json"
    [ "$status" -eq 1 ]
    [ "$(findings cgroupsPath)" = "deny /linux/cgroupsPath container's cgroup is outside the parents its engine uses, and the limits set on them (linux.cgroupsPath=$id: below none of the allowed parents; allowed: /docker, /libpod_parent, /kubepods, system.slice, machine.slice, user.slice, kubepods.slice); drop --cgroup-parent, or give one the policy allows" ]
  done
  # The same container without the flag passes.
  run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/cis-docker.json" "$FIXTURES/docker-default.json"
  [ -z "$(findings cgroupsPath)" ]
}

@test "cgroupsPath: every engine's own parent passes; ctr's /NAMESPACE where the bundle shows the namespace" {
  for f in "$FIXTURES"/docker-*.json "$FIXTURES"/podman-*.json "$FIXTURES"/runc-spec.json "$FIXTURES"/crun-spec.json; do
    [ "${f##*/}" != docker-cgroup-parent.json ] || continue
    run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/default.json" "$f"
    [ -z "$(findings cgroupsPath)" ] || {
      echo "$f: $(findings cgroupsPath)"
      false
    }
  done
  # ctr -n ocigate: /ocigate/ocigate-1, known as ctr's only by its bundle
  run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/default.json" \
    --bundle /run/containerd/io.containerd.runtime.v2.task/ocigate/ocigate-1 "$FIXTURES/ctr-default.json"
  [ -z "$(findings cgroupsPath)" ]
  run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/default.json" \
    --bundle /run/containerd/io.containerd.runtime.v2.task/default/ocigate-1 "$FIXTURES/ctr-default.json"
  [[ "$(findings cgroupsPath)" == *"below none of the allowed parents; allowed: "*", /default (containerd's namespace)); drop --cgroup, or give one the policy allows" ]]
  run --separate-stderr "$OCIGATE" check --format json -p "$POLICIES/default.json" "$FIXTURES/ctr-default.json"
  [[ "$(findings cgroupsPath)" == *"(linux.cgroupsPath=/ocigate/ocigate-1: below none of the allowed parents;"* ]]
}

@test "cgroupsPath: a policy's allow list replaces the default one" {
  jq '.rules.cgroupsPath.allow = ["/ocigate"]' "$POLICIES/default.json" >"$T/policy.json"
  run --separate-stderr "$OCIGATE" check --format json -p "$T/policy.json" "$FIXTURES/ctr-default.json"
  [ -z "$(findings cgroupsPath)" ]
  run --separate-stderr "$OCIGATE" check --format json -p "$T/policy.json" "$FIXTURES/docker-default.json"
  [[ "$(findings cgroupsPath)" == *"allowed: /ocigate); drop --cgroup-parent"* ]]
  run --separate-stderr "$OCIGATE" policy show -p "$T/policy.json"
  [ "$(jq -c .rules.cgroupsPath <<<"$output")" = '{"action":"deny","allow":["/ocigate"],"containerdNamespace":true}' ]
}

@test "cgroupsPath: precreate hands on a refused config without its cgroupsPath, which the runtime would create and join first" {
  printf '{"version": 1, "rules": {"cgroupsPath": {"action": "deny"}}}\n' >"$T/cg.json"
  chmod 0644 "$T/cg.json"
  "$OCIGATE" hook -p "$T/cg.json" --stage precreate <"$FIXTURES/docker-cgroup-parent.json" >"$T/out.json" 2>/dev/null
  jq -e '.hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"]' "$T/out.json"
  jq -e '.linux | has("cgroupsPath") | not' "$T/out.json"
  diff <(jq -S 'del(.hooks, .linux.cgroupsPath)' "$FIXTURES/docker-cgroup-parent.json") \
    <(jq -S 'del(.hooks, .annotations["dev.ocigate.judged"])' "$T/out.json")
  # allowed, it keeps it
  "$OCIGATE" hook -p "$T/cg.json" --stage precreate <"$FIXTURES/docker-default.json" >"$T/out.json" 2>/dev/null
  [ "$(jq -r .linux.cgroupsPath "$T/out.json")" = "$(jq -r .linux.cgroupsPath "$FIXTURES/docker-default.json")" ]
}
