# syntax=docker/dockerfile:1
#
# The Airbyte image of source-gorgias: a static binary in an image built
# FROM scratch (plus CA certificates and a static busybox, because Airbyte
# runs every connector inside an `sh -c` wrapper that reads
# AIRBYTE_ENTRYPOINT).
#
#   docker build -t <your-org>/source-gorgias:0.1.0 .
#
# (your own repository name: airbyte/source-gorgias is Airbyte's own, different,
# Gorgias connector; CI tags its builds localhost/source-gorgias:dev)
#
# Two ways to fill the same image (the `runtime` stage below holds all of
# its configuration; the two final stages only COPY the same root filesystem
# in, assembled by ci/image-rootfs.sh):
#   release   (default, last) compile inside the official Rust image;
#   prebuilt  take target/static/rootfs/ from the build context, assembled
#             from a static binary built on the host. This is what
#             ci/image-build.sh builds; it needs no base image at all:
#     RUSTFLAGS="-C target-feature=+crt-static" CARGO_TARGET_DIR=target/static \
#       cargo build --release --target x86_64-unknown-linux-gnu --bin source-gorgias
#     sh ci/image-rootfs.sh target/static/x86_64-unknown-linux-gnu/release/source-gorgias target/static/rootfs
#     docker build --target prebuilt -t localhost/source-gorgias:dev .

FROM rust:1.95-slim-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends busybox-static ca-certificates file \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --locked --target x86_64-unknown-linux-gnu --bin source-gorgias \
 && sh ci/image-rootfs.sh target/x86_64-unknown-linux-gnu/release/source-gorgias /rootfs

# The image's configuration, shared by both ways of filling it.
FROM scratch AS runtime
ENV AIRBYTE_ENTRYPOINT="/source-gorgias" \
    PATH="/bin" \
    SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt"
LABEL io.airbyte.name="source-gorgias" \
      io.airbyte.version="0.1.0" \
      org.opencontainers.image.title="source-gorgias" \
      org.opencontainers.image.description="Airbyte source for the Gorgias helpdesk API" \
      org.opencontainers.image.licenses="MIT"
USER 65532:65532
ENTRYPOINT ["/source-gorgias"]

FROM runtime AS prebuilt
COPY target/static/rootfs/ /

FROM runtime AS release
COPY --from=builder /rootfs/ /
