#!/usr/bin/env bats
# End-to-end: ocigate as a prestart hook of crun (README "runc and crun"),
# with real containers.
# Run as root from the repository root: bats --tap tests/e2e/crun-hook.bats
#
# On hybrid cgroup hosts crun refuses to run ("cgroups in hybrid mode not
# supported"); crun_r runs it in a private mount namespace without the
# cgroup2 mount.  crun 1.8 does not show a hook's stderr (see the last
# test), so the bundles send it to a file with crun's annotation
# run.oci.hooks.stderr and the reason is read there.

load lib-hook

RT_NAME=crun

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
  crun_cleanup
  hook_stderr_cleanup
  hook_teardown_cgroups "$CID"
  rm -rf "$T"
}

rt_bundle() {
  new_bundle "$1"
  crun_hook_stderr "$1"
}

# rt_run BUNDLE: crun run; REASON is what the hooks wrote on stderr.
rt_run() {
  hook_stderr_cleanup
  if [ "${RT_ENV_I:-0}" = 1 ]; then
    CRUN_ENV_I=1 run crun_r run -b "$1" "$CID"
  else
    run crun_r run -b "$1" "$CID"
  fi
  REASON=$(hook_stderr)
}

rt_no_container() {
  run crun_r list -q
  assert_status 0
  [ -z "$output" ]
  run crun_r state "$CID"
  assert_failure
}

@test "crun: README's hook refuses a root container (user.root) and leaves no container" {
  hookcase_readme_refuses_root
  assert_contains "$RUN_OUTPUT" "error executing hook \`$OCIGATE\` (exit code: 1)"
}

@test "crun: a key given twice (\"uid\": 0, \"uid\": 1000) is refused; crun itself would run UID 0" {
  hookcase_duplicate_key 0
}

@test "crun: a field spelt in another case (\"UID\": 0 after \"uid\": 1000) is refused; crun itself would run UID 1000" {
  hookcase_field_case 1000
}

@test "crun: config text in a refusal stays one printable line (newline, ESC in a mount destination)" {
  hookcase_config_text_printable
}

# unshare_bundle BUNDLE: uid 1000 under the bundle's seccomp profile
# (Docker's, which refuses unshare(2) without CAP_SYS_ADMIN), trying to
# create a user namespace.
unshare_bundle() {
  rt_bundle "$1"
  bundle_user "$1" 1000 1000
  bundle_args "$1" /bin/sh -c 'unshare -U /bin/true && echo UNSHARE-OK || echo UNSHARE-REFUSED'
  jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO"' "$1/config.json" >/dev/null
}

# An allow-everything seccomp program: BPF_RET|BPF_K SECCOMP_RET_ALLOW.
BPF_ALLOW_ALL=BgAAAAAA/38=

@test "crun: run.oci.seccomp_bpf_data is refused (runtimeAnnotations); crun itself loads it in place of the judged profile" {
  # Controls without ocigate: Docker's profile refuses unshare(2); with the
  # annotation crun loads the annotation's program instead, and it passes.
  unshare_bundle "$T/control"
  rt_run "$T/control"
  assert_status 0
  assert_contains "$output" "UNSHARE-REFUSED"
  bundle_jq "$T/control" '.annotations["run.oci.seccomp_bpf_data"] = $p' --arg p "$BPF_ALLOW_ALL"
  rt_run "$T/control"
  assert_status 0
  assert_contains "$output" "UNSHARE-OK"
  rt_no_container

  unshare_bundle "$T/b"
  add_ocigate_hook "$T/b"
  rt_run "$T/b"
  assert_status 0
  assert_contains "$output" "UNSHARE-REFUSED"
  bundle_jq "$T/b" '.annotations["run.oci.seccomp_bpf_data"] = $p' --arg p "$BPF_ALLOW_ALL"
  rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "ocigate: denied by runtimeAnnotations: crun loads this BPF program as the seccomp filter in place of linux.seccomp, the profile ocigate judged (annotations.run.oci.seccomp_bpf_data=\"$BPF_ALLOW_ALL\")"
  assert_not_contains "$output" "UNSHARE-OK"
  rt_no_container
}

@test "crun: run.oci.hooks.stderr outside /run/ocigate/hooks/ is refused; crun writes it before prestart, ocigate-crun before crun" {
  compliant_bundle "$T/b"
  add_ocigate_hook "$T/b"
  bundle_jq "$T/b" '.annotations["run.oci.hooks.stderr"] = $f' --arg f "$T/elsewhere.log"
  rt_run "$T/b"
  assert_failure
  assert_not_contains "$output" "uid="
  rt_no_container
  # crun created the file and wrote the hook's refusal into it: a prestart
  # hook comes too late to keep crun from opening it.
  assert_contains "$(cat "$T/elsewhere.log")" "denied by runtimeAnnotations: crun creates or appends to this host file as root, before any hook runs (annotations.run.oci.hooks.stderr=\"$T/elsewhere.log\")"
  assert_eq "$(stat -c %a "$T/elsewhere.log")" 700 "mode crun gives the file"

  # The wrapper judges before crun runs: the file is never created.
  new_bundle "$T/w"
  bundle_user "$T/w" 1000 1000
  bundle_args "$T/w" /bin/id
  bundle_jq "$T/w" '.annotations["run.oci.hooks.stderr"] = $f' --arg f "$T/never.log"
  run "${OCIGATE%/ocigate}/ocigate-crun" --root "$T/crun" run -b "$T/w" "$CID"
  assert_failure
  assert_contains "$output" "denied by runtimeAnnotations"
  [ ! -e "$T/never.log" ]
  rt_no_container
}

@test "crun: run.oci.keep_original_groups is refused when crun runs as root; crun itself passes root's groups on" {
  # crun started with supplementary groups 0 and 6, as su, sudo or runuser
  # start it for root (initgroups).
  printf '#!/bin/sh\nexec setpriv --groups 0,6 %s "$@"\n' "$CRUN_BIN" >"$T/crun-groups"
  chmod 0755 "$T/crun-groups"
  local b
  for b in "$T/control" "$T/b"; do
    compliant_bundle "$b"
  done
  add_ocigate_hook "$T/b"
  # Without the annotation crun sets the config's groups (none).
  CRUN_BIN="$T/crun-groups" rt_run "$T/control"
  assert_status 0
  assert_eq "$output" "uid=1000 gid=1000" "/bin/id"
  bundle_jq "$T/control" '.annotations["run.oci.keep_original_groups"] = "1"'
  CRUN_BIN="$T/crun-groups" rt_run "$T/control"
  assert_status 0
  assert_eq "$output" "uid=1000 gid=1000 groups=0,6" "/bin/id"
  rt_no_container

  bundle_jq "$T/b" '.annotations["run.oci.keep_original_groups"] = "1"'
  CRUN_BIN="$T/crun-groups" rt_run "$T/b"
  assert_failure
  assert_contains "$REASON" "denied by runtimeAnnotations: crun skips setgroups(2), so the process keeps the supplementary groups of the root process that started crun"
  assert_not_contains "$output" "uid="
  rt_no_container
  # "0" keeps setgroups(2): allowed.
  bundle_jq "$T/b" '.annotations["run.oci.keep_original_groups"] = "0"'
  CRUN_BIN="$T/crun-groups" rt_run "$T/b"
  assert_status 0
  assert_eq "$output" "uid=1000 gid=1000" "/bin/id"
}

@test "crun: a compliant container (uid 1000, allowed capabilities) runs /bin/id" {
  hookcase_compliant_runs
}

@test "crun: a finding the policy would fix (CAP_SYS_ADMIN) is refused at prestart, naming precreate/wrapper" {
  hookcase_fix_refused_at_prestart
}

@test "crun: user namespace root (0->100000) runs" {
  hookcase_userns_root_runs
}

@test "crun: user namespace without its own pid namespace is refused by hostNamespaces.pid" {
  hookcase_userns_host_pid_refused
}

@test "crun: policy mode dry-run lets the root container start and logs what would have happened" {
  hookcase_dry_run_policy
}

@test "crun: hook --dry-run lets the root container start under an enforcing policy and logs it" {
  hookcase_dry_run_flag
}

@test "crun: warnings are logged to the policy's log file, plain allows are not" {
  hookcase_log_warn_not_plain_allow
}

@test "crun: a group/world-writable policy refuses every container, naming the file" {
  hookcase_policy_writable
}

@test "crun: a policy in a world-writable directory, or owned by another user, refuses" {
  hookcase_policy_dir_writable
}

@test "crun: a malformed policy refuses with file and line; the embedded default is not used" {
  hookcase_policy_malformed
}

@test "crun: a missing -p policy refuses" {
  hookcase_policy_missing
}

@test "crun: a policy reached through a symlink into a world-writable directory is not trusted" {
  hookcase_policy_symlink
}

@test "crun: the hook decides right with an empty environment (env -i crun; hook env [])" {
  hookcase_empty_env
}

@test "crun: OCI state with bundlePath (old engines) on stdin: allowed" {
  hookcase_bundlepath_allowed
}

@test "crun: OCI state with bundlePath (old engines) on stdin: refused" {
  hookcase_bundlepath_refused
}

# README "runc and crun": crun 1.8 refuses the container but prints only
# "error executing hook `PATH` (exit code: 1)" unless the bundle's
# annotation run.oci.hooks.stderr names a file, where the reason then is.
@test "crun: README 'crun 1.8 prints only error executing hook': refused, reason via run.oci.hooks.stderr" {
  new_bundle "$T/b"
  readme_add_hook "$T/b"
  run crun_r run -b "$T/b" "$CID"
  assert_failure
  assert_contains "$output" "error executing hook"
  assert_not_contains "$output" "uid=0"
  # README's own command for the annotation, ID being this container's.
  local cmd
  cmd=$(readme_command '^    jq --arg id ID')
  [[ "$cmd" == *'run.oci.hooks.stderr'*'/run/ocigate/hooks/'* ]]
  hook_stderr_file
  (cd "$T/b" && eval "${cmd/--arg id ID/--arg id $CID}")
  assert_eq "$(jq -r '.annotations["run.oci.hooks.stderr"]' "$T/b/config.json")" "$HOOK_STDERR" "README's annotation"
  run crun_r run -b "$T/b" "$CID"
  assert_failure
  assert_contains "$(hook_stderr)" "$MSG_USER_ROOT"
  assert_not_contains "$(hook_stderr)" "runtimeAnnotations"
}
