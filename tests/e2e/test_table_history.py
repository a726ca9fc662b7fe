"""A table's life replayed day by day: each run sees its history in the Dagster instance.

Iceberg snapshots are stamped with the day they stand for (snapshot_clock) and every run
reads the same injected clock (ClockResource), so "days" pass in seconds. The sequence
plants, in order: ten normal days, a null spike, a dropped column, a sudden drop in rows,
and a table left stale. Each run must flag exactly what was planted that day, on sqlite
and on Postgres storage alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import numpy as np
import pyarrow as pa
import pytest

from dq_assets.source_resources import CLOCK_RESOURCE_KEY, default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.clock import ClockResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from tests.check_outcomes import skipped_checks

DAY0 = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)
SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("amount", pa.float64()),
        ("note", pa.string()),
        ("created", pa.timestamp("us", tz="UTC")),
    ]
)


def day_rows(day: int, first_id: int, rows: int = 1_000, *, null_notes: float = 0.0) -> pa.Table:
    rng = np.random.default_rng(day)
    notes = rng.choice(["a", "b", "c"], rows).astype(object)
    notes[: int(rows * null_notes)] = None
    return pa.table(
        {
            "id": pa.array(np.arange(first_id, first_id + rows), pa.int64()),
            "amount": pa.array(rng.normal(100, 10, rows)),
            "note": pa.array(notes, pa.string()),
            "created": pa.array([DAY0 + timedelta(days=day)] * rows, pa.timestamp("us", tz="UTC")),
        },
        schema=SCHEMA,
    )


@pytest.fixture
def instance(backend: tuple[dg.DagsterInstance, str]) -> dg.DagsterInstance:
    """The Dagster instance of `backend`: sqlite files, or a real PostgreSQL database."""
    return backend[0]


def flagged(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    """What a run flagged: failing checks with their severity, the anomalies' types by column, and
    the drifted columns with their kinds."""
    found: dict[str, object] = {}
    for evaluation in result.get_asset_check_evaluations():
        outcome = evaluation.metadata["dq/outcome"].value
        if outcome not in ("pass", "skip"):
            found[evaluation.check_name] = evaluation.severity.value
        if evaluation.check_name == "anomalies" and "anomalies" in evaluation.metadata:
            listed = [
                (a["column"], a["method"].split(":")[0]) for a in evaluation.metadata["anomalies"].value
            ]
            if listed:
                found["anomaly_list"] = sorted(listed)
        if evaluation.check_name == "drift" and outcome == "fail":
            columns = evaluation.metadata["dq/drift"].value["columns"]
            found["drift_list"] = sorted((c["column"], *c["kinds"]) for c in columns if c["kinds"])
    return found


def drift_baseline(result: dg.ExecuteInProcessResult) -> str | None:
    """The data version the drift check compared with; None when it did not evaluate."""
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.check_name == "drift":
            return str(evaluation.metadata["dq/drift_baseline"].value)
    return None


def skipped(result: dg.ExecuteInProcessResult) -> set[str]:
    """Skipped checks yield no evaluation; the profile check's `dq/skipped` names them."""
    return set(skipped_checks(result))


def test_each_day_flags_exactly_what_was_planted(
    instance: dg.DagsterInstance, scratch_catalog: str, tmp_path: Path
) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    table = catalog.create_table("ns.events", schema=SCHEMA)
    config = tmp_path / "defs"
    config.mkdir()
    (config / "events.yaml").write_text(
        f"table: events\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.events}}\n"
        "freshness: {max_age_hours: 26, warn_after_hours: 25}\n"
        "history: {min_points: 5}\n"
        "anomalies: {columns: {id: {skip: [history_drift]}, created: {skip: [history_drift]}}}\n"
    )
    defined = load_table_specs(config).by_name("events")
    asset = build_table_asset(defined, {"events": defined})
    next_id = 0
    outcomes: dict[int, dict[str, object]] = {}
    skips: dict[int, set[str]] = {}
    baselines: dict[int, str | None] = {}

    def write(day: int, data: pa.Table, *, overwrite: bool = False) -> None:
        with snapshot_clock(DAY0 + timedelta(days=day)):
            if overwrite:
                table.overwrite(data)
            else:
                table.append(data)

    def check(day: int, hours: float = 1.0) -> None:
        clock = ClockResource(fixed_now=(DAY0 + timedelta(days=day, hours=hours)).isoformat())
        resources = {**default_resources(), CLOCK_RESOURCE_KEY: clock}
        result = dg.materialize([asset], instance=instance, resources=resources)
        outcomes[day], skips[day], baselines[day] = flagged(result), skipped(result), drift_baseline(result)

    for day in range(10):  # ten normal days: about 1,000 new rows a day
        write(day, day_rows(day, next_id))
        next_id += 1_000
        check(day)
    write(10, day_rows(10, next_id, null_notes=0.8))  # planted: 80% of today's notes are NULL
    next_id += 1_000
    check(10)
    with snapshot_clock(DAY0 + timedelta(days=11)):  # planted: the note column is dropped
        table.update_schema().delete_column("note").commit()
    write(11, day_rows(11, next_id).drop(["note"]))
    next_id += 1_000
    check(11)
    write(
        12, day_rows(12, next_id, rows=500).drop(["note"]), overwrite=True
    )  # planted: 12,000 rows become 500
    check(12)
    check(15)  # planted: no new data for three days

    # Without five earlier runs the volume check has nothing to learn from: it skips, never alarms.
    # The first run has no earlier data version for the drift check: it skips too, the next run's baseline.
    assert outcomes[0] == {}
    assert skips[0] == {"volume", "drift"}
    for day in range(1, 5):
        assert outcomes[day] == {}, day
        assert skips[day] == {"volume"}, day
    for day in range(5, 10):  # a normal run flags nothing
        assert outcomes[day] == {}, day
        assert skips[day] == set(), day
    # After day 0 the drift check evaluates every run: a drift verdict missing from `outcomes` is a pass.
    for day in (10, 11, 12, 15):
        assert skips[day] == set(), day
    # The 80% NULL notes of day 10 are 7.3% of the table's 11,000 rows: the history sees the null %
    # leave its range, and the drift check the NULL share move by more than its 5 points.
    assert outcomes[10] == {
        "anomalies": "WARN",
        "anomaly_list": [("note", "null %")],
        "drift": "WARN",
        "drift_list": [("note", "null_rate")],
    }
    # The dropped column is the schema check's to judge; the drift check compares the 3 left, unchanged.
    assert outcomes[11] == {"schema": "ERROR"}
    # The overwrite replaced 12,000 rows with 500 new ones: the volume drop, and with it the amount
    # column's distinct count and its mean (a 500-row sample) leave their histories too. The drift
    # check passes: the 500 rows are fresh draws of the same distributions, and it compares shapes,
    # not counts.
    assert outcomes[12] == {
        "volume": "WARN",
        "anomalies": "WARN",
        "anomaly_list": [("amount", "distinct values"), ("amount", "mean")],
    }
    # Stale: the snapshot is three days old. The drop stays flagged: the data has not changed since.
    # Re-checking the same data version, the drift check compares with the version before it again.
    assert baselines[15] == baselines[12] != baselines[11]
    assert outcomes[15] == {
        "freshness": "ERROR",
        "volume": "WARN",
        "anomalies": "WARN",
        "anomaly_list": [("amount", "distinct values"), ("amount", "mean")],
    }
