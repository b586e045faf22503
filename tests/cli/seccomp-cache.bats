#!/usr/bin/env bats
# The seccomp build cache: a profile libseccomp built once is reused, and a
# reuse never changes a verdict.  OCIGATE_SECCOMP_CACHE points ocigate at a
# directory of the test's own (empty: no cache at all).
load helpers

setup() {
  T=$(mktemp -d)
  C="$T/cache"
  mkdir -m 0700 "$C"
}

teardown() {
  rm -rf "$T"
}

# Every fixture under the default policy, as JSON lines.
judge_all() {
  "$OCIGATE" check --format json "$FIXTURES"/*.json 2>&1 || true
}

# Rewrite a cache file's program to one that allows every call, forget
# its verdicts, and write back the FNV-1a hash it ends with (the layout is
# hook/rules/seccomp/cache.c's).
poison() {
  python3 - "$1" <<'EOF'
import struct, sys
path = sys.argv[1]
data = bytearray(open(path, 'rb').read())
magic, key_len, step, rc, i, k, length = struct.unpack_from('<8sQIiQQQ', data, 0)
assert magic == b'OCIGBPF3' and length > 0, 'not a finished build'
prog = 48 + key_len
# Every instruction: return SECCOMP_RET_ALLOW.
for off in range(prog, prog + length, 8):
    struct.pack_into('<HBBI', data, off, 0x06, 0, 0, 0x7fff0000)
# and no verdict kept: the judge reads the program again
for off in range(prog + length, prog + length + 1024):
    data[off] = 0xff
h = 1469598103934665603
for b in data[:-8]:
    h = ((h ^ b) * 1099511628211) & 0xffffffffffffffff
struct.pack_into('<Q', data, len(data) - 8, h)
open(path, 'wb').write(data)
EOF
}

@test "cold and warm cache give the verdicts of no cache, for every fixture" {
  expected=$(OCIGATE_SECCOMP_CACHE= judge_all)
  [ -n "$expected" ]
  cold=$(OCIGATE_SECCOMP_CACHE="$C" judge_all)
  [ "$cold" = "$expected" ]
  ls "$C"/bpf-?? >/dev/null
  warm=$(OCIGATE_SECCOMP_CACHE="$C" judge_all)
  [ "$warm" = "$expected" ]
}

@test "one file per profile, named by slot, in a directory only its owner may enter" {
  OCIGATE_SECCOMP_CACHE="$C" run "$OCIGATE" check "$FIXTURES/docker-default.json"
  [ "$status" -eq 1 ]
  run find "$C" -type f
  [ "${#lines[@]}" -eq 1 ]
  [[ "${lines[0]}" =~ /bpf-[0-9a-f]{2}$ ]]
  [ "$(stat -c %a "$C")" = 700 ]
}

@test "damaged, truncated or swapped cache files are rebuilt, never trusted" {
  expected=$(OCIGATE_SECCOMP_CACHE= judge_all)
  OCIGATE_SECCOMP_CACHE="$C" judge_all >/dev/null
  files=("$C"/bpf-??)
  [ "${#files[@]}" -ge 3 ]
  printf 'garbage' >"${files[0]}"
  truncate -s 100 "${files[1]}"
  cp "${files[2]}" "$T/swap" && cp "${files[0]}" "${files[2]}" 2>/dev/null || true
  # A valid file from one slot in another: its key does not match.
  cp "$T/swap" "${files[1]}"
  run env OCIGATE_SECCOMP_CACHE="$C" "$OCIGATE" check --format json "$FIXTURES"/*.json
  [ "$output" = "$expected" ]
  # and they were built again: the damaged file holds a build now
  [ "$(head -c 8 "${files[0]}")" = OCIGBPF3 ]
}

@test "a rewritten program in a file the caller alone owns is used: the cache is trusted as its directory is" {
  # This proves the next test can fail: a program that allows every call
  # makes the seccomp rule refuse bpf and the other denied calls.
  OCIGATE_SECCOMP_CACHE="$C" run "$OCIGATE" check "$FIXTURES/docker-default.json"
  [[ "$output" != *"allows bpf unconditionally"* ]]
  poison "$C"/bpf-??
  OCIGATE_SECCOMP_CACHE="$C" run "$OCIGATE" check "$FIXTURES/docker-default.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"seccomp profile allows bpf unconditionally"* ]]
}

@test "a cache file others may write is not read" {
  OCIGATE_SECCOMP_CACHE="$C" "$OCIGATE" check "$FIXTURES/docker-default.json" >/dev/null || true
  poison "$C"/bpf-??
  chmod 0666 "$C"/bpf-??
  OCIGATE_SECCOMP_CACHE="$C" run "$OCIGATE" check "$FIXTURES/docker-default.json"
  [ "$status" -eq 1 ]
  [[ "$output" != *"allows bpf unconditionally"* ]]
}

@test "a cache directory others may enter is neither read nor written" {
  OCIGATE_SECCOMP_CACHE="$C" "$OCIGATE" check "$FIXTURES/docker-default.json" >/dev/null || true
  poison "$C"/bpf-??
  chmod 0755 "$C"
  OCIGATE_SECCOMP_CACHE="$C" run "$OCIGATE" check "$FIXTURES/docker-default.json"
  [[ "$output" != *"allows bpf unconditionally"* ]]
  mkdir -m 0775 "$T/open"
  OCIGATE_SECCOMP_CACHE="$T/open" "$OCIGATE" check "$FIXTURES/docker-default.json" >/dev/null || true
  run find "$T/open" -type f
  [ -z "$output" ]
}

@test "a missing cache directory is made 0700; an empty OCIGATE_SECCOMP_CACHE keeps none" {
  OCIGATE_SECCOMP_CACHE="$T/new" "$OCIGATE" check "$FIXTURES/docker-default.json" >/dev/null || true
  [ "$(stat -c %a "$T/new")" = 700 ]
  ls "$T/new"/bpf-?? >/dev/null
  cd "$T"
  OCIGATE_SECCOMP_CACHE= "$OCIGATE" check "$FIXTURES/docker-default.json" >/dev/null || true
  run find "$T" -name 'bpf-*' -newer "$T/new"
  [ -z "$output" ]
}

@test "one check of many configs says what a check of each says alone, for profiles alike in shape" {
  # Variants of Docker's profile with the same top-level keys and sizes
  # (what the memo of findings looks at first): each must be judged as
  # itself, never replayed from another.
  local base="$FIXTURES/docker-default.json"
  jq '.linux.seccomp.defaultAction = "SCMP_ACT_ALLOW"' "$base" >"$T/allow.json"
  jq '.linux.seccomp.syscalls[0].names += ["kexec_load"]' "$base" >"$T/more.json"
  jq '.linux.seccomp.syscalls[0] = {"action": .linux.seccomp.syscalls[0].action, "names": .linux.seccomp.syscalls[0].names}' \
    "$base" >"$T/order.json"
  jq '.linux.seccomp.syscalls[0].names[0] = "init_module"' "$base" >"$T/renamed.json"
  jq '.linux.seccomp.defaultErrnoRet = 1.0' "$base" >"$T/double.json"
  local order=("$base" "$T/allow.json" "$base" "$T/more.json" "$T/order.json" "$base" "$T/renamed.json"
    "$T/double.json" "$base" "$T/allow.json")
  for format in text json; do
    OCIGATE_SECCOMP_CACHE= "$OCIGATE" check --format "$format" "${order[@]}" >"$T/together" 2>&1 || true
    : >"$T/alone"
    for f in "${order[@]}"; do
      OCIGATE_SECCOMP_CACHE= "$OCIGATE" check --format "$format" "$f" >>"$T/alone" 2>&1 || true
    done
    diff -u "$T/alone" "$T/together"
  done
  # and the variants are judged differently from Docker's own profile
  run "$OCIGATE" check "$T/allow.json"
  [[ "$output" == *"defaultAction"* ]]
  run "$OCIGATE" check "$T/more.json"
  [[ "$output" == *"allows kexec_load unconditionally"* ]]
  run "$OCIGATE" check "$T/renamed.json"
  [[ "$output" == *"allows init_module unconditionally"* ]]
}
