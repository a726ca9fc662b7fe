"""The dbt example, for real: dbt builds the models and dq's checks run on dagster-dbt's own assets.

examples/shop_dbt is copied to a temporary folder and launched with `dg launch`, as its README
says, with a DAGSTER_HOME of its own. Its seeds plant three defects in raw_orders (commented in
dbt_project/seeds/_seeds.yml): orders 1007 and 1008 loaded twice (4 rows), orders 1009 and 1015
for customers 42 and 43 who do not exist, and order 1012 with an amount of -25.00.

The first launch builds everything. dbt builds its six assets, then dq checks `orders` and
`customers` where dbt-duckdb built them; orders' blocking primary-key rule fails, so the Python
asset `order_summary` downstream does not run. The test then removes the retried batch's second
copy from the seed, as the data team would, and launches again: the key passes, `order_summary`
runs, and its own checks run after it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.events import DagsterEventType
from dagster._core.instance.ref import InstanceRef

from tests.conftest import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "shop_dbt"
BIN = Path(sys.executable).parent
DBT_ASSETS = {"raw_customers", "raw_orders", "stg_customers", "stg_orders", "customers", "orders"}
DBT_STEP = "shop"  # dagster-dbt names the step that runs `dbt build` after the dbt project
RETRIED_BATCH = "1007,6,2026-04-03 10:02:00,delivered,45.00\n1008,7,2026-04-03 12:55:00,shipped,12.50\n"


@dataclass(frozen=True)
class Launch:
    """One `dg launch` of the example: the run and what it recorded."""

    run: dg.DagsterRun
    evaluations: dict[tuple[str, str], dg.AssetCheckEvaluation]
    materialized: dict[str, str]  # asset key -> the step that materialized it
    started_steps: set[str]
    not_executed: dict[str, str]  # step -> why the run did not execute it

    def outcomes(self, asset: str) -> dict[str, str]:
        """Check name -> dq's outcome on `asset`: pass, fail, error, or skip (the profile's dq/skipped)."""
        found = {
            name: str(evaluation.metadata["dq/outcome"].value)
            for (key, name), evaluation in self.evaluations.items()
            if key == asset
        }
        profile = self.evaluations.get((asset, "profile"))
        if profile is not None and "dq/skipped" in profile.metadata:
            found.update(dict.fromkeys(profile.metadata["dq/skipped"].value, "skip"))  # type: ignore[arg-type]
        return found

    def metadata(self, asset: str, check: str, *names: str) -> dict[str, object]:
        """The check's metadata as plain values: all of it, or only `names`."""
        found = self.evaluations[(asset, check)].metadata
        return {
            name: getattr(value, "value", value)
            for name, value in found.items()
            if not names or name in names
        }

    def description(self, asset: str, check: str) -> str:
        """The check's one-line result, as the UI shows it."""
        return str(self.evaluations[(asset, check)].description)


@dataclass(frozen=True)
class Shop:
    """The example copied to a temporary folder, with the environment `dg` runs in."""

    root: Path
    home: Path
    env: dict[str, str]

    def launch(self, selection: str, *options: str) -> Launch:
        """`dg launch --assets SELECTION [OPTIONS]` in the project folder; the run it made, read back."""
        earlier = {run.run_id for run in self.runs()}
        done = subprocess.run(
            [str(BIN / "dg"), "launch", "--assets", selection, *options],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        made = [run for run in self.runs() if run.run_id not in earlier]
        output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert len(made) == 1, f"dg launch made {len(made)} runs:\n{output}"
        with self.instance() as instance:
            return read_run(instance, made[0])

    def instance(self) -> dg.DagsterInstance:
        """The example's Dagster instance (its DAGSTER_HOME)."""
        return dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(self.home)))

    def runs(self) -> list[dg.DagsterRun]:
        """Every run of the example so far."""
        with self.instance() as instance:
            return list(instance.get_runs())


def read_run(instance: dg.DagsterInstance, run: dg.DagsterRun) -> Launch:
    """The run's check evaluations, materializations, started steps and the steps it did not execute."""
    evaluations: dict[tuple[str, str], dg.AssetCheckEvaluation] = {}
    materialized: dict[str, str] = {}
    started: set[str] = set()
    not_executed: dict[str, str] = {}
    for record in instance.all_logs(run.run_id):
        event = record.dagster_event
        if event is None:
            if record.step_key and record.user_message.endswith("Not executing."):
                not_executed[record.step_key] = record.user_message
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            evaluations[(evaluation.asset_key.to_user_string(), evaluation.check_name)] = evaluation
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION:
            materialized[event.asset_key.to_user_string()] = str(event.step_key)
        elif event.event_type == DagsterEventType.STEP_START:
            started.add(str(event.step_key))
    return Launch(run, evaluations, materialized, started, not_executed)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Shop:
    """A fresh copy of the example (nothing built), and a DAGSTER_HOME with telemetry off."""
    base = tmp_path_factory.mktemp("dbt-example")
    root = base / "shop_dbt"
    shutil.copytree(
        EXAMPLE,
        root,
        ignore=shutil.ignore_patterns(
            "target", "logs", ".local_defs_state", ".dq", ".dagster", "__pycache__", "*.duckdb", "*.parquet"
        ),
    )
    home = base / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DQ_", "SHOP_", "DAGSTER_"))}
    # `dbt` is found on PATH, as in an activated virtualenv.
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", DAGSTER_HOME=str(home))
    return Shop(root, home, env)


@pytest.fixture(scope="module")
def first(shop: Shop) -> Launch:
    """Everything, on the seeds as shipped (defects planted), one process per step as by default."""
    return shop.launch("*")


@pytest.fixture(scope="module")
def fixed(shop: Shop, first: Launch) -> Launch:
    """Everything again, after the retried batch's second copy is removed from raw_orders.

    This run executes every step in one process: dq's checks and `order_summary` then open the
    same DuckDB file from one process, one after the other (and it takes half the time).
    """
    seed = shop.root / "dbt_project" / "seeds" / "raw_orders.csv"
    text = seed.read_text()
    assert text.count(RETRIED_BATCH) == 2
    seed.write_text(text.replace(RETRIED_BATCH + RETRIED_BATCH, RETRIED_BATCH))
    return shop.launch("*", "--config-json", json.dumps({"execution": {"config": {"in_process": {}}}}))


def test_dq_defines_no_asset_of_its_own(first: Launch) -> None:
    assert first.run.asset_selection == {dg.AssetKey(key) for key in (*DBT_ASSETS, "order_summary")}
    # dbt built every model and seed, in dagster-dbt's own step; orders' checks sit on that asset.
    assert first.materialized == dict.fromkeys(DBT_ASSETS, DBT_STEP)
    assert {key for key, _ in first.evaluations} == {"orders", "customers"}


def test_dq_finds_the_planted_defects_in_the_dbt_model(first: Launch) -> None:
    assert first.outcomes("orders") == {
        "profile": "pass",
        "anomalies": "fail",  # customer_id: 42 and 43 lie far from the real ids 1..10
        "order_id_is_primary_key": "fail",
        "customer_exists": "fail",
        "amount_not_negative": "fail",
        "status_is_known": "pass",
        "ordered_at_complete": "pass",
        "quality_score": "fail",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    # The retried load: orders 1007 and 1008, twice each.
    duplicates = {
        "duplicate_groups": 2,
        "duplicate_rows": 4,
        "duplicate_sample": [{"occurrences": 2, "order_id": 1007}, {"occurrences": 2, "order_id": 1008}],
    }
    assert first.metadata("orders", "order_id_is_primary_key", *duplicates) == duplicates
    assert first.description("orders", "order_id_is_primary_key") == (
        "2 values of 'order_id' occur more than once (4 rows)"
    )
    # Customers 42 and 43, who do not exist.
    missing = {
        "checked_rows": 23,
        "missing_rows_count": 2,
        "missing_values_count": 2,
        "missing_sample": [{"customer_id": 42, "rows": 1}, {"customer_id": 43, "rows": 1}],
    }
    assert first.metadata("orders", "customer_exists", *missing) == missing
    # The refund keyed in as an order.
    negative = {
        "evaluated_count": 23,
        "failed_count": 1,
        "failed_sample": [{"amount": -25.0, "order_id": 1012}],
    }
    assert first.metadata("orders", "amount_not_negative", *negative) == negative
    anomalies = first.metadata("orders", "anomalies")["anomalies"]
    assert [(a["column"], a["type"], a["severity"]) for a in anomalies] == [
        ("customer_id", "zscore_outliers", "warning")
    ]
    severities = {name: e.severity for (key, name), e in first.evaluations.items() if key == "orders"}
    assert severities["order_id_is_primary_key"] == dg.AssetCheckSeverity.ERROR
    assert severities["customer_exists"] == dg.AssetCheckSeverity.ERROR
    assert severities["amount_not_negative"] == dg.AssetCheckSeverity.WARN


def test_the_clean_dbt_model_passes(first: Launch) -> None:
    assert first.outcomes("customers") == {
        "profile": "pass",
        "anomalies": "pass",
        "customer_id_is_primary_key": "pass",
        "email_complete": "pass",
        "order_count_not_negative": "pass",
        "quality_score": "pass",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }


def test_the_blocking_rule_stops_what_is_downstream(first: Launch) -> None:
    assert first.run.status == dg.DagsterRunStatus.FAILURE
    assert first.evaluations[("orders", "order_id_is_primary_key")].blocking
    assert first.started_steps == {DBT_STEP, "dq_checks_orders", "dq_checks_customers"}
    assert first.not_executed == {
        "order_summary": "Dependencies for step order_summary failed: ['dq_checks_orders']. Not executing.",
        "dq_checks_order_summary": (
            "Dependencies for step dq_checks_order_summary were not executed: ['order_summary']. "
            "Not executing."
        ),
    }
    assert "order_summary" not in first.materialized
    assert not any(key == "order_summary" for key, _ in first.evaluations)


def test_after_the_fix_the_python_asset_runs_and_is_checked(fixed: Launch) -> None:
    orders = fixed.outcomes("orders")
    assert orders["order_id_is_primary_key"] == "pass"
    assert (orders["customer_exists"], orders["amount_not_negative"]) == ("fail", "fail")
    assert fixed.metadata("orders", "customer_exists")["missing_rows_count"] == 2
    assert fixed.metadata("orders", "amount_not_negative")["failed_count"] == 1
    # Against the first run's orders: two rows fewer (the retried batch's copy), no column's shape moved.
    assert orders["drift"] == "pass"
    assert fixed.materialized["order_summary"] == "order_summary"
    assert fixed.outcomes("order_summary") == {
        "profile": "pass",
        "anomalies": "pass",
        "one_row_per_day": "pass",
        "revenue_positive": "pass",
        "every_order_counted": "pass",
        "quality_score": "pass",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
