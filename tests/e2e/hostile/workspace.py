"""What the hostile tests share: a user's workspace, the real `dq` CLI run in it, and one search of
everything a run stored.

A workspace is a temporary folder holding a definitions folder (`tables/`), a DAGSTER_HOME (`home/`,
telemetry off) and a sqlite results store (`results.db`). `dq` runs as a user runs it, in a process
of its own, with DAGSTER_HOME, DQ_RESULTS_URL and `--config` pointed at them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

import pytest

from tests.conftest import scratch_database

if TYPE_CHECKING:
    import psycopg2.extensions

Report = dict[str, Any]
"""One table of `dq run --json`: its name, its checks and its profile."""
Check = dict[str, Any]
"""One check of a table in `dq run --json`: name, outcome, description and metadata."""


@dataclass(frozen=True, kw_only=True)
class Workspace:
    """A definitions folder, a DAGSTER_HOME and a results store under `root`, as a user sets them up."""

    root: Path
    env: Mapping[str, str] = field(default_factory=dict)
    """Set in every `dq` process's environment, over the workspace's own DAGSTER_HOME and results store."""
    timeout: float = 300
    """Seconds a `dq` process may take before the test fails it as hung."""

    @classmethod
    def create(cls, root: Path, **fields: Any) -> Self:
        """The workspace under `root`, its folders made and telemetry turned off in DAGSTER_HOME."""
        space = cls(root=root, **fields)
        space.folder.mkdir()
        space.home.mkdir()
        (space.home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        return space

    @property
    def folder(self) -> Path:
        """The definitions folder, given to every command as `--config`."""
        return self.root / "tables"

    @property
    def home(self) -> Path:
        """DAGSTER_HOME: the runs and their event logs."""
        return self.root / "home"

    @property
    def results(self) -> Path:
        """The sqlite file of the results store."""
        return self.root / "results.db"

    @property
    def results_url(self) -> str:
        """DQ_RESULTS_URL: the results store's URL."""
        return f"sqlite:///{self.results}"

    @property
    def proposals(self) -> Path:
        """`.dq/proposals/` beside the definitions folder, where dq keeps rule proposals by default."""
        return self.root / ".dq" / "proposals"

    def define(self, name: str, text: str) -> Path:
        """Write the definition `name.yaml` into the definitions folder; its path."""
        path = self.folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    def launcher(self) -> list[str]:
        """The program that is the `dq` CLI, before its arguments."""
        return [sys.executable, "-m", "dq_assets.cli.main"]

    def command(self, *args: str, config: bool = True) -> list[str]:
        """The command line of `dq ARGS`, with `--config FOLDER` unless `config` is off."""
        return [*self.launcher(), *args, *(["--config", str(self.folder)] if config else [])]

    def environment(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """A `dq` process's environment: this one, the workspace's stores, `self.env`, then `env`."""
        return {
            **os.environ,
            "DAGSTER_HOME": str(self.home),
            "DQ_RESULTS_URL": self.results_url,
            **self.env,
            **(env or {}),
        }

    def dq(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        config: bool = True,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run `dq ARGS` in a process of its own and wait; a hang past `timeout` fails the test."""
        return subprocess.run(
            self.command(*args, config=config),
            cwd=self.root,
            env=self.environment(env),
            capture_output=True,
            text=True,
            timeout=self.timeout if timeout is None else timeout,
            check=False,
        )

    def start(self, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
        """Start `dq ARGS` in a process of its own without waiting; its stdout and stderr are pipes."""
        return subprocess.Popen(
            self.command(*args),
            cwd=self.root,
            env=self.environment(env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run_json(
        self, *tables: str, env: Mapping[str, str] | None = None
    ) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
        """`dq run --json [TABLES]`: the process and its parsed output (which must not be empty)."""
        ran = self.dq("run", "--json", *tables, env=env)
        assert ran.stdout, ran.stderr
        return ran, json.loads(ran.stdout)

    def run_checks(
        self, env: Mapping[str, str] | None = None
    ) -> tuple[subprocess.CompletedProcess[str], dict[str, dict[str, Check]]]:
        """`dq run --json`: the process, and each table's checks by name."""
        ran, output = self.run_json(env=env)
        return ran, {report["table"]: checks_by_name(report) for report in output["tables"]}

    def stored_text(self, *also: Path, require_run: bool = True) -> str:
        """Everything the runs left behind, as one text to search for a planted secret.

        The event log of every run of DAGSTER_HOME (read through the Dagster instance; with
        `require_run`, there must be one), every row of the results store, and the bytes of every
        file of DAGSTER_HOME, of the results store and of the folders `also`.
        """
        import dagster as dg

        parts: list[str] = []
        with dg.DagsterInstance.from_config(str(self.home)) as instance:
            runs = instance.get_runs()
            assert runs or not require_run, "no run was recorded in this DAGSTER_HOME"
            for run in runs:
                parts += [dg.serialize_value(entry) for entry in instance.all_logs(run.run_id)]
        if self.results.exists():
            with closing(sqlite3.connect(self.results)) as store:
                query = "SELECT name FROM sqlite_master WHERE type = 'table'"
                for (table,) in store.execute(query).fetchall():
                    parts += [repr(row) for row in store.execute(f'SELECT * FROM "{table}"')]
        candidates = [*self.home.rglob("*"), self.results, *(p for folder in also for p in folder.rglob("*"))]
        parts += [p.read_bytes().decode("utf-8", errors="replace") for p in candidates if p.is_file()]
        return "\n".join(parts)


# -- reading `dq run --json`


def checks_by_name(report: Report) -> dict[str, Check]:
    """A table's checks by name."""
    return {check["name"]: check for check in report["checks"]}


def outcomes(report: Report) -> dict[str, str]:
    """A table's check outcomes by check name."""
    return {check["name"]: check["outcome"] for check in report["checks"]}


def checks_of(output: dict[str, Any], table: str) -> dict[str, Check]:
    """The checks by name of `table`, which must be in `output` exactly once."""
    (report,) = [r for r in output["tables"] if r["table"] == table]
    return checks_by_name(report)


def line_of(path: Path, text: str) -> int:
    """The 1-based line of `path` that holds `text` (the test's own oracle)."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


# -- a warehouse on a real PostgreSQL


def warehouse_fixture(prefix: str, seed: Callable[[psycopg2.extensions.cursor], None]) -> Any:
    """A module-scoped fixture: a new database `PREFIX_<random>` on the test PostgreSQL, filled by
    `seed` (autocommit) and dropped afterwards; it yields the database's URL.

    A test module assigns it to a name of its own: `warehouse = warehouse_fixture("dq_x", seed)`.
    """

    def database(postgres_server_url: str) -> Iterator[str]:
        """A scratch database on the test PostgreSQL, seeded for this module; yields its URL."""
        import psycopg2

        with scratch_database(postgres_server_url, prefix) as url:
            with closing(psycopg2.connect(url)) as connection:
                connection.autocommit = True
                with connection.cursor() as cursor:
                    seed(cursor)
            yield url

    return pytest.fixture(scope="module")(database)


def plant_secret(cursor: psycopg2.extensions.cursor, secret: str) -> None:
    """`secret` in other_schema.secrets: a table the database role can read and no rule may."""
    cursor.execute("CREATE SCHEMA other_schema")
    cursor.execute("CREATE TABLE other_schema.secrets (v text)")
    cursor.execute("INSERT INTO other_schema.secrets VALUES (%s)", (secret,))
