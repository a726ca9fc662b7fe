"""`dq run`: the same asset steps as the schedules, in-process, one run per table."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import dagster as dg

from dq_assets.cli.report import TableReport, table_report
from dq_assets.run_tags import TRIGGER_TAG, table_run_tags
from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import DefinedTable, LoadedConfig

QUIET_LOGGING = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}


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
    """The instance DAGSTER_HOME configures, or an ephemeral one when it is unset."""
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def select_tables(loaded: LoadedConfig, names: Sequence[str]) -> tuple[list[DefinedTable], list[str]]:
    """The tables named (all when none is), and a problem for each unknown name."""
    if not names:
        return list(loaded.tables), []
    chosen, problems = [], []
    known = ", ".join(sorted(t.spec.table for t in loaded.tables))
    for name in names:
        table = loaded.by_name(name)
        if table is None:
            problems.append(f"unknown table {name!r}; defined tables: {known}")
        else:
            chosen.append(table)
    return chosen, problems


def run_tables(
    tables: Sequence[DefinedTable], catalog: Mapping[str, DefinedTable], instance: dg.DagsterInstance
) -> list[TableReport]:
    """One in-process run per table, so one unreadable source cannot skip another table's checks."""
    resources = default_resources()
    reports = []
    for table in tables:
        result = dg.materialize(
            [build_table_asset(table, catalog)],
            instance=instance,
            resources=resources,
            run_config=QUIET_LOGGING,
            raise_on_error=False,
            tags={**table_run_tags(table.spec), TRIGGER_TAG: "cli"},
        )
        reports.append(table_report(table, result))
    return reports
