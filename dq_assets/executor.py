"""How a run executes its steps: many tables in forked step processes; one table in process.

Measured by `bench/fleet_bench.py` (docs/operations.md, "Many tables"):
- A run of many tables (a schedule's run of its group, the UI's "materialize all") uses Dagster's
  multiprocess executor, but with `forkserver` instead of `spawn`, preloading the code location
  and the libraries a step imports. Each step process then forks ready-made instead of importing
  dagster, duckdb, pyarrow and pyiceberg again.
- A run of one table (the freshness sensor's) has two steps that run one after the other: a
  second process would only add its start-up, so it runs in process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dagster as dg

# Imported once by the forkserver, inherited by every step process it forks.
LIBRARY_PRELOAD_MODULES = (
    "dq_runs.inspect",
    "duckdb",
    "pyarrow",
    "pyiceberg.catalog.sql",
    "pyiceberg.table",
    "sqlalchemy",
    "pandas",
)
STEP_PRELOAD_MODULES = ("dq_assets.definitions", *LIBRARY_PRELOAD_MODULES[1:])
"""The standalone code location preloads itself; a component cannot know the project's module."""
IN_PROCESS_RUN_CONFIG: dict[str, Any] = {"execution": {"config": {"in_process": True}}}


def executor_config_for(preload_modules: tuple[str, ...]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """dq_executor's config (`in_process`, `max_concurrent`) as the config of Dagster's executor."""

    def executor_config(config: dict[str, Any]) -> dict[str, Any]:
        if config["in_process"]:
            return {"in_process": {}}
        return {
            "multiprocess": {
                "max_concurrent": config["max_concurrent"],
                "start_method": {"forkserver": {"preload_modules": list(preload_modules)}},
            }
        }

    return executor_config


executor_config = executor_config_for(STEP_PRELOAD_MODULES)


def build_dq_executor(preload_modules: tuple[str, ...]) -> dg.ExecutorDefinition:
    """Dagster's multi-or-in-process executor with dq's two settings and a preloaded forkserver."""
    return dg.multi_or_in_process_executor.configured(
        executor_config_for(preload_modules),
        name="dq_executor",
        config_schema={
            "in_process": dg.Field(
                bool, default_value=False, description="run every step in the run's process"
            ),
            "max_concurrent": dg.Field(
                dg.Noneable(int),
                default_value=None,
                description="step processes at once (default: the cores)",
            ),
        },
        description="In process for one table's run; forked step processes (forkserver, preloaded) for more.",
    )


dq_executor = build_dq_executor(STEP_PRELOAD_MODULES)
"""The standalone code location's executor, for every job."""
dq_job_executor = build_dq_executor(LIBRARY_PRELOAD_MODULES)
"""A component's: set on dq's own jobs only, never on the project's Definitions."""
