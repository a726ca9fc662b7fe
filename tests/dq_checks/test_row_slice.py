"""One partition's rows as a predicate: typed as the column is, and exact whatever the engine's time zone."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pytest
from sqlglot import exp

from dq_checks.partitions.row_slice import RowSlice, SliceError, column_for
from dq_checks.schema import ColumnInfo, ColumnKind

DAY = RowSlice("at", "2026-11-30", start=datetime(2026, 11, 30), end=datetime(2026, 12, 1))


def rows_in(slice_: RowSlice, column_type: str, values: list[str], session_zone: str = "UTC") -> int:
    """How many of `values` (as `column_type`) the slice's predicate keeps, in a DuckDB of `session_zone`."""
    connection = duckdb.connect()
    connection.execute(f"SET TimeZone = '{session_zone}'")
    connection.execute(f'CREATE TABLE t ("at" {column_type})')
    connection.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    info = ColumnInfo("at", column_type, ColumnKind.TEMPORAL)
    query = exp.select("count(*)").from_("t").where(slice_.predicate(info))
    [(count,)] = connection.execute(query.sql(dialect="duckdb")).fetchall()
    return int(count)


def test_a_day_of_a_date_column_is_a_half_open_range_of_dates() -> None:
    info = ColumnInfo("at", "date", ColumnKind.TEMPORAL)
    assert DAY.predicate(info).sql("postgres") == (
        "\"at\" >= CAST('2026-11-30' AS DATE) AND \"at\" < CAST('2026-12-01' AS DATE)"
    )
    # the day before, the day, the day after: only the day is kept
    assert rows_in(DAY, "DATE", ["2026-11-29", "2026-11-30", "2026-12-01"]) == 1


def test_a_day_of_a_timestamp_column_keeps_its_first_instant_and_not_the_next_midnight() -> None:
    values = ["2026-11-29 23:59:59", "2026-11-30 00:00:00", "2026-11-30 23:59:59.999", "2026-12-01 00:00:00"]
    assert rows_in(DAY, "TIMESTAMP", values) == 2


def test_a_column_with_a_time_zone_is_cut_in_the_partitions_zone_whatever_the_session_zone() -> None:
    paris = RowSlice(
        "at", "2026-11-30", start=datetime(2026, 11, 30), end=datetime(2026, 12, 1), zone="Europe/Paris"
    )
    # 2026-11-29 23:30 UTC is 00:30 on the 30th in Paris; 2026-11-30 23:30 UTC is 00:30 on the 1st
    values = [
        "2026-11-29 22:59:59+00",
        "2026-11-29 23:30:00+00",
        "2026-11-30 22:59:59+00",
        "2026-11-30 23:30:00+00",
    ]
    for session in ("UTC", "America/New_York", "Asia/Tokyo"):
        assert rows_in(paris, "TIMESTAMPTZ", values, session_zone=session) == 2, session


def test_a_value_partition_is_typed_as_its_column() -> None:
    number = ColumnInfo("region_id", "bigint", ColumnKind.NUMERIC)
    text = ColumnInfo("region", "varchar", ColumnKind.STRING)
    assert RowSlice("region_id", "7", value="7").predicate(number).sql() == '"region_id" = 7'
    assert RowSlice("region", "eu", value="eu").predicate(text).sql() == "\"region\" = 'eu'"
    with pytest.raises(SliceError, match="partition value 'eu' is not a number, and 'region_id' is numeric"):
        RowSlice("region_id", "eu", value="eu").predicate(number)


def test_a_time_partition_over_a_column_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(
        SliceError, match="partition column 'amount' is double: a time partition needs a DATE"
    ):
        DAY.predicate(ColumnInfo("amount", "double", ColumnKind.NUMERIC))


def test_the_partition_column_is_found_ignoring_case_never_guessed() -> None:
    columns = (
        ColumnInfo("Day", "date", ColumnKind.TEMPORAL),
        ColumnInfo("amount", "double", ColumnKind.NUMERIC),
    )
    assert column_for(columns, "day").name == "Day"
    with pytest.raises(SliceError, match=r"'dt' is not a column of the table \(it has Day, amount\)"):
        column_for(columns, "dt")
    twice = (ColumnInfo("day", "date", ColumnKind.TEMPORAL), ColumnInfo("DAY", "date", ColumnKind.TEMPORAL))
    assert column_for(twice, "day").name == "day"  # the exact spelling first
    with pytest.raises(SliceError, match="'Day' matches day, DAY"):
        column_for(twice, "Day")
