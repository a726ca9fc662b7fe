"""`dq run`: the same asset steps as the schedules, in-process, one run per table.

A standalone table's run materializes dq's asset; a table attached to the user's asset (`asset:`)
runs only its checks, against the data as it is: the user's asset need not be materialized by dq,
nor defined here (Dagster stands in a stub for it).

The tables run on a worker thread while the main thread waits for them and for SIGTERM or
SIGINT (`dq_assets.cli.interrupts`): a signal stops the run within seconds, even with a table
stuck in a driver call, and the tables that finished are still reported.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from dq_assets.attached_checks import build_whole_table_checks
from dq_assets.check_names import check_names_for
from dq_assets.cli.interrupts import run_interruptibly
from dq_assets.cli.report import TableReport, table_report
from dq_assets.run_tags import FORCE_SCAN_TAG, TABLE_TAG, TRIGGER_TAG, table_run_tags
from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_attached_checks, build_table_asset, check_keys_of, is_attached
from dq_checks.config.loader import DefinedTable, LoadedConfig
from dq_checks.partitions.scopes import per_partition, whole_table
from dq_checks.results import Outcome
from dq_checks.suggestions import unknown_table

QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
CLI_SESSION_TAG = "dq/cli_session"
"""One value per `dq run`: the runs an interrupted `dq run` must mark as canceled, and no other's."""
INSTANCE_LOCK_FILE = ".dq-instance.lock"
UNFINISHED_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


@dataclass(frozen=True)
class RunOutcome:
    """Every table's report, the definition problems, and the exit code they add up to."""

    reports: list[TableReport]
    problems: list[str]

    @property
    def exit_code(self) -> int:
        """0: all passed; 1: a check failed; 2: a check errored or a definition is invalid."""
        outcomes = {o for r in self.reports for o in r.outcomes()}
        if self.problems or "error" in outcomes:
            return 2
        return 1 if "fail" in outcomes else 0


def instance_for_cli() -> dg.DagsterInstance:
    """The instance DAGSTER_HOME configures, or an ephemeral one when it is unset.

    Opening an instance creates and migrates its storage when it is new, and Dagster's sqlite
    storage does that without a lock: two `dq` commands started at once on a fresh DAGSTER_HOME
    both created the same tables, and one died (`table secondary_indexes already exists`). An
    exclusive file lock in DAGSTER_HOME makes the other wait until the storage is complete.
    """
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    if not Path(home).is_dir():  # Dagster's own error says what is wrong
        return dg.DagsterInstance.get()
    from filelock import FileLock

    with FileLock(Path(home) / INSTANCE_LOCK_FILE):
        return dg.DagsterInstance.get()


def partitions_to_check(
    tables: Sequence[DefinedTable], partition: str | None, *, named: bool
) -> tuple[dict[str, str], list[str]]:
    """Each partitioned table's partition to check, and a problem for each that has none to check.

    `partition` (`--partition`) applies to the partitioned tables; without it each checks its
    latest complete partition. A key that is not one of a table's partitions is a problem naming
    its `partition:` line, and so is `--partition` for a table named on the command line
    (`named`) that has no partitions; the other tables still run.
    """
    from dq_assets.partitions import latest_partition, partitions_def_for

    chosen: dict[str, str] = {}
    problems: list[str] = []
    for table in tables:
        try:
            partitions = partitions_def_for(table)
        except ValueError as error:  # the asset's partitions, which only Dagster's load reads
            problems.append(f"{error}: write by: and start: (or values:), or check it from Dagster")
            continue
        if partitions is None:
            if partition is not None and named:
                problems.append(f"{table.where('table')}: {table.spec.table} has no partition: block")
            continue
        key = partition if partition is not None else latest_partition(table)
        if key is None:
            problems.append(f"{table.where('partition')}: {table.spec.table} has no complete partition yet")
        elif not partitions.has_partition_key(key):
            problems.append(
                f"{table.where('partition')}: {key!r} is not a partition of {table.spec.table} "
                f"(its first is {partitions.get_first_partition_key()}, its last {latest_partition(table)})"
            )
        else:
            chosen[table.spec.table] = key
    return chosen, problems


def select_tables(loaded: LoadedConfig, names: Sequence[str]) -> tuple[list[DefinedTable], list[str]]:
    """The tables named (all when none is), and a problem for each unknown name."""
    if not names:
        return list(loaded.tables), []
    chosen, problems = [], []
    known = [t.spec.table for t in loaded.tables]
    for name in names:
        table = loaded.by_name(name)
        if table is None:
            problems.append(unknown_table(name, known))
        else:
            chosen.append(table)
    return chosen, problems


def run_tables(
    tables: Sequence[DefinedTable],
    catalog: Mapping[str, DefinedTable],
    instance: dg.DagsterInstance,
    *,
    force: bool = False,
    partitions: Mapping[str, str] | None = None,
) -> list[TableReport]:
    """One in-process run per table, so one unreadable source cannot skip another table's checks.

    SIGTERM or SIGINT stops the tables: those that finished keep their report, the others get
    an *error* for every check saying they were interrupted, and the run of the table in progress
    is marked canceled in the instance. `force` scans every table even if its data version
    was already checked (the run tag `dq/force_scan`). `partitions` gives each partitioned table's
    partition to check (`partitions_to_check`).
    """
    # A partitioned table runs twice: its partition's checks, then its rules with `scope: table`.
    tables = [
        unit for table in tables for unit in (per_partition(table), whole_table(table)) if unit is not None
    ]
    resources = default_resources()
    session = uuid.uuid4().hex
    forced = {FORCE_SCAN_TAG: "true"} if force else {}

    def run_one(table: DefinedTable) -> TableReport:
        if table.rules_only:  # a partitioned table's whole-table rules, unpartitioned
            definition = build_whole_table_checks(table, catalog)
            selection = dg.AssetSelection.checks(*check_keys_of(table))
        elif is_attached(table):
            definition = build_attached_checks(table, catalog)
            selection = dg.AssetSelection.checks(*check_keys_of(table))
        else:
            definition, selection = build_table_asset(table, catalog), None
        result = dg.materialize(
            [definition],
            instance=instance,
            resources=resources,
            run_config=QUIET_LOGGING,
            raise_on_error=False,
            tags={**table_run_tags(table.spec), TRIGGER_TAG: "cli", CLI_SESSION_TAG: session, **forced},
            selection=selection,
            partition_key=None if table.rules_only else (partitions or {}).get(table.spec.table),
        )
        return table_report(table, result)

    canceled: dict[str, str] = {}

    def cancel_unfinished(signal_name: str) -> None:
        canceled.update(cancel_session_runs(instance, session, f"dq run interrupted by {signal_name}"))

    progress = run_interruptibly(tables, run_one, cancel_unfinished)
    reports = list(progress.finished)
    if progress.interrupted_by is not None:
        for table in tables[len(reports) :]:
            run_id = canceled.get(table.spec.table)
            reports.append(interrupted_report(table, progress.interrupted_by, run_id))
    return reports


def cancel_session_runs(instance: dg.DagsterInstance, session: str, message: str) -> dict[str, str]:
    """Mark this `dq run`'s unfinished runs canceled, so none is left "started" forever; table -> run id."""
    runs = instance.get_runs(
        filters=dg.RunsFilter(tags={CLI_SESSION_TAG: session}, statuses=UNFINISHED_STATUSES)
    )
    canceled = {}
    for run in runs:
        instance.report_run_canceled(run, message=message)
        canceled[run.tags.get(TABLE_TAG, "")] = run.run_id
    return canceled


def interrupted_report(table: DefinedTable, signal_name: str, run_id: str | None = None) -> TableReport:
    """Every check of a table that did not finish: an error saying it was interrupted, never a pass."""
    spec = table.spec
    message = f"interrupted by {signal_name} before the table finished"
    checks = [
        {
            "name": name,
            "outcome": Outcome.ERROR.value,
            "severity": "ERROR",
            "description": f"error: {message}",
            "metadata": {"error": message},
        }
        for name in check_names_for(table)
    ]
    return TableReport(table=spec.table, source=spec.source.display(), checks=checks, run_id=run_id)
