"""An attached table's partitions come from its asset, and a disagreement is refused at its line.

`build_quality_definitions` is given the project's assets the way the component reads them (a
key -> partitions mapping; `tests/e2e/test_partitioned_component.py` reads a real dg project's).
The data is a Parquet file of 2 days x 3 events; 2026-11-02 holds a planted negative amount.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dq_assets.build import QualityOptions, build_quality_definitions
from dq_checks.config.loader import ConfigError, load_table_specs

DAILY = dg.DailyPartitionsDefinition(start_date="2026-11-01")
EVENTS = dg.AssetKey("events")
OPTIONS = QualityOptions(schedules=False, freshness_sensor=False, namespace="quality")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    days = [date(2026, 11, 1)] * 3 + [date(2026, 11, 2)] * 3
    amounts = [1.0, 2.0, 3.0, 4.0, -5.0, 6.0]  # planted: the negative amount is on 2026-11-02
    rows = pa.table({"event_date": pa.array(days, pa.date32()), "amount": pa.array(amounts)})
    path = tmp_path / "events.parquet"
    pq.write_table(rows, path)
    return path


def tables(tmp_path: Path, data: Path, partition: str | None) -> Path:
    """A tables folder holding `events.yaml`, attached to asset `events`, with `partition` as written."""
    folder = tmp_path / "tables"
    folder.mkdir(exist_ok=True)
    block = "" if partition is None else f"partition: {partition}\n"
    source = f'source: {{type: file, path: "{data}"}}\n'
    rules = 'rules:\n  - name: amount_positive\n    rule: ColumnValues "amount" > 0\n'
    (folder / "events.yaml").write_text("asset: events\n" + source + block + rules)
    return folder


def refusal(folder: Path, assets: dict[dg.AssetKey, dg.PartitionsDefinition | None] | None) -> str:
    """The one problem the load reports, as `path:line: message`."""
    with pytest.raises(ConfigError) as error:
        build_quality_definitions(folder, OPTIONS, project_assets=None if assets is None else lambda: assets)
    (problem,) = error.value.problems
    return str(problem)


def check_specs(defs: dg.Definitions) -> list[dg.AssetCheckSpec]:
    return [spec for checks in defs.asset_checks or () for spec in checks.check_specs]


def users_asset(partitions: dg.PartitionsDefinition | None) -> dg.AssetsDefinition:
    @dg.asset(name="events", partitions_def=partitions)
    def events() -> None:
        """The user's own loader (the file is already written)."""

    return events


def test_without_by_the_checks_take_the_assets_daily_partitions_and_check_each_days_rows(
    tmp_path: Path, data: Path
) -> None:
    folder = tables(tmp_path, data, "{column: event_date}")
    quality = build_quality_definitions(folder, OPTIONS, project_assets=lambda: {EVENTS: DAILY})
    defs = dg.Definitions.merge(dg.Definitions(assets=[users_asset(DAILY)]), quality)
    specs = check_specs(quality)
    assert {spec.name for spec in specs} >= {"profile", "amount_positive"}
    assert all(spec.partitions_def == DAILY for spec in specs)

    job = defs.resolve_implicit_global_asset_job_def()
    outcomes = {}
    for day in ("2026-11-01", "2026-11-02"):
        result = job.execute_in_process(partition_key=day, instance=dg.DagsterInstance.ephemeral())
        evaluations = result.get_asset_check_evaluations()
        outcomes[day] = {e.check_name: e.passed for e in evaluations if e.check_name == "amount_positive"}
        assert {e.partition for e in evaluations} == {day}
    assert outcomes == {"2026-11-01": {"amount_positive": True}, "2026-11-02": {"amount_positive": False}}


@pytest.mark.parametrize(
    ("partitions", "by"),
    [
        (dg.StaticPartitionsDefinition(["eu", "us"]), {"by": "value", "values": ("eu", "us")}),
        (
            dg.HourlyPartitionsDefinition(start_date="2026-11-01-00:00", timezone="Europe/Paris"),
            {"by": "hour", "start": "2026-11-01-00:00", "timezone": "Europe/Paris"},
        ),
        (dg.MonthlyPartitionsDefinition(start_date="2026-01-01"), {"by": "month", "start": "2026-01-01"}),
    ],
)
def test_hourly_monthly_and_listed_partitions_are_taken_as_written_by_the_asset(
    tmp_path: Path, data: Path, partitions: dg.PartitionsDefinition, by: dict[str, object]
) -> None:
    folder = tables(tmp_path, data, "{column: event_date}")
    quality = build_quality_definitions(folder, OPTIONS, project_assets=lambda: {EVENTS: partitions})
    (spec,) = [s for s in check_specs(quality) if s.name == "amount_positive"]
    assert spec.partitions_def == partitions
    # The same definition, written out with by:, loads to the same partitions.
    (folder / "events.yaml").write_text(
        (folder / "events.yaml").read_text().replace("{column: event_date}", _block(by))
    )
    assert load_table_specs(folder).tables[0].spec.partition is not None
    written = build_quality_definitions(folder, OPTIONS, project_assets=lambda: {EVENTS: partitions})
    (again,) = [s for s in check_specs(written) if s.name == "amount_positive"]
    assert again.partitions_def == partitions


def _block(by: dict[str, object]) -> str:
    parts = ["column: event_date"]
    for key, value in by.items():
        parts.append(
            f"{key}: [{', '.join(map(str, value))}]" if isinstance(value, tuple) else f"{key}: '{value}'"
        )
    return "{" + ", ".join(parts) + "}"


def test_a_partitioned_asset_with_no_partition_block_is_refused_at_the_table_line(
    tmp_path: Path, data: Path
) -> None:
    folder = tables(tmp_path, data, None)
    message = refusal(folder, {EVENTS: DAILY})
    assert message == (
        f"{folder / 'events.yaml'}:1: asset 'events' is partitioned (Daily, starting 2026-11-01 UTC), so "
        "each partition's checks must read its rows alone: add partition: {column: <the column holding "
        "the partition>}"
    )


def test_partitions_that_disagree_with_the_assets_are_refused_at_the_partition_line(
    tmp_path: Path, data: Path
) -> None:
    folder = tables(tmp_path, data, "{column: event_date, by: month, start: '2026-11-01'}")
    message = refusal(folder, {EVENTS: DAILY})
    assert message.startswith(
        f"{folder / 'events.yaml'}:3: partition: says Monthly, starting 2026-11-01 UTC,"
    )
    assert "but asset 'events' is partitioned Daily, starting 2026-11-01 UTC;" in message


def test_a_partition_block_on_an_unpartitioned_asset_is_refused(tmp_path: Path, data: Path) -> None:
    folder = tables(tmp_path, data, "{column: event_date}")
    assert refusal(folder, {EVENTS: None}).endswith(
        ":3: asset 'events' is not partitioned, so its checks cannot be: remove partition:"
    )


@pytest.mark.parametrize(
    ("partitions", "why"),
    [
        (dg.WeeklyPartitionsDefinition(start_date="2026-11-01"), "dq checks hourly, daily and monthly"),
        (dg.DailyPartitionsDefinition(start_date="2026-11-01", hour_offset=6), "dq checks hourly, daily"),
        (dg.DailyPartitionsDefinition(start_date="2026-11-01", end_date="2026-12-01"), "is not the same"),
    ],
)
def test_partitions_dq_cannot_cut_rows_by_are_named_in_the_refusal(
    tmp_path: Path, data: Path, partitions: dg.PartitionsDefinition, why: str
) -> None:
    folder = tables(tmp_path, data, "{column: event_date}")
    message = refusal(folder, {EVENTS: partitions})
    assert f":3: asset 'events' is partitioned {str(partitions).rstrip('.')}: " in message
    assert why in message


def test_an_arrival_sla_on_partitions_by_value_is_refused_once_the_assets_partitions_are_known(
    tmp_path: Path, data: Path
) -> None:
    folder = tables(tmp_path, data, "{column: event_date, arrives_within_hours: 6}")
    message = refusal(folder, {EVENTS: dg.StaticPartitionsDefinition(["eu", "us"])})
    assert message.endswith("arrives_within_hours is for partitions of time (by: hour, day or month)")


def test_without_by_an_asset_that_cannot_be_read_is_refused(tmp_path: Path, data: Path) -> None:
    folder = tables(tmp_path, data, "{column: event_date}")
    standalone = refusal(folder, None)
    assert "asset 'events', which cannot be read here (the standalone code location)" in standalone
    assert "which is not defined; add by: and start: (or values:)" in refusal(folder, {})


def test_a_table_of_dqs_own_needs_by(tmp_path: Path, data: Path) -> None:
    folder = tables(tmp_path, data, "{column: event_date}")
    text = (folder / "events.yaml").read_text().replace("asset: events", "table: events")
    (folder / "events.yaml").write_text(text)
    (problem,) = load_table_specs(folder).problems
    assert problem.line == 3
    assert (
        "partition: needs by: (hour, day, month or value); only a table attached to an asset"
        in problem.message
    )


def test_start_without_by_is_refused(tmp_path: Path, data: Path) -> None:
    folder = tables(tmp_path, data, "{column: event_date, start: '2026-11-01'}")
    (problem,) = load_table_specs(folder).problems
    assert problem.line == 3
    assert "start without by: (without by:, the partitions are the asset's own)" in problem.message
