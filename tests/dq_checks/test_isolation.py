"""Isolated extremes: one absurd value is flagged, a long natural tail is not.

Statistics come from numpy (quartiles with linear interpolation, like the profiler's
quantile_cont), and tails from sorting, exactly as the profiler hands them to the detector:
the 20 largest descending and the 20 smallest ascending, duplicates included.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from dq_checks.anomalies import isolated_extremes
from dq_checks.anomalies.isolation import ROBUST_SIGMA_PER_IQR, IsolatedExtremes, robust_scale
from dq_checks.config.models import AnomalyThresholds

TAIL = 20
DEFAULTS = AnomalyThresholds()


@dataclass(frozen=True)
class Column:
    median: float
    scale: float
    largest: tuple[float, ...]
    smallest: tuple[float, ...]


def describe(values: np.ndarray) -> Column:
    q1, median, q3 = np.quantile(values, [0.25, 0.5, 0.75])
    scale = robust_scale(float(q1), float(q3), float(np.std(values, ddof=1)))
    assert scale is not None
    ordered = np.sort(values)
    return Column(
        median=float(median),
        scale=scale,
        largest=tuple(float(v) for v in ordered[::-1][:TAIL]),
        smallest=tuple(float(v) for v in ordered[:TAIL]),
    )


def find(tail, column: Column) -> IsolatedExtremes | None:
    return isolated_extremes(
        tail,
        median=column.median,
        scale=column.scale,
        min_gap_ratio=DEFAULTS.isolation_min_gap_ratio,
        min_robust_z=DEFAULTS.isolation_min_robust_z,
    )


def wind_speeds(seed: int = 2024, n: int = 10_000) -> np.ndarray:
    """Readings in mph: a gamma shape, clipped so every reading is under 50."""
    readings = np.random.default_rng(seed).gamma(shape=2.0, scale=6.0, size=n)
    readings = np.clip(readings, 0.0, 49.9)
    assert readings.max() < 50
    return readings


def robust_z(value: float, column: Column) -> float:
    return abs(value - column.median) / column.scale


def test_one_absurd_wind_speed_is_flagged():
    readings = wind_speeds()
    # Planted defect: a single 1,000 mph reading (a unit or keying error) among 10,000 under 50.
    planted = np.append(readings, 1000.0)
    column = describe(planted)

    hit = find(column.largest, column)

    assert hit is not None
    assert hit.values == (1000.0,)
    assert hit.next_value == float(readings.max())
    expected_ratio = (1 + robust_z(1000.0, column)) / (1 + robust_z(hit.next_value, column))
    assert hit.gap_ratio == pytest.approx(expected_ratio, rel=1e-12)
    assert hit.gap_ratio >= DEFAULTS.isolation_min_gap_ratio
    assert hit.robust_z == pytest.approx(robust_z(1000.0, column), rel=1e-12)
    # The lower tail of the same column is clean.
    assert find(column.smallest, column) is None


def test_clean_wind_speeds_are_not_flagged():
    column = describe(wind_speeds())

    assert find(column.largest, column) is None
    assert find(column.smallest, column) is None


def test_long_natural_tail_of_flight_delays_is_not_flagged():
    # No defect: 100,000 lognormal delays (minutes) have a long tail of many large, spread-out values.
    delays = np.random.default_rng(7).lognormal(mean=2.5, sigma=1.2, size=100_000)
    column = describe(delays)

    # The tail is long: hundreds of delays sit more than 10 robust deviations from the median,
    # so a plain distance rule would flag them, and the top 20 are all far out.
    far = int(np.sum(np.abs(delays - column.median) / column.scale > DEFAULTS.isolation_min_robust_z))
    assert far > 500
    assert robust_z(column.largest[-1], column) > DEFAULTS.isolation_min_robust_z

    assert find(column.largest, column) is None
    assert find(column.smallest, column) is None


def test_two_absurd_values_are_both_flagged():
    readings = wind_speeds(seed=99)
    # Planted defects: two absurd readings, 1,000 and 1,200 mph, among readings under 50.
    column = describe(np.append(readings, [1000.0, 1200.0]))

    hit = find(column.largest, column)

    assert hit is not None
    assert hit.values == (1200.0, 1000.0)
    assert hit.next_value == float(readings.max())


def test_two_absurd_values_far_from_each_other_are_both_flagged():
    readings = wind_speeds(seed=5)
    # Planted defects: 1,000 and 1,000,000. The outer split (1e6 vs 1000) qualifies too,
    # but the innermost qualifying split wins, so both are reported.
    column = describe(np.append(readings, [1000.0, 1_000_000.0]))

    hit = find(column.largest, column)

    assert hit is not None
    assert hit.values == (1_000_000.0, 1000.0)
    assert hit.next_value == float(readings.max())


def test_tail_of_identical_values_has_no_next_value():
    # Twenty copies of one value: fewer than two distinct values, so nothing to compare with.
    assert isolated_extremes([7.5] * 20, median=1.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0) is None
    assert isolated_extremes([1e9] * 20, median=1.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0) is None
    assert isolated_extremes([], median=1.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0) is None


def test_duplicates_of_the_absurd_value_are_reported_once():
    # Planted defect: 1,000 mph recorded three times; the tail holds duplicates, values are distinct.
    readings = wind_speeds(seed=3)
    column = describe(np.append(readings, [1000.0, 1000.0, 1000.0]))

    assert column.largest[:3] == (1000.0, 1000.0, 1000.0)
    hit = find(column.largest, column)
    assert hit is not None
    assert hit.values == (1000.0,)
    assert hit.next_value == float(readings.max())


def test_absurd_negative_value_in_the_lower_tail_is_flagged():
    readings = wind_speeds(seed=11)
    # Planted defect: a -500 reading (a sign error) at the bottom of the column.
    column = describe(np.append(readings, -500.0))

    assert column.smallest[0] == -500.0
    hit = find(column.smallest, column)

    assert hit is not None
    assert hit.values == (-500.0,)
    assert hit.next_value == float(readings.min())
    assert hit.robust_z == pytest.approx(robust_z(-500.0, column), rel=1e-12)
    # The upper tail is clean.
    assert find(column.largest, column) is None


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_moderately_heavy_pareto_tail_is_not_flagged(seed):
    # No defect: Pareto with alpha=3 (finite variance, but a heavy-ish right tail).
    values = np.random.default_rng(seed).pareto(3.0, size=10_000) + 1.0
    column = describe(values)

    assert find(column.largest, column) is None
    assert find(column.smallest, column) is None


def test_values_on_the_other_side_of_the_median_are_ignored():
    # A short tail that runs past the median: the split stops at the first value not beyond it.
    hit = isolated_extremes([100.0, 1.0, 0.5], median=1.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0)

    assert hit == IsolatedExtremes(values=(100.0,), next_value=1.0, gap_ratio=100.0, robust_z=99.0)
    # All values below the median of an upper tail: nothing qualifies.
    assert isolated_extremes([0.5, 0.4], median=1.0, scale=1.0, min_gap_ratio=1.01, min_robust_z=0.01) is None


def test_gap_ratio_boundary_is_inclusive():
    # median 0, scale 1: ratio = (1 + 19) / (1 + 1) = 10 exactly, which qualifies.
    at = isolated_extremes([19.0, 1.0], median=0.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0)
    assert at == IsolatedExtremes(values=(19.0,), next_value=1.0, gap_ratio=10.0, robust_z=19.0)
    # (1 + 18.9) / 2 = 9.95: just short.
    just_short = isolated_extremes([18.9, 1.0], median=0.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0)
    assert just_short is None


def test_robust_z_boundary_is_inclusive():
    # Gap ratio 11 in both cases; only the robust distance decides.
    at = isolated_extremes([10.0, 0.0], median=0.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0)
    assert at == IsolatedExtremes(values=(10.0,), next_value=0.0, gap_ratio=11.0, robust_z=10.0)
    # A large ratio is not enough when the value is close to the median in robust deviations.
    assert isolated_extremes([9.5, 0.0], median=0.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0) is None


def test_distances_are_measured_in_robust_deviations():
    # The same tail, scaled by 100, with scale 100: identical verdict and ratio.
    small = isolated_extremes([19.0, 1.0], median=0.0, scale=1.0, min_gap_ratio=10.0, min_robust_z=10.0)
    large = isolated_extremes([1900.0, 100.0], median=0.0, scale=100.0, min_gap_ratio=10.0, min_robust_z=10.0)

    assert small is not None
    assert large is not None
    assert (large.gap_ratio, large.robust_z) == (small.gap_ratio, small.robust_z)
    assert large.values == (1900.0,)


def test_robust_scale_is_iqr_over_1_349():
    assert ROBUST_SIGMA_PER_IQR == 1.349
    assert robust_scale(10.0, 23.49, 100.0) == pytest.approx(13.49 / 1.349, rel=1e-15)
    assert robust_scale(-2.0, 2.0, None) == 4.0 / 1.349


def test_robust_scale_falls_back_to_std_when_iqr_is_zero():
    # More than half the column is one value: IQR 0, so the standard deviation is the scale.
    values = np.array([5.0] * 90 + [4.0, 6.0, 7.0, 3.0, 5.5] + [50.0] * 5)
    q1, q3 = np.quantile(values, [0.25, 0.75])
    assert q1 == q3 == 5.0
    std = float(np.std(values, ddof=1))

    assert robust_scale(float(q1), float(q3), std) == std


@pytest.mark.parametrize("std", [0.0, None])
def test_robust_scale_is_none_when_iqr_and_std_are_zero(std):
    assert robust_scale(3.0, 3.0, std) is None


def test_constant_column_has_no_scale():
    values = np.full(1000, 42.0)
    q1, q3 = np.quantile(values, [0.25, 0.75])

    assert robust_scale(float(q1), float(q3), float(np.std(values, ddof=1))) is None
