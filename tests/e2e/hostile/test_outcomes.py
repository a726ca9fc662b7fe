"""Issue points 12 and 13: exit codes mean one thing each, and a failure to save is never silent.

0: everything passed; 1: a check failed; 2: bad input or an error outcome. Every `dq` command
runs here as a user runs it, in a process of its own, against real parts: a sqlite path under a
regular file (root can write anywhere, but no one can make a folder inside a file), a Postgres
database that does not exist, and a local HTTP server answering the Messages API with an HTML
page or random bytes. Every error is one line; none is a traceback.
"""

from __future__ import annotations

import random
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy.engine import make_url

from dq_assets.definitions import build_definitions
from tests.e2e.hostile.workspace import Workspace
from tests.fake_anthropic import FakeAnthropic, raw_reply

MODEL = "claude-sonnet-5-5"
PASSWORD = "hunter2-not-shown"
"""In the alert store's URL: it must never be printed."""

ROWS = "id,amount\n1,10.5\n2,20.0\n3,7.25\n"
"""Three rows, all fine: every rule below passes on them unless it is meant not to."""
PASSING_RULES = '  - name: ids_unique\n    rule: IsUnique "id"\n'
FAILING_RULES = '  - name: small_amounts\n    rule: ColumnValues "amount" < 15\n'  # planted: 20.0 fails
ERRORING_RULES = '  - name: misspelt\n    rule: IsComplete "amonut"\n'  # planted: no such column


@dataclass(frozen=True, kw_only=True)
class TableWorkspace(Workspace):
    """A workspace with one CSV table `t` and a regular file `afile`; proposals go to `proposals/`."""

    @property
    def afile(self) -> Path:
        """A regular file: nothing can be created under it, whoever runs the test."""
        return self.root / "afile"

    def define_t(self, rules: str = PASSING_RULES, path: Path | None = None) -> Path:
        """Define the table `t` with `rules`, reading `path` (by default the three good rows)."""
        data = path or self.root / "t.csv"
        return self.define("t", f"table: t\nsource: {{type: file, path: '{data}'}}\nrules:\n{rules}")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> TableWorkspace:
    for name in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "DQ_DEBUG", "DQ_ALERTS_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    space = TableWorkspace.create(tmp_path, env={"DQ_PROPOSALS_DIR": str(tmp_path / "proposals")})
    (tmp_path / "t.csv").write_text(ROWS)
    space.afile.write_text("a regular file\n")
    space.define_t()
    return space


def only_line(text: str) -> str:
    """The one line of `text`; fails when there are more (a traceback, a second message)."""
    lines = text.splitlines()
    assert len(lines) == 1, text
    return lines[0]


# -- point 12: an alert store that cannot be used


@pytest.fixture(params=["sqlite_under_a_file", "postgres_database_missing"])
def unusable_store(request: pytest.FixtureRequest, workspace: TableWorkspace) -> tuple[str, str, str]:
    """(URL, how dq shows it, the end of the cause it must give)."""
    if request.param == "sqlite_under_a_file":
        url = f"sqlite:///{workspace.afile}/alerts.db"
        return url, url, f"{workspace.afile} exists and is not a folder"
    server = request.getfixturevalue("postgres_server_url")
    missing = f"dq_missing_{uuid.uuid4().hex[:10]}"
    url = make_url(server).set(database=missing, password=PASSWORD)
    return (
        url.render_as_string(hide_password=False),
        url.render_as_string(hide_password=True),
        f'FATAL: database "{missing}" does not exist',
    )


@pytest.mark.parametrize(
    "command",
    [("alerts", "list"), ("alerts", "show", "1"), ("alerts", "ack", "1", "--by", "ana"), ("alerts", "sync")],
    ids=" ".join,
)
def test_an_alert_store_that_cannot_be_used_is_one_line_and_exit_2(
    command: tuple[str, ...], workspace: TableWorkspace, unusable_store: tuple[str, str, str]
) -> None:
    url, shown, cause = unusable_store
    (workspace.root / "alerts.yaml").write_text("store: {url_env: DQ_TEST_ALERTS_URL}\n")
    ran = workspace.dq(*command, env={"DQ_TEST_ALERTS_URL": url})
    assert (ran.returncode, ran.stdout) == (2, "")
    line = only_line(ran.stderr)
    assert line.startswith(f"error: alert store {shown}: cannot be used: ")
    assert line.endswith(cause)
    assert PASSWORD not in ran.stderr


def test_an_alert_store_url_env_that_is_not_set_is_one_line_and_exit_2(workspace: TableWorkspace) -> None:
    (workspace.root / "alerts.yaml").write_text("store: {url_env: DQ_TEST_UNSET_ALERTS_URL}\n")
    listed = workspace.dq("alerts", "list")
    assert (listed.returncode, listed.stdout) == (2, "")
    assert only_line(listed.stderr) == (
        "error: alert store: DQ_TEST_UNSET_ALERTS_URL (store.url_env in alerts.yaml) is not set"
    )


def test_a_delivery_that_fails_makes_alerts_sync_exit_2(workspace: TableWorkspace) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    (workspace.root / "alerts.yaml").write_text(
        f"store: {{url: 'sqlite:///{workspace.root / 'alerts.db'}'}}\n"
        f"channels:\n  hook: {{type: webhook, url: 'http://127.0.0.1:{closed}/dq', timeout_seconds: 2}}\n"
        "default: {channels: [hook], min_severity: warn}\n"
    )
    workspace.define_t(FAILING_RULES)
    assert workspace.dq("run").returncode == 1  # a check failed: recorded in DAGSTER_HOME
    synced = workspace.dq("alerts", "sync")
    assert synced.returncode == 2, synced.stderr
    assert "delivery failed (will retry): " in synced.stderr
    assert "Traceback" not in synced.stderr


# -- point 12: a model answering what is not the Messages API

NOT_A_MESSAGE = {
    "html": (b"<html><body><h1>Sign in to the gateway</h1></body></html>", "text/html; charset=utf-8"),
    "random_bytes": (random.Random(15).randbytes(512), "application/octet-stream"),
    "json_of_another_shape": (b'{"status": "ok", "items": []}', "application/json"),
}


@pytest.mark.parametrize("answer", sorted(NOT_A_MESSAGE))
def test_a_model_answering_html_or_bytes_with_200_is_an_error_and_nothing_is_stored(
    answer: str, workspace: TableWorkspace, fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, content_type = NOT_A_MESSAGE[answer]
    fake.script(raw_reply(body, content_type))
    env = {"ANTHROPIC_API_KEY": "sk-test-not-a-real-key", "ANTHROPIC_BASE_URL": fake.url}
    shown = "JSON of another shape" if answer.startswith("json") else content_type.split(";")[0]
    expected = (
        f"{MODEL}: {fake.url} answered HTTP 200 with {shown} ({len(body):,} bytes), "
        "not a Messages API response; is ANTHROPIC_BASE_URL the API or a proxy that speaks it?"
    )

    proposed = workspace.dq("propose", "t", "amounts are positive", env=env)
    assert (proposed.returncode, proposed.stdout) == (2, "")
    assert only_line(proposed.stderr) == f"error: {expected}"
    assert not (workspace.root / "proposals").exists()

    # The same answer to the propose_rules job: a failed step (an error outcome) saying the same.
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DQ_PROPOSALS_DIR", str(workspace.root / "proposals"))
    with dg.DagsterInstance.ephemeral() as instance:
        result = (
            build_definitions(workspace.folder)
            .resolve_job_def("propose_rules")
            .execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config={"ops": {"propose_rules_for_table": {"config": {"table": "t", "request": "x"}}}},
            )
        )
    assert not result.success
    (failure,) = result.get_step_failure_events()
    description = failure.step_failure_data.user_failure_data.description
    assert description == f"t: rule proposals failed: {expected}"
    assert not (workspace.root / "proposals").exists()


# -- point 12: no command ends in a traceback


def test_no_command_ends_in_a_traceback_and_dq_debug_brings_it_back(workspace: TableWorkspace) -> None:
    out = workspace.afile / "report"
    proposals = workspace.root / "spoiled"
    proposals.mkdir()
    (proposals / "t.yaml").write_bytes(b"table: t\nproposals: []\n# caf\xe9\n")  # planted: latin-1
    (workspace.root / "badhome").mkdir()
    (workspace.root / "badhome" / "dagster.yaml").write_text("storage: [\n")  # planted: broken YAML
    cases: list[tuple[tuple[str, ...], dict[str, str], bool, str]] = [
        (
            ("profile", str(workspace.root / "t.csv"), "--memory-limit", "banana"),
            {},
            False,
            "error: ValueError: memory_limit must look like '512MB' or '2GiB', got 'banana' "
            "(set DQ_DEBUG=1 for the traceback)",
        ),
        (
            ("profile", str(workspace.root / "t.csv"), "--out", str(out)),
            {},
            False,
            f"error: {out}: cannot write the reports: Not a directory: {out}",
        ),
        (
            ("propose", "t"),
            {"DQ_PROPOSALS_DIR": str(workspace.afile / "proposals")},
            True,
            f"error: {workspace.afile / 'proposals'}: cannot write proposals there: "
            f"Not a directory: {workspace.afile / 'proposals'}",
        ),
        (
            ("rules", "pending", "t"),
            {"DQ_PROPOSALS_DIR": str(proposals)},
            True,
            f"error: {proposals / 't.yaml'}: not UTF-8 (byte 0xe9 at line 3)",
        ),
        (
            ("run",),
            {"DAGSTER_HOME": str(workspace.root / "badhome")},
            True,
            "error: ParserError: while parsing a flow node; expected the node content, but found "
            f"'<stream end>'; in \"{workspace.root / 'badhome' / 'dagster.yaml'}\", line 2, column 1 "
            "(set DQ_DEBUG=1 for the traceback)",
        ),
    ]
    unconfigured = workspace.dq("demo", "seed", "--catalog", "nowhere", config=False)
    # which files were looked in depends on the home and working folders; the cause and the variable do not
    [said] = unconfigured.stderr.splitlines()
    assert unconfigured.returncode == 2
    assert said.startswith("error: iceberg catalog 'nowhere' is not configured: no catalog 'nowhere' in ")
    assert said.endswith(
        "and no PYICEBERG_CATALOG__NOWHERE__URI (or other PYICEBERG_CATALOG__NOWHERE__*) variable"
    )
    for args, env, config, message in cases:
        ran = workspace.dq(*args, env=env, config=config)
        said = ran.stderr.splitlines()
        assert (ran.returncode, said[-1:]) == (2, [message]), (args, ran.stderr)
        assert "Traceback" not in ran.stderr, args
    banana = ("profile", str(workspace.root / "t.csv"), "--memory-limit", "banana")
    debug = workspace.dq(*banana, env={"DQ_DEBUG": "1"}, config=False)
    assert debug.returncode != 0 and "Traceback (most recent call last)" in debug.stderr


def test_dq_run_exits_0_when_all_passed_1_when_a_check_failed_2_when_one_errored(
    workspace: TableWorkspace,
) -> None:
    codes = {}
    for name, rules in (("pass", PASSING_RULES), ("fail", FAILING_RULES), ("error", ERRORING_RULES)):
        workspace.define_t(rules)
        codes[name] = workspace.dq("run").returncode
    assert codes == {"pass": 0, "fail": 1, "error": 2}


# -- point 13: a failure to save is never silent


def test_results_that_cannot_be_saved_are_said_by_dq_run_and_exit_2(workspace: TableWorkspace) -> None:
    unwritable = f"sqlite:///{workspace.afile}/results.db"
    cause = f"results store {unwritable}: cannot be used: {workspace.afile} exists and is not a folder"

    ran = workspace.dq("run", env={"DQ_RESULTS_URL": unwritable})
    assert ran.returncode == 2, ran.stdout + ran.stderr
    blocks = ran.stdout.rstrip("\n").split("\n\n")
    assert blocks[-2:] == [
        f"results not saved:\n  t: {cause}",
        "1 table, 7 checks: 5 pass, 0 fail, 0 error, 2 skip; results of 1 table not saved",
    ]

    as_json, output = workspace.run_json(env={"DQ_RESULTS_URL": unwritable})
    assert as_json.returncode == 2
    (table,) = output["tables"]
    assert table["results_store"] == f"error: {cause}"
    assert {c["outcome"] for c in table["checks"]} == {"pass", "skip"}  # the checks themselves ran

    # An unreadable source (its checks are errors) says the same about its results.
    workspace.define_t(path=workspace.root / "gone.csv")
    unreadable, output = workspace.run_json(env={"DQ_RESULTS_URL": unwritable})
    (table,) = output["tables"]
    assert (unreadable.returncode, table["results_store"]) == (2, f"error: {cause}")

    # A store that takes the run: said too, and nothing else changes the exit code.
    workspace.define_t()
    saved, output = workspace.run_json()
    assert (saved.returncode, output["tables"][0]["results_store"]) == (0, "written")


@pytest.mark.parametrize(
    ("alerts_yaml", "problem"),
    [
        ("store: {url: [unclosed\n", ":2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
        ("stor: {url: 'sqlite:///alerts.db'}\n", ":1: unknown key 'stor'; did you mean 'store'?"),
    ],
    ids=["invalid_yaml", "unknown_key"],
)
def test_a_broken_alerts_yaml_is_reported_by_dq_run_while_the_checks_still_run(
    alerts_yaml: str, problem: str, workspace: TableWorkspace
) -> None:
    path = workspace.root / "alerts.yaml"
    path.write_text(alerts_yaml)
    ran = workspace.dq("run")
    assert ran.returncode == 2
    assert ran.stdout.startswith(f"invalid definitions:\n  {path}{problem}\n\n")
    assert ran.stdout.rstrip().endswith(
        "1 table, 7 checks: 5 pass, 0 fail, 0 error, 2 skip; 1 invalid definitions"
    )
    as_json, payload = workspace.run_json()
    assert (as_json.returncode, payload["problems"]) == (2, [f"{path}{problem}"])
    assert {c["outcome"] for c in payload["tables"][0]["checks"]} == {"pass", "skip"}
