"""Compare two sketches of a table: the schema's changes, and per common column whether it drifted, and how.

Per column, three questions, each with its own test and effect size (`dq_checks.drift.statistics`):

1. Did the share of NULLs move? (chi-square on NULL/value counts; kind `null_rate`.)
2. Numbers and times: did the non-NULL values' distribution move? (KS and PSI; kind `location`
   when the median moved more than the spread changed, else `scale`.)
3. Categories: are there values the baseline never had (kind `new_category`, by their share), and
   did the shares of the baseline's own categories change (chi-square and PSI; kind `mix`)? New
   values are left out of the mix test, so a new category is named as itself, not also as a mix.

The NULLs are left out of 2 and 3, so a NULL burst is named as such and not also as a shift.
A column whose kind changed (numbers to text) cannot be compared: an error for that column only.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import replace

import numpy as np
from scipy import stats

from dq_checks.config.drift import DriftSettings, DriftThresholds
from dq_checks.drift.model import ColumnDrift, DriftKind, Histogram, SchemaDifference, TableDrift
from dq_checks.drift.sketch import ColumnSketch, Frequencies, Sample, TableSketch
from dq_checks.drift.statistics import TestResult, chi_square, ks_test, null_rate_test, numeric_psi, psi
from dq_checks.render.numbers import format_number

MIN_VALUES = 20
"""Fewer sampled values than this on a side and the distribution is not tested (the NULLs still are)."""
HISTOGRAM_BINS = 20
HISTOGRAM_CATEGORIES = 10
SIGMA_PER_IQR = 1.349
"""The IQR of normal noise in standard deviations: puts a median's move and a spread's change on one scale."""


def compare_tables(
    baseline: TableSketch,
    current: TableSketch,
    settings: DriftSettings,
    *,
    errors: dict[str, str] | None = None,
) -> TableDrift:
    """Every column both sketches hold, compared; `errors` are columns whose sketch could not be drawn."""
    schema = schema_difference(baseline, current, unreadable=set(errors or {}))
    common = [name for name in current.columns if name in baseline.columns]
    unreadable = sorted((errors or {}).items())
    sides = (baseline.label, current.label, baseline.rows, current.rows, schema)
    if not common and not unreadable:
        message = (
            f"{current.label} and {baseline.label} have no column in common "
            f"(now: {_names(current.columns)}; baseline: {_names(baseline.columns)})"
        )
        return TableDrift(*sides, error=message)
    columns = [
        compare_columns(baseline.columns[n], current.columns[n], settings.for_column(n)) for n in common
    ]
    columns += [ColumnDrift(name, "", "error", f"{name}: {why}") for name, why in unreadable]
    return TableDrift(*sides, columns)


def schema_difference(
    baseline: TableSketch, current: TableSketch, unreadable: Collection[str] = ()
) -> SchemaDifference:
    """Columns added, removed and re-typed, in the current table's order (removed in the baseline's).

    `unreadable` columns are still in the current table (the engine only refused their sample).
    """
    added = tuple((n, c.data_type) for n, c in current.columns.items() if n not in baseline.columns)
    removed = tuple(
        (n, c.data_type)
        for n, c in baseline.columns.items()
        if n not in current.columns and n not in unreadable
    )
    retyped = tuple(
        (n, baseline.columns[n].data_type, c.data_type)
        for n, c in current.columns.items()
        if n in baseline.columns and baseline.columns[n].data_type != c.data_type
    )
    return SchemaDifference(added, removed, retyped)


def compare_columns(
    baseline: ColumnSketch, current: ColumnSketch, thresholds: DriftThresholds
) -> ColumnDrift:
    """One column: its NULL share, then its values by kind; drifted when a test is significant and large."""
    name = current.name
    if baseline.kind != current.kind:
        reason = (
            f"{name}: type changed from {baseline.data_type} to {current.data_type}; "
            f"{baseline.kind.value} values cannot be compared with {current.kind.value} ones"
        )
        return ColumnDrift(name, current.compared_as, "error", reason)
    if baseline.compared_as != current.compared_as:  # PII now or then, or dates read as times: NULLs only
        baseline = replace(baseline, compared_as="nulls only", sample=None, frequencies=None)
        current = replace(current, compared_as="nulls only", sample=None, frequencies=None)
    null_test = null_rate_test((baseline.rows, baseline.nulls), (current.rows, current.nulls))
    rates = (baseline.null_rate, current.null_rate)
    findings: list[tuple[DriftKind, str]] = []
    if (
        null_test is not None
        and _significant(null_test, thresholds)
        and abs(null_test.effect) >= thresholds.null_rate
    ):
        findings.append(
            (DriftKind.NULL_RATE, f"NULLs went from {_pct(rates[0])} to {_pct(rates[1])} of rows")
        )
    parts = ColumnDrift(name, current.compared_as, "stable", "", null_rates=rates, null_test=null_test)
    if baseline.sample is not None and current.sample is not None:
        parts, more, skipped = _compare_samples(parts, baseline.sample, current.sample, thresholds)
    elif baseline.frequencies is not None and current.frequencies is not None:
        parts, more, skipped = _compare_categories(
            parts, baseline.frequencies, current.frequencies, thresholds
        )
    else:
        more, skipped = [], ""
    findings += more
    if findings:
        kinds = tuple(kind for kind, _ in findings)
        reason = f"{name}: " + "; ".join(text for _, text in findings)
        return _with(parts, status="drifted", kinds=kinds, reason=reason)
    if skipped and null_test is None:
        return _with(parts, status="skipped", reason=f"{name}: {skipped}")
    return _with(parts, reason=f"{name}: {_stable_reason(parts, skipped)}")


def _compare_samples(
    parts: ColumnDrift, baseline: Sample, current: Sample, thresholds: DriftThresholds
) -> tuple[ColumnDrift, list[tuple[DriftKind, str]], str]:
    sizes = (baseline.size, current.size)
    if min(len(baseline.values), len(current.values)) < MIN_VALUES or min(sizes) < MIN_VALUES:
        why = f"too few sampled values to compare ({sizes[0]} and {sizes[1]}; needs {MIN_VALUES})"
        return _with(parts, sample_sizes=sizes), [], why
    test = ks_test(baseline, current)
    index = numeric_psi(baseline, current)
    base, now = np.asarray(baseline.values), np.asarray(current.values)
    centres = (float(np.median(base)), float(np.median(now)))
    parts = _with(
        parts,
        distribution=test,
        psi=index,
        sample_sizes=sizes,
        centres=centres,
        histogram=_overlaid(base, now),
    )
    large = test.effect >= thresholds.ks or index >= thresholds.psi
    if not (_significant(test, thresholds) and large):
        return parts, [], ""
    kind = _location_or_scale(base, now)
    shown = _clock if parts.compared_as == "time of day" else format_number
    what = (
        f"median moved from {shown(centres[0])} to {shown(centres[1])}"
        if kind is DriftKind.LOCATION
        else f"spread changed (IQR {format_number(_iqr(base))} -> {format_number(_iqr(now))})"
    )
    evidence = (
        f"KS distance {test.effect:.3f}, PSI {index:.3f}, p {_p(test.p_value)}; "
        f"{sizes[0]:,} and {sizes[1]:,} sampled values"
    )
    return parts, [(kind, f"{what} ({evidence})")], ""


def _compare_categories(
    parts: ColumnDrift, baseline: Frequencies, current: Frequencies, thresholds: DriftThresholds
) -> tuple[ColumnDrift, list[tuple[DriftKind, str]], str]:
    findings: list[tuple[DriftKind, str]] = []
    base, now = baseline.as_dict(), current.as_dict()
    current_values = sum(now.values()) + current.other
    new = tuple((v, c) for v, c in current.counts if v not in base) if baseline.complete else ()
    vanished = tuple((v, c) for v, c in baseline.counts if v not in now) if current.complete else ()
    # Every baseline value is listed today, so today's unlisted values are all new (too many to list).
    unlisted_new = current.other if baseline.complete and all(v in now for v in base) else 0
    new_rows = sum(c for _, c in new) + unlisted_new
    share = (new_rows / current_values if current_values else 0.0) if baseline.complete else None
    if share is not None and new_rows and share >= thresholds.new_categories:
        unlisted = current.distinct - len(current.counts)
        more = len(new) - 5 + (unlisted if unlisted_new else 0)
        listed = ", ".join(f"{v!r} ({c:,})" for v, c in new[:5]) + (f" and {more:,} more" if more > 0 else "")
        findings.append((DriftKind.NEW_CATEGORY, f"new values hold {_pct(share)} of rows: {listed}"))
    labels, b_counts, c_counts = _category_bins(baseline, current, {v for v, _ in new}, unlisted_new)
    test = chi_square(b_counts, c_counts)
    index = psi(b_counts, c_counts) if test is not None else None
    sizes = (sum(b_counts), sum(c_counts))
    parts = _with(
        parts,
        distribution=test,
        psi=index,
        sample_sizes=(sum(base.values()) + baseline.other, current_values),
        new_categories=new,
        vanished_categories=vanished,
        new_share=share,
        histogram=_category_histogram(baseline, current),
    )
    large = (
        test is not None
        and index is not None
        and (test.effect >= thresholds.cramers_v or index >= thresholds.psi)
    )
    if test is not None and large and _significant(test, thresholds):
        evidence = (
            f"Cramér's V {test.effect:.3f}, PSI {index:.3f}, p {_p(test.p_value)}; "
            f"{sizes[0]:,} and {sizes[1]:,} rows"
        )
        moved = _most_moved(labels, b_counts, c_counts)
        findings.append((DriftKind.MIX, f"the mix of values changed, most of all {moved} ({evidence})"))
    skipped = "" if test is not None else "no two values counted on both sides: no mix to compare"
    return parts, findings, skipped


def _category_bins(
    baseline: Frequencies, current: Frequencies, new: set[str], unlisted_new: int = 0
) -> tuple[list[str], list[int], list[int]]:
    """The categories both counts can speak of, and each side's counts in them (new values left out).

    With both tables complete every value is a bin. Otherwise the values both list are bins and
    the rest of each side is one "(other)" bin: a value listed on one side only may well be in
    the other side's unlisted tail, so it cannot have a count of its own there.
    """
    base, now = baseline.as_dict(), current.as_dict()
    if baseline.complete and current.complete:
        labels = [v for v in dict.fromkeys([*base, *now]) if v not in new]
        return labels, [base.get(v, 0) for v in labels], [now.get(v, 0) for v in labels]
    labels = [v for v in base if v in now]
    b_other = sum(base.values()) + baseline.other - sum(base[v] for v in labels)
    listed_new = sum(now.get(v, 0) for v in new)
    c_other = sum(now.values()) + current.other - sum(now[v] for v in labels) - listed_new - unlisted_new
    return [*labels, "(other)"], [*(base[v] for v in labels), b_other], [*(now[v] for v in labels), c_other]


def _most_moved(labels: Sequence[str], baseline: Sequence[int], current: Sequence[int]) -> str:
    """The category whose share moved most, as `'B' 20% -> 45%`."""
    b_total, c_total = sum(baseline) or 1, sum(current) or 1
    moves = [
        (abs(c / c_total - b / b_total), label, b / b_total, c / c_total)
        for label, b, c in zip(labels, baseline, current, strict=True)
    ]
    _, label, before, after = max(moves)
    return f"{label!r} {_pct(before)} -> {_pct(after)}"


def _clock(seconds: float) -> str:
    """Seconds of the day as the time of day they are: 43366.6 -> 12:02:46."""
    whole = round(seconds) % 86_400
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def _location_or_scale(base: np.ndarray, now: np.ndarray) -> DriftKind:
    """`location` when the median moved more (in sigmas) than the spread changed (log ratio); else `scale`."""
    by_iqr = _iqr(base) > 0
    spread = _iqr(base) if by_iqr else float(np.std(base)) or 1.0
    moved = abs(float(np.median(now)) - float(np.median(base))) / spread * (SIGMA_PER_IQR if by_iqr else 1.0)
    now_spread = _iqr(now) if by_iqr else float(np.std(now))  # the same measure on both sides
    ratio = max(now_spread / spread, 1e-9)
    return DriftKind.LOCATION if moved >= abs(math.log(ratio)) else DriftKind.SCALE


def _iqr(values: np.ndarray) -> float:
    return float(stats.iqr(values))


def _overlaid(base: np.ndarray, now: np.ndarray) -> Histogram:
    """Both samples' shares in equal-width bins over their common 1st-99th percentile range."""
    low = float(min(np.quantile(base, 0.01), np.quantile(now, 0.01)))
    high = float(max(np.quantile(base, 0.99), np.quantile(now, 0.99)))
    if not high > low:
        high = low + 1.0
    edges = np.linspace(low, high, HISTOGRAM_BINS + 1)
    b = np.histogram(np.clip(base, low, high), edges)[0]
    c = np.histogram(np.clip(now, low, high), edges)[0]
    return Histogram(
        tuple(format_number(float(e)) for e in edges[:-1]),
        tuple(float(v) / max(len(base), 1) for v in b),
        tuple(float(v) / max(len(now), 1) for v in c),
        numeric=True,
    )


def _category_histogram(baseline: Frequencies, current: Frequencies) -> Histogram:
    """The shares of the most frequent values of either side, and of all the others."""
    base, now = baseline.as_dict(), current.as_dict()
    b_total = sum(base.values()) + baseline.other or 1
    c_total = sum(now.values()) + current.other or 1
    ranked = sorted(set(base) | set(now), key=lambda v: -(base.get(v, 0) / b_total + now.get(v, 0) / c_total))
    shown = ranked[:HISTOGRAM_CATEGORIES]
    b = [base.get(v, 0) / b_total for v in shown]
    c = [now.get(v, 0) / c_total for v in shown]
    return Histogram(
        (*shown, "(other)"), (*b, max(1 - sum(b), 0.0)), (*c, max(1 - sum(c), 0.0)), numeric=False
    )


def _stable_reason(parts: ColumnDrift, skipped: str) -> str:
    """Why a column is stable, with its effect sizes."""
    said = []
    if parts.null_rates is not None:
        said.append(f"NULLs {_pct(parts.null_rates[0])} -> {_pct(parts.null_rates[1])}")
    if parts.distribution is not None:
        said.append(f"{parts.distribution.effect_name.replace('_', ' ')} {parts.distribution.effect:.3f}")
    if parts.psi is not None:
        said.append(f"PSI {parts.psi:.3f}")
    if skipped:
        said.append(skipped)
    return "no drift (" + ", ".join(said) + ")"


def _significant(test: TestResult, thresholds: DriftThresholds) -> bool:
    return test.p_value < thresholds.p_value


def _with(parts: ColumnDrift, **changes: object) -> ColumnDrift:
    return replace(parts, **changes)  # type: ignore[arg-type]


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _p(value: float) -> str:
    return f"{value:.2g}" if value >= 1e-300 else "< 1e-300"


def _names(columns: dict[str, ColumnSketch]) -> str:
    return ", ".join(columns) or "none"
