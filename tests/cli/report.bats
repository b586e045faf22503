#!/usr/bin/env bats
# ocigate report on decision logs the real binary wrote: the hook and the
# wrapper (in front of a fake runtime) judging configs under audit.json,
# the default policy in dry-run, with a log file of the test's own.
bats_require_minimum_version 1.5.0
load helpers

OCIGATE_RUNC="$ROOT/build/ocigate-runc"

setup() {
  T=$(mktemp -d)
  fake_runtime "$POLICIES/audit.json"
  jq --arg f "$T/decisions.log" '.log = {"file": $f}' "$T/policy.json" >"$T/p.json"
  mv "$T/p.json" "$T/policy.json"
  chmod 0644 "$T/policy.json"
}

teardown() {
  rm -rf "$T"
}

# prestart ID FILTER: the prestart hook judges compliant_config with the
# jq FILTER applied, in the bundle $T/ID, as container ID.
prestart() {
  mkdir -p "$T/$1"
  mutate "$2" >"$T/$1/config.json"
  printf '{"ociVersion": "1.0.2", "id": "%s", "status": "creating", "bundle": "%s"}' "$1" "$T/$1" |
    "$OCIGATE" hook -p "$T/policy.json" --stage prestart
}

# create ID FILTER: the same config created through ocigate-runc.
create() {
  mkdir -p "$T/$1"
  mutate "$2" >"$T/$1/config.json"
  "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" create --bundle "$T/$1" "$1" 2>/dev/null
}

# A dry-run log: root refused twice (two decisions of one container),
# once for another; NET_RAW rewritten by the wrapper, refused at prestart
# (which cannot rewrite); one container allowed.
dry_run_log() {
  prestart root1 '.process.user.uid = 0'
  prestart root1 '.process.user.uid = 0'
  prestart root2 '.process.user.uid = 0'
  create raw1 '.process.capabilities.bounding += ["CAP_NET_RAW"]'
  prestart raw2 '.process.capabilities.bounding += ["CAP_NET_RAW"]'
  prestart fine '.'
  [ "$(wc -l <"$T/decisions.log")" -eq 6 ]
}

@test "report: a dry-run log by rule, the containers each would have refused or rewritten, exit 1" {
  dry_run_log
  run --separate-stderr "$OCIGATE" report "$T/decisions.log"
  echo "$output"
  [ "$status" -eq 1 ]
  # (bats leaves the blank line after each block out of lines)
  [ "${lines[0]}" = "user.root: refuse: 2 containers, 3 decisions (3 in dry-run)" ]
  [[ "${lines[1]}" == "  root1: 2 decisions, first 20"*"Z, last 20"*Z ]]
  [[ "${lines[2]}" == "  root2: 1 decision, first "* ]]
  [ "${lines[3]}" = "capabilities: refuse: 1 container, 1 decision (1 in dry-run)" ]
  [[ "${lines[4]}" == "  raw2: 1 decision, "* ]]
  [ "${lines[5]}" = "capabilities: rewrite: 1 container, 1 decision (1 in dry-run)" ]
  [[ "${lines[6]}" == "  raw1: 1 decision, "* ]]
  [ "${lines[-1]}" = "6 decisions read" ]
  [[ "$output" != *fine* ]]
  [ -z "$stderr" ]
}

@test "report --format json: one object per rule and effect per line" {
  dry_run_log
  run --separate-stderr "$OCIGATE" report --format json "$T/decisions.log"
  echo "$output"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 3 ]
  jq -e -s '.[0].rule == "user.root" and .[0].effect == "refuse" and .[0].containers == 2 and .[0].decisions == 3
      and .[0].dry_run_decisions == 3
      and .[0].list[0].container == "root1" and .[0].list[0].id == "root1" and .[0].list[0].decisions == 2
      and (.[0].list[0].first | test("^20..-..-..T..:..:..Z$")) and .[0].list[0].first <= .[0].list[0].last
      and ([.[] | "\(.rule) \(.effect)"] | sort) == ["capabilities refuse", "capabilities rewrite", "user.root refuse"]' <<<"$output"
}

@test "report: an enforcing log says what was refused and rewritten; a log of allowed containers exits 0" {
  jq '.mode = "enforce"' "$T/policy.json" >"$T/p.json" && mv "$T/p.json" "$T/policy.json" && chmod 0644 "$T/policy.json"
  prestart root1 '.process.user.uid = 0' 2>/dev/null || true
  create raw1 '.process.capabilities.bounding += ["CAP_NET_RAW"]'
  run "$OCIGATE" report --format json "$T/decisions.log"
  [ "$status" -eq 1 ]
  jq -e -s '([.[] | "\(.rule) \(.effect) \(.list[0].container)"] | sort) == ["capabilities rewrite raw1", "user.root refuse root1"]' <<<"$output"
  # allowed: logged in dry-run, but nothing to report
  fake_runtime "$POLICIES/audit.json"
  jq --arg f "$T/allowed.log" '.log = {"file": $f}' "$T/policy.json" >"$T/p.json" && mv "$T/p.json" "$T/policy.json"
  chmod 0644 "$T/policy.json"
  prestart fine '.'
  [ -s "$T/allowed.log" ]
  run "$OCIGATE" report "$T/allowed.log"
  [ "$status" -eq 0 ]
  [ "$output" = "nothing was or would have been refused or rewritten
1 decision read" ]
}

@test "report: names and images, when the log has them, name the containers" {
  dry_run_log
  jq -c 'select(.id == "root2") | .name = "web" | .image = "nginx:1.25" | .engine = "podman" | .id = "abc123"' \
    "$T/decisions.log" >>"$T/decisions.log"
  run "$OCIGATE" report "$T/decisions.log"
  [[ "$output" == *"  web (abc123, nginx:1.25, podman): 1 decision, first "* ]]
  run "$OCIGATE" report --format json "$T/decisions.log"
  jq -e -s '.[0].list | map(select(.container == "web")) | .[0] | .name == "web" and .id == "abc123"
      and .image == "nginx:1.25" and .engine == "podman"' <<<"$output"
}

@test "report: lines that are not decisions are counted and passed over, a huge one too" {
  dry_run_log
  {
    echo 'not json'
    echo '{"time": "2026-12-07T10:00:00Z"}'
    printf '\x1b[31m{"bad": \n'
    head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' x
    echo
    echo
  } >>"$T/decisions.log"
  prestart root3 '.process.user.uid = 0'
  run --separate-stderr "$OCIGATE" report "$T/decisions.log"
  [ "$status" -eq 1 ]
  [ "${lines[0]}" = "user.root: refuse: 3 containers, 4 decisions (4 in dry-run)" ]
  [ "${lines[-1]}" = "4 lines skipped: not a decision (1 longer than 4 MiB)" ]
  run --separate-stderr "$OCIGATE" report --format json "$T/decisions.log"
  [ "$status" -eq 1 ]
  [ "$stderr" = "ocigate: report: 4 lines skipped: not a decision (1 longer than 4 MiB)" ]
  jq -e -s 'length == 3' <<<"$output"
}

@test "report --since: RFC 3339 in UTC or an age; anything else is a usage error" {
  dry_run_log
  run "$OCIGATE" report --since 1h "$T/decisions.log"
  [ "$status" -eq 1 ]
  [ "${lines[-1]}" = "6 decisions read" ]
  run "$OCIGATE" report --since 2999-01-01T00:00:00Z "$T/decisions.log"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "0 decisions read, 6 before --since" ]
  run "$OCIGATE" report --since "$(date -u -d '1 hour ago' +%Y-%m-%dT%H:%M:%SZ)" "$T/decisions.log"
  [ "$status" -eq 1 ]
  for bad in yesterday 1y -1h 2026-12-07T10:00:00+01:00 2026-12-07; do
    run --separate-stderr "$OCIGATE" report --since "$bad" "$T/decisions.log"
    [ "$status" -eq 2 ]
    [[ "$stderr" == "ocigate: --since $bad: not a time: give one in UTC as RFC 3339 (2026-12-07T10:00:00Z) or an age"* ]]
  done
}

@test "report: - reads standard input (journalctl -o cat), several logs add up, a syslog line's JSON is read" {
  dry_run_log
  run "$OCIGATE" report --format json - <"$T/decisions.log"
  [ "$status" -eq 1 ]
  jq -e -s '.[0].decisions == 3' <<<"$output"
  sed 's/^/Dec  7 10:00:00 host ocigate[42]: /' "$T/decisions.log" >"$T/auth.log"
  run "$OCIGATE" report --format json "$T/decisions.log" "$T/auth.log"
  [ "$status" -eq 1 ]
  jq -e -s '.[0].decisions == 6 and .[0].list[0].decisions == 4' <<<"$output"
}

@test "report: a log that cannot be read, or a bad option, exits 2" {
  run --separate-stderr "$OCIGATE" report "$T/missing.log"
  [ "$status" -eq 2 ]
  [ "$stderr" = "ocigate: report: open $T/missing.log: No such file or directory" ]
  run --separate-stderr "$OCIGATE" report "$T"
  [ "$status" -eq 2 ]
  [[ "$stderr" == "ocigate: report: read $T: Is a directory" ]]
  run --separate-stderr "$OCIGATE" report --format yaml "$T/missing.log"
  [ "$status" -eq 2 ]
  [[ "$stderr" == "ocigate: unknown format 'yaml' (text or json)"* ]]
  if [ ! -e /var/log/ocigate/decisions.log ]; then
    run --separate-stderr "$OCIGATE" report
    [ "$status" -eq 2 ]
    [ "$stderr" = "ocigate: report: open /var/log/ocigate/decisions.log: No such file or directory (name the log, or - for standard input)" ]
  fi
}
