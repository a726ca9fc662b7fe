"""Profile a whole table at its level: exact, approximate or off.

One aggregate scan, a frequency query per categorical column, and a second pass for
outliers that needs the first pass's statistics. `approximate` swaps the distinct counts
and quartiles of the first scan for sketches where the engine has them; `off` keeps only
the row count (and the columns another check reads), so the rules' metrics ride in one scan.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dq_checks.config.models import AnomalySettings, ProfileLevel
from dq_checks.metrics import AggregateMetric, MetricValues, QueryRunner, compute_aggregates
from dq_checks.metrics.plan import plan_aggregates
from dq_checks.metrics.sql import count_rows
from dq_checks.profile.column_metrics import (
    FirstPassMetrics,
    SecondPassMetrics,
    extremes_metrics,
    first_pass_metrics,
    frequency_query,
    quartile_query,
    quartiles_apart,
    second_pass_metrics,
    tail_query,
)
from dq_checks.profile.model import ColumnProfile, OutlierStats, Scalar, TableProfile, ValueCount
from dq_checks.profile.values import as_float, as_float_list, cut_text, plain
from dq_checks.rules.engine_errors import engine_error_text
from dq_checks.schema import ColumnInfo, ColumnKind


class ProfileError(Exception):
    """The engine could not compute the profile; the message is the engine's cause, in one line.

    Every check of the table then errors with it: without a profile there is nothing to judge.
    """


@dataclass(frozen=True)
class Measured:
    """A profile, the values of the extra metrics measured in the same scan, and groups that failed."""

    profile: TableProfile
    values: MetricValues
    failed_groups: dict[int, str] = field(default_factory=dict)


LIST_AGGREGATE_DIALECTS = frozenset({"duckdb"})
"""Engines with list-valued `max(x, n)`, which fetch both tails inside the outlier scan."""


def profile_table(
    runner: QueryRunner,
    columns: Sequence[ColumnInfo],
    settings: AnomalySettings,
    *,
    row_count_hint: int | None = None,
    level: ProfileLevel = ProfileLevel.EXACT,
) -> TableProfile:
    """Statistics for every column of the runner's table, exact unless `level` says otherwise.

    `settings` gives each column's z-score threshold and IQR multiplier, which the second
    pass counts against, so the counts match the thresholds the detectors will apply.
    """
    return profile_and_measure(runner, columns, settings, row_count_hint=row_count_hint, level=level).profile


def profile_and_measure(
    runner: QueryRunner,
    columns: Sequence[ColumnInfo],
    settings: AnomalySettings,
    *,
    row_count_hint: int | None = None,
    extra: Sequence[Sequence[AggregateMetric]] = (),
    level: ProfileLevel = ProfileLevel.EXACT,
    needed: Collection[str] = (),
) -> Measured:
    """Profile the table at `level` and, in the same aggregate scan, compute `extra` groups of metrics.

    Rules bring their metrics as one group each. A metric that the profile computes too is
    computed once. If the engine rejects the combined scan (a rule's `where` compares text
    with a number, say), the profile runs alone and each group is retried on its own, so
    one broken rule cannot take the profile or the other rules down with it. If the profile's
    own queries fail (out of memory, past the time limit), ProfileError says why.

    At `off`, no column is profiled except those in `needed` (columns another check reads from
    the profile, such as freshness's timestamp column), which get their count, min and max.
    """
    try:
        return _profile_and_measure(
            runner,
            columns,
            settings,
            row_count_hint=row_count_hint,
            extra=extra,
            level=level,
            needed=needed,
        )
    except Exception as error:  # the engine's own failure: its cause goes into every check's description
        raise ProfileError(f"the engine could not profile the table: {engine_error_text(error)}") from error


def _profile_and_measure(
    runner: QueryRunner,
    columns: Sequence[ColumnInfo],
    settings: AnomalySettings,
    *,
    row_count_hint: int | None,
    extra: Sequence[Sequence[AggregateMetric]],
    level: ProfileLevel,
    needed: Collection[str],
) -> Measured:
    row_metric = AggregateMetric(count_rows())
    width = len(columns)
    if level is ProfileLevel.OFF:
        columns = [c for c in columns if c.name in needed]
        first = {c.name: extremes_metrics(c) for c in columns}
    else:
        first = {c.name: first_pass_metrics(c, level, runner.dialect) for c in columns}
    hint = row_count_hint or 0
    profile_metrics = [row_metric, *(m for fp in first.values() for m in fp.all())]
    extra_metrics = [m for group in extra for m in group]
    failed_groups: dict[int, str] = {}
    # Frequency queries need nothing from the first pass: they go with it, so the engine's threads
    # stay busy across both (a column without values gets no rows back, and a distinct count of 0).
    counted = [] if level is ProfileLevel.OFF else [c for c in columns if c.kind.is_categorical]
    # So do the quartiles of an engine without a quantile aggregate, each column's in a query of its own.
    ranked = [] if level is ProfileLevel.OFF else [c for c in columns if quartiles_apart(c, runner.dialect)]
    alongside = [
        *(frequency_query(info, runner.relation) for info in counted),
        *(quartile_query(info, runner.relation) for info in ranked),
    ]
    try:
        plan = plan_aggregates(runner, [*profile_metrics, *extra_metrics], row_count_hint=hint)
        values, answers = plan.run(runner, alongside=alongside)
        queries = values.query_count
    except Exception:
        plan = plan_aggregates(runner, profile_metrics, row_count_hint=hint)
        values, answers = plan.run(runner, alongside=alongside)
        queries = values.query_count
        merged = dict(values)
        for index, group in enumerate(extra):
            try:
                group_values = compute_aggregates(runner, group, row_count_hint=hint)
            except Exception as error:  # the engine refused this group: report it on its rule
                failed_groups[index] = engine_error_text(error)
                continue
            queries += group_values.query_count
            merged.update(group_values)
        values = MetricValues(merged, query_count=queries)
    row_count = int(values[row_metric])
    profiles = {c.name: _first_pass_profile(c, first[c.name], values, row_count) for c in columns}
    if level is ProfileLevel.OFF:  # no frequencies, no outlier pass
        profile = TableProfile(
            row_count=row_count,
            columns=profiles,
            queries=queries,
            level=level.value,
            table_columns=width,
            engine=runner.dialect,
        )
        return Measured(profile, values, failed_groups)

    frequencies, quartiles = answers[: len(counted)], answers[len(counted) :]
    for info, rows in zip(counted, frequencies, strict=True):
        profiles[info.name] = _with_frequencies(rows, profiles[info.name])
    for info, rows in zip(ranked, quartiles, strict=True):
        q1, median, q3 = (as_float(value) for value in rows[0])
        profiles[info.name] = replace(profiles[info.name], q1=q1, median=median, q3=q3)
    queries += len(counted) + len(ranked)

    tails_in_aggregate = runner.dialect in LIST_AGGREGATE_DIALECTS
    second = {
        info.name: (info, metrics)
        for info in columns
        if (
            metrics := _second_pass_for(
                info, profiles[info.name], settings, tails_in_aggregate=tails_in_aggregate
            )
        )
        is not None
    }
    if second:
        outlier_values = compute_aggregates(
            runner, [m for _, sp in second.values() for m in sp.all()], row_count_hint=hint
        )
        queries += outlier_values.query_count + (0 if tails_in_aggregate else 2 * len(second))
        for name, (info, metrics) in second.items():
            outliers = _outlier_stats(runner, info, metrics, outlier_values, settings)
            profiles[name] = replace(profiles[name], outliers=outliers)
    profile = TableProfile(
        row_count=row_count, columns=profiles, queries=queries, level=level.value, engine=runner.dialect
    )
    return Measured(profile, values, failed_groups)


def _first_pass_profile(
    info: ColumnInfo, metrics: FirstPassMetrics, values: MetricValues, row_count: int
) -> ColumnProfile:
    non_null = int(values[metrics.non_null])

    def value_of(metric: AggregateMetric | None) -> object:
        return None if metric is None else values[metric]

    quartiles = as_float_list(value_of(metrics.quartiles))
    q1, median, q3 = quartiles if len(quartiles) == 3 else (None, None, None)
    distinct = value_of(metrics.distinct)
    if distinct is not None and "distinct_count" in metrics.approximate:
        # A sketch can overshoot; there are never more distinct values than values.
        distinct = min(int(distinct), non_null)

    def count_of(metric: AggregateMetric | None) -> int | None:
        # COUNT_IF over a column without values is NULL in some engines; the count is 0.
        return None if metric is None else int(values[metric] or 0)

    profile = ColumnProfile(
        name=info.name,
        data_type=info.data_type,
        kind=info.kind,
        row_count=row_count,
        null_count=row_count - non_null,
        distinct_count=None if distinct is None else int(distinct),
        min=plain(value_of(metrics.minimum)),
        max=plain(value_of(metrics.maximum)),
        mean=as_float(value_of(metrics.mean)),
        median=median,
        std=as_float(value_of(metrics.std)),
        q1=q1,
        q3=q3,
        zeros=count_of(metrics.zeros),
        negatives=count_of(metrics.negatives),
        non_finite=count_of(metrics.non_finite),
    )
    # Only numbers that exist are estimates; a column without values has its counts exactly (0).
    estimated = tuple(
        field for field in metrics.approximate if non_null > 0 and getattr(profile, field) is not None
    )
    return replace(profile, approximate=estimated)


def _with_frequencies(rows: list[tuple[Any, ...]], profile: ColumnProfile) -> ColumnProfile:
    """The profile with its top values and distinct count from its frequency query's rows."""
    boolean = profile.kind is ColumnKind.BOOLEAN
    top = tuple(ValueCount(_shown(value, length, boolean), int(count)) for value, length, count, _ in rows)
    distinct = int(rows[0][3]) if rows else 0
    return replace(profile, top_values=top, distinct_count=distinct)


def _shown(value: object, length: object, boolean: bool = False) -> Scalar:
    """A top value as stored: text fetched as its start and its length comes back with its cut marker.

    A boolean column's 0 and 1 (MySQL's BOOLEAN is TINYINT(1)) are shown as false and true.
    """
    if boolean and type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and isinstance(length, int):
        return cut_text(value, length)
    return plain(value)


def _second_pass_for(
    info: ColumnInfo, profile: ColumnProfile, settings: AnomalySettings, *, tails_in_aggregate: bool
) -> SecondPassMetrics | None:
    if info.kind is not ColumnKind.NUMERIC or profile.non_null_count == 0:
        return None
    if profile.mean is None or profile.q1 is None or profile.q3 is None:
        return None
    thresholds = settings.for_column(info.name)
    return second_pass_metrics(
        info,
        mean=profile.mean,
        std=profile.std,
        q1=profile.q1,
        q3=profile.q3,
        zscore_threshold=thresholds.zscore_threshold,
        iqr_multiplier=thresholds.iqr_multiplier,
        tails_in_aggregate=tails_in_aggregate,
    )


def _tail(
    runner: QueryRunner,
    info: ColumnInfo,
    metric: AggregateMetric | None,
    values: MetricValues,
    *,
    largest: bool,
) -> tuple[float, ...]:
    if metric is not None:
        return as_float_list(values[metric])
    rows = runner.fetch_rows(tail_query(info, runner.relation, largest=largest))
    return as_float_list([row[0] for row in rows])


def _outlier_stats(
    runner: QueryRunner,
    info: ColumnInfo,
    metrics: SecondPassMetrics,
    values: MetricValues,
    settings: AnomalySettings,
) -> OutlierStats:
    name = info.name
    zscore = 0 if metrics.zscore_count is None else int(values[metrics.zscore_count])
    return OutlierStats(
        zscore_threshold=settings.for_column(name).zscore_threshold,
        zscore_count=zscore,
        iqr_lower_bound=metrics.iqr_lower_bound,
        iqr_upper_bound=metrics.iqr_upper_bound,
        iqr_count=int(values[metrics.iqr_count]),
        largest=_tail(runner, info, metrics.largest, values, largest=True),
        smallest=_tail(runner, info, metrics.smallest, values, largest=False),
    )
