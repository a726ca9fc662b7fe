"""What the Athena and Redshift sources share: clients, error wording, SQL logging, statement polling.

Both services run a statement asynchronously: submit it, poll its state until it ends, then
page through the result. `wait_for_statement` is that loop, with the deadline that cancels a
statement which runs too long, so nothing is left scanning (and billing) after we give up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from sqlglot import exp

from dq_checks.metrics.dialect_sql import written_sql
from dq_resources.source_contract.errors import SourceError, source_error

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.config import Config

    from dq_checks.config.sources import SourceLimits

SQL_LOGGER = logging.getLogger("dq.sql")
"""Every statement sent to a warehouse is logged here at INFO, as `<dialect>: <sql>`."""

State = TypeVar("State")


MAX_ATTEMPTS = 3
"""Attempts per AWS call (the first and two retries): a silent endpoint costs at most this many timeouts."""


def client_config(limits: SourceLimits) -> Config:
    """Settings that bound every call by the source's `connect_timeout_seconds`.

    botocore's own defaults (60 s to connect, 60 s per read, each retried) let an endpoint that
    accepts a connection and never answers hold a run for minutes. The read timeout bounds the
    wait for each answer (an API call's reply, an object's next bytes), not a whole download, and
    a warehouse statement is bounded apart, by `timeout_seconds`, while it is polled.
    """
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        connect_timeout=limits.connect_timeout_seconds,
        read_timeout=limits.connect_timeout_seconds,
    )


def aws_client(
    service: str, region_name: str | None, endpoint_url: str | None, limits: SourceLimits
) -> BaseClient:
    """A boto3 client bounded by the source's limits; credentials come from the usual AWS chain."""
    import boto3

    session = boto3.session.Session()
    return session.client(
        service, region_name=region_name, endpoint_url=endpoint_url, config=client_config(limits)
    )


def botocore_session(limits: SourceLimits) -> Any:
    """A botocore session whose clients are bounded by `limits`, for libraries that build their own.

    pyiceberg's Glue catalog creates its client from a session it is given and sets only retries:
    botocore merges that with the session's default client config, so the timeouts stay.
    """
    import botocore.session

    session = botocore.session.get_session()
    session.set_default_client_config(client_config(limits))
    return session


def is_timeout(error: BaseException) -> bool:
    """Whether a boto failure is a connect or read timeout (botocore says "timeout", not why)."""
    from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

    return isinstance(error, ConnectTimeoutError | ReadTimeoutError)


def timeout_cause(error: BaseException, limits: SourceLimits) -> str:
    """The words a timed-out call is reported with: what timed out, after how long, and the setting."""
    return f"timed out (connect_timeout_seconds is {limits.connect_timeout_seconds:g}): {error}"


def default_region(region_name: str | None) -> str | None:
    """The region a client would use: the one given, else the AWS chain's default."""
    if region_name:
        return region_name
    import boto3

    return boto3.session.Session().region_name


NOT_FOUND_CODES = frozenset({"EntityNotFoundException", "ResourceNotFoundException", "NoSuchEntity"})


@contextmanager
def aws_errors(
    source: str, what: str, *, not_found: str | None = None, limits: SourceLimits | None = None
) -> Iterator[None]:
    """Turn any boto failure (credentials, access, missing resource, network) into one SourceError.

    `not_found`, when given, replaces `what` for the errors that mean the thing does not exist;
    `limits`, when given, lets a timeout say after how long and which setting bounds it.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except SourceError:
        raise
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        missing = not_found is not None and code in NOT_FOUND_CODES
        raise source_error(source, not_found if missing else what, error) from error
    except BotoCoreError as error:
        if limits is not None and is_timeout(error):
            raise source_error(source, what, timeout_cause(error, limits)) from error
        raise source_error(source, what, error) from error


def render_sql(query: exp.Query, dialect: str) -> str:
    """The query in the warehouse's dialect; a construct the dialect lacks raises instead of vanishing."""
    return written_sql(query, dialect)


def log_sql(dialect: str, sql: str) -> None:
    """Record a statement about to leave for the warehouse."""
    SQL_LOGGER.info("%s: %s", dialect, sql)


class StatementTimedOut(Exception):
    """The statement did not end within its time limit; `cancelled` says whether cancelling it worked."""

    def __init__(self, timeout_seconds: float, cancel_error: BaseException | None) -> None:
        self.timeout_seconds = timeout_seconds
        self.cancel_error = cancel_error
        outcome = "was cancelled" if cancel_error is None else f"could not be cancelled ({cancel_error})"
        super().__init__(f"timed out after {timeout_seconds:g} s and {outcome}")

    @property
    def cancelled(self) -> bool:
        """Whether the cancel call succeeded."""
        return self.cancel_error is None


def wait_for_statement(
    describe: Callable[[], State],
    finished: Callable[[State], bool],
    *,
    cancel: Callable[[], Any],
    timeout_seconds: float,
    poll_seconds: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Any] = time.sleep,
) -> State:
    """Poll `describe()` until `finished(state)`; past the deadline, `cancel()` and raise StatementTimedOut.

    The first look is immediate. Any other failure while waiting (a network error, an
    interrupt) also cancels the statement, best effort, before it propagates: a statement is
    never left running behind us.
    """
    deadline = clock() + timeout_seconds
    try:
        while True:
            state = describe()
            if finished(state):
                return state
            remaining = deadline - clock()
            if remaining <= 0:
                break
            sleep(max(0.0, min(poll_seconds, remaining)))
    except BaseException:
        _cancel_quietly(cancel)
        raise
    cancel_error = _cancel_quietly(cancel)
    raise StatementTimedOut(timeout_seconds, cancel_error)


def _cancel_quietly(cancel: Callable[[], Any]) -> BaseException | None:
    try:
        cancel()
    except Exception as error:  # the statement may have ended meanwhile; report, never mask the cause
        return error
    return None


@dataclass(frozen=True)
class QueryResult:
    """A warehouse's answer: (name, type) per column, and the rows converted to Python values."""

    columns: list[tuple[str, str]]
    rows: list[tuple[Any, ...]]
