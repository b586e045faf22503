#!/usr/bin/env bats
# Two CIS Docker Benchmark points on configs Docker wrote, under
# policies/cis-docker.json: a bind of a UNIX socket is refused by what its
# source is, not by its name (mounts), and a CPU quota (--cpus) is a CPU
# limit as a share is (resources).
#
# docker-sock-elsewhere.json binds a socket the fixtures script made below
# its temporary directory, which is gone: here the source does not exist,
# so the tests make a socket of their own and point the fixture's source
# at it (or at a link to it); everything else is as Docker wrote it.
bats_require_minimum_version 1.5.0
load helpers

CIS="$POLICIES/cis-docker.json"

setup() {
  T=$(mktemp -d)
}

teardown() {
  rm -rf "$T"
}

# make_socket PATH: a UNIX socket file at PATH (bound, not listening).
make_socket() {
  python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
}

# elsewhere SOURCE > FILE: docker-sock-elsewhere.json with its socket bind
# from SOURCE.
elsewhere() {
  jq --arg s "$1" '(.mounts[] | select(.destination == "/var/run/docker.sock") | .source) = $s' \
    "$FIXTURES/docker-sock-elsewhere.json"
}

@test "cis: a Docker socket bound from a path no engine uses is refused by mounts, with Docker's remedy" {
  mkdir "$T/srv"
  make_socket "$T/srv/docker.sock"
  [ -S "$T/srv/docker.sock" ]
  elsewhere "$T/srv/docker.sock" >"$T/c.json"
  run "$OCIGATE" check -p "$CIS" "$T/c.json"
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$T/c.json: deny mounts: bind mount of a UNIX socket (mounts[10].source=$T/srv/docker.sock, resolved $T/srv/docker.sock, destination /var/run/docker.sock): the container can use the service behind it with that service's rights on the host; drop -v $T/srv/docker.sock:/var/run/docker.sock (or the --mount that binds it), or list the socket in rules.mounts.allowSockets"* ]]
  [ "$(grep -c 'deny mounts:' <<<"$output")" -eq 1 ]
}

@test "cis: a link to a socket is the socket: the finding names the source as written and the socket it resolves to" {
  mkdir "$T/srv"
  make_socket "$T/srv/docker.sock"
  ln -s srv/docker.sock "$T/link.sock"
  elsewhere "$T/link.sock" >"$T/c.json"
  run "$OCIGATE" check -p "$CIS" --format json "$T/c.json"
  echo "$output"
  [ "$status" -eq 1 ]
  jq -e --arg src "$T/link.sock" --arg sock "$T/srv/docker.sock" '
    [.findings[] | select(.rule == "mounts")] | length == 1 and .[0].path == "/mounts/10/source"
    and (.[0].message | contains("(mounts[10].source=" + $src + ", resolved " + $sock + ", destination /var/run/docker.sock)"))
    and (.[0].message | contains("drop -v " + $src + ":/var/run/docker.sock"))' <<<"$output"
}

@test "cis: a socket bind source that does not exist here, a plain file or an allowed socket is no socket finding" {
  # As captured: the script's socket is gone.
  run "$OCIGATE" check -p "$CIS" --format json "$FIXTURES/docker-sock-elsewhere.json"
  jq -e '[.findings[] | select(.rule == "mounts")] | length == 0' <<<"$output"
  : >"$T/plain"
  elsewhere "$T/plain" >"$T/plain.json"
  run "$OCIGATE" check -p "$CIS" --format json "$T/plain.json"
  jq -e '[.findings[] | select(.rule == "mounts")] | length == 0' <<<"$output"

  # allowSockets lists the socket (through a link: the same socket).
  make_socket "$T/app.sock"
  ln -s app.sock "$T/app-link.sock"
  elsewhere "$T/app.sock" >"$T/c.json"
  jq --arg s "$T/app-link.sock" '.rules.mounts.allowSockets = [$s]' "$CIS" >"$T/policy.json"
  run "$OCIGATE" check -p "$T/policy.json" --format json "$T/c.json"
  jq -e '[.findings[] | select(.rule == "mounts")] | length == 0' <<<"$output"
  # Another socket is not.
  make_socket "$T/other.sock"
  elsewhere "$T/other.sock" >"$T/c2.json"
  run "$OCIGATE" check -p "$T/policy.json" --format json "$T/c2.json"
  jq -e '[.findings[] | select(.rule == "mounts")] | length == 1' <<<"$output"
}

@test "cis: --cpus 0.5 without --cpu-shares is a CPU limit; Docker's default config still has none" {
  run "$OCIGATE" check -p "$CIS" --format json "$FIXTURES/docker-cpus.json"
  echo "$output"
  jq -e '.findings | map(select(.rule == "resources")) | length == 0' <<<"$output"

  run "$OCIGATE" check -p "$CIS" "$FIXTURES/docker-default.json"
  [[ "$output" == *"deny resources: container has no CPU limit, neither a share nor a quota (linux.resources.cpu.shares=0, not set, linux.resources.cpu.quota is absent); set one (--cpu-shares 1024, or --cpus N)"* ]]

  # The quota lifted on cgroup v2 is no limit.
  jq '.linux.resources.unified = {"cpu.max": "max 100000"}' "$FIXTURES/docker-cpus.json" >"$T/lifted.json"
  run "$OCIGATE" check -p "$CIS" "$T/lifted.json"
  [[ "$output" == *"deny resources: container has no CPU limit, neither a share nor a quota (linux.resources.cpu.shares=0, not set; linux.resources.unified cpu.max=\"max 100000\""* ]]
}

@test "cis: fix gives a config without a CPU limit a share, and leaves a quota alone" {
  echo '{"version": 1, "rules": {"resources": {"action": "fix"}}}' >"$T/policy.json"
  run --separate-stderr "$OCIGATE" fix -p "$T/policy.json" -o "$T/out.json" "$FIXTURES/docker-cpus.json"
  [ "$status" -eq 0 ]
  jq -e '.linux.resources.cpu == {"shares": 0, "quota": 50000, "period": 100000}' "$T/out.json"

  jq '.linux.resources.cpu.quota = -1' "$FIXTURES/docker-cpus.json" >"$T/noquota.json"
  run --separate-stderr "$OCIGATE" fix -p "$T/policy.json" -o "$T/out.json" "$T/noquota.json"
  echo "$stderr"
  [ "$status" -eq 0 ]
  [[ "$stderr" == *"fix resources: container has no CPU limit, neither a share nor a quota (linux.resources.cpu.shares=0, not set, linux.resources.cpu.quota=-1, unlimited); set one (--cpu-shares 1024, or --cpus N)"* ]]
  jq -e '.linux.resources.cpu == {"shares": 1024, "quota": -1, "period": 100000}' "$T/out.json"
}
