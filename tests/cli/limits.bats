#!/usr/bin/env bats
# Every limit ocigate enforces (README "Limits"), at the limit and one past
# it.  At the limit the input is judged as any other (the exit is what the
# policy decides); one past it `check` exits 2 with a message naming the
# field (or the file) and the limit, and the hook and the wrapper refuse
# the container (fail closed).  Where the code answers a limit with a deny
# finding instead (a seccomp profile too large to judge, a mapping past the
# last ID), that is what is tested, and the table says so.
#
# The inputs are built once per run by limits-gen.py into $BATS_FILE_TMPDIR
# (about 90 MB); nothing large is checked in.  The wrapper's runtime is a
# script named by the policy that records how it was called, so no
# container starts, except in the one test that drives the real runc.
bats_require_minimum_version 1.5.0
load helpers

OCIGATE_RUNC="$ROOT/build/ocigate-runc"
G="$BATS_FILE_TMPDIR/gen"

setup_file() {
  local profile=/usr/share/containers/seccomp.json
  compliant_config >"$BATS_FILE_TMPDIR/base.json"
  if [ ! -e "$profile" ]; then
    # without containers-common: Docker's profile as the fixture has it
    profile="$BATS_FILE_TMPDIR/profile.json"
    jq '.linux.seccomp' "$FIXTURES/docker-default.json" >"$profile"
  fi
  python3 "$BATS_TEST_DIRNAME/limits-gen.py" "$BATS_FILE_TMPDIR/base.json" "$POLICIES/default.json" "$G" "$profile"
  # The hook and the wrapper read only policies nobody else may write.
  install -m 0644 "$POLICIES/default.json" "$G/default.json"
  chmod 0644 "$G"/pol/*.json
}

setup() {
  T=$BATS_TEST_TMPDIR
}

teardown() {
  local id
  if [ -d "$T/runc-root" ]; then
    for id in $(runc --root "$T/runc-root" list -q 2>/dev/null); do
      runc --root "$T/runc-root" delete -f "$id" >/dev/null 2>&1 || true
    done
  fi
  return 0
}

# ------------------------------------------------------------------ tables

# Config limits, judged by `check -p POLICY`.  Columns:
#   NAME      the inputs cfg/NAME.at/config.json and cfg/NAME.over/config.json
#   POLICY    default (policies/default.json) or a policy limits-gen.py wrote
#   AT        the decision at the limit: allow, deny, any (exit 0 or 1), or
#             error (exit 2: the limit cannot be reached by a valid config)
#   AT-TEXT   text the output at the limit has too (optional)
#   OVER      the exit one past the limit: 2, or 1 for a deny finding
#   OVER-TEXT the message one past it; {} stands for the config's path, *
#             for any text (the column of a JSON error)
CONFIG_LIMITS='
size                  | default  | allow |  | 2 | {}: file is 16777217 bytes, more than the limit of 16777216
depth                 | default  | allow |  | 2 | {}:1:*: invalid JSON: nesting deeper than the limit of 64
json-containers       | default  | allow |  | 2 | {}: more than 131072 JSON objects and arrays (the limit)
json-values           | default  | allow |  | 2 | {}: more than 1048576 JSON values (the limit)
gids                  | default  | allow |  | 2 | {}: process.user.additionalGids: 4097 entries, more than the limit of 4096
caps-bounding         | default  | allow |  | 2 | {}: process.capabilities.bounding: 4097 entries, more than the limit of 4096
caps-effective        | default  | allow |  | 2 | {}: process.capabilities.effective: 4097 entries, more than the limit of 4096
caps-inheritable      | default  | allow |  | 2 | {}: process.capabilities.inheritable: 4097 entries, more than the limit of 4096
caps-permitted        | default  | allow |  | 2 | {}: process.capabilities.permitted: 4097 entries, more than the limit of 4096
caps-ambient          | default  | allow |  | 2 | {}: process.capabilities.ambient: 4097 entries, more than the limit of 4096
namespaces            | default  | error | namespace type "pid" given twice | 2 | {}: linux.namespaces: 4097 entries, more than the limit of 4096
uidmappings           | default  | allow |  | 2 | {}: linux.uidMappings: 341 mappings, more than the kernel'"'"'s limit of 340
gidmappings           | default  | allow |  | 2 | {}: linux.gidMappings: 341 mappings, more than the kernel'"'"'s limit of 340
mounts                | default  | allow |  | 2 | {}: rule mounts: mounts: 4097 mounts, more than the limit of 4096
mount-options         | default  | allow |  | 2 | {}: rule mounts: mounts[7].options: 4097 entries, more than the limit of 4096
mount-source          | default  | allow |  | 2 | {}: rule mounts: mounts[7].source: 4096 bytes, more than the kernel'"'"'s limit on a path (4095)
lookups               | lookups  | allow |  | 2 | {}: rule mounts: mounts[39].source: the bind sources need more than 16384 path lookups to resolve; cannot be judged
devices               | default  | allow |  | 2 | {}: rule devices: linux.devices: 4097 entries, more than the limit of 4096
cgroup-devices        | default  | allow |  | 2 | {}: rule devices: linux.resources.devices: 4097 entries, more than the limit of 4096
masked                | default  | allow |  | 2 | {}: rule maskedPaths: linux.maskedPaths: 4097 paths, more than the limit of 4096
readonly              | default  | allow |  | 2 | {}: rule maskedPaths: linux.readonlyPaths: 4097 paths, more than the limit of 4096
sysctl                | sysctls  | allow |  | 2 | {}: rule sysctls: linux.sysctl: 4097 entries, more than the limit of 4096
rlimits               | default  | allow |  | 2 | {}: rule rlimits: process.rlimits: 4097 entries, more than the limit of 4096
uid                   | default  | any   |  | 2 | {}: process.user.uid: 4294967296 is out of range (0 to 4294967295)
gid                   | default  | allow |  | 2 | {}: process.user.gid: 4294967296 is out of range (0 to 4294967295)
uid-low               | default  | deny  | deny user.root: process runs as host UID 0 | 2 | {}: process.user.uid: -1 is out of range (0 to 4294967295)
gid-low               | default  | allow | warn user.root: process runs with host GID 0 | 2 | {}: process.user.gid: -1 is out of range (0 to 4294967295)
additional-gid        | default  | allow |  | 2 | {}: process.user.additionalGids[1]: 4294967296 is out of range (0 to 4294967295)
mapping-containerID   | default  | deny  | deny user.mapping: mapping overflows 32 bits | 2 | {}: linux.uidMappings[0].containerID: 4294967296 is out of range (0 to 4294967295)
mapping-hostID        | default  | deny  | deny user.mapping: mapping overflows 32 bits | 2 | {}: linux.uidMappings[0].hostID: 4294967296 is out of range (0 to 4294967295)
mapping-size          | default  | deny  | deny user.mapping: mapping overflows 32 bits | 2 | {}: linux.uidMappings[0].size: 4294967296 is out of range (0 to 4294967295)
mapping-end           | default  | allow |  | 1 | {}: deny user.mapping: mapping overflows 32 bits (linux.uidMappings[0]: containerID=0 hostID=4294901760 size=65536); keep ID + size at most 4294967295
seccomp-syscalls      | default  | allow |  | 1 | {}: deny seccomp: seccomp profile too large (linux.seccomp.syscalls has 4097 entries, more than the limit of 4096)
seccomp-names         | default  | allow |  | 1 | {}: deny seccomp: seccomp profile too large (linux.seccomp.syscalls[12].names has 1025 entries, more than the limit of 1024)
seccomp-args          | default  | allow |  | 1 | {}: deny seccomp: seccomp profile too large (linux.seccomp.syscalls[12].args has 7 entries, more than the limit of 6)
seccomp-architectures | default  | allow |  | 1 | {}: deny seccomp: seccomp profile too large (linux.seccomp.architectures has 65 entries, more than the limit of 64)
seccomp-flags         | default  | allow |  | 1 | {}: deny seccomp: seccomp profile too large (linux.seccomp.flags has 65 entries, more than the limit of 64)
seccomp-rules         | default  | allow |  | 1 | {}: deny seccomp: seccomp profile too large (linux.seccomp.syscalls makes more than 8192 libseccomp rules
'

# Policy limits: pol/NAME.at.json is a valid policy, pol/NAME.over.json
# fails to load with this message ({} stands for the policy's path; the
# line the key is on sits between the path and the message).
POLICY_LIMITS='
size             | policy: {}: file is 1048577 bytes, more than the limit of 1048576
exceptions       | {}:*: exceptions: 1025 exceptions, more than the limit of 1024
mounts-sensitive | {}:*: rules.mounts.sensitive: 4097 paths, more than the limit of 4096
devices-allow    | {}:*: rules.devices.allow: 4097 paths, more than the limit of 4096
masked-masked    | {}:*: rules.maskedPaths.masked: 4097 paths, more than the limit of 4096
masked-readonly  | {}:*: rules.maskedPaths.readonly: 4097 paths, more than the limit of 4096
sysctls-allow    | {}:*: rules.sysctls.allow: 4097 entries, more than the limit of 4096
cgroupsPath-allow | {}:*: rules.cgroupsPath.allow: 4097 entries, more than the limit of 4096
seccomp-deny     | {}:*: rules.seccomp.deny: 1025 names, more than the limit of 1024
'

# trim VAR TEXT: VAR is TEXT without leading and trailing blanks.
trim() {
  local v=$2
  v="${v#"${v%%[![:space:]]*}"}"
  printf -v "$1" '%s' "${v%"${v##*[![:space:]]}"}"
}

# The tables as arrays, by name (read once, without subshells).
# (bats sources this file inside a function: -g keeps them global)
declare -gA ROW_POL ROW_AT ROW_AT_TEXT ROW_OVER ROW_OVER_TEXT ROW_POLICY_TEXT
CONFIG_NAMES=()
read_tables() {
  local line name pol at at_text over over_text text
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    IFS='|' read -r name pol at at_text over over_text <<<"$line"
    trim name "$name"
    CONFIG_NAMES+=("$name")
    trim "ROW_POL[$name]" "$pol"
    trim "ROW_AT[$name]" "$at"
    trim "ROW_AT_TEXT[$name]" "$at_text"
    trim "ROW_OVER[$name]" "$over"
    trim "ROW_OVER_TEXT[$name]" "$over_text"
  done <<<"$CONFIG_LIMITS"
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    IFS='|' read -r name text <<<"$line"
    trim name "$name"
    trim "ROW_POLICY_TEXT[$name]" "$text"
  done <<<"$POLICY_LIMITS"
}
read_tables

# config_row NAME: sets POL AT AT_TEXT OVER OVER_TEXT from CONFIG_LIMITS.
config_row() {
  [ -n "${ROW_AT[$1]:-}" ] || {
    echo "no row $1 in CONFIG_LIMITS" >&2
    return 1
  }
  POL=$(policy_file "${ROW_POL[$1]}")
  AT=${ROW_AT[$1]}
  AT_TEXT=${ROW_AT_TEXT[$1]}
  OVER=${ROW_OVER[$1]}
  OVER_TEXT=${ROW_OVER_TEXT[$1]}
}

# config_rows STATUS: the names of the rows whose OVER is STATUS.
config_rows() {
  local name
  for name in "${CONFIG_NAMES[@]}"; do
    if [ "${ROW_OVER[$name]}" = "$1" ]; then echo "$name"; fi
  done
}

policy_file() {
  case "$1" in
    default) echo "$G/default.json" ;;
    *) echo "$G/pol/$1.use.json" ;;
  esac
}

# has TEXT TEMPLATE PATH: TEXT holds TEMPLATE, in which {} stands for PATH
# and * for any text (nothing else is special).
has() {
  local text=$1 part parts
  IFS='*' read -r -a parts <<<"${2//\{\}/$3}"
  for part in "${parts[@]}"; do
    [[ "$text" == *"$part"* ]] || {
      printf 'expected to find:\n  %s\n' "${2//\{\}/$3}"
      return 1
    }
    text=${text#*"$part"}
  done
}

# no_limit_words: the last `run` printed nothing about a limit.
no_limit_words() {
  case "$output" in
    *"more than"* | *"too large"* | *"deeper than"* | *"out of range"* | *"cannot be judged"*)
      echo "a limit was reported where none is passed"
      return 1
      ;;
  esac
}

show() {
  echo "status=$status"
  printf '%s\n' "${output:0:3000}"
}

# config_limit NAME: the CONFIG_LIMITS row NAME, through `check`.
config_limit() {
  config_row "$1"
  local at="$G/cfg/$1.at/config.json" over="$G/cfg/$1.over/config.json"

  run "$OCIGATE" check -p "$POL" "$at"
  echo "at the limit:"
  show
  case "$AT" in
    allow)
      [ "$status" -eq 0 ]
      [ "${lines[-1]}" = "$at: allow" ]
      ;;
    deny)
      [ "$status" -eq 1 ]
      [ "${lines[-1]}" = "$at: deny" ]
      ;;
    any)
      [ "$status" -eq 0 ] || [ "$status" -eq 1 ]
      case "${lines[-1]}" in "$at: allow" | "$at: rewrite" | "$at: deny") ;; *) false ;; esac
      ;;
    error)
      [ "$status" -eq 2 ]
      ;;
    *)
      echo "CONFIG_LIMITS: $1 has no AT decision"
      false
      ;;
  esac
  no_limit_words
  [ -z "$AT_TEXT" ] || [[ "$output" == *"$AT_TEXT"* ]]

  run "$OCIGATE" check -p "$POL" "$over"
  echo "one past it:"
  show
  [ "$status" -eq "$OVER" ]
  has "$output" "$OVER_TEXT" "$over"
  if [ "$OVER" -eq 2 ]; then
    [ "${#lines[@]}" -eq 1 ]
    [[ "$output" == "ocigate: "* ]]
  else
    [ "${lines[-1]}" = "$over: deny" ]
  fi
}

# policy_limit NAME: the POLICY_LIMITS row NAME, through `check -p` and
# `policy validate`.
policy_limit() {
  local text=${ROW_POLICY_TEXT[$1]:-} at="$G/pol/$1.at.json" over="$G/pol/$1.over.json" base="$G/cfg/base.at/config.json"
  [ -n "$text" ]

  run "$OCIGATE" check -p "$at" "$base"
  echo "check -p at the limit:"
  show
  [ "$status" -eq 0 ]
  [ "$output" = "$base: allow" ]
  run "$OCIGATE" policy validate "$at"
  show
  [ "$status" -eq 0 ]
  [ "$output" = "$at: valid" ]

  run "$OCIGATE" check -p "$over" "$base"
  echo "check -p one past it:"
  show
  [ "$status" -eq 2 ]
  [ "${#lines[@]}" -eq 1 ]
  has "$output" "ocigate: $text" "$over"
  run "$OCIGATE" policy validate "$over"
  show
  [ "$status" -eq 1 ]
  [ "${#lines[@]}" -eq 1 ]
  has "$output" "ocigate: $text" "$over"
}

# ------------------------------------------------------------ config limits

@test "config size: 16 MiB (16777216 bytes) judged; one byte more refused" {
  [ "$(stat -c %s "$G/cfg/size.at/config.json")" -eq 16777216 ]
  config_limit size
}

@test "config size through standard input: 16 MiB judged; one byte more refused" {
  run bash -c 'cat "$1" | "$2" check -' _ "$G/cfg/size.at/config.json" "$OCIGATE"
  show
  [ "$status" -eq 0 ]
  [ "$output" = "<stdin>: allow" ]
  run bash -c 'cat "$1" | "$2" check -' _ "$G/cfg/size.over/config.json" "$OCIGATE"
  show
  [ "$status" -eq 2 ]
  [ "$output" = "ocigate: <stdin>: more than the limit of 16777216 bytes" ]
}

@test "config size: --format json gives the over-limit config a decision error line naming the limit" {
  local over="$G/cfg/size.over/config.json"
  run "$OCIGATE" check --format json "$G/cfg/size.at/config.json" "$over"
  show
  [ "$status" -eq 2 ]
  [ "${#lines[@]}" -eq 2 ]
  jq -e --arg c "$G/cfg/size.at/config.json" '.config == $c and .decision == "allow"' <<<"${lines[0]}"
  jq -e --arg c "$over" '.config == $c and .decision == "error"
      and .error == "\($c): file is 16777217 bytes, more than the limit of 16777216"' <<<"${lines[1]}"
}

@test "JSON nesting: 64 levels judged; 65 refused" { config_limit depth; }
@test "JSON objects and arrays: 131072 judged; 131073 refused" { config_limit json-containers; }
@test "JSON values: 1048576 judged; 1048577 refused" { config_limit json-values; }
@test "process.user.additionalGids: 4096 entries judged; 4097 refused" { config_limit gids; }
@test "process.capabilities.bounding: 4096 entries judged; 4097 refused" { config_limit caps-bounding; }
@test "process.capabilities.effective: 4096 entries judged; 4097 refused" { config_limit caps-effective; }
@test "process.capabilities.inheritable: 4096 entries judged; 4097 refused" { config_limit caps-inheritable; }
@test "process.capabilities.permitted: 4096 entries judged; 4097 refused" { config_limit caps-permitted; }
@test "process.capabilities.ambient: 4096 entries judged; 4097 refused" { config_limit caps-ambient; }

@test "linux.namespaces: 4097 entries refused; 4096 cannot be valid (a type may be given once)" {
  config_limit namespaces
}

@test "linux.uidMappings: 340 mappings (the kernel's limit) judged; 341 refused" { config_limit uidmappings; }
@test "linux.gidMappings: 340 mappings (the kernel's limit) judged; 341 refused" { config_limit gidmappings; }
@test "mounts: 4096 mounts judged; 4097 refused" { config_limit mounts; }
@test "mounts[].options: 4096 entries judged; 4097 refused" { config_limit mount-options; }
@test "mounts[].source of a bind: 4095 bytes judged; 4096 refused" { config_limit mount-source; }
@test "bind sources: 16384 path lookups judged; one more refused" { config_limit lookups; }
@test "linux.devices: 4096 entries judged; 4097 refused" { config_limit devices; }
@test "linux.resources.devices: 4096 entries judged; 4097 refused" { config_limit cgroup-devices; }
@test "linux.maskedPaths: 4096 paths judged; 4097 refused" { config_limit masked; }
@test "linux.readonlyPaths: 4096 paths judged; 4097 refused" { config_limit readonly; }
@test "linux.sysctl: 4096 entries judged; 4097 refused" { config_limit sysctl; }
@test "process.rlimits: 4096 entries judged; 4097 refused" { config_limit rlimits; }

@test "a list only a rule that is off reads is not limited (README: judged lists)" {
  # tests/policies/mission.json has the four mission rules alone: mounts is off.
  run "$OCIGATE" check -p "$ROOT/tests/policies/mission.json" "$G/cfg/mounts.over/config.json"
  show
  [ "$status" -eq 0 ]
  [ "$output" = "$G/cfg/mounts.over/config.json: allow" ]
}

@test "bind sources: 40 symbolic links followed (the kernel's MAXSYMLINKS); past them judged as written, as the kernel refuses the path" {
  local at="$G/cfg/symlinks.at/config.json" over="$G/cfg/symlinks.over/config.json"
  [ "$(stat -L -c %i "$G/links/l40")" = "$(stat -c %i /etc)" ]
  run stat -L "$G/links/l41"
  [ "$status" -ne 0 ]
  [[ "$output" == *"Too many levels of symbolic links"* ]]

  run "$OCIGATE" check "$at"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny mounts: bind mount of sensitive host path /etc (mounts[7].source=$G/links/l40, resolved /etc"* ]]
  no_limit_words
  run "$OCIGATE" check "$over"
  show
  [ "$status" -eq 0 ]
  [ "$output" = "$over: allow" ]
}

@test "process.user.uid: 0 to 4294967295 judged; -1 and 4294967296 refused" {
  config_limit uid
  config_limit uid-low
}

@test "process.user.gid: 0 to 4294967295 judged; -1 and 4294967296 refused" {
  config_limit gid
  config_limit gid-low
}

@test "process.user.additionalGids[]: 4294967295 judged; 4294967296 refused" { config_limit additional-gid; }
@test "linux.uidMappings[].containerID: 4294967295 judged; 4294967296 refused" { config_limit mapping-containerID; }
@test "linux.uidMappings[].hostID: 4294967295 judged; 4294967296 refused" { config_limit mapping-hostID; }
@test "linux.uidMappings[].size: 4294967295 judged; 4294967296 refused" { config_limit mapping-size; }
@test "a mapping's hostID + size: 4294967295 allowed; one more denied by user.mapping (a finding, not exit 2)" {
  config_limit mapping-end
}

@test "process.user.uid 4294967295 is (uid_t) -1, which crun runs as host UID 0: user.root refuses it" {
  # crun 1.8 calls setresuid(uid, uid, uid); with -1 that
  # changes nothing, so the process keeps UID 0 (runc 1.1 refuses UIDs above
  # 2147483647).  Repro as root: a runc-spec bundle with
  # process.user = {"uid": 4294967295, "gid": 1000} and args ["/bin/id"]:
  #   crun run -b . x -> uid=0 gid=1000; ocigate refuses it.
  local cfg="$G/cfg/uid.at/config.json"
  run "$OCIGATE" check "$cfg"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny user.root:"* ]]
}

@test "linux.seccomp.syscalls: 4096 entries judged; 4097 a deny finding (too large to judge)" { config_limit seccomp-syscalls; }
@test "linux.seccomp.syscalls[].names: 1024 judged; 1025 a deny finding" { config_limit seccomp-names; }
@test "linux.seccomp.syscalls[].args: 6 judged; 7 a deny finding" { config_limit seccomp-args; }
@test "linux.seccomp.architectures: 64 judged; 65 a deny finding" { config_limit seccomp-architectures; }
@test "linux.seccomp.flags: 64 judged; 65 a deny finding" { config_limit seccomp-flags; }
@test "linux.seccomp: 8192 libseccomp rules judged; 8193 a deny finding" { config_limit seccomp-rules; }

@test "a seccomp profile too large to judge is denied whatever the rule's action, and not at all when the rule is off" {
  local over="$G/cfg/seccomp-flags.over/config.json"
  jq '.rules.seccomp.action = "warn"' "$POLICIES/default.json" >"$T/warn.json"
  run "$OCIGATE" check -p "$T/warn.json" "$over"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == *"$over: deny seccomp: seccomp profile too large (linux.seccomp.flags has 65 entries"* ]]
  jq '.rules.seccomp.action = "off"' "$POLICIES/default.json" >"$T/off.json"
  run "$OCIGATE" check -p "$T/off.json" "$over"
  show
  [ "$status" -eq 0 ]
  [ "$output" = "$over: allow" ]
}

# ------------------------------------------------------------ policy limits

@test "policy size: 1 MiB (1048576 bytes) loads; one byte more refused" {
  [ "$(stat -c %s "$G/pol/size.at.json")" -eq 1048576 ]
  policy_limit size
}

@test "policy nesting: 64 levels parse (the loader then names the unknown key); 65 refused as too deep" {
  local base="$G/cfg/base.at/config.json" at="$G/pol/depth.at.json" over="$G/pol/depth.over.json"
  # No valid policy nests 64 deep: at the limit the parser accepts the
  # text, and the loader refuses the key that holds the nesting.
  run "$OCIGATE" check -p "$at" "$base"
  show
  [ "$status" -eq 2 ]
  [[ "$output" == "ocigate: $at:1: x: unknown key"* ]]
  no_limit_words
  run "$OCIGATE" check -p "$over" "$base"
  show
  [ "$status" -eq 2 ]
  [[ "$output" == "ocigate: $over:1:"*": invalid JSON: nesting deeper than the limit of 64" ]]
  run "$OCIGATE" policy validate "$over"
  [ "$status" -eq 1 ]
  [[ "$output" == *"nesting deeper than the limit of 64"* ]]
}

@test "exceptions: 1024 load; 1025 refused" { policy_limit exceptions; }
@test "rules.mounts.sensitive: 4096 paths load; 4097 refused" { policy_limit mounts-sensitive; }
@test "rules.devices.allow: 4096 paths load; 4097 refused" { policy_limit devices-allow; }
@test "rules.maskedPaths.masked: 4096 paths load; 4097 refused" { policy_limit masked-masked; }
@test "rules.maskedPaths.readonly: 4096 paths load; 4097 refused" { policy_limit masked-readonly; }
@test "rules.sysctls.allow: 4096 entries load; 4097 refused" { policy_limit sysctls-allow; }
@test "rules.cgroupsPath.allow: 4096 entries load; 4097 refused" { policy_limit cgroupsPath-allow; }
@test "rules.seccomp.deny: 1024 names load; 1025 refused" { policy_limit seccomp-deny; }

@test "the seccomp profile fix inserts: 4 MiB (4194304 bytes) used; one byte more refused by fix and check" {
  [ "$(stat -c %s "$G/profile/at.json")" -eq 4194304 ]
  jq 'del(.linux.seccomp)' "$G/cfg/base.at/config.json" >"$T/config.json"
  run "$OCIGATE" fix -p "$G/pol/profile.at.json" -o "$T/fixed.json" "$T/config.json"
  show
  [ "$status" -eq 0 ]
  jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and (.linux.seccomp.syscalls | length) > 10' "$T/fixed.json"
  no_limit_words

  run "$OCIGATE" fix -p "$G/pol/profile.over.json" -o "$T/fixed-over.json" "$T/config.json"
  show
  [ "$status" -eq 2 ]
  [[ "$output" == *"ocigate: $T/config.json: fix seccomp: seccomp profile: $G/profile/over.json: file is 4194305 bytes, more than the limit of 4194304" ]]
  [ ! -e "$T/fixed-over.json" ]
  # check is fix's dry run: the same error, not "rewrite"
  run "$OCIGATE" check -p "$G/pol/profile.over.json" "$T/config.json"
  show
  [ "$status" -eq 2 ]
  [ "$output" = "ocigate: $T/config.json: fix seccomp: seccomp profile: $G/profile/over.json: file is 4194305 bytes, more than the limit of 4194304" ]
  run "$OCIGATE" check -p "$G/pol/profile.at.json" "$T/config.json"
  show
  [ "$status" -eq 0 ]
  [ "${lines[-1]}" = "$T/config.json: rewrite" ]
}

# ----------------------------------------------------- the hook: fail closed

# state BUNDLE: the OCI state a runtime gives a prestart hook.
state() {
  printf '{"ociVersion": "1.0.2", "id": "limits", "status": "creating", "bundle": "%s"}' "$1"
}

# hook_limit NAME [STAGE [over]]: at the limit the hook allows (exit 0,
# silent); one past it, it refuses with the message of `check`.  With
# "over", only past the limit.
hook_limit() {
  config_row "$1"
  local stage=${2:-prestart} over="$G/cfg/$1.over"
  if [ "$AT" = allow ] && [ "${3:-}" != over ]; then
    state "$G/cfg/$1.at" >"$T/state.json"
    run "$OCIGATE" hook --stage "$stage" -p "$POL" <"$T/state.json"
    echo "hook $stage, $1 at the limit:"
    show
    [ "$status" -eq 0 ]
    [ -z "$output" ]
  fi
  state "$over" >"$T/state.json"
  run "$OCIGATE" hook --stage "$stage" -p "$POL" <"$T/state.json"
  echo "hook $stage, $1 one past it:"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: "* ]]
  has "$output" "$OVER_TEXT" "$over/config.json"
}

@test "hook prestart: a 16 MiB config is allowed; one byte more is refused" { hook_limit size; }
@test "hook prestart: nesting 64 allowed; 65 refused" { hook_limit depth; }
@test "hook prestart: 4096 mounts allowed; 4097 refused" { hook_limit mounts; }
@test "hook prestart: 340 uid mappings allowed; 341 refused" { hook_limit uidmappings; }

@test "hook createRuntime and createContainer refuse over-limit configs as prestart does" {
  local stage
  for stage in createRuntime createContainer; do
    hook_limit size "$stage"
    hook_limit depth "$stage"
    hook_limit gids "$stage"
  done
}

# every_exit2_row CMD ARGS...: CMD NAME ARGS... for every config check
# refuses with exit 2; all of them (at least 25) must succeed.
every_exit2_row() {
  local name failed="" n=0
  for name in $(config_rows 2); do
    n=$((n + 1))
    "$1" "$name" "${@:2}" >"$T/out" 2>&1 || {
      cat "$T/out"
      failed+=" $name"
    }
  done
  [ "$n" -ge 25 ]
  [ -z "$failed" ] || {
    echo "not refused:$failed"
    false
  }
}

@test "hook prestart refuses every config check cannot judge for a limit" {
  every_exit2_row hook_limit prestart over
}

@test "hook prestart: a seccomp profile too large to judge refuses the container" {
  config_row seccomp-rules
  state "$G/cfg/seccomp-rules.over" >"$T/state.json"
  run "$OCIGATE" hook -p "$POL" <"$T/state.json"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: denied by seccomp: seccomp profile too large (linux.seccomp.syscalls makes more than 8192 libseccomp rules"* ]]
}

@test "hook: an OCI state of 1 MiB is read; one byte more refused (from a file and from a pipe)" {
  run "$OCIGATE" hook -p "$G/default.json" <"$G/state/size.at.json"
  show
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run bash -c 'cat "$1" | "$2" hook -p "$3"' _ "$G/state/size.at.json" "$OCIGATE" "$G/default.json"
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "$OCIGATE" hook -p "$G/default.json" <"$G/state/size.over.json"
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: OCI state: file is 1048577 bytes, more than the limit of 1048576" ]
  run bash -c 'cat "$1" | "$2" hook -p "$3"' _ "$G/state/size.over.json" "$OCIGATE" "$G/default.json"
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: OCI state: more than the limit of 1048576 bytes" ]
}

@test "hook: an OCI state nested 64 deep is read; 65 refused" {
  run "$OCIGATE" hook -p "$G/default.json" <"$G/state/depth.at.json"
  show
  [ "$status" -eq 0 ]
  [ -z "$output" ]
  run "$OCIGATE" hook -p "$G/default.json" <"$G/state/depth.over.json"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: OCI state:1:"*": invalid JSON: nesting deeper than the limit of 64" ]]
}

@test "hook: a policy past a limit refuses every container, naming the policy and the limit" {
  state "$G/cfg/base.at" >"$T/state.json"
  run "$OCIGATE" hook -p "$G/pol/size.at.json" <"$T/state.json"
  show
  [ "$status" -eq 0 ]
  run "$OCIGATE" hook -p "$G/pol/size.over.json" <"$T/state.json"
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: policy: $G/pol/size.over.json: file is 1048577 bytes, more than the limit of 1048576" ]
  run "$OCIGATE" hook -p "$G/pol/exceptions.over.json" <"$T/state.json"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: $G/pol/exceptions.over.json:"*": exceptions: 1025 exceptions, more than the limit of 1024" ]]
}

# precreate <INPUT: the precreate hook; stdout to $T/out, stderr to
# $T/err, exit status in $st.
precreate() {
  st=0
  "$OCIGATE" hook --stage precreate -p "$G/default.json" >"$T/out" 2>"$T/err" || st=$?
  echo "precreate: status=$st stderr=$(head -c 2000 "$T/err")"
}

@test "hook precreate: a 16 MiB config on a pipe comes back byte for byte; one byte more fails the hook, nothing on stdout" {
  precreate < <(cat "$G/cfg/size.at/config.json")
  [ "$st" -eq 0 ]
  cmp "$G/cfg/size.at/config.json" "$T/out"
  precreate < <(cat "$G/cfg/size.over/config.json")
  [ "$st" -eq 1 ]
  [ ! -s "$T/out" ]
  [ "$(cat "$T/err")" = "ocigate: refused: config.json: more than the limit of 16777216 bytes" ]
}

@test "hook precreate: nesting 64 comes back as it is; 65 fails the hook" {
  precreate <"$G/cfg/depth.at/config.json"
  [ "$st" -eq 0 ]
  cmp "$G/cfg/depth.at/config.json" "$T/out"
  precreate <"$G/cfg/depth.over/config.json"
  [ "$st" -eq 1 ]
  [ ! -s "$T/out" ]
  grep -q '^ocigate: refused: config.json:1:[0-9]*: invalid JSON: nesting deeper than the limit of 64$' "$T/err"
}

@test "hook precreate: 4097 mounts come back with a first prestart hook that refuses with the limit" {
  precreate <"$G/cfg/mounts.over/config.json"
  [ "$st" -eq 0 ]
  grep -q 'ocigate: refused: config.json: rule mounts: mounts: 4097 mounts, more than the limit of 4096' "$T/err"
  jq -e '.hooks.prestart[0].args[0:3] == ["ocigate", "hook", "--refuse"]
      and (.hooks.prestart[0].args[3] | contains("mounts: 4097 mounts, more than the limit of 4096"))
      and (.mounts | length) == 4097' "$T/out"
  mapfile -t args < <(jq -r '.hooks.prestart[0].args[1:][]' "$T/out")
  run "$OCIGATE" "${args[@]}" </dev/null
  show
  [ "$status" -eq 1 ]
  [[ "$output" == *"mounts: 4097 mounts, more than the limit of 4096"* ]]
}

# -------------------------------------------------- the wrapper: fail closed

runtime_log() {
  if [ -e "$T/runtime.log" ]; then cat "$T/runtime.log"; fi
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

# wrapper_limit NAME [COMMAND [over]]: at the limit the wrapper hands the
# same arguments to the runtime; one past it, it refuses with the message
# of `check`, never runs the runtime, and leaves the config alone.  With
# "over", only past the limit.
wrapper_limit() {
  config_row "$1"
  local cmd=${2:-create} at="$G/cfg/$1.at" over="$G/cfg/$1.over" before
  fake_runtime "$POL"
  if [ "$AT" = allow ] && [ "${3:-}" != over ]; then
    cp "$at/config.json" "$at/config.json.orig"
    run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" "$cmd" --bundle "$at" limits-at
    echo "ocigate-runc $cmd, $1 at the limit:"
    show
    [ "$status" -eq 0 ]
    [ "$(runtime_log)" = "--root $T/root $cmd --bundle $at limits-at" ]
    # handed on as it was, with the wrapper's verification hook first
    [ "$(jq -S -L "$ROOT/tests/lib" 'include "unverified"; unverified' "$at/config.json")" = "$(jq -S . "$at/config.json.orig")" ]
    [ "$(stat -c %s "$at/config.json")" -le 16777216 ]
    mv "$at/config.json.orig" "$at/config.json"
  fi
  rm -f "$T/runtime.log"
  before=$(sha "$over/config.json")
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" "$cmd" --bundle "$over" limits-over
  echo "ocigate-runc $cmd, $1 one past it:"
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: "* ]]
  has "$output" "$OVER_TEXT" "$over/config.json"
  [ -z "$(runtime_log)" ]
  [ "$(sha "$over/config.json")" = "$before" ]
}

@test "ocigate-runc create: a 16 MiB config goes to the runtime; one byte more is refused and the runtime never runs" { wrapper_limit size; }
@test "ocigate-runc run: the same for run" { wrapper_limit size run; }
@test "ocigate-runc create: nesting 64 goes to the runtime; 65 refused" { wrapper_limit depth; }
@test "ocigate-runc create: 4096 mounts go to the runtime; 4097 refused" { wrapper_limit mounts; }
@test "ocigate-runc create: 340 gid mappings go to the runtime; 341 refused" { wrapper_limit gidmappings; }

@test "ocigate-runc create refuses every config check cannot judge for a limit" {
  every_exit2_row wrapper_limit create over
}

@test "ocigate-runc: a policy past a limit refuses create, naming the policy and the limit" {
  fake_runtime
  run "$OCIGATE_RUNC" --ocigate-policy="$G/pol/size.over.json" --root "$T/root" create --bundle "$G/cfg/base.at" p1
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: policy: $G/pol/size.over.json: file is 1048577 bytes, more than the limit of 1048576" ]
  run "$OCIGATE_RUNC" --ocigate-policy="$G/pol/seccomp-deny.over.json" --root "$T/root" create --bundle "$G/cfg/base.at" p2
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: $G/pol/seccomp-deny.over.json:"*": rules.seccomp.deny: 1025 names, more than the limit of 1024" ]]
  [ -z "$(runtime_log)" ]
}

# exec_state: the runtime's `state` names the bundle base.at.
exec_state() {
  printf '{"ociVersion": "1.0.2", "id": "lx", "status": "running", "bundle": "%s"}\n' "$G/cfg/base.at" >"$T/state.json"
}

@test "ocigate-runc exec: a 16 MiB --process file is judged; one byte more refused" {
  fake_runtime
  exec_state
  cp "$G/process/size.at.json" "$T/process.json"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --process "$T/process.json" lx
  show
  [ "$status" -eq 0 ]
  [ "$(runtime_log)" = "--root $T/root state lx
--root $T/root exec --process $T/process.json lx" ]
  cmp "$G/process/size.at.json" "$T/process.json"
  rm -f "$T/runtime.log"
  cp "$G/process/size.over.json" "$T/process.json"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --process "$T/process.json" lx
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: $T/process.json: file is 16777217 bytes, more than the limit of 16777216" ]
  [ "$(runtime_log)" = "--root $T/root state lx" ]
  cmp "$G/process/size.over.json" "$T/process.json"
}

# exec_options OPTION VALUE COUNT: COUNT times OPTION VALUE (VALUE+i for
# --additional-gids).
exec_options() {
  local i
  for ((i = 0; i < $3; i++)); do
    if [ "$1" = --additional-gids ]; then echo "$1" "$(($2 + i))"; else echo "$1" "$2"; fi
  done
}

@test "ocigate-runc exec: 256 --cap options judged; 257 refused before anything runs" {
  fake_runtime
  exec_state
  # shellcheck disable=SC2046 # one word per option and value
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec $(exec_options --cap CAP_NET_BIND_SERVICE 256) lx /bin/true
  show
  [ "$status" -eq 0 ]
  [ "$(grep -c ' exec --cap CAP_NET_BIND_SERVICE' "$T/runtime.log")" -eq 1 ]
  [ "$(grep -o -- '--cap' "$T/runtime.log" | wc -l)" -eq 256 ]
  rm -f "$T/runtime.log"
  # shellcheck disable=SC2046
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec $(exec_options --cap CAP_NET_BIND_SERVICE 257) lx /bin/true
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: more than 256 --cap options" ]
  [ -z "$(runtime_log)" ]
}

@test "ocigate-runc exec: 256 --additional-gids options judged; 257 refused before anything runs" {
  fake_runtime
  exec_state
  # shellcheck disable=SC2046
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec $(exec_options --additional-gids 1000 256) lx /bin/true
  show
  [ "$status" -eq 0 ]
  [ "$(grep -o -- '--additional-gids' "$T/runtime.log" | wc -l)" -eq 256 ]
  rm -f "$T/runtime.log"
  # shellcheck disable=SC2046
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec $(exec_options --additional-gids 1000 257) lx /bin/true
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: more than 256 --additional-gids options" ]
  [ -z "$(runtime_log)" ]
}

@test "ocigate-runc exec: --user 4294967294 judged; 4294967295 ((uid_t) -1, root) denied; 4294967296 refused" {
  fake_runtime
  exec_state
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --user 4294967294 lx /bin/true
  show
  [ "$status" -eq 0 ]
  [ "$(tail -n1 "$T/runtime.log")" = "--root $T/root exec --user 4294967294 lx /bin/true" ]
  rm -f "$T/runtime.log"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --user 4294967295 lx /bin/true
  show
  [ "$status" -eq 1 ]
  [[ "$output" == *"denied by user.root: process runs as host UID 0 (process.user.uid=4294967295, which is (uid_t) -1"* ]]
  [ "$(runtime_log)" = "--root $T/root state lx" ]
  rm -f "$T/runtime.log"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --user 4294967296 lx /bin/true
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: --user \"4294967296\" is not a numeric ID" ]
  [ "$(runtime_log)" = "--root $T/root state lx" ]
}

@test "ocigate-runc exec: --preserve-fds 1048576 is read (and its fds looked at); 1048577 refused" {
  fake_runtime
  exec_state
  # at the limit the count is read, and the first fd not open refuses it
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --preserve-fds 1048576 lx /bin/true 3<&-
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: --preserve-fds 1048576 passes fd 3 to the container, but fd 3 is not open"* ]]
  [ -z "$(runtime_log)" ]
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec --preserve-fds 1048577 lx /bin/true
  show
  [ "$status" -eq 1 ]
  [[ "$output" == "ocigate: refused: --preserve-fds 1048577: must be a count of descriptors in decimal, from 0 to 1048576"* ]]
  [ -z "$(runtime_log)" ]
}

@test "ocigate-runc exec: a runtime state of 1 MiB is read; one byte more refused" {
  fake_runtime
  cp "$G/state/size.at.json" "$T/state.json"
  [ "$(stat -c %s "$T/state.json")" -eq 1048576 ]
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec lx /bin/true
  show
  [ "$status" -eq 0 ]
  [ "$(tail -n1 "$T/runtime.log")" = "--root $T/root exec lx /bin/true" ]
  rm -f "$T/runtime.log"
  cp "$G/state/size.over.json" "$T/state.json"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec lx /bin/true
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: runtime state: more than the limit of 1048576 bytes" ]
  [ "$(runtime_log)" = "--root $T/root state lx" ]
}

# update_resources FILE BYTES: an update's resources of BYTES bytes that keep the limits.
update_resources() {
  local pre='{"pids": {"limit": 100}, "unified": {"io.ocigate.pad": "'
  { printf '%s' "$pre"; head -c $(($2 - ${#pre} - 3)) /dev/zero | tr '\0' a; printf '"}}'; } >"$1"
}

@test "ocigate-runc update: --resources of 1 MiB is judged and handed on; one byte more refused (file and stdin)" {
  fake_runtime
  exec_state
  update_resources "$T/res.json" 1048576
  [ "$(stat -c %s "$T/res.json")" -eq 1048576 ]
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" update -r "$T/res.json" lx
  show
  [ "$status" -eq 0 ]
  [ "$(tail -n1 "$T/runtime.log")" = "--root $T/root update -r - lx" ]
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" update --resources - lx <"$T/res.json"
  show
  [ "$status" -eq 0 ]
  [ "$(tail -n1 "$T/runtime.log")" = "--root $T/root update --resources - lx" ]
  rm -f "$T/runtime.log"
  update_resources "$T/res.json" 1048577
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" update -r "$T/res.json" lx
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: $T/res.json: file is 1048577 bytes, more than the limit of 1048576" ]
  run "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" update --resources=- lx <"$T/res.json"
  show
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: update --resources on standard input: file is 1048577 bytes, more than the limit of 1048576" ]
  [ "$(runtime_log)" = "--root $T/root state lx
--root $T/root state lx" ]
}

@test "ocigate-runc exec: a runtime state far past the limit (3 MiB) is refused, not waited on forever" {
  # The wrapper stops reading the runtime's `state` output past its limit;
  # waiting for the runtime then, blocked on the full pipe, would hang.  runc's
  # state carries the config's annotations, so any container created with
  # more than 2 MiB of annotations (a config may have 16 MiB) makes every
  # `docker exec` into it hang instead of failing.
  fake_runtime
  cp "$G/state/huge.json" "$T/state.json"
  run timeout 3 "$OCIGATE_RUNC" --ocigate-policy="$T/policy.json" --root "$T/root" exec lx /bin/true
  show
  [ "$status" -ne 124 ] || {
    echo "ocigate-runc exec still waiting after 3 s"
    false
  }
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: refused: runtime state: more than the limit of 1048576 bytes" ]
}

@test "ocigate-runc with the real runc: a config nested 64 deep is created; past the size, depth and mounts limits none is" {
  [ "$(id -u)" -eq 0 ] || skip "starting containers with runc needs root"
  command -v runc >/dev/null || skip "runc is not installed"
  # shellcheck source=../lib/rootfs.sh
  . "$ROOT/tests/lib/rootfs.sh"
  _rootfs_busybox >/dev/null 2>&1 || skip "busybox is not installed (busybox-static)"
  local R="$T/runc-root" b
  # depth-at is a busybox bundle; the others share its rootfs (runc never
  # reads them).
  make_bundle "$T/depth-at" >/dev/null
  jq '.process.user = {"uid": 1000, "gid": 1000}' "$T/depth-at/config.json" >"$T/plain.json"
  for b in depth-over size-over mounts-over; do
    mkdir "$T/$b"
    ln -s "$T/depth-at/rootfs" "$T/$b/rootfs"
  done
  # Nesting: 1 (the document) + 1 + n levels from reduce.
  jq '.x = (reduce range(62) as $i ([]; [.]))' "$T/plain.json" >"$T/depth-at/config.json"
  jq '.x = (reduce range(63) as $i ([]; [.]))' "$T/plain.json" >"$T/depth-over/config.json"
  python3 -c 'import json, sys
c = json.load(open(sys.argv[1])); c["annotations"] = {"pad": ""}
n = 16777217 - len(json.dumps(c)); c["annotations"]["pad"] = "a" * n
open(sys.argv[2], "w").write(json.dumps(c))' "$T/plain.json" "$T/size-over/config.json"
  [ "$(stat -c %s "$T/size-over/config.json")" -eq 16777217 ]
  jq '.mounts += [range(4097 - (.mounts | length)) | {"destination": "/tmp/m\(.)", "type": "tmpfs", "source": "tmpfs"}]' \
    "$T/plain.json" >"$T/mounts-over/config.json"

  # not through `run`: the created container holds its stdio open
  "$OCIGATE_RUNC" --ocigate-policy="$G/default.json" --root "$R" create --bundle "$T/depth-at" limits-at \
    </dev/null >"$T/create.out" 2>&1 || {
    cat "$T/create.out"
    false
  }
  [ "$(runc --root "$R" state limits-at | jq -r .status)" = created ]
  runc --root "$R" delete -f limits-at

  for b in depth-over size-over mounts-over; do
    run "$OCIGATE_RUNC" --ocigate-policy="$G/default.json" --root "$R" create --bundle "$T/$b" "limits-$b" </dev/null
    echo "$b:"
    show
    [ "$status" -eq 1 ]
    [[ "$output" == "ocigate: refused: "*"$T/$b/config.json"*"limit of"* ]]
    [ -z "$(runc --root "$R" list -q)" ]
    [ ! -e "$R/limits-$b" ]
  done
}
