"""A partition is placed on the history's axis at its own start, in the zone its partitions are cut in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg

from dq_assets.partition_axis import PartitionAxis
from dq_checks.history.detectors import Verdict, robust_judgement
from dq_checks.history.series import Point


def test_a_paris_partition_of_the_first_is_judged_on_the_first() -> None:
    paris = dg.DailyPartitionsDefinition(start_date="2026-01-01", timezone="Europe/Paris")
    axis = PartitionAxis("2026-11-01", paris)
    start = axis.start
    assert start is not None
    # In UTC the partition starts on 2026-10-31 at 23:00: turned to UTC, it would be the 31st.
    assert start.astimezone(UTC) == datetime(2026, 10, 31, 23, 0, tzinfo=UTC)
    assert start.day == 1
    # Planted: month-start loads of ~1,000 rows on the 1st of each earlier month, ~100 on other days.
    history = []
    for month in range(1, 11):
        first = axis.start_of(f"2026-{month:02d}-01")
        assert first is not None
        history.append(Point(first, 1_000.0 + month))
        history += [Point(first + timedelta(days=d), 100.0 + d % 3) for d in range(1, 20)]
    judged = robust_judgement(1_011.0, start, history, min_points=5, seasonality="day_of_month")
    assert judged.verdict is Verdict.NORMAL  # compared with the other 1sts only, on their trend
    assert judged.points_used == 10
    quiet = robust_judgement(101.0, start, history, min_points=5, seasonality="day_of_month")
    assert quiet.verdict is Verdict.ANOMALOUS  # a normal day's count on the 1st is the anomaly
