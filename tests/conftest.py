"""Shared fixtures: a seeded demo warehouse in a temporary Iceberg catalog, and a real PostgreSQL.

Environment is set at import time, before anything imports pyiceberg or dagster:
no telemetry, no user DAGSTER_HOME, and the `demo` catalog pointed at a temporary folder
so the suite never touches the developer's own `.dq/` warehouse.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    import dagster as dg

    from tests.alert_world import AlertWorld
    from tests.http_sink import HttpSink

os.environ["YDATA_PROFILING_NO_ANALYTICS"] = "True"
os.environ["GX_ANALYTICS_ENABLED"] = "False"
os.environ.pop("DAGSTER_HOME", None)
os.environ.pop("DQ_CONFIG_DIR", None)
os.environ.pop("DQ_ARTIFACTS_DIR", None)

_WAREHOUSE_ROOT = Path(tempfile.mkdtemp(prefix="dq-test-warehouse-"))
os.environ["PYICEBERG_CATALOG__DEMO__TYPE"] = "sql"
os.environ["PYICEBERG_CATALOG__DEMO__URI"] = f"sqlite:///{_WAREHOUSE_ROOT / 'catalog.db'}"
os.environ["PYICEBERG_CATALOG__DEMO__WAREHOUSE"] = f"file://{_WAREHOUSE_ROOT / 'warehouse'}"
# Every check step writes its tidy copy to the results store: here, a scratch sqlite file.
os.environ["DQ_RESULTS_URL"] = f"sqlite:///{_WAREHOUSE_ROOT / 'results.db'}"

from tests.spark_session import spark_session  # noqa: E402, F401 - the run's one SparkSession

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_WAREHOUSE_ROOT, ignore_errors=True)
    # Finalise what the tests left (pooled connections of instances that were not closed) now,
    # not at some moment inside pytest's own terminal summary.
    gc.collect()


@pytest.fixture(scope="session")
def demo_warehouse() -> dict[str, int]:
    """The demo shop seeded once into the temporary `demo` catalog; returns rows per table."""
    from dq_resources.demo import seed_demo_warehouse

    report = seed_demo_warehouse("demo", force=True)
    return report.rows


def define_catalog(name: str, root: Path) -> None:
    """Configure an extra sqlite-backed Iceberg catalog `name` under `root`, the pyiceberg way."""
    upper = name.upper()
    os.environ[f"PYICEBERG_CATALOG__{upper}__TYPE"] = "sql"
    os.environ[f"PYICEBERG_CATALOG__{upper}__URI"] = f"sqlite:///{root / 'catalog.db'}"
    os.environ[f"PYICEBERG_CATALOG__{upper}__WAREHOUSE"] = f"file://{root / 'warehouse'}"
    (root / "warehouse").mkdir(parents=True, exist_ok=True)


@pytest.fixture
def scratch_catalog(tmp_path: Path) -> Iterator[str]:
    """A fresh, empty Iceberg catalog with a unique name; yields the name."""
    name = f"scratch{uuid.uuid4().hex[:8]}"
    define_catalog(name, tmp_path)
    yield name
    for key in [k for k in os.environ if k.startswith(f"PYICEBERG_CATALOG__{name.upper()}__")]:
        del os.environ[key]


def _postgres_url() -> str:
    return os.environ.get("DQ_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The URL of a reachable PostgreSQL; skips (or fails, with DQ_REQUIRE_POSTGRES=1) without one."""
    import psycopg2

    url = _postgres_url()
    try:
        psycopg2.connect(url, connect_timeout=5).close()
    except psycopg2.OperationalError as error:
        message = f"PostgreSQL is not reachable at {url}: {error}"
        if os.environ.get("DQ_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


@contextmanager
def scratch_database(server_url: str, prefix: str = "dq_test") -> Iterator[str]:
    """A new database `<prefix>_<random>` on the PostgreSQL server, dropped on exit; yields its URL."""
    import psycopg2
    from psycopg2 import sql
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture
def postgres_database(postgres_server_url: str) -> Iterator[str]:
    """A fresh database on the PostgreSQL server, dropped afterwards; yields its URL."""
    with scratch_database(postgres_server_url) as url:
        yield url


def _mariadb_url() -> str:
    return os.environ.get("DQ_TEST_MYSQL_URL", DEFAULT_MARIADB_URL)


@pytest.fixture(scope="session")
def mariadb_server_url() -> str:
    """The URL of a reachable MariaDB (or MySQL); skips (or fails, with DQ_REQUIRE_MARIADB=1) without one."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    url = _mariadb_url()
    engine = sqlalchemy.create_engine(url, connect_args={"connect_timeout": 5}, poolclass=NullPool)
    try:
        with engine.connect():
            pass
    except sqlalchemy.exc.OperationalError as error:
        message = f"MariaDB is not reachable at {url}: {error.orig}"
        if os.environ.get("DQ_REQUIRE_MARIADB") == "1":
            pytest.fail(message)
        pytest.skip(message)
    finally:
        engine.dispose()
    return url


@contextmanager
def scratch_mariadb_database(server_url: str, prefix: str = "dq_test") -> Iterator[str]:
    """A new database `<prefix>_<random>` on the MariaDB server, dropped on exit; yields its URL."""
    import sqlalchemy
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
        admin.dispose()


@pytest.fixture
def mariadb_database(mariadb_server_url: str) -> Iterator[str]:
    """A fresh database on the MariaDB server, dropped afterwards; yields its URL."""
    with scratch_mariadb_database(mariadb_server_url) as url:
        yield url


# -- a Dagster instance on sqlite files or on a real PostgreSQL, with an alert-store URL on the same
# backend; a real HTTP receiver; and the alert world built on both. On Postgres the alert store
# shares the database with Dagster's own storage, as a small deployment would: the store keeps its
# schema version in a table of its own.

ALERT_TABLES = [f"t{i}" for i in range(5)]


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dg.DagsterInstance, str]]:
    """A Dagster instance and an alert-store URL on the same backend."""
    import dagster as dg

    if request.param == "sqlite":
        home = tmp_path / "dagster_home"
        home.mkdir()
        with dg.DagsterInstance.local_temp(str(home)) as instance:
            yield instance, f"sqlite:///{tmp_path / 'alerts.db'}"
        return
    url = request.getfixturevalue("postgres_database")
    home = tmp_path / "pg_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        f'storage:\n  postgres:\n    postgres_url: "{url}"\ntelemetry:\n  enabled: false\n'
    )
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance, url


@pytest.fixture
def sink() -> Iterator[HttpSink]:
    from tests.http_sink import HttpSink

    receiver = HttpSink().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def world(backend: tuple[dg.DagsterInstance, str], sink: HttpSink, tmp_path: Path) -> Iterator[AlertWorld]:
    """Five tables, every alert routed to the webhook sink."""
    from dq_resources.alerts.store import AlertStore
    from tests.alert_world import AlertWorld, load_alerting, webhook_alerts_yaml, write_definitions

    instance, url = backend
    folder = write_definitions(tmp_path / "defs", ALERT_TABLES, webhook_alerts_yaml(sink.url))
    store = AlertStore.connect(url)
    yield AlertWorld(instance, store, load_alerting(folder), sink)
    store.dispose()


# -- a real HTTP endpoint for AWS (S3, SNS, Glue, Athena, Redshift Data): moto in server mode.

AWS_TEST_REGION = "eu-west-1"


def register_run_task_definition(moto_url: str, family: str) -> str:
    """A Fargate task definition with the `dq` container the EcsRunLauncher expects; its ARN."""
    import boto3

    ecs = boto3.client("ecs", region_name=AWS_TEST_REGION, endpoint_url=moto_url)
    return ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "dq", "image": "dq:latest", "memory": 4096}],
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="1024",
        memory="4096",
    )["taskDefinition"]["taskDefinitionArn"]


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """moto's server on a free port of 127.0.0.1, for the whole session."""
    import socket

    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, and nothing of the machine's own AWS settings."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", AWS_TEST_REGION)
