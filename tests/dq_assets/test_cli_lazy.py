"""`dq` imports a command's module only when that command runs, and its help cannot drift from it.

The command lists of `dq` and `dq rules` are written out (name, module, short help) so that
`--help` imports nothing. These tests hold the written lists to the real commands, and check in
processes of their own what starting `dq` imports. They assert what is imported, never how long
it took: the timings live in `bench/cli_startup_bench.py`.
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from dq_assets.cli.lazy_group import LazyCommand, LazyCommandsGroup
from dq_assets.cli.main import COMMANDS, cli
from dq_assets.cli.rules import RULES_COMMANDS, rules_group
from dq_checks.alerts.lifecycle import NotifyPolicy
from dq_checks.alerts.model import AlertSeverity, AlertType, Signal
from dq_checks.config.models import AlertRouting
from dq_resources.alerts.store import AlertStore
from tests.recorded_dq import packages, run_dq

GROUPS = [("dq", cli, COMMANDS, []), ("dq rules", rules_group, RULES_COMMANDS, ["rules"])]
HEAVY = ("dagster", "pandas", "pydantic")


def entries() -> list[tuple[str, click.Group, str, LazyCommand]]:
    return [(label, group, name, entry) for label, group, table, _ in GROUPS for name, entry in table.items()]


@pytest.mark.parametrize(
    ("label", "group", "name", "entry"), entries(), ids=[f"{e[0]} {e[2]}" for e in entries()]
)
def test_each_written_entry_is_the_real_command_with_its_own_short_help(
    label: str, group: click.Group, name: str, entry: LazyCommand
) -> None:
    command = entry.load()

    assert isinstance(command, click.Command)
    assert command.name == name
    assert command.get_short_help_str(limit=10_000) == entry.short_help
    assert group.get_command(click.Context(group), name) is command


@pytest.mark.parametrize(("label", "group", "table", "words"), GROUPS, ids=[g[0] for g in GROUPS])
def test_help_lists_every_command_with_its_short_help(
    label: str, group: LazyCommandsGroup, table: dict[str, LazyCommand], words: list[str]
) -> None:
    result = CliRunner().invoke(cli, [*words, "--help"], terminal_width=400, max_content_width=400)

    assert result.exit_code == 0, result.output
    listed = re.findall(r"^  (\S+) +(.+)$", result.output.split("Commands:\n", 1)[1], flags=re.MULTILINE)
    assert listed == [(name, table[name].short_help) for name in sorted(table)]


def test_a_narrow_help_cuts_the_written_help_as_click_cuts_a_commands_own() -> None:
    written = CliRunner().invoke(cli, ["rules", "--help"], terminal_width=80).output
    for name in RULES_COMMANDS:
        rules_group.get_command(click.Context(rules_group), name)  # loaded: its own help is shown

    assert CliRunner().invoke(cli, ["rules", "--help"], terminal_width=80).output == written
    assert "  pending      List proposals waiting for approval (expired ones marked),...\n" in written


def test_an_unknown_command_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["nope"])

    assert result.exit_code == 2
    assert "No such command 'nope'" in result.output


def imported_by(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """`dq ARGS` (none: only the import) in a process of its own, and the packages it imported."""
    done, recorded = run_dq(*args, out=tmp_path / "modules.json")
    return done, packages(recorded)


@pytest.mark.parametrize("args", [[], ["--help"], ["alerts", "--help"], ["rules", "--help"]], ids=" ".join)
def test_importing_the_cli_and_its_help_import_no_dagster_pandas_nor_pydantic(
    tmp_path: Path, args: list[str]
) -> None:
    done, imported = imported_by(tmp_path, *args)

    assert done.returncode == 0, done.stderr
    assert imported.isdisjoint(HEAVY), sorted(imported & set(HEAVY))


def test_alerts_commands_on_a_sqlite_store_import_no_dagster(tmp_path: Path) -> None:
    """The store is opened directly: no Dagster resource, no ephemeral instance."""
    url = f"sqlite:///{tmp_path / 'alerts.db'}"
    folder = tmp_path / "defs" / "tables"
    folder.mkdir(parents=True)
    (folder / "orders.yaml").write_text("table: orders\nsource: {type: file, path: orders.parquet}\n")
    (tmp_path / "defs" / "alerts.yaml").write_text(
        f"channels:\n  ops: {{type: log}}\ndefault: {{channels: [ops]}}\nstore: {{url: '{url}'}}\n"
    )
    store = AlertStore.connect(url)
    now = datetime.now(UTC)
    signal = Signal(
        evaluation_id=1,
        asset="orders",
        check="id_not_null",
        failing=True,
        type=AlertType.RULE_FAILURE,
        severity=AlertSeverity.ERROR,
        title="id_not_null on orders",
        message="3 rows have a null id",
        observed_at=now,
        details={},
    )
    store.record([signal], lambda _table: AlertRouting(channels=("ops",)), NotifyPolicy(), now)
    store.dispose()

    listed, listed_imports = imported_by(tmp_path, "alerts", "list", "--config", str(folder))
    shown, shown_imports = imported_by(tmp_path, "alerts", "show", "1", "--config", str(folder))

    assert listed.returncode == 0, listed.stderr
    assert "id_not_null on orders" not in listed.stdout and "3 rows have a null id" in listed.stdout
    assert shown.returncode == 0, shown.stderr
    assert "#1 id_not_null on orders" in shown.stdout
    assert "dagster" not in listed_imports | shown_imports
