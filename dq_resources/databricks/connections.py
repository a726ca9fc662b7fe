"""One connection per Databricks target in the process, opened with the token from the environment.

A target is the warehouse (host, port, HTTP path) and the token: tables of one warehouse share
its connection, and a rotated token opens a new one. Each connection's session is put in UTC
(`SET TIME ZONE 'UTC'`), so TIMESTAMP values come back as UTC wall-clock times.
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING, Any

from dq_checks.config.sources import DatabricksSourceSpec
from dq_resources.source_contract.connection_cache import ConnectionCache
from dq_resources.source_contract.errors import source_error

if TYPE_CHECKING:
    from databricks.sql.client import Connection

USER_AGENT = "dq"
"""Appended to the connector's User-Agent, so the warehouse's query history shows who asked."""
SESSION_TIME_ZONE = "SET TIME ZONE 'UTC'"
REQUEST_TIMEOUT_FLOOR_SECONDS = 30.0
"""The least time one request may take: the warehouse holds a status request open while the
statement runs, so a shorter socket timeout would cut polls of healthy statements."""

_CACHE: ConnectionCache[Any] = ConnectionCache(lambda connection: bool(connection.open))


def access_token(spec: DatabricksSourceSpec) -> str:
    """The token in the variable `token_env` names, or SourceError naming the variable (never its value)."""
    token = os.environ.get(spec.token_env, "")
    if not token.strip():
        raise source_error(spec.display(), "no access token", f"the variable {spec.token_env} is not set")
    return token.strip()


def connection_for(spec: DatabricksSourceSpec, tls_trusted_ca_file: str | None) -> Connection:
    """The process's open connection to the spec's warehouse with its token; opened on first use.

    Raises the connector's own error when connecting fails; the caller names the table.
    """
    token = access_token(spec)
    fingerprint = hashlib.sha256(token.encode()).hexdigest()
    key = (spec.server_hostname, spec.port, spec.http_path, fingerprint, tls_trusted_ca_file)
    return _CACHE.get(key, lambda: _connect(spec, token, tls_trusted_ca_file))


close_all = _CACHE.close_all
forget = _CACHE.forget


def _connect(spec: DatabricksSourceSpec, token: str, tls_trusted_ca_file: str | None) -> Connection:
    """Connect with retries bounded by `connect_timeout_seconds`, each request by it (at least 30 s).

    The connector runs statements asynchronously and polls them, so no request waits for a
    whole statement: `timeout_seconds` is enforced by cancelling it (`statements.py`).
    Telemetry to Databricks is off.
    """
    from databricks import sql

    seconds = max(1.0, spec.connect_timeout_seconds)
    options: dict[str, Any] = {
        "_socket_timeout": max(seconds, REQUEST_TIMEOUT_FLOOR_SECONDS),
        "_retry_stop_after_attempts_duration": seconds,
        "enable_telemetry": False,
        "user_agent_entry": USER_AGENT,
        "_port": spec.port,
    }
    if tls_trusted_ca_file:
        options["_tls_trusted_ca_file"] = tls_trusted_ca_file
    connection = sql.connect(
        server_hostname=spec.server_hostname, http_path=spec.http_path, access_token=token, **options
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute(SESSION_TIME_ZONE)
    except BaseException:
        connection.close()
        raise
    return connection
