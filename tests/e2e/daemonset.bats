#!/usr/bin/env bats
# End to end: the DaemonSet's installer image (deploy/kubernetes/), run as
# the DaemonSet runs it, configures this machine's containerd so that a root
# container started through the runc shim is refused.
#
# No kubelet here: a private containerd (lib-daemon.bash containerd_start)
# runs the image `make image` builds, in its k8s.io namespace, with what the
# manifest gives the pod: its args (read from the manifest), privileged,
# the host's / at /host (rbind) and the host's PID namespace (through
# /proc/self/ns/pid: /proc/1/ns is not readable here).  The installer then
# changes the REAL host: /etc/containerd, /etc/ocigate, /opt/ocigate, and
# (setup runtimes) /usr/sbin/runc, /usr/bin/crun and dpkg's diversions.
# Like setup.bats (lib-setup.bash), it holds the lock the suites that change
# the host share (setup_file takes it when no parent process holds it, as
# `flock /tmp/ocigate-host.lock bats --tap tests/e2e/daemonset.bats` does),
# saves everything first and gives back in teardown_file whatever still
# differs, even when a test fails.

bats_require_minimum_version 1.5.0
load lib-daemon
load lib-setup

MANIFEST="$E2E_ROOT/deploy/kubernetes/ocigate-installer.yaml"
IMG_USER=docker.io/library/ocigate-e2e-user:1
# What setup may touch, and where --install puts ocigate.
SETUP_TOUCHES+=(/opt/ocigate)

# The image the manifest names, and its args as one word each.
manifest_image() {
  python3 -c 'import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "DaemonSet":
        print(d["spec"]["template"]["spec"]["containers"][0]["image"])' "$MANIFEST"
}
manifest_args() {
  python3 -c 'import sys, yaml
for d in yaml.safe_load_all(open(sys.argv[1])):
    if d and d["kind"] == "DaemonSet":
        print("\n".join(d["spec"]["template"]["spec"]["containers"][0]["args"]))' "$MANIFEST"
}

setup_file() {
  e2e_need_build
  [ "$(id -u)" -eq 0 ] || skip "needs root: changes this machine's containerd, runc and crun"
  command -v containerd >/dev/null && command -v ctr >/dev/null ||
    skip "containerd and ctr are not installed (Debian package containerd)"
  command -v dpkg-divert >/dev/null || skip "dpkg-divert is not here: setup runtimes needs a Debian host"
  python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml is not installed (reads the manifest)"
  CT=$(mktemp -d)
  export CT
  chmod 0711 "$CT"
  host_lock "$CT" || return 1
  if [ -n "$(host_leftovers)" ]; then
    host_unlock "$CT"
    skip "an earlier setup left a journal or a diversion here: $(host_leftovers | tr '\n' ' ')"
  fi
  # the host as it is, to compare with and to put back
  host_save "$CT" || return 1
  (cd "$E2E_ROOT" && make image) >"$CT/make-image.log" 2>&1 || {
    cat "$CT/make-image.log" >&2
    return 1
  }
  containerd_start "$CT" || return 1
  ctrc "$CT" -n k8s.io images import "$E2E_ROOT/build/ocigate-installer.tar" >/dev/null || return 1
  mkdir -p "$CT/img"
  # a root container: this rootfs as it is (ctr run --rootfs); user 1000: an image
  make_rootfs "$CT/img" >/dev/null && make_oci_image_tar "$CT/img" "$CT/user.tar" 1000 &&
    ctrc "$CT" images import --base-name docker.io/library/ocigate-e2e-user "$CT/user.tar" >/dev/null
}

teardown_file() {
  [ -n "${CT:-}" ] || return 0
  ctr_cleanup "$CT"
  installer_remove
  # only what host_save saved can be given back (a skip or a failure may
  # come before it)
  if [ -f "$CT/tree" ]; then
    remove_ocigate_diversions | loud undo
    host_restore "$CT" | loud restore
  fi
  host_unlock "$CT"
  containerd_stop "$CT"
  e2e_rmdir "$CT"
}

setup() {
  ID="ocigate-e2e-$$-$BATS_TEST_NUMBER"
}

teardown() {
  ctr_cleanup "$CT"
  installer_remove
}

# installer_remove: the installer's container gone, whatever it was doing;
# SIGTERM first, so that what it set up is taken back for the next test.
installer_remove() {
  local i
  ctrc "$CT" -n k8s.io tasks kill -s SIGTERM installer >/dev/null 2>&1 &&
    for ((i = 0; i < 100; i++)); do
      ctrc "$CT" -n k8s.io tasks ls 2>/dev/null | grep -q '^installer .*RUNNING' || break
      sleep 0.1
    done
  ctrc "$CT" -n k8s.io tasks kill -s SIGKILL installer >/dev/null 2>&1
  ctrc "$CT" -n k8s.io tasks delete -f installer >/dev/null 2>&1
  ctrc "$CT" -n k8s.io containers delete installer >/dev/null 2>&1
  return 0
}

# installer_run [SED-EXPR]: the installer as the DaemonSet's pod, detached,
# its output in $CT/installer.log, once it says it waits (up to 60 s).
# SED-EXPR edits the manifest's args line first (README: dry-run to enforce).
installer_run() {
  local args=() img
  img=$(manifest_image)
  mapfile -t args < <(manifest_args)
  if [ -n "${1:-}" ]; then
    mapfile -t args < <(printf '%s\n' "${args[@]}" | sed "$1")
  fi
  rm -f "$CT/installer.log"
  ctrc "$CT" -n k8s.io run -d --privileged --with-ns pid:/proc/self/ns/pid \
    --mount type=bind,src=/,dst=/host,options=rbind:rw --log-uri "file://$CT/installer.log" \
    "$img" installer /ocigate "${args[@]}" >/dev/null || return 1
  local i
  for ((i = 0; i < 600; i++)); do
    grep -qF "waiting for SIGTERM" "$CT/installer.log" 2>/dev/null && return 0
    ctrc "$CT" -n k8s.io tasks ls 2>/dev/null | grep -q '^installer .*RUNNING' || break
    sleep 0.1
  done
  echo "the installer does not wait; its output:" >&2
  cat "$CT/installer.log" >&2
  return 1
}

# installer_stop: SIGTERM, as Kubernetes stops the pod; its exit status in
# $installer_status, then the container removed.
installer_stop() {
  ctrc "$CT" -n k8s.io tasks kill -s SIGTERM installer
  local i
  installer_status=
  for ((i = 0; i < 600; i++)); do
    if ctrc "$CT" -n k8s.io tasks ls 2>/dev/null | grep -q '^installer .*STOPPED'; then
      # ctr tasks delete exits with the task's status
      installer_status=0
      ctrc "$CT" -n k8s.io tasks delete installer >/dev/null 2>&1 || installer_status=$?
      break
    fi
    sleep 0.1
  done
  ctrc "$CT" -n k8s.io containers delete installer >/dev/null 2>&1
  cat "$CT/installer.log"
}

@test "daemonset: the manifest: ocigate-system privileged, the installer's args on one line, every node tolerated" {
  python3 -c 'import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
ns = [d for d in docs if d["kind"] == "Namespace"][0]
assert ns["metadata"]["name"] == "ocigate-system"
assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
ds = [d for d in docs if d["kind"] == "DaemonSet"][0]
assert ds["metadata"]["name"] == "ocigate-installer" and ds["metadata"]["namespace"] == "ocigate-system"
pod = ds["spec"]["template"]["spec"]
assert pod["hostPID"] is True and pod["priorityClassName"] == "system-node-critical"
assert pod["terminationGracePeriodSeconds"] >= 60
assert {"operator": "Exists"} in pod["tolerations"]
c = pod["containers"][0]
assert c["name"] == "ocigate-installer" and c["imagePullPolicy"] == "IfNotPresent"
assert c["securityContext"]["privileged"] is True
assert c["args"] == "setup --root /host --install --bindir /opt/ocigate/bin --mode dry-run --restart auto --wait containerd runtimes".split()
assert [m["mountPath"] for m in c["volumeMounts"]] == ["/host"]
assert pod["volumes"][0]["hostPath"]["path"] == "/"' "$MANIFEST"
  grep -q '^ *args: \[setup, --root, /host, .*\]$' "$MANIFEST"
  [ "$(manifest_image)" = "docker.io/library/ocigate-installer:$(sed -n 's/^VERSION := //p' "$E2E_ROOT/Makefile")" ]
}

@test "daemonset: make image: an OCI archive of one layer, /ocigate 0755 on nothing, the same bytes twice" {
  local x="$CT/t$BATS_TEST_NUMBER" first
  mkdir -p "$x"
  first=$(sha "$E2E_ROOT/build/ocigate-installer.tar")
  (cd "$E2E_ROOT" && make image) >/dev/null
  [ "$(sha "$E2E_ROOT/build/ocigate-installer.tar")" = "$first" ]
  tar -C "$x" -xf "$E2E_ROOT/build/ocigate-installer.tar"
  [ "$(jq -r '.manifests[0].annotations["io.containerd.image.name"]' "$x/index.json")" = "$(manifest_image)" ]
  local m layer
  m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$x/index.json")
  [ "$(jq -r '.layers | length' "$x/blobs/sha256/$m")" = 1 ]
  layer=$(jq -r '.layers[0].digest | sub("sha256:"; "")' "$x/blobs/sha256/$m")
  [ "$(tar -tvf "$x/blobs/sha256/$layer" | awk '{print $1, $2, $6}')" = "-rwxr-xr-x 0/0 ocigate" ]
  [ "$(jq -c .config.Entrypoint "$x/blobs/sha256/$(jq -r '.config.digest | sub("sha256:"; "")' "$x/blobs/sha256/$m")")" = '["/ocigate"]' ]
  ctrc "$CT" -n k8s.io images ls -q | grep -qxF "$(manifest_image)"
}

@test "daemonset: dry-run: the installer sets containerd's CRI runc up, keeps the host's CNI bin_dir, and a root container starts" {
  need_static_ocigate
  installer_run
  cat "$CT/installer.log"
  cmp "$OCIGATE" /opt/ocigate/bin/ocigate
  [ "$(readlink /opt/ocigate/bin/ocigate-runc)" = ocigate ]
  [ "$(jq -r .mode /etc/ocigate/policy.json)" = dry-run ]
  containerd --config /etc/containerd/config.toml config dump >"$CT/dump.toml"
  python3 -c 'import sys, tomllib
cri = tomllib.load(open(sys.argv[1], "rb"))["plugins"]["io.containerd.grpc.v1.cri"]
runc = cri["containerd"]["runtimes"]["runc"]
assert runc["runtime_type"] == "io.containerd.runc.v2", runc
assert runc["options"]["BinaryName"] == "/opt/ocigate/bin/ocigate-runc", runc
assert cri["cni"]["bin_dir"] == "/usr/lib/cni", cri["cni"]' "$CT/dump.toml"
  run ctrc "$CT" run --rm --rootfs "$CT/img/rootfs" "$ID" /bin/id -u
  echo "root: status=$status output=$output"
  [ "$status" -eq 0 ]
  [ "$output" = 0 ]
  installer_stop
  [ "$installer_status" = 0 ]
}

@test "daemonset: enforce (README: the args' --mode switched): a root container through the runc shim is refused, user 1000 starts" {
  need_static_ocigate
  installer_run 's/^dry-run$/enforce/'
  cat "$CT/installer.log"
  [ "$(jq -r .mode /etc/ocigate/policy.json)" = enforce ]
  # runc by name: the shim's, as containerd's CRI and `ctr run` without --runc-binary call it
  run ctrc "$CT" run --rm --seccomp --rootfs "$CT/img/rootfs" "$ID" /bin/id -u
  echo "root: status=$status output=$output"
  [ "$status" -ne 0 ]
  [[ "$output" == *"ocigate: denied by user.root"* ]]
  # rewritten (NET_RAW dropped): the wrapper's line is on its stderr
  run --separate-stderr ctrc "$CT" run --rm --seccomp "$IMG_USER" "$ID-user" /bin/id -u
  echo "user 1000: status=$status output=$output stderr=$stderr"
  [ "$status" -eq 0 ]
  [ "$output" = 1000 ]
  [[ "$stderr" == "ocigate: rewrote: capabilities: dropped CAP_NET_RAW"* ]]
  installer_stop
  [ "$installer_status" = 0 ]
}

@test "daemonset: SIGTERM takes back every host file byte for byte, and no diversion is left" {
  need_static_ocigate
  installer_run
  run host_tree
  [ "$output" != "$(cat "$CT/tree")" ]
  [ -n "$(ocigate_diversions)" ]
  installer_stop
  [ "$installer_status" = 0 ]
  grep -qF "SIGTERM: taking back what was set up" "$CT/installer.log"
  assert_host_tree "$CT/tree"
  [ -z "$(ocigate_diversions)" ]
}
