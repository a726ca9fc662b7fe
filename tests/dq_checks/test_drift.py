"""Distribution drift on planted defects: sketches drawn by a real DuckDB, compared by compare_tables.

The baseline is one day of an orders table (`tests.dq_checks.drift_data`); "today" is an
independent draw of the same distributions with exactly one planted change, so only the planted
column may drift, and with the planted kind. The statistics are checked against scipy itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats

from dq_checks.config.drift import DriftSettings
from dq_checks.drift.compare import compare_tables
from dq_checks.drift.draw import draw_sketch, drawn_columns
from dq_checks.drift.model import ColumnDrift, DriftKind, TableDrift
from dq_checks.drift.sketch import SUMMARY_POINTS, Sample, TableSketch
from dq_checks.drift.statistics import chi_square, ks_test, psi
from dq_checks.schema import ColumnInfo, ColumnKind
from tests.dq_checks import drift_data as data
from tests.dq_checks.drift_data import COLUMNS, arrow, orders, sketch
from tests.runners import duckdb_over

BASELINE_SEED, TODAY_SEED = 1, 2
NAMES = [c.name for c in COLUMNS]
SAMPLED = ("amount", "price", "created_at")

Plant = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]

# plant, the one column it changes, the kind it must be named, and words of the reason
PLANTS: dict[str, tuple[Plant, str, DriftKind, str]] = {
    # amount + 0.5 sd: the median moves by 7.5, the spread stays
    "location": (data.plant_location, "amount", DriftKind.LOCATION, "amount: median moved from 100."),
    # amount's sd doubled around the same mean: the IQR doubles, the median stays
    "scale": (data.plant_scale, "amount", DriftKind.SCALE, "amount: spread changed (IQR 20."),
    # status drawn with its shares reversed (paid 50% -> 5%): the same four values
    "mix": (data.plant_mix, "status", DriftKind.MIX, "status: the mix of values changed, most of all 'paid'"),
    # 5% of the rows get status 'refunded', never seen before; the other values keep their shares,
    # so it is named a new category only, not also a mix
    "new_category": (
        data.plant_new_category,
        "status",
        DriftKind.NEW_CATEGORY,
        "status: new values hold 5.0% of rows: 'refunded' (2,500)",
    ),
    # note NULL in 30% of the rows instead of 5%, at random: its values keep their shares
    "null_burst": (data.plant_null_burst, "note", DriftKind.NULL_RATE, "note: NULLs went from 5.0% to 30.0%"),
    # 40% of created_at moved to 00:00:00. The design has no "clustering" kind: times are compared
    # by their time of day, and the spike pulls that median from about noon to about 03:40 while
    # the IQR grows only ~17%, so the design names it a location change, and only that. Asserting
    # exactly (LOCATION,) guards against it being named a scale change, or both.
    "midnight": (data.plant_midnight, "created_at", DriftKind.LOCATION, "created_at: median moved from 12:0"),
}


@pytest.fixture(scope="module")
def baseline() -> TableSketch:
    """The baseline day's full sketch (10,000 sampled rows of 50,000)."""
    return sketch(arrow(orders(BASELINE_SEED)), "yesterday")


@pytest.fixture(scope="module")
def today() -> dict[str, np.ndarray]:
    """A fresh draw of the same distributions, a day later: no change planted yet."""
    return orders(TODAY_SEED, day=1)


@pytest.fixture(scope="module")
def planted(today: dict[str, np.ndarray]) -> dict[str, TableSketch]:
    """Today's sketch with each plant, by plant name; "none" is today as drawn."""
    sketches = {"none": sketch(arrow(today), "today")}
    for name, (plant, *_) in PLANTS.items():
        sketches[name] = sketch(arrow(plant(today)), "today")
    return sketches


def statuses(drift: TableDrift) -> dict[str, str]:
    """Column -> status."""
    return {c.column: c.status for c in drift.columns}


def column(drift: TableDrift, name: str) -> ColumnDrift:
    """The comparison of one column."""
    (found,) = (c for c in drift.columns if c.column == name)
    return found


# 1. Each kind of change is found, in its column only, and named.


def test_a_fresh_draw_of_the_same_distributions_does_not_drift(
    baseline: TableSketch, planted: dict[str, TableSketch]
) -> None:
    # nothing planted: two independent days of the same distributions
    drift = compare_tables(baseline, planted["none"], DriftSettings())
    assert drift.error is None and not drift.schema.changed
    assert statuses(drift) == dict.fromkeys(NAMES, "stable")
    assert (drift.baseline_label, drift.current_label) == ("yesterday", "today")
    assert (drift.baseline_rows, drift.current_rows) == (data.ROWS, data.ROWS)


@pytest.mark.parametrize("plant", list(PLANTS))
def test_each_planted_change_is_found_in_its_column_only_and_named(
    plant: str, baseline: TableSketch, planted: dict[str, TableSketch]
) -> None:
    _, planted_column, kind, reason = PLANTS[plant]
    drift = compare_tables(baseline, planted[plant], DriftSettings())
    assert [c.column for c in drift.drifted] == [planted_column]
    assert drift.drifted[0].kinds == (kind,)
    assert drift.drifted[0].reason.startswith(reason), drift.drifted[0].reason
    others = {n: s for n, s in statuses(drift).items() if n != planted_column}
    assert others == dict.fromkeys(others, "stable")


def test_the_planted_effects_are_the_expected_sizes(
    baseline: TableSketch, planted: dict[str, TableSketch]
) -> None:
    settings = DriftSettings()
    # amount + 0.5 sd: the two normal CDFs are 2 x Phi(0.25) - 1 = 0.197 apart at most
    location = column(compare_tables(baseline, planted["location"], settings), "amount")
    assert location.distribution is not None and location.centres is not None
    assert location.distribution.effect == pytest.approx(2 * stats.norm.cdf(0.25) - 1, abs=0.025)
    assert location.centres[1] - location.centres[0] == pytest.approx(0.5 * data.AMOUNT_SD, abs=1.0)
    assert location.sample_sizes == (10_000, 10_000)
    # 40% at midnight: KS distance 0.4 at 00:00:00 (the baseline has almost nothing at that second)
    midnight = column(compare_tables(baseline, planted["midnight"], settings), "created_at")
    assert midnight.compared_as == "time of day" and midnight.distribution is not None
    assert midnight.distribution.effect == pytest.approx(0.40, abs=0.02)
    # 'refunded' is 2,500 of 50,000 rows, and the mix test leaves it out
    new = column(compare_tables(baseline, planted["new_category"], settings), "status")
    assert (new.new_categories, new.new_share, new.vanished_categories) == ((("refunded", 2_500),), 0.05, ())
    assert new.distribution is not None and new.distribution.effect < 0.02
    # note: 5% -> 30% NULL, and its non-NULL values still have their shares
    burst = column(compare_tables(baseline, planted["null_burst"], settings), "note")
    assert burst.null_rates == (0.05, 0.30)
    assert burst.null_test is not None and burst.null_test.effect == pytest.approx(0.25)
    assert burst.distribution is not None and burst.distribution.effect < 0.02


# 2. The median halves while the mean holds: a mean-based check sees nothing.


def test_a_median_that_halves_while_the_mean_holds_is_flagged(
    baseline: TableSketch, today: dict[str, np.ndarray]
) -> None:
    # price: 90% of the rows a lower lognormal bulk with half the median, 10% a heavy tail that
    # puts the mean back where it was
    halved = data.plant_halved_median(today)
    before, after = orders(BASELINE_SEED)["price"], halved["price"]
    assert np.median(after) / np.median(before) == pytest.approx(0.5, abs=0.02)
    assert np.mean(after) / np.mean(before) == pytest.approx(1.0, abs=0.02)

    drift = compare_tables(baseline, sketch(arrow(halved), "today"), DriftSettings())
    assert [c.column for c in drift.drifted] == ["price"]
    price = drift.drifted[0]
    # the median moves by about one sigma of the baseline, the spread narrows by less (log ratio ~0.5)
    assert price.kinds == (DriftKind.LOCATION,)
    assert price.centres is not None
    assert price.centres[1] / price.centres[0] == pytest.approx(0.5, abs=0.03)
    assert price.distribution is not None and price.distribution.effect > 0.3


# 3. A stable column with a heavy natural tail is not flagged, day after day.


def heavy_day(seed: int, rows: int = 20_000) -> pa.Table:
    """One day of three heavy-tailed columns, same distributions every day."""
    rng = np.random.default_rng(seed)
    return pa.table(
        {
            "pareto": rng.pareto(1.2, rows) * 10,  # infinite variance
            "lognormal": rng.lognormal(2.0, 2.0, rows),
            "student_t": rng.standard_t(2, rows),  # infinite variance
        }
    )


HEAVY = [
    ColumnInfo(n, "DOUBLE", ColumnKind.NUMERIC, floating=True) for n in ("pareto", "lognormal", "student_t")
]


def test_heavy_tails_do_not_drift_over_100_resampled_days() -> None:
    # 101 independent days of the same heavy-tailed distributions; each day is compared with the
    # previous day's sketch as the check stores it: summarized, then written as JSON and read back
    settings = DriftSettings()
    stored = sketch(heavy_day(1000), "day 0", columns=HEAVY).summary()
    worst = dict.fromkeys(("ks", "psi"), 0.0)
    flagged: list[tuple[int, str, str]] = []
    for day in range(1, 101):
        kept = TableSketch.from_dict(json.loads(json.dumps(stored.to_dict())))
        now = sketch(heavy_day(1000 + day), f"day {day}", columns=HEAVY)
        drift = compare_tables(kept, now, settings)
        assert len(drift.columns) == 3 and not drift.errors
        flagged += [(day, c.column, c.reason) for c in drift.drifted]
        for c in drift.columns:
            assert c.distribution is not None and c.psi is not None
            worst["ks"] = max(worst["ks"], c.distribution.effect)
            worst["psi"] = max(worst["psi"], c.psi)
        stored = now.summary()
    assert flagged == []
    # the noise stays far below the thresholds (0.1 and 0.2)
    assert worst["ks"] < 0.05 and worst["psi"] < 0.05, worst


# 4. Bad input.


def test_a_baseline_with_no_column_in_common_is_an_error_naming_both_sides() -> None:
    # yesterday's table had amount and price; today's has qty and label only
    old_columns = [ColumnInfo(n, "DOUBLE", ColumnKind.NUMERIC, floating=True) for n in ("amount", "price")]
    new_columns = [
        ColumnInfo("qty", "BIGINT", ColumnKind.NUMERIC),
        ColumnInfo("label", "VARCHAR", ColumnKind.STRING),
    ]
    rng = np.random.default_rng(5)
    old = sketch(
        pa.table({"amount": rng.normal(size=500), "price": rng.normal(size=500)}),
        "snapshot 1",
        columns=old_columns,
    )
    new = sketch(
        pa.table({"qty": rng.integers(0, 9, 500), "label": pa.array(["a", "b"] * 250)}),
        "snapshot 2",
        columns=new_columns,
    )
    drift = compare_tables(old, new, DriftSettings())
    assert drift.columns == [] and drift.drifted == []
    assert drift.error == (
        "snapshot 2 and snapshot 1 have no column in common (now: qty, label; baseline: amount, price)"
    )
    assert drift.schema.added == (("qty", "BIGINT"), ("label", "VARCHAR"))
    assert drift.schema.removed == (("amount", "DOUBLE"), ("price", "DOUBLE"))


def test_a_column_whose_type_changed_is_an_error_and_the_others_are_still_compared(
    baseline: TableSketch, today: dict[str, np.ndarray]
) -> None:
    # amount is text today ("107.24"), and status's mix is reversed; the rest is as drawn
    changed = data.plant_mix(today)
    changed["amount"] = np.array([f"{v:.2f}" for v in changed["amount"]], dtype=object)
    columns = [
        ColumnInfo("amount", "VARCHAR", ColumnKind.STRING) if c.name == "amount" else c for c in COLUMNS
    ]
    table = arrow({k: v for k, v in changed.items() if k != "amount"}).append_column(
        "amount", pa.array(changed["amount"].tolist(), pa.string())
    )
    drift = compare_tables(baseline, sketch(table, "today", columns=columns), DriftSettings())
    amount = column(drift, "amount")
    assert amount.status == "error"
    assert amount.reason == (
        "amount: type changed from DOUBLE to VARCHAR; numeric values cannot be compared with string ones"
    )
    assert drift.errors == [amount] and drift.error is None
    assert drift.schema.retyped == (("amount", "DOUBLE", "VARCHAR"),)
    assert [(c.column, c.kinds) for c in drift.drifted] == [("status", (DriftKind.MIX,))]
    assert statuses(drift) == {
        "amount": "error",
        "price": "stable",
        "status": "drifted",
        "country": "stable",
        "created_at": "stable",
        "note": "stable",
    }


# 5. Summaries: what a stored baseline keeps, and that it judges as the full sketch does.


def test_a_summary_keeps_the_sample_sizes_and_at_most_200_values_per_sample(baseline: TableSketch) -> None:
    summary = baseline.summary()
    assert (summary.rows, summary.label, summary.sample_rows) == (data.ROWS, "yesterday", 10_000)
    assert list(summary.columns) == NAMES
    for name, full in baseline.columns.items():
        kept = summary.columns[name]
        if name in SAMPLED:
            assert full.sample is not None and kept.sample is not None
            assert (full.sample.size, full.sample.summarized) == (10_000, False)
            assert (kept.sample.size, kept.sample.summarized) == (10_000, True)
            assert len(kept.sample.values) == SUMMARY_POINTS <= 200
            assert list(kept.sample.values) == sorted(kept.sample.values)
            assert replace(kept, sample=None) == replace(full, sample=None)
        else:
            assert kept == full  # the frequency tables are kept as they are
            assert kept.sample is None and kept.frequencies is not None and kept.frequencies.complete


def test_a_sketch_round_trips_through_its_dict_and_json_exactly(baseline: TableSketch) -> None:
    for kept in (baseline, baseline.summary()):
        assert TableSketch.from_dict(kept.to_dict()) == kept
        assert TableSketch.from_dict(json.loads(json.dumps(kept.to_dict()))) == kept


@pytest.mark.parametrize("plant", ["none", *PLANTS])
def test_a_summarized_baseline_gives_the_full_ones_verdicts(
    plant: str, baseline: TableSketch, planted: dict[str, TableSketch]
) -> None:
    full = compare_tables(baseline, planted[plant], DriftSettings())
    summarized = compare_tables(baseline.summary(), planted[plant], DriftSettings())
    assert [(c.column, c.status, c.kinds) for c in summarized.columns] == [
        (c.column, c.status, c.kinds) for c in full.columns
    ]
    for a, b in zip(full.columns, summarized.columns, strict=True):
        if a.column in SAMPLED:
            assert a.distribution is not None and b.distribution is not None
            assert abs(a.distribution.effect - b.distribution.effect) <= 0.01
            assert b.sample_sizes == a.sample_sizes == (10_000, 10_000)  # the p-value uses the real sizes
        else:
            assert b == a


# 6. Thresholds per column and per table.


def test_a_columns_own_thresholds_silence_its_shift(
    baseline: TableSketch, planted: dict[str, TableSketch]
) -> None:
    # amount moved by half a sd (KS 0.19, PSI 0.22): above the defaults, below amount's own
    settings = DriftSettings(columns={"amount": {"ks": 0.9, "psi": 9}})
    drift = compare_tables(baseline, planted["location"], settings)
    assert drift.drifted == []
    assert column(drift, "amount").reason.startswith("amount: no drift (NULLs 0.0% -> 0.0%, ks distance 0.1")
    # the other columns keep the table's thresholds: a reversed status mix is still found
    assert [c.column for c in compare_tables(baseline, planted["mix"], settings).drifted] == ["status"]


def test_a_skipped_column_is_neither_drawn_nor_compared(
    today: dict[str, np.ndarray], baseline: TableSketch
) -> None:
    settings = DriftSettings(columns={"amount": {"skip": True}})
    columns = drawn_columns(COLUMNS, settings)
    assert [c.name for c in columns] == [n for n in NAMES if n != "amount"]
    assert [c.name for c in drawn_columns(COLUMNS, settings, leave_out=["note"])] == [
        "price",
        "status",
        "country",
        "created_at",
    ]
    # amount moved, but it is not in today's sketch: it is neither compared nor drifted
    now = sketch(arrow(data.plant_location(today)), "today", settings, columns=columns)
    assert "amount" not in now.columns
    drift = compare_tables(baseline, now, settings)
    assert [c.column for c in drift.columns] == [n for n in NAMES if n != "amount"]
    assert drift.drifted == []


def test_table_thresholds_apply_to_every_column_and_a_columns_own_win(
    baseline: TableSketch, planted: dict[str, TableSketch]
) -> None:
    lenient = DriftSettings(ks=0.9, psi=9, cramers_v=0.9, null_rate=0.5, new_categories=0.1)
    for plant in PLANTS:
        assert compare_tables(baseline, planted[plant], lenient).drifted == [], plant
    # a p-value threshold no test can meet silences everything too
    strict_p = DriftSettings(p_value=1e-300)
    assert [c.column for c in compare_tables(baseline, planted["scale"], strict_p).drifted] == []
    # amount's own keys win over the lenient table-level ones
    back = lenient.model_copy(update={"columns": DriftSettings(columns={"amount": {"ks": 0.1}}).columns})
    drift = compare_tables(baseline, planted["location"], back)
    assert [(c.column, c.kinds) for c in drift.drifted] == [("amount", (DriftKind.LOCATION,))]
    assert back.for_column("amount").ks == 0.1 and back.for_column("amount").psi == 9
    assert back.for_column("price").ks == 0.9


# 7. The sample is bounded and repeatable.


@pytest.fixture(scope="module")
def big_table() -> pa.Table:
    """200,000 rows of the orders table."""
    return arrow(orders(7, rows=200_000))


def test_the_sample_is_bounded_by_sample_size(big_table: pa.Table) -> None:
    settings = DriftSettings(sample_size=1_000)
    drawn = sketch(big_table, "big", settings)
    assert (drawn.rows, drawn.sample_rows) == (200_000, 1_000)
    for name in SAMPLED:
        sample = drawn.columns[name].sample
        assert sample is not None and sample.size == len(sample.values) <= 1_000
    # the categories are exact counts of all the rows, not of the sample
    frequencies = drawn.columns["status"].frequencies
    assert frequencies is not None
    assert sum(count for _, count in frequencies.counts) + frequencies.other == 200_000


def test_the_same_data_gives_the_same_sketch(big_table: pa.Table) -> None:
    # the reservoir sample has a fixed seed: the same rows again, with one thread or two
    settings = DriftSettings(sample_size=1_000)
    first = sketch(big_table, "big", settings)
    again = sketch(big_table, "big", settings)
    assert again == first
    with duckdb_over(big_table, threads=2) as runner:
        parallel, errors = draw_sketch(runner, COLUMNS, settings, label="big")
    assert errors == {} and parallel == first
    # and another seed of the data gives another sample
    other = sketch(arrow(orders(8, rows=200_000)), "big", settings)
    assert other.columns["amount"].sample != first.columns["amount"].sample


# 8. The statistics are scipy's.


@pytest.mark.parametrize(("sizes", "method"), [((300, 450), "auto"), ((4_000, 5_000), "asymp")])
def test_ks_test_is_scipys_ks_2samp(sizes: tuple[int, int], method: str) -> None:
    # samples of at most EXACT_KS_LIMIT values get scipy's default method (exact here); larger, the asymptotic
    rng = np.random.default_rng(21)
    a = np.sort(rng.normal(0, 1, sizes[0]))
    b = np.sort(rng.normal(0.15, 1, sizes[1]))
    result = ks_test(Sample(tuple(a), len(a)), Sample(tuple(b), len(b)))
    expected = stats.ks_2samp(a, b, method=method)
    assert result.statistic == result.effect == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-9)
    assert (result.test, result.effect_name) == ("Kolmogorov-Smirnov", "ks_distance")


def test_ks_test_on_a_summary_uses_the_real_sizes_for_the_p_value() -> None:
    rng = np.random.default_rng(22)
    a, b = np.sort(rng.normal(0, 1, 10_000)), np.sort(rng.normal(0.05, 1, 10_000))
    full = Sample(tuple(a), len(a))
    result = ks_test(full.summary(), Sample(tuple(b), len(b)))
    exact = stats.ks_2samp(a, b, method="asymp")
    assert abs(result.effect - exact.statistic) <= 1 / SUMMARY_POINTS
    assert result.p_value == pytest.approx(stats.kstwo.sf(result.statistic, 5_000), rel=1e-12)


def test_chi_squares_cramers_v_is_sqrt_chi2_over_n() -> None:
    baseline, current = [500, 300, 150, 50], [420, 310, 190, 80]
    result = chi_square(baseline, current)
    expected = stats.chi2_contingency(np.array([baseline, current]), correction=False)
    assert result is not None
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12)
    assert result.effect == pytest.approx(math.sqrt(expected.statistic / 2_000), rel=1e-12)
    # a bin empty on both sides is dropped; one bin left is no test
    assert chi_square([5, 0, 7], [6, 0, 8]) == chi_square([5, 7], [6, 8])
    assert chi_square([5, 0], [6, 0]) is None


def test_psi_is_zero_for_identical_shares_and_matches_a_hand_computed_example() -> None:
    assert psi([10, 20, 30, 40], [10, 20, 30, 40]) == 0.0
    assert psi([1, 2, 3, 4], [100, 200, 300, 400]) == pytest.approx(0.0, abs=1e-15)  # shares, not counts
    # 50/50 -> 80/20: (0.8 - 0.5) ln(0.8 / 0.5) + (0.2 - 0.5) ln(0.2 / 0.5)
    assert psi([50, 50], [80, 20]) == pytest.approx(0.3 * math.log(1.6) + 0.3 * math.log(2.5), rel=1e-12)
    assert psi([50, 50], [80, 20]) == pytest.approx(0.415888, abs=1e-6)
    # a bin one side leaves empty counts as 0.0001 of it
    assert psi([50, 50], [100, 0]) == pytest.approx(0.5 * math.log(2) + (1e-4 - 0.5) * math.log(1e-4 / 0.5))


# Regressions found in review: each failed before its fix.


def test_new_values_beyond_the_counted_ones_are_counted_as_new(
    baseline: TableSketch, today: dict[str, np.ndarray]
) -> None:
    # Planted: 5% of today's statuses become one of 500 codes, far more than the 100 values counted.
    status = today["status"].copy()
    rng = np.random.default_rng(21)
    chosen = rng.choice(len(status), len(status) // 20, replace=False)
    status[chosen] = [f"code-{i % 500:03d}" for i in range(len(chosen))]
    drift = compare_tables(baseline, sketch(arrow({**today, "status": status}), "today"), DriftSettings())
    assert [c.column for c in drift.drifted] == ["status"]
    found = column(drift, "status")
    assert found.kinds == (DriftKind.NEW_CATEGORY,)  # not also a mix: the old values kept their shares
    assert found.new_share == pytest.approx(0.05)
    assert "and 495 more" in found.reason  # 5 named of the 500


def test_a_burst_of_nan_is_a_change_of_the_missing_share() -> None:
    rng = np.random.default_rng(22)
    values = rng.normal(0, 1, 20_000)
    burst = values.copy()
    burst[:6_000] = np.nan  # planted: 30% NaN today, none yesterday
    info = [ColumnInfo("y", "DOUBLE", ColumnKind.NUMERIC, floating=True)]
    before = sketch(pa.table({"y": values}), "yesterday", columns=info)
    after = sketch(pa.table({"y": burst}), "today", columns=info)
    drift = compare_tables(before, after, DriftSettings())
    assert column(drift, "y").kinds == (DriftKind.NULL_RATE,)
    assert column(drift, "y").null_rates == (0.0, 0.3)


def test_a_column_the_engine_cannot_sample_is_an_error_not_a_removed_column() -> None:
    info = [
        ColumnInfo("amount", "DOUBLE", ColumnKind.NUMERIC, floating=True),
        ColumnInfo("code", "DOUBLE", ColumnKind.NUMERIC, floating=True),
    ]
    rng = np.random.default_rng(23)
    before = sketch(
        pa.table({"amount": rng.normal(0, 1, 5_000), "code": rng.normal(0, 1, 5_000)}), "then", columns=info
    )
    # Planted: `code` holds text the engine cannot cast to a number, though the metadata says DOUBLE.
    table = pa.table({"amount": rng.normal(0, 1, 5_000), "code": ["n/a"] * 5_000})
    with duckdb_over(table) as runner:
        # The counts come from the profile, as in the check step.
        counts = {"amount": (5_000, 0), "code": (5_000, 0)}
        after, errors = draw_sketch(runner, info, DriftSettings(), label="now", counts=counts)
    assert list(errors) == ["code"]  # amount was drawn on its own
    drift = compare_tables(before, after, DriftSettings(), errors=errors)
    assert drift.schema.removed == ()
    assert {c.column: c.status for c in drift.columns} == {"amount": "stable", "code": "error"}
