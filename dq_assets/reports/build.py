"""Build one table's report files (HTML, JSON, Excel) and its executive summary, and store them.

The report asset and `dq profile` both call `write_reports`; what differs is where the
inspection and the sample come from. Given a drift comparison (`dq profile --baseline`), each
file shows it too: a section under the summary, a "drift" sheet, a top-level `drift` key.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dq_checks.history.earlier_runs import PastRun
from dq_checks.reports.summary import executive_summary
from dq_checks.results.inspection import TableInspection

if TYPE_CHECKING:
    import pandas as pd

    from dq_checks.drift.model import TableDrift
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
    links: dict[str, str] = field(default_factory=dict)
    """`html`, `json`, `xlsx`: a URL a browser opens each at (file:// locally, the console on S3)."""


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
    drift: TableDrift | None = None,
) -> ReportFiles:
    """The summary (the template's unless one is given), the ydata report and the workbook.

    `drift`, a comparison with a baseline, adds a Drift section to the HTML, a "drift" sheet to
    the workbook and a top-level `drift` key to the JSON; without it the files are as before.
    """
    from dq_checks.render.drift_html import drift_section
    from dq_checks.reports.workbook import build_workbook, workbook_bytes
    from dq_resources.reports.ydata import ydata_report

    summary = summary or executive_summary(table, inspection, previous)
    html, json_text = ydata_report(
        sample,
        title=f"{table}: data quality report",
        sensitive=bool(pii_columns),
        summary_markdown=summary,
        pii_columns=pii_columns,
        sections=() if drift is None else (drift_section(drift),),
    )
    if drift is not None:
        json_text = with_drift(json_text, drift)
    workbook = build_workbook(
        table, inspection, summary, REPORT_FAILING_ROWS, pii_columns=pii_columns, drift=drift
    )
    xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    names = {"html": "report.html", "json": "report.json", "xlsx": "report.xlsx"}
    return ReportFiles(
        html=store.write(f"{prefix}/{names['html']}", html.encode("utf-8"), "text/html"),
        json=store.write(f"{prefix}/{names['json']}", json_text.encode("utf-8"), "application/json"),
        xlsx=store.write(f"{prefix}/{names['xlsx']}", workbook_bytes(workbook), xlsx_type),
        summary=summary,
        sample_rows=len(sample),
        links={kind: store.browser_url(f"{prefix}/{name}") for kind, name in names.items()},
    )


def with_drift(json_text: str, drift: TableDrift) -> str:
    """The report's JSON document with `drift` (the comparison's dict) as one more top-level key."""
    document = json.loads(json_text)
    document["drift"] = _finite(drift.to_dict())
    return json.dumps(document)


def _finite(value: Any) -> Any:
    """`value` with every NaN or infinity, at any depth, as None: the drift key stays strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
