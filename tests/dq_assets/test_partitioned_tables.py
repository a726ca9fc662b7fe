"""Partitioned tables beside unpartitioned ones: jobs per partitions definition, schedules and `dq run`
that check the latest complete partition, and a key that is not a partition refused at its line.

The tables are Parquet files read by the local engine: `events.parquet` holds three days of 4
rows each, with one negative amount planted on 2026-11-29, and event 0 of 2026-11-28 loaded
again on 2026-11-30: unique within each day, not across the table.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from dq_assets.build import QualityOptions, build_quality_definitions
from dq_assets.cli.main import cli
from dq_checks.config.loader import load_table_specs

DAYS = (date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 30))

EVENTS = """\
table: events
source: {{type: file, path: "{root}/events.parquet"}}
schedule: "0 6 * * *"
partition: {{column: event_date, by: {by}, start: "{start}"}}
rules:
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: id_unique_in_its_partition
    rule: IsUnique "event_id"
  - name: id_unique_everywhere
    rule: IsUnique "event_id"
    scope: table
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
            "event_id": pa.array([*range(11), 0], pa.int64()),  # planted: event 0 again, on 11-30
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
    table, _whole_table_rules = json.loads(result.stdout)["tables"]
    assert (table["partition"], table["row_count"]) == ("2026-11-29", 4)
    checks = {c["name"]: c for c in table["checks"]}
    assert checks["amount_positive"]["outcome"] == "fail"
    assert checks["amount_positive"]["metadata"]["failed_count"] == 1

    clean = CliRunner().invoke(
        cli, ["run", "events", "--partition", "2026-11-30", "--json", "--config", str(folder)]
    )
    table, _whole_table_rules = json.loads(clean.stdout)["tables"]
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


def test_a_whole_table_rule_sees_a_key_repeated_across_partitions_that_each_partition_misses(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = CliRunner().invoke(
        cli, ["run", "events", "--partition", "2026-11-30", "--json", "--config", str(folder)]
    )
    day, whole = json.loads(result.stdout)["tables"]
    assert (day["partition"], day["row_count"]) == ("2026-11-30", 4)
    outcomes = {c["name"]: c["outcome"] for c in day["checks"]}
    assert outcomes["id_unique_in_its_partition"] == "pass"  # event 0 is there once on 11-30
    assert "id_unique_everywhere" not in outcomes  # not judged on a partition
    assert whole["partition"] is None
    [check] = whole["checks"]  # the whole-table rules alone
    assert (check["name"], check["outcome"]) == ("id_unique_everywhere", "fail")
    assert check["metadata"]["duplicate_rows"] == 2  # 11-28's event 0 and 11-30's

    defs = build_quality_definitions(folder, QualityOptions(namespace="quality"))
    repo = defs.get_repository_def()
    whole_table_checks = repo.get_job("quality_checks")  # unpartitioned: plain, and the whole-table rules
    with dg.DagsterInstance.ephemeral() as instance:
        run = whole_table_checks.execute_in_process(instance=instance, raise_on_error=False)
        evaluations = {
            (e.asset_key.to_user_string(), e.check_name): e.passed for e in run.get_asset_check_evaluations()
        }
    assert evaluations[("events", "id_unique_everywhere")] is False
    assert ("events", "id_unique_in_its_partition") not in evaluations
    assert ("events_by_month", "id_unique_everywhere") in evaluations


def test_scope_table_on_a_table_without_partitions_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "plain.yaml").write_text(
        PLAIN.format(root=tmp_path) + '  - name: id_unique\n    rule: IsUnique "event_id"\n    scope: table\n'
    )
    [problem] = load_table_specs(folder).problems
    assert "rule 'id_unique' has scope: table, which is for a partitioned table's rules" in str(problem)
    assert str(problem).startswith(f"{folder / 'plain.yaml'}:")


def test_freshness_is_judged_on_the_latest_partition_and_skipped_on_a_past_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Days relative to today: the latest complete daily partition is yesterday, whatever the date."""
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    today = datetime.now(tz=UTC).date()
    yesterday, week_ago = today - timedelta(days=1), today - timedelta(days=7)
    days = [yesterday, yesterday, week_ago, week_ago]
    rows = pa.table(
        {
            "event_date": pa.array(days, pa.date32()),
            # each day's rows are loaded at 01:00 on the day: a week-old day's rows are a week old
            "loaded_at": pa.array(
                [datetime.combine(d, time(1), tzinfo=UTC) for d in days], pa.timestamp("us", "UTC")
            ),
        }
    )
    pq.write_table(rows, tmp_path / "loads.parquet")
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "loads.yaml").write_text(
        f'table: loads\nsource: {{type: file, path: "{tmp_path / "loads.parquet"}"}}\n'
        f'partition: {{column: event_date, by: day, start: "{today - timedelta(days=30)}"}}\n'
        "freshness: {max_age_hours: 48, timestamp_column: loaded_at}\n"
    )

    def freshness_on(day: date) -> dict[str, str]:
        result = CliRunner().invoke(
            cli, ["run", "loads", "--partition", day.isoformat(), "--json", "--config", str(tables)]
        )
        [table] = json.loads(result.stdout)["tables"]
        check = {c["name"]: c for c in table["checks"]}["freshness"]
        return {"outcome": check["outcome"], "description": check["description"]}

    assert freshness_on(yesterday)["outcome"] == "pass"  # loaded at most 47 h ago
    assert freshness_on(week_ago) == {
        "outcome": "skip",
        "description": f"partition {week_ago} is past: freshness is judged on the latest partition, "
        f"{yesterday}",
    }
