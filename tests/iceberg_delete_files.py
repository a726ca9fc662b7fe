"""Position delete files for test tables, committed as an engine with merge-on-read deletes would.

pyiceberg reads delete files but writes only copy-on-write deletes, so a table with a delete
file is made here: a Parquet file of (file_path, pos) written by hand, then committed in a
manifest of delete content. pyiceberg's own scan then applies it, as it would Spark's.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.parquet as pq
from pyiceberg.manifest import (
    DataFile,
    DataFileContent,
    FileFormat,
    ManifestContent,
    ManifestWriter,
    ManifestWriterV2,
)
from pyiceberg.partitioning import PartitionSpec
from pyiceberg.table import Table
from pyiceberg.table.snapshots import Operation
from pyiceberg.table.update.snapshot import _FastAppendFiles
from pyiceberg.typedef import Record

FILE_PATH_FIELD_ID = 2147483546
POS_FIELD_ID = 2147483545


class _DeleteManifestWriter(ManifestWriterV2):
    def content(self) -> ManifestContent:
        return ManifestContent.DELETES

    @property
    def _meta(self) -> dict[str, str]:
        return {**super()._meta, "content": "deletes"}


class _AppendDeleteFiles(_FastAppendFiles):
    def new_manifest_writer(self, spec: PartitionSpec) -> ManifestWriter:
        return _DeleteManifestWriter(
            spec, self.schema(), self.new_manifest_output(), self._snapshot_id, self._compression
        )


def append_position_deletes(table: Table, positions: dict[str, list[int]]) -> None:
    """Commit one position delete file removing `positions` (0-based rows) of the named data files."""
    pairs = [(path, pos) for path, rows in positions.items() for pos in sorted(rows)]
    schema = pa.schema(
        [
            pa.field(
                "file_path",
                pa.string(),
                nullable=False,
                metadata={b"PARQUET:field_id": str(FILE_PATH_FIELD_ID)},
            ),
            pa.field("pos", pa.int64(), nullable=False, metadata={b"PARQUET:field_id": str(POS_FIELD_ID)}),
        ]
    )
    rows = pa.table({"file_path": [p for p, _ in pairs], "pos": [q for _, q in pairs]}, schema=schema)
    location = f"{table.location()}/data/deletes-{uuid.uuid4().hex}.parquet"
    local = Path(urlparse(location).path)
    local.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(rows, local)
    data_file = DataFile.from_args(
        content=DataFileContent.POSITION_DELETES,
        file_path=location,
        file_format=FileFormat.PARQUET,
        partition=Record(),
        record_count=len(pairs),
        file_size_in_bytes=local.stat().st_size,
    )
    data_file.spec_id = table.spec().spec_id
    with table.transaction() as transaction:
        producer = _AppendDeleteFiles(operation=Operation.DELETE, transaction=transaction, io=table.io)
        producer.append_data_file(data_file)
        producer.commit()
