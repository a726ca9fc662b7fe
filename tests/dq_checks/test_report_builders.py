"""The executive summary and the Excel workbook, on a real inspection of an Iceberg table with defects."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from openpyxl import load_workbook

from dq_checks.config.loader import load_table_specs
from dq_checks.history.earlier_runs import PastRun
from dq_checks.profile.model import TableProfile
from dq_checks.redaction import REDACTED
from dq_checks.reports import (
    FAILING_ROWS_CAP,
    SHEETS,
    build_workbook,
    executive_summary,
    plain_text,
    save_workbook,
    summary_facts,
)
from dq_checks.reports.workbook import ANOMALY_HEADER, COLUMN_HEADER, RULE_HEADER
from dq_checks.results.inspection import TableInspection
from dq_checks.results.model import CheckResult, CheckSeverity, Outcome
from dq_checks.rules.model import FAILING_ROWS_SHOWN
from dq_checks.schema import TableDescription
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_runs.inspect import inspect_table

TABLE = "shop/orders"
ROWS = 300
NEGATIVE_AMOUNTS = 30  # more failing rows than a rule's sample holds
PLANTED_EMAIL = "zz-planted@secret.example"  # a PII value that must reach no report
RULES = """\
    pii_columns: [email]
    key: [id]
    rules:
      - name: enough_rows
        rule: RowCount > 100
      - name: amount_not_negative
        rule: ColumnValues "amount" >= 0
      - name: id_unique
        rule: IsUnique "id"
      - name: status_known
        rule: ColumnValues "status" in ["open", "closed"]
        severity: warn
      - name: email_complete
        rule: IsComplete "email"
        severity: warn
      - name: email_format
        rule: ColumnValues "email" matches "^user[0-9]+@example[.]com$" where "email IS NOT NULL"
    """
PREVIOUS = PastRun(
    at=datetime(2026, 1, 1, 6, tzinfo=UTC),
    data_version="an-older-snapshot",
    row_count=250.0,
    metrics={"email.null_pct": 10.0, "amount.null_pct": 0.0},
    schema=(("id", "long"), ("amount", "double"), ("status", "string"), ("legacy", "string")),
)


def planted() -> pa.Table:
    """300 orders: two repeated ids, 30 negative amounts, one huge amount, 5 unknown statuses,
    40% NULL emails and one malformed (PII) email."""
    ids = list(range(1, ROWS + 1))
    ids[-2:] = [1, 2]
    amount = [float(10 + i % 50) for i in range(ROWS)]
    for i in range(NEGATIVE_AMOUNTS):
        amount[10 + i] = -float(i + 1)
    amount[100] = 1_000_000.0
    status = ["open" if i % 2 else "closed" for i in range(ROWS)]
    for i in range(5):
        status[200 + i] = "???"
    email = [None if i % 5 < 2 else f"user{i}@example.com" for i in range(ROWS)]
    email[7] = PLANTED_EMAIL
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "amount": pa.array(amount, pa.float64()),
            "status": pa.array(status, pa.string()),
            "email": pa.array(email, pa.string()),
        }
    )


@pytest.fixture
def inspection(scratch_catalog: str, tmp_path: Path) -> TableInspection:
    data = planted()
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace_if_not_exists("ns")
    catalog.create_table("ns.orders", schema=data.schema).append(data)
    folder = tmp_path / "defs"
    folder.mkdir()
    header = f"table: {TABLE}\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.orders}}\n"
    (folder / "orders.yaml").write_text(header + textwrap.dedent(RULES))
    loaded = load_table_specs(folder)
    assert loaded.problems == ()
    defined = loaded.by_name(TABLE)
    return inspect_table(defined, IcebergCatalogResource().open(defined.spec.source))


def sentences(markdown: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.])\s+(?=[A-Z*`0-9])", markdown.strip()) if s]


# -- the executive summary


def test_summary_cites_score_worst_checks_anomalies_and_changes(inspection: TableInspection) -> None:
    summary = executive_summary(TABLE, inspection, PREVIOUS)

    assert "quality score of **0.17** (1 of 6 rules pass), below its minimum of 0.80" in summary
    # Errors before warnings, three at most, in the order the rules are defined.
    assert "5 checks do not pass, worst first: `amount_not_negative` (error): 30 of 300 rows fail" in summary
    named = re.findall(r"`(\w+)` \((?:error|warn)\)", summary)
    assert named == ["amount_not_negative", "id_unique", "email_format"]
    assert "and 2 more" in summary
    assert "`amount` `isolated_extreme` (critical)" in summary
    assert "`email` `null_rate` (warning)" in summary
    assert "the row count went from 250 to 300 (+50, +20.0%)" in summary
    assert "the schema changed (added `email`; removed `legacy`)" in summary
    assert "`email` from 10.0% to 40.0%" in summary
    assert "2026-01-01 06:00 UTC" in summary
    assert 3 <= len(sentences(summary)) <= 6
    assert PLANTED_EMAIL not in summary
    assert executive_summary(TABLE, inspection, PREVIOUS) == summary  # deterministic


def test_summary_without_an_earlier_run_says_so(inspection: TableInspection) -> None:
    summary = executive_summary(TABLE, inspection, None)
    assert summary.endswith("There is no earlier run to compare with.")
    assert 3 <= len(sentences(summary)) <= 6


def test_unchanged_data_is_reported_as_unchanged(inspection: TableInspection) -> None:
    current = tuple((c.name, c.data_type) for c in inspection.description.columns)
    same = PastRun(
        at=datetime(2026, 1, 2, tzinfo=UTC),
        data_version=inspection.description.data_version,
        row_count=float(ROWS),
        metrics={"email.null_pct": 40.0},
        schema=current,
    )
    summary = executive_summary(TABLE, inspection, same)
    assert "(same data version), the row count is unchanged at 300 and the schema is unchanged." in summary
    assert "No column's null rate moved by 5 points or more." in summary


def test_summary_facts_are_plain_json_with_the_same_facts(inspection: TableInspection) -> None:
    facts = summary_facts(TABLE, inspection, PREVIOUS)
    assert json.loads(json.dumps(facts)) == facts
    assert facts["score"]["overall"] == pytest.approx(1 / 6, abs=1e-6)
    assert facts["score"]["below_minimum"] is True
    assert [c["name"] for c in facts["failing_checks"]] == [
        "amount_not_negative",
        "id_unique",
        "email_format",
        "status_known",
        "email_complete",
    ]
    assert facts["failing_checks"][0]["failing_rows"] == NEGATIVE_AMOUNTS
    assert facts["anomalies"]["critical"] == 1 and facts["anomalies"]["warning"] == 1
    assert facts["changes"]["row_count"] == {"previous": 250, "current": 300, "delta": 50, "delta_pct": 20.0}
    assert facts["changes"]["schema"] == {"added": ["email"], "removed": ["legacy"], "retyped": []}
    assert facts["changes"]["null_rate_changes"] == [
        {"column": "email", "previous_pct": 10.0, "current_pct": 40.0, "delta_points": 30.0}
    ]
    assert PLANTED_EMAIL not in json.dumps(facts)


def test_a_table_without_rules_has_no_score_and_every_check_passing() -> None:
    bare = TableInspection(
        description=TableDescription((), 0, None, None),
        profile=TableProfile(row_count=0),
        anomalies=[],
        checks=[CheckResult("profile", Outcome.PASS, "profiled"), CheckResult("volume", Outcome.SKIP, "new")],
        duration_seconds=0.1,
    )
    summary = executive_summary("t", bare, None)
    assert summary == (
        "**t** has 0 rows in 0 columns; it has no rules, so it has no quality score. "
        "Every check passes (1 skipped). No anomalies were detected. "
        "There is no earlier run to compare with."
    )


# -- the workbook


def reopened(tmp_path: Path, workbook: object) -> object:
    path = tmp_path / "report.xlsx"
    save_workbook(workbook, path)  # type: ignore[arg-type]
    return load_workbook(path)


def rows_of(sheet: object) -> list[tuple[object, ...]]:
    return list(sheet.iter_rows(values_only=True))  # type: ignore[attr-defined]


def test_workbook_sheets_headers_anomalies_and_rule_outcomes(
    inspection: TableInspection, tmp_path: Path
) -> None:
    summary = executive_summary(TABLE, inspection, PREVIOUS)
    book = reopened(tmp_path, build_workbook(TABLE, inspection, summary, pii_columns=["email"]))

    assert (
        book.sheetnames == list(SHEETS) == ["summary", "columns", "anomalies", "rule results", "failing rows"]
    )
    headers = {"columns": COLUMN_HEADER, "anomalies": ANOMALY_HEADER, "rule results": RULE_HEADER}
    for name in ("summary", *headers):
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        assert all(cell.font.b for cell in sheet[1]), name
    for name, header in headers.items():
        assert rows_of(book[name])[0] == header
    assert book["columns"].column_dimensions["A"].width >= 8

    items = dict(rows_of(book["summary"])[1:])
    assert items["table"] == TABLE and items["rows"] == ROWS and items["quality score"] == 0.1667
    assert items["executive summary"] == plain_text(summary)
    assert "**" not in items["executive summary"]

    columns = {row[0]: row for row in rows_of(book["columns"])[1:]}
    assert list(columns) == ["id", "amount", "status", "email"]
    assert columns["email"][8:10] == (REDACTED, REDACTED)  # the profile arrives redacted

    assert [row[:3] for row in rows_of(book["anomalies"])[1:]] == [
        ("critical", "amount", "isolated_extreme"),
        ("warning", "email", "null_rate"),
        ("info", "email", "high_cardinality"),
    ]

    outcomes = {row[0]: row[1:3] for row in rows_of(book["rule results"])[1:]}
    assert outcomes == {
        "profile": ("pass", None),
        "anomalies": ("fail", "ERROR"),
        "enough_rows": ("pass", None),
        "amount_not_negative": ("fail", "ERROR"),
        "id_unique": ("fail", "ERROR"),
        "status_known": ("fail", "WARN"),
        "email_complete": ("fail", "WARN"),
        "email_format": ("fail", "ERROR"),
        "volume": ("skip", None),
        "schema": ("pass", None),
        "drift": ("skip", None),
        "quality_score": ("fail", "WARN"),
    }
    failing = {row[0]: row[7] for row in rows_of(book["rule results"])[1:]}
    assert failing["amount_not_negative"] == NEGATIVE_AMOUNTS


def blocks(sheet: object) -> dict[str, dict[str, object]]:
    """The failing-rows sheet read back: per rule, its title, header and rows."""
    found: dict[str, dict[str, object]] = {}
    lines = rows_of(sheet)
    index = 0
    while index < len(lines):
        line = lines[index]
        if line[0] is None:
            index += 1
            continue
        name, title = line[0], line[1]
        block: dict[str, object] = {"title": title, "header": None, "rows": []}
        found[str(name)] = block
        index += 1
        if index < len(lines) and lines[index][0] == "rule":
            block["header"] = tuple(v for v in lines[index] if v is not None)
            index += 1
            while index < len(lines) and lines[index][0] == name:
                block["rows"].append(lines[index][: len(block["header"])])  # type: ignore[union-attr,arg-type]
                index += 1
    return found


def test_failing_rows_hold_a_block_per_failing_rule_with_pii_redacted(
    inspection: TableInspection, tmp_path: Path
) -> None:
    book = reopened(tmp_path, build_workbook(TABLE, inspection, "summary", pii_columns=["email"]))
    sheet = book["failing rows"]
    assert sheet.freeze_panes == "B1"
    found = blocks(sheet)

    assert list(found) == [
        "amount_not_negative",
        "id_unique",
        "status_known",
        "email_complete",
        "email_format",
    ]
    amounts = found["amount_not_negative"]
    assert amounts["title"] == f"failing rows: showing {FAILING_ROWS_SHOWN} of {NEGATIVE_AMOUNTS}"
    assert amounts["header"] == ("rule", "id", "amount")  # the key column first
    assert len(amounts["rows"]) == FAILING_ROWS_SHOWN  # the rule's own sample holds 20
    assert all(row[2] < 0 for row in amounts["rows"])
    assert found["id_unique"]["header"] == ("rule", "id", "occurrences")
    assert sorted(row[1:] for row in found["id_unique"]["rows"]) == [(1, 2), (2, 2)]
    assert [row[2] for row in found["status_known"]["rows"]] == ["???"] * 5
    assert found["email_complete"]["header"] is None  # judged on an aggregate: no rows to show
    assert "no row sample" in str(found["email_complete"]["title"])
    assert found["email_format"]["rows"] == [("email_format", 8, REDACTED)]

    every_value = [str(v) for row in book["failing rows"].iter_rows(values_only=True) for v in row]
    assert PLANTED_EMAIL not in every_value
    # Header rows of every block are bold.
    bold_rows = [row[0].row for row in sheet.iter_rows() if row[0].value == "rule"]
    assert bold_rows and all(sheet.cell(row=r, column=2).font.b for r in bold_rows)


def test_failing_rows_are_capped_per_rule(inspection: TableInspection, tmp_path: Path) -> None:
    sample = [{"id": i, "note": f"row {i}"} for i in range(1_500)]
    big = CheckResult(
        "huge_failure",
        Outcome.FAIL,
        "1,500 of 1,500 rows fail",
        CheckSeverity.ERROR,
        {"rule": 'ColumnValues "note" = "x"', "failed_count": 1_500, "failed_sample": sample},
    )
    formula = CheckResult(
        "formula_text",
        Outcome.FAIL,
        "1 row fails",
        CheckSeverity.WARN,
        {"rule": 'ColumnValues "note" = "x"', "failed_count": 1, "failed_sample": [{"note": "=1+2"}]},
    )
    hand_made = replace(inspection, checks=[big, formula])

    book = reopened(tmp_path, build_workbook(TABLE, hand_made, "summary"))
    found = blocks(book["failing rows"])
    assert len(found["huge_failure"]["rows"]) == FAILING_ROWS_CAP == 1_000
    assert found["huge_failure"]["title"] == "failing rows: showing 1,000 of 1,500"
    assert found["huge_failure"]["rows"][-1] == ("huge_failure", 999, "row 999")
    # Text that looks like a formula stays text.
    cell = next(c for row in book["failing rows"].iter_rows() for c in row if c.value == "=1+2")
    assert cell.data_type == "s"

    small = reopened(tmp_path, build_workbook(TABLE, hand_made, "summary", failing_rows_cap=10))
    assert len(blocks(small["failing rows"])["huge_failure"]["rows"]) == 10


def test_no_failing_rule_says_so(inspection: TableInspection, tmp_path: Path) -> None:
    passing = replace(inspection, checks=[c for c in inspection.checks if c.passed])
    book = reopened(tmp_path, build_workbook(TABLE, passing, "summary"))
    assert rows_of(book["failing rows"]) == [("no rule failed",)]
