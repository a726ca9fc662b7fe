"""What the spark source reads from Spark's catalog and schema, without starting Spark."""

from __future__ import annotations

from datetime import UTC, datetime

from pyspark.sql import types

from dq_resources.spark.metadata import catalog_facts
from dq_resources.spark.types import spark_columns

DESCRIBED = [
    ("id", "bigint", None),
    ("", "", ""),
    ("# Detailed Table Information", "", ""),
    ("Statistics", "3159 bytes, 7 rows", ""),
    ("Location", "s3a://lake/shop/orders", ""),
    ("Provider", "hive", ""),
    ("Table Properties", "[numFiles=2, transient_lastDdlTime=1750000000]", ""),
]


def test_describe_table_extended_gives_rows_location_and_last_change() -> None:
    facts = catalog_facts(DESCRIBED)
    assert facts.row_count == 7
    assert facts.location == "s3a://lake/shop/orders"
    assert facts.provider == "hive"
    assert facts.updated() == datetime.fromtimestamp(1_750_000_000, UTC)


def test_statistics_without_rows_and_a_last_modified_in_milliseconds() -> None:
    facts = catalog_facts(
        [("Statistics", "3159 bytes", ""), ("Table Properties", "[lastModified=1750000000123]", "")]
    )
    assert facts.row_count is None  # never analyzed: the profile counts the rows
    assert facts.updated() == datetime.fromtimestamp(1_750_000_000.123, UTC)
    assert catalog_facts([]).updated() is None


def test_spark_types_as_column_kinds() -> None:
    schema = types.StructType(
        [
            types.StructField("id", types.LongType()),
            types.StructField("price", types.DecimalType(10, 2)),
            types.StructField("score", types.DoubleType(), nullable=False),
            types.StructField("name", types.VarcharType(20)),
            types.StructField("ok", types.BooleanType()),
            types.StructField("day", types.DateType()),
            types.StructField("at", types.TimestampNTZType()),
            types.StructField("tags", types.ArrayType(types.StringType())),
            types.StructField("attrs", types.MapType(types.StringType(), types.StringType())),
        ]
    )
    assert [(c.name, c.data_type, c.kind.value, c.nullable, c.floating) for c in spark_columns(schema)] == [
        ("id", "bigint", "numeric", True, False),
        ("price", "decimal(10,2)", "numeric", True, False),
        ("score", "double", "numeric", False, True),
        ("name", "varchar(20)", "string", True, False),
        ("ok", "boolean", "boolean", True, False),
        ("day", "date", "temporal", True, False),
        ("at", "timestamp_ntz", "temporal", True, False),
        ("tags", "array<string>", "other", True, False),
        ("attrs", "map<string,string>", "other", True, False),
    ]
