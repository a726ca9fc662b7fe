"""Text encodings: the ones DuckDB reads itself, and a streamed re-encoding to UTF-8 for the rest."""

from __future__ import annotations

import codecs
from pathlib import Path

from dq_resources.source_contract.errors import SourceError, source_error

_DUCKDB_NATIVE = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "iso8859-1": "latin-1", "utf-16": "utf-16"}
"""Python's canonical codec name -> the name DuckDB's CSV reader knows it by."""

CHUNK_BYTES = 1 << 20


def canonical_encoding(name: str, source: str) -> str:
    """Python's canonical name for `name` (`latin1` -> `iso8859-1`), or SourceError if unknown."""
    try:
        return codecs.lookup(name).name
    except LookupError as error:
        raise source_error(source, "cannot read data", f"unknown encoding {name!r}") from error


def duckdb_encoding(canonical: str) -> str | None:
    """The name DuckDB's CSV reader knows `canonical` by, or None when it cannot read it."""
    return _DUCKDB_NATIVE.get(canonical)


def transcode_to_utf8(path: Path, target: Path, encoding: str, source: str) -> None:
    """Copy `path` into `target` as UTF-8, a chunk at a time.

    A byte sequence the encoding cannot decode is a SourceError naming its line.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line = 1
    try:
        with path.open("rb") as raw, target.open("w", encoding="utf-8", newline="") as out:
            while True:
                chunk = raw.read(CHUNK_BYTES)
                try:
                    text = decoder.decode(chunk, final=not chunk)
                except UnicodeDecodeError as error:
                    before = error.object[: error.start].decode(encoding, errors="replace")
                    raise source_error(
                        source,
                        "cannot read data",
                        f"line {line + before.count(chr(10))}: the bytes do not decode as {encoding}",
                    ) from error
                out.write(text)
                line += text.count("\n")
                if not chunk:
                    return
    except SourceError:
        target.unlink(missing_ok=True)
        raise
    except OSError as error:
        target.unlink(missing_ok=True)
        raise source_error(source, "cannot read data", error) from error
