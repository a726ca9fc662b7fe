"""Is today's value of a metric an outlier against its own history? A robust, pure detector.

The median and the median absolute deviation (MAD) of the history stand for its centre and
spread; unlike the mean and the standard deviation, one earlier outlier cannot stretch
them. A value is anomalous when its robust z-score, 0.6745 * |x - median| / MAD, exceeds
the threshold. With a MAD of zero (a history of identical values) any different value is
anomalous. Too little history gives no verdict at all, never a false alarm.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

MAD_TO_Z = 0.6745


class HistoryStatus(StrEnum):
    """What the detector could say."""

    NOT_ENOUGH_HISTORY = "not_enough_history"
    NORMAL = "normal"
    ANOMALOUS = "anomalous"


@dataclass(frozen=True)
class HistoryVerdict:
    """The detector's verdict with the numbers behind it."""

    status: HistoryStatus
    points: int
    median: float | None = None
    mad: float | None = None
    score: float | None = None
    lower: float | None = None
    upper: float | None = None


def robust_outlier(
    value: float, history: Sequence[float], *, threshold: float = 3.5, min_points: int = 5
) -> HistoryVerdict:
    """Judge `value` against `history` (earlier values of the same metric, any order)."""
    if len(history) < min_points:
        return HistoryVerdict(HistoryStatus.NOT_ENOUGH_HISTORY, len(history))
    median = float(statistics.median(history))
    mad = float(statistics.median(abs(h - median) for h in history))
    if mad == 0:
        anomalous = value != median
        score = float("inf") if anomalous else 0.0
        lower = upper = median
    else:
        score = MAD_TO_Z * abs(value - median) / mad
        anomalous = score > threshold
        reach = threshold * mad / MAD_TO_Z
        lower, upper = median - reach, median + reach
    status = HistoryStatus.ANOMALOUS if anomalous else HistoryStatus.NORMAL
    return HistoryVerdict(status, len(history), median, mad, score, lower, upper)
