"""Turn engine values (Decimal, datetime, numpy scalars) into plain JSON-ready Python values."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dq_checks.profile.model import Scalar


def plain(value: Any) -> Scalar:
    """A JSON-ready scalar: numbers stay numbers, times become ISO-8601 text, NaN becomes None."""
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return value.hex()
    item = getattr(value, "item", None)
    return plain(item()) if callable(item) else str(value)


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
