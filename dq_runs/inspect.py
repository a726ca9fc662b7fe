"""Inspect one table and decide every check's outcome.

Describe it, scan it once for the profile and every rule's metrics, detect anomalies,
judge the rules and score them.

Nothing here imports Dagster; the asset and the CLI both report what this returns, a
`TableInspection`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from dq_checks.analyzers.compute import AnalyzerResult, compute_analyzers, plan_analyzers
from dq_checks.analyzers.redaction import redact_analyzers
from dq_checks.anomalies import detect_anomalies
from dq_checks.config.columns import unknown_columns
from dq_checks.config.loader import DefinedTable
from dq_checks.config.rule_entries import RuleDefinition
from dq_checks.freshness import freshness_result, judge_freshness
from dq_checks.history.earlier_runs import PastRun, first_seen, one_per_version, previous_schema
from dq_checks.metrics import QueryRunner
from dq_checks.partitions.arrival import arrival_result
from dq_checks.profile.model import TableProfile
from dq_checks.profile.profiler import ProfileError, profile_and_measure
from dq_checks.redaction import hidden_columns, redact_anomalies, redact_profile
from dq_checks.results import CheckResult
from dq_checks.results.builders import anomalies_result, error_result, profile_result
from dq_checks.results.drift_check import kept_sketch_metadata
from dq_checks.results.inspection import TableInspection
from dq_checks.results.names import FRESHNESS_CHECK
from dq_checks.results.rule_results import quality_score_result, rule_result
from dq_checks.results.volume_and_drift import drift_anomalies, volume_result
from dq_checks.rules.evaluate import judge_rules, plan_rules
from dq_checks.rules.model import (
    FAILING_ROWS_SHOWN,
    History,
    ReferenceTable,
    RuleOutcome,
    TableContext,
    no_history,
)
from dq_checks.rules.references import references_of
from dq_checks.rules.scores import score
from dq_checks.schema import TableDescription
from dq_checks.schema_change import schema_result
from dq_checks.suggestions import did_you_mean
from dq_resources.source_contract import OpenedTable, ReferenceRequest, SourceError
from dq_resources.source_contract.table import SLICE_EXTRA_KEY
from dq_runs.drift_step import DriftBaseline, DriftStep, drift_step
from dq_runs.scan_cache import with_scan_report

if TYPE_CHECKING:
    from dq_runs.scan_cache import ScanCache

SCAN_PATH_KEY = "dq/scan"
"""How the local engine read the table: in place (and how many files), or copied and why."""
SLICE_KEY = "dq/slice"
"""Which rows an incremental check read: the snapshots whose appends it spans."""

ReferenceOpener = Callable[[str], OpenedTable]
HistoryLookup = Callable[[str], History]


def inspect_table(
    defined: DefinedTable,
    table: OpenedTable,
    *,
    open_reference: ReferenceOpener | None = None,
    history_for: HistoryLookup | None = None,
    past: Sequence[PastRun] = (),
    now: datetime | None = None,
    sample_limit: int = FAILING_ROWS_SHOWN,
    scan_cache: ScanCache | None = None,
    series_at: datetime | None = None,
    arrival: tuple[str, datetime] | None = None,
    drift_baseline: DriftBaseline | None = None,
) -> TableInspection:
    """Profile and check `table`. Raises SourceError when the table itself cannot be read.

    `past` holds earlier runs of this table (newest or oldest first); `now` is the injected
    clock's time, which freshness, `now()` in rules and the history's time axis all use.
    `series_at` places this run on the history's time axis instead: a partition's own start,
    when `past` holds the earlier partitions (`dq_checks.history.partition_runs`). `arrival` is
    the checked partition and its due time, for its `arrival` check (`dq_checks.partitions.arrival`).
    `scan_cache` answers the queries an earlier run on the same data version already ran.
    `drift_baseline` is what the `drift` check compares with; without one it skips.
    """
    spec = defined.spec
    started = time.perf_counter()
    moment = now or datetime.now(tz=UTC)
    description = table.describe()
    requests, descriptions, unavailable = _references(defined, open_reference)
    with _query_runner(table, requests, description, descriptions, spec.pii_columns, scan_cache) as runner:
        unavailable.update(getattr(runner, "reference_errors", {}))
        loaded = getattr(runner, "references", {})
        references = {
            name: ReferenceTable(name, loaded.get(name), descriptions[name])
            for name in descriptions
            if name not in unavailable
        }
        context = TableContext(
            description, runner.relation, spec.key, moment, references, unavailable, sample_limit=sample_limit
        )
        planned = plan_rules(defined.rules, context)
        analyzers = plan_analyzers(defined.analyzers, context)
        try:
            measured = profile_and_measure(
                runner,
                description.columns,
                spec.anomalies,
                row_count_hint=description.row_count,
                extra=[*(p.metrics for p in planned), *(a.metrics for a in analyzers)],
                level=spec.profile,
                needed=spec.profile_needs,
            )
        except ProfileError as error:  # every check errors with the cause, as for an unreadable source
            raise SourceError(f"{table.name}: {error}") from error
        judged = judge_rules(
            planned,
            measured.values,
            runner,
            profile=measured.profile,
            history_for=history_for or (lambda _name: no_history),
            failed_groups=measured.failed_groups,
        )
        refused = {i - len(planned): why for i, why in measured.failed_groups.items() if i >= len(planned)}
        analyzed = compute_analyzers(
            analyzers, measured.values, runner, profile=measured.profile, refused=refused
        )
        scan_path = getattr(runner, "scan_path", None)
        pii = hidden_columns(spec.pii_columns, [c.name for c in description.columns])
        drifted = _drift(defined, runner, description, measured.profile, drift_baseline, pii)
    profile = measured.profile
    history = one_per_version(past, current_version=description.data_version)
    judged_at = series_at or first_seen(past, description.data_version) or moment
    anomalies = detect_anomalies(profile, spec.anomalies)
    anomalies += drift_anomalies(profile, judged_at, history, spec.history, spec.anomalies)
    duration = time.perf_counter() - started
    problems = unknown_columns(defined, description)
    visible_anomalies = redact_anomalies(anomalies, pii)
    profile_check = profile_result(profile, duration_seconds=duration, problems=problems.profile)
    profile_check = _keeping_sketch(_with_read_path(profile_check, scan_path, description), drifted)
    checks = [
        profile_check if scan_cache is None else with_scan_report(profile_check, scan_cache.report),
        anomalies_result(visible_anomalies, problems=problems.anomalies, profile=profile),
        *(_labelled(rule_result(definition, outcome, pii), definition) for definition, outcome in judged),
    ]
    if spec.freshness is not None:
        freshness_check, last_updated = _freshness(defined, description, profile, moment)
        checks.append(freshness_check)
        description = replace(description, last_updated=last_updated)
    if arrival is not None:
        checks.append(arrival_result(arrival[0], profile.row_count, arrival[1], moment))
    checks.append(
        volume_result(
            profile.row_count,
            judged_at,
            history,
            spec.volume,
            spec.history,
            checks_of_version=_checks_of(description.data_version, past),
        )
    )
    current_schema = tuple((c.name, c.data_type) for c in description.columns)
    checks.append(schema_result(previous_schema(history), current_schema, spec.schema_change))
    if drifted is not None:
        checks.append(drifted.check)
    scores = None
    if defined.rules:
        scores = score([(definition.dimension, outcome.outcome) for definition, outcome in judged])
        checks.append(quality_score_result(scores, spec.min_quality_score))
    visible_profile = redact_profile(profile, pii)
    return TableInspection(
        description,
        visible_profile,
        visible_anomalies,
        checks,
        duration,
        scores,
        pii,
        redact_analyzers(analyzed, pii),
        measured_metrics(judged, analyzed),
        drift=None if drifted is None else drifted.drift,
    )


def _drift(  # noqa: PLR0917 (one call site, which names nothing twice)
    defined: DefinedTable,
    runner: QueryRunner,
    description: TableDescription,
    profile: TableProfile,
    baseline: DriftBaseline | None,
    pii: Sequence[str],
) -> DriftStep | None:
    """The `drift` check, unless the definition turns it off.

    A partitioned table's partition column is left out with its key: each partition holds its own
    slice of that column (another day, another weekday), so it would "drift" on every partition.
    """
    spec = defined.spec
    if not spec.drift.enabled:
        return None
    left_out = [*spec.key, *([spec.partition.column] if spec.partition is not None else [])]
    return drift_step(spec.drift, runner, description, profile, baseline, key=left_out, hidden=pii)


def _keeping_sketch(profile_check: CheckResult, drifted: DriftStep | None) -> CheckResult:
    """The profile check carrying this run's drift sketch, the next run's baseline (it evaluates each run)."""
    if drifted is None or drifted.kept is None:
        return profile_check
    return replace(profile_check, metadata={**profile_check.metadata, **kept_sketch_metadata(drifted.kept)})


def _with_read_path(
    profile_check: CheckResult, scan_path: object, description: TableDescription
) -> CheckResult:
    """The profile check saying how the table was read (`dq/scan`) and which appends it read (`dq/slice`)."""
    read: dict[str, object] = {}
    if scan_path is not None:
        read[SCAN_PATH_KEY] = scan_path
    if SLICE_EXTRA_KEY in description.extra:
        read[SLICE_KEY] = description.extra[SLICE_EXTRA_KEY]
    return replace(profile_check, metadata={**profile_check.metadata, **read}) if read else profile_check


def _labelled(result: CheckResult, definition: RuleDefinition) -> CheckResult:
    """The rule's result with its labels beside its evidence, as `dq run --json` and the UI show them."""
    if not definition.labels:
        return result
    return replace(result, metadata={**result.metadata, "labels": dict(definition.labels)})


def measured_metrics(
    judged: Sequence[tuple[RuleDefinition, RuleOutcome]], analyzed: Sequence[AnalyzerResult]
) -> dict[str, float]:
    """Every metric measured in this run by its history key: the rules' observed values, the analyzers'.

    Later runs read them back, so a dynamic rule learns from every run that measured its metric.
    """
    metrics: dict[str, float] = {}
    for definition, outcome in judged:
        key, value = definition.metric_key, outcome.observed
        if key is not None and value is not None and math.isfinite(value):
            metrics[key] = float(value)
    for result in analyzed:
        if result.metric is not None and result.value is not None:
            metrics[result.metric] = result.value
    return metrics


def _query_runner(  # noqa: PLR0917 (one call site, which names nothing twice)
    table: OpenedTable,
    requests: list[ReferenceRequest],
    description: TableDescription,
    references: dict[str, TableDescription],
    pii_columns: Sequence[str],
    scan_cache: ScanCache | None,
) -> AbstractContextManager[QueryRunner]:
    """The table's own runner, or one that answers from an earlier run's results on the same data."""
    if scan_cache is None:
        return table.query_runner(requests)
    hidden = hidden_columns(pii_columns, [c.name for c in description.columns])
    return scan_cache.runner(table, requests, description, references, hidden)


def _freshness(
    defined: DefinedTable, description: TableDescription, profile: TableProfile, now: datetime
) -> tuple[CheckResult, datetime | None]:
    """Freshness on the data's own time: the snapshot's commit, or max(timestamp_column).

    Returns the check and the last update it measured, which the asset's metadata then
    carries as `dagster/last_updated_timestamp`, so the UI shows the same time.
    """
    spec = defined.spec.freshness
    assert spec is not None
    column = spec.timestamp_column
    if column is None:
        last_updated, source = description.last_updated, "snapshot commit time"
    else:
        profiled = profile.columns.get(column)
        if profiled is None or profiled.kind.value != "temporal":
            where = defined.where("freshness", "timestamp_column")
            times = [c.name for c in description.columns if c.kind.value == "temporal"]
            what = "a timestamp column" if profiled is not None else "a column of the table"
            message = (
                f"{where}: freshness.timestamp_column {column!r} is not {what}{did_you_mean(column, times)}"
            )
            return error_result(FRESHNESS_CHECK, message), description.last_updated
        last_updated, source = _instant(profiled.max), f"max({column})"
    return freshness_result(judge_freshness(spec, last_updated, now), spec, source), last_updated


def _checks_of(version: str | None, past: Sequence[PastRun]) -> int:
    """How many times data version `version` has been checked, this run included."""
    return 1 + sum(1 for run in past if version is not None and run.data_version == version)


def _instant(value: object) -> datetime | None:
    """A profile's ISO-8601 max back to an aware datetime (dates at midnight UTC; naive taken as UTC)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _references(
    defined: DefinedTable, open_reference: ReferenceOpener | None
) -> tuple[list[ReferenceRequest], dict[str, TableDescription], dict[str, str]]:
    """Open every table the rules reference; one that cannot be opened fails only its rules."""
    needs = references_of(defined)
    requests, descriptions, unavailable = [], {}, {}
    for name, columns in needs.items():
        if open_reference is None:
            unavailable[name] = "no source resolver was given"
            continue
        try:
            opened = open_reference(name)
            descriptions[name] = opened.describe()
        except SourceError as error:
            unavailable[name] = str(error)
            continue
        requests.append(ReferenceRequest(name, opened, None if columns is None else frozenset(columns)))
    return requests, descriptions, unavailable
