"""PII columns: their values never leave the check step. Counts and shapes do.

A `pii_columns` entry that names no column of the table (`emial` for `email`) cannot say which
column is the personal one, so then every column's values are hidden, until the definition is
fixed; the profile check is an error naming the entry's file and line.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from dq_checks.anomalies.model import Anomaly
from dq_checks.config.models import Detector
from dq_checks.profile.model import ColumnProfile, TableProfile, ValueCount
from dq_checks.render.numbers import format_number

REDACTED = "<redacted>"


def hidden_columns(pii_columns: Sequence[str], table_columns: Sequence[str]) -> tuple[str, ...]:
    """The columns whose values never leave the step: the PII columns, or every column.

    Every column (in the table's order) when a PII entry is not a column of the table: a
    misspelt entry must not leave the real PII column in the clear, and the step cannot guess
    which one was meant.
    """
    if all(name in table_columns for name in pii_columns):
        return tuple(pii_columns)
    return tuple(table_columns)


def redact_profile(profile: TableProfile, pii_columns: Collection[str]) -> TableProfile:
    """Hide every value a PII column reveals: top values, min, max, median, quartiles, extremes."""
    hidden = set(pii_columns)
    columns = {
        name: _redact_column(column) if name in hidden else column for name, column in profile.columns.items()
    }
    return replace(profile, columns=columns)


def _redact_column(column: ColumnProfile) -> ColumnProfile:
    top = tuple(ValueCount(REDACTED, v.count) for v in column.top_values)
    outliers = column.outliers and replace(
        column.outliers, largest=(), smallest=(), iqr_lower_bound=None, iqr_upper_bound=None
    )
    # The median and quartiles of a numeric column can be one person's exact value (and the IQR
    # bounds give both quartiles away).
    hidden = ("median", "q1", "q3")
    approximate = tuple(metric for metric in column.approximate if metric not in hidden)
    return replace(
        column,
        min=REDACTED,
        max=REDACTED,
        median=None,
        q1=None,
        q3=None,
        top_values=top,
        outliers=outliers,
        approximate=approximate,
    )


def redact_anomalies(anomalies: Sequence[Anomaly], pii_columns: Collection[str]) -> list[Anomaly]:
    """Anomalies that quote values of a PII column keep their measurement but lose the values.

    Anomalies with `examples` quote values, and the IQR one quotes its bounds (which give the
    quartiles away); a null rate, a z-score share or a cardinality does not.
    """
    hidden = set(pii_columns)
    return [
        replace(
            a,
            examples=(),
            description=(
                f"{a.type} ({a.method}): measured {format_number(a.value)} against threshold "
                f"{format_number(a.threshold)}; values of this PII column are redacted"
            ),
        )
        if a.column in hidden and (a.examples or a.type == Detector.IQR.value)
        else a
        for a in anomalies
    ]


def redact_rows(rows: Sequence[dict[str, object]], pii_columns: Collection[str]) -> list[dict[str, object]]:
    """Sample rows (failing, duplicate, missing) with the values of PII columns hidden; NULL stays NULL."""
    hidden = set(pii_columns)
    return [{k: (REDACTED if k in hidden and v is not None else v) for k, v in row.items()} for row in rows]
