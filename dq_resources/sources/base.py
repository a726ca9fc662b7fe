"""The contract between a table source and the check step."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dq_checks.metrics import QueryRunner
    from dq_checks.schema import TableDescription


class SourceUnavailable(Exception):
    """The source could not be reached or read. The message names the source and the cause."""


class OpenedTable(Protocol):
    """A table a source has located. Describing it is cheap; querying it may scan it."""

    name: str

    def describe(self) -> TableDescription:
        """Schema, row count and last update, from metadata alone."""
        ...

    def query_runner(self) -> AbstractContextManager[QueryRunner]:
        """A runner for metric queries over this table, where the data lives."""
        ...
