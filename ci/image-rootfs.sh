#!/bin/sh
# Assembles the root filesystem of the connector image in DIR: the static
# `source-gorgias` binary, CA certificates, a static busybox for the shell
# wrapper Airbyte runs around every connector, and a passwd entry for the
# non-root user. Used by the Dockerfile's builder stage and by
# ci/e2e-airbyte.sh (which builds the binary on the host), so both produce
# the same final stage.
#
#   sh ci/image-rootfs.sh BINARY DIR
#
# Needs /etc/ssl/certs/ca-certificates.crt and a static busybox
# (Debian: apt-get install ca-certificates busybox-static).
set -eu
bin=${1:?usage: image-rootfs.sh BINARY DIR}
dir=${2:?usage: image-rootfs.sh BINARY DIR}
busybox=${BUSYBOX:-/bin/busybox}
certs=${CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}

# The binary must not need a dynamic loader: the image has none.
if command -v file >/dev/null 2>&1; then
  case "$(file -b "$bin")" in
    *"dynamically linked"*) echo "image-rootfs: $bin is dynamically linked; build it with RUSTFLAGS='-C target-feature=+crt-static'" >&2; exit 1 ;;
  esac
fi
case "$(file -b "$busybox" 2>/dev/null || echo static)" in
  *"dynamically linked"*) echo "image-rootfs: $busybox is not the static busybox (apt-get install busybox-static)" >&2; exit 1 ;;
esac

rm -rf "$dir"
mkdir -p "$dir/bin" "$dir/etc/ssl/certs" "$dir/tmp"
chmod 1777 "$dir/tmp"
cp "$bin" "$dir/source-gorgias"
chmod 0755 "$dir/source-gorgias"
cp "$certs" "$dir/etc/ssl/certs/ca-certificates.crt"
cp "$busybox" "$dir/bin/busybox"
chmod 0755 "$dir/bin/busybox"
# What Airbyte's connector wrapper script runs (`sh -c`, with `sleep`,
# `kill`, `touch`, `[`), plus a few commands for debugging a pod.
for applet in sh sleep kill touch test [ echo cat ls env id mkfifo rm mkdir; do
  ln -s busybox "$dir/bin/$applet"
done
printf 'root:x:0:0:root:/:/bin/sh\nnonroot:x:65532:65532:nonroot:/tmp:/bin/sh\n' >"$dir/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' >"$dir/etc/group"
