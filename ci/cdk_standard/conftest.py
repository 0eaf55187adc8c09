"""pytest setup for Airbyte's standard source tests run against our binary.

The CDK's suite runs a Python connector in-process through the private
`airbyte_cdk.test.entrypoint_wrapper._run_command`; ours is an executable,
so that one function is replaced here by one that runs it with the same
arguments. The CDK is pinned (ci/e2e-cdk-standard.sh) because of it.

    SOURCE_GORGIAS_EXECUTABLE  the binary under test
    CDK_CONNECTOR_ROOT         the folder holding the derived
                               acceptance-test-config.yml, metadata.yaml and
                               integration_tests/ (the script writes it)
"""

import os
import subprocess

from airbyte_cdk.test import entrypoint_wrapper

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]


class ExecutableFailed(Exception):
    """The connector exited non-zero: the suite sees it as an uncaught error."""


def _run_executable(source, args, expecting_exception=None, *, expected_outcome=None):
    executable = os.environ["SOURCE_GORGIAS_EXECUTABLE"]
    proc = subprocess.run(
        [executable, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    # One message per line; split on newlines only (str.splitlines would
    # also split inside a string holding U+2028).
    lines = [line for line in proc.stdout.split("\n") if line.strip()]
    failure = None
    if proc.returncode != 0:
        stderr_tail = " | ".join(proc.stderr.strip().splitlines()[-5:])
        failure = ExecutableFailed(
            f"`source-gorgias {' '.join(args[:1])}` exited {proc.returncode}: {stderr_tail}"
        )
    return entrypoint_wrapper.EntrypointOutput(
        messages=lines,
        uncaught_exception=failure,
        command=[executable, *args],
        stderr=proc.stderr,
    )


entrypoint_wrapper._run_command = _run_executable  # noqa: SLF001 - the one seam the suite offers
