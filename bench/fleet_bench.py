r"""Many tables: code-location load time, scheduler tick, and one run of every table.

Usage:

    .venv/bin/python bench/fleet_bench.py                 # 200 tables
    .venv/bin/python bench/fleet_bench.py --tables 500 --repeat 3 --skip-run

The fleet is `tests/fleet.py`'s: N generated table definitions (5 or 6 rules each, four crons
that all fire at midnight, every other table with a freshness SLA, every tenth referencing the
one before) and, for the run, N Iceberg tables of 2,000 rows in a temporary pyiceberg SQL
catalog, each with the same planted defects (2 failing rules per table).

Three measurements, each in fresh child processes (the script re-invoked with `--only`):

1. **Load.** What a code server does when it starts (and each run worker and step process too):
   import the location module, build the definitions from `DQ_CONFIG_DIR`, and serialize the
   repository snapshot it serves (`RepositorySnap.from_def`, all job snapshots included). Timed
   from the first import, for the shipped layout (`by_cron`: a job and a schedule per cron) and
   the one it replaced (`per_table`: a job and a schedule per table). `bench/fleet_location.py`
   holds both.
2. **Scheduler tick.** A temporary sqlite instance with a `QueuedRunCoordinator` (runs are
   queued, not launched), every schedule started, then one real iteration of Dagster's scheduler
   (`launch_scheduled_runs`) at 00:00:30, when every cron is due, against a real code server.
   Timed: the iteration; counted: the runs it queued (one per table in both layouts).
3. **One run of every table** (`--skip-run` to leave it out): every table's check step in one
   run of the implicit asset job through `execute_job` with the multiprocess executor
   (`max_concurrent` = cores), once with Dagster's default executor (`spawn`: each step process
   imports everything again) and once with dq's (`forkserver`, preloading the code location and
   the step's libraries, so each step process forks ready-made; `dq_assets/executor.py`).
   Memory is the whole process tree's, sampled every 0.2 s: the peak of the summed PSS
   (proportional set size, which counts pages shared by forked children once) and the peak RSS
   of the largest single process. The run must record 2 failing rules per table.

This is a benchmark, not a test: it prints and never fails on its numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAYOUTS = {
    "per_table": "a job, a schedule and a run per table",
    "by_cron_table_runs": "a job and a schedule per cron, a run per table",
    "by_cron": "a job, a schedule and a run per cron (shipped)",
}
RULE_CHECKS = ("id_is_primary_key", "amount_complete", "status_is_known", "quantity_in_range")
EXECUTORS = {
    "dagster_default": "Dagster's default: multiprocess, spawn",
    "dq": "dq's: multiprocess, forkserver, preloaded",
}
RESULT_PREFIX = "fleet-bench-result: "  # children's logs go to stdout too


def _child_env(config_dir: Path, catalog_root: Path, layout: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DQ_CONFIG_DIR=str(config_dir),
        DQ_FLEET_LAYOUT=layout,
        PYTHONPATH=f"{REPO}{os.pathsep}{REPO / 'bench'}",
        PYICEBERG_CATALOG__FLEET__TYPE="sql",
        PYICEBERG_CATALOG__FLEET__URI=f"sqlite:///{catalog_root / 'catalog.db'}",
        PYICEBERG_CATALOG__FLEET__WAREHOUSE=f"file://{catalog_root / 'warehouse'}",
        YDATA_PROFILING_NO_ANALYTICS="True",
        GX_ANALYTICS_ENABLED="False",
    )
    return env


def _run_child(args: list[str], env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, cwd=REPO, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"child {args} failed:\n{done.stderr[-4000:]}")
    (line,) = [line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)]
    return json.loads(line.removeprefix(RESULT_PREFIX))


# ---------------------------------------------------------------- children


def _measure_load() -> dict:
    started = time.perf_counter()
    import fleet_location
    from dagster._core.remote_representation.external_data import RepositorySnap
    from dagster._serdes import serialize_value

    built = time.perf_counter()
    repository = fleet_location.defs.get_repository_def()
    snapshot = serialize_value(RepositorySnap.from_def(repository))
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "build_seconds": built - started,
        "snapshot_seconds": finished - built,
        "snapshot_mib": len(snapshot) / 2**20,
        "jobs": len(repository.get_all_jobs()),
        "schedules": len(repository.schedule_defs),
    }


def _measure_tick(home: Path) -> dict:
    import logging
    from datetime import UTC, datetime

    import dagster as dg
    from dagster._core.remote_representation.external import RemoteSchedule
    from dagster._core.test_utils import create_test_daemon_workspace_context, freeze_time
    from dagster._core.workspace.load_target import ModuleTarget
    from dagster._scheduler.scheduler import launch_scheduled_runs

    (home / "dagster.yaml").write_text(
        "telemetry: {enabled: false}\n"
        "run_coordinator:\n  module: dagster._core.run_coordinator\n  class: QueuedRunCoordinator\n"
        f"  config: {{max_concurrent_runs: {os.cpu_count() or 2}}}\n"
    )
    target = ModuleTarget(
        module_name="fleet_location",
        attribute="defs",
        working_directory=str(REPO / "bench"),
        location_name="fleet",
    )
    before = datetime(2026, 11, 29, 23, 50, tzinfo=UTC)
    due = datetime(2026, 11, 30, 0, 0, 30, tzinfo=UTC)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        with create_test_daemon_workspace_context(target, instance) as workspace:
            location = next(iter(workspace.create_request_context().get_code_location_entries().values()))
            repository = next(iter(location.code_location.get_repositories().values()))
            schedules: list[RemoteSchedule] = list(repository.get_schedules())
            with freeze_time(before):
                for schedule in schedules:
                    instance.start_schedule(schedule)
            with freeze_time(due):
                started = time.perf_counter()
                list(launch_scheduled_runs(workspace, logging.getLogger("fleet"), due, {}))
                seconds = time.perf_counter() - started
            # The drain that follows runs a real daemon on the real clock: nothing else may start.
            for schedule in schedules:
                instance.stop_schedule(schedule.get_remote_origin_id(), schedule.selector_id, schedule)
            for sensor in repository.get_sensors():
                instance.stop_sensor(sensor.get_remote_origin_id(), sensor.selector_id, sensor)
        runs = instance.get_runs()
        tables = {run.tags.get("dq/table") for run in runs}
    return {"seconds": seconds, "schedules": len(schedules), "runs": len(runs), "tables": len(tables)}


def _measure_drain(home: Path, sample: int) -> dict:
    """Run a real `dagster-daemon` until every queued run (or the first `sample`) has finished."""
    import signal

    import dagster as dg
    import psutil
    from dagster._core.storage.dagster_run import FINISHED_STATUSES

    (home / "workspace.yaml").write_text(
        "load_from:\n  - python_module:\n      module_name: fleet_location\n"
        f"      working_directory: {REPO / 'bench'}\n      location_name: fleet\n"
    )
    daemon_binary = Path(sys.executable).parent / "dagster-daemon"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        total = instance.get_runs_count()
        wanted = min(total, sample) if sample else total
        started = time.perf_counter()
        daemon = subprocess.Popen(
            [str(daemon_binary), "run", "-w", str(home / "workspace.yaml")],
            cwd=home,
            env={**os.environ, "DAGSTER_HOME": str(home)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        tree = psutil.Process(daemon.pid)
        peak_pss, peak_processes = 0, 0
        while instance.get_runs_count(dg.RunsFilter(statuses=list(FINISHED_STATUSES))) < wanted:
            pss, count = 0, 0
            for process in [tree, *tree.children(recursive=True)]:
                try:
                    pss += process.memory_full_info().pss
                    count += 1
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            peak_pss, peak_processes = max(peak_pss, pss), max(peak_processes, count)
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
        succeeded = instance.get_runs_count(dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS]))
        finished = instance.get_runs_count(dg.RunsFilter(statuses=list(FINISHED_STATUSES)))
        keys = [
            dg.AssetCheckKey(key, name)
            for key in instance.get_asset_keys()
            if not key.path[-1].endswith(("_rule_proposals", "_profile_report"))
            for name in RULE_CHECKS
        ]
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
        failing = 0
        for record in latest.values():
            event = record.event.dagster_event if record.event is not None else None
            if event is not None and getattr(event.event_specific_data, "passed", True) is False:
                failing += 1
    return {
        "seconds": seconds,
        "runs": total,
        "finished": finished,
        "succeeded": succeeded,
        "failing_rules": failing,
        "peak_pss_mib": peak_pss / 2**20,
        "max_processes": peak_processes,
    }


def _measure_run(home: Path, executor: str) -> dict:
    import threading

    import psutil

    me = psutil.Process()
    peaks = {"pss": 0, "largest_rss": 0, "processes": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            total, largest, count = 0, 0, 0
            for process in [me, *me.children(recursive=True)]:
                try:
                    info = process.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                total += info.pss
                largest = max(largest, info.rss)
                count += 1
            peaks["pss"] = max(peaks["pss"], total)
            peaks["largest_rss"] = max(peaks["largest_rss"], largest)
            peaks["processes"] = max(peaks["processes"], count)
            stop.wait(0.2)

    import dagster as dg
    from dagster._core.definitions.reconstruct import ReconstructableRepository

    from dq_checks.config.loader import load_table_specs
    from dq_checks.config.paths import default_config_dir

    specs = load_table_specs(default_config_dir()).specs
    keys = [dg.AssetKey(spec.table) for spec in specs]
    (home / "dagster.yaml").write_text("telemetry: {enabled: false}\n")
    cores = os.cpu_count() or 2
    # dq's executor takes `max_concurrent` (forkserver, preloaded); Dagster's takes `multiprocess`.
    execution = {"max_concurrent": cores} if executor == "dq" else {"multiprocess": {"max_concurrent": cores}}
    sampler = threading.Thread(target=sample, daemon=True)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        sampler.start()
        started = time.perf_counter()
        result = dg.execute_job(
            ReconstructableRepository.for_module(
                "fleet_location", "defs", working_directory=str(REPO / "bench")
            ).get_reconstructable_job("__ASSET_JOB"),
            instance=instance,
            asset_selection=keys,
            run_config={"execution": {"config": execution}},
            raise_on_error=False,
        )
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
        evaluations = result.get_asset_check_evaluations()
        rule_names = {"id_is_primary_key", "amount_complete", "status_is_known", "quantity_in_range"}
        failing = sum(1 for e in evaluations if e.check_name in rule_names and not e.passed)
        success = result.success
    return {
        "seconds": seconds,
        "success": success,
        "tables": len(keys),
        "check_evaluations": len(evaluations),
        "failing_rules": failing,
        "peak_pss_mib": peaks["pss"] / 2**20,
        "largest_process_rss_mib": peaks["largest_rss"] / 2**20,
        "max_processes": peaks["processes"],
    }


# ---------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tables", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="load and tick: best of N fresh processes")
    parser.add_argument("--skip-run", action="store_true")
    parser.add_argument(
        "--drain-sample",
        type=int,
        default=20,
        help="layouts with a run per table: stop after this many runs and extrapolate (0: all)",
    )
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--home", help=argparse.SUPPRESS)
    parser.add_argument("--executor", default="dq", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.only == "load":
        print(RESULT_PREFIX + json.dumps(_measure_load()))
        return
    if options.only == "tick":
        print(RESULT_PREFIX + json.dumps(_measure_tick(Path(options.home))))
        return
    if options.only == "drain":
        print(RESULT_PREFIX + json.dumps(_measure_drain(Path(options.home), options.drain_sample)))
        return
    if options.only == "run":
        print(RESULT_PREFIX + json.dumps(_measure_run(Path(options.home), options.executor)))
        return

    sys.path.insert(0, str(REPO))
    from tests.fleet import FAILING_RULES_PER_TABLE, seed_fleet_data, write_fleet_definitions

    with tempfile.TemporaryDirectory(prefix="dq-fleet-") as scratch:
        root = Path(scratch)
        fleet = write_fleet_definitions(root / "tables", options.tables)
        catalog_root = root / "catalog"
        (catalog_root / "warehouse").mkdir(parents=True)
        print(f"{options.tables} tables, {os.cpu_count()} cores; best of {options.repeat}", flush=True)

        columns = ("layout", "jobs", "schedules", "code-location load", "of which snapshot", "scheduler tick")
        print("\n| " + " | ".join(columns) + " | runs queued |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        homes: dict[str, Path] = {}
        envs: dict[str, dict[str, str]] = {}
        for layout, label in LAYOUTS.items():
            env = _child_env(fleet.config_dir, catalog_root, layout)
            env["DQ_RESULTS_URL"] = f"sqlite:///{root / f'results-{layout}.db'}"
            loads = [_run_child(["--only", "load"], env) for _ in range(options.repeat)]
            home = root / f"home-{layout}"
            home.mkdir()
            tick = _run_child(["--only", "tick", "--home", str(home)], env)
            homes[layout], envs[layout] = home, env
            load = min(loads, key=lambda m: m["seconds"])
            print(
                f"| {layout}: {label} | {load['jobs']} | {load['schedules']} | {load['seconds']:.2f} s "
                f"| {load['snapshot_seconds']:.2f} s ({load['snapshot_mib']:.1f} MiB) "
                f"| {tick['seconds']:.2f} s | {tick['runs']} ({tick['tables']} tables) |",
                flush=True,
            )

        if options.skip_run:
            return
        os.environ.update(_child_env(fleet.config_dir, catalog_root, "by_cron"))
        seed_fleet_data(fleet)
        print(
            "\n| from the tick's queue to every table checked (real daemon) | seconds | runs finished "
            "| succeeded | peak PSS, daemon tree | processes | failing rules |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for layout in LAYOUTS:
            sample = 0 if layout == "by_cron" else options.drain_sample
            args = ["--only", "drain", "--home", str(homes[layout]), "--drain-sample", str(sample)]
            drain = _run_child(args, envs[layout])
            done_all = drain["finished"] == drain["runs"]
            seconds = f"{drain['seconds']:.1f}"
            if not done_all:  # runs are alike and the queue is FIFO: the rest take as long each
                estimate = drain["seconds"] * drain["runs"] / drain["finished"]
                seconds = f"{seconds} for {drain['finished']} runs; all {drain['runs']}: ~{estimate:.0f}"
            expected = FAILING_RULES_PER_TABLE * options.tables
            if done_all:
                verdict = "as planted" if drain["failing_rules"] == expected else f"expected {expected}"
            else:
                verdict = f"of {drain['finished']} tables checked"
            print(
                f"| {layout} | {seconds} | {drain['finished']} of {drain['runs']} | {drain['succeeded']} "
                f"| {drain['peak_pss_mib']:.0f} MiB | {drain['max_processes']} "
                f"| {drain['failing_rules']} ({verdict}) |",
                flush=True,
            )

        env = {**os.environ, "DQ_RESULTS_URL": f"sqlite:///{root / 'results-run.db'}"}
        print(
            "\n| one run of every table | seconds | tables/s | peak PSS, whole tree "
            "| largest process RSS | processes | failing rules |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for executor, label in EXECUTORS.items():
            home = root / f"home-run-{executor}"
            home.mkdir()
            run_env = {**env, "DQ_FLEET_EXECUTOR": executor}
            run = _run_child(["--only", "run", "--home", str(home), "--executor", executor], run_env)
            expected = FAILING_RULES_PER_TABLE * run["tables"]
            verdict = "as planted" if run["failing_rules"] == expected else f"expected {expected}"
            print(
                f"| {label} | {run['seconds']:.1f} | {run['tables'] / run['seconds']:.1f} "
                f"| {run['peak_pss_mib']:.0f} MiB | {run['largest_process_rss_mib']:.0f} MiB "
                f"| {run['max_processes']} | {run['failing_rules']} ({verdict}) |",
                flush=True,
            )


if __name__ == "__main__":
    main()
