"""dq inside a user's own dg project: the component, driven by the real `dg` in subprocesses.

Each test builds a scratch project in a temporary folder (tests/dg_projects.py): a pyproject with
`[tool.dg]`, the shop's own package with a `defs/` folder and a definitions.py of its own (its own
executor and resource, merged with the defs folder). The shop's `orders` asset writes a Parquet
file; `order_report` is built from it. dq arrives the way a user adds it: `dg scaffold defs
dq.DataQualityComponent quality`, then a table definition with `asset: orders`.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import REPO_ROOT
from tests.dg_projects import DgProject, dg_at_repository_root, new_project

SHOP_ASSETS = '''
"""The shop's own pipeline, which dq knows nothing about: orders land as Parquet, a report follows."""

from pathlib import Path

import dagster as dg

from acme_shop.warehouse import Warehouse


@dg.asset
def orders(warehouse: Warehouse) -> dg.MaterializeResult:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "order_id": [1, 2, 3, 3, 4, 5, 6, 7],  # planted: order 3 was loaded twice
            "amount": [10.0, 20.0, 30.0, 30.0, -5.0, 50.0, 60.0, 70.0],  # planted: one negative amount
            "status": ["paid", "paid", "shipped", "shipped", "paid", "paid", "shipped", "paid"],
        }
    )
    path = Path(warehouse.root) / "orders.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return dg.MaterializeResult(metadata={"written_by": "the shop"})


@dg.asset(deps=[orders])
def order_report(warehouse: Warehouse) -> None:
    (Path(warehouse.root) / "report.txt").write_text("built from orders")
'''

WAREHOUSE = '''
import dagster as dg


class Warehouse(dg.ConfigurableResource):
    """Where the shop writes its files."""

    root: str
'''

ORDERS_TABLE = """
asset: orders
source: {{type: file, path: "{path}"}}
rules:
  - name: order_id_is_primary_key
    rule: IsPrimaryKey "order_id"
    blocking: true                 # planted: order 3 twice; stops order_report
  - name: amount_not_negative
    rule: ColumnValues "amount" >= 0
    severity: warn                 # planted: one negative amount
  - name: status_is_known
    rule: ColumnValues "status" in ["paid", "shipped"]
"""


def shop_project(tmp_path: Path) -> DgProject:
    """The shop's project: its assets in defs/, its own executor and resource in definitions.py."""
    warehouse = tmp_path / "warehouse"
    project = new_project(
        tmp_path,
        "acme_shop",
        definitions_imports="from acme_shop.warehouse import Warehouse",
        own_definitions=(
            f"dg.Definitions(resources={{'warehouse': Warehouse(root={str(warehouse)!r})}}, "
            "executor=dg.in_process_executor)"
        ),
    )
    project.write("acme_shop/warehouse.py", WAREHOUSE)
    project.write("acme_shop/defs/shop_assets.py", SHOP_ASSETS)
    return project


def scaffold_quality(project: DgProject) -> Path:
    done = project.dg("scaffold", "defs", "dq.DataQualityComponent", "quality")
    assert done.returncode == 0, done.stderr
    return project.defs / "quality"


def listed(project: DgProject) -> dict:
    done = project.dg("list", "defs", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_dg_lists_dqs_component(tmp_path: Path) -> None:
    project = new_project(tmp_path, "acme_shop")
    done = project.dg("list", "components", "--json")
    assert done.returncode == 0, done.stderr
    (component,) = [c for c in json.loads(done.stdout)["items"] if c["key"] == "dq.DataQualityComponent"]
    assert component["summary"].startswith("Data-quality checks from one YAML file per table")


def test_scaffold_writes_defs_yaml_and_one_example_and_the_project_still_loads(tmp_path: Path) -> None:
    project = shop_project(tmp_path)
    quality = scaffold_quality(project)

    assert sorted(p.relative_to(quality).as_posix() for p in quality.rglob("*")) == [
        "defs.yaml",
        "tables",
        "tables/orders.yaml.example",
    ]
    defs_yaml = (quality / "defs.yaml").read_text()
    assert defs_yaml.startswith("type: dq.DataQualityComponent\n\nattributes:\n")
    assert "\n  tables: tables\n" in defs_yaml
    # dq reads only *.yaml: the example changes nothing until it is renamed
    checked = project.dg("check", "defs")
    assert checked.returncode == 0, checked.stderr
    assert listed(project)["asset_checks"] == []

    # renamed, the example is a valid definition on the shop's own `orders`
    (quality / "tables" / "orders.yaml.example").rename(quality / "tables" / "orders.yaml")
    checked = project.dg("check", "defs")
    assert checked.returncode == 0, checked.stderr
    checks = {c["name"] for c in listed(project)["asset_checks"] if c["asset_key"] == "orders"}
    assert checks == {
        *("profile", "anomalies", "order_id_is_primary_key", "amount_in_range", "has_rows"),
        *("quality_score", "volume", "schema", "drift"),
    }


def test_checks_attach_to_the_shops_own_asset_and_a_blocking_failure_stops_downstream(tmp_path: Path) -> None:
    project = shop_project(tmp_path)
    quality = scaffold_quality(project)
    parquet = tmp_path / "warehouse" / "orders.parquet"
    (quality / "tables" / "orders.yaml").write_text(textwrap.dedent(ORDERS_TABLE).format(path=parquet))

    checked = project.dg("check", "defs")
    assert checked.returncode == 0, checked.stderr
    defs = listed(project)
    # dq defined no asset: the graph holds the shop's two, and dq's checks sit on `orders`
    assert sorted(a["asset_key"] for a in defs["assets"]) == ["order_report", "orders"]
    assert {c["asset_key"] for c in defs["asset_checks"]} == {"orders"}
    assert {j["name"] for j in defs["jobs"]} == {"quality_checks"}

    launched = project.dg("launch", "--assets", "orders,order_report")
    # the blocking rule failed: the run fails, as Dagster fails a run whose blocking check fails
    assert launched.returncode == 1
    assert "Materialization failed" in launched.stderr

    with dg.DagsterInstance.from_config(str(project.home)) as instance:
        (materialization,) = instance.fetch_materializations(dg.AssetKey("orders"), limit=10).records
        # the shop's own materialization, not a profile of dq's
        assert materialization.asset_materialization.metadata["written_by"].value == "the shop"
        assert instance.fetch_materializations(dg.AssetKey("order_report"), limit=10).records == []
        assert not (tmp_path / "warehouse" / "report.txt").exists()
        evaluations = latest_evaluations(instance, dg.AssetKey("orders"))
    assert evaluations == {
        "profile": (True, "ERROR"),
        "anomalies": (True, "ERROR"),
        "order_id_is_primary_key": (False, "ERROR"),  # 1 value (3) occurs twice
        "amount_not_negative": (False, "WARN"),  # 1 of 8 rows
        "status_is_known": (True, "ERROR"),
        "quality_score": (False, "WARN"),  # 1 of 3 rules passed
        "schema": (True, "ERROR"),  # no earlier run to compare with
        # `volume` did not evaluate (it needs earlier runs), nor `drift` (this first data version is the
        # next run's baseline): no evaluation, so Dagster shows them skipped
    }

    # dq's own job runs the checks again without rematerializing the shop's asset
    again = project.dg("launch", "--job", "quality_checks")
    assert again.returncode == 1, again.stderr  # the blocking rule still fails
    with dg.DagsterInstance.from_config(str(project.home)) as instance:
        assert len(instance.fetch_materializations(dg.AssetKey("orders"), limit=10).records) == 1
        profiles = instance.event_log_storage.get_asset_check_execution_history(
            dg.AssetCheckKey(dg.AssetKey("orders"), "profile"), limit=10
        )
        assert len(profiles) == 2


def latest_evaluations(instance: dg.DagsterInstance, asset: dg.AssetKey) -> dict[str, tuple[bool, str]]:
    """Each check's last evaluation on `asset`: (passed, severity)."""
    found = {}
    for record in instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=200
    ):
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.asset_key == asset and evaluation.check_name not in found:
            found[evaluation.check_name] = (evaluation.passed, evaluation.severity.value)
    return found


def test_an_asset_no_definition_has_fails_dg_check_defs_with_path_and_line(tmp_path: Path) -> None:
    project = shop_project(tmp_path)
    quality = scaffold_quality(project)
    table = quality / "tables" / "nope.yaml"
    # planted: the project has no asset `nope` (Dagster alone would make a stub asset for the checks)
    table.write_text('source: {type: file, path: "x.parquet"}\nasset: nope\n')

    checked = project.dg("check", "defs")
    assert checked.returncode == 1
    assert f"{table}:2: no asset 'nope' in this project" in checked.stdout + checked.stderr


def test_a_broken_table_definition_fails_dg_check_defs_with_todays_message(tmp_path: Path) -> None:
    project = shop_project(tmp_path)
    quality = scaffold_quality(project)
    table = quality / "tables" / "orders.yaml"
    table.write_text('asset: orders\nsource: {type: file, path: "x.parquet"}\ncolour: red\n')  # planted

    checked = project.dg("check", "defs")
    assert checked.returncode == 1
    assert f"{table}:3: unknown key 'colour'" in checked.stdout + checked.stderr


@pytest.fixture(scope="module")
def repository_defs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """`dg list defs --json` at the repository root: the demo, loaded through the component."""
    home = tmp_path_factory.mktemp("home")
    checked = dg_at_repository_root("check", "defs", home=home)
    assert checked.returncode == 0, checked.stderr
    assert "All definitions loaded successfully." in checked.stdout
    done = dg_at_repository_root("list", "defs", "--json", home=home)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_repository_is_a_dg_project_whose_demo_loads_through_the_component(repository_defs: dict) -> None:
    assets = {a["asset_key"]: a for a in repository_defs["assets"]}
    # the four tables, and the summary of their alerts that the check alert sensor reports
    assert sorted(assets) == ["customers", "order_items", "orders", "products", "quality_alerts"]
    assert {a["source"] for a in assets.values()} == {"dq_demo/defs/quality/defs.yaml:5"}  # its `type:`
    assert sorted(j["name"] for j in repository_defs["jobs"]) == [
        "quality_checks",
        "quality_iceberg_daily_at_06_00",
        "quality_iceberg_every_30_minutes",
        "quality_iceberg_hourly",
    ]
    assert sorted(s["name"] for s in repository_defs["schedules"]) == [
        "quality_iceberg_daily_at_06_00_schedule",
        "quality_iceberg_every_30_minutes_schedule",
        "quality_iceberg_hourly_schedule",
    ]
    # alerts.yaml is set in the demo's defs.yaml: its two sensors, beside the freshness sensor
    assert sorted(s["name"] for s in repository_defs["sensors"]) == [
        "quality_check_alert_sensor",
        "quality_freshness_sensor",
        "quality_run_failure_alert_sensor",
    ]
    assert (REPO_ROOT / "dq_demo" / "defs" / "quality" / "defs.yaml").read_text().count("type: ") == 1


FINANCE_DEFS_YAML = """
type: dq.DataQualityComponent
attributes:
  tables: "{{ project_root }}/checks/finance"
  name: finance
  alerts: alerts.yaml
"""


def test_two_dq_components_and_the_projects_own_definitions_load_together(tmp_path: Path) -> None:
    """Two components (one found through `{{ project_root }}`), the shop's assets, executor and resource."""
    project = shop_project(tmp_path)
    quality = scaffold_quality(project)
    parquet = tmp_path / "warehouse" / "orders.parquet"
    (quality / "tables" / "orders.yaml").write_text(
        f'asset: orders\nsource: {{type: file, path: "{parquet}"}}\nschedule: "*/30 * * * *"\n'
    )
    project.write("acme_shop/defs/finance_quality/defs.yaml", FINANCE_DEFS_YAML)
    project.write("acme_shop/defs/finance_quality/alerts.yaml", "default:\n  channels: [log]\n")
    project.write(
        "checks/finance/order_report.yaml",
        f'asset: order_report\nsource: {{type: file, path: "{tmp_path / "warehouse" / "report.csv"}"}}\n'
        'schedule: "*/30 * * * *"\n',
    )

    checked = project.dg("check", "defs")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    defs = listed(project)
    # the project's two assets, and the finance component's alerts summary (it has alerts on)
    assert sorted(a["asset_key"] for a in defs["assets"]) == ["finance_alerts", "order_report", "orders"]
    assert {c["asset_key"] for c in defs["asset_checks"]} == {"order_report", "orders"}
    assert sorted(j["name"] for j in defs["jobs"]) == [
        "finance_checks",
        "finance_file_every_30_minutes",
        "quality_checks",
        "quality_file_every_30_minutes",
    ]
    assert sorted(s["name"] for s in defs["schedules"]) == [
        "finance_file_every_30_minutes_schedule",
        "quality_file_every_30_minutes_schedule",
    ]
    # alerts only where defs.yaml sets them
    assert sorted(s["name"] for s in defs["sensors"]) == [
        "finance_check_alert_sensor",
        "finance_run_failure_alert_sensor",
    ]
    resources = {r["name"] for r in defs["resources"]}
    assert {"warehouse", "dq_files", "dq_alert_store"} <= resources


def test_an_alerts_file_that_does_not_exist_stops_the_load(tmp_path: Path) -> None:
    project = shop_project(tmp_path)
    quality = scaffold_quality(project)
    defs_yaml = quality / "defs.yaml"
    defs_yaml.write_text(defs_yaml.read_text() + "  alerts: alert.yaml\n")  # planted: the file is alerts.yaml

    checked = project.dg("check", "defs")
    assert checked.returncode == 1
    assert f"{defs_yaml}: alerts: no such file: {quality / 'alert.yaml'}" in checked.stdout + checked.stderr


def test_a_table_produced_outside_dagster_keeps_an_asset_of_dqs_own(tmp_path: Path) -> None:
    """No `asset:`: dq's monitored-table asset, materialized by dq's own job, as it always was."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    project = new_project(tmp_path, "acme_shop")
    quality = scaffold_quality(project)
    landing = tmp_path / "landing.parquet"
    pq.write_table(pa.table({"id": [1, 2, 2, 3]}), landing)  # planted: id 2 twice
    (quality / "tables" / "landing.yaml").write_text(
        f'table: landing\nsource: {{type: file, path: "{landing}"}}\n'
        'rules:\n  - name: id_is_key\n    rule: IsPrimaryKey "id"\n'
    )

    assert [a["asset_key"] for a in listed(project)["assets"]] == ["landing"]
    launched = project.dg("launch", "--job", "quality_checks")
    assert launched.returncode == 0, launched.stderr  # a non-blocking rule failed: the run succeeds

    with dg.DagsterInstance.from_config(str(project.home)) as instance:
        (materialization,) = instance.fetch_materializations(dg.AssetKey("landing"), limit=10).records
        assert materialization.asset_materialization.metadata["dagster/row_count"].value == 4
        evaluations = latest_evaluations(instance, dg.AssetKey("landing"))
    assert evaluations["id_is_key"] == (False, "ERROR")
    assert evaluations["profile"] == (True, "ERROR")
