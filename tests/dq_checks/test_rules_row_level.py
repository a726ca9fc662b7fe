"""Row-level rules: ColumnValues, ColumnLength, ColumnDataType and DataFreshness.

Each case names the rows that must fail. A plain-Python predicate that encodes docs/dqdl.md's
NULL rules checks the expected ids as well, so the hand-written list and the
semantics agree. The engine's counts and samples are then compared with that list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pyarrow as pa
import pytest

from dq_checks.results.model import Outcome
from dq_checks.rules.model import FAILING_ROWS_SHOWN, RuleError, RuleOutcome
from tests.dq_checks.rule_harness import NOW, RuleBench, failing_ids

H = timedelta(hours=1)
D = timedelta(days=1)
M = timedelta(minutes=1)

COLUMNS = ("order_id", "country", "qty", "email", "created_at", "order_day", "zip", "raw")
# fmt: off
ROWS = [dict(zip(COLUMNS, row, strict=True)) for row in [
    (1, "US", 1, "ann@shop.com", NOW - H, date(2024, 1, 30), "12345", "42"),
    # qty 100 sits on between's upper bound; zip is one character short
    (2, "CA", 100, "bob@shop.org", NOW - 2 * D, date(2024, 1, 31), "1234", "-7"),
    # email has no @; created 5 days ago; NULL zip (length 0); raw is not a number
    (3, "US", 50, "no-at-sign", NOW - 5 * D, date(2024, 2, 1), None, "seven"),
    # NULL country, NULL email, NULL timestamp, NULL date, raw NULL; qty 0; zip too long
    (4, None, 0, None, None, None, "123456", None),
    # EMPTY country; qty above range; created in the future; zip with a 2-byte character
    (5, "", 150, "cy@shop.io", NOW + H, date(2023, 12, 31), "ñ2345", "abc"),
    # WHITESPACES_ONLY country; NULL qty; two @ in email; raw overflows INTEGER
    (6, "   ", None, "a@b@c", NOW - 23 * H, date(2024, 1, 31), "54321", "3000000000"),
    # email in mixed case is still valid; 25 hours old; empty zip
    (7, "MX", 99, "Dee@Shop.com", NOW - 25 * H, date(2024, 3, 15), "", "2024-02-29"),
    # lower-case country; trailing space in email; just inside 3 days; impossible date in raw
    (8, "us", 2, "eve@shop.com ", NOW - 3 * D + M, date(2024, 1, 29), "99999", "2024-02-30"),
    # "USA" contains a match of [A-Z]{2} but is not one; just outside 3 days; leap day
    (9, "USA", 75, "fay@shop.com", NOW - 3 * D - M, date(2024, 2, 29), "00000", "true"),
    # negative qty; exactly 24 hours old; zip with a trailing space
    (10, "CA", -5, "gus@shop.com", NOW - 24 * H, date(2024, 1, 31), "1234 ", "12"),
]]
# fmt: on
ALL_IDS = [row["order_id"] for row in ROWS]


def orders_table() -> pa.Table:
    def values(name: str) -> list[object]:
        return [row[name] for row in ROWS]

    return pa.table(
        {
            "order_id": pa.array(values("order_id"), pa.int64()),
            "country": pa.array(values("country"), pa.string()),
            "qty": pa.array(values("qty"), pa.int64()),
            "email": pa.array(values("email"), pa.string()),
            "created_at": pa.array(values("created_at"), pa.timestamp("us", tz="UTC")),
            "order_day": pa.array(values("order_day"), pa.date32()),
            "zip": pa.array(values("zip"), pa.string()),
            "raw": pa.array(values("raw"), pa.string()),
        }
    )


@pytest.fixture(scope="module")
def bench() -> Iterator[RuleBench]:
    with RuleBench(orders_table(), key=("order_id",)) as opened:
        yield opened


@pytest.fixture(scope="module")
def outcomes(bench: RuleBench) -> dict[str, RuleOutcome]:
    """Every listed case, evaluated together from one shared scan, as a table's rules are in production."""
    cases = [
        *QTY_CASES,
        *COUNTRY_CASES,
        *DATE_CASES,
        *TIMESTAMP_CASES,
        *LENGTH_CASES,
        *TYPE_CASES,
        *FRESHNESS_CASES,
    ]
    return bench.run_all([case[0] for case in cases])


def _shown(column: str, value: object) -> object:
    """A value as a failing sample shows it: timestamps and dates in ISO-8601."""
    if isinstance(value, date):
        return value.isoformat()
    return value


def assert_fails_exactly(outcome: RuleOutcome, column: str, expected: list[int]) -> None:
    rows = {row["order_id"]: row for row in ROWS}
    assert outcome.details["evaluated_count"] == len(ROWS)
    assert outcome.details["failed_count"] == len(expected)
    assert outcome.observed == pytest.approx((len(ROWS) - len(expected)) / len(ROWS))
    if expected:
        assert outcome.outcome is Outcome.FAIL
        assert outcome.details["failed_sample"] == [
            {"order_id": i, column: _shown(column, rows[i][column])} for i in expected
        ]
    else:
        assert outcome.outcome is Outcome.PASS
        assert "failed_sample" not in outcome.details


def _q(predicate: Callable[[object], bool], *, null: bool = False) -> Callable[[dict], bool]:
    """A row predicate on qty; a NULL passes only when `null` (DQDL: only != and not in pass NULL)."""
    return lambda row: null if row["qty"] is None else predicate(row["qty"])


QTY_CASES = [
    ('ColumnValues "qty" = 50', _q(lambda v: v == 50), [1, 2, 4, 5, 6, 7, 8, 9, 10]),
    ('ColumnValues "qty" != 50', _q(lambda v: v != 50, null=True), [3]),
    ('ColumnValues "qty" > 50', _q(lambda v: v > 50), [1, 3, 4, 6, 8, 10]),
    ('ColumnValues "qty" >= 50', _q(lambda v: v >= 50), [1, 4, 6, 8, 10]),
    ('ColumnValues "qty" < 2', _q(lambda v: v < 2), [2, 3, 5, 6, 7, 8, 9]),
    ('ColumnValues "qty" <= 2', _q(lambda v: v <= 2), [2, 3, 5, 6, 7, 9]),
    # between is exclusive: 1 and 100 themselves fail
    ('ColumnValues "qty" between 1 and 100', _q(lambda v: 1 < v < 100), [1, 2, 4, 5, 6, 10]),
    # not between: the bounds pass, NULL fails
    ('ColumnValues "qty" not between 1 and 100', _q(lambda v: v <= 1 or v >= 100), [3, 6, 7, 8, 9]),
    ('ColumnValues "qty" in [1, 2, 50]', _q(lambda v: v in (1, 2, 50)), [2, 4, 5, 6, 7, 9, 10]),
    ('ColumnValues "qty" not in [1, 2, 50]', _q(lambda v: v not in (1, 2, 50), null=True), [1, 3, 8]),
    ('ColumnValues "qty" in [1, NULL]', _q(lambda v: v == 1, null=True), [2, 3, 4, 5, 7, 8, 9, 10]),
    ('ColumnValues "qty" not in [1, NULL]', _q(lambda v: v != 1), [1, 6]),
    ('ColumnValues "qty" = NULL', _q(lambda v: False, null=True), [1, 2, 3, 4, 5, 7, 8, 9, 10]),
    ('ColumnValues "qty" != NULL', _q(lambda v: True), [6]),
    # arithmetic operands
    ('ColumnValues "qty" > -2 * 3', _q(lambda v: v > -6), [6]),
]


@pytest.mark.parametrize(("rule", "passes", "expected"), QTY_CASES, ids=[c[0][13:] for c in QTY_CASES])
def test_numeric_operators(
    outcomes: dict[str, RuleOutcome], rule: str, passes: Callable, expected: list[int]
) -> None:
    assert failing_ids(ROWS, "order_id", passes) == expected  # the hand list agrees with DQDL's rules
    assert_fails_exactly(outcomes[rule], "qty", expected)


def _c(predicate: Callable[[str], bool], *, null: bool = False) -> Callable[[dict], bool]:
    return lambda row: null if row["country"] is None else predicate(row["country"])


def _whitespace_only(value: str) -> bool:
    return value != "" and value.strip() == ""


COUNTRY_CASES = [
    ('ColumnValues "country" = "US"', _c(lambda v: v == "US"), [2, 4, 5, 6, 7, 8, 9, 10]),
    ('ColumnValues "country" != "US"', _c(lambda v: v != "US", null=True), [1, 3]),
    # comparison is case-sensitive: "us" is not "US"
    ('ColumnValues "country" in ["US", "CA"]', _c(lambda v: v in ("US", "CA")), [4, 5, 6, 7, 8, 9]),
    (
        'ColumnValues "country" in ["US", "CA", NULL]',
        _c(lambda v: v in ("US", "CA"), null=True),
        [5, 6, 7, 8, 9],
    ),
    (
        'ColumnValues "country" not in ["US", "CA"]',
        _c(lambda v: v not in ("US", "CA"), null=True),
        [1, 2, 3, 10],
    ),
    ('ColumnValues "country" = EMPTY', _c(lambda v: v == ""), [1, 2, 3, 4, 6, 7, 8, 9, 10]),
    ('ColumnValues "country" != EMPTY', _c(lambda v: v != "", null=True), [5]),
    ('ColumnValues "country" = WHITESPACES_ONLY', _c(_whitespace_only), [1, 2, 3, 4, 5, 7, 8, 9, 10]),
    ('ColumnValues "country" != WHITESPACES_ONLY', _c(lambda v: not _whitespace_only(v), null=True), [6]),
    (
        'ColumnValues "country" in [EMPTY, WHITESPACES_ONLY]',
        _c(lambda v: v == "" or _whitespace_only(v)),
        [1, 2, 3, 4, 7, 8, 9, 10],
    ),
    ('ColumnValues "country" = NULL', _c(lambda v: False, null=True), [1, 2, 3, 5, 6, 7, 8, 9, 10]),
    # matches is a full match: "USA" contains "US" but fails; "us" is lower case
    ('ColumnValues "country" matches "[A-Z]{2}"', _c(lambda v: len(v) == 2 and v.isupper()), [4, 5, 6, 8, 9]),
    # the whole value must match one of the alternatives: "USA" fails even though it starts with US
    ('ColumnValues "country" matches "US|CA"', _c(lambda v: v in ("US", "CA")), [4, 5, 6, 7, 8, 9]),
    # not matches fails NULL too
    (
        'ColumnValues "country" not matches "[A-Z]{2}"',
        _c(lambda v: not (len(v) == 2 and v.isupper())),
        [1, 2, 3, 4, 7, 10],
    ),
]


@pytest.mark.parametrize(
    ("rule", "passes", "expected"), COUNTRY_CASES, ids=[c[0][13:] for c in COUNTRY_CASES]
)
def test_string_operators(
    outcomes: dict[str, RuleOutcome], rule: str, passes: Callable, expected: list[int]
) -> None:
    assert failing_ids(ROWS, "order_id", passes) == expected
    assert_fails_exactly(outcomes[rule], "country", expected)


def test_matches_an_email_pattern_over_the_whole_value(bench: RuleBench) -> None:
    import re

    pattern = "[^@ ]+@[^@ ]+"
    expected = failing_ids(
        ROWS, "order_id", lambda r: r["email"] is not None and re.fullmatch(pattern, r["email"])
    )
    # no @ (3), NULL (4), two @ (6), a trailing space (8)
    assert expected == [3, 4, 6, 8]
    assert_fails_exactly(bench.run(f'ColumnValues "email" matches "{pattern}"'), "email", expected)


DATE_CASES = [
    ('ColumnValues "order_day" = "2024-01-31"', lambda v: v == date(2024, 1, 31), [1, 3, 4, 5, 7, 8, 9]),
    ('ColumnValues "order_day" > "2024-01-31"', lambda v: v > date(2024, 1, 31), [1, 2, 4, 5, 6, 8, 10]),
    # exclusive on both ends: 2024-01-30 and 2024-02-29 fail
    (
        'ColumnValues "order_day" between "2024-01-30" and "2024-02-29"',
        lambda v: date(2024, 1, 30) < v < date(2024, 2, 29),
        [1, 4, 5, 7, 8, 9],
    ),
]


@pytest.mark.parametrize(("rule", "passes", "expected"), DATE_CASES, ids=[c[0][13:] for c in DATE_CASES])
def test_date_operators(
    outcomes: dict[str, RuleOutcome], rule: str, passes: Callable, expected: list[int]
) -> None:
    oracle = failing_ids(ROWS, "order_id", lambda r: r["order_day"] is not None and passes(r["order_day"]))
    assert oracle == expected
    assert_fails_exactly(outcomes[rule], "order_day", expected)


TIMESTAMP_CASES = [
    # 5 days old (3), NULL (4), three days and a minute old (9)
    ('ColumnValues "created_at" > (now() - 3 days)', lambda v: v > NOW - 3 * D, [3, 4, 9]),
    ('ColumnValues "created_at" >= (now() - 72 hours)', lambda v: v >= NOW - 3 * D, [3, 4, 9]),
    # a timestamp in the future (5)
    ('ColumnValues "created_at" <= now()', lambda v: v <= NOW, [4, 5]),
    # exclusive on both ends; the future value (5) is outside
    (
        'ColumnValues "created_at" between (now() - 3 days) and now()',
        lambda v: NOW - 3 * D < v < NOW,
        [3, 4, 5, 9],
    ),
    (
        'ColumnValues "created_at" < "2024-05-29T12:00:00Z"',
        lambda v: v < NOW - 3 * D,
        [1, 2, 4, 5, 6, 7, 8, 10],
    ),
]


@pytest.mark.parametrize(
    ("rule", "passes", "expected"), TIMESTAMP_CASES, ids=[c[0][13:] for c in TIMESTAMP_CASES]
)
def test_timestamp_operators_with_a_fixed_now(
    outcomes: dict[str, RuleOutcome], rule: str, passes: Callable, expected: list[int]
) -> None:
    oracle = failing_ids(ROWS, "order_id", lambda r: r["created_at"] is not None and passes(r["created_at"]))
    assert oracle == expected
    assert_fails_exactly(outcomes[rule], "created_at", expected)


def test_where_filters_rows_and_filtered_rows_never_fail(bench: RuleBench) -> None:
    # In scope: the two CA rows, 2 (qty 100, on the exclusive bound) and 10 (qty -5); both fail.
    # Row 4 (qty 0, NULL country) would fail too, but NULL = 'CA' is not true: it is out of scope.
    outcome = bench.run('ColumnValues "qty" between 1 and 100 where "country = \'CA\'"')
    assert outcome.outcome is Outcome.FAIL
    assert outcome.details["evaluated_count"] == 2
    assert outcome.details["failed_count"] == 2
    # The share is of the rows in scope, as AWS's engine computes it: the 8 filtered-out rows
    # neither pass nor fail.
    assert outcome.observed == 0.0
    assert outcome.details["failed_sample"] == [{"order_id": 2, "qty": 100}, {"order_id": 10, "qty": -5}]


def test_where_that_keeps_only_passing_rows_passes(bench: RuleBench) -> None:
    outcome = bench.run('ColumnValues "qty" > 0 where "country = \'US\'"')
    assert outcome.outcome is Outcome.PASS
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"], outcome.observed) == (
        2,
        0,
        1.0,
    )


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        ("> 0.9", Outcome.FAIL),  # only row 4 (qty 0) fails: the passing share is exactly 0.9
        (">= 0.9", Outcome.PASS),
        ("between 0.8 and 0.95", Outcome.PASS),
        ("< 0.5", Outcome.FAIL),
    ],
)
def test_with_threshold_compares_the_passing_share(
    bench: RuleBench, threshold: str, expected: Outcome
) -> None:
    outcome = bench.run(f'ColumnValues "qty" != 0 with threshold {threshold}')
    assert outcome.outcome is expected
    assert outcome.observed == 0.9
    assert outcome.details["failed_count"] == 1
    assert outcome.details["failed_sample"] == [
        {"order_id": 4, "qty": 0}
    ]  # sampled even when the rule passes


def test_where_and_threshold_together(bench: RuleBench) -> None:
    # CA rows: 2 (qty 100 passes > 0), 10 (qty -5 fails): 1 of the 2 rows in scope passes. Over
    # all 10 rows it would be 0.9 and pass; over the rows in scope, as AWS computes it, it fails.
    outcome = bench.run('ColumnValues "qty" > 0 where "country = \'CA\'" with threshold > 0.85')
    assert outcome.outcome is Outcome.FAIL
    assert outcome.observed == 0.5
    assert (
        bench.run('ColumnValues "qty" > 0 where "country = \'CA\'" with threshold >= 0.5').outcome
        is Outcome.PASS
    )
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"]) == (2, 1)
    assert outcome.details["failed_sample"] == [{"order_id": 10, "qty": -5}]


# --- ColumnLength ---------------------------------------------------------------------------

LENGTH_CASES = [
    # "1234" (2), NULL counted as 0 (3), "123456" (4), "" (7); "ñ2345" is 5 characters, not bytes
    ('ColumnLength "zip" = 5', lambda n: n == 5, [2, 3, 4, 7]),
    ('ColumnLength "zip" <= 4', lambda n: n <= 4, [1, 4, 5, 6, 8, 9, 10]),
    ('ColumnLength "zip" != 0', lambda n: n != 0, [3, 7]),
    # exclusive: lengths 0 and 5 fail
    ('ColumnLength "zip" between 0 and 5', lambda n: 0 < n < 5, [1, 3, 4, 5, 6, 7, 8, 9, 10]),
    ('ColumnLength "zip" in [4, 6]', lambda n: n in (4, 6), [1, 3, 5, 6, 7, 8, 9, 10]),
]


@pytest.mark.parametrize(("rule", "passes", "expected"), LENGTH_CASES, ids=[c[0] for c in LENGTH_CASES])
def test_column_length_counts_null_as_zero(
    outcomes: dict[str, RuleOutcome], rule: str, passes: Callable, expected: list[int]
) -> None:
    assert failing_ids(ROWS, "order_id", lambda r: passes(len(r["zip"] or ""))) == expected
    assert_fails_exactly(outcomes[rule], "zip", expected)


def test_column_length_with_where(bench: RuleBench) -> None:
    outcome = bench.run('ColumnLength "zip" = 5 where "order_id <= 3"')
    assert outcome.outcome is Outcome.FAIL
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"]) == (3, 2)
    assert outcome.details["failed_sample"] == [{"order_id": 2, "zip": "1234"}, {"order_id": 3, "zip": None}]


# --- ColumnDataType -------------------------------------------------------------------------

RAW_PARSES = {
    # what each raw string is, by Python's own parsers; NULL has no value to mistype
    "INTEGER": lambda v: v.lstrip("-").isdigit() and -(2**31) <= int(v) < 2**31,
    "LONG": lambda v: v.lstrip("-").isdigit() and -(2**63) <= int(v) < 2**63,
    "DATE": lambda v: _parses(date.fromisoformat, v),
    "BOOLEAN": lambda v: v in ("true", "false"),
}


def _parses(parser: Callable[[str], object], value: str) -> bool:
    try:
        parser(value)
    except ValueError:
        return False
    return True


TYPE_CASES = [
    # "seven", "abc", a date, an impossible date, "true", and 3000000000 (beyond 32 bits)
    ('ColumnDataType "raw" = "INTEGER"', ["INTEGER"], [3, 5, 6, 7, 8, 9]),
    ('ColumnDataType "raw" = "LONG"', ["LONG"], [3, 5, 7, 8, 9]),
    ('ColumnDataType "raw" = "DATE"', ["DATE"], [1, 2, 3, 5, 6, 8, 9, 10]),
    ('ColumnDataType "raw" = "BOOLEAN"', ["BOOLEAN"], [1, 2, 3, 5, 6, 7, 8, 10]),
    ('ColumnDataType "raw" in ["INTEGER", "DATE"]', ["INTEGER", "DATE"], [3, 5, 6, 8, 9]),
]


@pytest.mark.parametrize(("rule", "types", "expected"), TYPE_CASES, ids=[c[0][15:] for c in TYPE_CASES])
def test_column_data_type(
    outcomes: dict[str, RuleOutcome], rule: str, types: list[str], expected: list[int]
) -> None:
    def passes(row: dict) -> bool:
        return row["raw"] is None or any(RAW_PARSES[t](row["raw"]) for t in types)

    assert failing_ids(ROWS, "order_id", passes) == expected
    assert_fails_exactly(outcomes[rule], "raw", expected)


@pytest.mark.parametrize(("threshold", "expected"), [(">= 0.4", Outcome.PASS), ("> 0.4", Outcome.FAIL)])
def test_column_data_type_with_threshold(bench: RuleBench, threshold: str, expected: Outcome) -> None:
    # 42, -7, NULL and 12 pass: 4 of 10
    outcome = bench.run(f'ColumnDataType "raw" = "INTEGER" with threshold {threshold}')
    assert outcome.outcome is expected
    assert outcome.observed == 0.4
    assert outcome.details["failed_count"] == 6


def test_column_data_type_with_where(bench: RuleBench) -> None:
    outcome = bench.run('ColumnDataType "raw" = "INTEGER" where "order_id <= 4"')
    assert outcome.outcome is Outcome.FAIL
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"]) == (4, 1)
    assert outcome.details["failed_sample"] == [{"order_id": 3, "raw": "seven"}]


def test_column_data_type_of_a_numeric_column_passes_with_nulls(bench: RuleBench) -> None:
    outcome = bench.run('ColumnDataType "qty" = "INTEGER"')  # row 6 is NULL: it passes
    assert outcome.outcome is Outcome.PASS
    assert (outcome.details["failed_count"], outcome.observed) == (0, 1.0)


def test_a_fraction_is_not_an_integer() -> None:
    # regression: found by this suite, fixed in 9e01f3e
    table = pa.table({"raw": pa.array(["4", "4.5"], pa.string())})  # planted: "4.5" has a fraction
    with RuleBench(table) as bench:
        outcome = bench.run('ColumnDataType "raw" = "INTEGER"')
    assert outcome.details["failed_count"] == 1
    assert outcome.details["failed_sample"] == [{"raw": "4.5"}]


# --- DataFreshness --------------------------------------------------------------------------

FRESHNESS_CASES = [
    # the age is now minus the value; exactly 24 hours (10) passes <=, a future value (5) passes
    ('DataFreshness "created_at" <= 24 hours', lambda age: age <= 24 * H, [2, 3, 4, 7, 8, 9]),
    ('DataFreshness "created_at" < 24 hours', lambda age: age < 24 * H, [2, 3, 4, 7, 8, 9, 10]),
    ('DataFreshness "created_at" <= 1 days', lambda age: age <= D, [2, 3, 4, 7, 8, 9]),
    ('DataFreshness "created_at" > 2 days', lambda age: age > 2 * D, [1, 2, 4, 5, 6, 7, 10]),
    # exclusive: exactly 1 hour (1) and exactly 48 hours (2) fail
    (
        'DataFreshness "created_at" between 1 hours and 48 hours',
        lambda age: H < age < 2 * D,
        [1, 2, 3, 4, 5, 8, 9],
    ),
    (
        'DataFreshness "created_at" <= 1500 minutes',
        lambda age: age <= timedelta(minutes=1500),
        [2, 3, 4, 8, 9],
    ),
]


@pytest.mark.parametrize(
    ("rule", "passes", "expected"), FRESHNESS_CASES, ids=[c[0][14:] for c in FRESHNESS_CASES]
)
def test_data_freshness_fails_null_rows(
    outcomes: dict[str, RuleOutcome], rule: str, passes: Callable, expected: list[int]
) -> None:
    oracle = failing_ids(
        ROWS, "order_id", lambda r: r["created_at"] is not None and passes(NOW - r["created_at"])
    )
    assert oracle == expected
    assert_fails_exactly(outcomes[rule], "created_at", expected)


def test_data_freshness_with_where(bench: RuleBench) -> None:
    outcome = bench.run('DataFreshness "created_at" <= 24 hours where "country = \'US\'"')
    # US rows: 1 (1 hour old) passes, 3 (5 days old) fails: half of the rows in scope pass
    assert outcome.outcome is Outcome.FAIL
    assert (outcome.details["evaluated_count"], outcome.details["failed_count"]) == (2, 1)
    assert outcome.observed == 0.5
    assert outcome.details["failed_sample"] == [{"order_id": 3, "created_at": (NOW - 5 * D).isoformat()}]


def test_data_freshness_on_a_naive_timestamp_column() -> None:
    naive = [
        NOW.replace(tzinfo=None) - 2 * H,
        NOW.replace(tzinfo=None) - 30 * H,
        None,
    ]  # planted: 30 h old, NULL
    table = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "seen": pa.array(naive, pa.timestamp("us"))})
    with RuleBench(table, key=("id",)) as bench:
        outcome = bench.run('DataFreshness "seen" <= 24 hours')
    assert outcome.outcome is Outcome.FAIL
    assert outcome.details["failed_count"] == 2
    assert outcome.details["failed_sample"] == [
        {"id": 2, "seen": naive[1].isoformat()},
        {"id": 3, "seen": None},
    ]


# --- samples ----------------------------------------------------------------------------------


def test_failing_sample_is_capped_but_the_count_is_not() -> None:
    n = FAILING_ROWS_SHOWN + 15
    values = [-i if i % 2 else i for i in range(n)]  # planted: every odd id holds a negative value
    table = pa.table({"id": pa.array(range(n), pa.int64()), "v": pa.array(values, pa.int64())})
    with RuleBench(table, key=("id",)) as bench:
        outcome = bench.run('ColumnValues "v" >= 0')
    odd = [i for i in range(n) if i % 2]
    assert outcome.details["failed_count"] == len(odd) == 17
    assert outcome.details["failed_sample"] == [{"id": i, "v": -i} for i in odd]  # 17 < 20: all shown

    bigger = pa.table({"id": pa.array(range(60), pa.int64()), "v": pa.array([-1] * 60, pa.int64())})
    with RuleBench(bigger, key=("id",)) as bench:
        outcome = bench.run('ColumnValues "v" >= 0')
    assert outcome.details["failed_count"] == 60
    assert outcome.details["failed_sample"] == [{"id": i, "v": -1} for i in range(FAILING_ROWS_SHOWN)]


def test_sample_without_key_columns_shows_the_column_only(bench: RuleBench) -> None:
    with RuleBench(orders_table()) as keyless:
        outcome = keyless.run('ColumnValues "qty" > 99')
    assert outcome.details["failed_count"] == 8
    # sorted by value, NULL last
    assert outcome.details["failed_sample"] == [{"qty": v} for v in [-5, 0, 1, 2, 50, 75, 99, None]]


# --- other column types and type errors --------------------------------------------------------


def test_boolean_column_values() -> None:
    table = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "ok": pa.array([True, False, None], pa.bool_())})
    with RuleBench(table, key=("id",)) as bench:
        outcome = bench.run('ColumnValues "ok" = "true"')
        assert outcome.details["failed_sample"] == [{"id": 2, "ok": False}, {"id": 3, "ok": None}]
        assert bench.run('ColumnValues "ok" != "true"').details["failed_sample"] == [{"id": 1, "ok": True}]


def test_whitespaces_only_includes_tabs_and_newlines() -> None:
    # regression: found by this suite, fixed in 9e01f3e
    values = ["\t", "\n ", "  ", "x "]  # planted: three whitespace-only values, one with text
    table = pa.table({"id": pa.array([1, 2, 3, 4], pa.int64()), "s": pa.array(values, pa.string())})
    with RuleBench(table, key=("id",)) as bench:
        outcome = bench.run('ColumnValues "s" = WHITESPACES_ONLY')
    assert outcome.details["failed_sample"] == [{"id": 4, "s": "x "}]


def test_large_integer_literals_keep_their_precision() -> None:
    # regression: found by this suite, fixed in 9e01f3e
    big = 2**53 + 1  # planted: the first integer a double cannot hold
    table = pa.table({"id": pa.array([big], pa.int64())})
    with RuleBench(table) as bench:
        outcome = bench.run(f'ColumnValues "id" in [{big}]')
    assert outcome.outcome is Outcome.PASS


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('ColumnValues "qty" matches "[0-9]+"', "matches applies to text, but 'qty' is long"),
        ('ColumnValues "country" = 5', "'country' is text; compare it with a quoted string, not 5"),
        ('ColumnValues "qty" = "5"', "'qty' is numeric (long); it cannot be compared with \"5\""),
        ('ColumnValues "qty" = EMPTY', "EMPTY applies to text, but 'qty' is long"),
        ('ColumnValues "created_at" > "yesterday"', "'yesterday' is not a date or timestamp"),
        ('ColumnLength "qty" = 2', "ColumnLength needs a text column; 'qty' is long"),
        (
            'DataFreshness "country" <= 2 days',
            "DataFreshness needs a date or timestamp column; 'country' is string",
        ),
        (
            'ColumnValues "nope" = 1',
            "column 'nope' does not exist; the table has: order_id, country, qty, email",
        ),
        (
            'ColumnValues "qty" = 1 where "missing > 0"',
            "column 'missing' does not exist; the table has: order_id",
        ),
    ],
)
def test_rules_that_do_not_fit_the_column_raise(bench: RuleBench, rule: str, message: str) -> None:
    with pytest.raises(RuleError) as raised:
        bench.compile(rule)
    assert message in str(raised.value)
