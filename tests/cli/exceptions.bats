#!/usr/bin/env bats
# Exceptions relax named rules for matching containers; every use shows.
load helpers

setup() {
  T=$(mktemp -d)
  mkdir "$T/bundle"
}

teardown() {
  rm -rf "$T"
}

policy_with() {
  jq --argjson ex "$1" '.exceptions = $ex' "$POLICIES/default.json" >"$T/policy.json"
  chmod 0644 "$T/policy.json"
}

root_config() {
  mutate '.process.user.uid = 0 | .process.args = ["/usr/bin/legacy-agent", "--serve"]
          | .annotations = {"io.kubernetes.pod.namespace": "kube-system", "org.example/team": "infra"}' >"$1"
}

@test "a matching exception turns the rule's deny into a warning that names it" {
  policy_with '[{"match": {"args0": "/usr/bin/legacy-*"}, "rules": ["user.root"], "reason": "INC-42: agent needs root until v3"}]'
  root_config "$T/bundle/config.json"
  run "$OCIGATE" check -p "$T/policy.json" --format json "$T/bundle/config.json"
  [ "$status" -eq 0 ]
  jq -e '.decision == "allow"' <<<"$output"
  jq -e '.findings[] | select(.rule == "user.root" and .action == "warn"
         and (.message | startswith("exception 0 (\"INC-42: agent needs root until v3\") relaxes this deny: process runs as host UID 0")))' <<<"$output"
}

@test "an exception can never make a silent allow: the hook logs its use" {
  policy_with '[{"match": {"args0": "/usr/bin/legacy-*"}, "rules": ["user.root"], "reason": "INC-42"}]'
  jq --arg log "$T/decisions.log" '.log.file = $log' "$T/policy.json" >"$T/p2.json" && mv "$T/p2.json" "$T/policy.json"
  chmod 0644 "$T/policy.json"
  root_config "$T/bundle/config.json"
  printf '{"id": "c1", "bundle": "%s"}' "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 0 ]
  jq -e '.outcome == "allow" and (.findings[] | select(.rule == "user.root") | .message | test("exception 0 .*INC-42"))' "$T/decisions.log"
}

@test "every criterion must match: annotations by key and value globs" {
  policy_with '[{"match": {"annotations": {"io.kubernetes.pod.namespace": "kube-*"}}, "rules": ["user.root"], "reason": "system pods"}]'
  root_config "$T/bundle/config.json"
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 0 ]
  policy_with '[{"match": {"annotations": {"io.kubernetes.pod.namespace": "kube-*"}, "args0": "/bin/sh"}, "rules": ["user.root"], "reason": "system pods"}]'
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 1 ]
  policy_with '[{"match": {"annotations": {"io.kubernetes.pod.namespace": "default"}}, "rules": ["user.root"], "reason": "x"}]'
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 1 ]
}

@test "id and bundle globs: from the hook's state, or check --id / --bundle" {
  policy_with '[{"match": {"id": "legacy-*"}, "rules": ["user.root"], "reason": "legacy"}]'
  root_config "$T/bundle/config.json"
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 1 ]
  run "$OCIGATE" check -p "$T/policy.json" --id legacy-7 "$T/bundle/config.json"
  [ "$status" -eq 0 ]
  printf '{"id": "legacy-7", "bundle": "%s"}' "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 0 ]
  printf '{"id": "web-1", "bundle": "%s"}' "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  policy_with "[{\"match\": {\"bundle\": \"$T/*\"}, \"rules\": [\"user.root\"], \"reason\": \"by bundle\"}]"
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 0 ]
}

@test "check gives each config its own bundle: several directories in one run, and a symlinked config" {
  local real
  real=$(realpath "$T")
  policy_with "[{\"match\": {\"bundle\": \"$real/b1\"}, \"rules\": [\"user.root\"], \"reason\": \"b1 only\"}]"
  mkdir "$T/b1" "$T/b2"
  root_config "$T/b1/config.json"
  root_config "$T/b2/config.json"
  # a config that is a symbolic link sits in its target's bundle
  ln -s ../b1/config.json "$T/b2/link.json"
  cd "$T"
  run "$OCIGATE" check -p "$T/policy.json" --format json b1/config.json b2/config.json b1/config.json b2/link.json \
    ./b1/../b2/config.json "$T/b1/config.json"
  [ "$status" -eq 1 ]
  [ "$(jq -sc '[.[].decision]' <<<"$output")" = '["allow","deny","allow","allow","deny","allow"]' ]
}

@test "an exception relaxes only the rules it names" {
  policy_with '[{"match": {"args0": "*"}, "rules": ["privileged"], "reason": "not this one"}]'
  root_config "$T/bundle/config.json"
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny user.root"* ]]
}

@test "a fix the exception relaxes is not applied" {
  policy_with '[{"match": {"args0": "*"}, "rules": ["capabilities"], "reason": "needs raw sockets"}]'
  mutate '.process.capabilities.bounding += ["CAP_NET_RAW"]' >"$T/bundle/config.json"
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 0 ]
  [[ "${lines[-1]}" == *": allow" ]]
  "$OCIGATE" fix -p "$T/policy.json" "$T/bundle/config.json" >"$T/out.json" 2>/dev/null
  cmp "$T/bundle/config.json" "$T/out.json"
}

@test "bad exceptions are policy errors naming the key" {
  for ex in '[{"match": {}, "rules": ["user.root"], "reason": "r"}]:exceptions[0].match: must be an object with at least one' \
    '[{"match": {"id": "x"}, "rules": ["user.rooot"], "reason": "r"}]:exceptions[0].rules[0]: "user.rooot" is not a rule ID' \
    '[{"match": {"id": "x"}, "rules": ["user.root"]}]:exceptions[0].reason: must say why' \
    '[{"match": {"id": "x"}, "rules": [], "reason": "r"}]:exceptions[0].rules: must be a non-empty array' \
    '[{"match": {"image": "x"}, "rules": ["user.root"], "reason": "r"}]:exceptions[0].match.image: unknown key' \
    '[{"match": {"id": "x"}, "rules": ["user.root"], "reason": "r", "until": "2027"}]:exceptions[0].until: unknown key'; do
    policy_with "${ex%%:exceptions*}"
    run "$OCIGATE" policy validate "$T/policy.json"
    echo "$output"
    [ "$status" -eq 1 ]
    [[ "$output" == *"exceptions${ex#*:exceptions}"* ]]
  done
}

@test "policy show lists the exceptions, and the result validates with loader and schema" {
  policy_with '[{"match": {"id": "a*", "annotations": {"k": "v*"}}, "rules": ["user.root", "capabilities"], "reason": "r"}]'
  "$OCIGATE" policy show -p "$T/policy.json" >"$T/shown.json" 2>/dev/null
  jq -e '.exceptions == [{"match": {"id": "a*", "annotations": {"k": "v*"}}, "rules": ["user.root", "capabilities"], "reason": "r"}]' "$T/shown.json"
  "$OCIGATE" policy validate "$T/shown.json"
  /usr/bin/python3 -c 'import json,sys,jsonschema; jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))' \
    "$ROOT/schema/policy.schema.json" "$T/shown.json"
}
