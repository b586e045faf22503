#!/usr/bin/env bash
# make demo: ocigate judging configs that real engines wrote, with the
# embedded default policy.
set -uo pipefail
cd "$(dirname "$0")/.."
ocigate=build/ocigate
if [ -e /etc/ocigate/policy.json ]; then
  echo "note: /etc/ocigate/policy.json exists and is used instead of the embedded default"
fi
show() {
  echo
  echo "\$ ocigate check tests/fixtures/$1.json    # $2"
  "$ocigate" check "tests/fixtures/$1.json"
  echo "(exit $?)"
}
show docker-default "docker run bb:1 /bin/true"
show docker-privileged "docker run --privileged ..."
show docker-userns-remap "dockerd --userns-remap=default; docker run ..."
show docker-user1000-capadd-all "docker run --user 1000 --cap-add ALL ..."
show podman-uidmap-pid-host "podman run --uidmap 0:100000:65536 --pid host ..."
show podman-userns-auto "podman run --userns auto ..."
show ctr-privileged "ctr run --privileged ..."

echo
echo "\$ ocigate fix tests/fixtures/podman-uidmap-capadd-sysadmin.json | jq .process.capabilities.bounding"
"$ocigate" fix tests/fixtures/podman-uidmap-capadd-sysadmin.json 2>/dev/null | jq -c .process.capabilities.bounding
echo
echo "Every fixture, as JSON lines (ocigate check --format json tests/fixtures/*.json):"
"$ocigate" check --format json tests/fixtures/*.json | jq -r '"  \(.decision)\t\(.config)"'
exit 0
