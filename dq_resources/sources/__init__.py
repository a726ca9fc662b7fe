"""What every table source offers the check step: a description and a query runner."""

from dq_resources.sources.base import OpenedTable, ReferenceRequest, SourceUnavailable

__all__ = ["OpenedTable", "ReferenceRequest", "SourceUnavailable"]
