"""The readable table `dq run` prints."""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections import Counter
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from dq_assets.cli.report import TableReport

DESCRIPTION_WIDTH = 110
DISTRIBUTION_WIDTH = 80


MIN_DESCRIPTION_WIDTH = 30
"""Below this a wrapped description is a column of fragments: past it the line runs on."""


def _short(text: str, width: int = DESCRIPTION_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def terminal_width(wide: bool) -> int | None:
    """The terminal's width, to fit the tables to; None (every description whole) with `--wide`.

    None too when the output is not a terminal: a file or a pipe keeps every word for grep.
    """
    if wide or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns


def fitted(rows: list[tuple[str, ...]], headers: Sequence[str], width: int | None) -> str:
    """`rows` as a table whose last column wraps to what `width` leaves it; whole with no width.

    Wrapped, never cut: the key fact of a description is often at its end ("share of customer_id
    found in customers.customer_id = 0.97 does not meet > 0.99").
    """
    if width is not None and rows:
        others = [max(len(str(v)) for v in [h, *(r[i] for r in rows)]) for i, h in enumerate(headers[:-1])]
        # tabulate pads every column by 2 and puts 2 spaces between columns
        room = max(width - sum(others) - 4 * len(others) - 2, MIN_DESCRIPTION_WIDTH)
        rows = [(*r[:-1], "\n".join(textwrap.wrap(str(r[-1]), room)) or str(r[-1])) for r in rows]
    return tabulate(rows, headers=headers)


def render_reports(reports: Sequence[TableReport], problems: Sequence[str], width: int | None = None) -> str:
    """Checks per table, then the anomalies worth reading, then a one-line summary.

    `width`: the terminal's, to wrap descriptions to; None prints them whole.
    """
    parts: list[str] = []
    if problems:
        parts.append("invalid definitions:\n" + "\n".join(f"  {p}" for p in problems))
    rows = [
        (
            r.table if r.partition is None else f"{r.table}[{r.partition}]",
            f"{r.row_count:,}" if r.row_count is not None else "-",
            c["name"],
            c["outcome"],
            c["severity"] or "",
            c["description"],
        )
        for r in reports
        for c in r.checks
    ]
    if rows:
        parts.append(fitted(rows, ("table", "rows", "check", "outcome", "severity", "description"), width))
    analyzer_rows = [
        (r.table, a["analyzer"], a["metric"] or "", analyzer_value(a)) for r in reports for a in r.analyzers
    ]
    if analyzer_rows:
        parts.append(tabulate(analyzer_rows, headers=("table", "analyzer", "metric", "value")))
    analyzer_errors = [a["error"] for r in reports for a in r.analyzers if a["error"] is not None]
    if analyzer_errors:
        parts.append("analyzers not computed:\n" + "\n".join(f"  {e}" for e in analyzer_errors))
    anomaly_rows = [
        (r.table, a["column"], a["severity"], a["type"], a["description"])
        for r in reports
        for a in r.anomalies  # every one, informational too: the anomalies check counts them all
    ]
    if anomaly_rows:
        parts.append(fitted(anomaly_rows, ("table", "column", "severity", "anomaly", "description"), width))
    unsaved = _unsaved(reports)
    if unsaved:
        parts.append("results not saved:\n" + "\n".join(f"  {line}" for line in unsaved))
    counts = Counter(o for r in reports for o in r.outcomes())
    summary = ", ".join(f"{counts[o]} {o}" for o in ("pass", "fail", "error", "skip"))
    not_saved = sum(1 for r in reports if r.save_error)
    parts.append(
        f"{len(reports)} table{'s' if len(reports) != 1 else ''}, {sum(counts.values())} checks: {summary}"
        + (f"; {len(problems)} invalid definitions" if problems else "")
        + (f"; results of {not_saved} table{'s' if not_saved != 1 else ''} not saved" if not_saved else "")
    )
    return "\n\n".join(parts)


def analyzer_value(analyzer: dict[str, Any]) -> str:
    """An analyzer's value, a Distribution's one-line summary, or `error` (its cause is listed below)."""
    if analyzer["error"] is not None:
        return "error"
    distribution = analyzer.get("distribution")
    if distribution is not None:
        return _short(distribution["summary"], DISTRIBUTION_WIDTH)
    return _value(analyzer["value"])


def _value(value: float) -> str:
    """A measured value as people read it: whole numbers without a point, others to 6 significant digits."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:.6g}"


def _unsaved(reports: Sequence[TableReport]) -> list[str]:
    """One line per distinct cause, naming its tables: a store that is down says so once."""
    tables_by_cause: dict[str, list[str]] = {}
    for report in reports:
        if report.save_error:
            tables_by_cause.setdefault(report.save_error, []).append(report.table)
    return [f"{', '.join(tables)}: {cause}" for cause, tables in tables_by_cause.items()]
