"""Numbers as people read them."""

from __future__ import annotations

import math

PLAIN_LIMIT = 1e15


def format_number(value: float | int | None) -> str:
    """Thousands separators, at most six significant digits for fractions, no exponent below 1e15."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= PLAIN_LIMIT:
        return f"{value:.6g}"
    if value.is_integer():
        return f"{value:,.0f}"
    magnitude = math.floor(math.log10(abs(value))) if value else 0
    decimals = max(0, 5 - magnitude)
    text = f"{value:,.{decimals}f}"
    # Trim trailing zeros of the fraction only: 136,710.4 rounds to "136,710", never "136,71".
    return text.rstrip("0").rstrip(".") if decimals else text


def format_percent(fraction: float) -> str:
    """A fraction as a percentage with two decimals."""
    return f"{100 * fraction:.2f}%"
