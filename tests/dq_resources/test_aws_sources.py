"""The Athena and Redshift sources against moto in server mode: every call goes over HTTP to 127.0.0.1.

moto does not execute SQL, so each query is answered the way the real service would answer
it, with rows computed by DuckDB over the same data:

* Athena: moto returns, in order, the results queued through `/moto-api/static/athena/query-results`.
  A small adapter runs each plan query on DuckDB first, queues those rows (as Athena prints
  them: text cells, a header row, column types) and then lets the Athena runner fetch.
* Redshift: moto 5's redshift-data has no such queue (its statements stay STARTED, its
  `get_statement_result` always returns the same three fixed rows, and `describe_table` is
  missing), so `RedshiftDataFake` completes it inside the in-process server: the SQL a
  statement carries is parsed as Redshift SQL, transpiled to DuckDB and run on the same rows,
  and the result is served as typed fields, a page at a time.

Either way the profile computed through the warehouse runner must equal the local engine's,
and every statement that left must parse in the warehouse's dialect and be an aggregate or a
bounded sample.
"""

from __future__ import annotations

import json
import logging
import math
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
import pyarrow as pa
import pytest
import requests
import sqlglot
from sqlglot import exp

from dq_checks.config.models import AnomalySettings
from dq_checks.config.sources import AthenaSourceSpec, RedshiftSourceSpec
from dq_checks.profile.profiler import Measured, profile_and_measure
from dq_checks.schema import ColumnKind
from dq_resources.aws import (
    AthenaRunner,
    AthenaSourceResource,
    RedshiftSourceResource,
)
from dq_resources.aws.athena import result_from_pages
from dq_resources.aws.common import StatementTimedOut, wait_for_statement
from dq_resources.aws.redshift import split_for_redshift
from dq_resources.aws.types import athena_value, column_kind, is_floating, redshift_value
from dq_resources.engines import LocalDuckDB, LocalScanSettings
from dq_resources.source_contract import ReferenceRequest, SourceError
from tests.conftest import AWS_TEST_REGION
from tests.silent_server import SilentServer

ACCOUNT_ID = "123456789012"  # moto's default account
SECRET_ARN = f"arn:aws:secretsmanager:{AWS_TEST_REGION}:{ACCOUNT_ID}:secret:dq-reader-AbCdEf"
POLL = 0.01

# -- the data: planted defects in every kind of column ------------------------------------------

N = 40
START = datetime(2026, 3, 1, 8, 0)
AMOUNTS: list[float | None] = [float(i % 7) * 1.5 for i in range(N)]
AMOUNTS[3] = None
AMOUNTS[5] = math.nan  # NaN, counted apart
AMOUNTS[8] = math.inf
AMOUNTS[13] = -2.5  # a negative amount
AMOUNTS[21] = 10_000.0  # the outlier
STATUSES: list[str | None] = [["paid", "shipped", "paid", "refunded"][i % 4] for i in range(N)]
STATUSES[2] = None
STATUSES[7] = ""  # an empty string, a value of its own
STATUSES[11] = "PAID"  # the wrong case
DATA = pa.table(
    {
        "id": pa.array([*range(1, N), 7], pa.int64()),  # a duplicate id
        "amount": pa.array(AMOUNTS, pa.float64()),
        "price": pa.array([Decimal(f"{(i % 9) + 0.25:.2f}") for i in range(N)], pa.decimal128(10, 2)),
        "status": pa.array(STATUSES, pa.string()),
        "ok": pa.array([None if i % 10 == 0 else i % 3 != 0 for i in range(N)], pa.bool_()),
        "created_at": pa.array(
            [None if i == 17 else START + timedelta(hours=7 * i, seconds=i) for i in range(N)],
            pa.timestamp("us"),
        ),
        "day": pa.array([date(2026, 3, 1) + timedelta(days=i // 10) for i in range(N)], pa.date32()),
    }
)
GLUE_COLUMNS = [
    {"Name": "id", "Type": "bigint"},
    {"Name": "amount", "Type": "double"},
    {"Name": "price", "Type": "decimal(10,2)"},
    {"Name": "status", "Type": "string"},
    {"Name": "ok", "Type": "boolean"},
    {"Name": "created_at", "Type": "timestamp"},
]
GLUE_PARTITION_KEYS = [{"Name": "day", "Type": "date"}]
REDSHIFT_COLUMNS = [
    {"name": "id", "typeName": "int8", "nullable": 0},
    {"name": "amount", "typeName": "float8", "nullable": 1},
    {"name": "price", "typeName": "numeric", "nullable": 1, "precision": 10, "scale": 2},
    {"name": "status", "typeName": "varchar", "nullable": 1, "length": 256},
    {"name": "ok", "typeName": "bool", "nullable": 1},
    {"name": "created_at", "typeName": "timestamp", "nullable": 1},
    {"name": "day", "typeName": "date", "nullable": 1},
]
EXPECTED_KINDS = [
    ("id", ColumnKind.NUMERIC),
    ("amount", ColumnKind.NUMERIC),
    ("price", ColumnKind.NUMERIC),
    ("status", ColumnKind.STRING),
    ("ok", ColumnKind.BOOLEAN),
    ("created_at", ColumnKind.TEMPORAL),
    ("day", ColumnKind.TEMPORAL),
]


def local_profile(columns: Any, row_count_hint: int | None) -> Measured:
    """The reference: the local engine over the same rows, one query at a time (its plan's query count)."""
    with LocalDuckDB(LocalScanSettings(threads=1)) as local:
        local.load(DATA.to_reader())
        return profile_and_measure(local, columns, AnomalySettings(), row_count_hint=row_count_hint)


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


# -- what left the source ------------------------------------------------------------------------


@pytest.fixture
def sql_log(caplog: pytest.LogCaptureFixture) -> Callable[[str], list[str]]:
    """The statements logged on `dq.sql` for one dialect, without the `<dialect>: ` prefix."""
    caplog.set_level(logging.INFO, logger="dq.sql")

    def sent(dialect: str) -> list[str]:
        prefix = f"{dialect}: "
        return [
            r.getMessage()[len(prefix) :]
            for r in caplog.records
            if r.name == "dq.sql" and r.getMessage().startswith(prefix)
        ]

    return sent


def aggregate_or_bounded(sql: str, dialect: str) -> bool:
    """Parses in `dialect`, and either every projection aggregates or the result has a LIMIT."""
    tree = sqlglot.parse_one(sql, read=dialect)
    assert isinstance(tree, exp.Query), sql
    if tree.args.get("limit") is not None:
        return True
    return isinstance(tree, exp.Select) and all(p.find(exp.AggFunc) is not None for p in tree.expressions)


def assert_sent_only_aggregates(statements: list[str], dialect: str) -> None:
    assert statements
    for sql in statements:
        assert aggregate_or_bounded(sql, dialect), sql
        assert "MATERIALIZED" not in sql.upper(), sql
    assert not [s for s in statements if s.upper().startswith("SELECT *") and " LIMIT " not in s.upper()]


# -- AWS on moto ---------------------------------------------------------------------------------


@dataclass
class Aws:
    url: str

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=AWS_TEST_REGION, endpoint_url=self.url)

    def moto_api(self, path: str, body: Any) -> None:
        data = body if isinstance(body, str) else json.dumps(body)
        response = requests.post(f"{self.url}/moto-api/{path}", data=data, timeout=10)
        assert response.status_code in (200, 201), response.text


@pytest.fixture
def aws(moto_url: str, aws_env: None) -> Aws:
    return Aws(moto_url)


@pytest.fixture
def athena_source(aws: Aws) -> AthenaSourceResource:
    return AthenaSourceResource(region_name=AWS_TEST_REGION, endpoint_url=aws.url, poll_seconds=POLL)


@pytest.fixture
def redshift_source(aws: Aws) -> RedshiftSourceResource:
    return RedshiftSourceResource(region_name=AWS_TEST_REGION, endpoint_url=aws.url, poll_seconds=POLL)


@pytest.fixture
def glue_table(aws: Aws) -> AthenaSourceSpec:
    """A Glue database and table, a results bucket and an Athena workgroup writing to it."""
    database, table, bucket, workgroup = unique("shop"), "orders", unique("results"), unique("wg")
    aws.client("s3").create_bucket(
        Bucket=bucket.replace("_", "-"), CreateBucketConfiguration={"LocationConstraint": AWS_TEST_REGION}
    )
    output = f"s3://{bucket.replace('_', '-')}/athena/"
    aws.client("athena").create_work_group(
        Name=workgroup, Configuration={"ResultConfiguration": {"OutputLocation": output}}
    )
    glue = aws.client("glue")
    glue.create_database(DatabaseInput={"Name": database})
    table_input = {
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "StorageDescriptor": {"Columns": GLUE_COLUMNS, "Location": f"s3://lake/{database}/{table}/"},
        "PartitionKeys": GLUE_PARTITION_KEYS,
        "Parameters": {"classification": "parquet"},
    }
    glue.create_table(DatabaseName=database, TableInput=table_input)
    # A crawler run: the row count lands in the parameters, and Glue stamps UpdateTime.
    glue.update_table(
        DatabaseName=database,
        TableInput={**table_input, "Parameters": {"classification": "parquet", "recordCount": str(N)}},
    )
    return AthenaSourceSpec(
        type="athena",
        database=database,
        table=table,
        workgroup=workgroup,
        output_location=output,
        region=AWS_TEST_REGION,
    )


# -- Athena results, printed the way Athena prints them ------------------------------------------


def athena_type(values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    for kind, name in (
        (bool, "boolean"),
        (int, "bigint"),
        (float, "double"),
        (Decimal, "decimal"),
        (datetime, "timestamp"),
        (date, "date"),
        (list, "array"),
    ):
        if isinstance(sample, kind):
            return name
    return "varchar"


def athena_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    if isinstance(value, list):
        return "[" + ", ".join(athena_text(v) or "null" for v in value) + "]"
    return str(value)


def athena_result(rows: list[tuple[Any, ...]], names: list[str] | None = None) -> dict[str, Any]:
    """One queued result: the header row, then the rows, with ColumnInfo types."""
    width = len(rows[0]) if rows else len(names or [])
    names = names or [f"_col{i}" for i in range(width)]
    types = [athena_type([row[i] for row in rows]) for i in range(width)]

    def cells(values: list[str | None]) -> dict[str, Any]:
        return {"Data": [{} if v is None else {"VarCharValue": v} for v in values]}

    return {
        "rows": [cells(list(names)), *(cells([athena_text(v) for v in row]) for row in rows)],
        "column_info": [
            {"Name": name, "Label": name, "Type": kind, "Nullable": "UNKNOWN", "CaseSensitive": False}
            for name, kind in zip(names, types, strict=True)
        ],
    }


def queue_athena_results(aws: Aws, *results: dict[str, Any]) -> None:
    aws.moto_api(
        "static/athena/query-results",
        {"account_id": ACCOUNT_ID, "region": AWS_TEST_REGION, "results": list(results)},
    )


@dataclass
class AthenaMirror:
    """A QueryRunner that answers each query on DuckDB, queues that answer in moto, then asks Athena."""

    athena: AthenaRunner
    local: LocalDuckDB
    aws: Aws
    answered: list[list[tuple[Any, ...]]] = field(default_factory=list)

    @property
    def dialect(self) -> str:
        return self.athena.dialect

    @property
    def relation(self) -> exp.Table:
        return self.athena.relation

    @property
    def heavy_apart(self) -> bool:
        return self.athena.heavy_apart

    def heavy_metrics_per_query(self, row_count: int) -> int:
        return self.athena.heavy_metrics_per_query(row_count)

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        here = query.transform(
            lambda node: self.local.relation.copy() if node == self.athena.relation else node
        )
        rows = self.local.fetch_rows(here)
        self.answered.append(rows)
        queue_athena_results(self.aws, athena_result(rows))
        return self.athena.fetch_rows(query)


# -- Athena --------------------------------------------------------------------------------------


def test_athena_describe_reads_glue(
    athena_source: AthenaSourceResource, glue_table: AthenaSourceSpec
) -> None:
    before = datetime.now(tz=UTC) - timedelta(minutes=5)
    description = athena_source.open(glue_table).describe()

    assert [(c.name, c.kind) for c in description.columns] == EXPECTED_KINDS
    assert [c.data_type for c in description.columns] == [
        *(c["Type"] for c in GLUE_COLUMNS),
        "date",
    ]
    assert [c.floating for c in description.columns] == [False, True, False, False, False, False, False]
    assert description.row_count == N  # the crawler's recordCount
    assert description.last_updated is not None
    assert description.last_updated.tzinfo is not None
    assert before <= description.last_updated <= datetime.now(tz=UTC) + timedelta(minutes=5)
    assert description.data_version == description.last_updated.isoformat()
    assert description.extra["workgroup"] == glue_table.workgroup


def test_athena_test_connection_is_the_summary_line(
    athena_source: AthenaSourceResource, glue_table: AthenaSourceSpec
) -> None:
    summary = athena_source.test_connection(glue_table)
    assert re.fullmatch(rf"{N} rows, 7 columns, last updated \d{{4}}-\d\d-\d\d \d\d:\d\d UTC", summary)


def test_athena_profile_equals_the_local_profile(
    aws: Aws,
    athena_source: AthenaSourceResource,
    glue_table: AthenaSourceSpec,
    sql_log: Callable[[str], list[str]],
) -> None:
    opened = athena_source.open(glue_table)
    description = opened.describe()
    expected = local_profile(description.columns, description.row_count)

    with LocalDuckDB(LocalScanSettings()) as local, opened.query_runner() as runner:
        local.load(DATA.to_reader())
        mirror = AthenaMirror(runner, local, aws)
        measured = profile_and_measure(
            mirror, description.columns, AnomalySettings(), row_count_hint=description.row_count
        )

    # Athena has no list-valued max(x, n): the tails come from two bounded queries per numeric column.
    # It scans once for light and heavy aggregates together, where the local engine keeps them apart,
    # and gives no query of their own to the columns read only for COUNT, MIN and MAX (the local
    # engine answers those from statistics in one query): here every column that is not numeric.
    numeric = sum(1 for c in description.columns if c.kind is ColumnKind.NUMERIC)
    assert len(description.columns) - numeric > 0
    assert measured.profile.queries == expected.profile.queries - 1 - 1 + 2 * numeric
    # Athena's quartiles are its sketch's even in an exact profile, and the profile says so.
    marked = {name: c.approximate for name, c in measured.profile.columns.items() if c.approximate}
    assert marked == {
        c.name: ("q1", "median", "q3") for c in description.columns if c.kind is ColumnKind.NUMERIC
    }
    unmarked = {name: replace(c, approximate=()) for name, c in measured.profile.columns.items()}
    assert (measured.profile.engine, expected.profile.engine) == ("athena", "duckdb")
    assert (
        replace(measured.profile, queries=expected.profile.queries, columns=unmarked, engine="duckdb")
        == expected.profile
    )
    assert measured.values.keys() == expected.values.keys()
    # The planted defects are all there.
    amount = measured.profile.columns["amount"]
    assert (amount.null_count, amount.non_finite, amount.negatives) == (1, 2, 1)
    assert amount.outliers is not None
    assert 10_000.0 in amount.outliers.largest
    assert measured.profile.columns["status"].top_values[0].value == "paid"
    assert (
        measured.profile.columns["created_at"].max
        == (START + timedelta(hours=7 * 39, seconds=39)).isoformat()
    )

    sent = sql_log("athena")
    assert len(sent) == len(mirror.answered) == len(runner.query_ids)
    assert_sent_only_aggregates(sent, "athena")
    athena = aws.client("athena")
    for query_id, sql in zip(runner.query_ids, sent, strict=True):
        execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        assert execution["Query"] == sql  # what moto received is what was logged
        assert execution["WorkGroup"] == glue_table.workgroup
        assert execution["QueryExecutionContext"] == {
            "Catalog": "AwsDataCatalog",
            "Database": glue_table.database,
        }
        assert execution["ResultConfiguration"]["OutputLocation"].startswith(glue_table.output_location or "")
    # Exact quantiles do not exist in Trino: Athena gets approx_percentile over the same array.
    assert any("APPROX_PERCENTILE(" in s for s in sent)
    assert not any("PERCENTILE_CONT" in s for s in sent)


def test_athena_sample(
    aws: Aws,
    athena_source: AthenaSourceResource,
    glue_table: AthenaSourceSpec,
    sql_log: Callable[[str], list[str]],
) -> None:
    names = [c["Name"] for c in (*GLUE_COLUMNS, *GLUE_PARTITION_KEYS)]
    rows = [tuple(DATA.column(name)[i].as_py() for name in names) for i in range(3)]
    queue_athena_results(aws, athena_result(rows, names))

    frame = athena_source.open(glue_table).sample(3)

    assert list(frame.columns) == names
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame["status"].tolist() == ["paid", "shipped", None]
    assert frame["price"].tolist() == [0.25, 1.25, 2.25]
    assert frame["ok"].tolist() == [None, True, True]
    assert frame["created_at"].tolist()[0] == START
    assert frame["day"].tolist() == [date(2026, 3, 1)] * 3
    (sql,) = sql_log("athena")
    assert sql == f'SELECT * FROM "{glue_table.database}"."orders" LIMIT 3'


def test_athena_query_that_outlives_its_timeout_is_stopped(
    aws: Aws, athena_source: AthenaSourceResource, glue_table: AthenaSourceSpec
) -> None:
    # moto's state manager keeps every new execution QUEUED until it has been described a million times.
    transition = {
        "model_name": "athena::execution",
        "transition": {"progression": "manual", "times": 1_000_000},
    }
    aws.moto_api("state-manager/set-transition", transition)
    try:
        spec = glue_table.model_copy(update={"timeout_seconds": 0.2})
        opened = athena_source.open(spec)
        with opened.query_runner() as runner, pytest.raises(SourceError) as error:
            runner.fetch_rows(exp.select(exp.Count(this=exp.Star())).from_(runner.relation))
        message = str(error.value)
        assert message.startswith(glue_table.display())
        assert "timed out after 0.2 s and was cancelled (stop_query_execution)" in message
        (query_id,) = runner.query_ids
        assert query_id in message
        state = aws.client("athena").get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
        assert state["Status"]["State"] == "CANCELLED"  # stop_query_execution reached moto
    finally:
        aws.moto_api("state-manager/unset-transition", {"model_name": "athena::execution"})


def test_athena_failed_query_reports_athenas_reason(
    athena_source: AthenaSourceResource, glue_table: AthenaSourceSpec, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto's executions only ever succeed; its (in-process) response is made to report a failure.
    from moto.athena.responses import AthenaResponse

    reason = "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved"
    original = AthenaResponse.get_query_execution

    def failing(self: AthenaResponse) -> str:
        body = json.loads(original(self))
        if '"nope"' in body["QueryExecution"]["Query"]:
            body["QueryExecution"]["Status"].update(State="FAILED", StateChangeReason=reason)
        return json.dumps(body)

    monkeypatch.setattr(AthenaResponse, "get_query_execution", failing)
    with athena_source.open(glue_table).query_runner() as runner, pytest.raises(SourceError) as error:
        runner.fetch_rows(exp.select(exp.column("nope", quoted=True)).from_(runner.relation))
    assert str(error.value).startswith(f"{glue_table.display()}: Athena query ")
    assert str(error.value).endswith(f"failed: {reason}")


def test_athena_missing_table_names_the_source(
    athena_source: AthenaSourceResource, glue_table: AthenaSourceSpec
) -> None:
    missing = glue_table.model_copy(update={"table": "nope"})
    with pytest.raises(SourceError) as error:
        athena_source.open(missing)
    message = str(error.value)
    assert message.startswith(f"athena:{glue_table.database}.nope: ")
    assert f"table {glue_table.database}.nope not found in the Glue catalog" in message
    assert "EntityNotFoundException" in message


@pytest.fixture
def moto_checks_credentials(aws: Aws) -> Iterator[dict[str, str]]:
    """moto's IAM authentication switched on, then back off; yields the keys of a user without rights."""
    iam = aws.client("iam")
    user = unique("dq-no-rights")
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    response = requests.post(f"{aws.url}/moto-api/reset-auth", data="0", timeout=10)
    previous = response.json()["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]
    try:
        yield {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}
    finally:
        requests.post(f"{aws.url}/moto-api/reset-auth", data=previous, timeout=10)


def test_wrong_credentials_and_denied_access_name_the_source(
    athena_source: AthenaSourceResource,
    redshift_source: RedshiftSourceResource,
    glue_table: AthenaSourceSpec,
    moto_checks_credentials: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    redshift = redshift_spec()
    sources: list[tuple[Callable[[], Any], str]] = [
        (lambda: athena_source.test_connection(glue_table), glue_table.display()),
        (lambda: redshift_source.test_connection(redshift), redshift.display()),
    ]
    for call, source in sources:  # an access key moto does not know
        with pytest.raises(SourceError) as error:
            call()
        assert str(error.value).startswith(f"{source}: ")
        assert "security token included in the request is invalid" in str(error.value)
    for name, value in moto_checks_credentials.items():  # a known user, with no policy at all
        monkeypatch.setenv(name, value)
    for call, source in sources:
        with pytest.raises(SourceError) as error:
            call()
        message = str(error.value)
        assert message.startswith(f"{source}: ")
        assert "AccessDenied" in message
        assert "is not authorized to perform" in message
        assert moto_checks_credentials["AWS_SECRET_ACCESS_KEY"] not in message


def test_no_credentials_at_all_is_a_source_error(
    athena_source: AthenaSourceResource,
    glue_table: AthenaSourceSpec,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SourceError, match=r"^athena:.*Unable to locate credentials"):
        athena_source.open(glue_table)


def test_athena_references_in_the_same_catalog_are_pushed_down(
    aws: Aws, athena_source: AthenaSourceResource, glue_table: AthenaSourceSpec
) -> None:
    glue = aws.client("glue")
    glue.create_table(
        DatabaseName=glue_table.database,
        TableInput={
            "Name": "customers",
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}]},
        },
    )
    opened = athena_source.open(glue_table)
    customers = athena_source.open(glue_table.model_copy(update={"table": "customers"}))
    elsewhere = AthenaSourceResource(region_name="us-east-2", endpoint_url=aws.url)
    glue_east = boto3.client("glue", region_name="us-east-2", endpoint_url=aws.url)
    glue_east.create_database(DatabaseInput={"Name": glue_table.database})
    glue_east.create_table(
        DatabaseName=glue_table.database,
        TableInput={
            "Name": "customers",
            "StorageDescriptor": {"Columns": [{"Name": "id", "Type": "bigint"}]},
        },
    )
    far = elsewhere.open(glue_table.model_copy(update={"table": "customers", "region": None}))

    @dataclass
    class NotAthena:
        name: str = "file:exports/customers.csv"

    requests_ = [
        ReferenceRequest("customers", customers, frozenset({"id"})),
        ReferenceRequest("far", far, None),
        ReferenceRequest("file", NotAthena(), None),  # type: ignore[arg-type]
    ]
    with opened.query_runner(requests_) as runner:
        assert runner.references == {"customers": customers.relation}
        assert runner.references["customers"].sql("athena") == f'"{glue_table.database}"."customers"'
        assert set(runner.reference_errors) == {"far", "file"}
        assert "us-east-2" in runner.reference_errors["far"]
        assert "not an Athena table" in runner.reference_errors["file"]


# -- Redshift ------------------------------------------------------------------------------------


def redshift_spec(**update: Any) -> RedshiftSourceSpec:
    values: dict[str, Any] = {
        "type": "redshift",
        "database": "dev",
        "table": "sales.orders",
        "workgroup_name": "analytics",
        "secret_arn": SECRET_ARN,
        "region": AWS_TEST_REGION,
    }
    return RedshiftSourceSpec(**{**values, **update})


class StatementFailure(Exception):
    """What a statement fails with, as Redshift would report it."""


@dataclass
class RedshiftDataFake:
    """Completes moto's redshift-data inside the in-process server (see the module docstring).

    `resolve(sql)` answers a statement with (ColumnMetadata, Records); with `hold`, statements
    stay STARTED as moto leaves them.
    """

    resolve: Callable[[str], tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]] | None = None
    hold: bool = False
    tables: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    page_size: int = 2
    results: dict[str, tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    executed: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def settle(self, statement: Any) -> None:
        if statement.status != "STARTED" or self.hold or self.resolve is None:
            return
        try:
            metadata, records = self.resolve(statement.query_string)
        except StatementFailure as failure:
            statement.status = "FAILED"
            self.errors[statement.id] = str(failure)
            return
        except Exception as error:  # surfaced by the test, not lost in the server thread
            self.problems.append(f"{statement.query_string}: {error!r}")
            raise
        self.results[statement.id] = (metadata, records)
        statement.status, statement.has_result_set = "FINISHED", True
        statement.result_rows = len(records)

    def page(self, items: list[Any], token: str | None) -> tuple[list[Any], str | None]:
        start = int(token or 0)
        end = start + self.page_size
        return items[start:end], (str(end) if end < len(items) else None)


@pytest.fixture
def redshift_fake(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> RedshiftDataFake:
    from moto.redshiftdata.responses import RedshiftDataAPIServiceResponse as Response

    fake = RedshiftDataFake()
    original_execute = Response.execute_statement

    def execute_statement(self: Response) -> Any:
        fake.executed.append(
            {
                key: self._get_param(key)
                for key in ("Database", "Sql", "WorkgroupName", "ClusterIdentifier", "DbUser", "SecretArn")
            }
        )
        return original_execute(self)

    def describe_statement(self: Response) -> Any:
        statement = self.redshiftdata_backend.describe_statement(statement_id=self._get_param("Id"))
        fake.settle(statement)
        body = dict(statement)
        if statement.id in fake.errors:
            body["Error"] = fake.errors[statement.id]
        return 200, {}, json.dumps(body)

    def get_statement_result(self: Response) -> Any:
        metadata, records = fake.results[self._get_param("Id")]
        page, token = fake.page(records, self._get_param("NextToken"))
        body: dict[str, Any] = {"ColumnMetadata": metadata, "Records": page, "TotalNumRows": len(records)}
        if token is not None:
            body["NextToken"] = token
        return 200, {}, json.dumps(body)

    def describe_table(self: Response) -> Any:
        key = (self._get_param("Database"), self._get_param("Schema"), self._get_param("Table"))
        page, token = fake.page(fake.tables.get(key, []), self._get_param("NextToken"))
        body: dict[str, Any] = {"ColumnList": page, "TableName": key[2]}
        if token is not None:
            body["NextToken"] = token
        return 200, {}, json.dumps(body)

    monkeypatch.setattr(Response, "execute_statement", execute_statement)
    monkeypatch.setattr(Response, "describe_statement", describe_statement)
    monkeypatch.setattr(Response, "get_statement_result", get_statement_result)
    monkeypatch.setattr(Response, "describe_table", describe_table, raising=False)
    fake.tables[("dev", "sales", "orders")] = REDSHIFT_COLUMNS
    return fake


def redshift_field(value: Any) -> dict[str, Any]:
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, datetime):
        return {"stringValue": value.isoformat(sep=" ")}
    return {"stringValue": str(value)}


def redshift_type(values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    for kind, name in (
        (bool, "bool"),
        (int, "int8"),
        (float, "float8"),
        (Decimal, "numeric"),
        (datetime, "timestamp"),
        (date, "date"),
    ):
        if isinstance(sample, kind):
            return name
    return "varchar"


def duckdb_resolver() -> Callable[[str], Any]:
    """Run the statement Redshift received, transpiled to DuckDB, over the same rows (as sales.orders)."""
    import duckdb

    connection = duckdb.connect()
    connection.register("data", DATA)
    connection.execute('CREATE SCHEMA "sales"; CREATE TABLE "sales"."orders" AS SELECT * FROM data')

    def resolve(sql: str) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]]]:
        if '"nope"' in sql:
            raise StatementFailure('ERROR: column "nope" does not exist in orders')
        tree = sqlglot.parse_one(sql, read="redshift")  # what left must be Redshift SQL
        cursor = connection.cursor()
        try:
            cursor.execute(tree.sql(dialect="duckdb"))
            rows = cursor.fetchall()
            names = [d[0] for d in cursor.description or []]
        finally:
            cursor.close()
        types = [redshift_type([row[i] for row in rows]) for i in range(len(names))]
        metadata = [{"name": n, "label": n, "typeName": t} for n, t in zip(names, types, strict=True)]
        return metadata, [[redshift_field(v) for v in row] for row in rows]

    return resolve


def test_redshift_describe_and_test_connection(
    redshift_source: RedshiftSourceResource, redshift_fake: RedshiftDataFake
) -> None:
    spec = redshift_spec()
    description = redshift_source.open(spec).describe()
    assert [(c.name, c.kind) for c in description.columns] == EXPECTED_KINDS
    assert [c.nullable for c in description.columns] == [False, *[True] * 6]
    assert [c.floating for c in description.columns] == [False, True, False, False, False, False, False]
    assert (description.row_count, description.last_updated, description.data_version) == (None, None, None)
    assert redshift_source.test_connection(spec) == "row count unknown, 7 columns"


def test_redshift_profile_equals_the_local_profile(
    redshift_source: RedshiftSourceResource,
    redshift_fake: RedshiftDataFake,
    sql_log: Callable[[str], list[str]],
) -> None:
    redshift_fake.resolve = duckdb_resolver()
    spec = redshift_spec()
    opened = redshift_source.open(spec)
    description = opened.describe()
    expected = local_profile(description.columns, description.row_count)

    with opened.query_runner() as runner:
        measured = profile_and_measure(runner, description.columns, AnomalySettings())

    assert redshift_fake.problems == []
    assert measured.profile.engine == "redshift"
    assert replace(measured.profile, queries=expected.profile.queries, engine="duckdb") == expected.profile
    assert measured.values.keys() == expected.values.keys()
    amount = measured.profile.columns["amount"]
    assert (amount.null_count, amount.non_finite, amount.negatives) == (1, 2, 1)

    sent = sql_log("redshift")
    assert [e["Sql"] for e in redshift_fake.executed] == sent
    assert_sent_only_aggregates(sent, "redshift")
    targets = {
        tuple(e[k] for k in ("Database", "WorkgroupName", "ClusterIdentifier", "SecretArn", "DbUser"))
        for e in redshift_fake.executed
    }
    assert targets == {("dev", "analytics", None, SECRET_ARN, None)}
    # Exact quantiles, one ORDER BY per statement: the first pass is split per numeric column.
    numeric = [c.name for c in description.columns if c.kind is ColumnKind.NUMERIC]
    with_quantiles = [s for s in sent if "PERCENTILE_CONT" in s]
    assert len(with_quantiles) == len(numeric)
    for sql in with_quantiles:
        tree = sqlglot.parse_one(sql, read="redshift")
        orders = {node.expression.sql(dialect="redshift") for node in tree.find_all(exp.WithinGroup)}
        assert len(orders) == 1, sql
        assert len(list(tree.find_all(exp.WithinGroup))) == 3  # the three quartiles, as scalars
        assert "ARRAY" not in sql.upper()


def test_redshift_sample_and_paged_results(
    redshift_source: RedshiftSourceResource,
    redshift_fake: RedshiftDataFake,
    sql_log: Callable[[str], list[str]],
) -> None:
    redshift_fake.resolve = duckdb_resolver()
    frame = redshift_source.open(redshift_spec()).sample(3)  # two pages of two rows and one
    assert list(frame.columns) == [c["name"] for c in REDSHIFT_COLUMNS]
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame["price"].tolist() == [0.25, 1.25, 2.25]
    assert frame["status"].tolist() == ["paid", "shipped", None]
    assert frame["created_at"].tolist()[1] == START + timedelta(hours=7, seconds=1)
    assert frame["day"].tolist() == [date(2026, 3, 1)] * 3
    assert sql_log("redshift") == ['SELECT * FROM "sales"."orders" LIMIT 3']


def test_redshift_statement_that_outlives_its_timeout_is_cancelled(
    aws: Aws, redshift_source: RedshiftSourceResource, redshift_fake: RedshiftDataFake
) -> None:
    redshift_fake.hold = True  # moto's own behaviour: a statement stays STARTED
    spec = redshift_spec(
        timeout_seconds=0.2,
        workgroup_name=None,
        cluster_identifier="warehouse",
        secret_arn=None,
        db_user="dq_reader",  # temporary credentials for a database user, on a provisioned cluster
    )
    aws.client("redshift").create_cluster(
        ClusterIdentifier="warehouse",
        NodeType="ra3.xlplus",
        MasterUsername="admin",
        MasterUserPassword="Password1",
    )
    with redshift_source.open(spec).query_runner() as runner, pytest.raises(SourceError) as error:
        runner.fetch_rows(exp.select(exp.Count(this=exp.Star())).from_(runner.relation))
    message = str(error.value)
    assert message.startswith("redshift:warehouse/dev.sales.orders: Redshift statement ")
    assert "timed out after 0.2 s and was cancelled (cancel_statement)" in message
    (statement_id,) = runner.statement_ids
    status = aws.client("redshift-data").describe_statement(Id=statement_id)["Status"]
    assert status == "ABORTED"  # cancel_statement reached moto
    sent = redshift_fake.executed[-1]
    assert (sent["ClusterIdentifier"], sent["DbUser"], sent["WorkgroupName"]) == (
        "warehouse",
        "dq_reader",
        None,
    )


def test_redshift_failed_statement_reports_the_error(
    redshift_source: RedshiftSourceResource, redshift_fake: RedshiftDataFake
) -> None:
    redshift_fake.resolve = duckdb_resolver()
    with redshift_source.open(redshift_spec()).query_runner() as runner, pytest.raises(SourceError) as error:
        runner.fetch_rows(exp.select(exp.column("nope", quoted=True)).from_(runner.relation))
    assert re.fullmatch(
        r"redshift:analytics/dev\.sales\.orders: Redshift statement \S+ failed: "
        r'ERROR: column "nope" does not exist in orders',
        str(error.value),
    )


def test_redshift_missing_table_names_the_source(
    redshift_source: RedshiftSourceResource, redshift_fake: RedshiftDataFake
) -> None:
    with pytest.raises(SourceError) as error:
        redshift_source.open(redshift_spec(table="sales.nope"))
    assert str(error.value).startswith("redshift:analytics/dev.sales.nope: table dev.sales.nope not found")


def test_redshift_references_in_the_same_database_are_pushed_down(
    redshift_source: RedshiftSourceResource, redshift_fake: RedshiftDataFake
) -> None:
    redshift_fake.tables[("dev", "sales", "customers")] = [{"name": "id", "typeName": "int8"}]
    redshift_fake.tables[("other", "sales", "customers")] = [{"name": "id", "typeName": "int8"}]
    opened = redshift_source.open(redshift_spec())
    customers = redshift_source.open(redshift_spec(table="sales.customers"))
    other_db = redshift_source.open(redshift_spec(table="sales.customers", database="other"))
    with opened.query_runner(
        [ReferenceRequest("customers", customers, None), ReferenceRequest("other", other_db, None)]
    ) as runner:
        assert runner.references == {"customers": customers.relation}
        assert runner.references["customers"].sql("redshift") == '"sales"."customers"'
        assert "another database" in runner.reference_errors["other"]


# -- the pieces, without a server ----------------------------------------------------------------


def test_type_names_classify() -> None:
    cases = {
        "bigint": ColumnKind.NUMERIC,
        "int4": ColumnKind.NUMERIC,
        "decimal(12,2)": ColumnKind.NUMERIC,
        "double precision": ColumnKind.NUMERIC,
        "varchar(256)": ColumnKind.STRING,
        "character varying(10)": ColumnKind.STRING,
        "bpchar": ColumnKind.STRING,
        "boolean": ColumnKind.BOOLEAN,
        "bool": ColumnKind.BOOLEAN,
        "timestamp(3) with time zone": ColumnKind.TEMPORAL,
        "timestamptz": ColumnKind.TEMPORAL,
        "date": ColumnKind.TEMPORAL,
        "array<string>": ColumnKind.OTHER,
        "struct<a:int,b:string>": ColumnKind.OTHER,
        "map<string,int>": ColumnKind.OTHER,
        "super": ColumnKind.OTHER,
        "binary": ColumnKind.OTHER,
    }
    assert {name: column_kind(name) for name in cases} == cases
    assert [is_floating(t) for t in ("float", "real", "float8", "double precision", "decimal(3,1)")] == [
        True,
        True,
        True,
        True,
        False,
    ]


def test_result_values_convert() -> None:
    assert athena_value("2026-03-01 08:00:00.000 UTC", "timestamp with time zone") == datetime(
        2026, 3, 1, 8, tzinfo=UTC
    )
    assert athena_value("2026-03-01 08:00:00.123", "timestamp") == datetime(2026, 3, 1, 8, 0, 0, 123000)
    assert athena_value("[0.5, 1.0, null]", "array") == [0.5, 1.0, None]
    assert athena_value("Infinity", "double") == math.inf
    assert athena_value("12.50", "decimal") == 12.5
    assert athena_value(None, "bigint") is None
    assert athena_value("{a=1}", "map") == "{a=1}"
    assert redshift_value({"stringValue": "12.50"}, "numeric") == 12.5
    assert redshift_value({"stringValue": "2026-03-01 08:00:00+00"}, "timestamptz") == datetime(
        2026, 3, 1, 8, tzinfo=UTC
    )
    assert redshift_value({"isNull": True}, "int8") is None
    assert redshift_value({"longValue": 3}, "int8") == 3


def test_athena_header_row_is_skipped_on_the_first_page_only() -> None:
    info = {"ColumnInfo": [{"Name": "n", "Type": "bigint"}]}

    def page(*values: str) -> dict[str, Any]:
        return {
            "ResultSet": {
                "ResultSetMetadata": info,
                "Rows": [{"Data": [{"VarCharValue": v}]} for v in values],
            }
        }

    result = result_from_pages([page("n", "1", "2"), page("3"), page("4")])
    assert result.columns == [("n", "bigint")]
    assert result.rows == [(1,), (2,), (3,), (4,)]


def test_polling_cancels_past_the_deadline() -> None:
    now = [0.0]
    cancelled: list[bool] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(StatementTimedOut, match="timed out after 3 s and was cancelled"):
        wait_for_statement(
            lambda: "RUNNING",
            lambda state: state == "DONE",
            cancel=lambda: cancelled.append(True),
            timeout_seconds=3,
            poll_seconds=1,
            clock=lambda: now[0],
            sleep=sleep,
        )
    assert cancelled == [True]
    assert now[0] == 3


def test_redshift_split_keeps_one_order_by_per_statement() -> None:
    from dq_checks.metrics.sql import as_double, column, count_distinct, count_rows, quantiles, select_from

    relation = exp.table_(
        exp.to_identifier("orders", quoted=True), db=exp.to_identifier("sales", quoted=True)
    )
    query = select_from(
        [
            count_rows(),
            quantiles(as_double(column("a")), [0.25, 0.5, 0.75]),
            count_distinct(column("b")),
            quantiles(as_double(column("b")), [0.5]),
        ],
        relation,
    )
    split = split_for_redshift(query)
    assert [s.sql(dialect="redshift") for s in split.statements] == [
        'SELECT COUNT(*), PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY CAST("a" AS DOUBLE PRECISION)), '
        'PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CAST("a" AS DOUBLE PRECISION)), '
        'PERCENTILE_CONT(0.75) WITHIN GROUP (ORDER BY CAST("a" AS DOUBLE PRECISION)), '
        'COUNT(DISTINCT "b") FROM "sales"."orders"',
        'SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY CAST("b" AS DOUBLE PRECISION)) '
        'FROM "sales"."orders"',
    ]
    assert split.assemble([[(9, 1.0, 2.0, 3.0, 4)], [(5.0,)]]) == [(9, [1.0, 2.0, 3.0], 4, [5.0])]


def test_athena_registered_glue_catalog_is_read_through_its_catalog_id(
    aws: Aws, athena_source: AthenaSourceResource, glue_table: AthenaSourceSpec
) -> None:
    athena = aws.client("athena")
    glue_catalog, lambda_catalog = unique("partner"), unique("federated")
    athena.create_data_catalog(Name=glue_catalog, Type="GLUE", Parameters={"catalog-id": ACCOUNT_ID})
    athena.create_data_catalog(
        Name=lambda_catalog,
        Type="LAMBDA",
        Parameters={"function": f"arn:aws:lambda:{AWS_TEST_REGION}:{ACCOUNT_ID}:function:connector"},
    )
    partner = athena_source.open(glue_table.model_copy(update={"catalog": glue_catalog}))
    assert partner.describe().extra["catalog"] == glue_catalog
    with pytest.raises(SourceError, match=r"its type is LAMBDA; only Glue catalogs can be described"):
        athena_source.open(glue_table.model_copy(update={"catalog": lambda_catalog}))


# -- endpoints that accept a connection and never answer: a real silent socket -------------------


@pytest.mark.parametrize("service", ["athena", "redshift"])
def test_a_warehouse_endpoint_that_never_answers_times_out(aws_env: None, service: str) -> None:
    with SilentServer() as silent:
        if service == "athena":
            resource: AthenaSourceResource | RedshiftSourceResource = AthenaSourceResource(
                region_name=AWS_TEST_REGION, endpoint_url=silent.url
            )
            spec: AthenaSourceSpec | RedshiftSourceSpec = AthenaSourceSpec(
                type="athena", database="shop", table="orders", connect_timeout_seconds=0.5
            )
            what = "cannot read the table from Glue"
        else:
            resource = RedshiftSourceResource(region_name=AWS_TEST_REGION, endpoint_url=silent.url)
            spec = RedshiftSourceSpec(
                type="redshift",
                database="dev",
                table="public.orders",
                workgroup_name="analytics",
                connect_timeout_seconds=0.5,
            )
            what = "cannot describe the table"
        with pytest.raises(SourceError) as raised:
            resource.test_connection(spec)
        assert silent.connections == 3  # the first attempt and two retries, each timed out
    assert str(raised.value) == (
        f"{spec.display()}: {what}: timed out (connect_timeout_seconds is 0.5): "
        f'Read timeout on endpoint URL: "{silent.url}/"'
    )
