"""Wide tables: `dq run` on one Parquet file of 100, 500 and 1,000 columns, time and peak memory.

Usage: `python bench/wide_bench.py [--rows 100000] [--cols 100,500,1000] [--repeat 1]`

For every width the script writes one deterministic table (numpy `default_rng`, fixed seed) to a
Parquet file in a temporary folder: the columns cycle through doubles (a few NULLs), int64s,
short strings of a few dozen values, timestamps and booleans, and every 50th column is a unique
int64 id (100,000 distinct values, the worst case for an exact distinct count). A definitions
folder names it as a `file` source with two rules (`RowCount` and `IsComplete` on the first
column). Then `dq run --json` runs in a child process, as a user runs it, with a fresh
DAGSTER_HOME and a scratch results store, and the default engine settings (400 MB for queries,
256 MB for the load).

It prints one markdown table: the command's wall time, its peak RSS (`ru_maxrss` of the child,
which includes the interpreter, Dagster and pyarrow, not only DuckDB), the check step's own
time as the profile check reports it, the number of queries the profile took, and the size of
the JSON output. `--repeat N` keeps the fastest time and the highest peak. Progress goes to
stderr. This is a benchmark, not a test: the exit code does not depend on the numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SEED = 20261202
DEFAULT_ROWS = 100_000
DEFAULT_COLS = (100, 500, 1_000)


@dataclass
class Measured:
    """One `dq run` of one width: the best of its repeats."""

    cols: int
    wall_seconds: float
    peak_rss_mib: float
    step_seconds: float
    queries: int
    json_bytes: int
    outcome: str


def write_table(path: Path, rows: int, cols: int) -> None:
    """The deterministic wide table, as one Parquet file."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(SEED)
    columns: dict[str, pa.Array] = {}
    for i in range(cols):
        if i % 50 == 49:
            columns[f"id_{i}"] = pa.array(rng.permutation(rows), pa.int64())
            continue
        nulls = rng.random(rows) < (i % 7) / 100
        kind = i % 5
        if kind == 0:
            columns[f"amount_{i}"] = pa.array(rng.normal(100.0, 15.0, rows).round(2), mask=nulls)
        elif kind == 1:
            columns[f"count_{i}"] = pa.array(rng.integers(0, 1_000, rows), pa.int64(), mask=nulls)
        elif kind == 2:
            words = pa.array([f"value {n}" for n in range(40)])
            codes = pa.array(rng.integers(0, 40, rows).astype(np.int32), mask=nulls)
            columns[f"label_{i}"] = pa.DictionaryArray.from_arrays(codes, words).cast(pa.string())
        elif kind == 3:
            seconds = rng.integers(0, 365 * 86_400, rows).astype("timedelta64[s]")
            columns[f"at_{i}"] = pa.array(np.datetime64("2025-01-01T00:00:00") + seconds, mask=nulls)
        else:
            columns[f"flag_{i}"] = pa.array(rng.random(rows) < 0.3, mask=nulls)
    pq.write_table(pa.table(columns), path)


def define(folder: Path, data: Path, rows: int, first_column: str) -> None:
    """A definitions folder with the table as a file source and two rules."""
    folder.mkdir()
    (folder / "wide.yaml").write_text(
        "table: wide\n"
        f"source: {{type: file, path: '{data}'}}\n"
        "rules:\n"
        f"  - rule: RowCount = {rows}\n"
        f'  - rule: ColumnExists "{first_column}"\n',
        encoding="utf-8",
    )


def run_once(folder: Path, scratch: Path) -> tuple[float, float, dict]:
    """`dq run --json` in a child process: (wall seconds, peak RSS in MiB, the parsed JSON)."""
    home = Path(tempfile.mkdtemp(dir=scratch, prefix="home-"))
    env = {**os.environ, "DAGSTER_HOME": str(home), "DQ_RESULTS_URL": f"sqlite:///{home / 'results.db'}"}
    dq = Path(sys.executable).with_name("dq")
    out = scratch / "out.json"
    started = time.perf_counter()
    with out.open("wb") as sink:
        child = subprocess.Popen(
            [str(dq), "run", "--json", "--config", str(folder)],
            stdout=sink,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        _, _, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    return wall, usage.ru_maxrss / 1024, json.loads(out.read_text(encoding="utf-8"))


def measure(cols: int, rows: int, repeat: int, scratch: Path) -> Measured:
    """Write the table, then run `dq run` on it `repeat` times."""
    data = scratch / f"wide_{cols}.parquet"
    write_table(data, rows, cols)
    import pyarrow.parquet as pq

    folder = scratch / f"tables_{cols}"
    define(folder, data, rows, pq.read_schema(data).names[0])
    best: Measured | None = None
    for _ in range(repeat):
        wall, rss, report = run_once(folder, scratch)
        profile = next(c for c in report["tables"][0]["checks"] if c["name"] == "profile")
        match = re.search(r"in ([0-9.]+) s \((\d+) queries\)", profile["description"])
        step, queries = (float(match.group(1)), int(match.group(2))) if match else (float("nan"), 0)
        size = (scratch / "out.json").stat().st_size
        current = Measured(cols, wall, rss, step, queries, size, profile["outcome"])
        if best is None:
            best = current
        else:
            best.wall_seconds = min(best.wall_seconds, wall)
            best.step_seconds = min(best.step_seconds, step)
            best.peak_rss_mib = max(best.peak_rss_mib, rss)
        print(f"{cols} columns: {wall:.1f} s, {rss:.0f} MiB, profile {profile['outcome']}", file=sys.stderr)
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    parser.add_argument("--cols", default=",".join(str(c) for c in DEFAULT_COLS))
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    widths = [int(c) for c in args.cols.split(",")]
    with tempfile.TemporaryDirectory(prefix="dq-wide-bench-") as folder:
        results = [measure(cols, args.rows, max(1, args.repeat), Path(folder)) for cols in widths]
    print(f"`dq run --json` on {args.rows:,} rows, default engine settings\n")
    print("| columns | wall | peak RSS | check step | queries | JSON | profile |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        print(
            f"| {r.cols:,} | {r.wall_seconds:.1f} s | {r.peak_rss_mib:,.0f} MiB | {r.step_seconds:.1f} s "
            f"| {r.queries} | {r.json_bytes / 1e6:.1f} MB | {r.outcome} |"
        )
    print(f"\n{platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
