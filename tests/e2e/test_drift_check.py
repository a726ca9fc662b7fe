"""The `drift` check in Dagster: against the previous data version, a pinned Iceberg snapshot, or a file.

Real Iceberg tables (pyiceberg's SqlCatalog on sqlite), real DuckDB, a real Dagster instance. Each
day's rows are fresh draws of the same distributions unless a defect is planted, and the comments
say which.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from dq_assets.source_resources import CLOCK_RESOURCE_KEY, default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.clock import ClockResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from tests.check_outcomes import outcome_by_check, skipped_checks

DAY0 = datetime(2026, 10, 1, 6, 0, tzinfo=UTC)
ROWS = 4_000
SCHEMA = pa.schema(
    [
        ("order_id", pa.int64()),
        ("amount", pa.float64()),
        ("status", pa.string()),
        ("created", pa.timestamp("us", tz="UTC")),
    ]
)
STATUSES = ["paid", "shipped", "pending", "cancelled"]
SHARES = [0.5, 0.3, 0.15, 0.05]


def orders(day: int, *, amount_shift: float = 0.0, first_id: int = 0) -> pa.Table:
    """A day of orders: amount ~ N(100, 15) (+ amount_shift), four statuses at fixed shares."""
    rng = np.random.default_rng(day)
    seconds = rng.integers(0, 86_400, ROWS)
    return pa.table(
        {
            "order_id": pa.array(np.arange(first_id, first_id + ROWS), pa.int64()),
            "amount": pa.array(rng.normal(100, 15, ROWS) + amount_shift),
            "status": pa.array(rng.choice(STATUSES, ROWS, p=SHARES), pa.string()),
            "created": pa.array(
                [DAY0 + timedelta(days=day, seconds=int(s)) for s in seconds], pa.timestamp("us", tz="UTC")
            ),
        },
        schema=SCHEMA,
    )


def drift_evaluation(result: dg.ExecuteInProcessResult) -> dg.AssetCheckEvaluation:
    return next(e for e in result.get_asset_check_evaluations() if e.check_name == "drift")


class Table:
    """An Iceberg table `ns.orders` in a scratch catalog, its definition, and a way to check it."""

    def __init__(self, catalog_name: str, config: Path, extra_yaml: str = "") -> None:
        catalog = load_named_catalog(catalog_name)
        catalog.create_namespace("ns")
        self.iceberg = catalog.create_table("ns.orders", schema=SCHEMA)
        config.mkdir(exist_ok=True)
        (config / "orders.yaml").write_text(
            f"table: orders\nsource: {{type: iceberg, catalog: {catalog_name}, identifier: ns.orders}}\n"
            + extra_yaml
        )
        defined = load_table_specs(config).by_name("orders")
        assert defined is not None
        self.asset = build_table_asset(defined, {"orders": defined})
        self.instance = dg.DagsterInstance.ephemeral()

    def overwrite(self, day: int, data: pa.Table) -> int:
        with snapshot_clock(DAY0 + timedelta(days=day)):
            self.iceberg.overwrite(data)
        snapshot = self.iceberg.current_snapshot()
        assert snapshot is not None
        return snapshot.snapshot_id

    def check(self, day: int) -> dg.ExecuteInProcessResult:
        clock = ClockResource(fixed_now=(DAY0 + timedelta(days=day, hours=2)).isoformat())
        resources = {**default_resources(), CLOCK_RESOURCE_KEY: clock}
        return dg.materialize([self.asset], instance=self.instance, resources=resources)


def test_drift_against_the_previous_data_version(scratch_catalog: str, tmp_path: Path) -> None:
    table = Table(scratch_catalog, tmp_path / "defs")
    table.overwrite(0, orders(0))
    first = table.check(0)
    # Nothing to compare with yet: skipped, with the reason; the profile check keeps the sketch.
    assert "drift" in skipped_checks(first)
    assert "earlier data version" in skipped_checks(first)["drift"]

    table.overwrite(1, orders(1))  # a fresh draw of the same distributions
    second = table.check(1)
    assert outcome_by_check(second)["drift"] == "pass"
    evaluation = drift_evaluation(second)
    # order_id is every value distinct (an id): compared on its NULLs only, never "drifting".
    compared = {c["column"]: c["compared_as"] for c in evaluation.metadata["dq/drift"].value["columns"]}
    assert compared == {
        "order_id": "nulls only",
        "amount": "values",
        "status": "categories",
        "created": "time of day",
    }
    # The numbers the UI plots, one per column and measure.
    assert isinstance(evaluation.metadata["amount.ks_distance"].value, float)
    assert evaluation.metadata["amount.ks_distance"].value < 0.1
    assert isinstance(evaluation.metadata["status.cramers_v"].value, float)

    table.overwrite(2, orders(2, amount_shift=10.0))  # planted: amount moves by 2/3 of its sd
    third = table.check(2)
    evaluation = drift_evaluation(third)
    assert evaluation.metadata["dq/outcome"].value == "fail"
    assert evaluation.severity == dg.AssetCheckSeverity.WARN
    assert evaluation.metadata["dq/drift"].value["drifted"] == ["amount"]
    assert evaluation.description.startswith("1 of 4 columns drifted against data version")
    assert "amount: median moved from" in evaluation.description
    amount = next(c for c in evaluation.metadata["dq/drift"].value["columns"] if c["column"] == "amount")
    assert amount["kinds"] == ["location"]
    # The sample size is stated: the previous version kept a summary of its 4,000 sampled values.
    assert amount["sample_size"] == {"baseline": ROWS, "current": ROWS}

    # Re-checking the unchanged data compares with the version before it again: the same verdict.
    again = drift_evaluation(table.check(3))
    assert again.metadata["dq/drift"].value["drifted"] == ["amount"]
    assert again.metadata["dq/drift"].value["baseline"] == evaluation.metadata["dq/drift"].value["baseline"]


def test_pinned_snapshot_is_read_through_time_travel(scratch_catalog: str, tmp_path: Path) -> None:
    config = tmp_path / "defs"
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    iceberg = catalog.create_table("ns.orders", schema=SCHEMA)
    with snapshot_clock(DAY0):
        iceberg.append(orders(0).slice(0, 3_000))  # the pinned snapshot: 3,000 rows of the clean draw
    snapshot = iceberg.current_snapshot()
    assert snapshot is not None
    pinned = snapshot.snapshot_id
    with snapshot_clock(DAY0 + timedelta(days=1)):
        iceberg.overwrite(orders(1, amount_shift=10.0))  # planted: today's 4,000 rows moved amount
    config.mkdir()
    (config / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.orders}}\n"
        f"drift: {{baseline: {{snapshot_id: {pinned}}}}}\n"
    )
    defined = load_table_specs(config).by_name("orders")
    assert defined is not None
    asset = build_table_asset(defined, {"orders": defined})
    clock = ClockResource(fixed_now=(DAY0 + timedelta(days=1, hours=2)).isoformat())
    result = dg.materialize(
        [asset],
        instance=dg.DagsterInstance.ephemeral(),
        resources={**default_resources(), CLOCK_RESOURCE_KEY: clock},
    )
    drift = drift_evaluation(result).metadata["dq/drift"].value
    # The baseline is the snapshot's 3,000 rows, not the current 4,000: its files were read.
    assert drift["rows"] == {"baseline": 3_000, "current": ROWS}
    assert drift["baseline"] == f"snapshot {pinned}"
    assert drift["drifted"] == ["amount"]
    # Every other check is unaffected by the pin.
    assert outcome_by_check(result)["profile"] == "pass"


def test_a_baseline_as_of_a_moment_pins_the_snapshot_current_then(
    scratch_catalog: str, tmp_path: Path
) -> None:
    # Day 1's snapshot is current at day 1 + 12 h; day 2's overwrite comes after that moment.
    moment = (DAY0 + timedelta(days=1, hours=12)).isoformat()
    table = Table(scratch_catalog, tmp_path / "defs", f"drift: {{baseline: {{as_of: '{moment}'}}}}\n")
    table.overwrite(1, orders(1).slice(0, 2_500))  # the pinned snapshot: 2,500 rows of a clean draw
    table.overwrite(2, orders(2, amount_shift=10.0))  # planted: amount moved by 2/3 of its sd
    evaluation = drift_evaluation(table.check(2))
    drift = evaluation.metadata["dq/drift"].value
    assert drift["baseline"] == f"the snapshot as of {moment}"
    assert drift["rows"] == {"baseline": 2_500, "current": ROWS}  # day 1's files, not day 2's
    assert drift["drifted"] == ["amount"]
    assert evaluation.metadata["dq/outcome"].value == "fail"


def test_file_baseline_and_its_faults(scratch_catalog: str, tmp_path: Path) -> None:
    config = tmp_path / "defs"
    config.mkdir()
    baseline = orders(0)
    pacsv.write_csv(baseline, config / "baseline.csv")
    table = Table(scratch_catalog, config, "drift: {baseline: {file: baseline.csv}}\n")
    table.overwrite(1, orders(1))  # the same distributions as the file
    result = table.check(1)
    assert outcome_by_check(result)["drift"] == "pass"
    assert drift_evaluation(result).metadata["dq/drift_baseline"].value == "file baseline.csv"

    # Planted: the baseline file now has no column in common with the table.
    pacsv.write_csv(pa.table({"sku": ["a", "b"], "qty": [1, 2]}), config / "baseline.csv")
    result = table.check(2)
    evaluation = drift_evaluation(result)
    assert evaluation.metadata["dq/outcome"].value == "error"
    assert "have no column in common (now: order_id, amount, status, created; baseline: sku, qty)" in (
        evaluation.description
    )
    assert outcome_by_check(result)["profile"] == "pass"  # the rest of the run goes on

    # Planted: the file's amount is text; every other column is still compared.
    texts = baseline.set_column(
        1, "amount", pa.array([f"{v:.2f} EUR" for v in baseline["amount"].to_pylist()])
    )
    pacsv.write_csv(texts, config / "baseline.csv")
    evaluation = drift_evaluation(table.check(3))
    assert evaluation.metadata["dq/outcome"].value == "error"
    columns = {c["column"]: c["status"] for c in evaluation.metadata["dq/drift"].value["columns"]}
    assert columns == {"order_id": "stable", "amount": "error", "status": "stable", "created": "stable"}
    assert "amount: type changed from string to double" in evaluation.description

    # Planted: the file is gone: the drift check errors naming it, nothing else does.
    (config / "baseline.csv").unlink()
    result = table.check(4)
    evaluation = drift_evaluation(result)
    assert evaluation.metadata["dq/outcome"].value == "error"
    assert "baseline file baseline.csv cannot be read" in evaluation.description
    assert {n for n, o in outcome_by_check(result).items() if o == "error"} == {"drift"}


def test_a_snapshot_baseline_needs_an_iceberg_source(tmp_path: Path) -> None:
    config = tmp_path / "defs"
    config.mkdir()
    (config / "orders.yaml").write_text(
        "table: orders\nsource: {type: file, path: orders.parquet}\ndrift: {baseline: {snapshot_id: 7}}\n"
    )
    loaded = load_table_specs(config)
    assert loaded.tables == ()
    (problem,) = loaded.problems
    assert "orders.yaml:3" in str(problem)
    assert "baseline: snapshot 7 is read through Iceberg time travel and needs an iceberg source" in str(
        problem
    )
