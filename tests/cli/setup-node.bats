#!/usr/bin/env bats
# ocigate setup --install and --wait, what a node's installer (the
# DaemonSet of deploy/kubernetes/) runs, on a temp tree (--root): the
# binary and its links, the journal that takes back exactly them, --print,
# idempotence, and the undo on SIGTERM.
load helpers

setup() {
  setup_root
}

teardown() {
  [ -z "${WAITER:-}" ] || kill -KILL "$WAITER" 2>/dev/null || true
  rm -rf "$T"
}

# A root with a containerd config of the host's own.
host_root() {
  mkdir -p "$R/etc/containerd"
  printf 'version = 2\n\n[plugins."io.containerd.grpc.v1.cri".cni]\n  bin_dir = "/usr/lib/cni"\n' \
    >"$R/etc/containerd/config.toml"
}

@test "setup --install: this binary at BINDIR/ocigate (0755, root's) with ocigate-runc and ocigate-crun linked to it" {
  og_setup --install
  echo "$output"
  [ "$status" -eq 0 ]
  cmp "$OCIGATE" "$R$BIN/ocigate"
  [ "$(stat -c %a "$R$BIN/ocigate")" = 755 ]
  [ "$(stat -c %u:%g "$R$BIN/ocigate")" = "$(id -u):$(id -g)" ]
  [ "$(readlink "$R$BIN/ocigate-runc")" = ocigate ]
  [ "$(readlink "$R$BIN/ocigate-crun")" = ocigate ]
  [[ "$output" == *"installed $BIN/ocigate (this ocigate, "*" bytes, mode 0755)"* ]]
  [[ "$output" == *"linked $BIN/ocigate-runc -> ocigate"* ]]
  # --install alone sets no engine up, and writes no policy
  [ ! -e "$R/etc" ]
  # the journal says what each is
  run jq -c '[.files[] | {path, engines, type, target, mode}]' "$R/var/lib/ocigate/setup/journal.json"
  [ "$output" = '[{"path":"/opt/ocigate/bin/ocigate","engines":["install"],"type":"file","target":null,"mode":493},{"path":"/opt/ocigate/bin/ocigate-runc","engines":["install"],"type":"link","target":"ocigate","mode":null},{"path":"/opt/ocigate/bin/ocigate-crun","engines":["install"],"type":"link","target":"ocigate","mode":null}]' ]
  # the installed copy runs, under either name
  "$R$BIN/ocigate" --version
}

@test "setup --install --print shows the binary and the links and changes nothing" {
  host_root
  local before
  before=$(tree_sum)
  og_setup --install --print containerd
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"would install $BIN/ocigate (this ocigate, "* ]]
  [[ "$output" == *"would link $BIN/ocigate-runc -> ocigate"* ]]
  [[ "$output" == *"would link $BIN/ocigate-crun -> ocigate"* ]]
  [[ "$output" == *"BinaryName = \"$BIN/ocigate-runc\""* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --install twice is once: the same binary again changes nothing" {
  host_root
  og_setup --install --mode dry-run containerd
  [ "$status" -eq 0 ]
  local once
  once=$(tree_sum)
  og_setup --install --mode dry-run containerd
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"nothing to install: $BIN holds this ocigate and its links already"* ]]
  [[ "$output" == *"nothing to change: containerd set up already"* ]]
  [ "$(tree_sum)" = "$once" ]
}

@test "setup --undo --install removes exactly what --install put there, after the engines' files" {
  host_root
  local before
  before=$(tree_sum)
  og_setup --install containerd
  [ "$status" -eq 0 ]
  og_setup --undo --install containerd
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(tree_sum)" = "$before" ]
  # the engine's files go first: containerd is never pointed at a binary that is gone
  local conf bin
  conf=$(printf '%s\n' "${lines[@]}" | grep -n 'restored /etc/containerd/config.toml' | cut -d: -f1)
  bin=$(printf '%s\n' "${lines[@]}" | grep -n "removed $BIN/ocigate\$" | cut -d: -f1)
  [ -n "$conf" ] && [ -n "$bin" ] && [ "$conf" -lt "$bin" ]
}

@test "setup --undo without --install leaves the binary; --undo --install alone then removes it" {
  og_setup --install containerd
  [ "$status" -eq 0 ]
  og_setup --undo containerd
  [ "$status" -eq 0 ]
  [ ! -e "$R/etc/containerd/conf.d/ocigate.toml" ]
  cmp "$OCIGATE" "$R$BIN/ocigate"
  og_setup --undo --install
  echo "$output"
  [ "$status" -eq 0 ]
  [ -z "$(ls -A "$R")" ]
}

@test "setup --install over an older ocigate and a link elsewhere: --undo gives both back, mode and target" {
  mkdir -p "$R$BIN"
  printf 'an older ocigate\n' >"$R$BIN/ocigate"
  chmod 0700 "$R$BIN/ocigate"
  ln -s /usr/local/bin/ocigate "$R$BIN/ocigate-runc"
  local before
  before=$(tree_sum)
  og_setup --install
  [ "$status" -eq 0 ]
  cmp "$OCIGATE" "$R$BIN/ocigate"
  [ "$(stat -c %a "$R$BIN/ocigate")" = 755 ]
  [ "$(readlink "$R$BIN/ocigate-runc")" = ocigate ]
  og_setup --undo --install
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"restored $BIN/ocigate"* ]]
  [[ "$output" == *"restored $BIN/ocigate-runc"* ]]
  [[ "$output" == *"removed $BIN/ocigate-crun"* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --undo --install: a binary or link changed since is named and left, the others removed" {
  og_setup --install
  [ "$status" -eq 0 ]
  printf 'replaced by hand\n' >"$R$BIN/ocigate"
  ln -sfn /elsewhere "$R$BIN/ocigate-crun"
  og_setup --undo --install
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$BIN/ocigate: changed since ocigate setup wrote it: left as it is"* ]]
  [[ "$output" == *"$BIN/ocigate-crun: changed since ocigate setup wrote it: left as it is"* ]]
  [[ "$output" == *"removed $BIN/ocigate-runc"* ]]
  [ "$(cat "$R$BIN/ocigate")" = 'replaced by hand' ]
  [ "$(readlink "$R$BIN/ocigate-crun")" = /elsewhere ]
  [ ! -e "$R$BIN/ocigate-runc" ] && [ ! -L "$R$BIN/ocigate-runc" ]
}

@test "setup --install refuses a directory where the binary goes, and writes nothing at all" {
  host_root
  mkdir -p "$R$BIN/ocigate"
  local before
  before=$(tree_sum)
  og_setup --install containerd
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"$R$BIN/ocigate: neither a file nor a symbolic link"* ]]
  [ "$(tree_sum)" = "$before" ]
}

# start_waiting ARG...: `ocigate setup --wait ARG...` in the background
# (WAITER, its output in $T/out), once it says it waits (up to 10 s).
start_waiting() {
  "$OCIGATE" setup --root "$R" --bindir "$BIN" --wait "$@" >"$T/out" 2>&1 &
  WAITER=$!
  local i
  for ((i = 0; i < 100; i++)); do
    grep -qF "waiting for SIGTERM" "$T/out" 2>/dev/null && return 0
    sleep 0.1
  done
  cat "$T/out" >&2
  return 1
}

# stop_waiting SIGNAL: send it, and its exit status in $status.
stop_waiting() {
  kill "-$1" "$WAITER"
  status=0
  wait "$WAITER" || status=$?
  WAITER=
  cat "$T/out"
}

@test "setup --wait: sets up, says it waits, and on SIGTERM gives the tree back byte for byte and exits 0" {
  host_root
  local before
  before=$(tree_sum)
  start_waiting --install --mode dry-run containerd
  # set up while it waits
  cmp "$OCIGATE" "$R$BIN/ocigate"
  grep -qF "BinaryName = \"$BIN/ocigate-runc\"" "$R/etc/containerd/conf.d/ocigate.toml"
  [ "$(jq -r .mode "$R/etc/ocigate/policy.json")" = dry-run ]
  stop_waiting TERM
  [ "$status" -eq 0 ]
  grep -qF "SIGTERM: taking back what was set up" "$T/out"
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --wait: SIGINT does the same; a file changed meanwhile is left and the exit is 1" {
  start_waiting --install containerd
  printf '# mine now\n' >>"$R/etc/containerd/conf.d/ocigate.toml"
  stop_waiting INT
  [ "$status" -eq 1 ]
  grep -qF "SIGINT: taking back what was set up" "$T/out"
  grep -qF "/etc/containerd/conf.d/ocigate.toml: changed since ocigate setup wrote it: left as it is" "$T/out"
  [ -e "$R/etc/containerd/conf.d/ocigate.toml" ]
  [ ! -e "$R$BIN/ocigate" ]
}

@test "setup --wait: a refused setup exits 1 at once, saying why, with nothing written" {
  mkdir -p "$R/etc/containerd"
  printf 'version = 1\n' >"$R/etc/containerd/config.toml"
  local before
  before=$(tree_sum)
  run timeout 10 "$OCIGATE" setup --root "$R" --bindir "$BIN" --install --wait containerd
  echo "$output"
  [ "$status" -eq 1 ]
  [[ "$output" == *"version = 2"* ]]
  [[ "$output" != *"waiting"* ]]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --install runtimes, as the DaemonSet runs it: the diversions' links lead to the binary it installs; SIGTERM gives all back" {
  need_static_ocigate
  dpkg_root
  rm -rf "$R/opt"
  host_root
  local before
  before=$(tree_sum)
  og_setup --install --print containerd runtimes
  echo "$output"
  [ "$status" -eq 0 ]
  [[ "$output" == *"would install $BIN/ocigate"* ]]
  [[ "$output" == *"would link /usr/sbin/runc -> $BIN/ocigate-runc"* ]]
  [ "$(tree_sum)" = "$before" ]
  start_waiting --install --mode dry-run --restart auto containerd runtimes
  [ "$(readlink "$R/usr/sbin/runc")" = "$BIN/ocigate-runc" ]
  cmp "$OCIGATE" "$R$BIN/ocigate"
  # the diverted runc runs the wrapper, which runs the real one
  mkdir -p "$R/proc"
  run unshare -m sh -c 'mount -t proc proc "$1/proc" && chroot "$1" /usr/sbin/runc state c1' sh "$R"
  [ "$output" = "state c1" ]
  rmdir "$R/proc"
  stop_waiting TERM
  [ "$status" -eq 0 ]
  [ "$(tree_sum)" = "$before" ]
}

@test "setup --wait and --install: usage errors exit 2" {
  og_setup --wait --print containerd
  [ "$status" -eq 2 ]
  og_setup --undo --wait containerd
  [ "$status" -eq 2 ]
  og_setup --wait
  [ "$status" -eq 2 ]
  [[ "$output" == *"no engine given"* ]]
}
