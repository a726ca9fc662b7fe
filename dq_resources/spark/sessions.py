"""One SparkSession per (master or remote, conf) in the process, reused by every table that asks for it.

A process runs one SparkContext, so every classic session shares it: the first one is built with
the spec's master and conf (`local[*]` by default); another conf gets a `newSession()` of it
with its conf set (SQL settings and catalogs are per session; static settings cannot change in
a running context, and asking to is a SourceError). A master other than the running context's
is refused for the same reason; no master takes the running one (a user's own session).

Spark Connect (`remote: sc://...`) builds a session per URL and conf. Reaching the server is
bounded by `connect_timeout_seconds`: a TCP probe first (a closed port fails at once), then the
first call to the server in a thread that is given up on at the limit, since the client
otherwise retries an unavailable server for minutes.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

from dq_checks.error_text import first_line
from dq_resources.source_contract.errors import redact, source_error

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

    from dq_checks.config.sources import SparkSourceSpec

DEFAULT_MASTER = "local[*]"
QUIET_CONSOLE = {"spark.ui.showConsoleProgress": "false"}
"""Spark draws progress bars on the console unless told not to; a check step's log is no terminal."""
SessionKey = tuple[str, str, tuple[tuple[str, str], ...]]
_SESSIONS: dict[SessionKey, SparkSession] = {}
_LOCK = threading.Lock()
T = TypeVar("T")


def session_for(spec: SparkSourceSpec) -> SparkSession:
    """The process's session for the spec's master or remote and conf, built on first use."""
    conf = tuple(sorted(spec.conf.items()))
    key: SessionKey = ("remote", spec.remote, conf) if spec.remote else ("master", spec.master or "", conf)
    with _LOCK:
        session = _SESSIONS.get(key)
        if session is not None and not spec.remote and not _running(session):
            session = None  # its SparkContext was stopped (by the user's code): build one again
        if session is None:
            try:
                import pyspark  # noqa: F401
            except ImportError:
                raise source_error(
                    spec.display(), "pyspark is not installed", "pip install 'dq[spark]'"
                ) from None
            session = _connect(spec) if spec.remote else _classic(spec)
            _SESSIONS[key] = session
        return session


def close_connect_sessions(remote: str) -> None:
    """Stop the Spark Connect sessions dq opened to `remote`, before that server goes away.

    pyspark's exit handler asks each open Connect session's server to clean up, retrying for
    minutes when the server is gone: a process must not outlive its server's shutdown that way.
    """
    with _LOCK:
        for key in [key for key in _SESSIONS if key[:2] == ("remote", remote)]:
            session = _SESSIONS.pop(key)
            try:
                session.stop()
            except Exception:  # a server already gone: nothing is left to release
                continue


def _running(session: Any) -> bool:
    from pyspark import SparkContext

    return SparkContext._active_spark_context is session.sparkContext


def is_connect(session: Any) -> bool:
    """Whether `session` is a Spark Connect session (no SparkContext, no JVM in this process)."""
    return type(session).__module__.startswith("pyspark.sql.connect")


def _classic(spec: SparkSourceSpec) -> SparkSession:
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    running = SparkContext._active_spark_context
    if running is None:
        builder = SparkSession.builder.master(spec.master or DEFAULT_MASTER)
        try:
            return builder.config(map={**QUIET_CONSOLE, **spec.conf}).getOrCreate()
        except Exception as error:
            raise source_error(spec.display(), "cannot start Spark", first_line(error)) from None
    if spec.master is not None and spec.master != running.master:
        raise source_error(
            spec.display(),
            f"cannot use master {spec.master!r}",
            f"this process already runs Spark on {running.master!r}, and a process holds one SparkContext",
        )
    base = SparkSession.builder.getOrCreate()  # the running session, unchanged: no conf is passed
    if not spec.conf:
        return base
    session = base.newSession()
    for name, value in spec.conf.items():
        if session.conf.get(name, None) == value:
            continue
        try:
            session.conf.set(name, value)
        except Exception as error:
            raise source_error(spec.display(), f"cannot set {name}", first_line(error)) from None
    return session


def _connect(spec: SparkSourceSpec) -> SparkSession:
    # Connect's own builder: the generic one marks the whole process as Spark Connect
    # (SPARK_CONNECT_MODE_ENABLED), which a classic session in the same process must not see.
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    remote = spec.remote or ""
    limit = spec.connect_timeout_seconds
    where = f"at {redact(remote)}"  # last in the message: a secret parameter's value runs to its end
    _probe(remote, limit, spec.display(), where)

    def build() -> Any:
        session = ConnectSession.builder.remote(remote).config(map=dict(spec.conf)).create()
        session.version  # noqa: B018 - the first call to the server: the session is lazy until then
        return session

    try:
        return cast("SparkSession", within(limit, build))
    except TimeoutError:
        cause = f"no answer within connect_timeout_seconds ({limit:g} s), {where}"
        raise source_error(spec.display(), UNREACHABLE, cause) from None
    except Exception as error:
        raise source_error(spec.display(), UNREACHABLE, f"{first_line(error)}, {where}") from None


UNREACHABLE = "cannot reach Spark Connect"
DEFAULT_CONNECT_PORT = 15002


def _probe(remote: str, limit: float, name: str, where: str) -> None:
    """Open and close a TCP connection to the server, so a closed port fails now, not after retries."""
    try:
        parts = urlsplit(remote.split(";", 1)[0])
        host, port = parts.hostname or "localhost", parts.port or DEFAULT_CONNECT_PORT
    except ValueError as error:
        raise source_error(name, "remote is not a Spark Connect URL", f"{error}, {where}") from None
    try:
        with socket.create_connection((host, port), timeout=max(0.1, limit)):
            pass
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        cause = f"{reason} (connect_timeout_seconds: {limit:g} s), {where}"
        raise source_error(name, UNREACHABLE, cause) from None


def within(seconds: float, call: Callable[[], T]) -> T:
    """`call()`'s result, or TimeoutError after `seconds` (the call goes on in a daemon thread)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as error:
            failure.append(error)

    thread = threading.Thread(target=run, name="dq-spark-connect", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        raise TimeoutError
    if failure:
        raise failure[0]
    return result[0]
