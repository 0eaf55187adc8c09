"""Airbyte's standard source tests (airbyte-cdk `SourceTestSuiteBase`) for
source-gorgias: spec, check per config, discover, a full-refresh read of
every stream with every record valid against its schema, a bad catalog, and
the same verbs through the image (`docker` is podman in CI). Run by
ci/e2e-cdk-standard.sh, which starts the sandbox and derives the suite's
copy of acceptance-test-config.yml.
"""

import os
from pathlib import Path

from airbyte_cdk.test.standard_tests import SourceTestSuiteBase


class SourceGorgiasExecutable:
    """Stands in for a Python source object: the suite only needs `spec` to
    recognise a connector; conftest.py runs the binary for every verb."""

    def spec(self, logger):  # noqa: ARG002 - the suite's protocol
        raise NotImplementedError("source-gorgias runs as an executable")


class TestSourceGorgias(SourceTestSuiteBase):
    @classmethod
    def get_connector_root_dir(cls) -> Path:
        return Path(os.environ["CDK_CONNECTOR_ROOT"])

    @classmethod
    def create_connector(cls, scenario):  # noqa: ARG003 - the suite's signature
        return SourceGorgiasExecutable()
