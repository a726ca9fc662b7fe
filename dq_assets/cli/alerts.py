"""`dq alerts`: list, show, acknowledge, snooze, resolve and sync alerts.

`sync` runs the alert sensors' tick headless (from cron or CI), with the same code and the same
guarantees as the daemon.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from dq_assets.cli.options import CONFIG_OPTION
from dq_checks.alerts.durations import parse_duration
from dq_checks.alerts.model import AlertStatus
from dq_checks.config.paths import default_config_dir

if TYPE_CHECKING:
    from dq_checks.config.alerting_loader import LoadedAlerting
    from dq_resources.alerts.store import AlertStore

# The definitions loader (pydantic), the store (SQLAlchemy) and tabulate are imported by the
# commands that use them, so `dq alerts --help` and a mistyped command import none of them.

SYNC_CURSOR_PREFIX = "sync:"
MESSAGE_WIDTH = 80


def _load_alerting(config_dir: Path | None) -> LoadedAlerting:
    from dq_assets.alerting.settings import load_alerting_for
    from dq_checks.config.loader import load_table_specs

    directory = config_dir or default_config_dir()
    loaded = load_table_specs(directory)
    alerting = load_alerting_for(directory, loaded)
    problems = [str(p) for p in (*loaded.problems, *alerting.problems)]
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(2)
    return alerting


@contextmanager
def _store(config_dir: Path | None) -> Iterator[AlertStore]:
    """The configured alert store; any failure of it is one `error:` line and exit 2."""
    from dq_assets.alerting.settings import open_alert_store
    from dq_resources.alerts.errors import AlertStoreError

    alerting = _load_alerting(config_dir)
    with _store_failures():
        store = open_alert_store(alerting)
    with _store_failures():
        try:
            yield store
        except AlertStoreError as error:
            _fail(str(error))


@contextmanager
def _store_failures() -> Iterator[None]:
    """A store that cannot be opened, read or written: its one-line cause, exit 2."""
    from sqlalchemy.exc import SQLAlchemyError

    from dq_resources.sqlstore.unavailable import StoreUnavailable, cause_of

    try:
        yield
    except StoreUnavailable as error:
        _fail(str(error))
    except SQLAlchemyError as error:  # the store went away after it was opened
        _fail(f"alert store: cannot be used: {cause_of(error)}")


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _now() -> datetime:
    return datetime.now(tz=UTC)


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}" if moment is not None else "-"


def _short(text: str, width: int = MESSAGE_WIDTH) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


@click.group(name="alerts")
def alerts_group() -> None:
    """Alerts raised from failing checks and runs: list them, act on them, sync them."""


@alerts_group.command(name="list")
@click.option(
    "--status", type=click.Choice([s.value for s in AlertStatus]), default=None, help="Only this status."
)
@click.option("--table", default=None, help="Only this table (its `table:` value).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@CONFIG_OPTION
def list_alerts(status: str | None, table: str | None, as_json: bool, config_dir: Path | None) -> None:
    """Alerts, most recently seen first."""
    from tabulate import tabulate

    with _store(config_dir) as store:
        records = store.list_alerts(AlertStatus(status) if status else None, table)
    if as_json:
        click.echo(json.dumps([asdict(r) for r in records], indent=2, default=str))
        return
    if not records:
        click.echo("no alerts")
        return
    rows = [
        (
            r.id,
            r.status.value,
            r.severity.value,
            r.type.value,
            r.asset,
            r.check,
            r.occurrences,
            _when(r.last_seen),
            r.delivery_state,
            _short(r.message, 60),
        )
        for r in records
    ]
    headers = (
        "id",
        "status",
        "severity",
        "type",
        "table",
        "check",
        "seen",
        "last seen (UTC)",
        "delivery",
        "message",
    )
    click.echo(tabulate(rows, headers=headers))


@alerts_group.command(name="show")
@click.argument("alert_id", type=int)
@CONFIG_OPTION
def show_alert(alert_id: int, config_dir: Path | None) -> None:
    """One alert, its history and its deliveries."""
    from tabulate import tabulate

    with _store(config_dir) as store:
        record = store.get(alert_id)
        events = store.events(alert_id)
        deliveries = store.deliveries(alert_id)
    fields = [
        ("alert", f"#{record.id} {record.title}"),
        ("status", record.status.value),
        ("type / severity", f"{record.type.value} / {record.severity.value}"),
        ("table / check", f"{record.asset} / {record.check}"),
        ("message", record.message),
        ("first / last seen", f"{_when(record.first_seen)} / {_when(record.last_seen)} UTC"),
        ("occurrences", record.occurrences),
        (
            "acknowledged",
            f"by {record.acknowledged_by} at {_when(record.acknowledged_at)}"
            if record.acknowledged_by
            else "-",
        ),
        ("snoozed until", _when(record.snoozed_until)),
        (
            "resolved",
            f"by {record.resolved_by} at {_when(record.resolved_at)}" if record.resolved_by else "-",
        ),
        ("resolution notes", record.resolution_notes or "-"),
        ("delivery", record.delivery_state + (f": {record.delivery_error}" if record.delivery_error else "")),
        ("details", json.dumps(record.details, default=str)),
    ]
    click.echo(tabulate(fields, tablefmt="plain"))
    click.echo("\nevents:")
    click.echo(
        tabulate(
            [
                (
                    _when(e.at),
                    e.kind,
                    e.actor or "-",
                    e.evaluation_id or "-",
                    _transition(e.from_status, e.to_status),
                    e.note or "",
                )
                for e in events
            ],
            headers=("at (UTC)", "event", "by", "evaluation", "status", "note"),
        )
    )
    if deliveries:
        click.echo("\ndeliveries:")
        click.echo(
            tabulate(
                [
                    (
                        d.id,
                        d.channel,
                        d.kind.value,
                        d.status,
                        d.attempts,
                        _when(d.sent_at),
                        _when(d.next_attempt_at) if d.status == "pending" else "-",
                        _short(d.last_error or "", 60),
                    )
                    for d in deliveries
                ],
                headers=(
                    "id",
                    "channel",
                    "kind",
                    "status",
                    "attempts",
                    "sent (UTC)",
                    "next try (UTC)",
                    "last error",
                ),
            )
        )


@alerts_group.command(name="ack")
@click.argument("alert_id", type=int)
@click.option("--by", "by", required=True, help="Who is on it.")
@CONFIG_OPTION
def acknowledge(alert_id: int, by: str, config_dir: Path | None) -> None:
    """Acknowledge an alert: it stays quiet until its check passes (which resolves it)."""
    with _store(config_dir) as store:
        record = store.acknowledge(alert_id, by, _now())
    click.echo(f"alert {record.id} acknowledged by {by}: {record.title}")


@alerts_group.command(name="snooze")
@click.argument("alert_id", type=int)
@click.option("--for", "duration", required=True, help="How long: 30m, 2h, 1d, 1h30m.")
@click.option("--by", "by", default=None, help="Who snoozes it (default: $USER).")
@CONFIG_OPTION
def snooze(alert_id: int, duration: str, by: str | None, config_dir: Path | None) -> None:
    """Silence an alert for a while; if it still fails afterwards, it is notified again."""
    try:
        length = parse_duration(duration)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--for") from None
    now = _now()
    with _store(config_dir) as store:
        record = store.snooze(alert_id, now + length, by or _user(), now)
    click.echo(f"alert {record.id} snoozed until {_when(record.snoozed_until)} UTC: {record.title}")


@alerts_group.command(name="resolve")
@click.argument("alert_id", type=int)
@click.option("--notes", required=True, help="What was done.")
@click.option("--by", "by", default=None, help="Who resolves it (default: $USER).")
@CONFIG_OPTION
def resolve(alert_id: int, notes: str, by: str | None, config_dir: Path | None) -> None:
    """Resolve an alert by hand; the next failure of its check opens a new one."""
    with _store(config_dir) as store:
        record = store.resolve(alert_id, by or _user(), notes, _now())
    click.echo(f"alert {record.id} resolved by {record.resolved_by}: {record.title}")


@alerts_group.command(name="sync")
@CONFIG_OPTION
def sync(config_dir: Path | None) -> None:
    """Run one tick of each alert sensor against $DAGSTER_HOME's instance, then deliver what is due.

    For deployments without the Dagster daemon: call it from cron or CI. Its cursors live in the
    alert store; the daemon's sensors keep their own, and an evaluation both see is recorded once.
    Exit 2 when a delivery failed (it is retried next time) or the store cannot be used.
    """
    from dq_assets.alerting.feed import FEEDS
    from dq_assets.alerting.settings import open_alert_store
    from dq_assets.alerting.tick import run_alert_tick
    from dq_assets.cli.run import instance_for_cli

    if not os.environ.get("DAGSTER_HOME"):
        click.echo(
            "error: DAGSTER_HOME is not set: sync reads the instance the checks were recorded in", err=True
        )
        sys.exit(2)
    alerting = _load_alerting(config_dir)
    log = _cli_logger()
    failed = False
    with _store_failures():
        store = open_alert_store(alerting)
        with instance_for_cli() as instance:
            for feed in FEEDS:
                name = SYNC_CURSOR_PREFIX + feed.name
                cursor = int(store.cursor(name) or 0)
                report = run_alert_tick(instance, store, alerting, feed, cursor, now=_now(), log=log)
                store.set_cursor(name, str(report.cursor), _now())
                click.echo(report.describe())
                for error in report.delivery.errors:
                    click.echo(f"  delivery failed (will retry): {error}", err=True)
                failed = failed or bool(report.delivery.errors)
        open_count = len(store.list_alerts(AlertStatus.OPEN))
    click.echo(f"{open_count} open alert(s)")
    sys.exit(2 if failed else 0)


def _transition(before: str | None, after: str | None) -> str:
    if before is None and after is None:
        return ""
    return f"{before or '-'} -> {after or '-'}"


def _user() -> str:
    return os.environ.get("USER") or os.environ.get("USERNAME") or "cli"


def _cli_logger() -> logging.Logger:
    logger = logging.getLogger("dq.alerts")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger
