"""Turn engine values (Decimal, datetime, numpy scalars) into plain JSON-ready Python values.

Every value that leaves an engine for a profile, a sample of failing rows or a duplicate
sample passes through `plain`, so this is where a huge value is cut: text longer than
`MAX_VALUE_CHARS` keeps its first `MAX_VALUE_CHARS` characters and gains a marker with its
full length, `…[cut: 5,242,880 chars]`. Everything downstream (check metadata, the event
log, the results store, the CLI and its JSON, alerts) then holds the cut value only.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dq_checks.profile.model import Scalar

MAX_VALUE_CHARS = 200
"""The most characters of one value that is stored or printed; the rest is cut, with a marker."""
CUT_MARKER = "…[cut: {length:,} {unit}]"
"""Appended to a cut value: the length of the whole value, in characters (bytes for binary)."""


_ALREADY_CUT = re.compile(rf"(?s).{{{MAX_VALUE_CHARS}}}…\[cut: [0-9,]+ (chars|bytes)\]")


def cut_text(text: str, full_length: int | None = None, *, unit: str = "chars") -> str:
    """`text` at most MAX_VALUE_CHARS long, or its start and the cut marker.

    `full_length` is the whole value's length when `text` is already its start (a query
    fetched only the first characters and the length). A value cut once is left as it is,
    so a profile read back from history and written again keeps its marker.
    """
    length = len(text) if full_length is None else full_length
    if (length <= MAX_VALUE_CHARS and len(text) <= MAX_VALUE_CHARS) or _ALREADY_CUT.fullmatch(text):
        return text
    return text[:MAX_VALUE_CHARS] + CUT_MARKER.format(length=length, unit=unit)


def plain(value: Any) -> Scalar:
    """A JSON-ready scalar: numbers stay numbers, times become ISO-8601 text, NaN becomes None.

    Text is cut at MAX_VALUE_CHARS, bytes become hex and are cut the same way.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return cut_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        shown = data[: MAX_VALUE_CHARS // 2 + 1].hex()
        return shown if len(data) * 2 <= MAX_VALUE_CHARS else cut_text(shown, len(data), unit="bytes")
    item = getattr(value, "item", None)
    return plain(item()) if callable(item) else cut_text(str(value))


def as_float(value: Any) -> float | None:
    """A finite float, or None."""
    number = plain(value)
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    return float(number)


def as_float_list(values: Any) -> tuple[float, ...]:
    """A tuple of finite floats from a list-valued aggregate; non-finite entries are dropped."""
    if values is None:
        return ()
    floats = (as_float(v) for v in values)
    return tuple(f for f in floats if f is not None)
