"""Dynamic rules read their history from the Dagster instance: earlier runs of the same check."""

from __future__ import annotations

import textwrap
from pathlib import Path

import dagster as dg
import pyarrow as pa

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.iceberg.catalogs import load_named_catalog
from tests.check_outcomes import observed_values, outcome_by_check


def outcomes(result: dg.ExecuteInProcessResult) -> dict[str, tuple[str, float | None]]:
    """Each check's outcome and observed value; a skipped check has no evaluation, only the profile's note."""
    observed = observed_values(result)
    return {name: (outcome, observed.get(name)) for name, outcome in outcome_by_check(result).items()}


def test_last_k_comes_from_earlier_runs(scratch_catalog: str, tmp_path: Path) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    table = catalog.create_table("ns.events", schema=pa.schema([("id", pa.int64())]))
    table.append(pa.table({"id": pa.array(range(100), pa.int64())}))
    (tmp_path / "events.yaml").write_text(
        textwrap.dedent(
            f"""\
            table: events
            source: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.events}}
            rules:
              - name: growing
                rule: RowCount > avg(last(3)) * 1.5
              - name: learned
                rule: DetectAnomalies "RowCount"
            """
        )
    )
    loaded = load_table_specs(tmp_path)
    defined = loaded.by_name("events")
    asset = build_table_asset(defined, {"events": defined})
    instance = dg.DagsterInstance.ephemeral()

    def run() -> dict[str, tuple[str, float | None]]:
        result = dg.materialize([asset], instance=instance, resources=default_resources())
        return outcomes(result)

    first = run()
    # No history: last(3) is 0.0, so 100 > 0 passes; DetectAnomalies has nothing to learn from.
    assert first["growing"] == ("pass", 100.0)
    assert first["learned"] == ("skip", 100.0)
    second = run()
    # History [100]: 100 > 150 fails.
    assert second["growing"] == ("fail", 100.0)
    table.append(pa.table({"id": pa.array(range(200), pa.int64())}))  # now 300 rows
    third = run()
    # History [100, 100] (most recent first): 300 > 150 passes.
    assert third["growing"] == ("pass", 300.0)
    assert third["learned"][0] == "skip"  # 2 earlier values; 5 are needed


def test_detect_anomalies_learns_from_five_runs_then_flags_a_jump(
    scratch_catalog: str, tmp_path: Path
) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    table = catalog.create_table("ns.orders", schema=pa.schema([("id", pa.int64())]))
    table.append(pa.table({"id": pa.array(range(1_000), pa.int64())}))
    (tmp_path / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.orders}}\n"
        'rules:\n  - {name: learned_volume, rule: DetectAnomalies "RowCount"}\n'
    )
    defined = load_table_specs(tmp_path).by_name("orders")
    asset = build_table_asset(defined, {"orders": defined})
    instance = dg.DagsterInstance.ephemeral()
    seen = []
    for _ in range(6):
        result = dg.materialize([asset], instance=instance, resources=default_resources())
        seen.append(outcomes(result)["learned_volume"][0])
    # Five runs to learn from (skip), then a normal run passes.
    assert seen == ["skip", "skip", "skip", "skip", "skip", "pass"]
    table.append(pa.table({"id": pa.array(range(5_000), pa.int64())}))  # planted: volume jumps 6x
    result = dg.materialize([asset], instance=instance, resources=default_resources())
    assert outcomes(result)["learned_volume"] == ("fail", 6_000.0)
