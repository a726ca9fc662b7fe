r"""Time the check-alert sensor's tick over 10,000 check evaluations read in ONE tick.

Usage:

    .venv/bin/python bench/alerts_bench.py                      # sqlite, 10,000 evaluations
    .venv/bin/python bench/alerts_bench.py --backend postgres \
        --postgres-url postgresql://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/alerts_bench.py --evaluations 50000 --tables 100 --checks 25 --repeat 3

The world, built fresh for every run:

* a Dagster instance: `DagsterInstance.local_temp` in a temporary folder (sqlite, the default),
  or a throw-away database created on the PostgreSQL server of `--postgres-url` and dropped at
  the end, holding Dagster's storage and the alert store both (as in the tests);
* definitions for `--tables` tables and an `alerts.yaml` routing every alert (warn and up) to a
  webhook, with `max_evaluations_per_tick` equal to `--evaluations` so that one tick reads all;
* a real HTTP receiver on 127.0.0.1, started by this script, which answers 200 and counts the
  messages and the alerts in them;
* `--evaluations` check evaluations over tables x checks, round after round, written into the
  instance's event log BEFORE anything is timed. A seeded generator gives every (table, check)
  a profile: stuck (fails every round), rising (fails at WARN, then at ERROR: one escalation),
  recovers (fails, then passes: one resolution), flaps (fails, passes, fails again: a second
  alert) or healthy (passes: ignored). Most evaluations are failing repeats of an open alert.

The events are real ASSET_CHECK_EVALUATION events written by Dagster's own code:
`instance.report_runless_asset_event(dg.AssetCheckEvaluation(...))`, the call the tests use.
One call costs ~10 ms on sqlite (Dagster opens a new engine and commits three times per
event), so the script runs the calls with the event log storage's `_connect` swapped for one
that hands out the same connection (per sqlite shard) inside one transaction, committed at
the end. The rows are the ones Dagster writes, through its own `store_event`; only the
commits are batched. The tick must then read them all back: `events_read` equals
`--evaluations`, and the opened/escalated/resolved counts equal what the generator planted.

What is timed, in a child process that only opens the instance and the store first (so its
peak RSS, `ru_maxrss`, is the tick's and not the seeding's): `run_alert_tick` for the
`checks` feed from cursor 0, exactly as the sensor calls it (notifiers built by the tick),
with its phases measured by wrapping the functions it calls: `read_feed`,
`AlertStore.record`, `expire_snoozes` and `deliver_due` (inside it `claim_due_deliveries`
and `mark_delivered`; the rest is composing the messages and the HTTP POSTs). Then a second
tick from cursor 0 over the same events, as after a crash before the cursor was saved: it
must find every evaluation recorded (duplicates == evaluations) and change nothing (row
counts, occurrences and statuses of the store compared before and after, no message sent).

`--repeat K` builds K fresh worlds and keeps the fastest first tick (and the highest peak).
This is a benchmark, not a test: it prints and never fails on its numbers. No network is used
beyond 127.0.0.1.
"""

# Heavy libraries (dagster, sqlalchemy, the product) are imported inside the functions that
# run in the child processes; the parent stays on the standard library (and psycopg2 for the
# throw-away database), so that it adds little to the children's peak RSS.

from __future__ import annotations

import argparse
import dataclasses
import functools
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    import dagster as dg

SEED = 20261130
RESULT_MARKER = "BENCH-RESULT "
DQ_CHECKS = ("profile", "anomalies", "quality_score", "freshness", "volume", "schema")
PROFILES = (("stuck", 0.65), ("rising", 0.15), ("recovers", 0.10), ("flaps", 0.05), ("healthy", 0.05))
PHASES = (
    ("read", "read feed (read_feed)"),
    ("record", "record in store (AlertStore.record)"),
    ("expire", "expire snoozes"),
    ("deliver", "deliver (deliver_due)"),
    ("claim", "  claim due deliveries"),
    ("send", "  compose + HTTP POST"),
    ("mark", "  mark delivered"),
    ("other", "other (build notifiers, ...)"),
)


# --------------------------------------------------------------------------- environment


def quiet_environment() -> None:
    """No analytics, no telemetry, no user instance, no proxy for 127.0.0.1, no crash injection.

    Runs before anything imports dagster; the child processes inherit it.
    """
    os.environ["YDATA_PROFILING_NO_ANALYTICS"] = "True"
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    os.environ.pop("DAGSTER_HOME", None)
    os.environ.pop("DQ_DEBUG_CRASH_AT", None)
    for name in ("NO_PROXY", "no_proxy"):
        current = os.environ.get(name)
        os.environ[name] = f"{current},127.0.0.1,localhost" if current else "127.0.0.1,localhost"


# --------------------------------------------------------------------------- the evaluations


@dataclass(frozen=True)
class Evaluation:
    """One planned check evaluation."""

    table: str
    check: str
    passed: bool
    severity: str  # WARN or ERROR, as dg.AssetCheckSeverity


def table_names(tables: int) -> list[str]:
    width = len(str(tables - 1))
    return [f"t{i:0{width}d}" for i in range(tables)]


def check_names(checks: int) -> list[str]:
    width = len(str(checks))
    rules = [f"rule_{i:0{width}d}" for i in range(len(DQ_CHECKS) + 1, checks + 1)]
    return [*DQ_CHECKS, *rules][:checks]


def key_history(profile: str, rounds: int, rng: random.Random) -> list[tuple[bool, str]]:
    """(passed, severity) for each round of one (table, check)."""

    def point(low: int) -> int:  # a round in [low, rounds - 1]; past the end when there is none
        return rng.randint(low, rounds - 1) if rounds - 1 >= low else rounds

    if profile == "stuck":
        level = "WARN" if rng.random() < 0.2 else "ERROR"
        return [(False, level)] * rounds
    if profile == "rising":
        rise = point(1)
        return [(False, "WARN" if r < rise else "ERROR") for r in range(rounds)]
    if profile == "recovers":
        heal = point(1)
        return [(r >= heal, "ERROR") for r in range(rounds)]
    if profile == "flaps":
        heal = point(1)
        again = point(heal + 1) if heal < rounds else rounds
        return [(heal <= r < again, "ERROR") for r in range(rounds)]
    return [(True, "ERROR")] * rounds


def plan(evaluations: int, tables: int, checks: int, seed: int) -> list[Evaluation]:
    """The evaluations in the order they are written: round by round, table by table, check by check."""
    rng = random.Random(seed)
    keys = [(t, c) for t in table_names(tables) for c in check_names(checks)]
    rounds = -(-evaluations // len(keys))
    names, weights = zip(*PROFILES, strict=True)
    history = {key: key_history(rng.choices(names, weights)[0], rounds, rng) for key in keys}
    planned = [
        Evaluation(table, check, *history[(table, check)][r]) for r in range(rounds) for table, check in keys
    ]
    return planned[:evaluations]


def planted(evaluations: Sequence[Evaluation]) -> dict[str, int]:
    """What the alert lifecycle must make of `evaluations` in one tick (default routing, no reminders)."""
    open_level: dict[tuple[str, str], str] = {}
    counts: Counter[str] = Counter()
    tables_with_news: set[str] = set()
    for e in evaluations:
        key = (e.table, e.check)
        level = open_level.get(key)
        if e.passed:
            if level is None:
                counts["ignored"] += 1
                continue
            del open_level[key]
            counts["resolved"] += 1
        elif level is None:
            open_level[key] = e.severity
            counts["opened"] += 1
        else:
            counts["repeated"] += 1
            if e.severity == "ERROR" and level == "WARN":
                open_level[key] = "ERROR"
                counts["escalated"] += 1
            else:
                continue
        tables_with_news.add(e.table)
    counts["queued"] = counts["opened"] + counts["escalated"] + counts["resolved"]
    counts["messages"] = len(tables_with_news)
    counts["passing"] = sum(e.passed for e in evaluations)
    counts["open_after"] = len(open_level)
    return dict(counts)


def check_evaluation(e: Evaluation, serial: int) -> dg.AssetCheckEvaluation:
    """The evaluation as dq's check step reports it (`dq_assets.steps.check_events.check_result`)."""
    import dagster as dg

    from dq_assets.steps.metadata import OUTCOME_KEY, metadata_values
    from dq_checks.results import Markdown

    evaluated = 100_000 + serial % 977
    failed = 0 if e.passed else 1 + serial % 4_999
    values = {
        "observed": round(1 - failed / evaluated, 6),
        "condition": ">= 0.99",
        "evaluated_count": evaluated,
        "failed_count": failed,
        "sample": Markdown("| id | value |\n| --- | --- |\n" + f"| {serial} | {failed} |\n" * 5),
    }
    what = "passed" if e.passed else "failed"
    return dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey([e.table]),
        check_name=e.check,
        passed=e.passed,
        severity=dg.AssetCheckSeverity(e.severity),
        description=f"{e.check} {what}: {failed} of {evaluated} rows outside the condition",
        metadata={
            OUTCOME_KEY: dg.MetadataValue.text("pass" if e.passed else "fail"),
            **metadata_values(values),
        },
    )


@contextmanager
def one_transaction(instance: dg.DagsterInstance) -> Iterator[None]:
    """Dagster's own writes, each storage connection reused inside one transaction committed at the end.

    `store_event` asks `_connect` (sqlite: per shard; Postgres: a new NullPool connection in
    autocommit) for a connection two or three times per event; here it gets the same one,
    already inside a transaction. Nothing else about the write changes.
    """
    from dagster._core.storage.event_log import SqliteEventLogStorage
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    storage: Any = instance.event_log_storage
    original = storage._connect
    connections: dict[tuple[str, ...], Any] = {}
    with ExitStack() as stack:

        def connect(*shard: str) -> Any:
            if shard not in connections:
                if isinstance(storage, SqliteEventLogStorage):
                    with original(*shard):  # Dagster creates and stamps the shard's database
                        pass
                    engine = create_engine(storage.conn_string_for_shard(shard[0]), poolclass=NullPool)
                    connection = stack.enter_context(engine.connect())
                else:
                    connection = stack.enter_context(storage._engine.connect()).execution_options(
                        isolation_level="READ COMMITTED"
                    )
                stack.enter_context(connection.begin())
                connections[shard] = connection
            return nullcontext(connections[shard])

        storage._connect = connect
        try:
            yield
        finally:
            del storage._connect


# --------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class World:
    """Where one run's instance, store and definitions live (written to `world.json` for the children)."""

    root: str
    backend: str
    store_url: str
    evaluations: int
    tables: int
    checks: int
    seed: int

    @property
    def home(self) -> Path:
        """The Dagster instance's folder."""
        return Path(self.root) / "dagster_home"

    @property
    def definitions(self) -> Path:
        """The tables folder; alerts.yaml sits beside it."""
        return Path(self.root) / "defs" / "tables"

    def save(self) -> None:
        """Write `world.json`."""
        (Path(self.root) / "world.json").write_text(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def load(cls, root: Path) -> World:
        """Read `world.json`."""
        return cls(**json.loads((root / "world.json").read_text()))


def write_world(world: World, receiver_url: str, postgres_url: str | None) -> None:
    """Definitions, alerts.yaml and (for Postgres) the instance's dagster.yaml."""
    world.home.mkdir(parents=True)
    world.definitions.mkdir(parents=True)
    for table in table_names(world.tables):
        (world.definitions / f"{table}.yaml").write_text(
            f"table: {table}\nsource: {{type: iceberg, catalog: demo, identifier: ns.{table}}}\n"
        )
    (world.definitions.parent / "alerts.yaml").write_text(
        "channels:\n"
        f"  hook: {{type: webhook, url: '{receiver_url}/dq', timeout_seconds: 10}}\n"
        "default: {channels: [hook], min_severity: warn}\n"
        f"max_evaluations_per_tick: {world.evaluations}\n"
    )
    if postgres_url is not None:
        (world.home / "dagster.yaml").write_text(
            f'storage:\n  postgres:\n    postgres_url: "{postgres_url}"\ntelemetry:\n  enabled: false\n'
        )
    world.save()


@contextmanager
def open_instance(world: World) -> Iterator[dg.DagsterInstance]:
    import dagster as dg

    if world.backend == "sqlite":
        instance = dg.DagsterInstance.local_temp(str(world.home), overrides={"telemetry": {"enabled": False}})
    else:
        instance = dg.DagsterInstance.from_config(str(world.home))
    with instance:
        yield instance


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh database on the server of `server_url`, dropped afterwards; yields its URL."""
    import psycopg2
    from psycopg2 import sql

    name = f"dq_bench_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(server_url, connect_timeout=10)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
        finally:
            with admin.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
    finally:
        admin.close()


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that answers 200 and notes when each message came and its alerts."""

    arrivals: list[tuple[float, list[str]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def counted(self, since: float, until: float = float("inf")) -> dict[str, Any]:
        """Messages that arrived in [since, until), the alerts in them and their kinds."""
        with self._lock:
            kinds = [kind for at, items in self.arrivals if since <= at < until for kind in items]
            messages = sum(since <= at < until for at, _ in self.arrivals)
        return {"messages": messages, "alerts": len(kinds), "kinds": dict(Counter(kinds))}

    @property
    def url(self) -> str:
        """Where it listens."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Receiver:
        """Listen on a free port, in a daemon thread."""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                with receiver._lock:
                    receiver.arrivals.append((time.time(), [a.get("kind") for a in body.get("alerts", [])]))
                payload = b'{"ok": true}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


# --------------------------------------------------------------------------- child: seed


def run_seed(world: World) -> dict[str, Any]:
    """Write the planned evaluations into the instance's event log (not part of the timed tick)."""
    evaluations = plan(world.evaluations, world.tables, world.checks, world.seed)
    with open_instance(world) as instance:
        events = [check_evaluation(e, serial) for serial, e in enumerate(evaluations)]
        start = time.perf_counter()
        with one_transaction(instance):
            for event in events:
                instance.report_runless_asset_event(event)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "planted": planted(evaluations)}


# --------------------------------------------------------------------------- child: tick


class Phases:
    """Seconds spent in wrapped functions, by phase."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, adding its wall time to phase `name`."""

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start

        return timed

    def take(self, total: float) -> dict[str, float]:
        """The phases of the last tick (`send` and `other` by difference); the next tick starts from zero."""
        s = dict(self.seconds)
        self.seconds.clear()
        deliver = s.get("deliver", 0.0)
        s["send"] = deliver - s.get("claim", 0.0) - s.get("mark", 0.0)
        s["other"] = total - sum(s.get(k, 0.0) for k in ("read", "record", "expire", "deliver"))
        s["total"] = total
        return s


def store_snapshot(store: Any) -> dict[str, Any]:
    """Row counts by status, the alerts' occurrences: what a second pass must leave unchanged."""
    from sqlalchemy import func, select

    from dq_resources.alerts.schema import AlertDeliveryRow, AlertEventRow, AlertRow

    with store.engine.connect() as connection:
        alerts = dict(
            connection.execute(select(AlertRow.status, func.count()).group_by(AlertRow.status)).all()
        )
        deliveries = dict(
            connection.execute(
                select(AlertDeliveryRow.status, func.count()).group_by(AlertDeliveryRow.status)
            ).all()
        )
        events = connection.execute(select(func.count()).select_from(AlertEventRow)).scalar_one()
        occurrences = connection.execute(select(func.sum(AlertRow.occurrences))).scalar_one()
    return {"alerts": alerts, "deliveries": deliveries, "events": events, "occurrences": occurrences}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_tick(world: World) -> dict[str, Any]:
    """Two ticks over the seeded events, from cursor 0 each time: the real one and the re-read."""
    import logging
    from datetime import UTC, datetime, timedelta

    from dq_assets.alerting import tick
    from dq_assets.alerting.feed import CHECK_FEED
    from dq_assets.alerting.settings import load_alerting_for
    from dq_checks.config.loader import load_table_specs
    from dq_resources.alerts.store import AlertStore

    log = logging.getLogger("bench.alerts")
    loaded = load_table_specs(world.definitions)
    loaded.raise_for_problems()
    alerting = load_alerting_for(world.definitions, loaded)
    alerting.raise_for_problems()
    assert alerting.config.max_evaluations_per_tick >= world.evaluations

    phases = Phases()
    tick.read_feed = phases.wrap("read", tick.read_feed)
    tick.deliver_due = phases.wrap("deliver", tick.deliver_due)
    store = AlertStore.connect(world.store_url)
    store.record = phases.wrap("record", store.record)  # type: ignore[method-assign]
    store.expire_snoozes = phases.wrap("expire", store.expire_snoozes)  # type: ignore[method-assign]
    store.claim_due_deliveries = phases.wrap("claim", store.claim_due_deliveries)  # type: ignore[method-assign]
    store.mark_delivered = phases.wrap("mark", store.mark_delivered)  # type: ignore[method-assign]
    store.mark_failed = phases.wrap("mark", store.mark_failed)  # type: ignore[method-assign]

    result: dict[str, Any] = {}
    with open_instance(world) as instance:
        result["rss_before_mib"] = peak_rss_mib()
        now = datetime.now(UTC)
        for name, at in (("first", now), ("again", now + timedelta(seconds=30))):
            before = store_snapshot(store)
            started_at = time.time()
            cpu, start = time.process_time(), time.perf_counter()
            report = tick.run_alert_tick(instance, store, alerting, CHECK_FEED, 0, now=at, log=log)
            total = time.perf_counter() - start
            cpu = time.process_time() - cpu
            result[name] = {
                "started_at": started_at,
                "phases": phases.take(total),
                "cpu": cpu,
                "events_read": report.events_read,
                "more": report.more,
                "cursor": report.cursor,
                "recorded": report.recorded.__dict__,
                "delivery": {k: v for k, v in report.delivery.__dict__.items() if k != "errors"},
                "errors": report.delivery.errors[:5],
                "describe": report.describe(),
                "before": before,
                "after": store_snapshot(store),
                "rss_mib": peak_rss_mib(),
            }
    store.dispose()
    return result


# --------------------------------------------------------------------------- parent


def run_child(only: str, root: str) -> dict[str, Any]:
    command = [sys.executable, os.path.abspath(__file__), "--only", only, "--world", root]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_MARKER):
            return json.loads(line[len(RESULT_MARKER) :])
    sys.stderr.write(done.stdout + done.stderr)
    raise SystemExit(f"the {only} step failed (exit code {done.returncode})")


@dataclass
class Run:
    """One fresh world: seeding, both ticks, and what the receiver counted after each."""

    seed_seconds: float
    planted: dict[str, int]
    tick: dict[str, Any]
    received: dict[str, Any]


def one_run(args: argparse.Namespace) -> Run:
    root = tempfile.mkdtemp(prefix="dq-alerts-bench-")
    receiver = Receiver().start()
    try:
        with ExitStack() as stack:
            postgres_url = None
            if args.backend == "postgres":
                postgres_url = stack.enter_context(postgres_database(args.postgres_url))
            store_url = postgres_url or f"sqlite:///{Path(root) / 'alerts.db'}"
            world = World(
                root, args.backend, store_url, args.evaluations, args.tables, args.checks, args.seed
            )
            write_world(world, receiver.url, postgres_url)
            print(f"  writing {args.evaluations:,} check evaluations into the instance ...", flush=True)
            seeded = run_child("seed", root)
            print("  running the tick, then the re-read from cursor 0 ...", flush=True)
            ticked = run_child("tick", root)
        again = ticked["again"]["started_at"]
        received = {
            "first": receiver.counted(ticked["first"]["started_at"], again),
            "again": receiver.counted(again),
        }
        return Run(seeded["seconds"], seeded["planted"], ticked, received)
    finally:
        receiver.stop()
        shutil.rmtree(root, ignore_errors=True)


def yes(condition: bool) -> str:
    return "yes" if condition else "NO"


def report(args: argparse.Namespace, runs: list[Run]) -> None:
    best = min(runs, key=lambda run: run.tick["first"]["phases"]["total"])
    first, again = best.tick["first"], best.tick["again"]
    n = args.evaluations
    rounds = -(-n // (args.tables * args.checks))
    print()
    print(
        f"backend: {args.backend}; {n:,} evaluations = {args.tables} tables x {args.checks} checks "
        f"x {rounds} rounds (seed {args.seed}); best of {len(runs)} fresh world(s)"
    )
    seeds = ", ".join(f"{run.seed_seconds:.1f}" for run in runs)
    print(f"seeding (not timed below): {n:,} events written through Dagster's store_event in {seeds} s")
    print()
    width = 38
    print(f"{'phase':<{width}} {'tick':>10} {'share':>6}   {'re-read':>10} {'share':>6}")
    print(f"{'-' * width} {'-' * 10} {'-' * 6}   {'-' * 10} {'-' * 6}")
    for key, label in PHASES:
        cells = []
        for tick in (first, again):
            seconds = tick["phases"].get(key, 0.0)
            cells.append(f"{seconds:>9.3f}s {seconds / tick['phases']['total']:>6.1%}")
        print(f"{label:<{width}} {cells[0]}   {cells[1]}")
    print(f"{'-' * width} {'-' * 10} {'-' * 6}   {'-' * 10} {'-' * 6}")
    totals = [tick["phases"]["total"] for tick in (first, again)]
    print(f"{'total (wall)':<{width}} {totals[0]:>9.3f}s {'':>6}   {totals[1]:>9.3f}s")
    print(f"{'CPU of the tick process':<{width}} {first['cpu']:>9.3f}s {'':>6}   {again['cpu']:>9.3f}s")
    rates = [t["events_read"] / s if s else 0.0 for t, s in zip((first, again), totals, strict=True)]
    print(f"{'evaluations per second':<{width}} {rates[0]:>10,.0f} {'':>6}   {rates[1]:>10,.0f}")
    if len(runs) > 1:
        every = ", ".join(f"{run.tick['first']['phases']['total']:.3f}" for run in runs)
        print(f"first tick, every run: {every} s")
    print()

    p, rec, dlv = best.planted, first["recorded"], first["delivery"]
    print(f"tick 1: {first['describe']}")
    print(
        f"  evaluations read {first['events_read']:,} (== {n:,}: {yes(first['events_read'] == n)}; "
        f"more waiting: {first['more']}), passing {p.get('passing', 0):,}"
    )
    print(
        f"  alerts opened {rec['opened']:,}, repeated {rec['repeated']:,} "
        f"(of which escalated {p.get('escalated', 0):,} planted), resolved {rec['resolved']:,}, "
        f"ignored {rec['ignored']:,}, deliveries queued {rec['queued']:,}"
    )
    matches = all(rec[k] == p.get(k, 0) for k in ("opened", "repeated", "resolved", "ignored", "queued"))
    print(
        f"  planted by the generator: opened {p.get('opened', 0):,}, repeated {p.get('repeated', 0):,}, "
        f"resolved {p.get('resolved', 0):,}, ignored {p.get('ignored', 0):,}, "
        f"queued {p.get('queued', 0):,}; tick matches: {yes(matches)}"
    )
    print(
        f"  messages sent {dlv['sent']:,} (planted {p.get('messages', 0):,}), failed {dlv['failed']}, "
        f"deliveries sent {dlv['deliveries_sent']:,}"
    )
    got = best.received["first"]
    print(f"  receiver got {got['messages']:,} messages with {got['alerts']:,} alerts {got['kinds']}")
    for error in first["errors"]:
        print(f"  delivery error: {error}")
    after = first["after"]
    print(
        f"  store after: alerts {after['alerts']}, {after['events']:,} history events, "
        f"deliveries {after['deliveries']}"
    )
    print()
    rec2, dlv2 = again["recorded"], again["delivery"]
    unchanged = again["before"] == again["after"]
    nothing = (
        not any(rec2[k] for k in ("opened", "repeated", "resolved", "queued"))
        and dlv2["sent"] == 0
        and unchanged
    )
    print(f"tick 2, re-read from cursor 0 (as after a crash): {again['describe']}")
    print(
        f"  duplicates {rec2['duplicates']:,} (== {n:,}: {yes(rec2['duplicates'] == n)}); "
        f"store unchanged: {yes(unchanged)}; no message: {yes(dlv2['sent'] == 0)}; "
        f"changed nothing: {yes(nothing)}"
    )
    if rec2["duplicates"] != n:
        print(
            f"  {n - rec2['duplicates']:,} evaluations were processed again: the store keeps no trace of "
            f"the {rec['ignored']:,} it ignored in tick 1 (healthy, nothing open)"
        )
    if not nothing:
        got = best.received["again"]
        print(f"  recorded: {rec2}")
        print(f"  receiver got {got['messages']:,} messages with {got['alerts']:,} alerts {got['kinds']}")
        for side in ("before", "after"):
            state = again[side]
            print(
                f"  store {side:<6}: alerts {state['alerts']}, occurrences {state['occurrences']:,}, "
                f"{state['events']:,} history events, deliveries {state['deliveries']}"
            )
    print()
    print(
        f"peak RSS of the tick process: {best.tick['rss_before_mib']:.0f} MiB before the tick "
        f"(imports, instance, store), {first['rss_mib']:.0f} MiB after tick 1, "
        f"{again['rss_mib']:.0f} MiB after tick 2; highest over runs "
        f"{max(r.tick['first']['rss_mib'] for r in runs):.0f} MiB"
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--postgres-url", help="a server to create (and drop) a throw-away database on")
    parser.add_argument("--evaluations", type=int, default=10_000, help="check evaluations in the tick")
    parser.add_argument("--tables", type=int, default=50)
    parser.add_argument("--checks", type=int, default=20, help="checks per table")
    parser.add_argument("--repeat", type=int, default=1, help="best of K runs, each on a fresh world")
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=("seed", "tick"), help=argparse.SUPPRESS)
    parser.add_argument("--world", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.backend == "postgres" and not args.postgres_url and not args.only:
        parser.error("--backend postgres needs --postgres-url")
    for name in ("evaluations", "tables", "checks", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    quiet_environment()
    if args.only is not None:
        world = World.load(args.world)
        result = run_seed(world) if args.only == "seed" else run_tick(world)
        print(RESULT_MARKER + json.dumps(result, default=str), flush=True)
        return 0
    runs = []
    for index in range(args.repeat):
        print(f"run {index + 1} of {args.repeat} ({args.backend}):", flush=True)
        runs.append(one_run(args))
    report(args, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
