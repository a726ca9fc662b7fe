"""The alert store as its callers hold it: one database, five parts on one session factory.

`AlertStore` builds the parts (`dq_resources/alerts/__init__.py` says what each does) and offers
each part's methods under their own names, so the tick, the CLI and the tests hold one object:
the one the resource caches per URL, with one connection pool. `store.record` is
`store.ledger.record`, `store.snooze` is `store.transitions.snooze`, and so on.
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
        self.active_alerts = self.queries.active_alerts
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
