#!/usr/bin/env bats
# What the fuzz targets (tests/fuzz/) found, fed to the real binary, plus
# nasty inputs for every entry point: check, policy validate, hook (state
# on stdin) and ocigate-runc.  Each must end in a clean exit: 0, 1 or 2,
# never a signal, an abort or a memory error.
#
# The regression tests run under memcheck when valgrind is installed
# (--error-exitcode=86), so a heap over-read or an uninitialised read fails
# them on the ordinary gcc build too; FUZZ_VALGRIND=all runs every test so
# (slow), FUZZ_VALGRIND=0 none.  Another build (ocigate-runc beside it):
#   make SANITIZE=1 B=/tmp/asan && OCIGATE_BIN=/tmp/asan/ocigate bats tests/cli/fuzz-regressions.bats
load helpers
bats_require_minimum_version 1.5.0

REGRESSIONS="$ROOT/tests/fuzz/regressions"
OCIGATE=${OCIGATE_BIN:-$OCIGATE}
OCIGATE_RUNC="$(dirname "$OCIGATE")/ocigate-runc"
SANITIZED=
if grep -q __asan_init "$OCIGATE" 2>/dev/null; then
  SANITIZED=1 # memcheck cannot run it; the sanitizers report instead
  export ASAN_OPTIONS="exitcode=86:detect_leaks=1" UBSAN_OPTIONS="exitcode=87:print_stacktrace=1"
fi

setup() {
  T=$(mktemp -d)
  mkdir "$T/bundle"
  # The wrapper's "runtime" is /bin/true: nothing here starts a container.
  printf '{"version": 1, "runtime": {"runc": "/bin/true", "crun": "/bin/true"}, "log": {"file": "%s/decisions.log"}, "rules": {"user.root": {"action": "deny"}, "capabilities": {"action": "fix", "allow": ["CAP_NET_BIND_SERVICE"]}}}\n' "$T" >"$T/policy.json"
  chmod 0644 "$T/policy.json"
}

teardown() {
  rm -rf "$T"
}

# Regression tests call this first: later runs are under memcheck.
memcheck() {
  MEMCHECK=1
}

# gate BINARY ARG...: run it, under memcheck when asked for, valgrind is
# there and the binary is not a sanitizer build.
gate() {
  local bin=$1
  shift
  local want=${FUZZ_VALGRIND:-${MEMCHECK:-0}}
  [ "$want" = all ] && want=1
  if [ "$want" = 1 ] && [ -z "$SANITIZED" ] && command -v valgrind >/dev/null; then
    # memcheck watches the dynamically linked twin of a static build
    local twin
    twin="$(dirname "$bin")/dynamic/$(basename "$bin")"
    [ -x "$twin" ] && bin=$twin
    valgrind -q --error-exitcode=86 --leak-check=no "$bin" "$@"
  else
    "$bin" "$@"
  fi
}

# The last `run` ended cleanly: 0, 1 or 2, and no sanitizer or memcheck report.
clean_exit() {
  echo "status=$status"
  printf '%s\n' "${output:0:3000}"
  [ "$status" -le 2 ]
  [[ "$output" != *"AddressSanitizer"* && "$output" != *"LeakSanitizer"* && "$output" != *"runtime error:"* ]]
  [[ "$output" != *"Invalid read"* && "$output" != *"uninitialised"* ]]
}

check() { # FILE: ocigate check under the test policy, JSON output
  run gate "$OCIGATE" check -p "$T/policy.json" --format json "$1"
}

validate() { # FILE
  run gate "$OCIGATE" policy validate "$1"
}

hook() { # FILE: the OCI state on stdin
  run gate "$OCIGATE" hook -p "$T/policy.json" <"$1"
}

# wrapper FILE: the fuzz input's argv (NUL-separated, argv[0] first) run as
# ocigate-runc, from the bundle directory, under the test policy.
wrapper() {
  local args=()
  mapfile -d '' -t args <"$1"
  cd "$T/bundle"
  run gate "$OCIGATE_RUNC" "--ocigate-policy=$T/policy.json" "${args[@]:1}"
  cd - >/dev/null
}

# A config the test policy allows, with a jq filter applied.
config_with() {
  compliant_config | jq "$1" >"$T/c.json"
}

# config_raw FILTER TEXT: as config_with, then the string "@N@" replaced by
# TEXT as it is (jq would rewrite a number such as 1e400).
config_raw() {
  compliant_config | jq "$1" | sed "s|\"@N@\"|$2|" >"$T/c.json"
}

# ---------------------------------------------------------------------------
# Found by the fuzz targets (tests/fuzz/regressions/TARGET-NAME)
# ---------------------------------------------------------------------------

@test "regression policy-empty-key: an empty key is named without reading past a buffer" {
  # json_pointer_escape("") returned an unterminated buffer: the error
  # message read uninitialised heap (ASan: heap-buffer-overflow).
  memcheck
  validate "$REGRESSIONS/policy-empty-key"
  clean_exit
  [ "$status" -eq 1 ]
  [[ "$output" == *"policy-empty-key:1: : unknown key"* ]]
}

@test "regression policy-empty-key: an empty rule ID is named without reading past a buffer" {
  memcheck
  printf '{"version": 1,\n "rules": {"": {"action": "deny"}}}\n' >"$T/p.json"
  validate "$T/p.json"
  clean_exit
  [ "$status" -eq 1 ]
  [[ "$output" == *"p.json:2: rules.: unknown rule"* ]]
}

@test "regression config-rlimit-unknown-type: under fix, an rlimit type the runtimes do not know is refused, not a rewrite that fails" {
  # The rlimits rule marked it "fix", which it cannot mend: the gate tried
  # the rewrite and failed ("the rewritten config still fails"), the fuzz
  # target's invariant that a "fix" finding is one the fix mends.
  jq '.rules.rlimits.action = "fix"' "$ROOT/policies/default.json" >"$T/p.json"
  run "$OCIGATE" check -p "$T/p.json" "$REGRESSIONS/config-rlimit-unknown-type"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny rlimits: rlimit type RLIMIT_NPROCproc is not one runc or crun knows"* ]]
  [[ "${lines[-1]}" == *": deny" ]]
}

@test "regression state-nul-bundle: a bundle with a NUL in it is refused, not read as \"\"" {
  # "\u0000" made a non-empty JSON string but an empty C string: the hook
  # then judged /config.json instead of the runtime's bundle.
  memcheck
  hook "$REGRESSIONS/state-nul-bundle"
  clean_exit
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: OCI state:"* ]]
  [[ "$output" != *"/config.json"* ]]
}

@test "regression config-broken-surrogate: a config that breaks off in a surrogate pair does not change the next" {
  # json-c's reset keeps the first half of a surrogate pair a failed parse
  # stopped after, and ocigate kept its parser across documents: the next
  # config's first \u escape was joined to it ("\udc00" read as U+10000, not
  # U+FFFD).  fuzz_policy found it, in the policy it loads after a failure.
  memcheck
  # A lone "\udc00" showed it; such halves are refused now, so the next
  # config's first escape is a whole pair.
  jq '(.mounts[] | select(.source == "/var/run/docker.sock") | .destination) = "@D@"' \
    "$FIXTURES/docker-docker-sock.json" | sed 's|"@D@"|"/\\udbff\\udfffx"|' >"$T/good.json"
  run gate "$OCIGATE" check "$T/good.json"
  clean_exit
  alone=$output
  [[ "$alone" == *"destination /"$'\xf4\x8f\xbf\xbf'"x)"* ]]
  run gate "$OCIGATE" check "$REGRESSIONS/config-broken-surrogate" "$T/good.json"
  clean_exit
  [ "$status" -eq 2 ]
  [[ "$output" == *"config-broken-surrogate:1:"*"invalid JSON"* ]]
  [ "$(grep -F "$T/good.json" <<<"$output")" = "$alone" ]
}

# ---------------------------------------------------------------------------
# check: nasty configs
# ---------------------------------------------------------------------------

@test "check: nesting at the limit (64) is judged, one more is exit 2" {
  nest() {
    python3 -c 'import sys; d = int(sys.argv[1]); print("{\"process\": {\"user\": {\"uid\": 1000, \"gid\": 1000}}, \"x\": " + "[" * d + "]" * d + "}")' "$1"
  }
  nest 63 >"$T/c.json"
  check "$T/c.json"
  clean_exit
  [ "$status" -ne 2 ]
  nest 64 >"$T/c.json"
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 2 ]
  [[ "$output" == *"nesting deeper than the limit of 64"* ]]
}

@test "check: huge and odd numbers in judged fields are exit 2, elsewhere they are kept" {
  for n in 1e400 -1e400 99999999999999999999999999 18446744073709551615 18446744073709551616 \
    9223372036854775808 -9223372036854775809 4294967296 -1 1.0 1e2 -0.0 0e0; do
    config_raw '.process.user.uid = "@N@"' "$n"
    check "$T/c.json"
    clean_exit
    [ "$status" -eq 2 ]
    config_raw "$USERNS"' | .linux.uidMappings[0].hostID = "@N@"' "$n"
    check "$T/c.json"
    clean_exit
    [ "$status" -eq 2 ]
  done
  for n in 1e400 -1e400 1e-400 99999999999999999999999999999 -99999999999999999999999999999 -0 0.1e1; do
    config_raw '.x = ["@N@"]' "$n"
    check "$T/c.json"
    clean_exit
    [ "$status" -ne 1 ]
  done
}

@test "check: -0 is uid 0 (json-c reads it as the integer 0)" {
  config_raw '.process.user.uid = "@N@"' -0
  grep -q '"uid": -0' "$T/c.json"
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 1 ]
  jq -e 'any(.findings[]; .rule == "user.root")' <<<"$output"
}

@test "check: long strings everywhere" {
  head -c 1000000 /dev/zero | tr '\0' 'a' >"$T/long"
  compliant_config | jq --rawfile l "$T/long" '.process.args = [$l, $l] | .hostname = $l | .annotations = {($l): $l}
      | .mounts += [{"destination": ("/" + $l), "source": ("/" + $l), "type": "bind", "options": ["rbind", $l]}]
      | .linux.sysctl = {($l): $l} | .process.env = [$l] | .process.apparmorProfile = $l
      | .linux.maskedPaths += [$l]' >"$T/c.json"
  check "$T/c.json"
  clean_exit
}

@test "check: long namespace path and escapes in every string" {
  long=$(head -c 70000 /dev/zero | tr '\0' '/')
  config_with ".linux.namespaces += [{\"type\": \"user\", \"path\": \"/proc/self/ns/user$long\"}]
      | .process.args = [\"\\u0000\", \"\\ud83d\\ude00\", \"\\\\\", \"~0~1/\"] | .annotations = {\"\": \"\", \"a/b~c\": \"\\u0000\"}"
  check "$T/c.json"
  clean_exit
}

@test "check: duplicate keys are an error, whichever comes first" {
  # Go's encoding/json (runc, containerd) keeps the last of two members with
  # one key, crun's parser the first: either reading could be the wrong one.
  printf '%s' "$(compliant_config | jq -c .)" | sed 's/^{/{"process": {"user": {"uid": 1000}}, /' >"$T/c.json"
  sed -i 's/"uid":1000,"gid":1000}/"uid":1000,"gid":1000,"uid":0}/' "$T/c.json"
  grep -q '"uid":0}' "$T/c.json"
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 2 ]
  jq -e '.decision == "error" and (.error | test("key \"process\" given twice in the document"))' <<<"$output"
}

@test "check: lists at and over their limits" {
  config_with '.process.capabilities.bounding = [range(4096) | "CAP_CHOWN"]'
  check "$T/c.json"
  clean_exit
  [ "$status" -ne 2 ]
  config_with '.process.capabilities.bounding = [range(4097) | "CAP_CHOWN"]'
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 2 ]
  config_with "$USERNS"' | .linux.uidMappings = [range(341) | {"containerID": ., "hostID": (1000000 + .), "size": 1}]'
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 2 ]
  config_with '.process.user.additionalGids = [range(4097)]'
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 2 ]
}

@test "check: every judged field with the wrong type" {
  for f in '.process = 1' '.process.user = []' '.process.user.uid = "0"' '.process.capabilities = "ALL"' \
    '.process.capabilities.bounding = [1]' '.process.capabilities.bounding = ["CAP_NOPE"]' '.linux = []' \
    '.linux.namespaces = {}' '.linux.namespaces = [1]' '.linux.namespaces = [{"type": 1}]' \
    '.linux.namespaces = [{"type": "pid"}, {"type": "pid"}]' '.linux.namespaces = [{"type": "user", "path": 1}]' \
    '.linux.uidMappings = [{"containerID": 0}]' '.mounts = {}' '.mounts = [1]' '.linux.sysctl = []' \
    '.linux.devices = {}' '.linux.resources = []' '.linux.seccomp = []' '.linux.maskedPaths = [1]' \
    '.process.apparmorProfile = 1' '.process.selinuxLabel = []' '.root = "x"' '.annotations = []'; do
    config_with "$f"
    check "$T/c.json"
    clean_exit
  done
}

@test "check: a config at the size limit is read, one byte more is exit 2" {
  compliant_config | jq -c . >"$T/c.json"
  size=$(stat -c %s "$T/c.json")
  # pad with spaces after the document, up to 16 MiB exactly
  head -c $((16 * 1024 * 1024 - size)) /dev/zero | tr '\0' ' ' >>"$T/c.json"
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 0 ]
  printf ' ' >>"$T/c.json"
  check "$T/c.json"
  clean_exit
  [ "$status" -eq 2 ]
}

@test "fix: a rewrite of a config full of oddities is itself valid and passes" {
  config_with '.process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_SYS_ADMIN"] | .annotations = {"": "\u0001"}
      | .process.args = ["\ud83d\ude00"] | .x = [[[[[[[[1e300]]]]]]]]'
  run gate "$OCIGATE" fix -p "$T/policy.json" -o "$T/fixed.json" "$T/c.json"
  clean_exit
  [ "$status" -eq 0 ]
  check "$T/fixed.json"
  clean_exit
  [ "$status" -eq 0 ]
}

# ---------------------------------------------------------------------------
# policy validate: nasty policies
# ---------------------------------------------------------------------------

@test "policy: nesting at the limit, huge numbers, duplicate keys, long strings" {
  python3 -c 'print("{\"version\": 1, \"rules\": {}, \"exceptions\": " + "[" * 63 + "]" * 63 + "}")' >"$T/p.json"
  validate "$T/p.json"
  clean_exit
  [ "$status" -eq 1 ]
  for v in 1e400 99999999999999999999999 18446744073709551617 -1 1.0 '"1"' null; do
    printf '{"version": %s, "rules": {}}' "$v" >"$T/p.json"
    validate "$T/p.json"
    clean_exit
    [ "$status" -eq 1 ]
  done
  # the last "rules" wins: here an unknown rule, so invalid
  printf '{"version": 1, "rules": {}, "rules": {"nope": {"action": "deny"}}}' >"$T/p.json"
  validate "$T/p.json"
  clean_exit
  [ "$status" -eq 1 ]
  head -c 170000 /dev/zero | tr '\0' 'x' >"$T/long" # six times in the policy: under its 1 MiB limit
  jq -n --rawfile l "$T/long" '{"version": 1, "rules": {"user.root": {"action": "deny"}},
      "exceptions": [{"match": {"id": $l, "annotations": {($l): $l}}, "rules": ["user.root"], "reason": $l}],
      "log": {"file": ("/" + $l)}, "runtime": {"runc": ("/" + $l)}}' >"$T/p.json"
  validate "$T/p.json"
  clean_exit
  [ "$status" -eq 0 ]
  jq -n --rawfile l "$T/long" '{"version": 1, "rules": {($l): {"action": "deny"}}}' >"$T/p.json"
  validate "$T/p.json"
  clean_exit
  [ "$status" -eq 1 ]
}

@test "policy: options of every rule given wrong types, and 1025 exceptions" {
  run --separate-stderr "$OCIGATE" policy show -p "$T/policy.json"
  [ "$status" -eq 0 ]
  shown=$output
  for id in $(jq -r '.rules | keys[]' <<<"$shown"); do
    for bad in '{}' '{"action": 1}' '{"action": "nope"}' '{"action": "warn", "nope": 1}' \
      "$(jq -c --arg id "$id" '.rules[$id] | with_entries(if .key == "action" then . else .value = {"x": [1]} end)' <<<"$shown")" \
      "$(jq -c --arg id "$id" '.rules[$id] | with_entries(if .key == "action" then . else .value = [[[""]]] end)' <<<"$shown")"; do
      printf '{"version": 1, "rules": {"%s": %s}}' "$id" "$bad" >"$T/p.json"
      validate "$T/p.json"
      clean_exit
    done
  done
  jq -n '{"version": 1, "rules": {}, "exceptions": [range(1025) | {"match": {"id": "x"}, "rules": ["user.root"], "reason": "r"}]}' >"$T/p.json"
  validate "$T/p.json"
  clean_exit
  [ "$status" -eq 1 ]
}

@test "policy show: what it prints loads again and prints the same" {
  run --separate-stderr gate "$OCIGATE" policy show -p "$ROOT/policies/default.json"
  clean_exit
  printf '%s\n' "$output" >"$T/shown.json"
  run --separate-stderr gate "$OCIGATE" policy show -p "$T/shown.json"
  clean_exit
  [ "$output" = "$(cat "$T/shown.json")" ]
}

# ---------------------------------------------------------------------------
# hook: nasty OCI states
# ---------------------------------------------------------------------------

@test "hook: nasty states are refused cleanly" {
  long=$(head -c 900000 /dev/zero | tr '\0' 'b')
  compliant_config >"$T/bundle/config.json"
  i=0
  for s in '' 'null' '[]' '"x"' '{"bundle": 1}' '{"bundle": ""}' '{"bundle": null}' "{\"id\": \"$long\", \"bundle\": \"/$long\"}" \
    "$(python3 -c 'print("{\"bundle\": \"/x\", \"a\": " + "[" * 63 + "]" * 63 + "}")')" \
    "$(python3 -c 'print("{\"bundle\": \"/x\", \"a\": " + "[" * 64 + "]" * 64 + "}")')" \
    '{"id": 1e400, "bundle": "/nonexistent", "pid": 99999999999999999999999}' \
    '{"bundle": "/nonexistent", "bundle": "'"$T"'/bundle"}' \
    '{"bundlePath": "\u0000", "bundle": "\ud800"}'; do
    printf '%s' "$s" >"$T/state.$i"
    hook "$T/state.$i"
    clean_exit
    i=$((i + 1))
  done
  # A state over the 1 MiB limit
  { printf '{"bundle": "/x", "pad": "'; head -c $((1024 * 1024)) /dev/zero | tr '\0' ' '; printf '"}'; } >"$T/state.big"
  hook "$T/state.big"
  clean_exit
  [ "$status" -eq 1 ]
}

@test "hook: duplicate keys in the OCI state refuse the container" {
  compliant_config >"$T/bundle/config.json"
  printf '{"id": "c1", "bundle": "/nonexistent", "bundle": "%s/bundle"}' "$T" >"$T/state"
  hook "$T/state"
  clean_exit
  [ "$status" -eq 1 ]
  [[ "$output" == *'key "bundle" given twice in the document'* ]]
}

@test "hook precreate: nasty configs on stdin" {
  for f in '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .hooks = 1' '.hooks.prestart = {}' \
    '.process.user.uid = 0' '.annotations = {"": "\u0001"}'; do
    config_with "$f"
    run gate "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/c.json"
    clean_exit
  done
}

# ---------------------------------------------------------------------------
# ocigate-runc: nasty command lines (the runtime is /bin/true)
# ---------------------------------------------------------------------------

@test "ocigate-runc: nasty command lines" {
  compliant_config >"$T/bundle/config.json"
  argv() { printf '%s\0' runc "$@" >"$T/argv"; }
  long=$(head -c 100000 /dev/zero | tr '\0' 'x')
  many=()
  for _ in $(seq 300); do many+=(-c CAP_CHOWN); done
  while read -r line; do
    eval "set -- $line"
    argv "$@"
    wrapper "$T/argv"
    clean_exit
  done <<EOF
create
create --
create -- --
create -b
create --bundle= c1
create --bundle=$T/bundle --bundle c1
create -b $T/bundle -f "" c1
create -bX c1
create -b=X c1
--root create c1
--root
--log-format=json --log=$T/log create c1 c2
run --detach=maybe c1
exec
exec c1
exec -u 0:0 c1 sh
exec -g -1 -u 99999999999999999999 c1 sh
exec --process=/nonexistent c1
exec --cap= c1 true
create $long
create --bundle $T/bundle --$long c1
'' '' '' create c1
-
--
--version
--help create c1
EOF
  argv exec "${many[@]}" c1 true
  wrapper "$T/argv"
  clean_exit
  [ "$status" -eq 1 ]
}

@test "regression containerd_toml-nul-bytes: a config.toml with NUL bytes is refused, nothing written" {
  # Both readers copied the bytes after a NUL as they were, and the fuzz
  # target's length check found it: the drop-in would have carried a file
  # containerd cannot read.
  mkdir -p "$T/root/etc/containerd"
  cp "$REGRESSIONS/containerd_toml-nul-bytes" "$T/root/etc/containerd/config.toml"
  run "$OCIGATE" setup --root "$T/root" --bindir /opt/ocigate/bin containerd
  [ "$status" -eq 1 ]
  [[ "$output" == *"a NUL byte"* ]]
  [ ! -e "$T/root/etc/containerd/conf.d" ]
  cmp "$REGRESSIONS/containerd_toml-nul-bytes" "$T/root/etc/containerd/config.toml"
}
