"""PII columns: their values never leave the check step. Counts and shapes do."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from dq_checks.anomalies.model import Anomaly
from dq_checks.profile.model import ColumnProfile, TableProfile, ValueCount
from dq_checks.render.numbers import format_number

REDACTED = "<redacted>"


def redact_profile(profile: TableProfile, pii_columns: Collection[str]) -> TableProfile:
    """Hide every value a PII column reveals: top values, min, max, median, quartiles, extremes."""
    columns = {
        name: _redact_column(column) if name in pii_columns else column
        for name, column in profile.columns.items()
    }
    return replace(profile, columns=columns)


def _redact_column(column: ColumnProfile) -> ColumnProfile:
    top = tuple(ValueCount(REDACTED, v.count) for v in column.top_values)
    outliers = column.outliers and replace(column.outliers, largest=(), smallest=())
    # The median and quartiles of a numeric column can be one person's exact value.
    return replace(
        column, min=REDACTED, max=REDACTED, median=None, q1=None, q3=None, top_values=top, outliers=outliers
    )


def redact_anomalies(anomalies: Sequence[Anomaly], pii_columns: Collection[str]) -> list[Anomaly]:
    """Anomalies that quote values of a PII column keep their measurement but lose the values.

    Only anomalies with `examples` quote values; a null rate or an outlier share does not.
    """
    return [
        replace(
            a,
            examples=(),
            description=(
                f"{a.type} ({a.method}): measured {format_number(a.value)} against threshold "
                f"{format_number(a.threshold)}; values of this PII column are redacted"
            ),
        )
        if a.column in pii_columns and a.examples
        else a
        for a in anomalies
    ]


def redact_rows(rows: Sequence[dict[str, object]], pii_columns: Collection[str]) -> list[dict[str, object]]:
    """Sample rows (failing, duplicate, missing) with the values of PII columns hidden; NULL stays NULL."""
    hidden = set(pii_columns)
    return [{k: (REDACTED if k in hidden and v is not None else v) for k, v in row.items()} for row in rows]
