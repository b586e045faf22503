#!/bin/sh
# Installs the Debian packages a step needs, only those missing.
# As root it runs apt-get; otherwise it prints the exact command and stops.
# Usage: tests/deps.sh build|unit|cli|test
set -eu

build="gcc make pkg-config libjson-c-dev libcap-dev libseccomp-dev"
# unit: the cmocka suites; cli: the command-line suites, no container engine;
# test: everything make check runs, engines included (libc6-dev: the static
# probe the e2e tests build).
unit="libcmocka-dev"
cli="$unit bats jq python3 python3-jsonschema valgrind busybox-static golang-go golang-github-opencontainers-specs-dev"
test="$cli libc6-dev go-md2man runc crun podman docker.io containerd uidmap iptables golang-github-containers-common \
  clang libclang-rt-14-dev clang-tidy cppcheck"

case "${1:-}" in
  build) want=$build ;;
  unit) want="$build $unit" ;;
  cli) want="$build $cli" ;;
  test) want="$build $test" ;;
  *) echo "usage: $0 build|unit|cli|test" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
  echo "ocigate: missing packages:$missing" >&2
  echo "ocigate: run as root: apt-get update && $cmd" >&2
  exit 1
fi
echo "ocigate: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
$cmd
