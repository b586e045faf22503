#!/usr/bin/env bats
# End-to-end: ocigate as a prestart hook of runc (README "runc and crun"),
# with real containers.  Also the `make install` the hook suites rely on.
# Run as root from the repository root: bats --tap tests/e2e/runc-hook.bats

load lib-hook

RT_NAME=runc

setup_file() {
  hook_setup_file
}

teardown_file() {
  hook_teardown_file
}

setup() {
  hook_setup
}

teardown() {
  if [ -n "${LISTENER:-}" ]; then
    kill "$LISTENER" 2>/dev/null || true
  fi
  runc_cleanup
  hook_teardown_cgroups "$CID"
  rm -rf "$T"
}

rt_bundle() {
  new_bundle "$1"
}

# rt_run BUNDLE: runc run; runc prints a failing hook's stderr in its error.
rt_run() {
  if [ "${RT_ENV_I:-0}" = 1 ]; then
    run timeout 60 env -i "$RUNC_BIN" --root "$T/runc" run -b "$1" "$CID"
  else
    run runc_r run -b "$1" "$CID"
  fi
  REASON=$output
}

rt_no_container() {
  run runc_r list -q
  assert_status 0
  [ -z "$output" ]
  run runc_r state "$CID"
  assert_failure
}

@test "runc: README's hook refuses a root container (user.root) and leaves no container" {
  hookcase_readme_refuses_root
  assert_contains "$RUN_OUTPUT" "error running hook #0: error running hook: exit status 1"
}

@test "runc: a compliant container (uid 1000, allowed capabilities) runs /bin/id" {
  hookcase_compliant_runs
}

@test "runc: a finding the policy would fix (CAP_SYS_ADMIN) is refused at prestart, naming precreate/wrapper" {
  hookcase_fix_refused_at_prestart
}

@test "runc: a poststart hook running /bin/sh on the host is refused at prestart, before it runs (hooks)" {
  rt_bundle "$T/b"
  bundle_user "$T/b" 1000 1000
  bundle_args "$T/b" /bin/true
  bundle_jq "$T/b" '.hooks.poststart = [{"path": "/bin/sh", "args": ["sh", "-c", "touch \($f)"]}]' --arg f "$T/owned"
  # Control: without ocigate's hook, runc runs it on the host as root.
  rt_run "$T/b"
  assert_status 0
  [ -e "$T/owned" ]
  rm "$T/owned"
  add_ocigate_hook "$T/b"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: denied by hooks: config hook runs /bin/sh on the host as root (hooks.poststart[0].path=/bin/sh); remove the hook, or list the path in rules.hooks.allow"
  # ocigate's own prestart hook passed the rule; the poststart one never ran.
  assert_not_contains "$REASON" "hooks.prestart"
  [ ! -e "$T/owned" ]
  rt_no_container
}

@test "runc: user namespace root (0->100000) runs" {
  hookcase_userns_root_runs
}

@test "runc: user namespace without its own pid namespace is refused by hostNamespaces.pid" {
  hookcase_userns_host_pid_refused
}

@test "runc: policy mode dry-run lets the root container start and logs what would have happened" {
  hookcase_dry_run_policy
}

@test "runc: hook --dry-run lets the root container start under an enforcing policy and logs it" {
  hookcase_dry_run_flag
}

@test "runc: warnings are logged to the policy's log file, plain allows are not" {
  hookcase_log_warn_not_plain_allow
}

@test "runc: a group/world-writable policy refuses every container, naming the file" {
  hookcase_policy_writable
}

@test "runc: a policy in a world-writable directory, or owned by another user, refuses" {
  hookcase_policy_dir_writable
}

@test "runc: a malformed policy refuses with file and line; the embedded default is not used" {
  hookcase_policy_malformed
}

@test "runc: a missing -p policy refuses" {
  hookcase_policy_missing
}

@test "runc: a policy reached through a symlink into a world-writable directory is not trusted" {
  hookcase_policy_symlink
}

@test "runc: the hook decides right with an empty environment (env -i runc; hook env [])" {
  hookcase_empty_env
}

@test "runc: OCI state with bundlePath (old engines) on stdin: allowed" {
  hookcase_bundlepath_allowed
}

@test "runc: OCI state with bundlePath (old engines) on stdin: refused" {
  hookcase_bundlepath_refused
}

@test "runc: a key given twice (\"uid\": 0, \"uid\": 1000) is refused; runc itself would read the last" {
  hookcase_duplicate_key 1000
}

@test "runc: a field spelt in another case (\"UID\": 0 after \"uid\": 1000) is refused; runc itself would run UID 0" {
  hookcase_field_case 0
}

@test "runc: config text in a refusal stays one printable line (newline, ESC in a mount destination)" {
  hookcase_config_text_printable
}

# with_private_etc SHELL-COMMANDS: run them (sh) in a private mount namespace
# where /etc is an overlay with its upper layer on a tmpfs, so that
# /etc/ocigate/policy.json can be written without touching the host's /etc.
# Sets status and output (bats run).
with_private_etc() {
  mkdir -p "$T/ovl"
  cat >"$T/inner.sh" <<INNER
set -e
mount -t tmpfs tmpfs '$T/ovl'
mkdir '$T/ovl/up' '$T/ovl/wk'
mount -t overlay overlay -o 'lowerdir=/etc,upperdir=$T/ovl/up,workdir=$T/ovl/wk' /etc
mkdir -p /etc/ocigate
$1
INNER
  run timeout 60 /usr/bin/unshare -m /bin/sh "$T/inner.sh"
}

# seccomp_listener SOCKET OUT: a seccomp agent at SOCKET, in the background,
# that takes one connection and writes to OUT what runc sent: the state and
# how many file descriptors came with it (the container's notification fd).
seccomp_listener() {
  python3 - "$1" "$2" >/dev/null 2>&1 3>&- <<'PY' &
import array, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
s.settimeout(60)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(65536, socket.CMSG_SPACE(4 * fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
with open(out, "w") as f:
    f.write("CONNECTED fds=%d %s\n" % (len(fds), msg.decode(errors="replace")))
PY
  LISTENER=$!
  local i
  for i in $(seq 100); do
    [ -S "$1" ] && return 0
    sleep 0.1
  done
  echo "the seccomp listener did not start" >&2
  return 1
}

# listener_bundle BUNDLE SOCKET: uid 1000 running /bin/id, its profile
# (Docker's) sending acct(2) to the agent at SOCKET.
# The notified call is one the seccomp rule's deny list leaves out: a
# call the listener may let through counts as allowed (SCMP_ACT_NOTIFY).
listener_bundle() {
  compliant_bundle "$1"
  bundle_jq "$1" '.linux.seccomp.syscalls += [{"names": ["vhangup"], "action": "SCMP_ACT_NOTIFY"}]
    | .linux.seccomp.listenerPath = $s' --arg s "$2"
}

@test "runc: linux.seccomp.listenerPath is refused (runtimeAnnotations) before runc hands the notification fd to it" {
  # Control without ocigate: runc connects to the socket and sends it the
  # container's seccomp notification fd.
  listener_bundle "$T/control" "$T/agent.sock"
  seccomp_listener "$T/agent.sock" "$T/agent.out"
  rt_run "$T/control"
  assert_status 0
  assert_contains "$output" "uid=1000"
  wait "$LISTENER"
  assert_contains "$(cat "$T/agent.out")" 'CONNECTED fds=1 {"ociVersion"'
  rt_no_container

  rm -f "$T/agent.sock" "$T/agent.out"
  listener_bundle "$T/b" "$T/agent.sock"
  add_ocigate_hook "$T/b"
  seccomp_listener "$T/agent.sock" "$T/agent.out"
  rt_run "$T/b"
  assert_failure
  # (runc quotes the hook's stderr: its " arrive as \")
  assert_contains "$REASON" "ocigate: denied by runtimeAnnotations: the runtime hands the container's seccomp notifications to this host socket, whose listener answers its system calls (linux.seccomp.listenerPath="
  assert_contains "$REASON" "$T/agent.sock"
  assert_not_contains "$output" "uid=1000"
  rt_no_container
  # runc starts prestart hooks before it connects: nothing reached the agent.
  [ ! -e "$T/agent.out" ]
  kill "$LISTENER"
  wait "$LISTENER" || true

  # A listener the policy allows is connected to, and the container runs.
  rm -f "$T/agent.sock"
  write_policy "$T/policy.json" '.rules.runtimeAnnotations.allow += ["linux.seccomp.listenerPath=" + $s]' --arg s "$T/agent.sock"
  listener_bundle "$T/ok" "$T/agent.sock"
  add_ocigate_hook "$T/ok" -p "$T/policy.json"
  seccomp_listener "$T/agent.sock" "$T/agent.out"
  rt_run "$T/ok"
  assert_status 0
  assert_contains "$output" "uid=1000"
  wait "$LISTENER"
  assert_contains "$(cat "$T/agent.out")" "CONNECTED fds=1"
  rt_no_container
}

@test "runc: without -p the hook reads /etc/ocigate/policy.json (and refuses when it is bad)" {
  local runc_cmd="'$RUNC_BIN' --root '$T/runc' run -b '$T/b' '$CID'"
  rt_bundle "$T/b"
  bundle_args "$T/b" /bin/id
  add_ocigate_hook "$T/b"
  # Control: with no /etc/ocigate/policy.json the embedded default refuses root.
  with_private_etc "rm -rf /etc/ocigate; $runc_cmd"
  assert_failure
  assert_contains "$output" "$MSG_USER_ROOT"
  # A policy there that turns user.root off is the one used.
  write_policy "$T/policy.json" '.rules["user.root"].action = "off"'
  with_private_etc "install -m 0644 '$T/policy.json' /etc/ocigate/policy.json; $runc_cmd"
  assert_status 0
  assert_contains "$output" "uid=0 gid=0"
  # Present but bad is not absent: refused, never the embedded default.
  bundle_user "$T/b" 1000 1000
  with_private_etc "install -m 0666 '$T/policy.json' /etc/ocigate/policy.json; $runc_cmd"
  assert_failure
  assert_contains "$output" "ocigate: refused: policy /etc/ocigate/policy.json"
  assert_contains "$output" "writable"
  printf '{"version": 1,\n "rules": {,}}\n' >"$T/bad.json"
  with_private_etc "install -m 0644 '$T/bad.json' /etc/ocigate/policy.json; $runc_cmd"
  assert_failure
  assert_contains "$output" "ocigate: refused: /etc/ocigate/policy.json:2:"
  with_private_etc "mkdir /etc/ocigate/policy.json; $runc_cmd"
  assert_failure
  assert_contains "$output" "ocigate: refused: policy /etc/ocigate/policy.json"
  assert_not_contains "$output" "uid=1000 gid="
  rt_no_container
}

@test "make install PREFIX= HOOKSDIR= SYSCONFDIR= installs the binary, links, policy and hooks.d files (enabling none); make uninstall removes them" {
  local d=$T/inst f
  mkdir "$d"
  run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$HOOK_REPO" install \
    PREFIX="$d/prefix" HOOKSDIR="$d/hooks.d" SYSCONFDIR="$d/etc"
  assert_status 0
  [ -x "$d/prefix/bin/ocigate" ]
  assert_eq "$(readlink "$d/prefix/bin/ocigate-runc")" ocigate "ocigate-runc link"
  assert_eq "$(readlink "$d/prefix/bin/ocigate-crun")" ocigate "ocigate-crun link"
  cmp "$HOOK_REPO/policies/default.json" "$d/etc/ocigate/policy.json"
  [ -e "$d/prefix/share/ocigate/policies/default.json" ]
  [ -e "$d/prefix/share/ocigate/schema/policy.schema.json" ]
  [ -e "$d/prefix/share/man/man1/ocigate.1" ]
  [ -e "$d/prefix/share/man/man5/ocigate-policy.5" ]
  # The hooks.d files are installed beside the policies: HOOKSDIR, where
  # Podman would run them, is left alone.
  [ ! -e "$d/hooks.d" ]
  local h=$d/prefix/share/ocigate/hooks.d
  for f in precreate prestart; do
    assert_eq "$(jq -r '.hook.path' "$h/ocigate-$f.json")" "$d/prefix/bin/ocigate" "ocigate-$f.json hook.path"
    assert_eq "$(jq -c '.hook.args' "$h/ocigate-$f.json")" "[\"ocigate\",\"hook\",\"--stage\",\"$f\"]" \
      "ocigate-$f.json hook.args"
    assert_eq "$(jq -c '.stages' "$h/ocigate-$f.json")" "[\"$f\"]" "ocigate-$f.json stages"
  done

  # make uninstall takes all of it back but the policy in force, which it
  # names; hooks.d files of ocigate an administrator put in HOOKSDIR go too
  # (they name the binary it removes), those of other tools stay.
  mkdir "$d/hooks.d"
  cp "$h/ocigate-prestart.json" "$d/hooks.d/"
  echo '# a hooks.d file of another tool' >"$d/hooks.d/other.json"
  run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$HOOK_REPO" uninstall \
    PREFIX="$d/prefix" HOOKSDIR="$d/hooks.d" SYSCONFDIR="$d/etc"
  assert_status 0
  assert_contains "$output" "kept $d/etc/ocigate/policy.json"
  assert_eq "$(cd "$d" && find . ! -type d | sort | tr '\n' ' ')" "./etc/ocigate/policy.json ./hooks.d/other.json " \
    "files left after make uninstall"
}

# Two installs with different PREFIXes: each one's hooks.d files must name
# its own binary (they once came from a build/ cache keyed on nothing).
@test "make install: the hooks.d files name the binary of the PREFIX given (not a previous one)" {
  local n f
  for n in first second; do
    run env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$HOOK_REPO" install PREFIX="$T/$n" HOOKSDIR="$T/$n/hooks.d" \
      SYSCONFDIR="$T/$n/etc"
    assert_status 0
  done
  for n in first second; do
    for f in prestart precreate; do
      assert_eq "$(jq -r '.hook.path' "$T/$n/share/ocigate/hooks.d/ocigate-$f.json")" "$T/$n/bin/ocigate" \
        "$n ocigate-$f.json"
    done
  done
}
