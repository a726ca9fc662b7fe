"""Whether an Iceberg snapshot can be read in place, file by file, and which files.

pyiceberg reads a data file by field id: it renames columns renamed since the file was
written, promotes re-typed ones, applies delete files, and fills columns the file lacks with
their partition value or NULL. DuckDB's `read_parquet` reads by name. The two agree when:

- every data file is Parquet and the snapshot has no delete files;
- each of the table's columns is, in every file, under its own field id, with its current
  name and a type that reads as the current one (no rename, no promotion since it was
  written), or absent from the file altogether while not a partition source (then NULL,
  as pyiceberg reads it);
- every column has a plain type (`parquet_scan.plain_type_problem`).

Anything else is copied through pyiceberg's reader, which knows every rule of the spec;
`CopyInstead` says why, and the profile's metadata shows it. Data files on object storage are
fetched once into the engine's scratch folder through the table's own FileIO (DuckDB's S3
reader is an extension it would have to download): each later pass rereads the local file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from dq_resources.engines.parquet_scan import CopyInstead, ParquetScan, first_type_problem, same_arrow_type

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.expressions import BooleanExpression
    from pyiceberg.table import FileScanTask, Table

FIELD_ID_KEY = b"PARQUET:field_id"
LOCAL_SCHEMES = frozenset({"", "file"})
FETCH_CHUNK_BYTES = 8 * 2**20


def plan_in_place(
    table: Table,
    scratch: Callable[[], Path],
    row_filter: BooleanExpression | None = None,
    only_files: frozenset[str] | None = None,
    snapshot_id: int | None = None,
) -> ParquetScan | CopyInstead:
    """The snapshot's data files as a ParquetScan, or why the snapshot must be copied.

    The current snapshot's, or with `snapshot_id` that earlier one's (time travel): its files,
    checked against its own schema. With `row_filter`, only the files whose partition values or
    column statistics can hold a matching row; the files are read whole, so the scan may hold
    other rows too (the caller filters them), and its `row_count` is the kept files' rows. With
    `only_files`, only those data files (the rows appended since a snapshot,
    `dq_resources.iceberg.appended`).
    """
    from pyiceberg.expressions import AlwaysTrue
    from pyiceberg.io.pyarrow import schema_to_pyarrow
    from pyiceberg.manifest import FileFormat

    snapshot = table.current_snapshot() if snapshot_id is None else table.snapshot_by_id(snapshot_id)
    if snapshot is None:
        return CopyInstead(
            f"no snapshot {snapshot_id}" if snapshot_id is not None else "the table has no snapshot"
        )
    # Unpinned, no snapshot id: pyiceberg then projects the table's current schema (a column added
    # since the last commit reads as NULL); pinned, the snapshot's own, as `describe` says.
    scan = table.scan(
        row_filter=row_filter if row_filter is not None else AlwaysTrue(), snapshot_id=snapshot_id
    )
    target = schema_to_pyarrow(scan.projection())
    problem = first_type_problem(target)
    if problem is not None:
        return CopyInstead(problem)
    tasks = kept_tasks(scan.plan_files(), only_files)
    if not tasks:  # DuckDB reads no empty list of files; an empty copy says the same thing
        return CopyInstead("no data file holds rows to read")
    if any(task.delete_files for task in tasks):
        return CopyInstead("the snapshot has delete files")
    formats = {task.file.file_format for task in tasks} - {FileFormat.PARQUET}
    if formats:
        return CopyInstead(f"the snapshot has {', '.join(sorted(str(f) for f in formats))} data files")
    paths = [_local_path(table, task, scratch) for task in tasks]
    ids = {field.name: field.field_id for field in scan.projection().fields}
    partition_sources = {source.source_id for spec in table.specs().values() for source in spec.fields}
    seen: set[str] = set()
    stored: list[pa.Schema] = []
    for path in paths:
        mismatch = _file_mismatch(path, target, ids, partition_sources, seen=seen, schemas=stored)
        if mismatch is not None:
            return CopyInstead(mismatch)
    rows = sum(task.file.record_count for task in tasks)
    uniform = all(schema.equals(stored[0]) for schema in stored[1:])
    absent = frozenset(set(target.names) - seen)
    return ParquetScan(tuple(paths), target, row_count=rows, absent=absent, uniform=uniform)


def kept_tasks(tasks: Iterable[FileScanTask], only_files: frozenset[str] | None) -> list[FileScanTask]:
    """The planned tasks whose data file is one of `only_files`; all of them when it is None."""
    if only_files is None:
        return list(tasks)
    return [task for task in tasks if task.file.file_path in only_files]


def _file_mismatch(
    path: Path,
    target: pa.Schema,
    ids: dict[str, int],
    partition_sources: set[int],
    *,
    seen: set[str],
    schemas: list[pa.Schema],
) -> str | None:
    """Why this file does not read by name as the table's current schema, or None.

    Adds the columns it holds to `seen`, and its schema (without metadata) to `schemas`.
    """
    import pyarrow.parquet as pq

    stored = pq.read_schema(path)
    schemas.append(stored.remove_metadata())
    by_id = {}
    for field_ in stored:
        raw = (field_.metadata or {}).get(FIELD_ID_KEY)
        if raw is None:
            return f"data file {path.name} has no field ids"
        by_id[int(raw)] = field_
    for wanted in target:
        found = by_id.get(ids[wanted.name])
        if found is None:
            if wanted.name in stored.names:
                return f"column {wanted.name!r} has another field id in data file {path.name}"
            if ids[wanted.name] in partition_sources:
                return f"partition column {wanted.name!r} is not stored in data file {path.name}"
            continue
        if found.name != wanted.name:
            return f"column {wanted.name!r} was renamed since data file {path.name} was written"
        if not same_arrow_type(found.type, wanted.type):
            return f"column {wanted.name!r} was re-typed since data file {path.name} was written"
        seen.add(wanted.name)
    return None


def _local_path(table: Table, task: FileScanTask, scratch: Callable[[], Path]) -> Path:
    """Where the data file is on this machine: its own path, or a copy fetched once into `scratch`."""
    location = task.file.file_path
    parsed = urlparse(location)
    if parsed.scheme in LOCAL_SCHEMES:
        return Path(unquote(parsed.path) if parsed.scheme else location)
    folder = scratch()
    local = folder / f"{len(list(folder.iterdir())):06d}-{Path(parsed.path).name}"
    with table.io.new_input(location).open() as remote, local.open("wb") as copy:
        while chunk := remote.read(FETCH_CHUNK_BYTES):
            copy.write(chunk)
    return local
