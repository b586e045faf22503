#!/usr/bin/env bats
# A field of the wrong type cannot be judged: `check good.json bad.json`
# exits 2, and the one line on stderr names the file that is wrong, the
# field and the value there.  One row per rule of the table, each with a
# field that rule reads; the rules that read the typed views of config.c
# (privileged, user.*, capabilities, hostNamespaces.*) get their error when
# the config loads, before any rule runs, and the others from the rule,
# which the message names.  The hook and the wrapper refuse with the same
# message.
bats_require_minimum_version 1.5.0
load helpers

OCIGATE_RUNC="$ROOT/build/ocigate-runc"

# NAME | jq filter making the bad config | the message after "FILE: "
ROWS='
privileged             | .process.capabilities.bounding = "CAP_SYS_ADMIN" | process.capabilities.bounding: must be an array, not string "CAP_SYS_ADMIN"
user.root              | .process.user.uid = "0" | process.user.uid: must be an integer from 0 to 4294967295, not string "0"
user.mapping           | .linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": "1000000", "size": 65536}] | linux.uidMappings[0].hostID: must be an integer from 0 to 4294967295, not string "1000000"
capabilities           | .process.capabilities.effective = ["CAP_CHOWN", 1] | process.capabilities.effective[1]: must be a string, not int 1
hostNamespaces.pid     | .linux.namespaces = [{"type": "pid", "path": 5}] | linux.namespaces[0].path: must be a string, not int 5
hostNamespaces.network | .linux.namespaces = [{"type": "network", "path": true}] | linux.namespaces[0].path: must be a string, not boolean true
hostNamespaces.ipc     | .linux.namespaces = [{"type": "ipc"}, {"type": "uts", "path": ["/proc/1/ns/uts"]}] | linux.namespaces[1].path: must be a string, not array ["/proc/1/ns/uts"]
hostNamespaces.uts     | .linux.namespaces = [{"type": 7}] | linux.namespaces[0].type: must be a string, not int 7
hostNamespaces.cgroup  | .linux.namespaces = {"cgroup": {}} | linux.namespaces: must be an array, not object {"cgroup":{}}
noNewPrivileges        | .process.noNewPrivileges = "yes" | rule noNewPrivileges: process.noNewPrivileges: must be a boolean, not string "yes"
readonlyRootfs         | .root.readonly = "true" | rule readonlyRootfs: root.readonly: must be a boolean, not string "true"
apparmor               | .process.apparmorProfile = 7 | rule apparmor: process.apparmorProfile: must be a string, not int 7
selinux                | .linux.mountLabel = ["system_u:object_r:container_file_t:s0"] | rule selinux: linux.mountLabel: must be a string, not array ["system_u:object_r:container_file_t:s0"]
sysctls                | .linux.sysctl = {"net.ipv4.ip_forward": 1} | rule sysctls: linux.sysctl.net.ipv4.ip_forward: must be a string, not int 1
resources              | .linux.resources.memory.limit = "1g" | rule resources: linux.resources.memory.limit: must be an integer, not string "1g"
mounts                 | .mounts[0].source = 7 | rule mounts: mounts[0].source: must be a string, not int 7
devices                | .linux.devices = [{"path": "/dev/null", "type": "c", "major": "1", "minor": 3}] | rule devices: linux.devices[0].major: must be an integer, not string "1"
maskedPaths            | .linux.readonlyPaths = ["/proc/bus", 5] | rule maskedPaths: linux.readonlyPaths[1]: must be a string, not int 5 (linux.readonlyPaths must be an array of strings)
seccomp                | .linux.seccomp.defaultErrnoRet = "1" | rule seccomp: linux.seccomp.defaultErrnoRet: must be an integer from 0 to 4294967295, not string "1"
runtimeAnnotations     | .annotations = {"run.oci.hooks.stdout": 5} | rule runtimeAnnotations: annotations.run.oci.hooks.stdout: must be a string, not int 5
hooks                  | .hooks.poststop = [{"path": "/usr/local/bin/ocigate", "args": ["ocigate", "hook", 7]}] | rule hooks: hooks.poststop[0].args[2]: must be a string, not int 7 (hooks.poststop[0].args must be an array of strings)
processCwd             | .process.cwd = ["/proc/self/fd/7"] | rule processCwd: process.cwd: must be a string, not array ["/proc/self/fd/7"]
rlimits                | .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": "1024", "soft": 1024}] | rule rlimits: process.rlimits[0].hard: must be an integer, not string "1024"
cgroupsPath            | .linux.cgroupsPath = ["/docker"] | rule cgroupsPath: linux.cgroupsPath: must be a string, not array ["/docker"]
'

declare -gA ROW_FILTER ROW_MESSAGE
ROW_NAMES=()
while IFS= read -r line; do
  [ -n "$line" ] || continue
  name=${line%%|*}
  name=${name// /}
  rest=${line#*|}
  ROW_NAMES+=("$name")
  ROW_FILTER[$name]=${rest% | *}
  ROW_MESSAGE[$name]=${rest##* | }
done <<<"$ROWS"

setup() {
  T=$BATS_TEST_TMPDIR
}

# policy NAME: only that rule on, with the default policy's options, at
# deny; writable by root alone, as the hook and the wrapper want it.
policy() {
  jq --arg r "$1" '{"version": 1, "rules": {($r): (.rules[$r] + {"action": "deny"})}}' "$POLICIES/default.json" \
    >"$T/policy.json"
  chmod 0644 "$T/policy.json"
}

# wrong_type NAME: `check good.json bad-NAME.json` under a policy of that
# rule alone judges the good one and names the bad one, its field and value.
wrong_type() {
  local name=$1 filter=${ROW_FILTER[$1]} want=${ROW_MESSAGE[$1]}
  [ -n "$want" ]
  policy "$name"
  compliant_config >"$T/good.json"
  mutate "$filter" >"$T/bad-$name.json"
  run --separate-stderr "$OCIGATE" check -p "$T/policy.json" "$T/good.json" "$T/bad-$name.json"
  echo "status=$status"
  echo "stdout=$output"
  echo "stderr=$stderr"
  [ "$status" -eq 2 ]
  [ "$output" = "$T/good.json: allow" ]
  [ "$stderr" = "ocigate: $T/bad-$name.json: $want" ]
}

@test "every rule of the table has a row here" {
  run --separate-stderr "$OCIGATE" policy show
  [ "$status" -eq 0 ]
  mapfile -t rules < <(jq -r '.rules | keys[]' <<<"$output")
  [ "${#rules[@]}" -ge 20 ]
  for r in "${rules[@]}"; do
    [ -n "${ROW_MESSAGE[$r]:-}" ] || {
      echo "no row for $r"
      false
    }
  done
}

@test "privileged: a wrong type names the config, the field and the value" { wrong_type privileged; }
@test "user.root: a wrong type names the config, the field and the value" { wrong_type user.root; }
@test "user.mapping: a wrong type names the config, the field and the value" { wrong_type user.mapping; }
@test "capabilities: a wrong type names the config, the field and the value" { wrong_type capabilities; }
@test "hostNamespaces.pid: a wrong type names the config, the field and the value" { wrong_type hostNamespaces.pid; }
@test "hostNamespaces.network: a wrong type names the config, the field and the value" { wrong_type hostNamespaces.network; }
@test "hostNamespaces.ipc: a wrong type names the config, the field and the value" { wrong_type hostNamespaces.ipc; }
@test "hostNamespaces.uts: a wrong type names the config, the field and the value" { wrong_type hostNamespaces.uts; }
@test "hostNamespaces.cgroup: a wrong type names the config, the field and the value" { wrong_type hostNamespaces.cgroup; }
@test "noNewPrivileges: a wrong type names the config, the field and the value" { wrong_type noNewPrivileges; }
@test "readonlyRootfs: a wrong type names the config, the field and the value" { wrong_type readonlyRootfs; }
@test "apparmor: a wrong type names the config, the field and the value" { wrong_type apparmor; }
@test "selinux: a wrong type names the config, the field and the value" { wrong_type selinux; }
@test "sysctls: a wrong type names the config, the field and the value" { wrong_type sysctls; }
@test "resources: a wrong type names the config, the field and the value" { wrong_type resources; }
@test "mounts: a wrong type names the config, the field and the value" { wrong_type mounts; }
@test "devices: a wrong type names the config, the field and the value" { wrong_type devices; }
@test "maskedPaths: a wrong type names the config, the field and the value" { wrong_type maskedPaths; }
@test "seccomp: a wrong type names the config, the field and the value" { wrong_type seccomp; }
@test "runtimeAnnotations: a wrong type names the config, the field and the value" { wrong_type runtimeAnnotations; }
@test "hooks: a wrong type names the config, the field and the value" { wrong_type hooks; }
@test "processCwd: a wrong type names the config, the field and the value" { wrong_type processCwd; }
@test "rlimits: a wrong type names the config, the field and the value" { wrong_type rlimits; }
@test "cgroupsPath: a wrong type names the config, the field and the value" { wrong_type cgroupsPath; }

@test "the config is named once, and with --format json the error is the same text" {
  policy noNewPrivileges
  compliant_config >"$T/good.json"
  mutate "${ROW_FILTER[noNewPrivileges]}" >"$T/bad.json"
  run --separate-stderr "$OCIGATE" check -p "$T/policy.json" "$T/bad.json" "$T/good.json" "$T/bad.json"
  [ "$status" -eq 2 ]
  [ "${#stderr_lines[@]}" -eq 2 ]
  [ "$(grep -o "$T/bad.json" <<<"${stderr_lines[0]}" | wc -l)" -eq 1 ]
  run "$OCIGATE" check -p "$T/policy.json" --format json "$T/bad.json"
  [ "$status" -eq 2 ]
  jq -e --arg p "$T/bad.json" --arg e "$T/bad.json: ${ROW_MESSAGE[noNewPrivileges]}" \
    '.config == $p and .error == $e' <<<"$output"
}

@test "a long or unprintable value is cut and escaped" {
  policy apparmor
  mutate '.process.apparmorProfile = [("x" * 300), "a\u001bb\nc"]' >"$T/bad.json"
  run --separate-stderr "$OCIGATE" check -p "$T/policy.json" "$T/bad.json"
  echo "stderr=$stderr"
  [ "$status" -eq 2 ]
  [ "${#stderr_lines[@]}" -eq 1 ]
  local x64
  x64=$(printf 'x%.0s' {1..64})
  [ "$stderr" = "ocigate: $T/bad.json: rule apparmor: process.apparmorProfile: must be a string, not array [\"$x64\"...,\"a\\u001bb\\nc\"]" ]
}

@test "the hook refuses with the same message, naming the bundle's config" {
  policy resources
  mkdir "$T/bundle"
  mutate "${ROW_FILTER[resources]}" >"$T/bundle/config.json"
  printf '{"ociVersion": "1.0.2", "id": "c1", "status": "creating", "bundle": "%s"}' "$T/bundle" >"$T/state.json"
  run "$OCIGATE" hook -p "$T/policy.json" --stage prestart <"$T/state.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: $T/bundle/config.json: ${ROW_MESSAGE[resources]}" ]
}

@test "the wrapper refuses with the same message and never runs the runtime" {
  mkdir "$T/bundle"
  mutate "${ROW_FILTER[sysctls]}" >"$T/bundle/config.json"
  cat >"$T/runtime" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$T/runtime.log"
exit 0
EOF
  chmod 0755 "$T/runtime"
  jq -n --arg r "$T/runtime" '{"version": 1, "runtime": {"runc": $r, "crun": $r}, "rules": {"sysctls": {"action": "deny"}}}' >"$T/policy.json"
  chmod 0644 "$T/policy.json"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" create --bundle "$T/bundle" c1
  echo "$output"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: $T/bundle/config.json: ${ROW_MESSAGE[sysctls]}" ]
  [ ! -e "$T/runtime.log" ]
}
