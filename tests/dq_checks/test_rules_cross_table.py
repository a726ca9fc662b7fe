"""Cross-table rules: ReferentialIntegrity, DatasetMatch, SchemaMatch, RowCountMatch and
AggregateMatch, with the references streamed into the same engine as in production.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pyarrow as pa
import pytest

from dq_checks.results.model import Outcome
from dq_checks.rules.model import FAILING_ROWS_SHOWN, RuleError
from dq_checks.schema import TableDescription
from tests.dq_checks.rule_harness import NOW, RuleBench, description_of, numeric, text

ORDER_COLUMNS = ("order_id", "customer_id", "city", "state", "amount")
# fmt: off
ORDERS = [dict(zip(ORDER_COLUMNS, row, strict=True)) for row in [
    (1, 1, "Austin", "TX", 10.0),
    (2, 2, "Dallas", "TX", 20.0),
    (3, 2, "Portland", "OR", 30.0),
    (4, 3, "Portland", "TX", 40.0),   # (Portland, TX) is no customer's home
    (5, 7, "Salem", "OR", 50.0),      # customer 7 does not exist
    (6, 7, "Salem", None, None),      # customer 7 again; NULL state: the pair is not checked
    (7, 7, "Austin", "OR", 70.0),     # customer 7 a third time; (Austin, OR) does not exist
    (8, 8, "Portland", "ME", 80.0),   # customer 8 does not exist
    (9, None, "Dallas", "TX", 90.0),  # NULL customer: not checked
    (10, 1, None, None, 100.0),       # NULL city and state: not checked
]]
# fmt: on

CUSTOMERS = [
    (1, "Austin", "TX", 500.0),
    (2, "Dallas", "TX", 250.0),
    (3, "Portland", "OR", 125.0),
    (4, "Portland", "ME", 0.0),
    (5, "Salem", "OR", 75.0),
    (5, "Salem", "OR", 75.0),  # a duplicated reference row must not double anything
    (None, "Nowhere", None, None),  # NULL keys in the reference match nothing
]

# The same orders as another system saw them, keyed by ref_id.
COPY = [
    (1, 10.0, "Austin"),
    (2, 20.0, "Dallas"),
    (3, 31.0, "Portland"),  # amount differs
    (4, 40.0, "Portland"),
    (5, 50.0, "salem"),  # city differs in case
    (6, 60.0, "Salem"),  # amount 60 where the order has NULL
    (7, 70.0, "Austin"),
    # order 8 is missing
    (9, 90.0, "Dallas"),
    (10, 100.0, None),  # NULL city on both sides
]


def orders_table() -> pa.Table:
    return pa.table(
        {
            "order_id": pa.array([r["order_id"] for r in ORDERS], pa.int64()),
            "customer_id": pa.array([r["customer_id"] for r in ORDERS], pa.int64()),
            "city": pa.array([r["city"] for r in ORDERS], pa.string()),
            "state": pa.array([r["state"] for r in ORDERS], pa.string()),
            "amount": pa.array([r["amount"] for r in ORDERS], pa.float64()),
        }
    )


def customers_table() -> pa.Table:
    columns = list(zip(*CUSTOMERS, strict=True))
    return pa.table(
        {
            "customer_id": pa.array(columns[0], pa.int64()),
            "home_city": pa.array(columns[1], pa.string()),
            "home_state": pa.array(columns[2], pa.string()),
            "credit": pa.array(columns[3], pa.float64()),
        }
    )


def copy_table(rows: list[tuple] = COPY) -> pa.Table:
    columns = list(zip(*rows, strict=True))
    return pa.table(
        {
            "ref_id": pa.array(columns[0], pa.int64()),
            "ref_amount": pa.array(columns[1], pa.float64()),
            "ref_city": pa.array(columns[2], pa.string()),
        }
    )


@pytest.fixture(scope="module")
def bench() -> Iterator[RuleBench]:
    references = {"customers": customers_table(), "orders_copy": copy_table()}
    with RuleBench(orders_table(), key=("order_id",), references=references) as opened:
        yield opened


# --- ReferentialIntegrity ---------------------------------------------------------------------


def _missing(columns: list[str], known: set[tuple]) -> tuple[int, Counter]:
    """Rows checked (no NULL in the columns) and the missing tuples with their row counts."""
    checked = [tuple(r[c] for c in columns) for r in ORDERS if all(r[c] is not None for c in columns)]
    return len(checked), Counter(t for t in checked if t not in known)


def test_referential_integrity_of_one_column(bench: RuleBench) -> None:
    known = {(c[0],) for c in CUSTOMERS if c[0] is not None}
    checked, missing = _missing(["customer_id"], known)
    assert (checked, missing) == (9, Counter({(7,): 3, (8,): 1}))

    outcome = bench.run('ReferentialIntegrity "customer_id" "customers.{customer_id}" = 1.0')
    assert outcome.outcome is Outcome.FAIL
    assert outcome.observed == (9 - 4) / 9
    assert outcome.details["checked_rows"] == 9  # the NULL customer is not checked
    assert outcome.details["missing_values_count"] == 2  # distinct values: 7 and 8
    assert outcome.details["missing_rows_count"] == 4  # rows: three of 7, one of 8
    assert outcome.details["missing_sample"] == [{"customer_id": 7, "rows": 3}, {"customer_id": 8, "rows": 1}]

    dotted = bench.run('ReferentialIntegrity "customer_id" "customers.customer_id" > 0.5')
    assert (dotted.outcome, dotted.observed) == (Outcome.PASS, 5 / 9)


def test_referential_integrity_of_a_column_pair(bench: RuleBench) -> None:
    known = {(c[1], c[2]) for c in CUSTOMERS if c[1] is not None and c[2] is not None}
    checked, missing = _missing(["city", "state"], known)
    assert (checked, missing) == (8, Counter({("Portland", "TX"): 1, ("Austin", "OR"): 1}))

    outcome = bench.run('ReferentialIntegrity "city,state" "customers.{home_city,home_state}" >= 0.75')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 0.75)
    assert outcome.details["checked_rows"] == 8
    assert (outcome.details["missing_values_count"], outcome.details["missing_rows_count"]) == (2, 2)
    assert outcome.details["missing_sample"] == [
        {"city": "Austin", "state": "OR", "rows": 1},
        {"city": "Portland", "state": "TX", "rows": 1},
    ]
    assert bench.run(
        'ReferentialIntegrity "city,state" "customers.{home_city,home_state}" > 0.75'
    ).outcome is (Outcome.FAIL)


def test_referential_integrity_that_holds() -> None:
    orders = pa.table({"customer_id": pa.array([1, 1, None, 2], pa.int64())})  # NULL is not checked
    customers = pa.table({"id": pa.array([1, 2, 3], pa.int64())})
    with RuleBench(orders, references={"customers": customers}) as bench:
        outcome = bench.run('ReferentialIntegrity "customer_id" "customers.{id}" = 1.0')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 1.0)
    assert outcome.details["checked_rows"] == 3
    assert (outcome.details["missing_values_count"], outcome.details["missing_rows_count"]) == (0, 0)
    assert "missing_sample" not in outcome.details


def test_missing_values_count_is_not_capped_by_the_sample() -> None:
    distinct = FAILING_ROWS_SHOWN + 5
    # planted: 25 unknown codes, code 1000 on three rows; codes 0..4 are known
    codes = [*range(5), *range(1000, 1000 + distinct), 1000, 1000]
    orders = pa.table({"code": pa.array(codes, pa.int64())})
    known = pa.table({"code": pa.array(range(5), pa.int64())})
    with RuleBench(orders, references={"codes": known}) as bench:
        outcome = bench.run('ReferentialIntegrity "code" "codes.{code}" = 1.0')
    assert outcome.details["missing_values_count"] == distinct
    assert outcome.details["missing_rows_count"] == distinct + 2
    assert outcome.observed == 5 / len(codes)
    sample = outcome.details["missing_sample"]
    assert len(sample) == FAILING_ROWS_SHOWN
    assert sample[0] == {"code": 1000, "rows": 3}
    assert sample[1:] == [{"code": c, "rows": 1} for c in range(1001, 1000 + FAILING_ROWS_SHOWN)]


# --- DatasetMatch -----------------------------------------------------------------------------


def _dataset_match(mapping: dict[str, int]) -> float:
    """The share of orders whose key finds a copy row with every mapped column equal."""
    copies = {row[0]: row for row in COPY}
    matching = 0
    for order in ORDERS:
        copy = copies.get(order["order_id"])
        if copy is not None and all(order[mine] == copy[index] for mine, index in mapping.items()):
            matching += 1
    return matching / len(ORDERS)


def test_dataset_match_on_one_column(bench: RuleBench) -> None:
    expected = _dataset_match({"amount": 1})  # 3 (amount), 6 (NULL vs 60) and 8 (no copy) differ
    assert expected == 0.7
    outcome = bench.run('DatasetMatch "orders_copy" "order_id->ref_id" "amount->ref_amount" >= 0.7')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, expected)
    assert (outcome.details["compared_rows"], outcome.details["matching_rows"]) == (10, 7)
    assert outcome.details["compared_columns"] == ["amount->ref_amount"]
    assert bench.run('DatasetMatch "orders_copy" "order_id->ref_id" "amount->ref_amount" > 0.7').outcome is (
        Outcome.FAIL
    )


def test_dataset_match_on_several_columns(bench: RuleBench) -> None:
    # row 5's city differs in case too; row 10 has NULL city on both sides (see below)
    outcome = bench.run(
        'DatasetMatch "orders_copy" "order_id->ref_id" "amount->ref_amount,city->ref_city" >= 0.9'
    )
    assert outcome.outcome is Outcome.FAIL
    assert (outcome.details["compared_rows"], outcome.details["matching_rows"]) == (10, 6)
    assert outcome.observed == 0.6


def test_dataset_match_treats_null_on_both_sides_as_equal(bench: RuleBench) -> None:
    # The engine's choice (AWS's documentation is silent; docs/dqdl.md): NULL city vs NULL city
    # is a match, NULL vs 60 is not.
    outcome = bench.run('DatasetMatch "orders_copy" "order_id->ref_id" "city->ref_city" = 1.0')
    # 5 (Salem vs salem) and 8 (absent) differ; 10 (NULL vs NULL) matches
    assert (outcome.details["matching_rows"], outcome.observed) == (8, 0.8)


def test_dataset_match_compares_shared_column_names_by_default() -> None:
    mine = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "v": pa.array(["a", "b", "c"], pa.string())})
    # planted: id 2 holds another value; "extra" exists only in the reference
    theirs = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "v": pa.array(["a", "B", "c"], pa.string()),
            "extra": pa.array([0, 0, 0], pa.int64()),
        }
    )
    with RuleBench(mine, references={"mirror": theirs}) as bench:
        outcome = bench.run('DatasetMatch "mirror" "id->id" = 1.0')
    assert outcome.outcome is Outcome.FAIL
    assert outcome.details["compared_columns"] == ["v->v"]
    assert (outcome.details["compared_rows"], outcome.details["matching_rows"]) == (3, 2)


def test_dataset_match_counts_each_row_once_when_the_reference_repeats_a_key() -> None:
    mine = pa.table({"id": pa.array([1, 2, 3, 4], pa.int64()), "v": pa.array([10, 20, 30, 40], pa.int64())})
    # planted: key 1 appears twice (both agree); key 2 has another value
    theirs = pa.table(
        {"id": pa.array([1, 1, 2, 3, 4], pa.int64()), "v": pa.array([10, 10, 99, 30, 40], pa.int64())}
    )
    with RuleBench(mine, references={"mirror": theirs}) as bench:
        outcome = bench.run('DatasetMatch "mirror" "id->id" "v->v" >= 0.75')
    assert outcome.details["compared_rows"] == 4
    assert outcome.observed == 0.75


def test_dataset_match_with_plain_names_maps_each_to_the_same_name() -> None:
    # AWS: DatasetMatch "reference" "ID" >= 0.9 keys on ID in both tables and compares the rest.
    mine = pa.table(
        {
            "ID": pa.array([1, 2, 3, 4, 5], pa.int64()),
            "amount": pa.array([10, 20, 30, 40, 50], pa.int64()),
            "note": pa.array(["a", "b", "c", "d", "e"], pa.string()),
        }
    )
    theirs = pa.table(
        {
            "ID": pa.array([1, 2, 3, 4, 5], pa.int64()),
            "amount": pa.array([10, 20, 30, 40, 55], pa.int64()),  # planted: ID 5's amount differs
            "note": pa.array(["a", "b", "X", "d", "e"], pa.string()),  # planted: ID 3's note differs
        }
    )
    with RuleBench(mine, references={"reference": theirs}) as bench:
        every = bench.run('DatasetMatch "reference" "ID" >= 0.9')
        amounts = bench.run('DatasetMatch "reference" "ID" "amount" >= 0.8')
        mixed = bench.run('DatasetMatch "reference" "ID" "amount->amount,note" >= 0.6')
    assert (every.outcome, every.observed) == (Outcome.FAIL, 0.6)  # IDs 3 and 5 differ
    assert every.details["compared_columns"] == ["amount->amount", "note->note"]
    assert (amounts.outcome, amounts.observed) == (Outcome.PASS, 0.8)  # only ID 5 differs
    assert amounts.details["compared_columns"] == ["amount->amount"]
    assert (mixed.outcome, mixed.observed) == (Outcome.PASS, 0.6)


def test_key_mapping_reads_plain_and_mapped_names() -> None:
    from dq_checks.dqdl.references import key_mapping

    assert key_mapping("ID") == (("ID", "ID"),)
    assert key_mapping("ID_1->ID_ref1, ID_2") == (("ID_1", "ID_ref1"), ("ID_2", "ID_2"))
    with pytest.raises(ValueError, match="must map a column"):
        key_mapping("a->")


# --- column names, matched ignoring case as Glue does -----------------------------------------


def test_cross_table_columns_match_ignoring_case(bench: RuleBench) -> None:
    outcome = bench.run('DatasetMatch "orders_copy" "ORDER_ID->Ref_Id" "Amount->REF_AMOUNT" >= 0.7')
    assert (outcome.observed, outcome.details["compared_columns"]) == (0.7, ["amount->ref_amount"])
    integrity = bench.run('ReferentialIntegrity "Customer_ID" "customers.{CUSTOMER_ID}" >= 0.5')
    assert (
        integrity.observed
        == bench.run('ReferentialIntegrity "customer_id" "customers.{customer_id}" >= 0.5').observed
    )
    total = bench.run('AggregateMatch "sum(orders_copy.REF_AMOUNT)" "sum(AMOUNT)" >= 0.95')
    assert total.observed == pytest.approx(471 / 490)


# --- SchemaMatch, RowCountMatch --------------------------------------------------------------


def test_schema_match_ignores_column_order() -> None:
    mine = description_of(orders_table())
    reordered = TableDescription(tuple(reversed(mine.columns)), 10, NOW, "v1")
    drifted = TableDescription(
        (
            numeric("order_id"),
            numeric("customer_id", "int"),  # another type
            text("city"),
            text("state"),
            text("region"),  # only in the reference; amount only here
        ),
        10,
        NOW,
        "v1",
    )
    references = {"same": orders_table(), "drifted": orders_table()}
    descriptions = {"same": reordered, "drifted": drifted}
    with RuleBench(orders_table(), references=references, reference_descriptions=descriptions) as bench:
        same = bench.run('SchemaMatch "same" = 1.0')
        assert (same.outcome, same.observed) == (Outcome.PASS, 1.0)
        other = bench.run('SchemaMatch "drifted" >= 0.5')
    # 6 names in all; order_id, city and state agree
    assert (other.outcome, other.observed) == (Outcome.PASS, 3 / 6)
    assert other.details["only_here"] == ["amount"]
    assert other.details["only_in_reference"] == ["region"]
    assert other.details["different_types"] == ["customer_id"]


def test_row_count_match(bench: RuleBench) -> None:
    outcome = bench.run('RowCountMatch "customers" between 1.4 and 1.5')  # 10 orders, 7 customer rows
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, 10 / 7)
    assert (outcome.details["row_count"], outcome.details["reference_row_count"]) == (10, 7)
    assert bench.run('RowCountMatch "orders_copy" >= 0.95').outcome is Outcome.PASS  # 10 / 9


def test_row_count_match_without_the_reference_row_count_is_an_error() -> None:
    unknown = {"customers": description_of(customers_table(), row_count=False)}
    references = {"customers": customers_table()}
    with (
        RuleBench(orders_table(), references=references, reference_descriptions=unknown) as bench,
        pytest.raises(RuleError, match="the row count of customers is unknown"),
    ):
        bench.run('RowCountMatch "customers" >= 0.9')


# --- AggregateMatch ---------------------------------------------------------------------------


def test_aggregate_match_is_the_first_aggregate_over_the_second(bench: RuleBench) -> None:
    mine = sum(r["amount"] for r in ORDERS if r["amount"] is not None)  # NULL ignored
    theirs = sum(row[1] for row in COPY)
    assert (mine, theirs) == (490.0, 471.0)
    # AWS: the first aggregate divided by the second, so the order matters.
    outcome = bench.run('AggregateMatch "sum(orders_copy.ref_amount)" "sum(amount)" >= 0.95')
    assert (outcome.outcome, outcome.observed) == (Outcome.PASS, pytest.approx(theirs / mine))  # 0.961
    assert (outcome.details["first_value"], outcome.details["second_value"]) == (theirs, mine)
    assert (
        bench.run('AggregateMatch "sum(orders_copy.ref_amount)" "sum(amount)" >= 0.97').outcome
        is Outcome.FAIL
    )
    other_way = bench.run('AggregateMatch "sum(amount)" "sum(orders_copy.ref_amount)" >= 0.95')
    assert (other_way.outcome, other_way.observed) == (Outcome.PASS, pytest.approx(mine / theirs))  # 1.04
    assert bench.run('AggregateMatch "sum(amount)" "sum(orders_copy.ref_amount)" <= 1.0').outcome is (
        Outcome.FAIL
    )


def test_aggregate_match_of_averages_depends_on_the_order(bench: RuleBench) -> None:
    mine = 490.0 / 9  # nine non-NULL amounts
    credit = (500 + 250 + 125 + 0 + 75 + 75) / 6  # the NULL credit is ignored
    forward = bench.run('AggregateMatch "avg(amount)" "avg(customers.credit)" > 0')
    backward = bench.run('AggregateMatch "avg(customers.credit)" "avg(primary.amount)" > 0')
    assert forward.observed == pytest.approx(mine / credit)
    assert backward.observed == pytest.approx(credit / mine)


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ([5.0, 5.0], [-10.0], -1.0),  # planted: the same size, the other sign
        ([0.0], [0.0], 1.0),  # both zero: they agree
        ([3.0], [0.0], 0.0),  # a zero second: 0.0, not a division error (as AWS's deequ)
    ],
)
def test_aggregate_match_edge_ratios(first: list[float], second: list[float], ratio: float) -> None:
    mine = pa.table({"x": pa.array(first, pa.float64())})
    theirs = pa.table({"x": pa.array(second, pa.float64())})
    with RuleBench(mine, references={"other": theirs}) as bench:
        outcome = bench.run('AggregateMatch "sum(x)" "sum(other.x)" = 1.0')
    assert outcome.observed == ratio
    assert outcome.outcome is (Outcome.PASS if ratio == 1.0 else Outcome.FAIL)


# --- rules that do not fit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            'ReferentialIntegrity "customer_id" "customers.{nope}" = 1.0',
            "column 'nope' does not exist in customers; it has: customer_id, home_city, home_state, credit",
        ),
        (
            'ReferentialIntegrity "nope" "customers.{customer_id}" = 1.0',
            "column 'nope' does not exist; the table has: order_id, customer_id, city, state, amount",
        ),
        (
            'ReferentialIntegrity "city" "customers.{customer_id}" = 1.0',
            "cannot compare 'city' (string) with",
        ),
        (
            'ReferentialIntegrity "city,state" "customers.{home_city}" = 1.0',
            "2 column(s) cannot be matched with 1",
        ),
        ('ReferentialIntegrity "customer_id" "ghost.{id}" = 1.0', "reference table 'ghost' is not available"),
        ('DatasetMatch "orders_copy" "order_id->ref_id" "city->ref_amount" = 1.0', "cannot compare 'city'"),
        ('DatasetMatch "orders_copy" "order_id->nope" = 1.0', "column 'nope' does not exist in orders_copy"),
        (
            'AggregateMatch "sum(city)" "sum(orders_copy.ref_amount)" > 0.9',
            "sum(city) needs a numeric column",
        ),
        (
            'AggregateMatch "sum(amount)" "sum(ghost.amount)" > 0.9',
            "reference table 'ghost' is not available",
        ),
        ('SchemaMatch "ghost" = 1.0', "reference table 'ghost' is not available"),
    ],
)
def test_cross_table_rules_that_do_not_fit_raise(bench: RuleBench, rule: str, message: str) -> None:
    with pytest.raises(RuleError) as raised:
        bench.compile(rule)
    assert message in str(raised.value)
