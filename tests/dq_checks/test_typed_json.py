"""The cache's JSON codec gives back every engine value with its exact Python type."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pytest

from dq_checks.metrics.typed_json import decode_rows, encode_rows

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -(2**70),  # beyond 64 bits (a HUGEINT sum)
    1.5,
    -0.0,
    1e308,
    "",
    'a "quoted" {"$": "decimal", "v": "1"} text',  # looks like a tag, is only text
    Decimal("1.50"),  # the trailing zero is kept
    Decimal("-123456789012345678901234567890.000001"),
    date(2026, 2, 28),
    datetime(2026, 11, 1, 8, 30, 0, 123456),  # naive
    datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
    datetime(2026, 11, 1, 8, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Paris")),
    time(23, 59, 59, 999999),
    time(10, 0, tzinfo=timezone(timedelta(hours=2))),
    timedelta(days=-3, seconds=5, microseconds=7),
    b"\x00\xff binary",
    uuid.UUID("2f5ab5df-0d60-407c-aa15-bafde66b0b77"),
    [1.0, 2.5, None],
    [[1, 2], []],
    (1, "two"),
    {"a": 1, "b": [Decimal("2.0")]},
    {1: "int key", None: "null key"},
]


def same(left: Any, right: Any) -> bool:
    """Equal, of the same type all the way down, with the same zone; NaN equals NaN."""
    if type(left) is not type(right):
        return False
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    if isinstance(left, float):
        return left == right and math.copysign(1, left) == math.copysign(1, right)
    if isinstance(left, (datetime, time)):
        return (
            left == right
            and left.isoformat() == right.isoformat()
            and type(left.tzinfo) is type(right.tzinfo)
        )
    if isinstance(left, Decimal):
        return str(left) == str(right)
    if isinstance(left, (list, tuple)):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    return bool(left == right)


@pytest.mark.parametrize("value", VALUES, ids=[f"{type(v).__name__}-{i}" for i, v in enumerate(VALUES)])
def test_every_type_round_trips_exactly(value: Any) -> None:
    (row,) = decode_rows(encode_rows([(value,)]))
    assert same(row[0], value), (row[0], value)


def test_non_finite_floats_round_trip_and_the_text_stays_strict_json() -> None:
    text = encode_rows([(math.nan, math.inf, -math.inf)])
    assert "NaN" not in text and "Infinity" not in text
    ((nan, inf, minus),) = decode_rows(text)
    assert math.isnan(nan) and inf == math.inf and minus == -math.inf


def test_rows_come_back_as_tuples_in_order() -> None:
    rows = [(1, "a"), (2, None), ()]
    assert decode_rows(encode_rows(rows)) == rows


def test_what_duckdb_returns_round_trips() -> None:
    sql = (
        "SELECT TIMESTAMPTZ '2024-01-01 00:00:00+02', TIME '10:00', INTERVAL 3 DAY, {'a': 1}, "
        "MAP {'k': 1}, [1.5, 2.5]::DOUBLE[], '\\xAA'::BLOB, uuid(), 1.5::DECIMAL(10, 2), "
        "TIMETZ '10:00:00+02', 170141183460469231731687303715884105727::HUGEINT, DATE '2026-01-31', "
        "'nan'::DOUBLE, percentile_cont([0.25, 0.5]) WITHIN GROUP (ORDER BY x) FROM range(10) t(x)"
    )
    rows = duckdb.connect().execute(sql).fetchall()
    back = decode_rows(encode_rows(rows))
    assert all(same(a, b) for a, b in zip(back[0], rows[0], strict=True)), (back, rows)


def test_a_value_it_cannot_keep_is_refused_not_mangled() -> None:
    with pytest.raises(TypeError, match="set"):
        encode_rows([({1, 2},)])
