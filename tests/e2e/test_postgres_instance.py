"""`dq run` against a Dagster instance whose run, event-log and schedule storage is PostgreSQL.

The CLI runs as a user runs it (a subprocess with DAGSTER_HOME set); the test then reads the
check evaluations back out of Postgres through a second, independent instance.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_home(tmp_path: Path, postgres_database: str) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        f'storage:\n  postgres:\n    postgres_url: "{postgres_database}"\ntelemetry:\n  enabled: false\n'
    )
    return home


def dq_run(home: Path, *tables: str) -> tuple[int, dict]:
    environment = {**os.environ, "DAGSTER_HOME": str(home)}
    done = subprocess.run(
        [sys.executable, "-m", "dq_assets.cli.main", "run", "--json", *tables],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1, 2), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_check_evaluations_are_stored_in_postgres(
    postgres_home: Path, demo_warehouse: dict[str, int]
) -> None:
    exit_code, payload = dq_run(postgres_home, "orders", "products")
    assert exit_code == 1

    with dg.DagsterInstance.from_config(str(postgres_home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)

        runs = instance.get_runs()
        assert sorted(r.tags["dq/table"] for r in runs) == ["orders", "products"]
        assert {r.run_id for r in runs} == {t["run_id"] for t in payload["tables"]}

        keys = [
            dg.AssetCheckKey(dg.AssetKey(table), check)
            for table in ("orders", "products")
            for check in ("profile", "anomalies")
        ]
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
        stored = {}
        for key, record in latest.items():
            evaluation = record.event.dagster_event.event_specific_data
            stored[(key.asset_key.to_user_string(), key.name)] = (
                evaluation.passed,
                evaluation.metadata["dq/outcome"].value,
            )
        assert stored == {
            ("orders", "profile"): (True, "pass"),
            ("orders", "anomalies"): (False, "fail"),
            ("products", "profile"): (True, "pass"),
            ("products", "anomalies"): (True, "pass"),
        }
        orders = instance.get_latest_materialization_event(dg.AssetKey("orders"))
        assert orders.asset_materialization.metadata["dagster/row_count"].value == 200_000


def test_history_accumulates_across_runs(postgres_home: Path, demo_warehouse: dict[str, int]) -> None:
    dq_run(postgres_home, "products")
    dq_run(postgres_home, "products")
    with dg.DagsterInstance.from_config(str(postgres_home)) as instance:
        key = dg.AssetCheckKey(dg.AssetKey("products"), "anomalies")
        history = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        assert len(history) == 2
        materializations = instance.fetch_materializations(dg.AssetKey("products"), limit=10)
        assert len(materializations.records) == 2
        rows = {r.asset_materialization.metadata["dagster/row_count"].value for r in materializations.records}
        assert rows == {500}
