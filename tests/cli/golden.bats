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
  verdict() { "$OCIGATE" check --format json "$FIXTURES/$1" | jq -r .decision; }
  for f in docker-privileged podman-privileged ctr-privileged docker-default podman-default ctr-default \
    docker-userns-remap-userns-host podman-uidmap-pid-host podman-uidmap-network-host runc-spec; do
    [ "$(verdict "$f.json")" = deny ] || { echo "$f"; false; }
  done
  for f in docker-userns-remap podman-uidmap podman-userns-auto docker-user1000 docker-user1000-capadd-all \
    podman-user1000-capadd-sysadmin; do
    [ "$(verdict "$f.json")" = rewrite ] || { echo "$f"; false; }
  done
}

@test "check over every fixture prints one JSON line each that jq parses" {
  run bash -c "'$OCIGATE' check --format json '$FIXTURES'/*.json | jq -c '{config, decision}' | wc -l"
  [ "$output" -eq "$(ls "$FIXTURES"/*.json | wc -l)" ]
}
