"""What every table source offers the check step: a description, a query runner, a sample."""

from dq_resources.sources.base import (
    SAMPLE_LIMIT,
    OpenedTable,
    ReferenceRequest,
    SourceError,
    SourceResource,
    redact,
    source_error,
)

__all__ = [
    "SAMPLE_LIMIT",
    "OpenedTable",
    "ReferenceRequest",
    "SourceError",
    "SourceResource",
    "redact",
    "source_error",
]
