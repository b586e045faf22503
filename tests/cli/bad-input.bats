#!/usr/bin/env bats
# Bad input gets a message naming the field and the problem, and exit 2
# (or a deny finding where the config is well-formed but unsafe).  Never a
# crash: a status above 2 (a signal, an abort) fails every test here.
load helpers

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

# expect_error FILE STATUS MESSAGE-FRAGMENT
expect() {
  run "$OCIGATE" check "$1"
  echo "status=$status output=$output"
  [ "$status" -eq "$2" ]
  [[ "$output" == *"$3"* ]]
}

@test "truncated JSON: exit 2 with line and column" {
  compliant_config | head -c 200 >"$T/c.json"
  expect "$T/c.json" 2 "$T/c.json:"
  [[ "$output" == *"invalid JSON: unexpected end of input"* ]]
}

@test "malformed JSON: exit 2 with the position of the error" {
  printf '{\n  "process": {\n    "user": {"uid": 0,}\n  }\n}\n' >"$T/c.json"
  expect "$T/c.json" 2 "$T/c.json:3:"
}

@test "data after the document: exit 2" {
  { compliant_config; echo '{}'; } >"$T/c.json"
  expect "$T/c.json" 2 "invalid JSON: data after the document"
}

@test "empty file: exit 2" {
  : >"$T/c.json"
  expect "$T/c.json" 2 "invalid JSON: unexpected end of input"
}

@test "not an object: exit 2" {
  echo '[1, 2]' >"$T/c.json"
  expect "$T/c.json" 2 "config: must be an object, not array"
}

@test "invalid UTF-8: exit 2" {
  printf '{"process": {"args": ["\xff"]}}' >"$T/c.json"
  expect "$T/c.json" 2 "invalid JSON"
}

@test "NUL byte: exit 2" {
  printf '{"process": {}}\0' >"$T/c.json"
  expect "$T/c.json" 2 "invalid JSON: NUL byte"
}

# read_apart 'TEXT' MESSAGE: the compliant config with "@X@" in it replaced
# by TEXT (printf escapes) is refused with exit 2 and MESSAGE, which names
# the file, the line and the column.
read_apart() {
  compliant_config | jq '.annotations = {"k": "@X@"}' >"$T/base.json"
  python3 - "$T/base.json" "$T/c.json" "$1" <<'PY'
import sys
text = open(sys.argv[1], "rb").read()
x = sys.argv[3].encode().decode("unicode_escape").encode("latin-1")
open(sys.argv[2], "wb").write(text.replace(b'"@X@"', x))
PY
  expect "$T/c.json" 2 "$T/c.json:$(grep -an '"k":' "$T/c.json" | cut -d: -f1):"
  [[ "$output" == *"$2"* ]]
}

@test "runtimes read differently: \\u0000 in a key or a string is refused where it stands" {
  read_apart '"x", "uid\\u0000": 0' '"\u0000" in a key: runtimes read such JSON differently (C ends the text there, runc keeps the rest): remove it'
  read_apart '"x\\u0000y"' '"\u0000" in a string: runtimes read such JSON differently'
  # The process a config runs, where runc read UID 0 and ocigate UID 1000.
  compliant_config | sed 's/"uid": 1000/"uid\\u0000": 1000/' >"$T/c.json"
  expect "$T/c.json" 2 '"\u0000" in a key'
  # An escaped backslash before u0000 is text, not the escape.
  compliant_config | jq '.annotations = {"k": "x\\u0000"}' >"$T/c.json"
  grep -qF '"x\\u0000"' "$T/c.json"
  run "$OCIGATE" check "$T/c.json"
  [ "$status" -eq 0 ]
}

@test "runtimes read differently: half of a surrogate pair is refused; a whole pair is read" {
  read_apart '"\\ud800"' '"\ud800" in a string is half of a UTF-16 surrogate pair'
  read_apart '"\\udfff x"' '"\udfff" in a string is half'
  read_apart '"\\ud800\\u0041"' '"\ud800" in a string is half'
  compliant_config | jq '.annotations = {"k": "@X@"}' | sed 's/"@X@"/"\\ud83d\\ude00"/' >"$T/c.json"
  run "$OCIGATE" check "$T/c.json"
  [ "$status" -eq 0 ]
}

@test "runtimes read differently: UTF-8 that Go reads as U+FFFD is refused" {
  read_apart '"\xc0\xaf"' 'invalid JSON: invalid utf-8 string'      # overlong "/"
  read_apart '"\xed\xa0\x80"' 'invalid JSON: invalid utf-8 string'  # a surrogate
  read_apart '"\xf4\x90\x80\x80"' 'invalid JSON: invalid utf-8 string' # past U+10FFFF
}

@test "runtimes read differently: what json-c reads and runc refuses is refused" {
  read_apart '"a\tb"' 'invalid JSON: control character U+0009 in a string'
  read_apart '1.' 'invalid JSON: 1. is not a JSON number (runc refuses it)'
  read_apart '-01' 'invalid JSON: -01 is not a JSON number'
  read_apart 'NaN' 'invalid JSON: NaN is not a JSON number'
  read_apart '-Infinity' 'invalid JSON: -Infinity is not a JSON number'
  read_apart '"x", '"'y'"': 1' 'invalid JSON: a string in single quotes'
  { printf '\xef\xbb\xbf'; compliant_config; } >"$T/c.json"
  expect "$T/c.json" 2 "$T/c.json:1:1: invalid JSON: a byte order mark"
}

@test "runtimes read differently: a policy with \\u0000 is refused with its position" {
  printf '{\n  "version": 1,\n  "rules": {"privileged\\u0000x": {"action": "deny"}}\n}\n' >"$T/p.json"
  run "$OCIGATE" policy validate "$T/p.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/p.json:3:24: \"\\u0000\" in a key"* ]]
}

@test "runtimes read differently: an exec --process file and an update's resources with \\u0000 are refused" {
  fake_runtime
  mkdir -m 0755 "$T/b"
  compliant_config >"$T/b/config.json"
  printf '{"ociVersion": "1.0.2", "id": "x", "status": "running", "bundle": "%s"}\n' "$T/b" >"$T/state.json"
  jq '.process | .user.uid = 1000' "$T/b/config.json" | sed 's/"uid"/"uid\\u0000"/' >"$T/process.json"
  run "$ROOT/build/ocigate-runc" --ocigate-policy="$T/policy.json" exec --process "$T/process.json" x
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: $T/process.json:"*': "\u0000" in a key'* ]]
  printf '{"pids": {"limit\\u0000": 100}}' >"$T/res.json"
  run "$ROOT/build/ocigate-runc" --ocigate-policy="$T/policy.json" update -r "$T/res.json" x
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: "*':1:17: "\u0000" in a key'* ]]
  ! grep -q ' exec \| update ' "$T/runtime.log"
}

@test "nesting deeper than 64: exit 2" {
  python3 -c 'print("{\"process\": {}, \"x\": " + "[" * 100 + "]" * 100 + "}")' >"$T/c.json"
  expect "$T/c.json" 2 "nesting deeper than the limit of 64"
}

@test "a 17 MiB config: exit 2 naming the limit" {
  compliant_config | jq --arg pad "$(head -c 17825792 /dev/zero | tr '\0' a)" '.annotations.pad = $pad' >"$T/c.json" 2>/dev/null ||
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["annotations"]={"pad": "a"*17825792}; json.dump(c, open(sys.argv[2],"w"))' "$FIXTURES/runc-spec.json" "$T/c.json"
  expect "$T/c.json" 2 "more than the limit of 16777216"
}

@test "a 4 MiB config with many annotations is judged" {
  python3 - "$T/c.json" <<'PY'
import json, subprocess, sys
c = json.loads(subprocess.run(["jq", ".process.user = {\"uid\": 1000, \"gid\": 1000}", "tests/fixtures/runc-spec.json"], capture_output=True, text=True).stdout)
c["annotations"] = {f"io.example/{i}": "v" * 100 for i in range(35000)}
json.dump(c, open(sys.argv[1], "w"))
PY
  [ "$(stat -c %s "$T/c.json")" -gt 4000000 ]
  run "$OCIGATE" check "$T/c.json"
  [ "$status" -le 1 ]
  [[ "${lines[-1]}" == "$T/c.json: "* ]]
}

@test "uid as a string: exit 2" {
  mutate '.process.user.uid = "0"' >"$T/c.json"
  expect "$T/c.json" 2 "process.user.uid: must be an integer from 0 to 4294967295, not string \"0\""
}

@test "negative uid: exit 2" {
  mutate '.process.user.uid = -1' >"$T/c.json"
  expect "$T/c.json" 2 "process.user.uid: -1 is out of range (0 to 4294967295)"
}

@test "uid above 2^32-1: exit 2" {
  mutate '.process.user.uid = 4294967296' >"$T/c.json"
  expect "$T/c.json" 2 "process.user.uid: 4294967296 is out of range"
}

@test "uid above 2^64: exit 2" {
  compliant_config | sed 's/"uid": *1000/"uid": 184467440737095516160/' >"$T/c.json"
  grep -q 184467440737095516160 "$T/c.json"
  expect "$T/c.json" 2 "process.user.uid: a number beyond 64 bits is out of range"
}

@test "fractional gid: exit 2" {
  mutate '.process.user.gid = 1.5' >"$T/c.json"
  expect "$T/c.json" 2 "process.user.gid: must be an integer from 0 to 4294967295, not double"
}

@test "additionalGids entry out of range: exit 2" {
  mutate '.process.user.additionalGids = [10, -5]' >"$T/c.json"
  expect "$T/c.json" 2 "process.user.additionalGids[1]: -5 is out of range"
}

@test "unknown capability name: exit 2 naming the set and index" {
  mutate '.process.capabilities.permitted += ["CAP_FLY"]' >"$T/c.json"
  expect "$T/c.json" 2 "process.capabilities.permitted[1]: unknown capability \"CAP_FLY\""
}

@test "lower-case capability name: exit 2" {
  mutate '.process.capabilities.bounding = ["cap_chown"]' >"$T/c.json"
  expect "$T/c.json" 2 "unknown capability \"cap_chown\""
}

@test "capability set of the wrong type: exit 2" {
  mutate '.process.capabilities.bounding = "CAP_CHOWN"' >"$T/c.json"
  expect "$T/c.json" 2 "process.capabilities.bounding: must be an array, not string"
}

@test "missing process: exit 2" {
  mutate 'del(.process)' >"$T/c.json"
  expect "$T/c.json" 2 "process: missing"
}

@test "missing linux: judged as host namespaces and no user namespace" {
  mutate 'del(.linux) | .process.user.uid = 0' >"$T/c.json"
  expect "$T/c.json" 1 "deny user.root: process runs as host UID 0 (process.user.uid=0, no user namespace)"
  run "$OCIGATE" check -p "$POLICIES/restricted.json" "$T/c.json"
  [[ "$output" == *"deny hostNamespaces.pid: container shares the host's pid namespace"* ]]
}

@test "namespace entry without type: exit 2" {
  mutate '.linux.namespaces += [{"path": "/proc/1/ns/net"}]' >"$T/c.json"
  expect "$T/c.json" 2 "linux.namespaces[6].type: missing"
}

@test "unknown namespace type: exit 2" {
  mutate '.linux.namespaces += [{"type": "time-travel"}]' >"$T/c.json"
  expect "$T/c.json" 2 "unknown namespace type \"time-travel\""
}

@test "namespace type given twice: exit 2" {
  mutate '.linux.namespaces += [{"type": "pid"}]' >"$T/c.json"
  expect "$T/c.json" 2 "namespace type \"pid\" given twice"
}

@test "mapping with a missing field: exit 2" {
  mutate '.linux.uidMappings = [{"containerID": 0, "hostID": 100000}]' >"$T/c.json"
  expect "$T/c.json" 2 "linux.uidMappings[0].size: missing"
}

@test "more mappings than the kernel allows: exit 2" {
  mutate '.linux.uidMappings = [range(341) | {"containerID": (. * 10), "hostID": (1000000 + . * 10), "size": 10}]' >"$T/c.json"
  expect "$T/c.json" 2 "linux.uidMappings: 341 mappings, more than the kernel's limit of 340"
}

@test "mappings that overflow 32 bits: denied by user.mapping" {
  mutate '.linux.namespaces += [{"type": "user"}]
          | .linux.uidMappings = [{"containerID": 0, "hostID": 4294967000, "size": 65536}]
          | .linux.gidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]' >"$T/c.json"
  expect "$T/c.json" 1 "deny user.mapping: mapping overflows 32 bits (linux.uidMappings[0]: containerID=0 hostID=4294967000 size=65536)"
}

@test "mappings that overlap: denied by user.mapping" {
  mutate '.linux.namespaces += [{"type": "user"}]
          | .linux.uidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536},
                                  {"containerID": 65536, "hostID": 1060000, "size": 100}]
          | .linux.gidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]' >"$T/c.json"
  expect "$T/c.json" 1 "deny user.mapping: mapping overlaps linux.uidMappings[0] (linux.uidMappings[1]: host IDs 1060000-1060099)"
}

@test "a mapping onto host root: denied by user.mapping and user.root" {
  mutate '.process.user.uid = 0 | .linux.namespaces += [{"type": "user"}]
          | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 65536}]
          | .linux.gidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]' >"$T/c.json"
  expect "$T/c.json" 1 "deny user.mapping: mapping puts container UID 0 on host UID 0"
  [[ "$output" == *"deny user.root: process runs as host UID 0 (process.user.uid=0, linux.uidMappings map container 0 to host 0)"* ]]
}

@test "a mapping onto a host account: denied by user.mapping naming the account" {
  mutate '.linux.namespaces += [{"type": "user"}]
          | .linux.uidMappings = [{"containerID": 0, "hostID": 1, "size": 65536}]
          | .linux.gidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]' >"$T/c.json"
  first=$(awk -F: '$3 >= 1 && $3 <= 65536 {print $1; exit}' /etc/passwd)
  [ -n "$first" ]
  expect "$T/c.json" 1 "deny user.mapping: mapping lands on host user $first"
}

@test "a key given twice: exit 2 naming the key, where it is, and why (crun reads the first, runc the last)" {
  # The first "uid" is what crun runs, the last what json-c and runc read.
  compliant_config | sed 's/"uid": 1000/"uid": 0, "uid": 1000/' >"$T/c.json"
  grep -q '"uid": 0, "uid": 1000' "$T/c.json"
  expect "$T/c.json" 2 "key \"uid\" given twice in /process/user; runtimes read such JSON differently (runc takes the last value, crun the first): give it once"
  [[ "$output" == "ocigate: $T/c.json:"[0-9]*:[0-9]*": key"* ]]
  # The same with an escape, and deep in an array of an extension key.
  compliant_config | jq -c '.["x-ext"] = [{"a": [{"k": 1}]}]' | sed 's/{"k":1}/{"k":1,"\\u006b":2}/' >"$T/d.json"
  grep -q 'u006b' "$T/d.json"
  expect "$T/d.json" 2 'key "k" given twice in /x-ext/0/a/0'
  run "$OCIGATE" check --format json "$T/c.json"
  [ "$status" -eq 2 ]
  jq -e '.decision == "error" and (.error | test("given twice"))' <<<"$output"
}

@test "a field spelt in another case: exit 2 naming it (runc would read \"UID\" as uid, or mount \"Mounts\")" {
  compliant_config | sed 's/"uid": 1000/"uid": 1000, "UID": 0/' >"$T/c.json"
  grep -q '"UID": 0' "$T/c.json"
  expect "$T/c.json" 2 '/process/user: key "UID" can be taken for the field "uid" by runc'
  compliant_config | jq '.Mounts = [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}]' >"$T/d.json"
  expect "$T/d.json" 2 'the document: key "Mounts" can be taken for the field "mounts" by runc'
  # An annotation is a map key, not a field: any case is fine.
  compliant_config | jq '.annotations = {"UID": "0", "Mounts": "x"}' >"$T/e.json"
  run "$OCIGATE" check "$T/e.json"
  [ "$status" -eq 0 ]
}

@test "an unreadable path: exit 2" {
  run "$OCIGATE" check "$T/does-not-exist.json"
  [ "$status" -eq 2 ]
  [[ "$output" == *"open $T/does-not-exist.json: No such file or directory"* ]]
}

@test "a directory: exit 2" {
  run "$OCIGATE" check "$T"
  [ "$status" -eq 2 ]
  [[ "$output" == *"is a directory"* ]]
}

@test "usage errors exit 2" {
  run "$OCIGATE" check
  [ "$status" -eq 2 ]
  run "$OCIGATE" check --format yaml x
  [ "$status" -eq 2 ]
  [[ "$output" == *"unknown format 'yaml'"* ]]
  run "$OCIGATE" frobnicate
  [ "$status" -eq 2 ]
  run "$OCIGATE"
  [ "$status" -eq 2 ]
}

@test "random bytes never crash check" {
  for i in $(seq 1 200); do
    head -c $((RANDOM % 4096)) /dev/urandom >"$T/r.json"
    run "$OCIGATE" check "$T/r.json"
    [ "$status" -eq 2 ] || { echo "iteration $i: status $status"; false; }
  done
}

@test "mutated real fixtures never crash check" {
  for f in "$FIXTURES"/*.json; do
    for cut in 10 100 1000 3000; do
      head -c "$cut" "$f" >"$T/m.json"
      run "$OCIGATE" check "$T/m.json"
      [ "$status" -le 2 ] || { echo "$f cut $cut: status $status"; false; }
    done
    # flip types: every number becomes a string, every string a number
    jq 'walk(if type == "number" then tostring elif type == "boolean" then 1 else . end)' "$f" >"$T/m.json"
    run "$OCIGATE" check "$T/m.json"
    [ "$status" -le 2 ] || { echo "$f types: status $status"; false; }
  done
}
