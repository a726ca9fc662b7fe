"""The Iceberg source on a Glue catalog with its data on S3; moto (real HTTP) stands in for both."""

from __future__ import annotations

import socket
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pyarrow as pa
import pytest

from dq_checks.config.loader import load_table_specs
from dq_checks.config.models import IcebergSourceSpec
from dq_checks.results import Outcome
from dq_checks.schema import ColumnKind
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from dq_resources.source_contract import SourceError
from dq_runs.inspect import inspect_table
from tests.conftest import AWS_TEST_REGION

COMMITTED = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)

ORDERS = pa.table(
    {
        "id": pa.array([1, 2, 3, 3, 5], pa.int64()),  # planted: id 3 twice
        "amount": pa.array([10.0, 20.5, 99.0, 250.0, 5.0], pa.float64()),  # planted: 250.0 is out of range
        "customer": pa.array(["ann", "bob", None, "dan", "eve"], pa.string()),  # planted: one NULL
    }
)


@dataclass(frozen=True)
class GlueLake:
    """A Glue catalog configured by environment, its warehouse in an S3 bucket, both on moto."""

    catalog: str
    namespace: str
    bucket: str

    @property
    def identifier(self) -> str:
        return f"{self.namespace}.orders"

    def spec(self, identifier: str | None = None) -> IcebergSourceSpec:
        return IcebergSourceSpec(
            type="iceberg", catalog=self.catalog, identifier=identifier or self.identifier
        )


def configure_glue_catalog(
    monkeypatch: pytest.MonkeyPatch, name: str, glue_endpoint: str, **extra: str
) -> None:
    """`PYICEBERG_CATALOG__<NAME>__*`: `GLUE__ENDPOINT` becomes the property `glue.endpoint`, and so on."""
    prefix = f"PYICEBERG_CATALOG__{name.upper()}__"
    settings = {"TYPE": "glue", "GLUE__ENDPOINT": glue_endpoint, "GLUE__REGION": AWS_TEST_REGION, **extra}
    for key, value in settings.items():
        monkeypatch.setenv(prefix + key, value)


@pytest.fixture
def glue_lake(moto_url: str, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[GlueLake]:
    """A uniquely named Glue catalog (credentials from `aws_env`), warehouse s3://<bucket>/warehouse."""
    suffix = uuid.uuid4().hex[:8]
    lake = GlueLake(catalog=f"glue{suffix}", namespace=f"shop{suffix}", bucket=f"lake-{suffix}")
    boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url).create_bucket(
        Bucket=lake.bucket, CreateBucketConfiguration={"LocationConstraint": AWS_TEST_REGION}
    )
    configure_glue_catalog(
        monkeypatch,
        lake.catalog,
        moto_url,
        WAREHOUSE=f"s3://{lake.bucket}/warehouse",
        S3__ENDPOINT=moto_url,
        S3__REGION=AWS_TEST_REGION,
        S3__ACCESS_KEY_ID="testing",
        S3__SECRET_ACCESS_KEY="testing",
    )
    yield lake
    glue = boto3.client("glue", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    glue.delete_database(Name=lake.namespace)  # moto's Glue lives as long as the session's server


@pytest.fixture
def orders(glue_lake: GlueLake) -> GlueLake:
    """`<namespace>.orders` created through the Glue catalog, ORDERS appended at COMMITTED."""
    catalog = load_named_catalog(glue_lake.catalog)
    catalog.create_namespace(glue_lake.namespace)
    table = catalog.create_table(glue_lake.identifier, schema=ORDERS.schema)
    with snapshot_clock(COMMITTED):
        table.append(ORDERS)
    return glue_lake


def test_describe_sample_and_connection_through_glue_and_s3(orders: GlueLake, moto_url: str) -> None:
    opened = IcebergCatalogResource().open(orders.spec())
    description = opened.describe()

    assert [(c.name, c.data_type, c.kind) for c in description.columns] == [
        ("id", "long", ColumnKind.NUMERIC),
        ("amount", "double", ColumnKind.NUMERIC),
        ("customer", "string", ColumnKind.STRING),
    ]
    assert description.row_count == 5  # the snapshot summary's total-records: no data was read
    assert description.last_updated == COMMITTED  # the snapshot's commit time
    table = load_named_catalog(orders.catalog).load_table(orders.identifier)
    snapshot = table.current_snapshot()
    assert snapshot.summary["total-records"] == "5"
    assert description.data_version == str(snapshot.snapshot_id)
    assert description.extra == {"location": f"s3://{orders.bucket}/warehouse/{orders.namespace}.db/orders"}

    # Glue holds only the pointer; the metadata and the data files are objects in moto's S3.
    glue = boto3.client("glue", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    parameters = glue.get_table(DatabaseName=orders.namespace, Name="orders")["Table"]["Parameters"]
    assert parameters["table_type"] == "ICEBERG"
    assert parameters["metadata_location"] == table.metadata_location
    s3 = boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=orders.bucket)["Contents"]]
    prefix = f"warehouse/{orders.namespace}.db/orders/"
    assert sum(k.startswith(prefix + "data/") and k.endswith(".parquet") for k in keys) == 1
    assert table.metadata_location.removeprefix(f"s3://{orders.bucket}/") in keys

    sample = opened.sample(2)
    assert list(sample.columns) == ["id", "amount", "customer"]
    assert sample.to_dict("records") == [
        {"id": 1, "amount": 10.0, "customer": "ann"},
        {"id": 2, "amount": 20.5, "customer": "bob"},
    ]

    assert IcebergCatalogResource().test_connection(orders.spec()) == (
        "5 rows, 3 columns, last updated 2026-11-20 08:30 UTC"
    )


def test_the_check_step_finds_the_planted_defects(orders: GlueLake, tmp_path: Path) -> None:
    (tmp_path / "orders.yaml").write_text(
        textwrap.dedent(
            f"""\
            table: orders
            source: {{type: iceberg, catalog: {orders.catalog}, identifier: {orders.identifier}}}
            rules:
              - rule: IsPrimaryKey "id"
              - rule: ColumnValues "amount" between 0 and 100
              - rule: IsComplete "customer"
              - rule: IsComplete "id"
            """
        )
    )
    loaded = load_table_specs(tmp_path)
    assert loaded.problems == ()
    defined = loaded.by_name("orders")
    opened = IcebergCatalogResource().open(defined.spec.source)

    inspection = inspect_table(defined, opened, now=datetime(2026, 11, 21, tzinfo=UTC))

    assert inspection.profile.row_count == 5  # every row came through S3 into the local engine
    results = {check.name: check for check in inspection.checks}
    assert list(results) == [
        "profile",
        "anomalies",
        "isprimarykey_id",
        "columnvalues_amount_between_0_and_100",
        "iscomplete_customer",
        "iscomplete_id",
        "volume",
        "schema",
        "drift",
        "quality_score",
    ]
    rules = {
        "isprimarykey_id": Outcome.FAIL,
        "columnvalues_amount_between_0_and_100": Outcome.FAIL,
        "iscomplete_customer": Outcome.FAIL,
        "iscomplete_id": Outcome.PASS,
    }
    assert {name: results[name].outcome for name in rules} == rules
    key = results["isprimarykey_id"].metadata  # id 3 twice
    assert (key["duplicate_groups"], key["duplicate_rows"], key["duplicate_sample"]) == (
        1,
        2,
        [{"id": 3, "occurrences": 2}],
    )
    in_range = results["columnvalues_amount_between_0_and_100"].metadata  # 250.0 alone
    assert (in_range["failed_count"], in_range["failed_sample"]) == (1, [{"amount": 250.0}])
    complete = results["iscomplete_customer"].metadata  # the one NULL
    assert (complete["failed_count"], complete["observed"]) == (1, 0.8)
    assert results["iscomplete_id"].metadata["failed_count"] == 0
    assert {name: results[name].outcome for name in ("profile", "volume", "schema")} == {
        "profile": Outcome.PASS,
        "volume": Outcome.SKIP,  # no earlier run
        "schema": Outcome.PASS,
    }
    assert inspection.scores is not None
    assert (inspection.scores.passed, inspection.scores.evaluated) == (1, 4)
    assert results["quality_score"].outcome is Outcome.FAIL
    assert inspection.description == opened.describe()


@pytest.mark.parametrize("namespace_exists", [True, False], ids=["missing-table", "missing-namespace"])
def test_a_table_glue_does_not_know_is_a_source_error_naming_catalog_and_table(
    orders: GlueLake, namespace_exists: bool
) -> None:
    identifier = f"{orders.namespace}.orders_gone" if namespace_exists else "nowhere.orders"
    with pytest.raises(SourceError) as error:
        IcebergCatalogResource().open(orders.spec(identifier))
    message = str(error.value)
    assert f"iceberg:{orders.catalog}/{identifier}" in message
    assert f"table {identifier!r} not found in catalog {orders.catalog!r}" in message


def test_a_glue_endpoint_refusing_connections_is_a_source_error_without_credentials(
    aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a free port: nothing listens once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    name = f"glue{uuid.uuid4().hex[:8]}"
    access_key, secret = "AKIAPLANTEDKEY000001", "planted/Secret+Access+Key"
    configure_glue_catalog(
        monkeypatch,
        name,
        f"http://127.0.0.1:{port}",
        GLUE__ACCESS_KEY_ID=access_key,
        GLUE__SECRET_ACCESS_KEY=secret,
        GLUE__MAX_RETRIES="1",  # a string, as every configured value is; boto's default is 10 retries
    )
    started = time.perf_counter()
    with pytest.raises(SourceError) as error:
        IcebergCatalogResource().open(
            IcebergSourceSpec(type="iceberg", catalog=name, identifier="shop.orders")
        )
    assert time.perf_counter() - started < 10  # one retry, not ten with backoff (about 17 s)
    message = str(error.value)
    assert message.startswith(f"iceberg:{name}/shop.orders: cannot load table: ")
    assert f"http://127.0.0.1:{port}" in message
    assert access_key not in message
    assert secret not in message
    assert "testing" not in message  # nor aws_env's credentials


def test_data_files_on_s3_are_fetched_once_and_read_in_place(orders: GlueLake) -> None:
    # Every pass rereads the local copy of the one data file: the engine reads no object twice.
    from sqlglot import exp

    with IcebergCatalogResource().open(orders.spec()).query_runner() as runner:
        assert runner.scan_path == "read in place: 1 Parquet file"
        relation = runner.relation
        ((rows, total),) = runner.fetch_rows(exp.select("count(*)", "sum(amount)").from_(relation))
        fetched = list(runner.scratch_directory().iterdir())
    assert (rows, total) == (5, 384.5)  # 10 + 20.5 + 99 + 250 + 5
    assert [path.suffix for path in fetched] == [".parquet"]
