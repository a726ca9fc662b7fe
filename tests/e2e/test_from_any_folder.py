"""`dq` run from any folder means the same files: paths read from the definition that names them.

A project lays out its definitions, data and catalog configuration the way a user's repository
does: `pyproject.toml` at the root, `.pyiceberg.yaml` beside it with a relative sqlite uri, the
definitions in `defs/`, a CSV in `data/`. `dq run --config <project>/defs` is then started from an
unrelated folder, with no `PYICEBERG_HOME` and a home folder holding no catalog configuration: the
relative `path:` and the catalog are both found from the definitions, and the planted defects are
the ones reported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from dq_resources.iceberg.catalog_lookup import find_catalog
from dq_resources.iceberg.catalogs import load_found_catalog

CATALOG = "fromanywhere"

PYICEBERG_YAML = f"""\
catalog:
  {CATALOG}:
    type: sql
    uri: sqlite:///.state/catalog.db
    warehouse: .state/warehouse
"""

EVENTS_YAML = """\
table: events
source: {type: file, path: ../data/events.csv}
rules:
  - name: enough_events
    rule: RowCount = 10
  - name: kind_present        # fails: 3 of the 10 events have no kind (planted)
    rule: Completeness "kind" = 1.0
"""

ACCOUNTS_YAML = f"""\
table: accounts
source: {{type: iceberg, catalog: {CATALOG}, identifier: crm.accounts}}
rules:
  - name: ids_unique          # fails: account 2 appears twice (planted)
    rule: IsUnique "id"
  - name: four_accounts
    rule: RowCount = 4
"""

NOT_CONFIGURED_YAML = """\
table: ghosts
source: {type: iceberg, catalog: nosuchcatalog, identifier: crm.ghosts}
rules:
  - name: any_rows
    rule: RowCount > 0
"""


def _project(root: Path) -> Path:
    """The user's repository; returns its definitions folder."""
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "0"\n')
    (root / ".pyiceberg.yaml").write_text(PYICEBERG_YAML)
    (root / "data").mkdir()
    kinds = ["click", "view", "", "click", "buy", "", "view", "click", "", "view"]  # 3 empty: NULL
    rows = "\n".join(f"{i},{kind}" for i, kind in enumerate(kinds, start=1))
    (root / "data" / "events.csv").write_text(f"id,kind\n{rows}\n")
    defs = root / "defs"
    defs.mkdir()
    (defs / "events.yaml").write_text(EVENTS_YAML)
    (defs / "accounts.yaml").write_text(ACCOUNTS_YAML)
    (root / ".state" / "warehouse").mkdir(parents=True)
    found = find_catalog(CATALOG, defs)  # as dq finds it: the project's file, its paths from its folder
    catalog = load_found_catalog(found)
    catalog.create_namespace("crm")
    accounts = pa.table({"id": pa.array([1, 2, 2, 3], pa.int64())})  # planted: 2 twice
    catalog.create_table("crm.accounts", schema=accounts.schema).append(accounts)
    return defs


def _dq(args: list[str], cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYICEBERG_")}
    environment["HOME"] = str(home)  # no ~/.pyiceberg.yaml to fall back on
    dq = [sys.executable, "-c", "from dq_assets.cli.main import cli; cli()"]
    return subprocess.run(
        [*dq, *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300, check=False
    )


RULES = {"enough_events", "kind_present", "ids_unique", "four_accounts"}


def _outcomes(stdout: str) -> dict[str, str]:
    tables = json.loads(stdout)["tables"]
    checks = [(t["table"], c) for t in tables for c in t["checks"]]
    return {f"{table}.{c['name']}": c["outcome"] for table, c in checks if c["name"] in RULES}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return _project(tmp_path / "shop")


@pytest.mark.parametrize("where", ["elsewhere", "shop/defs"])
def test_a_project_runs_the_same_from_any_folder(project: Path, tmp_path: Path, where: str) -> None:
    cwd = tmp_path / where
    cwd.mkdir(exist_ok=True)

    result = _dq(["run", "--json", "--config", str(project)], cwd, tmp_path)

    assert result.returncode == 1, result.stderr  # failed rules, nothing errored
    assert _outcomes(result.stdout) == {
        "events.enough_events": "pass",
        "events.kind_present": "fail",
        "accounts.ids_unique": "fail",
        "accounts.four_accounts": "pass",
    }


def test_a_catalog_nothing_configures_names_every_file_looked_in(project: Path, tmp_path: Path) -> None:
    (project / "ghosts.yaml").write_text(NOT_CONFIGURED_YAML)
    (tmp_path / "elsewhere").mkdir()

    result = _dq(["run", "ghosts", "--json", "--config", str(project)], tmp_path / "elsewhere", tmp_path)

    assert result.returncode == 2
    [check] = [c for c in json.loads(result.stdout)["tables"][0]["checks"] if c["name"] == "any_rows"]
    assert check["outcome"] == "error"
    message = check["description"]
    assert "iceberg catalog 'nosuchcatalog' is not configured" in message
    # the project's files, nearest first, shown from the project's root; pyiceberg's own look-ups too
    assert "defs/.pyiceberg.yaml (absent), .pyiceberg.yaml" in message
    assert "PYICEBERG_CATALOG__NOSUCHCATALOG__URI" in message


def test_an_unseeded_demo_says_to_seed_it(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    (root / "defs").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    demo = "  demo:\n    type: sql\n    uri: sqlite:///.dq/warehouse/catalog.db\n    warehouse: .dq/w\n"
    (root / ".pyiceberg.yaml").write_text(f"catalog:\n{demo}")
    (root / "defs" / "customers.yaml").write_text(
        "table: customers\nsource: {type: iceberg, catalog: demo, identifier: shop.customers}\n"
        "rules:\n  - name: any\n    rule: RowCount > 0\n"
    )

    result = _dq(["run", "--json", "--config", str(root / "defs")], tmp_path, tmp_path)

    assert result.returncode == 2
    [check] = [c for c in json.loads(result.stdout)["tables"][0]["checks"] if c["name"] == "any"]
    assert check["outcome"] == "error"
    assert "iceberg catalog 'demo' has no database yet: run `dq demo seed`" in check["description"]
    assert ".dq/warehouse/catalog.db" in check["description"]
    assert not (root / ".dq").exists()  # a read creates no empty database
