#!/usr/bin/env bats
# ocigate under valgrind's memcheck on the paths a container start takes:
# check, fix and policy offline, the hook at every stage (fed by hand and
# run by runc), and the wrapper in front of the real runc (busybox
# containers allowed, rewritten and refused; exec with a --process file).
# Each run must end with no memcheck error and no definitely, indirectly or
# possibly lost byte, in ocigate and in every child it forks.
#
# The choices, and why:
# - --trace-children=no: the wrapper ends by exec'ing runc, and the hook and
#   the wrapper's `state` call exec runc too; runc is not ours to check.
#   Past that exec no leak check runs, so each path up to the exec is also
#   run where the exec fails (a runtime that cannot be run), which ends
#   inside ocigate with the full leak check; refusals end inside it anyway.
# - --child-silent-after-fork=no: the seccomp rule compiles each profile
#   with libseccomp in a forked child (it ends with _exit); its own memcheck
#   log is checked like the parent's.  The disk cache of compiled profiles
#   is turned off (OCIGATE_SECCOMP_CACHE empty) so that the child runs,
#   except in the one test of that cache.
# - --run-libc-freeres=no: memcheck otherwise runs glibc's freeres in that
#   child at _exit, which flushes the stdout buffer the child inherited and
#   prints the parent's pending output twice (a valgrind artefact).
# - --track-origins=yes: a failure names where an uninitialised value came
#   from; it costs about a third more time.
# - memcheck cannot see malloc in a static binary: when build/ocigate is
#   static-pie (STATIC=1, the Makefile's default), the suite checks
#   build/dynamic/ocigate, the same objects linked dynamically (make check
#   builds it).  OCIGATE_BIN=PATH checks another dynamically linked build.
#   A sanitizer build is skipped: the sanitizers do this job there.
#
# Needs root (real containers) and valgrind; skips without them.
bats_require_minimum_version 1.5.0
load lib-daemon

# shellcheck disable=SC2054 # the commas are valgrind's
VG_OPTS=(--tool=memcheck --error-exitcode=99 --leak-check=full
  --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible
  --track-origins=yes --trace-children=no --child-silent-after-fork=no --run-libc-freeres=no
  --num-callers=40)

setup_file() {
  export VG_SKIP="" VG_BIN=""
  if ! command -v valgrind >/dev/null 2>&1; then
    VG_SKIP="valgrind is not installed (apt-get install valgrind)"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    VG_SKIP="needs root: the wrapper and hook paths start real containers"
    return 0
  fi
  local bin=${OCIGATE_BIN:-$E2E_ROOT/build/ocigate}
  if [ -z "${OCIGATE_BIN:-}" ] && ! readelf -l "$bin" 2>/dev/null | grep -q 'program interpreter'; then
    # build/ocigate is static-pie: make check also builds the same objects
    # linked dynamically, for memcheck.
    bin=$E2E_ROOT/build/dynamic/ocigate
    [ -x "$bin" ] || {
      echo "$bin is missing: make build/dynamic/ocigate (make check builds it)" >&2
      return 1
    }
  fi
  if grep -q __asan_init "$bin" 2>/dev/null; then
    VG_SKIP="a sanitizer build (make check SANITIZE=1): AddressSanitizer checks memory there, and memcheck cannot run it"
    return 0
  fi
  readelf -l "$bin" | grep -q 'program interpreter' || {
    echo "$bin is not dynamically linked: memcheck cannot see its allocations" >&2
    return 1
  }
  # The wrapper is the same binary under the name ocigate-runc.
  mkdir -p "$BATS_FILE_TMPDIR/bin"
  ln -sf "$bin" "$BATS_FILE_TMPDIR/bin/ocigate"
  ln -sf "$bin" "$BATS_FILE_TMPDIR/bin/ocigate-runc"
  VG_BIN="$BATS_FILE_TMPDIR/bin"
}

setup() {
  [ -z "$VG_SKIP" ] || skip "$VG_SKIP"
  local c
  for c in "$RUNC" jq readelf; do
    command -v "$c" >/dev/null || {
      echo "$c is not installed (tests/deps.sh test installs the test packages)"
      return 1
    }
  done
  T=$BATS_TEST_TMPDIR
  R="$T/runc-root"
  P="$T/policy.json"
  install -m 0644 "$E2E_ROOT/policies/default.json" "$P"
}

teardown() {
  [ -n "${R:-}" ] && runc_cleanup "$R"
  return 0
}

# ----------------------------------------------------------------- memcheck

# vg NAME PROGRAM ARG...: PROGRAM (ocigate or ocigate-runc) under memcheck,
# its logs (one per process) in $T/vg/NAME.PID.log.  NAME has no dot.  The
# seccomp cache directory is VG_CACHE (none when unset).
vg() {
  local name=$1 prog=$2
  shift 2
  mkdir -p "$T/vg"
  OCIGATE_SECCOMP_CACHE=${VG_CACHE:-} \
    valgrind "${VG_OPTS[@]}" --log-file="$T/vg/$name.%p.log" "$VG_BIN/$prog" "$@"
}

# vg_main_log NAME: the log of the process valgrind started (the one whose
# parent left no log).
vg_main_log() {
  local f pid parent
  declare -A have=()
  for f in "$T/vg/$1".*.log; do
    pid=${f%.log}
    have[${pid##*.}]=1
  done
  for f in "$T/vg/$1".*.log; do
    parent=$(sed -n 's/^==[0-9]*== Parent PID: \([0-9]*\)$/\1/p' "$f")
    if [ -z "${have[$parent]:-}" ]; then
      echo "$f"
      return 0
    fi
  done
  return 1
}

# vg_clean NAME exit|exec: after `run vg NAME ...`: memcheck's exit status
# was not its error code, and no log of the run holds an error or a lost
# block.  exit: ocigate ended inside itself, so its log has the error and
# leak summaries; exec: it exec'd the runtime, so its log ends before them.
vg_clean() {
  local name=$1 mode=$2 f main why=""
  local logs=("$T/vg/$name".*.log)
  [ -e "${logs[0]}" ] || {
    echo "no memcheck log for $name"
    return 1
  }
  [ "$status" -ne 99 ] || why+="memcheck's exit status 99 (errors found); "
  for f in "${logs[@]}"; do
    # every error and every shown leak comes with a stack
    if grep -qE '^==[0-9]+== +(at|by) 0x' "$f"; then why+="${f##*/}: an error or a leak; "; fi
    if grep -q 'ERROR SUMMARY:' "$f" && ! grep -q 'ERROR SUMMARY: 0 errors from 0 contexts' "$f"; then
      why+="${f##*/}: errors in the summary; "
    fi
    if grep -qE '(definitely|indirectly|possibly) lost: [1-9]' "$f"; then why+="${f##*/}: lost bytes; "; fi
  done
  main=$(vg_main_log "$name") || why+="no main log; "
  if [ -n "$main" ]; then
    case "$mode" in
      exit)
        grep -q 'ERROR SUMMARY: 0 errors from 0 contexts' "$main" || why+="${main##*/}: no clean error summary; "
        grep -qE 'definitely lost: 0 bytes|All heap blocks were freed' "$main" || why+="${main##*/}: no leak summary; "
        ;;
      exec)
        if grep -q 'HEAP SUMMARY' "$main"; then why+="${main##*/}: ended inside ocigate, not in the runtime; "; fi
        ;;
    esac
  fi
  [ -z "$why" ] && return 0
  echo "memcheck, $name: $why"
  for f in "${logs[@]}"; do
    echo "----- ${f##*/}"
    grep -v '^--[0-9]*-- ' "$f" | head -c 20000
  done
  return 1
}

# vgrun NAME MODE WANT PROGRAM ARG...: run it under memcheck, then the exit
# status is WANT and the run is clean.
vgrun() {
  local name=$1 mode=$2 want=$3
  shift 3
  local rc=0
  run --separate-stderr vg "$name" "$@"
  echo "$name: status=$status"
  printf 'stdout: %s\nstderr: %s\n' "${output:0:2000}" "${stderr:0:2000}"
  vg_clean "$name" "$mode" || rc=1
  if [ "$status" -ne "$want" ]; then
    echo "$name: exit status $status, expected $want"
    rc=1
  fi
  return "$rc"
}

# ------------------------------------------------------------------ configs

# compliant FILE: runc's template with Docker's seccomp profile, UID 1000:
# the default policy allows it (with resource warnings).
compliant() {
  jq --slurpfile fx "$E2E_ROOT/tests/fixtures/docker-default.json" \
    '.process.user = {"uid": 1000, "gid": 1000} | .process.terminal = false | .linux.seccomp = $fx[0].linux.seccomp' \
    "$E2E_ROOT/tests/fixtures/runc-spec.json" >"$1"
}

# derive IN OUT FILTER [JQ-ARGS...]
derive() {
  local in=$1 out=$2 filter=$3
  shift 3
  jq "$@" "$filter" "$in" >"$out"
}

# state BUNDLE [KEY]: the OCI state a runtime gives a hook.
state() {
  printf '{"ociVersion": "1.0.2", "id": "vg1", "status": "creating", "%s": "%s"}' "${2:-bundle}" "$1"
}

# --------------------------------------------------------------- offline

@test "check: allowed, rewritten, denied, and the three in one run as JSON" {
  compliant "$T/ok.json"
  derive "$T/ok.json" "$T/fix.json" "$FILTER_EXTRA_CAPS"
  derive "$T/ok.json" "$T/bad.json" "$FILTER_PRIVILEGED" --argjson caps "$ALL_CAPS_JSON"
  vgrun check_ok exit 0 ocigate check -p "$P" "$T/ok.json"
  [ "${lines[-1]}" = "$T/ok.json: allow" ]
  vgrun check_fix exit 0 ocigate check -p "$P" "$T/fix.json"
  [ "${lines[-1]}" = "$T/fix.json: rewrite" ]
  vgrun check_deny exit 1 ocigate check -p "$P" "$T/bad.json"
  [[ "$output" == *"$T/bad.json: deny privileged: container is privileged"* ]]
  vgrun check_json exit 1 ocigate check -p "$P" --format json "$T/ok.json" "$T/fix.json" "$T/bad.json"
  [ "$(jq -r .decision <<<"$output" | tr '\n' ' ')" = "allow rewrite deny " ]
}

@test "check: bad input exits 2 (not JSON, a missing file, wrong types, past a limit, a broken policy)" {
  compliant "$T/ok.json"
  printf '{"process": {"user": {"uid": 0,}}}' >"$T/syntax.json"
  derive "$T/ok.json" "$T/type.json" '.process.user.uid = "0"'
  derive "$T/ok.json" "$T/limit.json" '.mounts += [range(4097) | {"destination": "/m\(.)", "type": "tmpfs", "source": "tmpfs"}]'
  derive "$T/ok.json" "$T/ns.json" '.linux.namespaces += [{"type": "pid"}]'
  printf '{\n  "version": 1,\n  "rules": {"user.root": {"action": "block"}}\n}\n' >"$T/broken.json"
  vgrun bad_syntax exit 2 ocigate check "$T/syntax.json"
  [[ "$stderr" == *"$T/syntax.json:1:"*"invalid JSON"* ]]
  vgrun bad_missing exit 2 ocigate check "$T/missing.json"
  [[ "$stderr" == *"open $T/missing.json: No such file or directory"* ]]
  vgrun bad_type exit 2 ocigate check -p "$P" "$T/type.json"
  [[ "$stderr" == *"process.user.uid: must be an integer"* ]]
  vgrun bad_limit exit 2 ocigate check -p "$P" "$T/limit.json"
  [[ "$stderr" == *"mounts: 4104 mounts, more than the limit of 4096"* ]]
  vgrun bad_ns exit 2 ocigate check -p "$P" "$T/ns.json"
  [[ "$stderr" == *'namespace type "pid" given twice'* ]]
  vgrun bad_policy exit 2 ocigate check -p "$T/broken.json" "$T/ok.json"
  [[ "$stderr" == *"$T/broken.json:3: rules.user.root.action"* ]]
  vgrun bad_json exit 2 ocigate check --format json -p "$P" "$T/ok.json" "$T/syntax.json"
  [ "$(jq -r .decision <<<"$output" | tr '\n' ' ')" = "allow error " ]
  vgrun bad_usage exit 2 ocigate check --format yaml "$T/ok.json"
}

@test "check: every real-engine fixture under every shipped policy, one run per policy" {
  local p name want fixtures=("$E2E_ROOT"/tests/fixtures/*.json)
  for p in "$E2E_ROOT"/policies/*.json; do
    name=$(basename "$p" .json)
    # the verdicts without memcheck
    want=0
    "$VG_BIN/ocigate" check --format json -p "$p" "${fixtures[@]}" >"$T/native.json" || want=$?
    vgrun "fixtures_${name//-/_}" exit "$want" ocigate check --format json -p "$p" "${fixtures[@]}"
    [ "$(jq -s length <<<"$output")" -eq "${#fixtures[@]}" ]
    diff <(jq -c '{config, decision}' "$T/native.json") <(jq -c '{config, decision}' <<<"$output")
  done
}

@test "check: exceptions matching on id, bundle, args0 and annotations" {
  compliant "$T/ok.json"
  derive "$T/ok.json" "$T/root.json" '.process.user.uid = 0 | .annotations = {"io.example/team": "infra"}'
  derive "$P" "$T/exc.json" '.exceptions = [
      {"match": {"id": "agent-*", "args0": "sh", "annotations": {"io.example/*": "infra"}, "bundle": $b},
       "rules": ["user.root"], "reason": "INC-1: the agent needs root"},
      {"match": {"id": "other"}, "rules": ["privileged", "seccomp"], "reason": "INC-2"}]' --arg b "$T"
  vgrun exc_match exit 0 ocigate check -p "$T/exc.json" --id agent-7 "$T/root.json"
  [[ "$output" == *"exception 0 (\"INC-1: the agent needs root\") relaxes this deny"* ]]
  vgrun exc_nomatch exit 1 ocigate check -p "$T/exc.json" --id nobody "$T/root.json"
  [[ "$output" == *"deny user.root"* ]]
}

@test "fix: to stdout, -o and -i; a config needing none comes back byte for byte; a denied one writes nothing" {
  compliant "$T/ok.json"
  derive "$T/ok.json" "$T/fix.json" "$FILTER_EXTRA_CAPS | del(.process.noNewPrivileges) | .linux.maskedPaths = []"
  derive "$T/ok.json" "$T/bad.json" '.process.user.uid = 0'
  vgrun fix_stdout exit 0 ocigate fix -p "$P" "$T/fix.json"
  jq -e '.process.noNewPrivileges == true and (.process.capabilities.bounding | index("CAP_SYS_ADMIN") == null)
      and (.linux.maskedPaths | index("/proc/kcore") != null)' <<<"$output"
  printf '%s\n' "$output" >"$T/stdout.json"
  vgrun fix_out exit 0 ocigate fix -p "$P" -o "$T/out.json" "$T/fix.json"
  [ -z "$output" ]
  cmp "$T/stdout.json" "$T/out.json"
  cp "$T/fix.json" "$T/inplace.json"
  vgrun fix_inplace exit 0 ocigate fix -p "$P" -i "$T/inplace.json"
  cmp "$T/inplace.json" "$T/out.json"
  vgrun fix_noop exit 0 ocigate fix -p "$P" "$T/ok.json"
  [ "$output" = "$(cat "$T/ok.json")" ]
  vgrun fix_stdin exit 0 ocigate fix -p "$P" - <"$T/fix.json"
  vgrun fix_deny exit 1 ocigate fix -p "$P" -o "$T/never.json" "$T/bad.json"
  [ ! -e "$T/never.json" ]
  [[ "$stderr" == *"deny user.root"* ]]
  vgrun fix_usage exit 2 ocigate fix -p "$P" -i -o "$T/x.json" "$T/fix.json"
}

@test "fix: seccomp inserts Podman's profile, translated" {
  local profile=/usr/share/containers/seccomp.json
  compliant "$T/ok.json"
  if [ ! -e "$profile" ]; then
    # without containers-common: Docker's profile as the fixture has it
    profile="$T/profile.json"
    jq '.linux.seccomp' "$E2E_ROOT/tests/fixtures/docker-default.json" >"$profile"
  fi
  derive "$T/ok.json" "$T/none.json" 'del(.linux.seccomp)'
  derive "$P" "$T/sc.json" '.rules.seccomp = {"action": "fix", "profile": $p}' --arg p "$profile"
  vgrun fix_seccomp exit 0 ocigate fix -p "$T/sc.json" -o "$T/out.json" "$T/none.json"
  jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and (.linux.seccomp.syscalls | length) > 10' "$T/out.json"
  # and what it wrote passes
  vgrun fix_seccomp_check exit 0 ocigate check -p "$T/sc.json" "$T/out.json"
  [ "${lines[-1]}" = "$T/out.json: allow" ]
}

@test "fix: the capabilities and the seccomp calls the engine allowed for them, trimmed as one rewrite" {
  # Docker's --user 1000 --cap-add ALL under the default policy
  vgrun fix_trim exit 0 ocigate fix -p "$E2E_ROOT/policies/default.json" -o "$T/out.json" \
    "$E2E_ROOT/tests/fixtures/docker-user1000-capadd-all.json"
  [[ "$stderr" == *"rewrote seccomp: took bpf, lookup_dcookie, perf_event_open, quotactl, quotactl_fd out of"* ]]
  vgrun fix_trim_check exit 0 ocigate check -p "$E2E_ROOT/policies/default.json" "$T/out.json"
  [ "${lines[-1]}" = "$T/out.json: allow" ]
}

@test "policy: show (embedded and every shipped policy) and validate (valid, invalid)" {
  local p name
  vgrun show_embedded exit 0 ocigate policy show -p "$P"
  jq -e '.rules["user.root"].action == "deny"' <<<"$output"
  for p in "$E2E_ROOT"/policies/*.json; do
    name=$(basename "$p" .json)
    vgrun "show_${name//-/_}" exit 0 ocigate policy show -p "$p"
    vgrun "validate_${name//-/_}" exit 0 ocigate policy validate "$p"
  done
  printf '{\n  "version": 1,\n  "rules": {"capabilities": {"action": "fix", "allow": ["CAP_BOGUS"]}}\n}\n' >"$T/bad.json"
  vgrun validate_bad exit 1 ocigate policy validate "$T/bad.json"
  [[ "$stderr" == *"$T/bad.json:3: rules.capabilities.allow"*"CAP_BOGUS"* ]]
}

# ------------------------------------------------------------------- hook

@test "hook prestart, createRuntime, createContainer: allowed (silent), denied, a fix it cannot make" {
  local stage
  mkdir "$T/ok" "$T/bad" "$T/fix"
  compliant "$T/ok/config.json"
  derive "$T/ok/config.json" "$T/bad/config.json" '.process.user.uid = 0'
  derive "$T/ok/config.json" "$T/fix/config.json" "$FILTER_EXTRA_CAPS"
  for stage in prestart createRuntime createContainer; do
    state "$T/ok" >"$T/state.json"
    vgrun "hook_${stage}_ok" exit 0 ocigate hook --stage "$stage" -p "$P" <"$T/state.json"
    [ -z "$output$stderr" ]
    state "$T/bad" >"$T/state.json"
    vgrun "hook_${stage}_deny" exit 1 ocigate hook --stage "$stage" -p "$P" <"$T/state.json"
    [[ "$stderr" == "ocigate: denied by user.root: process runs as host UID 0"* ]]
  done
  state "$T/fix" >"$T/state.json"
  vgrun hook_fix exit 1 ocigate hook -p "$P" <"$T/state.json"
  [[ "$stderr" == *"which hook prestart cannot do: use the precreate hook"* ]]
  state "$T/bad" bundlePath >"$T/state.json"
  vgrun hook_bundlepath exit 1 ocigate hook -p "$P" <"$T/state.json"
  [[ "$stderr" == *"denied by user.root"* ]]
}

@test "hook: dry-run allows and logs; the refusals (bad state, no config, bad config, untrusted or broken policy)" {
  mkdir "$T/ok" "$T/bad" "$T/empty" "$T/garbage"
  compliant "$T/ok/config.json"
  derive "$T/ok/config.json" "$T/bad/config.json" '.process.user.uid = 0'
  echo '{"process": ' >"$T/garbage/config.json"
  derive "$P" "$T/logged.json" '.log = {"file": $f}' --arg f "$T/decisions.log"
  chmod 0644 "$T/logged.json"
  state "$T/bad" >"$T/state.json"
  vgrun hook_dry exit 0 ocigate hook --dry-run -p "$T/logged.json" <"$T/state.json"
  jq -e '.outcome == "allow" and .decision == "deny" and .dry_run == true' "$T/decisions.log"
  vgrun hook_logged exit 1 ocigate hook -p "$T/logged.json" <"$T/state.json"
  [ "$(jq -s 'map(.outcome)' "$T/decisions.log" | jq -c .)" = '["allow","refuse"]' ]

  vgrun hook_nostate exit 1 ocigate hook -p "$P" <<<'{"id": "x"}'
  [[ "$stderr" == 'ocigate: refused: OCI state: no "bundle"'* ]]
  vgrun hook_notjson exit 1 ocigate hook -p "$P" <<<'not json'
  state "$T/empty" >"$T/state.json"
  vgrun hook_noconfig exit 1 ocigate hook -p "$P" <"$T/state.json"
  [[ "$stderr" == "ocigate: refused: open $T/empty/config.json: No such file or directory" ]]
  state "$T/garbage" >"$T/state.json"
  vgrun hook_garbage exit 1 ocigate hook -p "$P" <"$T/state.json"
  [[ "$stderr" == "ocigate: refused: $T/garbage/config.json:"*"invalid JSON"* ]]
  state "$T/ok" >"$T/state.json"
  cp "$P" "$T/open.json"
  chmod 0666 "$T/open.json"
  vgrun hook_untrusted exit 1 ocigate hook -p "$T/open.json" <"$T/state.json"
  [[ "$stderr" == *"writable by everyone"* ]]
  printf '{"version": 9, "rules": {}}\n' >"$T/v9.json"
  chmod 0644 "$T/v9.json"
  vgrun hook_broken exit 1 ocigate hook -p "$T/v9.json" <"$T/state.json"
  [[ "$stderr" == *"$T/v9.json:1: version"* ]]
  vgrun hook_stage exit 1 ocigate hook -p "$P" --stage poststop <"$T/state.json"
}

@test "hook precreate: allowed (byte for byte), rewritten, refused (a refusing hook added, which refuses)" {
  compliant "$T/ok.json"
  derive "$T/ok.json" "$T/fix.json" "$FILTER_EXTRA_CAPS"
  derive "$T/ok.json" "$T/bad.json" '.process.user.uid = 0 | .hooks.prestart = [{"path": "/bin/true"}]'
  vgrun pre_ok exit 0 ocigate hook --stage precreate -p "$P" <"$T/ok.json"
  # Byte for byte, unless its decision was logged: then the same config
  # with the mark that tells the later hooks it was (README, Logs).
  if [ "$output" != "$(cat "$T/ok.json")" ]; then
    jq -e '.annotations["dev.ocigate.judged"] == "allow"' <<<"$output"
    diff <(jq -S . "$T/ok.json") <(jq -S 'del(.annotations["dev.ocigate.judged"])
      | if .annotations == {} then del(.annotations) else . end' <<<"$output")
  fi
  vgrun pre_fix exit 0 ocigate hook --stage precreate -p "$P" <"$T/fix.json"
  jq -e '.process.capabilities.bounding | index("CAP_SYS_ADMIN") == null' <<<"$output"
  vgrun pre_deny exit 0 ocigate hook --stage precreate -p "$P" <"$T/bad.json"
  # The refusing hook first; /bin/true, which the hooks rule found, removed.
  jq -e '.hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"] and (.hooks.prestart | length) == 1' <<<"$output"
  mapfile -t args < <(jq -r '.hooks.prestart[0].args[1:][]' <<<"$output")
  vgrun pre_refuse exit 1 ocigate "${args[@]}" </dev/null
  [[ "$stderr" == "ocigate: denied by user.root"* ]]
  printf '{"version": 9, "rules": {}}\n' >"$T/v9.json"
  chmod 0644 "$T/v9.json"
  vgrun pre_broken exit 0 ocigate hook --stage precreate -p "$T/v9.json" <"$T/ok.json"
  jq -e '.hooks.prestart[0].args | index("--refuse") == 2' <<<"$output"
  vgrun pre_garbage exit 1 ocigate hook --stage precreate -p "$P" <<<'garbage'
  [[ "$stderr" == "ocigate: refused: config.json:1:1: invalid JSON"* ]]
}

@test "hook under runc: the prestart hook runs under memcheck; an allowed container starts, a refused one does not" {
  local vgpath
  vgpath=$(command -v valgrind)
  make_bundle "$T/b" >/dev/null
  jq_inplace "$T/b/config.json" "$FILTER_COMPLIANT | .process.args = [\"/bin/id\"]"
  cp "$T/b/config.json" "$T/plain.json"
  # The hook's program is valgrind: the hooks rule must allow it.
  jq --arg vg "$vgpath" '.rules.hooks.allow = [$vg]' "$P" >"$T/vg-policy.json"
  chmod 0644 "$T/vg-policy.json"
  # shellcheck disable=SC2016 # jq program
  jq_inplace "$T/b/config.json" '.hooks.prestart = [{"path": $vg, "env": ["OCIGATE_SECCOMP_CACHE="],
      "args": (["valgrind"] + $opts + ["--log-file=\($log)", $bin, "hook", "--stage", "prestart", "-p", $p])}]' \
    --arg vg "$vgpath" --argjson opts "$(json_array "${VG_OPTS[@]}")" --arg log "$T/vg/hook_runc_ok.%p.log" \
    --arg bin "$VG_BIN/ocigate" --arg p "$T/vg-policy.json"
  mkdir -p "$T/vg"
  run --separate-stderr timeout 120 "$RUNC" --root "$R" run -b "$T/b" vg-hook-ok
  echo "allowed: status=$status out=$output err=$stderr"
  vg_clean hook_runc_ok exit
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]

  jq_inplace "$T/b/config.json" '.process.user.uid = 0 | .hooks.prestart[0].args |= map(sub("hook_runc_ok"; "hook_runc_deny"))'
  run --separate-stderr timeout 120 "$RUNC" --root "$R" run -b "$T/b" vg-hook-deny
  echo "refused: status=$status out=$output err=$stderr"
  vg_clean hook_runc_deny exit
  [ "$status" -ne 0 ]
  [[ "$stderr" == *"ocigate: denied by user.root"* ]]
  [[ "$output" != *"uid=0"* ]]
  [ -z "$("$RUNC" --root "$R" list -q)" ]
}

# ---------------------------------------------------------------- wrapper

# wr NAME MODE WANT ARG...: ocigate-runc under memcheck with this test's
# policy and runc state.
wr() {
  local name=$1 mode=$2 want=$3
  shift 3
  vgrun "$name" "$mode" "$want" ocigate-runc --ocigate-policy="$P" --root "$R" "$@"
}

containers_left() { "$RUNC" --root "$R" list -q 2>/dev/null; }

@test "wrapper run: an allowed busybox container runs under runc" {
  bundle_compliant "$T/b" /bin/id
  wr run_ok exec 0 run -b "$T/b" vg-run-ok
  [[ "$output" == *"uid=1000 gid=1000"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper create: an allowed container is created, then started and deleted through the wrapper" {
  bundle_compliant "$T/b" /bin/id
  # not through `run`: the created container holds its stdio open
  status=0
  vg create_ok ocigate-runc --ocigate-policy="$P" --root "$R" create -b "$T/b" vg-create </dev/null >"$T/create.out" 2>&1 ||
    status=$?
  cat "$T/create.out"
  vg_clean create_ok exec
  [ "$status" -eq 0 ]
  [ "$("$RUNC" --root "$R" state vg-create | jq -r .status)" = created ]
  wr start_pass exec 0 start vg-create
  for _ in $(seq 50); do
    [ "$("$RUNC" --root "$R" state vg-create | jq -r .status)" = stopped ] && break
    sleep 0.1
  done
  wr delete_pass exec 0 delete vg-create
  [ -z "$(containers_left)" ]
}

@test "wrapper run: a container with extra capabilities is rewritten in place and runs without them" {
  bundle_extra_caps "$T/b" /bin/grep CapBnd /proc/self/status
  wr run_fix exec 0 run -b "$T/b" vg-run-fix
  bit_clear "$(capbnd_of "$output")" 21
  jq -e '.process.capabilities.bounding | index("CAP_SYS_ADMIN") == null' "$T/b/config.json"
  [ -z "$(containers_left)" ]
}

@test "wrapper run and create: a privileged container is refused inside ocigate, with --log json; none is created" {
  bundle_privileged "$T/b"
  before=$(sha "$T/b/config.json")
  wr run_deny exit 1 --log "$T/runc.log" --log-format json run -b "$T/b" vg-deny
  [[ "$stderr" == *"ocigate: denied by privileged"* ]]
  jq -e '.level == "error" and (.msg | startswith("ocigate: denied by privileged"))' "$T/runc.log"
  wr create_deny exit 1 create -b "$T/b" vg-deny2
  [ -z "$(containers_left)" ]
  [ "$(sha "$T/b/config.json")" = "$before" ]
}

@test "wrapper: refusals of input it cannot judge (unknown option, missing or broken config, untrusted or broken policy)" {
  bundle_compliant "$T/b" /bin/id
  mkdir "$T/empty"
  wr refuse_option exit 1 create --frobnicate -b "$T/b" r1
  [[ "$stderr" == *"unknown option --frobnicate"* ]]
  wr refuse_noconfig exit 1 run -b "$T/empty" r2
  [[ "$stderr" == *"ocigate: refused:"*"$T/empty/config.json"* ]]
  cp -r "$T/b" "$T/big"
  jq_inplace "$T/big/config.json" '.mounts += [range(4097) | {"destination": "/m\(.)", "type": "tmpfs", "source": "tmpfs"}]'
  wr refuse_limit exit 1 create -b "$T/big" r3
  [[ "$stderr" == *"more than the limit of 4096"* ]]
  cp "$P" "$T/open.json"
  chmod 0666 "$T/open.json"
  vgrun refuse_untrusted exit 1 ocigate-runc --ocigate-policy="$T/open.json" --root "$R" run -b "$T/b" r4
  [[ "$stderr" == *"writable by everyone"* ]]
  printf '{\n  "version": 1,\n  "rulez": {}\n}\n' >"$T/broken.json"
  chmod 0644 "$T/broken.json"
  vgrun refuse_broken exit 1 ocigate-runc --ocigate-policy="$T/broken.json" --root "$R" run -b "$T/b" r5
  [[ "$stderr" == *"$T/broken.json:3: rulez"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper exec: a --process file with a capability too many is trimmed and runs; every capability, root and --cap are refused" {
  bundle_compliant "$T/b" /bin/sleep 60
  "$RUNC" --root "$R" run -d -b "$T/b" vg-exec </dev/null >"$T/run.out" 2>&1 || {
    cat "$T/run.out"
    false
  }
  [ "$("$RUNC" --root "$R" state vg-exec | jq -r .status)" = running ]
  jq '.process | .args = ["/bin/grep", "CapBnd", "/proc/self/status"]
      | .capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])' \
    "$T/b/config.json" >"$T/process.json"
  wr exec_fix exec 0 exec --process "$T/process.json" vg-exec
  bit_clear "$(capbnd_of "$output")" 21
  jq -e '.capabilities.bounding | index("CAP_SYS_ADMIN") == null' "$T/process.json"
  # every capability is exec --privileged: refused, not trimmed
  jq --argjson caps "$ALL_CAPS_JSON" '.process | .args = ["/bin/id"]
      | .capabilities = {"bounding": $caps, "effective": $caps, "permitted": $caps}' \
    "$T/b/config.json" >"$T/process-all.json"
  wr exec_all exit 1 exec --process "$T/process-all.json" vg-exec
  [[ "$stderr" == *"ocigate: denied by privileged: exec is privileged"* ]]

  jq '.process | .args = ["/bin/id"]' "$T/b/config.json" >"$T/process-ok.json"
  wr exec_ok exec 0 exec --process "$T/process-ok.json" vg-exec
  [[ "$output" == *"uid=1000"* ]]
  wr exec_flags exec 0 exec --user 1000:1000 --additional-gids 1001 vg-exec /bin/id
  [[ "$output" == *"uid=1000"* ]]

  jq '.user.uid = 0' "$T/process-ok.json" >"$T/process-root.json"
  wr exec_root exit 1 exec --process "$T/process-root.json" vg-exec
  [[ "$stderr" == *"ocigate: denied by user.root"* ]]
  wr exec_cap exit 1 exec --cap CAP_SYS_ADMIN vg-exec /bin/true
  [[ "$stderr" == *"ocigate: denied by capabilities"* ]]
  wr exec_nosuch exit 1 exec nosuch /bin/true
  [[ "$stderr" == *"ocigate: refused:"*"nosuch"* ]]
}

@test "wrapper pass-through: state, list and kill go straight to runc" {
  bundle_compliant "$T/b" /bin/sleep 60
  "$RUNC" --root "$R" run -d -b "$T/b" vg-pass </dev/null >"$T/run.out" 2>&1 || {
    cat "$T/run.out"
    false
  }
  wr pass_state exec 0 state vg-pass
  [ "$(jq -r .status <<<"$output")" = running ]
  wr pass_list exec 0 list -q
  [ "$output" = vg-pass ]
  wr pass_kill exec 0 kill vg-pass KILL
}

@test "wrapper up to the runtime's exec (allowed, rewritten, exec, pass-through), with a runtime that cannot be run: refused, no leak" {
  # The paths above end in execv(runc), past which memcheck checks no
  # leak.  Here the policy's runtime cannot be run, so they end inside
  # ocigate ("cannot run", exit 1: fail closed) and are checked whole.
  # For exec the runtime must answer `state` first: it is a script that
  # does, and then takes away its own execute bit.  Every case runs; the
  # test fails at the end naming those that were not clean.
  local bad=""
  bundle_compliant "$T/ok" /bin/id
  bundle_extra_caps "$T/fix" /bin/id
  printf '{"ociVersion": "1.0.2", "id": "vg-x", "status": "running", "bundle": "%s"}\n' "$T/ok" >"$T/state.json"
  printf '#!/bin/sh\ncase " $* " in *" state "*) cat %q; chmod 0644 "$0" ;; esac\nexit 0\n' "$T/state.json" >"$T/runtime"
  jq --arg r "$T/runtime" '.runtime = {"runc": $r}' "$E2E_ROOT/policies/default.json" >"$P"
  chmod 0644 "$T/runtime" "$P"
  local cannot="ocigate: cannot run $T/runtime: Permission denied"

  wr upto_create exit 1 create -b "$T/ok" vg-x1 || bad+=" create"
  [ "$stderr" = "$cannot" ]
  wr upto_fix exit 1 run -b "$T/fix" vg-x2 || bad+=" run-rewritten"
  # (a rewrite is said first, README "Logs")
  [ "$stderr" = "$(printf 'ocigate: rewrote: capabilities: dropped CAP_NET_ADMIN, CAP_SYS_ADMIN\n%s' "$cannot")" ]
  jq -e '.process.capabilities.bounding | index("CAP_SYS_ADMIN") == null' "$T/fix/config.json"
  wr upto_pass exit 1 state vg-x1 || bad+=" state"
  [ "$stderr" = "$cannot" ]
  chmod 0755 "$T/runtime"
  jq '.process | .capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])' \
    "$T/ok/config.json" >"$T/process.json"
  wr upto_exec exit 1 exec --process "$T/process.json" vg-x || bad+=" exec"
  [[ "$stderr" == "ocigate: rewrote: "*"CAP_SYS_ADMIN"*$'\n'"$cannot" ]]
  jq -e '.capabilities.bounding | index("CAP_SYS_ADMIN") == null' "$T/process.json"
  [ -z "$bad" ] || {
    echo "not clean:$bad"
    false
  }
}

@test "check twice with a seccomp cache directory (OCIGATE_SECCOMP_CACHE), as the hook keeps one: both runs clean" {
  compliant "$T/ok.json"
  mkdir -m 0700 "$T/cache"
  VG_CACHE="$T/cache" vgrun cache_cold exit 0 ocigate check -p "$P" "$T/ok.json"
  [ "${lines[-1]}" = "$T/ok.json: allow" ]
  VG_CACHE="$T/cache" vgrun cache_warm exit 0 ocigate check -p "$P" "$T/ok.json"
  [ "${lines[-1]}" = "$T/ok.json: allow" ]
}
