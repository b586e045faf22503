#!/usr/bin/env bats
# ocigate setup: each engine's files on a temp tree (--root), no engine
# needed: what setup writes, what it keeps, --print, --undo, idempotence,
# the policy's mode and the exit codes.
load helpers

setup() {
  setup_root
}

teardown() {
  if [ -n "${SLEEPER:-}" ]; then kill "$SLEEPER" 2>/dev/null || true; fi
  rm -rf "$T"
}

@test "setup docker on an empty root: daemon.json with the wrapper as default runtime, mode 0644, and the default policy" {
  og_setup docker
  [ "$status" -eq 0 ]
  [ "$(jq -c . "$R/etc/docker/daemon.json")" = '{"runtimes":{"ocigate-runc":{"path":"/opt/ocigate/bin/ocigate-runc"}},"default-runtime":"ocigate-runc"}' ]
  [ "$(stat -c %a "$R/etc/docker/daemon.json")" = 644 ]
  cmp "$R/etc/ocigate/policy.json" "$POLICIES/default.json"
  [[ "$output" == *"systemctl restart docker"* ]]
}

@test "setup docker merges: other keys and runtimes kept, default-runtime replaced and named, mode and owner kept" {
  mkdir -p "$R/etc/docker"
  printf '{"log-driver": "journald", "runtimes": {"crun": {"path": "/usr/bin/crun"}}, "default-runtime": "crun"}\n' \
    >"$R/etc/docker/daemon.json"
  chmod 0600 "$R/etc/docker/daemon.json"
  chown 1234:1234 "$R/etc/docker/daemon.json" 2>/dev/null || true
  local owner
  owner=$(stat -c %u:%g "$R/etc/docker/daemon.json")
  og_setup docker
  [ "$status" -eq 0 ]
  [[ "$output" == *'default-runtime was "crun"'* ]]
  [ "$(jq -c . "$R/etc/docker/daemon.json")" = '{"log-driver":"journald","runtimes":{"crun":{"path":"/usr/bin/crun"},"ocigate-runc":{"path":"/opt/ocigate/bin/ocigate-runc"}},"default-runtime":"ocigate-runc"}' ]
  [ "$(stat -c %a "$R/etc/docker/daemon.json")" = 600 ]
  [ "$(stat -c %u:%g "$R/etc/docker/daemon.json")" = "$owner" ]
}

@test "setup docker refuses a daemon.json that does not parse, and leaves it byte for byte" {
  mkdir -p "$R/etc/docker"
  printf '{"debug": true,}\n' >"$R/etc/docker/daemon.json"
  local before
  before=$(tree_sum)
  og_setup docker
  [ "$status" -eq 1 ]
  [[ "$output" == *"$R/etc/docker/daemon.json"* ]]
  [[ "$output" == *"nothing written"* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup docker --userns: userns-remap default, and what a restart does is said first" {
  og_setup --userns docker
  [ "$status" -eq 0 ]
  [ "$(jq -r '."userns-remap"' "$R/etc/docker/daemon.json")" = default ]
  [[ "${lines[0]}" == *"/var/lib/docker/100000.100000"* ]]
  [[ "$output" == *"seem to vanish"* ]]
  [[ "$output" == *"SIGHUP does not apply userns-remap"* ]]
}

@test "setup docker --restart signal: SIGHUP to the dockerd of run/docker.pid" {
  cp /bin/sleep "$T/dockerd"
  "$T/dockerd" 300 &
  SLEEPER=$!
  mkdir -p "$R/run"
  echo "$SLEEPER" >"$R/run/docker.pid"
  og_setup --restart signal docker
  [ "$status" -eq 0 ]
  [[ "$output" == *"sent SIGHUP to dockerd (pid $SLEEPER)"* ]]
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$SLEEPER" 2>/dev/null || break; sleep 0.1; done
  ! kill -0 "$SLEEPER" 2>/dev/null
  wait "$SLEEPER" || true
  SLEEPER=
}

@test "setup docker --restart signal: a pid that is not dockerd is left alone" {
  sleep 300 &
  SLEEPER=$!
  mkdir -p "$R/var/run"
  echo "$SLEEPER" >"$R/var/run/docker.pid"
  og_setup --restart auto docker
  [ "$status" -eq 0 ]
  [[ "$output" == *"no running dockerd found"* ]]
  kill -0 "$SLEEPER"
}

@test "setup podman: containers.conf.d file with the two wrappers, and what hooks.d cannot judge" {
  og_setup podman
  [ "$status" -eq 0 ]
  diff -u - "$R/etc/containers/containers.conf.d/50-ocigate.conf" <<'EOF'
# Written by `ocigate setup podman`; `ocigate setup --undo podman` removes it.
# Every podman run, exec and update goes through ocigate-runc, which judges it.

[engine]
runtime = "ocigate-runc"

[engine.runtimes]
ocigate-runc = ["/opt/ocigate/bin/ocigate-runc"]
ocigate-crun = ["/opt/ocigate/bin/ocigate-crun"]
EOF
  [[ "$output" == *"cannot judge \`podman exec\`"* ]]
  [[ "$output" == *"nothing to restart"* ]]
  [ ! -e "$R/etc/subuid" ]
}

@test "setup podman --userns: userns auto and a subordinate range that overlaps nothing in a crowded subuid" {
  mkdir -p "$R/etc"
  printf 'alice:100000:65536\nbob:165536:65536\n1005:231072:1000\n' >"$R/etc/subuid"
  printf 'alice:100000:65536\ncarol:232072:10\n' >"$R/etc/subgid"
  printf 'root:x:0:0::/root:/bin/sh\nsvc:x:232090:232090::/:/bin/sh\n' >"$R/etc/passwd"
  printf 'root:x:0:\nbig:x:232100:\n' >"$R/etc/group"
  og_setup --userns podman
  [ "$status" -eq 0 ]
  grep -qx 'userns = "auto"' "$R/etc/containers/containers.conf.d/50-ocigate.conf"
  # 232072 + 10 is taken by carol, 232090 and 232100 by accounts: the first
  # free start is 232101.
  [ "$(tail -n 1 "$R/etc/subuid")" = "containers:232101:65536" ]
  [ "$(tail -n 1 "$R/etc/subgid")" = "containers:232101:65536" ]
  [ "$(head -n 3 "$R/etc/subuid")" = "$(printf 'alice:100000:65536\nbob:165536:65536\n1005:231072:1000')" ]
}

@test "setup podman --userns keeps a range containers has, and appends clear of it after a line without a newline" {
  mkdir -p "$R/etc"
  printf 'containers:500000:65536\n' >"$R/etc/subuid"
  printf 'alice:100000:65536' >"$R/etc/subgid"
  og_setup --userns podman
  [ "$status" -eq 0 ]
  [ "$(cat "$R/etc/subuid")" = "containers:500000:65536" ]
  [ "$(cat "$R/etc/subgid")" = "$(printf 'alice:100000:65536\ncontainers:165536:65536')" ]
}

@test "setup containerd on an empty root: config.toml version 2 importing conf.d, the runc runtime's BinaryName" {
  og_setup containerd
  [ "$status" -eq 0 ]
  [ "$(cat "$R/etc/containerd/config.toml")" = "$(printf 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]')" ]
  grep -qx '\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc\]' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx '  runtime_type = "io.containerd.runc.v2"' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx '\[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options\]' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx '  BinaryName = "/opt/ocigate/bin/ocigate-runc"' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx 'version = 2' "$R/etc/containerd/conf.d/ocigate.toml"
  [[ "$output" == *"systemctl restart containerd"* ]]
}

@test "setup containerd: a config.toml without imports gets the line at the top, the rest kept" {
  mkdir -p "$R/etc/containerd"
  printf 'version = 2\n\n[plugins]\n  [plugins."io.containerd.grpc.v1.cri".cni]\n    bin_dir = "/usr/lib/cni"\n' \
    >"$R/etc/containerd/config.toml"
  cp "$R/etc/containerd/config.toml" "$T/before"
  og_setup containerd
  [ "$status" -eq 0 ]
  diff <(printf 'imports = ["/etc/containerd/conf.d/*.toml"]\n'; cat "$T/before") "$R/etc/containerd/config.toml"
  # containerd 1.x takes a plugin's settings from one file: the drop-in
  # carries config.toml's CRI table as it is.
  grep -qx '  \[plugins."io.containerd.grpc.v1.cri".cni\]' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx '    bin_dir = "/usr/lib/cni"' "$R/etc/containerd/conf.d/ocigate.toml"
}

# Debian's own config.toml, read by the containerd binary (no daemon):
# without the CRI tables carried over, `config dump` showed bin_dir
# /opt/cni/bin, containerd's default, and the node's CNI plugins were lost.
@test "setup containerd: containerd's own reading keeps the host's CRI settings and gets ocigate-runc" {
  command -v containerd >/dev/null || skip "no containerd binary"
  mkdir -p "$R/etc/containerd"
  printf '%s\n' 'version = 2' '' '[plugins]' '  [plugins."io.containerd.grpc.v1.cri"]' \
    '    sandbox_image = "registry.k8s.io/pause:3.9"' \
    '    [plugins."io.containerd.grpc.v1.cri".cni]' '      bin_dir = "/usr/lib/cni"' \
    '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]' '      runtime_type = "io.containerd.runc.v1"' \
    '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]' '        SystemdCgroup = true' \
    '        BinaryName = "/usr/local/sbin/runc"' >"$R/etc/containerd/config.toml"
  og_setup containerd
  [ "$status" -eq 0 ]
  [[ "$output" == *"BinaryName was /usr/local/sbin/runc"* ]]
  # containerd reads the imports where the host has them: point them here.
  sed "s|/etc/containerd/conf.d|$R/etc/containerd/conf.d|" "$R/etc/containerd/config.toml" >"$T/read.toml"
  run containerd --config "$T/read.toml" config dump
  [ "$status" -eq 0 ]
  local cri
  cri=$(printf '%s\n' "$output" | sed -n '/^  \[plugins."io.containerd.grpc.v1.cri"\]/,/^  \[plugins."io.containerd.internal/p')
  [[ "$cri" == *'bin_dir = "/usr/lib/cni"'* ]]
  [[ "$cri" == *'sandbox_image = "registry.k8s.io/pause:3.9"'* ]]
  printf '%s\n' "$cri" | sed -n '/containerd.runtimes.runc\]/,/^ *\[.*runc.options\]/p' | grep -qx ' *runtime_type = "io.containerd.runc.v2"'
  printf '%s\n' "$cri" | sed -n '/runtimes.runc.options\]/,/^ *\[/p' | grep -qx ' *BinaryName = "/opt/ocigate/bin/ocigate-runc"'
  printf '%s\n' "$cri" | sed -n '/runtimes.runc.options\]/,/^ *\[/p' | grep -qx ' *SystemdCgroup = true'
}

@test "setup containerd: CRI settings it cannot carry line by line, or in another conf.d file, are refused" {
  mkdir -p "$R/etc/containerd/conf.d"
  local before bad
  for bad in 'version = 2\n[plugins]\n  "io.containerd.grpc.v1.cri".sandbox_image = "x"\n' \
    'version = 2\nplugins = { "io.containerd.grpc.v1.cri" = { sandbox_image = "x" } }\n' \
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes]\n  runc.options.BinaryName = "/x"\n' \
    'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  x = """\nlong\n"""\n' \
    'version = 2\n[plugins."io.containerd.grpc.v1.cri"]\n  x = [\n  "a",\n'; do
    printf '%b' "$bad" >"$R/etc/containerd/config.toml"
    before=$(tree_sum)
    og_setup containerd
    [ "$status" -eq 1 ]
    [[ "$output" == *"cannot carry its CRI settings safely"* ]]
    [ "$(tree_sum)" = "$before" ]
  done
  printf 'version = 2\n' >"$R/etc/containerd/config.toml"
  printf '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n' \
    >"$R/etc/containerd/conf.d/10-registry.toml"
  og_setup containerd
  [ "$status" -eq 1 ]
  [[ "$output" == *"10-registry.toml has CRI settings"* ]]
}

@test "setup containerd: a one-line imports array gets the entry; one that has it is left alone" {
  mkdir -p "$R/etc/containerd"
  printf 'version = 2\nimports = ["/etc/containerd/other.toml", ] # ours\n[debug]\n  level = "info"\n' \
    >"$R/etc/containerd/config.toml"
  og_setup containerd
  [ "$status" -eq 0 ]
  [ "$(sed -n 2p "$R/etc/containerd/config.toml")" = 'imports = ["/etc/containerd/other.toml", "/etc/containerd/conf.d/*.toml"] # ours' ]
  printf 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n' >"$R/etc/containerd/config.toml"
  rm -rf "$R/var" "$R/etc/containerd/conf.d"
  og_setup containerd
  [ "$status" -eq 0 ]
  [[ "$output" != *"config.toml"* ]]
  [ "$(cat "$R/etc/containerd/config.toml")" = "$(printf 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]')" ]
}

@test "setup containerd: version = 3 (containerd 2.x) gets the io.containerd.cri.v1.runtime table" {
  mkdir -p "$R/etc/containerd"
  printf 'version = 3\n' >"$R/etc/containerd/config.toml"
  og_setup containerd
  [ "$status" -eq 0 ]
  grep -qx 'version = 3' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx '\[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc\]' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx '\[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc.options\]' "$R/etc/containerd/conf.d/ocigate.toml"
  grep -qx '  BinaryName = "/opt/ocigate/bin/ocigate-runc"' "$R/etc/containerd/conf.d/ocigate.toml"
  ! grep -q grpc "$R/etc/containerd/conf.d/ocigate.toml"
}

@test "setup containerd refuses imports it cannot edit safely (multi-line), and a config without a version" {
  mkdir -p "$R/etc/containerd"
  printf 'version = 2\nimports = [\n  "/etc/x.toml",\n]\n' >"$R/etc/containerd/config.toml"
  local before
  before=$(tree_sum)
  og_setup containerd docker
  [ "$status" -eq 1 ]
  [[ "$output" == *"cannot edit it safely"* ]]
  [ "$(tree_sum)" = "$before" ]
  printf '[plugins.cri]\n  x = 1\n' >"$R/etc/containerd/config.toml"
  og_setup containerd
  [ "$status" -eq 1 ]
  [[ "$output" == *"no top-level version"* ]]
}

# crio.conf(5): default_runtime in [crio.runtime] names a
# [crio.runtime.runtimes.NAME] table, whose keys include runtime_path,
# runtime_type ("oci", "vm" or "pod") and runtime_root.
@test "setup crio: a crio.conf.d file with only keys crio.conf(5) documents, in their tables" {
  og_setup crio
  [ "$status" -eq 0 ]
  local f=$R/etc/crio/crio.conf.d/50-ocigate.conf
  python3 - "$f" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as fh:
    conf = tomllib.load(fh)
assert list(conf) == ["crio"], conf
rt = conf["crio"]["runtime"]
assert set(rt) <= {"default_runtime", "runtimes"}, rt
name = rt["default_runtime"]
assert name == "ocigate-runc" and name in rt["runtimes"], rt
for n, r in rt["runtimes"].items():
    assert set(r) <= {"runtime_path", "runtime_type", "runtime_root", "runtime_config_path",
                      "monitor_path", "monitor_cgroup", "monitor_exec_cgroup", "monitor_env",
                      "allowed_annotations", "privileged_without_host_devices", "platform_runtime_paths"}, r
    assert r["runtime_type"] in ("oci", "vm", "pod"), r
assert rt["runtimes"]["ocigate-runc"] == {"runtime_path": "/opt/ocigate/bin/ocigate-runc",
                                          "runtime_type": "oci", "runtime_root": "/run/runc"}
PY
  [[ "$output" == *"systemctl restart crio"* ]]
}

@test "setup podman's and containerd's TOML files parse as TOML" {
  og_setup --userns podman containerd
  [ "$status" -eq 0 ]
  python3 - "$R" <<'PY'
import sys, tomllib
r = sys.argv[1]
p = tomllib.load(open(r + "/etc/containers/containers.conf.d/50-ocigate.conf", "rb"))
assert p["engine"]["runtime"] == "ocigate-runc"
assert p["engine"]["runtimes"]["ocigate-runc"] == ["/opt/ocigate/bin/ocigate-runc"]
assert p["engine"]["runtimes"]["ocigate-crun"] == ["/opt/ocigate/bin/ocigate-crun"]
assert p["containers"]["userns"] == "auto"
c = tomllib.load(open(r + "/etc/containerd/conf.d/ocigate.toml", "rb"))
assert c["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["runc"]["options"]["BinaryName"] == "/opt/ocigate/bin/ocigate-runc"
assert tomllib.load(open(r + "/etc/containerd/config.toml", "rb"))["imports"] == ["/etc/containerd/conf.d/*.toml"]
PY
}

# A root with something of every engine's, for --print, idempotence and undo.
crowded_root() {
  mkdir -p "$R/etc/docker" "$R/etc/containerd" "$R/etc/ocigate"
  printf '{"debug": true, "runtimes": {"crun": {"path": "/usr/bin/crun"}}}\n' >"$R/etc/docker/daemon.json"
  printf 'version = 2\nimports = ["/etc/containerd/a.toml"]\n' >"$R/etc/containerd/config.toml"
  printf 'alice:100000:65536\n' >"$R/etc/subuid"
  jq '.log = {"file": "/var/log/ocigate.log"}' "$POLICIES/default.json" >"$R/etc/ocigate/policy.json"
}

@test "setup --print shows a diff per file and changes nothing, not even the journal" {
  crowded_root
  local before
  before=$(tree_sum)
  og_setup --print --userns --mode dry-run docker podman containerd crio
  [ "$status" -eq 0 ]
  [ "$(tree_sum)" = "$before" ]
  [[ "$output" == *"--- /etc/docker/daemon.json"* ]]
  [[ "$output" == *'+  "default-runtime": "ocigate-runc"'* ]]
  [[ "$output" == *"+++ /etc/containers/containers.conf.d/50-ocigate.conf (ocigate setup)"* ]]
  [[ "$output" == *'+containers:'*':65536'* ]]
  [[ "$output" == *'+  "mode": "dry-run",'* ]]
  [[ "$output" == *'-imports = ["/etc/containerd/a.toml"]'* ]]
  [[ "$output" == *"systemctl restart containerd"* ]]
  [ ! -e "$R/var" ]
}

@test "setup twice is setup once; the journal keeps the first originals" {
  crowded_root
  og_setup --userns docker podman containerd crio
  [ "$status" -eq 0 ]
  local once
  once=$(tree_sum)
  og_setup --userns docker podman containerd crio
  [ "$status" -eq 0 ]
  [[ "$output" == *"nothing to change"* ]]
  [ "$(tree_sum)" = "$once" ]
  # A second setup that changes a file again keeps the original of the first.
  og_setup --userns --mode dry-run docker
  [ "$status" -eq 0 ]
  og_setup --undo docker podman containerd crio
  [ "$status" -eq 0 ]
  [ "$(jq -r .mode "$R/etc/ocigate/policy.json")" = enforce ]
}

@test "setup --undo gives every file back byte for byte and removes what setup made" {
  crowded_root
  local before
  before=$(tree_sum)
  og_setup --userns --mode dry-run docker podman containerd crio
  [ "$status" -eq 0 ]
  [ -f "$R/var/lib/ocigate/setup/journal.json" ]
  og_setup --undo --print podman
  [ "$status" -eq 0 ]
  [[ "$output" == *"+++ /dev/null"* ]]
  og_setup --undo docker podman
  [ "$status" -eq 0 ]
  [ ! -e "$R/etc/containers" ]
  og_setup --undo containerd crio
  [ "$status" -eq 0 ]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --undo of one engine leaves the others, and the shared policy until the last one goes" {
  og_setup --mode dry-run docker crio
  [ "$status" -eq 0 ]
  og_setup --undo docker
  [ "$status" -eq 0 ]
  [ ! -e "$R/etc/docker/daemon.json" ]
  [ -e "$R/etc/crio/crio.conf.d/50-ocigate.conf" ]
  [ "$(jq -r .mode "$R/etc/ocigate/policy.json")" = dry-run ]
  og_setup --undo crio
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$R")" ]
}

@test "setup --undo: a file changed since setup wrote it is named and left; the others are given back" {
  crowded_root
  cp "$R/etc/containerd/config.toml" "$T/config.toml"
  og_setup docker containerd
  [ "$status" -eq 0 ]
  echo '{"edited": "by the admin"}' >"$R/etc/docker/daemon.json"
  og_setup --undo docker containerd
  [ "$status" -eq 1 ]
  [[ "$output" == *"/etc/docker/daemon.json: changed since ocigate setup wrote it: left as it is"* ]]
  [ "$(cat "$R/etc/docker/daemon.json")" = '{"edited": "by the admin"}' ]
  cmp "$T/config.toml" "$R/etc/containerd/config.toml"
  [ ! -e "$R/etc/containerd/conf.d" ]
  # It stays in the journal: once the admin puts setup's text back, undo can go on.
  [ "$(jq -r '.files[].path' "$R/var/lib/ocigate/setup/journal.json")" = /etc/docker/daemon.json ]
}

@test "setup --mode dry-run then enforce flips the policy's mode and keeps every other key" {
  mkdir -p "$R/etc/ocigate"
  jq '.log = {"file": "/var/log/ocigate.log"}' "$POLICIES/default.json" >"$R/etc/ocigate/policy.json"
  og_setup --mode dry-run crio
  [ "$status" -eq 0 ]
  [ "$(jq -r .mode "$R/etc/ocigate/policy.json")" = dry-run ]
  [ "$(jq -c 'del(.mode)' "$R/etc/ocigate/policy.json")" = "$(jq -c 'del(.mode) | .log = {"file": "/var/log/ocigate.log"}' "$POLICIES/default.json")" ]
  og_setup --mode enforce crio
  [ "$status" -eq 0 ]
  [ "$(jq -r .mode "$R/etc/ocigate/policy.json")" = enforce ]
  [ "$(jq -r .log.file "$R/etc/ocigate/policy.json")" = /var/log/ocigate.log ]
  "$OCIGATE" policy validate "$R/etc/ocigate/policy.json"
}

@test "setup --mode dry-run on a root without a policy writes the default in dry-run; without --mode a policy is left" {
  og_setup --mode dry-run podman
  [ "$status" -eq 0 ]
  [ "$(jq -c 'del(.mode)' "$R/etc/ocigate/policy.json")" = "$(jq -c 'del(.mode)' "$POLICIES/default.json")" ]
  [ "$(jq -r .mode "$R/etc/ocigate/policy.json")" = dry-run ]
  og_setup podman
  [ "$status" -eq 0 ]
  [ "$(jq -r .mode "$R/etc/ocigate/policy.json")" = dry-run ]
}

@test "setup: usage errors exit 2" {
  og_setup
  [ "$status" -eq 2 ]
  [[ "$output" == *"no engine given (docker, podman, containerd, crio, runtimes, or all)"* ]]
  og_setup lxc
  [ "$status" -eq 2 ]
  og_setup --mode audit docker
  [ "$status" -eq 2 ]
  og_setup --restart later docker
  [ "$status" -eq 2 ]
  og_setup --undo --userns docker
  [ "$status" -eq 2 ]
  run "$OCIGATE" setup --root "$R" --bindir 'rel/bin' docker
  [ "$status" -eq 2 ]
  run "$OCIGATE" setup --root "$R/none" docker
  [ "$status" -eq 2 ]
  [ -z "$(ls -A "$R")" ]
  run "$OCIGATE" setup --help
  [ "$status" -eq 0 ]
  [[ "$output" == *"--restart HOW"* ]]
}

@test "setup without --bindir names the directory of the running ocigate" {
  run "$OCIGATE" setup --root "$R" docker
  [ "$status" -eq 0 ]
  [ "$(jq -r '.runtimes["ocigate-runc"].path' "$R/etc/docker/daemon.json")" = "$(dirname "$(readlink -f "$OCIGATE")")/ocigate-runc" ]
}

@test "setup --undo with nothing set up is nothing to do" {
  og_setup --undo docker
  [ "$status" -eq 0 ]
  [[ "$output" == *"nothing to undo"* ]]
}

# ------------------------------------------------------------ runtimes

@test "setup runtimes --print shows the dpkg-divert commands and the links, and changes nothing" {
  dpkg_root
  local before
  before=$(tree_sum)
  og_setup --print runtimes
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(tree_sum)" = "$before" ]
  [[ "$output" == *"would run: /usr/bin/dpkg-divert --package ocigate --divert /usr/sbin/runc.distrib --rename --add /usr/sbin/runc (chrooted into $R)"* ]]
  [[ "$output" == *"would link /usr/sbin/runc -> /opt/ocigate/bin/ocigate-runc"* ]]
  [[ "$output" == *"would run: /usr/bin/dpkg-divert --package ocigate --divert /usr/bin/crun.distrib --rename --add /usr/bin/crun (chrooted into $R)"* ]]
  [[ "$output" == *"would link /usr/bin/crun -> /opt/ocigate/bin/ocigate-crun"* ]]
  [[ "$output" == *"+++ /etc/ocigate/policy.json (ocigate setup)"* ]]
  [[ "$output" == *"podman --runtime /usr/sbin/runc.distrib"* ]]
  [ ! -e "$R/var/lib/ocigate" ]
}

@test "setup runtimes diverts runc and crun, links the wrappers in their place; twice is once; --undo gives the tree back" {
  dpkg_root
  local before once
  before=$(tree_sum)
  og_setup runtimes
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(readlink "$R/usr/sbin/runc")" = /opt/ocigate/bin/ocigate-runc ]
  [ "$(readlink "$R/usr/bin/crun")" = /opt/ocigate/bin/ocigate-crun ]
  cmp /bin/echo "$R/usr/sbin/runc.distrib"
  cmp /bin/echo "$R/usr/bin/crun.distrib"
  [ "$(paste - - - <"$R/var/lib/dpkg/diversions" | sort)" = "$(printf '%s\t%s\tocigate\n' /usr/bin/crun /usr/bin/crun.distrib /usr/sbin/runc /usr/sbin/runc.distrib)" ]
  [[ "$output" == *"linked /usr/sbin/runc -> /opt/ocigate/bin/ocigate-runc"* ]]
  [[ "$output" == *"runtimes: nothing to restart"* ]]
  jq -e '.version == 1 and (.actions | length) == 2
      and .actions[0] == {"kind": "divert", "path": "/usr/sbin/runc", "divert_to": "/usr/sbin/runc.distrib",
                          "package": "ocigate", "engines": ["runtimes"], "diverted": true,
                          "link": "/opt/ocigate/bin/ocigate-runc"}
      and .actions[1].path == "/usr/bin/crun" and .actions[1].link == "/opt/ocigate/bin/ocigate-crun"' \
    "$R/var/lib/ocigate/setup/journal.json"
  once=$(tree_sum)
  og_setup runtimes
  [ "$status" -eq 0 ]
  [[ "$output" == *"nothing to change: runtimes set up already"* ]]
  [ "$(tree_sum)" = "$once" ]
  og_setup --undo --print runtimes
  [ "$status" -eq 0 ]
  [[ "$output" == *"would remove the link /usr/sbin/runc -> /opt/ocigate/bin/ocigate-runc"* ]]
  [[ "$output" == *"would run: /usr/bin/dpkg-divert --package ocigate --rename --remove /usr/sbin/runc (chrooted into $R)"* ]]
  [ "$(tree_sum)" = "$once" ]
  og_setup --undo runtimes
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"removed the link /usr/bin/crun -> /opt/ocigate/bin/ocigate-crun"* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "after setup runtimes, runc is the wrapper, which runs the runc dpkg moved aside and never itself" {
  need_static_ocigate
  dpkg_root
  og_setup runtimes
  [ "$status" -eq 0 ]
  mkdir "$R/proc"
  # As an engine calls it: by name, in the root setup changed.
  run unshare -m sh -c 'mount -t proc proc "$1/proc" && chroot "$1" /usr/sbin/runc state c1 && chroot "$1" crun list' sh "$R"
  echo "$output"
  [ "$status" -eq 0 ]
  [ "${lines[0]}" = "state c1" ]
  [ "${lines[1]}" = "list" ]
  # Without the diversion, the wrapper in runc's place refuses.
  : >"$R/var/lib/dpkg/diversions"
  run unshare -m sh -c 'mount -t proc proc "$1/proc" && exec timeout 10 chroot "$1" /usr/sbin/runc state c1' sh "$R"
  echo "$output"
  [ "$status" -eq 1 ]
  [ "$output" = "ocigate: runtime.runc /usr/sbin/runc is ocigate itself and dpkg diverts it nowhere (/var/lib/dpkg/diversions): set runtime.runc in the policy to the real runc" ]
}

@test "setup runtimes with crun absent diverts runc alone; with neither, nothing to divert" {
  dpkg_root
  rm "$R/usr/bin/crun"
  og_setup runtimes
  [ "$status" -eq 0 ]
  [ -L "$R/usr/sbin/runc" ]
  [ ! -e "$R/usr/bin/crun" ] && [ ! -L "$R/usr/bin/crun" ]
  [ "$(jq -r '.actions[].path' "$R/var/lib/ocigate/setup/journal.json")" = /usr/sbin/runc ]
  og_setup --undo runtimes
  [ "$status" -eq 0 ]
  rm "$R/usr/sbin/runc"
  local before
  before=$(tree_sum)
  og_setup runtimes
  [ "$status" -eq 1 ]
  [[ "$output" == *"runtimes: neither /usr/sbin/runc nor /usr/bin/crun is here (under $R/): nothing to divert; nothing written"* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup runtimes refuses runc diverted by another package, or a runc.distrib there already: nothing changed" {
  dpkg_root
  printf '/usr/sbin/runc\n/usr/sbin/runc.real\nother-tool\n' >"$R/var/lib/dpkg/diversions"
  local before
  before=$(tree_sum)
  og_setup runtimes docker
  [ "$status" -eq 1 ]
  [[ "$output" == *"runtimes: /usr/sbin/runc is diverted to /usr/sbin/runc.real by other-tool already: ocigate cannot take its place"*"; nothing written"* ]]
  [ "$(tree_sum)" = "$before" ]
  : >"$R/var/lib/dpkg/diversions"
  echo old >"$R/usr/sbin/runc.distrib"
  before=$(tree_sum)
  og_setup runtimes
  [ "$status" -eq 1 ]
  [[ "$output" == *"runtimes: /usr/sbin/runc.distrib exists, and dpkg-divert would move /usr/sbin/runc onto it: move it away first; nothing written"* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup runtimes without dpkg-divert, or without the wrapper under BINDIR, fails and changes nothing" {
  dpkg_root
  rm "$R/usr/bin/dpkg-divert"
  local before
  before=$(tree_sum)
  og_setup runtimes
  [ "$status" -eq 1 ]
  [[ "$output" == *"runtimes: no dpkg-divert found ($R/usr/bin/dpkg-divert), so runc and crun cannot be diverted: No such file or directory; nothing written"* ]]
  [ "$(tree_sum)" = "$before" ]
  rm -rf "$R" && mkdir "$R"
  dpkg_root
  before=$(tree_sum)
  og_setup --bindir /usr/local/bin runtimes
  [ "$status" -eq 1 ]
  [[ "$output" == *"/usr/sbin/runc would become a link to /usr/local/bin/ocigate-runc, which cannot be run"* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --undo runtimes: a link changed since is named and left with its diversion; a removed one is made again by setup" {
  dpkg_root
  og_setup runtimes
  [ "$status" -eq 0 ]
  ln -sfn /somewhere/else "$R/usr/sbin/runc"
  og_setup --undo runtimes
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"/usr/sbin/runc: changed since ocigate setup made it a link to /opt/ocigate/bin/ocigate-runc: left as it is, and its diversion too"* ]]
  [[ "$output" == *"Removing 'diversion of /usr/bin/crun"* ]]
  cmp /bin/echo "$R/usr/bin/crun"
  [ "$(readlink "$R/usr/sbin/runc")" = /somewhere/else ]
  [ "$(head -n 1 "$R/var/lib/dpkg/diversions")" = /usr/sbin/runc ]
  [ "$(jq -r '.actions[].path' "$R/var/lib/ocigate/setup/journal.json")" = /usr/sbin/runc ]
  # Setup refuses what it did not make...
  og_setup runtimes
  [ "$status" -eq 1 ]
  [[ "$output" == *"/usr/sbin/runc is diverted by ocigate, but is a link to /somewhere/else, not a link to /opt/ocigate/bin/ocigate-runc"* ]]
  # ...and makes a removed link again.
  rm "$R/usr/sbin/runc"
  og_setup runtimes
  [ "$status" -eq 0 ]
  [[ "$output" != *"--add /usr/sbin/runc"* ]]
  [[ "$output" == *"linked /usr/sbin/runc -> /opt/ocigate/bin/ocigate-runc"* ]]
  og_setup --undo runtimes
  [ "$status" -eq 0 ]
  cmp /bin/echo "$R/usr/sbin/runc"
  [ ! -e "$R/var/lib/ocigate" ]
}

@test "setup all sets up the engines found and says which it did not find; --undo all takes back all of it" {
  dpkg_root
  touch "$R/usr/bin/dockerd" "$R/usr/bin/containerd"
  mkdir -p "$R/usr/local/bin"
  touch "$R/usr/local/bin/crio"
  local before
  before=$(tree_sum)
  og_setup all
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"all: docker: found /usr/bin/dockerd"* ]]
  [[ "$output" == *"all: podman: not found (no /usr/bin/podman)"* ]]
  [[ "$output" == *"all: containerd: found /usr/bin/containerd"* ]]
  [[ "$output" == *"all: crio: found /usr/local/bin/crio"* ]]
  [[ "$output" == *"all: runtimes: found /usr/sbin/runc"* ]]
  [ -e "$R/etc/docker/daemon.json" ] && [ -e "$R/etc/containerd/conf.d/ocigate.toml" ]
  [ -e "$R/etc/crio/crio.conf.d/50-ocigate.conf" ] && [ ! -e "$R/etc/containers" ]
  [ -L "$R/usr/sbin/runc" ]
  og_setup all
  [ "$status" -eq 0 ]
  [[ "$output" == *"nothing to change"* ]]
  og_setup --undo all
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup all without dpkg-divert says runtimes cannot be done and which bypass stays open" {
  mkdir -p "$R/usr/sbin" "$R/usr/bin"
  touch "$R/usr/sbin/runc" "$R/usr/bin/podman"
  og_setup all
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"all: runtimes: cannot be set up: found /usr/sbin/runc but no /usr/bin/dpkg-divert: runc and crun cannot be diverted, so whoever runs them by name (docker run --runtime runc, ctr run, podman --runtime runc) passes no gate"* ]]
  [[ "$output" == *"all: podman: found /usr/bin/podman"* ]]
  [ -e "$R/etc/containers/containers.conf.d/50-ocigate.conf" ]
  [ ! -L "$R/usr/sbin/runc" ]
  rm -rf "${R:?}"/*
  og_setup all
  [ "$status" -eq 0 ]
  [[ "$output" == *"all: runtimes: not found (no /usr/sbin/runc or /usr/bin/crun)"* ]]
  [[ "$output" == *"all: no engine found under $R/: nothing to set up"* ]]
  [ -z "$(ls -A "$R")" ]
}

@test "a journal from before actions (no \"actions\") is read; one whose actions are not setup's is refused" {
  og_setup crio
  [ "$status" -eq 0 ]
  jq 'del(.actions)' "$R/var/lib/ocigate/setup/journal.json" >"$T/j" && cp "$T/j" "$R/var/lib/ocigate/setup/journal.json"
  og_setup --undo all
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$R")" ]
  og_setup crio
  jq '.actions = [{"kind": "divert", "path": "../x", "divert_to": "/y", "engines": ["runtimes"], "diverted": true}]' \
    "$R/var/lib/ocigate/setup/journal.json" >"$T/j" && cp "$T/j" "$R/var/lib/ocigate/setup/journal.json"
  og_setup --undo crio
  [ "$status" -eq 1 ]
  [[ "$output" == *"actions[0]: not an entry setup writes"* ]]
}

# An installer in a container sees the host's / at ROOT: a link in the
# host's files is the host's, so an absolute target leads under ROOT, not
# into the installer's own file system.  Before, an absolute link read as
# absent there, and setup replaced the link with a file of its own: the
# host's config.toml stopped being read, and --undo then removed it.
@test "setup --root: the host's absolute links lead under ROOT; a linked file is written through, the link kept" {
  mkdir -p "$R/usr/share/containerd" "$R/etc/containerd" "$R/srv/docker-etc"
  printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".cni]\n  bin_dir = "/usr/lib/cni"\n' \
    >"$R/usr/share/containerd/config.toml"
  ln -s /usr/share/containerd/config.toml "$R/etc/containerd/config.toml"
  ln -s /srv/docker-etc "$R/etc/docker"
  printf '{"log-driver": "journald"}\n' >"$R/srv/docker-etc/daemon.json"
  local before
  before=$(tree_sum)
  og_setup containerd docker
  [ "$status" -eq 0 ]
  # the links stay links; what they lead to under ROOT changed
  [ "$(readlink "$R/etc/containerd/config.toml")" = /usr/share/containerd/config.toml ]
  [ "$(readlink "$R/etc/docker")" = /srv/docker-etc ]
  grep -qx 'imports = \["/etc/containerd/conf.d/\*.toml"\]' "$R/usr/share/containerd/config.toml"
  grep -qx '  bin_dir = "/usr/lib/cni"' "$R/etc/containerd/conf.d/ocigate.toml"
  [ "$(jq -r '."log-driver" + " " + ."default-runtime"' "$R/srv/docker-etc/daemon.json")" = "journald ocigate-runc" ]
  og_setup --undo containerd docker
  [ "$status" -eq 0 ]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --root: a link loop in the host's files is an error, nothing written" {
  mkdir -p "$R/etc"
  ln -s /etc/docker "$R/etc/docker"
  local before
  before=$(tree_sum)
  og_setup docker
  [ "$status" -eq 1 ]
  [[ "$output" == *"more than 40 symbolic links"* ]]
  [ "$(tree_sum)" = "$before" ]
}
