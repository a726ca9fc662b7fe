"""History detectors: a metric's new value judged against its own earlier runs.

Every series is built here, daily at 06:00 UTC from Monday 2025-01-06 (from Wednesday
2025-01-01 for the monthly ones, hourly for the hourly ones), with numpy's default_rng and a
fixed seed, so every verdict is exact and repeatable. The planted anomalies are marked
`# planted:`.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import get_args
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy import stats

from dq_checks.config.models import HistorySettings
from dq_checks.history.detectors import (
    SEASONALITIES,
    HistoryJudgement,
    Verdict,
    ratio_to_recent_mean,
    robust_judgement,
)
from dq_checks.history.robust import prediction_inflation, robust_sigma, theil_sen
from dq_checks.history.series import Point

START = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)  # a Monday
NEW_YEAR = datetime(2025, 1, 1, 6, 0, tzinfo=UTC)  # the first day of a month, for monthly series
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
RATIO = "ratio to mean of last 7 runs"
ROBUST = "robust z (median/MAD of Theil-Sen residuals, 28-point window)"
ROBUST_WEEKLY = "robust z (median/MAD of Theil-Sen residuals, 28-point window, day-of-week)"
ROBUST_MONTHLY = "robust z (median/MAD of Theil-Sen residuals, 28-point window, day-of-month)"
ROBUST_HOURLY = "robust z (median/MAD of Theil-Sen residuals, 28-point window, hour-of-day)"


def daily(values: list[float] | np.ndarray, start: datetime = START) -> list[Point]:
    return [Point(start + i * DAY, float(v)) for i, v in enumerate(values)]


def after(series: list[Point], days: int = 1) -> datetime:
    return series[-1].at + days * DAY


def noisy(level: float, days: int, *, seed: int, sigma: float = 0.02) -> np.ndarray:
    """`level` with multiplicative normal noise of `sigma` (2%: a quiet, healthy table)."""
    return level * (1 + np.random.default_rng(seed).normal(0, sigma, days))


def weekly(days: int, *, seed: int, saturday: float = 300.0, sunday: float = 300.0) -> np.ndarray:
    """Weekdays at 1,000 rows, weekends at 30% of that, 2% noise; day 0 is a Monday."""
    levels = np.array([saturday if i % 7 == 5 else sunday if i % 7 == 6 else 1000.0 for i in range(days)])
    return levels * (1 + np.random.default_rng(seed).normal(0, 0.02, days))


def billing(days: int, *, seed: int) -> list[Point]:
    """Daily from 2025-01-01: 1,000 rows, 5,000 on the 1st of each month (billing rows), 2% noise."""
    levels = np.array([5000.0 if (NEW_YEAR + i * DAY).day == 1 else 1000.0 for i in range(days)])
    return daily(levels * (1 + np.random.default_rng(seed).normal(0, 0.02, days)), NEW_YEAR)


def nightly(
    start: datetime, hours: int, *, batch_hour: int, zone: ZoneInfo | None = None, seed: int
) -> list[Point]:
    """Hourly runs: 100 rows, 1,000 (a nightly batch) at `batch_hour` in `zone` (UTC if none), 2% noise."""
    times = [start + i * HOUR for i in range(hours)]
    levels = np.array([1000.0 if t.astimezone(zone or UTC).hour == batch_hour else 100.0 for t in times])
    noise = 1 + np.random.default_rng(seed).normal(0, 0.02, hours)
    return [Point(t, float(v)) for t, v in zip(times, levels * noise, strict=True)]


def both(value: float, history: list[Point]) -> tuple[HistoryJudgement, HistoryJudgement]:
    return ratio_to_recent_mean(value, history), robust_judgement(value, after(history), history)


# --- steady, drop, spike ---------------------------------------------------------------------


def test_steady_series_is_normal_for_both_detectors() -> None:
    history = daily(noisy(1000, 40, seed=1))
    ratio, robust = both(1005.0, history)

    mean = math.fsum(p.value for p in history[-7:]) / 7
    assert ratio == HistoryJudgement(
        verdict=Verdict.NORMAL,
        method=RATIO,
        value=1005.0,
        expected=mean,
        lower=0.5 * mean,
        upper=2.0 * mean,
        points_used=7,
        reason=ratio.reason,
    )
    assert ratio.reason.startswith("1,005 is within the range ")
    assert ratio.reason.endswith(" of the last 7 runs)")

    assert robust.verdict is Verdict.NORMAL
    assert robust.method == ROBUST
    assert robust.points_used == 28  # the window, not the 40 points available
    assert robust.expected == pytest.approx(1000, rel=0.02)
    assert robust.lower is not None and robust.upper is not None
    assert robust.lower < 1005 < robust.upper
    # a band set by the 2% noise, far narrower than the ratio rule's 50% .. 200% of the mean
    assert 0 < robust.upper - robust.lower < 200
    assert robust.reason.startswith("1,005 is within the normal range ")


def test_sudden_drop_to_30_percent_is_anomalous_for_both() -> None:
    history = daily(noisy(1000, 40, seed=2))
    ratio, robust = both(300.0, history)  # planted: a partial load, 30% of the usual rows

    assert ratio.verdict is Verdict.ANOMALOUS
    assert ratio.reason.startswith("300 is below the range ")
    assert robust.verdict is Verdict.ANOMALOUS
    assert robust.reason.startswith("300 is below the normal range ")
    assert robust.lower is not None and robust.lower > 900


def test_spike_is_anomalous_for_both() -> None:
    history = daily(noisy(1000, 40, seed=3))
    ratio, robust = both(3000.0, history)  # planted: a triple load

    assert ratio.verdict is Verdict.ANOMALOUS
    assert ratio.reason.startswith("3,000 is above the range ")
    assert robust.verdict is Verdict.ANOMALOUS
    assert robust.reason.startswith("3,000 is above the normal range ")


def test_moderate_drop_only_the_robust_detector_sees() -> None:
    history = daily(noisy(1000, 40, seed=4))
    ratio, robust = both(700.0, history)  # planted: 30% of the rows missing, 15 sigma of 2% noise

    assert ratio.verdict is Verdict.NORMAL  # 70% of the mean is above the 50% line
    assert robust.verdict is Verdict.ANOMALOUS


# --- too little history ----------------------------------------------------------------------


def test_no_history_is_skipped_by_the_ratio_rule() -> None:
    assert ratio_to_recent_mean(123.0, []) == HistoryJudgement(
        verdict=Verdict.NOT_ENOUGH_HISTORY,
        method=RATIO,
        value=123.0,
        expected=None,
        lower=None,
        upper=None,
        points_used=0,
        reason="needs 1 earlier run, has 0",
    )


def test_one_point_is_enough_for_the_ratio_rule() -> None:
    judged = ratio_to_recent_mean(30.0, daily([100.0]))
    assert judged.verdict is Verdict.ANOMALOUS
    assert (judged.expected, judged.lower, judged.upper, judged.points_used) == (100.0, 50.0, 200.0, 1)
    assert judged.reason == "30 is below the range 50 .. 200 (0.5 x to 2 x the mean 100 of the last 1 run)"


def test_robust_detector_never_alerts_before_min_points() -> None:
    history = daily([1000.0, 1001.0, 999.0])
    judged = robust_judgement(1.0, after(history), history)  # planted: a collapse, but only 3 runs known

    assert judged == HistoryJudgement(
        verdict=Verdict.NOT_ENOUGH_HISTORY,
        method=ROBUST,
        value=1.0,
        expected=None,
        lower=None,
        upper=None,
        points_used=3,
        reason="needs 7 earlier runs, has 3",
    )


def test_unusable_points_do_not_count_as_history() -> None:
    values = [1000.0, math.nan, 1001.0, math.inf, 999.0, 1000.0, 1002.0, 998.0, 1000.0]
    history = daily(values)
    judged_at = history[6].at  # the last two points are not earlier than the judged moment
    judged = robust_judgement(1.0, judged_at, history)

    assert judged.verdict is Verdict.NOT_ENOUGH_HISTORY
    assert judged.reason == "needs 7 earlier runs, has 4"
    assert ratio_to_recent_mean(1000.0, history).points_used == 7  # the last 7 finite values


# --- weekly seasonality ----------------------------------------------------------------------


def test_normal_saturday_is_normal_with_day_of_week_seasonality() -> None:
    history = daily(weekly(68, seed=5))  # ten weeks less a day: the next day is a Saturday
    saturday = after(history)
    assert saturday.weekday() == 5

    seasonal = robust_judgement(310.0, saturday, history, seasonality="day_of_week")
    assert seasonal.verdict is Verdict.NORMAL
    assert seasonal.method == ROBUST_WEEKLY
    assert seasonal.points_used == 9  # the nine earlier Saturdays
    assert seasonal.expected == pytest.approx(300, rel=0.05)
    assert seasonal.reason.endswith("of the last 9 Saturday runs")

    # without seasonality the same Saturday is measured against mostly weekdays
    assert robust_judgement(310.0, saturday, history).verdict is Verdict.ANOMALOUS


def test_saturday_at_weekday_level_is_anomalous_with_day_of_week_seasonality() -> None:
    history = daily(weekly(68, seed=6))
    # planted: a Saturday with a weekday's volume (a job that ran twice, or a calendar bug)
    judged = robust_judgement(1000.0, after(history), history, seasonality="day_of_week")

    assert judged.verdict is Verdict.ANOMALOUS
    assert judged.reason.startswith("1,000 is above the normal range ")


def test_day_of_week_needs_min_points_on_that_weekday() -> None:
    history = daily(weekly(26, seed=7))  # three Saturdays so far, 26 runs
    judged = robust_judgement(1000.0, after(history), history, seasonality="day_of_week")

    assert judged.verdict is Verdict.NOT_ENOUGH_HISTORY
    assert judged.reason == "needs 7 earlier Saturday runs, has 3"
    assert judged.points_used == 3


def test_weekday_is_read_in_the_time_zone_of_the_judged_moment() -> None:
    # Loads at 23:00 UTC, i.e. 01:00 the next day at UTC+2: in that zone, index 5 mod 7 of this
    # series (a UTC Saturday) is a Sunday. Saturdays (UTC+2) are 300 rows and Sundays 600.
    plus_two = timezone(timedelta(hours=2))
    start = datetime(2025, 1, 5, 23, 0, tzinfo=UTC)  # Monday 01:00 at UTC+2
    history = daily(weekly(68, seed=8, saturday=300.0, sunday=600.0), start)
    saturday = after(history).astimezone(plus_two)
    assert saturday.weekday() == 5
    assert history[5].at.astimezone(plus_two).weekday() == 5

    judged = robust_judgement(300.0, saturday, history, seasonality="day_of_week")
    assert judged.verdict is Verdict.NORMAL
    assert judged.expected == pytest.approx(300, rel=0.05)


# --- monthly and hourly seasonality ----------------------------------------------------------


def test_billing_spike_on_the_1st_is_normal_with_day_of_month_seasonality() -> None:
    history = billing(243, seed=20)  # 2025-01-01 .. 2025-08-31: eight 1sts of the month so far
    first = after(history)
    assert first == datetime(2025, 9, 1, 6, 0, tzinfo=UTC)

    seasonal = robust_judgement(5100.0, first, history, seasonality="day_of_month")
    assert seasonal.verdict is Verdict.NORMAL
    assert seasonal.method == ROBUST_MONTHLY
    assert seasonal.points_used == 8  # the eight earlier 1sts
    assert seasonal.expected == pytest.approx(5000, rel=0.05)
    assert seasonal.reason.endswith("of the last 8 runs on day 1 of the month")

    # without seasonality the 1st is measured against the ordinary days of the last four weeks
    plain = robust_judgement(5100.0, first, history)
    assert plain.verdict is Verdict.ANOMALOUS
    assert plain.expected == pytest.approx(1000, rel=0.05)


def test_ordinary_level_on_the_1st_is_anomalous_with_day_of_month_seasonality() -> None:
    history = billing(243, seed=21)
    # planted: the 1st with an ordinary day's volume (the billing job did not run)
    judged = robust_judgement(1000.0, after(history), history, seasonality="day_of_month")

    assert judged.verdict is Verdict.ANOMALOUS
    assert judged.reason.startswith("1,000 is below the normal range ")
    assert robust_judgement(1000.0, after(history), history).verdict is Verdict.NORMAL  # blind to it


def test_day_of_month_needs_min_points_on_that_day() -> None:
    history = billing(73, seed=22)  # 2025-01-01 .. 2025-03-14: the 15th of January and February
    judged = robust_judgement(
        1000.0, datetime(2025, 3, 15, 6, 0, tzinfo=UTC), history, seasonality="day_of_month"
    )

    assert judged.verdict is Verdict.NOT_ENOUGH_HISTORY
    assert judged.method == ROBUST_MONTHLY
    assert judged.reason == "needs 7 earlier runs on day 15 of the month, has 2"
    assert judged.points_used == 2


def test_the_29th_to_the_31st_count_only_the_months_that_have_them() -> None:
    history = daily([1000.0] * 364, NEW_YEAR)  # every day of 2025 but the 31st of December

    def used(day: int) -> int:
        at = datetime(2025, 12, day, 6, 0, tzinfo=UTC)
        return robust_judgement(1000.0, at, history, seasonality="day_of_month").points_used

    # 2025 is not a leap year: February has no 29th and no 30th; five months have no 31st
    assert (used(28), used(29), used(30), used(31)) == (11, 10, 10, 6)
    on_31st = robust_judgement(
        1000.0, datetime(2025, 12, 31, 6, 0, tzinfo=UTC), history, seasonality="day_of_month"
    )
    assert on_31st.reason == "needs 7 earlier runs on day 31 of the month, has 6"


def test_nightly_batch_is_normal_with_hour_of_day_seasonality() -> None:
    history = nightly(datetime(2025, 1, 6, 0, 0, tzinfo=UTC), 240, batch_hour=2, seed=23)  # ten days
    batch = datetime(2025, 1, 16, 2, 0, tzinfo=UTC)

    seasonal = robust_judgement(990.0, batch, history, seasonality="hour_of_day")
    assert seasonal.verdict is Verdict.NORMAL
    assert seasonal.method == ROBUST_HOURLY
    assert seasonal.points_used == 10  # the ten earlier 02:00 runs
    assert seasonal.expected == pytest.approx(1000, rel=0.05)
    assert seasonal.reason.endswith("of the last 10 runs between 02:00 and 03:00")

    # without seasonality 02:00 is measured against the last 28 hours, all but one of them quiet
    plain = robust_judgement(990.0, batch, history)
    assert plain.verdict is Verdict.ANOMALOUS
    assert plain.expected == pytest.approx(100, rel=0.05)


def test_quiet_batch_hour_is_anomalous_with_hour_of_day_seasonality() -> None:
    history = nightly(datetime(2025, 1, 6, 0, 0, tzinfo=UTC), 240, batch_hour=2, seed=24)
    batch = datetime(2025, 1, 16, 2, 0, tzinfo=UTC)
    # planted: 02:00 with a quiet hour's rows (the nightly batch did not load)
    judged = robust_judgement(100.0, batch, history, seasonality="hour_of_day")

    assert judged.verdict is Verdict.ANOMALOUS
    assert judged.reason.startswith("100 is below the normal range ")
    assert robust_judgement(100.0, batch, history).verdict is Verdict.NORMAL  # blind to it


def test_hour_is_read_in_the_time_zone_of_the_judged_moment() -> None:
    # A batch at 04:00 Paris time, recorded in UTC: 03:00 UTC until the clocks go forward on
    # 2025-03-30, 02:00 UTC after. Read in Paris time, the 04:00 bucket holds the 17 batches.
    paris = ZoneInfo("Europe/Paris")
    history = nightly(datetime(2025, 3, 20, 0, 0, tzinfo=UTC), 24 * 17, batch_hour=4, zone=paris, seed=25)
    batch = datetime(2025, 4, 6, 4, 0, tzinfo=paris)
    assert history[-1].at < batch

    judged = robust_judgement(1000.0, batch, history, seasonality="hour_of_day")
    assert judged.verdict is Verdict.NORMAL
    assert judged.points_used == 17
    assert judged.expected == pytest.approx(1000, rel=0.05)
    assert judged.reason.endswith("of the last 17 runs between 04:00 and 05:00")
    # planted: the batch did not load, caught in Paris time ...
    assert robust_judgement(100.0, batch, history, seasonality="hour_of_day").verdict is Verdict.ANOMALOUS
    # ... and missed in UTC, whose 02:00 bucket mixes ten quiet hours (before the change) and
    # seven batches (after it): its band is too wide to tell a batch from a quiet hour
    in_utc = robust_judgement(100.0, batch.astimezone(UTC), history, seasonality="hour_of_day")
    assert in_utc.verdict is Verdict.NORMAL
    assert in_utc.reason.endswith("of the last 17 runs between 02:00 and 03:00")

    # a fixed offset names the bucket in its own hours: 14:00 at UTC+2 is 12:00 UTC
    plus_two = timezone(timedelta(hours=2))
    two_days = nightly(datetime(2025, 1, 6, 0, 0, tzinfo=UTC), 48, batch_hour=2, seed=26)
    skipped = robust_judgement(
        100.0, datetime(2025, 1, 8, 14, 0, tzinfo=plus_two), two_days, seasonality="hour_of_day"
    )
    assert skipped.verdict is Verdict.NOT_ENOUGH_HISTORY
    assert skipped.method == ROBUST_HOURLY
    assert skipped.reason == "needs 7 earlier runs between 14:00 and 15:00, has 2"


# --- trend -----------------------------------------------------------------------------------


def test_linear_growth_is_not_flagged() -> None:
    # +2% of the starting volume a day for 60 days, 1% noise: the table more than doubles
    days = np.arange(60)
    history = daily(1000 * (1 + 0.02 * days) * (1 + np.random.default_rng(9).normal(0, 0.01, 60)))
    on_trend = 1000 * (1 + 0.02 * 60)
    judged = robust_judgement(on_trend, after(history), history)

    assert judged.verdict is Verdict.NORMAL
    assert judged.expected == pytest.approx(on_trend, rel=0.02)
    # a plain median of the window lags the trend by ~14 days of growth (~280 rows)
    median = float(np.median([p.value for p in history[-28:]]))
    assert on_trend - median > 250
    # and the trend does not hide a drop: planted, 70% of the trend's value
    assert robust_judgement(0.7 * on_trend, after(history), history).verdict is Verdict.ANOMALOUS


def test_trend_is_fitted_on_time_not_on_run_index() -> None:
    # the same growth with every third run missing: the slope must stay per day
    days = [d for d in range(60) if d % 3 != 2]
    noise = np.random.default_rng(10).normal(0, 0.01, len(days))
    history = [
        Point(START + d * DAY, 1000 * (1 + 0.02 * d) * (1 + n)) for d, n in zip(days, noise, strict=True)
    ]
    judged = robust_judgement(1000 * (1 + 0.02 * 60), START + 60 * DAY, history)

    assert judged.verdict is Verdict.NORMAL
    assert judged.expected == pytest.approx(2200, rel=0.02)


def test_theil_sen_ignores_a_wild_point() -> None:
    slope, intercept = theil_sen([0, 1, 2, 3, 4, 5, 6], [0, 2, 4, 600, 8, 10, 12])  # planted: 600
    assert (slope, intercept) == (2.0, 0.0)
    assert theil_sen([1, 1, 1], [5, 6, 7]) == (0.0, 6.0)  # no two times differ: no slope


def test_theil_sen_is_scipys_joint_method_not_its_default() -> None:
    x, y = [0, 1, 2, 3, 4, 5, 6], [0, 2, 4, 600, 8, 10, 12]  # planted: 600, on the median x
    assert theil_sen(x, y) == tuple(stats.theilslopes(y, x, method="joint")[:2]) == (2.0, 0.0)
    # scipy's default takes median(y) - slope * median(x) = 8 - 2 x 3: a line 2 above the six
    # points that lie on y = 2x, so the residuals' median is -2, not 0
    assert tuple(stats.theilslopes(y, x)[:2]) == (2.0, 2.0)


def test_robust_sigma_is_the_mad_over_the_normal_quartile() -> None:
    residuals = np.array([-3.0, -1.0, 0.0, 2.0, 40.0])  # planted: 40; median 0, MAD 2
    assert robust_sigma(residuals) == pytest.approx(2 / stats.norm.ppf(0.75))
    # MAD 0 (most residuals coincide): the mean absolute deviation x sqrt(pi / 2) stands in
    assert robust_sigma(np.array([0.0, 0.0, 0.0, 1.0])) == pytest.approx(0.25 * math.sqrt(math.pi / 2))


def test_prediction_band_is_widened_most_for_short_histories() -> None:
    # sqrt(n / (n - 2) * (1 + 1/n + mean(x)^2 / Sxx)) for a prediction at x = 0
    seven = np.arange(-7.0, 0.0)
    assert prediction_inflation(seven) == pytest.approx(math.sqrt(7 / 5 * (1 + 1 / 7 + 16 / 28)))
    assert prediction_inflation(7 * seven) == pytest.approx(prediction_inflation(seven))  # weekly spacing
    month = np.arange(-28.0, 0.0)  # mean -14.5, Sxx 1,827
    assert prediction_inflation(month) == pytest.approx(math.sqrt(28 / 26 * (1 + 1 / 28 + 14.5**2 / 1827)))


# --- rates, float noise, scale floor ---------------------------------------------------------


def test_null_rate_from_zero_to_thirty_percent_is_anomalous() -> None:
    history = daily([0.0] * 30)  # a column that has never had a NULL
    ratio, robust = both(0.3, history)  # planted: 30% NULLs after an upstream change

    assert ratio.verdict is Verdict.ANOMALOUS
    assert robust.verdict is Verdict.ANOMALOUS
    assert (robust.expected, robust.lower) == (0.0, 0.0)
    assert robust.upper is not None and robust.upper < 1e-8  # the absolute floor, 1e-9, widened
    assert robust_judgement(0.0, after(history), history).verdict is Verdict.NORMAL
    assert robust_judgement(1e-17, after(history), history).verdict is Verdict.NORMAL


def test_small_null_rate_jump_is_anomalous_and_its_noise_is_not() -> None:
    history = daily(noisy(0.01, 30, seed=11, sigma=0.1))  # about 1% NULLs, +-10% of that
    assert robust_judgement(0.011, after(history), history).verdict is Verdict.NORMAL
    assert robust_judgement(0.3, after(history), history).verdict is Verdict.ANOMALOUS  # planted


def test_falling_rate_is_not_extrapolated_below_zero() -> None:
    history = daily([max(0.1 - 0.005 * d, 0.0) for d in range(28)])  # NULLs fixed: 10% down to 0
    judged = robust_judgement(0.0, after(history), history)

    assert judged.verdict is Verdict.NORMAL
    assert (judged.expected, judged.lower) == (0.0, 0.0)


def test_constant_history_with_float_noise_is_not_flagged() -> None:
    rng = np.random.default_rng(12)
    history = daily(1234.5 * (1 + rng.normal(0, 1e-12, 30)))  # a mean recomputed in another order
    ratio, robust = both(1234.5 * (1 + 3e-12), history)

    assert ratio.verdict is Verdict.NORMAL
    assert robust.verdict is Verdict.NORMAL


def test_exactly_constant_history_uses_the_relative_floor() -> None:
    history = daily([1000.0] * 28)  # a dimension table that never changes
    judged = robust_judgement(1000.0, after(history), history)
    assert judged.verdict is Verdict.NORMAL
    assert judged.expected == 1000.0
    # floor: sigma = 0.1% of 1,000 = 1 row, widened for prediction, times the threshold 3.5
    x = np.arange(-28.0, 0.0)
    reach = 3.5 * 1.0 * prediction_inflation(x)
    assert (judged.lower, judged.upper) == (1000.0 - reach, 1000.0 + reach)
    assert robust_judgement(1002.0, after(history), history).verdict is Verdict.NORMAL
    assert robust_judgement(1010.0, after(history), history).verdict is Verdict.ANOMALOUS  # planted


def test_discrete_metric_with_zero_mad_accepts_values_seen_before() -> None:
    # a status column's distinct count: 5, and 6 one run in four, so the MAD is 0 and the
    # mean absolute deviation stands in for it
    history = daily([6.0 if d % 4 == 0 else 5.0 for d in range(28)])
    assert robust_judgement(6.0, after(history), history).verdict is Verdict.NORMAL
    assert (
        robust_judgement(7.0, after(history), history).verdict is Verdict.ANOMALOUS
    )  # planted: a new status


# --- windows ---------------------------------------------------------------------------------


def test_ratio_rule_uses_only_the_last_runs() -> None:
    history = daily([1000.0] * 50 + [5000.0] * 7)  # a new source a week ago made the table 5x bigger
    judged = ratio_to_recent_mean(5000.0, history)
    assert judged.verdict is Verdict.NORMAL
    assert (judged.expected, judged.points_used) == (5000.0, 7)
    assert ratio_to_recent_mean(5000.0, history, runs=8).expected == 4500.0


def test_robust_window_drops_old_points() -> None:
    # planted, long ago: 100 days at a level five times lower (before a migration)
    history = daily(np.concatenate([noisy(1000, 100, seed=13), noisy(5000, 28, seed=14)]))
    judged = robust_judgement(5000.0, after(history), history)
    assert judged.verdict is Verdict.NORMAL
    assert judged.points_used == 28
    assert judged.expected == pytest.approx(5000, rel=0.02)
    assert robust_judgement(5000.0, after(history), history, window=40).points_used == 40


def test_day_of_week_window_counts_same_weekday_points() -> None:
    history = daily(weekly(7 * 40 - 2, seed=15))  # forty weeks; the next day is a Saturday
    judged = robust_judgement(300.0, after(history), history, seasonality="day_of_week")
    assert judged.points_used == 28
    assert judged.verdict is Verdict.NORMAL


def test_outage_in_the_window_does_not_blind_the_robust_detector() -> None:
    values = list(noisy(1000, 40, seed=16))
    values[-4:] = [20.0, 15.0, 30.0, 10.0]  # planted: a four-day outage, a trickle of rows
    history = daily(values)

    # its fifth day is still anomalous ...
    assert robust_judgement(25.0, after(history), history).verdict is Verdict.ANOMALOUS
    # ... and the first good day after it is normal for the robust detector, while the
    # ratio rule, its mean dragged down by the outage, calls recovery a spike
    assert robust_judgement(1000.0, after(history), history).verdict is Verdict.NORMAL
    assert ratio_to_recent_mean(1000.0, history).verdict is Verdict.ANOMALOUS


# --- edges and arguments ---------------------------------------------------------------------


def test_ratio_bounds_are_strict() -> None:
    history = daily([100.0, 100.0])
    verdicts = {v: ratio_to_recent_mean(v, history).verdict for v in (49.99, 50.0, 200.0, 200.01)}
    assert verdicts == {
        49.99: Verdict.ANOMALOUS,
        50.0: Verdict.NORMAL,
        200.0: Verdict.NORMAL,
        200.01: Verdict.ANOMALOUS,
    }
    assert ratio_to_recent_mean(50.0, history).reason == (
        "50 is within the range 50 .. 200 (0.5 x to 2 x the mean 100 of the last 2 runs)"
    )


def test_large_values_print_whole_in_reasons() -> None:
    judged = ratio_to_recent_mean(136_710.4, daily([100_000.0]))
    assert judged.reason == (
        "136,710 is within the range 50,000 .. 200,000 (0.5 x to 2 x the mean 100,000 of the last 1 run)"
    )


def test_non_finite_value_is_anomalous_once_there_is_history() -> None:
    history = daily(noisy(1000, 30, seed=17))
    ratio, robust = both(math.nan, history)  # planted: the mean of a column gone entirely NULL
    assert ratio.verdict is Verdict.ANOMALOUS
    assert robust.verdict is Verdict.ANOMALOUS
    assert robust.reason.startswith("nan is outside the normal range ")
    assert ratio_to_recent_mean(math.nan, []).verdict is Verdict.NOT_ENOUGH_HISTORY


def test_naive_times_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Point(datetime(2025, 1, 1), 1.0)
    history = daily([1.0] * 7)
    with pytest.raises(ValueError, match="timezone-aware"):
        robust_judgement(1.0, datetime(2025, 2, 1), history)


@pytest.mark.parametrize(
    "kwargs",
    [{"min_points": 2}, {"window": 5}, {"threshold": 0.0}, {"seasonality": "monthly"}],
)
def test_robust_settings_are_validated(kwargs: dict[str, object]) -> None:
    history = daily([1.0] * 30)
    with pytest.raises(ValueError):
        robust_judgement(1.0, after(history), history, **kwargs)  # type: ignore[arg-type]


def test_seasonality_error_names_the_choices_the_config_offers() -> None:
    history = daily([1.0] * 30)
    choices = "'none', 'day_of_week', 'day_of_month', 'hour_of_day'"
    with pytest.raises(ValueError, match=f"^seasonality must be one of {choices}, got 'monthly'$"):
        robust_judgement(1.0, after(history), history, seasonality="monthly")  # type: ignore[arg-type]
    assert get_args(HistorySettings.model_fields["seasonality"].annotation) == SEASONALITIES


@pytest.mark.parametrize("kwargs", [{"runs": 0}, {"low": 2.0, "high": 0.5}, {"low": -0.1}])
def test_ratio_settings_are_validated(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        ratio_to_recent_mean(1.0, daily([1.0]), **kwargs)  # type: ignore[arg-type]
