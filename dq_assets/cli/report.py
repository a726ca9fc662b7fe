"""Read a finished run back from Dagster's events into the `dq run --json` shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from dq_assets.check_names import check_names_for
from dq_assets.instance_rule_history import OBSERVED_BY_CHECK_KEY
from dq_assets.instance_table_history import DATA_VERSION_KEY, ROW_COUNT_KEY
from dq_assets.steps.metadata import LAST_UPDATED_KEY, OUTCOME_KEY, PROFILE_JSON_KEY
from dq_assets.steps.run_metadata import (
    ANALYZERS_KEY,
    LAST_UPDATED_CHECK_KEY,
    RESULTS_METADATA_KEY,
    SKIPPED_KEY,
)
from dq_assets.table_keys import target_asset_key
from dq_checks.config.loader import DefinedTable
from dq_checks.results import Outcome
from dq_checks.results.names import PROFILE_CHECK

STORE_WRITTEN = "written"


@dataclass
class TableReport:
    """One table's outcome as the CLI prints it."""

    table: str
    source: str
    partition: str | None = None
    """The partition checked, for a partitioned table."""
    row_count: int | None = None
    last_updated: str | None = None
    data_version: str | None = None
    profile: dict[str, Any] = field(default_factory=lambda: {"columns": {}})
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    analyzers: list[dict[str, Any]] = field(default_factory=list)
    """What the table's analyzers measured (`analyzer`, `metric`, `value`, `error`, `location`)."""
    run_id: str | None = None
    results_store: str | None = None
    """`written`, `error: <why>` when the tidy copy could not be saved, None when the step never got there."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape documented in docs/cli.md."""
        return {
            "table": self.table,
            "source": self.source,
            "partition": self.partition,
            "row_count": self.row_count,
            "last_updated": self.last_updated,
            "data_version": self.data_version,
            "profile": self.profile,
            "anomalies": self.anomalies,
            "checks": self.checks,
            "analyzers": self.analyzers,
            "run_id": self.run_id,
            "results_store": self.results_store,
        }

    def outcomes(self) -> list[str]:
        """Each check's outcome."""
        return [c["outcome"] for c in self.checks]

    @property
    def save_error(self) -> str | None:
        """Why the results store did not take this run, or None when it did (or was never asked)."""
        if self.results_store is None or self.results_store == STORE_WRITTEN:
            return None
        return self.results_store.removeprefix("error: ")


def saving_exit_code(reports: Sequence[TableReport]) -> int:
    """2 when a run's results could not be saved: an error outcome, never a silent pass; else 0."""
    return 2 if any(r.save_error for r in reports) else 0


def analyzers_exit_code(reports: Sequence[TableReport]) -> int:
    """2 when an analyzer could not be computed: statistics are never judged, but a lost one is an error."""
    return 2 if any(a["error"] is not None for r in reports for a in r.analyzers) else 0


def _plain(value: dg.MetadataValue) -> Any:
    raw = value.value
    if isinstance(raw, dg.TableSchema):
        return [{"name": c.name, "type": c.type} for c in raw.columns]
    return raw


def table_report(defined: DefinedTable, result: dg.ExecuteInProcessResult) -> TableReport:
    """Collect what the run recorded for `defined`: the table's facts and every check's outcome.

    The facts come from dq's materialization, or (for a table attached to the user's asset, which
    dq does not materialize) from the profile check's metadata. A check without an evaluation
    either skipped (the profile check's `dq/skipped` says why) or never ran because the step died:
    an error, never a silent pass.
    """
    spec = defined.spec
    key = target_asset_key(defined)
    partition = result.dagster_run.tags.get("dagster/partition")
    report = TableReport(
        table=spec.table, source=spec.source.display(), partition=partition, run_id=result.run_id
    )
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations() if e.asset_key == key}
    profile_check = evaluations.get(PROFILE_CHECK)
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization  # type: ignore[union-attr]
        if materialization.asset_key == key:
            _read_run_facts(report, materialization.metadata, "dagster/row_count", LAST_UPDATED_KEY)
    if report.row_count is None and profile_check is not None and ROW_COUNT_KEY in profile_check.metadata:
        _read_run_facts(report, profile_check.metadata, ROW_COUNT_KEY, LAST_UPDATED_CHECK_KEY)
    metadata = profile_check.metadata if profile_check is not None else {}
    skipped = _plain(metadata[SKIPPED_KEY]) if SKIPPED_KEY in metadata else {}
    observed = _plain(metadata[OBSERVED_BY_CHECK_KEY]) if OBSERVED_BY_CHECK_KEY in metadata else {}
    report.analyzers = list(_plain(metadata[ANALYZERS_KEY])) if ANALYZERS_KEY in metadata else []
    failure = _step_failure(result)
    if report.results_store is None:
        report.results_store = _failure_metadata(result, RESULTS_METADATA_KEY)
    for name in check_names_for(defined):
        evaluation = evaluations.get(name)
        if evaluation is None and name in skipped:
            report.checks.append(_skipped(name, skipped[name], observed.get(name)))
            continue
        report.checks.append(_check(name, evaluation, failure))
        if evaluation is not None and "anomalies" in evaluation.metadata:
            report.anomalies = list(_plain(evaluation.metadata["anomalies"]))
    return report


def _read_run_facts(
    report: TableReport, metadata: Mapping[str, dg.MetadataValue], row_count_key: str, last_updated_key: str
) -> None:
    """Rows, the data's last update, its version, the profile and the results store's answer."""
    report.row_count = _plain(metadata[row_count_key])
    if last_updated_key in metadata:
        stamp = _plain(metadata[last_updated_key])
        report.last_updated = datetime.fromtimestamp(stamp, tz=UTC).isoformat()
    if DATA_VERSION_KEY in metadata:
        report.data_version = _plain(metadata[DATA_VERSION_KEY])
    if PROFILE_JSON_KEY in metadata:
        profile = _plain(metadata[PROFILE_JSON_KEY])
        report.profile = {"columns": profile["columns"]}
    if RESULTS_METADATA_KEY in metadata:
        report.results_store = _plain(metadata[RESULTS_METADATA_KEY])


def _skipped(name: str, reason: str, observed: float | None) -> dict[str, Any]:
    """A check that did not evaluate: no evaluation in Dagster (it shows SKIPPED), the reason here."""
    return {
        "name": name,
        "outcome": Outcome.SKIP.value,
        "severity": None,
        "description": reason,
        "metadata": {} if observed is None else {"observed": observed},
    }


def _check(name: str, evaluation: dg.AssetCheckEvaluation | None, failure: str | None) -> dict[str, Any]:
    if evaluation is None:  # the step died before reporting: an error, never a silent pass
        message = failure or "the check produced no result"
        return {
            "name": name,
            "outcome": Outcome.ERROR.value,
            "severity": "ERROR",
            "description": f"error: {message}",
            "metadata": {"error": message},
        }
    metadata = {k: _plain(v) for k, v in evaluation.metadata.items() if k != OUTCOME_KEY}
    outcome_value = evaluation.metadata.get(OUTCOME_KEY)
    outcome = (
        _plain(outcome_value)
        if outcome_value is not None
        else (Outcome.PASS.value if evaluation.passed else Outcome.FAIL.value)
    )
    severity = None if evaluation.passed else evaluation.severity.value
    return {
        "name": name,
        "outcome": outcome,
        "severity": severity,
        "description": evaluation.description or "",
        "metadata": metadata,
    }


def _failure_metadata(result: dg.ExecuteInProcessResult, key: str) -> Any:
    """A metadata value the step's failure carried (the unreadable-source path reports there)."""
    for event in result.get_step_failure_events():
        data = event.step_failure_data.user_failure_data
        if data is not None and key in data.metadata:
            return _plain(data.metadata[key])
    return None


def _step_failure(result: dg.ExecuteInProcessResult) -> str | None:
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data is not None and data.user_failure_data.description:
            return data.user_failure_data.description
        if data.error is not None:
            return data.error.message.strip()
    return None
