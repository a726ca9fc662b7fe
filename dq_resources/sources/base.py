"""The contract between a table source and the check step."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from dq_checks.metrics import QueryRunner
    from dq_checks.schema import TableDescription


class SourceUnavailable(Exception):
    """The source could not be reached or read. The message names the source and the cause."""


@dataclass(frozen=True)
class ReferenceRequest:
    """Another monitored table a rule reads: its opened source and the columns needed.

    `columns` None means every column; an empty set means the description is enough.
    """

    name: str
    table: OpenedTable
    columns: frozenset[str] | None


class OpenedTable(Protocol):
    """A table a source has located. Describing it is cheap; querying it may scan it."""

    name: str

    def describe(self) -> TableDescription:
        """Schema, row count and last update, from metadata alone."""
        ...

    def query_runner(
        self, references: Sequence[ReferenceRequest] = ()
    ) -> AbstractContextManager[QueryRunner]:
        """A runner for metric queries over this table, with the references beside it.

        The runner's `references` maps each loaded reference to its relation, and
        `reference_errors` says why any other could not be loaded.
        """
        ...
