"""Judge a metric's new value against the same metric's history (earlier runs of a table).

Two detectors, for any metric a run records (row count, a column's null rate, distinct
count, mean):

* `ratio_to_recent_mean`, the simple volume rule: anomalous below 50% or above
  200% of the mean of the last 7 runs. Simple to explain, and kept as the baseline; but it
  has no notion of spread (a noisy metric trips it, a quiet one can halve before it fires),
  of weekly cycles (every weekend of a weekday-heavy table is "below 50%") or of trends.
* `robust_judgement`: the distance from a robust trend line through the last `window`
  usable points, in units of the residuals' robust spread (median/MAD), anomalous above
  `threshold` (3.5, the usual cut-off for robust z-scores). See `dq_checks.history.robust`
  for why a Theil-Sen line, why the spread is widened, and its floor.

Choices in `robust_judgement`, and why:

* Trend: the history is detrended with a Theil-Sen line rather than compared with a local
  level. A local level (say the median of the last week) lags a growing table by half its
  span times the growth rate, a bias that grows with the trend and that the spread does not
  absorb; the extrapolated line has no such lag, and its breakdown point (~29%) leaves past
  outages in the window harmless. x is time in days (from each point's `at`), not the run
  index, so a skipped run does not distort the slope.
* Seasonality: with "day_of_week", "day_of_month" or "hour_of_day" the value is compared
  only with earlier points in the same bucket (same weekday, same day of the month 1..31, same
  hour 0..23, each read in the time zone of `at`), the last `window` of them, and the detector
  needs `min_points` of those. Comparing like with like is the simplest model that makes no
  assumption on the seasonal shape (additive or multiplicative), works for rates as well as
  counts, and is immune to an outage in other buckets. The price is a longer warm-up and a
  line fitted over a longer span (with `window=28`, up to 28 weeks, months or days); per-bucket
  factors would warm up faster but break on metrics whose level is 0 (a null rate that is
  always 0.0 has no ratio) and need as many cycles to be estimated robustly. The warm-up,
  with `min_points=7`:
  - "day_of_week", for daily runs with a weekly cycle: 7 same weekdays, 7 weeks.
  - "day_of_month", for daily runs with a monthly cycle on a fixed day (billing on the 1st,
    payroll on the 15th): 7 months. Days are calendar days: the 29th, 30th and 31st are
    compared only with the months that have them (February lacks the 30th and 31st, and the
    29th outside leap years; five months lack the 31st), so the 31st needs about a year. A
    month's last day is not a bucket of its own: a month-end load falls on the 28th to the
    31st and is not compared with itself.
  - "hour_of_day", for hourly runs with a daily cycle (a nightly batch): 7 days. The hour is
    local to `at`'s zone, so a batch at 02:00 local time stays in its bucket across
    daylight-saving changes when `at` carries that zone (a ZoneInfo, not a fixed offset).
* Minimum history: below `min_points` usable points (finite values strictly before `at`)
  the verdict is NOT_ENOUGH_HISTORY with the count in the reason: never a guess, never a
  false alarm. `min_points` must be at least 3, because a line through two points has no
  residuals to measure a spread with.
* Non-negative metrics: when every point in the window is >= 0 (counts, rates, distinct
  counts), the expected value and the lower bound are not extrapolated below 0.
* A value that is not finite (the mean of a column that became entirely NULL, say) is
  ANOMALOUS once there is enough history, since the history's values were finite.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Literal, get_args

from dq_checks.history.robust import fit_trend
from dq_checks.history.series import Point, days_before, finite_points, usable_before
from dq_checks.render.numbers import format_number

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MIN_ROBUST_POINTS = 3
Seasonality = Literal["none", "day_of_week", "day_of_month", "hour_of_day"]
SEASONALITIES: tuple[str, ...] = get_args(Seasonality)


class Verdict(StrEnum):
    """What a history detector concluded."""

    NORMAL = "normal"
    ANOMALOUS = "anomalous"
    NOT_ENOUGH_HISTORY = "not_enough_history"


@dataclass(frozen=True)
class HistoryJudgement:
    """A verdict with the numbers behind it, so that a report can show why, not only what."""

    verdict: Verdict
    method: str
    value: float
    expected: float | None
    """The centre the value was compared with."""
    lower: float | None
    """The normal range, when there is one."""
    upper: float | None
    points_used: int
    reason: str
    """One human sentence: why normal, anomalous or skipped."""


@dataclass(frozen=True)
class Runs:
    """How the points of one bucket are named: the words before and after the unit ("Saturday run").

    The unit is what one point is: a rule's history has a value per `run`; a table's history has
    one per `data version` (a snapshot checked three times is one point), and says so, so that
    "has 0" never reads as a contradiction of three runs on one snapshot.
    """

    before: str = ""
    after: str = ""
    unit: str = "run"

    def count(self, count: int, *, earlier: bool = False) -> str:
        """'7 earlier Saturday runs', '1 data version on day 15', '2 runs from 02:00 to 03:00'."""
        noun = ("earlier " if earlier else "") + self.before + self.unit
        return plural(count, noun) + self.after


ALL_RUNS = Runs()


@dataclass(frozen=True)
class Season:
    """A seasonality: the bucket of a moment (read in the moment's own time zone) and its runs' name."""

    method: str
    """What the method string adds, e.g. ", day-of-week"."""
    bucket: Callable[[datetime], int]
    runs: Callable[[int], Runs]


SEASONS: dict[Seasonality, Season] = {
    "none": Season("", lambda at: 0, lambda _: ALL_RUNS),
    "day_of_week": Season(", day-of-week", datetime.weekday, lambda day: Runs(before=f"{WEEKDAYS[day]} ")),
    "day_of_month": Season(
        ", day-of-month", lambda at: at.day, lambda day: Runs(after=f" on day {day} of the month")
    ),
    "hour_of_day": Season(
        ", hour-of-day",
        lambda at: at.hour,
        lambda hour: Runs(after=f" between {hour:02d}:00 and {hour + 1:02d}:00"),
    ),
}
"""Each seasonality's bucket of a datetime and the name of that bucket's runs."""


def ratio_to_recent_mean(
    value: float,
    history: Sequence[Point],
    *,
    runs: int = 7,
    low: float = 0.5,
    high: float = 2.0,
    unit: str = "run",
) -> HistoryJudgement:
    """Anomalous when `value` is below `low` x or above `high` x the mean of the last `runs` points.

    Needs at least one finite earlier point (with fewer than `runs` it uses those it has);
    with none the verdict is NOT_ENOUGH_HISTORY. The bounds are strict: exactly half the mean
    is normal. When the mean is 0 the range is 0 .. 0, so any other value is anomalous. Meant
    for non-negative metrics such as row counts; for a negative mean the bounds are swapped
    so that lower <= upper.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    if not 0 <= low < high:
        raise ValueError(f"need 0 <= low < high, got low={low}, high={high}")
    method = f"ratio to mean of last {plural(runs, unit)}"
    recent = finite_points(history)[-runs:]
    if not recent:
        return skipped(method, value, needs=1, has=0, runs=Runs(unit=unit))
    mean = math.fsum(p.value for p in recent) / len(recent)
    lower, upper = sorted((low * mean, high * mean))
    place = where(value, lower, upper)
    verdict = Verdict.NORMAL if place == "within" else Verdict.ANOMALOUS
    reason = (
        f"{format_number(value)} is {place} the range {format_number(lower)} .. {format_number(upper)} "
        f"({low:g} x to {high:g} x the mean {format_number(mean)} of the last {plural(len(recent), unit)})"
    )
    return HistoryJudgement(verdict, method, value, mean, lower, upper, len(recent), reason)


def robust_judgement(
    value: float,
    at: datetime,
    history: Sequence[Point],
    *,
    window: int = 28,
    min_points: int = 7,
    threshold: float = 3.5,
    seasonality: Seasonality = "none",
    unit: str = "run",
) -> HistoryJudgement:
    """Anomalous when `value`, observed at `at`, is more than `threshold` robust z from the trend.

    The reference is the last `window` usable points before `at`; with a seasonality, the
    last `window` in the bucket of `at` (its weekday, day of the month or hour, every point
    read in the time zone of `at`; on the 29th to the 31st only the months that have that day
    count). Robust z = |value - expected| / scale, where expected is the Theil-Sen line at `at`
    and scale is 1.4826 x the residuals' MAD, floored and widened for prediction
    (`dq_checks.history.robust`). The module docstring says why.
    """
    validate_robust(at, window, min_points, threshold, seasonality)
    season = SEASONS[seasonality]
    method = f"robust z (median/MAD of Theil-Sen residuals, {window}-point window{season.method})"
    bucket = season.bucket(at)
    runs = replace(season.runs(bucket), unit=unit)
    pool = [p for p in usable_before(history, at) if season.bucket(p.at.astimezone(at.tzinfo)) == bucket]
    recent = pool[-window:]
    if len(recent) < min_points:
        return skipped(method, value, needs=min_points, has=len(recent), runs=runs)
    fit = fit_trend([days_before(p, at) for p in recent], [p.value for p in recent])
    non_negative = all(p.value >= 0 for p in recent)
    expected = max(fit.expected, 0.0) if non_negative else fit.expected
    reach = threshold * fit.scale
    lower = max(expected - reach, 0.0) if non_negative else expected - reach
    upper = expected + reach
    score = abs(value - expected) / fit.scale if math.isfinite(value) else math.inf
    verdict = Verdict.ANOMALOUS if score > threshold else Verdict.NORMAL
    reason = (
        f"{format_number(value)} is {where(value, lower, upper)} the normal range "
        f"{format_number(lower)} .. {format_number(upper)}: robust z {score:.1f} "
        f"{'>' if verdict is Verdict.ANOMALOUS else '<='} {threshold:g} around {format_number(expected)}, "
        "expected "
        f"from the trend ({format_number(fit.slope)} per day) of the last {runs.count(len(recent))}"
    )
    return HistoryJudgement(verdict, method, value, expected, lower, upper, len(recent), reason)


def validate_robust(at: datetime, window: int, min_points: int, threshold: float, seasonality: str) -> None:
    """Reject settings under which the detector could not keep its promises."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"at must be timezone-aware, got {at.isoformat()}")
    if not MIN_ROBUST_POINTS <= min_points <= window:
        raise ValueError(f"need {MIN_ROBUST_POINTS} <= min_points <= window, got {min_points}, {window}")
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold}")
    if seasonality not in SEASONS:
        choices = ", ".join(repr(name) for name in SEASONALITIES)
        raise ValueError(f"seasonality must be one of {choices}, got {seasonality!r}")


def skipped(method: str, value: float, *, needs: int, has: int, runs: Runs = ALL_RUNS) -> HistoryJudgement:
    """The verdict for too little history: says how much is needed (of which runs) and how much there is."""
    reason = f"needs {runs.count(needs, earlier=True)}, has {has}"
    return HistoryJudgement(Verdict.NOT_ENOUGH_HISTORY, method, value, None, None, None, has, reason)


def where(value: float, lower: float, upper: float) -> str:
    """'below', 'above' or 'within' the range; a non-finite value is 'outside' it."""
    if not math.isfinite(value):
        return "outside"
    if value < lower:
        return "below"
    return "above" if value > upper else "within"


def plural(count: int, noun: str) -> str:
    """'1 earlier run', '7 earlier runs'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
