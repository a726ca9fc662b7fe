"""Replay a year of daily row counts through the history detectors and score them.

Usage: `python bench/volume_bench.py [--seed N] [--days N]`

The data: one monitored table's daily row count, loaded every day at 06:00 UTC, built by a
seeded generator (numpy `default_rng`) that multiplies four parts, each a plausible trait
of a business's event table:

* a level of 120,000 rows a day growing 60% over the year (exponential, ~0.13% a day);
* a weekly cycle: Monday 1.08 (the weekend's catch-up), Tuesday to Thursday 1.00, Friday
  0.95, Saturday 0.32, Sunday 0.28;
* day-to-day noise, lognormal with sigma 0.06 (about +-6%);
* injected anomalies, the ground truth: 8 partial loads (one day at 20% to 60% of normal),
  6 spikes (one day at 1.8x to 3x: duplicated or backfilled loads) and 3 outages (2 to 5
  consecutive days at 0% to 5% of normal, a broken pipeline's trickle). Incidents start
  after an 8-week warm-up and are at least 3 days apart. The warm-up is the table's first
  weeks: with a few days of history nobody, person or detector, can tell an incident from
  normal, and the seasonal detector needs 7 weeks (7 earlier runs on the same weekday).

Nothing in the generator is fitted to the detectors; the detectors run with their defaults.

The replay: each day is judged against the days before it only (`history[:day]`), by
(1) `ratio_to_recent_mean` (the original 50%/200% rule over the last 7 runs),
(2) `robust_judgement` without seasonality and (3) `robust_judgement` with
seasonality="day_of_week". ANOMALOUS counts as flagged; NOT_ENOUGH_HISTORY and NORMAL as
not flagged. Every day of the year is scored. This is a benchmark, not a test: it prints
and never fails.
"""

from __future__ import annotations

import argparse
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from dq_checks.history.detectors import HistoryJudgement, Verdict, ratio_to_recent_mean, robust_judgement
from dq_checks.history.series import Point

START = datetime(2025, 1, 6, 6, 0, tzinfo=UTC)  # a Monday, 06:00 UTC
BASE_ROWS = 120_000
YEARLY_GROWTH = 1.60
WEEKLY = (1.08, 1.00, 1.00, 1.00, 0.95, 0.32, 0.28)  # Monday .. Sunday
NOISE_SIGMA = 0.06
WARM_UP_DAYS = 56
MIN_GAP_DAYS = 3
DROPS, SPIKES, OUTAGES = 8, 6, 3

Detector = Callable[[float, datetime, Sequence[Point]], HistoryJudgement]
DETECTORS: dict[str, Detector] = {
    "ratio 50%/200% of 7-run mean": lambda v, at, h: ratio_to_recent_mean(v, h),
    "robust, no seasonality": robust_judgement,
    "robust, day_of_week": functools.partial(robust_judgement, seasonality="day_of_week"),
}


@dataclass(frozen=True)
class Incident:
    """Injected anomalous days: a kind, the first day, how many days, the factor applied."""

    kind: str
    start: int
    length: int
    factor: float


@dataclass(frozen=True)
class Score:
    """One detector's confusion counts against the ground truth."""

    flagged: int
    skipped: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Flagged days that were anomalous, over flagged days (0 when nothing is flagged)."""
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else 0.0

    @property
    def recall(self) -> float:
        """Anomalous days flagged, over anomalous days."""
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 0.0


def place_incidents(rng: np.random.Generator, days: int) -> list[Incident]:
    """Draw non-overlapping incidents after the warm-up, at least MIN_GAP_DAYS apart."""
    wanted = (
        [("outage", int(rng.integers(2, 6)), float(rng.uniform(0.0, 0.05))) for _ in range(OUTAGES)]
        + [("drop", 1, float(rng.uniform(0.2, 0.6))) for _ in range(DROPS)]
        + [("spike", 1, float(rng.uniform(1.8, 3.0))) for _ in range(SPIKES)]
    )
    placed: list[Incident] = []
    for kind, length, factor in wanted:
        while True:
            start = int(rng.integers(WARM_UP_DAYS, days - length + 1))
            if all(
                start + length + MIN_GAP_DAYS <= other.start
                or other.start + other.length + MIN_GAP_DAYS <= start
                for other in placed
            ):
                placed.append(Incident(kind, start, length, factor))
                break
    return sorted(placed, key=lambda incident: incident.start)


def generate(seed: int, days: int) -> tuple[list[Point], list[Incident]]:
    """The year of row counts and the incidents planted in it."""
    rng = np.random.default_rng(seed)
    growth = math.log(YEARLY_GROWTH) / 365
    noise = rng.lognormal(0.0, NOISE_SIGMA, size=days)
    incidents = place_incidents(rng, days)
    factors = np.ones(days)
    for incident in incidents:
        factors[incident.start : incident.start + incident.length] = incident.factor
    points = []
    for day in range(days):
        at = START + timedelta(days=day)
        rows = BASE_ROWS * math.exp(growth * day) * WEEKLY[at.weekday()] * noise[day] * factors[day]
        points.append(Point(at, float(round(rows))))
    return points, incidents


def replay(points: Sequence[Point], truth: set[int], detector: Detector) -> tuple[Score, set[int]]:
    """Judge every day against the days before it; return the score and the flagged days."""
    flagged: set[int] = set()
    skipped = 0
    for day, point in enumerate(points):
        verdict = detector(point.value, point.at, points[:day]).verdict
        if verdict is Verdict.ANOMALOUS:
            flagged.add(day)
        elif verdict is Verdict.NOT_ENOUGH_HISTORY:
            skipped += 1
    score = Score(
        flagged=len(flagged),
        skipped=skipped,
        true_positives=len(flagged & truth),
        false_positives=len(flagged - truth),
        false_negatives=len(truth - flagged),
    )
    return score, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20250106)
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args()

    points, incidents = generate(args.seed, args.days)
    truth = {day for i in incidents for day in range(i.start, i.start + i.length)}
    by_kind = {
        kind: {d for i in incidents if i.kind == kind for d in range(i.start, i.start + i.length)}
        for kind in ("drop", "spike", "outage")
    }
    print(f"{len(points)} daily row counts from {points[0].at:%Y-%m-%d} (seed {args.seed}); ", end="")
    print(f"{len(truth)} anomalous days in {len(incidents)} incidents:")
    for i in incidents:
        first = points[i.start].at
        print(f"  {i.kind:<6} day {i.start:>3} ({first:%a %Y-%m-%d}) x{i.length} at {i.factor:.2f} x normal")
    print()

    header = f"{'detector':<30} {'flagged':>7} {'skipped':>7} {'TP':>4} {'FP':>4} {'FN':>4} "
    header += f"{'precision':>9} {'recall':>6}  caught: drop / spike / outage days"
    print(header)
    print("-" * len(header))
    scores: dict[str, Score] = {}
    for name, detector in DETECTORS.items():
        score, flagged = replay(points, truth, detector)
        scores[name] = score
        caught = " / ".join(f"{len(flagged & days)}/{len(days)}" for days in by_kind.values())
        print(
            f"{name:<30} {score.flagged:>7} {score.skipped:>7} {score.true_positives:>4} "
            f"{score.false_positives:>4} {score.false_negatives:>4} {score.precision:>9.3f} "
            f"{score.recall:>6.3f}  {caught}"
        )
    print()
    baseline = scores["ratio 50%/200% of 7-run mean"]
    for name in ("robust, no seasonality", "robust, day_of_week"):
        robust = scores[name]
        better_p = robust.precision > baseline.precision
        better_r = robust.recall > baseline.recall
        print(
            f"{name} vs the 50%/200% rule: precision {robust.precision:.3f} vs {baseline.precision:.3f} "
            f"({'better' if better_p else 'NOT better'}), recall {robust.recall:.3f} vs "
            f"{baseline.recall:.3f} ({'better' if better_r else 'NOT better'}): "
            f"{'BEATS it on both' if better_p and better_r else 'does NOT beat it on both'}"
        )


if __name__ == "__main__":
    main()
