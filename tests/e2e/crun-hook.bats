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
  hook_teardown_cgroups "$CID"
  rm -rf "$T"
}

rt_bundle() {
  new_bundle "$1"
  crun_hook_stderr "$1"
}

# rt_run BUNDLE: crun run; REASON is what the hooks wrote on stderr.
rt_run() {
  rm -f "$T/hook-stderr"
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
  jq --arg f "$T/hook-stderr" '.annotations["run.oci.hooks.stderr"] = $f' "$T/b/config.json" >"$T/c.json"
  mv "$T/c.json" "$T/b/config.json"
  run crun_r run -b "$T/b" "$CID"
  assert_failure
  assert_contains "$(cat "$T/hook-stderr")" "$MSG_USER_ROOT"
}
