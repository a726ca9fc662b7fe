"""The readable table `dq run` prints."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from tabulate import tabulate

from dq_assets.cli.report import TableReport

DESCRIPTION_WIDTH = 110
DISTRIBUTION_WIDTH = 80


def _short(text: str, width: int = DESCRIPTION_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def render_reports(reports: Sequence[TableReport], problems: Sequence[str]) -> str:
    """Checks per table, then the anomalies worth reading, then a one-line summary."""
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
            _short(c["description"]),
        )
        for r in reports
        for c in r.checks
    ]
    if rows:
        parts.append(tabulate(rows, headers=("table", "rows", "check", "outcome", "severity", "description")))
    analyzer_rows = [
        (r.table, a["analyzer"], a["metric"] or "", analyzer_value(a)) for r in reports for a in r.analyzers
    ]
    if analyzer_rows:
        parts.append(tabulate(analyzer_rows, headers=("table", "analyzer", "metric", "value")))
    analyzer_errors = [a["error"] for r in reports for a in r.analyzers if a["error"] is not None]
    if analyzer_errors:
        parts.append("analyzers not computed:\n" + "\n".join(f"  {e}" for e in analyzer_errors))
    anomaly_rows = [
        (r.table, a["column"], a["severity"], a["type"], _short(a["description"]))
        for r in reports
        for a in r.anomalies  # every one, informational too: the anomalies check counts them all
    ]
    if anomaly_rows:
        parts.append(
            tabulate(anomaly_rows, headers=("table", "column", "severity", "anomaly", "description"))
        )
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
