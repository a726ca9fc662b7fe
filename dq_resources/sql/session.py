"""How the `sql` source talks to a database: bounded in time, read-only, SQL sent as written.

Every statement the source sends (a pushed-down metric query, a rule's own query, a sample,
the catalog reflection) goes through `guarded_connection`:

- **No paramstyle interpretation.** The SQL is compiled by sqlglot with its literals inline, so
  the driver must not read `%` or `:name` in it as parameters (`like 'a%'`, `id % 2`, `"50%"`
  broke every rule on Postgres with `immutabledict is not a sequence`). `no_parameters=True`
  makes SQLAlchemy call `cursor.execute(sql)` without a parameter collection.
- **Read-only, with a time limit, where the engine allows it.** On Postgres each statement runs
  in a `READ ONLY` transaction with `SET LOCAL statement_timeout` at the source's
  `timeout_seconds`, so a rule can change nothing and a runaway query is cancelled by the
  server. Other databases get what their driver offers as connect arguments (MySQL's
  `read_timeout`); the statement is not made read-only there.
- **Connecting is bounded** by `connect_timeout_seconds`, passed to the drivers that take one,
  so a server that accepts the connection and never answers cannot hang a run.

A failure becomes one SourceError naming the source and the cause, with the url's substituted
values hidden and without the driver's exception chained to it (the event log records a step
failure's whole chain of causes, and a driver's message may quote the database name).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from dq_checks.error_text import first_line
from dq_resources.source_contract.errors import SourceError, redact, source_error

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

READ_ONLY_DIALECTS = frozenset({"postgresql"})
"""Databases whose statements run in a READ ONLY transaction with a server-side statement_timeout."""
LIBPQ_MIN_CONNECT_TIMEOUT = 2
"""libpq takes whole seconds and treats 1 as 2."""
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3}
"""TCP keepalives, so a peer that vanished mid-statement is noticed in about a minute."""
QUERY_CANCELED = "57014"
IN_PROCESS_DIALECTS = frozenset({"sqlite", "duckdb"})


def engine_options(drivername: str, connect_timeout_seconds: float, timeout_seconds: float) -> dict[str, Any]:
    """`create_engine` keyword arguments that bound connecting (and, where the driver can, reading)."""
    seconds = max(1, math.ceil(connect_timeout_seconds))
    dialect, _, driver = drivername.partition("+")
    connect_args: dict[str, Any] = {}
    if dialect == "postgresql" and driver in ("", "psycopg2", "psycopg"):
        connect_args = {"connect_timeout": max(LIBPQ_MIN_CONNECT_TIMEOUT, seconds), **KEEPALIVES}
    elif dialect in ("mysql", "mariadb") and driver in ("", "pymysql", "mysqldb"):
        reading = max(1, math.ceil(timeout_seconds))
        connect_args = {"connect_timeout": seconds, "read_timeout": reading, "write_timeout": reading}
    options: dict[str, Any] = {"pool_pre_ping": True, "connect_args": connect_args}
    if dialect not in IN_PROCESS_DIALECTS:  # their pools take no timeout: there is no server to wait for
        options["pool_timeout"] = connect_timeout_seconds
    if dialect == "duckdb":
        # A pooled connection would keep the DuckDB file open after the check, locked against
        # the process that writes it (dbt) and against a differently configured connection in
        # this process (an asset's own `duckdb.connect`): connect for each unit of work instead.
        from sqlalchemy.pool import NullPool

        options["poolclass"] = NullPool
    return options


@contextmanager
def guarded_connection(engine: Engine, timeout_seconds: float) -> Iterator[Connection]:
    """A connection for one unit of work: SQL sent as written; read-only and time-limited on Postgres.

    The transaction is rolled back when the block ends: nothing the source sends is kept.
    """
    with engine.connect() as connection:
        connection.execution_options(no_parameters=True)
        if engine.dialect.name in READ_ONLY_DIALECTS:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            connection.exec_driver_sql(
                f"SET LOCAL statement_timeout = {max(1, round(timeout_seconds * 1000))}"
            )
        yield connection


def failure(
    where: str,
    what: str,
    error: BaseException,
    *,
    timeout_seconds: float,
    connect_timeout_seconds: float,
    hide: Callable[[str], str],
) -> SourceError:
    """One SourceError for a failed statement: a time limit by name, else the driver's first line.

    `what` says what was being done ("cannot describe the table"); empty for a query's own failure.
    """
    cause = hide(redact(_cause(error, timeout_seconds, connect_timeout_seconds)))
    return source_error(where, what, cause) if what else source_error(where, cause)


def _cause(error: BaseException, timeout_seconds: float, connect_timeout_seconds: float) -> str:
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    first = first_line(original)
    if getattr(original, "pgcode", None) == QUERY_CANCELED and "statement timeout" in text:
        return f"the statement exceeded timeout_seconds ({timeout_seconds:g} s) and was cancelled"
    if "timeout expired" in text:  # libpq, while connecting
        return f"no answer within connect_timeout_seconds ({connect_timeout_seconds:g} s): {first}"
    if "timed out" in text:  # a client-side read timeout (MySQL drivers)
        return f"no answer within timeout_seconds ({timeout_seconds:g} s): {first}"
    return first
