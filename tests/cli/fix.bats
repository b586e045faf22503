#!/usr/bin/env bats
# ocigate fix: rewrites only what the policy fixes, keeps everything else,
# writes atomically, and writes nothing for a denied config.
load helpers

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

# Everything but the capability sets, normalised for comparison.
without_caps() {
  jq -S 'del(.process.capabilities)' "$1"
}

@test "fix on a real Docker config with extra capabilities changes only the capability sets" {
  # docker run --user 1000, with no-new-privileges set (so that nothing else
  # needs a fix under the default policy) and capabilities added
  jq '.process.noNewPrivileges = true
      | .process.capabilities |= with_entries(.value += ["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_PTRACE"])' \
    "$FIXTURES/docker-user1000.json" >"$T/in.json"
  "$OCIGATE" fix "$T/in.json" >"$T/out.json" 2>"$T/err.txt"
  diff <(without_caps "$T/in.json") <(without_caps "$T/out.json")
  # the capabilities that remain are exactly the allowed ones it had, in order
  jq -e '.process.capabilities.bounding | index("CAP_SYS_ADMIN") == null and index("CAP_NET_RAW") == null' "$T/out.json"
  [ "$(jq -c '.process.capabilities.bounding' "$T/out.json")" = \
    "$(jq -c '[.process.capabilities.bounding[] | select(. != "CAP_NET_RAW")]' "$FIXTURES/docker-user1000.json")" ]
  grep -q 'fix capabilities: capability CAP_SYS_ADMIN' "$T/err.txt"
  grep -q ': rewrite$' "$T/err.txt"
  # and the result passes
  run "$OCIGATE" check --format json "$T/out.json"
  [ "$status" -eq 0 ]
  jq -e '.decision == "allow"' <<<"$output"
}

@test "fix keeps unknown fields, annotations and vendor extensions" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_NET_RAW"]
          | .process.capabilities.ambient = ["CAP_NET_BIND_SERVICE", "CAP_NET_RAW"]
          | .process.capabilities.inheritable = ["CAP_NET_BIND_SERVICE"]
          | .annotations = {"io.example/a": "1", "org.opencontainers.image.ref.name": "x"}
          | .["x-vendor"] = {"nested": [1, 2.5, "three", null, true, {"deep": {"deeper": []}}]}
          | .linux.newerField = {"big": 18446744073709551615, "neg": -12, "float": 1.25e-3}' >"$T/in.json"
  "$OCIGATE" fix "$T/in.json" >"$T/out.json" 2>/dev/null
  diff <(without_caps "$T/in.json") <(without_caps "$T/out.json")
  jq -e '.process.capabilities.ambient == ["CAP_NET_BIND_SERVICE"]' "$T/out.json"
  jq -e '.process.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]' "$T/out.json"
  # key order of the document is kept
  [ "$(jq -c 'keys_unsorted' "$T/in.json")" = "$(jq -c 'keys_unsorted' "$T/out.json")" ]
}

@test "fix of an allowed config hands back the exact bytes" {
  compliant_config >"$T/in.json"
  "$OCIGATE" fix "$T/in.json" >"$T/out.json" 2>/dev/null
  cmp "$T/in.json" "$T/out.json"
}

@test "fix of a denied config exits 1, prints the reason and writes nothing" {
  mutate '.process.user.uid = 0 | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/in.json"
  before=$(sha256sum <"$T/in.json")
  run "$OCIGATE" fix -i "$T/in.json"
  [ "$status" -eq 1 ]
  [[ "$output" == *"deny user.root: process runs as host UID 0"* ]]
  [ "$(sha256sum <"$T/in.json")" = "$before" ]
  "$OCIGATE" fix "$T/in.json" >"$T/out.json" 2>/dev/null || [ $? -eq 1 ]
  [ ! -s "$T/out.json" ]
  run "$OCIGATE" fix -o "$T/o.json" "$T/in.json"
  [ "$status" -eq 1 ]
  [ ! -e "$T/o.json" ]
}

@test "fix -i replaces the file atomically, keeping its mode" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/in.json"
  chmod 0600 "$T/in.json"
  ino_before=$(stat -c %i "$T/in.json")
  run "$OCIGATE" fix -i "$T/in.json"
  [ "$status" -eq 0 ]
  [ "$(stat -c %a "$T/in.json")" = 600 ]
  # a rename, not a rewrite in place: a new inode
  [ "$(stat -c %i "$T/in.json")" != "$ino_before" ]
  jq -e '.process.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]' "$T/in.json"
  # no temporary file left behind
  [ "$(ls -A "$T")" = "in.json" ]
}

@test "fix -i on an allowed config leaves the file untouched" {
  compliant_config >"$T/in.json"
  ino_before=$(stat -c %i "$T/in.json")
  run "$OCIGATE" fix -i "$T/in.json"
  [ "$status" -eq 0 ]
  [ "$(stat -c %i "$T/in.json")" = "$ino_before" ]
}

@test "fix -i in a directory it cannot write fails with exit 2 and keeps the file" {
  [ "$(id -u)" -eq 0 ] || skip "needs root to make a read-only bind mount"
  mkdir "$T/ro"
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/ro/in.json"
  before=$(sha256sum <"$T/ro/in.json")
  mount --bind "$T/ro" "$T/ro" && mount -o remount,bind,ro "$T/ro"
  run "$OCIGATE" fix -i "$T/ro/in.json"
  umount "$T/ro"
  [ "$status" -eq 2 ]
  [[ "$output" == *"create a temporary file beside $T/ro/in.json"* ]]
  [ "$(sha256sum <"$T/ro/in.json")" = "$before" ]
}

@test "fix -o writes the rewritten config to another file" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/in.json"
  run "$OCIGATE" fix -o "$T/out.json" "$T/in.json"
  [ "$status" -eq 0 ]
  jq -e '.process.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]' "$T/out.json"
  jq -e '.process.capabilities.bounding | index("CAP_SYS_ADMIN") != null' "$T/in.json"
}

@test "fix reads stdin" {
  mutate '.process.capabilities.bounding += ["CAP_SYS_ADMIN"]' >"$T/in.json"
  "$OCIGATE" fix - <"$T/in.json" >"$T/out.json" 2>"$T/err.txt"
  jq -e '.process.capabilities.bounding == ["CAP_NET_BIND_SERVICE"]' "$T/out.json"
  grep -q '^<stdin>: rewrite$' "$T/err.txt"
}

@test "fix inserts capabilities when the config has none" {
  mutate 'del(.process.capabilities)' >"$T/in.json"
  "$OCIGATE" fix "$T/in.json" >"$T/out.json" 2>/dev/null
  jq -e '.process.capabilities.bounding | length == 13' "$T/out.json"
  jq -e '.process.capabilities.bounding == .process.capabilities.permitted' "$T/out.json"
  run "$OCIGATE" check "$T/out.json"
  [ "$status" -eq 0 ]
}

@test "fix usage errors exit 2" {
  run "$OCIGATE" fix
  [ "$status" -eq 2 ]
  run "$OCIGATE" fix -i -
  [ "$status" -eq 2 ]
  run "$OCIGATE" fix -i -o x y
  [ "$status" -eq 2 ]
  run "$OCIGATE" fix a b
  [ "$status" -eq 2 ]
}

@test "fix of a config that cannot be judged exits 2 and writes nothing" {
  printf '{"process": {"user": {"uid": -1}}}' >"$T/in.json"
  run "$OCIGATE" fix -o "$T/out.json" "$T/in.json"
  [ "$status" -eq 2 ]
  [ ! -e "$T/out.json" ]
}
