"""Freshness per partition: "yesterday's partition must hold rows by 06:00 UTC", checked and watched.

`events.parquet` holds 4 rows on 2026-11-28 and on 2026-11-29; 2026-11-30 never arrived (planted).
The table's partitions are due 6 hours after they end: 2026-11-30 by 2026-12-01 06:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dq_assets.freshness_sensor import STANDALONE_JOBS
from dq_assets.partition_arrivals import due_partition_requests
from dq_assets.source_resources import CLOCK_RESOURCE_KEY, default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import DefinedTable, load_table_specs
from dq_resources.clock import ClockResource

EVENTS = """\
table: events
source: {{type: file, path: "{root}/events.parquet"}}
partition: {{column: event_date, by: day, start: "2026-11-01", arrives_within_hours: 6}}
"""


@pytest.fixture
def events(tmp_path: Path) -> DefinedTable:
    days = [date(2026, 11, 28)] * 4 + [date(2026, 11, 29)] * 4  # planted: nothing for 2026-11-30
    pq.write_table(pa.table({"event_date": pa.array(days, pa.date32())}), tmp_path / "events.parquet")
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "events.yaml").write_text(EVENTS.format(root=tmp_path))
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    return loaded.by_name("events")


def arrival(
    events: DefinedTable, instance: dg.DagsterInstance, partition: str, now: datetime
) -> dg.AssetCheckEvaluation | None:
    """Check `partition` at `now`: its `arrival` evaluation, or None when the check skipped."""
    resources = {**default_resources(), CLOCK_RESOURCE_KEY: ClockResource(fixed_now=now.isoformat())}
    result = dg.materialize(
        [build_table_asset(events, {"events": events})],
        instance=instance,
        resources=resources,
        partition_key=partition,
        raise_on_error=False,
    )
    found = [e for e in result.get_asset_check_evaluations() if e.check_name == "arrival"]
    return found[0] if found else None


def test_an_empty_partition_is_late_only_once_its_due_time_has_passed(events: DefinedTable) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        arrived = arrival(events, instance, "2026-11-29", datetime(2026, 12, 1, 3, tzinfo=UTC))
        early = arrival(events, instance, "2026-11-30", datetime(2026, 12, 1, 3, tzinfo=UTC))
        late = arrival(events, instance, "2026-11-30", datetime(2026, 12, 1, 7, 30, tzinfo=UTC))
    assert arrived is not None and arrived.passed
    assert arrived.description == "partition 2026-11-29 has arrived: 4 rows"
    assert early is None  # skipped: not due until 06:00
    assert late is not None and not late.passed
    assert late.severity == dg.AssetCheckSeverity.ERROR
    assert late.description == (
        "partition 2026-11-30 has no rows; it was due by 2026-12-01 06:00:00+00:00 (1.5 h late)"
    )


def test_the_sensor_asks_once_for_the_newest_due_partition_until_it_has_arrived(events: DefinedTable) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        # 05:00 on 12-01: 11-30 is not due yet; 11-29 was due at 06:00 on 11-30 and was never checked
        [request] = due_partition_requests(
            instance, [events], datetime(2026, 12, 1, 5, tzinfo=UTC), STANDALONE_JOBS
        )
        assert (request.partition_key, request.run_key) == ("2026-11-29", "arrival:events:2026-11-29")
        assert request.job_name == "dq_checks_daily_from_2026_11_01"

        arrival(events, instance, "2026-11-29", datetime(2026, 12, 1, 5, tzinfo=UTC))  # it has arrived
        assert (
            due_partition_requests(instance, [events], datetime(2026, 12, 1, 5, tzinfo=UTC), STANDALONE_JOBS)
            == []
        )

        # 07:00: 11-30 is due and has not arrived
        [request] = due_partition_requests(
            instance, [events], datetime(2026, 12, 1, 7, tzinfo=UTC), STANDALONE_JOBS
        )
        assert (request.partition_key, request.run_key) == ("2026-11-30", "arrival:events:2026-11-30")


def test_an_arrival_sla_on_partitions_by_value_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "t.yaml").write_text(
        "table: t\nsource: {type: file, path: x.parquet}\n"
        "partition: {column: region, by: value, values: [eu], arrives_within_hours: 6}\n"
    )
    [problem] = load_table_specs(folder).problems
    why = "arrives_within_hours is for partitions of time (by: hour, day or month)"
    assert str(problem) == f"{folder / 't.yaml'}:3: partition: {why}"
