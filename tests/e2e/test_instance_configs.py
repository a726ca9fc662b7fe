"""Both instance configurations load into a real DagsterInstance: the local default (sqlite under
DAGSTER_HOME) and deploy/dagster.prod.yaml (Postgres for real, S3 and ECS on moto's server).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import boto3
import dagster as dg
import pytest
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster._core.storage.runs import SqliteRunStorage
from dagster_aws.ecs import EcsRunLauncher
from dagster_aws.s3.compute_log_manager import S3ComputeLogManager
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage
from sqlalchemy.engine import make_url

from tests.conftest import AWS_TEST_REGION, REPO_ROOT, register_run_task_definition


def test_the_local_default_is_sqlite_under_dagster_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_storage, SqliteRunStorage)
        assert Path(instance.root_directory) == home


@pytest.mark.postgres
def test_the_production_config_uses_postgres_s3_ecs_and_a_queue(
    tmp_path: Path, postgres_database: str, moto_url: str, aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = make_url(postgres_database)
    monkeypatch.setenv("DAGSTER_PG_HOST", url.host or "127.0.0.1")
    monkeypatch.setenv("DAGSTER_PG_PORT", str(url.port or 5432))
    monkeypatch.setenv("DAGSTER_PG_DB", url.database or "")
    monkeypatch.setenv("DAGSTER_PG_USER", url.username or "postgres")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", url.password or "")
    monkeypatch.setenv("DQ_LOGS_BUCKET", "dq-logs")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url).create_bucket(
        Bucket="dq-logs", CreateBucketConfiguration={"LocationConstraint": AWS_TEST_REGION}
    )
    family = register_run_task_definition(moto_url, "dq-runs")
    monkeypatch.setenv("DQ_ECS_TASK_DEFINITION", family)
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.prod.yaml", home / "dagster.yaml")

    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert isinstance(instance.compute_log_manager, S3ComputeLogManager)
        launcher = instance.run_launcher
        assert isinstance(launcher, EcsRunLauncher)
        assert (launcher.task_definition, launcher.container_name) == (family, "dq")
        coordinator = instance.run_coordinator
        assert isinstance(coordinator, QueuedRunCoordinator)
        limits = {
            (limit["value"], limit["limit"])
            for limit in coordinator.get_run_queue_config().tag_concurrency_limits
        }
        assert ("athena", 4) in limits and ("redshift", 4) in limits
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert instance.run_monitoring_enabled
        # the storage really is Postgres: a run written here is read back
        run = instance.create_run_for_job(dg.GraphDefinition(name="noop", node_defs=[]).to_job())
        assert instance.get_run_by_id(run.run_id).job_name == "noop"
        # and the compute logs really go to S3 (moto): the manager's own client reaches the bucket
        compute = instance.compute_log_manager
        client, bucket = compute._s3_session, compute._s3_bucket
        client.put_object(Bucket=bucket, Key="dq/compute-logs/probe.txt", Body=b"ok")
        listed = client.list_objects_v2(Bucket=bucket)["Contents"]
        assert [o["Key"] for o in listed] == ["dq/compute-logs/probe.txt"]
