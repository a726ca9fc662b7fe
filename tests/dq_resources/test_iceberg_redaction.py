"""An Iceberg source's failures go through the one redacting path: no planted secret comes out."""

from __future__ import annotations

import pyarrow as pa
import pytest

from dq_checks.config.models import IcebergSourceSpec
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.source_contract import SourceError

SECRET = "planted-s3cret"
ROWS = pa.table({"id": pa.array([1, 2, 3], pa.int64())})


def spec(catalog: str) -> IcebergSourceSpec:
    return IcebergSourceSpec(type="iceberg", catalog=catalog, identifier="ns.t")


def failure_of(catalog: str) -> str:
    with pytest.raises(SourceError) as raised:
        IcebergCatalogResource().open(spec(catalog))
    return str(raised.value)


def test_an_unusable_catalogs_uri_keeps_its_password_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYICEBERG_CATALOG__LEAKY__URI", f"nosuch://dq:{SECRET}@127.0.0.1:1/lake")

    message = failure_of("leaky")

    assert SECRET not in message
    assert message.startswith("iceberg:leaky/ns.t: iceberg catalog 'leaky' is not usable (")
    assert "nosuch://dq:***@127.0.0.1:1/lake" in message  # the cause is still said, the password masked


def test_a_catalog_that_fails_to_load_the_table_keeps_its_secrets_out(
    scratch_catalog: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyiceberg.catalog.sql import SqlCatalog

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError(f"GET https://lake.example/v1/ns/t?X-Amz-Signature={SECRET}&token={SECRET}")

    load_named_catalog(scratch_catalog)  # creates its database: the catalog exists, the table load fails
    monkeypatch.setattr(SqlCatalog, "load_table", refuse)

    message = failure_of(scratch_catalog)

    assert SECRET not in message
    assert message.startswith(f"iceberg:{scratch_catalog}/ns.t: cannot load table: GET https://lake.example/")


def test_a_read_that_fails_keeps_the_stores_credentials_out(
    scratch_catalog: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace_if_not_exists("ns")
    catalog.create_table("ns.t", schema=ROWS.schema).append(ROWS)
    opened = IcebergCatalogResource().open(spec(scratch_catalog))

    def unreadable(*_: object, **__: object) -> None:
        raise OSError(f"cannot open s3://keeper:{SECRET}@bucket/ns/t/data/00000.parquet")

    monkeypatch.setattr(opened, "in_place_plan", unreadable)
    monkeypatch.setattr(opened, "arrow_stream", unreadable)

    with pytest.raises(SourceError) as raised, opened.query_runner():
        pass
    message = str(raised.value)
    assert SECRET not in message
    assert message.startswith(
        f"iceberg:{scratch_catalog}/ns.t: cannot read data: cannot open s3://keeper:***@"
    )
