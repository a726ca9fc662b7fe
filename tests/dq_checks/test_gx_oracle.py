"""Great Expectations as an independent oracle for our rules.

On the same DataFrame with planted defects, each GX expectation and its DQDL equivalent
must agree on the outcome and on the failed count. Where the two tools' semantics differ
on NULLs, the test states the difference exactly: GX leaves NULLs out ("missing"), DQDL
fails them for every operator but != and not in, so our failed count = GX's unexpected
count + GX's missing count.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dq_checks.config.models import AnomalySettings
from dq_checks.dqdl.parser import parse_rule
from dq_checks.dqdl.printer import rule_text
from dq_checks.gx import expectation_to_dqdl
from dq_checks.profile.profiler import profile_and_measure
from dq_checks.results.model import Outcome
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import Evidence, TableContext, no_history
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from tests.dq_checks.rule_harness import RuleBench
from tests.runners import duckdb_over

ROWS = 1_000


def planted_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    amount = rng.uniform(1, 99, ROWS).round(2)
    amount[[3, 17, 400]] = [-5.0, 250.0, 1_000.0]  # planted: three amounts outside 0..100
    amount_with_nulls = amount.astype(object)
    amount_with_nulls[[10, 11]] = None  # planted: two missing amounts
    status = rng.choice(["new", "paid", "shipped"], ROWS).astype(object)
    status[[5, 6, 7, 8]] = ["lost", "LOST", "??", "paid "]  # planted: four statuses outside the set
    status[9] = None  # planted: one missing status
    sku = [f"SKU-{i:05d}" for i in range(ROWS)]
    sku[20], sku[21] = "SKU-1", "SKU-0000001"  # planted: two SKUs of the wrong length
    sku[30] = sku[31] = "SKU-00030"  # planted: one SKU used twice (2 duplicated rows)
    email = [f"user{i}@example.com" for i in range(ROWS)]
    email[40], email[41] = "not-an-email", "a@b"  # planted: two malformed emails
    email[42] = None  # planted: one missing email
    region = rng.choice(["eu", "us"], ROWS)
    code = np.arange(ROWS) % 500  # with region: (region, code) pairs repeat by construction
    return pd.DataFrame(
        {
            "order_id": np.arange(ROWS),
            "amount": pd.array(amount_with_nulls, dtype="Float64"),
            "status": status,
            "sku": sku,
            "email": email,
            "region": region,
            "code": code,
        }
    )


def description_of(frame: pd.DataFrame) -> TableDescription:
    kinds = {
        "order_id": "long",
        "amount": "double",
        "status": "string",
        "sku": "string",
        "email": "string",
        "region": "string",
        "code": "long",
    }
    columns = tuple(
        ColumnInfo(
            name,
            kind,
            ColumnKind.NUMERIC if kind in ("long", "double") else ColumnKind.STRING,
            floating=kind == "double",
        )
        for name, kind in kinds.items()
    )
    return TableDescription(columns=columns, row_count=len(frame), last_updated=None, data_version=None)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return planted_frame()


@pytest.fixture(scope="module")
def gx_batch(frame: pd.DataFrame) -> Any:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_pandas("oracle")
    asset = source.add_dataframe_asset("planted")
    return asset.add_batch_definition_whole_dataframe("whole").get_batch(
        batch_parameters={"dataframe": frame}
    )


@pytest.fixture(scope="module")
def ours(frame: pd.DataFrame):
    table = pa.Table.from_pandas(frame, preserve_index=False)
    description = description_of(frame)
    engine = duckdb_over(table)
    context = TableContext(description, engine.relation, ("order_id",))

    def run(text: str):
        compiled = compile_rule(parse_rule(text), context)
        measured = profile_and_measure(
            engine, description.columns, AnomalySettings(), extra=[compiled.metrics]
        )
        return compiled.evaluate(Evidence(measured.values, engine, no_history, measured.profile))

    yield run
    engine.close()


def expectation(name: str, **kwargs: Any) -> Any:
    import great_expectations as gx

    return getattr(gx.expectations, name)(**kwargs)


# (GX expectation, its kwargs, the DQDL rule, how many NULLs GX leaves out that DQDL fails)
ROW_LEVEL_PAIRS = [
    ("ExpectColumnValuesToNotBeNull", {"column": "email"}, 'IsComplete "email"', 0),
    (
        "ExpectColumnValuesToBeBetween",
        {"column": "amount", "min_value": 0, "max_value": 100, "strict_min": True, "strict_max": True},
        'ColumnValues "amount" between 0 and 100',
        2,
    ),
    (
        "ExpectColumnValuesToBeInSet",
        {"column": "status", "value_set": ["new", "paid", "shipped"]},
        'ColumnValues "status" in ["new", "paid", "shipped"]',
        1,
    ),
    (
        "ExpectColumnValuesToMatchRegex",
        {"column": "email", "regex": r"^[^@]+@[^@]+\.[a-z]+$"},
        r'ColumnValues "email" matches "[^@]+@[^@]+\.[a-z]+"',
        1,
    ),
    ("ExpectColumnValueLengthsToEqual", {"column": "sku", "value": 9}, 'ColumnLength "sku" = 9', 0),
]


@pytest.mark.parametrize(
    ("gx_name", "kwargs", "rule", "nulls"), ROW_LEVEL_PAIRS, ids=[p[0] for p in ROW_LEVEL_PAIRS]
)
def test_row_level_rules_agree_with_gx(
    gx_batch: Any, ours: Any, gx_name: str, kwargs: dict, rule: str, nulls: int
) -> None:
    gx_result = gx_batch.validate(expectation(gx_name, **kwargs))
    our = ours(rule)
    assert our.outcome is (Outcome.PASS if gx_result.success else Outcome.FAIL)
    assert gx_result.result.get("missing_count", 0) == nulls
    assert our.details["failed_count"] == gx_result.result["unexpected_count"] + nulls
    assert our.details["failed_count"] > 0  # every pair has planted failures


def test_planted_counts_are_what_the_oracle_sees(gx_batch: Any) -> None:
    between = gx_batch.validate(
        expectation(
            "ExpectColumnValuesToBeBetween",
            column="amount",
            min_value=0,
            max_value=100,
            strict_min=True,
            strict_max=True,
        )
    )
    assert between.result["unexpected_count"] == 3  # -5, 250 and 1,000
    in_set = gx_batch.validate(
        expectation("ExpectColumnValuesToBeInSet", column="status", value_set=["new", "paid", "shipped"])
    )
    assert in_set.result["unexpected_count"] == 4


def test_uniqueness_agrees_with_gx(gx_batch: Any, ours: Any) -> None:
    gx_result = gx_batch.validate(expectation("ExpectColumnValuesToBeUnique", column="sku"))
    our = ours('IsUnique "sku"')
    assert not gx_result.success and our.outcome is Outcome.FAIL
    assert our.details["duplicate_rows"] == gx_result.result["unexpected_count"] == 2


def test_compound_uniqueness_agrees_with_gx(gx_batch: Any, ours: Any) -> None:
    gx_result = gx_batch.validate(
        expectation("ExpectCompoundColumnsToBeUnique", column_list=["region", "code"])
    )
    our = ours('IsUnique "region" "code"')
    assert our.outcome is (Outcome.PASS if gx_result.success else Outcome.FAIL)
    assert our.details["duplicate_rows"] == gx_result.result["unexpected_count"]
    passing = gx_batch.validate(
        expectation("ExpectCompoundColumnsToBeUnique", column_list=["order_id", "code"])
    )
    assert passing.success and ours('IsUnique "order_id" "code"').outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("gx_name", "rule", "min_value", "max_value"),
    [
        ("ExpectColumnMeanToBeBetween", 'Mean "amount" between {lo} and {hi}', 50, 60),
        ("ExpectColumnSumToBeBetween", 'Sum "amount" between {lo} and {hi}', 50_000, 60_000),
    ],
)
def test_aggregates_agree_with_gx(
    gx_batch: Any, ours: Any, gx_name: str, rule: str, min_value: float, max_value: float
) -> None:
    gx_result = gx_batch.validate(
        expectation(
            gx_name,
            column="amount",
            min_value=min_value,
            max_value=max_value,
            strict_min=True,
            strict_max=True,
        )
    )
    our = ours(rule.format(lo=min_value, hi=max_value))
    assert our.observed == pytest.approx(float(gx_result.result["observed_value"]), rel=1e-9)
    assert our.outcome is (Outcome.PASS if gx_result.success else Outcome.FAIL)


def test_standard_deviation_is_the_population_one_gx_the_sample_one(gx_batch: Any, ours: Any) -> None:
    """DQDL's StandardDeviation divides by n (as AWS defines it), GX's by n - 1: the import refuses it."""
    gx_result = gx_batch.validate(
        expectation("ExpectColumnStdevToBeBetween", column="amount", min_value=0, max_value=1e9)
    )
    n = ROWS - 2  # the two planted NULL amounts are left out by both
    sample = float(gx_result.result["observed_value"])
    population = ours('StandardDeviation "amount" > 0').observed
    assert population == pytest.approx(sample * math.sqrt((n - 1) / n), rel=1e-9)


# Imported rules, checked against GX on the planted frame: GX leaves NULLs out, and so does the
# import's `where`; without it the DQDL rule would fail the planted NULLs (see ROW_LEVEL_PAIRS).
IMPORTED = [
    ("expect_column_values_to_be_between", {"column": "amount", "min_value": 0, "max_value": 100}),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0, "max_value": 100, "strict_min": True, "strict_max": True},
    ),
    ("expect_column_values_to_be_in_set", {"column": "status", "value_set": ["new", "paid", "shipped"]}),
    ("expect_column_values_to_not_be_in_set", {"column": "status", "value_set": ["lost", "??"]}),
    ("expect_column_values_to_match_regex", {"column": "email", "regex": r"^[^@]+@[^@]+\.[a-z]+$"}),
    ("expect_column_values_to_not_match_regex", {"column": "email", "regex": "not"}),
    ("expect_column_value_lengths_to_be_between", {"column": "email", "min_value": 5}),
    ("expect_column_value_lengths_to_equal", {"column": "sku", "value": 9}),
    ("expect_column_values_to_be_unique", {"column": "sku"}),
    ("expect_compound_columns_to_be_unique", {"column_list": ["region", "code"]}),
    (
        "expect_column_values_to_be_between",
        {
            "column": "amount",
            "max_value": 100,
            "row_condition": 'region == "eu"',
            "condition_parser": "pandas",
        },
    ),
]


@pytest.mark.parametrize(("expectation_type", "kwargs"), IMPORTED, ids=[i[0] for i in IMPORTED])
def test_imported_rules_agree_with_gx_on_nulls(
    gx_batch: Any, ours: Any, expectation_type: str, kwargs: dict[str, Any]
) -> None:
    rule = rule_text(expectation_to_dqdl(expectation_type, kwargs))
    gx_name = "".join(part.title() for part in expectation_type.split("_"))
    gx_result = gx_batch.validate(expectation(gx_name, **kwargs))
    our = ours(rule)
    assert our.outcome is (Outcome.PASS if gx_result.success else Outcome.FAIL), rule
    failed = our.details.get("failed_count", our.details.get("duplicate_rows"))
    if failed is not None:  # an `and` of two rules reports each rule's count, not one
        assert failed == gx_result.result["unexpected_count"], rule


@pytest.fixture(scope="module")
def keys_with_nulls() -> pd.DataFrame:
    # planted: rows 0 and 1 repeat (NULL, 1); row 3 has no key at all; row 4 repeats (2, NULL) with row 5
    return pd.DataFrame(
        {
            "a": pd.array([None, None, 1, None, 2, 2], dtype="Int64"),
            "b": pd.array([1, 1, 2, None, None, None], dtype="Int64"),
        }
    )


@pytest.mark.parametrize("ignore_row_if", [None, "any_value_is_missing"])
def test_compound_uniqueness_with_nulls_agrees_with_gx(
    keys_with_nulls: pd.DataFrame, ignore_row_if: str | None
) -> None:
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    batch = (
        context.data_sources.add_pandas("keys")
        .add_dataframe_asset("keys")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": keys_with_nulls})
    )
    kwargs: dict[str, Any] = {"column_list": ["a", "b"]}
    if ignore_row_if is not None:
        kwargs["ignore_row_if"] = ignore_row_if
    gx_result = batch.validate(expectation("ExpectCompoundColumnsToBeUnique", **kwargs))
    rule = rule_text(expectation_to_dqdl("expect_compound_columns_to_be_unique", kwargs))
    with RuleBench(pa.Table.from_pandas(keys_with_nulls, preserve_index=False)) as bench:
        our = bench.run(rule)
    assert our.outcome is (Outcome.PASS if gx_result.success else Outcome.FAIL)
    assert our.details["duplicate_rows"] == gx_result.result["unexpected_count"]
    # GX's default groups (NULL, 1) twice and (2, NULL) twice; any_value_is_missing leaves them out
    assert gx_result.result["unexpected_count"] == (4 if ignore_row_if is None else 0)


def test_row_count_and_column_existence_agree_with_gx(gx_batch: Any, ours: Any) -> None:
    for low, high in ((1, 2_000), (1_001, 2_000)):
        gx_result = gx_batch.validate(
            expectation("ExpectTableRowCountToBeBetween", min_value=low, max_value=high)
        )
        our = ours(f"(RowCount >= {low}) and (RowCount <= {high})")
        assert our.outcome is (Outcome.PASS if gx_result.success else Outcome.FAIL)
    for column, exists in (("email", True), ("phone", False)):
        gx_result = gx_batch.validate(expectation("ExpectColumnToExist", column=column))
        assert gx_result.success is exists
        assert ours(f'ColumnExists "{column}"').outcome is (Outcome.PASS if exists else Outcome.FAIL)


# mostly, on the planted frame: each share is chosen to tell GX's denominator (the non-NULL
# values) from a share of all rows. The planted counts give the shares:
# - email: 999 non-NULL, 2 malformed -> 997/999 = 0.99800 (of all 1,000 rows: 0.997)
# - status not in ["lost", "??"]: 999 non-NULL, 2 listed -> 0.99800 (of all rows, NULL
#   passing `not in`: 998/1,000 = 0.998, which would pass 0.998)
# - status in the set: 999 non-NULL, 4 outside -> 995/999 = 0.99600 (just below 0.996)
# - amount <= 100: 998 non-NULL, 2 above -> 996/998 = 0.99800
# - amount strictly within 0..100: 998 non-NULL, 3 outside -> 995/998 = 0.99699
IMPORTED_WITH_MOSTLY = [
    (
        "expect_column_values_to_match_regex",
        {"column": "email", "regex": r"^[^@]+@[^@]+\.[a-z]+$"},
        0.9975,
        True,
    ),
    (
        "expect_column_values_to_match_regex",
        {"column": "email", "regex": r"^[^@]+@[^@]+\.[a-z]+$"},
        997 / 999,
        True,
    ),
    (
        "expect_column_values_to_match_regex",
        {"column": "email", "regex": r"^[^@]+@[^@]+\.[a-z]+$"},
        0.9981,
        False,
    ),
    (
        "expect_column_values_to_not_be_in_set",
        {"column": "status", "value_set": ["lost", "??"]},
        0.998,
        False,
    ),
    (
        "expect_column_values_to_not_be_in_set",
        {"column": "status", "value_set": ["lost", "??"]},
        0.9979,
        True,
    ),
    (
        "expect_column_values_to_be_in_set",
        {"column": "status", "value_set": ["new", "paid", "shipped"]},
        0.9959,
        True,
    ),
    (
        "expect_column_values_to_be_in_set",
        {"column": "status", "value_set": ["new", "paid", "shipped"]},
        0.996,
        False,
    ),
    ("expect_column_values_to_be_between", {"column": "amount", "max_value": 100}, 0.998, False),
    ("expect_column_values_to_be_between", {"column": "amount", "max_value": 100}, 996 / 998, True),
    (
        "expect_column_values_to_be_between",
        {"column": "amount", "min_value": 0, "max_value": 100, "strict_min": True, "strict_max": True},
        0.9969,
        True,
    ),
    ("expect_column_values_to_not_match_regex", {"column": "email", "regex": "not"}, 0.9995, False),
    # the row condition narrows both of GX's counts: the where keeps the same rows
    (
        "expect_column_values_to_be_in_set",
        {
            "column": "status",
            "value_set": ["new", "paid", "shipped"],
            "row_condition": 'region == "eu"',
            "condition_parser": "pandas",
        },
        0.995,
        None,
    ),
    (
        "expect_column_values_to_not_be_null",
        {"column": "email", "row_condition": 'region == "us"', "condition_parser": "pandas"},
        0.999,
        None,
    ),
]


@pytest.mark.parametrize(
    ("expectation_type", "kwargs", "mostly", "succeeds"),
    IMPORTED_WITH_MOSTLY,
    ids=[f"{i[0]}-{i[2]:.6f}" for i in IMPORTED_WITH_MOSTLY],
)
def test_imported_mostly_agrees_with_gx(
    gx_batch: Any,
    ours: Any,
    expectation_type: str,
    kwargs: dict[str, Any],
    mostly: float,
    succeeds: bool | None,
) -> None:
    rule = rule_text(expectation_to_dqdl(expectation_type, {**kwargs, "mostly": mostly}))
    gx_name = "".join(part.title() for part in expectation_type.split("_"))
    gx_result = gx_batch.validate(expectation(gx_name, **kwargs, mostly=mostly))
    if succeeds is not None:  # the planted shares above: GX itself says so
        assert gx_result.success is succeeds
    our = ours(rule)
    assert our.outcome is (Outcome.PASS if gx_result.success else Outcome.FAIL), rule
    assert our.details["failed_count"] == gx_result.result["unexpected_count"], rule
