"""Why a Postgres connection failed: the host is unreachable, the login refused, the database missing.

Each has a different fix, and libpq says which in its message only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

CONNECT_TIMEOUT_SECONDS = 5

_UNREACHABLE = re.compile(
    r"connection refused|could not translate host name|timeout expired|no route to host|"
    r"network is unreachable|could not connect to server|name or service not known|connection timed out",
    re.I,
)
_AUTH = re.compile(
    r"password authentication failed|authentication failed|no password supplied|role \".*\" does not exist|"
    r"no pg_hba\.conf entry|password is required|permission denied for database",
    re.I,
)
_MISSING_DATABASE = re.compile(r"database \".*\" does not exist", re.I)


class PgFailure(StrEnum):
    """What kind of failure a libpq message describes."""

    UNREACHABLE = "unreachable"
    AUTH = "authentication failed"
    MISSING_DATABASE = "database missing"
    OTHER = "cannot connect"


def classify(message: str) -> PgFailure:
    """The kind of failure; a missing database is told first (its message also names the server)."""
    if _MISSING_DATABASE.search(message):
        return PgFailure.MISSING_DATABASE
    if _AUTH.search(message):
        return PgFailure.AUTH
    if _UNREACHABLE.search(message):
        return PgFailure.UNREACHABLE
    return PgFailure.OTHER


def one_line(message: str) -> str:
    """Libpq's message on one line, without its generic second sentence."""
    text = " ".join(message.split())
    return text.split(" Is the server running")[0]


@dataclass(frozen=True)
class PgTarget:
    """Where a connection goes, and where each part of it is configured (for the fix hint).

    `*_from` name the setting to change: an environment variable, or "the URL in DQ_RESULTS_URL".
    """

    host: str
    port: str
    user: str
    database: str
    host_from: str
    port_from: str
    user_from: str
    password_from: str
    database_from: str

    @classmethod
    def from_url(cls, url: str, url_from: str) -> PgTarget:
        """A target whose every part comes from one URL, itself set in `url_from`."""
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        return cls(
            host=parsed.host or "localhost",
            port=str(parsed.port or 5432),
            user=parsed.username or "",
            database=parsed.database or "",
            host_from=url_from,
            port_from=url_from,
            user_from=url_from,
            password_from=url_from,
            database_from=url_from,
        )

    def fix(self, failure: PgFailure) -> str:
        """The concrete fix for `failure`."""
        if failure is PgFailure.UNREACHABLE:
            return (
                f"make Postgres reachable at {self.host}:{self.port} from this machine (is it running? "
                f"a security group or VPC rule?), or correct {_either(self.host_from, self.port_from)}"
            )
        if failure is PgFailure.AUTH:
            return (
                f"check user {self.user!r} and its password ({_either(self.user_from, self.password_from)}); "
                f"the server's pg_hba.conf must accept it from this host"
            )
        if failure is PgFailure.MISSING_DATABASE:
            return (
                f"create it: psql -h {self.host} -p {self.port} -U {self.user} -d postgres "
                f"-c 'CREATE DATABASE \"{self.database}\"', or correct {self.database_from}"
            )
        return f"check the connection settings ({_either(self.host_from, self.user_from)})"


def _either(first: str, second: str) -> str:
    return first if first == second else f"{first} and {second}"
