#!/usr/bin/env bats
# ocigate reads a config as runc reads it, or refuses it.
#
# runc decodes config.json with Go's encoding/json into the runtime-spec Go
# types; build/tests/runc_view (tests/diff/runc_view.go, built offline from
# Debian's golang-github-opencontainers-specs-dev) does the same.
# build/tests/ocigate_view (tests/diff/ocigate_view.c) loads it with
# ocigate's loader and judges it with every rule.  Both print the fields
# the rules judge in one canonical form, and tests/diff/compare.py holds
# them to each other: for every input, ocigate refuses it, or runc does (no
# container runs), or both read the same.  Inputs: every fixture, and the
# mutations of tests/diff/mutate.py applied to four of them.
load helpers

OCIGATE_VIEW="$ROOT/build/tests/ocigate_view"
RUNC_VIEW="$ROOT/build/tests/runc_view"
BASES="runc-spec docker-default podman-uidmap docker-memory-pids"

setup_file() {
  local b
  for b in "$OCIGATE_VIEW" "$RUNC_VIEW"; do
    [ -x "$b" ] || { echo "$b is missing: make cli (or make check) builds it" >&2; return 1; }
  done
  mkdir -p "$BATS_FILE_TMPDIR/corpus"
  python3 "$ROOT/tests/diff/mutate.py" "$BATS_FILE_TMPDIR/corpus" \
    $(for b in $BASES; do echo "$FIXTURES/$b.json"; done) >"$BATS_FILE_TMPDIR/corpus.count"
  compare "$FIXTURES"/*.json >"$BATS_FILE_TMPDIR/fixtures.txt"
  echo $? >"$BATS_FILE_TMPDIR/fixtures.status"
  compare "$BATS_FILE_TMPDIR"/corpus/*.json >"$BATS_FILE_TMPDIR/corpus.txt"
  echo $? >"$BATS_FILE_TMPDIR/corpus.status"
}

# Every rule on, as warnings: what any rule cannot read is a refusal.
compare() {
  python3 "$ROOT/tests/diff/compare.py" "$OCIGATE_VIEW" "$RUNC_VIEW" "$ROOT/tests/policies/all-warn.json" "$@"
}

# class_of NAME: the class compare.py gave the corpus input NAME.
class_of() {
  awk -v n="$1" '$2 == n { print $1 }' "$BATS_FILE_TMPDIR/corpus.txt"
}

# expect_class CLASS MUTATION...: each mutation of every base has CLASS.
expect_class() {
  local class=$1 m b got
  shift
  for m in "$@"; do
    for b in $BASES; do
      got=$(class_of "$b.$m.json")
      [ "$got" = "$class" ] || { echo "$b.$m.json: $got, not $class" >&2; grep -F " $b.$m.json" "$BATS_FILE_TMPDIR/corpus.txt" >&2; return 1; }
    done
  done
}

@test "differential: every fixture is read by ocigate as runc reads it" {
  cat "$BATS_FILE_TMPDIR/fixtures.txt"
  [ "$(cat "$BATS_FILE_TMPDIR/fixtures.status")" -eq 0 ]
  # Real configs: both read every one, and the same.
  [ "$(grep -c '^same ' "$BATS_FILE_TMPDIR/fixtures.txt")" -eq "$(ls "$FIXTURES"/*.json | wc -l)" ]
}

@test "differential: the mutation corpus is refused by ocigate or read as runc reads it" {
  grep -v '^same \|^ocigate-refuses \|^runc-refuses ' "$BATS_FILE_TMPDIR/corpus.txt" || true
  cut -d' ' -f1 "$BATS_FILE_TMPDIR/corpus.txt" | sort | uniq -c
  [ "$(cat "$BATS_FILE_TMPDIR/corpus.status")" -eq 0 ]
  [ "$(wc -l <"$BATS_FILE_TMPDIR/corpus.txt")" -eq "$(cat "$BATS_FILE_TMPDIR/corpus.count")" ]
  [ "$(cat "$BATS_FILE_TMPDIR/corpus.count")" -ge 300 ]
}

@test "differential: what json-c and runc read apart is refused by ocigate, in the JSON layer or the key check" {
  # NULs in keys and strings, anywhere
  expect_class ocigate-refuses uid-nul-key uid-nul-key-and-uid apparmor-nul apparmor-nul-only selinux-nul \
    annotations-nul-key sysctl-nul-key bounding-nul namespace-path-nul seccomp-nul-name masked-nul mount-dest-nul \
    hooks-path-nul cwd-nul trailing-nul
  # halves of surrogate pairs, UTF-8 Go reads as U+FFFD, raw control characters
  expect_class ocigate-refuses apparmor-surrogate-high apparmor-surrogate-low apparmor-overlong \
    apparmor-utf8-surrogate apparmor-past-10ffff apparmor-ff apparmor-tab
  # keys twice, keys runc folds onto a field
  expect_class ocigate-refuses uid-twice-0-last uid-twice-0-first uid-escaped-twice nnp-twice caps-twice \
    annotations-twice uid-upper uid-title uid-and-upper uid-dotless-i nnp-case nnp-upper masked-kelvin masked-long-s \
    mounts-upper cwd-twice cwd-upper
  # what json-c reads and Go refuses; numbers an integer field must not take
  expect_class ocigate-refuses uid-dot uid-leading-0 uid-nan uid-inf key-single-quotes bom trailing-object \
    trailing-comment leading-formfeed uid-1e3 uid-1.0 uid-neg0.0 uid-0e0 uid-1e400 uid-2p32 uid-2p64 uid-neg1 \
    uid-string gids-float memory-float memory-big
  # the fields of rlimits and cgroupsPath the same ways
  expect_class ocigate-refuses cgroups-nul cgroups-twice cgroups-upper rlimits-twice rlimits-upper \
    rlimit-hard-twice rlimit-hard-upper rlimit-type-upper rlimit-hard-float rlimit-hard-neg rlimit-null-item
}

@test "differential: what reads the same everywhere is read, the same" {
  expect_class same uid-escaped-key apparmor-surrogate-pair apparmor-escapes mount-source-escaped cwd-escaped \
    annotations-case sysctl-case unknown-fields unknown-linux uid-null user-null caps-null bounding-null \
    nnp-null readonly-null root-null linux-null namespaces-null seccomp-null masked-null mounts-null \
    resources-null pids-null annotations-null sysctl-null hooks-null memory-neg0
  expect_class same cgroups-null cgroups-escaped rlimits-null rlimit-hard-null rlimit-hard-max
  # -0 is 0 for json-c and crun's yajl; Go refuses it for an unsigned field
  expect_class runc-refuses uid-neg0 rlimit-hard-neg0
  # a number past 64 bits: Go refuses it; the rlimits rule reads it as
  # unlimited, which fails any maximum
  expect_class runc-refuses rlimit-hard-2p64
}
