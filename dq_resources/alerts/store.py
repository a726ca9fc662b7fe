"""The alert store: one database, five parts on one session factory, and this facade over them.

| part | module | what it does |
| --- | --- | --- |
| `ledger` | `ledger.py` | signals in: alerts opened, repeated, escalated, resolved (deduplication) |
| `outbox` | `outbox.py` | deliveries owed to channels: claim, mark sent, retry with backoff |
| `transitions` | `manual_transitions.py` | a person's acknowledge, snooze, resolve |
| `queries` | `queries.py` | alerts, history and deliveries for the CLI |
| `cursors` | `cursors.py` | how far each consumer has read the event log |

Callers (the tick, the CLI, the tests) hold one `AlertStore`, the object the resource caches per
URL, and call its methods; each method is the bound method of the part that does the work.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dq_resources.alerts.cursors import FeedCursors
from dq_resources.alerts.ledger import AlertLedger
from dq_resources.alerts.manual_transitions import ManualTransitions
from dq_resources.alerts.migrate import upgrade
from dq_resources.alerts.outbox import DeliveryOutbox
from dq_resources.alerts.queries import AlertQueries
from dq_resources.alerts.sessions import session_factory
from dq_resources.sqlstore.unavailable import open_store


class AlertStore:
    """Alerts, their history, their outbox and the feed cursors in one SQL database (sqlite or Postgres)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        sessions = session_factory(engine)
        self.ledger = AlertLedger(sessions)
        self.outbox = DeliveryOutbox(sessions)
        self.transitions = ManualTransitions(sessions)
        self.queries = AlertQueries(sessions)
        self.cursors = FeedCursors(sessions)

        self.record = self.ledger.record
        self.expire_snoozes = self.ledger.expire_snoozes
        self.claim_due_deliveries = self.outbox.claim_due_deliveries
        self.mark_delivered = self.outbox.mark_delivered
        self.mark_failed = self.outbox.mark_failed
        self.acknowledge = self.transitions.acknowledge
        self.snooze = self.transitions.snooze
        self.resolve = self.transitions.resolve
        self.list_alerts = self.queries.list_alerts
        self.get = self.queries.get
        self.events = self.queries.events
        self.deliveries = self.queries.deliveries
        self.cursor = self.cursors.cursor
        self.set_cursor = self.cursors.set_cursor
        self.applied_through = self.cursors.applied_through

    @classmethod
    def connect(cls, url: str) -> AlertStore:
        """Open the store at `url` and bring its schema up to date.

        Whatever stops it (a folder that cannot be created, a database that does not exist, a
        refused login) is a StoreUnavailable naming the store, with the password hidden.
        """
        return cls(open_store("alert store", url, upgrade))

    def dispose(self) -> None:
        """Close the connection pool."""
        self.engine.dispose()
