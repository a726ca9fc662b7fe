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
  server. On MySQL and MariaDB each session is set up once, when first used: `SET SESSION
  TRANSACTION READ ONLY`, the statement limit (MariaDB's `max_statement_time` in seconds,
  MySQL's `MAX_EXECUTION_TIME` in milliseconds, which bounds SELECTs) and `time_zone = '+00:00'`,
  so a `TIMESTAMP` column reads as UTC and comes back as an instant (`read_rows`). The driver's
  own `read_timeout` is set some seconds later than the server's limit, as a backstop for a
  server that stops answering: the server's cancellation comes first. Other databases get what
  their driver offers as connect arguments; the statement is not made read-only there.
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
from datetime import UTC, datetime
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
MYSQL_DIALECTS = frozenset({"mysql", "mariadb"})
MYSQL_STATEMENT_TIMEOUTS = frozenset({1969, 3024})
"""MariaDB's `max_statement_time exceeded`, MySQL's `maximum statement execution time exceeded`."""
MYSQL_TIMESTAMP_TYPE = 7
"""The protocol's type code of a TIMESTAMP column (pymysql and mysqlclient: FIELD_TYPE.TIMESTAMP)."""
READ_TIMEOUT_GRACE_SECONDS = 10
"""How much later than the server's own statement limit the MySQL driver stops waiting for an answer."""
IN_PROCESS_DIALECTS = frozenset({"sqlite", "duckdb"})


def engine_options(drivername: str, connect_timeout_seconds: float, timeout_seconds: float) -> dict[str, Any]:
    """`create_engine` keyword arguments that bound connecting (and, where the driver can, reading)."""
    seconds = max(1, math.ceil(connect_timeout_seconds))
    dialect, _, driver = drivername.partition("+")
    connect_args: dict[str, Any] = {}
    if dialect == "postgresql" and driver in ("", "psycopg2", "psycopg"):
        connect_args = {"connect_timeout": max(LIBPQ_MIN_CONNECT_TIMEOUT, seconds), **KEEPALIVES}
    elif dialect in ("mysql", "mariadb") and driver == "pymysql":
        # pymysql reads the server's greeting with its read timeout: connecting is bounded by
        # connect_timeout_seconds only if that is the read timeout until `_mysql_session` raises it.
        connect_args = {"connect_timeout": seconds, "read_timeout": seconds, "write_timeout": seconds}
    elif dialect in ("mysql", "mariadb") and driver in ("", "mysqldb"):
        reading = read_timeout(timeout_seconds)
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


def read_timeout(timeout_seconds: float) -> int:
    """How long a MySQL driver waits for an answer: past the server's own limit, which answers first."""
    return max(1, math.ceil(timeout_seconds)) + READ_TIMEOUT_GRACE_SECONDS


class ConnectFailed(Exception):
    """Connecting failed, before any statement: `error` is the driver's (or the pool's) error."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


@contextmanager
def guarded_connection(engine: Engine, timeout_seconds: float) -> Iterator[Connection]:
    """A connection for one unit of work: SQL sent as written; read-only and time-limited where it can be.

    Postgres, MySQL and MariaDB make it read-only and cancel a statement past `timeout_seconds`.
    The transaction is rolled back when the block ends: nothing the source sends is kept.
    """
    try:
        opened = engine.connect()
    except Exception as error:
        raise ConnectFailed(error) from error
    with opened as connection:
        connection.execution_options(no_parameters=True)
        if engine.dialect.name in READ_ONLY_DIALECTS:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            connection.exec_driver_sql(
                f"SET LOCAL statement_timeout = {max(1, round(timeout_seconds * 1000))}"
            )
        elif engine.dialect.name in MYSQL_DIALECTS:
            _mysql_session(connection, timeout_seconds)
        yield connection


def _mysql_session(connection: Connection, timeout_seconds: float) -> None:
    """Make the session read-only, time-limited and in UTC, once per database connection.

    Session settings outlive the pool's rollback, so a connection taken from the pool again keeps them.
    """
    wanted = ("read only, utc", timeout_seconds)
    if connection.info.get("dq_session") == wanted:
        return
    if getattr(connection.dialect, "is_mariadb", False):
        limit = f"SET SESSION max_statement_time = {timeout_seconds:.3f}"
    else:
        limit = f"SET SESSION MAX_EXECUTION_TIME = {max(1, round(timeout_seconds * 1000))}"
    driver = connection.connection.dbapi_connection
    if hasattr(driver, "_read_timeout"):  # pymysql, which connected within connect_timeout_seconds
        driver._read_timeout = driver._write_timeout = read_timeout(timeout_seconds)
    for statement in ("SET SESSION TRANSACTION READ ONLY", "SET SESSION time_zone = '+00:00'", limit):
        connection.exec_driver_sql(statement)
    connection.info["dq_session"] = wanted


def read_rows(connection: Connection, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run `sql` and return its column names and rows.

    MySQL's TIMESTAMP is an instant (stored in UTC, shown in the session's zone, which is UTC
    here), but its drivers return it as a naive datetime: those values come back in UTC, as a
    Postgres `timestamptz` does. A DATETIME stays naive: it is a wall-clock time.
    """
    result = connection.exec_driver_sql(sql)
    description = result.cursor.description if result.cursor is not None else None
    names = list(result.keys())
    rows = [tuple(row) for row in result.fetchall()]
    if connection.dialect.name not in MYSQL_DIALECTS or not description:
        return names, rows
    instants = [i for i, column in enumerate(description) if column[1] == MYSQL_TIMESTAMP_TYPE]
    if not instants:
        return names, rows
    return names, [_in_utc(row, instants) for row in rows]


def _in_utc(row: tuple[Any, ...], positions: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in positions:
        if isinstance(values[i], datetime) and values[i].tzinfo is None:
            values[i] = values[i].replace(tzinfo=UTC)
    return tuple(values)


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
    connecting = isinstance(error, ConnectFailed)
    if isinstance(error, ConnectFailed):
        error = error.error
    original = getattr(error, "orig", None) or error
    text = str(original).strip()
    first = first_line(original)
    code, message = _mysql_error(original)
    if getattr(original, "pgcode", None) == QUERY_CANCELED and "statement timeout" in text:
        return f"the statement exceeded timeout_seconds ({timeout_seconds:g} s) and was cancelled"
    if code in MYSQL_STATEMENT_TIMEOUTS:
        return (
            f"the statement exceeded timeout_seconds ({timeout_seconds:g} s) "
            f"and was cancelled by the server (error {code})"
        )
    if "timeout expired" in text or (connecting and "timed out" in text):  # libpq's, or any driver's
        return f"no answer within connect_timeout_seconds ({connect_timeout_seconds:g} s): {first}"
    if "timed out" in text:  # a client-side read timeout (MySQL drivers)
        return f"no answer within timeout_seconds ({timeout_seconds:g} s): {first}"
    if code is not None:  # `(1146, "Table 'shop.orders' doesn't exist")`: the message, then its code
        return f"{first_line(Exception(message))} (error {code})"
    return first


def _mysql_error(error: BaseException) -> tuple[int | None, str]:
    """The code and message of a MySQL driver's error (`args == (code, message)`), else (None, "")."""
    args = getattr(error, "args", ())
    module = type(error).__module__
    if len(args) == 2 and isinstance(args[0], int) and module.startswith(("pymysql", "MySQLdb")):
        return args[0], str(args[1])
    return None, ""
