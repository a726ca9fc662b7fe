"""Query result rows as JSON text that reads back as exactly the same Python values and types.

A reused result must judge exactly as the fresh one did, so `1.50` stays a Decimal, a
timestamp keeps its zone, NaN stays NaN, a tuple stays a tuple. Plain JSON loses all of
that; here every value JSON cannot carry as itself is tagged: `{"$": "<type>", "v": ...}`.
Dicts are always tagged (their keys need not be strings, and an untagged dict could look
like a tag). A value of any other type is a TypeError: the caller then does not keep the
result, rather than keep a wrong one.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

TAG = "$"
VALUE = "v"


def encode_rows(rows: Sequence[Sequence[Any]]) -> str:
    """Rows (tuples of engine values) as compact JSON text; TypeError on a value it cannot keep exactly."""
    return json.dumps(
        [[_encode(value) for value in row] for row in rows], separators=(",", ":"), allow_nan=False
    )


def decode_rows(text: str) -> list[tuple[Any, ...]]:
    """The rows `encode_rows` wrote, each a tuple again."""
    return [tuple(_decode(value) for value in row) for row in json.loads(text)]


def _tagged(kind: str, value: Any) -> dict[str, Any]:
    return {TAG: kind, VALUE: value}


def _encode(value: Any) -> Any:
    """One value as JSON-ready data. Order matters: bool before int, datetime before date."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if type(value) is int else _tagged("int", int(value))
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return _tagged("float", repr(value))  # 'nan', 'inf', '-inf'
    if isinstance(value, Decimal):
        return _tagged("decimal", str(value))
    if isinstance(value, datetime):
        return _tagged("datetime", [value.replace(tzinfo=None).isoformat(), _zone(value.tzinfo, value)])
    if isinstance(value, date):
        return _tagged("date", value.isoformat())
    if isinstance(value, time):
        return _tagged("time", [value.replace(tzinfo=None).isoformat(), _zone(value.tzinfo, None)])
    if isinstance(value, timedelta):
        return _tagged("timedelta", [value.days, value.seconds, value.microseconds])
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _tagged("bytes", bytes(value).hex())
    if isinstance(value, uuid.UUID):
        return _tagged("uuid", str(value))
    if isinstance(value, list):
        return [_encode(item) for item in value]
    if isinstance(value, tuple):
        return _tagged("tuple", [_encode(item) for item in value])
    if isinstance(value, dict):
        return _tagged("dict", [[_encode(k), _encode(v)] for k, v in value.items()])
    raise TypeError(f"cannot keep a {type(value).__name__} exactly as JSON")


def _zone(zone: tzinfo | None, moment: datetime | None) -> Any:
    """A zone by its IANA key when it has one, else its fixed offset in seconds; None when naive."""
    if zone is None:
        return None
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = zone.utcoffset(moment)
    if offset is None:
        return None
    if isinstance(zone, timezone) or moment is None or moment.utcoffset() == offset:
        return offset.total_seconds()
    raise TypeError(f"cannot keep time zone {zone!r} exactly as JSON")


def _zone_back(stored: Any) -> tzinfo | None:
    if stored is None:
        return None
    if isinstance(stored, str):
        return ZoneInfo(stored)
    offset = timedelta(seconds=stored)
    return UTC if offset == timedelta(0) else timezone(offset)


def _datetime(stored: list[Any]) -> datetime:
    text, zone = stored
    return datetime.fromisoformat(text).replace(tzinfo=_zone_back(zone))


def _time(stored: list[Any]) -> time:
    text, zone = stored
    return time.fromisoformat(text).replace(tzinfo=_zone_back(zone))


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "int": int,
    "float": float,
    "decimal": Decimal,
    "datetime": _datetime,
    "date": date.fromisoformat,
    "time": _time,
    "timedelta": lambda parts: timedelta(days=parts[0], seconds=parts[1], microseconds=parts[2]),
    "bytes": bytes.fromhex,
    "uuid": uuid.UUID,
    "tuple": lambda items: tuple(_decode(item) for item in items),
    "dict": lambda pairs: {_decode(k): _decode(v) for k, v in pairs},
}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        return _DECODERS[value[TAG]](value[VALUE])
    return value
