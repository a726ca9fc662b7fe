"""The SQL stores of dq itself (alerts, results): reachable, and their alembic schema current.

The stores migrate themselves when they are opened, so the doctor never opens them that way: it
connects, reads the version table the store's migrations keep, and compares it with the newest
revision this dq ships. A store that does not exist yet is fine (it is created on first use); a
store migrated by a newer dq than this one is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dq_assets.doctor.locations import nearest_existing, probe_folder
from dq_assets.doctor.model import Finding, error, ok
from dq_assets.doctor.postgres import CONNECT_TIMEOUT_SECONDS, PgTarget, classify, one_line
from dq_resources.source_contract import redact


@dataclass(frozen=True)
class StoreSchema:
    """Where a store's migrations live and which table records the applied revision."""

    migrations: Path
    version_table: str


def alerts_schema() -> StoreSchema:
    """The alert store's migrations."""
    from dq_resources.alerts.migrate import MIGRATIONS, VERSION_TABLE

    return StoreSchema(MIGRATIONS, VERSION_TABLE)


def results_schema() -> StoreSchema:
    """The results store's migrations."""
    from dq_resources.results.migrate import MIGRATIONS, VERSION_TABLE

    return StoreSchema(MIGRATIONS, VERSION_TABLE)


def check_sql_store(check: str, url: str, *, url_from: str, schema: StoreSchema) -> Finding:
    """Connect to `url` (set in `url_from`), without creating or migrating anything, and read its revision."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError as raised:
        return error(check, f"{url_from} is not a SQLAlchemy URL: {redact(str(raised))}", _url_fix(url_from))
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        return _check_sqlite(check, shown, parsed.database, url, url_from=url_from, schema=schema)
    return _check_server(check, shown, url, url_from=url_from, schema=schema)


def _check_sqlite(
    check: str, shown: str, database: str | None, url: str, *, url_from: str, schema: StoreSchema
) -> Finding:
    if not database or database == ":memory:":
        return error(check, f"{shown} is an in-memory database: nothing would be kept", _url_fix(url_from))
    path = Path(database).expanduser().absolute()
    if not path.exists():
        folder = nearest_existing(path.parent)
        problem = probe_folder(folder)
        if problem is not None:
            return error(
                check,
                f"{shown}: {path} does not exist and {folder} is not writable: {problem}",
                f"create {path.parent} writable for this user, or set {url_from} elsewhere",
            )
        return ok(check, f"{shown}: no file {path} yet; created with its schema on first use")
    return _check_server(check, shown, url, url_from=url_from, schema=schema)


def _check_server(check: str, shown: str, url: str, *, url_from: str, schema: StoreSchema) -> Finding:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import DBAPIError, NoSuchModuleError, SQLAlchemyError

    try:
        engine = create_engine(url, connect_args=_connect_args(url))
    except (NoSuchModuleError, ImportError) as raised:
        return error(
            check,
            f"{shown}: no SQLAlchemy dialect or driver: {raised}",
            "install the database's driver (pip install 'dq[snowflake]' for Snowflake, "
            "psycopg2 for Postgres)",
        )
    try:
        with engine.connect() as connection:
            current = _current_revision(connection, schema)
    except DBAPIError as raised:
        message = one_line(str(raised.orig))
        if engine.dialect.name == "postgresql":
            failure = classify(message)
            target = PgTarget.from_url(url, url_from)
            return error(check, f"{shown}: {failure.value}: {redact(message)}", target.fix(failure))
        return error(check, f"{shown}: cannot connect: {redact(message)}", _url_fix(url_from))
    except SQLAlchemyError as raised:
        return error(check, f"{shown}: cannot connect: {redact(one_line(str(raised)))}", _url_fix(url_from))
    finally:
        engine.dispose()
    return _revision_finding(check, shown, current, schema)


def _revision_finding(check: str, shown: str, current: str | None, schema: StoreSchema) -> Finding:
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    script = ScriptDirectory(str(schema.migrations))
    head = script.get_current_head()
    if current is None:
        return ok(check, f"{shown}: reachable; its tables are created on first use (schema {head})")
    if current == head:
        return ok(check, f"{shown}: reachable, schema current ({head})")
    try:
        known = script.get_revision(current) is not None
    except CommandError:
        known = False
    if known:
        return ok(check, f"{shown}: reachable, schema {current}; migrated to {head} on first use")
    return error(
        check,
        f"{shown}: schema revision {current} is unknown to this dq (newest {head}): a newer dq migrated it",
        "run the same dq version as the deployment that migrated the store (upgrade this one)",
    )


def _current_revision(connection: object, schema: StoreSchema) -> str | None:
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"version_table": schema.version_table})  # type: ignore[arg-type]
    return context.get_current_revision()


def _connect_args(url: str) -> dict[str, object]:
    """A short connect timeout where the driver takes one."""
    from sqlalchemy.engine import make_url

    if make_url(url).get_backend_name() == "postgresql":
        return {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    return {}


def _url_fix(url_from: str) -> str:
    return f"set {url_from} to a reachable SQLAlchemy URL (postgresql://user:password@host:5432/db)"
