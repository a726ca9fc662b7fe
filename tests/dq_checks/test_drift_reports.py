"""The reports show a drift comparison: a sheet, an HTML section with a chart per drifted column, a JSON key.

The comparison is real: both sides' sketches are drawn by DuckDB over planted data (the amounts
moved, a new status `<b>x</b>` holds 15% of the rows), then compared, then written.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from openpyxl import load_workbook

from dq_assets.reports.build import ReportFiles, write_reports
from dq_checks.config.drift import DriftSettings
from dq_checks.config.models import AnomalySettings
from dq_checks.drift.compare import compare_tables
from dq_checks.drift.draw import draw_sketch
from dq_checks.drift.model import DriftKind, TableDrift
from dq_checks.profile.profiler import profile_table
from dq_checks.render.drift_html import DRIFT_ELEMENT_ID, drift_section
from dq_checks.reports.workbook import DRIFT_HEADER, DRIFT_SHEET, SHEETS
from dq_checks.results.inspection import TableInspection
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from dq_resources.reports.artifacts import LocalArtifactStore
from dq_resources.reports.ydata import ydata_report
from tests.runners import duckdb_over

ROWS = 2_000
PLANTED = "<b>x</b>"
PLANTED_SHARE = 0.15
DRIFTED = ["amount", "status"]
STATUSES = ["open", "closed", "pending"]

BASELINE_COLUMNS = [
    ColumnInfo("amount", "double", ColumnKind.NUMERIC, floating=True),
    ColumnInfo("status", "string", ColumnKind.STRING),
    ColumnInfo("city", "string", ColumnKind.STRING),
    ColumnInfo("score", "double", ColumnKind.NUMERIC, floating=True),
    ColumnInfo("qty", "int", ColumnKind.NUMERIC),
    ColumnInfo("legacy", "string", ColumnKind.STRING),
]
CURRENT_COLUMNS = [
    ColumnInfo("amount", "double", ColumnKind.NUMERIC, floating=True),
    ColumnInfo("status", "string", ColumnKind.STRING),
    ColumnInfo("city", "string", ColumnKind.STRING),
    ColumnInfo("score", "double", ColumnKind.NUMERIC, floating=True),
    ColumnInfo("qty", "long", ColumnKind.NUMERIC),
    ColumnInfo("extra", "string", ColumnKind.STRING),
]


def tables() -> tuple[pa.Table, pa.Table]:
    """Baseline and current: `amount` moved by 3 sigmas, `status` got a new value; the rest is the same
    (`qty` re-typed int -> long, `legacy` removed, `extra` added)."""
    rng = np.random.default_rng(7)
    score = rng.uniform(0, 1, ROWS)
    city = [("Lyon", "Oslo", "Porto", "Quito")[i % 4] for i in range(ROWS)]
    qty = [i % 9 for i in range(ROWS)]
    baseline = pa.table(
        {
            "amount": pa.array(rng.normal(100, 10, ROWS), pa.float64()),
            "status": pa.array(rng.choice(STATUSES, ROWS, p=[0.5, 0.3, 0.2]).tolist(), pa.string()),
            "city": pa.array(city, pa.string()),
            "score": pa.array(score, pa.float64()),
            "qty": pa.array(qty, pa.int32()),
            "legacy": pa.array(["old"] * ROWS, pa.string()),
        }
    )
    status = rng.choice(STATUSES, ROWS, p=[0.5, 0.3, 0.2]).tolist()
    for i in range(int(ROWS * PLANTED_SHARE)):
        status[i] = PLANTED
    current = pa.table(
        {
            "amount": pa.array(rng.normal(130, 10, ROWS), pa.float64()),
            "status": pa.array(status, pa.string()),
            "city": pa.array(city, pa.string()),
            "score": pa.array(score, pa.float64()),
            "qty": pa.array(qty, pa.int64()),
            "extra": pa.array(["new"] * ROWS, pa.string()),
        }
    )
    return baseline, current


@pytest.fixture(scope="module")
def compared() -> tuple[TableDrift, TableInspection, pd.DataFrame]:
    """The real comparison, and an inspection and a sample of the current data for write_reports."""
    baseline, current = tables()
    settings = DriftSettings()
    with duckdb_over(baseline) as runner:
        old, errors_old = draw_sketch(runner, BASELINE_COLUMNS, settings, label="file old.csv")
    with duckdb_over(current) as runner:
        new, errors_new = draw_sketch(runner, CURRENT_COLUMNS, settings, label="file new.csv")
        profile = profile_table(runner, CURRENT_COLUMNS, AnomalySettings(), row_count_hint=ROWS)
    assert errors_old == errors_new == {}
    drift = compare_tables(old, new, settings)
    description = TableDescription(tuple(CURRENT_COLUMNS), ROWS, None, None)
    inspection = TableInspection(description, profile, [], [], 0.0)
    return drift, inspection, current.to_pandas().iloc[::7]  # every status, the planted one too


def written(
    tmp_path: Path, compared: tuple[TableDrift, TableInspection, pd.DataFrame], *, with_drift: bool
) -> ReportFiles:
    drift, inspection, sample = compared
    return write_reports(
        table="shop/orders",
        inspection=inspection,
        sample=sample,
        pii_columns=(),
        previous=None,
        store=LocalArtifactStore(root=str(tmp_path)),
        prefix="run",
        **({"drift": drift} if with_drift else {}),
    )


def trimmed(row: tuple[object, ...]) -> tuple[object, ...]:
    """A sheet's row without the empty cells openpyxl pads it with up to the sheet's width."""
    cells = list(row)
    while cells and cells[-1] is None:
        cells.pop()
    return tuple(cells)


def drift_html(page: str) -> str:
    """The drift section of a page (it holds no nested section)."""
    start = page.index(f'<section id="{DRIFT_ELEMENT_ID}"')
    return page[start : page.index("</section>", start) + len("</section>")]


def test_the_planted_shifts_are_found(compared: tuple[TableDrift, TableInspection, pd.DataFrame]) -> None:
    drift = compared[0]
    kinds = {c.column: c.kinds for c in drift.drifted}
    assert kinds == {"amount": (DriftKind.LOCATION,), "status": (DriftKind.NEW_CATEGORY,)}
    assert {c.column: c.status for c in drift.columns if c.column not in DRIFTED} == dict.fromkeys(
        ("city", "score", "qty"), "stable"
    )
    assert (drift.schema.added, drift.schema.removed) == ((("extra", "string"),), (("legacy", "string"),))
    assert drift.schema.retyped == (("qty", "int", "long"),)


def test_every_report_shows_the_drift(
    compared: tuple[TableDrift, TableInspection, pd.DataFrame], tmp_path: Path
) -> None:
    files = written(tmp_path, compared, with_drift=True)
    drift = compared[0]

    book = load_workbook(files.xlsx)
    assert book.sheetnames == [*SHEETS, DRIFT_SHEET]
    rows = [trimmed(row) for row in book[DRIFT_SHEET].iter_rows(values_only=True)]
    assert rows[:3] == [
        ("compared", "data", "rows"),
        ("baseline", "file old.csv", ROWS),
        ("current", "file new.csv", ROWS),
    ]
    cells = [row[:2] for row in rows]
    assert ("columns added", "extra (string)") in cells
    assert ("columns removed", "legacy (string)") in cells
    assert ("columns re-typed", "qty (int -> long)") in cells
    header_at = rows.index(DRIFT_HEADER)
    table = [
        dict(zip(DRIFT_HEADER, row, strict=False))
        for row in book[DRIFT_SHEET].iter_rows(min_row=header_at + 2, values_only=True)
    ]
    assert [r["column"] for r in table[:2]] == DRIFTED  # drifted first
    assert {r["column"] for r in table[2:]} == {"city", "score", "qty"}
    amount, status = table[0], table[1]
    assert (amount["status"], amount["kinds"], amount["test"]) == (
        "drifted",
        "location",
        "Kolmogorov-Smirnov",
    )
    assert amount["effect size"] == "ks distance" and amount["effect"] >= 0.5
    assert amount["p-value"] < 1e-10 and amount["PSI"] > 1
    assert amount["sample size baseline"] == amount["sample size current"] == ROWS
    assert 95 < amount["median baseline"] < 105
    assert 125 < amount["median current"] < 135
    assert (status["status"], status["kinds"], status["test"]) == ("drifted", "new_category", "chi-square")
    assert status["new categories"] == f"{PLANTED} ({int(ROWS * PLANTED_SHARE):,})"
    assert status["vanished categories"] is None
    assert status["reason"].startswith("status: new values hold 15.0% of rows")
    assert book[DRIFT_SHEET].freeze_panes == f"B{header_at + 2}"

    page = Path(files.html).read_text(encoding="utf-8")
    section = drift_html(page)
    assert page.index("dq-executive-summary") < page.index(DRIFT_ELEMENT_ID)  # under the summary
    assert "file old.csv" in section and "file new.csv" in section
    assert "<code>extra (string)</code>" in section and "<code>legacy (string)</code>" in section
    assert section.count("<svg") == len(drift.drifted) == 2
    assert section.count("<tr>") == 1 + len(drift.columns)  # the header and a row per column
    assert PLANTED not in section
    assert "&lt;b&gt;x&lt;/b&gt;" in section
    assert not re.search(r"<(script|link|img)\b|https?://(?!www\.w3\.org/2000/svg)", section)

    report = json.loads(Path(files.json).read_text(encoding="utf-8"))
    assert report["drift"]["drifted"] == DRIFTED
    assert report["drift"] == json.loads(json.dumps(drift.to_dict()))
    assert {"analysis", "table", "variables"} <= set(report)  # ydata's own document is intact


def test_without_drift_the_reports_are_as_before(
    compared: tuple[TableDrift, TableInspection, pd.DataFrame], tmp_path: Path
) -> None:
    files = written(tmp_path, compared, with_drift=False)

    assert load_workbook(files.xlsx).sheetnames == list(SHEETS)
    assert DRIFT_ELEMENT_ID not in Path(files.html).read_text(encoding="utf-8")
    assert "drift" not in json.loads(Path(files.json).read_text(encoding="utf-8"))


def test_charts_escape_and_cut_category_names(
    compared: tuple[TableDrift, TableInspection, pd.DataFrame],
) -> None:
    drift = compared[0]
    status = next(c for c in drift.columns if c.column == "status")
    assert status.histogram is not None and PLANTED in status.histogram.labels

    section = drift_section(drift)

    charts = re.findall(r"<svg\b.*?</svg>", section, flags=re.DOTALL)
    assert len(charts) == 2
    numeric, categorical = charts
    assert 'width="320" height="120"' in numeric
    assert "baseline" in numeric and "current" in numeric
    assert numeric.count("<polyline") == 1  # the baseline as a step line over the current's bars
    amount = next(c for c in drift.columns if c.column == "amount")
    assert amount.histogram is not None
    assert f">{amount.histogram.labels[0]}</text>" in numeric
    assert f">≥ {amount.histogram.labels[-1]}</text>" in numeric
    assert "&lt;b&gt;x&lt;/b&gt;" in categorical and PLANTED not in categorical
    assert categorical.count('fill="none"') == len(status.histogram.labels) + 1  # outlines and legend


def test_an_empty_sample_still_gets_the_drift_section(
    compared: tuple[TableDrift, TableInspection, pd.DataFrame],
) -> None:
    section = drift_section(compared[0])
    page, _ = ydata_report(
        pd.DataFrame({"amount": []}),
        title="t",
        sensitive=False,
        summary_markdown="All good.",
        sections=(section,),
    )
    assert page.index("All good.") < page.index(section)
