"""The same rules and profile, run by Spark SQL through the `spark` source, agree with local DuckDB.

ORDERS is read as Parquet files at a path (the source's temporary view); CUSTOMERS is a catalog
table saved in the session's warehouse. The runner is the source's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.parquet as pq
import pytest
from sqlglot import exp

from dq_checks.config.sources import SparkSourceSpec
from dq_resources.spark import SparkSourceResource
from tests.engines.agreement import CUSTOMERS, ORDERS, SameAsDuckDB

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark_tables(spark_session: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """ORDERS as a Parquet folder; CUSTOMERS saved as the catalog table `agreement_customers`."""
    folder = tmp_path_factory.mktemp("spark-agreement")
    (folder / "orders").mkdir()
    pq.write_table(ORDERS, folder / "orders" / "part-0.parquet")
    pq.write_table(CUSTOMERS, folder / "customers.parquet")
    spark_session.read.parquet(str(folder / "customers.parquet")).write.saveAsTable("agreement_customers")
    yield folder
    spark_session.sql("DROP TABLE IF EXISTS agreement_customers")


class TestSpark(SameAsDuckDB):
    @pytest.fixture(scope="class")
    @classmethod
    def remote(cls, spark_tables: Path) -> Iterator[tuple[Any, exp.Table]]:
        resource = SparkSourceResource()
        orders = resource.open(SparkSourceSpec(type="spark", path=str(spark_tables / "orders")))
        customers = resource.open(SparkSourceSpec(type="spark", table="agreement_customers"))
        with orders.query_runner() as runner:
            yield runner, customers.relation

    def test_the_plan_runs_in_spark_sql_over_the_files_in_place(self, remote: tuple[Any, exp.Table]) -> None:
        runner, customers = remote
        assert runner.dialect == "spark"
        assert customers.name == "agreement_customers"  # the catalog table, joined in Spark
        assert runner.fetch_rows(exp.select("count(*)").from_(runner.relation.copy())) == [(400,)]
