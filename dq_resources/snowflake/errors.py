"""A snowflake-connector-python error as one line that names its cause, never a credential.

The connector's errors read `002003 (42S02): SQL compilation error:` and give the cause on the
next line (`Object 'DQ.PUBLIC.ORDERS' does not exist or not authorized.`); a header that ends
in a colon is joined with that line, so the one line says what went wrong.
"""

from __future__ import annotations

from dq_checks.error_text import first_line
from dq_checks.rules.engine_errors import without_values

REFUSED = frozenset({390100, 390101, 390102, 390144})
"""Login refused: a wrong user or password (390100), a locked or disabled user, a key that does not
match the user's public key (390144: the JWT is invalid)."""
MISSING_OBJECT = 2003
"""`Object ... does not exist or not authorized`: the table, its schema or its database."""
UNREACHABLE = frozenset({250001, 250003})
"""The connector could not reach Snowflake, or a request failed on the way (HTTP, socket)."""


def errno(error: BaseException) -> int | None:
    """The connector's error number, where it gave one."""
    number = getattr(error, "errno", None)
    return number if isinstance(number, int) else None


def server_message(error: BaseException) -> str:
    """The connector's message on one line: the first, joined with the next where the first is a header."""
    lines = [line.strip() for line in str(error).strip().splitlines() if line.strip()]
    if not lines:
        return first_line(error)
    if lines[0].endswith(":") and len(lines) > 1:
        return f"{lines[0]} {lines[1]}"
    return lines[0]


def is_refused(error: BaseException) -> bool:
    """Snowflake refused the login (the credentials, or the user)."""
    return errno(error) in REFUSED


def is_missing_table(error: BaseException) -> bool:
    """Snowflake said the table (or its schema, or database) does not exist, or the role cannot see it."""
    return errno(error) == MISSING_OBJECT


def is_unreachable(error: BaseException) -> bool:
    """The connector never got an answer from Snowflake."""
    return errno(error) in UNREACHABLE


def statement_failure(error: BaseException) -> str:
    """A failed statement's message with the data values it quoted hidden."""
    return without_values(server_message(error))
