"""A partition is judged against the partitions before it, each at its own start, not the runs in order.

`events.parquet` holds 31 days from 2026-10-01: about 100 rows on a weekday (96 to 104), 20 on
a weekend day. Planted: 2026-10-28, a Wednesday, arrives late and small, with 10 rows.
The partitions are checked one `dq run` at a time, on one Dagster instance, in the order a
backfill and a late re-run would leave them.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from dq_assets.cli.main import cli

FIRST = date(2026, 10, 1)
SMALL_DAY = date(2026, 10, 28)  # planted: 10 rows on a Wednesday

EVENTS = """\
table: events
source: {{type: file, path: "{root}/events.parquet"}}
partition: {{column: event_date, by: day, start: "2026-10-01"}}
history: {{min_points: 3, seasonality: day_of_week}}
rules:
  - name: not_triple_the_last_two
    rule: RowCount <= 3 * avg(last(2))
"""


def rows_on(day: date) -> int:
    if day == SMALL_DAY:
        return 10
    return 20 if day.weekday() >= 5 else 96 + day.day % 9


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    days = [FIRST + timedelta(days=n) for n in range(31)]
    dates = [day for day in days for _ in range(rows_on(day))]
    table = pa.table({"event_date": pa.array(dates, pa.date32()), "amount": pa.array([1.0] * len(dates))})
    pq.write_table(table, tmp_path / "events.parquet")
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "events.yaml").write_text(EVENTS.format(root=tmp_path))
    (tmp_path / "alerts.yaml").write_text("default:\n  channels: [log]\n")
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # one instance for every run: the history
    return tables


def check(folder: Path, day: date) -> dict[str, dict[str, object]]:
    result = CliRunner().invoke(
        cli, ["run", "--partition", day.isoformat(), "--json", "--config", str(folder)]
    )
    [table] = json.loads(result.stdout)["tables"]
    assert (table["partition"], table["row_count"]) == (day.isoformat(), rows_on(day))
    return {c["name"]: c for c in table["checks"]}


def test_volume_and_last_k_follow_the_partitions_not_the_order_they_were_checked_in(folder: Path) -> None:
    for n in range(24):  # the backfill: 2026-10-01 .. 2026-10-24, in order
        check(folder, FIRST + timedelta(days=n))

    small = check(folder, SMALL_DAY)
    assert small["volume"]["outcome"] == "fail"  # 10 rows against the Wednesdays before it
    assert "Wednesday" in str(small["volume"]["description"])

    # Checked after the 28th, the Sunday of the 25th is compared with the Sundays before it
    # (20 rows each); in run order its weekday would be today's, and its past every weekday's.
    sunday = check(folder, date(2026, 10, 25))
    assert sunday["volume"]["outcome"] == "pass", sunday["volume"]["description"]

    # last(2) of Monday the 26th is the two partitions before it, the 25th and 24th (20 rows
    # each): the bound is 3 * 20 = 60. In run order it would be the 25th and the 28th (20 and
    # 10 rows), a bound of 45.
    monday = check(folder, date(2026, 10, 26))
    rule = monday["not_triple_the_last_two"]
    assert rule["description"] == "row count = 104 does not meet <= (3 * avg(last(2))) (= 60)"
