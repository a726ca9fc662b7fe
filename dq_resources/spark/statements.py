"""Run one Spark SQL statement, collected to the driver, under a time limit that cancels its jobs.

A classic session runs the statement under a job group of its own
(`setJobGroup(..., interruptOnCancel=True)`), and a timer cancels that group at the limit: Spark
kills the running tasks, the executors stop working, and `collect()` raises. Spark Connect
tags the operation (`addTag`) and the timer interrupts the tag (`interruptTag`). Either way the
statement's failure says it exceeded the limit and was cancelled.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dq_resources.source_contract.errors import StatementCancelled
from dq_resources.spark.sessions import is_connect

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


Collected = tuple[list[str], list[tuple[Any, ...]]]
"""A statement's column names, and its rows as Python values."""


def collect(session: SparkSession, sql: str, timeout_seconds: float) -> Collected:
    """Run `sql` and collect its rows, cancelling its Spark jobs after `timeout_seconds`."""
    tag = f"dq-{uuid.uuid4().hex}"
    start, cancel, finish = _limits(session, tag)
    expired = threading.Event()

    def on_timeout() -> None:
        expired.set()
        cancel()

    timer = threading.Timer(timeout_seconds, on_timeout)
    timer.daemon = True
    start()
    timer.start()
    try:
        frame = session.sql(sql)
        rows = frame.collect()
        names = list(frame.columns)
        timestamps = [field.dataType.typeName() == "timestamp" for field in frame.schema.fields]
    except Exception:
        if expired.is_set():
            raise StatementCancelled(timeout_seconds) from None
        raise
    finally:
        timer.cancel()
        finish()
    return names, [_values(row, timestamps) for row in rows]


def _limits(
    session: SparkSession, tag: str
) -> tuple[Callable[[], None], Callable[[], None], Callable[[], None]]:
    """How to mark this thread's next jobs, cancel them, and unmark the thread, for this session."""
    if is_connect(session):
        return (
            lambda: session.addTag(tag),
            lambda: session.interruptTag(tag),
            lambda: session.removeTag(tag),
        )
    context = session.sparkContext
    return (
        lambda: context.setJobGroup(tag, "dq check statement", interruptOnCancel=True),
        lambda: context.cancelJobGroup(tag),
        lambda: _clear_job_group(context),
    )


JOB_GROUP_PROPERTIES = ("spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel")


def _clear_job_group(context: Any) -> None:
    """Unmark the thread, so the caller's own later jobs are not in a group that no longer means anything."""
    for name in JOB_GROUP_PROPERTIES:
        context.setLocalProperty(name, None)


def _values(row: Any, timestamps: list[bool]) -> tuple[Any, ...]:
    """A Row as a tuple; TIMESTAMP values, which pyspark gives as naive local times, made UTC-aware."""
    return tuple(
        _utc(value) if is_timestamp and isinstance(value, datetime) else value
        for value, is_timestamp in zip(row, timestamps, strict=True)
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)
