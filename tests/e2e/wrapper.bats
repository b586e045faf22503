#!/usr/bin/env bats
# End to end: build/ocigate-runc in front of the real runc (README "The
# wrapper", "Dry-run, logs and the policy file's trust").  No mocks: every
# allowed container really runs under runc, with a private --root.
#
# Run as root from the repository root:  bats --tap tests/e2e/wrapper.bats

bats_require_minimum_version 1.5.0
load lib-daemon

setup_file() {
  e2e_need_build
}

setup() {
  e2e_need_root
  e2e_need_cmd "$RUNC" jq
  T=$(mktemp -d)
  R="$T/runc-root"
  P="$T/policy.json"
  write_policy "$P"
}

teardown() {
  runc_cleanup "$R"
  e2e_rmdir "$T"
}

# wr ARGS...: the wrapper with this test's policy, in front of runc.
wr() { "$OCIGATE_RUNC" --ocigate-policy="$P" "$@"; }

containers_left() { "$RUNC" --root "$R" list -q 2>/dev/null; }

# --- 1. privileged -------------------------------------------------------

@test "wrapper: a --privileged-style config is refused by privileged, exit 1, no container, config untouched" {
  bundle_privileged "$T/b"
  before=$(sha "$T/b/config.json")
  run --separate-stderr wr --root "$R" run -b "$T/b" priv1
  echo "status=$status stderr=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by privileged"* ]]
  # UID 1000: the privileged rule alone refuses it
  [[ "$stderr" != *"user.root"* ]]
  [ -z "$(containers_left)" ]
  [ "$(sha "$T/b/config.json")" = "$before" ]
  # the same with create
  run --separate-stderr wr --root "$R" create -b "$T/b" priv2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by privileged"* ]]
  [ -z "$(containers_left)" ]
  [ "$(sha "$T/b/config.json")" = "$before" ]
}

# --- 2. capabilities trimmed ---------------------------------------------

@test "wrapper: extra capabilities are trimmed in place (CapBnd bits 21, 12 clear), mode, owner and other fields kept" {
  bundle_extra_caps "$T/b" /bin/grep CapBnd /proc/self/status
  chown 1234:2345 "$T/b/config.json"
  chmod 0640 "$T/b/config.json"
  cp -p "$T/b/config.json" "$T/orig.json"

  # control: plain runc grants them
  run "$RUNC" --root "$R" run -b "$T/b" ctl1
  echo "control: $output"
  [ "$status" -eq 0 ]
  mask=$(capbnd_of "$output")
  bit_set "$mask" 21
  bit_set "$mask" 12

  run --separate-stderr wr --root "$R" run -b "$T/b" trim1
  echo "status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  mask=$(capbnd_of "$output")
  [ -n "$mask" ]
  bit_clear "$mask" 21
  bit_clear "$mask" 12
  # the container's own capabilities stay (KILL=5, NET_BIND_SERVICE=10, AUDIT_WRITE=29)
  bit_set "$mask" 5 && bit_set "$mask" 10 && bit_set "$mask" 29

  jq -e . "$T/b/config.json" >/dev/null
  [ "$(stat -c '%a %u %g' "$T/b/config.json")" = "640 1234 2345" ]
  [ "$(jq -S "$FILTER_UNVERIFIED | del(.process.capabilities)" "$T/b/config.json")" = "$(jq -S "$FILTER_EXTRA_CAPS_FIXED | del(.process.capabilities)" "$T/orig.json")" ]
  want=$(jq -S "$FILTER_EXTRA_CAPS_FIXED | .process.capabilities" "$T/orig.json")
  [ "$(jq -S '.process.capabilities' "$T/b/config.json")" = "$want" ]
  # no temporary file left beside it
  [ "$(ls -A "$T/b")" = "$(printf 'config.json\nrootfs')" ]
  [ -z "$(containers_left)" ]
}

# --- 3. exec -------------------------------------------------------------

@test "wrapper: exec --cap and --user 0 are refused, an all-capabilities --process is trimmed; a plain exec works" {
  bundle_compliant "$T/b" /bin/sleep 60
  # not through `run`: the detached container keeps its stdio open
  wr --root "$R" run -d -b "$T/b" ex1 </dev/null >"$T/run.out" 2>&1 || {
    cat "$T/run.out"
    false
  }
  [ "$("$RUNC" --root "$R" state ex1 | jq -r .status)" = running ]

  run --separate-stderr wr --root "$R" exec --cap CAP_SYS_ADMIN ex1 /bin/true
  echo "cap: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by capabilities"*"CAP_SYS_ADMIN"* ]]
  [[ "$stderr" == *"which ocigate-runc exec cannot do"* ]]

  run --separate-stderr wr --root "$R" exec --user 0 ex1 /bin/true
  echo "user: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by user.root"* ]]

  run --separate-stderr wr --root "$R" exec ex1 /bin/id
  echo "plain: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]

  # A --process file can be rewritten: a capability outside the allowlist
  # is trimmed, as the container's were.
  jq '.process | .args = ["/bin/grep", "CapBnd", "/proc/self/status"]
      | .capabilities |= with_entries(.value += ["CAP_SYS_ADMIN"])' \
    "$T/b/config.json" >"$T/process-admin.json"
  run --separate-stderr wr --root "$R" exec --process "$T/process-admin.json" ex1
  echo "process: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  bnd=$(awk '{print $2}' <<<"$output")
  (( (0x$bnd >> 21) & 1 )) && { echo "CAP_SYS_ADMIN kept: $bnd"; false; }
  jq -e '.capabilities.bounding | index("CAP_SYS_ADMIN") == null' "$T/process-admin.json"
  # Every capability is exec --privileged (Docker and Podman pass it so):
  # refused by the privileged rule, not trimmed into something else.
  jq --argjson caps "$ALL_CAPS_JSON" '.process | .args = ["/bin/id"]
      | .capabilities = {"bounding": $caps, "effective": $caps, "permitted": $caps}' \
    "$T/b/config.json" >"$T/process-all.json"
  run --separate-stderr wr --root "$R" exec --process "$T/process-all.json" ex1
  echo "privileged: status=$status out=$output err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by privileged: exec is privileged (every capability"* ]]
  # and a --user 0 --process is refused like --user 0
  jq '.user.uid = 0' "$T/process-admin.json" >"$T/process-root.json"
  run --separate-stderr wr --root "$R" exec --process "$T/process-root.json" ex1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by user.root"* ]]

  # control: the container's own process as a --process file runs
  jq '.process | .args = ["/bin/id"]' "$T/b/config.json" >"$T/process-ok.json"
  run --separate-stderr wr --root "$R" exec --process "$T/process-ok.json" ex1
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]

  # an unknown exec option is refused rather than guessed at
  run --separate-stderr wr --root "$R" exec --frobnicate ex1 /bin/true
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"unknown option --frobnicate"* ]]
  # a container that does not exist cannot be judged: refused
  run --separate-stderr wr --root "$R" exec nosuch /bin/true
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: refused:"*"nosuch"* ]]

  # kill and delete pass through the wrapper
  run wr --root "$R" kill ex1 KILL
  [ "$status" -eq 0 ]
  for _ in $(seq 50); do
    [ "$("$RUNC" --root "$R" state ex1 | jq -r .status)" = stopped ] && break
    sleep 0.1
  done
  run wr --root "$R" delete ex1
  [ "$status" -eq 0 ]
  [ -z "$(containers_left)" ]
}

# pids_max ID: the pids.max of the cgroup runc put container ID in.
pids_max() { pids_max_of_pid "$("$RUNC" --root "$R" state "$1" | jq .pid)"; }

@test "wrapper: exec --no-new-privs=false, --apparmor unconfined, --process-label spc_t are judged as the process they make" {
  # the mission rules, and the default policy's noNewPrivileges (fix),
  # apparmor and selinux (deny)
  write_policy "$P" '.rules.noNewPrivileges = {"action": "fix"} | .rules.apparmor = {"action": "deny"}
    | .rules.selinux = {"action": "deny"}'
  bundle_compliant "$T/b" /bin/sleep 60
  [ "$(jq .process.noNewPrivileges "$T/b/config.json")" = true ]
  wr --root "$R" run -d -b "$T/b" nnp1 </dev/null >"$T/run.out" 2>&1 || {
    cat "$T/run.out"
    false
  }

  # runc would run it with no_new_privs 0: noNewPrivileges would fix it,
  # which flags cannot be
  run --separate-stderr wr --root "$R" exec --no-new-privs=false nnp1 /bin/grep NoNewPrivs /proc/self/status
  echo "nnp=false: status=$status out=$output err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by noNewPrivileges"*"which ocigate-runc exec cannot do"* ]]
  [[ "$stderr" == *"--no-new-privs=false makes this exec's process.noNewPrivileges false: drop the option"* ]]
  # control: without the wrapper runc clears it indeed
  run "$RUNC" --root "$R" exec --no-new-privs=false nnp1 /bin/grep NoNewPrivs /proc/self/status
  [[ "$output" == *"NoNewPrivs:"*"0"* ]]
  # --no-new-privs and --no-new-privs=true keep it, and pass
  for opt in --no-new-privs --no-new-privs=true; do
    run --separate-stderr wr --root "$R" exec "$opt" nnp1 /bin/grep NoNewPrivs /proc/self/status
    echo "$opt: status=$status out=$output err=$stderr"
    [ "$status" -eq 0 ]
    [[ "$output" == *"NoNewPrivs:"*"1"* ]]
  done

  # "unconfined" is a finding of apparmor whether or not the host has AppArmor
  run --separate-stderr wr --root "$R" exec --apparmor unconfined nnp1 /bin/true
  echo "apparmor: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by apparmor"*"process.apparmorProfile=unconfined"* ]]
  [[ "$stderr" == *"--apparmor unconfined sets this exec's process.apparmorProfile: drop the option"* ]]

  run --separate-stderr wr --root "$R" exec --process-label system_u:system_r:spc_t:s0 nnp1 /bin/true
  echo "label: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by selinux"*"spc_t"* ]]
  [[ "$stderr" == *"--process-label system_u:system_r:spc_t:s0 sets this exec's process.selinuxLabel"* ]]

  # a plain exec keeps the container's noNewPrivileges and passes
  run --separate-stderr wr --root "$R" exec nnp1 /bin/grep NoNewPrivs /proc/self/status
  echo "plain: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"NoNewPrivs:"*"1"* ]]
}

@test "wrapper: exec --cwd /proc/self/fd/7 (CVE-2024-21626) is refused before runc runs; --cwd of the container works" {
  # the mission rules, and the default policy's processCwd
  write_policy "$P" '.rules.processCwd = {"action": "deny"}'
  bundle_compliant "$T/b" /bin/sleep 60
  wr --root "$R" run -d -b "$T/b" cwd1 </dev/null >"$T/run.out" 2>&1 || {
    cat "$T/run.out"
    false
  }
  for cwd in /proc/self/fd/7 /proc/./self/fd/8 /proc/1/../thread-self/fd/7/ /proc/self/cwd; do
    run --separate-stderr wr --root "$R" exec --cwd "$cwd" cwd1 /bin/sh -c pwd
    echo "$cwd: status=$status out=$output err=$stderr"
    [ "$status" -eq 1 ]
    [ -z "$output" ]
    [[ "$stderr" == *"ocigate: denied by processCwd: working directory is in /proc"*"(process.cwd=$cwd"*"CVE-2024-21626)"* ]]
    [[ "$stderr" == *"--cwd $cwd sets this exec's process.cwd: drop the option"* ]]
  done
  # control: without the rule the exec reaches runc; what runc then does
  # depends on whether it has the fix (1.1.12 upstream)
  write_policy "$T/mission.json"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/mission.json" --root "$R" exec --cwd /proc/self/fd/7 cwd1 /bin/sh -c pwd
  echo "control: status=$status out=$output err=$stderr"
  [[ "$stderr" != *"ocigate:"* ]]
  # a --process file with such a cwd, as docker exec -w passes it
  jq '.process | .cwd = "/proc/self/fd/7" | .args = ["/bin/sh", "-c", "pwd"]' "$T/b/config.json" >"$T/process.json"
  run --separate-stderr wr --root "$R" exec --process "$T/process.json" cwd1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by processCwd"* ]]

  run --separate-stderr wr --root "$R" exec --cwd /tmp cwd1 /bin/sh -c pwd
  echo "tmp: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [ "$output" = /tmp ]
  run --separate-stderr wr --root "$R" exec cwd1 /bin/sh -c pwd
  [ "$status" -eq 0 ]
  [ "$output" = / ]

  # a config with such a cwd never starts
  bundle_compliant "$T/c" /bin/true
  jq_inplace "$T/c/config.json" '.process.cwd = "/proc/self/fd/7"'
  run --separate-stderr wr --root "$R" run -b "$T/c" cwd2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by processCwd"* ]]
  [ "$(containers_left)" = cwd1 ]
}

@test "wrapper: run --preserve-fds N passes only the caller's open fds 3.., never a directory; a bad N is refused" {
  bundle_compliant "$T/b" /bin/sh -c 'cat <&3'
  echo "from the caller" >"$T/file"

  # nothing at fd 3: runc would pass one of its own there
  run --separate-stderr wr --root "$R" run --preserve-fds 1 -b "$T/b" pf1 3<&-
  echo "closed: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"--preserve-fds 1 passes fd 3 to the container, but fd 3 is not open"* ]]
  [ -z "$(containers_left)" ]

  # a directory of the host at fd 3: refused
  run --separate-stderr wr --root "$R" run --preserve-fds=1 -b "$T/b" pf2 3<"$T"
  echo "directory: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"fd 3 is a directory ($T)"* ]]
  [ -z "$(containers_left)" ]

  # the second of two is missing
  run --separate-stderr wr --root "$R" run --preserve-fds 2 -b "$T/b" pf3 3<"$T/file" 4<&-
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"fd 4 is not open"* ]]

  for n in -1 0x1 010 99999999999999999999 one; do
    run --separate-stderr wr --root "$R" run --preserve-fds "$n" -b "$T/b" pf4 3<"$T/file"
    echo "N=$n: status=$status err=$stderr"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"--preserve-fds $n: must be a count of descriptors in decimal"* ]]
  done
  [ -z "$(containers_left)" ]

  # a regular file the caller opened at fd 3 reaches the container
  run --separate-stderr wr --root "$R" run --preserve-fds 1 -b "$T/b" pf5 3<"$T/file"
  echo "file: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [ "$output" = "from the caller" ]
}

@test "wrapper: create --no-pivot and --no-new-keyring are refused, exec --cgroup may not leave the container's cgroup" {
  bundle_compliant "$T/b" /bin/sleep 60
  for opt in --no-pivot --no-new-keyring; do
    run --separate-stderr wr --root "$R" create "$opt" -b "$T/b" np1
    echo "$opt: status=$status err=$stderr"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"option $opt is refused"*"drop $opt"* ]]
    [ -z "$(containers_left)" ]
  done
  run --separate-stderr wr --root "$R" exec --cgroup ../other np1 /bin/true
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"--cgroup ../other: \"..\" leaves the container's cgroup"* ]]
}

@test "wrapper: update that lifts a required limit is refused (flags, --resources file or stdin); others apply" {
  write_policy "$P" '.rules.resources = {"action": "deny"} | .runtime = {"runc": $r}' --arg r "$T/myrunc"
  # the runtime the policy names logs its arguments and what it reads on stdin
  printf '#!/bin/sh\necho "$*" >>%q\ncat >%q\nexec /usr/sbin/runc "$@" <%q\n' \
    "$T/args" "$T/in" "$T/in" >"$T/myrunc"
  printf '#!/bin/sh\necho "$*" >>%q\nexec /usr/sbin/runc "$@"\n' "$T/args" >"$T/myrunc-flags"
  chmod 0755 "$T/myrunc" "$T/myrunc-flags"
  bundle_compliant "$T/b" /bin/sleep 60
  jq_inplace "$T/b/config.json" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 100}, "cpu": {"shares": 512}}'
  wr --root "$R" run -d -b "$T/b" up1 </dev/null >"$T/run.out" 2>&1 || {
    cat "$T/run.out"
    false
  }
  [ "$(pids_max up1)" = 100 ]

  # what docker update --pids-limit -1 sends (containerd: --resources -)
  run --separate-stderr wr --root "$R" update --resources - up1 <<<'{"memory":{"limit":0},"pids":{"limit":-1}}'
  echo "stdin -1: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by resources: update lifts the container's limit on its number of processes (pids.limit=-1, unlimited); give a limit instead (--pids-limit 1024)"* ]]
  ! grep -q update "$T/args" # runc ran for `state`, never for the update
  [ "$(pids_max up1)" = 100 ]

  # an update that keeps the limits reaches runc with the bytes ocigate read
  run --separate-stderr wr --root "$R" update --resources=- up1 <<<'{"pids":{"limit":200}}'
  echo "stdin 200: status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(pids_max up1)" = 200 ]
  [ "$(tail -n1 "$T/args")" = "--root $R update --resources=- up1" ]
  [ "$(cat "$T/in")" = '{"pids":{"limit":200}}' ]

  # a file is read once: runc gets what was judged on stdin, and "-" for the file
  echo '{"pids": {"limit": -1}}' >"$T/lift.json"
  run --separate-stderr wr --root "$R" update -r "$T/lift.json" up1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"(pids.limit=-1, unlimited)"* ]]
  echo '{"pids": {"limit": 300}}' >"$T/keep.json"
  run --separate-stderr wr --root "$R" update -r "$T/keep.json" up1
  echo "file 300: status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(tail -n1 "$T/args")" = "--root $R update -r - up1" ]
  [ "$(cat "$T/in")" = '{"pids": {"limit": 300}}' ]
  [ "$(pids_max up1)" = 300 ]

  # a key runc would fold onto a field, or a document that is not an object, cannot be judged
  run --separate-stderr wr --root "$R" update -r - up1 <<<'{"Pids": {"limit": -1}}'
  [ "$status" -eq 1 ]
  [[ "$stderr" == *'key "Pids" can be taken for the field "pids" by runc'* ]]
  run --separate-stderr wr --root "$R" update -r - up1 <<<'[]'
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"update --resources on standard input: must be an object"* ]]
  [ "$(pids_max up1)" = 300 ]

  # flags, as runc and crun read them
  write_policy "$P" '.rules.resources = {"action": "deny"} | .runtime = {"runc": $r}' --arg r "$T/myrunc-flags"
  local v
  for v in -1 -0x1 18446744073709551615; do
    run --separate-stderr wr --root "$R" update --pids-limit "$v" up1
    echo "--pids-limit $v: status=$status err=$stderr"
    [ "$status" -eq 1 ]
    [[ "$stderr" == *"denied by resources: update lifts the container's limit on its number of processes"* ]]
  done
  run --separate-stderr wr --root "$R" update --memory=-1 up1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"update lifts the container's memory limit (memory.limit=-1, unlimited); give a limit instead (--memory 536870912)"* ]]
  [ "$(pids_max up1)" = 300 ]
  run --separate-stderr wr --root "$R" update --pids-limit 400 --memory 128m --cpu-share 256 up1
  echo "flags: status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(pids_max up1)" = 400 ]
  [ "$(tail -n1 "$T/args")" = "--root $R update --pids-limit 400 --memory 128m --cpu-share 256 up1" ]

  # under warn it goes through, and the decision log says so
  write_policy "$P" '.rules.resources = {"action": "warn"} | .log = {"file": $f}' --arg f "$T/decisions.log"
  run --separate-stderr wr --root "$R" update --pids-limit -1 up1
  echo "warn: status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(pids_max up1)" = max ]
  jq -e '.via == "ocigate-runc update" and .id == "up1" and .outcome == "allow" and .findings[0].rule == "resources"
      and .findings[0].action == "warn"' "$T/decisions.log"
}

# cpu_quota NAME: the container's CPU quota in microseconds, "max" for none
# (cgroup v1's -1, v2's "max").
cpu_quota() {
  local pid cg q
  pid=$("$RUNC" --root "$R" state "$1" | jq .pid)
  cg=$(awk -F: '$2 ~ /(^|,)cpu(,|$)/ || $2 == "" { print $3; exit }' "/proc/$pid/cgroup")
  if [ -e "/sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us" ]; then
    q=$(cat "/sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us")
    if [ "$q" = -1 ]; then echo max; else echo "$q"; fi
  else
    awk '{ print $1 }' "/sys/fs/cgroup$cg/cpu.max"
  fi
}

@test "wrapper: update that lifts the CPU quota of a container without a CPU share is refused; with a share it applies" {
  write_policy "$P" '.rules.resources = {"action": "deny"}'
  bundle_compliant "$T/b" /bin/sleep 60
  # --cpus 0.5 and no --cpu-shares: the quota is the CPU limit
  jq_inplace "$T/b/config.json" '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 100},
      "cpu": {"quota": 50000, "period": 100000}}'
  wr --root "$R" run -d -b "$T/b" upq </dev/null >"$T/run.out" 2>&1 || {
    cat "$T/run.out"
    false
  }
  [ "$(cpu_quota upq)" = 50000 ]

  run --separate-stderr wr --root "$R" update --cpu-quota -1 upq
  echo "flag -1: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by resources: update lifts the container's CPU quota (cpu.quota=-1, unlimited), and its config has no CPU share (linux.resources.cpu.shares is absent); give a quota instead (--cpus N), or a share with it (--cpu-shares 1024)"* ]]
  run --separate-stderr wr --root "$R" update --resources - upq <<<'{"cpu": {"quota": -1, "period": 100000}}'
  echo "stdin -1: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [ "$(cpu_quota upq)" = 50000 ]

  # another quota applies; so does lifting it with a share given beside
  run --separate-stderr wr --root "$R" update --cpu-quota 20000 upq
  [ "$status" -eq 0 ]
  [ "$(cpu_quota upq)" = 20000 ]
  run --separate-stderr wr --root "$R" update --cpu-quota -1 --cpu-share 512 upq
  echo "with a share: status=$status err=$stderr"
  [ "$status" -eq 0 ]
  [ "$(cpu_quota upq)" = max ]
}

# --- 4. pass-through -----------------------------------------------------

@test "wrapper: --version and features print exactly what runc prints" {
  run "$RUNC" --version
  want_version=$output
  run "$OCIGATE_RUNC" --version
  [ "$status" -eq 0 ]
  [ "$output" = "$want_version" ]
  run "$OCIGATE_RUNC" --ocigate-policy="$P" --version
  [ "$output" = "$want_version" ]

  run "$RUNC" features
  want_features=$output
  run "$OCIGATE_RUNC" features
  [ "$status" -eq 0 ]
  [ "$output" = "$want_features" ]
}

@test "wrapper: state, list, kill, delete pass through with a broken policy; create with it is refused naming the file" {
  printf '{"version": 1, "rules": {\n' >"$T/broken.json"
  chmod 0644 "$T/broken.json"
  bundle_compliant "$T/b" /bin/sleep 60
  # not through `run`: the created container keeps its stdio open
  wr --root "$R" create -b "$T/b" pt1 </dev/null >"$T/create.out" 2>&1 || {
    cat "$T/create.out"
    false
  }

  bw() { "$OCIGATE_RUNC" --ocigate-policy="$T/broken.json" "$@"; }
  run bw --root "$R" state pt1
  echo "$output"
  [ "$status" -eq 0 ]
  [ "$(jq -r .status <<<"$output")" = created ]
  run bw --root "$R" list
  [ "$status" -eq 0 ]
  [[ "$output" == *pt1* ]]
  run bw --root "$R" kill pt1 KILL
  [ "$status" -eq 0 ]
  run bw --root "$R" delete --force pt1
  [ "$status" -eq 0 ]
  [ -z "$(containers_left)" ]

  run --separate-stderr bw --root "$R" create -b "$T/b" pt2
  echo "create: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: refused:"*"$T/broken.json"* ]]
  [ -z "$(containers_left)" ]
}

# --- 5. --bundle parsing -------------------------------------------------

@test "wrapper: --bundle=DIR and -b DIR are the bundle judged" {
  bundle_compliant "$T/good" /bin/id
  bundle_privileged "$T/bad"
  run --separate-stderr wr --root "$R" run --bundle="$T/good" b1
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  run --separate-stderr wr --root "$R" run --bundle="$T/bad" b2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
  run --separate-stderr wr --root "$R" run -b "$T/good" b3
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  run --separate-stderr wr --root "$R" run -b "$T/bad" b4
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper: with two -b options the last one wins" {
  bundle_compliant "$T/good" /bin/id
  bundle_privileged "$T/bad"
  run --separate-stderr wr --root "$R" run -b "$T/good" -b "$T/bad" l1
  echo "good,bad: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
  # (runc itself rejects -b mixed with --bundle: "two forms of the same flag")
  run --separate-stderr wr --root "$R" run -b "$T/bad" -b "$T/good" l2
  echo "bad,good: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  run --separate-stderr wr --root "$R" run --bundle="$T/good" --bundle="$T/bad" l3
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
  run --separate-stderr wr --root "$R" run --bundle="$T/bad" --bundle="$T/good" l4
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper: without -b the current directory is the bundle" {
  bundle_compliant "$T/good" /bin/id
  bundle_privileged "$T/bad"
  run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$T/good" \
    "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run c1
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$T/bad" \
    "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run c2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper: a bundle directory named create is a value of --bundle, not a command" {
  mkdir -p "$T/x" "$T/y"
  bundle_privileged "$T/x/create"
  bundle_compliant "$T/y/create" /bin/id
  run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$T/x" \
    "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run --bundle create n1
  echo "x: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
  run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$T/x" \
    "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" create -b create n2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
  run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$T/y" \
    "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run --bundle create n3
  echo "y: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper: an unknown option of create or run is refused" {
  bundle_compliant "$T/good" /bin/id
  run --separate-stderr wr --root "$R" create --frobnicate -b "$T/good" u1
  echo "status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"unknown option --frobnicate"* ]]
  run --separate-stderr wr --root "$R" run -b "$T/good" --frobnicate=1 u2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"unknown option --frobnicate=1"* ]]
  [ -z "$(containers_left)" ]
}

# --- 6. --log ------------------------------------------------------------

@test "wrapper: a refusal appends one JSON line to --log with --log-format json" {
  bundle_privileged "$T/bad"
  echo '{"level":"info","msg":"an earlier line","time":"2020-01-01T00:00:00Z"}' >"$T/runc.log"
  run --separate-stderr wr --root "$R" --log "$T/runc.log" --log-format json run -b "$T/bad" lg1
  [ "$status" -eq 1 ]
  cat "$T/runc.log"
  [ "$(wc -l <"$T/runc.log")" -eq 2 ]
  [ "$(head -n1 "$T/runc.log")" = '{"level":"info","msg":"an earlier line","time":"2020-01-01T00:00:00Z"}' ]
  tail -n1 "$T/runc.log" | jq -e '.level == "error"
      and (.msg | startswith("ocigate: denied by privileged"))
      and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}"))
      and (keys == ["level", "msg", "time"])'
  # one line even with several reasons (root and privileged)
  jq_inplace "$T/bad/config.json" '.process.user.uid = 0'
  run --separate-stderr wr --root "$R" --log "$T/runc.log" --log-format json create -b "$T/bad" lg2
  [ "$status" -eq 1 ]
  [ "$(wc -l <"$T/runc.log")" -eq 3 ]
  tail -n1 "$T/runc.log" | jq -e '(.msg | contains("denied by privileged")) and (.msg | contains("denied by user.root"))'
  [ -z "$(containers_left)" ]
}

@test "wrapper: a --log that cannot be opened or written changes no decision" {
  bundle_privileged "$T/bad"
  bundle_compliant "$T/good" /bin/id
  mkdir "$T/logdir"
  run --separate-stderr wr --root "$R" --log "$T/logdir" --log-format json run -b "$T/bad" ld1
  echo "dir: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by privileged"* ]]
  run --separate-stderr wr --root "$R" --log /dev/full --log-format json run -b "$T/bad" ld2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: denied by privileged"* ]]
  # allowed: the wrapper hands over to runc whatever the log is
  run --separate-stderr wr --root "$R" --log /dev/full --log-format json run -b "$T/good" ld3
  echo "full: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  # with a directory as log the decision is still "allow": runc itself then
  # rejects the log (runc 1.1 opens it first), ocigate says nothing
  run --separate-stderr wr --root "$R" --log "$T/logdir" --log-format json run -b "$T/good" ld4
  echo "dir+good: status=$status out=$output err=$stderr"
  [[ "$stderr" != *"ocigate"* ]]
  [ -z "$(containers_left)" ]
}

# --- 7. dry-run ----------------------------------------------------------

# A privileged bundle runc can start here: every capability the host's
# bounding set has (this machine lacks CAP_SYS_RESOURCE).
dry_run_bundle() {
  bundle_privileged "$1" "$(host_caps_json)"
  jq_inplace "$1/config.json" '.process.args = ["/bin/id"]'
}

@test "wrapper: --ocigate-dry-run starts a refused config unchanged and logs dry_run, outcome allow, decision deny" {
  write_policy "$P" '.log = {"file": $f}' --arg f "$T/decisions.log"
  dry_run_bundle "$T/bad"
  "$OCIGATE" check -p "$P" "$T/bad/config.json" | grep -q 'deny privileged'
  before=$(sha "$T/bad/config.json")
  run --separate-stderr wr --ocigate-dry-run --root "$R" run -b "$T/bad" dr1
  echo "status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  [ "$(sha "$T/bad/config.json")" = "$before" ]
  cat "$T/decisions.log"
  [ "$(wc -l <"$T/decisions.log")" -eq 1 ]
  jq -e '.dry_run == true and .outcome == "allow" and .decision == "deny" and .id == "dr1"
         and .via == "ocigate-runc run" and (.findings | map(.rule) | index("privileged") != null)' \
    "$T/decisions.log"
  [ -z "$(containers_left)" ]
}

@test "wrapper: a policy with mode dry-run starts refused and fixable configs unchanged, and logs them" {
  write_policy "$P" '.mode = "dry-run" | .log = {"file": $f}' --arg f "$T/decisions.log"
  dry_run_bundle "$T/bad"
  bundle_extra_caps "$T/fix" /bin/grep CapBnd /proc/self/status
  before_bad=$(sha "$T/bad/config.json")
  before_fix=$(sha "$T/fix/config.json")
  run --separate-stderr wr --root "$R" run -b "$T/bad" dm1
  echo "bad: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  run --separate-stderr wr --root "$R" run -b "$T/fix" dm2
  echo "fix: status=$status out=$output err=$stderr"
  [ "$status" -eq 0 ]
  # unchanged: CAP_SYS_ADMIN (21) is still there
  bit_set "$(capbnd_of "$output")" 21
  [ "$(sha "$T/bad/config.json")" = "$before_bad" ]
  [ "$(sha "$T/fix/config.json")" = "$before_fix" ]
  cat "$T/decisions.log"
  [ "$(wc -l <"$T/decisions.log")" -eq 2 ]
  sed -n 1p "$T/decisions.log" | jq -e '.dry_run == true and .outcome == "allow" and .decision == "deny" and .id == "dm1"'
  sed -n 2p "$T/decisions.log" | jq -e '.dry_run == true and .outcome == "allow" and .decision == "rewrite" and .id == "dm2"'
  [ -z "$(containers_left)" ]
}

# --- the wrapper's contract (README "The wrapper") ------------------------

@test "wrapper: the container's exit status and standard I/O are the runtime's own" {
  bundle_compliant "$T/b" /bin/sh -c 'read x; echo "got $x"; echo "to stderr" >&2; exit 3'
  run --separate-stderr bash -c 'echo hello | "$@"' _ "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run -b "$T/b" io1
  echo "status=$status out=$output err=$stderr"
  [ "$status" -eq 3 ]
  [ "$output" = "got hello" ]
  [ "$stderr" = "to stderr" ]
  # a rewrite changes none of that
  jq_inplace "$T/b/config.json" "$FILTER_EXTRA_CAPS"
  run --separate-stderr bash -c 'echo again | "$@"' _ "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run -b "$T/b" io2
  [ "$status" -eq 3 ]
  [ "$output" = "got again" ]
  [ -z "$(containers_left)" ]
}

@test "wrapper: the real runtime is /usr/sbin/runc, never looked up in PATH; a policy's runtime.runc replaces it" {
  bundle_compliant "$T/b" /bin/id
  mkdir "$T/fakebin"
  printf '#!/bin/sh\necho "$0 $*" >>%q\nexit 99\n' "$T/path-runc-ran" >"$T/fakebin/runc"
  chmod 0755 "$T/fakebin/runc"
  run --separate-stderr env PATH="$T/fakebin:$PATH" "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" run -b "$T/b" rt1
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  [ ! -e "$T/path-runc-ran" ]
  # a trusted policy names another runtime: it gets the same arguments,
  # less ocigate's own options
  printf '#!/bin/sh\necho "$*" >>%q\nexec /usr/sbin/runc "$@"\n' "$T/args" >"$T/myrunc"
  chmod 0755 "$T/myrunc"
  write_policy "$P" '.runtime = {"runc": $r}' --arg r "$T/myrunc"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$P" --ocigate-dry-run --root "$R" run -b "$T/b" rt2
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
  [ "$(cat "$T/args")" = "--root $R run -b $T/b rt2" ]
  # pass-through commands use it too
  run "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R" list -q
  [ "$status" -eq 0 ]
  [ "$(tail -n1 "$T/args")" = "--root $R list -q" ]
  [ -z "$(containers_left)" ]
}

@test "wrapper: pass-through commands run no runtime named by a policy that fails the trust check" {
  # BUG (reported): state, kill, delete, start... take runtime.runc from the
  # policy file without the trust check create/run/exec apply, and execute it
  # as root: whoever can write the policy (or its directory) runs any program
  # as root the next time the engine calls `state` or `delete`.
  printf '#!/bin/sh\necho "$*" >>%q\nexit 0\n' "$T/marker" >"$T/evil"
  chmod 0755 "$T/evil"
  mkdir "$T/open"
  write_policy "$T/open/policy.json" '.runtime = {"runc": $e}' --arg e "$T/evil"
  chmod 0777 "$T/open"
  bundle_compliant "$T/b" /bin/id
  # create with it is refused: the policy is not trusted
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/open/policy.json" --root "$R" create -b "$T/b" ev1
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"writable by everyone"* ]]
  # so no other command may take a program to run from it
  run "$OCIGATE_RUNC" --ocigate-policy="$T/open/policy.json" --root "$R" state ev1
  run "$OCIGATE_RUNC" --ocigate-policy="$T/open/policy.json" --root "$R" delete ev1
  if [ -e "$T/marker" ]; then
    echo "the untrusted policy's runtime ran as root with: $(tr '\n' '|' <"$T/marker")"
    false
  fi
  # the same for a policy file anyone may write, in a trusted directory
  chmod 0755 "$T/open"
  chmod 0666 "$T/open/policy.json"
  run "$OCIGATE_RUNC" --ocigate-policy="$T/open/policy.json" --root "$R" kill ev1 KILL
  if [ -e "$T/marker" ]; then
    echo "the untrusted policy's runtime ran as root with: $(tr '\n' '|' <"$T/marker")"
    false
  fi
}

@test "wrapper: a policy that fails to load refuses the container with file, line and key; never the default" {
  bundle_compliant "$T/b" /bin/id
  printf '{\n  "version": 1,\n  "rules": {\n    "capabilities": {"action": "fix", "allow": ["CAP_BOGUS"]}\n  }\n}\n' >"$T/bad-cap.json"
  printf '{\n  "version": 1,\n  "rulez": {}\n}\n' >"$T/bad-key.json"
  chmod 0644 "$T/bad-cap.json" "$T/bad-key.json"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/bad-cap.json" --root "$R" run -b "$T/b" pl1
  echo "cap: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"$T/bad-cap.json:4: rules.capabilities.allow"*"CAP_BOGUS"* ]]
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/bad-key.json" --root "$R" run -b "$T/b" pl2
  echo "key: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"$T/bad-key.json:3: rulez"* ]]
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/missing.json" --root "$R" run -b "$T/b" pl3
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"$T/missing.json"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper: fail closed: a missing, unreadable or invalid config.json is refused with a message" {
  mkdir -p "$T/empty"
  run --separate-stderr wr --root "$R" run -b "$T/empty" fc1
  echo "missing: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: refused:"*"$T/empty/config.json"* ]]
  bundle_compliant "$T/b" /bin/id
  printf '{"ociVersion": "1.0.2", ' >"$T/b/config.json"
  run --separate-stderr wr --root "$R" run -b "$T/b" fc2
  echo "invalid: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: refused:"*"invalid JSON"* ]]
  rm "$T/b/config.json"
  mkdir "$T/b/config.json"
  run --separate-stderr wr --root "$R" run -b "$T/b" fc3
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"ocigate: refused:"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper: decisions are logged to the policy's log file: refusal, rewrite, warning; a plain allow is not" {
  write_policy "$P" '.log = {"file": $f}' --arg f "$T/decisions.log"
  bundle_compliant "$T/ok" /bin/true
  bundle_extra_caps "$T/fix" /bin/true
  bundle_privileged "$T/bad"
  bundle_compliant "$T/warn" /bin/true
  # the host's IPC namespace: hostNamespaces.ipc warns
  jq_inplace "$T/warn/config.json" '.linux.namespaces |= map(select(.type != "ipc"))'
  wr --root "$R" run -b "$T/ok" lg-ok
  [ ! -s "$T/decisions.log" ]
  wr --root "$R" run -b "$T/fix" lg-fix
  run wr --root "$R" run -b "$T/bad" lg-bad
  [ "$status" -eq 1 ]
  wr --root "$R" run -b "$T/warn" lg-warn
  cat "$T/decisions.log"
  [ "$(wc -l <"$T/decisions.log")" -eq 3 ]
  [ "$(stat -c %a "$T/decisions.log")" = 600 ]
  psha=$(sha "$P")
  sed -n 1p "$T/decisions.log" | jq -e --arg b "$T/fix" --arg p "$P" --arg s "$psha" '.id == "lg-fix" and .outcome == "rewrite"
      and .decision == "rewrite" and .dry_run == false and .bundle == $b and .via == "ocigate-runc run"
      and .policy == $p and .policy_sha256 == $s and (.findings | length) == 2
      and (.findings | all(.rule == "capabilities" and .action == "fix"))'
  sed -n 2p "$T/decisions.log" | jq -e '.id == "lg-bad" and .outcome == "refuse" and .decision == "deny"
      and (.findings | map(.rule) | index("privileged") != null)'
  sed -n 3p "$T/decisions.log" | jq -e '.id == "lg-warn" and .outcome == "allow" and .decision == "allow"
      and (.findings | map(.rule) == ["hostNamespaces.ipc"]) and .findings[0].action == "warn"'
  [ -z "$(containers_left)" ]
}

@test "wrapper: ocigate-crun judges the --config file crun will load (crun resolves it from the current directory)" {
  # BUG (reported): crun 1.8 makes --config FILE absolute against the
  # current directory before it changes to the bundle (src/run.c); the
  # wrapper reads BUNDLE/FILE.  So the wrapper judges one file and crun
  # runs another.  The runtime here is /bin/true: only decisions are tested.
  e2e_need_cmd /usr/bin/crun
  write_policy "$P" '.runtime = {"crun": "/bin/true"}'
  bundle_compliant "$T/b" /bin/id
  cp "$T/b/config.json" "$T/b/alt.json"
  mkdir "$T/cwd"
  cp "$T/b/config.json" "$T/cwd/alt.json"
  jq_inplace "$T/cwd/alt.json" "$FILTER_PRIVILEGED" --argjson caps "$ALL_CAPS_JSON"
  # what crun itself does: an unparsable ./alt.json in the current directory
  # is the file it loads, whatever -b says
  printf '{' >"$T/cwd/probe.json"
  cp "$T/b/config.json" "$T/b/probe.json"
  run bash -c 'cd "$1" && /usr/bin/crun --root "$2" run -b "$3" --config probe.json probe' _ "$T/cwd" "$T/crun-root" "$T/b"
  echo "crun: status=$status output=$output"
  [[ "$output" == *"$T/cwd/probe.json"* ]]

  # the wrapper must judge ./alt.json, the privileged one crun would run
  run --separate-stderr bash -c 'cd "$1" && shift && exec "$@"' _ "$T/cwd" \
    "$E2E_ROOT/build/ocigate-crun" --ocigate-policy="$P" run -b "$T/b" --config alt.json cf1
  echo "wrapper: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"denied by privileged"* ]]
}

# --- 8. the policy file's trust ------------------------------------------

@test "wrapper: a config.json others could swap before runc reads it is refused, and runc never starts" {
  bundle_compliant "$T/b" /bin/id
  chmod 0664 "$T/b/config.json"
  chmod 0711 "$T" # others may search it: at 0700 nobody else could reach the bundle
  run --separate-stderr wr --root "$R" run -b "$T/b" ct1
  [ "$status" -eq 1 ]
  [ "$stderr" = "ocigate: refused: config $T/b/config.json: the file is writable by its group (mode 0664); chmod go-w $T/b/config.json" ]
  [ -z "$output" ]
  [ -z "$(containers_left)" ]
  chmod 0644 "$T/b/config.json"
  run --separate-stderr wr --root "$R" run -b "$T/b" ct1
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]
}

@test "wrapper: a policy writable by others, by its group, or owned by another user is refused and says so" {
  bundle_compliant "$T/good" /bin/id
  # control: the same policy, 0644 in a root 0700 directory, is used
  run --separate-stderr wr --root "$R" run -b "$T/good" tr0
  [ "$status" -eq 0 ]
  [[ "$output" == *"uid=1000"* ]]

  chmod 0666 "$P"
  run --separate-stderr wr --root "$R" run -b "$T/good" tr1
  echo "0666: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"$P"*"writable by everyone"* ]]
  [ "$output" = "" ]

  chmod 0664 "$P"
  run --separate-stderr wr --root "$R" run -b "$T/good" tr2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"writable by its group"* ]]

  chmod 0644 "$P"
  chown 1000 "$P"
  run --separate-stderr wr --root "$R" run -b "$T/good" tr3
  echo "uid 1000: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"owned by UID 1000"* ]]
  [ -z "$(containers_left)" ]
}

@test "wrapper: a policy in a directory writable by others is refused and says so" {
  bundle_compliant "$T/good" /bin/id
  mkdir "$T/open"
  write_policy "$T/open/policy.json"
  chmod 0777 "$T/open"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/open/policy.json" --root "$R" run -b "$T/good" td1
  echo "0777: status=$status err=$stderr"
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"its directory"*"writable by everyone"* ]]
  # like /tmp: sticky does not help
  chmod 1777 "$T/open"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/open/policy.json" --root "$R" run -b "$T/good" td2
  [ "$status" -eq 1 ]
  [[ "$stderr" == *"its directory"*"writable by everyone"* ]]
  # control
  chmod 0755 "$T/open"
  run --separate-stderr "$OCIGATE_RUNC" --ocigate-policy="$T/open/policy.json" --root "$R" run -b "$T/good" td3
  [ "$status" -eq 0 ]
  [ -z "$(containers_left)" ]
}

# --- concurrency ---------------------------------------------------------

@test "wrapper: 50 concurrent runs, 3 rounds: each judged right, no config lost or mixed" {
  make_rootfs "$T/shared" >/dev/null
  (cd "$T" && "$RUNC" spec)
  # 50 configs sharing one read-only rootfs, each with its own annotation and
  # args.  Even ones need a fix (UID 1000 with CAP_SYS_ADMIN, CAP_NET_ADMIN),
  # odd ones are refused (root without a user namespace).
  jq -c --arg r "$T/shared/rootfs" '.root = {"path": $r, "readonly": true} | .process.terminal = false
      | . as $base | range(0; 50) | . as $i | ("b\($i)") as $id
      | $base | .annotations = {"e2e.id": $id} | .process.args = ["/bin/echo", $id]
      | if $i % 2 == 0 then ('"$FILTER_COMPLIANT | $FILTER_EXTRA_CAPS"')
        else .process.user = {"uid": 0, "gid": 0} end' "$T/config.json" >"$T/all.jsonl"
  local i=0 line round
  while IFS= read -r line; do
    mkdir -p "$T/b$i"
    printf '%s\n' "$line" >"$T/b$i/orig.json"
    i=$((i + 1))
  done <"$T/all.jsonl"
  [ "$i" -eq 50 ]

  for round in 1 2 3; do
    # the round itself runs in a plain bash (bats' per-command trap would
    # serialise the start of 50 background jobs)
    bash -c '
      T=$1 round=$2; shift 2
      for ((i = 0; i < 50; i++)); do
        cp "$T/b$i/orig.json" "$T/b$i/config.json"
        rm -f "$T/b$i/out" "$T/b$i/err" "$T/b$i/rc"
      done
      for ((i = 0; i < 50; i++)); do
        ( "$@" run -b "$T/b$i" "r$round-$i" >"$T/b$i/out" 2>"$T/b$i/err" </dev/null
          echo $? >"$T/b$i/rc" ) &
      done
      wait' _ "$T" "$round" "$OCIGATE_RUNC" --ocigate-policy="$P" --root "$R"

    # every config: its own annotation and args, the fixed version of its
    # original, with the verification hook the wrapper adds (even), or byte
    # for byte the original (odd); one jq for all
    run jq -n -r --arg round "$round" "def fixed: $FILTER_EXTRA_CAPS_FIXED; def unverified: $FILTER_UNVERIFIED;"'
        [inputs] as $f | range(0; 50) as $i | $f[2 * $i] as $c | $f[2 * $i + 1] as $o | ("b\($i)") as $id
        | select(($c.annotations["e2e.id"] == $id and $c.process.args == ["/bin/echo", $id]
                  and (if $i % 2 == 0 then ($c | unverified) == ($o | fixed) else $c == $o end)) | not)
        | "round \($round) \($id): config lost, mixed or not judged right: \($c | tojson)"' \
      $(for ((i = 0; i < 50; i++)); do echo "$T/b$i/config.json" "$T/b$i/orig.json"; done)
    [ "$status" -eq 0 ]
    [ -z "$output" ] || {
      echo "$output"
      false
    }
    run bash -c '
      T=$1 round=$2 bad=0
      shopt -s nullglob dotglob
      for ((i = 0; i < 50; i++)); do
        b=$T/b$i rc=$(<"$b/rc") out=$(<"$b/out") err=$(<"$b/err")
        if ((i % 2 == 0)); then
          [ "$rc" = 0 ] && [ "$out" = "b$i" ] ||
            { echo "round $round b$i (fix): rc=$rc out=$out err=$err"; bad=1; }
        else
          [ "$rc" = 1 ] && [[ $err == *"ocigate: denied by user.root"* ]] && [ -z "$out" ] ||
            { echo "round $round b$i (refuse): rc=$rc out=$out err=$err"; bad=1; }
          cmp -s "$b/config.json" "$b/orig.json" || { echo "round $round b$i: a refused config changed"; bad=1; }
        fi
        left=("$b"/*ocigate*)
        [ ${#left[@]} -eq 0 ] || { echo "round $round b$i: temporary file left: ${left[*]}"; bad=1; }
      done
      exit $bad' _ "$T" "$round"
    [ "$status" -eq 0 ] || {
      echo "$output"
      false
    }
  done
  [ -z "$(containers_left)" ]
}
