"""Partitioned tables beside unpartitioned ones: jobs per partitions definition, schedules and `dq run`
that check the latest complete partition, and a key that is not a partition refused at its line.

The tables are Parquet files read by the local engine: `events.parquet` holds three days of 4
rows each, with one negative amount planted on 2026-11-29.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from dq_assets.build import QualityOptions, build_quality_definitions
from dq_assets.cli.main import cli

DAYS = (date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30))

EVENTS = """\
table: events
source: {{type: file, path: "{root}/events.parquet"}}
schedule: "0 6 * * *"
partition: {{column: event_date, by: {by}, start: "{start}"}}
rules:
  - name: amount_positive
    rule: ColumnValues "amount" > 0
"""
PLAIN = """\
table: plain
source: {{type: file, path: "{root}/events.parquet"}}
schedule: "0 6 * * *"
rules:
  - name: amount_positive
    rule: ColumnValues "amount" > 0
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Daily `events`, monthly `events_by_month` and unpartitioned `plain`, all on one file."""
    amounts = [10.0, 20.0, 30.0, 40.0] * 3
    amounts[4] = -1.0  # planted: the first row of 2026-11-29
    rows = pa.table(
        {
            "event_id": pa.array(range(12), pa.int64()),
            "event_date": pa.array([day for day in DAYS for _ in range(4)], pa.date32()),
            "amount": pa.array(amounts, pa.float64()),
        }
    )
    pq.write_table(rows, tmp_path / "events.parquet")
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "events.yaml").write_text(EVENTS.format(root=tmp_path, by="day", start="2026-11-01"))
    monthly = EVENTS.format(root=tmp_path, by="month", start="2026-10-01").replace(
        "events\n", "events_by_month\n", 1
    )
    (tables / "events_by_month.yaml").write_text(monthly)
    (tables / "plain.yaml").write_text(PLAIN.format(root=tmp_path))
    (tmp_path / "alerts.yaml").write_text("default:\n  channels: [log]\n")
    return tables


def test_each_partitions_definition_gets_jobs_of_its_own_and_the_schedule_asks_for_the_latest(
    folder: Path,
) -> None:
    defs = build_quality_definitions(folder, QualityOptions(namespace="quality"))
    repo = defs.get_repository_def()
    assert sorted(j.name for j in repo.get_all_jobs()) == [
        "__ASSET_JOB",
        "quality_checks",  # plain
        "quality_checks_daily_from_2026_11_01",  # events
        "quality_checks_monthly_from_2026_10_01",  # events_by_month
        "quality_file_daily_at_06_00",
        "quality_file_daily_at_06_00_daily_from_2026_11_01",
        "quality_file_daily_at_06_00_monthly_from_2026_10_01",
    ]
    daily = repo.get_schedule_def("quality_file_daily_at_06_00_daily_from_2026_11_01_schedule")
    with dg.build_schedule_context(repository_def=repo) as context:
        [request] = daily.evaluate_tick(context).run_requests or []
    latest = dg.DailyPartitionsDefinition(start_date="2026-11-01").get_last_partition_key()
    assert request.partition_key == latest  # the last complete day, not the whole table
    plain = repo.get_schedule_def("quality_file_daily_at_06_00_schedule")
    with dg.build_schedule_context(repository_def=repo) as context:
        [request] = plain.evaluate_tick(context).run_requests or []
    assert request.partition_key is None


def test_dq_run_checks_the_partition_asked_for_and_refuses_a_key_that_is_none(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)  # an ephemeral instance
    result = CliRunner().invoke(
        cli, ["run", "events", "--partition", "2026-11-29", "--json", "--config", str(folder)]
    )
    assert result.exit_code == 1, result.output  # the planted negative amount
    [table] = json.loads(result.stdout)["tables"]
    assert (table["partition"], table["row_count"]) == ("2026-11-29", 4)
    checks = {c["name"]: c for c in table["checks"]}
    assert checks["amount_positive"]["outcome"] == "fail"
    assert checks["amount_positive"]["metadata"]["failed_count"] == 1

    clean = CliRunner().invoke(
        cli, ["run", "events", "--partition", "2026-11-30", "--json", "--config", str(folder)]
    )
    [table] = json.loads(clean.stdout)["tables"]
    assert (table["partition"], table["row_count"]) == ("2026-11-30", 4)
    assert {c["name"]: c["outcome"] for c in table["checks"]}["amount_positive"] == "pass"

    refused = CliRunner().invoke(
        cli, ["run", "events", "--partition", "2026-13-01", "--json", "--config", str(folder)]
    )
    assert refused.exit_code == 2
    output = json.loads(refused.stdout)
    assert output["tables"] == []
    [problem] = output["problems"]
    assert problem.startswith(f"{folder / 'events.yaml'}:4: '2026-13-01' is not a partition of events")

    unpartitioned = CliRunner().invoke(
        cli, ["run", "plain", "--partition", "2026-11-29", "--json", "--config", str(folder)]
    )
    assert json.loads(unpartitioned.stdout)["problems"] == [
        f"{folder / 'plain.yaml'}:1: plain has no partition: block"
    ]
    [table] = json.loads(unpartitioned.stdout)["tables"]  # the table still runs, on all its rows
    assert (table["partition"], table["row_count"]) == (None, 12)
