"""The drift tests, from scipy: Kolmogorov-Smirnov, chi-square, and the population stability index.

* Numbers and times: `scipy.stats.ks_2samp` on the two samples. Its statistic D, the largest
  distance between the two empirical CDFs, is also the effect size (0 to 1). When a side is a
  stored summary (its quantiles, `dq_checks.drift.sketch`), D is still computed by ks_2samp on
  the points, but the p-value is the asymptotic one for the samples' real sizes
  (`scipy.stats.kstwo`, as ks_2samp itself computes it for large samples): the summary's 200
  points would understate the evidence of a 10,000-value sample.
* Categories and NULLs: `scipy.stats.chi2_contingency` on the 2 x k table of counts, with
  Cramér's V (`scipy.stats.contingency.association`; sqrt(chi2 / n) for a 2-row table) as the
  effect size; for NULLs the effect is the change of the NULL share itself.
* The population stability index, sum((c - b) x ln(c / b)) over bins, for both: the baseline's
  deciles for numbers (fewer when values tie), the categories for the rest. scipy has no PSI.
  A bin one side leaves empty counts as 0.0001 of it, the usual convention, so one empty bin
  gives a large index rather than infinity.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import contingency

from dq_checks.drift.sketch import Sample

EMPTY_BIN_SHARE = 1e-4
PSI_BINS = 10
EXACT_KS_LIMIT = 2_000
"""Above this many values on a side, ks_2samp's exact p-value costs more than it adds."""


@dataclass(frozen=True)
class TestResult:
    """A test's statistic and p-value, with the effect size the verdict rests on."""

    test: str
    statistic: float
    p_value: float
    effect: float
    effect_name: str

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "test": self.test,
            "statistic": _finite(self.statistic),
            "p_value": _finite(self.p_value),
            self.effect_name: _finite(self.effect),
        }


def ks_test(baseline: Sample, current: Sample) -> TestResult:
    """Two-sample Kolmogorov-Smirnov; D is the effect size."""
    large = max(baseline.size, current.size) > EXACT_KS_LIMIT
    result = stats.ks_2samp(current.values, baseline.values, method="asymp" if large else "auto")
    distance = float(result.statistic)
    p_value = float(result.pvalue)
    if baseline.summarized or current.summarized:
        effective = round(baseline.size * current.size / (baseline.size + current.size))
        p_value = float(stats.kstwo.sf(distance, max(effective, 1)))
    return TestResult("Kolmogorov-Smirnov", distance, p_value, distance, "ks_distance")


def chi_square(baseline: Sequence[int], current: Sequence[int]) -> TestResult | None:
    """Chi-square test of homogeneity of two count vectors over the same bins; None with under two bins.

    Bins empty on both sides are dropped (they have no expected count). Yates' correction is
    left off: it applies to 2 x 2 tables of small counts, and changes nothing at these sizes
    but the comparability of statistics between tables of different shapes.
    """
    table = np.array([baseline, current], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) == 0).any():
        return None
    result = stats.chi2_contingency(table, correction=False)
    cramers_v = float(contingency.association(table.astype(np.int64), method="cramer", correction=False))
    return TestResult("chi-square", float(result.statistic), float(result.pvalue), cramers_v, "cramers_v")


def null_rate_test(baseline: tuple[int, int], current: tuple[int, int]) -> TestResult | None:
    """Chi-square on (NULLs, values) of each side, (rows, NULLs) given; the effect is the share's change."""
    (rows_b, nulls_b), (rows_c, nulls_c) = baseline, current
    if not rows_b or not rows_c:
        return None
    change = nulls_c / rows_c - nulls_b / rows_b
    test = chi_square([nulls_b, rows_b - nulls_b], [nulls_c, rows_c - nulls_c])
    if test is None:  # all NULL or no NULL on both sides: nothing moved
        return TestResult("chi-square", 0.0, 1.0, change, "null_rate_change")
    return TestResult("chi-square", test.statistic, test.p_value, change, "null_rate_change")


def psi(baseline: Sequence[float], current: Sequence[float]) -> float:
    """Population stability index of two count (or share) vectors over the same bins."""
    b = np.asarray(baseline, dtype=float)
    c = np.asarray(current, dtype=float)
    if b.sum() <= 0 or c.sum() <= 0:
        return 0.0
    b = np.clip(b / b.sum(), EMPTY_BIN_SHARE, None)
    c = np.clip(c / c.sum(), EMPTY_BIN_SHARE, None)
    return float(np.sum((c - b) * np.log(c / b)))


def numeric_psi(baseline: Sample, current: Sample, bins: int = PSI_BINS) -> float:
    """PSI over the baseline's quantile bins (deciles by default; tied edges merge)."""
    base = np.asarray(baseline.values)
    now = np.asarray(current.values)
    edges = np.unique(np.quantile(base, np.arange(1, bins) / bins))
    return psi(_binned(base, edges), _binned(now, edges))


def _binned(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts of values in (-inf, e1], (e1, e2], ..., (ek, inf)."""
    return np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
