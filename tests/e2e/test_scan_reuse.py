"""Never the same work twice: a second run on an unchanged Iceberg snapshot reuses the first run's
query results, and judges again only what depends on the clock or on history.

Real parts throughout: a pyiceberg SqlCatalog on sqlite holding a real Iceberg table, the results
store (and so the query cache) on a real PostgreSQL database, and the table's asset run through
Dagster with the injected clock.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pytest
from sqlalchemy import create_engine, text

from dq_assets.run_tags import FORCE_SCAN_TAG
from dq_assets.source_resources import CLOCK_RESOURCE_KEY, RESULTS_STORE_RESOURCE_KEY, default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.clock import ClockResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from dq_resources.results.resource import ResultsStoreResource
from dq_runs.scan_cache import (
    ENGINE_QUERIES_KEY,
    NOT_REUSED_KEY,
    QUERIES_REUSED_KEY,
    REUSED_METRICS_KEY,
)

COMMITTED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
SCHEMA = pa.schema(
    [
        ("id", pa.int64()),
        ("amount", pa.float64()),
        ("email", pa.string()),
        ("placed_at", pa.timestamp("us", tz="UTC")),
    ]
)
PII_EMAIL = "planted.person@example.org"


def orders(ids: list[int | None], amounts: list[float]) -> pa.Table:
    """Rows with a planted personal e-mail on every row, hours apart."""
    count = len(ids)
    return pa.table(
        {
            "id": ids,
            "amount": amounts,
            "email": [f"{i}.{PII_EMAIL}" for i in range(count)],
            "placed_at": [COMMITTED - timedelta(hours=count - i) for i in range(count)],
        },
        schema=SCHEMA,
    )


IDS: list[int | None] = [1, 2, 3, 3, *range(5, 21)]  # planted: id 3 twice (IsPrimaryKey fails)
AMOUNTS = [10.0, 20.0, 250.0, *([12.0] * 17)]  # planted: 250.0 outside 0..100 (1 of 20 rows)
RULES = """\
rules:
  - rule: IsPrimaryKey "id"
  - rule: IsComplete "id"
  - rule: ColumnValues "amount" between 0 and 100
    severity: warn
  - rule: RowCount between 10 and 1000
"""


def make_table(catalog_name: str) -> Any:
    catalog = load_named_catalog(catalog_name)
    catalog.create_namespace_if_not_exists("ns")
    table = catalog.create_table("ns.orders", schema=SCHEMA)
    with snapshot_clock(COMMITTED):
        table.append(orders(IDS, AMOUNTS))
    return table


def define(folder: Path, catalog_name: str, extra: str = RULES) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: iceberg, catalog: {catalog_name}, identifier: ns.orders}}\n"
        "freshness: {max_age_hours: 24}\n" + extra
    )
    return folder


def run(
    folder: Path,
    instance: dg.DagsterInstance,
    store_url: str,
    now: datetime,
    tags: dict[str, str] | None = None,
) -> dg.ExecuteInProcessResult:
    """The table's asset and checks, in process, on the injected clock and the given results store."""
    defined = load_table_specs(folder).tables[0]
    resources = default_resources()
    resources[CLOCK_RESOURCE_KEY] = ClockResource(fixed_now=now.isoformat())
    resources[RESULTS_STORE_RESOURCE_KEY] = ResultsStoreResource(url=store_url)
    asset = build_table_asset(defined, {defined.spec.table: defined})
    return dg.materialize([asset], instance=instance, resources=resources, tags=tags or {})


CLOCKED = ("profile", "freshness")


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def outcomes(result: dg.ExecuteInProcessResult) -> dict[str, tuple[str, str, str | None]]:
    """Every check's outcome, severity and description.

    Left out: the profile's description (it says how the run went) and freshness's (it says the age).
    """
    return {
        name: (e.metadata["dq/outcome"].value, e.severity.value, None if name in CLOCKED else e.description)
        for name, e in evaluations(result).items()
    }


def profile_meta(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    return {key: value.value for key, value in evaluations(result)["profile"].metadata.items()}


def test_a_second_run_on_the_same_snapshot_runs_no_query_and_judges_the_same(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    table = make_table(scratch_catalog)
    version = str(table.current_snapshot().snapshot_id)
    folder = define(tmp_path / "defs", scratch_catalog)
    instance = dg.DagsterInstance.ephemeral()

    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    first_meta = profile_meta(first)
    assert first_meta[ENGINE_QUERIES_KEY] > 0
    assert first_meta[QUERIES_REUSED_KEY] == 0
    assert REUSED_METRICS_KEY not in first_meta
    assert first_meta[NOT_REUSED_KEY] == "this data version was not checked before"
    assert outcomes(first)["isprimarykey_id"][0] == "fail"  # the planted duplicate id
    assert outcomes(first)["columnvalues_amount_between_0_and_100"][:2] == ("fail", "WARN")  # planted 250.0

    second = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=2))
    meta = profile_meta(second)
    assert meta[ENGINE_QUERIES_KEY] == 0
    assert meta[QUERIES_REUSED_KEY] == first_meta[ENGINE_QUERIES_KEY]
    assert meta[REUSED_METRICS_KEY] == {"data_version": version, "run_id": first.run_id}
    assert NOT_REUSED_KEY not in meta
    profile_description = evaluations(second)["profile"].description
    assert f"reused the metrics of data version {version} (run {first.run_id})" in profile_description
    assert outcomes(second) == outcomes(first)
    assert len(outcomes(second)) == 9  # profile, anomalies, 4 rules, freshness, schema, score (volume skips)


def test_a_new_snapshot_is_scanned_and_its_new_defect_caught(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    table = make_table(scratch_catalog)
    folder = define(tmp_path / "defs", scratch_catalog)
    instance = dg.DagsterInstance.ephemeral()
    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    assert outcomes(first)["iscomplete_id"][0] == "pass"

    with snapshot_clock(COMMITTED + timedelta(hours=2)):
        table.append(orders([None], [5.0]))  # planted: a row without an id
    appended = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=3))
    meta = profile_meta(appended)
    assert meta[ENGINE_QUERIES_KEY] > 0
    assert meta[QUERIES_REUSED_KEY] == 0
    assert REUSED_METRICS_KEY not in meta
    assert outcomes(appended)["iscomplete_id"][0] == "fail"
    assert meta["row_count"] == 21


def test_a_freshness_breach_is_caught_on_reused_metrics(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    make_table(scratch_catalog)
    folder = define(tmp_path / "defs", scratch_catalog)
    instance = dg.DagsterInstance.ephemeral()
    fresh = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    assert outcomes(fresh)["freshness"][0] == "pass"

    stale = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=30))  # past the 24 h SLA
    assert profile_meta(stale)[ENGINE_QUERIES_KEY] == 0
    assert outcomes(stale)["freshness"][:2] == ("fail", "ERROR")
    assert evaluations(stale)["freshness"].metadata["age_hours"].value == pytest.approx(30)


def test_a_history_rule_is_judged_again_on_the_new_history(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    make_table(scratch_catalog)
    # RowCount must exceed the largest of its last 2 observations: on the same 20 rows, the
    # second run has the first run's 20 in its history, so it fails although nothing is scanned.
    rules = "rules:\n  - name: growing\n    rule: RowCount > max(last(2))\n"
    folder = define(tmp_path / "defs", scratch_catalog, rules)
    instance = dg.DagsterInstance.ephemeral()
    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    second = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=2))
    assert profile_meta(second)[ENGINE_QUERIES_KEY] == 0
    assert outcomes(first)["growing"][0] != "fail"
    assert outcomes(second)["growing"][0] == "fail"


def test_a_now_rule_reruns_only_the_queries_that_hold_the_clock(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    make_table(scratch_catalog)
    # The newest row is an hour before the commit: within 48 h of the first run, not of the second.
    rule = 'ColumnValues "placed_at" > (now() - 48 hours) with threshold > 0.0'
    rules = f"rules:\n  - name: recent\n    rule: {rule}\n"
    folder = define(tmp_path / "defs", scratch_catalog, rules)
    instance = dg.DagsterInstance.ephemeral()
    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    later = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=72))
    assert outcomes(first)["recent"][0] == "pass"
    assert outcomes(later)["recent"][0] == "fail"
    meta = profile_meta(later)
    # The rule's count rides in the light aggregate query, whose text holds the clock's literal:
    # that one query runs again, and so does the sample of failing rows the rule now needs
    # (its text holds the literal too). The others are answered from the first run.
    assert meta[ENGINE_QUERIES_KEY] == 2
    assert meta[QUERIES_REUSED_KEY] == profile_meta(first)[ENGINE_QUERIES_KEY] - 1


def test_force_rescans(scratch_catalog: str, tmp_path: Path, postgres_database: str) -> None:
    make_table(scratch_catalog)
    folder = define(tmp_path / "defs", scratch_catalog)
    instance = dg.DagsterInstance.ephemeral()
    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    forced = run(
        folder, instance, postgres_database, COMMITTED + timedelta(hours=2), {FORCE_SCAN_TAG: "true"}
    )
    meta = profile_meta(forced)
    assert meta[ENGINE_QUERIES_KEY] == profile_meta(first)[ENGINE_QUERIES_KEY]
    assert REUSED_METRICS_KEY not in meta
    assert meta[NOT_REUSED_KEY] == "a rescan was asked for (force)"
    assert outcomes(forced) == outcomes(first)


def test_a_store_that_is_down_means_a_full_scan_and_the_same_outcomes(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    make_table(scratch_catalog)
    folder = define(tmp_path / "defs", scratch_catalog)
    instance = dg.DagsterInstance.ephemeral()
    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    down = "postgresql://postgres@127.0.0.1:9/nowhere"  # nothing listens on port 9
    second = run(folder, instance, down, COMMITTED + timedelta(hours=2))
    assert second.success  # the results store being down is logged, not a failed step
    meta = profile_meta(second)
    assert meta[ENGINE_QUERIES_KEY] == profile_meta(first)[ENGINE_QUERIES_KEY]
    assert REUSED_METRICS_KEY not in meta
    assert meta[NOT_REUSED_KEY].startswith("the results store cannot be used: results store postgresql://")
    assert outcomes(second) == outcomes(first)
    logged = [e.message for e in instance.all_logs(second.run_id) if e.message]
    assert any("scanning in full: the results store cannot be used" in m for m in logged)


def test_values_of_a_pii_column_are_never_kept_and_its_queries_run_again(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    make_table(scratch_catalog)
    rules = RULES + '  - rule: ColumnLength "email" > 5\npii_columns: [email]\n'
    folder = define(tmp_path / "defs", scratch_catalog, rules)
    instance = dg.DagsterInstance.ephemeral()
    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    second = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=2))

    engine = create_engine(postgres_database)
    try:
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT rows FROM dq_query_cache")).scalars().all()
    finally:
        engine.dispose()
    assert kept  # the other columns' results are kept...
    assert not [rows for rows in kept if PII_EMAIL in rows]  # ...and no e-mail ever is
    meta = profile_meta(second)
    # The queries that read `email` (its share of the aggregate scans, its top values, the
    # length rule) ran again; every other query came from the first run.
    assert 0 < meta[ENGINE_QUERIES_KEY] < profile_meta(first)[ENGINE_QUERIES_KEY]
    assert meta[ENGINE_QUERIES_KEY] + meta[QUERIES_REUSED_KEY] == profile_meta(first)[ENGINE_QUERIES_KEY]
    assert outcomes(second) == outcomes(first)


def test_dq_run_force_rescans_what_plain_dq_run_reuses(scratch_catalog: str, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dq_assets.cli.main import cli

    make_table(scratch_catalog)
    folder = define(tmp_path / "defs", scratch_catalog)

    def engine_queries(*flags: str) -> tuple[int, dict[str, str]]:
        done = CliRunner().invoke(cli, ["run", "orders", "--json", "--config", str(folder), *flags])
        (report,) = json.loads(done.stdout)["tables"]
        checks = {c["name"]: c for c in report["checks"]}
        return checks["profile"]["metadata"][ENGINE_QUERIES_KEY], {n: c["outcome"] for n, c in checks.items()}

    scanned, first = engine_queries()
    assert scanned > 0
    assert engine_queries() == (0, first)  # the same snapshot: nothing scanned, the same outcomes
    assert engine_queries("--force") == (scanned, first)


def test_a_parquet_file_is_reused_until_it_is_rewritten(tmp_path: Path, postgres_database: str) -> None:
    import pyarrow.parquet as pq

    data = tmp_path / "orders.parquet"
    pq.write_table(orders(IDS, AMOUNTS), data)
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "orders.yaml").write_text(f"table: orders\nsource: {{type: file, path: '{data}'}}\n{RULES}")
    instance = dg.DagsterInstance.ephemeral()
    first = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=1))
    again = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=2))
    assert profile_meta(again)[ENGINE_QUERIES_KEY] == 0
    assert outcomes(again) == outcomes(first)

    pq.write_table(orders([*IDS, None], [*AMOUNTS, 1.0]), data)  # planted: a row without an id
    rewritten = run(folder, instance, postgres_database, COMMITTED + timedelta(hours=3))
    assert profile_meta(rewritten)[ENGINE_QUERIES_KEY] > 0
    assert REUSED_METRICS_KEY not in profile_meta(rewritten)
    assert (outcomes(first)["iscomplete_id"][0], outcomes(rewritten)["iscomplete_id"][0]) == ("pass", "fail")


CUSTOMER_SCHEMA = pa.schema([("customer_id", pa.int64()), ("email", pa.string())])


def test_a_reference_with_pii_keeps_its_values_out_and_its_new_snapshot_rescans(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    customers = catalog.create_table("ns.customers", schema=CUSTOMER_SCHEMA)
    emails = [f"{i}.{PII_EMAIL}" for i in range(3)]
    customers.append(pa.table({"customer_id": [1, 2, 3], "email": emails}, schema=CUSTOMER_SCHEMA))
    placed = catalog.create_table("ns.placed", schema=pa.schema([("customer_id", pa.int64())]))
    placed.append(
        pa.table({"customer_id": pa.array([1, 2, 3, 9], pa.int64())})
    )  # planted: customer 9 is unknown
    folder = tmp_path / "defs"
    folder.mkdir()
    source = f"{{type: iceberg, catalog: {scratch_catalog}, identifier: ns.%s}}"
    (folder / "customers.yaml").write_text(
        f"table: customers\nsource: {source % 'customers'}\npii_columns: [email]\n"
    )
    (folder / "placed.yaml").write_text(
        f"table: placed\nsource: {source % 'placed'}\ndeps: [customers]\nrules:\n"
        "  - name: known_customer\n"
        '    rule: ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0\n'
        "  - name: mailable\n"
        "    rule: CustomSql \"select count(*) from customers where email like '%@example.org'\" = 3\n"
    )
    tables = {t.spec.table: t for t in load_table_specs(folder).tables}
    resources = default_resources()
    resources[RESULTS_STORE_RESOURCE_KEY] = ResultsStoreResource(url=postgres_database)
    instance = dg.DagsterInstance.ephemeral()

    def run_placed() -> dg.ExecuteInProcessResult:
        asset = build_table_asset(tables["placed"], tables)
        return dg.materialize([asset], instance=instance, resources=resources)

    first = run_placed()
    assert (outcomes(first)["known_customer"][0], outcomes(first)["mailable"][0]) == ("fail", "pass")
    second = run_placed()
    # Only the CustomSql query reads customers.email: it alone runs again.
    assert profile_meta(second)[ENGINE_QUERIES_KEY] == 1
    assert outcomes(second) == outcomes(first)
    engine = create_engine(postgres_database)
    try:
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT rows FROM dq_query_cache")).scalars().all()
    finally:
        engine.dispose()
    assert kept and not [rows for rows in kept if PII_EMAIL in rows]

    customers.append(pa.table({"customer_id": [9], "email": [f"9.{PII_EMAIL}"]}, schema=CUSTOMER_SCHEMA))
    referenced_anew = run_placed()  # the same snapshot of `placed`, a new one of `customers`
    assert REUSED_METRICS_KEY not in profile_meta(referenced_anew)
    assert outcomes(referenced_anew)["known_customer"][0] == "pass"
    assert outcomes(referenced_anew)["mailable"][0] == "fail"  # 4 customers now


def test_detect_anomalies_learns_from_runs_on_reused_metrics(
    scratch_catalog: str, tmp_path: Path, postgres_database: str
) -> None:
    make_table(scratch_catalog)
    rules = 'rules:\n  - name: usual_size\n    rule: DetectAnomalies "RowCount"\n'
    folder = define(tmp_path / "defs", scratch_catalog, rules)
    instance = dg.DagsterInstance.ephemeral()
    runs = [run(folder, instance, postgres_database, COMMITTED + timedelta(hours=h)) for h in range(1, 7)]
    assert [profile_meta(r)[ENGINE_QUERIES_KEY] > 0 for r in runs] == [True] + [False] * 5
    # It needs 5 earlier observations: the first five runs skip while it learns; the sixth judges
    # the same 20 rows against five earlier 20s, all answered from the first run's scan.
    learning = [("usual_size" in profile_meta(r)["dq/skipped"]) for r in runs]
    assert learning == [True] * 5 + [False]
    assert outcomes(runs[-1])["usual_size"][0] == "pass"
