"""What the warehouse sources (sql, Athena, Redshift) share: references read in place, and a sample.

A warehouse source pushes the plan down as SQL, so a reference can be read only when one
statement over the table can name it: the same database (sql), the same catalog (Athena), the
same target and user (Redshift). Each source says when that is (`PushdownTable.reference_relation`);
`attach_references` hands the runner what it says. A sample is `SELECT * ... LIMIT n`, run where
the table lives, and only the rows asked for come back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from sqlglot import exp

from dq_resources.source_contract.table import OpenedTable, ReferenceRequest, capped_sample_size

if TYPE_CHECKING:
    import pandas as pd

    from dq_resources.source_contract.runner import SourceRunner

SampleRows = tuple[Sequence[str], Sequence[Sequence[Any]]]
"""A sample query's answer: the column names, and the rows."""


class PushdownTable(Protocol):
    """A table whose queries run where it lives, and can name other tables that live there too."""

    name: str

    def reference_relation(self, other: OpenedTable) -> exp.Table | str:
        """`other` as a relation one statement over this table can read, or why it cannot."""
        ...


def attach_references(
    runner: SourceRunner, table: PushdownTable, references: Sequence[ReferenceRequest]
) -> None:
    """Give `runner` every reference its table can read in place; the others' reasons go in its errors."""
    for request in references:
        found = table.reference_relation(request.table)
        if isinstance(found, str):
            runner.reference_errors[request.name] = found
        else:
            runner.references[request.name] = found


def sample_frame(relation: exp.Table, n: int, read: Callable[[exp.Select], SampleRows]) -> pd.DataFrame:
    """At most `n` rows (capped at MAX_SAMPLE_ROWS) of `relation`: `read` runs `SELECT * ... LIMIT n`."""
    import pandas as pd

    query = exp.select(exp.Star()).from_(relation.copy()).limit(capped_sample_size(n))
    names, rows = read(query)
    return pd.DataFrame.from_records(rows, columns=list(names))
