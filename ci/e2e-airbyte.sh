#!/usr/bin/env bash
# End to end with Airbyte's own tooling, against the sandbox on loopback:
#   1. the connector image (Dockerfile), built with buildah from a static
#      binary built here, run for spec, check, discover and read; its size
#      must stay under 20 MB;
#   2. PyAirbyte installing the connector from its wheel (ci/wheel.sh,
#      built from this checkout) with pip_url, as it installs Python
#      connectors, and reading every stream into DuckDB, then again after
#      the sandbox's data changed.
# Called by .ci/run after the tests. Installs what it needs (apt: buildah,
# busybox-static; pip: airbyte in target/venvs/pyairbyte, maturin for the
# wheel in target/venvs/maturin). If buildah cannot
# run here at all, the image part prints a SKIP line with the reason and the
# rest goes on.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export CARGO_TERM_COLOR=never

IMAGE=localhost/source-gorgias:dev
MAX_IMAGE_BYTES=$((20 * 1000 * 1000))
VENV=$VENVS/pyairbyte
PYAIRBYTE_VERSION=${PYAIRBYTE_VERSION:-0.71.3}

ctr=""
remove_container() {
  if [ -n "$ctr" ]; then bah rm "$ctr" >/dev/null 2>&1 || true; fi
}
cleanup_hooks+=(remove_container)

bah() { buildah --storage-driver vfs "$@"; }

say "cargo build --release --workspace"
cargo build --release --workspace

# ---- 1. the image ------------------------------------------------------------

image_skip() {
  echo "SKIP image: $*"
  return 0
}

ensure_tools() {
  apt_want buildah command -v buildah
  apt_want file command -v file
  apt_want busybox-static static_busybox
  apt_want ca-certificates test -f /etc/ssl/certs/ca-certificates.crt
  apt_install_wanted
}

image_e2e() {
  if ! ensure_tools >"$work/apt.log" 2>&1; then
    image_skip "could not install buildah/busybox-static: $(tail -n 3 "$work/apt.log" | tr '\n' ' ')"
    return 0
  fi
  # Can buildah work here at all (storage, chroot, running a process)?
  local probe probe_ctr
  if ! probe=$(bah from scratch 2>&1); then
    image_skip "buildah cannot create a container here: $(echo "$probe" | tail -n 2 | tr '\n' ' ')"
    return 0
  fi
  probe_ctr=$(echo "$probe" | tail -n 1)
  if ! probe=$(bah copy "$probe_ctr" /bin/busybox /busybox 2>&1 &&
    bah run --isolation chroot "$probe_ctr" -- /busybox true 2>&1); then
    bah rm "$probe_ctr" >/dev/null 2>&1 || true
    image_skip "buildah cannot run a container here: $(echo "$probe" | tail -n 2 | tr '\n' ' ')"
    return 0
  fi
  bah rm "$probe_ctr" >/dev/null

  bash ci/image-build.sh "$IMAGE" "$work/build.log" || return 1
  tail -n 1 "$work/build.log"

  # Size: the layers uncompressed (what `docker images` reports) and as a
  # registry would ship them (gzip).
  bah push "$IMAGE" "oci:$work/oci" >"$work/push.log" 2>&1 || {
    cat "$work/push.log"
    echo "FAIL image: buildah push to an OCI layout"
    return 1
  }
  local sizes size
  sizes=$(python3 - "$work/oci" <<'EOF'
import gzip, json, os, sys
root = sys.argv[1]
def blob(d):
    return os.path.join(root, "blobs", *d["digest"].split(":"))
index = json.load(open(os.path.join(root, "index.json")))
manifest = json.load(open(blob(index["manifests"][0])))
raw = packed = 0
for layer in manifest["layers"]:
    packed += layer["size"]
    if "gzip" in layer["mediaType"]:
        with gzip.open(blob(layer)) as f:
            while chunk := f.read(1 << 20):
                raw += len(chunk)
    else:
        raw += layer["size"]
print(raw, packed)
EOF
) || return 1
  size=${sizes% *}
  echo "image $IMAGE size: $size bytes uncompressed ($((size / 1024)) KiB), ${sizes#* } bytes compressed; limit $MAX_IMAGE_BYTES bytes"
  if [ "$size" -ge "$MAX_IMAGE_BYTES" ]; then
    echo "FAIL image: $size bytes is not under $MAX_IMAGE_BYTES"
    return 1
  fi
  echo "PASS image size"

  # The image's metadata, as Airbyte reads it.
  bah inspect --type image "$IMAGE" >"$work/image-config.json" || return 1
  python3 - "$work/image-config.json" <<'EOF' || return 1
import json, sys
c = json.load(open(sys.argv[1]))["OCIv1"]["config"]
env = dict(e.split("=", 1) for e in c.get("Env", []))
want = {
    "Entrypoint": ["/source-gorgias"],
    "User": "65532:65532",
    "AIRBYTE_ENTRYPOINT": "/source-gorgias",
    "io.airbyte.name": "source-gorgias",
    "io.airbyte.version": "0.1.0",
}
have = {
    "Entrypoint": c.get("Entrypoint"),
    "User": c.get("User"),
    "AIRBYTE_ENTRYPOINT": env.get("AIRBYTE_ENTRYPOINT"),
    "io.airbyte.name": c.get("Labels", {}).get("io.airbyte.name"),
    "io.airbyte.version": c.get("Labels", {}).get("io.airbyte.version"),
}
bad = {k: (have[k], v) for k, v in want.items() if have[k] != v}
print(("FAIL" if bad else "PASS") + " image config" + (f": {bad}" if bad else f": {have}"))
sys.exit(1 if bad else 0)
EOF
  local version
  version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
  grep -q "io.airbyte.version=\"$version\"" Dockerfile || {
    echo "FAIL image: the Dockerfile's io.airbyte.version is not the crate's $version"
    return 1
  }

  # Run it the way Airbyte does: `sh -c` evaluating $AIRBYTE_ENTRYPOINT,
  # stdout to a file, as the image's non-root user, on the host network.
  start_sandbox image --tickets 40 --seed 42
  mkdir -p "$work/data"
  write_config "$SANDBOX_URL" "$work/data/config.json"
  cp integration_tests/configured_catalog.json "$work/data/catalog.json"
  chmod -R a+rX "$work/data"
  ctr=$(bah from "$IMAGE") || return 1
  run_in_image() { # KIND ARGS...
    local kind=$1
    shift
    local script="command -v sleep touch kill >/dev/null || exit 126; eval \"\$AIRBYTE_ENTRYPOINT $*\""
    local rc=0
    bah run --isolation chroot --network host -v "$work/data:/data:ro" "$ctr" -- /bin/sh -c "$script" \
      >"$work/$kind.out" 2>"$work/$kind.err" || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "FAIL image $kind: exit $rc: $(tail -n 5 "$work/$kind.err")"
      return 1
    fi
    python3 ci/airbyte_checks.py "$kind" "$work/$kind.out" --sandbox "$SANDBOX_ROOT" | sed 's/^\(PASS\|FAIL\) /\1 image /'
    return "${PIPESTATUS[0]}"
  }
  run_in_image spec spec || return 1
  run_in_image check check --config /data/config.json || return 1
  run_in_image discover discover --config /data/config.json || return 1
  run_in_image read read --config /data/config.json --catalog /data/catalog.json || return 1
  # The entrypoint itself, without the shell.
  bah run --isolation chroot "$ctr" -- /source-gorgias spec >"$work/spec2.out" || return 1
  cmp -s "$work/spec.out" "$work/spec2.out" && echo "PASS image entrypoint runs without a shell" || {
    echo "FAIL image: /source-gorgias spec differs when run directly"
    return 1
  }
  bah rm "$ctr" >/dev/null
  ctr=""
}

status=0
say "image"
image_e2e || status=1

# ---- 2. PyAirbyte ------------------------------------------------------------

say "PyAirbyte"
venv pyairbyte "airbyte==$PYAIRBYTE_VERSION" || {
  echo "FAIL pip install airbyte==$PYAIRBYTE_VERSION"
  exit 1
}
# The spec as the platform's pydantic models (PyAirbyte's) load it.
"$RELEASE/source-gorgias" spec >"$work/spec-models.out"
"$VENV/bin/python" ci/spec_models_check.py "$work/spec-models.out" || status=1
WHEEL=$(bash ci/wheel.sh)
start_sandbox pyairbyte --tickets 300 --seed 7
mkdir -p "$work/pyairbyte-cache" "$work/pyairbyte-connectors"
# PyAirbyte prints "Could not determine airbyte type from JSON schema" for
# every column typed with several JSON types, on every read: counted here,
# not repeated. It prints through rich, which wraps a message over several
# lines: each is dropped from its first line to the one closing the schema.
noise='^Could not determine airbyte type from JSON schema'
# PyAirbyte makes the connector's venv with the `uv` its own venv ships.
set +e
PATH="$(realpath "$VENV")/bin:$PATH" AIRBYTE_OFFLINE_MODE=1 DO_NOT_TRACK=1 AIRBYTE_CACHE_ROOT="$work/pyairbyte-cache" \
  AIRBYTE_LOGGING_ROOT="$work/pyairbyte-logs" \
  "$VENV/bin/python" ci/pyairbyte_e2e.py --pip-url "$WHEEL" --install-root "$work/pyairbyte-connectors" \
  --base-url "$SANDBOX_URL" 2>&1 | tee "$work/pyairbyte.log" |
  awk -v noise="$noise" '$0 ~ noise { skip = 1 } skip { if ($0 ~ /}[[:space:]]*$/) skip = 0; next } { print }'
rc=${PIPESTATUS[0]}
set -e
echo "-- $(grep -acE "$noise" "$work/pyairbyte.log" || true) PyAirbyte 'Could not determine airbyte type' lines left out"
[ "$rc" -eq 0 ] || status=1

if [ "$status" -ne 0 ]; then
  echo "FAIL e2e-airbyte"
  exit 1
fi
echo "PASS e2e-airbyte"
