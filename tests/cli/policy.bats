#!/usr/bin/env bats
# Policies: the embedded default, policy show/validate, and the JSON Schema
# agreeing with the C loader on good and bad policies.
load helpers
bats_require_minimum_version 1.5.0

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

schema_valid() {
  /usr/bin/python3 - "$ROOT/schema/policy.schema.json" "$1" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors:
    print("schema:", "/".join(map(str, e.absolute_path)), e.message)
sys.exit(1 if errors else 0)
PY
}

@test "the embedded default policy is policies/default.json" {
  [ ! -e /etc/ocigate/policy.json ] || skip "/etc/ocigate/policy.json exists on this host and takes precedence"
  diff <("$OCIGATE" policy show 2>/dev/null) <("$OCIGATE" policy show -p "$POLICIES/default.json" 2>/dev/null)
}

@test "the default policy says what the mission says" {
  run --separate-stderr "$OCIGATE" policy show -p "$POLICIES/default.json"
  [ "$status" -eq 0 ]
  jq -e '.mode == "enforce"
     and .rules.privileged.action == "deny"
     and .rules["user.root"].action == "deny"
     and .rules["user.mapping"].action == "deny"
     and .rules.capabilities.action == "fix"
     and (.rules.capabilities.allow | sort) == (["CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
          "CAP_FSETID", "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
          "CAP_SETUID", "CAP_SYS_CHROOT"] | sort)
     and .rules["hostNamespaces.pid"] == {"action": "deny", "when": "userns"}
     and .rules["hostNamespaces.network"] == {"action": "deny", "when": "userns"}
     and .rules["hostNamespaces.ipc"].action == "warn"
     and .rules["hostNamespaces.uts"].action == "warn"
     and .rules["hostNamespaces.cgroup"].action == "off"' <<<"$output"
}

@test "restricted and audit policies say what they promise" {
  run --separate-stderr "$OCIGATE" policy show -p "$POLICIES/restricted.json"
  jq -e '.rules.capabilities == {"action": "deny", "allow": ["CAP_NET_BIND_SERVICE"]}
     and ([.rules | to_entries[] | select(.key | startswith("hostNamespaces.")) | .value]
          | all(. == {"action": "deny", "when": "always"}))' <<<"$output"
  run --separate-stderr "$OCIGATE" policy show -p "$POLICIES/audit.json"
  jq -e '.mode == "dry-run"' <<<"$output"
}

# audit.json is the default policy in dry-run: what enforcing would do.
# Kept in step by hand, held here: any difference but the mode fails.
@test "audit.json is default.json with mode dry-run, and nothing else" {
  run jq -n --slurpfile a "$POLICIES/audit.json" --slurpfile d "$POLICIES/default.json" \
    '($a[0] | del(.mode)) == ($d[0] | del(.mode)) and $a[0].mode == "dry-run" and $d[0].mode == "enforce"'
  [ "$output" = true ] || { diff <(jq -S 'del(.mode)' "$POLICIES/default.json") <(jq -S 'del(.mode)' "$POLICIES/audit.json"); false; }
}

@test "policy show prints every rule, with rules the policy leaves out as off" {
  echo '{"version": 1, "rules": {"user.root": {"action": "warn"}}}' >"$T/p.json"
  run --separate-stderr "$OCIGATE" policy show -p "$T/p.json"
  [ "$status" -eq 0 ]
  jq -e '.rules["user.root"].action == "warn" and .rules.privileged.action == "off"
     and .rules.capabilities == {"action": "off", "allow": []}
     and (.rules | keys) == ($ids | sort)' --argjson ids "$(jq '.properties.rules.properties | keys' "$ROOT/schema/policy.schema.json")" <<<"$output"
}

@test "policy validate accepts every shipped policy" {
  for p in "$POLICIES"/*.json; do
    run "$OCIGATE" policy validate "$p"
    [ "$status" -eq 0 ]
    [ "$output" = "$p: valid" ]
  done
}

@test "every shipped policy passes the JSON Schema" {
  for p in "$POLICIES"/*.json; do
    schema_valid "$p"
  done
}

@test "policy show output is itself a valid policy, for loader and schema alike" {
  for p in "$POLICIES"/*.json; do
    "$OCIGATE" policy show -p "$p" >"$T/shown.json" 2>/dev/null
    "$OCIGATE" policy validate "$T/shown.json"
    schema_valid "$T/shown.json"
  done
}

# Each bad policy: the loader refuses it naming the key, and so does the schema.
bad_policy() {
  local name=$1 json=$2 message=$3
  printf '%s\n' "$json" >"$T/$name.json"
  run "$OCIGATE" policy validate "$T/$name.json"
  echo "loader: $output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$message"* ]]
  run schema_valid "$T/$name.json"
  echo "schema: $output"
  [ "$status" -eq 1 ]
}

@test "a policy with a key given twice is refused, naming the key and where (JSON Schema cannot say it)" {
  # Which "action" would a reader believe?
  printf '{"version": 1, "rules": {"user.root": {"action": "deny", "action": "off"}}}\n' >"$T/twice.json"
  run "$OCIGATE" policy validate "$T/twice.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/twice.json:1:39: key \"action\" given twice in /rules/user.root;"* ]]
}

@test "loader and schema agree: unknown top-level key" {
  bad_policy top '{"version": 1, "rules": {}, "rulez": {}}' 'rulez: unknown key'
}

@test "loader and schema agree: wrong version" {
  bad_policy version '{"version": 2, "rules": {}}' 'version: 2 is not a version this ocigate reads'
}

@test "loader and schema agree: missing version" {
  bad_policy noversion '{"rules": {}}' 'version: missing'
}

@test "loader and schema agree: bad mode" {
  bad_policy mode '{"version": 1, "mode": "audit", "rules": {}}' 'mode: "audit" is not "enforce" or "dry-run"'
}

@test "loader and schema agree: log.maxBytes within its limits, log.file a file" {
  bad_policy small '{"version": 1, "rules": {}, "log": {"maxBytes": 4095}}' \
    'log.maxBytes: must be a size in bytes from 4096 to 1099511627776, not 4095'
  bad_policy large '{"version": 1, "rules": {}, "log": {"maxBytes": 1099511627777}}' 'log.maxBytes: must be a size'
  bad_policy text '{"version": 1, "rules": {}, "log": {"maxBytes": "16M"}}' 'log.maxBytes: must be a size'
  bad_policy dir '{"version": 1, "rules": {}, "log": {"file": "/var/log/"}}' 'log.file: must be an absolute path of a file'
  bad_policy relative '{"version": 1, "rules": {}, "log": {"file": "decisions.log"}}' 'log.file: must be an absolute path'
  bad_policy logkey '{"version": 1, "rules": {}, "log": {"files": "/x"}}' 'log.files: unknown key'
  printf '{"version": 1, "rules": {}, "log": {"maxBytes": 4096}}\n' >"$T/ok.json"
  "$OCIGATE" policy validate "$T/ok.json"
  schema_valid "$T/ok.json"
}

@test "policy show says where decisions go: the file, its bound, and whether syslog listens" {
  run --separate-stderr "$OCIGATE" policy show -p "$POLICIES/default.json"
  [ "$status" -eq 0 ]
  jq -e '.log == {"file": "/var/log/ocigate/decisions.log", "maxBytes": 16777216}' <<<"$output"
  [[ "$stderr" == "ocigate: decisions are logged to /var/log/ocigate/decisions.log (JSON lines; past 16777216 bytes it becomes /var/log/ocigate/decisions.log.1) and to syslog (authpriv, tag ocigate), which "* ]]
  if [ -S /dev/log ]; then :; else
    [[ "$stderr" == *"which is not there now (/dev/log takes no connection): the file is the log" ]]
  fi
  printf '{"version": 1, "rules": {}, "log": {"file": "/srv/og/d.log", "maxBytes": 8192}}\n' >"$T/p.json"
  run --separate-stderr "$OCIGATE" policy show -p "$T/p.json"
  jq -e '.log == {"file": "/srv/og/d.log", "maxBytes": 8192}' <<<"$output"
  [[ "$stderr" == "ocigate: decisions are logged to /srv/og/d.log (JSON lines; past 8192 bytes it becomes /srv/og/d.log.1)"* ]]
}

@test "loader and schema agree: unknown rule" {
  bad_policy rule '{"version": 1, "rules": {"user.rooot": {"action": "deny"}}}' 'rules.user.rooot: unknown rule'
}

@test "loader and schema agree: missing action" {
  bad_policy noaction '{"version": 1, "rules": {"user.root": {}}}' 'rules.user.root: "action" is missing'
}

@test "loader and schema agree: fix on a rule that cannot fix" {
  bad_policy fix '{"version": 1, "rules": {"user.root": {"action": "fix"}}}' \
    'rules.user.root.action: "fix" is not an action of this rule ("off", "warn", "deny")'
}

@test "loader and schema agree: unknown option" {
  bad_policy opt '{"version": 1, "rules": {"capabilities": {"action": "fix", "allow": [], "drop": []}}}' \
    'rules.capabilities.drop: unknown option (this rule takes: action, allow)'
}

@test "loader and schema agree: unknown option on a rule without options" {
  bad_policy opt2 '{"version": 1, "rules": {"user.root": {"action": "deny", "when": "userns"}}}' \
    'rules.user.root.when: unknown option'
}

@test "loader and schema agree: unknown capability" {
  bad_policy cap '{"version": 1, "rules": {"capabilities": {"action": "fix", "allow": ["CAP_CHOWN", "CAP_FLY"]}}}' \
    'rules.capabilities.allow[1]: unknown capability "CAP_FLY"'
}

@test "loader and schema agree: capability in the wrong form" {
  bad_policy capform '{"version": 1, "rules": {"capabilities": {"action": "fix", "allow": ["chown"]}}}' \
    'unknown capability "chown"'
}

@test "loader and schema agree: bad when" {
  bad_policy when '{"version": 1, "rules": {"hostNamespaces.pid": {"action": "deny", "when": "sometimes"}}}' \
    'rules.hostNamespaces.pid.when: "sometimes" is not one of "always", "userns"'
}

@test "loader and schema agree: minSignals out of range" {
  bad_policy min '{"version": 1, "rules": {"privileged": {"action": "deny", "minSignals": 1}}}' \
    'rules.privileged.minSignals: must be an integer from 2 to 6'
}

@test "loader and schema agree: rules not an object" {
  bad_policy arr '{"version": 1, "rules": []}' 'rules: must be an object'
}

@test "a policy error names the line of the key" {
  printf '{\n  "version": 1,\n  "rules": {\n    "privileged": {"action": "deny"},\n    "hostNamespaces.pid": {\n      "action": "deny",\n      "when": "never"\n    }\n  }\n}\n' >"$T/p.json"
  run "$OCIGATE" policy validate "$T/p.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/p.json:7: rules.hostNamespaces.pid.when:"* ]]
}

@test "malformed policy JSON names line and column" {
  printf '{\n  "version": 1,\n  "rules": {,}\n}\n' >"$T/p.json"
  run "$OCIGATE" policy validate "$T/p.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/p.json:3:"*"invalid JSON"* ]]
}

@test "a policy over 1 MiB is refused" {
  python3 -c 'import json; print(json.dumps({"version": 1, "rules": {}, "x": "a" * (1 << 20)}))' >"$T/p.json"
  run "$OCIGATE" policy validate "$T/p.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"more than the limit of 1048576"* ]]
}

@test "policy usage errors exit 2" {
  run "$OCIGATE" policy
  [ "$status" -eq 2 ]
  run "$OCIGATE" policy frob
  [ "$status" -eq 2 ]
  run "$OCIGATE" policy validate
  [ "$status" -eq 2 ]
}

@test "help and version" {
  run "$OCIGATE" --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"Usage: ocigate COMMAND"* ]]
  for c in check fix policy; do
    run "$OCIGATE" "$c" --help
    [ "$status" -eq 0 ]
    [[ "$output" == *"Usage: ocigate $c"* ]]
  done
  run "$OCIGATE" --version
  [ "$status" -eq 0 ]
  [[ "$output" =~ ^ocigate\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
}
