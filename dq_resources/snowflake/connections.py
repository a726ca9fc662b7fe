"""One Snowflake connection per target and limits in the process, closed at exit.

A target is the account, user, database, warehouse, role and endpoint, with the credential (by a
hash of it) and the time limits: tables of one target share its connection, and a rotated
password or key opens a new one. Every connection carries dq's query tag and statement timeout
as session parameters, so Snowflake's query history shows who asked and stops what runs too long.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dq_checks.config.sources import SnowflakeSourceSpec
from dq_resources.snowflake.credentials import Credentials, credentials_for
from dq_resources.source_contract.connection_cache import ConnectionCache

if TYPE_CHECKING:
    from snowflake.connector import SnowflakeConnection

APPLICATION = "dq"
"""The connector's `application`: Snowflake records it as the client application of each session."""
QUERY_TAG = "dq"
"""Each statement's QUERY_TAG: dq's statements are found in QUERY_HISTORY by it."""

_CACHE: ConnectionCache[Any] = ConnectionCache(lambda connection: not connection.is_closed())


def whole_seconds(seconds: float) -> int:
    """The connector and Snowflake take whole seconds: a limit rounds up, and is at least 1."""
    return max(1, math.ceil(seconds))


def session_parameters(spec: SnowflakeSourceSpec) -> dict[str, Any]:
    """The session's QUERY_TAG and STATEMENT_TIMEOUT_IN_SECONDS (Snowflake's own limit, server-side)."""
    return {"QUERY_TAG": QUERY_TAG, "STATEMENT_TIMEOUT_IN_SECONDS": whole_seconds(spec.timeout_seconds)}


def connection_for(spec: SnowflakeSourceSpec) -> SnowflakeConnection:
    """The process's open connection for the spec's target and limits; opened on first use.

    Raises SourceError when a credential cannot be read, and the connector's own error when
    connecting fails; the caller names the table.
    """
    credentials = credentials_for(spec)
    key = (
        spec.account,
        spec.user,
        spec.database,
        spec.warehouse,
        spec.role,
        spec.host,
        spec.port,
        spec.protocol,
        credentials.fingerprint,
        whole_seconds(spec.timeout_seconds),
        whole_seconds(spec.connect_timeout_seconds),
    )
    return _CACHE.get(key, lambda: _connect(spec, credentials))


close_all = _CACHE.close_all
forget = _CACHE.forget


def _connect(spec: SnowflakeSourceSpec, credentials: Credentials) -> SnowflakeConnection:
    """Connect, retrying the login at most `connect_timeout_seconds`.

    `login_timeout` bounds the login's retries and `network_timeout` those of the requests that
    are not statements; a statement is bounded by its own timeout (`statements.py`).
    """
    import snowflake.connector

    seconds = whole_seconds(spec.connect_timeout_seconds)
    options: dict[str, Any] = {
        "account": spec.account,
        "user": spec.user,
        "database": spec.database,
        "login_timeout": seconds,
        "network_timeout": seconds,
        "application": APPLICATION,
        "session_parameters": session_parameters(spec),
        "protocol": spec.protocol,
        **credentials.connect_arguments(),
    }
    for name in ("warehouse", "role", "host", "port"):
        value = getattr(spec, name)
        if value is not None:
            options[name] = value
    return snowflake.connector.connect(**options)
