"""Build one table's report files (HTML, JSON, Excel) and its executive summary, and store them.

The report asset and `dq profile` both call `write_reports`; what differs is where the
inspection and the sample come from.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dq_checks.history.earlier_runs import PastRun
from dq_checks.reports.summary import executive_summary
from dq_checks.results.inspection import TableInspection

if TYPE_CHECKING:
    import pandas as pd

    from dq_resources.reports.artifacts import ArtifactStore

REPORT_FAILING_ROWS = 1_000
"""Failing rows per rule in the workbook."""
REPORT_SAMPLE_ROWS = 100_000
"""The ydata-profiling report reads a sample: the exact profile is the check step's job."""


@dataclass(frozen=True)
class ReportFiles:
    """Where each file went, and the summary at the top of them."""

    html: str
    json: str
    xlsx: str
    summary: str
    sample_rows: int


def write_reports(
    *,
    table: str,
    inspection: TableInspection,
    sample: pd.DataFrame,
    pii_columns: Collection[str],
    previous: PastRun | None,
    store: ArtifactStore,
    prefix: str,
    summary: str | None = None,
) -> ReportFiles:
    """The summary (the template's unless one is given), the ydata report and the workbook."""
    from dq_checks.reports.workbook import build_workbook, workbook_bytes
    from dq_resources.reports.ydata import ydata_report

    summary = summary or executive_summary(table, inspection, previous)
    html, json_text = ydata_report(
        sample,
        title=f"{table}: data quality report",
        sensitive=bool(pii_columns),
        summary_markdown=summary,
        pii_columns=pii_columns,
    )
    workbook = build_workbook(table, inspection, summary, REPORT_FAILING_ROWS, pii_columns=pii_columns)
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return ReportFiles(
        html=store.write(f"{prefix}/report.html", html.encode("utf-8"), "text/html"),
        json=store.write(f"{prefix}/report.json", json_text.encode("utf-8"), "application/json"),
        xlsx=store.write(f"{prefix}/report.xlsx", workbook_bytes(workbook), xlsx_type),
        summary=summary,
        sample_rows=len(sample),
    )
