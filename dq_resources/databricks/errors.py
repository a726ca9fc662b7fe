"""A databricks-sql-connector error as one line that names its cause, never the token.

The connector reports a refused token as a `RequestError` whose text says only "Error during
request to server"; the HTTP status is in its context. The server's own message starts with the
Java exceptions that carried it (`org.apache.hive.service.cli.HiveSQLException: Error running
query: [CODE] org.apache.spark.sql.AnalysisException: [CODE] ...`); only the message is kept.
"""

from __future__ import annotations

import re

from dq_checks.error_text import first_line
from dq_checks.rules.engine_errors import without_values

JAVA_EXCEPTION = re.compile(r"(?:[a-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error):\s*")
REPEATED_CODE = re.compile(r"(\[[A-Z0-9_.]+\]) \1")
REFUSED = frozenset({401, 403})
MISSING_TABLE = ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "CATALOG_NOT_FOUND")


def server_message(error: BaseException) -> str:
    """The first line of the server's message, without the exception classes around it."""
    text = JAVA_EXCEPTION.sub("", str(error)).replace("Error running query: ", "").strip()
    line = text.splitlines()[0] if text else first_line(error)
    return REPEATED_CODE.sub(r"\1", line).strip()


def is_missing_table(error: BaseException) -> bool:
    """The server said the table (or its schema, or its catalog) does not exist."""
    text = str(error)
    return any(f"[{code}]" in text for code in MISSING_TABLE)


def refused_status(error: BaseException) -> int | None:
    """The HTTP status when the server refused the credentials (401 or 403); else None."""
    context = getattr(error, "context", None) or {}
    status = context.get("http-code")
    return int(status) if isinstance(status, int) and status in REFUSED else None


def request_failure(error: BaseException) -> str:
    """Why a request did not reach the warehouse: the connector's line and the error underneath."""
    context = getattr(error, "context", None) or {}
    underneath = context.get("original-exception")
    own = first_line(error).rstrip(". ")
    if underneath is None or not str(underneath).strip() or first_line(underneath) in own:
        return own
    return f"{own}: {first_line(underneath)}"


def statement_failure(error: BaseException) -> str:
    """A failed statement's message with the data values it quoted hidden."""
    return without_values(server_message(error))
