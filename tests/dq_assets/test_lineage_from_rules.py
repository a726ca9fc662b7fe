"""A rule that reads another monitored table draws the lineage edge `deps:` would."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from click.testing import CliRunner

from dq_assets.cli.main import cli
from dq_assets.definitions import build_definitions

TABLES = {
    "customers": "",
    # planted: no deps, only a reference to customers
    "orders": (
        'rules:\n  - {name: known_customer, rule: ReferentialIntegrity "customer_id" "customers.id" = 1.0}\n'
    ),
    # planted: deps on orders, and a reference to customers besides
    "items": 'deps: [orders]\nrules:\n  - {name: same_size, rule: RowCountMatch "customers" >= 0.5}\n',
    # planted: two tables whose rules read each other; an edge either way would close a cycle
    "left": 'rules:\n  - {name: as_many, rule: RowCountMatch "right" = 1.0}\n',
    "right": 'rules:\n  - {name: as_many, rule: RowCountMatch "left" = 1.0}\n',
}


@pytest.fixture
def defined(tmp_path: Path) -> Path:
    for name, body in TABLES.items():
        source = f"source: {{type: file, path: {name}.csv}}\n"
        (tmp_path / f"{name}.yaml").write_text(f"table: {name}\n{source}{body}")
    return tmp_path


def test_references_add_lineage_and_a_mutual_one_adds_none(defined: Path) -> None:
    graph = build_definitions(defined).resolve_asset_graph()

    parents = {
        name: graph.get(dg.AssetKey(name)).parent_keys for name in ("orders", "items", "left", "right")
    }
    assert parents == {
        "orders": {dg.AssetKey("customers")},
        "items": {dg.AssetKey("orders"), dg.AssetKey("customers")},
        "left": set(),
        "right": set(),
    }


def test_dq_validate_says_which_edges_the_rules_draw(defined: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "--config", str(defined)])

    assert result.exit_code == 0, result.output
    lineage = [line for line in result.output.splitlines() if line.startswith("lineage:")]
    assert lineage == [
        "lineage: items reads customers in its rules: drawn upstream",
        "lineage: left reads right in its rules, which read it back: no edge either way "
        "(declare one in deps: to choose)",
        "lineage: orders reads customers in its rules: drawn upstream",
        "lineage: right reads left in its rules, which read it back: no edge either way "
        "(declare one in deps: to choose)",
    ]
