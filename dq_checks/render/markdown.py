"""Markdown tables for the Dagster UI: the profile, and the anomalies found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dq_checks.anomalies.model import Anomaly
from dq_checks.profile.levels import APPROXIMATE_MARK, level_note
from dq_checks.profile.model import ColumnProfile, Scalar, TableProfile
from dq_checks.render.numbers import format_number

PROFILE_HEADER = (
    "column",
    "type",
    "nulls",
    "null %",
    "distinct",
    "min",
    "max",
    "mean",
    "median",
    "std",
    "top values",
)
ANOMALY_HEADER = ("severity", "column", "anomaly", "value", "threshold", "description")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A GitHub-flavoured markdown table; pipes in cells are escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _scalar(value: Scalar) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return "-" if value is None else str(value)


def _top_values(column: ColumnProfile, shown: int = 3) -> str:
    return ", ".join(f"{_scalar(v.value)} ({v.count:,})" for v in column.top_values[:shown])


def _estimate(column: ColumnProfile, metric: str, text: str) -> str:
    """`text` marked "≈" when the profile only approximated `metric` of `column` (and it has a value)."""
    return f"{APPROXIMATE_MARK}{text}" if metric in column.approximate and text != "-" else text


def profile_markdown(profile: TableProfile) -> str:
    """One row per column with its main statistics; estimates marked "≈", the level named above.

    At `profile: off` no column has statistics: the note says so, and the table lists only the
    columns another check read (if any).
    """
    rows = [
        (
            c.name,
            c.data_type,
            f"{c.null_count:,}",
            f"{c.null_pct:.2f}",
            _estimate(c, "distinct_count", "-" if c.distinct_count is None else f"{c.distinct_count:,}"),
            _scalar(c.min),
            _scalar(c.max),
            format_number(c.mean),
            _estimate(c, "median", format_number(c.median)),
            format_number(c.std),
            _top_values(c),
        )
        for c in profile.columns.values()
    ]
    table = markdown_table(PROFILE_HEADER, rows)
    note = level_note(profile)
    if not note:
        return table
    if not rows:
        return f"_{note}._"
    return f"_{note}._\n\n{table}"


def anomalies_markdown(anomalies: Sequence[Anomaly]) -> str:
    """One row per anomaly, worst first."""
    ordered = sorted(anomalies, key=lambda a: (-a.severity.rank, a.column, a.type))
    rows = [
        (
            a.severity.value,
            a.column,
            a.type,
            format_number(a.value),
            format_number(a.threshold),
            a.description,
        )
        for a in ordered
    ]
    return markdown_table(ANOMALY_HEADER, rows)
