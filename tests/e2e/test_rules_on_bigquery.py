"""The `bigquery` source, through google-cloud-bigquery, against a local stand-in of BigQuery's REST API.

No BigQuery emulator can run here: `tests/bigquery_standin.py` serves the v2 REST API on
127.0.0.1 and executes each statement on DuckDB after sqlglot transpiles it (its docstring says
what it covers). The client is the real one, with real Application Default Credentials (a
service-account key whose token endpoint is the stand-in). The runner comes from the source
itself, so the rules and the profile it pushes down must equal the local engine's; the whole
check step runs from YAML; and every fault is an error for its table alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
import pyarrow as pa
import pyarrow.parquet
import pytest
import sqlglot
from sqlglot import exp

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_checks.config.sources import BigQuerySourceSpec
from dq_resources.bigquery import BigQuerySourceResource
from dq_resources.source_contract import ReferenceRequest, SourceError
from tests.bigquery_standin import BigQueryStandIn
from tests.e2e.test_sql_source import aggregated_or_bounded
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB

PROJECT = "dq-test"


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryStandIn]:
    """The stand-in holding ORDERS and CUSTOMERS in dataset `shop`, and ADC pointing at it."""
    # A running job's poll answers after 0.5 s, not BigQuery's 10 s: the timeout test ends sooner.
    with (
        BigQueryStandIn(project=PROJECT, default_wait_ms=500) as server,
        pytest.MonkeyPatch.context() as patch,
    ):
        server.create_table("shop", "orders", ORDERS)
        server.create_table("shop", "customers", CUSTOMERS)
        server.create_table("shop", "step_orders", STEP_ORDERS)
        server.create_table(
            "shop", "step_customers", pa.table({"customer_id": pa.array([10, 11, 12], pa.int64())})
        )
        server.create_table("shop", "slow_orders", STEP_ORDERS)
        server.hold("slow_orders")  # planted: its statements never end by themselves
        key = server.write_adc_file(tmp_path_factory.mktemp("adc") / "service-account.json")
        patch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
        yield server


def spec(table: str, **settings: Any) -> BigQuerySourceSpec:
    return BigQuerySourceSpec(type="bigquery", table=table, location="US", **settings)


class TestBigQuery(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(cls, standin: BigQueryStandIn) -> Iterator[tuple[Any, exp.Table]]:
        resource = BigQuerySourceResource(api_endpoint=standin.endpoint)
        orders = resource.open(spec(f"{PROJECT}.shop.orders"))
        customers = resource.open(spec("shop.customers", project=PROJECT))
        # CUSTOMERS sits in the same location: the rules join it in BigQuery, nothing streamed.
        with orders.query_runner([ReferenceRequest("customers", customers, None)]) as runner:
            yield runner, runner.references["customers"]

    def test_every_compiled_statement_parses_in_the_bigquery_dialect(
        self, both: Any, standin: BigQueryStandIn
    ) -> None:
        # Every statement the rules and the profile sent (`both` ran them), read back by sqlglot
        # as BigQuery SQL and written again: the round trip keeps it; no DuckDB-only construct left.
        sent = [body["query"] for _, path, body in standin.requests if path.endswith("/queries")]
        assert len(sent) >= 30
        for sql in sent:
            (tree,) = sqlglot.parse(sql, read="bigquery")
            assert tree is not None
            assert sqlglot.parse_one(tree.sql(dialect="bigquery"), read="bigquery") == tree, sql
            assert "MATERIALIZED" not in sql, sql
            for node in tree.find_all(exp.PercentileCont):
                assert isinstance(node.parent, exp.Window), sql


STEP_ORDERS = pa.table(
    {
        "order_id": pa.array([1, 2, 3, 3, 5, 6, 7], pa.int64()),  # planted: order 3 loaded twice
        "customer_id": pa.array([10, 11, 12, 12, 99, 10, 11], pa.int64()),  # planted: customer 99 is unknown
        "amount": pa.array([25.0, 40.0, 15.5, 15.5, 30.0, -5.0, None]),  # planted: -5.0 and a NULL
        "status": pa.array(
            ["delivered", "shipped", "delivered", "delivered", "delivered", "returned", "pending"]
        ),
        "payload": pa.array([{"k": "v"}] * 7, pa.struct([("k", pa.string())])),  # a STRUCT column
        "tags": pa.array([["a"]] * 7, pa.list_(pa.string())),  # an ARRAY column
    }
)
STEP_RULES = """\
rules:
  - name: order_id_is_key
    rule: IsPrimaryKey "order_id"
  - name: customer_exists
    rule: ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: status_known
    rule: ColumnValues "status" in ["delivered", "shipped", "returned", "pending"]
  - name: no_refunds
    rule: CustomSql "select count(*) from primary where amount < 0" = 0
"""


def define(folder: Path, tables: dict[str, str]) -> Path:
    """One YAML per table: `name: source settings and rules`; `customers` always beside them."""
    folder.mkdir(exist_ok=True)
    (folder / "customers.yaml").write_text(
        "table: customers\nsource: {type: bigquery, table: dq-test.shop.step_customers, location: US}\n"
    )
    for name, body in tables.items():
        (folder / f"{name}.yaml").write_text(f"table: {name}\n{body}")
    return folder


def orders_source(table: str = "step_orders", settings: str = "") -> str:
    return f"source: {{type: bigquery, table: dq-test.shop.{table}, location: US{settings}}}\n"


def materialize(folder: Path, endpoint: str) -> dict[str, dict[str, tuple[str, str]]]:
    """Every table of the folder in one run: table -> check -> (outcome, description)."""
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    catalog = {t.spec.table: t for t in loaded.tables}
    resources = {**default_resources(), "dq_bigquery": BigQuerySourceResource(api_endpoint=endpoint)}
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [build_table_asset(t, catalog) for t in catalog.values()],
            instance=instance,
            resources=resources,
            raise_on_error=False,
        )
    found: dict[str, dict[str, tuple[str, str]]] = {}
    for evaluation in result.get_asset_check_evaluations():
        table = evaluation.asset_key.path[-1]
        outcome = str(evaluation.metadata["dq/outcome"].value)
        found.setdefault(table, {})[evaluation.check_name] = (outcome, evaluation.description or "")
    return found


def test_the_check_step_runs_in_bigquery_and_finds_what_was_planted(
    standin: BigQueryStandIn, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    before = len(standin.requests)
    orders = f"{orders_source()}key: [order_id]\ndeps: [customers]\n{STEP_RULES}"
    with caplog.at_level(logging.INFO, logger="dq.sql"):
        found = materialize(define(tmp_path / "defs", {"orders": orders}), standin.endpoint)
    verdicts = {check: outcome for check, (outcome, _) in found["orders"].items()}
    assert verdicts == {
        "profile": "pass",
        "anomalies": verdicts["anomalies"],  # 7 rows: whatever the detectors say, it is not the point here
        "order_id_is_key": "fail",
        "customer_exists": "fail",
        "amount_positive": "fail",
        "status_known": "pass",
        "no_refunds": "fail",
        "quality_score": "fail",
        "schema": "pass",
    }
    assert found["orders"]["profile"][1].startswith("profiled 7 rows x 6 columns")
    assert found["customers"]["profile"][0] == "pass"

    # Only aggregates and bounded samples left BigQuery; every job carried the guard and dq's labels.
    statements = [
        r.getMessage().split(": ", 1)[1]
        for r in caplog.records
        if r.getMessage().startswith("bigquery: SELECT") or r.getMessage().startswith("bigquery: WITH")
    ]
    assert len(statements) >= 5
    for sql in statements:
        (query,) = sqlglot.parse(sql, read="bigquery")
        assert aggregated_or_bounded(query), sql
    jobs = [body for _, path, body in standin.requests[before:] if path.endswith("/queries")]
    assert jobs and all(body["maximumBytesBilled"] == str(100 * 1024**3) for body in jobs)
    assert all(body["labels"]["dq"] == "checks" and body["location"] == "US" for body in jobs)
    assert {body["labels"]["dq_table"] for body in jobs} == {
        "dq-test_shop_step_orders",
        "dq-test_shop_step_customers",
    }


def test_faults_are_errors_for_their_table_alone(standin: BigQueryStandIn, tmp_path: Path) -> None:
    tables = {
        "orders": f"{orders_source()}key: [order_id]\nrules:\n"
        '  - name: order_id_is_key\n    rule: IsPrimaryKey "order_id"\n'
        # planted: a STRUCT column cannot be grouped in BigQuery, an ARRAY cannot be compared
        '  - name: payload_unique\n    rule: IsUnique "payload"\n'
        '  - name: tags_distinct\n    rule: DistinctValuesCount "tags" > 0\n',
        "ghosts": orders_source("ghosts"),  # planted: no such table
        "slow": orders_source("slow_orders", ", timeout_seconds: 1"),  # planted: held until cancelled
        "guarded": orders_source(
            settings=", maximum_bytes_billed: 1000"
        ),  # planted: BigQuery bills >= 10 MiB
    }
    cancelled_before = len(standin.cancelled)
    found = materialize(define(tmp_path / "defs", tables), standin.endpoint)

    assert found["orders"]["order_id_is_key"][0] == "fail"  # the rest of the run goes on
    assert found["orders"]["profile"][0] == "pass"
    assert (
        found["orders"]["payload_unique"]
        == (
            "error",
            found["orders"]["payload_unique"][1],
        )
        and "Grouping by expressions of type STRUCT is not allowed" in found["orders"]["payload_unique"][1]
    )
    assert found["orders"]["tags_distinct"][0] == "error"
    assert "type ARRAY" in found["orders"]["tags_distinct"][1]
    assert found["customers"]["profile"][0] == "pass"

    ghosts = found["ghosts"]["profile"][1]
    assert ghosts.startswith("error: bigquery:dq-test.shop.ghosts: table not found: 404 ")
    assert {outcome for outcome, _ in found["ghosts"].values()} == {"error"}

    slow = found["slow"]["profile"]
    assert slow[0] == "error"
    assert (
        "bigquery:dq-test.shop.slow_orders: the statement exceeded timeout_seconds (1 s) and was cancelled"
        in slow[1]
    )
    assert len(standin.cancelled) > cancelled_before  # the stand-in saw jobs.cancel for it

    guarded = found["guarded"]["profile"]
    assert guarded[0] == "error"
    assert (
        "bigquery:dq-test.shop.step_orders: the query would bill more than maximum_bytes_billed "
        "(1,000 bytes); not run: 400 " in guarded[1]
    )
    assert "10485760 or higher required" in guarded[1]


def test_a_wrong_credential_is_an_error_naming_the_table_without_the_key(
    standin: BigQueryStandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # planted: a service-account key BigQuery never issued; a local file table beside it passes
    stranger = standin.write_adc_file(tmp_path / "stranger.json", known_key=False)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(stranger))
    folder = define(tmp_path / "defs", {"orders": orders_source()})
    (folder / "customers.yaml").unlink()
    pa.parquet.write_table(CUSTOMERS, tmp_path / "customers.parquet")
    (folder / "local.yaml").write_text(
        f"table: local\nsource: {{type: file, path: '{tmp_path / 'customers.parquet'}'}}\n"
    )
    found = materialize(folder, standin.endpoint)
    description = found["orders"]["profile"][1]
    assert description.startswith("error: bigquery:dq-test.shop.step_orders: cannot authenticate: ")
    assert "Invalid JWT Signature" in description
    assert "PRIVATE KEY" not in description and "check Application Default Credentials" in description
    assert found["local"]["profile"][0] == "pass"


def test_a_token_the_api_refuses_is_an_authentication_error(standin: BigQueryStandIn) -> None:
    # planted: the token endpoint hands out a token the API does not accept (401 on every call)
    standin.issued_token = "revoked"
    try:
        with pytest.raises(SourceError) as raised:
            BigQuerySourceResource(api_endpoint=standin.endpoint).open(spec("dq-test.shop.step_orders"))
    finally:
        standin.issued_token = None
    assert str(raised.value).startswith("bigquery:dq-test.shop.step_orders: cannot authenticate: 401 ")
    assert "revoked" not in str(raised.value)


def test_describe_sample_dry_run_and_test_connection(
    standin: BigQueryStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    resource = BigQuerySourceResource(api_endpoint=standin.endpoint)
    source = spec("dq-test.shop.step_orders")
    assert resource.test_connection(source).startswith("7 rows, 6 columns, last updated ")
    table = resource.open(source)
    description = table.describe()
    assert [(c.name, c.data_type, c.kind.value) for c in description.columns] == [
        ("order_id", "INTEGER", "numeric"),
        ("customer_id", "INTEGER", "numeric"),
        ("amount", "FLOAT", "numeric"),
        ("status", "STRING", "string"),
        ("payload", "RECORD", "other"),
        ("tags", "ARRAY<STRING>", "other"),
    ]
    assert description.row_count == 7
    assert description.data_version is not None and description.data_version.startswith("etag-")
    assert description.last_updated is not None
    assert table.pruned(None) is table  # type: ignore[arg-type]

    sample = table.sample(3)
    assert list(sample.columns) == [c.name for c in description.columns] and len(sample) == 3

    with table.query_runner() as runner, caplog.at_level(logging.INFO, logger="dq.sql"):
        query = exp.select("COUNT(*)", exp.func("AVG", exp.column("amount"))).from_(runner.relation.copy())
        estimate = runner.estimated_bytes(query)
        # amount is FLOAT64: 8 bytes for each of the 6 values that are not NULL; COUNT(*) reads nothing
        assert estimate == 6 * 8
        assert runner.fetch_rows(query) == [(7, 121.0 / 6)]
    assert any("a dry run estimates 48 bytes" in r.getMessage() for r in caplog.records)
    dry = [
        body
        for _, path, body in standin.requests
        if path.endswith("/jobs") and body["configuration"].get("dryRun")
    ]
    assert dry and dry[-1]["configuration"]["query"]["maximumBytesBilled"] == str(100 * 1024**3)


def test_a_missing_table_is_an_error_when_opened(standin: BigQueryStandIn) -> None:
    with pytest.raises(SourceError, match=r"^bigquery:dq-test.shop.nowhere: table not found: 404 "):
        BigQuerySourceResource(api_endpoint=standin.endpoint).open(spec("dq-test.shop.nowhere"))
