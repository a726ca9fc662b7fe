"""Where a file's bytes are: a local path, or an S3 object copied into a scratch folder once."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from dq_resources.files.s3 import ObjectVersion, S3Object, download_object, head_object, split_s3_url
from dq_resources.source_contract.errors import source_error

if TYPE_CHECKING:
    from dq_checks.config.sources import SourceLimits


@dataclass(frozen=True)
class FileVersion:
    """One version of a file: its size, when it last changed (aware UTC) and a token that changes with it."""

    size: int
    modified: datetime
    version: str


class FileLocation(Protocol):
    """A file somewhere: cheap metadata, and a local path to read it from."""

    def check(self) -> FileVersion:
        """The file's current metadata, or SourceError when it is missing or unreachable."""
        ...

    def fetch(self, scratch: Callable[[], Path]) -> tuple[Path, FileVersion]:
        """A local path holding the bytes, and the version those bytes are."""
        ...


def location_for(path: str, source: str, s3_client: Callable[[], Any], limits: SourceLimits) -> FileLocation:
    """The location of `path`: `s3://bucket/key` on S3, anything else on this machine."""
    if path.startswith("s3://"):
        bucket, key = split_s3_url(path, source)
        return S3File(bucket, key, source, s3_client, limits)
    return LocalFile(path.removeprefix("file://"), source)


class LocalFile:
    """A file on this machine; a relative path is taken from the working directory."""

    def __init__(self, path: str, source: str) -> None:
        self.path = Path(path).expanduser()
        self.source = source

    def check(self) -> FileVersion:
        """Size, modification time and `size-mtime_ns` from the file system."""
        try:
            stat = self.path.stat()
        except FileNotFoundError as error:
            where = "" if self.path.is_absolute() else f" (looked at {self.path.absolute()})"
            raise source_error(self.source, "not found", f"no such file{where}") from error
        except OSError as error:  # permission denied, a broken mount
            raise source_error(self.source, "cannot read the file", error.strerror or error) from error
        if not self.path.is_file():
            raise source_error(self.source, "not a file", "the path is a directory or a device")
        modified = datetime.fromtimestamp(stat.st_mtime_ns / 1e9, tz=UTC)
        return FileVersion(stat.st_size, modified, f"{stat.st_size}-{stat.st_mtime_ns}")

    def fetch(self, scratch: Callable[[], Path]) -> tuple[Path, FileVersion]:
        """The file itself: nothing to copy."""
        version = self.check()
        if not os.access(self.path, os.R_OK):
            raise source_error(self.source, "cannot read the file", "permission denied")
        return self.path, version


class S3File:
    """An object on S3, downloaded (streamed to disk) the first time its bytes are needed."""

    def __init__(
        self, bucket: str, key: str, source: str, client: Callable[[], Any], limits: SourceLimits
    ) -> None:
        self.bucket = bucket
        self.key = key
        self.source = source
        self.limits = limits
        self._client_factory = client
        self._client: Any = None
        self._copy: tuple[Path, FileVersion] | None = None

    def check(self) -> FileVersion:
        """The object's size, LastModified and ETag (a HEAD request: nothing is downloaded)."""
        return _file_version(head_object(self._object()))

    def fetch(self, scratch: Callable[[], Path]) -> tuple[Path, FileVersion]:
        """The downloaded copy, under the object's own file name, and the version it is."""
        if self._copy is None or not self._copy[0].exists():  # not yet, or removed by close()
            target = scratch() / self.key.rsplit("/", 1)[-1]
            downloaded = download_object(self._object(), target)
            self._copy = (target, _file_version(downloaded))
        return self._copy

    def _object(self) -> S3Object:
        if self._client is None:
            self._client = self._client_factory()
        return S3Object(self._client, self.bucket, self.key, self.source, self.limits)


def _file_version(found: ObjectVersion) -> FileVersion:
    return FileVersion(found.size, found.modified, found.etag)
