"""Run one statement on a Snowflake connection under a time limit that cancels it.

`cursor.execute(sql, timeout=N)` starts the connector's timer: at N seconds it sends Snowflake
an abort request for the statement, and Snowflake answers the statement's own request with
"SQL execution canceled" (error 604). The session's STATEMENT_TIMEOUT_IN_SECONDS stops it on
the server too (error 630), should the client be gone. Either is StatementCancelled.
TIMESTAMP_TZ and TIMESTAMP_LTZ values come back aware and are put in UTC; TIMESTAMP_NTZ values
(wall-clock times) stay naive, as the local engine reads a timestamp without a zone. ARRAY,
OBJECT and VARIANT values, which the connector gives as JSON text, come back as the values the text
holds: lists, dicts, numbers, strings (the profile's quartiles are an ARRAY of three numbers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dq_resources.snowflake.connections import whole_seconds
from dq_resources.source_contract.errors import StatementCancelled

if TYPE_CHECKING:
    from snowflake.connector import SnowflakeConnection

NESTED_TYPES = frozenset({"ARRAY", "OBJECT", "VARIANT"})
CANCELLED = frozenset({604, 630})
"""Snowflake's errors for a statement cancelled by its client (604) or by its statement timeout (630)."""


@dataclass(frozen=True)
class StatementResult:
    """A statement's column names and its rows as Python values."""

    names: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        """Each row as a mapping from column name to value."""
        return [dict(zip(self.names, row, strict=True)) for row in self.rows]


def run_statement(connection: SnowflakeConnection, sql: str, timeout_seconds: float) -> StatementResult:
    """Run `sql` and fetch every row; StatementCancelled once Snowflake cancelled it for its time limit."""
    from snowflake.connector.errors import ProgrammingError

    cursor = connection.cursor()
    try:
        cursor.execute(sql, timeout=whole_seconds(timeout_seconds))
        rows = cursor.fetchall()
        description = cursor.description or []
    except ProgrammingError as error:
        if error.errno in CANCELLED:
            raise StatementCancelled(timeout_seconds) from None
        raise
    finally:
        cursor.close()
    from snowflake.connector.constants import FIELD_ID_TO_NAME

    names = [str(column[0]) for column in description]
    nested = [FIELD_ID_TO_NAME.get(column[1]) in NESTED_TYPES for column in description]
    return StatementResult(
        names, [tuple(_value(v, is_nested) for v, is_nested in zip(row, nested, strict=True)) for row in rows]
    )


def _value(value: Any, nested: bool) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC)
    if nested and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:  # not JSON after all: the text is kept
            return value
    return value
