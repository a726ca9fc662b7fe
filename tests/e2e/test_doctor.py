"""`dq doctor` against a real deployment: deploy/dagster.prod.yaml on the real Postgres, S3 and ECS on
moto's server, the demo warehouse plus a `sql` table on Postgres, Claude through a local server that
speaks the Messages API. Healthy, every check is ok; broken in four places, each break is its own
error with its fix, and every other check still ran and passed.
"""

from __future__ import annotations

import json
import shutil
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import psycopg2
import pytest
from click.testing import CliRunner, Result
from sqlalchemy.engine import make_url

from dq_assets.cli.main import cli
from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.instance import check_storage
from dq_assets.doctor.llm import check_llm
from dq_assets.doctor.model import Finding, Status, ok
from dq_assets.doctor.runner import Check, run_checks
from dq_checks.config.paths import PACKAGED_TABLES_DIR
from dq_resources.alerts.store import AlertStore
from tests.conftest import AWS_TEST_REGION, REPO_ROOT, register_run_task_definition
from tests.fake_anthropic import FakeAnthropic, Reply, error_reply, overloaded_reply, text_reply

WAREHOUSE_DB_ENV = "DQ_DOCTOR_WAREHOUSE_DB"
EVERY_CHECK = [
    "definitions",
    "dagster instance",
    "dagster storage",
    "compute logs",
    "run launcher",
    "alert store",
    "results store",
    "artifacts",
    "proposals",
    "source customers",
    "source order_items",
    "source orders",
    "source payments",
    "source products",
    "llm",
    "channel log",
    "channel team-slack",
    "channel ops-sns",
    "channel incident-hook",
]


@dataclass
class Deployment:
    """A healthy production-shaped deployment; each test may break parts of it."""

    config_dir: Path
    database_url: str
    logs_bucket: str
    claude: FakeAnthropic


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def deployment(
    tmp_path: Path,
    demo_warehouse: dict[str, int],
    postgres_database: str,
    moto_url: str,
    aws_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Deployment]:
    url = make_url(postgres_database)
    # Dagster's storage: the production file, its variables pointing at the real Postgres.
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.prod.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DAGSTER_PG_HOST", url.host or "127.0.0.1")
    monkeypatch.setenv("DAGSTER_PG_PORT", str(url.port or 5432))
    monkeypatch.setenv("DAGSTER_PG_DB", url.database or "")
    monkeypatch.setenv("DAGSTER_PG_USER", url.username or "postgres")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", url.password or "")

    # S3 and ECS on moto: a logs bucket, an artifacts prefix, the runs' task definition.
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    s3 = boto3.client("s3", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    logs_bucket, artifacts_bucket = f"dq-logs-{uuid.uuid4().hex[:8]}", f"dq-art-{uuid.uuid4().hex[:8]}"
    for bucket in (logs_bucket, artifacts_bucket):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": AWS_TEST_REGION})
    monkeypatch.setenv("DQ_LOGS_BUCKET", logs_bucket)
    monkeypatch.setenv("DQ_ARTIFACTS_DIR", f"s3://{artifacts_bucket}/reports")
    task = register_run_task_definition(moto_url, f"dq-runs-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("DQ_ECS_TASK_DEFINITION", task)

    # The stores: alerts and results in the same Postgres database; the alert store already migrated.
    monkeypatch.setenv("DQ_ALERTS_DB_URL", postgres_database)
    monkeypatch.setenv("DQ_RESULTS_URL", postgres_database)
    monkeypatch.delenv("DQ_ALERTS_CONFIG", raising=False)
    AlertStore.connect(postgres_database).dispose()
    monkeypatch.setenv("DQ_PROPOSALS_DIR", str(tmp_path / "proposals"))

    # The definitions: the demo's four tables and one `sql` table whose URL names its database by a variable.
    folder = tmp_path / "defs" / "tables"
    folder.mkdir(parents=True)
    for path in PACKAGED_TABLES_DIR.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    with psycopg2.connect(postgres_database) as connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE public.payments (id integer PRIMARY KEY, amount numeric(10, 2))")
    connection.close()
    server = postgres_database.rsplit("/", 1)[0]
    monkeypatch.setenv(WAREHOUSE_DB_ENV, url.database or "")
    (folder / "payments.yaml").write_text(
        "table: payments\n"
        f"source: {{type: sql, url: '{server}/${{{WAREHOUSE_DB_ENV}}}', table: public.payments}}\n"
    )
    (tmp_path / "defs" / "alerts.yaml").write_text(
        "store: {url_env: DQ_ALERTS_DB_URL}\n"
        "default: {channels: [log, team-slack]}\n"
        "channels:\n"
        "  team-slack: {type: slack, channel: '#data-alerts', token_env: DQ_DOCTOR_SLACK_TOKEN}\n"
        "  ops-sns: {type: sns, topic_arn: 'arn:aws:sns:eu-west-1:123456789012:dq-alerts'}\n"
        "  incident-hook:\n"
        "    {type: webhook, url: 'https://hooks.example.com/dq', secret_env: DQ_DOCTOR_HOOK_SECRET}\n"
    )
    monkeypatch.setenv("DQ_DOCTOR_SLACK_TOKEN", "xoxb-not-a-real-token")
    monkeypatch.setenv("DQ_DOCTOR_HOOK_SECRET", "not-a-real-secret")

    # Claude: a local server that speaks the Messages API.
    claude = FakeAnthropic().start()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", claude.url)
    yield Deployment(folder, postgres_database, logs_bucket, claude)
    claude.stop()


def doctor(config_dir: Path) -> tuple[Result, dict[str, dict[str, str | None]]]:
    """`dq doctor --json`: the result and each finding by check name."""
    result = CliRunner().invoke(cli, ["doctor", "--json", "--config", str(config_dir)])
    report = json.loads(result.stdout)
    assert report["exit_code"] == result.exit_code
    return result, {f["check"]: f for f in report["checks"]}


@pytest.mark.postgres
def test_a_healthy_deployment_passes_every_check(deployment: Deployment) -> None:
    deployment.claude.script(text_reply("ok"))

    result, findings = doctor(deployment.config_dir)

    assert list(findings) == EVERY_CHECK
    assert {name: f["status"] for name, f in findings.items() if f["status"] != "ok"} == {}
    assert result.exit_code == 0
    assert "reachable (PostgreSQL" in str(findings["dagster storage"]["detail"])
    assert "schema current (0001)" in str(findings["alert store"]["detail"])
    assert "created on first use" in str(findings["results store"]["detail"])
    assert f"s3://{deployment.logs_bucket}/dq/compute-logs/ exists and is writable" in str(
        findings["compute logs"]["detail"]
    )
    assert "container 'dq'" in str(findings["run launcher"]["detail"])
    assert str(findings["source orders"]["detail"]).startswith("iceberg:demo/shop.orders: 200,000 rows")
    assert str(findings["source payments"]["detail"]).startswith("sql:postgresql/public.payments")
    # one real, cheap call: a single request for one token with the proposer's model
    [body] = deployment.claude.bodies()
    assert (body["model"], body["max_tokens"]) == ("claude-sonnet-5-5", 1)
    # the probe objects were deleted again
    s3 = boto3.client("s3", region_name=AWS_TEST_REGION)
    assert s3.list_objects_v2(Bucket=deployment.logs_bucket).get("KeyCount") == 0


@pytest.mark.postgres
def test_a_broken_deployment_names_each_problem_and_its_fix(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = closed_port()
    monkeypatch.setenv("DAGSTER_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("DAGSTER_PG_PORT", str(port))  # nothing listens there
    monkeypatch.setenv("DQ_LOGS_BUCKET", "dq-logs-never-created")
    monkeypatch.delenv(WAREHOUSE_DB_ENV)  # the sql source's URL names it
    deployment.claude.script(error_reply(401, "authentication_error", "invalid x-api-key"))

    result, findings = doctor(deployment.config_dir)

    assert result.exit_code == 2
    assert list(findings) == EVERY_CHECK  # every check ran
    errors = {name for name, f in findings.items() if f["status"] == "error"}
    assert errors == {"dagster storage", "compute logs", "source payments", "llm"}
    assert {f["status"] for name, f in findings.items() if name not in errors} == {"ok"}

    storage = findings["dagster storage"]
    user = make_url(deployment.database_url).username
    assert str(storage["detail"]).startswith(f"postgresql://{user}@127.0.0.1:{port}/")
    assert "unreachable: " in str(storage["detail"])
    assert "Connection refused" in str(storage["detail"])
    assert storage["fix"] == (
        f"make Postgres reachable at 127.0.0.1:{port} from this machine (is it running? a security group "
        "or VPC rule?), or correct DAGSTER_PG_HOST and DAGSTER_PG_PORT"
    )
    logs = findings["compute logs"]
    assert str(logs["detail"]).startswith("bucket 'dq-logs-never-created' does not exist")
    assert logs["fix"] == (
        "create it (aws s3 mb s3://dq-logs-never-created) or set DQ_LOGS_BUCKET to an existing bucket"
    )
    payments = findings["source payments"]
    assert payments["detail"] == (
        f"sql:postgresql/public.payments: environment variable {WAREHOUSE_DB_ENV} (used in url) is not set"
    )
    assert payments["fix"] == (
        f"export {WAREHOUSE_DB_ENV}=...: the url in {deployment.config_dir / 'payments.yaml'}:2 "
        f"uses ${{{WAREHOUSE_DB_ENV}}}"
    )
    llm = findings["llm"]
    assert llm["detail"] == f"{deployment.claude.url} rejected the API key (HTTP 401): invalid x-api-key"
    assert "ANTHROPIC_API_KEY" in str(llm["fix"])
    assert "sk-test-not-a-real-key" not in result.stdout

    # The human-readable form: the table, then each problem with its fix line.
    text = CliRunner().invoke(cli, ["doctor", "--config", str(deployment.config_dir)]).stdout
    assert f"  fix: {logs['fix']}" in text
    assert f"  fix: {payments['fix']}" in text
    assert text.splitlines()[-1] == "19 checks: 15 ok, 0 warn, 4 error, 0 skipped"


@pytest.mark.postgres
def test_unset_instance_variables_are_named_with_their_place_in_dagster_yaml(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DAGSTER_PG_PASSWORD")
    monkeypatch.delenv("DQ_ECS_TASK_DEFINITION")
    deployment.claude.script(text_reply("ok"))

    result, findings = doctor(deployment.config_dir)

    assert result.exit_code == 2
    assert findings["dagster storage"]["detail"] == (
        "DAGSTER_PG_PASSWORD (storage.postgres.postgres_db.password) is not set"
    )
    assert str(findings["dagster storage"]["fix"]).startswith("export DAGSTER_PG_PASSWORD=...")
    assert findings["run launcher"]["detail"] == (
        "DQ_ECS_TASK_DEFINITION (run_launcher.config.task_definition) is not set"
    )
    assert findings["run launcher"]["fix"] == (
        "export DQ_ECS_TASK_DEFINITION=...: the family:revision or ARN of the runs' task definition"
    )
    assert findings["compute logs"]["status"] == "ok"  # the bucket's variable is still set


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("variable", "value", "failure", "fix_start"),
    [
        ("DAGSTER_PG_DB", "dq_doctor_no_such_db", "database missing", "create it: psql -h "),
        ("DAGSTER_PG_USER", "dq_doctor_nobody", "authentication failed", "check user 'dq_doctor_nobody'"),
    ],
)
def test_postgres_failures_are_told_apart(
    deployment: Deployment,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    failure: str,
    fix_start: str,
) -> None:
    monkeypatch.setenv(variable, value)

    [finding] = check_storage(DoctorContext(deployment.config_dir))

    assert finding.status is Status.ERROR
    assert f": {failure}: " in finding.detail
    assert value in finding.detail
    assert finding.fix is not None and finding.fix.startswith(fix_start)
    assert variable in finding.fix


@pytest.mark.parametrize(
    ("reply", "status", "detail_part", "fix_part"),
    [
        (
            error_reply(404, "not_found_error", "model: claude-sonnet-5-5"),
            Status.ERROR,
            "unknown model 'claude-sonnet-5-5'",
            "ClaudeRuleProposer(model=...)",
        ),
        (overloaded_reply(), Status.WARN, "is overloaded (HTTP 529)", "transient"),
        (None, Status.ERROR, "cannot connect to http://127.0.0.1:", "start the gateway at"),
    ],
)
def test_llm_failures_are_told_apart(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    reply: Reply | None,
    status: Status,
    detail_part: str,
    fix_part: str,
) -> None:
    claude = FakeAnthropic().start()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key")
    if reply is None:  # nothing listens where ANTHROPIC_BASE_URL points
        monkeypatch.setenv("ANTHROPIC_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    else:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", claude.url)
        claude.script(reply)
    try:
        [finding] = check_llm(DoctorContext(tmp_path))
    finally:
        claude.stop()

    assert finding.status is status
    assert detail_part in finding.detail
    assert finding.fix is not None and fix_part in finding.fix
    assert len(claude.requests) == (0 if reply is None else 1)  # no retries: one call at most


def test_without_dagster_home_or_key_the_local_demo_has_nothing_to_fix(
    demo_warehouse: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DAGSTER_HOME", "ANTHROPIC_API_KEY", "DQ_ALERTS_CONFIG", "DQ_PROPOSALS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DQ_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    monkeypatch.chdir(tmp_path)  # the default sqlite stores are relative to the working directory

    result, findings = doctor(PACKAGED_TABLES_DIR)

    assert result.exit_code == 0
    assert {name: f["status"] for name, f in findings.items()} == {
        "definitions": "ok",
        "dagster instance": "warn",
        "dagster storage": "skipped",
        "compute logs": "skipped",
        "run launcher": "skipped",
        "alert store": "ok",
        "results store": "ok",
        "artifacts": "ok",
        "proposals": "ok",
        "source customers": "ok",
        "source order_items": "ok",
        "source orders": "ok",
        "source products": "ok",
        "llm": "skipped",
        "channel log": "ok",
    }
    assert findings["llm"]["detail"] == "offline proposer in use (ANTHROPIC_API_KEY is unset)"
    assert str(findings["dagster instance"]["fix"]).startswith("export DAGSTER_HOME=")
    assert not (tmp_path / ".dq").exists()  # nothing was created: the stores are only looked at


def test_a_check_that_raises_is_an_error_naming_it_and_the_rest_still_run(tmp_path: Path) -> None:
    def explodes(context: DoctorContext) -> list[Finding]:
        raise RuntimeError("the check's own bug, password=hunter2")

    checks = (
        Check("first", lambda context: [ok("first", "fine")]),
        Check("exploding", explodes),
        Check("last", lambda context: [ok("last", "fine")]),
    )
    report = run_checks(checks, DoctorContext(tmp_path))

    assert [(f.check, f.status) for f in report.findings] == [
        ("first", Status.OK),
        ("exploding", Status.ERROR),
        ("last", Status.OK),
    ]
    assert report.findings[1].detail == (
        "the check could not run: RuntimeError: the check's own bug, password=***"
    )
    assert report.exit_code == 2
