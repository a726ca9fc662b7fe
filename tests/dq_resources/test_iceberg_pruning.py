"""Checking one partition of an Iceberg table reads that partition's data files, not the table's.

Each test plants a real partitioned Iceberg table (pyiceberg's SqlCatalog on sqlite) whose every
data file holds one partition, so the exact number of files and rows a pruned read keeps is
known: `IcebergTable.pruned(RowSlice)` must keep the slice's files and only those, in place and
copied, and a slice it cannot use must leave the table whole rather than fail.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import pyarrow as pa
import pytest
from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, LessThan
from pyiceberg.io.pyarrow import write_file
from pyiceberg.partitioning import PartitionField, PartitionFieldValue, PartitionKey, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table, WriteTask
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import (
    DateType,
    DoubleType,
    IcebergType,
    LongType,
    NestedField,
    StringType,
    TimestampType,
    TimestamptzType,
)
from sqlglot import exp

from dq_checks.config.models import IcebergSourceSpec
from dq_checks.partitions.row_slice import RowSlice, column_for
from dq_resources.engines.parquet_scan import CopyInstead, ParquetScan
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.resource import IcebergTable
from dq_resources.iceberg.row_filter import slice_filter

IDENTIFIER = "ns.events"
DAYS = [date(2026, 1, 1) + timedelta(days=offset) for offset in range(5)]  # 2026-01-01 .. 2026-01-05
EPOCH = date(1970, 1, 1)


def create(catalog: str, schema: Schema, partitioned_by: PartitionField) -> Table:
    iceberg = load_named_catalog(catalog)
    iceberg.create_namespace_if_not_exists("ns")
    return iceberg.create_table(IDENTIFIER, schema=schema, partition_spec=PartitionSpec(partitioned_by))


def append_day(table: Table, rows: pa.Table, day: date) -> None:
    """Commit `rows` as one data file of the day(...) partition `day`, as an engine would write it.

    pyiceberg's own append needs pyiceberg-core (not installed) to compute a day() partition;
    its writer and a fast append do the same with the partition value given here.
    """
    spec = table.spec()
    key = PartitionKey([PartitionFieldValue(spec.fields[0], (day - EPOCH).days)], spec, table.schema())
    task = WriteTask(uuid.uuid4(), 0, table.schema(), rows.to_batches(), partition_key=key)
    data_files = list(write_file(table.io, table.metadata, iter([task])))
    with table.transaction() as transaction, transaction.update_snapshot().fast_append() as append:
        for data_file in data_files:
            append.append_data_file(data_file)


def open_table(catalog: str, *, in_place: bool = True) -> IcebergTable:
    source = IcebergSourceSpec(type="iceberg", catalog=catalog, identifier=IDENTIFIER)
    return IcebergCatalogResource(scan_in_place=in_place).open(source)


def planned(table: IcebergTable, tmp_path: Path) -> ParquetScan:
    plan = table.in_place_plan(lambda: tmp_path / "scratch")
    assert isinstance(plan, ParquetScan), plan
    return plan


def streamed_rows(table: IcebergTable) -> int:
    return sum(batch.num_rows for batch in table.arrow_stream())


def rows_in_slice(table: IcebergTable, row_slice: RowSlice) -> tuple[int, int]:
    """(rows the engine holds, rows of the slice): the pruned read, then the caller's exact filter on it."""
    column = column_for(table.describe().columns, row_slice.column)
    with table.pruned(row_slice).query_runner() as engine:
        query = exp.select(exp.func("count", exp.Star())).from_(engine.relation)
        ((count,),) = engine.fetch_rows(query.where(row_slice.predicate(column)))
        return engine.rows_loaded, int(count)


def day_slice(day: date, column: str = "day") -> RowSlice:
    start = datetime.combine(day, datetime.min.time())
    return RowSlice(column=column, key=day.isoformat(), start=start, end=start + timedelta(days=1))


# -- a DATE column, partitioned by day

DATED = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "day", DateType(), required=False),
    NestedField(3, "amount", DoubleType(), required=False),
)


def rows_of_day(first_id: int, day: date, count: int) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(first_id, first_id + count), pa.int64()),
            "day": pa.array([day] * count, pa.date32()),
            "amount": pa.array([1.5] * count, pa.float64()),
        }
    )


@pytest.fixture
def by_day(scratch_catalog: str) -> str:
    """5 days x 2 appends = 10 data files, one day each. Day k (1..5) has k rows, then 10 more:
    2026-01-03 holds 3 + 10 = 13 rows in 2 files; the table holds 15 + 50 = 65 rows."""
    table = create(scratch_catalog, DATED, PartitionField(2, 1000, DayTransform(), "day_day"))
    next_id = 1
    for count_of in (lambda k: k, lambda k: 10):
        for k, day in enumerate(DAYS, start=1):
            append_day(table, rows_of_day(next_id, day, count_of(k)), day)
            next_id += count_of(k)
    return scratch_catalog


def test_unpruned_plan_lists_every_file(by_day: str, tmp_path: Path) -> None:
    plan = planned(open_table(by_day), tmp_path)
    assert (len(plan.paths), plan.row_count) == (10, 65)


def test_one_day_plans_its_two_files_in_place(by_day: str, tmp_path: Path) -> None:
    plan = planned(open_table(by_day).pruned(day_slice(date(2026, 1, 3))), tmp_path)
    assert (len(plan.paths), plan.row_count) == (2, 13)


def test_one_day_copies_its_rows_only(by_day: str) -> None:
    table = open_table(by_day)
    assert streamed_rows(table) == 65
    assert streamed_rows(table.pruned(day_slice(date(2026, 1, 3)))) == 13
    assert streamed_rows(table.pruned(day_slice(date(2026, 1, 5)))) == 15


def test_a_pruned_copy_reads_some_columns_still_filtered(by_day: str) -> None:
    # The filter's column is not among those asked for: the rows are still the day's 13.
    reader = open_table(by_day).pruned(day_slice(date(2026, 1, 3))).arrow_stream(["amount"])
    assert reader.schema.names == ["amount"]
    assert sum(batch.num_rows for batch in reader) == 13


def test_the_engine_reads_and_counts_one_day(by_day: str) -> None:
    # In place: the day's 2 files, 13 rows, all of them in the slice.
    assert rows_in_slice(open_table(by_day), day_slice(date(2026, 1, 3))) == (13, 13)
    with open_table(by_day).pruned(day_slice(date(2026, 1, 3))).query_runner() as engine:
        assert engine.scan_path == "read in place: 2 Parquet files"
    # Copied (in place off): the same 13.
    assert rows_in_slice(open_table(by_day, in_place=False), day_slice(date(2026, 1, 3))) == (13, 13)


def test_a_window_of_several_days_keeps_their_files(by_day: str, tmp_path: Path) -> None:
    # [01-02, 01-04): days 2 and 3, (2 + 10) + (3 + 10) = 25 rows in 4 files.
    start = datetime(2026, 1, 2)
    window = RowSlice(column="day", key="w", start=start, end=start + timedelta(days=2))
    plan = planned(open_table(by_day).pruned(window), tmp_path)
    assert (len(plan.paths), plan.row_count) == (4, 25)


def test_a_day_without_data_reads_nothing(by_day: str, tmp_path: Path) -> None:
    empty = open_table(by_day).pruned(day_slice(date(2026, 2, 1)))
    assert empty.in_place_plan(lambda: tmp_path / "scratch") == CopyInstead("no data file holds rows to read")
    assert rows_in_slice(open_table(by_day), day_slice(date(2026, 2, 1))) == (0, 0)


def test_the_column_is_matched_ignoring_case(by_day: str, tmp_path: Path) -> None:
    plan = planned(open_table(by_day).pruned(day_slice(date(2026, 1, 3), column="DAY")), tmp_path)
    assert (len(plan.paths), plan.row_count) == (2, 13)


def test_a_slice_it_cannot_use_leaves_the_table_whole(by_day: str, tmp_path: Path) -> None:
    table = open_table(by_day)
    unusable = [
        day_slice(date(2026, 1, 3), column="no_such_column"),
        day_slice(date(2026, 1, 3), column="amount"),  # a window over a DOUBLE column
        RowSlice(column="id", key="x", value="not a number"),
    ]
    for row_slice in unusable:
        pruned = table.pruned(row_slice)
        assert pruned is table
        plan = planned(pruned, tmp_path)
        assert (len(plan.paths), plan.row_count) == (10, 65)


def test_a_value_slice_on_a_long_column_is_a_number(by_day: str, tmp_path: Path) -> None:
    # id 20 is in the second append of 2026-01-01 (ids 16..25): that one file of 10 rows.
    plan = planned(open_table(by_day).pruned(RowSlice(column="id", key="20", value="20")), tmp_path)
    assert (len(plan.paths), plan.row_count) == (1, 10)


# -- a TIMESTAMP column partitioned by day(ts): an hour of one day keeps that day's files


def rows_at(first_id: int, moments: list[datetime], arrow_type: pa.DataType) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(first_id, first_id + len(moments)), pa.int64()),
            "ts": pa.array(moments, arrow_type),
        }
    )


@pytest.mark.parametrize(
    ("iceberg_type", "arrow_type", "zone"),
    [
        (TimestampType(), pa.timestamp("us"), None),
        (TimestamptzType(), pa.timestamp("us", tz="UTC"), UTC),  # the window's wall-clock read as UTC
    ],
)
def test_an_hour_keeps_its_days_files(
    scratch_catalog: str,
    tmp_path: Path,
    iceberg_type: IcebergType,
    arrow_type: pa.DataType,
    zone: tzinfo | None,
) -> None:
    schema = Schema(
        NestedField(1, "id", LongType(), required=False), NestedField(2, "ts", iceberg_type, required=False)
    )
    table = create(scratch_catalog, schema, PartitionField(2, 1000, DayTransform(), "ts_day"))
    # 3 days x 2 appends = 6 files; each append holds one row at each of 4 hours (00, 09, 09:30, 23):
    # a day holds 8 rows, 2 of them at 09:00 and 2 at 09:30.
    next_id = 1
    for _ in range(2):
        for day in DAYS[:3]:
            moments = [
                datetime.combine(day, datetime.min.time()).replace(tzinfo=zone) + offset
                for offset in (
                    timedelta(0),
                    timedelta(hours=9),
                    timedelta(hours=9, minutes=30),
                    timedelta(hours=23),
                )
            ]
            append_day(table, rows_at(next_id, moments, arrow_type), day)
            next_id += len(moments)
    opened = open_table(scratch_catalog)
    hour = RowSlice(
        column="ts", key="2026-01-02-09:00", start=datetime(2026, 1, 2, 9), end=datetime(2026, 1, 2, 10)
    )

    assert len(planned(opened, tmp_path).paths) == 6
    plan = planned(opened.pruned(hour), tmp_path)
    assert (len(plan.paths), plan.row_count) == (2, 8)  # the whole day's files, read in place
    assert streamed_rows(opened.pruned(hour)) == 4  # copied, pyiceberg keeps the hour's rows only
    if zone is None:  # a TIMESTAMPTZ is compared in DuckDB's session zone, the host's: not asserted here
        assert rows_in_slice(opened, hour) == (8, 4)  # the exact filter narrows the day to its hour


# -- a STRING column partitioned by identity: one value keeps its files


def test_a_value_keeps_its_files(scratch_catalog: str, tmp_path: Path) -> None:
    schema = Schema(
        NestedField(1, "id", LongType(), required=False),
        NestedField(2, "region", StringType(), required=False),
    )
    table = create(scratch_catalog, schema, PartitionField(2, 1000, IdentityTransform(), "region"))
    # 3 regions x 2 appends = 6 files; "us" has 2 + 4 = 6 rows of the table's 3 x (2 + 4) = 18.
    next_id = 1
    for count in (2, 4):
        for region in ("eu", "us", "apac"):
            ids = pa.array(range(next_id, next_id + count), pa.int64())
            table.append(pa.table({"id": ids, "region": pa.array([region] * count, pa.string())}))
            next_id += count
    opened = open_table(scratch_catalog)
    us = RowSlice(column="region", key="us", value="us")

    assert len(planned(opened, tmp_path).paths) == 6
    plan = planned(opened.pruned(us), tmp_path)
    assert (len(plan.paths), plan.row_count) == (2, 6)
    assert streamed_rows(opened.pruned(us)) == 6
    assert rows_in_slice(opened, us) == (6, 6)


# -- the filter itself


def test_a_date_window_rounds_its_bounds_up_to_midnight() -> None:
    # A DATE compares with a timestamp as its midnight: [01-01 09:00, 01-05 09:00) holds 01-02 .. 01-05.
    window = RowSlice(column="day", key="w", start=datetime(2026, 1, 1, 9), end=datetime(2026, 1, 5, 9))
    assert slice_filter(DATED, window) == And(
        GreaterThanOrEqual("day", "2026-01-02"), LessThan("day", "2026-01-06")
    )


def test_filters_take_the_columns_types() -> None:
    schema = Schema(
        NestedField(1, "ts", TimestampType()),
        NestedField(2, "tz", TimestamptzType()),
        NestedField(3, "n", LongType()),
        NestedField(4, "d", DateType()),
    )
    start, end = datetime(2026, 1, 2, 9), datetime(2026, 1, 2, 10)
    assert slice_filter(schema, RowSlice("ts", "k", start=start, end=end)) == And(
        GreaterThanOrEqual("ts", "2026-01-02T09:00:00"), LessThan("ts", "2026-01-02T10:00:00")
    )
    assert slice_filter(schema, RowSlice("tz", "k", start=start, end=end)) == And(
        GreaterThanOrEqual("tz", "2026-01-02T09:00:00+00:00"), LessThan("tz", "2026-01-02T10:00:00+00:00")
    )
    assert slice_filter(schema, RowSlice("n", "k", value="7")) == EqualTo("n", 7)
    assert slice_filter(schema, RowSlice("d", "k", value="2026-01-02")) == EqualTo("d", "2026-01-02")
    assert slice_filter(schema, RowSlice("d", "k", value="yesterday")) is None
    assert slice_filter(schema, RowSlice("n", "k", start=start, end=end)) is None
