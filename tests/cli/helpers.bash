# Shared setup for the CLI suites.
ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
OCIGATE="$ROOT/build/ocigate"
FIXTURES="$ROOT/tests/fixtures"
POLICIES="$ROOT/policies"

# A config every shipped policy allows as is: runc's own template with
# Docker's default seccomp profile, run as an unprivileged user, in every
# namespace, with a read-only root and resource limits.
compliant_config() {
  jq --slurpfile fx "$FIXTURES/docker-default.json" '.process.user = {"uid": 1000, "gid": 1000}
      | .linux.seccomp = $fx[0].linux.seccomp
      | .linux.resources += {"memory": {"limit": 268435456}, "pids": {"limit": 512}, "cpu": {"shares": 1024}}
      | .linux.namespaces += [{"type": "cgroup"}] | .linux.namespaces |= unique_by(.type)
      | .process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE"], "effective": ["CAP_NET_BIND_SERVICE"],
                                 "permitted": ["CAP_NET_BIND_SERVICE"]}' \
    "$FIXTURES/runc-spec.json"
}

# compliant_config with a jq filter applied: mutate 'FILTER' > FILE
mutate() {
  compliant_config | jq "$1"
}

# A jq filter that adds a user namespace mapping container 0-65535 onto
# host 1000000-1065535 (no host account there).
USERNS='.linux.namespaces += [{"type": "user"}]
  | .linux.uidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]
  | .linux.gidMappings = [{"containerID": 0, "hostID": 1000000, "size": 65536}]'

# fake_runtime [POLICY]: $T/policy.json is POLICY ($POLICIES/default.json
# when none) naming $T/runtime as runc and crun: a script that logs its
# arguments to $T/runtime.log and, for `state`, prints $T/state.json.
fake_runtime() {
  cat >"$T/runtime" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$T/runtime.log"
case " \$* " in *" state "*) exec cat "$T/state.json" ;; esac
exit 0
EOF
  chmod 0755 "$T/runtime"
  jq --arg r "$T/runtime" '.runtime = {"runc": $r, "crun": $r}' "${1:-$POLICIES/default.json}" >"$T/policy.json"
  chmod 0644 "$T/policy.json"
  rm -f "$T/runtime.log"
}

# The setup suites: `ocigate setup --root $R`, with BIN as the --bindir.
BIN=/opt/ocigate/bin

# setup_root: T, a temp directory, and R, the empty root in it.
setup_root() {
  T=$(mktemp -d) && R=$T/root && mkdir "$R"
}

og_setup() {
  run "$OCIGATE" setup --root "$R" --bindir "$BIN" "$@"
}

# Every directory, file and link under ROOT with its type, mode and owner,
# each link's target and each file's SHA-256.  dpkg's backup of its own
# database, var/lib/dpkg/diversions-old, which it rewrites on each change,
# is not setup's to give back.
tree_sum() {
  (cd "$R" && find . -path ./var/lib/dpkg/diversions-old -prune -o -printf '%y %m %U:%G %p -> %l\n' | sort &&
    find . -path ./var/lib/dpkg/diversions-old -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

# dpkg_root (the setup suites): $R with runc and crun, and the host's
# dpkg-divert with the libraries it loads: setup runs it chrooted into ROOT,
# as it runs the host's under an installer's container.  Its database
# starts empty; $BIN holds ocigate under the wrappers' names.
dpkg_root() {
  mkdir -p "$R/usr/bin" "$R/usr/sbin" "$R/var/lib/dpkg" "$R$BIN"
  cp /usr/bin/dpkg-divert "$R/usr/bin/"
  local lib
  for lib in $(ldd /usr/bin/dpkg-divert | grep -o '/[^ ]*'); do
    mkdir -p "$R$(dirname "$lib")"
    cp -L "$lib" "$R$lib"
  done
  : >"$R/var/lib/dpkg/diversions"
  # The real runtimes stand-ins: echo, which prints the arguments it gets.
  cp /bin/echo "$R/usr/sbin/runc"
  cp /bin/echo "$R/usr/bin/crun"
  cp "$OCIGATE" "$R$BIN/ocigate"
  ln -s ocigate "$R$BIN/ocigate-runc"
  ln -s ocigate "$R$BIN/ocigate-crun"
}

# need_static_ocigate: skip when build/ocigate needs a dynamic loader (the
# sanitizer build, make check SANITIZE=1): run chrooted in a test root, or
# as an image on an empty base, it finds none of its libraries there.
need_static_ocigate() {
  if readelf -l "$OCIGATE" 2>/dev/null | grep -q 'program interpreter'; then
    skip "needs the static build: this ocigate is linked dynamically (a sanitizer build) and runs where no library is"
  fi
}
