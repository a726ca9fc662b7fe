"""The goals benchmark's contenders, each run in its own child process by `goals_bench.py --only NAME`.

* `ours@LEVEL`: the grid's check step (`grid_contenders.run_ours`) with `profile: LEVEL` in the
  table's definition (`exact`, `approximate` or `off`);
* `build-wide`: the Iceberg table alone (no Parquet copy), appended in chunks of
  `WIDE_CHUNK_ROWS` rows so that a 1,000-column chunk fits in memory;
* `cold-dq`: whole `dq run --json` processes on an initialised instance: the first on the table
  (a full scan) and a second on the same unchanged snapshot, instance and results store;
* `cold-soda`, `cold-gx`, `cold-ydata`: a peer's whole process (`cold_peers.py`) on the table's
  Parquet copy;
* anything else is a grid contender (`grid_contenders.child_main`).

A whole process is timed from its start to its exit by this child (`perf_counter` around spawn
and `os.wait4`), its peak RSS and CPU seconds are the grandchild's own rusage. This child
imports only the standard library and the bench modules before the timed processes, so the
floor it leaves in a grandchild's `ru_maxrss` (about 20 MiB) stays below every contender's peak.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grid_contenders as gc
import grid_data as gd
import profile_bench as pb

WIDE_CHUNK_ROWS = 100_000
DAGSTER_YAML = "telemetry:\n  enabled: false\n"
COLD_PEERS = Path(__file__).with_name("cold_peers.py")


@dataclass(frozen=True)
class Process:
    """One whole child process: wall and CPU seconds, peak RSS, exit code, what it printed."""

    seconds: float
    cpu_seconds: float
    peak_rss_kib: int
    exit_code: int
    stdout: str
    stderr: str


def run_process(command: list[str], folder: Path, env: dict[str, str] | None = None) -> Process:
    """Run a command in `folder`, from its spawn to its exit; its output kept in files, not pipes."""
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    with out.open("wb") as sink, err.open("wb") as errors:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=sink, stderr=errors, cwd=folder, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return Process(
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss,
        child.returncode,
        out.read_text(encoding="utf-8", errors="replace"),
        err.read_text(encoding="utf-8", errors="replace"),
    )


def failure(what: str, process: Process) -> SystemExit:
    """The child's exit with the process's exit code and the tail of its stderr."""
    tail = " | ".join(process.stderr.strip().splitlines()[-4:])
    return SystemExit(f"{what} exited with {process.exit_code}: {tail}")


# --------------------------------------------------------------------------- dq run


def dq_environment(home: Path) -> dict[str, str]:
    """An instance of its own (Dagster telemetry off), its results store and report folder."""
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text(DAGSTER_YAML, encoding="utf-8")
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DQ_RESULTS_URL": f"sqlite:///{home / 'results.db'}",
        "DQ_ARTIFACTS_DIR": str(home / "artifacts"),
    }


def write_init_table(folder: Path) -> Path:
    """A definitions folder with one three-row CSV table: the run that initialises the instance."""
    folder.mkdir(parents=True)
    data = folder / "init.csv"
    data.write_text("id,amount\n1,2.5\n2,3.5\n3,4.5\n", encoding="utf-8")
    (folder / "init.yaml").write_text(
        f"table: init\nsource: {{type: file, path: {json.dumps(str(data))}}}\n", encoding="utf-8"
    )
    return folder


def dq_run(folder: Path, env: dict[str, str], scratch: Path) -> tuple[Process, dict[str, Any]]:
    """One whole `dq run --json`: the process and its table's JSON report (exit 1: a rule failed)."""
    scratch.mkdir(parents=True)
    dq = Path(sys.executable).with_name("dq")
    process = run_process([str(dq), "run", "--json", "--config", str(folder)], scratch, env)
    if process.exit_code not in (0, 1, 2):
        raise failure("dq run", process)
    try:
        return process, json.loads(process.stdout)["tables"][0]
    except (ValueError, KeyError, IndexError):
        raise failure("dq run (no JSON report)", process) from None


def step_seconds(run_id: str, home: Path) -> float:
    """The run's check step: the summed duration of its Dagster steps, from the instance's records."""
    os.environ["DAGSTER_HOME"] = str(home)
    import dagster as dg

    with dg.DagsterInstance.get() as instance:
        stats = instance.get_run_step_stats(run_id)
    return sum((s.end_time or s.start_time or 0) - (s.start_time or 0) for s in stats)


def profile_description(report: dict[str, Any]) -> str:
    return next((c["description"] for c in report["checks"] if c["name"] == "profile"), "")


def cold_dq(rows: int, cols: int, count: int, workdir: Path) -> dict[str, Any]:
    """Initialise an instance with a run on another table, then two timed `dq run`s of the table.

    The first scans (no earlier run of this table in the results store), the second finds the
    same snapshot. Both runs' rule outcomes are reported; the step times are read from the
    instance after both processes, so this child holds no Dagster while they run.
    """
    base = workdir / f"cold-dq-{os.getpid()}"
    env = dq_environment(base / "home")
    folder = base / "tables"
    rules = gc.write_definition(rows, cols, count, folder)
    names = {rule.name for rule in rules}
    init, _ = dq_run(write_init_table(base / "init"), env, base / "run-init")
    first, first_report = dq_run(folder, env, base / "run-1")
    second, second_report = dq_run(folder, env, base / "run-2")
    home = Path(env["DAGSTER_HOME"])

    def checks(report: dict[str, Any]) -> dict[str, str]:
        return {c["name"]: c["outcome"] for c in report["checks"] if c["name"] in names}

    def errors(report: dict[str, Any]) -> dict[str, str]:
        return {c["name"]: c["description"] for c in report["checks"] if c["outcome"] == "error"}

    return {
        "seconds": first.seconds,
        "cpu_seconds": first.cpu_seconds,
        "peak_rss_kib": first.peak_rss_kib,
        "rss_before_kib": 0,
        "init_seconds": init.seconds,
        "checks": checks(first_report),
        "errors": errors(first_report),
        "step_seconds": step_seconds(first_report["run_id"], home),
        "profile": profile_description(first_report),
        "data_version": first_report.get("data_version"),
        "second_seconds": second.seconds,
        "second_peak_rss_kib": second.peak_rss_kib,
        "second_step_seconds": step_seconds(second_report["run_id"], home),
        "second_checks": checks(second_report),
        "second_errors": errors(second_report),
        "second_profile": profile_description(second_report),
        "second_data_version": second_report.get("data_version"),
    }


# --------------------------------------------------------------------------- the peers' processes


def cold_peer(peer: str, rows: int, cols: int, count: int, workdir: Path) -> dict[str, Any]:
    """A peer's whole process on the Parquet copy, its outcomes mapped to the rules afterwards."""
    folder = workdir / f"cold-{peer}-{os.getpid()}"
    folder.mkdir(parents=True)
    parquet = str(workdir / gd.PARQUET_NAME)
    out = folder / "outcomes.json"
    mapped: dict[str, Any] = {}
    if peer == "soda":
        data_source, contract, checks = gc.write_soda_files(rows, cols, count, workdir)
        args = [str(data_source), str(contract)]
    elif peer == "gx":
        specs = gc.gx_specs(rows, cols, count)
        (folder / "specs.pickle").write_bytes(pickle.dumps(specs))
        args = [parquet, str(folder / "specs.pickle")]
    else:
        args = [parquet]
    process = run_process([sys.executable, str(COLD_PEERS), str(out), peer, *args], folder)
    if process.exit_code != 0:
        raise failure(f"the {peer} process", process)
    raw = json.loads(out.read_text(encoding="utf-8"))
    if peer == "soda":
        mapped = gc.soda_checks_by_rule(checks, [tuple(f) for f in raw["found"]], raw["errors"])
    elif peer == "gx":
        mapped = gc.gx_checks(specs, [tuple(f) for f in raw["found"]])
    return {
        "seconds": process.seconds,
        "cpu_seconds": process.cpu_seconds,
        "peak_rss_kib": process.peak_rss_kib,
        "rss_before_kib": 0,
        **mapped,
    }


# --------------------------------------------------------------------------- dispatch


def child_main(name: str, rows: int, cols: int, count: int, workdir: Path) -> int:
    """Run one contender and print its result line; the grid's contenders are delegated."""
    gc.configure_environment(workdir)
    contender, _, level = name.partition("@")
    if contender == "ours" and level:
        result = gc.run_ours(rows, cols, count, workdir, profile=level)
    elif name == "build-wide":
        result = gd.build_table(rows, cols, workdir, chunk_rows=WIDE_CHUNK_ROWS, parquet=False)
    elif name == "cold-dq":
        result = cold_dq(rows, cols, count, workdir)
    elif name.startswith("cold-"):
        result = cold_peer(name.removeprefix("cold-"), rows, cols, count, workdir)
    else:
        return gc.child_main(name, rows, cols, count, workdir)
    result.setdefault("peak_rss_kib", pb.peak_rss_kib())
    print(pb.RESULT_MARKER + json.dumps(result, default=str), flush=True)
    return 0
