"""dq's checks on a user's daily-partitioned asset, in a scratch dg project driven by the real `dg`.

The shop's `events` asset appends one day of rows to an Iceberg table (a sqlite catalog) per
partition. dq's definition attaches to it with `asset: events` and names only the column that
holds the day: the component reads the asset's daily partitions from the project, so Dagster runs
dq's checks after each partition and records their results per partition. A definition whose
partitions disagree with the asset's stops `dg check defs` at its line.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import dagster as dg
import pytest
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import IdentityTransform
from pyiceberg.types import DateType, DoubleType, LongType, NestedField

from tests.dg_projects import DgProject, new_project

SHOP_ASSETS = '''
"""The shop's own pipeline: each day's events are appended to an Iceberg table."""

import datetime

import dagster as dg

DAILY = dg.DailyPartitionsDefinition(start_date="2026-11-01")


@dg.asset(partitions_def=DAILY)
def events(context: dg.AssetExecutionContext) -> None:
    import pyarrow as pa
    from pyiceberg.catalog import load_catalog

    day = datetime.date.fromisoformat(context.partition_key)
    ids = [day.toordinal() * 10 + n for n in range(4)]
    amounts = [10.0, 20.0, 30.0, 40.0]
    if context.partition_key == "2026-11-29":
        amounts[0] = -1.0  # planted: one negative amount, on this day only
    rows = pa.table(
        {
            "event_id": pa.array(ids, pa.int64()),
            "event_date": pa.array([day] * 4, pa.date32()),
            "amount": pa.array(amounts, pa.float64()),
        }
    )
    load_catalog("shop").load_table("shop.events").append(rows)
'''

EVENTS_TABLE = """
asset: events
source: {type: iceberg, catalog: shop, identifier: shop.events}
partition: {column: event_date}   # the days are the asset's own partitions
rules:
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: four_events_a_day
    rule: RowCount = 4
"""

RULE_CHECKS = ("amount_positive", "four_events_a_day")

SCHEMA = Schema(
    NestedField(1, "event_id", LongType(), required=False),
    NestedField(2, "event_date", DateType(), required=False),
    NestedField(3, "amount", DoubleType(), required=False),
)


@pytest.fixture
def shop(tmp_path: Path) -> tuple[DgProject, dict[str, str]]:
    """The shop's project, and the environment naming its Iceberg catalog `shop` (an empty table)."""
    warehouse = tmp_path / "lake"
    warehouse.mkdir()
    env = {
        "PYICEBERG_CATALOG__SHOP__TYPE": "sql",
        "PYICEBERG_CATALOG__SHOP__URI": f"sqlite:///{tmp_path / 'catalog.db'}",
        "PYICEBERG_CATALOG__SHOP__WAREHOUSE": warehouse.as_uri(),
    }
    catalog = SqlCatalog("shop", uri=env["PYICEBERG_CATALOG__SHOP__URI"], warehouse=warehouse.as_uri())
    catalog.create_namespace("shop")
    spec = PartitionSpec(PartitionField(2, 1000, IdentityTransform(), "event_date"))
    catalog.create_table("shop.events", SCHEMA, partition_spec=spec)
    project = new_project(
        tmp_path, "acme_events", own_definitions="dg.Definitions(executor=dg.in_process_executor)"
    )
    project.write("acme_events/defs/shop_assets.py", SHOP_ASSETS)
    done = project.dg("scaffold", "defs", "dq.DataQualityComponent", "quality")
    assert done.returncode == 0, done.stderr
    (project.defs / "quality" / "tables" / "events.yaml").write_text(textwrap.dedent(EVENTS_TABLE))
    for example in (project.defs / "quality" / "tables").glob("*.yaml"):
        if example.name != "events.yaml":
            example.unlink()  # the scaffold's example table
    return project, env


def test_each_partition_of_the_users_asset_is_checked_once_and_only_the_planted_day_fails(
    shop: tuple[DgProject, dict[str, str]],
) -> None:
    project, env = shop
    checked = project.dg("check", "defs", env=env)
    assert checked.returncode == 0, checked.stderr

    for day in ("2026-11-28", "2026-11-29", "2026-11-30"):
        launched = project.dg("launch", "--assets", "events", "--partition", day, env=env)
        assert launched.returncode == 0, launched.stderr

    with dg.DagsterInstance.from_config(str(project.home)) as instance:
        outcomes = partition_outcomes(instance, dg.AssetKey("events"))
    assert outcomes == {
        ("2026-11-28", "amount_positive"): True,
        ("2026-11-28", "four_events_a_day"): True,
        ("2026-11-29", "amount_positive"): False,  # the planted negative amount
        ("2026-11-29", "four_events_a_day"): True,  # each day holds its own 4 rows, not the table's 12
        ("2026-11-30", "amount_positive"): True,
        ("2026-11-30", "four_events_a_day"): True,
    }


def partition_outcomes(instance: dg.DagsterInstance, asset: dg.AssetKey) -> dict[tuple[str, str], bool]:
    """(partition, rule check) -> passed, for every rule check evaluation recorded on `asset`."""
    found: dict[tuple[str, str], bool] = {}
    for record in instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=500
    ):
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.asset_key == asset and evaluation.check_name in (
            "amount_positive",
            "four_events_a_day",
        ):
            key = (evaluation.partition, evaluation.check_name)
            assert key not in found, f"{key} was checked twice"
            found[key] = evaluation.passed
    return found


@pytest.mark.parametrize(
    ("partition", "refusal"),
    [
        (
            "",  # no partition: block on a partitioned asset
            "events.yaml:2: asset 'events' is partitioned (Daily, starting 2026-11-01 UTC), so each "
            "partition's checks must read its rows alone",
        ),
        (
            'partition: {column: event_date, by: month, start: "2026-11-01"}\n',
            "events.yaml:4: partition: says Monthly, starting 2026-11-01 UTC, but asset 'events' is "
            "partitioned Daily, starting 2026-11-01 UTC;",
        ),
    ],
)
def test_partitions_that_disagree_with_the_users_asset_stop_the_load_at_their_line(
    shop: tuple[DgProject, dict[str, str]], partition: str, refusal: str
) -> None:
    project, env = shop
    definition = project.defs / "quality" / "tables" / "events.yaml"
    written = definition.read_text().replace(
        "partition: {column: event_date}   # the days are the asset's own partitions\n", partition
    )
    definition.write_text(written)

    checked = project.dg("check", "defs", env=env)

    assert checked.returncode != 0
    assert refusal in checked.stderr + checked.stdout
