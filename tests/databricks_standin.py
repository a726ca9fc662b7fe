"""A local stand-in for a Databricks SQL warehouse: Spark's own Thrift server behind a thin gateway.

**What answers.** `HiveThriftServer2` from the pyspark wheel (`spark-hive-thriftserver`): the real
Spark SQL engine (Spark 4.3, the engine under Databricks SQL), in HTTP transport mode, with an
embedded Derby metastore and its warehouse in a temporary folder. Every statement
databricks-sql-connector sends runs there, through the connector's real Thrift backend
(TCLIService over HTTP): parsing and analysis of the `databricks` dialect's SQL, execution,
errors (`TABLE_OR_VIEW_NOT_FOUND`, `CAST_INVALID_INPUT`...), `DESCRIBE TABLE EXTENDED`, catalog
calls, and cancellation (`CancelOperation` cancels the statement's Spark jobs). One setting differs
from HiveServer2's defaults: a status request waits at most 500 ms for the statement (5 s by
default), so a cancellation, which the connector queues behind the status request in flight,
reaches the server soon after the time limit.

**What the gateway does**, a TLS HTTP server on 127.0.0.1 in front of it, and nothing more:

- checks the bearer token, as Databricks' front door does: a wrong one is HTTP 403;
- speaks TLS with a certificate made at start (the connector only speaks https); the connector
  trusts it through the resource's `tls_trusted_ca_file`;
- supplies the three Databricks protocol extensions the connector requires and vanilla
  HiveServer2 lacks: OpenSession's answer says `serverProtocolVersion` is
  SPARK_CLI_SERVICE_PROTOCOL_V2 (the connector refuses older servers; the request gets the
  HIVE protocol number HiveServer2 requires), and GetResultSetMetadata's and FetchResults'
  answers say their rows are a COLUMN_BASED_SET (which is what HiveServer2 sends);
- hands the user to HiveServer2 as HTTP basic auth, which is what it wants in NONE auth mode.

It records each Thrift call's name (`calls`) and each User-Agent (`user_agents`), so a test can
see a `CancelOperation` reach the server and the agent dq names itself with; `jobs()` reads the
server's Spark jobs from its monitoring REST API, so a test can see a cancelled statement's job
stop.

**Not covered** (a real workspace differs here): Delta tables (`DESCRIBE DETAIL`, `DESCRIBE
HISTORY`: no Delta jar is installable from PyPI, so the stand-in's tables are Parquet and their
last update and version are unknown, as for any non-Delta table); Unity Catalog (the catalog is
`spark_catalog`); Arrow results, Cloud Fetch and direct results (the server answers with
column-based row sets after the connector polls, so the connector's columnar path is the one
tested); OAuth and any auth but a personal access token; a warehouse that is starting (HTTP 503
and the connector's retries); server-side `STATEMENT_TIMEOUT`; Databricks SQL functions that
Spark lacks.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HTTP_PATH = "cliservice"
TOKEN = "dapi-standin-token"
START_SECONDS = 180.0
REWRITTEN = ("OpenSession", "GetResultSetMetadata", "FetchResults")


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost that is its own CA, and its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "databricks-standin")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "standin.pem", folder / "standin.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def _thrift(body: bytes, suffix: str) -> tuple[str, int, int, Any]:
    """A TCLIService message: its name, type, sequence id, and its args or result struct."""
    from databricks.sql.thrift_api.TCLIService import TCLIService
    from thrift.protocol import TBinaryProtocol
    from thrift.transport import TTransport

    protocol = TBinaryProtocol.TBinaryProtocol(TTransport.TMemoryBuffer(body))
    name, kind, sequence = protocol.readMessageBegin()
    struct = getattr(TCLIService, f"{name}_{suffix}")()
    struct.read(protocol)
    return name, kind, sequence, struct


def _message(name: str, kind: int, sequence: int, struct: Any) -> bytes:
    from thrift.protocol import TBinaryProtocol
    from thrift.transport import TTransport

    buffer = TTransport.TMemoryBuffer()
    protocol = TBinaryProtocol.TBinaryProtocol(buffer)
    protocol.writeMessageBegin(name, kind, sequence)
    struct.write(protocol)
    protocol.writeMessageEnd()
    return buffer.getvalue()


class _Gateway(BaseHTTPRequestHandler):
    """One POST of TCLIService: token checked, the extensions filled in, passed to HiveServer2."""

    server: _GatewayServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows the calls through `StandIn.calls` when a test needs them."""

    def do_POST(self) -> None:
        """Check the token, rewrite what the connector needs, forward, rewrite the answer."""
        from databricks.sql.thrift_api.TCLIService import ttypes

        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.user_agents.append(self.headers.get("User-Agent") or "")
        if self.headers.get("Authorization") != f"Bearer {self.server.token}":
            self._answer(403, b"Invalid access token.", "text/plain")
            return
        name, kind, sequence, arguments = _thrift(body, "args")
        self.server.calls.append(name)
        if name == "OpenSession":
            arguments.req.client_protocol = ttypes.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10
            body = _message(name, kind, sequence, arguments)
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, timeout=600)
        user = base64.b64encode(b"dq:none").decode()
        headers = {"Content-Type": "application/x-thrift", "Authorization": f"Basic {user}"}
        upstream.request("POST", f"/{HTTP_PATH}", body, headers)
        response = upstream.getresponse()
        answer = response.read()
        upstream.close()
        if response.status == 200 and name in REWRITTEN:
            answer = _with_extensions(answer)
        self._answer(response.status, answer, "application/x-thrift")

    def _answer(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _with_extensions(answer: bytes) -> bytes:
    """HiveServer2's answer with the fields the connector requires of a Databricks server."""
    from databricks.sql.thrift_api.TCLIService import ttypes

    name, kind, sequence, result = _thrift(answer, "result")
    response = result.success
    if response is None:
        return answer
    column_based = ttypes.TSparkRowSetType.COLUMN_BASED_SET
    if name == "OpenSession":
        response.serverProtocolVersion = ttypes.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V2
    elif name == "GetResultSetMetadata":
        response.resultFormat = column_based
    else:
        response.resultSetMetadata = ttypes.TGetResultSetMetadataResp(
            status=response.status, resultFormat=column_based
        )
    return _message(name, kind, sequence, result)


class _GatewayServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, upstream_port: int, token: str, context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", port), _Gateway)
        self.socket = context.wrap_socket(self.socket, server_side=True)
        self.upstream_port = upstream_port
        self.token = token
        self.calls: list[str] = []
        self.user_agents: list[str] = []


class StandIn:
    """A running stand-in: where to reach it, its token and CA file, and what reached it."""

    def __init__(
        self, port: int, ca_file: Path, gateway: _GatewayServer, workdir: Path, ui_port: int
    ) -> None:
        self.server_hostname = "127.0.0.1"
        self.http_path = HTTP_PATH
        self.port = port
        self.token = TOKEN
        self.ca_file = ca_file
        self.workdir = workdir
        self._gateway = gateway
        self._ui_port = ui_port

    def jobs(self) -> list[dict[str, Any]]:
        """The Thrift server's Spark jobs (`jobId`, `status`: RUNNING, SUCCEEDED, FAILED...)."""
        applications = self._rest("/api/v1/applications")
        return self._rest(f"/api/v1/applications/{applications[0]['id']}/jobs")

    def _rest(self, path: str) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self._ui_port, timeout=30)
        try:
            connection.request("GET", path)
            return json.loads(connection.getresponse().read())
        finally:
            connection.close()

    @property
    def calls(self) -> list[str]:
        """The Thrift calls that passed the token check, in order."""
        return list(self._gateway.calls)

    @property
    def user_agents(self) -> list[str]:
        """The User-Agent of every request that reached the gateway."""
        return list(self._gateway.user_agents)

    @contextmanager
    def connection(self) -> Iterator[Any]:
        """A plain connector connection, for setting up tables."""
        from databricks import sql

        connection = sql.connect(
            server_hostname=self.server_hostname,
            http_path=self.http_path,
            access_token=self.token,
            _port=self.port,
            _tls_trusted_ca_file=str(self.ca_file),
            enable_telemetry=False,
        )
        try:
            yield connection
        finally:
            connection.close()

    def execute(self, *statements: str) -> None:
        """Run set-up statements (CREATE TABLE ...) on the stand-in, in order."""
        with self.connection() as connection, connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def _thrift_server(workdir: Path, port: int, ui_port: int) -> subprocess.Popen[bytes]:
    """HiveThriftServer2 from the pyspark wheel, local[2], HTTP transport on `port`, its UI on `ui_port`."""
    home = _spark_home()
    settings = {
        "spark.hadoop.hive.server2.transport.mode": "http",
        "spark.hadoop.hive.server2.thrift.http.port": str(port),
        "spark.hadoop.hive.server2.thrift.http.path": HTTP_PATH,
        "spark.hadoop.hive.server2.thrift.bind.host": "127.0.0.1",
        # A status request waits at most this long for the statement to finish (HiveServer2's
        # default is 5 s). The connector sends one request at a time per connection, so a
        # cancellation waits for the status request in flight: this bounds that wait.
        "spark.hadoop.hive.server2.long.polling.timeout": "500ms",
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={workdir / 'metastore_db'};create=true"
        ),
        "spark.sql.warehouse.dir": str(workdir / "warehouse"),
        "spark.ui.port": str(ui_port),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": "2",
        "spark.default.parallelism": "2",
        "spark.driver.memory": "768m",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={workdir}",
    }
    command = [
        str(home / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
        "--master",
        "local[2]",
        "--name",
        "databricks-standin",
    ]
    for key, value in settings.items():
        command += ["--conf", f"{key}={value}"]
    command.append("spark-internal")
    environment = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1"}
    log = (workdir / "thriftserver.log").open("wb")
    return subprocess.Popen(
        command, cwd=workdir, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Spark Thrift server exited: {log.read_text()[-2000:]}")
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"the Spark Thrift server did not listen within {START_SECONDS:g} s")


@contextmanager
def databricks_standin(workdir: Path) -> Iterator[StandIn]:
    """Start the Thrift server and the gateway; stop both when the block ends."""
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        raise RuntimeError("the Databricks stand-in needs Java: no `java` on the PATH")
    upstream_port, port, ui_port = free_port(), free_port(), free_port()
    process = _thrift_server(workdir, upstream_port, ui_port)
    gateway: _GatewayServer | None = None
    try:
        _wait_for_port(upstream_port, process, workdir / "thriftserver.log")
        cert_file, key_file = self_signed_certificate(workdir)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        gateway = _GatewayServer(port, upstream_port, TOKEN, context)
        threading.Thread(target=gateway.serve_forever, name="databricks-standin", daemon=True).start()
        yield StandIn(port, cert_file, gateway, workdir, ui_port)
    finally:
        if gateway is not None:
            gateway.shutdown()
            gateway.server_close()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
