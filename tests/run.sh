#!/usr/bin/env bash
# Runs every test ocigate has and ends with one line "N passed, N failed"
# (", N skipped" follows when some were skipped, each listed with its reason).
# Usage: tests/run.sh [--suites "unit cli e2e"] UNIT_BINARY...   (from the
# repository root).  unit: the cmocka binaries; cli: tests/cli/*.bats, which
# need no container engine; e2e: tests/e2e/*.bats, with the real engines.
set -uo pipefail
cd "$(dirname "$0")/.."

suites="unit cli e2e"
if [ "${1:-}" = --suites ]; then
  suites=$2
  shift 2
fi
wants() { case " $suites " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

passed=0 failed=0 skipped=0
skips=() failures=()
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Count one TAP stream (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, or bats --tap).
count_tap() {
  local suite=$1 status=$2 seen=0 line reason=
  while IFS= read -r line; do
    case "$line" in
      "# skipped: "*) reason=${line#\# skipped: } ;;
      "not ok "*"# SKIP"* | "not ok "*"# skip"* | "ok "*"# skip"* | "ok "*"# SKIP"*)
        skipped=$((skipped + 1)) seen=1
        skips+=("$suite: ${line#* # [Ss][Kk][Ii][Pp]}${reason:+ ($reason)}")
        reason=
        ;;
      "ok "*) passed=$((passed + 1)) seen=1 ;;
      "not ok "*)
        failed=$((failed + 1)) seen=1
        failures+=("$suite: ${line#not ok }")
        ;;
    esac
  done <"$log"
  # A suite that crashed before reporting, or failed without a failing
  # test, still counts as a failure.
  if [ "$status" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
    failed=$((failed + 1))
    failures+=("$suite: exited with status $status${seen:+ after its tests}")
  fi
}

wants unit || set --
for bin in "$@"; do
  name=$(basename "$bin")
  echo "== unit: $name"
  CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$log" 2>&1
  status=$?
  grep -v '^ok ' "$log" | sed 's/^/   /'
  count_tap "$name" "$status"
done

bats_suites=()
wants cli && bats_suites+=(tests/cli/*.bats)
wants e2e && bats_suites+=(tests/e2e/*.bats)
for suite in "${bats_suites[@]+"${bats_suites[@]}"}"; do
  [ -e "$suite" ] || continue
  echo "== bats: $suite"
  bats --tap "$suite" >"$log" 2>&1
  status=$?
  grep -v '^ok ' "$log" | sed 's/^/   /'
  count_tap "$suite" "$status"
done

for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
for s in "${skips[@]+"${skips[@]}"}"; do echo "skipped: $s"; done
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
