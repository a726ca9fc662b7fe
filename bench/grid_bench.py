"""One command, one table: our check step against ydata-profiling, GX and Soda over a grid of sizes.

Usage: `python bench/grid_bench.py [--rows 100000,1000000,10000000] [--cols 10,50] [--rules 0,25,100]
[--skip ydata,gx,soda] [--repeat N] [--timeout 900] [--max-rss-gib 12]`

For every (rows, cols) of the grid the script writes one deterministic table (`grid_data.py`:
numpy `default_rng`, fixed seed, 10 or 50 columns, four planted defects) to an Iceberg table in
a throw-away pyiceberg SQL catalog, and a Parquet copy of the same rows for Soda. Then, for
every rule count, it times in separate child processes:

* ours: the whole check step (`inspect_table`: describe, load into DuckDB, profile, anomalies,
  the N DQDL rules of `grid_rules.py`, scores) on the Iceberg table; with 0 rules, profile +
  anomalies;
* GX: Great Expectations 1.x validating the equivalent expectations on a pandas DataFrame of
  the table (0 rules: the row count and the ordered column list);
* Soda: Soda Core 4 (soda-duckdb) verifying the equivalent contract checks; it reads the Parquet
  copy, loading it into an in-memory DuckDB table as soda-duckdb's file mode does (0 rules: the
  row count and the schema);
* ydata: `ProfileReport(df, minimal=True).to_json()` on the DataFrame, once per (rows, cols),
  shown on each rules row (it has no rules).

Each contender runs in a fresh child process (this script with the hidden `--only NAME`): the
timer (`perf_counter`) covers its work only, not imports nor data preparation; peak RSS is the
child's `ru_maxrss`. The parent imports only the standard library and this folder's modules,
which import nothing heavy at module level. A child running longer than `--timeout` seconds,
or above `--max-rss-gib` of resident memory, is killed: its cell shows `> 900 s` (or
`> 12 GiB`) and no ratio, and it is not run on a cell at least as large in rows, columns and rules.
`--repeat N` runs N interleaved rounds (ours, GX, Soda; again) and keeps each contender's
fastest time and highest peak.

It prints one markdown table (time, peak RSS, ratios peer / ours, the failing-rule counts:
planted / ours / GX / Soda, and whether the outcomes agree rule by rule where a counterpart
exists), then every disagreement, then how our time grows with rows and with columns (time
per million cells, the ratios at 10x rows and 5x columns, and exponents from log-log fits),
then the machine. Progress goes to stderr. This is a benchmark, not a test: the exit code
does not depend on the numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import math
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import grid_rules as gr
import profile_bench as pb
from grid_contenders import configure_environment, utc_now

DEFAULT_ROWS = (100_000, 1_000_000, 10_000_000)
DEFAULT_COLS = (10, 50)
DEFAULT_RULES = (0, 25, 100)
PEERS = ("gx", "soda")  # run per rules count; ydata runs once per (rows, cols)
SKIPPABLE = ("ydata", "gx", "soda")
TIMES = "\N{MULTIPLICATION SIGN}"
POLL_SECONDS = 0.5


# --------------------------------------------------------------------------- running children


@dataclass
class Run:
    """One contender in one cell: the best of its runs, or why there is no number."""

    status: str  # "ok", "timeout", "memory", "failed", "skipped" (exceeded at a smaller size)
    seconds: float = math.nan
    cpu_seconds: float = math.nan
    peak_mib: float = math.nan
    before_mib: float = math.nan
    extra: dict[str, Any] = field(default_factory=dict)
    message: str = ""

    @property
    def ok(self) -> bool:
        """A number was measured."""
        return self.status == "ok"


def tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and its descendants, from /proc (0 once it is gone)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
    return total


def run_child(command: list[str], log: Path, timeout: float | None, max_rss_kib: int | None) -> Run:
    """Run one child in its own session; kill its process group on timeout or too much memory."""
    with log.open("w") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        began, status = time.monotonic(), ""
        while child.poll() is None:
            if timeout is not None and time.monotonic() - began > timeout:
                status = "timeout"
            elif max_rss_kib is not None and tree_rss_kib(child.pid) > max_rss_kib:
                status = "memory"
            if status:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                return Run(status)
            time.sleep(POLL_SECONDS)
    text = log.read_text(errors="replace")
    lines = [line for line in text.splitlines() if line.startswith(pb.RESULT_MARKER)]
    if child.returncode != 0 or not lines:
        return Run("failed", message=f"exit code {child.returncode}: " + " | ".join(text.splitlines()[-6:]))
    result = json.loads(lines[-1].removeprefix(pb.RESULT_MARKER))
    return Run(
        "ok",
        seconds=float(result["seconds"]),
        cpu_seconds=float(result.get("cpu_seconds", math.nan)),
        peak_mib=int(result["peak_rss_kib"]) / 1024,
        before_mib=int(result.get("rss_before_kib", 0)) / 1024,
        extra=result,
    )


def best(runs: Sequence[Run]) -> Run:
    """The fastest successful run, with the highest peak of all; a failure if any run failed."""
    for run in runs:
        if not run.ok:
            return run
    fastest = min(runs, key=lambda run: run.seconds)
    fastest.peak_mib = max(run.peak_mib for run in runs)
    fastest.before_mib = max(run.before_mib for run in runs)
    return fastest


@dataclass
class Grid:
    """How to run the children of one table, and which contenders exceeded a limit so far."""

    script: Path
    workdir: Path
    timeout: float
    max_rss_kib: int
    repeat: int
    # (contender, rows, cols, rules) where a contender exceeded a limit: larger cells are not run
    exceeded: list[tuple[str, int, int, int]] = field(default_factory=list)

    def command(self, name: str, rows: int, cols: int, rules: int) -> list[str]:
        """The command line that runs this script as the child for one contender and cell."""
        return [
            sys.executable,
            str(self.script),
            *("--only", name, "--rows", str(rows), "--cols", str(cols), "--rules", str(rules)),
            *("--workdir", str(self.workdir)),
        ]

    def dominated(self, name: str, rows: int, cols: int, rules: int) -> bool:
        """Whether the contender exceeded a limit on a cell no larger than this one."""
        return any(n == name and r <= rows and c <= cols and k <= rules for n, r, c, k in self.exceeded)

    def run(self, name: str, rows: int, cols: int, rules: int, *, limits: bool = True) -> Run:
        """One run of one contender, with the time and memory limits unless `limits` is False."""
        log = self.workdir / f"{name}-{rows}-{cols}-{rules}.log"
        return run_child(
            self.command(name, rows, cols, rules),
            log,
            self.timeout if limits else None,
            self.max_rss_kib if limits else None,
        )

    def measure(self, names: Sequence[str], rows: int, cols: int, rules: int) -> dict[str, Run]:
        """`repeat` interleaved rounds of `names` on one cell."""
        runs: dict[str, list[Run]] = {name: [] for name in names}
        for round_number in range(1, self.repeat + 1):
            for name in names:
                if runs[name] and not runs[name][-1].ok:
                    continue
                if self.dominated(name, rows, cols, rules):
                    runs[name] = [Run("skipped")]
                    continue
                suffix = f", round {round_number} of {self.repeat}" if self.repeat > 1 else ""
                progress(f"  {name}: {rows:,} rows x {cols} columns x {rules} rules{suffix} ...")
                run = self.run(name, rows, cols, rules)
                if run.status in ("timeout", "memory"):
                    self.exceeded.append((name, rows, cols, rules))
                if run.status == "failed":
                    progress(f"    {name} FAILED: {run.message}")
                runs[name].append(run)
        return {name: best(found) for name, found in runs.items()}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the report


@dataclass
class Cell:
    """The results of one rows x cols x rules cell, by contender."""

    rows: int
    cols: int
    rules: int
    results: dict[str, Run]


def show_rows(rows: int) -> str:
    for size, unit in ((1_000_000, "M"), (1_000, "k")):
        if rows >= size and rows % size == 0:
            return f"{rows // size}{unit}"
    return f"{rows:,}"


def timing(run: Run | None, grid: Grid) -> str:
    if run is None:
        return "not run"
    if run.status == "ok":
        return f"{run.seconds:.2f} s / {run.peak_mib:,.0f}"
    if run.status == "timeout":
        return f"> {grid.timeout:g} s"
    if run.status == "memory":
        return f"> {grid.max_rss_kib / 2**20:g} GiB"
    if run.status == "skipped":
        return "not run \N{DAGGER}"
    return "failed"


def ratio(peer: Run | None, ours: Run | None) -> str:
    if peer is None or ours is None or not peer.ok or not ours.ok or ours.seconds <= 0:
        return "\N{EN DASH}"
    return f"{peer.seconds / ours.seconds:.1f}{TIMES}"


@dataclass
class Agreement:
    """A cell's failing-rule counts, its verdict and its disagreements."""

    counts: str
    verdict: str
    mismatches: list[str]


def agreement(cell: Cell, rules: Sequence[gr.GridRule]) -> Agreement:
    """Failing-rule counts (planted / ours / GX / Soda) and every rule-level disagreement."""
    if not rules:
        return Agreement("\N{EN DASH}", "\N{EN DASH}", [])
    ours = cell.results.get("ours")
    if ours is None or not ours.ok:
        return Agreement("\N{EN DASH}", "no result", [])
    found: dict[str, dict[str, str]] = {"ours": ours.extra["checks"]}
    counts = [str(sum(rule.planted == "fail" for rule in rules))]
    counts.append(str(sum(found["ours"].get(rule.name) == "fail" for rule in rules)))
    for peer, has in (("gx", lambda r: r.gx_match != "-"), ("soda", lambda r: r.soda_match != "-")):
        run = cell.results.get(peer)
        if run is not None and run.ok:
            found[peer] = run.extra["checks"]
            counts.append(str(sum(found[peer].get(rule.name) == "fail" for rule in rules if has(rule))))
        else:
            counts.append("\N{EN DASH}")
    mismatches = []
    where = f"{show_rows(cell.rows)} {TIMES} {cell.cols} {TIMES} {cell.rules}"
    for rule in rules:
        mine = found["ours"].get(rule.name, "missing")
        if mine != rule.planted:
            mismatches.append(f"{where}: {rule.name}: planted {rule.planted}, ours {mine}")
        for peer, match in (("gx", rule.gx_match), ("soda", rule.soda_match)):
            if peer in found and match != "-":
                theirs = found[peer].get(rule.name, "missing")
                if theirs != mine:
                    kind = "nearest counterpart" if match == "~" else "same measure"
                    mismatches.append(f"{where}: {rule.name}: ours {mine}, {peer} {theirs} ({kind})")
    verdict = "yes" if not mismatches else f"NO ({len(mismatches)})"
    return Agreement(" / ".join(counts), verdict, mismatches)


def markdown_table(
    cells: Sequence[Cell], ydata: dict[tuple[int, int], Run], grid: Grid, skipped: set[str]
) -> list[str]:
    header = (
        f"| rows {TIMES} cols {TIMES} rules | ours s | ours peak MiB | ydata s / MiB | GX s / MiB "
        "| Soda s / MiB | ydata / ours | GX / ours | Soda / ours "
        "| failing: planted / ours / GX / Soda | agree |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    problems: list[str] = []
    for cell in cells:
        ours = cell.results.get("ours")
        y = None if "ydata" in skipped else ydata.get((cell.rows, cell.cols))
        gx, soda = cell.results.get("gx"), cell.results.get("soda")
        rules = gr.grid_rules(cell.rows, cell.cols, cell.rules, utc_now())
        agreed = agreement(cell, rules)
        problems.extend(agreed.mismatches)
        ours_s = f"{ours.seconds:.2f}" if ours and ours.ok else timing(ours, grid)
        ours_mib = f"{ours.peak_mib:,.0f}" if ours and ours.ok else "\N{EN DASH}"
        lines.append(
            "| "
            + " | ".join(
                (
                    f"{show_rows(cell.rows)} {TIMES} {cell.cols} {TIMES} {cell.rules}",
                    ours_s,
                    ours_mib,
                    "skipped" if "ydata" in skipped else timing(y, grid),
                    "skipped" if "gx" in skipped else timing(gx, grid),
                    "skipped" if "soda" in skipped else timing(soda, grid),
                    ratio(y, ours),
                    ratio(gx, ours),
                    ratio(soda, ours),
                    agreed.counts,
                    agreed.verdict,
                )
            )
            + " |"
        )
    return lines + ([""] + ["disagreements:"] + [f"  {p}" for p in problems] if problems else [])


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of log(y) over log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / den if den else math.nan


def fit_two(points: Sequence[tuple[int, int, float]]) -> tuple[float, float] | None:
    """Fit log t = a + b log rows + c log cols, least squares; (b, c), or None if underdetermined."""
    rows = [(1.0, math.log(r), math.log(c), math.log(t)) for r, c, t in points]
    if len({p[1] for p in rows}) < 2 or len({p[2] for p in rows}) < 2 or len(rows) < 4:
        return None
    # normal equations for 3 unknowns
    m = [[sum(p[i] * p[j] for p in rows) for j in range(3)] for i in range(3)]
    v = [sum(p[i] * p[3] for p in rows) for i in range(3)]
    for i in range(3):  # Gauss-Jordan
        pivot = max(range(i, 3), key=lambda k: abs(m[k][i]))
        m[i], m[pivot], v[i], v[pivot] = m[pivot], m[i], v[pivot], v[i]
        if abs(m[i][i]) < 1e-12:
            return None
        for k in range(3):
            if k != i:
                f = m[k][i] / m[i][i]
                m[k] = [a - f * b for a, b in zip(m[k], m[i], strict=True)]
                v[k] -= f * v[i]
    return v[1] / m[1][1], v[2] / m[2][2]


def linearity(cells: Sequence[Cell]) -> list[str]:
    """How our time grows: per million cells, at 10x rows, at 5x columns, and fitted exponents."""
    ours = {(c.rows, c.cols, c.rules): c.results["ours"] for c in cells if c.results.get("ours", Run("")).ok}
    if not ours:
        return []
    all_rows = sorted({k[0] for k in ours})
    all_cols = sorted({k[1] for k in ours})
    all_rules = sorted({k[2] for k in ours})
    out = [
        "",
        "Linearity of ours: wall seconds per million cells (rows x cols / 10^6), and how time grows",
        "(linear: x10 at 10x rows, x5 at 5x columns, exponent 1; CPU seconds in brackets):",
    ]
    for rules in all_rules:
        for cols in all_cols:
            points = [(r, ours[(r, cols, rules)]) for r in all_rows if (r, cols, rules) in ours]
            if not points:
                continue
            per = ", ".join(f"{show_rows(r)} {run.seconds / (r * cols / 1e6):.3f}" for r, run in points)
            steps = [
                f"t({show_rows(b[0])})/t({show_rows(a[0])}) = {b[1].seconds / a[1].seconds:.2f}"
                f" [{b[1].cpu_seconds / a[1].cpu_seconds:.2f}]"
                for a, b in itertools.pairwise(points)
            ]
            line = f"  {rules} rules, {cols} cols: s per Mcell {per}"
            if steps:
                wall = slope([r for r, _ in points], [run.seconds for _, run in points])
                cpu = slope([r for r, _ in points], [run.cpu_seconds for _, run in points])
                line += f"; {'; '.join(steps)}; exponent over rows {wall:.2f} [{cpu:.2f}]"
            out.append(line)
        if len(all_cols) > 1:
            for rows in all_rows:
                pts = [(c, ours[(rows, c, rules)]) for c in all_cols if (rows, c, rules) in ours]
                if len(pts) < 2:
                    continue
                (c0, a), (c1, b) = pts[0], pts[-1]
                wall = slope([c for c, _ in pts], [run.seconds for _, run in pts])
                cpu = slope([c for c, _ in pts], [run.cpu_seconds for _, run in pts])
                out.append(
                    f"  {rules} rules, {show_rows(rows)} rows: t({c1} cols)/t({c0} cols) = "
                    f"{b.seconds / a.seconds:.2f} [{b.cpu_seconds / a.cpu_seconds:.2f}] "
                    f"(linear: {c1 / c0:g}); exponent over cols {wall:.2f} [{cpu:.2f}]"
                )
        fitted = fit_two([(r, c, run.seconds) for (r, c, k), run in ours.items() if k == rules])
        fitted_cpu = fit_two([(r, c, run.cpu_seconds) for (r, c, k), run in ours.items() if k == rules])
        if fitted and fitted_cpu:
            out.append(
                f"  {rules} rules, fit over the grid: time ~ rows^{fitted[0]:.2f} x cols^{fitted[1]:.2f} "
                f"[CPU ~ rows^{fitted_cpu[0]:.2f} x cols^{fitted_cpu[1]:.2f}]"
            )
    return out


def versions() -> str:
    found = []
    for package in ("duckdb", "pyiceberg", "great-expectations", "ydata-profiling", "soda-core", "pandas"):
        try:
            found.append(f"{package} {metadata.version(package)}")
        except metadata.PackageNotFoundError:
            found.append(f"{package} not installed")
    return ", ".join(found)


def machine() -> str:
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    model = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores ({model}), {memory} memory, Python {platform.python_version()}"


def notes(cells: Sequence[Cell], ydata: dict[tuple[int, int], Run], grid: Grid) -> list[str]:
    out = [
        "",
        "Cells: seconds / peak RSS MiB of the contender's process; ratios are peer time / ours.",
        "ydata-profiling has no rules: it runs once per rows x cols and is shown on each rules row.",
        "0 rules: ours profiles every column and detects anomalies; GX checks the row count and the",
        "ordered column list; Soda the row count and the schema (fixed cost, not the same work).",
        "Failing counts: GX and Soda count only rules they have a counterpart for; agree compares",
        "every rule's outcome with ours (and ours with the planted one).",
    ]
    if any(run.status == "skipped" for c in cells for run in c.results.values()) or any(
        run.status == "skipped" for run in ydata.values()
    ):
        out.append("\N{DAGGER} not run: the contender exceeded a limit at a smaller size of the grid.")
    befores = sorted(
        {round(c.results["ours"].before_mib) for c in cells if c.results.get("ours", Run("")).ok}
    )
    if befores:
        out.append(f"ours, RSS before the work (interpreter and libraries): {befores[0]}-{befores[-1]} MiB.")
    out.append(
        "ours by phase, seconds (load: the Iceberg table into DuckDB; scan: profile and rule metrics):"
    )
    for cell in cells:
        run = cell.results.get("ours")
        if run is None or not run.ok:
            continue
        phases = run.extra.get("phases", {})
        load = phases.get("load into DuckDB", 0.0)
        scan = phases.get("profile + rule metrics scan", 0.0)
        judge = phases.get("judge rules", 0.0)
        other = run.seconds - sum(phases.values())
        out.append(
            f"  {show_rows(cell.rows)} x {cell.cols} x {cell.rules}: load {load:.2f}, scan {scan:.2f}, "
            f"judge rules {judge:.2f}, other {other:.2f}; {run.extra.get('queries', '?')} queries, "
            f"CPU {run.cpu_seconds:.2f} s, {run.extra.get('anomalies', '?')} anomalies"
        )
    errors = []
    for cell in cells:
        for name, run in cell.results.items():
            if run.ok and run.extra.get("errors"):
                for rule, message in run.extra["errors"].items():
                    errors.append(
                        f"  {name} {show_rows(cell.rows)}x{cell.cols}x{cell.rules} {rule}: {message}"
                    )
            elif run.status == "failed":
                errors.append(
                    f"  {name} {show_rows(cell.rows)}x{cell.cols}x{cell.rules} failed: {run.message}"
                )
    for (rows, cols), run in ydata.items():
        if run.status == "failed":
            errors.append(f"  ydata {show_rows(rows)}x{cols} failed: {run.message}")
    if errors:
        out += ["errors:", *errors]
    out.append(
        f"limits: {grid.timeout:g} s and {grid.max_rss_kib / 2**20:g} GiB per contender run; "
        f"best of {grid.repeat} run(s)."
    )
    return out


# --------------------------------------------------------------------------- main


def int_list(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, not {text!r}") from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one value")
    return values


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--rows", type=int_list, default=DEFAULT_ROWS, help="row counts (default 100000,1000000,10000000)"
    )
    parser.add_argument(
        "--cols", type=int_list, default=DEFAULT_COLS, help="column counts, multiples of 10 (default 10,50)"
    )
    parser.add_argument(
        "--rules", type=int_list, default=DEFAULT_RULES, help="rule counts (default 0,25,100)"
    )
    parser.add_argument("--skip", default="", help="contenders not to run, comma-separated: ydata,gx,soda")
    parser.add_argument(
        "--repeat", type=int, default=1, help="interleaved rounds per cell; keep each one's best"
    )
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds per contender run (default 900)"
    )
    parser.add_argument(
        "--max-rss-gib",
        type=float,
        default=12.0,
        help="kill a contender above this resident memory (default 12)",
    )
    parser.add_argument("--only", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    skipped = {s.strip() for s in args.skip.split(",") if s.strip()}
    if skipped - set(SKIPPABLE):
        parser.error(
            f"--skip takes {', '.join(SKIPPABLE)}, not {', '.join(sorted(skipped - set(SKIPPABLE)))}"
        )
    args.skipped = skipped
    if args.repeat <= 0 or args.timeout <= 0 or args.max_rss_gib <= 0:
        parser.error("--repeat, --timeout and --max-rss-gib must be positive")
    if (
        any(r <= 0 for r in args.rows)
        or any(c <= 0 or c % 10 for c in args.cols)
        or any(k < 0 for k in args.rules)
    ):
        parser.error("rows must be positive, columns positive multiples of 10, rules not negative")
    if args.only is not None and (
        args.workdir is None or len(args.rows) + len(args.cols) + len(args.rules) != 3
    ):
        parser.error("--only needs --workdir and one value each of --rows, --cols and --rules")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.only is not None:
        from grid_contenders import child_main

        return child_main(args.only, args.rows[0], args.cols[0], args.rules[0], args.workdir)

    script = Path(__file__).resolve()
    cells: list[Cell] = []
    ydata: dict[tuple[int, int], Run] = {}
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    grid: Grid | None = None
    exceeded: list[tuple[str, int, int, int]] = []
    for rows in sorted(args.rows):
        for cols in sorted(args.cols):
            workdir = Path(tempfile.mkdtemp(prefix="dq-grid-bench-"))
            grid = Grid(script, workdir, args.timeout, int(args.max_rss_gib * 2**20), args.repeat, exceeded)
            try:
                configure_environment(workdir)
                progress(f"building {rows:,} rows x {cols} columns (Iceberg table and Parquet copy) ...")
                built = grid.run("build", rows, cols, 0, limits=False)
                if not built.ok:
                    raise SystemExit(f"building the table failed: {built.message}")
                progress(
                    f"  built in {built.extra['seconds']:.1f} s ({built.extra['files']} data files), "
                    f"Parquet copy {built.extra['parquet_mib']:,.0f} MiB "
                    f"in {built.extra['parquet_seconds']:.1f} s"
                )
                if "ydata" not in args.skipped:
                    ydata[(rows, cols)] = grid.measure(["ydata"], rows, cols, 0)["ydata"]
                names = ["ours", *(p for p in PEERS if p not in args.skipped)]
                for rules in sorted(args.rules):
                    cells.append(Cell(rows, cols, rules, grid.measure(names, rows, cols, rules)))
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
    if grid is None:
        return 0
    load_after = os.getloadavg()[0]

    print()
    for line in markdown_table(cells, ydata, grid, args.skipped):
        print(line)
    for line in notes(cells, ydata, grid):
        print(line)
    for line in linearity(cells):
        print(line)
    print()
    print(f"machine: {machine()}; load average (1 min) {load_before:.2f} before, {load_after:.2f} after")
    print(f"versions: {versions()}")
    print(f"total wall time of the benchmark: {(time.monotonic() - started) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
