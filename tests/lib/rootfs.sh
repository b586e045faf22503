#!/bin/sh
# tests/lib/rootfs.sh - build a minimal busybox OCI bundle for tests.
#
# Library use (no side effects when sourced):
#     . tests/lib/rootfs.sh
#     make_bundle "$dir"                # -> $dir/rootfs + $dir/config.json
#     make_rootfs_tar "$dir" "$out.tar" # tar of $dir/rootfs (for podman/docker import)
#
# CLI use:
#     sh tests/lib/rootfs.sh bundle DIR
#     sh tests/lib/rootfs.sh tar DIR OUT.tar
#
# Requirements: a statically linked busybox (Debian: busybox-static), runc, jq.

# The repository, to find the fixtures (sourced from bash, or run).
ROOTFS_REPO=$(cd "$(dirname "${BASH_SOURCE:-$0}")/../.." && pwd)

# Applets linked into rootfs/bin.
ROOTFS_APPLETS="sh id cat ls true sleep grep echo"

# _rootfs_busybox: print the path of the busybox binary to copy.
_rootfs_busybox() {
    if [ -n "${BUSYBOX:-}" ]; then
        printf '%s\n' "$BUSYBOX"
    elif [ -x /bin/busybox ]; then
        printf '%s\n' /bin/busybox
    else
        command -v busybox
    fi
}

# make_rootfs DIR: create DIR/rootfs populated with busybox.
make_rootfs() {
    _mr_dir=$1
    if [ -z "$_mr_dir" ]; then
        echo "make_rootfs: missing DIR" >&2
        return 2
    fi
    _mr_bb=$(_rootfs_busybox) || {
        echo "make_rootfs: busybox not found (install busybox-static)" >&2
        return 1
    }
    mkdir -p "$_mr_dir/rootfs/bin" "$_mr_dir/rootfs/proc" "$_mr_dir/rootfs/sys" \
        "$_mr_dir/rootfs/dev" "$_mr_dir/rootfs/tmp" "$_mr_dir/rootfs/etc" || return 1
    chmod 1777 "$_mr_dir/rootfs/tmp" || return 1
    cp "$_mr_bb" "$_mr_dir/rootfs/bin/busybox" || return 1
    chmod 0755 "$_mr_dir/rootfs/bin/busybox" || return 1
    for _mr_applet in $ROOTFS_APPLETS; do
        ln -sf busybox "$_mr_dir/rootfs/bin/$_mr_applet" || return 1
    done
}

# make_bundle DIR: DIR/rootfs + DIR/config.json (runc spec, terminal=false,
# args=["/bin/true"], Docker's default seccomp profile).
make_bundle() {
    _mb_dir=$1
    if [ -z "$_mb_dir" ]; then
        echo "make_bundle: missing DIR" >&2
        return 2
    fi
    make_rootfs "$_mb_dir" || return 1
    rm -f "$_mb_dir/config.json"
    (cd "$_mb_dir" && runc spec) || return 1
    # runc's template has no seccomp profile; give it the one Docker puts in
    # every container (a real engine's, from the fixtures).
    jq --slurpfile fx "$ROOTFS_REPO/tests/fixtures/docker-default.json" \
        '.process.terminal = false | .process.args = ["/bin/true"] | .linux.seccomp = $fx[0].linux.seccomp' \
        "$_mb_dir/config.json" > "$_mb_dir/config.json.tmp" || {
        rm -f "$_mb_dir/config.json.tmp"
        return 1
    }
    mv "$_mb_dir/config.json.tmp" "$_mb_dir/config.json"
}

# make_rootfs_tar DIR OUT.tar: tar DIR/rootfs (contents at the archive root).
make_rootfs_tar() {
    _mt_dir=$1
    _mt_out=$2
    if [ -z "$_mt_dir" ] || [ -z "$_mt_out" ]; then
        echo "make_rootfs_tar: usage: make_rootfs_tar DIR OUT.tar" >&2
        return 2
    fi
    if [ ! -d "$_mt_dir/rootfs" ]; then
        echo "make_rootfs_tar: $_mt_dir/rootfs does not exist (run make_bundle first)" >&2
        return 1
    fi
    tar -C "$_mt_dir/rootfs" -cf "$_mt_out" .
}

_rootfs_usage() {
    cat >&2 <<'EOF'
usage: rootfs.sh bundle DIR          create DIR/rootfs and DIR/config.json
       rootfs.sh rootfs DIR          create DIR/rootfs only
       rootfs.sh tar DIR OUT.tar     tar DIR/rootfs into OUT.tar
EOF
}

_rootfs_main() {
    set -e
    case "${1:-}" in
        bundle) [ $# -eq 2 ] || { _rootfs_usage; return 2; }; make_bundle "$2" ;;
        rootfs) [ $# -eq 2 ] || { _rootfs_usage; return 2; }; make_rootfs "$2" ;;
        tar)    [ $# -eq 3 ] || { _rootfs_usage; return 2; }; make_rootfs_tar "$2" "$3" ;;
        *)      _rootfs_usage; return 2 ;;
    esac
}

# CLI mode only when executed directly, not when sourced.
case "${0##*/}" in
    rootfs.sh)
        # When sourced from bash, $0 is the caller's name; BASH_SOURCE tells
        # them apart. In plain sh, sourcing from a script called rootfs.sh is
        # not a supported use.
        if [ -z "${BASH_SOURCE:-}" ] || [ "${BASH_SOURCE:-}" = "$0" ]; then
            _rootfs_main "$@"
            exit $?
        fi
        ;;
esac

# add_sysprobe DIR: compile tests/e2e/sysprobe.c static into DIR/rootfs/bin
# (it tells whether seccomp or the kernel answered a system call).
add_sysprobe() {
    _as_dir=$1
    _as_src=$(cd -- "$(dirname -- "${BASH_SOURCE[0]:-$0}")/../e2e" && pwd)/sysprobe.c
    if [ ! -d "$_as_dir/rootfs/bin" ]; then
        echo "add_sysprobe: $_as_dir/rootfs/bin does not exist (run make_rootfs first)" >&2
        return 1
    fi
    gcc -static -O2 -Wall -Wextra -Werror -o "$_as_dir/rootfs/bin/sysprobe" "$_as_src"
}
