"""Many tables: 200 generated definitions load whole; schedules group by cron; a multi-table run forks.

Timings are `bench/fleet_bench.py`'s business; these tests assert counts and outcomes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from dq_assets.definitions import build_definitions
from dq_assets.executor import STEP_PRELOAD_MODULES, executor_config
from dq_assets.job_names import QualityNames
from tests.conftest import REPO_ROOT
from tests.fleet import (
    CRONS,
    FAILING_RULES_PER_TABLE,
    RULES_PER_TABLE,
    seed_fleet_data,
    write_fleet_definitions,
)

FLEET_SIZE = 200
RULE_CHECKS = {"id_is_primary_key", "amount_complete", "status_is_known", "quantity_in_range"}


def test_two_hundred_tables_load_with_a_job_and_a_schedule_per_cron(tmp_path: Path) -> None:
    fleet = write_fleet_definitions(tmp_path / "tables", FLEET_SIZE)
    defs = build_definitions(fleet.config_dir)

    graph = defs.resolve_asset_graph()
    # the table, its proposals, its report; and the one alerts summary
    assert len(graph.get_all_asset_keys()) == 3 * FLEET_SIZE + 1
    # 20 tables (every tenth) also check ReferentialIntegrity against the table before them.
    rule_checks = {k for k in graph.asset_check_keys if k.name in {*RULE_CHECKS, "row_count_in_bounds"}}
    assert len(rule_checks) == RULES_PER_TABLE * FLEET_SIZE
    referential = [k for k in graph.asset_check_keys if k.name == "id_exists_upstream"]
    assert len(referential) == FLEET_SIZE // 10

    # every fleet table is on Iceberg: one schedule, one job and one run per cron
    assert sorted(s.cron_schedule for s in defs.schedules) == sorted(CRONS)
    for cron in CRONS:
        job_name = QualityNames().scheduled_job("iceberg", cron)
        job = defs.resolve_job_def(job_name)
        # 50 tables per cron, each with its proposals asset
        selected = {k.path[-1] for k in job.asset_layer.selected_asset_keys}
        on_this_cron = {t for t in fleet.tables if fleet.cron_of(t) == cron}
        assert selected == on_this_cron | {f"{t}_rule_proposals" for t in on_this_cron}
        assert len(on_this_cron) == FLEET_SIZE // len(CRONS)
        schedule = defs.resolve_schedule_def(f"{job_name}_schedule")
        with dg.DagsterInstance.ephemeral() as instance:
            tick = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
        (request,) = tick.run_requests or []
        assert request.asset_selection is None  # the whole group in one run


def test_the_code_location_serves_two_hundred_tables_from_a_fresh_process(tmp_path: Path) -> None:
    """What a code server does on start: import the module, build, serialize the repository snapshot."""
    fleet = write_fleet_definitions(tmp_path / "tables", FLEET_SIZE)
    script = (
        "import json\n"
        "from dagster._core.remote_representation.external_data import RepositorySnap\n"
        "from dq_assets.definitions import defs\n"
        "snap = RepositorySnap.from_def(defs.get_repository_def())\n"
        "print(json.dumps({'jobs': len(snap.job_datas or []), 'schedules': len(snap.schedules),"
        " 'assets': len(snap.asset_nodes)}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env={**os.environ, "DQ_CONFIG_DIR": str(fleet.config_dir)},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    served = json.loads(done.stdout.strip().splitlines()[-1])
    # 4 cron jobs, dq_checks (also the freshness sensor's), propose_rules, dq_reports, the implicit asset job
    assert served == {"jobs": 8, "schedules": len(CRONS), "assets": 3 * FLEET_SIZE + 1}  # + dq_alerts


@pytest.fixture
def small_fleet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, tuple[str, ...]]:
    root = tmp_path / "catalog"
    (root / "warehouse").mkdir(parents=True)
    monkeypatch.setenv("PYICEBERG_CATALOG__FLEET__TYPE", "sql")
    monkeypatch.setenv("PYICEBERG_CATALOG__FLEET__URI", f"sqlite:///{root / 'catalog.db'}")
    monkeypatch.setenv("PYICEBERG_CATALOG__FLEET__WAREHOUSE", f"file://{root / 'warehouse'}")
    # (the step processes read the same variables, inherited through the subprocess's environment)
    fleet = write_fleet_definitions(tmp_path / "tables", 6)
    seed_fleet_data(fleet)
    # The forkserver and every step process it forks build the definitions from here.
    monkeypatch.setenv("DQ_CONFIG_DIR", str(fleet.config_dir))
    monkeypatch.setenv("DQ_RESULTS_URL", f"sqlite:///{tmp_path / 'results.db'}")
    return fleet.config_dir, fleet.tables


RUN_EVERY_TABLE = """
import json, sys
import dagster as dg
from dagster._core.definitions.reconstruct import ReconstructableRepository

tables = sys.argv[2:]
job = ReconstructableRepository.for_module(
    "dq_assets.definitions", "defs", working_directory=sys.argv[1]
).get_reconstructable_job("__ASSET_JOB")
with dg.DagsterInstance.get() as instance:
    result = dg.execute_job(
        job,
        instance=instance,
        asset_selection=[dg.AssetKey(t) for t in tables],
        run_config={"execution": {"config": {"max_concurrent": 2}}},
    )
    print(json.dumps({
        "success": result.success,
        "run_pid": next(e.pid for e in result.all_events if e.event_type_value == "ENGINE_EVENT"),
        "step_pids": sorted({e.pid for e in result.all_events if e.event_type_value == "STEP_START"}),
        "failing": sorted(
            [e.asset_key.path[-1], e.check_name]
            for e in result.get_asset_check_evaluations() if not e.passed
        ),
    }))
"""


def test_dq_executor_forks_step_processes_from_a_preloaded_forkserver_unless_in_process() -> None:
    executor = (
        build_definitions(REPO_ROOT / "dq_checks" / "tables").resolve_job_def("dq_reports").executor_def
    )
    assert executor.name == "dq_executor"
    assert executor_config({"in_process": False, "max_concurrent": None}) == {
        "multiprocess": {
            "max_concurrent": None,
            "start_method": {"forkserver": {"preload_modules": list(STEP_PRELOAD_MODULES)}},
        }
    }
    assert executor_config({"in_process": True, "max_concurrent": None}) == {"in_process": {}}


def test_one_run_of_many_tables_forks_its_step_processes_and_records_every_planted_defect(
    small_fleet: tuple[Path, tuple[str, ...]], tmp_path: Path
) -> None:
    """A scheduled run (or the UI's "materialize all"): dq's executor, forked step processes."""
    _, tables = small_fleet
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry: {enabled: false}\n")
    done = subprocess.run(
        [sys.executable, "-c", RUN_EVERY_TABLE, str(REPO_ROOT), *tables],
        env={**os.environ, "DAGSTER_HOME": str(home)},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    run = json.loads(done.stdout.strip().splitlines()[-1])
    assert run["success"]
    # every step ran in a step process of its own, not in the run's process
    assert len(run["step_pids"]) == len(tables) and run["run_pid"] not in run["step_pids"]
    failing_rules = [tuple(f) for f in run["failing"] if f[1] in RULE_CHECKS]
    # planted in every table: NULL amounts and 'lost' statuses, nothing else
    assert failing_rules == sorted((t, c) for t in tables for c in ("amount_complete", "status_is_known"))
    assert len(failing_rules) == FAILING_RULES_PER_TABLE * len(tables)
