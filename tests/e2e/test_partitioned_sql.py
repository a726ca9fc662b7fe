"""A daily-partitioned table on a real PostgreSQL: each partition is checked on its own rows, the
filter reaches the database as a range on the partition column, and the planner answers it from
the column's index.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import psycopg2
import pytest

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import DefinedTable, load_table_specs
from tests.check_outcomes import skipped_checks

pytestmark = pytest.mark.postgres

DAYS = 200
ROWS_PER_DAY = 500
FIRST_DAY = "2026-05-15"  # the 200 days run to 2026-11-30
INDEX = "events_order_date_idx"


@pytest.fixture
def events(postgres_database: str) -> Iterator[str]:
    """`shop.events`: 500 clean rows a day for 200 days, and two defects planted on 2026-11-29 only."""
    connection = psycopg2.connect(postgres_database)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA shop")
        cursor.execute("CREATE TABLE shop.events (event_id bigint, order_date date, amount double precision)")
        cursor.execute(
            "INSERT INTO shop.events SELECT n, DATE %s + (n / %s)::int, 1 + n %% 50 "
            "FROM generate_series(0, %s - 1) AS n",
            (FIRST_DAY, ROWS_PER_DAY, DAYS * ROWS_PER_DAY),
        )
        # planted on 2026-11-29: one negative amount, and one event loaded twice
        cursor.execute("UPDATE shop.events SET amount = -3 WHERE event_id = (SELECT min(event_id) FROM "
                       "shop.events WHERE order_date = DATE '2026-11-29')")  # fmt: skip
        cursor.execute(
            "INSERT INTO shop.events SELECT * FROM shop.events WHERE order_date = DATE '2026-11-29' "
            "ORDER BY event_id DESC LIMIT 1"
        )
        cursor.execute(f"CREATE INDEX {INDEX} ON shop.events (order_date)")
        cursor.execute("ANALYZE shop.events")
    connection.close()
    yield postgres_database


def define(folder: Path, url: str, partition: str) -> DefinedTable:
    folder.mkdir(exist_ok=True)
    (folder / "events.yaml").write_text(
        f"table: events\nsource: {{type: sql, url: '{url}', table: shop.events}}\n"
        f"partition: {partition}\n"
        "rules:\n"
        '  - name: event_id_is_key\n    rule: IsPrimaryKey "event_id"\n'
        '  - name: amount_positive\n    rule: ColumnValues "amount" > 0\n'
        "  - name: a_full_day\n    rule: RowCount >= 500\n"
        '  - name: no_refunds\n    rule: CustomSql "select count(*) from primary where amount < 0" = 0\n',
        encoding="utf-8",
    )
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    return loaded.by_name("events")


def check_partitions(defined: DefinedTable, keys: list[str]) -> dict[str, dict[str, dg.AssetCheckEvaluation]]:
    """Materialize each partition in turn on one instance: each partition's check evaluations by name."""
    asset = build_table_asset(defined, {"events": defined})
    found: dict[str, dict[str, dg.AssetCheckEvaluation]] = {}
    with dg.DagsterInstance.ephemeral() as instance:
        for key in keys:
            result = dg.materialize(
                [asset],
                instance=instance,
                resources=default_resources(),
                partition_key=key,
                raise_on_error=False,
            )
            found[key] = {e.check_name: e for e in result.get_asset_check_evaluations()}
            assert "volume" in skipped_checks(result) or "volume" in found[key]
    return found


def outcome(evaluation: dg.AssetCheckEvaluation) -> str:
    return str(evaluation.metadata["dq/outcome"].value)


def test_each_day_is_checked_on_its_own_rows_and_only_the_planted_day_fails(
    events: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    defined = define(tmp_path / "defs", events, f"{{column: order_date, by: day, start: '{FIRST_DAY}'}}")
    with caplog.at_level(logging.INFO, logger="dq.sql"):
        checked = check_partitions(defined, ["2026-11-28", "2026-11-29", "2026-11-30"])

    for key, evaluations in checked.items():
        assert {e.partition for e in evaluations.values()} == {key}  # recorded per partition
    rules = ("event_id_is_key", "amount_positive", "a_full_day", "no_refunds")
    assert {k: tuple(outcome(checked[k][r]) for r in rules) for k in checked} == {
        "2026-11-28": ("pass", "pass", "pass", "pass"),
        "2026-11-29": ("fail", "fail", "pass", "fail"),  # the two planted defects, and 501 rows
        "2026-11-30": ("pass", "pass", "pass", "pass"),
    }
    assert checked["2026-11-29"]["amount_positive"].metadata["failed_count"].value == 1
    assert checked["2026-11-29"]["event_id_is_key"].metadata["duplicate_rows"].value == 2
    assert checked["2026-11-28"]["profile"].description.startswith("profiled 500 rows")
    assert checked["2026-11-29"]["profile"].description.startswith("profiled 501 rows")

    # Every statement over the table carries the day's range on order_date, in the database.
    statements = [r.getMessage().split(": ", 1)[1] for r in caplog.records if r.name == "dq.sql"]
    over_events = [sql for sql in statements if "events" in sql]
    assert over_events
    day = "\"order_date\" >= CAST('2026-11-29' AS DATE) AND \"order_date\" < CAST('2026-11-30' AS DATE)"
    assert sum(day in sql for sql in over_events) >= 3
    assert all('order_date" >= CAST(' in sql for sql in over_events)

    # The planner answers the range from the index, not by reading 100,000 rows.
    connection = psycopg2.connect(events)
    with connection.cursor() as cursor:
        first = next(sql for sql in over_events if day in sql)
        cursor.execute(f"EXPLAIN {first}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    connection.close()
    assert INDEX in plan, plan
    assert "Seq Scan on events" not in plan, plan


def test_a_partition_column_that_is_missing_or_not_a_date_is_an_error_naming_the_line(
    events: str, tmp_path: Path
) -> None:
    missing = define(tmp_path / "a", events, f"{{column: ordered_on, by: day, start: '{FIRST_DAY}'}}")
    wrong_type = define(tmp_path / "b", events, f"{{column: amount, by: day, start: '{FIRST_DAY}'}}")
    for defined, cause in (
        (missing, "partition column 'ordered_on' is not a column of the table"),
        (
            wrong_type,
            "partition column 'amount' is double precision: a time partition needs a DATE or TIMESTAMP",
        ),
    ):
        [evaluations] = check_partitions(defined, ["2026-11-29"]).values()
        assert {outcome(e) for e in evaluations.values()} == {"error"}
        description = evaluations["profile"].description
        assert f"{defined.path}:3: {cause}" in description, description  # partition: is line 3


def test_a_start_that_does_not_parse_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "events.yaml").write_text(
        "table: events\nsource: {type: sql, url: 'postgresql://h/db', table: shop.events}\n"
        "partition: {column: order_date, by: day, start: '30/11/2026'}\n",
        encoding="utf-8",
    )
    problems = load_table_specs(folder).problems
    assert [str(p) for p in problems] == [
        f"{folder / 'events.yaml'}:3: partition: start '30/11/2026' is not a day like 2026-01-01"
    ]
