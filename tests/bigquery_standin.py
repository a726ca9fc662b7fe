"""A local stand-in for the BigQuery v2 REST API, on 127.0.0.1, executing statements on DuckDB.

No BigQuery emulator can run here, so this is a real HTTP server (stdlib `http.server` in a
thread) that speaks the JSON google-cloud-bigquery sends and reads. The client is pointed at it
with `client_options={"api_endpoint": standin.endpoint}`; credentials are Application Default
Credentials from a service-account key file whose `token_uri` is the stand-in's own `/token`
(`standin.write_adc_file`): google-auth signs a JWT with the key, the stand-in checks its
signature against the key it issued and answers an access token, and every API call must carry
that token. The client's real credential path runs, not a test double.

What it covers, and how:

- **jobs.query** (`POST /projects/{p}/queries`): runs the statement and answers with the first
  page; honours `dryRun` (nothing runs; `totalBytesProcessed` estimated as below),
  `maximumBytesBilled` (a statement that would bill more is refused with BigQuery's
  `bytesBilledLimitExceeded`, before it runs), `timeoutMs` (a statement still running answers
  `jobComplete: false` with its job reference), `jobTimeoutMs` (a job running longer is ended
  with reason `timeout`), `location` (a table whose dataset is elsewhere is `notFound`, as in
  BigQuery) and `labels` (checked against BigQuery's label rules, kept on the job).
- **jobs.getQueryResults** (`GET .../queries/{jobId}`): pages (`maxResults`, `pageToken`,
  `startIndex`; `page_rows` per page when not asked, so the client's paging runs), waits up to
  `timeoutMs` for a running job.
- **jobs.insert / jobs.get / jobs.cancel**: the same jobs as job resources (state, errorResult,
  statistics with bytes processed and billed); a cancelled job ends with reason `stopped`.
- **tables.get**: schema (BigQuery types and modes, RECORD fields, REPEATED), `numRows`,
  `numBytes`, `creationTime`, `lastModifiedTime`, `etag`, `requirePartitionFilter`.
- **Results** as BigQuery encodes them: `schema` and rows of `{"f": [{"v": ...}]}`, every
  scalar a string (INT64 and FLOAT64 too, `NaN`/`Infinity` spelled out), TIMESTAMP as int64
  microseconds (`formatOptions.useInt64Timestamp`, which the client always asks for), BYTES in
  base64, RECORD as nested `f`, ARRAY as a list of `v`.
- **Errors** in BigQuery's shape (`{"error": {"code", "message", "errors": [{"reason"}],
  "status"}}`): `notFound` (table, dataset in another location), `bytesBilledLimitExceeded`,
  `invalidQuery` (syntax, and what BigQuery refuses below), `unauthorized` (HTTP 401) for a
  missing or wrong bearer token, and the OAuth token endpoint's `invalid_grant` for a JWT
  signed by a key it never issued.
- **Bytes**: a column's size is BigQuery's logical size (INT64, FLOAT64, TIMESTAMP, DATE 8 bytes,
  BOOL 1, STRING and BYTES 2 + length, NUMERIC 16; NULL 0; RECORD and ARRAY the sum of their
  parts). A statement processes the sizes of the columns it names in each table it reads (every
  column for `*`; a name in two tables counts in both); it bills that rounded up to whole MiB,
  at least 10 MiB per table read, as on-demand pricing does.
- **What BigQuery refuses that DuckDB would run**, checked on the parsed statement before it
  runs: `AS MATERIALIZED` on a CTE; `PERCENTILE_CONT`/`PERCENTILE_DISC` without `OVER` (they are
  analytic functions only); a STRUCT or ARRAY column grouped, counted DISTINCT, ordered, compared
  or taken MIN/MAX of.
- **Held tables** (`hold(table)`): a statement reading one never finishes by itself, so a
  client's time limit, a cancel or `jobTimeoutMs` is what ends it (no test depends on a timing).

What it does not cover: BigQuery's own SQL semantics. Each statement is parsed in the bigquery
dialect and transpiled to DuckDB by sqlglot, so functions, casts, NULL handling, float
formatting, error messages of failed statements and collation are DuckDB's (with sqlglot's
translation), not BigQuery's; only the refusals listed above are BigQuery's own. Not covered
either: legacy SQL, query parameters, sessions, scripts, DML, destination tables, the Storage
Read API (results come through the REST pages only), streaming inserts, IAM (any valid token
may read anything), quotas, slots, the query cache and partition pruning (`numBytes` is the
whole table whatever the filter). Times are real wall-clock times of this process.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import re
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock_time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

MIB = 1024 * 1024
MIN_BILLED_PER_TABLE = 10 * MIB
DEFAULT_WAIT_MS = 10_000
"""How long jobs.query and getQueryResults wait for a running job when `timeoutMs` is not given."""
SERVICE_ACCOUNT = "dq-checks@dq-test.iam.gserviceaccount.com"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LABEL = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
_ids = itertools.count(1)


class StandInError(Exception):
    """A refusal, answered in BigQuery's error shape."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message

    def body(self) -> dict[str, Any]:
        status = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND"}
        return {
            "error": {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
                "status": status.get(self.code, "UNKNOWN"),
            }
        }

    def error_result(self) -> dict[str, str]:
        return {"reason": self.reason, "message": self.message}


@dataclass
class StoredTable:
    """A table the stand-in holds: where it lives, its BigQuery schema and its bytes per column."""

    project: str
    dataset: str
    name: str
    fields: list[dict[str, Any]]
    column_bytes: dict[str, int]
    num_rows: int
    modified_ms: int
    require_partition_filter: bool = False

    @property
    def num_bytes(self) -> int:
        return sum(self.column_bytes.values())


@dataclass
class Job:
    """A query job: its request, its state, and its result once done."""

    project: str
    job_id: str
    location: str
    query: str
    configuration: dict[str, Any]
    created_ms: int
    job_timeout_ms: int | None = None
    held: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    error: StandInError | None = None
    fields: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    bytes_processed: int = 0
    bytes_billed: int = 0
    ended_ms: int | None = None
    cancelled: bool = False

    def finish(self, error: StandInError | None = None) -> None:
        self.error = error
        self.ended_ms = _now_ms()
        self.done.set()

    def check_deadline(self) -> None:
        """A job past its `jobTimeoutMs` ends, as BigQuery ends it."""
        if self.done.is_set() or self.job_timeout_ms is None:
            return
        if _now_ms() - self.created_ms >= self.job_timeout_ms:
            self.finish(
                StandInError(
                    400,
                    "timeout",
                    f"Job execution was cancelled: Job timed out after {self.job_timeout_ms} ms",
                )
            )

    def reference(self) -> dict[str, str]:
        return {"projectId": self.project, "jobId": self.job_id, "location": self.location}

    def resource(self) -> dict[str, Any]:
        status: dict[str, Any] = {"state": "DONE" if self.done.is_set() else "RUNNING"}
        if self.error is not None:
            status["errorResult"] = self.error.error_result()
            status["errors"] = [self.error.error_result()]
        statistics: dict[str, Any] = {
            "creationTime": str(self.created_ms),
            "startTime": str(self.created_ms),
            "totalBytesProcessed": str(self.bytes_processed),
            "query": {
                "totalBytesProcessed": str(self.bytes_processed),
                "totalBytesBilled": str(self.bytes_billed),
                "statementType": "SELECT",
                "cacheHit": False,
            },
        }
        if self.ended_ms is not None:
            statistics["endTime"] = str(self.ended_ms)
        return {
            "kind": "bigquery#job",
            "id": f"{self.project}:{self.location}.{self.job_id}",
            "jobReference": self.reference(),
            "configuration": self.configuration,
            "status": status,
            "statistics": statistics,
            "user_email": "dq-tests@stand-in",
        }


class BigQueryStandIn:
    """The server and its data: tables in DuckDB, jobs, and every request it was sent."""

    def __init__(
        self,
        *,
        project: str = "dq-test",
        location: str = "US",
        access_token: str = "access-good",
        page_rows: int = 50,
        default_wait_ms: int = DEFAULT_WAIT_MS,
    ) -> None:
        self.project = project
        self.location = location
        self._key = _private_key()
        self.access_token = access_token
        self.page_rows = page_rows
        self.default_wait_ms = default_wait_ms
        """BigQuery's own is 10 s; a test may shorten it so a held statement's poll returns sooner."""
        self.issued_token: str | None = None
        """When set, the token endpoint hands out this token instead, which the API then refuses."""
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.jobs: dict[str, Job] = {}
        self.cancelled: list[str] = []
        self.held: set[str] = set()
        self.tables: dict[tuple[str, str, str], StoredTable] = {}
        self.dataset_locations: dict[tuple[str, str], str] = {}
        self._duckdb = duckdb.connect()
        self._duckdb.execute("SET TimeZone = 'UTC'")
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----- set-up ---------------------------------------------------------------------------

    @property
    def endpoint(self) -> str:
        assert self._server is not None, "start() first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def write_adc_file(self, path: Path, *, known_key: bool = True) -> Path:
        """A service-account key file signing for this server's `/token` (`known_key=False`: a stranger's)."""
        key = self._key if known_key else _private_key()
        info = {
            "type": "service_account",
            "project_id": self.project,
            "private_key_id": "standin-key",
            "private_key": _pem(key),
            "client_email": SERVICE_ACCOUNT,
            "client_id": "1",
            "token_uri": f"{self.endpoint}/token",
        }
        path.write_text(json.dumps(info))
        return path

    def create_table(
        self,
        dataset: str,
        name: str,
        data: pa.Table,
        *,
        project: str | None = None,
        location: str | None = None,
        require_partition_filter: bool = False,
    ) -> StoredTable:
        """Store `data` as `project.dataset.name`; in a dataset in `location` (default: the stand-in's)."""
        project = project or self.project
        with self._lock:
            self.dataset_locations.setdefault((project, dataset), location or self.location)
            attached = {
                row[0]
                for row in self._duckdb.execute("SELECT database_name FROM duckdb_databases()").fetchall()
            }
            if project not in attached:
                self._duckdb.execute(f"ATTACH ':memory:' AS {_quoted(project)}")
            self._duckdb.execute(f"CREATE SCHEMA IF NOT EXISTS {_quoted(project)}.{_quoted(dataset)}")
            self._duckdb.register("dq_standin_load", data)
            target = f"{_quoted(project)}.{_quoted(dataset)}.{_quoted(name)}"
            self._duckdb.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM dq_standin_load")
            self._duckdb.unregister("dq_standin_load")
        fields = [_field(f) for f in data.schema]
        sizes = {
            f["name"].lower(): sum(_value_bytes(v, f) for v in data.column(i).to_pylist())
            for i, f in enumerate(fields)
        }
        stored = StoredTable(
            project, dataset, name, fields, sizes, data.num_rows, _now_ms(), require_partition_filter
        )
        self.tables[(project, dataset.lower(), name.lower())] = stored
        return stored

    def hold(self, name: str) -> None:
        """Statements reading table `name` (any dataset) stay running until cancelled or timed out."""
        self.held.add(name.lower())

    # ----- server ---------------------------------------------------------------------------

    def start(self) -> BigQueryStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        for job in self.jobs.values():
            job.done.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._duckdb.close()

    def __enter__(self) -> BigQueryStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urllib.parse.urlsplit(handler.path)
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        if url.path == "/token":
            status, body = self._token(urllib.parse.parse_qs(raw.decode()))
        else:
            payload = json.loads(raw) if raw else {}
            self.requests.append((method, url.path, payload))
            try:
                self._authorize(handler.headers.get("Authorization"))
                status, body = 200, self._route(method, url.path, params, payload)
            except StandInError as error:
                status, body = error.code, error.body()
            except Exception as error:  # a stand-in bug: answered, never retried forever
                failed = StandInError(400, "invalid", f"stand-in failure: {error!r}")
                status, body = failed.code, failed.body()
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=UTF-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _token(self, form: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """The OAuth token endpoint a service account's signed JWT is exchanged at, as Google's is."""
        from google.auth import jwt

        if form.get("grant_type") != [JWT_GRANT] or not form.get("assertion"):
            return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type."}
        try:
            claims = jwt.decode(form["assertion"][0], certs=_public_pem(self._key), verify=True)
        except ValueError:
            return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
        if claims.get("iss") != SERVICE_ACCOUNT:
            return 400, {"error": "invalid_grant", "error_description": "Invalid grant: account not found"}
        token = self.issued_token or self.access_token
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    def _authorize(self, header: str | None) -> None:
        if header != f"Bearer {self.access_token}":
            raise StandInError(
                401,
                "unauthorized",
                "Request is missing required authentication credential. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
            )

    def _route(self, method: str, path: str, params: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        parts = path.strip("/").split("/")
        if parts[:3] != ["bigquery", "v2", "projects"] or len(parts) < 5:
            raise StandInError(404, "notFound", f"Not found: URL {path}")
        project, rest = parts[3], parts[4:]
        if method == "POST" and rest == ["queries"]:
            return self._jobs_query(project, body)
        if method == "GET" and len(rest) == 2 and rest[0] == "queries":
            return self._get_query_results(project, rest[1], params)
        if method == "POST" and rest == ["jobs"]:
            return self._jobs_insert(project, body)
        if method == "GET" and len(rest) == 2 and rest[0] == "jobs":
            return self._job(project, rest[1]).resource()
        if method == "POST" and len(rest) == 3 and rest[0] == "jobs" and rest[2] == "cancel":
            return self._cancel(project, rest[1])
        if method == "GET" and len(rest) == 4 and rest[0] == "datasets" and rest[2] == "tables":
            return self._tables_get(project, rest[1], rest[3])
        raise StandInError(404, "notFound", f"Not found: URL {path}")

    # ----- API methods ----------------------------------------------------------------------

    def _jobs_query(self, project: str, body: dict[str, Any]) -> dict[str, Any]:
        configuration = {
            "jobType": "QUERY",
            "query": {
                k: v for k, v in body.items() if k not in ("labels", "dryRun", "jobTimeoutMs", "location")
            },
            "labels": body.get("labels", {}),
        }
        if body.get("dryRun"):
            configuration["dryRun"] = True
        job = self._submit(
            project,
            body.get("query", ""),
            location=body.get("location"),
            configuration=configuration,
            dry_run=bool(body.get("dryRun")),
            maximum_bytes_billed=body.get("maximumBytesBilled"),
            job_timeout_ms=body.get("jobTimeoutMs"),
            labels=body.get("labels") or {},
            job_id=None,
        )
        if job.error is not None:
            raise job.error
        if body.get("dryRun"):
            return {
                "kind": "bigquery#queryResponse",
                "jobReference": {"projectId": project, "location": job.location},
                "schema": {"fields": job.fields},
                "totalBytesProcessed": str(job.bytes_processed),
                "jobComplete": True,
                "cacheHit": False,
            }
        self._wait(job, body.get("timeoutMs"))
        return self._results(job, {"maxResults": body.get("maxResults")}, body.get("formatOptions") or {})

    def _get_query_results(self, project: str, job_id: str, params: dict[str, str]) -> dict[str, Any]:
        job = self._job(project, job_id)
        self._wait(job, params.get("timeoutMs"))
        if job.done.is_set() and job.error is not None:
            raise job.error
        use_int64 = params.get("formatOptions.useInt64Timestamp", "false").lower() == "true"
        response = self._results(job, params, {"useInt64Timestamp": use_int64})
        response["kind"] = "bigquery#getQueryResultsResponse"
        return response

    def _jobs_insert(self, project: str, body: dict[str, Any]) -> dict[str, Any]:
        configuration = body.get("configuration") or {}
        query = configuration.get("query") or {}
        reference = body.get("jobReference") or {}
        job = self._submit(
            project,
            query.get("query", ""),
            location=reference.get("location"),
            configuration=configuration,
            dry_run=bool(configuration.get("dryRun")),
            maximum_bytes_billed=query.get("maximumBytesBilled"),
            job_timeout_ms=configuration.get("jobTimeoutMs"),
            labels=configuration.get("labels") or {},
            job_id=reference.get("jobId"),
        )
        return job.resource()

    def _cancel(self, project: str, job_id: str) -> dict[str, Any]:
        job = self._job(project, job_id)
        if not job.done.is_set():
            job.cancelled = True
            self.cancelled.append(job_id)
            job.finish(
                StandInError(400, "stopped", "Job execution was cancelled: User requested cancellation")
            )
        return {"kind": "bigquery#jobCancelResponse", "job": job.resource()}

    def _tables_get(self, project: str, dataset: str, name: str) -> dict[str, Any]:
        table = self._table(project, dataset, name)
        reference = {"projectId": table.project, "datasetId": table.dataset, "tableId": table.name}
        return {
            "kind": "bigquery#table",
            "etag": f"etag-{table.modified_ms}-{table.num_rows}",
            "id": f"{table.project}:{table.dataset}.{table.name}",
            "tableReference": reference,
            "schema": {"fields": table.fields},
            "numRows": str(table.num_rows),
            "numBytes": str(table.num_bytes),
            "creationTime": str(table.modified_ms),
            "lastModifiedTime": str(table.modified_ms),
            "type": "TABLE",
            "location": self.dataset_locations[(table.project, table.dataset)],
            "requirePartitionFilter": table.require_partition_filter,
        }

    # ----- jobs -----------------------------------------------------------------------------

    def _submit(
        self,
        project: str,
        query: str,
        *,
        location: str | None,
        configuration: dict[str, Any],
        dry_run: bool,
        maximum_bytes_billed: str | int | None,
        job_timeout_ms: str | int | None,
        labels: dict[str, str],
        job_id: str | None,
    ) -> Job:
        job = Job(
            project=project,
            job_id=job_id or f"standin_job_{next(_ids)}",
            location=location or self.location,
            query=query,
            configuration=configuration,
            created_ms=_now_ms(),
            job_timeout_ms=int(job_timeout_ms) if job_timeout_ms is not None else None,
        )
        if not dry_run:
            self.jobs[job.job_id] = job
        try:
            _check_labels(labels)
            tree, tables = self._parse(query, project, job.location)
            job.bytes_processed = _processed_bytes(tree, tables)
            job.bytes_billed = _billed_bytes(job.bytes_processed, len(tables))
            if dry_run:
                job.fields = self._execute(tree, limit=0)[0]
                job.done.set()
                return job
            if maximum_bytes_billed is not None and job.bytes_billed > int(maximum_bytes_billed):
                raise StandInError(
                    400,
                    "bytesBilledLimitExceeded",
                    f"Query exceeded limit for bytes billed: {int(maximum_bytes_billed)}. "
                    f"{job.bytes_billed} or higher required.",
                )
            if any(t.name.lower() in self.held for t in tables):
                job.held = True
                return job
            job.fields, job.rows = self._execute(tree)
            job.finish()
        except StandInError as error:
            job.bytes_billed = 0
            job.finish(error)
        return job

    def _job(self, project: str, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None or job.project != project:
            raise StandInError(404, "notFound", f"Not found: Job {project}:{job_id}")
        job.check_deadline()
        return job

    def _wait(self, job: Job, timeout_ms: str | int | None) -> None:
        wait = int(timeout_ms) if timeout_ms is not None else self.default_wait_ms
        if job.job_timeout_ms is not None and not job.done.is_set():
            wait = min(wait, max(0, job.created_ms + job.job_timeout_ms - _now_ms()))
        job.done.wait(wait / 1000)
        job.check_deadline()

    def _results(self, job: Job, params: dict[str, Any], format_options: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = {
            "kind": "bigquery#queryResponse",
            "jobReference": job.reference(),
            "jobComplete": job.done.is_set(),
        }
        if not job.done.is_set():
            return response
        start = int(params.get("pageToken") or params.get("startIndex") or 0)
        size = int(params.get("maxResults") or self.page_rows)
        page = job.rows[start : start + size]
        use_int64 = bool(format_options.get("useInt64Timestamp"))
        response.update(
            {
                "schema": {"fields": job.fields},
                "totalRows": str(len(job.rows)),
                "rows": [_encode_row(row, job.fields, use_int64) for row in page],
                "totalBytesProcessed": str(job.bytes_processed),
                "cacheHit": False,
                "queryId": job.job_id,
            }
        )
        if start + size < len(job.rows):
            response["pageToken"] = str(start + size)
        return response

    # ----- statements -----------------------------------------------------------------------

    def _table(self, project: str, dataset: str, name: str, location: str | None = None) -> StoredTable:
        table = self.tables.get((project, dataset.lower(), name.lower()))
        where = self.dataset_locations.get((project, dataset))
        if table is None or (location is not None and where is not None and where != location):
            suffix = f" in location {location}" if location else ""
            raise StandInError(
                404, "notFound", f"Not found: Table {project}:{dataset}.{name} was not found{suffix}"
            )
        return table

    def _parse(self, query: str, project: str, location: str) -> tuple[exp.Expression, list[StoredTable]]:
        try:
            statements = [s for s in sqlglot.parse(query, read="bigquery") if s is not None]
        except sqlglot.errors.ParseError as error:
            raise StandInError(400, "invalidQuery", f"Syntax error: {str(error).splitlines()[0]}") from None
        if len(statements) != 1:
            raise StandInError(400, "invalidQuery", "Syntax error: expected exactly one statement")
        tree = statements[0]
        ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
        tables: list[StoredTable] = []
        for node in tree.find_all(exp.Table):
            if not node.db and node.name.lower() in ctes:
                continue
            if not node.db:
                raise StandInError(
                    400,
                    "invalid",
                    f'Table "{node.name}" must be qualified with a dataset (e.g. dataset.table).',
                )
            found = self._table(node.catalog or project, node.db, node.name, location)
            if found not in tables:
                tables.append(found)
            node.set("catalog", exp.to_identifier(found.project, quoted=True))
        _refuse_what_bigquery_refuses(tree, tables)
        return tree, tables

    def _execute(
        self, tree: exp.Expression, limit: int | None = None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        try:
            sql = tree.sql(dialect="duckdb")
        except sqlglot.errors.SqlglotError as error:
            raise StandInError(400, "invalidQuery", str(error).splitlines()[0]) from None
        if limit is not None:
            sql = f"SELECT * FROM ({sql}) LIMIT {limit}"
        with self._lock:
            try:
                result = self._duckdb.cursor().sql(sql).to_arrow_table()
            except duckdb.Error as error:
                raise StandInError(400, "invalidQuery", str(error).splitlines()[0]) from None
        fields = [_field(f, result_column=True) for f in result.schema]
        names = [f["name"] for f in fields]
        rows = [
            dict(zip(names, values, strict=True))
            for values in zip(*(c.to_pylist() for c in result.columns), strict=True)
        ]
        return fields, rows


# ----- BigQuery's refusals ------------------------------------------------------------------


def _refuse_what_bigquery_refuses(tree: exp.Expression, tables: list[StoredTable]) -> None:
    for cte in tree.find_all(exp.CTE):
        if cte.args.get("materialized") is not None:
            raise StandInError(400, "invalidQuery", 'Syntax error: Expected "(" but got keyword MATERIALIZED')
    for node in tree.find_all(exp.PercentileCont, exp.PercentileDisc):
        if not isinstance(node.parent, exp.Window):
            name = "PERCENTILE_CONT" if isinstance(node, exp.PercentileCont) else "PERCENTILE_DISC"
            raise StandInError(
                400, "invalidQuery", f"Analytic function {name} cannot be called without an OVER clause"
            )
    nested = {}
    for table in tables:
        for f in table.fields:
            if f["type"] == "RECORD" or f.get("mode") == "REPEATED":
                nested[f["name"].lower()] = "ARRAY" if f.get("mode") == "REPEATED" else "STRUCT"
    if not nested:
        return
    for column in tree.find_all(exp.Column):
        kind = nested.get(column.name.lower())
        refused = _refused_use(column) if kind is not None else None
        if refused is not None:
            raise StandInError(400, "invalidQuery", refused.format(kind=kind))


REFUSED_USES: tuple[tuple[type[exp.Expression], str], ...] = (
    (exp.Group, "Grouping by expressions of type {kind} is not allowed"),
    (exp.Distinct, "Aggregate functions with DISTINCT cannot be used with arguments of type {kind}"),
    (exp.Ordered, "ORDER BY does not support expressions of type {kind}"),
    (exp.Min, "MIN and MAX are not defined for arguments of type {kind}"),
    (exp.Max, "MIN and MAX are not defined for arguments of type {kind}"),
    (exp.Predicate, "Equality is not defined for arguments of type {kind}"),
)


def _refused_use(column: exp.Column) -> str | None:
    """What BigQuery says of this use of `column` (a STRUCT or ARRAY), if it refuses it."""
    child: exp.Expression = column
    for parent in _ancestors(column):
        if isinstance(parent, exp.Select):
            if parent.args.get("distinct") is not None and child in parent.expressions:
                return "SELECT DISTINCT cannot be used on expressions of type {kind}"
            return None
        if isinstance(parent, exp.Window) and child in (parent.args.get("partition_by") or []):
            return "Partitioning by expressions of type {kind} is not allowed"
        if isinstance(parent, exp.Is):
            return None
        for kind, message in REFUSED_USES:
            if isinstance(parent, kind):
                return message
        child = parent
    return None


def _ancestors(node: exp.Expression) -> Iterator[exp.Expression]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


# ----- types, sizes and encodings ------------------------------------------------------------


def _field(arrow_field: pa.Field, *, result_column: bool = False) -> dict[str, Any]:
    """The BigQuery schema field for an Arrow field (a table's column, or a result's)."""
    kind = arrow_field.type
    mode = "NULLABLE"
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        mode, kind = "REPEATED", kind.value_type
    described: dict[str, Any] = {"name": arrow_field.name, "type": _type_name(kind), "mode": mode}
    if pa.types.is_struct(kind):
        described["fields"] = [_field(kind.field(i)) for i in range(kind.num_fields)]
    return described


def _type_name(kind: pa.DataType) -> str:
    if pa.types.is_boolean(kind):
        return "BOOLEAN"
    if pa.types.is_integer(kind):
        return "INTEGER"
    if pa.types.is_floating(kind):
        return "FLOAT"
    if pa.types.is_decimal(kind):
        return "INTEGER" if kind.scale == 0 else ("NUMERIC" if kind.precision <= 38 else "BIGNUMERIC")
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind):
        return "STRING"
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return "BYTES"
    if pa.types.is_timestamp(kind):
        return "TIMESTAMP" if kind.tz is not None else "DATETIME"
    if pa.types.is_date(kind):
        return "DATE"
    if pa.types.is_time(kind):
        return "TIME"
    if pa.types.is_struct(kind):
        return "RECORD"
    raise ValueError(f"the stand-in has no BigQuery type for {kind}")


def _value_bytes(value: Any, described: dict[str, Any]) -> int:
    if value is None:
        return 0
    if described.get("mode") == "REPEATED":
        element = {**described, "mode": "NULLABLE"}
        return sum(_value_bytes(v, element) for v in value)
    kind = described["type"]
    if kind == "RECORD":
        return sum(_value_bytes(value.get(f["name"]), f) for f in described["fields"])
    if kind == "STRING":
        return 2 + len(str(value).encode())
    if kind == "BYTES":
        return 2 + len(value)
    if kind == "BOOLEAN":
        return 1
    if kind in ("NUMERIC",):
        return 16
    if kind == "BIGNUMERIC":
        return 32
    return 8


def _processed_bytes(tree: exp.Expression, tables: list[StoredTable]) -> int:
    """The bytes of the columns the statement names, in each table it reads (all of them for `*`)."""
    names = {c.name.lower() for c in tree.find_all(exp.Column)}
    star = any(isinstance(s.parent, exp.Select) for s in tree.find_all(exp.Star))
    return sum(
        size for table in tables for column, size in table.column_bytes.items() if star or column in names
    )


def _billed_bytes(processed: int, table_count: int) -> int:
    """On-demand billing: whole MiB, at least 10 MiB per table read."""
    return max(math.ceil(processed / MIB) * MIB, MIN_BILLED_PER_TABLE * table_count)


def _check_labels(labels: dict[str, str]) -> None:
    for key, value in labels.items():
        if not LABEL.match(key) or not LABEL_VALUE.match(str(value)):
            raise StandInError(400, "invalid", f"Label key or value is invalid: {key}={value}")


def _encode_row(row: dict[str, Any], fields: list[dict[str, Any]], use_int64: bool) -> dict[str, Any]:
    return {"f": [{"v": _encode(row.get(f["name"]), f, use_int64)} for f in fields]}


def _encode(value: Any, described: dict[str, Any], use_int64: bool) -> Any:
    if value is None:
        return None
    if described.get("mode") == "REPEATED":
        element = {**described, "mode": "NULLABLE"}
        return [{"v": _encode(v, element, use_int64)} for v in value]
    kind = described["type"]
    if kind == "RECORD":
        return _encode_row(value, described["fields"], use_int64)
    if kind == "BOOLEAN":
        return "true" if value else "false"
    if kind == "FLOAT":
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(float(value))
    if kind == "INTEGER":
        return str(int(value))
    if kind in ("NUMERIC", "BIGNUMERIC"):
        return str(Decimal(value))
    if kind == "BYTES":
        return base64.standard_b64encode(value).decode()
    if kind == "TIMESTAMP":
        assert isinstance(value, datetime)
        micros = round((value - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() * 1_000_000)
        return str(micros) if use_int64 else f"{micros / 1e6:.6E}"
    if isinstance(value, datetime | date | clock_time):
        return value.isoformat()
    return str(value)


def _private_key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _public_pem(key: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _now_ms() -> int:
    return int(time.time() * 1000)
