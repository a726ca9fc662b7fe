"""Issue points 6, 8 and 15 (sources): every run ends, and says why.

Every `dq` command runs here as a user runs it, in a process of its own. The source that hangs
is real: a TCP server on 127.0.0.1 that accepts every connection and never answers a byte
(`tests/silent_server.py`), standing in for an Iceberg REST catalog, a Postgres-backed sql
catalog, Glue, S3, Athena, Redshift's Data API and a Postgres database. The table that does not
hang is a small CSV file whose three rows pass every check.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import AWS_TEST_REGION
from tests.e2e.hostile.workspace import Workspace, outcomes
from tests.silent_server import SilentServer

ROWS = "id,amount\n1,10.5\n2,20.0\n3,7.25\n"
"""Three rows, all fine: the fast table passes every check."""

FAST_OUTCOMES = {
    "profile": "pass",
    "anomalies": "pass",
    "ids_unique": "pass",
    "quality_score": "pass",
    "volume": "skip",  # no earlier run to learn from
    "schema": "pass",  # no earlier run to compare with
    "drift": "skip",  # the first run: this data version is the next run's baseline
}
UNREAD_CHECKS = ["profile", "anomalies", "volume", "schema", "drift"]
"""The checks of a table without rules, every one an error when its source cannot be read."""

ENDED_WITHIN = 300
"""Seconds a command may take before the test calls it hung (each silent source costs a few)."""
STOPPED_WITHIN = 30
"""Seconds after a signal by which the process must have ended."""


@dataclass(frozen=True, kw_only=True)
class SilentWorkspace(Workspace):
    """A workspace whose catalogs and AWS endpoints all point at the silent server."""

    silent: SilentServer

    def define_source(self, name: str, source: str, rules: bool = False) -> None:
        """Define table `name` reading `source`; with `rules`, its ids must be unique."""
        text = f"table: {name}\nsource: {source}\n"
        if rules:
            text += 'rules:\n  - name: ids_unique\n    rule: IsUnique "id"\n'
        self.define(name, text)

    def define_fast(self) -> None:
        """`a_fast`: first in order (definitions load sorted by file name), a local CSV."""
        self.define_source("a_fast", f"{{type: file, path: '{self.root / 'fast.csv'}'}}", rules=True)


def pointing_at(silent: SilentServer) -> dict[str, str]:
    """A process's environment: every catalog and AWS endpoint on the silent server."""
    return {
        "PYICEBERG_CATALOG__SILENTREST__URI": silent.url,
        "PYICEBERG_CATALOG__SILENTPG__URI": f"postgresql+psycopg2://dq@127.0.0.1:{silent.port}/db",
        "PYICEBERG_CATALOG__SILENTGLUE__TYPE": "glue",
        "PYICEBERG_CATALOG__SILENTGLUE__GLUE__ENDPOINT": silent.url,
        "PYICEBERG_CATALOG__SILENTGLUE__GLUE__REGION": AWS_TEST_REGION,
        "AWS_ENDPOINT_URL": silent.url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": AWS_TEST_REGION,
    }


@pytest.fixture
def workspace(tmp_path: Path, silent: SilentServer, monkeypatch: pytest.MonkeyPatch) -> SilentWorkspace:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "DQ_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    space = SilentWorkspace.create(tmp_path, silent=silent, env=pointing_at(silent), timeout=ENDED_WITHIN)
    (tmp_path / "fast.csv").write_text(ROWS)
    return space


# -- point 6: connect and read timeouts on every source

SILENT_SOURCES = {
    # table: (its source, with a short connect timeout; how dq shows the source)
    "b_rest": ("{type: iceberg, catalog: silentrest, identifier: ns.t, connect_timeout_seconds: 1}",
               "iceberg:silentrest/ns.t"),
    "c_pg_catalog": ("{type: iceberg, catalog: silentpg, identifier: ns.t, connect_timeout_seconds: 1}",
                     "iceberg:silentpg/ns.t"),
    "d_glue": ("{type: iceberg, catalog: silentglue, identifier: ns.t, connect_timeout_seconds: 0.5}",
               "iceberg:silentglue/ns.t"),
    "e_s3_file": ("{type: file, path: 's3://bucket/data.parquet', connect_timeout_seconds: 0.5}",
                  "file:s3://bucket/data.parquet"),
    "f_athena": ("{type: athena, database: shop, table: orders, connect_timeout_seconds: 0.5}",
                 "athena:shop.orders"),
    "g_redshift": ("{type: redshift, database: dev, table: public.orders, workgroup_name: analytics, "
                   "connect_timeout_seconds: 0.5}", "redshift:analytics/dev.public.orders"),
}  # fmt: skip


def test_sources_that_never_answer_time_out_and_the_other_tables_still_run(
    workspace: SilentWorkspace,
) -> None:
    workspace.define_fast()
    for name, (source, _) in SILENT_SOURCES.items():
        workspace.define_source(name, source)

    tested = workspace.dq("sources", "test", "--json")
    assert tested.returncode == 2, tested.stderr
    rows = {row["table"]: row for row in json.loads(tested.stdout)}
    assert set(rows) == {"a_fast", *SILENT_SOURCES}
    assert rows["a_fast"]["status"] == "ok"
    assert rows["a_fast"]["detail"].startswith("row count unknown, 2 columns, last updated ")
    for name, (_, shown) in SILENT_SOURCES.items():
        assert rows[name]["source"] == shown
        assert rows[name]["status"] == "error"
        assert rows[name]["detail"].startswith(f"{shown}: "), rows[name]
        assert "timed out (connect_timeout_seconds is " in rows[name]["detail"], rows[name]
    assert workspace.silent.connections >= len(SILENT_SOURCES)  # each really reached the silent server

    ran, output = workspace.run_json("a_fast", "b_rest", "e_s3_file")
    assert ran.returncode == 2, ran.stderr
    tables = {t["table"]: t for t in output["tables"]}
    assert outcomes(tables["a_fast"]) == FAST_OUTCOMES
    for name in ("b_rest", "e_s3_file"):
        shown = SILENT_SOURCES[name][1]
        assert outcomes(tables[name]) == dict.fromkeys(UNREAD_CHECKS, "error")
        for check in tables[name]["checks"]:
            assert shown in check["description"] and "timed out" in check["description"], check


# -- point 6: SIGTERM and SIGINT stop a run stuck in a driver call, and say what finished

STUCK_SOURCES = {
    # the stuck table's source: timeouts of an hour, so only the signal can end it
    "iceberg_rest": "{type: iceberg, catalog: silentrest, identifier: ns.t, connect_timeout_seconds: 3600}",
    "postgres": "{type: sql, url: 'postgresql://dq@127.0.0.1:PORT/db', table: shop.orders, "
    "connect_timeout_seconds: 3600, timeout_seconds: 86400}",
}


def stop_when_stuck(workspace: SilentWorkspace, args: list[str], stop: signal.Signals) -> tuple[int, str]:
    """Start `dq`, wait until the stuck table has reached the silent server (so the fast table is
    done: they run in order), send `stop`; the exit code and stdout. Fails if it does not end."""
    process = workspace.start(*args)
    try:
        reached = workspace.silent.wait_for_connections(1, timeout=ENDED_WITHIN)
        assert reached and process.poll() is None, "the stuck table never reached its source"
        process.send_signal(stop)
        stdout, stderr = process.communicate(timeout=STOPPED_WITHIN)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert "Traceback" not in stderr, stderr
    return process.returncode, stdout


def run_statuses(home: Path) -> dict[str, dg.DagsterRunStatus]:
    with dg.DagsterInstance.from_config(str(home)) as instance:
        return {run.tags["dq/table"]: run.status for run in instance.get_runs()}


@pytest.mark.parametrize(
    ("stop", "stuck_on"),
    [(signal.SIGTERM, "iceberg_rest"), (signal.SIGINT, "postgres")],
    ids=["SIGTERM-rest-catalog", "SIGINT-postgres"],
)
def test_a_signal_stops_dq_run_reports_what_finished_and_interrupts_the_rest(
    workspace: SilentWorkspace, stop: signal.Signals, stuck_on: str
) -> None:
    workspace.define_fast()
    workspace.define_source("b_stuck", STUCK_SOURCES[stuck_on].replace("PORT", str(workspace.silent.port)))
    workspace.define_source("c_never_started", f"{{type: file, path: '{workspace.root / 'fast.csv'}'}}")

    exit_code, stdout = stop_when_stuck(workspace, ["run", "--json"], stop)
    assert exit_code == 2
    tables = {t["table"]: t for t in json.loads(stdout)["tables"]}
    assert list(tables) == ["a_fast", "b_stuck", "c_never_started"]
    assert outcomes(tables["a_fast"]) == FAST_OUTCOMES  # finished before the signal: reported
    assert tables["a_fast"]["row_count"] == 3
    for name in ("b_stuck", "c_never_started"):
        assert outcomes(tables[name]) == dict.fromkeys(UNREAD_CHECKS, "error")
        for check in tables[name]["checks"]:
            assert check["description"] == f"error: interrupted by {stop.name} before the table finished"
    # The instance is left consistent: the stuck table's run is canceled, not "started" forever.
    assert run_statuses(workspace.home) == {
        "a_fast": dg.DagsterRunStatus.SUCCESS,
        "b_stuck": dg.DagsterRunStatus.CANCELED,
    }


def test_a_signal_stops_dq_run_printing_the_table_of_what_finished(workspace: SilentWorkspace) -> None:
    workspace.define_fast()
    workspace.define_source("b_stuck", STUCK_SOURCES["iceberg_rest"])

    exit_code, stdout = stop_when_stuck(workspace, ["run"], signal.SIGINT)
    assert exit_code == 2
    lines = [line.split(None, 3) for line in stdout.splitlines()]
    fast = {cells[2]: cells[3] for cells in lines if cells and cells[0] == "a_fast"}
    assert {check: rest.split()[0] for check, rest in fast.items()} == FAST_OUTCOMES
    stuck = [line for line in stdout.splitlines() if line.startswith("b_stuck")]
    assert len(stuck) == len(UNREAD_CHECKS)
    assert all("error: interrupted by SIGINT before the table finished" in line for line in stuck)


def test_a_signal_stops_dq_sources_test_and_shows_what_answered(workspace: SilentWorkspace) -> None:
    workspace.define_fast()
    workspace.define_source("b_stuck", STUCK_SOURCES["iceberg_rest"])

    exit_code, stdout = stop_when_stuck(workspace, ["sources", "test", "--json"], signal.SIGTERM)
    assert exit_code == 2
    rows = json.loads(stdout)
    assert [(r["table"], r["status"]) for r in rows] == [("a_fast", "ok"), ("b_stuck", "error")]
    assert rows[1]["detail"] == "interrupted by SIGTERM before the source answered"


# -- point 8: two `dq run`s at once on a fresh DAGSTER_HOME


def test_dq_runs_at_once_on_a_fresh_dagster_home_all_succeed(workspace: SilentWorkspace) -> None:
    workspace.define_fast()
    # The race needs the processes to create the storage at the same moment; Python's start-up
    # jitter makes two rarely collide (1 in 20 before the fix), three often (1 in 2): three
    # processes, three times.
    for attempt in range(3):
        home = workspace.root / f"fresh_home_{attempt}"  # no dagster.yaml: Dagster's default sqlite
        home.mkdir()
        environment = {
            "DAGSTER_HOME": str(home),
            "DQ_RESULTS_URL": f"sqlite:///{home / 'results.db'}",  # a fresh results store too, shared by all
        }
        processes = [workspace.start("run", "--json", env=environment) for _ in range(3)]
        finished = [process.communicate(timeout=ENDED_WITHIN) for process in processes]
        for process, (stdout, stderr) in zip(processes, finished, strict=True):
            assert process.returncode == 0, stderr
            (table,) = json.loads(stdout)["tables"]
            assert outcomes(table) == FAST_OUTCOMES
        with dg.DagsterInstance.from_config(str(home)) as instance:
            statuses = [run.status for run in instance.get_runs()]
        assert statuses == [dg.DagsterRunStatus.SUCCESS] * 3


# -- point 15: `dq sources test` shows the whole cause


def test_dq_sources_test_shows_the_whole_cause(workspace: SilentWorkspace) -> None:
    long_name = "a_very_long_folder_name_" * 6  # planted: the path alone is longer than a table cell
    missing = workspace.root / long_name / "missing.csv"
    workspace.define_fast()
    workspace.define_source("b_missing", f"{{type: file, path: '{missing}'}}")

    printed = workspace.dq("sources", "test")
    assert printed.returncode == 2
    cause = f"file:{missing}: not found: no such file"
    assert f"b_missing: {cause}" in printed.stdout.splitlines()  # whole, under the table
    table_row = next(line for line in printed.stdout.splitlines() if line.startswith("b_missing "))
    assert table_row.rstrip().endswith("…") and " error " in table_row

    listed = workspace.dq("sources", "test", "--json")
    assert listed.returncode == 2
    fast, lost = json.loads(listed.stdout)
    assert (fast["table"], fast["source"], fast["status"]) == (
        "a_fast",
        f"file:{workspace.root / 'fast.csv'}",
        "ok",
    )
    assert lost == {"table": "b_missing", "source": f"file:{missing}", "status": "error", "detail": cause}


def test_dq_sources_test_exits_0_when_every_source_answers(workspace: SilentWorkspace) -> None:
    workspace.define_fast()
    listed = workspace.dq("sources", "test", "--json")
    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert (row["table"], row["status"]) == ("a_fast", "ok")
    assert row["detail"].startswith("row count unknown, 2 columns, last updated ")


def test_dq_sources_test_refuses_an_unknown_table_name(workspace: SilentWorkspace) -> None:
    workspace.define_fast()
    listed = workspace.dq("sources", "test", "--json", "a_fats")  # planted: a typo
    assert listed.returncode == 2
    assert json.loads(listed.stdout) == []
    assert "unknown table 'a_fats'; defined tables: a_fast" in listed.stderr
