"""dq's Definitions as a guest in a project: the extras on request, names and resources that merge.

`Definitions.merge` refuses two different resources under one key and two executors, and a
repository refuses two jobs or sensors with one name: these tests merge for real.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.remote_representation.external_data import RepositorySnap

from dq_assets.build import QualityOptions, build_quality_definitions
from dq_assets.executor import dq_job_executor

STANDALONE_TABLE = """\
table: {name}
source: {{type: file, path: "{folder}/{name}.parquet"}}
schedule: "0 6 * * *"
freshness: {{max_age_hours: 24}}
rules:
  - name: id_is_key
    rule: IsPrimaryKey "id"
"""


def tables_folder(root: Path, *names: str) -> Path:
    folder = root / "tables"
    folder.mkdir(parents=True)
    for name in names:
        (folder / f"{name}.yaml").write_text(STANDALONE_TABLE.format(name=name, folder=root))
    (root / "alerts.yaml").write_text("default:\n  channels: [log]\n")
    return folder


class Warehouse(dg.ConfigurableResource):
    root: str


@dg.asset
def orders(warehouse: Warehouse) -> None:
    """The project's own asset, which dq's checks attach to."""


def test_a_component_has_only_its_checks_and_jobs_unless_extras_are_switched_on(tmp_path: Path) -> None:
    folder = tables_folder(tmp_path, "landing")
    defs = build_quality_definitions(folder, QualityOptions(namespace="quality"))
    repo = defs.get_repository_def()
    assert sorted(k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()) == ["landing"]
    assert sorted(j.name for j in repo.get_all_jobs()) == [
        "__ASSET_JOB",
        "quality_checks",
        "quality_file_daily_at_06_00",
    ]
    assert [s.name for s in repo.sensor_defs] == ["quality_freshness_sensor"]
    assert defs.executor is None  # the project's own executor stays the project's
    assert repo.get_job("quality_checks").executor_def is dq_job_executor  # dq's jobs carry dq's
    assert sorted(defs.resources or {}) == [
        *("dq_athena", "dq_bigquery", "dq_clock", "dq_databricks", "dq_duckdb", "dq_files", "dq_iceberg"),
        *("dq_redshift", "dq_results_store", "dq_snowflake", "dq_spark", "dq_sql"),
    ]

    off = QualityOptions(namespace="quality", schedules=False, freshness_sensor=False)
    off = build_quality_definitions(folder, off)
    assert [j.name for j in off.get_repository_def().get_all_jobs()] == ["__ASSET_JOB", "quality_checks"]
    assert off.sensors == []


def attach(folder: Path, asset: str, file_name: str = "attached.yaml") -> Path:
    """A definition whose checks sit on the project's own `asset`, checked daily at 06:00 too."""
    path = folder / file_name
    path.write_text(
        f'source: {{type: file, path: "{folder}/{asset}.parquet"}}\nasset: {asset}\nschedule: "0 6 * * *"\n'
    )
    return path


def test_two_dq_namespaces_and_a_projects_own_definitions_merge(tmp_path: Path) -> None:
    everything = {"alerts": True, "proposals": True, "reports": True}
    sales_tables = tables_folder(tmp_path / "sales", "leads")
    attach(sales_tables, "orders")
    sales = build_quality_definitions(
        sales_tables,
        QualityOptions(namespace="sales", **everything),
        alerts_file=tmp_path / "sales" / "alerts.yaml",
    )
    finance = build_quality_definitions(
        tables_folder(tmp_path / "finance", "invoices"),
        QualityOptions(namespace="finance", **everything),
        alerts_file=tmp_path / "finance" / "alerts.yaml",
    )
    own = dg.Definitions(
        assets=[orders],
        resources={"warehouse": Warehouse(root=str(tmp_path))},
        executor=dg.in_process_executor,
    )

    merged = dg.Definitions.merge(sales, finance, own)
    repo = merged.get_repository_def()

    assert sorted(j.name for j in repo.get_all_jobs()) == [
        "__ASSET_JOB",
        *("finance_checks", "finance_file_daily_at_06_00", "finance_propose_rules", "finance_reports"),
        *("sales_checks", "sales_file_daily_at_06_00", "sales_propose_rules", "sales_reports"),
    ]
    assert sorted(s.name for s in repo.sensor_defs) == [
        *("finance_check_alert_sensor", "finance_freshness_sensor", "finance_run_failure_alert_sensor"),
        *("sales_check_alert_sensor", "sales_freshness_sensor", "sales_run_failure_alert_sensor"),
    ]
    # equal resources are one object, so Dagster merges them; each folder keeps its own proposals
    for key in ("dq_files", "dq_clock", "dq_results_store", "dq_alert_store", "dq_rule_proposer"):
        assert sales.resources[key] is finance.resources[key], key
    assert sales.resources["dq_artifacts"] is finance.resources["dq_artifacts"]
    for name in ("sales", "finance"):
        store = merged.resources[f"dq_proposal_store_{name}"]
        assert Path(store.directory) == tmp_path / name / ".dq" / "proposals"
    # the project's executor and resource are untouched; dq's jobs carry dq's executor
    assert merged.executor is dg.in_process_executor
    assert repo.get_job("__ASSET_JOB").executor_def is dg.in_process_executor
    assert repo.get_job("sales_file_daily_at_06_00").executor_def is dq_job_executor
    assert merged.resources["warehouse"].root == str(tmp_path)
    # the project's `orders` carries sales' checks; dq's jobs run them without materializing `orders`
    for job_name in ("sales_checks", "sales_file_daily_at_06_00"):
        job = repo.get_job(job_name)
        own_assets = {dg.AssetKey("leads"), dg.AssetKey("leads_rule_proposals")}
        assert job.asset_layer.selected_asset_keys == own_assets
        checked = {k.asset_key.to_user_string() for k in job.asset_layer.asset_graph.asset_check_keys}
        assert checked == {"leads", "orders"}
    # and the whole repository serializes for the UI, as a code server does on load
    snap = RepositorySnap.from_def(repo)
    assert len(snap.schedules) == 2 and len(snap.sensors) == 6


def test_alert_stores_that_differ_are_not_shared_and_the_merge_says_which_key(tmp_path: Path) -> None:
    """One alert store per project: two components naming two stores do not merge silently."""
    first_folder = tables_folder(tmp_path / "a", "t")
    second_folder = tables_folder(tmp_path / "b", "u")
    (tmp_path / "b" / "alerts.yaml").write_text(f"store: {{url: 'sqlite:///{tmp_path}/b.db'}}\n")  # planted
    options = {"alerts": True}
    first = build_quality_definitions(first_folder, QualityOptions(namespace="a", **options))
    second = build_quality_definitions(second_folder, QualityOptions(namespace="b", **options))
    assert first.resources["dq_alert_store"] is not second.resources["dq_alert_store"]
    assert first.resources["dq_files"] is second.resources["dq_files"]
    refused = "different resources with same key 'dq_alert_store'"
    with pytest.raises(dg.DagsterInvariantViolationError, match=refused):
        dg.Definitions.merge(first, second)


@dg.asset
def customers() -> None:
    """Another asset of the project's."""


@dg.asset(deps=["missing"])
def depends_on_missing() -> None:
    """Its dependency makes Dagster create a stub asset `missing`: no definition of it."""


@pytest.mark.parametrize(
    ("own_assets", "error"),
    [
        ([customers], "no asset 'missing' in this project"),
        # the stub Dagster makes for a dependency is no definition either
        ([customers, depends_on_missing], "no asset 'missing' in this project"),
        # an external asset is a definition: the checks may sit on it
        ([customers, dg.AssetSpec("missing")], None),
    ],
)
def test_the_checks_job_proves_the_attached_asset_exists(
    tmp_path: Path, own_assets: list, error: str | None
) -> None:
    folder = tables_folder(tmp_path, "leads")
    definition = attach(folder, "missing")
    dq = build_quality_definitions(folder, QualityOptions(namespace="quality"))
    merged = dg.Definitions.merge(dq, dg.Definitions(assets=own_assets))
    if error is None:
        merged.get_repository_def().get_all_jobs()
        return
    with pytest.raises(dg.DagsterInvalidDefinitionError) as raised:
        merged.get_repository_def().get_all_jobs()
    assert f"{definition}:2: {error}" in str(raised.value.__cause__)


def test_an_empty_folder_builds_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    assert build_quality_definitions(folder, QualityOptions()).get_repository_def().get_all_jobs() == []
