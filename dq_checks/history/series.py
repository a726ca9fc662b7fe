"""A metric's history: timestamped values of one metric of one table, oldest first.

The detectors in this package judge a new value against such a series. They keep only the
*usable* points: finite values (a failed run may have recorded NaN, which says nothing about
the metric's normal range) observed strictly before the moment being judged (a point at or
after it is not history, and replaying a series day by day must never peek ahead).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

SECONDS_PER_DAY = 86_400.0


@dataclass(frozen=True)
class Point:
    """One observation of a metric; `at` is timezone-aware so that runs in any zone compare."""

    at: datetime
    value: float

    def __post_init__(self) -> None:
        """Reject naive times: comparing them with aware ones fails, and guessing a zone is wrong."""
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"Point.at must be timezone-aware, got {self.at.isoformat()}")


def finite_points(history: Sequence[Point]) -> list[Point]:
    """The points with a finite value, oldest first (sorted by time, so callers need not trust order)."""
    return sorted((p for p in history if math.isfinite(p.value)), key=lambda p: p.at)


def usable_before(history: Sequence[Point], at: datetime) -> list[Point]:
    """The finite points observed strictly before `at`, oldest first."""
    return [p for p in finite_points(history) if p.at < at]


def days_before(point: Point, at: datetime) -> float:
    """How many days `point` lies before `at`, negative: the x axis on which trends are fitted."""
    return (point.at - at).total_seconds() / SECONDS_PER_DAY
