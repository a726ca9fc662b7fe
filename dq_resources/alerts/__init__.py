"""The alert store: alerts, their history and their outbox, on SQLAlchemy 2 with alembic migrations."""

from dq_resources.alerts.records import AlertRecord, DeliveryRecord, DueDelivery, EventRecord
from dq_resources.alerts.store import AlertStore, AlertStoreError, RecordSummary

__all__ = [
    "AlertRecord",
    "AlertStore",
    "AlertStoreError",
    "DeliveryRecord",
    "DueDelivery",
    "EventRecord",
    "RecordSummary",
]
