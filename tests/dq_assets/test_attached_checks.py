"""dq's checks attached to a user's own asset: a Definitions built by hand, as a user's project builds it.

The user's `shop/orders` asset writes a Parquet file (or a Postgres table); a `report` asset reads
it. dq's table definition says `asset: shop/orders`, so `build_attached_checks` puts the checks on
that key and dq defines no asset. Every run here is a real Dagster run on a real instance.
"""

from __future__ import annotations

import asyncio
import json
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from dagster._core.loader import LoadingContextForTest
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionResolvedStatus

from dq_assets.cli.main import cli
from dq_assets.instance_table_history import read_past_runs
from dq_assets.source_resources import CLOCK_RESOURCE_KEY, default_resources
from dq_assets.table_asset import build_attached_checks, check_keys_of, target_asset_key
from dq_checks.config.loader import DefinedTable, load_table_specs
from dq_resources.clock import ClockResource
from tests.check_outcomes import outcome_by_check, skipped_checks

ORDERS = dg.AssetKey(["shop", "orders"])
RULES = """\
rules:
  - name: order_id_is_key
    rule: IsPrimaryKey "order_id"
    blocking: true          # a duplicated order must never reach the report
  - name: amount_not_negative
    rule: ColumnValues "amount" >= 0
    severity: warn
"""
DRIFT_FIRST_RUN = "no earlier data version was checked yet: this one is the next run's baseline"
"""The drift check's reason on a table's first run: nothing earlier to compare with."""


def orders_rows(*, duplicate: bool = False, negative: bool = False, rows: int = 50) -> pa.Table:
    """`rows` orders, ids 1..rows, amounts 10..16."""
    ids = list(range(1, rows + 1))
    amounts = [10.0 + i % 7 for i in range(rows)]
    if duplicate:
        ids[10] = 3  # planted: order 3 is written twice (and order 11 is lost)
    if negative:
        amounts[7] = -1.0  # planted: a negative amount
    return pa.table({"order_id": pa.array(ids, pa.int64()), "amount": pa.array(amounts)})


def define(folder: Path, body: str) -> DefinedTable:
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text(textwrap.dedent(body))
    loaded = load_table_specs(folder)
    assert loaded.problems == ()
    return loaded.tables[0]


def user_project(
    parquet: Path, defined: DefinedTable, write: Callable[[], pa.Table], ran: list[str]
) -> dg.Definitions:
    """The user's own project: their orders asset, a report downstream, and dq's checks added to it."""

    @dg.asset(key=ORDERS)
    def orders() -> None:
        pq.write_table(write(), parquet)
        ran.append("orders")

    @dg.asset(deps=[ORDERS])
    def report() -> None:
        ran.append("report")

    checks = build_attached_checks(defined, {defined.spec.table: defined})
    return dg.Definitions(assets=[orders, report], asset_checks=[checks], resources=default_resources())


def resolved_status(instance: dg.DagsterInstance, name: str) -> AssetCheckExecutionResolvedStatus:
    """What the UI shows for the check's latest execution, as Dagster resolves it."""
    key = dg.AssetCheckKey(ORDERS, name)
    record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    return asyncio.run(record.resolve_status(LoadingContextForTest(instance)))


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, tuple[str, str | None]]:
    """Check name -> (dq's outcome, severity when it did not pass), on the user's key only."""
    found = {}
    for evaluation in result.get_asset_check_evaluations():
        assert evaluation.asset_key == ORDERS
        severity = None if evaluation.passed else evaluation.severity.value
        found[evaluation.check_name] = (evaluation.metadata["dq/outcome"].value, severity)
    return found


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, DefinedTable]:
    parquet = tmp_path / "orders.parquet"
    defined = define(
        tmp_path / "defs", f"asset: shop/orders\nsource: {{type: file, path: {parquet}}}\n{RULES}"
    )
    return parquet, defined


def test_checks_sit_on_the_users_key_and_dq_defines_no_asset(project: tuple[Path, DefinedTable]) -> None:
    parquet, defined = project
    defs = user_project(parquet, defined, orders_rows, [])
    graph = defs.resolve_asset_graph()
    assert graph.get_all_asset_keys() == {ORDERS, dg.AssetKey("report")}
    assert not graph.get(ORDERS).assets_def.is_auto_created_stub  # the user's own asset, not a stand-in
    assert target_asset_key(defined) == ORDERS
    assert defined.spec.table == "shop/orders"  # the name rules and deps use, from the key
    checks = build_attached_checks(defined, {"shop/orders": defined})
    assert checks.keys == set()  # no asset of dq's
    specs = {spec.name: spec for spec in checks.check_specs}
    assert list(specs) == [
        "profile",
        "anomalies",
        "order_id_is_key",
        "amount_not_negative",
        "quality_score",
        "volume",
        "schema",
        "drift",
    ]
    assert {name for name, spec in specs.items() if spec.blocking} == {"order_id_is_key"}
    assert check_keys_of(defined) == [dg.AssetCheckKey(ORDERS, name) for name in specs]


def test_clean_data_passes_the_report_runs_and_volume_is_skipped_not_green(
    project: tuple[Path, DefinedTable],
) -> None:
    parquet, defined = project
    ran: list[str] = []
    defs = user_project(parquet, defined, orders_rows, ran)
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(instance=instance)
    assert result.success
    assert ran == ["orders", "report"]
    assert evaluations(result) == {
        "profile": ("pass", None),
        "anomalies": ("pass", None),
        "order_id_is_key": ("pass", None),
        "amount_not_negative": ("pass", None),
        "quality_score": ("pass", None),
        "schema": ("pass", None),
    }
    # volume has no earlier run to learn from, drift no earlier data version: no result at all, so
    # Dagster shows them as skipped.
    assert skipped_checks(result) == {
        "volume": "50 rows; needs 7 earlier data versions, has 0",
        "drift": DRIFT_FIRST_RUN,
    }
    assert resolved_status(instance, "volume") == AssetCheckExecutionResolvedStatus.SKIPPED
    assert resolved_status(instance, "drift") == AssetCheckExecutionResolvedStatus.SKIPPED
    assert resolved_status(instance, "schema") == AssetCheckExecutionResolvedStatus.SUCCEEDED
    # dq materialized nothing: the only materialization is the user's own orders (and report).
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [ORDERS, dg.AssetKey("report")]


def test_a_blocking_failure_stops_the_report(project: tuple[Path, DefinedTable]) -> None:
    parquet, defined = project
    ran: list[str] = []
    defs = user_project(parquet, defined, lambda: orders_rows(duplicate=True, negative=True), ran)
    instance = dg.DagsterInstance.ephemeral()
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False
    )
    assert not result.success
    assert ran == ["orders"]  # the report never ran on the duplicated orders
    assert evaluations(result) == {
        "profile": ("pass", None),
        "anomalies": ("pass", None),
        "order_id_is_key": ("fail", "ERROR"),  # order 3 twice
        "amount_not_negative": ("fail", "WARN"),  # -1.0: a warning, which blocks nothing
        "quality_score": ("fail", "WARN"),  # 0 of 2 rules passed
        "schema": ("pass", None),
    }
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [ORDERS]
    # Dagster fails the checks' step on a blocking ERROR, and so the run: in a failed run Dagster
    # resolves a check that reported nothing as "execution failed", the skipped volume included.
    assert skipped_checks(result) == {
        "volume": "50 rows; needs 7 earlier data versions, has 0",
        "drift": DRIFT_FIRST_RUN,
    }
    assert resolved_status(instance, "volume") == AssetCheckExecutionResolvedStatus.EXECUTION_FAILED


def test_one_check_executes_alone_without_materializing_the_asset(project: tuple[Path, DefinedTable]) -> None:
    parquet, defined = project
    pq.write_table(orders_rows(negative=True), parquet)
    written = parquet.stat().st_mtime_ns
    ran: list[str] = []
    defs = user_project(parquet, defined, orders_rows, ran)
    instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_implicit_global_asset_job_def()
    # What the Checks tab's "Execute" launches: the subset of that one check.
    only = job.get_subset(
        asset_selection=set(), asset_check_selection={dg.AssetCheckKey(ORDERS, "amount_not_negative")}
    )
    result = only.execute_in_process(instance=instance)
    assert result.success
    assert evaluations(result) == {"amount_not_negative": ("fail", "WARN")}
    assert ran == []  # neither the user's asset nor the report ran
    assert parquet.stat().st_mtime_ns == written
    assert result.get_asset_materialization_events() == []


def test_history_accumulates_on_the_users_asset_across_its_runs(tmp_path: Path) -> None:
    """Each run of the user's asset is a day: volume learns, then a planted null spike is drift."""
    parquet = tmp_path / "events.parquet"
    defined = define(
        tmp_path / "defs",
        f"""\
        asset: [shop, orders]
        source: {{type: file, path: {parquet}}}
        history: {{min_points: 3}}
        anomalies: {{columns: {{order_id: {{skip: [history_drift]}}}}}}
        """,
    )
    day = {"n": 0}

    def rows() -> pa.Table:
        rng = np.random.default_rng(day["n"])
        count = 1_000 + 10 * day["n"]
        notes = rng.choice(["a", "b", "c"], count).astype(object)
        if day["n"] == 5:
            # planted: 15% of today's notes are NULL, never before: under the 20% any single profile
            # tolerates, so only the history sees it
            notes[: int(count * 0.15)] = None
        return pa.table(
            {
                "order_id": pa.array(np.arange(count), pa.int64()),
                "amount": pa.array(rng.normal(100, 10, count)),
                "note": pa.array(notes, pa.string()),
            }
        )

    defs = user_project(parquet, defined, rows, [])
    job = defs.resolve_implicit_global_asset_job_def()
    (tmp_path / "dagster_home").mkdir()
    instance = dg.DagsterInstance.local_temp(str(tmp_path / "dagster_home"))
    seen: dict[int, dict[str, str]] = {}
    skipped: dict[int, set[str]] = {}
    for n in range(6):
        day["n"] = n
        clock = ClockResource(fixed_now=(datetime(2026, 9, 1, 6, tzinfo=UTC) + timedelta(days=n)).isoformat())
        result = job.execute_in_process(instance=instance, resources={CLOCK_RESOURCE_KEY: clock})
        seen[n], skipped[n] = outcome_by_check(result), set(skipped_checks(result))
    # Three earlier runs to learn from: volume skips (no result in Dagster), then it is judged; drift
    # needs one earlier data version, and on day 5 the planted NULLs are a drift of `note` too.
    assert [skipped[n] for n in range(6)] == [
        {"volume", "drift"},
        {"volume"},
        {"volume"},
        set(),
        set(),
        set(),
    ]
    assert [seen[n]["volume"] for n in range(6)] == ["skip", "skip", "skip", "pass", "pass", "pass"]
    assert [seen[n]["drift"] for n in range(6)] == ["skip", "pass", "pass", "pass", "pass", "fail"]
    drift = next(e for e in result.get_asset_check_evaluations() if e.check_name == "drift")
    assert drift.description.endswith("note: NULLs went from 0.0% to 15.0% of rows")
    assert seen[4]["anomalies"] == "pass"
    assert seen[5]["anomalies"] == "fail"
    anomalies = next(e for e in result.get_asset_check_evaluations() if e.check_name == "anomalies")
    found = {(a["column"], a["method"].split(":")[0]) for a in anomalies.metadata["anomalies"].value}
    assert found == {("note", "null %")}
    assert resolved_status(instance, "volume") == AssetCheckExecutionResolvedStatus.SUCCEEDED
    # The user's materializations carry nothing of dq's: the history is the profile check's evaluations.
    materializations = instance.fetch_materializations(ORDERS, limit=10).records
    assert [r.asset_materialization.metadata for r in materializations] == [{}] * 6
    past = read_past_runs(instance, ORDERS, limit=10)
    assert [run.row_count for run in past] == [1_050, 1_040, 1_030, 1_020, 1_010, 1_000]
    assert past[0].metrics["note.null_pct"] == pytest.approx(100 * 157 / 1_050, abs=1e-4)  # 157 NULL notes
    instance.dispose()


def test_the_table_comes_from_the_assets_table_name_on_postgres(
    postgres_database: str, tmp_path: Path
) -> None:
    """A sql source with no `table:` reads the asset's `dagster/table_name`, as dbt and Sling set it."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(postgres_database)
    database = engine.url.database
    defined = define(
        tmp_path / "defs",
        f"asset: shop/orders\nsource: {{type: sql, url: '{postgres_database}'}}\n{RULES}",
    )
    ran: list[str] = []

    @dg.asset(key=ORDERS, metadata={"dagster/table_name": f"{database}.public.orders"})  # as dbt writes it
    def orders() -> None:
        with engine.begin() as connection:
            connection.execute(
                sqlalchemy.text("CREATE TABLE orders (order_id bigint, amount double precision)")
            )
            connection.execute(
                sqlalchemy.text("INSERT INTO orders VALUES (:id, :amount)"),
                [
                    {"id": i, "amount": a}
                    for i, a in zip(*orders_rows(duplicate=True).to_pydict().values(), strict=True)
                ],
            )
        ran.append("orders")

    @dg.asset(deps=[ORDERS])
    def report() -> None:
        ran.append("report")

    checks = build_attached_checks(defined, {defined.spec.table: defined})
    defs = dg.Definitions(assets=[orders, report], asset_checks=[checks], resources=default_resources())
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    engine.dispose()
    assert ran == ["orders"]
    assert evaluations(result) == {
        "profile": ("pass", None),
        "anomalies": ("pass", None),
        "order_id_is_key": ("fail", "ERROR"),  # order 3 twice, found in Postgres
        "amount_not_negative": ("pass", None),
        "quality_score": ("fail", "WARN"),  # 1 of 2 rules passed
        "schema": ("pass", None),
    }
    profile = next(e for e in result.get_asset_check_evaluations() if e.check_name == "profile")
    assert profile.description.startswith("profiled 50 rows x 2 columns")


def test_an_asset_without_a_table_name_is_an_error_naming_the_definition(tmp_path: Path) -> None:
    defined = define(tmp_path / "defs", "asset: shop/orders\nsource: {type: sql, url: 'sqlite://'}\n")

    @dg.asset(key=ORDERS)
    def orders() -> None:
        pass

    checks = build_attached_checks(defined, {defined.spec.table: defined})
    defs = dg.Definitions(assets=[orders], asset_checks=[checks], resources=default_resources())
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )
    assert not result.success
    message = (
        f"{defined.path}:2: source.table is not set and asset 'shop/orders' carries no "
        "dagster/table_name metadata in this code location; set source.table"
    )
    found = evaluations(result)
    assert set(found) == {"profile", "anomalies", "volume", "schema", "drift"}  # each check says why
    for evaluation in result.get_asset_check_evaluations():
        assert evaluation.description == f"error: {message}"


def test_dq_run_checks_an_attached_table_without_its_asset(project: tuple[Path, DefinedTable]) -> None:
    """`dq run` runs only the checks, on the data as it is: the user's asset is not dq's to materialize."""
    parquet, defined = project
    pq.write_table(orders_rows(duplicate=True), parquet)
    result = CliRunner().invoke(cli, ["run", "--config", str(defined.path.parent), "--json"])
    assert result.exit_code == 1  # a rule failed
    (table,) = json.loads(result.stdout)["tables"]  # stdout: what a user pipes (stderr may log)
    assert (table["table"], table["row_count"]) == ("shop/orders", 50)
    assert {c["name"]: c["outcome"] for c in table["checks"]} == {
        "profile": "pass",
        "anomalies": "pass",
        "order_id_is_key": "fail",
        "amount_not_negative": "pass",
        "quality_score": "fail",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",
    }
    volume = next(c for c in table["checks"] if c["name"] == "volume")
    assert volume["description"] == "50 rows; needs 7 earlier data versions, has 0"
    assert set(table["profile"]["columns"]) == {"order_id", "amount"}
    assert table["results_store"] == "written"
    text = CliRunner().invoke(cli, ["run", "--config", str(defined.path.parent)]).stdout
    (line,) = [line.split() for line in text.splitlines() if " volume " in line]
    assert line == [
        "shop/orders",
        "50",
        "volume",
        "skip",
        "50",
        "rows;",
        "needs",
        "7",
        "earlier",
        "data",
        "versions,",
        "has",
        "0",
    ]


def test_dq_sources_test_says_where_a_table_from_the_asset_comes_from(tmp_path: Path) -> None:
    defined = define(tmp_path / "defs", "asset: shop/orders\nsource: {type: sql, url: 'sqlite://'}\n")
    result = CliRunner().invoke(cli, ["sources", "test", "--config", str(defined.path.parent), "--json"])
    assert result.exit_code == 2
    (row,) = json.loads(result.stdout)
    assert (row["table"], row["status"]) == ("shop/orders", "error")
    assert row["detail"] == (
        "sql:sqlite/<dagster/table_name>: no table: it comes from the asset's dagster/table_name when the "
        "checks run in the project; set source.table to reach it from here"
    )
