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

import pyarrow as pa
import pytest
import sqlglot
from sqlglot import exp

from dq_checks.config.sources import BigQuerySourceSpec
from dq_resources.bigquery import BigQuerySourceResource
from dq_resources.source_contract import ReferenceRequest, SourceError
from tests.bigquery_standin import BigQueryStandIn
from tests.e2e.test_sql_source import aggregated_or_bounded, run
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB

PROJECT = "dq-test"


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BigQueryStandIn]:
    """The stand-in holding ORDERS and CUSTOMERS in dataset `shop`, and ADC pointing at it."""
    with BigQueryStandIn(project=PROJECT) as server, pytest.MonkeyPatch.context() as patch:
        server.create_table("shop", "orders", ORDERS)
        server.create_table("shop", "customers", CUSTOMERS)
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
