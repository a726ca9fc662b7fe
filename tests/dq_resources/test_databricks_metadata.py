"""What the `databricks` source reads from Databricks' answers, on answers shaped as Databricks gives them.

The stand-in's tables are Parquet (no Delta jar installs from PyPI), so the Delta paths of
`describe()` are held here: `DESCRIBE TABLE EXTENDED` of a partitioned Delta table, `DESCRIBE
DETAIL`'s `lastModified` and `DESCRIBE HISTORY`'s newest version, as the connector returns them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from dq_checks.schema import ColumnKind
from dq_resources.databricks.errors import server_message, statement_failure
from dq_resources.databricks.metadata import catalog_facts, delta_last_modified, delta_version
from dq_resources.databricks.types import column_kind

DELTA_DESCRIBE_EXTENDED = [
    ("order_id", "bigint", None),
    ("amount", "decimal(10,2)", None),
    ("placed_on", "date", None),
    ("# Partition Information", "", ""),
    ("# col_name", "data_type", "comment"),
    ("placed_on", "date", None),  # the partition column again: not a second column
    ("", "", ""),
    ("# Detailed Table Information", "", ""),
    ("Catalog", "main", ""),
    ("Database", "shop", ""),
    ("Table", "orders", ""),
    ("Type", "MANAGED", ""),
    ("Location", "s3://bucket/orders", ""),
    ("Provider", "delta", ""),
    ("Statistics", "20480 bytes, 1200 rows", ""),
]


def test_describe_extended_gives_the_columns_once_the_format_and_the_statistics() -> None:
    facts = catalog_facts(DELTA_DESCRIBE_EXTENDED)
    assert [(c.name, c.data_type, c.kind) for c in facts.columns] == [
        ("order_id", "bigint", ColumnKind.NUMERIC),
        ("amount", "decimal(10,2)", ColumnKind.NUMERIC),
        ("placed_on", "date", ColumnKind.TEMPORAL),
    ]
    assert facts.is_delta
    assert facts.row_count == 1200
    assert facts.location == "s3://bucket/orders"


def test_without_statistics_the_row_count_is_unknown() -> None:
    rows = [r for r in DELTA_DESCRIBE_EXTENDED if r[0] != "Statistics"]
    assert catalog_facts(rows).row_count is None


def test_delta_detail_and_history_give_the_last_commit_and_its_version() -> None:
    # the connector gives TIMESTAMP values as naive UTC wall-clock times in a UTC session
    detail = {"format": "delta", "lastModified": datetime(2026, 11, 30, 8, 15), "numFiles": 3}
    assert delta_last_modified(detail) == datetime(2026, 11, 30, 8, 15, tzinfo=UTC)
    assert delta_last_modified({"format": "delta", "lastModified": None}) is None
    assert delta_version([{"version": 42, "operation": "WRITE"}]) == "42"
    assert delta_version([]) is None


def test_types_map_to_kinds() -> None:
    kinds = {
        t: column_kind(t)
        for t in (
            "int",
            "decimal(38,0)",
            "varchar(20)",
            "timestamp_ntz",
            "boolean",
            "binary",
            "map<string,int>",
        )
    }
    assert kinds == {
        "int": ColumnKind.NUMERIC,
        "decimal(38,0)": ColumnKind.NUMERIC,
        "varchar(20)": ColumnKind.STRING,
        "timestamp_ntz": ColumnKind.TEMPORAL,
        "boolean": ColumnKind.BOOLEAN,
        "binary": ColumnKind.OTHER,
        "map<string,int>": ColumnKind.OTHER,
    }


class ServerError(Exception):
    """An error whose text is what the server sent (the connector's ServerOperationError carries it so)."""


def test_a_failed_statement_keeps_the_message_without_the_exception_classes_or_the_values() -> None:
    spark = ServerError(
        "org.apache.hive.service.cli.HiveSQLException: Error running query: [CAST_INVALID_INPUT] "
        "org.apache.spark.SparkNumberFormatException: [CAST_INVALID_INPUT] The value 'alice@example.com' "
        'of the type "STRING" cannot be cast to "INT" because it is malformed. SQLSTATE: 22018\n'
        "== SQL ==\n..."
    )
    assert statement_failure(spark) == (  # the value is hidden; a type, like a column, is a name
        '[CAST_INVALID_INPUT] The value <value> of the type "STRING" cannot be cast to <value> because it '
        "is malformed. SQLSTATE: 22018"
    )
    parse = ServerError(
        "org.apache.hive.service.cli.HiveSQLException: Error running query: [PARSE_SYNTAX_ERROR] "
        "org.apache.spark.sql.catalyst.parser.ParseException: \n[PARSE_SYNTAX_ERROR] Syntax error at or near "
        "'FROM'. SQLSTATE: 42601"
    )
    assert server_message(parse) == "[PARSE_SYNTAX_ERROR] Syntax error at or near 'FROM'. SQLSTATE: 42601"
