"""The contract between a table source and the check step.

Every source type offers the same four things: `describe()` (schema, row count and the data's
own last update, from metadata), `query_runner()` (runs the compiled metric plan in the
source's own dialect: DuckDB locally over Arrow, or pushed down as SQL), `sample(n)` (a
bounded pandas sample) and, on the resource, `test_connection(spec)`. Every failure is one
`SourceError` that names the source and the cause, with secrets redacted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from dq_checks.metrics import QueryRunner
    from dq_checks.schema import TableDescription

SAMPLE_LIMIT = 100_000
"""The most rows a sample may hold, whatever is asked."""


class SourceError(Exception):
    """The source could not be reached or read. The message names the source and the cause."""


_SECRET_IN_URL = re.compile(
    r"(?P<scheme>[a-z][a-z0-9+.\-]*://)(?P<user>[^:@/\s]*):(?P<password>[^@\s]*)@", re.I
)
_SECRET_PARAMS = re.compile(
    r"(?P<key>(password|passwd|pwd|secret|token|api[_-]?key|x-amz-security-token|x-amz-signature|"
    r"aws_secret_access_key|signature)=)[^&\s'\"]+",
    re.I,
)


def redact(text: str) -> str:
    """`text` with URL passwords and secret-looking query parameters replaced by `***`."""
    text = _SECRET_IN_URL.sub(r"\g<scheme>\g<user>:***@", text)
    return _SECRET_PARAMS.sub(r"\g<key>***", text)


def source_error(source: str, what: str, cause: BaseException | str) -> SourceError:
    """One SourceError: `<source>: <what>: <cause>`, secrets redacted."""
    return SourceError(redact(f"{source}: {what}: {cause}"))


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

    def sample(self, n: int) -> pd.DataFrame:
        """At most `n` rows (capped at SAMPLE_LIMIT), as a pandas DataFrame."""
        ...


class SourceResource(Protocol):
    """What every source resource offers: open a table, and test that it can be reached."""

    def open(self, source: Any) -> OpenedTable:
        """Locate the table, or raise SourceError naming the source and the cause."""
        ...

    def test_connection(self, source: Any) -> str:
        """Reach the source and describe the table; a one-line summary, or SourceError."""
        ...
