r"""Time `dq`'s start-up: `--help`, and the `dq alerts` and `dq rules` commands on a small project.

Usage:

    .venv/bin/python bench/cli_startup_bench.py              # 7 rounds
    .venv/bin/python bench/cli_startup_bench.py --repeat 15
    make bench-cli
    .venv/bin/python bench/cli_startup_bench.py --dq OTHER/dq   # another install's dq

The project, built fresh in a temporary folder by a child process (the parent imports only the
standard library): `defs/tables/orders.yaml` (a file table with three rules), `defs/alerts.yaml`
naming a sqlite alert store `alerts.db` with 20 alerts (5 checks x 4 tables, one of them
acknowledged and one with a failed delivery) written by the product's `AlertStore`, and
`defs/proposals/orders.yaml` with two pending proposals.

Each command runs as a user runs it: the venv's `dq` script as a subprocess, its output thrown
away, in the project's folder. One untimed run of each first (it compiles bytecode and warms the
file cache), then `--repeat` rounds, each round every command once, interleaved so that a burst
of other work on a shared machine slows one run of each command rather than every run of one.
The time is the subprocess's wall time, start to exit, measured by the parent
(`time.perf_counter()`). It prints the median, the fastest and the slowest run of each command
against its goal: 0.3 s for `--help`, 1 s for a command that reads the project. PASS or MISS is
printed, never the exit code: this is a benchmark, not a test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HELP_GOAL = 0.3
COMMAND_GOAL = 1.0
TABLES = ("orders", "customers", "payments", "shipments")
CHECKS = ("id_not_null", "id_unique", "amount_positive", "row_count", "fresh")

DEFINITION = """table: orders
source: {type: file, path: orders.parquet}
key: [id]
rules:
  - {name: id_not_null, rule: 'IsComplete "id"'}
  - {name: id_unique, rule: 'IsUnique "id"'}
  - {name: amount_positive, rule: 'ColumnValues "amount" > 0'}
"""

PROPOSAL = """  - name: {name}
    rule: '{rule}'
    rule_type: {rule_type}
    proposed_by: profile
    proposed_at: 2026-01-05T09:00:00Z
    expires_at: 2099-01-05T09:00:00Z
    reasoning: the profile saw no {what} in 1,000 rows
"""


@dataclass(frozen=True)
class Command:
    """One `dq` command line and the goal its median must meet."""

    args: tuple[str, ...]
    goal: float

    @property
    def label(self) -> str:
        """`dq alerts show 1 --config tables`: the command line, the project's paths shortened."""
        return "dq " + " ".join(a if not a.startswith("/") else Path(a).name for a in self.args)


def commands(tables: Path) -> list[Command]:
    """Every `--help` of the groups, and every `dq alerts` / `dq rules` command that only reads."""
    config = ("--config", str(tables))
    helps = [(), ("alerts",), ("rules",), ("alerts", "show"), ("rules", "pending")]
    reading = [
        ("alerts", "list"),
        ("alerts", "list", "--json"),
        ("alerts", "list", "--status", "open", "--table", "orders"),
        ("alerts", "show", "1"),
        ("alerts", "snooze", "2", "--for", "1h", "--by", "bench"),
        ("rules", "pending"),
        ("rules", "pending", "orders"),
        ("rules", "export-dqdl", "orders"),
    ]
    return [Command((*words, "--help"), HELP_GOAL) for words in helps] + [
        Command((*words, *config), COMMAND_GOAL) for words in reading
    ]


def write_project(root: Path) -> Path:
    """The definitions, alerts.yaml and proposals, as text; a child seeds the store. Returns tables/."""
    tables = root / "defs" / "tables"
    tables.mkdir(parents=True)
    (tables / "orders.yaml").write_text(DEFINITION, encoding="utf-8")
    for table in TABLES[1:]:
        (tables / f"{table}.yaml").write_text(
            f"table: {table}\nsource: {{type: file, path: {table}.parquet}}\n", encoding="utf-8"
        )
    (root / "defs" / "alerts.yaml").write_text(
        "channels:\n  ops: {type: log}\ndefault: {channels: [ops]}\n"
        f"store: {{url: 'sqlite:///{root / 'alerts.db'}'}}\n",
        encoding="utf-8",
    )
    proposals = root / "defs" / "proposals"
    proposals.mkdir()
    (proposals / "orders.yaml").write_text(
        "table: orders\nproposals:\n"
        + PROPOSAL.format(
            name="amount_complete", rule='IsComplete "amount"', rule_type="IsComplete", what="NULL"
        )
        + PROPOSAL.format(
            name="status_values",
            rule='ColumnValues "status" in ["new", "paid", "shipped"]',
            rule_type="ColumnValues",
            what="other status",
        ),
        encoding="utf-8",
    )
    return tables


def seed_store(root: Path) -> None:
    """In a child process: 20 alerts in the project's sqlite store, one acknowledged, one failed delivery."""
    from datetime import UTC, datetime, timedelta

    from dq_checks.alerts.lifecycle import NotifyPolicy
    from dq_checks.alerts.model import AlertSeverity, AlertType, Signal
    from dq_checks.config.models import AlertRouting
    from dq_resources.alerts.store import AlertStore

    store = AlertStore.connect(f"sqlite:///{root / 'alerts.db'}")
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    signals = [
        Signal(
            evaluation_id=i + 1,
            asset=table,
            check=check,
            failing=True,
            type=AlertType.RULE_FAILURE,
            severity=AlertSeverity.ERROR,
            title=f"{check} on {table}",
            message=f"{i + 3} rows fail {check}",
            observed_at=start + timedelta(minutes=i),
            details={"failed_rows": i + 3},
        )
        for i, (table, check) in enumerate((t, c) for t in TABLES for c in CHECKS)
    ]
    store.record(signals, lambda _table: AlertRouting(channels=("ops",)), NotifyPolicy(), start)
    store.acknowledge(1, "bench", start + timedelta(hours=1))
    later = start + timedelta(hours=1)
    first = store.claim_due_deliveries(later)[0].delivery.id
    store.mark_failed([first], "connection refused", later, lambda attempts: timedelta(minutes=10 * attempts))
    store.dispose()


def run_once(dq: Path, command: Command, cwd: Path) -> float:
    """The wall time of one run of `dq ARGS`, start to exit; a failed run stops the benchmark."""
    began = time.perf_counter()
    done = subprocess.run(
        [str(dq), *command.args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - began
    if done.returncode != 0:
        sys.exit(f"{command.label} exited {done.returncode}: {done.stderr.decode(errors='replace').strip()}")
    return elapsed


def measure(dq: Path, chosen: list[Command], cwd: Path, repeat: int) -> dict[Command, list[float]]:
    """One untimed run of each command, then `repeat` interleaved rounds."""
    for command in chosen:
        run_once(dq, command, cwd)
    times: dict[Command, list[float]] = {command: [] for command in chosen}
    for _ in range(repeat):
        for command in chosen:
            times[command].append(run_once(dq, command, cwd))
    return times


def report(times: dict[Command, list[float]]) -> None:
    """One line per command: median, fastest, slowest, goal, PASS or MISS."""
    width = max(len(command.label) for command in times)
    print(f"{'command':<{width}}  {'median':>7}  {'min':>6}  {'max':>6}  {'goal':>6}")
    for command, runs in times.items():
        median = statistics.median(runs)
        verdict = "PASS" if median < command.goal else "MISS"
        print(
            f"{command.label:<{width}}  {median:6.3f}s  {min(runs):5.3f}s  {max(runs):5.3f}s  "
            f"< {command.goal:.1f}s  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="Timed rounds (default 7).")
    parser.add_argument(
        "--dq", type=Path, default=None, help="The dq executable to time (default: the one beside Python)."
    )
    parser.add_argument("--seed-store", type=Path, help=argparse.SUPPRESS)  # the child's job
    args = parser.parse_args()
    if args.seed_store is not None:
        seed_store(args.seed_store)
        return
    dq = args.dq or Path(sys.executable).parent / "dq"
    if not dq.exists():
        sys.exit(f"no dq script at {dq}: run it with the project's venv, or name one with --dq")
    root = Path(tempfile.mkdtemp(prefix="dq-cli-bench-"))
    try:
        tables = write_project(root)
        subprocess.run([sys.executable, __file__, "--seed-store", str(root)], check=True)
        chosen = commands(tables)
        print(
            f"{args.repeat} rounds of {len(chosen)} commands; load average before: {os.getloadavg()[0]:.2f}"
        )
        times = measure(dq, chosen, root, args.repeat)
        print(f"load average after: {os.getloadavg()[0]:.2f}\n")
        report(times)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
