"""Glue, Athena and Redshift type names: the column kinds that decide which metrics apply, and values.

Glue writes Hive names (`bigint`, `string`, `decimal(10,2)`, `array<string>`), Athena's results
Trino names (`integer`, `varchar`, `timestamp with time zone`), and Redshift its own
(`int8`, `float8`, `character varying`, `timestamptz`). One table classifies them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dq_checks.schema import ColumnInfo, ColumnKind

_FLOATING = frozenset({"float", "real", "double", "double precision", "float4", "float8"})
_INTEGER = frozenset({"tinyint", "smallint", "int", "integer", "bigint", "int2", "int4", "int8"})
_DECIMAL = frozenset({"decimal", "numeric"})
_STRING = frozenset(
    {"string", "varchar", "char", "character", "character varying", "nvarchar", "nchar", "bpchar", "text"}
)
_BOOLEAN = frozenset({"boolean", "bool"})
_DATE = frozenset({"date"})
_TIMESTAMP = frozenset({"timestamp", "timestamp without time zone"})
_TIMESTAMP_TZ = frozenset({"timestamp with time zone", "timestamptz"})
_TIME = frozenset({"time", "time without time zone", "time with time zone", "timetz"})
_PARAMETERS = re.compile(r"\s*[(<].*$", re.DOTALL)


def base_type(type_name: str) -> str:
    """The type's family name: lower case, without its parameters (`decimal(10,2)` -> `decimal`).

    Parameters may sit in the middle (`timestamp(3) with time zone`), so they are taken out
    wherever they are.
    """
    name = " ".join(type_name.strip().lower().split())
    if name.startswith(("array", "map", "struct", "row")):
        return _PARAMETERS.sub("", name)
    return " ".join(re.sub(r"\([^)]*\)", " ", name).split())


def column_kind(type_name: str) -> ColumnKind:
    """Classify a Glue, Athena or Redshift type name."""
    name = base_type(type_name)
    if name in _FLOATING or name in _INTEGER or name in _DECIMAL:
        return ColumnKind.NUMERIC
    if name in _STRING:
        return ColumnKind.STRING
    if name in _BOOLEAN:
        return ColumnKind.BOOLEAN
    if name in _DATE or name in _TIMESTAMP or name in _TIMESTAMP_TZ or name in _TIME:
        return ColumnKind.TEMPORAL
    return ColumnKind.OTHER


def is_floating(type_name: str) -> bool:
    """A floating-point type, which can hold NaN and infinities besides NULL."""
    return base_type(type_name) in _FLOATING


def column_info(name: str, type_name: str, *, nullable: bool = True) -> ColumnInfo:
    """One column, classified."""
    return ColumnInfo(
        name=name,
        data_type=type_name,
        kind=column_kind(type_name),
        nullable=nullable,
        floating=is_floating(type_name),
    )


def glue_columns(table: Mapping[str, Any]) -> tuple[ColumnInfo, ...]:
    """A Glue table's columns: the storage descriptor's, then the partition keys (as Athena shows them)."""
    descriptor = table.get("StorageDescriptor") or {}
    columns: Iterable[Mapping[str, Any]] = [
        *(descriptor.get("Columns") or []),
        *(table.get("PartitionKeys") or []),
    ]
    return tuple(column_info(str(c["Name"]), str(c.get("Type") or "unknown")) for c in columns)


def redshift_columns(column_list: Iterable[Mapping[str, Any]]) -> tuple[ColumnInfo, ...]:
    """Columns from the Redshift Data API's `describe_table` (`nullable` 0 means NOT NULL)."""
    return tuple(
        column_info(str(c["name"]), str(c.get("typeName") or "unknown"), nullable=c.get("nullable", 1) != 0)
        for c in column_list
    )


def athena_value(text: str | None, type_name: str) -> Any:
    """An Athena result cell (always text, absent for NULL) as a Python value.

    Integers become int, floating and decimal numbers float (`NaN` and `Infinity` included),
    booleans bool, dates `date` and timestamps `datetime` (aware for `with time zone`), a
    numeric array a list; anything else stays text.
    """
    if text is None:
        return None
    name = base_type(type_name)
    if name in _INTEGER:
        return int(text)
    if name in _FLOATING or name in _DECIMAL:
        return float(text)
    if name in _BOOLEAN:
        return text.strip().lower() == "true"
    if name in _DATE or name in _TIMESTAMP or name in _TIMESTAMP_TZ:
        return temporal_value(text, name)
    if name == "array":
        return _array_value(text)
    return text


def redshift_value(field: Mapping[str, Any], type_name: str) -> Any:
    """A Redshift Data API field (`longValue`, `doubleValue`, `stringValue`, ...) as a Python value.

    Redshift sends DECIMAL, dates and timestamps as text: decimals become float, like
    Athena's, and dates and timestamps `date` and `datetime`.
    """
    if field.get("isNull"):
        return None
    for key in ("longValue", "doubleValue", "booleanValue", "blobValue"):
        if key in field:
            value = field[key]
            return float(value) if key == "doubleValue" else value
    text = field.get("stringValue")
    if text is None:
        return None
    name = base_type(type_name)
    if name in _DECIMAL or name in _FLOATING:
        return float(text)
    if name in _INTEGER:
        return int(text)
    if name in _BOOLEAN:
        return text.strip().lower() in ("true", "t", "1")
    if name in _DATE or name in _TIMESTAMP or name in _TIMESTAMP_TZ:
        return temporal_value(text, name)
    return text


def temporal_value(text: str, type_name: str) -> date | datetime | time | str:
    """A date or timestamp as the engines print them (`2026-01-01 08:00:00.000 UTC`); else the text."""
    name = base_type(type_name)
    try:
        if name in _DATE:
            return date.fromisoformat(text.strip())
        if name in _TIMESTAMP_TZ:
            return _aware(text.strip())
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return text


def _aware(text: str) -> datetime:
    """`2026-01-01 08:00:00.000 UTC`, `... Europe/Paris` or `...+01:00` as an aware datetime."""
    stamp, _, zone = text.rpartition(" ")
    if stamp and zone and not zone[0].isdigit():
        moment = datetime.fromisoformat(stamp)
        try:
            tz = UTC if zone.upper() in ("UTC", "Z") else ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {zone!r}") from error
        return moment.replace(tzinfo=tz)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _array_value(text: str) -> list[Any] | str:
    """Athena prints arrays as `[1.5, 2.0, null]`; numeric ones come back as lists, others stay text."""
    inner = text.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        return text
    inner = inner[1:-1].strip()
    if not inner:
        return []
    items: list[Any] = []
    for item in (part.strip() for part in inner.split(",")):
        if item == "null":
            items.append(None)
            continue
        try:
            items.append(int(item))
        except ValueError:
            try:
                items.append(float(item))
            except ValueError:
                return text
    return items
