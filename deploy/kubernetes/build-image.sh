#!/bin/bash
# deploy/kubernetes/build-image.sh - the installer image, as an OCI image
# archive, without a registry and without `docker build`.
#
#     deploy/kubernetes/build-image.sh BINARY OUT.tar REFERENCE
#     (make image: build/ocigate-installer.tar,
#      docker.io/library/ocigate-installer:VERSION)
#
# The image is one layer holding BINARY (a static ocigate) as /ocigate,
# mode 0755, on nothing: its config's Entrypoint is ["/ocigate"], and the
# DaemonSet gives the arguments.  The layer is made the same way each
# time (names sorted, mtime 0, owner 0:0, no extended headers), so the
# same binary gives the same layer and image digests.
# `ctr -n k8s.io images import OUT.tar` names it REFERENCE (the annotation
# io.containerd.image.name); `podman load -i OUT.tar` reads the same
# reference from org.opencontainers.image.ref.name.
#
# Sourced (tests/e2e/lib-daemon.bash), it defines oci_image_archive only.
# Needs: GNU tar, jq, sha256sum.

# oci_image_archive LAYER.tar OUT.tar CONFIG-JSON REF: an OCI image layout
# (oci-layout, index.json, blobs/sha256/) as a tar at OUT.tar, with one
# layer (LAYER.tar, moved into the layout) and the image config's "config"
# member CONFIG-JSON.  REF names the image in index.json: a full reference
# (with "/" or ":") is set for containerd and Podman; a bare tag is left
# to `ctr images import --base-name NAME` (NAME:REF).
oci_image_archive() {
  local layer=$1 out=$2 config=$3 ref=$4
  local l arch ld ls cd cs md ms annotations
  l=$(mktemp -d "${TMPDIR:-/tmp}/oci-image.XXXXXX") || return 1
  mkdir -p "$l/blobs/sha256"
  case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
  esac
  ld=$(sha256sum "$layer" | cut -d' ' -f1)
  ls=$(stat -c %s "$layer")
  mv "$layer" "$l/blobs/sha256/$ld"
  jq -cn --arg ld "$ld" --arg arch "$arch" --argjson c "$config" '{architecture: $arch, os: "linux",
      config: $c, rootfs: {type: "layers", diff_ids: ["sha256:" + $ld]}}' >"$l/cfg"
  cd=$(sha256sum "$l/cfg" | cut -d' ' -f1)
  cs=$(stat -c %s "$l/cfg")
  mv "$l/cfg" "$l/blobs/sha256/$cd"
  jq -cn --arg ld "$ld" --argjson ls "$ls" --arg cd "$cd" --argjson cs "$cs" '{schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: ("sha256:" + $cd), size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: ("sha256:" + $ld), size: $ls}]}' \
    >"$l/manifest"
  md=$(sha256sum "$l/manifest" | cut -d' ' -f1)
  ms=$(stat -c %s "$l/manifest")
  mv "$l/manifest" "$l/blobs/sha256/$md"
  case "$ref" in
  */* | *:*) annotations=$(jq -cn --arg r "$ref" '{"io.containerd.image.name": $r, "org.opencontainers.image.ref.name": $r}') ;;
  *) annotations=$(jq -cn --arg r "$ref" '{"org.opencontainers.image.ref.name": $r}') ;;
  esac
  jq -cn --arg md "$md" --argjson ms "$ms" --argjson a "$annotations" '{schemaVersion: 2, manifests: [{
      mediaType: "application/vnd.oci.image.manifest.v1+json", digest: ("sha256:" + $md), size: $ms,
      annotations: $a}]}' >"$l/index.json"
  echo '{"imageLayoutVersion": "1.0.0"}' >"$l/oci-layout"
  deterministic_tar "$l" "$out" oci-layout index.json blobs
  local status=$?
  rm -rf "$l"
  return "$status"
}

# deterministic_tar DIR OUT.tar NAME...: NAME... under DIR, the same bytes
# for the same files whenever and by whomever it is made.
deterministic_tar() {
  local dir=$1 out=$2
  shift 2
  tar -C "$dir" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=a+rX,go-w --format=ustar \
    -cf "$out" "$@"
}

# installer_image BINARY OUT.tar REF: the installer image of this file's head.
installer_image() {
  local bin=$1 out=$2 ref=$3 d
  [ -f "$bin" ] || {
    echo "build-image.sh: $bin: no such file (run make first)" >&2
    return 1
  }
  d=$(mktemp -d "${TMPDIR:-/tmp}/ocigate-image.XXXXXX") || return 1
  mkdir "$d/root"
  cp "$bin" "$d/root/ocigate" && chmod 0755 "$d/root/ocigate" &&
    deterministic_tar "$d/root" "$d/layer.tar" ocigate &&
    oci_image_archive "$d/layer.tar" "$out.tmp" '{"Entrypoint": ["/ocigate"]}' "$ref" &&
    mv "$out.tmp" "$out"
  local status=$?
  rm -rf "$d" "$out.tmp"
  return "$status"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  if [ $# -ne 3 ]; then
    echo "usage: build-image.sh BINARY OUT.tar REFERENCE" >&2
    exit 2
  fi
  installer_image "$1" "$2" "$3" || exit 1
  echo "$2: $3"
fi
