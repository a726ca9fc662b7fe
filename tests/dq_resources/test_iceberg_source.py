"""The Iceberg source on real pyiceberg tables in a sqlite-backed catalog."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from sqlalchemy.engine import make_url

from dq_checks.config.models import IcebergSourceSpec
from dq_checks.schema import ColumnKind
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import bounded_sql_uri, load_named_catalog
from dq_resources.iceberg.clock import snapshot_clock
from dq_resources.iceberg.reader import stream_table
from dq_resources.source_contract import SourceError
from tests.silent_server import SilentServer

SAMPLE = pa.table(
    {
        "id": pa.array([1, 2, 3, 4], pa.int64()),
        "price": pa.array([1.5, None, 3.25, 0.0], pa.float64()),
        "name": pa.array(["a", "b", None, "b"], pa.string()),
        "ok": pa.array([True, False, True, None], pa.bool_()),
        "at": pa.array([datetime(2026, 1, 1, tzinfo=UTC)] * 4, pa.timestamp("us", tz="UTC")),
        "tags": pa.array([[1], [2], [], None], pa.list_(pa.int32())),
    }
)


def spec(catalog: str, identifier: str = "ns.sample") -> IcebergSourceSpec:
    return IcebergSourceSpec(type="iceberg", catalog=catalog, identifier=identifier)


def make_table(catalog_name: str, data: pa.Table = SAMPLE, identifier: str = "ns.sample"):
    catalog = load_named_catalog(catalog_name)
    catalog.create_namespace_if_not_exists(identifier.split(".", maxsplit=1)[0])
    return catalog.create_table(identifier, schema=data.schema)


def test_describe_reads_schema_rows_and_snapshot_time(scratch_catalog: str) -> None:
    table = make_table(scratch_catalog)
    committed = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    with snapshot_clock(committed):
        table.append(SAMPLE)

    description = IcebergCatalogResource().open(spec(scratch_catalog)).describe()

    assert [(c.name, c.kind) for c in description.columns] == [
        ("id", ColumnKind.NUMERIC),
        ("price", ColumnKind.NUMERIC),
        ("name", ColumnKind.STRING),
        ("ok", ColumnKind.BOOLEAN),
        ("at", ColumnKind.TEMPORAL),
        ("tags", ColumnKind.OTHER),
    ]
    assert [c.data_type for c in description.columns][:5] == [
        "long",
        "double",
        "string",
        "boolean",
        "timestamptz",
    ]
    assert description.row_count == 4
    # The data's own time: the snapshot's commit time, not the time we looked.
    assert description.last_updated == committed
    assert description.data_version == str(table.refresh().current_snapshot().snapshot_id)


def test_snapshot_clock_orders_a_history(scratch_catalog: str) -> None:
    table = make_table(scratch_catalog)
    first, second = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 3, tzinfo=UTC)
    with snapshot_clock(first):
        table.append(SAMPLE)
    with snapshot_clock(second):
        table.append(SAMPLE)
    stamps = [s.timestamp_ms for s in table.refresh().snapshots()]
    assert stamps == [int(first.timestamp() * 1000), int(second.timestamp() * 1000)]
    assert table.metadata.last_updated_ms == int(second.timestamp() * 1000)
    # Outside the block the real clock is back.
    table.append(SAMPLE)
    assert table.refresh().current_snapshot().timestamp_ms > int(
        datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000
    )


def test_snapshot_clock_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"), snapshot_clock(datetime(2026, 1, 1)):
        pass


def test_empty_table_has_no_snapshot(scratch_catalog: str) -> None:
    make_table(scratch_catalog)
    opened = IcebergCatalogResource().open(spec(scratch_catalog))
    description = opened.describe()
    assert (description.row_count, description.last_updated, description.data_version) == (0, None, None)
    with opened.query_runner() as runner:
        assert runner.rows_loaded == 0


def test_stream_reads_every_file_and_honours_deletes(scratch_catalog: str) -> None:
    table = make_table(scratch_catalog)
    for _ in range(3):  # three appends: three data files
        table.append(SAMPLE)
    table.delete("id = 1")  # removes 3 of the 12 rows
    reader = stream_table(table.refresh())
    rows = sum(batch.num_rows for batch in reader)
    assert rows == 9
    with IcebergCatalogResource().open(spec(scratch_catalog)).query_runner() as runner:
        assert runner.rows_loaded == 9


def test_missing_table_is_unavailable_with_its_name(scratch_catalog: str) -> None:
    with pytest.raises(SourceError) as error:
        IcebergCatalogResource().open(spec(scratch_catalog, "ns.nope"))
    assert f"iceberg:{scratch_catalog}/ns.nope" in str(error.value)
    assert "not found" in str(error.value)


def test_unconfigured_catalog_names_the_variable_to_set() -> None:
    with pytest.raises(SourceError) as error:
        IcebergCatalogResource().open(spec("nosuchcatalog"))
    assert "PYICEBERG_CATALOG__NOSUCHCATALOG__URI" in str(error.value)


def test_deleted_data_file_is_unavailable_when_read(scratch_catalog: str, tmp_path: Path) -> None:
    table = make_table(scratch_catalog)
    table.append(SAMPLE)
    for data_file in (tmp_path / "warehouse").rglob("*.parquet"):
        data_file.unlink()  # planted: the data is gone, the metadata still points at it
    opened = IcebergCatalogResource().open(spec(scratch_catalog))
    assert opened.describe().row_count == 4  # metadata alone still answers
    with pytest.raises(SourceError, match="cannot read data"), opened.query_runner():
        pass


def test_memory_limit_setting_rejects_sql() -> None:
    from dq_resources.engines import LocalDuckDB, LocalScanSettings

    with pytest.raises(ValueError, match="memory_limit"):
        LocalDuckDB(LocalScanSettings(memory_limit="1GB'; DROP TABLE x; --"))


# -- a catalog that accepts connections and never answers: a real silent socket


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    with SilentServer() as server:
        yield server


def test_a_rest_catalog_that_never_answers_times_out(
    silent: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYICEBERG_CATALOG__HUSHED__URI", silent.url)
    source = IcebergSourceSpec(
        type="iceberg", catalog="hushed", identifier="ns.t", connect_timeout_seconds=0.5
    )
    with pytest.raises(SourceError) as raised:
        IcebergCatalogResource().open(source)
    message = str(raised.value)
    assert message.startswith(
        "iceberg:hushed/ns.t: catalog 'hushed': timed out (connect_timeout_seconds is 0.5): "
    )
    assert "Read timed out. (read timeout=0.5)" in message
    assert silent.connections == 1


def test_a_postgres_sql_catalog_that_never_answers_times_out(
    silent: SilentServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PYICEBERG_CATALOG__HUSHEDPG__URI", f"postgresql+psycopg2://dq@127.0.0.1:{silent.port}/db"
    )
    source = IcebergSourceSpec(
        type="iceberg", catalog="hushedpg", identifier="ns.t", connect_timeout_seconds=1
    )
    with pytest.raises(SourceError) as raised:
        IcebergCatalogResource().open(source)
    message = str(raised.value)
    assert message.startswith(
        "iceberg:hushedpg/ns.t: catalog 'hushedpg': timed out (connect_timeout_seconds is 1): "
    )
    assert message.endswith("timeout expired")
    assert silent.connections >= 1


def test_a_postgres_catalog_uri_gains_time_limits_but_keeps_its_own() -> None:
    limits = IcebergSourceSpec(
        type="iceberg", catalog="c", identifier="ns.t", connect_timeout_seconds=0.5, timeout_seconds=30
    )
    bounded = make_url(bounded_sql_uri("postgresql://u:pw@db.example/lake", limits))
    assert bounded.password == "pw"
    assert dict(bounded.query) == {
        "connect_timeout": "2",
        "options": "-c statement_timeout=30000",
    }  # libpq: >= 2
    own = make_url(bounded_sql_uri("postgresql+psycopg2://db.example/lake?connect_timeout=7", limits))
    assert dict(own.query) == {"connect_timeout": "7", "options": "-c statement_timeout=30000"}
    assert bounded_sql_uri("sqlite:///catalog.db", limits) == "sqlite:///catalog.db"
