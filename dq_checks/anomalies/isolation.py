"""Isolated extreme values: a few values far beyond everything else in their column.

A z-score or IQR rule cannot tell one absurd reading (a 1,000 mph wind speed among
readings under 50) from a long natural tail (flight delays, where large values are many
and spread out). What separates them is the *gap*: an isolated value sits many times
farther from the median than the next value does, while in a natural tail each value is
only a little farther out than its neighbour.

We measure distances from the median in robust standard deviations (IQR / 1.349, which
outliers cannot inflate) and look at the largest values one by one, from the outside in.
A split qualifies when the values beyond it are at least `min_gap_ratio` times farther
out than the first value inside it, and at least `min_robust_z` robust deviations out.
The innermost qualifying split wins, so two absurd values are both reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROBUST_SIGMA_PER_IQR = 1.349


@dataclass(frozen=True)
class IsolatedExtremes:
    """Values beyond a qualifying gap, the first value inside it, and the gap ratio."""

    values: tuple[float, ...]
    next_value: float
    gap_ratio: float
    robust_z: float


def robust_scale(q1: float, q3: float, std: float | None) -> float | None:
    """IQR / 1.349 (a standard deviation that outliers cannot inflate); std when the IQR is zero."""
    iqr = q3 - q1
    if iqr > 0:
        return iqr / ROBUST_SIGMA_PER_IQR
    if std is not None and std > 0:
        return std
    return None


def isolated_extremes(
    tail: Sequence[float],
    *,
    median: float,
    scale: float,
    min_gap_ratio: float,
    min_robust_z: float,
) -> IsolatedExtremes | None:
    """Find isolated values in one tail.

    `tail` lists the most extreme values first (largest descending, or smallest
    ascending), duplicates included. Values on the median's other side are ignored.
    Returns None when the tail has no qualifying gap, or when it holds fewer than two
    distinct values (then there is no 'next value' to compare with).
    """
    distinct: list[float] = []
    for value in tail:
        if not distinct or value != distinct[-1]:
            distinct.append(value)
    distances = [abs(v - median) / scale for v in distinct]
    found: IsolatedExtremes | None = None
    for split in range(1, len(distinct)):
        outer, inner = distances[split - 1], distances[split]
        if not _beyond_median(distinct[split - 1], distinct[0], median):
            break
        ratio = (1.0 + outer) / (1.0 + inner)
        if ratio >= min_gap_ratio and outer >= min_robust_z:
            found = IsolatedExtremes(
                values=tuple(distinct[:split]), next_value=distinct[split], gap_ratio=ratio, robust_z=outer
            )
    return found


def _beyond_median(value: float, most_extreme: float, median: float) -> bool:
    """True when `value` lies on the same side of the median as the tail's most extreme value."""
    return (value - median) * (most_extreme - median) > 0
