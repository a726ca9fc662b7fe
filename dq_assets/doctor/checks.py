"""Every check `dq doctor` runs, in the order a deployment is built.

Definitions first, then the Dagster instance, the stores, the sources, the LLM and the channels.
"""

from __future__ import annotations

from pathlib import Path

from dq_assets.doctor.channels import check_channels
from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.definitions import DEFINITIONS, check_definitions
from dq_assets.doctor.instance import (
    COMPUTE_LOGS,
    INSTANCE,
    RUN_LAUNCHER,
    STORAGE,
    check_compute_logs,
    check_instance,
    check_run_launcher,
    check_storage,
)
from dq_assets.doctor.llm import LLM, check_llm
from dq_assets.doctor.model import DoctorReport
from dq_assets.doctor.runner import Check, run_checks
from dq_assets.doctor.sources import SOURCES, check_sources
from dq_assets.doctor.stores import (
    ALERT_STORE,
    ARTIFACTS,
    PROPOSALS,
    RESULTS_STORE,
    check_alert_store,
    check_artifacts,
    check_proposals,
    check_results_store,
)

ALL_CHECKS: tuple[Check, ...] = (
    Check(DEFINITIONS, check_definitions),
    Check(INSTANCE, check_instance),
    Check(STORAGE, check_storage),
    Check(COMPUTE_LOGS, check_compute_logs),
    Check(RUN_LAUNCHER, check_run_launcher),
    Check(ALERT_STORE, check_alert_store),
    Check(RESULTS_STORE, check_results_store),
    Check(ARTIFACTS, check_artifacts),
    Check(PROPOSALS, check_proposals),
    Check(SOURCES, check_sources),
    Check(LLM, check_llm),
    Check("channels", check_channels),
)


def run_doctor(config_dir: Path) -> DoctorReport:
    """Run every check against the definitions in `config_dir` and the process's environment."""
    return run_checks(ALL_CHECKS, DoctorContext(config_dir))
