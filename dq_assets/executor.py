"""How a run executes its steps: many tables in forked step processes; one table in process.

Measured by `bench/fleet_bench.py` (README, "Many tables"):
- A run of many tables (a schedule's run of its group, the UI's "materialize all") uses Dagster's
  multiprocess executor, but with `forkserver` instead of `spawn`, preloading the code location
  and the libraries a step imports. Each step process then forks ready-made instead of importing
  dagster, duckdb, pyarrow and pyiceberg again.
- A run of one table (the freshness sensor's) has two steps that run one after the other: a
  second process would only add its start-up, so it runs in process.
"""

from __future__ import annotations

from typing import Any

import dagster as dg

# Imported once by the forkserver, inherited by every step process it forks.
STEP_PRELOAD_MODULES = (
    "dq_assets.definitions",
    "duckdb",
    "pyarrow",
    "pyiceberg.catalog.sql",
    "pyiceberg.table",
    "sqlalchemy",
    "pandas",
)
IN_PROCESS_RUN_CONFIG: dict[str, Any] = {"execution": {"config": {"in_process": True}}}


def executor_config(config: dict[str, Any]) -> dict[str, Any]:
    """dq_executor's config (`in_process`, `max_concurrent`) as the config of Dagster's executor."""
    if config["in_process"]:
        return {"in_process": {}}
    return {
        "multiprocess": {
            "max_concurrent": config["max_concurrent"],
            "start_method": {"forkserver": {"preload_modules": list(STEP_PRELOAD_MODULES)}},
        }
    }


dq_executor = dg.multi_or_in_process_executor.configured(
    executor_config,
    name="dq_executor",
    config_schema={
        "in_process": dg.Field(bool, default_value=False, description="run every step in the run's process"),
        "max_concurrent": dg.Field(
            dg.Noneable(int), default_value=None, description="step processes at once (default: the cores)"
        ),
    },
    description="In process for one table's run; forked step processes (forkserver, preloaded) for more.",
)
