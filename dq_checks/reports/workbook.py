"""One table's run as an Excel workbook people open: summary, columns, anomalies, rules, failing rows.

Pure apart from openpyxl, which is imported inside the functions that use it. The values it
is given are already redacted (profile, anomalies); the failing-row samples of rules are not,
so the values of `pii_columns` are replaced here before they reach a cell.
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dq_checks.redaction import REDACTED
from dq_checks.reports.summary import failing_count, plain_text, ranked_anomalies
from dq_checks.results.inspection import TableInspection
from dq_checks.results.model import CheckResult, Outcome

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from dq_checks.drift.model import ColumnDrift, TableDrift

FAILING_ROWS_CAP = 1_000
SHEETS = ("summary", "columns", "anomalies", "rule results", "failing rows")
DRIFT_SHEET = "drift"
"""The sheet added after SHEETS when the run was compared with a baseline."""
SAMPLE_KEYS = {
    "failed_sample": ("failing rows", "failed_count"),
    "duplicate_sample": ("duplicated values", "duplicate_groups"),
    "missing_sample": ("values missing from the reference", "missing_values_count"),
}
COLUMN_HEADER = (
    "column",
    "type",
    "kind",
    "rows",
    "nulls",
    "null %",
    "distinct",
    "distinct %",
    "min",
    "max",
    "mean",
    "median",
    "std",
    "q1",
    "q3",
    "zeros",
    "negatives",
    "non-finite",
    "top values",
    "approximate",
)
ANOMALY_HEADER = ("severity", "column", "type", "method", "value", "threshold", "description", "examples")
RULE_HEADER = (
    "check",
    "outcome",
    "severity",
    "rule",
    "dimension",
    "observed",
    "evaluated rows",
    "failing",
    "description",
)
DRIFT_HEADER = (
    "column",
    "compared as",
    "status",
    "kinds",
    "null rate baseline",
    "null rate current",
    "test",
    "statistic",
    "p-value",
    "effect size",
    "effect",
    "PSI",
    "sample size baseline",
    "sample size current",
    "median baseline",
    "median current",
    "new categories",
    "vanished categories",
    "reason",
)
DRIFT_STATUS_ORDER = {"drifted": 0, "error": 1, "skipped": 2, "stable": 3}
LISTED_CATEGORIES = 50
"""New or vanished categories listed in one cell; the rest are counted."""
MIN_WIDTH, MAX_WIDTH, SUMMARY_WIDTH = 8, 60, 110
CELL_CHARS = 32_767  # Excel's limit on the text of one cell
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def build_workbook(
    table: str,
    inspection: TableInspection,
    summary_markdown: str,
    failing_rows_cap: int = FAILING_ROWS_CAP,
    *,
    pii_columns: Collection[str] = (),
    drift: TableDrift | None = None,
) -> Workbook:
    """The five sheets, each with a bold, frozen header row and readable widths, and "drift" when given.

    "failing rows" holds one block per failing rule: a title line, then a header (`rule` and
    the sample's columns) and at most `failing_rows_cap` rows. Values of `pii_columns` in the
    samples are replaced by `<redacted>`. "drift" holds the comparison with a baseline: both
    sides and the schema's changes, then a row per column, drifted ones first.
    """
    from openpyxl import Workbook

    if failing_rows_cap < 0:
        raise ValueError(f"failing_rows_cap must be >= 0, not {failing_rows_cap}")
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    _summary_sheet(workbook.create_sheet("summary"), table, inspection, summary_markdown)
    _columns_sheet(workbook.create_sheet("columns"), inspection)
    _anomalies_sheet(workbook.create_sheet("anomalies"), inspection)
    _rules_sheet(workbook.create_sheet("rule results"), inspection.checks)
    _failing_rows_sheet(
        workbook.create_sheet("failing rows"), inspection.checks, failing_rows_cap, frozenset(pii_columns)
    )
    if drift is not None:
        _drift_sheet(workbook.create_sheet(DRIFT_SHEET), drift)
    return workbook


def save_workbook(workbook: Workbook, path: str | Path) -> None:
    """Write the workbook to `path` (an .xlsx file); the parent folder must exist."""
    workbook.save(str(path))


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx file's bytes, for an artifact store."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# -- sheets


def _summary_sheet(sheet: Worksheet, table: str, inspection: TableInspection, summary: str) -> None:
    profile, scores, checks = inspection.profile, inspection.scores, inspection.checks
    description = inspection.description
    rows: list[tuple[str, Any]] = [
        ("table", table),
        ("rows", profile.row_count),
        ("columns", profile.column_count),
        ("profile level", profile.level),
        ("data version", description.data_version),
        ("last updated", None if description.last_updated is None else description.last_updated.isoformat()),
        ("quality score", None if scores is None or scores.overall is None else round(scores.overall, 4)),
        ("rules passed", None if scores is None else scores.passed),
        ("rules evaluated", None if scores is None else scores.evaluated),
    ]
    if scores is not None:
        rows += [(f"score: {name}", round(value, 4)) for name, value in scores.dimensions.items()]
    rows += [(f"checks: {o.value}", sum(1 for c in checks if c.outcome is o)) for o in Outcome]
    severities = [a.severity.value for a in inspection.anomalies]
    rows += [(f"anomalies: {s}", severities.count(s)) for s in ("critical", "warning", "info")]
    _header(sheet, ("item", "value"))
    for row in rows:
        _append(sheet, row)
    _append(sheet, ())
    _append(sheet, ("executive summary", plain_text(summary)))
    from openpyxl.styles import Alignment

    cell = sheet.cell(row=sheet.max_row, column=2)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.cell(row=sheet.max_row, column=1).alignment = Alignment(vertical="top")
    _fit(sheet, widths={2: SUMMARY_WIDTH})


def _columns_sheet(sheet: Worksheet, inspection: TableInspection) -> None:
    _header(sheet, COLUMN_HEADER)
    for c in inspection.profile.columns.values():
        top = ", ".join(f"{v.value} ({v.count:,})" for v in c.top_values)
        distinct_pct = None if c.distinct_pct is None else round(c.distinct_pct, 4)
        _append(
            sheet,
            (
                c.name,
                c.data_type,
                c.kind.value,
                c.row_count,
                c.null_count,
                round(c.null_pct, 4),
                c.distinct_count,
                distinct_pct,
                c.min,
                c.max,
                c.mean,
                c.median,
                c.std,
                c.q1,
                c.q3,
                c.zeros,
                c.negatives,
                c.non_finite,
                top,
                ", ".join(c.approximate) or None,
            ),
        )
    _fit(sheet)


def _anomalies_sheet(sheet: Worksheet, inspection: TableInspection) -> None:
    _header(sheet, ANOMALY_HEADER)
    for a in ranked_anomalies(inspection.anomalies):
        examples = ", ".join(str(e) for e in a.examples)
        _append(
            sheet,
            (a.severity.value, a.column, a.type, a.method, a.value, a.threshold, a.description, examples),
        )
    _fit(sheet)


def _rules_sheet(sheet: Worksheet, checks: Sequence[CheckResult]) -> None:
    _header(sheet, RULE_HEADER)
    for check in checks:
        metadata = check.metadata
        _append(
            sheet,
            (
                check.name,
                check.outcome.value,
                None if check.severity is None else check.severity.value,
                metadata.get("rule"),
                metadata.get("dimension"),
                metadata.get("observed"),
                metadata.get("evaluated_count", metadata.get("checked_rows")),
                failing_count(check),
                check.description,
            ),
        )
    _fit(sheet)


def failing_samples(check: CheckResult) -> list[tuple[str, list[dict[str, Any]]]]:
    """The row samples a failing rule carries: (metadata key, rows), in a fixed order."""
    return [
        (key, list(check.metadata[key]))
        for key in SAMPLE_KEYS
        if isinstance(check.metadata.get(key), list) and check.metadata[key]
    ]


def _failing_rows_sheet(
    sheet: Worksheet, checks: Sequence[CheckResult], cap: int, pii_columns: frozenset[str]
) -> None:
    failing = [c for c in checks if c.outcome is Outcome.FAIL and "rule" in c.metadata]
    if not failing:
        _append(sheet, ("no rule failed",))
    for check in failing:
        samples = failing_samples(check)
        if not samples:
            _append(sheet, (check.name, "no row sample: the rule is judged on an aggregate"))
            _bold_last_row(sheet)
            _append(sheet, ())
        for key, rows in samples:
            what, count_key = SAMPLE_KEYS[key]
            shown = rows[:cap]
            total = check.metadata.get(count_key)
            total = total if isinstance(total, int) and not isinstance(total, bool) else len(rows)
            _append(sheet, (check.name, f"{what}: showing {len(shown):,} of {total:,}"))
            _bold_last_row(sheet)
            columns = list(dict.fromkeys(name for row in shown for name in row))
            _header(sheet, ("rule", *columns), freeze=False)
            for row in shown:
                values = [REDACTED if name in pii_columns else row.get(name) for name in columns]
                _append(sheet, (check.name, *values))
            _append(sheet, ())
    sheet.freeze_panes = "B1"  # blocks have headers of their own: keep the rule column in view
    _fit(sheet)


def _drift_sheet(sheet: Worksheet, drift: TableDrift) -> None:
    """Both sides and the schema's changes on top, then the column table under a header of its own."""
    _append(sheet, ("compared", "data", "rows"))
    _bold_last_row(sheet)
    _append(sheet, ("baseline", drift.baseline_label, drift.baseline_rows))
    _append(sheet, ("current", drift.current_label, drift.current_rows))
    schema = drift.schema
    changes = [
        ("columns added", ", ".join(f"{n} ({t})" for n, t in schema.added)),
        ("columns removed", ", ".join(f"{n} ({t})" for n, t in schema.removed)),
        ("columns re-typed", ", ".join(f"{n} ({b} -> {c})" for n, b, c in schema.retyped)),
    ]
    for what, listed in changes:
        if listed:
            _append(sheet, (what, listed))
    if not schema.changed:
        _append(sheet, ("schema", "no column added, removed or re-typed"))
    if drift.error is not None:
        _append(sheet, ("error", drift.error))
    _append(sheet, ())
    _header(sheet, DRIFT_HEADER, freeze=False)
    sheet.freeze_panes = f"B{sheet.max_row + 1}"  # the column table's header and names stay in view
    ordered = sorted(drift.columns, key=lambda c: DRIFT_STATUS_ORDER.get(c.status, len(DRIFT_STATUS_ORDER)))
    for column in ordered:
        _append(sheet, _drift_row(column))
    _fit(sheet)


def _drift_row(c: ColumnDrift) -> tuple[Any, ...]:
    test = c.distribution
    rates = c.null_rates or (None, None)
    sizes = c.sample_sizes or (None, None)
    centres = c.centres or (None, None)
    return (
        c.column,
        c.compared_as,
        c.status,
        ", ".join(k.value for k in c.kinds),
        *(None if r is None else round(r, 6) for r in rates),
        None if test is None else test.test,
        None if test is None else test.statistic,
        None if test is None else test.p_value,
        None if test is None else test.effect_name.replace("_", " "),
        None if test is None else test.effect,
        c.psi,
        *sizes,
        *centres,
        _categories(c.new_categories),
        _categories(c.vanished_categories),
        c.reason,
    )


def _categories(values: Sequence[tuple[str, int]]) -> str | None:
    """`value (count), ...`, at most LISTED_CATEGORIES of them."""
    if not values:
        return None
    listed = ", ".join(f"{v} ({c:,})" for v, c in values[:LISTED_CATEGORIES])
    more = len(values) - LISTED_CATEGORIES
    return listed + (f" and {more:,} more" if more > 0 else "")


# -- cells


def _header(sheet: Worksheet, names: Sequence[str], *, freeze: bool = True) -> None:
    _append(sheet, names)
    _bold_last_row(sheet)
    if freeze:
        sheet.freeze_panes = "A2"


def _bold_last_row(sheet: Worksheet) -> None:
    from openpyxl.styles import Font

    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row (an empty one when `values` is); text stays text, never a formula."""
    sheet.append([_cell_value(v) for v in values])
    if values:
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"  # `=HYPERLINK(...)` in the data is shown, not evaluated


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value
    elif isinstance(value, list | tuple | dict):
        text = json.dumps(value, default=str, ensure_ascii=False)
    else:
        text = str(value)
    text = _ILLEGAL.sub("", text)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _fit(sheet: Worksheet, widths: dict[int, int] | None = None) -> None:
    """Each column as wide as its longest value (first 1,000 rows), within sensible bounds."""
    from openpyxl.utils import get_column_letter

    longest: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 1_000)):
        for cell in row:
            if cell.value is not None:
                longest[cell.column] = max(longest.get(cell.column, 0), len(str(cell.value)))
    for column, length in longest.items():
        width = (widths or {}).get(column, min(MAX_WIDTH, max(MIN_WIDTH, length + 2)))
        sheet.column_dimensions[get_column_letter(column)].width = width
