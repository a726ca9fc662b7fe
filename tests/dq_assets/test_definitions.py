"""The code location, loaded whole: concrete assets, checks, jobs and schedules."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from dq_assets.definitions import build_definitions
from dq_checks.config.loader import ConfigError
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    return build_definitions()


def test_one_asset_per_table_with_group_owners_and_lineage(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    assert sorted(k.to_user_string() for k in graph.get_all_asset_keys()) == [
        "customers",
        "customers_profile_report",
        "customers_rule_proposals",
        "dq_alerts",  # every open, acknowledged and snoozed alert, reported by the check alert sensor
        "order_items",
        "order_items_profile_report",
        "order_items_rule_proposals",
        "orders",
        "orders_profile_report",
        "orders_rule_proposals",
        "products",
        "products_profile_report",
        "products_rule_proposals",
    ]
    assert graph.get(dg.AssetKey("orders_rule_proposals")).parent_keys == {dg.AssetKey("orders")}
    orders = graph.get(dg.AssetKey("orders"))
    assert orders.group_name == "shop"
    assert list(orders.owners) == ["team:data-eng", "data-eng@example.com"]
    assert orders.parent_keys == {dg.AssetKey("customers")}
    assert graph.get(dg.AssetKey("order_items")).parent_keys == {
        dg.AssetKey("orders"),
        dg.AssetKey("products"),
    }
    assert orders.metadata["dagster/table_name"] == "shop.orders"
    assert set(orders.kinds) == {"iceberg"}
    assert orders.description == "Orders placed in the web shop"


def test_every_table_carries_its_checks(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    checks: dict[str, set[str]] = {}
    for key in graph.asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), set()).add(key.name)
    builtin = {"profile", "anomalies", "quality_score", "freshness", "volume", "schema", "drift"}
    assert checks == {
        "customers": builtin
        | {
            "customer_id_is_primary_key",
            "phone_mostly_present",
            "email_is_valid",
            "email_is_unique",
            "country_is_known",
            "enough_customers",
        },
        "order_items": builtin
        | {
            "order_item_id_is_primary_key",
            "product_exists",
            "order_exists",
            "quantity_in_range",
            "discount_in_range",
            "average_quantity",
        },
        "orders": builtin
        | {
            "order_id_is_primary_key",
            "customer_exists",
            "amount_in_range",
            "status_is_known",
            "channel_is_known",
            "daily_volume",
            "order_ts_complete",
            "no_negative_amounts",
        },
        "products": builtin
        | {
            "product_id_is_primary_key",
            "price_is_positive",
            "sku_is_unique",
            "sku_format",
            "enough_categories",
        },
    }
    rule = graph.get_check_spec(dg.AssetCheckKey(dg.AssetKey("orders"), "customer_exists"))
    assert rule.description == 'ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0'
    assert rule.blocking is False


def test_one_job_schedule_and_run_per_cron_and_source(defs: dg.Definitions) -> None:
    schedules = {s.name: (s.cron_schedule, s.job_name, s.execution_timezone) for s in defs.schedules}
    # orders and order_items share '*/30 * * * *' and Iceberg: one schedule and one job for both.
    assert schedules == {
        "dq_iceberg_hourly_schedule": ("0 * * * *", "dq_iceberg_hourly", "UTC"),
        "dq_iceberg_every_30_minutes_schedule": ("*/30 * * * *", "dq_iceberg_every_30_minutes", "UTC"),
        "dq_iceberg_daily_at_06_00_schedule": ("0 6 * * *", "dq_iceberg_daily_at_06_00", "UTC"),
    }
    job = defs.resolve_job_def("dq_iceberg_every_30_minutes")
    # each table's step, then the proposals for its uncovered columns
    assert job.asset_layer.selected_asset_keys == {
        dg.AssetKey("orders"),
        dg.AssetKey("orders_rule_proposals"),
        dg.AssetKey("order_items"),
        dg.AssetKey("order_items_rule_proposals"),
    }
    assert job.tags["dq/source"] == "iceberg"  # the production queue limits runs per kind of source
    orders = dg.AssetKey("orders")
    job_checks = {k.name for k in job.asset_layer.asset_graph.asset_check_keys if k.asset_key == orders}
    assert {"profile", "anomalies", "quality_score", "order_id_is_primary_key"} <= job_checks

    schedule = defs.resolve_schedule_def("dq_iceberg_every_30_minutes_schedule")
    with dg.DagsterInstance.ephemeral() as instance:
        tick = schedule.evaluate_tick(dg.build_schedule_context(instance=instance))
    # order_items depends on orders: in one run, an unreadable orders would skip order_items' checks
    assert [(r.run_key, r.asset_selection) for r in tick.run_requests or []] == [
        ("wave1", [orders, dg.AssetKey("orders_rule_proposals")]),
        ("wave2", [dg.AssetKey("order_items"), dg.AssetKey("order_items_rule_proposals")]),
    ]
    hourly = defs.resolve_schedule_def("dq_iceberg_hourly_schedule")
    with dg.DagsterInstance.ephemeral() as instance:
        tick = hourly.evaluate_tick(dg.build_schedule_context(instance=instance))
    (request,) = tick.run_requests or []
    assert (request.run_key, request.asset_selection) == ("all", None)  # the whole job in one run


def test_tables_on_one_cron_in_different_sources_get_a_run_each(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        'table: a\nsource: {type: iceberg, catalog: demo, identifier: shop.orders}\nschedule: "0 * * * *"\n'
    )
    (tmp_path / "b.yaml").write_text(
        "table: b\nsource: {type: sql, url: 'postgresql://h/db', table: public.b}\nschedule: \"0 * * * *\"\n"
    )
    defs = build_definitions(tmp_path)
    jobs = {s.job_name: defs.resolve_job_def(s.job_name).tags["dq/source"] for s in defs.schedules}
    assert jobs == {"dq_iceberg_hourly": "iceberg", "dq_sql_hourly": "sql"}


def test_nested_table_names_become_multi_part_keys(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(
        textwrap.dedent(
            """
            table: sales/eu/orders
            source: {type: iceberg, catalog: demo, identifier: shop.orders}
            schedule: "15 2 * * *"
            """
        )
    )
    defs = build_definitions(tmp_path)
    assert defs.resolve_asset_graph().get_all_asset_keys() == {
        dg.AssetKey(["sales", "eu", "orders"]),
        dg.AssetKey(["sales", "eu", "orders_rule_proposals"]),
        dg.AssetKey(["sales", "eu", "orders_profile_report"]),
        dg.AssetKey("dq_alerts"),
    }
    (schedule,) = defs.schedules
    assert (schedule.name, schedule.cron_schedule) == ("dq_iceberg_daily_at_02_15_schedule", "15 2 * * *")


def test_an_invalid_file_stops_the_load_with_path_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "table: t\nsource: {type: iceberg, catalog: demo, identifier: a.b}\ncolour: red\n"
    )
    with pytest.raises(ConfigError) as error:
        build_definitions(tmp_path)
    assert f"{tmp_path / 'bad.yaml'}:3: unknown key 'colour'" in str(error.value)


HEAVY_MODULES = [
    *("ydata_profiling", "great_expectations", "anthropic", "boto3", "pyiceberg", "duckdb", "pyarrow"),
    *("pandas", "numpy", "sqlalchemy", "alembic", "slack_sdk", "requests", "dq_runs.inspect"),
]
LOAD_THE_DEMO_PROJECT = """
import dagster.components.core.package_entry as package_entry
installed = package_entry.get_plugin_entry_points
package_entry.get_plugin_entry_points = lambda: [e for e in installed() if e.name in ("dagster", "dq")]
import dagster as dg
defs = dg.load_from_defs_folder(path_within_project=REPO_ROOT / "dq_demo")
print(sorted(job.name for job in defs.get_repository_def().get_all_jobs()))
"""
"""Loads the demo project as `dg dev` does, with the registry modules of Dagster and dq only.

Every project load imports the registry module of every dg plugin installed (Dagster lists their
component types for the UI): dagster-aws's imports boto3, dagster-dbt's dbt and SQLAlchemy. That
cost is the plugins', paid by any project in the environment whether it uses them or not; this
probe measures what dq's component adds to a load.
"""


@pytest.mark.parametrize(
    "load",
    [
        "import dq_assets.definitions",  # the standalone code location
        LOAD_THE_DEMO_PROJECT,  # the demo project, through dq's component, as `dg dev` loads it
    ],
)
def test_loading_the_code_location_imports_no_heavy_library(load: str) -> None:
    probe = "\n".join(
        [
            "import sys",
            "from pathlib import Path",
            f"REPO_ROOT = Path({str(REPO_ROOT)!r})",
            load,
            f"print(','.join(name for name in {HEAVY_MODULES!r} if name in sys.modules))",
        ]
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    *loaded, imported = done.stdout.split("\n")[:-1]  # the last line printed: the heavy ones imported
    assert imported == ""
    if load is LOAD_THE_DEMO_PROJECT:  # it did load the demo through the component
        assert "'quality_checks'" in loaded[-1]


def test_the_freshness_and_alert_sensors_run_by_default(defs: dg.Definitions) -> None:
    sensors = {sensor.name: sensor for sensor in defs.sensors}
    assert sorted(sensors) == ["dq_check_alert_sensor", "dq_freshness_sensor", "dq_run_failure_alert_sensor"]
    assert {s.default_status for s in sensors.values()} == {dg.DefaultSensorStatus.RUNNING}
    assert sensors["dq_check_alert_sensor"].minimum_interval_seconds == 30
    assert {"dq_alert_store", "dq_clock"} <= sensors["dq_run_failure_alert_sensor"].required_resource_keys
    assert defs.resources["dq_alert_store"].url == "sqlite:///.dq/alerts.db"


def test_an_alert_store_url_from_the_environment_stays_an_env_var(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "t.yaml").write_text("table: t\nsource: {type: iceberg, catalog: demo, identifier: ns.t}\n")
    (tmp_path / "alerts.yaml").write_text("store: {url_env: DQ_ALERTS_DB_URL}\n")
    url = build_definitions(tables).resources["dq_alert_store"].url
    assert isinstance(url, dg.EnvVar) and url.env_var_name == "DQ_ALERTS_DB_URL"


def test_an_unknown_alert_channel_stops_the_load(tmp_path: Path) -> None:
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "t.yaml").write_text(
        "table: t\nsource: {type: iceberg, catalog: demo, identifier: ns.t}\nalerts: {channels: [slack]}\n"
    )
    with pytest.raises(ConfigError) as error:
        build_definitions(tables)
    assert f"{tables / 't.yaml'}:3: alerts: unknown channel 'slack'; channels: log" in str(error.value)


def test_proposals_have_a_job_a_store_and_the_offline_proposer_without_a_key(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("propose_rules")
    assert [node.name for node in job.nodes] == ["propose_rules_for_table"]
    assert type(defs.resources["dq_rule_proposer"]).__name__ == "ProfileRuleProposer"
    store = defs.resources["dq_proposal_store"]
    # state, in the project's git-ignored .dq/, not the source tree
    assert Path(store.directory) == REPO_ROOT / ".dq" / "proposals" / "dq_checks"


def test_reports_have_their_own_job_and_an_artifact_store(defs: dg.Definitions) -> None:
    job = defs.resolve_job_def("dq_reports")
    assert job.asset_layer.selected_asset_keys == {
        dg.AssetKey(f"{t}_profile_report") for t in ("customers", "order_items", "orders", "products")
    }
    assert defs.resources["dq_artifacts"].root == ".dq/artifacts"
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey("orders_profile_report")).parent_keys == {dg.AssetKey("orders")}
