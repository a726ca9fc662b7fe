"""Score the `drift` check on a year of daily snapshots with planted shifts, and time what a baseline adds.

Usage: `python bench/drift_bench.py [--seed N] [--rows N] [--cost-rows N] [--repeat N] [--only PART]`

Part 1, detection. A seeded generator (numpy `default_rng`) builds DAYS = 360 daily snapshots of
one table, from Monday 2025-01-06. A weekday holds about `--rows` rows (20,000; Saturday 75%,
Sunday 65%, +-3% noise from day to day), in five columns:

* `amount`: normal, sd 15, its mean 100 growing 10% over the year;
* `latency_ms`: lognormal(4, 0.8), heavy-tailed (median 55, 99th percentile ~350);
* `channel`: 6 values, 30/22/18/14/10/6% of rows;
* `country`: text, 25 codes with Zipf-like shares (the top one 30%), 3% NULL;
* `created_at`: the day's date at a time of day normal around 13:00, sd 2.5 h.

30 of the days carry one planted shift each, 6 of each kind, on one column; the shift lasts
that day only. The kinds are shuffled over 30 days drawn at least MIN_GAP days apart, and the
column and the size are drawn per day, all from the seed:

* location: the column moves by 0.5 to 1 of its sd (`latency_ms` in log space: x1.5 to x2.2;
  `created_at` by 1.25 to 2.5 hours);
* scale: the spread around the centre grows x1.8 to x2.5 (`latency_ms` in log space);
* mix (`channel`, `country`): two values whose shares are 10 to 25 points apart swap shares;
* new category (`channel`, `country`): a value never seen before takes 3% to 10% of rows;
* null burst (any column): 20% to 40% of the rows become NULL.

Each day is sketched as the `drift` check sketches (`draw_sketch` on the day's table in an
in-process DuckDB, default `DriftSettings`: a 10,000-row reservoir sample, the 100 most
frequent values) and compared (`compare_tables`) with an earlier day's *summarized* sketch,
which is what a stored baseline keeps. Two baselines:

(a) the previous day, as `baseline: previous` does. The day after a planted day is compared
    with the shifted day and drifts back; that echo is right about its baseline, wrong about
    its own data. Echo days are left out of the score and counted apart.
(b) the last day that did not drift (as a check would that never lets a drifted day become its
    baseline). Every day is scored; a missed shift becomes the baseline, and the next day's
    echo is then a false positive.

Scoring, per (day, column) alert: a planted day is a true positive when its planted column is
flagged with the planted kind among its kinds; every other alert is a false positive (a clean
day's, another column's on a planted day, or the planted column named with the wrong kind).
Recall is true positives over the 30 planted days. Day-level figures (any alert on a day)
are printed too.

Part 2, cost. Two Parquet files of `--cost-rows` rows (1,000,000) x 10 columns, the table of
`profile_bench.py` (the second with another seed, `score` moved by half its sd and a new
`status` value in 4% of rows), in a temporary folder. Timed, best of `--repeat` interleaved
rounds, in this process:

* profiling each file as `dq profile FILE` does: `FileSourceResource(...).open(spec)`,
  `describe()` and `inspect_table(defined, opened)`, the definition built as the CLI's
  `_definition` builds it (drift off, as without `--baseline`);
* what the comparison adds: opening both files, drawing both sketches with `draw_sketch`
  through each table's `query_runner()`, and `compare_tables`; each part timed;
* `dq profile NEW --baseline OLD` as the CLI runs it: `inspect_table` on the new file with the
  old one as its `DriftBaseline`, against the new file's profile alone.

This is a benchmark, not a test: the goals print MET or MISSED and never change the exit code.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

DAYS = 360
PER_KIND = 6
MIN_GAP = 3
FIRST_PLANTED = 2
START = date(2025, 1, 6)  # a Monday
WEEKLY = (1.00, 1.02, 1.00, 0.98, 1.05, 0.75, 0.65)  # Monday .. Sunday
ROW_NOISE = 0.03

AMOUNT_MEAN, AMOUNT_SD, AMOUNT_TREND = 100.0, 15.0, 0.10
LATENCY_MU, LATENCY_SIGMA = 4.0, 0.8
CREATED_HOUR, CREATED_SD_HOURS = 13.0, 2.5
CHANNELS = ("web", "app", "store", "phone", "partner", "email")
CHANNEL_SHARES = (0.30, 0.22, 0.18, 0.14, 0.10, 0.06)
COUNTRIES = (
    "US", "DE", "FR", "GB", "ES", "IT", "NL", "PL", "SE", "BE", "AT", "CH", "DK",
    "NO", "FI", "IE", "PT", "CZ", "HU", "RO", "GR", "SK", "SI", "LT", "LV",
)  # fmt: skip
_ZIPF = 1.0 / np.arange(1, len(COUNTRIES) + 1) ** 1.1
COUNTRY_SHARES = tuple(float(w) for w in _ZIPF / _ZIPF.sum())
COUNTRY_NULLS = 0.03
NEW_VALUE = {"channel": "marketplace", "country": "MX"}

KINDS = ("location", "scale", "mix", "new_category", "null_rate")
NUMERIC = ("amount", "latency_ms", "created_at")
CATEGORICAL = ("channel", "country")
ELIGIBLE = {
    "location": NUMERIC,
    "scale": NUMERIC,
    "mix": CATEGORICAL,
    "new_category": CATEGORICAL,
    "null_rate": (*NUMERIC, *CATEGORICAL),
}
SIZES = {
    "location": (0.5, 1.0),
    "scale": (1.8, 2.5),
    "mix": (0.10, 0.25),
    "new_category": (0.03, 0.10),
    "null_rate": (0.20, 0.40),
}
GOAL_RECALL = GOAL_PRECISION = 0.9
GOAL_ADDED = 0.5  # the comparison adds at most 50% to the profile's time
MEMORY_LIMIT = "2GB"  # dq profile's default --memory-limit
EMAIL_DISTINCT = "email: nearly a distinct value a row"


# --------------------------------------------------------------------------- part 1: data


@dataclass(frozen=True)
class Plant:
    """One planted shift: its day, kind, column and size (sd, factor or share); a mix's swapped values."""

    day: int
    kind: str
    column: str
    size: float
    swapped: tuple[int, int] = (0, 0)

    def describe(self) -> str:
        """The shift in words, e.g. `amount +0.72 sd`."""
        if self.kind == "location":
            return f"{self.column} +{self.size:.2f} sd"
        if self.kind == "scale":
            return f"{self.column} spread x{self.size:.2f}"
        if self.kind == "mix":
            names = CHANNELS if self.column == "channel" else COUNTRIES
            shares = CHANNEL_SHARES if self.column == "channel" else COUNTRY_SHARES
            a, b = self.swapped
            return f"{self.column} {names[a]} {shares[a]:.1%} <-> {names[b]} {shares[b]:.1%}"
        if self.kind == "new_category":
            return f"{self.column} {NEW_VALUE[self.column]!r} in {self.size:.1%} of rows"
        return f"{self.column} {self.size:.1%} NULL"


def swappable(shares: Sequence[float]) -> list[tuple[int, int]]:
    """Pairs of values whose shares are within the mix's range of points apart."""
    low, high = SIZES["mix"]
    return [
        (a, b)
        for a in range(len(shares))
        for b in range(a + 1, len(shares))
        if low <= abs(shares[a] - shares[b]) <= high
    ]


def plan(seed: int) -> dict[int, Plant]:
    """The planted days: PER_KIND of each kind, shuffled over days at least MIN_GAP apart."""
    rng = np.random.default_rng(seed)
    days: list[int] = []
    while len(days) < PER_KIND * len(KINDS):
        day = int(rng.integers(FIRST_PLANTED, DAYS))
        if all(abs(day - other) >= MIN_GAP for other in days):
            days.append(day)
    kinds = [kind for kind in KINDS for _ in range(PER_KIND)]
    rng.shuffle(kinds)
    plants = {}
    for day, kind in zip(sorted(days), kinds, strict=True):
        column = str(rng.choice(ELIGIBLE[kind]))
        size = float(rng.uniform(*SIZES[kind]))
        swapped = (0, 0)
        if kind == "mix":
            shares = CHANNEL_SHARES if column == "channel" else COUNTRY_SHARES
            pairs = swappable(shares)
            swapped = pairs[int(rng.integers(len(pairs)))]
            size = abs(shares[swapped[0]] - shares[swapped[1]])
        plants[day] = Plant(day, kind, column, size, swapped)
    return plants


def day_table(seed: int, day: int, rows_per_day: int, plant: Plant | None) -> pa.Table:
    """One day's snapshot, with its planted shift if it has one; the clean draws do not depend on it."""
    rng = np.random.default_rng([seed, day])
    at = START + timedelta(days=day)
    rows = round(rows_per_day * WEEKLY[at.weekday()] * float(rng.lognormal(0.0, ROW_NOISE)))
    mean = AMOUNT_MEAN * (1 + AMOUNT_TREND * day / DAYS)
    amount = mean + AMOUNT_SD * rng.standard_normal(rows)
    log_latency = LATENCY_MU + LATENCY_SIGMA * rng.standard_normal(rows)
    hours = CREATED_HOUR + CREATED_SD_HOURS * rng.standard_normal(rows)
    shares = {"channel": list(CHANNEL_SHARES), "country": list(COUNTRY_SHARES)}
    if plant is not None and plant.kind == "mix":
        a, b = plant.swapped
        own = shares[plant.column]
        own[a], own[b] = own[b], own[a]
    uniform = {"channel": rng.random(rows), "country": rng.random(rows)}
    codes = {
        name: np.minimum(np.searchsorted(np.cumsum(shares[name]), uniform[name]), len(shares[name]) - 1)
        for name in CATEGORICAL
    }
    nulls = {name: np.zeros(rows, dtype=bool) for name in (*NUMERIC, *CATEGORICAL)}
    nulls["country"] = rng.random(rows) < COUNTRY_NULLS
    if plant is not None:  # the plant's own draws come after every clean one
        kind, name, size = plant.kind, plant.column, plant.size
        if kind == "location":
            if name == "amount":
                amount += size * AMOUNT_SD
            elif name == "latency_ms":
                log_latency += size * LATENCY_SIGMA
            else:
                hours += size * CREATED_SD_HOURS
        elif kind == "scale":
            if name == "amount":
                amount = mean + (amount - mean) * size
            elif name == "latency_ms":
                log_latency = LATENCY_MU + (log_latency - LATENCY_MU) * size
            else:
                hours = CREATED_HOUR + (hours - CREATED_HOUR) * size
        elif kind == "new_category":
            codes[name] = np.where(rng.random(rows) < size, len(shares[name]), codes[name])
        elif kind == "null_rate":
            nulls[name] |= rng.random(rows) < size
    midnight = np.datetime64(at, "us")
    seconds = np.mod(hours, 24.0) * 3600.0
    created = midnight + (seconds * 1e6).astype(np.int64).astype("timedelta64[us]")
    labels = {
        "channel": pa.array([*CHANNELS, NEW_VALUE["channel"]], pa.string()),
        "country": pa.array([*COUNTRIES, NEW_VALUE["country"]], pa.string()),
    }
    return pa.table(
        {
            "amount": pa.array(amount, pa.float64(), mask=nulls["amount"]),
            "latency_ms": pa.array(np.exp(log_latency), pa.float64(), mask=nulls["latency_ms"]),
            **{
                name: pa.DictionaryArray.from_arrays(
                    pa.array(codes[name].astype(np.int8), mask=nulls[name]), labels[name]
                ).dictionary_decode()
                for name in CATEGORICAL
            },
            "created_at": pa.array(created, pa.timestamp("us"), mask=nulls["created_at"]),
        }
    )


# --------------------------------------------------------------------------- part 1: replay


@dataclass
class DuckRunner:
    """The QueryRunner of one in-process DuckDB table, as the drift sketch needs it."""

    con: Any
    relation: Any
    dialect: str = "duckdb"
    heavy_apart: bool = True

    def fetch_rows(self, query: Any) -> list[tuple[Any, ...]]:
        """Every row of `query`, run in DuckDB."""
        return self.con.execute(query.sql("duckdb")).fetchall()

    def heavy_metrics_per_query(self, row_count: int) -> int:
        """Unused by the sketch; the protocol asks for it."""
        return 4


Flags = dict[str, tuple[str, ...]]
"""Column -> the kinds it was flagged with."""


@dataclass
class Replay:
    """Every day's flags under each design, each compared column's result, and how long it all took."""

    flags: dict[str, dict[int, Flags]]
    details: dict[str, dict[tuple[int, str], Any]]
    seconds: float


def replay(seed: int, rows_per_day: int, plants: dict[int, Plant]) -> Replay:
    """Sketch every day once; compare it with (a) the previous day and (b) the last day that did not drift."""
    import duckdb
    from sqlglot import exp

    from dq_checks.config.drift import DriftSettings
    from dq_checks.drift.compare import compare_tables
    from dq_checks.drift.draw import draw_sketch, drawn_columns
    from dq_resources.files.arrow_types import arrow_columns

    settings = DriftSettings()
    con = duckdb.connect()
    runner = DuckRunner(con, exp.table_("day_data"))
    flags: dict[str, dict[int, Flags]] = {"a": {}, "b": {}}
    details: dict[str, dict[tuple[int, str], Any]] = {"a": {}, "b": {}}
    previous = last_clean = None
    began = time.perf_counter()
    for day in range(DAYS):
        table = day_table(seed, day, rows_per_day, plants.get(day))
        con.register("day_data", table)
        columns = drawn_columns(arrow_columns(table.schema), settings)
        label = f"day {day} ({START + timedelta(days=day)})"
        sketch, errors = draw_sketch(runner, columns, settings, label=label)
        con.unregister("day_data")
        if errors:
            raise SystemExit(f"{label}: no sketch for {errors}")
        summary = sketch.summary()
        if previous is not None and last_clean is not None:
            for design, baseline in (("a", previous), ("b", last_clean)):
                drift = compare_tables(baseline, sketch, settings)
                flags[design][day] = {c.column: tuple(k.value for k in c.kinds) for c in drift.drifted}
                for c in drift.columns:
                    details[design][(day, c.column)] = c
            if not flags["b"][day]:
                last_clean = summary
        else:
            last_clean = summary
        previous = summary
    con.close()
    return Replay(flags, details, time.perf_counter() - began)


# --------------------------------------------------------------------------- part 1: scoring


@dataclass
class Score:
    """One design's counts."""

    true_positives: int
    alerts: int
    flagged_days: int
    flagged_planted_days: int
    planted: int
    scored_days: int
    false_by_column: dict[str, Counter[str]]
    echo_alerts: int
    echo_days_flagged: int

    @property
    def recall(self) -> float:
        """Planted days whose column was flagged with the planted kind, over planted days."""
        return self.true_positives / self.planted if self.planted else 0.0

    @property
    def precision(self) -> float:
        """Such hits over every (day, column) alert."""
        return self.true_positives / self.alerts if self.alerts else 0.0

    @property
    def day_recall(self) -> float:
        """Planted days with any alert, over planted days."""
        return self.flagged_planted_days / self.planted if self.planted else 0.0

    @property
    def day_precision(self) -> float:
        """Planted days with any alert, over days with any alert."""
        return self.flagged_planted_days / self.flagged_days if self.flagged_days else 0.0


def echo_days(plants: dict[int, Plant]) -> set[int]:
    """The days right after a planted day (compared with the shifted day under design (a))."""
    return {day + 1 for day in plants if day + 1 < DAYS and day + 1 not in plants}


def score(flags: dict[int, Flags], plants: dict[int, Plant], leave_out: set[int]) -> Score:
    """Strict (day, column, kind) and day-level counts over the days not left out."""
    true_positives = alerts = flagged_days = flagged_planted = scored = 0
    false_by_column: dict[str, Counter[str]] = defaultdict(Counter)
    echo_alerts = echo_flagged = 0
    for day, flagged in flags.items():
        if day in leave_out:
            echo_alerts += len(flagged)
            echo_flagged += bool(flagged)
            continue
        scored += 1
        plant = plants.get(day)
        alerts += len(flagged)
        flagged_days += bool(flagged)
        flagged_planted += bool(flagged) and plant is not None
        for column, kinds in flagged.items():
            if plant is not None and column == plant.column and plant.kind in kinds:
                true_positives += 1
                continue
            where = "clean day" if plant is None else "planted day"
            false_by_column[column][where] += 1
            for kind in kinds:
                false_by_column[column][kind] += 1
    return Score(
        true_positives,
        alerts,
        flagged_days,
        flagged_planted,
        len(plants),
        scored,
        dict(false_by_column),
        echo_alerts,
        echo_flagged,
    )


def evidence(column: Any) -> str:
    """A compared column's effect sizes, shortly."""
    if column is None:
        return ""
    said = []
    if column.distribution is not None:
        name = "KS" if column.distribution.effect_name == "ks_distance" else "V"
        said.append(f"{name} {column.distribution.effect:.3f} p {column.distribution.p_value:.1g}")
    if column.psi is not None:
        said.append(f"PSI {column.psi:.3f}")
    if column.null_test is not None and abs(column.null_test.effect) >= 0.005:
        said.append(f"NULLs {column.null_test.effect:+.3f}")
    if column.new_share:
        said.append(f"new {column.new_share:.3f}")
    return ", ".join(said)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], indent: str = "  ") -> None:
    """Plain text columns: the first left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers], *[[str(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        first = row[0].ljust(widths[0])
        return indent + "  ".join([first, *(v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True))])

    print(line(cells[0]))
    print(indent + "  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def report_design(design: str, title: str, result: Replay, plants: dict[int, Plant]) -> Score:
    """Print one design's planted days, scores, confusion table and false positives; return its score."""
    flags, details = result.flags[design], result.details[design]
    leave_out = echo_days(plants) if design == "a" else set()
    counted = score(flags, plants, leave_out)
    print(f"\n({design}) {title}")
    print()
    rows = []
    for day, plant in sorted(plants.items()):
        named = flags.get(day, {}).get(plant.column)
        hit = named is not None and plant.kind in named
        others = [f"{c} {'+'.join(k)}" for c, k in flags.get(day, {}).items() if c != plant.column]
        rows.append(
            (
                f"{day:>3} {START + timedelta(days=day):%a %m-%d}",
                plant.kind,
                plant.describe(),
                "+".join(named) if named else "-",
                "TP" if hit else ("wrong kind" if named else "MISSED"),
                evidence(details.get((day, plant.column))),
                ", ".join(others) or "-",
            )
        )
    print_table(("day", "planted", "shift", "named", "verdict", "evidence", "other columns flagged"), rows)
    if design == "a":
        echoes = sorted(leave_out)
        named_echoes = sum(plants[d - 1].column in flags.get(d, {}) for d in echoes)
        print(
            f"\n  echo days (the day after a planted day, compared with it; not scored): {len(echoes)}, "
            f"{counted.echo_days_flagged} flagged, {named_echoes} of them on the planted column "
            f"({counted.echo_alerts} alerts)"
        )
    print(f"\n  scored days: {counted.scored_days} (day 0 is the first baseline); planted: {counted.planted}")
    print_table(
        ("measure", "value", "goal", "met?"),
        [
            (
                "recall: planted column flagged with the planted kind",
                f"{counted.true_positives}/{counted.planted} = {counted.recall:.3f}",
                f">= {GOAL_RECALL}",
                "MET" if counted.recall >= GOAL_RECALL else "MISSED",
            ),
            (
                "precision: alerts (day x column) that are such hits",
                f"{counted.true_positives}/{counted.alerts} = {counted.precision:.3f}",
                f">= {GOAL_PRECISION}",
                "MET" if counted.precision >= GOAL_PRECISION else "MISSED",
            ),
            (
                "day recall: planted days with any alert",
                f"{counted.flagged_planted_days}/{counted.planted} = {counted.day_recall:.3f}",
                "",
                "",
            ),
            (
                "day precision: flagged days that were planted",
                f"{counted.flagged_planted_days}/{counted.flagged_days} = {counted.day_precision:.3f}",
                "",
                "",
            ),
        ],
    )
    print("\n  confusion, planted kind x kinds named on the planted column (a column may name two):")
    confusion = []
    for kind in KINDS:
        planted = [p for p in plants.values() if p.kind == kind]
        named = Counter(k for p in planted for k in flags.get(p.day, {}).get(p.column, ()))
        missed = sum(p.column not in flags.get(p.day, {}) for p in planted)
        hits = sum(kind in flags.get(p.day, {}).get(p.column, ()) for p in planted)
        confusion.append(
            (kind, len(planted), *(named.get(k, 0) for k in KINDS), missed, f"{hits}/{len(planted)}")
        )
    print_table(("planted \\ named", "planted", *KINDS, "missed", "recall"), confusion)
    print("\n  false positives per column (alerts that are not a planted hit):")
    fp_rows = [
        (
            column,
            counter["clean day"],
            counter["planted day"],
            ", ".join(f"{k} {counter[k]}" for k in KINDS if counter[k]) or "-",
        )
        for column, counter in sorted(counted.false_by_column.items())
    ]
    if fp_rows:
        print_table(("column", "on clean days", "on planted days", "kinds named"), fp_rows)
        false_days = [
            (day, column)
            for day, flagged in sorted(flags.items())
            if day not in leave_out
            for column, kinds in flagged.items()
            if not (day in plants and plants[day].column == column and plants[day].kind in kinds)
        ]
        for day, column in false_days[:12]:
            reason = details[design][(day, column)].reason if (day, column) in details[design] else ""
            print(f"    day {day:>3}: {reason[:150]}")
        if len(false_days) > 12:
            print(f"    ... and {len(false_days) - 12} more")
    else:
        print("    none")
    return counted


MEASURES = (
    ("KS distance, numbers and times", "ks", ("location", "scale")),
    ("PSI, numbers and times", "psi", ("location", "scale")),
    ("Cramér's V, categories", "cramers_v", ("mix",)),
    ("PSI, categories", "psi", ("mix",)),
    ("NULL share change (absolute)", "null_rate", ("null_rate",)),
    ("new values' share", "new_categories", ("new_category",)),
)


def measure(column: Any, name: str, label: str) -> float | None:
    """One effect size of a compared column, or None when it does not apply to the column."""
    numbers = column.compared_as in ("values", "time of day")
    if name == "ks":
        return column.distribution.effect if numbers and column.distribution is not None else None
    if name == "psi":
        wanted = label.endswith("numbers and times")
        return column.psi if column.psi is not None and numbers == wanted else None
    if name == "cramers_v":
        return column.distribution.effect if not numbers and column.distribution is not None else None
    if name == "null_rate":
        return abs(column.null_test.effect) if column.null_test is not None else None
    return column.new_share if column.compared_as == "categories" else None


def print_margins(result: Replay, plants: dict[int, Plant]) -> None:
    """How far the clean columns stayed below each threshold, and the planted ones above it (design a)."""
    from dq_checks.config.drift import DriftThresholds

    thresholds = DriftThresholds()
    echoes = echo_days(plants)
    rows = []
    for label, name, kinds in MEASURES:
        clean, planted = [], []
        for (day, column_name), column in result.details["a"].items():
            if day in echoes:
                continue
            value = measure(column, name, label)
            if value is None:
                continue
            plant = plants.get(day)
            if plant is None or plant.column != column_name:
                clean.append(value)
            elif plant.kind in kinds:
                planted.append(value)
        rows.append(
            (
                label,
                f"{getattr(thresholds, name):g}",
                f"{max(clean):.3f}" if clean else "-",
                f"{np.percentile(clean, 99):.3f}" if clean else "-",
                f"{min(planted):.3f}" if planted else "-",
            )
        )
    print("\n  effect sizes against the thresholds, design (a): clean columns (echo days left out) and the")
    print("  planted column on the days of the kinds the measure decides")
    print_table(("measure", "threshold", "clean max", "clean 99th pct", "planted min"), rows)


def detection(seed: int, rows_per_day: int) -> None:
    plants = plan(seed)
    print(f"Part 1: detection. {DAYS} daily snapshots from {START} (seed {seed}), about {rows_per_day:,}")
    print(
        f"rows a weekday, 5 columns; {len(plants)} planted one-day shifts ({PER_KIND} per kind); "
        "default DriftSettings"
    )
    result = replay(seed, rows_per_day, plants)
    print(f"sketched and compared {DAYS} days in {result.seconds:.1f} s")
    scores = {
        "a": report_design(
            "a", "baseline = the previous day (the check's `previous`); echo days not scored", result, plants
        ),
        "b": report_design(
            "b", "baseline = the last day that did not drift; every day scored", result, plants
        ),
    }
    print_margins(result, plants)
    print("\n  summary")
    print_table(
        ("design", "recall", "precision", "day recall", "day precision", "goals (0.9 / 0.9)"),
        [
            (
                name,
                f"{s.recall:.3f}",
                f"{s.precision:.3f}",
                f"{s.day_recall:.3f}",
                f"{s.day_precision:.3f}",
                "MET"
                if s.recall >= GOAL_RECALL and s.precision >= GOAL_PRECISION
                else "MISSED ("
                + " and ".join(
                    w
                    for w, bad in (
                        ("recall", s.recall < GOAL_RECALL),
                        ("precision", s.precision < GOAL_PRECISION),
                    )
                    if bad
                )
                + ")",
            )
            for name, s in scores.items()
        ],
    )


# --------------------------------------------------------------------------- part 2: cost


class TimedRunner:
    """A runner whose queries are timed by what they are for: counts, the sample, the frequencies."""

    def __init__(self, runner: Any, clock: dict[str, float]) -> None:
        self._runner = runner
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._runner, name)
        if name != "fetch_many":
            return found

        def fetch_many(queries: Any) -> Any:
            with self._timed("frequencies"):
                return found(queries)

        return fetch_many

    def fetch_rows(self, query: Any) -> list[tuple[Any, ...]]:
        """The runner's own `fetch_rows`, timed."""
        from sqlglot import exp

        part = (
            "sample"
            if query.find(exp.TableSample) is not None
            else "frequencies"
            if query.find(exp.Group) is not None
            else "counts"
        )
        with self._timed(part):
            return self._runner.fetch_rows(query)

    @contextmanager
    def _timed(self, part: str) -> Iterator[None]:
        began = time.perf_counter()
        try:
            yield
        finally:
            self._clock[part] = self._clock.get(part, 0.0) + time.perf_counter() - began


def write_files(rows: int, folder: Path) -> tuple[Path, Path]:
    """`old.parquet` (profile_bench's table) and `new.parquet` (another seed, two planted shifts)."""
    import profile_bench as pb
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    old = pa.concat_tables(
        pb.generate_chunk(s, min(pb.CHUNK_ROWS, rows - s)) for s in range(0, rows, pb.CHUNK_ROWS)
    )
    new = pa.concat_tables(
        pb.generate_chunk(rows + s, min(pb.CHUNK_ROWS, rows - s)) for s in range(0, rows, pb.CHUNK_ROWS)
    )
    rng = np.random.default_rng(7)
    new = new.set_column(new.schema.get_field_index("score"), "score", pc.add(new["score"], 5.0))
    on_hold = pa.array(rng.random(new.num_rows) < 0.04)
    status = pc.if_else(on_hold, pa.scalar("on_hold"), new["status"].combine_chunks())
    new = new.set_column(new.schema.get_field_index("status"), "status", status)
    paths = folder / "old.parquet", folder / "new.parquet"
    pq.write_table(old, paths[0])
    pq.write_table(new, paths[1])
    return paths


def definition(path: Path, *, drift: bool, document: dict[str, Any] | None = None) -> Any:
    """A file's definition as `dq profile`'s `_definition` builds it, drift on only with a baseline.

    `document` is what a `--rules` file would add (as `drift:` settings).
    """
    from dq_checks.config.loader import DefinedTable
    from dq_checks.config.models import TableSpec
    from dq_checks.config.table_rules import table_rules

    source = {"type": "file", "path": str(path), "header": True}
    spec = TableSpec.model_validate({"table": path.stem, "source": source, **(document or {})})
    spec = spec.model_copy(update={"drift": spec.drift.model_copy(update={"enabled": drift})})
    found = table_rules(spec, path, document or {}, set())
    return DefinedTable(spec, path, document or {}, found.rules, found.analyzers)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    result = work()
    return time.perf_counter() - began, result


def profile_once(defined: Any, baseline: Any = None) -> tuple[float, Any]:
    """`dq profile`'s open, describe and inspect_table, timed."""
    from dq_resources.files.resource import FileSourceResource
    from dq_runs.inspect import inspect_table

    def work() -> Any:
        opened = FileSourceResource(scan_memory_limit=MEMORY_LIMIT).open(defined.spec.source)
        try:
            opened.describe()
            return inspect_table(defined, opened, drift_baseline=baseline)
        finally:
            opened.close()

    return timed(work)


def compare_once(specs: Sequence[Any]) -> tuple[dict[str, float], Any]:
    """Open both files, draw both sketches through each table's query_runner(), compare: each part timed."""
    from dq_checks.config.drift import DriftSettings
    from dq_checks.drift.compare import compare_tables
    from dq_checks.drift.draw import draw_sketch, drawn_columns
    from dq_resources.files.resource import FileSourceResource

    settings = DriftSettings()
    clock: dict[str, float] = {}
    sketches = []
    for spec in specs:
        began = time.perf_counter()
        opened = FileSourceResource(scan_memory_limit=MEMORY_LIMIT).open(spec)
        description = opened.describe()
        clock["open + describe"] = clock.get("open + describe", 0.0) + time.perf_counter() - began
        columns = drawn_columns(description.columns, settings, leave_out=("id",))
        began = time.perf_counter()
        runner_cm = opened.query_runner()
        runner = runner_cm.__enter__()
        clock["engine"] = clock.get("engine", 0.0) + time.perf_counter() - began
        try:
            sketch, errors = draw_sketch(TimedRunner(runner, clock), columns, settings, label=spec.display())
        finally:
            began = time.perf_counter()
            runner_cm.__exit__(None, None, None)
            opened.close()
            clock["engine"] += time.perf_counter() - began
        if errors:
            raise SystemExit(f"{spec.display()}: no sketch for {errors}")
        sketches.append(sketch)
    began = time.perf_counter()
    drift = compare_tables(sketches[0].summary(), sketches[1], settings)
    clock["summary + compare"] = time.perf_counter() - began
    return clock, drift


@contextmanager
def drift_step_phases(clock: dict[str, float]) -> Iterator[None]:
    """Time the drift step inside `inspect_table`, and its parts, by wrapping what it calls."""
    import dq_runs.drift_step as step
    from dq_runs import inspect

    originals = {
        "step": inspect.drift_step,
        "draw": step.draw_sketch,
        "baseline": step.sketch_of_table,
        "compare": step.compare_tables,
    }
    inside_baseline = [False]

    def wrapped(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            if part == "baseline":
                inside_baseline[0] = True
            try:
                return function(*args, **kwargs)
            finally:
                if part == "baseline":
                    inside_baseline[0] = False
                name = "draw baseline" if part == "draw" and inside_baseline[0] else part
                clock[name] = clock.get(name, 0.0) + time.perf_counter() - began

        return timed_call

    inspect.drift_step = wrapped("step", originals["step"])  # type: ignore[assignment]
    step.draw_sketch = wrapped("draw", originals["draw"])  # type: ignore[assignment]
    step.sketch_of_table = wrapped("baseline", originals["baseline"])  # type: ignore[assignment]
    step.compare_tables = wrapped("compare", originals["compare"])  # type: ignore[assignment]
    try:
        yield
    finally:
        inspect.drift_step = originals["step"]  # type: ignore[assignment]
        step.draw_sketch = originals["draw"]  # type: ignore[assignment]
        step.sketch_of_table = originals["baseline"]  # type: ignore[assignment]
        step.compare_tables = originals["compare"]  # type: ignore[assignment]


def frequency_costs(spec: Any, repeat: int) -> list[tuple[str, int, float]]:
    """Each text or boolean column's frequency query (100 values) alone: its distinct values, seconds."""
    from dq_checks.config.drift import DriftSettings
    from dq_checks.profile.column_metrics import frequency_query
    from dq_resources.files.resource import FileSourceResource

    opened = FileSourceResource(scan_memory_limit=MEMORY_LIMIT).open(spec)
    found = []
    with opened.query_runner() as runner:
        for info in opened.describe().columns:
            if not info.kind.is_categorical:
                continue
            query = frequency_query(info, runner.relation, limit=DriftSettings().categories)
            runs = [timed(lambda q=query: runner.fetch_rows(q)) for _ in range(repeat)]
            answer = runs[0][1]
            found.append((info.name, int(answer[0][3]) if answer else 0, min(t for t, _ in runs)))
    opened.close()
    return found


def cost(rows: int, repeat: int) -> None:
    from dq_resources.files.resource import FileSourceResource
    from dq_runs.drift_step import DriftBaseline

    folder = Path(tempfile.mkdtemp(prefix="dq-drift-bench-"))
    try:
        began = time.perf_counter()
        old, new = write_files(rows, folder)
        print(f"\nPart 2: cost. Two Parquet files of {rows:,} rows x 10 columns written in ", end="")
        print(f"{time.perf_counter() - began:.1f} s ({old.stat().st_size / 2**20:.0f} and ", end="")
        print(f"{new.stat().st_size / 2**20:.0f} MiB); best of {repeat} interleaved rounds")
        load_before = os.getloadavg()[0]
        plain = {path.name: definition(path, drift=False) for path in (old, new)}
        with_drift = definition(new, drift=True)
        skipping = definition(new, drift=True, document={"drift": {"columns": {"email": {"skip": True}}}})
        old_spec = plain[old.name].spec.source
        baseline = DriftBaseline(
            open_table=lambda: FileSourceResource(scan_memory_limit=MEMORY_LIMIT).open(old_spec),
            label=f"file {old.name}",
            current_label=f"file {new.name}",
        )
        parts: dict[str, float] = {}
        cli_parts: dict[str, float] = {}
        drift = cli_drift = None
        best: dict[str, float] = {}
        cpu: dict[str, float] = {}

        def keep(name: str, seconds: float, cpu_seconds: float) -> bool:
            """Keep the fastest wall time and the fewest CPU seconds; True when this run is the fastest."""
            cpu[name] = min(cpu.get(name, cpu_seconds), cpu_seconds)
            fastest = seconds <= best.get(name, seconds)
            best[name] = min(best.get(name, seconds), seconds)
            return fastest

        for _ in range(repeat):
            for name, defined in plain.items():
                cpu_began = time.process_time()
                seconds, _inspection = profile_once(defined)
                keep(name, seconds, time.process_time() - cpu_began)
            cpu_began = time.process_time()
            clock, drift = compare_once([plain[old.name].spec.source, plain[new.name].spec.source])
            if keep("added", sum(clock.values()), time.process_time() - cpu_began):
                parts = clock
            cli_clock: dict[str, float] = {}
            cpu_began = time.process_time()
            with drift_step_phases(cli_clock):
                seconds, inspection = profile_once(with_drift, baseline)
            cli_drift = inspection.drift
            if keep("cli", seconds, time.process_time() - cpu_began):
                cli_parts = cli_clock
            cpu_began = time.process_time()
            seconds, _inspection = profile_once(skipping, baseline)
            keep("cli skip", seconds, time.process_time() - cpu_began)
        assert drift is not None and cli_drift is not None
        for clocked in (best, cpu):
            clocked["both"] = clocked[old.name] + clocked[new.name]
        part_names = {
            "open + describe": "open + describe both files",
            "engine": "the engine's view over each file (query_runner in and out)",
            "counts": "row and NULL counts (1 query per file)",
            "sample": "reservoir sample of the numbers and times (1 query per file)",
            "frequencies": "value frequencies of the text and boolean columns",
            "summary + compare": "summarize the baseline's sketch, compare",
        }
        step = cli_parts.get("step", 0.0)

        def row(label: str, name: str) -> tuple[str, str, str]:
            return label, f"{best[name]:.2f}", f"{cpu[name]:.2f}"

        print()
        print_table(
            ("what is timed", "seconds", "CPU s"),
            [
                row(f"profile {old.name} (open, describe, inspect_table; drift off)", old.name),
                row(f"profile {new.name} (the same)", new.name),
                row("profiling both", "both"),
                row("the comparison: open both, sketch both, compare", "added"),
                *((f"  {part_names[part]}", f"{seconds:.2f}", "") for part, seconds in parts.items()),
                row(f"dq profile {new.name} --baseline {old.name}, as inspect_table runs it", "cli"),
                ("  the profile and the other checks (the rest)", f"{best['cli'] - step:.2f}", ""),
                ("  the drift step", f"{step:.2f}", ""),
                (
                    "    read the baseline: describe, view, counts, sample, frequencies",
                    f"{cli_parts.get('baseline', 0.0):.2f}",
                    "",
                ),
                (
                    "    sketch the new file: sample, frequencies (counts are the profile's)",
                    f"{cli_parts.get('draw', 0.0):.2f}",
                    "",
                ),
                ("    compare", f"{cli_parts.get('compare', 0.0):.2f}", ""),
                row(
                    f"the same with drift: columns: {{email: {{skip: true}}}} ({EMAIL_DISTINCT})", "cli skip"
                ),
            ],
        )

        def ratio(label: str, added: str, base: str, less: str = "") -> tuple[str, str, str, str, str]:
            wall = (best[added] - (best[less] if less else 0.0)) / best[base]
            used = (cpu[added] - (cpu[less] if less else 0.0)) / cpu[base]
            met = "MET" if wall <= GOAL_ADDED else "MISSED"
            return label, f"{wall:.0%}", f"{used:.0%}", f"<= {GOAL_ADDED:.0%}", met

        print()
        print_table(
            ("ratio", "seconds", "CPU s", "goal", "met? (seconds)"),
            [
                ratio("comparison / profiling both files", "added", "both"),
                ratio(
                    f"(dq profile --baseline - profile {new.name}) / profile {new.name}",
                    "cli",
                    new.name,
                    new.name,
                ),
                ratio("the same, email's values not compared", "cli skip", new.name, new.name),
            ],
        )
        print(f"\n  load average (1 min) before and after: {load_before:.2f}, {os.getloadavg()[0]:.2f}")
        print("\n  each frequency query alone, on new.parquet (best of", repeat, "runs):")
        print_table(
            ("column", "distinct values", "seconds"),
            [
                (name, f"{distinct:,}", f"{seconds:.3f}")
                for name, distinct, seconds in frequency_costs(plain[new.name].spec.source, repeat)
            ],
        )
        for title, found in (("the comparison", drift), ("dq profile --baseline", cli_drift)):
            named = ", ".join(f"{c.column} ({'+'.join(k.value for k in c.kinds)})" for c in found.drifted)
            print(f"\n  drifted in {title}: {named or 'none'}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20250106)
    parser.add_argument("--rows", type=int, default=20_000, help="rows of a weekday's snapshot (part 1)")
    parser.add_argument("--cost-rows", type=int, default=1_000_000, help="rows of each Parquet file (part 2)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of part 2; the fastest is kept")
    parser.add_argument("--only", choices=("detection", "cost"), default=None)
    args = parser.parse_args()
    started = datetime.now()
    if args.only != "cost":
        detection(args.seed, args.rows)
    if args.only != "detection":
        cost(args.cost_rows, args.repeat)
    print(f"\ntotal {(datetime.now() - started).total_seconds():.0f} s")


if __name__ == "__main__":
    main()
