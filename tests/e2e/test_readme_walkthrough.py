"""The README's quickstart, walked as a new user walks it.

A fresh checkout of the repository in a temporary folder; `make dev` there, then each command the
README shows, from the checkout and from another folder, with a home folder of its own (no
`~/.pyiceberg.yaml`) and none of this process's dq settings. Each output is held to what the
README says it prints: the `dq run orders` block is parsed out of the README itself.

One step is not repeated: downloading and installing the packages. `make test` on a fresh clone
(`.ci/run`) does exactly that before this test runs, and tests use no network. Here the checkout's
`.venv` is a new virtual environment that sees the installed packages and imports dq's own code
from the checkout, with its stamp newer than pyproject.toml, so `make` takes it as set up.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.http_sink import free_port

UI_START_TIMEOUT = 300
"""Seconds for `make dev` to seed the warehouse and serve the UI."""
ALERT_TIMEOUT = 240
"""Seconds for the freshness sensor's run and the check alert sensor's tick after the UI is up."""
DEMO_TABLES = ["customers", "order_items", "orders", "products"]


# -- the checkout


def tracked_files(root: Path) -> list[str]:
    """What a fresh clone of `root` holds: its tracked files, and new ones not ignored (uncommitted work)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    )
    return [name for name in listed.stdout.decode().split("\0") if name and (root / name).is_file()]


def provision_venv(checkout: Path) -> None:
    """The checkout's `.venv`: the installed packages, dq's code from the checkout, its scripts."""
    venv = checkout / ".venv"
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # type: ignore[attr-defined]
    (site_packages,) = (venv / "lib").glob("python3*/site-packages")
    installed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    # Plain paths, not `site.addsitedir`: the installed dq's own editable finder must not load.
    (site_packages / "dq-checkout.pth").write_text("\n".join([str(checkout), *sorted(installed)]) + "\n")
    python = venv / "bin" / "python"
    for script in Path(sys.executable).parent.iterdir():
        target = venv / "bin" / script.name
        if target.exists() or not script.is_file():
            continue
        head = script.read_bytes()[:128]
        if head.startswith(b"#!") and b"python" in head.split(b"\n", 1)[0]:
            text = script.read_text().split("\n", 1)[1]
            target.write_text(f"#!{python}\n{text}")
            target.chmod(0o755)
        elif os.access(script, os.X_OK):
            target.symlink_to(script)  # a program of its own (ruff): it needs no interpreter
    (venv / ".dq-installed").touch()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("walkthrough") / "dq"
    for name in tracked_files(REPO_ROOT):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, root / name)
    provision_venv(root)
    return root


@pytest.fixture(scope="module")
def user_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A new user's environment: an empty home, and none of the settings this test process runs with."""
    home = tmp_path_factory.mktemp("home")
    dropped = {"DAGSTER_HOME", "PYICEBERG_HOME", "DQ_CONFIG_DIR", "VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS"}
    env = {
        k: v for k, v in os.environ.items() if k not in dropped and not k.startswith(("PYICEBERG_", "DQ_"))
    }
    return {**env, "HOME": str(home)}


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another folder, outside the checkout, to run the same commands from."""
    return tmp_path_factory.mktemp("elsewhere")


def run(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


# -- what the README says


def readme_block(readme: str, command: str) -> list[str]:
    """The lines a README code block shows after `$ COMMAND`, up to the next command or the block's end."""
    lines = readme.splitlines()
    start = lines.index(f"$ {command}") + 1
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(("```", "$ ")))
    return lines[start:end]


VOLATILE = [
    (re.compile(r"in \d+\.\d+ s \("), "in <seconds> s ("),
    (re.compile(r"last updated \S+ \(\d+(\.\d+)? h ago\)"), "last updated <time> (<hours> h ago)"),
]


def table_rows(lines: list[str]) -> list[list[str]]:
    """Printed tables as rows of cells (split on runs of spaces), volatile numbers masked."""
    rows = []
    for printed in lines:
        line = printed
        for pattern, mask in VOLATILE:
            line = pattern.sub(mask, line)
        rows.append(["---"] if set(line.replace(" ", "")) == {"-"} else re.split(r"\s{2,}", line.strip()))
    return rows


# -- the walk


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        answer = json.loads(response.read())
    assert "errors" not in answer, answer
    return answer["data"]


def wait_for(what: str, timeout: float, probe: Callable[[], object]) -> object:
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = probe()
        except OSError:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(2)


@pytest.fixture
def dev_server(checkout: Path, user_env: dict[str, str]) -> Iterator[tuple[int, Path]]:
    """`make dev` in the checkout on a free port, stopped with everything it started."""
    port = free_port()
    log = checkout.parent / "make-dev.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["make", "dev", f"DEV_PORT={port}"],
            cwd=checkout,
            env=user_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield port, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)  # a clean stop first; whatever is left is killed
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)


def test_make_dev_seeds_the_demo_and_serves_it_and_catches_the_stale_table(
    checkout: Path, dev_server: tuple[int, Path]
) -> None:
    port, log = dev_server
    server_info = f"http://127.0.0.1:{port}/server_info"
    wait_for(
        "the Dagster UI",
        UI_START_TIMEOUT,
        lambda: urllib.request.urlopen(server_info, timeout=5).status == 200,
    )

    # "seed the demo warehouse if absent": this checkout had none.
    printed = log.read_text()
    for table, rows in [("customers", "5,000"), ("products", "500"), ("orders", "200,000")]:
        assert f"created demo:shop.{table} ({rows} rows)" in printed, printed
    # "`dg dev` on the demo": the four tables with their checks, and the alerts summary.
    nodes = graphql(
        port,
        "{ assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } } }",
    )
    checks = {
        "/".join(n["assetKey"]["path"]): {c["name"] for c in n["assetChecksOrError"].get("checks", [])}
        for n in nodes["assetNodes"]
    }
    assert sorted(checks) == [*DEMO_TABLES, "quality_alerts"]
    shown = readme_block((checkout / "README.md").read_text(), ".venv/bin/dq run orders")
    check_table = shown[2 : shown.index("")]  # the checks, above the anomalies' table
    assert {row[2] for row in table_rows(check_table)} == checks["orders"]

    # The README's promise: `products`, five days old, is checked and alerted on with every
    # schedule stopped; the alert shows in the summary asset.
    def products_alert() -> str | None:
        asset = graphql(
            port,
            '{ assetOrError(assetKey: {path: ["quality_alerts"]}) { ... on Asset { '
            "assetMaterializations(limit: 1) "
            "{ metadataEntries { label ... on MarkdownMetadataEntry { mdStr } } } } } }",
        )["assetOrError"]
        for event in asset.get("assetMaterializations", []):
            for entry in event["metadataEntries"]:
                if entry["label"] == "alerts" and "| products | freshness | open |" in entry["mdStr"]:
                    return entry["mdStr"]
        return None

    wait_for("the products freshness alert in quality_alerts", ALERT_TIMEOUT, products_alert)
    materialized = graphql(
        port,
        '{ assetOrError(assetKey: {path: ["products"]}) { ... on Asset { assetMaterializations(limit: 1) '
        "{ metadataEntries { label } } } } }",
    )["assetOrError"]["assetMaterializations"]
    labels = {entry["label"] for entry in materialized[0]["metadataEntries"]}
    assert {"dagster/row_count", "dagster/column_schema", "dagster/last_updated_timestamp"} <= labels


@pytest.fixture(scope="module")
def seeded(checkout: Path, user_env: dict[str, str]) -> Path:
    """The checkout with its demo warehouse (`make seed` creates what is absent, and only that)."""
    seeded = run(["make", "seed"], checkout, user_env)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    return checkout


@pytest.mark.parametrize("where", ["checkout", "elsewhere"])
def test_dq_run_orders_prints_what_the_readme_shows(
    seeded: Path, elsewhere: Path, user_env: dict[str, str], where: str
) -> None:
    folder = seeded if where == "checkout" else elsewhere
    dq = ".venv/bin/dq" if where == "checkout" else str(seeded / ".venv" / "bin" / "dq")

    ran = run([dq, "run", "orders"], folder, user_env)

    assert ran.returncode == 1, ran.stderr  # failing checks: exit 1
    shown = readme_block((seeded / "README.md").read_text(), ".venv/bin/dq run orders")
    assert table_rows(ran.stdout.splitlines()) == table_rows(shown)


def test_dq_run_runs_all_four_demo_tables(seeded: Path, elsewhere: Path, user_env: dict[str, str]) -> None:
    ran = run([str(seeded / ".venv" / "bin" / "dq"), "run"], elsewhere, user_env)

    summary = ran.stdout.strip().splitlines()[-1]
    assert summary.startswith("4 tables, "), ran.stdout
    tables = {
        line.split()[0] for line in ran.stdout.splitlines()[2:] if line and line.split()[0] in DEMO_TABLES
    }
    assert sorted(tables) == DEMO_TABLES


def test_dagster_home_keeps_the_history_between_runs(seeded: Path, user_env: dict[str, str]) -> None:
    # "`DAGSTER_HOME=$PWD .venv/bin/dq run` keeps the history in the dev instance": a second run of
    # the same data counts the first.
    env = {**user_env, "DAGSTER_HOME": str(seeded)}
    first = run([".venv/bin/dq", "run", "customers"], seeded, env)
    second = run([".venv/bin/dq", "run", "customers"], seeded, env)

    def checks_of_this_version(output: str) -> int:
        line = next(line for line in output.splitlines() if re.match(r"customers\s+\S+\s+volume\s", line))
        assert "needs 7 earlier data versions, has 0" in line, line
        counted = re.search(r"\(this version was checked (\d+) times\)$", line)
        return int(counted.group(1)) if counted else 1

    assert checks_of_this_version(second.stdout) == checks_of_this_version(first.stdout) + 1


def test_make_lint_passes_on_the_checkout(checkout: Path, user_env: dict[str, str]) -> None:
    # `make test` is `make lint` and then the suite; the suite is what is running this test.
    linted = run(["make", "lint"], checkout, user_env)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "Contracts: 4 kept, 0 broken." in linted.stdout
