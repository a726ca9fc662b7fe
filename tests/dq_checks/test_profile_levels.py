"""Profile levels per table: `profile: exact` (the default), `approximate` and `off`.

The approximate level is held to its documented error (dq_checks.profile.levels) against the
exact profile of the same data, on every column of the demo shop's tables and on a planted
table whose distinct counts and quartiles are known by construction. The `off` level is run
through the real inspection path on a planted file: its rules keep their exact outcomes and
the table is scanned once. Every level's anomalies check names the level it saw.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import sqlalchemy
from click.testing import CliRunner
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from dq_assets.cli.main import cli
from dq_checks.config.loader import load_table_specs
from dq_checks.config.models import AnomalySettings, ProfileLevel
from dq_checks.history.earlier_runs import PastRun
from dq_checks.metrics.sql import select_from
from dq_checks.profile.column_metrics import first_pass_metrics
from dq_checks.profile.levels import DISTINCT_RELATIVE_ERROR, QUANTILE_RANK_ERROR
from dq_checks.profile.model import ColumnProfile, TableProfile
from dq_checks.profile.profiler import profile_table
from dq_checks.render.markdown import profile_markdown
from dq_checks.reports import build_workbook
from dq_checks.results.builders import APPROXIMATE_METRICS_KEY, PROFILE_LEVEL_KEY
from dq_checks.results.inspection import TableInspection
from dq_checks.schema import ColumnInfo, ColumnKind
from dq_resources.aws.redshift import split_for_redshift
from dq_resources.demo import generate_shop
from dq_resources.engines import SqlRunner
from dq_resources.files import FileSourceResource
from dq_resources.files.arrow_types import arrow_columns
from dq_runs.inspect import inspect_table
from tests.dq_checks.test_config_loader import at, valid
from tests.runners import duckdb_over

APPROXIMATED_NUMERIC = ("distinct_count", "q1", "median", "q3")
QUARTILES = {"q1": 0.25, "median": 0.5, "q3": 0.75}


def profiles_at_both_levels(table: pa.Table) -> tuple[TableProfile, TableProfile]:
    columns = arrow_columns(table.schema)
    with duckdb_over(table) as runner:
        exact = profile_table(runner, columns, AnomalySettings(), row_count_hint=table.num_rows)
    with duckdb_over(table) as runner:
        approximate = profile_table(
            runner, columns, AnomalySettings(), row_count_hint=table.num_rows, level=ProfileLevel.APPROXIMATE
        )
    return exact, approximate


def rank_error(values: np.ndarray, estimate: float, fraction: float) -> float:
    """How far `fraction` lies from the ranks `estimate` holds among the sorted `values` (0 when inside)."""
    low = np.searchsorted(values, estimate, "left") / len(values)
    high = np.searchsorted(values, estimate, "right") / len(values)
    return 0.0 if low <= fraction <= high else min(abs(low - fraction), abs(high - fraction))


def finite_sorted(table: pa.Table, name: str) -> np.ndarray:
    """The column's finite values as sorted doubles: the oracle the quartiles' ranks are read from."""
    values = np.asarray(pc.drop_null(table[name]).to_numpy(zero_copy_only=False), dtype=float)
    return np.sort(values[np.isfinite(values)])


def exact_part(column: ColumnProfile) -> ColumnProfile:
    """The column without its estimates and the IQR fences built on them, and the sums (compared apart)."""
    outliers = column.outliers and replace(
        column.outliers, iqr_lower_bound=None, iqr_upper_bound=None, iqr_count=0
    )
    return replace(
        column,
        distinct_count=None,
        q1=None,
        median=None,
        q3=None,
        approximate=(),
        outliers=outliers,
        mean=None,
        std=None,
    )


def assert_within_documented_error(table: pa.Table, exact: TableProfile, approximate: TableProfile) -> None:
    assert (approximate.level, exact.level) == ("approximate", "exact")
    assert approximate.row_count == exact.row_count
    for name, truth in exact.columns.items():
        estimate = approximate.columns[name]
        expected = {ColumnKind.NUMERIC: APPROXIMATED_NUMERIC, ColumnKind.TEMPORAL: ("distinct_count",)}
        assert estimate.approximate == expected.get(truth.kind, ()), name
        assert truth.approximate == ()
        assert exact_part(estimate) == exact_part(truth), name
        # Exact at both levels; only the order in which threads add up partial sums may differ.
        for value, oracle, tolerance in ((estimate.mean, truth.mean, 1e-12), (estimate.std, truth.std, 1e-9)):
            assert value == (oracle if oracle is None else pytest.approx(oracle, rel=tolerance)), name
        if "distinct_count" in estimate.approximate:
            assert truth.distinct_count is not None and estimate.distinct_count is not None
            error = abs(estimate.distinct_count - truth.distinct_count) / truth.distinct_count
            assert error <= DISTINCT_RELATIVE_ERROR, (name, truth.distinct_count, estimate.distinct_count)
        else:
            assert estimate.distinct_count == truth.distinct_count, name
        if truth.kind is ColumnKind.NUMERIC and truth.non_null_count:
            values = finite_sorted(table, name)
            for field, fraction in QUARTILES.items():
                value = getattr(estimate, field)
                assert value is not None
                assert rank_error(values, value, fraction) <= QUANTILE_RANK_ERROR, (name, field, value)


# -- the approximate level against the exact one


@pytest.fixture(scope="module")
def shop() -> dict[str, pa.Table]:
    """The demo shop's tables, as the demo warehouse's seed writes them."""
    return generate_shop().by_name()


@pytest.mark.parametrize("name", ["customers", "products", "orders", "order_items"])
def test_approximate_demo_tables_stay_within_documented_error(shop: dict[str, pa.Table], name: str) -> None:
    table = shop[name]
    exact, approximate = profiles_at_both_levels(table)

    assert_within_documented_error(table, exact, approximate)


def test_approximate_really_approximates_on_the_demo_orders(shop: dict[str, pa.Table]) -> None:
    exact, approximate = profiles_at_both_levels(shop["orders"])

    # 199,850 distinct order ids (150 planted duplicates): HyperLogLog does not land on the exact count.
    assert exact.columns["order_id"].distinct_count == 199_850
    assert approximate.columns["order_id"].distinct_count != 199_850
    # Each numeric column's first pass is one scan: no heavy metric left to split off.
    assert approximate.queries < exact.queries


PLANTED_ROWS = 100_000


@pytest.fixture(scope="module")
def planted() -> pa.Table:
    """100,000 rows: `n` holds 0..49,999 twice each (50,000 distinct; quartiles 12,499.75, 24,999.5,
    37,499.25 exactly); `word` holds 7 distinct strings; `small` 7 distinct integers."""
    index = np.arange(PLANTED_ROWS)
    return pa.table(
        {
            "n": pa.array(index % 50_000, pa.int64()),
            "word": pa.array([f"w{i % 7}" for i in range(PLANTED_ROWS)], pa.string()),
            "small": pa.array(index % 7, pa.int32()),
        }
    )


def test_planted_distinct_counts_and_quartiles(planted: pa.Table) -> None:
    exact, approximate = profiles_at_both_levels(planted)

    n, word, small = (exact.columns[c] for c in ("n", "word", "small"))
    assert (n.distinct_count, word.distinct_count, small.distinct_count) == (50_000, 7, 7)
    assert (n.q1, n.median, n.q3) == (12_499.75, 24_999.5, 37_499.25)
    assert all(c.approximate == () for c in exact.columns.values())

    estimate = approximate.columns["n"]
    assert estimate.approximate == APPROXIMATED_NUMERIC
    assert estimate.distinct_count is not None
    assert abs(estimate.distinct_count - 50_000) <= DISTINCT_RELATIVE_ERROR * 50_000
    assert estimate.distinct_count != 50_000  # really a sketch
    for field, fraction in QUARTILES.items():
        assert (
            rank_error(finite_sorted(planted, "n"), getattr(estimate, field), fraction) <= QUANTILE_RANK_ERROR
        )
    # The categorical column keeps the frequency query's exact count, and says so.
    assert (approximate.columns["word"].distinct_count, approximate.columns["word"].approximate) == (7, ())
    assert approximate.columns["small"].distinct_count == 7
    assert_within_documented_error(planted, exact, approximate)
    # One scan for the first pass, one query for word's COUNT, MIN and MAX (the local engine's
    # statistics answer it), one frequency query (word), one outlier pass (n and small).
    assert approximate.queries == 4


def test_a_column_without_values_claims_no_estimate() -> None:
    table = pa.table(
        {
            "empty": pa.array([None] * 5, pa.float64()),  # planted: no value to estimate
            "b": pa.array([1.0, float("nan"), float("inf"), 2.0, None]),  # planted: two finite values
        }
    )
    with duckdb_over(table) as runner:
        profile = profile_table(
            runner, arrow_columns(table.schema), AnomalySettings(), level=ProfileLevel.APPROXIMATE
        )

    empty, b = profile.columns["empty"], profile.columns["b"]
    assert (empty.distinct_count, empty.median, empty.approximate) == (0, None, ())
    assert (b.distinct_count, b.non_finite, b.approximate) == (4, 2, APPROXIMATED_NUMERIC)
    assert profile.approximate_metrics == {"b": list(APPROXIMATED_NUMERIC)}


def test_sketches_are_not_heavy_and_exact_counts_are() -> None:
    info = ColumnInfo("n", "long", ColumnKind.NUMERIC)

    sketched = first_pass_metrics(info, ProfileLevel.APPROXIMATE, "duckdb")
    exact = first_pass_metrics(info, ProfileLevel.EXACT, "duckdb")
    fallback = first_pass_metrics(info, ProfileLevel.APPROXIMATE, "postgres")

    assert sketched.distinct is not None and sketched.quartiles is not None
    assert (sketched.distinct.heavy, sketched.distinct.counts_distinct, sketched.quartiles.heavy) == (
        False,
        False,
        False,
    )
    assert exact.distinct is not None and exact.quartiles is not None
    assert (exact.distinct.heavy, exact.distinct.counts_distinct, exact.quartiles.heavy) == (True, True, True)
    assert fallback.approximate == ()
    assert [m.key for m in fallback.all()] == [m.key for m in exact.all()]


# -- each dialect's SQL: its own approximate function, or the exact one, marked exact

RELATION = exp.table_(exp.to_identifier("orders", quoted=True))
APPROXIMATE_SQL = {
    "duckdb": (
        'APPROX_COUNT_DISTINCT("n")',
        'APPROX_QUANTILE(CAST("n" AS DOUBLE), [0.25, 0.5, 0.75])',
        APPROXIMATED_NUMERIC,
    ),
    "trino": (
        'APPROX_DISTINCT("n")',
        'APPROX_PERCENTILE(CAST("n" AS DOUBLE), ARRAY[0.25, 0.5, 0.75])',
        APPROXIMATED_NUMERIC,
    ),
    "athena": (
        'APPROX_DISTINCT("n")',
        'APPROX_PERCENTILE(CAST("n" AS DOUBLE), ARRAY[0.25, 0.5, 0.75])',
        APPROXIMATED_NUMERIC,
    ),
    "spark": (
        "APPROX_COUNT_DISTINCT(`n`)",
        "PERCENTILE_APPROX(CAST(`n` AS DOUBLE), ARRAY(0.25, 0.5, 0.75))",
        APPROXIMATED_NUMERIC,
    ),
    # Redshift's approximate percentile takes one fraction: its quartiles stay exact.
    "redshift": (
        'APPROXIMATE COUNT(DISTINCT "n")',
        'PERCENTILE_CONT(ARRAY(0.25, 0.5, 0.75)) WITHIN GROUP (ORDER BY CAST("n" AS DOUBLE PRECISION))',
        ("distinct_count",),
    ),
    # Snowflake's PERCENTILE_CONT takes one fraction: an array of three exact aggregates.
    "snowflake": (
        'APPROX_COUNT_DISTINCT("n")',
        'ARRAY_CONSTRUCT(PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY CAST("n" AS DOUBLE)), '
        'PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CAST("n" AS DOUBLE)), '
        'PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY CAST("n" AS DOUBLE)))',
        ("distinct_count",),
    ),
    # Postgres has no approximate aggregates: the exact ones, and nothing claimed approximate.
    "postgres": (
        'COUNT(DISTINCT "n")',
        'PERCENTILE_CONT(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY CAST("n" AS DOUBLE PRECISION))',
        (),
    ),
}


@pytest.mark.parametrize("dialect", list(APPROXIMATE_SQL))
def test_each_dialect_writes_its_own_approximate_aggregates(dialect: str) -> None:
    distinct_sql, quartiles_sql, approximated = APPROXIMATE_SQL[dialect]

    metrics = first_pass_metrics(
        ColumnInfo("n", "long", ColumnKind.NUMERIC), ProfileLevel.APPROXIMATE, dialect
    )

    assert metrics.distinct is not None and metrics.quartiles is not None
    assert (
        metrics.distinct.expression.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE) == distinct_sql
    )
    assert (
        metrics.quartiles.expression.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE) == quartiles_sql
    )
    assert metrics.approximate == approximated
    query = select_from([m.expression for m in metrics.all()], RELATION)
    assert query.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)


def test_athena_quartiles_are_marked_approximate_even_in_an_exact_profile() -> None:
    # Athena has no exact percentile: its runner sends approx_percentile for the exact quartiles too.
    metrics = first_pass_metrics(ColumnInfo("n", "long", ColumnKind.NUMERIC), ProfileLevel.EXACT, "athena")

    assert metrics.approximate == ("q1", "median", "q3")
    assert metrics.distinct is not None and metrics.distinct.counts_distinct


def test_redshift_runner_splits_the_approximate_first_pass_into_statements_it_accepts() -> None:
    columns = [ColumnInfo("n", "long", ColumnKind.NUMERIC), ColumnInfo("m", "double", ColumnKind.NUMERIC)]
    projections = [
        m.expression
        for c in columns
        for m in first_pass_metrics(c, ProfileLevel.APPROXIMATE, "redshift").all()
    ]

    split = split_for_redshift(select_from(projections, RELATION))

    statements = [s.sql(dialect="redshift", unsupported_level=ErrorLevel.RAISE) for s in split.statements]
    assert len(statements) == 2  # one per column's exact quartiles (one ORDER BY per statement)
    assert sum(s.count("APPROXIMATE COUNT(DISTINCT") for s in statements) == 2
    assert "ARRAY" not in " ".join(statements)


@pytest.mark.postgres
def test_postgres_falls_back_to_exact_and_claims_no_approximation(postgres_database: str) -> None:
    table = pa.table(
        {
            "n": pa.array([i % 300 for i in range(3_000)], pa.int64()),
            "word": pa.array([f"w{i % 7}" for i in range(3_000)], pa.string()),
            "at": pa.array(
                [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=i % 500) for i in range(3_000)]
            ),
        }
    )
    engine = sqlalchemy.create_engine(postgres_database)
    try:
        table.to_pandas().to_sql("planted", engine, index=False)
        runner = SqlRunner(engine, exp.table_(exp.to_identifier("planted", quoted=True)), "postgres")
        columns = arrow_columns(table.schema)
        exact = profile_table(runner, columns, AnomalySettings())
        approximate = profile_table(runner, columns, AnomalySettings(), level=ProfileLevel.APPROXIMATE)
    finally:
        engine.dispose()

    assert approximate.level == "approximate"
    assert approximate.approximate_metrics == {}
    assert replace(approximate, level="exact") == exact
    assert (exact.columns["n"].distinct_count, exact.columns["at"].distinct_count) == (300, 500)


# -- the definition


def test_level_defaults_to_exact_and_reads_each_value(tmp_path: Path) -> None:
    valid(tmp_path, "alpha")
    valid(tmp_path, "beta", extra="profile: approximate\n")
    valid(tmp_path, "gamma", extra="profile: off\n")

    loaded = load_table_specs(tmp_path)

    assert loaded.problems == ()
    assert {s.table: s.profile for s in loaded.specs} == {
        "alpha": ProfileLevel.EXACT,
        "beta": ProfileLevel.APPROXIMATE,
        "gamma": ProfileLevel.OFF,
    }


def test_an_unknown_level_fails_validate_with_path_and_line(tmp_path: Path) -> None:
    path = valid(tmp_path, "alpha", extra="profile: fast\n")  # planted: not a level

    result = CliRunner().invoke(cli, ["validate", "--config", str(tmp_path)])

    assert result.exit_code == 2
    assert result.output.splitlines()[0] == (
        f"{at(path, 'profile: fast')}: profile: Input should be 'exact', 'approximate' or 'off'"
    )


# -- the real inspection path, on a planted file

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ROWS = 1_000
MISSING_X = 12  # planted: x is NULL on rows 0, 83, 166, ...
BAD_AMOUNTS = 5  # planted: amount <= 0 on rows 500..504
RULES = """\
rules:
  - name: x_complete
    rule: IsComplete "x"
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: three_statuses
    rule: DistinctValuesCount "status" = 3
"""


def planted_file(folder: Path) -> Path:
    x = [None if i % 84 == 0 else i for i in range(ROWS)]  # 0, 84, ..., 924: 12 NULLs
    amount = [float(i % 40 + 1) for i in range(ROWS)]
    for i in range(BAD_AMOUNTS):
        amount[500 + i] = -float(i)  # 0.0, -1.0, ... -4.0
    path = folder / "events.parquet"
    pq.write_table(
        pa.table(
            {
                "x": pa.array(x, pa.int64()),
                "amount": pa.array(amount, pa.float64()),
                "status": pa.array([("new", "paid", "sent")[i % 3] for i in range(ROWS)], pa.string()),
                "ts": pa.array(
                    [NOW - timedelta(minutes=i) for i in range(ROWS)], pa.timestamp("us", tz="UTC")
                ),
            }
        ),
        path,
    )
    return path


def inspect_at(tmp_path: Path, level: str, past: tuple[PastRun, ...] = ()) -> TableInspection:
    data = planted_file(tmp_path)
    defs = tmp_path / "defs"
    defs.mkdir(exist_ok=True)
    (defs / "events.yaml").write_text(
        f"table: events\nsource: {{type: file, path: {data}}}\nprofile: {level}\n"
        "freshness: {max_age_hours: 2, timestamp_column: ts}\n"
        "history: {min_points: 3}\n" + textwrap.dedent(RULES)
    )
    loaded = load_table_specs(defs)
    assert loaded.problems == ()
    defined = loaded.by_name("events")
    assert defined is not None
    # One thread: the engine runs one query at a time, so the query counts below are the plan's.
    source = FileSourceResource(scan_threads=1).open(defined.spec.source)
    return inspect_table(defined, source, past=past, now=NOW)


def checks_of(inspection: TableInspection) -> dict[str, tuple[str, dict[str, object]]]:
    return {c.name: (c.outcome.value, dict(c.metadata)) for c in inspection.checks}


@pytest.mark.parametrize("level", ["exact", "approximate", "off"])
def test_rules_keep_their_exact_outcomes_and_anomalies_name_the_level(tmp_path: Path, level: str) -> None:
    inspection = inspect_at(tmp_path, level)
    checks = checks_of(inspection)

    outcome, x_complete = checks["x_complete"]
    assert (outcome, x_complete["observed"]) == ("fail", (ROWS - MISSING_X) / ROWS)
    outcome, amount_positive = checks["amount_positive"]
    assert (outcome, amount_positive["failed_count"]) == ("fail", BAD_AMOUNTS)
    assert checks["three_statuses"][0] == "pass"
    assert checks["freshness"][0] == "pass"  # max(ts) is NOW, also when the profile is off
    for name in ("profile", "anomalies"):
        assert checks[name][1][PROFILE_LEVEL_KEY] == level
    assert inspection.profile.level == level


def test_off_counts_rows_in_one_scan_with_the_rules(tmp_path: Path) -> None:
    inspection = inspect_at(tmp_path, "off")
    checks = {c.name: c for c in inspection.checks}

    profile = checks["profile"]
    assert profile.outcome.value == "pass"
    # The row count and the rules' metrics in one scan, plus one query for the columns read only
    # by COUNT, MIN or MAX (x's completeness, the freshness column ts): the local engine answers
    # it from the files' statistics without reading the columns.
    assert profile.metadata["queries"] == 2
    assert (profile.metadata["row_count"], profile.metadata["column_count"]) == (ROWS, 4)
    assert "profile: off" in profile.description
    assert APPROXIMATE_METRICS_KEY not in profile.metadata
    # Only the column freshness reads, with its count, min and max.
    assert list(inspection.profile.columns) == ["ts"]
    ts = inspection.profile.columns["ts"]
    assert (ts.null_count, ts.distinct_count, ts.top_values) == (0, None, ())
    anomalies = checks["anomalies"]
    assert (anomalies.outcome.value, anomalies.metadata["anomaly_count"]) == ("pass", 0)
    assert "profile: off" in anomalies.description


def test_approximate_marks_its_estimates_in_checks_and_reports(tmp_path: Path) -> None:
    inspection = inspect_at(tmp_path, "approximate")
    checks = {c.name: c for c in inspection.checks}

    approximated = {
        "x": list(APPROXIMATED_NUMERIC),
        "amount": list(APPROXIMATED_NUMERIC),
        "ts": ["distinct_count"],
    }
    for name in ("profile", "anomalies"):
        assert checks[name].metadata[APPROXIMATE_METRICS_KEY] == approximated
        assert (
            "approximate profile: distinct counts ±5% and quartiles within 1% of rank"
            in checks[name].description
        )
    markdown = profile_markdown(inspection.profile)
    assert markdown.startswith(
        "_approximate profile: distinct counts ±5% and quartiles within 1% of rank (≈) on 3 columns._"
    )
    amount_row = next(line for line in markdown.splitlines() if line.startswith("| amount |"))
    cells = [cell.strip() for cell in amount_row.strip("|").split("|")]
    assert cells[4].startswith("≈") and cells[8].startswith("≈")  # distinct and median
    assert not cells[7].startswith("≈")  # the mean is exact
    assert TableProfile.from_dict(inspection.profile.to_dict()) == replace(inspection.profile, queries=0)


def test_the_workbook_names_the_level_and_each_columns_estimates(tmp_path: Path) -> None:
    inspection = inspect_at(tmp_path, "approximate")

    book = build_workbook("events", inspection, "summary")

    summary = {row[0]: row[1] for row in book["summary"].iter_rows(values_only=True) if row}
    assert (summary["profile level"], summary["columns"]) == ("approximate", 4)
    header, *rows = book["columns"].iter_rows(values_only=True)
    estimates = {row[0]: row[header.index("approximate")] for row in rows}
    assert estimates == {
        "x": "distinct_count, q1, median, q3",
        "amount": "distinct_count, q1, median, q3",
        "status": None,  # the frequency query's exact count
        "ts": "distinct_count",
    }


def test_off_history_judges_the_row_count_and_has_no_column_metrics(tmp_path: Path) -> None:
    # Three earlier runs of an exact profile, with per-column metrics, at about 1,000 rows.
    past = tuple(
        PastRun(
            at=NOW - timedelta(days=d),
            data_version=f"v{d}",
            row_count=float(ROWS + d),
            metrics={"x.null_pct": 1.2, "amount.mean": 20.0},
            schema=None,
        )
        for d in (1, 2, 3)
    )

    checks = checks_of(inspect_at(tmp_path, "off", past))

    outcome, volume = checks["volume"]
    assert (outcome, volume["history_points"]) == ("pass", 3)
    assert checks["anomalies"][1]["anomaly_count"] == 0  # no column statistics to drift
    assert profile_markdown(inspect_at(tmp_path, "off").profile).startswith("_profile: off")


def past_runs(distinct_x: float, approximate: frozenset[str] = frozenset()) -> tuple[PastRun, ...]:
    """Three earlier runs, a day apart, whose `x` had `distinct_x` distinct values."""
    return tuple(
        PastRun(
            at=NOW - timedelta(days=d),
            data_version=f"v{d}",
            row_count=float(ROWS),
            metrics={"x.distinct_count": distinct_x},
            approximate=approximate,
        )
        for d in (1, 2, 3)
    )


def drifts(inspection: TableInspection) -> list[tuple[str, str]]:
    """(column, metric) of each drift anomaly."""
    return [(a.column, a.method.split(":")[0]) for a in inspection.anomalies if a.type == "history_drift"]


def test_an_estimate_is_judged_only_against_estimates_of_earlier_runs(tmp_path: Path) -> None:
    # x has 988 distinct values; the approximate level estimates 965 (2.3% off, within its bound).
    for folder in "abcd":
        (tmp_path / folder).mkdir()
    exact_history = past_runs(988.0)
    assert drifts(inspect_at(tmp_path / "a", "exact", exact_history)) == []
    # Against the exact history, the estimate's own error would look like drift: it is not compared.
    assert drifts(inspect_at(tmp_path / "b", "approximate", exact_history)) == []
    # Against earlier estimates it is: an estimate of 500 distinct values before is drift now.
    estimated_before = past_runs(500.0, frozenset({"x.distinct_count"}))
    assert drifts(inspect_at(tmp_path / "c", "approximate", estimated_before)) == [("x", "distinct values")]
    # And the exact level does not learn from earlier estimates.
    assert drifts(inspect_at(tmp_path / "d", "exact", estimated_before)) == []
