"""The alert store's tables, as SQLAlchemy 2 ORM models (the migrations create them).

- `alerts`: one row per alert, with its lifecycle columns and a summary of its delivery state;
  a partial unique index allows one active (not resolved) alert per dedup key.
- `alert_events`: every transition, occurrence, human action and delivery attempt; its unique
  `evaluation_id` is what makes processing the same Dagster evaluation twice change nothing.
- `alert_deliveries`: the outbox, one row per alert, channel and reason, retried with backoff
  until sent.
- `alert_cursors`: how far a headless `dq alerts sync` has read the event log, and each feed's
  applied mark (`cursors.py`).

The two constraints are the database's half of deduplication; `ledger.py` does the rest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dq_resources.sqlstore.types import UtcDateTime

SYSTEM_ACTOR = "dq"
"""The `actor` of every event dq itself causes; a person's action carries their name."""


class Base(DeclarativeBase):
    """The alert store's metadata."""


class AlertRow(Base):
    """One alert."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dedup_key: Mapped[str] = mapped_column(String(600), index=True)
    asset: Mapped[str] = mapped_column(String(400), index=True)
    check_name: Mapped[str] = mapped_column("check", String(200))
    type: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(1000))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), index=True)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime)
    occurrences: Mapped[int] = mapped_column(Integer, default=1)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    resolution_notes: Mapped[str | None] = mapped_column(Text)
    last_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivery_state: Mapped[str] = mapped_column(String(16), default="none")
    delivery_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "uq_alerts_one_active_per_key",
            "dedup_key",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )


class AlertEventRow(Base):
    """One entry in an alert's history."""

    __tablename__ = "alert_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(200))
    evaluation_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    severity: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)

    alert: Mapped[AlertRow] = relationship()


class AlertDeliveryRow(Base):
    """One notification owed to one channel; retried with backoff until it is sent."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    asset: Mapped[str] = mapped_column(String(400))
    channel: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_id: Mapped[str | None] = mapped_column(String(64))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)

    alert: Mapped[AlertRow] = relationship()

    __table_args__ = (Index("ix_alert_deliveries_due", "status", "next_attempt_at"),)


class AlertCursorRow(Base):
    """How far a consumer has read; used by the headless `dq alerts sync`."""

    __tablename__ = "alert_cursors"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
