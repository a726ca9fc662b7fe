"""Single-profile anomaly detectors on hand-built profiles, and the check results built from them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dq_checks.anomalies import Anomaly, Severity, detect_anomalies, worst_severity
from dq_checks.anomalies.isolation import ROBUST_SIGMA_PER_IQR
from dq_checks.config.models import AnomalySettings, AnomalyThresholds, Detector
from dq_checks.profile.model import ColumnProfile, OutlierStats, TableProfile, ValueCount
from dq_checks.results import CheckSeverity, Markdown, Outcome
from dq_checks.results.builders import anomalies_result, profile_result
from dq_checks.schema import ColumnKind

DEFAULT = AnomalySettings()


def numeric(
    name="x",
    *,
    rows=10_000,
    nulls=0,
    zscore=0,
    iqr=0,
    q1=40.0,
    median=50.0,
    q3=60.0,
    mean=50.0,
    std=15.0,
    largest=(),
    smallest=(),
):
    """A numeric column with second-pass stats; IQR fences at q1 - 1.5 IQR .. q3 + 1.5 IQR."""
    spread = q3 - q1
    return ColumnProfile(
        name=name,
        data_type="double",
        kind=ColumnKind.NUMERIC,
        row_count=rows,
        null_count=nulls,
        distinct_count=rows - nulls,
        min=0.0,
        max=100.0,
        mean=mean,
        median=median,
        std=std,
        q1=q1,
        q3=q3,
        zeros=0,
        negatives=0,
        outliers=OutlierStats(
            zscore_threshold=3.0,
            zscore_count=zscore,
            iqr_lower_bound=q1 - 1.5 * spread,
            iqr_upper_bound=q3 + 1.5 * spread,
            iqr_count=iqr,
            largest=tuple(largest),
            smallest=tuple(smallest),
        ),
    )


def categorical(name="s", *, kind=ColumnKind.STRING, rows=10_000, nulls=0, distinct=10, top=()):
    return ColumnProfile(
        name=name,
        data_type="string" if kind is ColumnKind.STRING else "boolean",
        kind=kind,
        row_count=rows,
        null_count=nulls,
        distinct_count=distinct,
        top_values=tuple(ValueCount(v, c) for v, c in top),
    )


def all_null(name="empty", *, kind=ColumnKind.NUMERIC, rows=500):
    """What the profiler produces for a column with no values at all."""
    return ColumnProfile(
        name=name, data_type="double", kind=kind, row_count=rows, null_count=rows, distinct_count=0
    )


def table(*columns, rows=None):
    row_count = rows if rows is not None else (columns[0].row_count if columns else 0)
    return TableProfile(row_count=row_count, columns={c.name: c for c in columns}, queries=2)


def detect(*columns, settings=DEFAULT):
    return detect_anomalies(table(*columns), settings)


def kinds(anomalies):
    return [(a.column, a.type, a.severity) for a in anomalies]


# --- null rate ------------------------------------------------------------------------------


def test_null_rate_exactly_at_threshold_does_not_fire():
    assert detect(numeric(nulls=2000)) == []  # 2,000 / 10,000 = 20% exactly


def test_null_rate_just_above_threshold_fires():
    assert detect(numeric("amount", nulls=2001)) == [
        Anomaly(
            column="amount",
            type="null_rate",
            method="null count / row count",
            value=0.2001,
            threshold=0.2,
            severity=Severity.WARNING,
            description="2,001 of 10,000 rows are NULL (20.01%); at most 20.00% expected",
        )
    ]


@pytest.mark.parametrize(
    "kind", [ColumnKind.NUMERIC, ColumnKind.STRING, ColumnKind.BOOLEAN, ColumnKind.TEMPORAL]
)
def test_all_null_column_is_critical(kind):
    assert detect(all_null("gone", kind=kind, rows=500)) == [
        Anomaly(
            column="gone",
            type="null_rate",
            method="null count / row count",
            value=1.0,
            threshold=0.2,
            severity=Severity.CRITICAL,
            description="every one of 500 rows is NULL",
        )
    ]


def test_empty_table_has_no_anomalies():
    assert detect(all_null("x", rows=0), categorical("s", rows=0, distinct=0)) == []


# --- single-value dominance -----------------------------------------------------------------


def test_dominance_exactly_at_threshold_does_not_fire():
    column = categorical("status", distinct=3, top=[("delivered", 9500), ("shipped", 400), ("lost", 100)])
    assert detect(column) == []


def test_dominance_just_above_threshold_fires_with_the_value_as_example():
    # 1,000 NULLs (9.09%) are left out of the denominator: the share is of non-NULL values.
    column = categorical(
        "status",
        rows=11_000,
        nulls=1000,
        distinct=3,
        top=[("delivered", 9501), ("shipped", 400), ("lost", 99)],
    )

    assert detect(column) == [
        Anomaly(
            column="status",
            type="single_value_dominance",
            method="most frequent value's count / non-null count",
            value=0.9501,
            threshold=0.95,
            severity=Severity.WARNING,
            description=(
                "'delivered' makes up 95.01% of non-NULL values (9,501 of 10,000); at most 95.00% expected"
            ),
            examples=("delivered",),
        )
    ]


def test_dominance_applies_to_booleans_but_not_numbers():
    flag = categorical("flag", kind=ColumnKind.BOOLEAN, rows=1000, distinct=2, top=[(True, 990), (False, 10)])
    found = detect(flag)
    assert kinds(found) == [("flag", "single_value_dominance", Severity.WARNING)]
    assert found[0].examples == (True,)
    assert found[0].value == 0.99

    # A numeric column with one overwhelming value is not judged by dominance.
    number = numeric("n", rows=1000)
    number = replace(number, top_values=(ValueCount(0, 999),))
    assert detect(number) == []


# --- z-score and IQR outliers ---------------------------------------------------------------


def test_zscore_fraction_at_threshold_does_not_fire():
    assert detect(numeric(zscore=500)) == []  # 5% exactly


def test_zscore_fraction_just_above_threshold_fires():
    assert detect(numeric("amount", zscore=501)) == [
        Anomaly(
            column="amount",
            type="zscore_outliers",
            method="|z| > 3",
            value=0.0501,
            threshold=0.05,
            severity=Severity.WARNING,
            description=(
                "501 values (5.01%) lie more than 3 standard deviations from the mean; at most 5.00% expected"
            ),
        )
    ]


def test_zscore_denominator_is_non_null_count():
    # 450 of 9,000 non-NULL values is 5% exactly; 450 of 10,000 rows would be 4.5%.
    assert detect(numeric(rows=10_000, nulls=1000, zscore=450)) == []
    assert kinds(detect(numeric(rows=10_000, nulls=1000, zscore=451))) == [
        ("x", "zscore_outliers", Severity.WARNING)
    ]


def test_iqr_fraction_at_threshold_does_not_fire():
    assert detect(numeric(iqr=1000)) == []  # 10% exactly


def test_iqr_fraction_just_above_threshold_fires():
    assert detect(numeric("amount", iqr=1001)) == [
        Anomaly(
            column="amount",
            type="iqr_outliers",
            method="outside q1 - 1.5*IQR .. q3 + 1.5*IQR",
            value=0.1001,
            threshold=0.1,
            severity=Severity.WARNING,
            description="1,001 values (10.01%) fall outside [10, 90]; at most 10.00% expected",
        )
    ]


def test_outlier_detectors_need_second_pass_stats():
    bare = ColumnProfile(
        name="x", data_type="double", kind=ColumnKind.NUMERIC, row_count=100, null_count=0, distinct_count=100
    )
    assert detect(bare) == []


# --- high cardinality -----------------------------------------------------------------------


def test_cardinality_ratio_at_threshold_does_not_fire():
    assert detect(categorical("email", distinct=9000)) == []  # 90% exactly, 9,000 > 100 distinct


def test_cardinality_ratio_just_above_threshold_fires_as_info():
    assert detect(categorical("email", distinct=9001)) == [
        Anomaly(
            column="email",
            type="high_cardinality",
            method="distinct count / non-null count",
            value=0.9001,
            threshold=0.9,
            severity=Severity.INFO,
            description=(
                "9,001 distinct values in 10,000 rows (90.01%): behaves like an identifier or free text, "
                "not a category"
            ),
        )
    ]


def test_cardinality_needs_more_than_100_distinct_values():
    # 100 distinct values in 100 rows: ratio 100%, but not more than 100 distinct values.
    assert detect(categorical("code", rows=100, distinct=100)) == []
    # 101 of 101 fires.
    found = detect(categorical("code", rows=101, distinct=101))
    assert kinds(found) == [("code", "high_cardinality", Severity.INFO)]
    assert found[0].value == 1.0


def test_booleans_never_flag_high_cardinality():
    lowered = AnomalySettings(cardinality_min_distinct=0)
    # Two distinct values in two rows: a string column would be flagged with these settings...
    assert kinds(detect(categorical("s", rows=2, distinct=2), settings=lowered)) == [
        ("s", "high_cardinality", Severity.INFO)
    ]
    # ...a boolean column never is, even with an (impossible) huge distinct count.
    assert detect(categorical("b", kind=ColumnKind.BOOLEAN, rows=2, distinct=2), settings=lowered) == []
    assert detect(categorical("b", kind=ColumnKind.BOOLEAN, rows=1000, distinct=1000)) == []


def test_numbers_never_flag_high_cardinality():
    assert detect(numeric("id", rows=10_000)) == []  # every value distinct


# --- isolated extremes ----------------------------------------------------------------------


def wind_column(name="wind", *, largest, smallest):
    return numeric(name, q1=5.0, median=10.0, q3=17.0, mean=11.0, std=8.0, largest=largest, smallest=smallest)


def gap(outer, inner, *, median=10.0, q1=5.0, q3=17.0):
    scale = (q3 - q1) / ROBUST_SIGMA_PER_IQR
    return (1 + abs(outer - median) / scale) / (1 + abs(inner - median) / scale)


UPPER_CLEAN = (49.9, 49.5, 48.0, 47.2, 46.0)
LOWER_CLEAN = (0.1, 0.2, 0.4, 0.5, 0.9)


def test_isolated_extreme_is_critical_with_the_values_as_examples():
    # Planted defect: one 1,000 mph reading above readings under 50.
    column = wind_column(largest=(1000.0, *UPPER_CLEAN), smallest=LOWER_CLEAN)

    (found,) = detect(column)

    ratio = gap(1000.0, 49.9)
    assert found == Anomaly(
        column="wind",
        type="isolated_extreme",
        method="gap from median vs next value (largest values)",
        value=pytest.approx(ratio, rel=1e-12),
        threshold=10.0,
        severity=Severity.CRITICAL,
        description=(
            f"1 isolated extreme value(s) 1,000: {ratio:,.1f}x farther from the median (10) "
            "than the next value (49.9)"
        ),
        examples=(1000.0,),
    )


def test_isolated_extremes_in_both_tails_are_two_anomalies():
    # Planted defects: 1,000 on top and -500 at the bottom.
    column = wind_column(largest=(1000.0, *UPPER_CLEAN), smallest=(-500.0, *LOWER_CLEAN))

    found = detect(column)

    assert [(a.method, a.examples) for a in found] == [
        ("gap from median vs next value (largest values)", (1000.0,)),
        ("gap from median vs next value (smallest values)", (-500.0,)),
    ]
    assert found[1].value == pytest.approx(gap(-500.0, 0.1), rel=1e-12)
    assert all(a.severity is Severity.CRITICAL for a in found)


def test_isolated_extreme_threshold_override():
    column = wind_column(largest=(1000.0, *UPPER_CLEAN), smallest=LOWER_CLEAN)
    ratio = gap(1000.0, 49.9)

    stricter = AnomalySettings(columns={"wind": AnomalyThresholds(isolation_min_gap_ratio=ratio + 0.01)})
    assert detect(column, settings=stricter) == []
    exact = AnomalySettings(columns={"wind": AnomalyThresholds(isolation_min_gap_ratio=ratio)})
    assert [a.threshold for a in detect(column, settings=exact)] == [ratio]


def test_isolated_extreme_needs_a_scale():
    # IQR and std both zero: no robust scale, so no distances to compare.
    column = numeric("c", q1=5.0, median=5.0, q3=5.0, std=0.0, largest=(1000.0, 5.0), smallest=(5.0, 5.0))
    assert detect(column) == []


def test_isolated_extreme_falls_back_to_std_when_iqr_is_zero():
    # IQR 0, std 2: 1,000 is (1000-5)/2 = 497.5 deviations out, the next value 1 deviation.
    column = numeric("c", q1=5.0, median=5.0, q3=5.0, std=2.0, largest=(1000.0, 7.0, 5.0), smallest=(5.0,))

    (found,) = detect(column)

    assert found.type == "isolated_extreme"
    assert found.value == (1 + 497.5) / (1 + 1.0)
    assert found.examples == (1000.0,)


# --- skip and per-column overrides ----------------------------------------------------------


def half_null(name):
    return numeric(name, nulls=3000, zscore=600)  # 30% NULL, 600 / 7,000 = 8.6% z-score outliers


def test_table_level_skip():
    settings = AnomalySettings(skip=(Detector.NULL_RATE,))

    found = detect(half_null("a"), half_null("b"), settings=settings)

    assert kinds(found) == [
        ("a", "zscore_outliers", Severity.WARNING),
        ("b", "zscore_outliers", Severity.WARNING),
    ]


def test_column_level_skip():
    settings = AnomalySettings(columns={"a": AnomalyThresholds(skip=(Detector.NULL_RATE, Detector.ZSCORE))})

    found = detect(half_null("a"), half_null("b"), settings=settings)

    assert kinds(found) == [("b", "null_rate", Severity.WARNING), ("b", "zscore_outliers", Severity.WARNING)]


def test_skip_from_yaml_shape():
    settings = AnomalySettings.model_validate({"columns": {"email": {"skip": ["high_cardinality"]}}})

    found = detect(categorical("email", distinct=9999), categorical("name", distinct=9999), settings=settings)

    assert kinds(found) == [("name", "high_cardinality", Severity.INFO)]


def test_per_column_threshold_override():
    settings = AnomalySettings(columns={"a": AnomalyThresholds(null_rate_max=0.5)})

    # 30% NULL: within a's own 50%, above b's table-level 20%.
    found = detect(
        numeric("a", nulls=3000), numeric("b", nulls=3000), numeric("c", nulls=5001), settings=settings
    )
    assert kinds(found) == [("b", "null_rate", Severity.WARNING), ("c", "null_rate", Severity.WARNING)]

    # a fires just above its own threshold, and reports that threshold.
    (over,) = detect(numeric("a", nulls=5001), settings=settings)
    assert (over.value, over.threshold) == (0.5001, 0.5)
    assert over.description == "5,001 of 10,000 rows are NULL (50.01%); at most 50.00% expected"


def test_per_column_zscore_threshold_changes_the_method_text():
    override = AnomalyThresholds(zscore_threshold=4.5, zscore_max_fraction=0.01)
    settings = AnomalySettings(columns={"x": override})

    (found,) = detect(numeric("x", zscore=101), settings=settings)

    assert (found.method, found.value, found.threshold) == ("|z| > 4.5", 0.0101, 0.01)


# --- ordering -------------------------------------------------------------------------------


def test_results_come_worst_first():
    columns = [
        categorical("a_ident", distinct=9999),  # info: high cardinality
        numeric("b_sparse", nulls=2500),  # warning: null rate
        all_null("c_gone"),  # critical: all NULL
        wind_column("d_wind", largest=(1000.0, *UPPER_CLEAN), smallest=LOWER_CLEAN),  # critical
    ]
    # d_wind also gets a warning: 9% z-score outliers.
    columns[3] = replace(columns[3], outliers=replace(columns[3].outliers, zscore_count=900))

    found = detect(*columns)

    assert kinds(found) == [
        ("c_gone", "null_rate", Severity.CRITICAL),
        ("d_wind", "isolated_extreme", Severity.CRITICAL),
        ("b_sparse", "null_rate", Severity.WARNING),
        ("d_wind", "zscore_outliers", Severity.WARNING),
        ("a_ident", "high_cardinality", Severity.INFO),
    ]
    ranks = [a.severity.rank for a in found]
    assert ranks == sorted(ranks, reverse=True)
    assert worst_severity(found) is Severity.CRITICAL
    assert worst_severity([]) is None


# --- check results --------------------------------------------------------------------------


CRITICAL = detect(all_null("c_gone"))[0]
WARNING = detect(numeric("b_sparse", nulls=2500))[0]
INFO = detect(categorical("a_ident", distinct=9999))[0]


def test_critical_anomaly_fails_with_error():
    result = anomalies_result([INFO, WARNING, CRITICAL])

    assert result.name == "anomalies"
    assert result.outcome is Outcome.FAIL
    assert result.severity is CheckSeverity.ERROR
    assert result.passed is False
    # all three counted, all three named: the informational one marked so
    assert result.description == (
        "3 anomalies (1 critical, 1 warning, 1 info): c_gone: null_rate; b_sparse: null_rate; "
        "a_ident: high_cardinality (info)"
    )
    assert {k: result.metadata[k] for k in ("anomaly_count", "critical", "warning", "info")} == {
        "anomaly_count": 3,
        "critical": 1,
        "warning": 1,
        "info": 1,
    }
    assert result.metadata["anomalies"] == [INFO.to_dict(), WARNING.to_dict(), CRITICAL.to_dict()]
    assert isinstance(result.metadata["anomalies_table"], Markdown)


def test_warning_only_fails_with_warn():
    result = anomalies_result([WARNING])

    assert (result.outcome, result.severity) == (Outcome.FAIL, CheckSeverity.WARN)
    assert result.description == "1 anomaly (0 critical, 1 warning): b_sparse: null_rate"
    assert result.passed is False


def test_info_only_passes():
    result = anomalies_result([INFO])

    assert (result.outcome, result.severity) == (Outcome.PASS, None)
    assert result.description == "no anomalies (1 informational)"
    assert result.passed is True
    assert result.metadata["info"] == 1


def test_no_anomalies_passes():
    result = anomalies_result([])

    assert (result.outcome, result.severity) == (Outcome.PASS, None)
    assert result.description == "no anomalies"
    assert result.metadata == {"anomaly_count": 0, "critical": 0, "warning": 0, "info": 0, "anomalies": []}


def test_anomalies_problems_are_an_error_not_a_failure():
    result = anomalies_result([CRITICAL], problems=["x.yaml:3: 'amout' is not a column", "second"])

    assert result.outcome is Outcome.ERROR
    assert result.severity is CheckSeverity.ERROR
    assert result.passed is False
    assert result.description == "error: x.yaml:3: 'amout' is not a column; second"
    assert result.metadata == {
        "error": "x.yaml:3: 'amout' is not a column; second",
        "problems": ["x.yaml:3: 'amout' is not a column", "second"],
    }


def test_empty_table_profile_fails_with_warn():
    empty = TableProfile(row_count=0, columns={"x": all_null("x", rows=0)}, queries=1)

    result = profile_result(empty, duration_seconds=0.12345)

    assert result.name == "profile"
    assert (result.outcome, result.severity) == (Outcome.FAIL, CheckSeverity.WARN)
    assert result.description == "table is empty: 0 rows"
    assert result.metadata == {
        "row_count": 0,
        "column_count": 1,
        "duration_seconds": 0.1235,
        "queries": 1,
        "dq/profile_level": "exact",
    }


def test_profiled_table_passes():
    profile = TableProfile(row_count=12_345, columns={"a": numeric("a"), "b": numeric("b")}, queries=3)

    result = profile_result(profile, duration_seconds=1.5)

    assert (result.outcome, result.severity, result.passed) == (Outcome.PASS, None, True)
    assert result.description == "profiled 12,345 rows x 2 columns in 1.50 s (3 queries)"
    assert result.metadata == {
        "row_count": 12_345,
        "column_count": 2,
        "duration_seconds": 1.5,
        "queries": 3,
        "dq/profile_level": "exact",
    }


def test_profile_problems_are_an_error():
    result = profile_result(table(numeric("a")), duration_seconds=1.0, problems=["pii_columns: 'emial'"])

    assert (result.outcome, result.severity) == (Outcome.ERROR, CheckSeverity.ERROR)
    assert result.description == "error: pii_columns: 'emial'"
    assert result.metadata["problems"] == ["pii_columns: 'emial'"]
