#!/usr/bin/env bash
# Airbyte's own standard source tests (airbyte-cdk's SourceTestSuiteBase,
# driven by pytest from ci/cdk_standard/) against the sandbox on loopback:
#   1. the release binary: spec, check per config (a good one, a bad key),
#      discover (DiscoveredCatalogWarning is an error), a full-refresh read
#      of every stream with records valid against their schemas, a bad
#      catalog, config against spec;
#   2. the image, through the `docker` command line the suite calls, which
#      is podman here (rootful, vfs, host network, sharing buildah's store);
#      the image is built as ci/e2e-airbyte.sh builds it.
# The suite refuses keys the legacy Connector Acceptance Test still reads
# (expect_records, ignored_fields), so it gets a copy of
# acceptance-test-config.yml without them, with the configs pointed at this
# run's sandbox. Zero failures; every skipped test is printed with its
# reason. Called by .ci/run after the tests. Installs what it needs (pip:
# airbyte-cdk and pytest in target/venvs/cdk; apt: podman, runc, buildah,
# busybox-static, file, ca-certificates). Prints PASS/FAIL per check and
# exits non-zero on any FAIL.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
export CARGO_TERM_COLOR=never PIP_DISABLE_PIP_VERSION_CHECK=1 DO_NOT_TRACK=1

VENV=$VENVS/cdk
# The suite's entry point is the CDK's private _run_command: pin both.
PIP_SPEC="airbyte-cdk==7.39.1 pytest==9.2.0"
IMAGE=localhost/source-gorgias:dev
# buildah and podman share one vfs store through this file.
export CONTAINERS_STORAGE_CONF=$ROOT/target/containers/storage.conf
export CONTAINERS_CONF=$ROOT/target/containers/containers.conf

# ---- installs ------------------------------------------------------------------

venv cdk "$PIP_SPEC" || {
  echo "FAIL pip install $PIP_SPEC"
  exit 1
}

say "cargo build --release --workspace"
cargo build --release --workspace

# The spec as the CDK loads it: advanced_auth in the protocol models' shape,
# every OAuth output landing in a field of the connection specification.
say "spec against airbyte-cdk's protocol models"
"$RELEASE/source-gorgias" spec >"$work/spec.out"
"$VENV/bin/python" ci/spec_models_check.py "$work/spec.out" || fail "spec against airbyte-cdk's protocol models"

# ---- the sandbox and the suite's connector folder ---------------------------------

# The dataset integration_tests/ was made for.
start_sandbox cdk --tickets 40 --seed 42

# The suite names the connector after its folder.
CONNECTOR_ROOT=$work/source-gorgias
"$VENV/bin/python" - "$ROOT" "$CONNECTOR_ROOT" "$SANDBOX_URL" <<'PY'
import json, pathlib, shutil, sys, yaml

root, dest, base_url = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
# Keys of the legacy Connector Acceptance Test that the standard tests refuse:
# they configure its record comparison, which tests/mapping/acceptance.rs does here.
LEGACY_ONLY = {"basic_read": {"expect_records", "ignored_fields"}, "full_refresh": {"ignored_fields"}}
config = yaml.safe_load((root / "acceptance-test-config.yml").read_text())
for section, keys in LEGACY_ONLY.items():
    for entry in config["acceptance_tests"].get(section, {}).get("tests", []):
        for key in keys:
            entry.pop(key, None)
(dest / "integration_tests").mkdir(parents=True)
(dest / "acceptance-test-config.yml").write_text(yaml.safe_dump(config, sort_keys=False))
shutil.copy(root / "metadata.yaml", dest / "metadata.yaml")
shutil.copytree(root / "catalog", dest / "catalog")
for path in (root / "integration_tests").glob("*.json"):
    data = json.loads(path.read_text())
    if isinstance(data, dict) and "base_url" in data:
        data["base_url"] = base_url
    (dest / "integration_tests" / path.name).write_text(json.dumps(data, indent=2))
print("-- derived", dest / "acceptance-test-config.yml", "(without", ", ".join(sorted(set().union(*LEGACY_ONLY.values()))) + ")")
PY

# run_suite NAME "MUST_PASS..." EXECUTABLE PYTEST_ARGS...: the suite's
# verdict, with every skip and its reason (-rs), counted by pytest's closing
# line; each MUST_PASS test (name[scenario]) must have passed, so that a
# suite that skips everything does not pass.
run_suite() {
  local name=$1 must_pass=$2
  shift 2
  local rc=0
  # TMPDIR: the suite writes each config (with its key) to a temp file.
  mkdir -p "$work/tmp"
  (cd "$work" && SOURCE_GORGIAS_EXECUTABLE=$1 CDK_CONNECTOR_ROOT=$CONNECTOR_ROOT \
    TMPDIR=$work/tmp PYTHONDONTWRITEBYTECODE=1 \
    "$VENV/bin/python" -m pytest "$ROOT/ci/cdk_standard" --rootdir "$ROOT/ci/cdk_standard" -p no:cacheprovider -v -rs \
    -W error::airbyte_cdk.test.standard_tests.DiscoveredCatalogWarning "${@:2}") \
    >"$work/pytest-$name.log" 2>&1 || rc=$?
  # Each test with its outcome, then the summary (skips with reasons,
  # failures).
  # As "TestSourceGorgias::test_check[sample_config] PASSED".
  grep -E '::test_.* (PASSED|FAILED|SKIPPED|ERROR)' "$work/pytest-$name.log" |
    sed "s/ *\[ *[0-9]*%\]\$//; s/^[^:]*:://; s/\['\([^']*\)' Test Scenario\]/[\1]/" >"$work/outcomes-$name.txt" || true
  cat "$work/outcomes-$name.txt"
  # (skip reasons without the CDK file they were raised in)
  sed -n '/short test summary\|= FAILURES =\|= ERRORS =/,$p' "$work/pytest-$name.log" |
    sed 's#^SKIPPED \[\([0-9]*\)\] [^ ]*/standard_tests/[a-z_]*\.py:[0-9]*: #SKIPPED [\1] #'
  local closing
  closing=$(tail -n 1 "$work/pytest-$name.log")
  if [ "$rc" -eq 0 ] && ! grep -q 'failed\|error' <<<"$closing"; then
    pass "cdk standard tests ($name): $closing"
  else
    fail "cdk standard tests ($name): $closing"
  fi
  local test missing=""
  for test in $must_pass; do
    grep -qxF "$test PASSED" "$work/outcomes-$name.txt" || missing="$missing $test"
  done
  if [ -z "$missing" ]; then
    pass "cdk standard tests ($name) ran and passed:$(printf ' %s' $must_pass)"
  else
    fail "cdk standard tests ($name) did not pass:$missing"
  fi
}

# ---- 1. the release binary --------------------------------------------------------

say "SourceTestSuiteBase against $RELEASE/source-gorgias"
run_suite binary "TestSourceGorgias::test_spec TestSourceGorgias::test_check[sample_config]
  TestSourceGorgias::test_check[invalid_config] TestSourceGorgias::test_config_matches_spec[invalid_config]
  TestSourceGorgias::test_discover[sample_config] TestSourceGorgias::test_basic_read[sample_config]
  TestSourceGorgias::test_fail_read_with_bad_catalog[sample_config]" \
  "$RELEASE/source-gorgias" -m "not image_tests"

# ---- 2. the image, with podman as `docker` ------------------------------------------

# The configuration podman needs on these machines (and buildah's store).
write_containers_conf() {
  mkdir -p "$(dirname "$CONTAINERS_CONF")"
  cat >"$CONTAINERS_STORAGE_CONF" <<'CONF'
[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
CONF
  # runc: crun fails here ("cgroups in hybrid mode not supported"); the
  # ulimits are as high as this VM lets a container raise them; host
  # network, so the container reaches the sandbox on loopback (plain http
  # is allowed only there).
  cat >"$CONTAINERS_CONF" <<'CONF'
[containers]
netns = "host"
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
}

ensure_image_tools() {
  apt_want podman command -v podman
  apt_want runc command -v runc
  apt_want buildah command -v buildah
  apt_want file command -v file
  apt_want busybox-static static_busybox
  apt_want ca-certificates test -f /etc/ssl/certs/ca-certificates.crt
  apt_install_wanted
}

image_suite() {
  ensure_image_tools >"$work/apt.log" 2>&1 || {
    tail -n 5 "$work/apt.log"
    fail "could not install podman and buildah"
    return 0
  }
  write_containers_conf
  bash ci/image-build.sh "$IMAGE" "$work/build.log" || {
    fail "image build"
    return 0
  }
  podman image exists "$IMAGE" || {
    fail "podman does not see the image $IMAGE that buildah built (storage: $CONTAINERS_STORAGE_CONF)"
    return 0
  }
  # The suite runs `docker …`: podman, through a script first on PATH.
  mkdir -p "$work/bin"
  printf '#!/bin/sh\nexec podman "$@"\n' >"$work/bin/docker"
  chmod 0755 "$work/bin/docker"
  say "SourceTestSuiteBase image tests against $IMAGE (docker = podman $(podman version --format '{{.Client.Version}}'))"
  # The read scenario is named: --read-scenarios=all raises a ValueError
  # in this CDK version.
  PATH=$work/bin:$PATH run_suite image "TestSourceGorgias::test_docker_image_build_and_spec
    TestSourceGorgias::test_docker_image_build_and_check[sample_config]
    TestSourceGorgias::test_docker_image_build_and_check[invalid_config]
    TestSourceGorgias::test_docker_image_build_and_config_matches_spec[invalid_config]
    TestSourceGorgias::test_docker_image_build_and_discover[sample_config]
    TestSourceGorgias::test_docker_image_build_and_read[sample_config]" \
    "$RELEASE/source-gorgias" -m image_tests \
    --connector-image "$IMAGE" --read-from-streams=all --read-scenarios=sample_config
}
image_suite

# ---- the key never shows --------------------------------------------------------

if grep -lE "(^|[^-])sandbox-api-key" "$work"/pytest-*.log >/dev/null 2>&1; then
  fail "the API key appears in the suite's output"
else
  pass "the API key appears in none of the suite's output"
fi

if [ "$failures" -gt 0 ]; then
  echo "e2e-cdk-standard: $failures check(s) FAILED"
  exit 1
fi
echo "e2e-cdk-standard: all checks passed"
