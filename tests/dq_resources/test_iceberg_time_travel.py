"""Reading an Iceberg table at an earlier snapshot reads that snapshot's files, under its schema.

A real table (pyiceberg's SqlCatalog on sqlite) is given its history at planted times:
snapshot 1 appends 100 rows with amounts 1..100; then a column `channel` is added and snapshot
2 appends 50 rows with amounts 1000..1049; an overwrite (snapshot 3, the current one) replaces
them all with 20 rows with amounts 7000..7019. Every read path of the pinned table (describe,
the engine read in place or copied, the stream, the sample, a pruned read) must see the pinned
snapshot's rows and nothing else; the unpinned table, read the same way, sees the current 20,
so each assertion would fail without the pin.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.types import LongType, NestedField, StringType
from sqlglot import exp

from dq_checks.config.models import IcebergSourceSpec
from dq_checks.partitions.row_slice import RowSlice
from dq_resources.engines.parquet_scan import ParquetScan
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from dq_resources.iceberg.resource import IcebergTable
from dq_resources.source_contract import SourceError

IDENTIFIER = "ns.orders"
FIRST_AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
SECOND_AT = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
THIRD_AT = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "amount", LongType(), required=False),
)


def rows(first_id: int, amounts: range, channel: str | None = None) -> pa.Table:
    """Rows with ids from `first_id` and the given amounts; with `channel`, the column added later."""
    columns = {
        "id": pa.array(range(first_id, first_id + len(amounts)), pa.int64()),
        "amount": pa.array(amounts, pa.int64()),
    }
    if channel is not None:
        columns["channel"] = pa.array([channel] * len(amounts), pa.string())
    return pa.table(columns)


class History:
    """The planted table and its snapshot ids: the two appends, and the current one the overwrite left.

    pyiceberg's overwrite commits two snapshots (a delete, then an append): the table has four.
    """

    def __init__(self, catalog: str, iceberg: Table) -> None:
        self.catalog = catalog
        self.iceberg = iceberg
        first, second, _deleted, third = iceberg.snapshots()
        current = iceberg.current_snapshot()
        assert current is not None
        assert third.snapshot_id == current.snapshot_id
        self.first, self.second, self.third = first.snapshot_id, second.snapshot_id, third.snapshot_id


@pytest.fixture
def history(scratch_catalog: str) -> History:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    iceberg = catalog.create_table(IDENTIFIER, schema=SCHEMA)
    with snapshot_clock(FIRST_AT):
        iceberg.append(rows(1, range(1, 101)))  # snapshot 1: 100 rows, amounts 1..100
    with iceberg.update_schema() as update:  # a schema change after snapshot 1
        update.add_column("channel", StringType())
    with snapshot_clock(SECOND_AT):
        iceberg.append(rows(101, range(1000, 1050), "web"))  # snapshot 2: + 50 rows, 1000..1049
    with snapshot_clock(THIRD_AT):
        iceberg.overwrite(rows(151, range(7000, 7020), "shop"))  # snapshot 3: only 20 rows, 7000..7019
    return History(scratch_catalog, iceberg)


def open_table(catalog: str, *, in_place: bool = True) -> IcebergTable:
    """The table opened as a check opens it: by its source spec, through the resource."""
    source = IcebergSourceSpec(type="iceberg", catalog=catalog, identifier=IDENTIFIER)
    return IcebergCatalogResource(scan_in_place=in_place).open(source)


def engine_reads(table: IcebergTable) -> tuple[int, int, int, bool]:
    """(count(*), min(amount), max(amount), whether read in place), by the local engine's SQL."""
    with table.query_runner() as runner:
        query = exp.select("count(*)", "min(amount)", "max(amount)").from_(runner.relation)
        ((count, low, high),) = runner.fetch_rows(query)
        return int(count), int(low), int(high), runner.in_place


def streamed_amounts(table: IcebergTable) -> list[int]:
    return sorted(table.arrow_stream(["amount"]).read_all().column("amount").to_pylist())


@pytest.mark.parametrize("in_place", [True, False], ids=["in_place", "copied"])
def test_the_engine_reads_the_pinned_snapshot_only(history: History, in_place: bool) -> None:
    table = open_table(history.catalog, in_place=in_place)
    # Unpinned, the engine sees the current snapshot's 20 rows: what a missing pin would give.
    assert engine_reads(table) == (20, 7000, 7019, in_place)
    assert engine_reads(table.at_snapshot(history.first)) == (100, 1, 100, in_place)
    assert engine_reads(table.at_snapshot(history.second)) == (150, 1, 1049, in_place)


def test_describe_speaks_of_the_pinned_snapshot(history: History) -> None:
    table = open_table(history.catalog)
    now = table.describe()
    assert (now.row_count, now.data_version) == (20, str(history.third))
    assert [c.name for c in now.columns] == ["id", "amount", "channel"]
    assert "pinned" not in now.extra

    first = table.at_snapshot(history.first).describe()
    assert first.row_count == 100
    assert first.data_version == str(history.first)
    assert first.last_updated == FIRST_AT
    assert [c.name for c in first.columns] == ["id", "amount"]  # `channel` came after
    assert first.extra["pinned"] == f"snapshot {history.first}"

    second = table.at_snapshot(history.second).describe()
    assert (second.row_count, second.data_version, second.last_updated) == (
        150,
        str(history.second),
        SECOND_AT,
    )
    assert [c.name for c in second.columns] == ["id", "amount", "channel"]


def test_the_stream_and_the_plan_hold_the_pinned_files(history: History, tmp_path: Path) -> None:
    table = open_table(history.catalog)
    pinned = table.at_snapshot(history.first)
    assert streamed_amounts(pinned) == list(range(1, 101))
    assert pinned.arrow_stream().schema.names == ["id", "amount"]  # its own schema, not today's

    plan = pinned.in_place_plan(lambda: tmp_path / "scratch")
    assert isinstance(plan, ParquetScan), plan
    assert plan.row_count == 100
    assert sum(pq.read_metadata(path).num_rows for path in plan.paths) == 100
    current = table.in_place_plan(lambda: tmp_path / "scratch")
    assert isinstance(current, ParquetScan), current
    assert set(plan.paths).isdisjoint(current.paths)  # the overwrite replaced every file

    # Snapshot 2 in place: snapshot 1's file has no `channel`, which reads as NULL there.
    with table.at_snapshot(history.second).query_runner() as runner:
        query = exp.select("count(channel)", "count(*)").from_(runner.relation)
        assert runner.fetch_rows(query) == [(50, 150)]
        assert runner.in_place


def test_sample_holds_pinned_values_only(history: History) -> None:
    table = open_table(history.catalog)
    sample = table.at_snapshot(history.first).sample(10)
    assert len(sample) == 10
    assert list(sample.columns) == ["id", "amount"]
    assert sample["amount"].between(1, 100).all()
    assert table.sample(10)["amount"].between(7000, 7019).all()  # unpinned: today's rows


def test_as_of_picks_the_snapshot_current_then(history: History) -> None:
    table = open_table(history.catalog)
    between = FIRST_AT + timedelta(hours=12)
    assert table.as_of(between).describe().data_version == str(history.first)
    assert engine_reads(table.as_of(between)) == (100, 1, 100, True)
    # At the very commit instant, the snapshot committed then; in another zone, the same instant.
    assert table.as_of(SECOND_AT).describe().data_version == str(history.second)
    in_paris = (SECOND_AT - timedelta(milliseconds=1)).astimezone(timezone(timedelta(hours=1)))
    assert table.as_of(in_paris).describe().data_version == str(history.first)
    assert table.as_of(THIRD_AT + timedelta(days=30)).describe().data_version == str(history.third)


def test_a_pruned_pinned_table_stays_pinned(history: History) -> None:
    pinned = open_table(history.catalog).at_snapshot(history.first)
    seven = pinned.pruned(RowSlice(column="amount", key="7", value="7"))
    assert seven.describe().data_version == str(history.first)
    assert streamed_amounts(seven) == [7]
    # 1000 is a snapshot 2 amount: not in the pinned snapshot, though in snapshot 2.
    assert streamed_amounts(pinned.pruned(RowSlice(column="amount", key="1000", value="1000"))) == []
    second = open_table(history.catalog).at_snapshot(history.second)
    assert streamed_amounts(second.pruned(RowSlice(column="amount", key="1000", value="1000"))) == [1000]
    # `channel` came after the pin: no filter on it, the pinned snapshot read whole.
    unprunable = pinned.pruned(RowSlice(column="channel", key="web", value="web"))
    assert unprunable is pinned


def test_appended_since_on_a_pinned_table_gives_the_reason(history: History) -> None:
    pinned = open_table(history.catalog).at_snapshot(history.second)
    reason = pinned.appended_since(str(history.first))
    assert reason == (
        f"the table is pinned at snapshot {history.second}: "
        "appended rows are read from the current snapshot only"
    )


def test_unknown_snapshot_names_the_snapshots_left(history: History) -> None:
    table = open_table(history.catalog)
    with pytest.raises(SourceError) as raised:
        table.at_snapshot(12345)
    assert str(raised.value) == (
        f"iceberg:{history.catalog}/{IDENTIFIER}: snapshot 12345 not found (expired or never existed); "
        f"the table has 4 snapshots, oldest {history.first} (committed 2026-11-01T08:00:00+00:00), "
        f"newest {history.third} (committed 2026-11-03T08:00:00+00:00)"
    )


def test_an_expired_snapshot_is_said_to_be(history: History) -> None:
    history.iceberg.maintenance.expire_snapshots().by_id(history.first).commit()
    table = open_table(history.catalog)
    with pytest.raises(
        SourceError, match=rf"snapshot {history.first} not found \(expired or never existed\); "
    ):
        table.at_snapshot(history.first)
    # pyiceberg drops an expired snapshot from the log too: that moment now precedes every snapshot.
    with pytest.raises(
        SourceError, match=r"before the table's first snapshot \(older ones may have expired\); "
    ):
        table.as_of(FIRST_AT + timedelta(hours=12))


def test_a_moment_before_the_first_snapshot_fails(history: History) -> None:
    table = open_table(history.catalog)
    with pytest.raises(SourceError) as raised:
        table.as_of(FIRST_AT - timedelta(milliseconds=1))
    assert str(raised.value) == (
        f"iceberg:{history.catalog}/{IDENTIFIER}: no snapshot as of 2026-11-01T07:59:59.999000+00:00: "
        "that is before the table's first snapshot (older ones may have expired); the table has 4 snapshots, "
        f"oldest {history.first} (committed 2026-11-01T08:00:00+00:00), newest {history.third} "
        "(committed 2026-11-03T08:00:00+00:00)"
    )


def test_a_naive_moment_is_refused(history: History) -> None:
    with pytest.raises(ValueError, match="the moment needs a time zone"):
        open_table(history.catalog).as_of(datetime(2026, 11, 2))  # naive on purpose


def test_a_table_without_snapshots_has_nothing_as_of(scratch_catalog: str) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    catalog.create_table(IDENTIFIER, schema=SCHEMA)
    table = open_table(scratch_catalog)
    with pytest.raises(SourceError, match="the table has no snapshots"):
        table.as_of(FIRST_AT)
    with pytest.raises(
        SourceError, match=r"snapshot 7 not found \(expired or never existed\); the table has no"
    ):
        table.at_snapshot(7)
