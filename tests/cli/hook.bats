#!/usr/bin/env bats
# ocigate hook fed by hand, as a runtime or Podman would feed it: the OCI
# state or the config on stdin.  Real engines run it in tests/e2e/.
load helpers
bats_require_minimum_version 1.5.0

setup() {
  T=$(mktemp -d)
  mkdir "$T/bundle"
  printf '{"version": 1, "log": {"file": "%s/decisions.log"}, "rules": {"user.root": {"action": "deny"}, "capabilities": {"action": "fix", "allow": ["CAP_NET_BIND_SERVICE"]}}}\n' "$T" >"$T/policy.json"
  chmod 0644 "$T/policy.json"
}

teardown() {
  rm -rf "$T"
}

state() {
  printf '{"ociVersion": "1.0.2", "id": "c1", "status": "creating", "%s": "%s"}' "${2:-bundle}" "$1"
}

@test "prestart: an allowed config exits 0 and prints nothing" {
  compliant_config >"$T/bundle/config.json"
  run bash -c "$(printf '%q' "$OCIGATE") hook -p '$T/policy.json' --stage prestart <<<'$(state "$T/bundle")'"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  [ ! -e "$T/decisions.log" ]
}

@test "prestart: a denied config exits 1 with one line per reason, and is logged" {
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  # runc's template: the config's own fields
  [ "$output" = "ocigate: denied by user.root: process runs as host UID 0 (process.user.uid=0, no user namespace); set process.user.uid to a non-root UID, or add a \"user\" entry to linux.namespaces with linux.uidMappings and linux.gidMappings" ]
  jq -e --arg b "$T/bundle" '.id == "c1" and .bundle == $b and .via == "hook prestart" and .outcome == "refuse"
      and .decision == "deny" and .dry_run == false and (.findings[0].rule == "user.root")
      and (.policy_sha256 | test("^[0-9a-f]{64}$"))' "$T/decisions.log"
  [ "$(jq -r .policy_sha256 "$T/decisions.log")" = "$(sha256sum <"$T/policy.json" | cut -d' ' -f1)" ]
}

@test "prestart: the old bundlePath key is read" {
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" bundlePath >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"denied by user.root"* ]]
}

@test "prestart: a finding the policy would fix refuses, saying the rewrite needs precreate or the wrapper" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: denied by capabilities: capability CAP_SYS_ADMIN is not on the allowlist"*"which hook prestart cannot do: use the precreate hook or the ocigate-runc/ocigate-crun wrapper)" ]]
}

@test "prestart: dry-run allows and logs what would have happened" {
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" --dry-run <"$T/state.json"
  [ "$status" -eq 0 ]
  jq -e '.outcome == "allow" and .decision == "deny" and .dry_run == true' "$T/decisions.log"
  jq '.mode = "dry-run"' "$T/policy.json" >"$T/dry.json"
  run "$OCIGATE" hook -p "$T/dry.json" <"$T/state.json"
  [ "$status" -eq 0 ]
}

@test "prestart: works with an empty environment" {
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run env -i "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"denied by user.root"* ]]
}

@test "prestart: bad state, missing config, malformed config all refuse" {
  run "$OCIGATE" hook -p "$T/policy.json" <<<'{"id": "x"}'
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: OCI state: no \"bundle\""* ]]
  run "$OCIGATE" hook -p "$T/policy.json" <<<'not json'
  [ "$status" -eq 1 ]
  state "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: open $T/bundle/config.json: No such file or directory" ]]
  echo '{"process": ' >"$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: $T/bundle/config.json:2:1: invalid JSON"* ]]
  run "$OCIGATE" hook -p "$T/policy.json" --stage poststop <"$T/state.json"
  [ "$status" -eq 1 ]
}

@test "the policy must belong to root and be writable by no one else" {
  compliant_config >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  chmod 0666 "$T/policy.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: policy $T/policy.json: the file is writable by everyone (mode 0666); chmod go-w $T/policy.json" ]]
  chmod 0644 "$T/policy.json"
  chmod 0775 "$T"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"its directory $T is writable by its group (mode 0775); chmod go-w $T" ]]
  chmod 0700 "$T"
  chown 65534 "$T/policy.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the file is owned by UID 65534, not root"* ]]
  # check, an offline command, reads it anyway
  run "$OCIGATE" check -p "$T/policy.json" "$T/bundle/config.json"
  [ "$status" -eq 0 ]
}

@test "a link to a policy in an unsafe directory, or below one, is not trusted" {
  compliant_config >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  mkdir -m 0777 "$T/open"
  mv "$T/policy.json" "$T/open/policy.json"
  ln -s "$T/open/policy.json" "$T/policy.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"its directory $T/open is writable by everyone"* ]]
  rm "$T/policy.json"
  mkdir "$T/open/safe"
  mv "$T/open/policy.json" "$T/open/safe/policy.json"
  run "$OCIGATE" hook -p "$T/open/safe/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"the directory above it $T/open is writable by everyone"* ]]
  # a sticky shared directory above is fine: others cannot rename ours
  chmod 1777 "$T/open"
  run "$OCIGATE" hook -p "$T/open/safe/policy.json" <"$T/state.json"
  [ "$status" -eq 0 ]
}

@test "a broken policy refuses with file, line and key, never the embedded default" {
  compliant_config >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  printf '{\n  "version": 1,\n  "rules": {\n    "user.root": {"action": "block"}\n  }\n}\n' >"$T/policy.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: $T/policy.json:4: rules.user.root.action: \"block\" is not an action of this rule (\"off\", \"warn\", \"deny\")" ]
}

# The runtime reads BUNDLE/config.json apart from the hook: whoever else
# could write it, or rename a directory it sits in, could swap it between
# the two readings.
@test "prestart: a config.json someone else could swap is refused, naming the file or directory and the fix" {
  compliant_config >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  # Under $T at 0700 nobody else can reach the bundle, whoever owns it (as
  # Podman gives a user namespace's root its bundle directory).
  chown -R 1000 "$T/bundle"
  chmod 0664 "$T/bundle/config.json"
  "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  # Searchable by others, $T no longer shuts them out.
  chmod 0711 "$T"
  chown -R 0 "$T/bundle"
  chmod 0644 "$T/bundle/config.json"
  "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json" # control: allowed
  chmod 0664 "$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: config $T/bundle/config.json: the file is writable by its group (mode 0664); chmod go-w $T/bundle/config.json" ]
  chmod 0644 "$T/bundle/config.json"
  chown 1000 "$T/bundle"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: config $T/bundle/config.json: its directory $T/bundle is owned by UID 1000, not root; chown root $T/bundle" ]
  jq -e '.outcome == "refuse" and (.error | startswith("config "))' "$T/decisions.log"
  # Owned by the container's own root on the host (Podman, --uidmap): accepted.
  mutate '.linux.namespaces += [{"type": "user"}]
    | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
    | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' >"$T/bundle/config.json"
  chown 100000 "$T/bundle"
  "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  chown 100001 "$T/bundle"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"its directory $T/bundle is owned by UID 100001, not root"* ]]
  compliant_config >"$T/bundle/config.json"
  chown 0 "$T/bundle"
  mkdir -p -m 0757 "$T/deep"
  mkdir "$T/deep/bundle"
  cp "$T/bundle/config.json" "$T/deep/bundle/config.json"
  state "$T/deep/bundle" >"$T/state3.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state3.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"config $T/deep/bundle/config.json: the directory above it $T/deep is writable by everyone (mode 0757); chmod go-w $T/deep" ]]
  chmod 1777 "$T/deep" # sticky above the bundle: others cannot rename it
  "$OCIGATE" hook -p "$T/policy.json" <"$T/state3.json"
  # A link to a file in a directory others may write; and a link, in a
  # directory others may write, to a trusted file.
  mkdir -m 1777 "$T/shared" "$T/shared-bundle"
  mv "$T/bundle/config.json" "$T/shared/config.json"
  ln -s "$T/shared/config.json" "$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"its directory $T/shared is writable by everyone (mode 1777)"* ]]
  mkdir -m 0755 "$T/safe"
  mv "$T/shared/config.json" "$T/safe/config.json"
  ln -sf "$T/safe/config.json" "$T/bundle/config.json"
  "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json" # a link to a trusted file: allowed
  ln -s "$T/safe/config.json" "$T/shared-bundle/config.json"
  state "$T/shared-bundle" >"$T/state2.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state2.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"config $T/shared-bundle/config.json: its directory $T/shared-bundle is writable by everyone (mode 1777)"* ]]
}

@test "prestart: a root.path another user could repoint is refused: the runtime resolves it to mount and again to enter it" {
  chmod 0711 "$T"
  mkdir -m 0755 "$T/bundle/rootfs" "$T/pub" "$T/pub/rootfs"
  compliant_config | jq '.root.path = "rootfs"' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json" # control: allowed
  # a directory of another user on the way
  chown 65534 "$T/pub"
  jq --arg r "$T/pub/rootfs" '.root.path = $r' "$T/bundle/config.json" >"$T/c" && mv "$T/c" "$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: root.path $T/pub/rootfs: its directory $T/pub is owned by UID 65534, not root; chown root $T/pub" ]
  # a link that user may repoint (to /, between the runtime's mount and its pivot_root)
  ln -s "$T/bundle/rootfs" "$T/pub/link"
  jq --arg r "$T/pub/link" '.root.path = $r' "$T/bundle/config.json" >"$T/c" && mv "$T/c" "$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: root.path $T/pub/link: "*"$T/pub"* ]]
  # not there yet: whoever may create it decides what it is
  jq --arg r "$T/pub/later" '.root.path = $r' "$T/bundle/config.json" >"$T/c" && mv "$T/c" "$T/bundle/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: root.path $T/pub: "*"owned by UID 65534"* ]]
  # the root file system itself may be anyone's (a user namespace's root,
  # Docker's userns-remap): what it holds is the container's
  jq '.root.path = "rootfs"' "$T/bundle/config.json" >"$T/c" && mv "$T/c" "$T/bundle/config.json"
  chown 100000 "$T/bundle/rootfs"
  "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
}

@test "precreate: an allowed config comes back byte for byte" {
  compliant_config >"$T/config.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json"
  cmp "$T/config.json" "$T/out.json"
}

@test "precreate: a config needing a fix comes back fixed, everything else kept" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .annotations = {"a": "b"}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json"
  jq -e '.process.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]' "$T/out.json"
  # and marked with the decision the prestart hook is to reach, which then logs nothing more
  diff <(jq -S 'del(.process.capabilities)' "$T/config.json") \
    <(jq -S 'del(.process.capabilities, .annotations["dev.ocigate.judged"], .annotations["dev.ocigate.rewrite"])' "$T/out.json")
  jq -e '.annotations["dev.ocigate.judged"] == "allow"' "$T/out.json"
  jq -e '.outcome == "rewrite" and .via == "hook precreate"' "$T/decisions.log"
}

@test "precreate: a rewritten config says what ocigate changed in its dev.ocigate.rewrite annotation" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"] | del(.annotations)' >"$T/config.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json"
  # (beside the decision log's mark)
  jq -e '.annotations | del(.["dev.ocigate.judged"]) == {"dev.ocigate.rewrite": "capabilities: dropped CAP_NET_ADMIN, CAP_SYS_ADMIN"}' "$T/out.json"
  # every fixing rule says what it did, in policy order
  mutate '.process.capabilities.bounding += ["CAP_NET_RAW"] | del(.process.noNewPrivileges)
      | .linux.maskedPaths = [] | .linux.readonlyPaths = ["/proc/sys"]' >"$T/config.json"
  "$OCIGATE" hook -p "$POLICIES/default.json" --stage precreate <"$T/config.json" >"$T/out.json"
  jq -r '.annotations["dev.ocigate.rewrite"]' "$T/out.json" >"$T/note"
  cat "$T/note"
  [ "$(cat "$T/note")" = "capabilities: dropped CAP_NET_RAW; noNewPrivileges: set true; maskedPaths: masked /proc/acpi, /proc/kcore, /proc/keys, /proc/latency_stats, /proc/timer_list, /proc/timer_stats, /proc/sched_debug, /proc/scsi, /sys/firmware; made read-only /proc/asound, /proc/bus, /proc/fs, /proc/irq, /proc/sysrq-trigger" ]
}

@test "precreate: a dev.ocigate.rewrite annotation the config brings is replaced, or removed, never kept" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .annotations = {"dev.ocigate.rewrite": "approved", "a": "b"}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json"
  jq -e '.annotations | del(.["dev.ocigate.judged"]) == {"dev.ocigate.rewrite": "capabilities: dropped CAP_SYS_ADMIN", "a": "b"}' "$T/out.json"
  # allowed as is: the annotation goes, and nothing else changes
  mutate '.annotations = {"dev.ocigate.rewrite": "approved", "a": "b"}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json"
  diff <(jq -S 'del(.annotations["dev.ocigate.rewrite"])' "$T/config.json") <(jq -S 'del(.annotations["dev.ocigate.judged"])' "$T/out.json")
  # in dry-run too, and when refused
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .annotations = {"dev.ocigate.rewrite": "approved"}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate --dry-run <"$T/config.json" >"$T/out.json"
  jq -e '(.annotations | has("dev.ocigate.rewrite") | not) and (.process.capabilities.bounding | index("CAP_SYS_ADMIN"))' "$T/out.json"
  mutate '.process.user.uid = 0 | .annotations = {"dev.ocigate.rewrite": "approved"}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>/dev/null
  jq -e '.annotations == {}' "$T/out.json"
  echo '{"version": 1, "rules": {"nosuchrule": {"action": "deny"}}}' >"$T/bad.json"
  chmod 0644 "$T/bad.json"
  "$OCIGATE" hook -p "$T/bad.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>/dev/null
  jq -e '.annotations == {}' "$T/out.json"
}

@test "an exception never matches on ocigate's own dev.ocigate.* annotations a config brings" {
  printf '{"version": 1, "rules": {"user.root": {"action": "deny"}}, "exceptions": [{"reason": "r", "rules": ["user.root"], "match": {"annotations": {"*ocigate.*": "*"}}}]}\n' >"$T/p.json"
  mutate '.process.user.uid = 0 | .annotations = {"dev.ocigate.rewrite": "x"}' >"$T/config.json"
  run "$OCIGATE" check -p "$T/p.json" "$T/config.json"
  [ "$status" -eq 1 ]
  mutate '.process.user.uid = 0 | .annotations = {"dev.ocigate.judged": "allow"}' >"$T/config.json"
  run "$OCIGATE" check -p "$T/p.json" "$T/config.json"
  [ "$status" -eq 1 ]
  mutate '.process.user.uid = 0 | .annotations = {"io.ocigate.other": "x"}' >"$T/config.json"
  run "$OCIGATE" check -p "$T/p.json" "$T/config.json"
  [ "$status" -eq 0 ]
}

@test "precreate: a refused config comes back with a first prestart hook that refuses with the reason" {
  mutate '.process.user.uid = 0 | .hooks.prestart = [{"path": "/bin/true"}]' >"$T/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json"
  [ "$status" -eq 0 ]
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>/dev/null
  jq -e --arg og "$(readlink -f "$OCIGATE")" '.hooks.prestart[0].path == $og and .hooks.createRuntime[0].path == $og
      and .hooks.prestart[1].path == "/bin/true"
      and .hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"]' "$T/out.json"
  # the hook it adds refuses with the reason, whatever its stdin
  mapfile -t args < <(jq -r '.hooks.prestart[0].args[1:][]' "$T/out.json")
  run "$OCIGATE" "${args[@]}" </dev/null
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: denied by user.root: process runs as host UID 0"* ]]
  # nothing else changed
  diff <(jq -S 'del(.hooks)' "$T/config.json") <(jq -S 'del(.hooks)' "$T/out.json")
}

@test "precreate: a refused config comes back without the runtime annotations crun acts on before any hook" {
  # crun opens run.oci.hooks.stderr, and connects to run.oci.seccomp.receiver,
  # before it runs the added prestart hook: the refused config loses the
  # members runtimeAnnotations found, and nothing else.
  printf '{"version": 1, "rules": {"user.root": {"action": "deny"}, "runtimeAnnotations": {"action": "warn"}}}\n' >"$T/ra.json"
  chmod 0644 "$T/ra.json"
  mutate '.process.user.uid = 0 | .annotations = {"run.oci.hooks.stderr": "/etc/nologin",
      "run.oci.hooks.stdout": "/run/ocigate/hooks/c1.out", "run.oci.seccomp.receiver": "/run/a~b/x.sock",
      "run.oci.seccomp_bpf_data": "BgAAAAAA/38=", "io.other": "kept"}
      | .linux.seccomp = {"defaultAction": "SCMP_ACT_ERRNO", "listenerPath": "/run/agent.sock"}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/ra.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>/dev/null
  jq -e '.hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"]' "$T/out.json"
  jq -e '.annotations == {"run.oci.hooks.stdout": "/run/ocigate/hooks/c1.out", "io.other": "kept"}
      and .linux.seccomp == {"defaultAction": "SCMP_ACT_ERRNO"}' "$T/out.json"
  diff <(jq -S 'del(.hooks, .annotations, .linux.seccomp.listenerPath)' "$T/config.json") \
    <(jq -S 'del(.hooks, .annotations)' "$T/out.json")
  # Allowed (warn only, and logged), the config comes back as it was, but
  # for the mark of the decision logged.
  mutate '.annotations = {"run.oci.hooks.stderr": "/etc/nologin"}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/ra.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>/dev/null
  diff <(jq -S '.annotations["dev.ocigate.judged"] = "allow"' "$T/config.json") <(jq -S . "$T/out.json")
}

@test "precreate: a refused config comes back without the hooks the hooks rule found (poststop runs even after a failed start)" {
  printf '{"version": 1, "rules": {"user.root": {"action": "deny"}, "hooks": {"action": "warn"}}}\n' >"$T/hk.json"
  chmod 0644 "$T/hk.json"
  compliant_config | jq --arg og "$(readlink -f "$OCIGATE")" '.process.user.uid = 0
      | .hooks = {"poststop": [{"path": "/bin/sh"}, {"path": "/bin/true"}, {"path": "/bin/false"}],
                  "prestart": [{"path": $og, "args": ["ocigate", "hook"]}], "startContainer": [{"path": "/bin/sh"}]}' \
    >"$T/config.json"
  "$OCIGATE" hook -p "$T/hk.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>/dev/null
  jq -e --arg og "$(readlink -f "$OCIGATE")" '.hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"]
      and .hooks.prestart[1] == {"path": $og, "args": ["ocigate", "hook"]} and (.hooks.prestart | length) == 2
      and (.hooks | has("poststop") and (.poststop == [])) and .hooks.startContainer == [{"path": "/bin/sh"}]' "$T/out.json"
  # Refused unjudged (a hook of the wrong type), every hook goes but the refusing ones.
  mutate '.hooks = {"poststop": [{"path": "/bin/sh"}], "poststart": [{"path": 7}]}' >"$T/config.json"
  "$OCIGATE" hook -p "$T/hk.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>/dev/null
  jq -e '(.hooks | keys) == ["createRuntime", "prestart"] and (.hooks.prestart | length) == 1' "$T/out.json"
}

@test "precreate: a config refused unjudged loses every runtime annotation crun acts on before any hook" {
  # No finding says what to remove when the policy does not load or a rule
  # cannot judge the config (here noNewPrivileges, before runtimeAnnotations
  # in the table): every key the rule judges goes, allowed or not.
  local annotations='{"run.oci.hooks.stderr": "/etc/nologin", "run.oci.hooks.stdout": "/run/ocigate/hooks/c1.out",
      "run.oci.seccomp.receiver": "/run/x.sock", "run.oci.seccomp_bpf_data": "BgAAAAAA/38=",
      "run.oci.seccomp.plugins": "/tmp/p.so", "run.oci.pidfd_receiver": "/run/p.sock",
      "run.oci.keep_original_groups": "1", "io.other": "kept"}'
  mutate ".process.noNewPrivileges = \"yes\" | .annotations = $annotations
      | .linux.seccomp.listenerPath = \"/run/agent.sock\"" >"$T/config.json"
  printf '{"version": 1, "rules": {"noNewPrivileges": {"action": "deny"}, "runtimeAnnotations": {"action": "deny"}}}\n' >"$T/ra.json"
  chmod 0644 "$T/ra.json"
  echo '{"version": 9, "rules": {}}' >"$T/broken.json"
  chmod 0644 "$T/broken.json"
  for policy in "$T/ra.json" "$T/broken.json"; do
    "$OCIGATE" hook -p "$policy" --stage precreate <"$T/config.json" >"$T/out.json" 2>"$T/err"
    grep -q "^ocigate: refused: " "$T/err"
    jq -e '.hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"]' "$T/out.json"
    jq -e '.annotations == {"io.other": "kept"} and (.linux.seccomp | has("listenerPath") | not)' "$T/out.json"
    diff <(jq -S 'del(.hooks, .annotations, .linux.seccomp.listenerPath)' "$T/config.json") \
      <(jq -S 'del(.hooks, .annotations)' "$T/out.json")
  done
}

@test "precreate: a refusal quoting a huge, hostile config string is one short printable line" {
  # A bind of /root at a destination of 900 KB: newlines, and an ESC at its
  # end.  Quoted whole, the reason would be one argument of the added hook
  # larger than exec(2) takes (128 KiB), and lines the config wrote.
  printf '{"version": 1, "rules": {"mounts": {"action": "deny"}}}\n' >"$T/mounts.json"
  chmod 0644 "$T/mounts.json"
  mutate '.mounts += [{"destination": ("/mnt/" + ("a\n" * 300000) + "\u001b[2J"), "type": "bind",
      "source": "/root", "options": ["rbind", "ro"]}]' >"$T/config.json"
  "$OCIGATE" hook -p "$T/mounts.json" --stage precreate <"$T/config.json" >"$T/out.json"
  jq -e '.hooks.prestart[0].args | length == 4 and (map(length) | max) <= 4200
      and all(.[]; explode | all(.[]; . >= 32 and . != 127))' "$T/out.json"
  mapfile -t args < <(jq -r '.hooks.prestart[0].args[1:][]' "$T/out.json")
  run "$OCIGATE" "${args[@]}" </dev/null
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  [[ "$output" == "ocigate: denied by mounts: bind mount of sensitive host path /root ("*"destination /mnt/a\x0aa\x0a"*" bytes cut) ... "*"a\x0a\x1b[2J); remove the mount" ]]
}

@test "precreate: a broken policy still shows its reason through the added hook" {
  mutate '.process.user.uid = 1000' >"$T/config.json"
  echo '{"version": 9, "rules": {}}' >"$T/policy.json"
  "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json" >"$T/out.json" 2>"$T/err"
  jq -e '.hooks.prestart[0].args | index("--refuse") == 2' "$T/out.json"
  jq -r '.hooks.prestart[0].args[3]' "$T/out.json" | grep -q "ocigate: refused: $T/policy.json:1: version: 9 is not a version"
  # and Podman's log gets it as one whole line
  grep -q "^ocigate: refused: $T/policy.json:1: version: 9 is not a version" "$T/err"
  [ "$(tail -c 1 "$T/err" | od -An -c | tr -d ' ')" = '\n' ]
}

@test "precreate: a config that is not JSON fails the hook" {
  echo 'garbage' >"$T/config.json"
  run "$OCIGATE" hook -p "$T/policy.json" --stage precreate <"$T/config.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: config.json:1:1: invalid JSON"* ]]
}

@test "an OCI state whose container ID holds a NUL is refused (exceptions match on the ID)" {
  compliant_config >"$T/bundle/config.json"
  printf '{"id": "legacy\\u0000-x", "bundle": "%s"}' "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: OCI state:1:15: \"\\u0000\" in a string: runtimes read such JSON differently"* ]]
}

# Run "$@" in a mount namespace of its own where /dev/log is the socket
# $T/log (made by listen_log), as a syslog daemon's would be.
with_dev_log() {
  unshare -m sh -ec '
    mount --make-rprivate /
    if [ ! -e /dev/log ]; then
      # no syslog here: a /dev of this namespace only, with its null
      mkdir -p "$T/dev"
      mount --rbind /dev "$T/dev"
      mount -t tmpfs tmpfs /dev
      touch /dev/null /dev/log
      mount --bind "$T/dev/null" /dev/null
    fi
    mount --bind "$T/log" /dev/log
    "$@"' sh "$@"
}

# listen_log dgram|stream OUT: a syslog daemon on $T/log that keeps the
# first message in OUT (a stream record ends at its NUL).
listen_log() {
  python3 - "$1" "$T/log" "$2" <<'PY' &
import os, socket, sys
kind, path, out = sys.argv[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM if kind == 'dgram' else socket.SOCK_STREAM)
s.bind(path)
s.settimeout(20)
if kind == 'dgram':
    data = s.recv(1 << 22)
else:
    s.listen(1)
    c, _ = s.accept()
    c.settimeout(20)
    data = b''
    while not data.endswith(b'\0'):
        more = c.recv(1 << 16)
        if not more:
            break
        data += more
open(out + '.tmp', 'wb').write(data)
os.rename(out + '.tmp', out)
PY
  for _ in $(seq 100); do [ -S "$T/log" ] && return 0; sleep 0.05; done
  return 1
}

# hook_to_syslog dgram|stream POLICY: run the hook on $T/state.json under
# POLICY with a syslog daemon of that kind on /dev/log; SYSLOG_LINE is the
# JSON line it got (the syslog header and a stream's NUL taken off).
hook_to_syslog() {
  rm -f "$T/log" "$T/got" "$T/decisions.log"
  listen_log "$1" "$T/got"
  run with_dev_log "$OCIGATE" hook -p "$2" <"$T/state.json"
  wait
  SYSLOG_LINE=$(tr -d '\0' <"$T/got" | sed 's/^[^{]*//')
}

@test "a refusal goes to syslog as syslog(3) sends it: authpriv.warning, tag ocigate[PID], the log's line" {
  [ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
  command -v python3 >/dev/null || skip "needs python3"
  export T
  mutate '.process.user.uid = 0' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  for kind in dgram stream; do
    hook_to_syslog "$kind" "$T/policy.json"
    [ "$status" -eq 1 ]
    [[ "$output" == "ocigate: denied by user.root: "* ]]
    # <84> is LOG_AUTHPRIV | LOG_WARNING; the time is syslog(3)'s "%h %e %T"
    grep -aEq '^<84>[A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] ocigate\[[0-9]+\]: \{' "$T/got"
    [ "$SYSLOG_LINE" = "$(cat "$T/decisions.log")" ]
    if [ "$kind" = stream ]; then [ "$(tail -c 1 "$T/got" | od -An -c | tr -d ' ')" = '\0' ]; fi
  done
}

@test "a decision too long for a syslog datagram goes to syslog with the findings that fit, and how many it left out" {
  [ "$(id -u)" = 0 ] || skip "needs root for a mount namespace"
  command -v python3 >/dev/null || skip "needs python3"
  export T
  printf '{"version": 1, "log": {"file": "%s/decisions.log"}, "rules": {"mounts": {"action": "deny"}}}\n' "$T" >"$T/mounts.json"
  chmod 0644 "$T/mounts.json"
  # 120 binds of /root, each at a destination of 3000 bytes: a line of
  # 400 KB, more than an AF_UNIX datagram holds (about 200 KiB).
  mutate '.mounts += [range(120) | {"destination": ("/mnt/\(.)/" + ("d" * 3000)), "type": "bind",
      "source": "/root", "options": ["rbind", "ro"]}]' >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  local line
  for kind in dgram stream; do
    hook_to_syslog "$kind" "$T/mounts.json"
    [ "$status" -eq 1 ]
    [ -s "$T/got" ] # syslog got a line
    line=$SYSLOG_LINE
    [ -n "$line" ]
    # the log file has every finding
    jq -e '(.findings | length) == 120 and (has("findings_omitted") | not)' "$T/decisions.log"
    if [ "$kind" = stream ]; then
      # a stream carries the whole line
      [ "$line" = "$(cat "$T/decisions.log")" ]
    else
      [ "${#line}" -le 8000 ]
      jq -e '.outcome == "refuse" and .decision == "deny" and (.findings | length) >= 1
          and (.findings | length) + .findings_omitted == 120 and (.policy_sha256 | test("^[0-9a-f]{64}$"))' <<<"$line"
      # the same findings as the log file's, in its order
      [ "$(jq -c '.findings' <<<"$line")" = "$(jq -c --argjson n "$(jq '.findings | length' <<<"$line")" '.findings[:$n]' "$T/decisions.log")" ]
    fi
  done
}

@test "a policy that is a FIFO is refused at once, not waited on" {
  # The hook runs on every container start: opened blocking, a FIFO policy
  # hung it in open(2) until something wrote to it.
  mkfifo "$T/fifo.json"
  compliant_config >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  run timeout 10 "$OCIGATE" hook -p "$T/fifo.json" <"$T/state.json"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: policy $T/fifo.json: not a regular file" ]
  timeout 10 "$OCIGATE" hook -p "$T/fifo.json" --stage precreate <"$T/bundle/config.json" >"$T/out.json" 2>"$T/err"
  [ "$(cat "$T/err")" = "ocigate: refused: policy $T/fifo.json: not a regular file" ]
  jq -e '.hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"]' "$T/out.json"
}

@test "a policy reached through a link another user could repoint is refused, wherever the link stands" {
  [ "$(id -u)" -eq 0 ] || skip "needs root to give a directory to another user"
  # $T/links belongs to nobody, who may replace the link p in it: the policy
  # read through p would be whichever one nobody chose.  The link is halfway
  # along the path, not the file itself.
  mkdir -m 0755 "$T/real" "$T/links" "$T/rootlinks"
  cp "$T/policy.json" "$T/real/policy.json"
  chown nobody "$T/links"
  ln -s "$T/real" "$T/links/p"
  ln -s "$T/real" "$T/rootlinks/p"
  # and a link whose target is a path through the first
  ln -s "$T/links/p/policy.json" "$T/rootlinks/q.json"
  compliant_config >"$T/bundle/config.json"
  state "$T/bundle" >"$T/state.json"
  for p in "$T/links/p/policy.json" "$T/rootlinks/q.json"; do
    run "$OCIGATE" hook -p "$p" <"$T/state.json"
    [ "$status" -eq 1 ]
    [[ "$output" == "ocigate: refused: policy $p: its directory $T/links is owned by UID $(id -u nobody), not root; chown root $T/links" ]]
  done
  # The same link in a directory only root may write is fine.
  run "$OCIGATE" hook -p "$T/rootlinks/p/policy.json" <"$T/state.json"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
}
