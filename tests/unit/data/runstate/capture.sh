#!/usr/bin/env bash
# Captures the runtime state files tests/unit/test_runstate.c reads: runc's
# state.json, crun's status, and /proc/PID/status of a process that
# `runc exec -u 0 --cap CAP_SYS_ADMIN` put into a container whose config
# runs it as UID 1000.  Run as root with runc, crun and busybox-static:
#   tests/unit/data/runstate/capture.sh
# It writes the three files beside itself and stops what it started.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W=$(mktemp -d /tmp/ocigate-capture.XXXXXX)
B=$W/b
cleanup() {
    set +e
    runc --root "$W/runc" delete -f c2 >/dev/null 2>&1
    crun --root "$W/crun" delete -f c3 >/dev/null 2>&1
    rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$B/rootfs/bin" "$B/rootfs/proc" "$B/rootfs/sys" "$B/rootfs/dev" "$B/rootfs/tmp"
cp /bin/busybox "$B/rootfs/bin/"
for c in sh sleep; do ln -s busybox "$B/rootfs/bin/$c"; done
(cd "$B" && runc spec)
jq '.process.terminal = false | .process.args = ["/bin/sleep", "300"] | .process.user.uid = 1000 | .process.user.gid = 1000' \
    "$B/config.json" >"$B/config.new" && mv "$B/config.new" "$B/config.json"
runc --root "$W/runc" run -d -b "$B" c2 </dev/null >/dev/null
runc --root "$W/runc" exec -d -u 0 --cap CAP_SYS_ADMIN c2 /bin/sleep 200 </dev/null >/dev/null
sleep 0.5
init=$(jq -r .init_process_pid "$W/runc/c2/state.json")
exec_pid=$(pgrep -f '^/bin/sleep 200$' | while read -r p; do
    [ "$(readlink /proc/$p/ns/pid)" = "$(readlink /proc/$init/ns/pid)" ] && echo "$p"; done | head -n1)
install -m 0644 "$W/runc/c2/state.json" "$HERE/runc-state.json"
install -m 0644 "/proc/$exec_pid/status" "$HERE/proc-status-exec-root"
# crun needs the cgroup2 mount of this hybrid host out of its way.
unshare -m sh -c "umount /sys/fs/cgroup/unified 2>/dev/null; crun --root '$W/crun' run -d -b '$B' c3" </dev/null >/dev/null
install -m 0644 "$W/crun/c3/status" "$HERE/crun-status"
