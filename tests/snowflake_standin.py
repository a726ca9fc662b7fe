"""A local stand-in for Snowflake: fakesnow's REST server, with the login check and the cancellation it lacks.

**What answers.** fakesnow's own Starlette app (`fakesnow.server`): Snowflake's REST protocol
(login, query and session requests) over HTTP on 127.0.0.1, every statement translated from
Snowflake SQL by fakesnow (sqlglot) and run in an in-memory DuckDB database. The connector on the
other side is the real snowflake-connector-python: its login, its requests, its Arrow result
parsing, its errors and its client-side statement timer.

**What the stand-in adds**, at the HTTP level, because fakesnow accepts anything:

- the login is checked, as Snowflake's is: a password other than `password` is refused with
  Snowflake's answer (code 390100, "Incorrect username or password was specified."); a key-pair
  login (`SNOWFLAKE_JWT`) is refused (390144, "JWT token is invalid.") unless its JWT verifies
  with the public key registered for its user (`public_keys`);
- an abort request (what the connector sends when a statement outlives its `timeout=`) interrupts
  the statement's DuckDB query, and the statement's own request is answered as Snowflake answers
  a cancelled statement (code 000604, "SQL execution canceled"); fakesnow's own abort is a no-op.

It records each login's body without its secrets (`logins`: the session parameters, the client
application, the authenticator), each statement's text (`statements`) and each abort (`aborts`).

**Not covered** (fakesnow differs from Snowflake here): `LAST_ALTERED` and `CREATED` in
INFORMATION_SCHEMA are always 1970-01-01 (fakesnow keeps no change times), and `ROW_COUNT` is
DuckDB's estimate; session parameters are accepted but not applied (`QUERY_TAG` is not recorded
in a query history, `STATEMENT_TIMEOUT_IN_SECONDS` never stops a statement server-side); no
warehouse or role is checked; VARIANT, OBJECT and ARRAY are all DuckDB JSON; Snowflake SQL
features fakesnow does not translate.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

PASSWORD = "password"
"""The one password the stand-in accepts."""
CANCEL_RETRY_SECONDS = 0.05


@dataclass
class StandIn:
    """A running stand-in: where it listens, what it accepts, and what it saw."""

    host: str
    port: int
    public_keys: dict[str, Any] = field(default_factory=dict)
    logins: list[dict[str, Any]] = field(default_factory=list)
    statements: list[str] = field(default_factory=list)
    aborts: list[str] = field(default_factory=list)
    running: dict[str, dict[str, Any]] = field(default_factory=dict)

    def connect_arguments(self, **overrides: Any) -> dict[str, Any]:
        """What `snowflake.connector.connect` needs to reach the stand-in as user `fake`."""
        return {
            "account": "fakesnow",
            "user": "fake",
            "password": PASSWORD,
            "host": self.host,
            "port": self.port,
            "protocol": "http",
            "network_timeout": 5,
            "login_timeout": 5,
            **overrides,
        }

    def execute(self, *statements: str, database: str) -> None:
        """Run `statements` through the real connector (to load tables)."""
        import snowflake.connector

        with (
            snowflake.connector.connect(**self.connect_arguments(database=database)) as connection,
            connection.cursor() as cursor,
        ):
            for statement in statements:
                cursor.execute(statement)


def free_port() -> int:
    """A TCP port nothing listens on (now)."""
    with contextlib.closing(socket.socket(type=socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _json_body(raw: bytes, encoding: str | None) -> dict[str, Any]:
    return json.loads(gzip.decompress(raw) if encoding == "gzip" else raw)


def _refusal(code: str, message: str) -> Any:
    from starlette.responses import JSONResponse

    return JSONResponse({"data": {"nextAction": None}, "code": code, "message": message, "success": False})


def _jwt_verifies(token: str, user: str, public_keys: dict[str, Any]) -> bool:
    import jwt

    key = public_keys.get(user.upper())
    if key is None:
        return False
    try:
        jwt.decode(token, key, algorithms=["RS256"], options={"verify_aud": False})
    except jwt.PyJWTError:
        return False
    return True


def _app(standin: StandIn) -> Any:
    """fakesnow's app, its login, query and abort routes wrapped as the module says."""
    import fakesnow.server as fake
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    async def login(request: Request) -> Response:
        body = _json_body(await request.body(), request.headers.get("Content-Encoding"))
        data = body["data"]
        user = str(data.get("LOGIN_NAME", ""))
        standin.logins.append(
            {
                "user": user,
                "authenticator": data.get("AUTHENTICATOR", "SNOWFLAKE"),
                "application": (data.get("CLIENT_ENVIRONMENT") or {}).get("APPLICATION"),
                "session_parameters": dict(data.get("SESSION_PARAMETERS") or {}),
            }
        )
        if data.get("AUTHENTICATOR") == "SNOWFLAKE_JWT":
            if not _jwt_verifies(str(data.get("TOKEN", "")), user, standin.public_keys):
                return _refusal("390144", "JWT token is invalid.")
        elif data.get("PASSWORD") != PASSWORD:
            return _refusal("390100", "Incorrect username or password was specified.")
        return await fake.login_request(request)

    async def query(request: Request) -> Response:
        request_id = request.query_params.get("requestId", "")
        body = _json_body(await request.body(), request.headers.get("Content-Encoding"))
        standin.statements.append(str(body.get("sqlText", "")))
        entry = {"token": fake.to_token(request), "aborted": False, "finished": threading.Event()}
        standin.running[request_id] = entry
        try:
            answer = await fake.query_request(request)
        finally:
            entry["finished"].set()
            standin.running.pop(request_id, None)
        if entry["aborted"]:
            return JSONResponse(
                {
                    "data": {"errorCode": "000604", "sqlState": "57014"},
                    "code": "000604",
                    "message": "SQL execution canceled",
                    "success": False,
                }
            )
        return answer

    async def abort(request: Request) -> Response:
        body = _json_body(await request.body(), request.headers.get("Content-Encoding"))
        request_id = str(body.get("requestId", ""))
        standin.aborts.append(request_id)
        entry = standin.running.get(request_id)
        if entry is not None:
            entry["aborted"] = True
            threading.Thread(target=_interrupt, args=(entry,), daemon=True).start()
        return JSONResponse({"data": None, "code": None, "message": None, "success": True})

    wrapped = {
        "/session/v1/login-request": login,
        "/queries/v1/query-request": query,
        "/queries/v1/abort-request": abort,
    }
    routes = [
        Route(route.path, wrapped.get(route.path, route.endpoint), methods=list(route.methods or ["GET"]))
        for route in fake.routes
    ]
    return Starlette(routes=routes)


def _interrupt(entry: dict[str, Any]) -> None:
    """Interrupt the session's DuckDB query until its request has answered (it may not have begun yet)."""
    import fakesnow.server as fake

    session = fake.sessions.get(entry["token"])
    while session is not None and not entry["finished"].is_set():
        session._duck_conn.interrupt()
        entry["finished"].wait(CANCEL_RETRY_SECONDS)


@contextlib.contextmanager
def snowflake_standin() -> Iterator[StandIn]:
    """Start the stand-in on a free port of 127.0.0.1 in a thread; stop it when the block ends."""
    import logging

    import uvicorn

    standin = StandIn(host="127.0.0.1", port=free_port())
    app = _app(standin)
    logging.getLogger("fakesnow.server").setLevel(logging.CRITICAL)  # it logs each login, each interrupt
    config = uvicorn.Config(app, host=standin.host, port=standin.port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="snowflake stand-in", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while thread.is_alive() and not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the Snowflake stand-in did not start")
    try:
        yield standin
    finally:
        server.should_exit = True
        thread.join(timeout=30)
