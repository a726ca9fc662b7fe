"""`profile: off` through Dagster: no column statistics, yet the row count's history still judges volume.

The history is read back from the instance (dq_assets.instance_table_history), as every real run reads it.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa

from dq_assets.instance_table_history import read_past_runs
from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.iceberg.catalogs import load_named_catalog
from tests.check_outcomes import outcome_by_check


def evaluation(result: dg.ExecuteInProcessResult, check: str) -> dict[str, object]:
    (found,) = [e for e in result.get_asset_check_evaluations() if e.check_name == check]
    return {key: value.value for key, value in found.metadata.items()}


def test_off_level_learns_volume_from_row_counts_and_never_column_metrics(
    scratch_catalog: str, tmp_path: Path
) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    table = catalog.create_table("ns.events", schema=pa.schema([("id", pa.int64()), ("kind", pa.string())]))

    def append(rows: int) -> None:
        table.append(pa.table({"id": pa.array(range(rows), pa.int64()), "kind": pa.array(["a"] * rows)}))

    (tmp_path / "events.yaml").write_text(
        f"table: events\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.events}}\n"
        "profile: off\nhistory: {min_points: 3}\n"
        'rules:\n  - {name: has_rows, rule: "RowCount > 0"}\n'
    )
    defined = load_table_specs(tmp_path).by_name("events")
    assert defined is not None
    asset = build_table_asset(defined, {"events": defined})
    instance = dg.DagsterInstance.ephemeral()

    def run() -> dg.ExecuteInProcessResult:
        return dg.materialize([asset], instance=instance, resources=default_resources())

    seen = []
    for rows in (1_000, 10, 10, 10):  # 1,000, 1,010, 1,020 then 1,030 rows: each run a new snapshot
        append(rows)
        seen.append(outcome_by_check(run())["volume"])
    # Three earlier runs are needed; the fourth run has them and 1,030 follows their trend.
    assert seen == ["skip", "skip", "skip", "pass"]
    append(5_000)  # planted: the volume jumps to 6,030 rows
    result = run()
    outcomes = outcome_by_check(result)
    assert (outcomes["volume"], outcomes["has_rows"], outcomes["profile"], outcomes["anomalies"]) == (
        "fail",
        "pass",
        "pass",
        "pass",
    )
    profile = evaluation(result, "profile")
    assert (profile["dq/profile_level"], profile["dq/row_count"], profile["queries"]) == ("off", 6_030, 1)
    assert profile["dq/column_metrics"] == {}  # nothing per column for later runs to learn from
    anomalies = evaluation(result, "anomalies")
    assert (anomalies["dq/profile_level"], anomalies["anomaly_count"]) == ("off", 0)


def test_approximate_runs_are_read_back_with_their_estimates_named(
    scratch_catalog: str, tmp_path: Path
) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    table = catalog.create_table("ns.events", schema=pa.schema([("id", pa.int64()), ("kind", pa.string())]))
    table.append(pa.table({"id": pa.array(range(5_000), pa.int64()), "kind": pa.array(["a", "b"] * 2_500)}))
    (tmp_path / "events.yaml").write_text(
        f"table: events\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.events}}\n"
        "profile: approximate\n"
    )
    defined = load_table_specs(tmp_path).by_name("events")
    assert defined is not None
    instance = dg.DagsterInstance.ephemeral()

    dg.materialize(
        [build_table_asset(defined, {"events": defined})], instance=instance, resources=default_resources()
    )

    (run,) = read_past_runs(instance, dg.AssetKey("events"), limit=5)
    # id's distinct count and quartiles are estimates; kind's count comes exact from its frequencies.
    assert run.approximate == {"id.distinct_count", "id.q1", "id.median", "id.q3"}
    assert {"id.distinct_count", "kind.distinct_count"} <= set(run.metrics)
    # The materialization, read when a run's profile check did not run, names them too.
    (record,) = instance.fetch_materializations(dg.AssetKey("events"), limit=5).records
    assert record.asset_materialization is not None
    estimated = record.asset_materialization.metadata["dq/approximate_metrics"].value
    assert estimated == {"id": ["distinct_count", "q1", "median", "q3"]}
