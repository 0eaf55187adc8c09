#!/usr/bin/env bash
# Builds the connector image from a static binary built here, with buildah
# (no Docker daemon, no base image to pull): the Dockerfile's `prebuilt`
# stage over the root filesystem ci/image-rootfs.sh assembles.
#
#   bash ci/image-build.sh IMAGE_TAG [LOG_FILE]
#
# Used by ci/e2e-airbyte.sh and ci/e2e-cdk-standard.sh. Storage is vfs in
# buildah's default store, or wherever CONTAINERS_STORAGE_CONF points, so
# podman given the same file sees the image. Needs buildah, busybox-static,
# file and ca-certificates (the callers install them).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

IMAGE=${1:?usage: image-build.sh IMAGE_TAG [LOG_FILE]}
LOG=${2:-/dev/stderr}
TRIPLE=x86_64-unknown-linux-gnu
# The static build has its own target dir, inside the image's build context.
STATIC_TARGET=target/static
STATIC_BIN=$STATIC_TARGET/$TRIPLE/release/source-gorgias
ROOTFS=$STATIC_TARGET/rootfs

bah() { buildah --storage-driver vfs "$@"; }

echo "-- static binary: RUSTFLAGS=\"-C target-feature=+crt-static\" cargo build --release --target $TRIPLE --bin source-gorgias"
RUSTFLAGS="-C target-feature=+crt-static" CARGO_TARGET_DIR=$STATIC_TARGET \
  cargo build --release --target "$TRIPLE" --bin source-gorgias
file -b "$STATIC_BIN" | grep -Eq 'static(ally|-pie) linked' || {
  echo "FAIL image: $STATIC_BIN is not statically linked: $(file -b "$STATIC_BIN")"
  exit 1
}
sh ci/image-rootfs.sh "$STATIC_BIN" "$ROOTFS"

echo "-- buildah build --isolation chroot --pull=never --target prebuilt -t $IMAGE ."
# buildah 1.28 leaves a working container behind for each stage: remove
# the ones this build made, then the untagged stage images.
before=$(bah containers -q | sort)
rc=0
bah build --isolation chroot --pull=never --target prebuilt -t "$IMAGE" . >"$LOG" 2>&1 || rc=$?
comm -13 <(echo "$before") <(bah containers -q | sort) | xargs -r buildah --storage-driver vfs rm >/dev/null 2>&1 || true
bah rmi --prune >/dev/null 2>&1 || true
if [ "$rc" -ne 0 ]; then
  [ "$LOG" = /dev/stderr ] || cat "$LOG"
  echo "FAIL image: buildah build"
  exit 1
fi
