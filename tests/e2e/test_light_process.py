"""`dq` as a light process: each command imports only what the tables at hand need.

Every command runs as a user runs it, in a process of its own, which writes down at exit every
module it imported. The test asserts what was imported, never how long anything took: the
numbers live in the benchmark. What each source type may need is its own business (Dagster,
SQLAlchemy for the instance's storage, pyiceberg for an Iceberg table), but a command never pays
for an integration its tables do not use: Great Expectations (`dq rules gx`), ydata-profiling
(reports), Anthropic (proposals), boto3 (AWS sources).
"""

from __future__ import annotations

import gc
import json
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from dq_assets.cli.main import cli
from tests.recorded_dq import packages, run_dq

NEVER_FOR_THESE_TABLES = (
    "great_expectations",
    "ydata_profiling",
    "anthropic",
    "boto3",
    "botocore",
    "databricks",
    "pyspark",
    "py4j",
    "snowflake",
    "google",
    "pymysql",
)
"""Integrations none of the tables below uses: no `dq` command on them imports these."""
NOT_TO_VALIDATE = ("dagster", "pandas", "pyarrow", "pyiceberg", "duckdb", "sqlalchemy", "alembic")
"""Validating definitions reads YAML and parses rules: no engine, no instance, no data frame."""

ROWS = 1_000
RULES = """rules:
  - {name: id_is_key, rule: 'IsPrimaryKey "id"'}
  - {name: amount_in_range, rule: 'ColumnValues "amount" between -1 and 1000'}
"""


def rows() -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(ROWS), pa.int64()),
            "amount": pa.array([float(i % 100) for i in range(ROWS)], pa.float64()),
        }
    )


@pytest.fixture
def definitions(tmp_path: Path, scratch_catalog: str) -> Path:
    """A folder with a Parquet file table and an Iceberg table, each with two rules; both tables exist."""
    from dq_resources.iceberg.catalogs import load_named_catalog

    parquet = tmp_path / "payments.parquet"
    pq.write_table(rows(), parquet)
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    catalog.create_table("ns.payments", schema=rows().schema).append(rows())

    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "file_payments.yaml").write_text(
        f"table: file_payments\nsource: {{type: file, path: {parquet}}}\nkey: [id]\n{RULES}", encoding="utf-8"
    )
    iceberg = f"{{type: iceberg, catalog: {scratch_catalog}, identifier: ns.payments}}"
    (folder / "iceberg_payments.yaml").write_text(
        f"table: iceberg_payments\nsource: {iceberg}\nkey: [id]\n{RULES}", encoding="utf-8"
    )
    return folder


def test_importing_the_cli_imports_no_engine_nor_integration(tmp_path: Path) -> None:
    done, recorded = run_dq(out=tmp_path / "modules.json")
    assert done.returncode == 0, done.stderr
    imported = packages(recorded)
    assert imported.isdisjoint((*NEVER_FOR_THESE_TABLES, *NOT_TO_VALIDATE)), sorted(imported)


def test_validate_imports_no_dagster_engine_nor_integration(definitions: Path, tmp_path: Path) -> None:
    done, recorded = run_dq("validate", "--config", str(definitions), env={}, out=tmp_path / "modules.json")

    assert done.returncode == 0, done.stderr
    assert "ok: 2 table definitions, 4 rules" in done.stdout
    imported = packages(recorded)
    assert imported.isdisjoint((*NEVER_FOR_THESE_TABLES, *NOT_TO_VALIDATE)), sorted(imported)
    assert "sqlglot" not in imported  # it vets a rule's SQL, and no rule here has any
    assert recorded["gc_threshold"][0] > gc.get_threshold()[0]  # its own process: tuned as a short one


def test_run_on_a_file_table_imports_neither_iceberg_nor_the_integrations(
    definitions: Path, tmp_path: Path
) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")

    done, recorded = run_dq(
        "run", "--json", "file_payments", "--config", str(definitions),
        env={"DAGSTER_HOME": str(home)},
        out=tmp_path / "modules.json",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["tables"]
    assert {c["name"]: c["outcome"] for c in report["checks"]}["id_is_key"] == "pass"
    with dg.DagsterInstance.from_config(str(home)) as instance:  # a real run, recorded in the instance
        run = instance.get_run_by_id(report["run_id"])
        assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
    imported = packages(recorded)
    assert imported.isdisjoint((*NEVER_FOR_THESE_TABLES, "pyiceberg", "pandas")), sorted(imported)


def test_run_on_an_iceberg_table_imports_none_of_the_integrations(definitions: Path, tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()

    done, recorded = run_dq(
        "run", "--json", "iceberg_payments", "--config", str(definitions),
        env={"DAGSTER_HOME": str(home)},
        out=tmp_path / "modules.json",
    )  # fmt: skip

    assert done.returncode == 0, done.stderr
    [report] = json.loads(done.stdout)["tables"]
    assert report["row_count"] == ROWS
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id(report["run_id"]) is not None
    imported = packages(recorded)
    assert "pyiceberg" in imported
    assert imported.isdisjoint(NEVER_FOR_THESE_TABLES), sorted(imported)


def test_a_command_inside_another_process_leaves_its_collector_alone(definitions: Path) -> None:
    before = gc.get_threshold()

    result = CliRunner().invoke(cli, ["validate", "--config", str(definitions)], catch_exceptions=False)

    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == before
