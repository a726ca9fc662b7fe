"""The results store against real databases: a sqlite file, a fresh PostgreSQL database and
Snowflake's SQLAlchemy dialect through fakesnow.

The run written is a real one: `inspect_table` on an Iceberg table with planted defects (a
duplicate id, out-of-range amounts, a customer column 25% NULL) and four rules.
"""

from __future__ import annotations

import math
import statistics
import textwrap
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError

from dq_assets.table_step import unreadable_results
from dq_checks.anomalies.model import Anomaly, Severity
from dq_checks.config.loader import load_table_specs
from dq_checks.results import Outcome
from dq_checks.results.inspection import TableInspection
from dq_checks.results.tidy import TABLES, TidyRun, tidy_run, tidy_unreadable_run
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from dq_resources.results.resource import DEFAULT_RESULTS_URL, ResultsStoreResource
from dq_resources.results.store import ResultsStore
from dq_runs.inspect import inspect_table

TABLE = "shop/orders"
RUN = "4b6e3a52-0d7c-4c1e-9a51-2f8d3c6e7a10"
COMMITTED = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
CHECKED = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)

pytestmark = pytest.mark.filterwarnings(  # fakesnow's own note about DuckDB's Arrow copies
    "ignore:Arrow output on a DB-API result:UserWarning"
)

IDS = [1, 2, 3, 3, *range(5, 21)]  # planted: id 3 twice
AMOUNTS = [10.0, 20.5, 99.0, 250.0, 5.0, 0.0, 12.0, 14.0, 11.0, 13.0]  # planted: 250.0 and 0.0 out of range
AMOUNTS += [15.0, 9.0, 10.5, 12.5, 11.5, 13.5, 10.0, 12.0, 14.0, 11.0]
CUSTOMERS = ["ann", "bob", None, "dan", "eve", None, "gil", "hal", "ivy", "jon"]  # planted: 5 NULLs of 20
CUSTOMERS += [None, "lea", "max", None, "oli", "pam", None, "rob", "sue", "tom"]
PLACED = [datetime(2026, 11, 1, tzinfo=UTC) + timedelta(hours=7 * i) for i in range(20)]
ORDERS = pa.table(
    {
        "id": pa.array(IDS, pa.int64()),
        "amount": pa.array(AMOUNTS, pa.float64()),
        "customer": pa.array(CUSTOMERS, pa.string()),
        "placed_at": pa.array(PLACED, pa.timestamp("us", tz="UTC")),
    }
)
RULES = {  # check name -> (rule, dimension, outcome, severity, observed, evaluated_count, failed_count)
    "isprimarykey_id": ('IsPrimaryKey "id"', "uniqueness", "fail", "ERROR", 0.9, None, None),
    "columnvalues_amount_between_0_and_100": (
        'ColumnValues "amount" between 0 and 100',
        "validity",
        "fail",
        "WARN",
        0.9,
        20,
        2,
    ),
    "iscomplete_customer": ('IsComplete "customer"', "completeness", "fail", "ERROR", 0.75, 20, 5),
    "iscomplete_id": ('IsComplete "id"', "completeness", "pass", None, 1.0, 20, 0),
}
BUILT_IN = {  # check name -> (outcome, severity)
    "profile": ("pass", None),
    "anomalies": ("fail", "WARN"),
    "volume": ("skip", None),  # no earlier run
    "schema": ("pass", None),
    "quality_score": ("fail", "WARN"),  # 1 of 4 rules pass: 0.25 < 0.8
    "drift": ("skip", None),  # no earlier data version to compare with
}


@pytest.fixture
def inspection(scratch_catalog: str, tmp_path: Path) -> TableInspection:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace_if_not_exists("shop")
    table = catalog.create_table("shop.orders", schema=ORDERS.schema)
    with snapshot_clock(COMMITTED):
        table.append(ORDERS)
    definitions = tmp_path / "definitions"
    definitions.mkdir()
    (definitions / "orders.yaml").write_text(
        textwrap.dedent(
            f"""\
            table: {TABLE}
            source: {{type: iceberg, catalog: {scratch_catalog}, identifier: shop.orders}}
            rules:
              - rule: IsPrimaryKey "id"
              - rule: ColumnValues "amount" between 0 and 100
                severity: warn
              - rule: IsComplete "customer"
              - rule: IsComplete "id"
            """
        )
    )
    loaded = load_table_specs(definitions)
    assert loaded.problems == ()
    defined = loaded.by_name(TABLE)
    assert defined is not None
    return inspect_table(defined, IcebergCatalogResource().open(defined.spec.source), now=CHECKED)


@pytest.fixture(params=["sqlite", "postgres", "snowflake"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ResultsStore]:
    """The store on each backend, migrated on open."""
    if request.param == "sqlite":
        opened = ResultsStore.connect(f"sqlite:///{tmp_path / 'not' / 'yet' / 'results.db'}")
        yield opened
        opened.dispose()
    elif request.param == "postgres":
        opened = ResultsStore.connect(request.getfixturevalue("postgres_database"))
        yield opened
        opened.dispose()
    else:
        import fakesnow

        with fakesnow.patch():
            opened = ResultsStore.connect("snowflake://fake:snow@fakesnow/dq_results/public")
            yield opened
            opened.dispose()


def by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    keyed = {row[key]: row for row in rows}
    assert len(keyed) == len(rows)
    return keyed


def assert_run_stored(store: ResultsStore, inspection: TableInspection, run_id: str = RUN) -> None:
    """Exactly the planted run, read back from the database."""
    runs = store.read_table("check_runs", run_id=run_id, table_name=TABLE)
    assert len(runs) == 1
    assert runs[0] == {
        "run_id": run_id,
        "table_name": TABLE,
        "checked_at": CHECKED,
        "data_version": inspection.description.data_version,
        "last_updated": COMMITTED,
        "row_count": 20,
        "column_count": 4,
        "duration_seconds": pytest.approx(inspection.duration_seconds),
        "checks_passed": 3,  # profile, schema, iscomplete_id
        "checks_failed": 5,  # anomalies, three rules, quality_score
        "checks_errored": 0,
        "checks_skipped": 2,  # volume, drift
        "anomaly_count": 2,
        "quality_score": 0.25,
        "partition_key": None,
    }
    assert inspection.description.data_version is not None

    columns = by(store.read_table("column_profiles", run_id=run_id, table_name=TABLE), "column_name")
    assert sorted(columns) == ["amount", "customer", "id", "placed_at"]
    assert {name: (c["row_count"], c["null_count"], c["null_pct"]) for name, c in columns.items()} == {
        "id": (20, 0, 0.0),
        "amount": (20, 0, 0.0),
        "customer": (20, 5, 25.0),
        "placed_at": (20, 0, 0.0),
    }
    assert {name: (c["data_type"], c["kind"], c["distinct_count"]) for name, c in columns.items()} == {
        "id": ("long", "numeric", 19),
        "amount": ("double", "numeric", 16),
        "customer": ("string", "string", 15),
        "placed_at": ("timestamptz", "temporal", 20),
    }
    amount = columns["amount"]
    assert (amount["min_value"], amount["max_value"], amount["zeros"], amount["negatives"]) == (
        "0.0",
        "250.0",
        1,
        0,
    )
    assert amount["mean"] == pytest.approx(statistics.fmean(AMOUNTS))
    assert amount["median"] == pytest.approx(statistics.median(AMOUNTS))
    assert amount["std"] == pytest.approx(statistics.stdev(AMOUNTS))
    profiled = inspection.profile.columns["amount"]
    assert (amount["q1"], amount["q3"]) == (profiled.q1, profiled.q3)
    assert (columns["id"]["min_value"], columns["id"]["max_value"]) == ("1", "20")
    customer = columns["customer"]
    assert (customer["min_value"], customer["max_value"]) == ("ann", "tom")
    assert (customer["mean"], customer["median"], customer["std"], customer["zeros"]) == (None,) * 4
    placed = columns["placed_at"]
    assert datetime.fromisoformat(placed["min_value"]) == PLACED[0]
    assert datetime.fromisoformat(placed["max_value"]) == PLACED[-1]

    stored = store.read_table("anomalies", run_id=run_id, table_name=TABLE)
    found = {(a["column_name"], a["anomaly_type"]): a for a in stored}
    assert sorted(found) == [("amount", "iqr_outliers"), ("customer", "null_rate")]
    assert [a["ordinal"] for a in stored] == [1, 2]
    nulls = found[("customer", "null_rate")]
    assert (nulls["value"], nulls["threshold"]) == (0.25, 0.2)
    for anomaly in inspection.anomalies:
        row = found[(anomaly.column, anomaly.type)]
        assert (row["method"], row["severity"], row["description"]) == (
            anomaly.method,
            anomaly.severity.value,
            anomaly.description,
        )
        assert (row["value"], row["threshold"]) == (anomaly.value, anomaly.threshold)

    checks = by(store.read_table("rule_results", run_id=run_id, table_name=TABLE), "check_name")
    assert sorted(checks) == sorted([*RULES, *BUILT_IN])
    for name, (rule, dimension, outcome, severity, observed, evaluated, failed) in RULES.items():
        row = checks[name]
        assert (row["is_rule"], row["rule_text"], row["dimension"], row["outcome"], row["severity"]) == (
            True,
            rule,
            dimension,
            outcome,
            severity,
        )
        assert (row["observed"], row["evaluated_count"], row["failed_count"]) == (observed, evaluated, failed)
    for name, (outcome, severity) in BUILT_IN.items():
        row = checks[name]
        assert (row["is_rule"], row["rule_text"], row["dimension"], row["outcome"], row["severity"]) == (
            False,
            None,
            None,
            outcome,
            severity,
        )
    descriptions = {check.name: check.description for check in inspection.checks}
    assert {name: row["description"] for name, row in checks.items()} == descriptions
    assert checks["volume"]["observed"] == 20.0

    scores = by(store.read_table("quality_scores", run_id=run_id, table_name=TABLE), "dimension")
    assert {d: (s["score"], s["rules_passed"], s["rules_evaluated"]) for d, s in scores.items()} == {
        "overall": (0.25, 1, 4),
        "completeness": (0.5, 1, 2),
        "validity": (0.0, 0, 1),
        "uniqueness": (0.0, 0, 1),
    }
    for name in TABLES:
        assert {row["checked_at"] for row in store.read_table(name, run_id=run_id, table_name=TABLE)} == {
            CHECKED
        }


def test_the_inspection_found_the_planted_defects(inspection: TableInspection) -> None:
    outcomes = {check.name: check.outcome for check in inspection.checks}
    assert outcomes["isprimarykey_id"] is Outcome.FAIL
    assert outcomes["iscomplete_id"] is Outcome.PASS
    assert inspection.scores is not None
    assert (inspection.scores.passed, inspection.scores.evaluated) == (1, 4)


def test_a_table_run_is_stored_as_tidy_rows(store: ResultsStore, inspection: TableInspection) -> None:
    store.write_run(tidy_run(TABLE, RUN, CHECKED, inspection))
    assert_run_stored(store, inspection)


def test_writing_the_same_run_again_leaves_one_copy(store: ResultsStore, inspection: TableInspection) -> None:
    other_table = tidy_run("shop/customers", RUN, CHECKED, inspection)
    other_run = tidy_run(TABLE, "an-earlier-run", CHECKED - timedelta(days=1), inspection)
    store.write_run(other_table)
    store.write_run(other_run)
    extra = Anomaly("id", "zscore_outliers", "z", 4.0, 3.0, Severity.INFO, "an anomaly of the first try")
    first_try = replace(inspection, anomalies=[*inspection.anomalies, extra], duration_seconds=99.0)
    store.write_run(tidy_run(TABLE, RUN, CHECKED, first_try))
    assert len(store.read_table("anomalies", run_id=RUN, table_name=TABLE)) == 3
    # A retried step writes the same run again, with one anomaly fewer: nothing of the first try stays.
    store.write_run(tidy_run(TABLE, RUN, CHECKED, inspection))
    assert_run_stored(store, inspection)

    counts = {name: len(store.read_table(name, run_id=RUN, table_name=TABLE)) for name in TABLES}
    assert counts == {
        "check_runs": 1,
        "column_profiles": 4,
        "anomalies": 2,
        "rule_results": 10,
        "quality_scores": 4,
    }
    # The other table of the same run, and the earlier run of the same table, are untouched.
    for run in (other_table, other_run):
        for name, rows in run.tables():
            assert len(store.read_table(name, run_id=run.run_id, table_name=run.table_name)) == len(rows)
    assert len(store.read_table("check_runs")) == 3


def test_a_write_that_fails_leaves_the_previous_copy_whole(
    store: ResultsStore, inspection: TableInspection
) -> None:
    store.write_run(tidy_run(TABLE, RUN, CHECKED, inspection))
    good = tidy_run(TABLE, RUN, CHECKED, replace(inspection, anomalies=[]))
    broken_scores = [{**good.quality_scores[0], "rules_evaluated": None}]  # NOT NULL, in the last table
    # fakesnow lets DuckDB's own constraint error through where Snowflake raises a DB-API error
    with pytest.raises((DBAPIError, duckdb.ConstraintException), match=r"(?i)null"):
        store.write_run(replace(good, quality_scores=broken_scores))
    assert_run_stored(store, inspection)


def test_rows_of_another_run_are_refused_before_anything_is_written(
    store: ResultsStore, inspection: TableInspection
) -> None:
    run = tidy_run(TABLE, RUN, CHECKED, inspection)
    stray = replace(run, anomalies=[*run.anomalies, {**run.anomalies[0], "run_id": "another", "ordinal": 9}])
    with pytest.raises(ValueError, match="another"):
        store.write_run(stray)
    assert store.read_table("check_runs") == []


def test_an_unreadable_table_is_stored_as_its_error_checks(store: ResultsStore, tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "table: t\nsource: {type: iceberg, catalog: demo, identifier: shop.gone}\n"
        'rules:\n  - rule: IsComplete "id"\n'
    )
    defined = load_table_specs(tmp_path).by_name("t")
    assert defined is not None
    checks = unreadable_results(defined, "table 'shop.gone' not found")
    store.write_run(tidy_unreadable_run("t", RUN, CHECKED, checks, duration_seconds=0.5))

    [run] = store.read_table("check_runs")
    assert (run["row_count"], run["column_count"], run["checks_errored"], run["checks_passed"]) == (
        None,
        None,
        7,
        0,
    )
    rows = by(store.read_table("rule_results"), "check_name")
    assert sorted(rows) == sorted(
        ["profile", "anomalies", "iscomplete_id", "quality_score", "volume", "schema", "drift"]
    )
    assert {row["outcome"] for row in rows.values()} == {"error"}
    assert [name for name, row in rows.items() if row["is_rule"]] == ["iscomplete_id"]
    for name in ("column_profiles", "anomalies", "quality_scores"):
        assert store.read_table(name) == []


def test_opening_the_store_again_migrates_nothing_and_keeps_the_rows(
    store: ResultsStore, inspection: TableInspection
) -> None:
    store.write_run(tidy_run(TABLE, RUN, CHECKED, inspection))
    again = ResultsStore.connect(store.engine.url.render_as_string(hide_password=False))
    try:
        with again.engine.connect() as connection:
            stamped = connection.exec_driver_sql("SELECT version_num FROM dq_results_schema_version").all()
        assert stamped == [("0003",)]
        assert_run_stored(again, inspection)
    finally:
        again.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_the_migrations_create_exactly_the_declared_schema(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from dq_resources.results.schema import metadata

    url = (
        f"sqlite:///{tmp_path / 'results.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_database")
    )
    version = {"version_table": "dq_results_schema_version", "compare_type": True}
    first = ResultsStore.connect(url)
    first.dispose()
    store = ResultsStore.connect(url)  # a second open finds the schema current and changes nothing
    try:
        with store.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection, opts=version), metadata) == []
            names = set(inspect(connection).get_table_names())
            stamped = connection.exec_driver_sql("SELECT version_num FROM dq_results_schema_version").all()
        assert names == {*TABLES, "dq_query_cache_scans", "dq_query_cache", "dq_results_schema_version"}
        assert stamped == [("0003",)]
    finally:
        store.dispose()


def test_a_run_records_the_partition_it_checked(store: ResultsStore, inspection: TableInspection) -> None:
    store.write_run(tidy_run(TABLE, RUN, CHECKED, inspection, partition="2026-11-29"))
    store.write_run(tidy_run(TABLE, "a-whole-table-run", CHECKED, inspection))
    unreadable = tidy_unreadable_run(
        TABLE, "an-unreadable-run", CHECKED, inspection.checks, partition="2026-11-30"
    )
    store.write_run(unreadable)

    partitions = {run["run_id"]: run["partition_key"] for run in store.read_table("check_runs")}
    assert partitions == {RUN: "2026-11-29", "a-whole-table-run": None, "an-unreadable-run": "2026-11-30"}
    # Only check_runs says it: the other tables join on run_id and table_name.
    for name in TABLES[1:]:
        for row in store.read_table(name):
            assert "partition_key" not in row


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_store_from_before_partitions_is_upgraded_and_keeps_its_runs(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, inspection: TableInspection
) -> None:
    from sqlalchemy import column, insert, table

    from dq_resources.results.migrate import upgrade
    from dq_resources.results.schema import check_runs
    from dq_resources.sqlstore.engine import connect_engine

    url = (
        f"sqlite:///{tmp_path / 'results.db'}"
        if backend == "sqlite"
        else request.getfixturevalue("postgres_database")
    )
    [row] = tidy_run(TABLE, RUN, CHECKED, inspection).check_runs
    del row["partition_key"]
    old = connect_engine(url)
    try:
        upgrade(old, "0002")
        before = table("check_runs", *(column(c.name, c.type) for c in check_runs.columns if c.name in row))
        with old.begin() as connection:
            connection.execute(insert(before), [row])
    finally:
        old.dispose()

    store = ResultsStore.connect(url)
    try:
        with store.engine.connect() as connection:
            stamped = connection.exec_driver_sql("SELECT version_num FROM dq_results_schema_version").all()
        assert stamped == [("0003",)]
        assert store.read_table("check_runs") == [{**row, "partition_key": None}]
    finally:
        store.dispose()


def test_the_resource_creates_the_sqlite_folder_and_writes(
    tmp_path: Path, inspection: TableInspection
) -> None:
    assert ResultsStoreResource().url == DEFAULT_RESULTS_URL == "sqlite:///.dq/results.db"
    url = f"sqlite:///{tmp_path / 'fresh' / 'results.db'}"
    resource = ResultsStoreResource(url=url)
    resource.write_run(tidy_run(TABLE, RUN, CHECKED, inspection))
    resource.write_run(tidy_run(TABLE, RUN, CHECKED, inspection))
    assert (tmp_path / "fresh" / "results.db").is_file()
    assert resource.open() is resource.open()
    assert_run_stored(resource.open(), inspection)
    resource.open().dispose()


# -- tidy rows, without a database


def test_times_are_stored_in_utc_and_naive_times_are_refused(inspection: TableInspection) -> None:
    paris = CHECKED.astimezone(timezone(timedelta(hours=1)))
    assert tidy_run(TABLE, RUN, paris, inspection).check_runs[0]["checked_at"] == CHECKED
    with pytest.raises(ValueError, match="naive"):
        tidy_run(TABLE, RUN, datetime(2026, 11, 21, 6, 0), inspection)


def test_numbers_a_database_may_not_keep_become_null(inspection: TableInspection) -> None:
    odd = Anomaly("amount", "zscore_outliers", "z", math.inf, math.nan, Severity.INFO, "odd")
    run: TidyRun = tidy_run(
        TABLE, RUN, CHECKED, replace(inspection, anomalies=[odd], duration_seconds=math.nan)
    )
    assert (run.anomalies[0]["value"], run.anomalies[0]["threshold"]) == (None, None)
    assert run.check_runs[0]["duration_seconds"] is None
    assert run.check_runs[0]["anomaly_count"] == 1
