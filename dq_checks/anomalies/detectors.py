"""The single-profile detectors, plus isolated extremes.

| column type | anomaly                     | condition                                   |
|-------------|-----------------------------|---------------------------------------------|
| numeric     | z-score outliers (|z| > 3)  | more than 5% of values                      |
| numeric     | IQR outliers (1.5 x IQR)    | more than 10% of values                     |
| any         | null rate                   | above 20%                                   |
| categorical | high cardinality            | > 90% distinct and over 100 distinct values |
| categorical | single-value dominance      | more than 95%                               |
| numeric     | isolated extreme values     | see dq_checks.anomalies.isolation           |
| float       | NaN or infinite values      | any                                         |

Every threshold can be overridden per table and per column (AnomalySettings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dq_checks.anomalies.isolation import isolated_extremes, robust_scale
from dq_checks.anomalies.model import Anomaly, Severity
from dq_checks.config.models import AnomalySettings, AnomalyThresholds, Detector
from dq_checks.profile.model import ColumnProfile, TableProfile
from dq_checks.render.numbers import format_number, format_percent
from dq_checks.schema import ColumnKind

ColumnDetector = Callable[[ColumnProfile, AnomalyThresholds], Iterable[Anomaly]]


def detect_anomalies(profile: TableProfile, settings: AnomalySettings) -> list[Anomaly]:
    """Run every detector on every column, honouring per-column thresholds and skips.

    The list comes worst first: critical, then warning, then info.
    """
    found: list[Anomaly] = []
    for column in profile.columns.values():
        thresholds = settings.for_column(column.name)
        for detector, run in DETECTORS.items():
            if detector not in thresholds.skip:
                found.extend(run(column, thresholds))
    return sorted(found, key=lambda a: -a.severity.rank)


def zscore_outliers(column: ColumnProfile, t: AnomalyThresholds) -> Iterable[Anomaly]:
    """Too many values more than `zscore_threshold` standard deviations from the mean."""
    if column.outliers is None or column.non_null_count == 0:
        return []
    fraction = column.outliers.zscore_count / column.non_null_count
    if fraction <= t.zscore_max_fraction:
        return []
    return [
        Anomaly(
            column=column.name,
            type=Detector.ZSCORE.value,
            method=f"|z| > {t.zscore_threshold:g}",
            value=fraction,
            threshold=t.zscore_max_fraction,
            severity=Severity.WARNING,
            description=(
                f"{column.outliers.zscore_count:,} values ({format_percent(fraction)}) lie more than "
                f"{t.zscore_threshold:g} standard deviations from the mean; at most "
                f"{format_percent(t.zscore_max_fraction)} expected"
            ),
        )
    ]


def iqr_outliers(column: ColumnProfile, t: AnomalyThresholds) -> Iterable[Anomaly]:
    """Too many values outside q1 - k*IQR .. q3 + k*IQR."""
    if column.outliers is None or column.non_null_count == 0:
        return []
    stats = column.outliers
    fraction = stats.iqr_count / column.non_null_count
    if fraction <= t.iqr_max_fraction:
        return []
    return [
        Anomaly(
            column=column.name,
            type=Detector.IQR.value,
            method=f"outside q1 - {t.iqr_multiplier:g}*IQR .. q3 + {t.iqr_multiplier:g}*IQR",
            value=fraction,
            threshold=t.iqr_max_fraction,
            severity=Severity.WARNING,
            description=(
                f"{stats.iqr_count:,} values ({format_percent(fraction)}) fall outside "
                f"[{format_number(stats.iqr_lower_bound)}, {format_number(stats.iqr_upper_bound)}]; at most "
                f"{format_percent(t.iqr_max_fraction)} expected"
            ),
        )
    ]


def null_rate(column: ColumnProfile, t: AnomalyThresholds) -> Iterable[Anomaly]:
    """Too many NULLs; a column that is entirely NULL is critical."""
    if column.row_count == 0:
        return []
    fraction = column.null_count / column.row_count
    if fraction <= t.null_rate_max:
        return []
    entirely = column.null_count == column.row_count
    return [
        Anomaly(
            column=column.name,
            type=Detector.NULL_RATE.value,
            method="null count / row count",
            value=fraction,
            threshold=t.null_rate_max,
            severity=Severity.CRITICAL if entirely else Severity.WARNING,
            description=(
                f"every one of {column.row_count:,} rows is NULL"
                if entirely
                else f"{column.null_count:,} of {column.row_count:,} rows are NULL "
                f"({format_percent(fraction)}); at most {format_percent(t.null_rate_max)} expected"
            ),
        )
    ]


def high_cardinality(column: ColumnProfile, t: AnomalyThresholds) -> Iterable[Anomaly]:
    """A string column where nearly every value is different: likely an identifier or free text."""
    if column.kind is not ColumnKind.STRING or not column.distinct_count or column.non_null_count == 0:
        return []
    ratio = column.distinct_count / column.non_null_count
    if ratio <= t.cardinality_max_ratio or column.distinct_count <= t.cardinality_min_distinct:
        return []
    return [
        Anomaly(
            column=column.name,
            type=Detector.HIGH_CARDINALITY.value,
            method="distinct count / non-null count",
            value=ratio,
            threshold=t.cardinality_max_ratio,
            severity=Severity.INFO,
            description=(
                f"{column.distinct_count:,} distinct values in {column.non_null_count:,} rows "
                f"({format_percent(ratio)}): behaves like an identifier or free text, not a category"
            ),
        )
    ]


def single_value_dominance(column: ColumnProfile, t: AnomalyThresholds) -> Iterable[Anomaly]:
    """One value makes up nearly the whole categorical column."""
    if not column.kind.is_categorical or not column.top_values or column.non_null_count == 0:
        return []
    top = column.top_values[0]
    share = top.count / column.non_null_count
    if share <= t.dominance_max_share:
        return []
    return [
        Anomaly(
            column=column.name,
            type=Detector.DOMINANCE.value,
            method="most frequent value's count / non-null count",
            value=share,
            threshold=t.dominance_max_share,
            severity=Severity.WARNING,
            description=(
                f"{top.value!r} makes up {format_percent(share)} of non-NULL values "
                f"({top.count:,} of {column.non_null_count:,}); "
                f"at most {format_percent(t.dominance_max_share)} expected"
            ),
            examples=(top.value,),
        )
    ]


def isolated_extreme(column: ColumnProfile, t: AnomalyThresholds) -> Iterable[Anomaly]:
    """Values that sit far beyond everything else in the column (see the isolation module)."""
    stats = column.outliers
    if stats is None or column.median is None or column.q1 is None or column.q3 is None:
        return []
    scale = robust_scale(column.q1, column.q3, column.std)
    if scale is None:
        return []
    found = []
    for side, tail in (("largest", stats.largest), ("smallest", stats.smallest)):
        hit = isolated_extremes(
            tail,
            median=column.median,
            scale=scale,
            min_gap_ratio=t.isolation_min_gap_ratio,
            min_robust_z=t.isolation_min_robust_z,
        )
        if hit is None:
            continue
        shown = ", ".join(format_number(v) for v in hit.values)
        found.append(
            Anomaly(
                column=column.name,
                type=Detector.ISOLATED_EXTREME.value,
                method=f"gap from median vs next value ({side} values)",
                value=hit.gap_ratio,
                threshold=t.isolation_min_gap_ratio,
                severity=Severity.CRITICAL,
                description=(
                    f"{len(hit.values)} isolated extreme value(s) {shown}: {hit.gap_ratio:,.1f}x farther "
                    f"from the median ({format_number(column.median)}) than the next value "
                    f"({format_number(hit.next_value)})"
                ),
                examples=hit.values,
            )
        )
    return found


def non_finite_values(column: ColumnProfile, t: AnomalyThresholds) -> Iterable[Anomaly]:
    """NaN or infinities in a floating-point column: values no statistic can use."""
    if not column.non_finite:
        return []
    fraction = column.non_finite / column.row_count
    return [
        Anomaly(
            column=column.name,
            type=Detector.NON_FINITE.value,
            method="NaN or infinite values / row count",
            value=fraction,
            threshold=0.0,
            severity=Severity.WARNING,
            description=(
                f"{column.non_finite:,} values ({format_percent(fraction)}) are NaN or infinite; "
                "they are left out of every statistic"
            ),
        )
    ]


DETECTORS: dict[Detector, ColumnDetector] = {
    Detector.NULL_RATE: null_rate,
    Detector.NON_FINITE: non_finite_values,
    Detector.ZSCORE: zscore_outliers,
    Detector.IQR: iqr_outliers,
    Detector.ISOLATED_EXTREME: isolated_extreme,
    Detector.HIGH_CARDINALITY: high_cardinality,
    Detector.DOMINANCE: single_value_dominance,
}
