"""Exact profiles through the real DuckDB runner, checked against pandas/numpy as an independent oracle."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dq_checks.config.models import AnomalySettings, AnomalyThresholds
from dq_checks.profile.model import ColumnProfile, TableProfile, ValueCount
from dq_checks.profile.profiler import ProfileError, profile_table
from dq_checks.profile.values import MAX_VALUE_CHARS, cut_text, plain
from dq_checks.schema import ColumnInfo, ColumnKind
from tests.runners import duckdb_over

N = 3000
REL = 1e-12  # mean and quantiles: same arithmetic, at most rounding differences
STD_REL = 1e-9  # DuckDB's streaming variance vs numpy's two-pass

COLUMNS = [
    ColumnInfo("amount", "double", ColumnKind.NUMERIC),
    ColumnInfo("qty", "long", ColumnKind.NUMERIC),
    ColumnInfo("price", "decimal(10, 2)", ColumnKind.NUMERIC),
    ColumnInfo("constant", "int", ColumnKind.NUMERIC),
    ColumnInfo("nothing", "double", ColumnKind.NUMERIC),
    ColumnInfo("created_at", "timestamp", ColumnKind.TEMPORAL),
    ColumnInfo("is_gift", "boolean", ColumnKind.BOOLEAN),
    ColumnInfo("status", "string", ColumnKind.STRING),
    ColumnInfo("city", "string", ColumnKind.STRING),
]
NUMERIC = ["amount", "qty", "price", "constant", "nothing"]
CATEGORICAL = ["is_gift", "status", "city"]

# status: planted frequencies, with ties inside the top 10 and across its cut-off.
STATUS_COUNTS = {
    "delivered": 1500,
    "shipped": 500,
    "pending": 200,
    "cancelled": 200,  # ties with pending: cancelled comes first (value ascending)
    "returned": 150,
    "Lost": 100,  # ties with "lost"; upper case sorts first
    "lost": 100,
    "on_hold": 60,
    "b_flag": 40,
    "a_flag": 40,
    "z_flag": 40,  # ties with a_flag and b_flag at 10th place: z_flag is cut off
    "unknown": 30,
}
STATUS_NULLS = N - sum(STATUS_COUNTS.values())  # planted: 40 NULL statuses


def build_table() -> pa.Table:
    rng = np.random.default_rng(20240601)

    amount = rng.normal(100.0, 15.0, N).round(2).astype(object)
    amount[:60] = None  # planted: 60 NULLs
    amount[60:67] = 0.0  # planted: 7 zeros
    amount[67:70] = [-20.5, -1.0, -300.0]  # planted: 3 negatives, one of them far out
    amount[70:75] = [900.0, 1500.0, 4000.0, 4000.0, 250.0]  # planted: far values, a duplicate among them

    qty = rng.integers(1, 21, N).astype(object)  # many ties: 20 possible values
    qty[::100] = 0  # planted: 30 zeros
    qty[1::250] = None  # planted: 12 NULLs
    qty[2] = -5  # planted: a negative quantity

    cents = rng.integers(0, 50_000, N)
    price = [Decimal(int(c)).scaleb(-2) for c in cents]
    price[3] = Decimal("0.00")  # planted: a zero price
    price[4] = Decimal("-12.50")  # planted: a refund written as a negative price
    price[5] = Decimal("99999.99")  # planted: an absurd price
    price[6:9] = [None, None, None]  # planted: 3 NULLs

    start = dt.datetime(2024, 1, 1)
    created = [start + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 90, N)]
    created[10] = dt.datetime(1970, 1, 1)  # planted: an epoch default
    created[11:16] = [None] * 5  # planted: 5 NULLs

    gift = [bool(v) for v in rng.random(N) < 0.1]
    gift[20:30] = [None] * 10  # planted: 10 NULLs

    status = [s for s, c in STATUS_COUNTS.items() for _ in range(c)] + [None] * STATUS_NULLS
    rng.shuffle(status)

    city = [str(v) for v in rng.choice(["Oslo", "Bergen", "Trondheim", "Tromsø", "Bodø"], N)]
    city[0:2000] = [None] * 2000  # planted: 2,000 NULLs (67%)

    return pa.table(
        {
            "amount": pa.array(list(amount), pa.float64()),
            "qty": pa.array(list(qty), pa.int64()),
            "price": pa.array(price, pa.decimal128(10, 2)),
            "constant": pa.array([7] * N, pa.int32()),  # IQR and std both zero
            "nothing": pa.array([None] * N, pa.float64()),  # planted: an all-NULL numeric column
            "created_at": pa.array(created, pa.timestamp("us")),
            "is_gift": pa.array(gift, pa.bool_()),
            "status": pa.array(status, pa.string()),
            "city": pa.array(city, pa.string()),
        }
    )


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return build_table()


@pytest.fixture(scope="module")
def frame(table) -> pd.DataFrame:
    return table.to_pandas()


@pytest.fixture(scope="module")
def profile(table) -> TableProfile:
    with duckdb_over(table) as runner:
        return profile_table(runner, COLUMNS, AnomalySettings(), row_count_hint=table.num_rows)


def floats(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].dropna().astype(float).to_numpy()


def top_values(values: pd.Series) -> tuple[ValueCount, ...]:
    counts = values.dropna().value_counts()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(ValueCount(value, int(count)) for value, count in ranked[:10])


# --- the oracle comparisons -----------------------------------------------------------------


def test_row_count_and_columns(profile):
    assert profile.row_count == N
    assert list(profile.columns) == [c.name for c in COLUMNS]
    for info in COLUMNS:
        column = profile.columns[info.name]
        assert (column.name, column.data_type, column.kind, column.row_count) == (
            info.name,
            info.data_type,
            info.kind,
            N,
        )


@pytest.mark.parametrize("name", [c.name for c in COLUMNS])
def test_null_counts(profile, frame, name):
    assert profile.columns[name].null_count == int(frame[name].isna().sum())


def test_planted_null_counts(profile):
    nulls = {name: c.null_count for name, c in profile.columns.items()}
    assert nulls == {
        "amount": 60,
        "qty": 12,
        "price": 3,
        "constant": 0,
        "nothing": N,
        "created_at": 5,
        "is_gift": 10,
        "status": STATUS_NULLS,
        "city": 2000,
    }


@pytest.mark.parametrize("name", [c.name for c in COLUMNS if c.name != "nothing"])
def test_distinct_counts(profile, frame, name):
    assert profile.columns[name].distinct_count == int(frame[name].nunique(dropna=True))


@pytest.mark.parametrize("name", ["amount", "qty", "price"])
def test_numeric_statistics(profile, frame, name):
    column = profile.columns[name]
    values = floats(frame, name)
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])  # linear, like quantile_cont

    assert column.min == float(values.min())
    assert column.max == float(values.max())
    assert column.mean == pytest.approx(float(values.mean()), rel=REL)
    assert column.std == pytest.approx(float(values.std(ddof=1)), rel=STD_REL)
    assert (column.q1, column.median, column.q3) == (
        pytest.approx(float(q1), rel=REL),
        pytest.approx(float(median), rel=REL),
        pytest.approx(float(q3), rel=REL),
    )
    assert (column.q1, column.median, column.q3) == tuple(
        pytest.approx(v, rel=REL) for v in frame[name].dropna().astype(float).quantile([0.25, 0.5, 0.75])
    )
    assert column.zeros == int(np.sum(values == 0))
    assert column.negatives == int(np.sum(values < 0))


def test_planted_zeros_negatives_and_extremes(profile):
    amount, qty, price = (profile.columns[n] for n in ("amount", "qty", "price"))

    assert (amount.zeros, amount.negatives, amount.min, amount.max) == (7, 3, -300.0, 4000.0)
    assert (qty.zeros, qty.negatives, qty.min, qty.max) == (30, 1, -5, 20)
    assert (price.zeros, price.negatives, price.min, price.max) == (1, 1, -12.5, 99999.99)
    # Integers stay integers; decimals become floats.
    assert type(qty.min) is int
    assert type(price.max) is float


def test_integer_column_keeps_plain_python_types(profile, frame):
    qty = profile.columns["qty"]
    assert qty.min == int(frame["qty"].min())
    assert qty.max == int(frame["qty"].max())


@pytest.mark.parametrize("name", ["amount", "qty", "price"])
def test_outlier_counts_and_tails(profile, frame, name):
    column = profile.columns[name]
    values = floats(frame, name)
    mean, std = values.mean(), values.std(ddof=1)
    q1, q3 = np.quantile(values, [0.25, 0.75])
    lower, upper = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    ordered = np.sort(values)

    stats = column.outliers
    assert stats is not None
    assert stats.zscore_threshold == 3.0
    assert stats.zscore_count == int(np.sum(np.abs(values - mean) > 3 * std))
    assert stats.iqr_lower_bound == pytest.approx(float(lower), rel=REL)
    assert stats.iqr_upper_bound == pytest.approx(float(upper), rel=REL)
    assert stats.iqr_count == int(np.sum((values < lower) | (values > upper)))
    assert stats.largest == tuple(float(v) for v in ordered[::-1][:20])
    assert stats.smallest == tuple(float(v) for v in ordered[:20])


def test_planted_outliers_in_amount(profile):
    stats = profile.columns["amount"].outliers

    assert stats.largest[:5] == (4000.0, 4000.0, 1500.0, 900.0, 250.0)  # duplicates included
    assert stats.smallest[:3] == (-300.0, -20.5, -1.0)
    # The planted far values inflate the std to about 110, so 3 std is about 330 from the mean of about 101:
    # -300, 900, 1,500 and 4,000 (twice) are beyond it; 250 and -20.5 are not.
    assert stats.zscore_count == 5
    assert stats.iqr_count > stats.zscore_count


def test_constant_column(profile):
    constant = profile.columns["constant"]

    assert (constant.min, constant.max, constant.mean, constant.std) == (7, 7, 7.0, 0.0)
    assert (constant.q1, constant.median, constant.q3) == (7.0, 7.0, 7.0)
    assert constant.distinct_count == 1
    # A zero std cannot define z-scores: the count is 0, not every row.
    assert constant.outliers.zscore_count == 0
    assert constant.outliers.iqr_count == 0
    assert (constant.outliers.iqr_lower_bound, constant.outliers.iqr_upper_bound) == (7.0, 7.0)
    assert constant.outliers.largest == (7.0,) * 20


def test_all_null_numeric_column(profile):
    nothing = profile.columns["nothing"]

    assert nothing.null_count == N
    assert nothing.non_null_count == 0
    assert nothing.distinct_count == 0
    assert (nothing.min, nothing.max, nothing.mean, nothing.std) == (None, None, None, None)
    assert (nothing.q1, nothing.median, nothing.q3) == (None, None, None)
    assert nothing.top_values == ()
    assert nothing.outliers is None  # no second pass on a column without values


def test_all_null_numeric_column_has_zero_zeros_and_negatives(profile, frame):
    nothing = profile.columns["nothing"]

    assert nothing.zeros == int((frame["nothing"] == 0).sum()) == 0
    assert nothing.negatives == int((frame["nothing"] < 0).sum()) == 0


def test_timestamp_column(profile, frame):
    created = profile.columns["created_at"]
    values = frame["created_at"].dropna()

    assert created.min == "1970-01-01T00:00:00"  # planted epoch default
    assert created.min == values.min().to_pydatetime().isoformat()
    assert created.max == values.max().to_pydatetime().isoformat()
    assert (created.mean, created.median, created.q1, created.zeros, created.outliers) == (None,) * 5
    assert created.top_values == ()


@pytest.mark.parametrize("name", CATEGORICAL)
def test_top_values(profile, frame, name):
    assert profile.columns[name].top_values == top_values(frame[name])


def test_planted_status_ties(profile):
    status = profile.columns["status"]

    assert status.top_values == (
        ValueCount("delivered", 1500),
        ValueCount("shipped", 500),
        ValueCount("cancelled", 200),
        ValueCount("pending", 200),
        ValueCount("returned", 150),
        ValueCount("Lost", 100),
        ValueCount("lost", 100),
        ValueCount("on_hold", 60),
        ValueCount("a_flag", 40),
        ValueCount("b_flag", 40),
    )
    assert status.distinct_count == 12  # counted over all groups, not just the 10 shown
    assert (status.min, status.max) == ("Lost", "z_flag")


def test_boolean_column(profile, frame):
    gift = profile.columns["is_gift"]
    trues = int((frame["is_gift"] == True).sum())  # noqa: E712 - object column of True/False/None
    falses = int((frame["is_gift"] == False).sum())  # noqa: E712

    assert gift.top_values == (ValueCount(False, falses), ValueCount(True, trues))
    # A boolean is described by its two counts; MIN/MAX of a boolean are not portable SQL.
    assert (gift.min, gift.max, gift.distinct_count) == (None, None, 2)
    assert type(gift.top_values[0].value) is bool
    assert gift.outliers is None


def test_mostly_null_string_column(profile, frame):
    city = profile.columns["city"]

    assert city.null_count == 2000
    assert sum(v.count for v in city.top_values) == 1000  # five cities, all shown
    assert city.distinct_count == 5
    assert city.min == frame["city"].dropna().min()
    assert city.max == frame["city"].dropna().max() == "Trondheim"  # "Tron" > "Trom"


# --- queries and memory budget --------------------------------------------------------------

# Exact distinct count and quartiles per numeric column, and the timestamp's exact distinct count.
HEAVY_METRICS = 2 * len(NUMERIC) + 1
# The columns only COUNT, MIN and MAX read get a query of their own (up to 25 columns to one),
# which DuckDB answers from its storage's statistics when it can: the timestamp, the boolean and
# the two text columns, in one query.
EXTREMES_ONLY = ["created_at", *CATEGORICAL]
EXTREMES_QUERIES = 1


def test_default_budget_scans_once_per_pass(profile):
    # The light first pass, a query for the columns read only for their extremes, the heavy metrics in
    # a query of their own (the local engine keeps them apart), one frequency query per
    # categorical column, one outlier pass.
    assert profile.queries == 1 + EXTREMES_QUERIES + 1 + len(CATEGORICAL) + 1


def same_columns(actual: TableProfile, expected: TableProfile) -> None:
    """Every statistic equal; mean and std to the last few bits.

    DuckDB sums floats in parallel, so the summation order (and the last bits of a mean or
    standard deviation) can differ from one run to the next, with or without splitting.
    """
    assert list(actual.columns) == list(expected.columns)
    for name, column in expected.columns.items():
        tolerant = replace(
            column,
            mean=column.mean if column.mean is None else pytest.approx(column.mean, rel=REL),
            std=column.std if column.std is None else pytest.approx(column.std, rel=REL),
        )
        assert actual.columns[name] == tolerant, name


def test_tiny_heavy_budget_gives_identical_results_with_more_queries(table, profile):
    with duckdb_over(table, heavy_cells_per_query=1) as runner:
        split = profile_table(runner, COLUMNS, AnomalySettings(), row_count_hint=table.num_rows)

    same_columns(split, profile)
    assert split.row_count == profile.row_count
    # Every heavy metric gets its own query, and the light ones one more.
    assert split.queries == 1 + EXTREMES_QUERIES + HEAVY_METRICS + len(CATEGORICAL) + 1
    assert split.queries > profile.queries


def test_budget_of_three_heavy_metrics_per_query(table, profile):
    with duckdb_over(table, heavy_cells_per_query=3 * N) as runner:
        split = profile_table(runner, COLUMNS, AnomalySettings(), row_count_hint=None)

    same_columns(split, profile)
    assert split.queries == 1 + EXTREMES_QUERIES + -(-HEAVY_METRICS // 3) + len(CATEGORICAL) + 1


def test_two_queries_at_once_give_the_same_profile_with_each_pass_spread_over_two(table, profile):
    with duckdb_over(table, threads=2) as runner:
        assert runner.parallel_queries == 2
        parallel = profile_table(runner, COLUMNS, AnomalySettings(), row_count_hint=table.num_rows)

    same_columns(parallel, profile)
    # The light pass, the extremes-only query, the heavy pass and the outlier pass each split in
    # two between columns; the frequency queries are as many as before (and run two at a time).
    assert parallel.queries == 2 + 2 + 2 + len(CATEGORICAL) + 2


# --- settings and edge tables ---------------------------------------------------------------


def test_per_column_thresholds_drive_the_second_pass(table, frame):
    override = AnomalyThresholds(zscore_threshold=2.0, iqr_multiplier=3.0)
    settings = AnomalySettings(columns={"amount": override})
    columns = [c for c in COLUMNS if c.name in ("amount", "qty")]

    with duckdb_over(table) as runner:
        profile = profile_table(runner, columns, settings, row_count_hint=N)

    values = floats(frame, "amount")
    mean, std = values.mean(), values.std(ddof=1)
    q1, q3 = np.quantile(values, [0.25, 0.75])
    stats = profile.columns["amount"].outliers
    assert stats.zscore_threshold == 2.0
    assert stats.zscore_count == int(np.sum(np.abs(values - mean) > 2 * std))
    assert stats.iqr_count == int(np.sum((values < q1 - 3 * (q3 - q1)) | (values > q3 + 3 * (q3 - q1))))
    assert profile.columns["qty"].outliers.zscore_threshold == 3.0


def test_iqr_fences_are_exclusive():
    # 101 integers: quartiles fall on data points (positions 25, 50, 75), q1 = 10, q3 = 20,
    # so the fences are -5 and 35 exactly. Planted: values on each fence (not outliers)
    # and one step beyond each fence (outliers).
    values = [-6, -5] + [10] * 24 + [15] * 49 + [20] * 24 + [35, 36]
    assert len(values) == 101
    table = pa.table({"v": pa.array(values, pa.int64())})

    with duckdb_over(table) as runner:
        profile = profile_table(runner, [ColumnInfo("v", "long", ColumnKind.NUMERIC)], AnomalySettings())

    column = profile.columns["v"]
    assert (column.q1, column.median, column.q3) == (10.0, 15.0, 20.0)
    assert (column.outliers.iqr_lower_bound, column.outliers.iqr_upper_bound) == (-5.0, 35.0)
    assert column.outliers.iqr_count == 2  # -6 and 36 only
    series = pd.Series(values, dtype=float)
    assert column.outliers.iqr_count == int(((series < -5) | (series > 35)).sum())


def test_empty_table(table):
    empty = table.slice(0, 0)

    with duckdb_over(empty) as runner:
        profile = profile_table(runner, COLUMNS, AnomalySettings(), row_count_hint=0)

    assert profile.row_count == 0
    # Light, extremes and heavy, and the frequency queries sent with them (before any count is
    # known; they come back empty, a distinct count of 0). No values: no outlier pass.
    assert profile.queries == 2 + EXTREMES_QUERIES + len(CATEGORICAL)
    for info in COLUMNS:
        column = profile.columns[info.name]
        assert column == ColumnProfile(
            name=info.name,
            data_type=info.data_type,
            kind=info.kind,
            row_count=0,
            null_count=0,
            distinct_count=0,
            zeros=column.zeros,  # see test_all_null_numeric_column_has_zero_zeros_and_negatives
            negatives=column.negatives,
        )
        assert column.non_null_count == 0


def test_quoted_and_reserved_column_names():
    # Identifiers are quoted: a reserved word and a name with a quote and a space work.
    table = pa.table(
        {'we"ird name': pa.array([1.0, 2.0, None, 4.0]), "select": pa.array(["a", "b", "b", None])}
    )
    columns = [
        ColumnInfo('we"ird name', "double", ColumnKind.NUMERIC),
        ColumnInfo("select", "string", ColumnKind.STRING),
    ]

    with duckdb_over(table) as runner:
        profile = profile_table(runner, columns, AnomalySettings())

    weird = profile.columns['we"ird name']
    assert (weird.null_count, weird.distinct_count, weird.min, weird.max) == (1, 3, 1.0, 4.0)
    assert (weird.q1, weird.median, weird.q3) == (1.5, 2.0, 3.0)
    assert profile.columns["select"].top_values == (ValueCount("b", 2), ValueCount("a", 1))


# --- huge values are cut where they leave the engine ----------------------------------------


def test_plain_cuts_long_text_with_a_marker_of_its_length():
    assert plain("x" * MAX_VALUE_CHARS) == "x" * MAX_VALUE_CHARS  # exactly the limit: kept whole
    assert plain("y" * 5_242_880) == "y" * MAX_VALUE_CHARS + "…[cut: 5,242,880 chars]"
    once = plain("z" * 1_000)
    assert plain(once) == once  # a value cut once keeps its marker, as read back from history
    assert cut_text("w" * MAX_VALUE_CHARS, 9_999) == "w" * MAX_VALUE_CHARS + "…[cut: 9,999 chars]"
    assert plain(b"\x01\x02") == "0102"
    assert plain(b"\xff" * 300) == "ff" * (MAX_VALUE_CHARS // 2) + "…[cut: 300 bytes]"


def test_huge_text_is_counted_by_its_whole_value_and_shown_cut():
    # Planted: two values of 300 characters share their first 299 ("x" * 299 + "A" twice,
    # "x" * 299 + "B" once): cut to 200 they look alike, but they are 2 distinct values. One
    # 1 MB value; one short value three times; a NULL.
    same_start_a, same_start_b = "x" * 299 + "A", "x" * 299 + "B"
    megabyte = "m" * 1_000_000
    values = [same_start_a, same_start_a, same_start_b, megabyte, "short", "short", "short", None]
    table = pa.table({"note": pa.array(values, pa.string())})

    with duckdb_over(table) as runner:
        profile = profile_table(runner, [ColumnInfo("note", "string", ColumnKind.STRING)], AnomalySettings())

    note = profile.columns["note"]
    cut_x = "x" * MAX_VALUE_CHARS + "…[cut: 300 chars]"
    assert (note.null_count, note.distinct_count) == (1, 4)
    assert note.top_values == (
        ValueCount("short", 3),
        ValueCount(cut_x, 2),  # the "A" value
        ValueCount("m" * MAX_VALUE_CHARS + "…[cut: 1,000,000 chars]", 1),
        ValueCount(cut_x, 1),  # the "B" value
    )
    assert note.min == "m" * MAX_VALUE_CHARS + "…[cut: 1,000,000 chars]"
    assert note.max == cut_x  # "x" * 299 + "B"


# --- an engine failure is the profile's error, with the engine's cause ----------------------


def test_an_engine_failure_is_a_profile_error_naming_the_cause():
    # Planted: the description says `code` is a number, but the engine holds text in it, so the
    # engine refuses the first query sent, the heavy one (its quartiles cast "a" to a number).
    table = pa.table({"code": pa.array(["12", "a", "7"])})

    with duckdb_over(table) as runner, pytest.raises(ProfileError) as raised:
        profile_table(runner, [ColumnInfo("code", "double", ColumnKind.NUMERIC)], AnomalySettings())

    assert str(raised.value) == (
        "the engine could not profile the table: Conversion Error: Could not convert string <value> "
        "to DOUBLE when casting from source column code"
    )
