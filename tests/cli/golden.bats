#!/usr/bin/env bats
# The golden table: the decision and findings of every real-engine fixture
# under every shipped policy, as stated in golden.txt.
load helpers

@test "every fixture under every shipped policy gives the verdict golden.txt states" {
  [ "$(grep -vc '^#' "$ROOT/tests/cli/golden.txt")" -eq $(( $(ls "$FIXTURES"/*.json | wc -l) * $(ls "$POLICIES"/*.json | wc -l) )) ]
  diff -u "$ROOT/tests/cli/golden.txt" <("$ROOT/tests/cli/golden-table.sh")
}

@test "the mission verdicts hold under the default policy" {
  # spot checks that do not depend on the table being regenerated
  verdict() { "$OCIGATE" check --format json ${2:+-p "$2"} "$FIXTURES/$1" | jq -r .decision; }
  for f in docker-privileged podman-privileged ctr-privileged docker-default podman-default ctr-default \
    docker-userns-remap-userns-host podman-uidmap-pid-host podman-uidmap-network-host runc-spec \
    docker-seccomp-unconfined docker-docker-sock docker-etc-bind docker-device-fuse docker-sysctl-unsafe docker-rshared; do
    [ "$(verdict "$f.json")" = deny ] || { echo "$f"; false; }
  done
  for f in docker-userns-remap podman-uidmap podman-userns-auto docker-user1000 podman-user1000; do
    [ "$(verdict "$f.json")" = rewrite ] || { echo "$f"; false; }
  done
  # the four mission rules alone rewrite added capabilities away
  for f in docker-user1000-capadd-all podman-user1000-capadd-sysadmin podman-uidmap-capadd-sysadmin; do
    [ "$(verdict "$f.json" "$ROOT/tests/policies/mission.json")" = rewrite ] || { echo "$f"; false; }
  done
}

@test "check over every fixture prints one JSON line each that jq parses" {
  run bash -c "'$OCIGATE' check --format json '$FIXTURES'/*.json | jq -c '{config, decision}' | wc -l"
  [ "$output" -eq "$(ls "$FIXTURES"/*.json | wc -l)" ]
}
