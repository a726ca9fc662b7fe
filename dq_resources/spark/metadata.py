"""What Spark's catalog and file system say about a table without reading its rows.

A catalog table's `DESCRIBE TABLE EXTENDED` gives its statistics (a row count once
`ANALYZE TABLE ... COMPUTE STATISTICS` has run; it may lag the data), its properties (a Hive
metastore's `transient_lastDdlTime`, or a `lastModified` some writers set) and its location.
Files, a path source's or a table's location, are listed through Hadoop's FileSystem (any
scheme the session reads) on a classic session, and through the local file system for a
`file:` location on Spark Connect (where the client has no JVM): the newest file's modification
time is the last update, and the files' count, size and newest time are the data version.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dq_resources.spark.sessions import is_connect

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

ROW_COUNT = re.compile(r"(\d+)\s+rows")
PROPERTY = re.compile(r"(\w+)=([^,\]]*)")
UPDATE_PROPERTIES = ("transient_lastDdlTime", "lastModified", "last_modified_time")


@dataclass(frozen=True)
class CatalogFacts:
    """What `DESCRIBE TABLE EXTENDED` tells: the row count, properties and location, where known."""

    row_count: int | None
    properties: dict[str, str]
    location: str | None
    provider: str | None

    def updated(self) -> datetime | None:
        """The last change a table property records (seconds or milliseconds since the epoch)."""
        for name in UPDATE_PROPERTIES:
            value = self.properties.get(name, "").strip()
            if value.isdigit():
                number = int(value)
                return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
        return None


def catalog_facts(rows: list[tuple[Any, ...]]) -> CatalogFacts:
    """Read `DESCRIBE TABLE EXTENDED`'s rows (name, value, comment) past its column list."""
    details = {str(row[0]).strip(): str(row[1] or "").strip() for row in rows if row[0]}
    statistics = ROW_COUNT.search(details.get("Statistics", ""))
    properties = dict(PROPERTY.findall(details.get("Table Properties", "")))
    return CatalogFacts(
        row_count=int(statistics.group(1)) if statistics else None,
        properties={name.strip(): value.strip() for name, value in properties.items()},
        location=details.get("Location") or None,
        provider=details.get("Provider") or None,
    )


@dataclass(frozen=True)
class FileFacts:
    """The data files under a location: how many, their bytes, and the newest one's modification time."""

    files: int
    size: int
    newest: datetime | None

    @property
    def version(self) -> str:
        """Changes whenever a file is added, removed or rewritten."""
        newest = self.newest.isoformat() if self.newest else "-"
        return f"{self.files} files, {self.size} bytes, newest {newest}"


def file_facts(session: SparkSession, location: str) -> FileFacts | None:
    """The data files under `location` (hidden `_`/`.` files left out); None where none can be listed."""
    if is_connect(session):
        parts = urlsplit(location)
        if parts.scheme not in ("", "file"):
            return None
        return _local_files(parts.path if parts.scheme else location)
    return _hadoop_files(session, location)


def _hadoop_files(session: SparkSession, location: str) -> FileFacts | None:
    context = session.sparkContext
    jvm = context._jvm  # type: ignore[attr-defined]
    path = jvm.org.apache.hadoop.fs.Path(location)
    system = path.getFileSystem(context._jsc.hadoopConfiguration())  # type: ignore[union-attr]
    if not system.exists(path):
        return None
    files = size = 0
    newest = 0
    listing = system.listFiles(path, True)
    while listing.hasNext():
        status = listing.next()
        if _hidden(status.getPath().getName()):
            continue
        files += 1
        size += int(status.getLen())
        newest = max(newest, int(status.getModificationTime()))
    return FileFacts(files, size, datetime.fromtimestamp(newest / 1000, UTC) if files else None)


def _local_files(root: str) -> FileFacts | None:
    if os.path.isfile(root):
        stat = os.stat(root)
        return FileFacts(1, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))
    if not os.path.isdir(root):
        return None
    files = size = 0
    newest = 0.0
    for folder, _, names in os.walk(root):
        for name in names:
            if _hidden(name):
                continue
            stat = os.stat(os.path.join(folder, name))
            files += 1
            size += stat.st_size
            newest = max(newest, stat.st_mtime)
    return FileFacts(files, size, datetime.fromtimestamp(newest, UTC) if files else None)


def _hidden(name: str) -> bool:
    """Spark's convention: `_SUCCESS`, `.part-0.crc` and the like are not data."""
    return name.startswith(("_", "."))
