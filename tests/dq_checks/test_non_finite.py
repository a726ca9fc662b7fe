"""NaN and infinities in floating-point columns are counted apart and kept out of statistics."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from dq_checks.anomalies import Severity, detect_anomalies
from dq_checks.config.models import AnomalySettings
from dq_checks.profile.profiler import profile_table
from dq_checks.schema import ColumnInfo, ColumnKind
from tests.runners import duckdb_over

FINITE = [float(v) for v in range(1, 101)]  # 1..100
READINGS = [*FINITE, math.nan, math.inf, -math.inf, None]  # planted: NaN, +inf, -inf and one NULL


def profile_readings():
    table = pa.table({"reading": pa.array(READINGS, pa.float64()), "whole": pa.array(range(104), pa.int64())})
    columns = [
        ColumnInfo("reading", "double", ColumnKind.NUMERIC, floating=True),
        ColumnInfo("whole", "long", ColumnKind.NUMERIC),
    ]
    with duckdb_over(table) as runner:
        return profile_table(runner, columns, AnomalySettings(), row_count_hint=104)


def test_statistics_use_finite_values_only() -> None:
    reading = profile_readings().columns["reading"]
    assert reading.non_finite == 3
    assert reading.null_count == 1
    assert (reading.min, reading.max) == (1.0, 100.0)
    assert reading.mean == float(np.mean(FINITE))
    assert math.isclose(reading.std, float(np.std(FINITE, ddof=1)))
    assert (reading.q1, reading.median, reading.q3) == tuple(np.quantile(FINITE, [0.25, 0.5, 0.75]))
    assert reading.outliers is not None
    assert reading.outliers.largest[0] == 100.0
    assert reading.outliers.smallest[0] == 1.0


def test_integer_columns_have_no_non_finite_count() -> None:
    assert profile_readings().columns["whole"].non_finite is None


def test_non_finite_values_are_a_warning() -> None:
    anomalies = detect_anomalies(profile_readings(), AnomalySettings())
    assert [(a.column, a.type, a.severity) for a in anomalies] == [
        ("reading", "non_finite_values", Severity.WARNING)
    ]
    assert anomalies[0].value == 3 / 104
