"""The data files appended to an Iceberg table since an earlier snapshot: what an incremental check reads.

An append-only table grows by `append` snapshots, each adding data files and touching none of
the others. The rows added since snapshot P are then exactly the data files the snapshots after
P added, up to the current one. That holds only while every snapshot in between is an append:
an overwrite, delete or replace may remove or rewrite rows already checked, and P must still be
an ancestor of the current snapshot (not expired, not rolled back past). Otherwise the caller
gets the reason and checks the whole table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pyiceberg.table import Table
    from pyiceberg.table.snapshots import Snapshot


@dataclass(frozen=True)
class AppendedFiles:
    """The data files the snapshots after `from_snapshot` added, up to `to_snapshot` (the current one).

    `snapshots` are those appends, oldest first; `row_count` the rows their files hold.
    """

    paths: frozenset[str]
    snapshots: tuple[int, ...]
    from_snapshot: int
    to_snapshot: int
    row_count: int = 0

    def describe(self) -> str:
        """The slice in words, for the profile check's metadata."""
        first = self.snapshots[0] if self.snapshots else self.to_snapshot
        appends = f"{len(self.snapshots)} append{'' if len(self.snapshots) == 1 else 's'}"
        files = f"{len(self.paths)} data file{'' if len(self.paths) == 1 else 's'}"
        return f"appended by snapshots {first}..{self.to_snapshot} ({appends}, {files})"


def appended_since(table: Table, previous: int) -> AppendedFiles | str:
    """The data files added after snapshot `previous`, or why they are not exactly the new rows."""
    current = table.current_snapshot()
    if current is None:
        return "the table has no snapshot"
    between = _snapshots_after(table, current, previous)
    if isinstance(between, str):
        return between
    for snapshot in between:
        operation = _operation(snapshot)
        if operation != "append":
            return (
                f"snapshot {snapshot.snapshot_id} since the last checked snapshot {previous} is "
                f"{operation or 'of unknown operation'}, not an append: earlier rows may have changed"
            )
    files = {path: rows for snapshot in between for path, rows in _added_data_files(table, snapshot)}
    ids = tuple(s.snapshot_id for s in between)
    return AppendedFiles(frozenset(files), ids, previous, current.snapshot_id, sum(files.values()))


def _snapshots_after(table: Table, current: Snapshot, previous: int) -> list[Snapshot] | str:
    """The current snapshot's ancestors after `previous`, oldest first; or why `previous` is not one."""
    walked: list[Snapshot] = []
    snapshot: Snapshot | None = current
    while snapshot is not None and snapshot.snapshot_id != previous:
        walked.append(snapshot)
        parent = snapshot.parent_snapshot_id
        snapshot = None if parent is None else table.snapshot_by_id(parent)
    if snapshot is None:
        return (
            f"the last checked snapshot {previous} is not an ancestor of the current snapshot "
            f"{current.snapshot_id} (expired, or the table was rolled back)"
        )
    return walked[::-1]


def _operation(snapshot: Snapshot) -> str | None:
    """The snapshot's operation (`append`, `overwrite`, `delete`, `replace`), when its summary says."""
    return None if snapshot.summary is None else snapshot.summary.operation.value


def _added_data_files(table: Table, snapshot: Snapshot) -> list[tuple[str, int]]:
    """The data files `snapshot` itself added, with their rows: its manifests' ADDED entries with its id."""
    from pyiceberg.manifest import DataFileContent, ManifestEntryStatus

    added: list[tuple[str, int]] = []
    for manifest in snapshot.manifests(table.io):
        if manifest.added_snapshot_id != snapshot.snapshot_id:  # carried over from an earlier snapshot
            continue
        for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
            if (
                entry.status == ManifestEntryStatus.ADDED
                and entry.snapshot_id == snapshot.snapshot_id
                and entry.data_file.content == DataFileContent.DATA
            ):
                added.append((entry.data_file.file_path, entry.data_file.record_count))
    return added
