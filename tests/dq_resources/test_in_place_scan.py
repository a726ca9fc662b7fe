"""Reading Parquet in place gives exactly what the copy gives, on every shape of Iceberg table.

Each test builds a real Iceberg table (pyiceberg's SqlCatalog on sqlite) with planted defects,
inspects it twice through the whole check step, once read in place and once copied
(`scan_in_place=False`), and asserts the same profile and the same outcome for every check,
and which path each shape took. Shapes the in-place reader cannot read as pyiceberg reads
them (a delete file, a renamed or re-typed column) must be copied, and say why.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType

from dq_checks.config.loader import DefinedTable, load_table_specs
from dq_checks.results.inspection import TableInspection
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_runs.inspect import inspect_table
from tests.iceberg_delete_files import append_position_deletes

RULES = """\
rules:
  - {name: rows, rule: 'RowCount between 1 and 100000'}
  - {name: amount_complete, rule: 'IsComplete "amount"'}
  - {name: amount_positive, rule: 'ColumnValues "amount" > 0'}
  - {name: id_unique, rule: 'IsUnique "id"'}
  - {name: known_region, rule: 'ColumnValues "region" in ["eu", "us"]'}
  - {name: mean_amount, rule: 'Mean "amount" between 10 and 20'}
"""


def batch(first_id: int, amounts: list[float | None], regions: list[str | None]) -> pa.Table:
    """Rows with ids from `first_id`, in the table's own field order."""
    ids = list(range(first_id, first_id + len(amounts)))
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "amount": pa.array(amounts, pa.float64()),
            "region": pa.array(regions, pa.string()),
        }
    )


# Planted: one NULL amount (id 3), one negative amount (id 4), one unknown region "mars" (id 7).
FIRST = batch(1, [10.0, 12.5, None, -4.0, 15.0], ["eu", "us", "eu", "us", "eu"])
SECOND = batch(6, [11.0, 13.0, 14.0], ["us", "mars", "eu"])
THIRD = batch(9, [16.0, 18.0], ["eu", None])

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=False),
    NestedField(2, "amount", DoubleType(), required=False),
    NestedField(3, "region", StringType(), required=False),
)


def define(folder: Path, catalog: str, identifier: str, extra: str = "") -> DefinedTable:
    defs = folder / "defs"
    defs.mkdir(exist_ok=True)
    (defs / "orders.yaml").write_text(
        "table: orders\nsource:\n  type: iceberg\n"
        f"  catalog: {catalog}\n  identifier: {identifier}\n" + RULES + extra,
        encoding="utf-8",
    )
    loaded = load_table_specs(defs)
    loaded.raise_for_problems()
    found = loaded.by_name("orders")
    assert found is not None
    return found


def new_table(catalog: str, partition_spec: PartitionSpec | None = None) -> Table:
    iceberg = load_named_catalog(catalog)
    iceberg.create_namespace("ns")
    if partition_spec is None:
        return iceberg.create_table("ns.orders", schema=SCHEMA)
    return iceberg.create_table("ns.orders", schema=SCHEMA, partition_spec=partition_spec)


def both_paths(defined: DefinedTable) -> tuple[TableInspection, TableInspection, str]:
    """The inspection read in place, the inspection copied, and the path the default took.

    The path is the one the profile check's metadata names (`dq/scan`).
    """
    source = defined.spec.source
    default = inspect_table(defined, IcebergCatalogResource().open(source))
    copied = inspect_table(defined, IcebergCatalogResource(scan_in_place=False).open(source))
    assert scan_of(copied).startswith("copied into memory")
    return default, copied, scan_of(default)


def scan_of(inspection: TableInspection) -> str:
    (profile,) = [c for c in inspection.checks if c.name == "profile"]
    return str(profile.metadata["dq/scan"])


def comparable(inspection: TableInspection) -> tuple[object, list[tuple[str, str, str]]]:
    """The whole profile, and every check's name, outcome and description (timings left out).

    Floats are compared to 12 significant digits: DuckDB sums in parallel, in whatever order its
    threads finish, so a standard deviation may differ in its last bit between any two runs.
    """
    profile = {k: v for k, v in asdict(inspection.profile).items() if k != "queries"}
    checks = [(c.name, c.outcome.value, c.description) for c in inspection.checks if c.name != "profile"]
    return json.loads(json.dumps(profile, sort_keys=True, default=str), parse_float=_twelve_digits), checks


def _twelve_digits(text: str) -> str:
    return f"{float(text):.12g}"


def outcomes(inspection: TableInspection) -> dict[str, str]:
    return {c.name: c.outcome.value for c in inspection.checks}


def assert_same(in_place: TableInspection, copied: TableInspection) -> None:
    assert comparable(in_place) == comparable(copied)


def test_appends_over_several_snapshots_are_read_in_place(scratch_catalog: str, tmp_path: Path) -> None:
    table = new_table(scratch_catalog)
    for part in (FIRST, SECOND, THIRD):
        table.append(part)
    defined = define(tmp_path, scratch_catalog, "ns.orders")

    in_place, copied, path = both_paths(defined)

    assert path == "read in place: 3 Parquet files"
    assert_same(in_place, copied)
    assert in_place.profile.row_count == 10
    # The planted NULL amount, the negative amount, "mars" and the NULL region (id 10).
    assert in_place.profile.columns["amount"].null_count == 1
    assert in_place.profile.columns["amount"].negatives == 1
    assert in_place.profile.columns["region"].null_count == 1
    assert {
        name: outcomes(in_place)[name] for name in ("amount_complete", "amount_positive", "known_region")
    } == {
        "amount_complete": "fail",
        "amount_positive": "fail",
        "known_region": "fail",
    }
    assert outcomes(in_place)["id_unique"] == "pass"


def test_a_delete_file_is_copied_and_its_rows_are_gone(scratch_catalog: str, tmp_path: Path) -> None:
    table = new_table(scratch_catalog)
    table.append(FIRST)
    table.append(SECOND)
    by_rows = {t.file.record_count: t.file.file_path for t in table.scan().plan_files()}
    # Planted: two position delete files removing the negative amount (id 4, row 3 of the first
    # file) and "mars" (id 7, row 1 of the second).
    append_position_deletes(table, {by_rows[5]: [3]})
    append_position_deletes(load_named_catalog(scratch_catalog).load_table("ns.orders"), {by_rows[3]: [1]})
    defined = define(tmp_path, scratch_catalog, "ns.orders")

    in_place, copied, path = both_paths(defined)

    assert path == "copied into memory (the snapshot has delete files)"
    assert_same(in_place, copied)
    assert in_place.profile.row_count == 6
    assert in_place.profile.columns["amount"].negatives == 0
    assert outcomes(in_place)["known_region"] == "pass"


def test_a_renamed_column_is_copied_under_its_new_name(scratch_catalog: str, tmp_path: Path) -> None:
    table = new_table(scratch_catalog)
    table.append(FIRST)
    with table.update_schema() as update:
        update.rename_column("region", "area")
    table.append(SECOND.rename_columns(["id", "amount", "area"]))
    defined = define(tmp_path, scratch_catalog, "ns.orders", "pii_columns: []\n")

    in_place, copied, path = both_paths(defined)

    assert (
        path == "copied into memory (column 'area' was renamed since data file " + path.split("data file ")[1]
    )
    assert_same(in_place, copied)
    # The first file's regions read under the new name: 8 rows, none NULL.
    assert in_place.profile.columns["area"].null_count == 0
    assert in_place.profile.row_count == 8


def test_a_retyped_column_is_copied(scratch_catalog: str, tmp_path: Path) -> None:
    iceberg = load_named_catalog(scratch_catalog)
    iceberg.create_namespace("ns")
    narrow = Schema(
        NestedField(1, "id", LongType(), required=False), NestedField(2, "qty", _int(), required=False)
    )
    table = iceberg.create_table("ns.orders", schema=narrow)
    table.append(pa.table({"id": pa.array([1, 2], pa.int64()), "qty": pa.array([3, -1], pa.int32())}))
    with table.update_schema() as update:
        update.update_column("qty", LongType())
    table.append(pa.table({"id": pa.array([3], pa.int64()), "qty": pa.array([2**40], pa.int64())}))
    defined = define(tmp_path, scratch_catalog, "ns.orders")

    with IcebergCatalogResource().open(defined.spec.source).query_runner() as runner:
        assert "column 'qty' was re-typed since data file" in runner.scan_path
        assert runner.scan_path.startswith("copied into memory")
        ((low, high),) = runner.fetch_rows(_select('SELECT min(qty), max(qty) FROM "primary"'))
    assert (low, high) == (-1, 2**40)


def test_an_added_column_reads_as_null_in_the_older_files(scratch_catalog: str, tmp_path: Path) -> None:
    table = new_table(scratch_catalog)
    table.append(FIRST)
    with table.update_schema() as update:
        update.add_column("channel", StringType())
    # Planted: the older file has no channel (5 NULLs); the new one has two values and one NULL.
    table.append(SECOND.append_column("channel", pa.array(["web", None, "shop"], pa.string())))
    defined = define(tmp_path, scratch_catalog, "ns.orders")

    in_place, copied, path = both_paths(defined)

    assert path == "read in place: 2 Parquet files"
    assert_same(in_place, copied)
    assert in_place.profile.columns["channel"].null_count == 6


def test_a_column_added_after_every_file_reads_as_null(scratch_catalog: str, tmp_path: Path) -> None:
    table = new_table(scratch_catalog)
    table.append(FIRST)
    with table.update_schema() as update:
        update.add_column("channel", StringType())
    defined = define(tmp_path, scratch_catalog, "ns.orders")

    in_place, copied, path = both_paths(defined)

    assert path == "read in place: 1 Parquet file"
    assert_same(in_place, copied)
    assert in_place.profile.columns["channel"].null_count == 5


def test_a_partitioned_table_is_read_in_place(scratch_catalog: str, tmp_path: Path) -> None:
    by_region = PartitionSpec(
        PartitionField(source_id=3, field_id=1000, transform=IdentityTransform(), name="region")
    )
    table = new_table(scratch_catalog, by_region)
    table.append(FIRST)
    table.append(SECOND)
    defined = define(tmp_path, scratch_catalog, "ns.orders")

    in_place, copied, path = both_paths(defined)

    # One file per region and append: eu and us, then us, mars and eu.
    assert path == "read in place: 5 Parquet files"
    assert_same(in_place, copied)
    assert outcomes(in_place)["known_region"] == "fail"


def test_a_file_outside_the_snapshot_stays_unreadable_after_sealing(
    scratch_catalog: str, tmp_path: Path
) -> None:
    table = new_table(scratch_catalog)
    table.append(FIRST)
    other = tmp_path / "other.parquet"
    pq.write_table(FIRST, other)
    defined = define(tmp_path, scratch_catalog, "ns.orders")

    opened = IcebergCatalogResource().open(defined.spec.source)
    with opened.query_runner() as runner, pytest.raises(Exception, match="disabled by configuration"):
        runner.fetch_rows(_select(f"SELECT count(*) FROM read_parquet('{other}')"))


def _int() -> object:
    from pyiceberg.types import IntegerType

    return IntegerType()


def _select(sql: str) -> object:
    import sqlglot

    return sqlglot.parse_one(sql, read="duckdb")
