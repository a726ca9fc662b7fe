"""One command, every performance goal measured in one run: dq against Soda, GX and ydata-profiling.

Usage: `python bench/goals_bench.py [--quick | --rows 1000000,10000000] [--skip 1,...,6,soda,gx,ydata]
[--repeat N] [--timeout 1800] [--max-rss-gib 12]`

It reuses the grid benchmark (`grid_bench.py`): the same deterministic tables with planted defects
(`grid_data.py`), the same rules and their Soda and GX counterparts (`grid_rules.py`), the same
child processes with time and memory limits, and the same rule-by-rule agreement with the planted
outcomes. Every goal is one or more rows of the goals table it prints last:

1. Whole cold process, 1M rows x 10 columns, the grid's first 10 rules: `dq run --json --config
   DIR` (the real CLI, on a DAGSTER_HOME initialised by an earlier `dq run` of another table, with
   its own results store) against the whole process of Soda Core 4 on DuckDB, of GX 1.x on pandas,
   and of ydata-profiling minimal (`cold_peers.py`: imports, reading the table's Parquet copy, the
   same checks). Wall time from spawn to exit. Ratio: dq's time / the peer's. Goals: <= 2 (Soda;
   stretch < 1), <= 0.4 (GX: 2.5x faster), <= 0.04 (ydata: 25x faster).
2. Check step (`inspect_table`, as in the grid), `profile: exact` + 25 rules, against Soda's same
   25 checks, at 1M and 10M rows x 10 and 50 columns. Goal: ratio <= 1.5 in every cell.
3. The same with `profile: off`, 25 and 100 rules. Goal: faster than Soda (ratio < 1) in every cell.
4. 10M x 50, `profile: exact`, 0 rules: the check step's time (goal <= 15 s) and the child's
   peak RSS (`ru_maxrss`, interpreter and libraries included; goal <= 1.5 GiB).
5. 1M x 1,000, `profile: exact`, 0 rules: it runs, and its time is within 1.2x of linear in
   columns: t(1,000 cols) / (t(100 cols) x 10) <= 1.2, both tables built the same way (10 appends
   of 100,000 rows, no Parquet copy), both timed as in goal 4.
6. A second `dq run` on the unchanged snapshot, same instance and results store as goal 1's run:
   its whole process and its check step (the Dagster step's duration, from the instance's run
   records) at most 10% of the first run's.

`--rows` picks the rows of goals 2-4's cells (goal 4 needs 10M); goals 1, 5 and 6 are at 1M rows
whatever it says. `--quick` is `--rows 1000000`. `--skip` takes goal numbers and peers.
Progress goes to stderr. A benchmark, not a test: the exit code never depends on the numbers.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import grid_bench as gb
import grid_rules as gr
from grid_contenders import configure_environment, utc_now

MILLION, TEN_MILLION = 1_000_000, 10_000_000
GRID_COLS = (10, 50)
COLD_CELL = (MILLION, 10, 10)  # rows, cols, rules of goals 1 and 6
BIG_TABLE = (TEN_MILLION, 50)  # goal 4
WIDE_COLS, WIDE_REF_COLS = 1_000, 100  # goal 5
GOALS = (1, 2, 3, 4, 5, 6)
PEERS = ("soda", "gx", "ydata")
TIMES = gb.TIMES
DASH = "\N{EN DASH}"
LE, GE = "\N{LESS-THAN OR EQUAL TO}", "\N{GREATER-THAN OR EQUAL TO}"
HEADER = ("measure", "ours", "peer", "ratio", "goal", "met?", "agree")

Results = dict[tuple[str, int, int, int], gb.Run]  # (contender, rows, cols, rules) -> its best run


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class Measure:
    """Contenders measured side by side (interleaved rounds) on one rule count of a table."""

    names: tuple[str, ...]
    rules: int


@dataclass(frozen=True)
class TablePlan:
    """One table to build (`build`: Iceberg + Parquet copy; `build-wide`: Iceberg only) and its measures."""

    rows: int
    cols: int
    build: str
    measures: tuple[Measure, ...]


def plan(goals: set[int], peers: set[str], grid_rows: Sequence[int]) -> list[TablePlan]:
    """The tables and measures the chosen goals need, each table built once.

    `grid_rows`: the rows of goals 2-4's cells; goals 1, 5 and 6 are at 1M rows.
    """
    tables = []
    for rows in sorted({*grid_rows, *((MILLION,) if goals & {1, 6} else ())}):
        for cols in GRID_COLS:
            measures = []
            if (rows, cols) == COLD_CELL[:2] and goals & {1, 6}:
                cold = [f"cold-{p}" for p in PEERS if p in peers] if 1 in goals else []
                measures.append(Measure(("cold-dq", *cold), COLD_CELL[2]))
            soda = ("soda",) if "soda" in peers else ()
            wanted = goals if rows in grid_rows else set()
            ours = tuple(name for goal, name in ((2, "ours@exact"), (3, "ours@off")) if goal in wanted)
            if ours:
                measures.append(Measure((*ours, *soda), 25))
            if 3 in wanted:
                measures.append(Measure(("ours@off", *soda), 100))
            if 4 in wanted and (rows, cols) == BIG_TABLE:
                measures.append(Measure(("ours@exact",), 0))
            if measures:
                tables.append(TablePlan(rows, cols, "build", tuple(measures)))
    if 5 in goals:
        wide = (Measure(("ours@exact",), 0),)
        tables += [TablePlan(MILLION, cols, "build-wide", wide) for cols in (WIDE_REF_COLS, WIDE_COLS)]
    return tables


def run_plan(tables: Sequence[TablePlan], args: argparse.Namespace) -> tuple[Results, gb.Grid | None]:
    """Build each table in a throw-away folder, measure its contenders, delete it."""
    script = Path(__file__).resolve()
    results: Results = {}
    exceeded: list[tuple[str, int, int, int]] = []
    grid = None
    for table in tables:
        workdir = Path(tempfile.mkdtemp(prefix="dq-goals-bench-"))
        grid = gb.Grid(script, workdir, args.timeout, int(args.max_rss_gib * 2**20), args.repeat, exceeded)
        try:
            configure_environment(workdir)
            gb.progress(f"building {table.rows:,} rows x {table.cols} columns ({table.build}) ...")
            built = grid.run(table.build, table.rows, table.cols, 0, limits=False)
            if not built.ok:
                raise SystemExit(f"building the table failed: {built.message}")
            gb.progress(f"  built in {built.extra['seconds']:.1f} s ({built.extra['files']} data files)")
            for measure in table.measures:
                runs = grid.measure(measure.names, table.rows, table.cols, measure.rules)
                for name, run in runs.items():
                    results[(name, table.rows, table.cols, measure.rules)] = run
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    return results, grid


# --------------------------------------------------------------------------- judging


@dataclass(frozen=True)
class Limit:
    """A goal: its text, and the upper limit the measured value must stay under (`strict`) or at."""

    text: str
    value: float
    strict: bool = False


@dataclass(frozen=True)
class GoalRow:
    """One line of the goals table, every cell already formatted."""

    measure: str
    ours: str
    peer: str
    ratio: str
    goal: str
    met: str
    agree: str = DASH


def met(value: float, limit: float, *, strict: bool = False) -> str:
    """Whether a measured value meets an upper limit: yes, no, or a dash when nothing was measured."""
    if math.isnan(value):
        return DASH
    return "yes" if (value < limit if strict else value <= limit) else "no"


def over_linear(ref_seconds: float, ref_cols: int, seconds: float, cols: int) -> float:
    """Time at `cols` columns over the reference time scaled linearly: 1.0 is exactly linear."""
    if ref_seconds <= 0 or ref_cols <= 0:
        return math.nan
    return seconds / (ref_seconds * cols / ref_cols)


def quotient(a: gb.Run | None, b: gb.Run | None) -> float:
    """The time of `a` over the time of `b`, NaN unless both were measured."""
    if a is None or b is None or not a.ok or not b.ok or b.seconds <= 0:
        return math.nan
    return a.seconds / b.seconds


def show_seconds(run: gb.Run | None, grid: gb.Grid | None) -> str:
    if run is None:
        return "not run"
    return f"{run.seconds:.2f} s" if run.ok else gb.timing(run, grid) if grid else run.status


def show_ratio(value: float, unit: str = TIMES) -> str:
    if math.isnan(value):
        return DASH
    return f"{value * 100:.0f}%" if unit == "%" else f"{value:.2f}{unit}"


def cell_name(rows: int, cols: int, rules: int | None = None) -> str:
    name = f"{gb.show_rows(rows)} {TIMES} {cols:,}"
    return name if rules is None else f"{name}, {rules} rules"


class Judge:
    """Builds the goals table from the results; collects every rule-level disagreement on the way."""

    def __init__(self, results: Results, grid: gb.Grid | None) -> None:
        self.results, self.grid = results, grid
        self.disagreements: list[str] = []

    def get(self, name: str, rows: int, cols: int, rules: int) -> gb.Run | None:
        """The contender's run on the cell, None if it was not planned."""
        return self.results.get((name, rows, cols, rules))

    def agree(self, rows: int, cols: int, rules: int, runs: dict[str, gb.Run | None], label: str = "") -> str:
        """The grid's verdict: ours against the planted outcomes, the peer against ours, rule by rule.

        Each disagreement is kept once (goal 1's rows share our run), after `label`.
        """
        present = {name: run for name, run in runs.items() if run is not None}
        if "ours" not in present or rules == 0:
            return DASH
        agreed = gb.agreement(
            gb.Cell(rows, cols, rules, present), gr.grid_rules(rows, cols, rules, utc_now())
        )
        for mismatch in agreed.mismatches:
            if label + mismatch not in self.disagreements:
                self.disagreements.append(label + mismatch)
        return agreed.verdict

    def versus(
        self, measure: str, runs: dict[str, gb.Run | None], key: tuple[int, int, int], goal: Limit
    ) -> GoalRow:
        """A time-ratio row: `runs` holds ours and one peer (named as in the grid: soda, gx, ydata).

        When ours finished and the peer was killed at the time or memory limit, every ratio goal
        (ours no slower than k times the peer) is met: the row says so.
        """
        ours = runs["ours"]
        peer = next(run for name, run in runs.items() if name != "ours")
        value = quotient(ours, peer)
        judged = met(value, goal.value, strict=goal.strict)
        if ours is not None and ours.ok and peer is not None and peer.status in ("timeout", "memory"):
            judged = "yes (peer over the limit)"
        return GoalRow(
            measure,
            show_seconds(ours, self.grid),
            show_seconds(peer, self.grid),
            show_ratio(value),
            goal.text,
            judged,
            self.agree(*key, {name: run for name, run in runs.items() if name != "ydata"}),
        )

    def cold(self) -> list[GoalRow]:
        """Goal 1: whole cold processes."""
        rows, cols, rules = COLD_CELL
        dq = self.get("cold-dq", rows, cols, rules)
        where = f"whole cold `dq run`, {cell_name(rows, cols, rules)}, vs"
        goals = (
            ("soda", "Soda", Limit(f"{LE} 2{TIMES} (stretch < 1{TIMES})", 2.0)),
            ("gx", "GX", Limit(f"{LE} 0.4{TIMES} (2.5{TIMES} faster)", 0.4)),
            ("ydata", "ydata minimal", Limit(f"{LE} 0.04{TIMES} (25{TIMES} faster)", 0.04)),
        )
        return [
            self.versus(
                f"{where} {label}",
                {"ours": dq, peer: self.get(f"cold-{peer}", rows, cols, rules)},
                COLD_CELL,
                goal,
            )
            for peer, label, goal in goals
        ]

    def check_step(
        self, level: str, rules: int, cells: Sequence[tuple[int, int]], goal: Limit
    ) -> list[GoalRow]:
        """Goals 2 and 3: the check step at one profile level against Soda, cell by cell."""
        return [
            self.versus(
                f"check step, profile {level} + {rules} rules, vs Soda, {cell_name(rows, cols)}",
                {
                    "ours": self.get(f"ours@{level}", rows, cols, rules),
                    "soda": self.get("soda", rows, cols, rules),
                },
                (rows, cols, rules),
                goal,
            )
            for rows, cols in cells
        ]

    def big(self) -> list[GoalRow]:
        """Goal 4: the 10M x 50 exact profile's time and peak RSS."""
        run = self.get("ours@exact", *BIG_TABLE, 0)
        where = f"{cell_name(*BIG_TABLE)}, profile exact, 0 rules"
        peak = run.peak_mib / 1024 if run and run.ok else math.nan
        return [
            GoalRow(
                f"{where}: time",
                show_seconds(run, self.grid),
                DASH,
                DASH,
                f"{LE} 15 s",
                met(run.seconds if run and run.ok else math.nan, 15),
            ),
            GoalRow(
                f"{where}: peak RSS",
                f"{peak:.2f} GiB" if run and run.ok else show_seconds(run, self.grid),
                DASH,
                DASH,
                f"{LE} 1.5 GiB",
                met(peak, 1.5),
            ),
        ]

    def wide(self) -> list[GoalRow]:
        """Goal 5: 1,000 columns run, within 1.2x of linear from the 100-column table."""
        run = self.get("ours@exact", MILLION, WIDE_COLS, 0)
        ref = self.get("ours@exact", MILLION, WIDE_REF_COLS, 0)
        value = (
            over_linear(ref.seconds, WIDE_REF_COLS, run.seconds, WIDE_COLS)
            if run and ref and run.ok and ref.ok
            else math.nan
        )
        return [
            GoalRow(
                f"{cell_name(MILLION, WIDE_COLS)}, profile exact, 0 rules: time vs linear from "
                f"{WIDE_REF_COLS} columns",
                show_seconds(run, self.grid),
                f"{WIDE_REF_COLS} cols: {show_seconds(ref, self.grid)}",
                show_ratio(value, f"{TIMES} linear"),
                f"runs, {LE} 1.2{TIMES} linear",
                met(value, 1.2) if run and run.ok else "no" if run else DASH,
            )
        ]

    def rerun(self) -> list[GoalRow]:
        """Goal 6: the second `dq run` on the same snapshot against the first."""
        rows, cols, rules = COLD_CELL
        run = self.get("cold-dq", rows, cols, rules)
        second = None
        if run and run.ok:
            second = gb.Run(
                "ok", seconds=run.extra["second_seconds"], extra={"checks": run.extra["second_checks"]}
            )
        agree = self.agree(rows, cols, rules, {"ours": second}, "second dq run, ")
        out = []
        for what, first_s, second_s in (
            ("whole process", "seconds", "second_seconds"),
            ("check step", "step_seconds", "second_step_seconds"),
        ):
            a = run.extra[first_s] if run and run.ok else math.nan
            b = run.extra[second_s] if run and run.ok else math.nan
            value = b / a if a > 0 else math.nan
            out.append(
                GoalRow(
                    f"second `dq run`, unchanged snapshot, {cell_name(rows, cols, rules)}: {what}",
                    DASH if math.isnan(b) else f"{b:.2f} s",
                    DASH if math.isnan(a) else f"first: {a:.2f} s",
                    show_ratio(value, "%"),
                    f"{LE} 10% of the first",
                    met(value, 0.10),
                    agree,
                )
            )
        return out

    @staticmethod
    def not_run(measure: str, why: str) -> GoalRow:
        """A row for a goal that this run's options left out."""
        return GoalRow(measure, f"not run ({why})", DASH, DASH, DASH, DASH)

    def rows(self, goals: set[int], grid_rows: Sequence[int]) -> list[GoalRow]:
        """Every selected goal's rows, in the issue's order."""
        cells = [(r, c) for r in sorted(grid_rows) for c in GRID_COLS]
        out: list[GoalRow] = []
        if 1 in goals:
            out += self.cold()
        if 2 in goals:
            out += self.check_step("exact", 25, cells, Limit(f"{LE} 1.5{TIMES}", 1.5))
        if 3 in goals:
            faster = Limit(f"< 1{TIMES}", 1.0, strict=True)
            out += self.check_step("off", 25, cells, faster) + self.check_step("off", 100, cells, faster)
        if 4 in goals:
            big = BIG_TABLE[0] in grid_rows
            out += self.big() if big else [self.not_run(f"{cell_name(*BIG_TABLE)} (goal 4)", "no 10M rows")]
        if 5 in goals:
            out += self.wide()
        if 6 in goals:
            out += self.rerun()
        return out


def format_goals(rows: Sequence[GoalRow]) -> list[str]:
    """The goals table in markdown."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---:|---:|---|---|---|"]
    for row in rows:
        cells = (row.measure, row.ours, row.peer, row.ratio, row.goal, row.met, row.agree)
        lines.append("| " + " | ".join(cells) + " |")
    return lines


# --------------------------------------------------------------------------- details


def details(results: Results) -> list[str]:
    """Every run behind the table, and what the two `dq run`s said of their profile."""
    out = ["", "Runs (wall s, CPU s, peak RSS MiB of the contender's process; best of --repeat):"]
    for (name, rows, cols, rules), run in results.items():
        where = f"{name} {cell_name(rows, cols, rules)}"
        if not run.ok:
            out.append(f"  {where}: {run.status} {run.message}".rstrip())
            continue
        out.append(f"  {where}: {run.seconds:.2f} s, CPU {run.cpu_seconds:.2f} s, {run.peak_mib:,.0f} MiB")
        if name == "cold-dq":
            extra = run.extra
            out += [
                f"    instance initialised by a `dq run` of another table in {extra['init_seconds']:.2f} s",
                f"    first:  check step {extra['step_seconds']:.2f} s, "
                f"data version {extra['data_version']}, profile: {extra['profile']}",
                f"    second: {extra['second_seconds']:.2f} s, "
                f"{extra['second_peak_rss_kib'] / 1024:,.0f} MiB, "
                f"check step {extra['second_step_seconds']:.2f} s, "
                f"data version {extra['second_data_version']}, profile: {extra['second_profile']}",
            ]
        for rule, message in run.extra.get("errors", {}).items():
            out.append(f"    error {rule}: {message}")
    return out


NOTES = (
    "",
    "ratio: ours' time / the peer's (goal 5: over linear; goal 6: second / first). Whole processes",
    "(goals 1, 6) are timed from spawn to exit; check steps (goals 2-5) inside their child, imports",
    "and table preparation excluded, as in grid_bench.py. dq reads the Iceberg table; Soda, GX and",
    "ydata its Parquet copy (the same rows). agree: ours against the planted outcome and the peer",
    "against ours, rule by rule where the peer has a counterpart (grid_bench.py's agreement).",
    f"Linearity (goal 5): t({WIDE_COLS:,} cols) / (t({WIDE_REF_COLS} cols) x {WIDE_COLS // WIDE_REF_COLS}); "
    "1.00 is linear, a fixed cost makes it smaller.",
    "On a shared machine wall times grow with other work; the CPU seconds under Runs move less.",
)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="--rows 1000000: 1M-row tables only")
    parser.add_argument(
        "--rows",
        type=gb.int_list,
        default=(MILLION, TEN_MILLION),
        help="rows of goals 2-4's cells (default 1000000,10000000)",
    )
    parser.add_argument(
        "--skip", default="", help="goals (1-6) and peers (soda, gx, ydata) not to run, comma-separated"
    )
    parser.add_argument("--repeat", type=int, default=1, help="interleaved rounds per cell; keep the best")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per contender run")
    parser.add_argument("--max-rss-gib", type=float, default=12.0, help="kill a contender above this RSS")
    args = parser.parse_args(argv)
    skipped = {part.strip() for part in args.skip.split(",") if part.strip()}
    known = {str(g) for g in GOALS} | set(PEERS)
    if skipped - known:
        parser.error(f"--skip takes 1-6, soda, gx, ydata; not {', '.join(sorted(skipped - known))}")
    args.goals = {g for g in GOALS if str(g) not in skipped}
    if args.quick:
        args.rows = (MILLION,)
    args.peers = {p for p in PEERS if p not in skipped}
    if args.repeat <= 0 or args.timeout <= 0 or args.max_rss_gib <= 0:
        parser.error("--repeat, --timeout and --max-rss-gib must be positive")
    return args


def main(argv: Sequence[str]) -> int:
    if "--only" in argv:  # a child: one contender on one cell, as grid_bench.py's children
        from goals_contenders import child_main

        child = gb.parse_args(argv)
        return child_main(child.only, child.rows[0], child.cols[0], child.rules[0], child.workdir)

    args = parse_args(argv)
    began, load_before = time.monotonic(), os.getloadavg()[0]
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    results, grid = run_plan(plan(args.goals, args.peers, args.rows), args)
    judge = Judge(results, grid)
    table = format_goals(judge.rows(args.goals, args.rows))
    print()
    print(
        f"Performance goals, run started {stamp}; goals 2-4 at "
        + ", ".join(gb.show_rows(r) for r in sorted(args.rows))
        + " rows"
    )
    print()
    print("\n".join(table))
    if judge.disagreements:
        print("\ndisagreements:")
        print("\n".join(f"  {line}" for line in judge.disagreements))
    print("\n".join(NOTES))
    print("\n".join(details(results)))
    print()
    load_after = os.getloadavg()[0]
    print(f"machine: {gb.machine()}; load average (1 min) {load_before:.2f} before, {load_after:.2f} after")
    print(f"versions: {gb.versions()}")
    print(f"total wall time of the benchmark: {(time.monotonic() - began) / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
