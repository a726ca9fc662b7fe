"""What a whole `dq run` process spends outside its check step, and what `dq validate` costs.

Usage: `python bench/process_bench.py [--repeat 3] [--tree DIR ...] [--workdir DIR]`

It writes the grid's 1M rows x 10 columns table (`grid_data.py`) to an Iceberg table in a
throw-away pyiceberg SQL catalog on sqlite, and one table definition with the grid's first 10
rules (`grid_rules.py`). For each source tree (the installed one by default; `--tree DIR` puts
another checkout first on PYTHONPATH, e.g. an older commit from `git archive`), it initialises a
DAGSTER_HOME (an empty `dagster.yaml`, as Dagster suggests) and a results store with one `dq run`,
keeps a copy of both, and then times `--repeat` whole cold `dq run --json --force` processes (no
`--force` for a tree whose `dq run` has none: it always scans), each started from that copy:
every run sees an instance with exactly one earlier run of the table.
Rounds are interleaved across trees; the best of each column is printed.

Columns: wall (spawn to exit), CPU (user + system of the process), check (the profile check's
`duration_seconds`: `inspect_table` from describe to scores), outside (wall - check: imports, the
instance, the catalog, Dagster's execution, the exit), and the same for `dq validate` on the folder.
Bytecode is cached under the work folder (PYTHONPYCACHEPREFIX), as an installed package has it.
A benchmark, not a test: the exit code never depends on the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import grid_data as gd
import grid_rules as gr
import profile_bench as pb
from grid_contenders import configure_environment, utc_now

ROWS, COLS, RULES = 1_000_000, 10, 10
TABLE = "t"


def dq_command() -> list[str]:
    """The `dq` console script beside this interpreter."""
    return [str(Path(sys.executable).with_name("dq"))]


def timed(
    command: list[str], env: dict[str, str], cwd: Path
) -> tuple[subprocess.CompletedProcess[str], float, float]:
    """Run `command`; its result, wall seconds and CPU seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode not in (0, 1):  # 1: a planted defect fails its rule
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done, wall, cpu


def check_seconds(stdout: str) -> float:
    """The profile check's duration: the check step of the run's one table."""
    [table] = json.loads(stdout)["tables"]
    [profile] = [c for c in table["checks"] if c["name"] == "profile"]
    return float(profile["metadata"]["duration_seconds"])


class Tree:
    """One source tree's instance copy and its measurements."""

    def __init__(self, label: str, path: str | None, workdir: Path, definitions: Path) -> None:
        self.label = label
        self.base = workdir / label
        self.copy = workdir / f"{label}.initialised"
        self.definitions = definitions
        self.env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.env.update(DAGSTER_HOME=str(self.base / "home"), PYTHONPYCACHEPREFIX=str(workdir / "pycache"))
        if path is not None:
            self.env["PYTHONPATH"] = path
        usage = subprocess.run(
            [*dq_command(), "run", "--help"], env=self.env, capture_output=True, text=True, check=False
        )
        force = ["--force"] if "--force" in usage.stdout else []  # reuse of metrics came with --force
        self.run_args = ["run", "--json", *force, "--config", str(definitions)]
        self.runs: list[tuple[float, float, float]] = []
        self.validates: list[tuple[float, float]] = []

    def initialise(self) -> None:
        """One `dq run` on a new DAGSTER_HOME and results store, then a copy of both."""
        (self.base / "home").mkdir(parents=True)
        (self.base / "home" / "dagster.yaml").touch()
        timed([*dq_command(), *self.run_args], self.env, self.base)
        shutil.copytree(self.base, self.copy, symlinks=True)

    def measure(self) -> None:
        """One whole `dq run` from the initialised copy, then one `dq validate`."""
        shutil.rmtree(self.base)
        shutil.copytree(self.copy, self.base, symlinks=True)
        done, wall, cpu = timed([*dq_command(), *self.run_args], self.env, self.base)
        self.runs.append((wall, cpu, check_seconds(done.stdout)))
        _, wall, cpu = timed(
            [*dq_command(), "validate", "--config", str(self.definitions)], self.env, self.base
        )
        self.validates.append((wall, cpu))

    def summary(self) -> str:
        """One markdown row: the best of each column."""
        wall, cpu, check = (min(r[i] for r in self.runs) for i in range(3))
        outside = min(r[0] - r[2] for r in self.runs)
        numbers = (wall, cpu, check, outside, *(min(v[i] for v in self.validates) for i in range(2)))
        return f"| {self.label} | " + " | ".join(f"{n:.2f}" for n in numbers) + " |"


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tree", action="append", default=[], help="a source tree to measure instead")
    parser.add_argument(
        "--workdir", type=Path, help="keep the table and instances here (default: a temp folder)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dq-process-bench-"))
    try:
        configure_environment(workdir)
        print(f"building {ROWS:,} x {COLS} in {workdir} ...", file=sys.stderr)
        gd.build_table(ROWS, COLS, workdir)
        definitions = workdir / "defs"
        definitions.mkdir()
        rules = gr.grid_rules(ROWS, COLS, RULES, utc_now())
        (definitions / f"{TABLE}.yaml").write_text(
            gr.definition_yaml(TABLE, rules, pb.CATALOG, pb.IDENTIFIER), encoding="utf-8"
        )
        paths: list[str | None] = list(args.tree) or [None]
        trees = [
            Tree(f"tree{i}" if path else "installed", path, workdir, definitions)
            for i, path in enumerate(paths, 1)
        ]
        for tree in trees:
            print(f"initialising {tree.label} ...", file=sys.stderr)
            tree.initialise()
        for round_ in range(args.repeat):
            for tree in trees:
                print(f"round {round_ + 1}: {tree.label}", file=sys.stderr)
                tree.measure()
        print(f"whole cold `dq run`, {ROWS:,} rows x {COLS} columns, {RULES} rules; best of {args.repeat}\n")
        print("| tree | run wall s | run CPU s | check step s | outside s | validate wall s | validate CPU |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for tree in trees:
            print(tree.summary())
        for i, path in enumerate(args.tree, 1):
            print(f"\ntree{i}: {path}")
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
