"""The arithmetic of the robust detector: a Theil-Sen trend, the spread around it, and its floor.

Why a trend line rather than a plain median: a steadily growing table is always above the
median of its own past (by half the window times the daily growth), so a plain median/MAD
test flags healthy growth. The Theil-Sen line (the median of all pairwise slopes, with the
intercept as the median of y - slope * x) follows the trend yet, like the median, ignores up
to ~29% of wild points, so earlier outages and spikes in the window neither tilt it much nor
widen the spread. The value is judged by its distance from the line's extrapolation to the
judged moment, in units of the residuals' robust spread.

Why the spread is widened (`inflation`): the line is estimated from the same few points, so
a new point strays from it more than the fitted points do. As for an ordinary least-squares
prediction interval, the scale is multiplied by sqrt(n / (n - 2)) (two parameters were fitted
to the residuals, which shrinks them) and by sqrt(1 + 1/n + mean(x)^2 / Sxx) (the judged
point lies beyond the fitted points, where an error in the slope counts most). Theil-Sen is
about as efficient as least squares on normal noise, so the formula is a fair approximation.
With 7 points the factor is about 1.5, with 28 about 1.1.

Why a floor (`scale_floor`): a history of identical values has a MAD of zero, and dividing
by it turns float noise (0.1 + 1e-17) into an infinite score. When the MAD is zero because
most values coincide (a distinct count that is usually 5 and sometimes 6), the mean absolute
deviation (times 1.2533, its consistency factor for normal noise) stands in for it: a value
the history shows in about a fifth of its runs or more is then no surprise, a rarer one is.
The scale is never below 0.1% of the expected value's magnitude nor below 1e-9. So on a
perfectly constant history a change must exceed threshold x 0.1%, widened for prediction
(about 0.4% with the defaults and 28 points), to be anomalous; and a null rate that was
always exactly 0.0 is anomalous above ~4e-9, so 0.0 -> 0.3 is flagged while 1e-17 is not.
These floors assume the metric's unit is not itself tiny (a rate, a count, a mean in
ordinary units); for a metric that lives around 1e-9 the absolute floor would be too coarse.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import median_abs_deviation

MEAN_AD_TO_SIGMA = math.sqrt(math.pi / 2)
"""Mean absolute deviation x 1.2533 estimates the standard deviation of normal noise."""
RELATIVE_SCALE_FLOOR = 1e-3
ABSOLUTE_SCALE_FLOOR = 1e-9
FITTED_PARAMETERS = 2


@dataclass(frozen=True)
class TrendFit:
    """A robust line through the history and the spread of the history around it."""

    expected: float
    """The line's value at x = 0, the judged moment."""
    slope: float
    """Change per unit of x (per day, as the detectors measure x)."""
    sigma: float
    """The residuals' robust standard deviation, floored, before `inflation`."""
    inflation: float
    """How much more a new point strays from the line than the fitted points do (>= 1)."""

    @property
    def scale(self) -> float:
        """The standard deviation a new value is measured in."""
        return self.sigma * self.inflation


def theil_sen(x: Sequence[float], y: Sequence[float]) -> tuple[float, float]:
    """Slope and intercept: median pairwise slope, then the median of y - slope * x.

    Pairs with equal x have no slope and are skipped; with no usable pair the slope is 0.
    The intercept centres the residuals: their median is zero (up to rounding).
    scipy.stats.theilslopes(y, x, method="joint") computes the same slope and intercept (it
    skips equal x too). This is written out because scipy's default, method="separate", takes
    median(y) - slope * median(x) instead, whose residuals' median is not zero in general;
    because scipy warns and returns a NaN slope when no two x differ; and because it also
    computes a confidence interval that is not needed here.
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    first, second = np.triu_indices(len(xs), k=1)
    dx = xs[second] - xs[first]
    apart = dx != 0
    slope = float(np.median((ys[second] - ys[first])[apart] / dx[apart])) if apart.any() else 0.0
    intercept = float(np.median(ys - slope * xs))
    return slope, intercept


def robust_sigma(residuals: np.ndarray) -> float:
    """MAD-based standard deviation of residuals (MAD / 0.67449); the mean AD x 1.2533 when the MAD is 0."""
    sigma = float(median_abs_deviation(residuals, scale="normal"))
    if sigma > 0:
        return sigma
    # scipy.stats has no mean absolute deviation: written out with numpy
    return float(np.mean(np.abs(residuals - np.median(residuals)))) * MEAN_AD_TO_SIGMA


def scale_floor(expected: float) -> float:
    """The smallest spread believed: 0.1% of |expected|, and never below 1e-9."""
    return max(RELATIVE_SCALE_FLOOR * abs(expected), ABSOLUTE_SCALE_FLOOR)


def prediction_inflation(x: np.ndarray) -> float:
    """sqrt(n / (n - 2)) * sqrt(1 + 1/n + mean(x)^2 / Sxx), for a prediction at x = 0."""
    # the OLS prediction-interval factor, written out: scipy.stats offers no function for it
    n = len(x)
    degrees = math.sqrt(n / (n - FITTED_PARAMETERS)) if n > FITTED_PARAMETERS else 1.0
    centre = float(np.mean(x))
    sxx = float(np.sum((x - centre) ** 2))
    leverage = centre**2 / sxx if sxx > 0 else 0.0
    return degrees * math.sqrt(1 + 1 / n + leverage)


def fit_trend(x: Sequence[float], y: Sequence[float]) -> TrendFit:
    """Fit the line, measure the residuals' spread and widen it for a prediction at x = 0."""
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    slope, intercept = theil_sen(xs, ys)
    sigma = max(robust_sigma(ys - (intercept + slope * xs)), scale_floor(intercept))
    return TrendFit(expected=intercept, slope=slope, sigma=sigma, inflation=prediction_inflation(xs))
