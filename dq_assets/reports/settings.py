"""Where report files go: `$DQ_ARTIFACTS_DIR` (a folder or `s3://bucket/prefix`), else `.dq/artifacts`."""

from __future__ import annotations

import os

from dq_resources.reports.artifacts import ArtifactStore, artifact_store_for

ARTIFACTS_DIR_ENV = "DQ_ARTIFACTS_DIR"
DEFAULT_ARTIFACTS_DIR = ".dq/artifacts"


def artifact_store() -> ArtifactStore:
    """The artifact store the environment names; S3 through dagster-aws in production."""
    return artifact_store_for(os.environ.get(ARTIFACTS_DIR_ENV) or DEFAULT_ARTIFACTS_DIR)
