#!/usr/bin/env bash
# Runs every test ocigate has and ends with one line "N passed, N failed"
# (", N skipped" follows when some were skipped, each listed with its reason).
# Usage: tests/run.sh UNIT_BINARY...   (from the repository root)
set -uo pipefail
cd "$(dirname "$0")/.."

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

for bin in "$@"; do
  name=$(basename "$bin")
  echo "== unit: $name"
  CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$log" 2>&1
  status=$?
  grep -v '^ok ' "$log" | sed 's/^/   /'
  count_tap "$name" "$status"
done

for suite in tests/cli/*.bats tests/e2e/*.bats; do
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
