"""Which earlier snapshot of an Iceberg table to read, and the schema its data was written under.

A drift check's pinned baseline is a snapshot id or a moment. A snapshot id must still be in the
table's metadata: expiring snapshots (the usual table maintenance) removes old ones, and the
error says so and which ids are left. A moment means the snapshot that was the table's current
one at that moment, as Iceberg's `AS OF` means it (Spark, Trino): the table's snapshot log,
which a rollback also writes to. A table whose metadata keeps no log falls back on the latest
snapshot committed at or before the moment; on a table never rolled back the two agree.

The pinned snapshot is read under its own schema (a column added since is not there yet, a
column dropped since still is), as pyiceberg's time-travel scan projects it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from dq_checks.partitions.row_slice import SliceError, column_for
from dq_resources.iceberg.types import columns_of
from dq_resources.source_contract.errors import source_error

if TYPE_CHECKING:
    from pyiceberg.schema import Schema
    from pyiceberg.table import Table
    from pyiceberg.table.snapshots import Snapshot

    from dq_checks.partitions.row_slice import RowSlice

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def snapshot_with_id(table: Table, name: str, snapshot_id: int) -> Snapshot:
    """The table's snapshot `snapshot_id`, or SourceError saying which snapshots the table still has."""
    snapshot = table.snapshot_by_id(snapshot_id)
    if snapshot is not None:
        return snapshot
    raise source_error(
        name, f"snapshot {snapshot_id} not found (expired or never existed); {_snapshots_held(table)}"
    )


def snapshot_as_of(table: Table, name: str, moment: datetime) -> Snapshot:
    """The snapshot that was the table's current one at `moment` (aware), or SourceError.

    A naive `moment` is a ValueError: which instant it means depends on the machine's zone.
    """
    if moment.utcoffset() is None:
        raise ValueError(f"as of {moment.isoformat()}: the moment needs a time zone")
    if not table.snapshots():
        raise source_error(name, f"no snapshot as of {moment.isoformat()}: the table has no snapshots")
    at_ms = epoch_ms(moment)
    log = table.history()
    if log:
        entry = next((e for e in reversed(log) if e.timestamp_ms <= at_ms), None)
        if entry is not None:
            snapshot = table.snapshot_by_id(entry.snapshot_id)
            if snapshot is None:
                raise source_error(
                    name,
                    f"snapshot {entry.snapshot_id}, the current one as of {moment.isoformat()}, is expired; "
                    + _snapshots_held(table),
                )
            return snapshot
    else:  # no snapshot log kept: the latest snapshot committed by then
        committed = [s for s in table.snapshots() if s.timestamp_ms <= at_ms]
        if committed:
            return max(committed, key=_commit_order)
    raise source_error(
        name,
        f"no snapshot as of {moment.isoformat()}: that is before the table's first snapshot "
        f"(older ones may have expired); {_snapshots_held(table)}",
    )


def snapshot_schema(table: Table, snapshot: Snapshot) -> Schema:
    """The schema `snapshot` was written under; the table's current one when the snapshot names none."""
    if snapshot.schema_id is not None:
        schema = table.schemas().get(snapshot.schema_id)
        if schema is not None:
            return schema
    return table.schema()


def pinned_slice_filter_ok(pinned: Schema, current: Schema, row_slice: RowSlice) -> bool:
    """Whether a row filter on the slice's column can prune a scan of the pinned snapshot.

    pyiceberg binds a scan's row filter to the table's current schema, whatever snapshot it
    reads; the files hold field ids. So the column must be one and the same field in both
    schemas (same id, same type): a column renamed or re-added since the pin would filter on
    another field and could drop the slice's rows. Otherwise the table is left unpruned.
    """
    if pinned.schema_id == current.schema_id:
        return True
    try:
        then = pinned.find_field(column_for(columns_of(pinned), row_slice.column).name)
        now = current.find_field(column_for(columns_of(current), row_slice.column).name)
    except (SliceError, ValueError):
        return False
    return then.field_id == now.field_id and then.field_type == now.field_type


def epoch_ms(moment: datetime) -> int:
    """`moment` as Iceberg's `timestamp-ms`, rounded down (exact, unlike float seconds)."""
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _commit_order(snapshot: Snapshot) -> tuple[int, int]:
    """Oldest first: by commit time, then sequence number (two commits in one millisecond)."""
    return snapshot.timestamp_ms, snapshot.sequence_number or 0


def _instant(timestamp_ms: int) -> datetime:
    return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)


def _snapshots_held(table: Table) -> str:
    """`the table has 3 snapshots, oldest 11 (committed ...), newest 33 (committed ...)`."""
    snapshots = sorted(table.snapshots(), key=_commit_order)
    if not snapshots:
        return "the table has no snapshots"
    if len(snapshots) == 1:
        (only,) = snapshots
        committed = _instant(only.timestamp_ms).isoformat()
        return f"the table has 1 snapshot, {only.snapshot_id} (committed {committed})"
    oldest, newest = snapshots[0], snapshots[-1]
    return (
        f"the table has {len(snapshots)} snapshots, oldest {oldest.snapshot_id} "
        f"(committed {_instant(oldest.timestamp_ms).isoformat()}), newest {newest.snapshot_id} "
        f"(committed {_instant(newest.timestamp_ms).isoformat()})"
    )
