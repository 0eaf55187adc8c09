# syntax=docker/dockerfile:1
#
# The Airbyte image of source-gorgias: a static binary in an image built
# FROM scratch (plus CA certificates and a static busybox, because Airbyte
# runs every connector inside an `sh -c` wrapper that reads
# AIRBYTE_ENTRYPOINT).
#
#   docker build -t airbyte/source-gorgias:0.1.0 .
#
# ROOTFS picks where the image's files come from:
#   builder  (default) compile inside the official Rust image;
#   prebuilt           take target/static/rootfs/ from the build context, as
#                      assembled by ci/image-rootfs.sh from a binary built on
#                      the host (what ci/e2e-airbyte.sh does; needs no base
#                      image at all):
#     RUSTFLAGS="-C target-feature=+crt-static" CARGO_TARGET_DIR=target/static \
#       cargo build --release --target x86_64-unknown-linux-gnu --bin source-gorgias
#     sh ci/image-rootfs.sh target/static/x86_64-unknown-linux-gnu/release/source-gorgias target/static/rootfs
#     docker build --build-arg ROOTFS=prebuilt -t airbyte/source-gorgias:dev .
# Both end in the same final stage.
ARG ROOTFS=builder

FROM rust:1.95-slim-bookworm AS builder
RUN apt-get update \
 && apt-get install -y --no-install-recommends busybox-static ca-certificates file \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN RUSTFLAGS="-C target-feature=+crt-static" \
    cargo build --release --locked --target x86_64-unknown-linux-gnu --bin source-gorgias \
 && sh ci/image-rootfs.sh target/x86_64-unknown-linux-gnu/release/source-gorgias /rootfs

FROM scratch AS rootfs-builder
COPY --from=builder /rootfs/ /

FROM scratch AS rootfs-prebuilt
COPY target/static/rootfs/ /

FROM rootfs-${ROOTFS} AS rootfs

FROM scratch
COPY --from=rootfs / /
ENV AIRBYTE_ENTRYPOINT="/source-gorgias" \
    PATH="/bin" \
    SSL_CERT_FILE="/etc/ssl/certs/ca-certificates.crt"
LABEL io.airbyte.name="airbyte/source-gorgias" \
      io.airbyte.version="0.1.0" \
      org.opencontainers.image.title="source-gorgias" \
      org.opencontainers.image.description="Airbyte source for the Gorgias helpdesk API" \
      org.opencontainers.image.licenses="MIT"
USER 65532:65532
ENTRYPOINT ["/source-gorgias"]
