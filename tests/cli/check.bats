#!/usr/bin/env bats
# ocigate check: decisions, exit codes, output formats.
bats_require_minimum_version 1.5.0
load helpers

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

@test "check allows a compliant config with exit 0 and says allow" {
  compliant_config >"$T/ok.json"
  run "$OCIGATE" check "$T/ok.json"
  [ "$status" -eq 0 ]
  [ "$output" = "$T/ok.json: allow" ]
}

@test "check denies root without a user namespace, naming rule, field, value and remedy" {
  mutate '.process.user.uid = 0' >"$T/root.json"
  run "$OCIGATE" check "$T/root.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/root.json: deny user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); set process.user.uid to a non-root UID"* ]]
  [[ "${lines[-1]}" == "$T/root.json: deny" ]]
}

@test "check reports a rewrite with exit 0" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/caps.json"
  run "$OCIGATE" check "$T/caps.json"
  [ "$status" -eq 0 ]
  [[ "$output" == *"fix capabilities: capability CAP_SYS_ADMIN is not on the allowlist (process.capabilities: bounding)"* ]]
  [[ "${lines[-1]}" == "$T/caps.json: rewrite" ]]
}

@test "check exits 1 when any of several configs is denied, and judges all" {
  compliant_config >"$T/ok.json"
  mutate '.process.user.uid = 0' >"$T/root.json"
  run "$OCIGATE" check "$T/ok.json" "$T/root.json" "$T/ok.json"
  [ "$status" -eq 1 ]
  [ "$(grep -c ': allow$' <<<"$output")" -eq 2 ]
  [ "$(grep -c ': deny$' <<<"$output")" -eq 1 ]
}

@test "check exits 2 when a config cannot be judged, even beside a denied one" {
  mutate '.process.user.uid = 0' >"$T/root.json"
  printf '{"process": ' >"$T/trunc.json"
  run "$OCIGATE" check "$T/root.json" "$T/trunc.json"
  [ "$status" -eq 2 ]
}

@test "check --format json prints one parseable object per config with the contract's fields" {
  compliant_config >"$T/ok.json"
  mutate '.process.user.uid = 0 | .process.capabilities.effective += ["CAP_NET_RAW"]' >"$T/bad.json"
  run "$OCIGATE" check --format json "$T/ok.json" "$T/bad.json"
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 2 ]
  jq -e --arg p "$T/ok.json" '.config == $p and .decision == "allow" and .findings == []' <<<"${lines[0]}"
  jq -e --arg p "$T/bad.json" '.config == $p and .decision == "deny"' <<<"${lines[1]}"
  jq -e '.findings[] | select(.rule == "user.root" and .action == "deny" and .path == "/process/user/uid")
         | .message | test("host UID 0")' <<<"${lines[1]}"
  jq -e '.findings[] | select(.rule == "capabilities" and .action == "fix"
         and .path == "/process/capabilities/effective/1")' <<<"${lines[1]}"
  jq -e '[.findings[] | keys] | all(. == ["action", "message", "path", "rule"])' <<<"${lines[1]}"
}

@test "check --format json gives an error line for a config it cannot judge" {
  echo '{"process": {"user": {"uid": "0"}}}' >"$T/str.json"
  run "$OCIGATE" check --format json "$T/str.json"
  [ "$status" -eq 2 ]
  jq -e --arg p "$T/str.json" '.config == $p and .decision == "error"
         and (.error | test("process.user.uid: must be an integer"))' <<<"$output"
}

@test "check is the dry run of fix: a fix fix cannot make is its error, exit 2, and the next config is judged" {
  jq '.rules |= with_entries(.value.action = "off")
      | .rules.seccomp = {"action": "fix", "profile": $p}' --arg p "$T/profile.json" \
    "$POLICIES/default.json" >"$T/policy.json"
  mutate 'del(.linux.seccomp)' >"$T/noseccomp.json"
  compliant_config >"$T/ok.json"
  # the profile file is missing: fix cannot insert it
  run "$OCIGATE" fix -p "$T/policy.json" -o "$T/fixed.json" "$T/noseccomp.json"
  [ "$status" -eq 2 ]
  [ "$output" = "ocigate: $T/noseccomp.json: fix seccomp: seccomp profile: open $T/profile.json: No such file or directory" ]
  [ ! -e "$T/fixed.json" ]
  run --separate-stderr "$OCIGATE" check -p "$T/policy.json" "$T/noseccomp.json" "$T/ok.json"
  [ "$status" -eq 2 ]
  [ "$stderr" = "ocigate: $T/noseccomp.json: fix seccomp: seccomp profile: open $T/profile.json: No such file or directory" ]
  [ "$output" = "$T/ok.json: allow" ]
  run "$OCIGATE" check --format json -p "$T/policy.json" "$T/noseccomp.json"
  [ "$status" -eq 2 ]
  jq -e --arg p "$T/noseccomp.json" '.config == $p and .decision == "error"
         and (.error | endswith("seccomp profile: open \($p | sub("noseccomp.json$"; "profile.json")): No such file or directory"))' <<<"$output"
  # with the profile there, both rewrite
  jq '.linux.seccomp' "$FIXTURES/docker-default.json" >"$T/profile.json"
  run "$OCIGATE" check -p "$T/policy.json" "$T/noseccomp.json"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$T/noseccomp.json: rewrite" ]
  run --separate-stderr "$OCIGATE" fix -p "$T/policy.json" -o "$T/fixed.json" "$T/noseccomp.json"
  [ "$status" -eq 0 ]
  jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$T/fixed.json"
}

@test "check reads stdin for -" {
  compliant_config >"$T/ok.json"
  run bash -c "'$OCIGATE' check - <'$T/ok.json'"
  [ "$status" -eq 0 ]
  [ "$output" = "<stdin>: allow" ]
}

@test "check never modifies the config" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/caps.json"
  before=$(sha256sum <"$T/caps.json")
  run "$OCIGATE" check "$T/caps.json"
  [ "$(sha256sum <"$T/caps.json")" = "$before" ]
}

@test "a rule off in the policy reports nothing" {
  mutate '.process.user.uid = 0' >"$T/root.json"
  echo '{"version": 1, "rules": {"user.root": {"action": "off"}}}' >"$T/p.json"
  run "$OCIGATE" check -p "$T/p.json" "$T/root.json"
  [ "$status" -eq 0 ]
  [ "$output" = "$T/root.json: allow" ]
}

@test "warn findings are reported but allow" {
  mutate '.process.user.uid = 0' >"$T/root.json"
  run "$OCIGATE" check -p "$ROOT/tests/policies/all-warn.json" "$T/root.json"
  [ "$status" -eq 0 ]
  [[ "$output" == *"warn user.root: process runs as host UID 0"* ]]
  [[ "${lines[-1]}" == "$T/root.json: allow" ]]
}

@test "host pid namespace is refused only with a user namespace under the default policy" {
  mutate 'del(.linux.namespaces[] | select(.type == "pid"))' >"$T/pidhost.json"
  run "$OCIGATE" check "$T/pidhost.json"
  [ "$status" -eq 0 ]
  mutate 'del(.linux.namespaces[] | select(.type == "pid")) | '"$USERNS" >"$T/pidhost-userns.json"
  run "$OCIGATE" check "$T/pidhost-userns.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny hostNamespaces.pid: container shares the host's pid namespace (linux.namespaces has no \"pid\" entry, with a user namespace); drop --pid host"* ]]
}

@test "a network namespace path that is the host's own is refused with a user namespace" {
  mutate '.linux.namespaces |= map(if .type == "network" then .path = "/proc/self/ns/net" else . end)
          | '"$USERNS" >"$T/net.json"
  run "$OCIGATE" check "$T/net.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny hostNamespaces.network: container joins the host's network namespace (linux.namespaces["*"].path=/proc/self/ns/net, with a user namespace)"* ]]
}

@test "a namespace path that does not exist cannot be judged and is denied" {
  mutate '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/netns" else . end)
          | '"$USERNS" >"$T/net.json"
  run "$OCIGATE" check "$T/net.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny hostNamespaces.network: cannot tell whether the network namespace is the host's"*"/nonexistent/netns"* ]]
}

@test "check -p with a missing policy file exits 2 and names it" {
  compliant_config >"$T/ok.json"
  run "$OCIGATE" check -p "$T/nope.json" "$T/ok.json"
  [ "$status" -eq 2 ]
  [[ "$output" == *"policy: open $T/nope.json: No such file or directory"* ]]
}

@test "check with a bad policy exits 2 with file, line and key" {
  compliant_config >"$T/ok.json"
  printf '{\n  "version": 1,\n  "rules": {\n    "capabilities": {\n      "action": "fix",\n      "allow": ["CAP_CHOWN", "CAP_FLY"]\n    }\n  }\n}\n' >"$T/p.json"
  run "$OCIGATE" check -p "$T/p.json" "$T/ok.json"
  [ "$status" -eq 2 ]
  [[ "$output" == *"$T/p.json:6: rules.capabilities.allow[1]: unknown capability \"CAP_FLY\""* ]]
}

@test "a config hook spelt in another case is refused, not read as absent" {
  # runc matches field names whatever their case: "PATH" is the hook's
  # path, "Hooks" the hooks, "PostStart" the poststart list.  Read as
  # absent, the hooks rule would see no hook while runc ran /bin/sh as root.
  for hooks in '.hooks = {"poststart": [{"PATH": "/bin/sh", "args": ["sh", "-c", "id"]}]}' \
    '.Hooks = {"poststart": [{"path": "/bin/sh"}]}' '.hooks = {"PostStart": [{"path": "/bin/sh"}]}'; do
    mutate "$hooks" >"$T/hooks.json"
    run "$OCIGATE" check "$T/hooks.json"
    [ "$status" -eq 2 ]
    [[ "$output" == *"can be taken for the field"*"by runc, which matches field names whatever their case"* ]]
  done
}

@test "check on Docker's --user 1000 --cap-add ALL: rewrite, with every change the default policy makes" {
  local f="$FIXTURES/docker-user1000-capadd-all.json"
  run --separate-stderr "$OCIGATE" check "$f"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$f: rewrite" ]
  # The capabilities go, and with them the calls Docker's profile allowed
  # for them: one line per entry changed, in the profile's own indexes.
  [[ "$output" == *"$f: rewrote capabilities: dropped CAP_DAC_READ_SEARCH, CAP_LINUX_IMMUTABLE,"* ]]
  [[ "$output" == *"$f: rewrote seccomp: took bpf, lookup_dcookie, perf_event_open, quotactl, quotactl_fd out of linux.seccomp.syscalls[10] (action SCMP_ACT_ALLOW)"* ]]
  [[ "$output" == *"$f: rewrote seccomp: took delete_module, init_module, finit_module out of linux.seccomp.syscalls[13] (action SCMP_ACT_ALLOW), and that entry, left with no names"* ]]
  [[ "$output" == *"$f: rewrote seccomp: the default action SCMP_ACT_ERRNO now decides init_module,"* ]]
  [[ "$output" == *"$f: rewrote noNewPrivileges: set true"* ]]
  # The seccomp findings are fixes now, not refusals.
  [[ "$output" != *": deny "* ]]
  [[ "$output" == *"$f: fix seccomp: \`--cap-add SYS_MODULE\` makes Docker's default seccomp profile allow init_module"* ]]
  # JSON: the same changes, as a list.
  run --separate-stderr "$OCIGATE" check --format json "$f"
  [ "$status" -eq 0 ]
  jq -e '.decision == "rewrite" and (.rewrote | length) == 9
    and (.rewrote | index("seccomp: took acct out of linux.seccomp.syscalls[14] (action SCMP_ACT_ALLOW), and that entry, left with no names")) != null' <<<"$output"
  # What fix writes passes as it is, and its profile allows none of the calls.
  "$OCIGATE" fix -o "$T/fixed.json" "$f" 2>/dev/null
  run --separate-stderr "$OCIGATE" check "$T/fixed.json"
  [[ "${lines[-1]}" == "$T/fixed.json: allow" ]]
  run jq -r '[.linux.seccomp.syscalls[] | select(.action == "SCMP_ACT_ALLOW") | .names[]]
    | map(select(. == "bpf" or . == "init_module" or . == "perf_event_open" or . == "clock_settime" or . == "stime")) | length' "$T/fixed.json"
  [ "$output" = 0 ]
}

@test "check on Podman's --uidmap ... --cap-add SYS_ADMIN: rewrite, CAP_SYS_ADMIN and its calls trimmed" {
  local f="$FIXTURES/podman-uidmap-capadd-sysadmin.json"
  run --separate-stderr "$OCIGATE" check "$f"
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$f: rewrite" ]
  [[ "$output" == *"$f: rewrote capabilities: dropped CAP_NET_RAW, CAP_SYS_ADMIN"* ]]
  [[ "$output" == *"$f: rewrote seccomp: took bpf, lookup_dcookie, perf_event_open, quotactl out of linux.seccomp.syscalls[10] (action SCMP_ACT_ALLOW)"* ]]
  # Under a policy whose seccomp rule denies, the same config is refused,
  # naming the flag.
  jq '.rules.seccomp.action = "deny"' "$POLICIES/default.json" >"$T/deny.json"
  run --separate-stderr "$OCIGATE" check -p "$T/deny.json" "$f"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny seccomp: \`--cap-add SYS_ADMIN\` makes Podman's default seccomp profile allow bpf, perf_event_open, lookup_dcookie, quotactl unconditionally"* ]]
}
