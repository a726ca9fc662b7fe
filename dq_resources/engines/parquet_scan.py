"""Parquet files the local engine reads where they are, instead of copying them in.

A source that can (an Iceberg snapshot of plain Parquet data files, a Parquet file) describes
its files here; the engine then makes its table a *view* over DuckDB's `read_parquet`, with
each column cast to the type the copy would have had, so both paths see the same table.
Every pass reads only the columns it needs, from files the operating system already caches.

Only columns of plain types qualify. A nested, dictionary-encoded, UUID or fixed-size column
is copied: DuckDB's reading of those differs from the copy's (an Arrow dictionary loads as
an ENUM, which orders its values differently), and the profile must not depend on the path.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


@dataclass(frozen=True)
class ParquetScan:
    """Local Parquet files that together hold a table's rows.

    `schema` is the table's columns with the types the copy path loads them as. `absent`
    names columns that no file holds (added to the table after every file was written):
    they read as NULL. `row_count` is the rows the files hold, when the metadata says.
    `uniform` says every file holds the same columns, in the same order, of the same types:
    then DuckDB need not match the files' columns by name, which costs every query over a
    wide table (at 1,000 columns and 10 files, 0.032 s against 0.014 s per query).
    """

    paths: tuple[Path, ...]
    schema: pa.Schema
    row_count: int | None = None
    absent: frozenset[str] = field(default_factory=frozenset)
    uniform: bool = False

    def present_columns(self) -> list[str]:
        """The columns read from the files."""
        return [name for name in self.schema.names if name not in self.absent]


@dataclass(frozen=True)
class CopyInstead:
    """Why a table is copied into the engine instead of read in place, said in one line."""

    reason: str


def plain_type_problem(name: str, arrow_type: pa.DataType) -> str | None:
    """Why a column must be copied (its type reads differently in place), or None."""
    import pyarrow as pa

    types = pa.types
    plain = (
        types.is_boolean(arrow_type)
        or types.is_integer(arrow_type)
        or types.is_floating(arrow_type)
        or types.is_decimal(arrow_type)
        or types.is_string(arrow_type)
        or types.is_large_string(arrow_type)
        or types.is_binary(arrow_type)
        or types.is_large_binary(arrow_type)
        or types.is_date(arrow_type)
        or types.is_time(arrow_type)
        or types.is_timestamp(arrow_type)
    )
    if plain and not isinstance(arrow_type, pa.ExtensionType):
        return None
    return f"column {name!r} is of type {arrow_type}, which is copied"


def first_type_problem(schema: pa.Schema) -> str | None:
    """The first column whose type keeps the table from being read in place, as a reason."""
    for field_ in schema:
        problem = plain_type_problem(field_.name, field_.type)
        if problem is not None:
            return problem
    return None


def same_arrow_type(stored: pa.DataType, wanted: pa.DataType) -> bool:
    """Whether a file's column type reads as the wanted one (string and large_string are one)."""
    import pyarrow as pa

    def plain(arrow_type: pa.DataType) -> pa.DataType:
        if pa.types.is_large_string(arrow_type):
            return pa.string()
        if pa.types.is_large_binary(arrow_type):
            return pa.binary()
        if pa.types.is_timestamp(arrow_type):
            return pa.timestamp(arrow_type.unit, tz="UTC" if arrow_type.tz else None)
        return arrow_type

    return bool(plain(stored) == plain(wanted))


def file_list_sql(paths: Collection[Path | str]) -> str:
    """A DuckDB list literal of the file names, each a string literal (never SQL), written by sqlglot."""
    from sqlglot import exp

    return exp.Array(expressions=[exp.Literal.string(str(path)) for path in paths]).sql(dialect="duckdb")
