"""Hostile and unlucky table definitions, run through the real `dq` CLI on real files.

A misspelt PII column (no value of the table may then leave the step), YAML built to exhaust
memory, a file in another encoding, conditions no metric can meet or fail, and a string that is
never closed. Every run is a process of its own, with its own DAGSTER_HOME and results store, and
every leak test looks for the planted values in all it wrote: stdout and stderr, `--json`, the
Dagster event log (read through the instance), every file of DAGSTER_HOME and the results store.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.hostile.workspace import Workspace, checks_of, line_of

MEMORY_CAP = 1 << 30  # `dq validate`'s address space: a regression dies of MemoryError, it does not swap
PEAK_RSS_LIMIT_KIB = 300 * 1024  # `dq validate` peaks near 85 MiB; the expansion took 1.4 GB
# `python -c CAPPED_CLI CAP PEAK_FILE ARGS...`: the `dq` CLI, its address space capped first (CAP -1: no
# cap). On its way out it writes its own peak RSS to PEAK_FILE: VmHWM, the high-water mark of this
# program's memory alone. (`ru_maxrss` would not do: a child keeps the high-water mark of the process
# it was forked from, here the whole pytest process.)
CAPPED_CLI = (
    "import resource, runpy, sys\n"
    "cap, peak_file = int(sys.argv[1]), sys.argv[2]\n"
    "if cap > 0:\n"
    "    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))\n"
    "sys.argv = ['dq', *sys.argv[3:]]\n"
    "try:\n"
    "    runpy.run_module('dq_assets.cli.main', run_name='__main__')\n"
    "finally:\n"
    "    status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
    "    open(peak_file, 'w').write(status)\n"
)
ENDED_WITHIN = 600
"""Seconds a command may take before the test calls it hung."""


@dataclass(frozen=True, kw_only=True)
class MeasuredWorkspace(Workspace):
    """A workspace whose `dq` runs under CAPPED_CLI: its address space capped if asked, its peak RSS kept."""

    memory_cap: int = -1
    """The address space of every `dq` process, in bytes; -1: no cap."""

    @property
    def peak_file(self) -> Path:
        return self.root / "peak_rss_kib.txt"

    def launcher(self) -> list[str]:
        return [sys.executable, "-c", CAPPED_CLI, str(self.memory_cap), str(self.peak_file)]

    def capped(self, memory_cap: int) -> MeasuredWorkspace:
        """The same workspace, its `dq` processes' address space capped at `memory_cap` bytes."""
        return dataclasses.replace(self, memory_cap=memory_cap)

    def peak_rss_kib(self) -> int:
        """The peak RSS of the last `dq` process, in KiB."""
        return int(self.peak_file.read_text())


@pytest.fixture
def workspace(tmp_path: Path) -> MeasuredWorkspace:
    return MeasuredWorkspace.create(tmp_path, timeout=ENDED_WITHIN)


# -- 4. a misspelt pii_columns entry: no value of the table leaves the step ------------------------

EMAILS = [f"planted{n:02d}@secret.example" for n in range(1, 41)]
NAMES = [f"Zelda{n:02d}-Planted" for n in range(1, 41)]
ABSURD_AMOUNT = 4_200_000  # planted: 88x farther out than anything else, an isolated extreme


def people_csv(path: Path) -> Path:
    """40 people; the last amount is absurd. Emails and names are all distinct, so all are values."""
    rows = ["id,email,name,amount"]
    for n in range(1, 41):
        amount = ABSURD_AMOUNT if n == 40 else 10 + n
        rows.append(f"{n},{EMAILS[n - 1]},{NAMES[n - 1]},{amount}")
    path.write_text("\n".join(rows) + "\n")
    return path


def people_definition(csv: Path, pii: str) -> str:
    return (
        "table: people\n"
        f"source: {{type: file, path: '{csv}'}}\n"
        f"pii_columns: [{pii}]\n"
        "rules:\n"
        "  - name: email_is_internal\n"
        '    rule: ColumnValues "email" matches "^[a-z]+@example\\\\.com$"\n'  # planted: fails on all 40
        "  - name: amount_in_range\n"
        '    rule: ColumnValues "amount" between 0 and 100000\n'  # planted: fails on the absurd one
    )


def test_a_misspelt_pii_column_hides_every_columns_values_and_errors_the_profile(
    workspace: MeasuredWorkspace,
) -> None:
    csv = people_csv(workspace.root / "people.csv")
    path = workspace.define("people", people_definition(csv, "emial"))  # planted: 'emial' for 'email'

    table, output = workspace.run_json()
    printed = workspace.dq("run")

    checks = checks_of(output, "people")
    assert (table.returncode, printed.returncode) == (2, 2)
    assert checks["profile"]["outcome"] == "error"
    assert checks["profile"]["description"] == (
        f"error: {path}:3: pii_columns: 'emial' is not a column of the table; "
        "every column's values are redacted until it is fixed; did you mean 'email'?"
    )
    # Counts and shapes stay: every email fails its rule, the absurd amount fails its own.
    internal = checks["email_is_internal"]
    assert (internal["outcome"], internal["metadata"]["failed_count"]) == ("fail", 40)
    assert checks["amount_in_range"]["metadata"]["failed_count"] == 1
    assert checks["amount_in_range"]["metadata"]["failed_sample"] == [{"amount": "<redacted>"}]
    (anomaly,) = [a for a in checks["anomalies"]["metadata"]["anomalies"] if a["type"] == "isolated_extreme"]
    assert (anomaly["column"], anomaly["examples"]) == ("amount", [])
    stored = workspace.stored_text()
    with sqlite3.connect(workspace.results) as store:
        profiles = store.execute(
            "SELECT column_name, distinct_count, min_value, max_value FROM column_profiles"
        ).fetchall()
    assert set(profiles) == {
        ("amount", 40, "<redacted>", "<redacted>"),
        ("email", 40, "<redacted>", "<redacted>"),
        ("id", 40, "<redacted>", "<redacted>"),
        ("name", 40, "<redacted>", "<redacted>"),
    }
    for secret in [*EMAILS, *NAMES, "4200000", "4,200,000", "4.2e+06"]:
        for text in (table.stdout, table.stderr, printed.stdout, printed.stderr, stored):
            assert secret not in text, secret

    # The control: with the entry fixed, the profile passes, the emails stay hidden, and the other
    # columns' values are visible again, so the search above would have found them.
    path.write_text(people_definition(csv, "email"))
    fixed, output = workspace.run_json()
    assert checks_of(output, "people")["profile"]["outcome"] == "pass"
    everything = fixed.stdout + workspace.stored_text()
    assert not [email for email in EMAILS if email in everything]
    assert NAMES[0] in everything and "4,200,000" in everything


# -- 5. hostile YAML: anchors and aliases refused with bounded memory; other encodings named -------


def billion_laughs() -> str:
    """Ten levels of nine aliases each: 9**10 (3.5 billion) strings once expanded, in under 600 bytes."""
    lines = ["table: laughs", "source: {type: file, path: laughs.csv}"]
    lines.append('a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]')
    lines += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    lines.append("description: *a9")
    return "\n".join(lines) + "\n"


def hostile_folder(workspace: MeasuredWorkspace) -> tuple[Path, Path]:
    """The billion laughs, a latin-1 file, and a good table beside them; returns the two bad paths."""
    laughs = workspace.define("laughs", billion_laughs())
    assert len(laughs.read_bytes()) < 600
    latin = workspace.folder / "latin.yaml"
    # planted: 'café' in latin-1 on line 4: the byte 0xe9 is no UTF-8
    latin.write_bytes(
        "table: latin\nsource: {type: file, path: x.csv}\n# note\ndescription: caf\xe9\n".encode("latin1")
    )
    (workspace.root / "good.csv").write_text("id,name\n1,a\n2,b\n")
    workspace.define(
        "good",
        f"table: good\nsource: {{type: file, path: '{workspace.root / 'good.csv'}'}}\n"
        "rules:\n  - name: two_rows\n    rule: RowCount = 2\n",
    )
    return laughs, latin


def test_the_billion_laughs_is_refused_with_bounded_memory(workspace: MeasuredWorkspace) -> None:
    laughs, latin = hostile_folder(workspace)

    done = workspace.capped(MEMORY_CAP).dq("validate")

    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{latin}: not UTF-8 (byte 0xe9 at line 4)",
        f"{laughs}:3: YAML anchors and aliases are not allowed",
        f"2 problem(s) in {workspace.folder}",
    ]
    assert workspace.peak_rss_kib() < PEAK_RSS_LIMIT_KIB


def test_a_latin1_file_and_the_laughs_do_not_stop_the_other_tables_from_running(
    workspace: MeasuredWorkspace,
) -> None:
    laughs, latin = hostile_folder(workspace)

    done, output = workspace.run_json()

    assert done.returncode == 2
    assert output["problems"] == [
        f"{latin}: not UTF-8 (byte 0xe9 at line 4)",
        f"{laughs}:3: YAML anchors and aliases are not allowed",
    ]
    assert [t["table"] for t in output["tables"]] == ["good"]
    assert {name: c["outcome"] for name, c in checks_of(output, "good").items()} == {
        "profile": "pass",
        "anomalies": "pass",
        "two_rows": "pass",
        "quality_score": "pass",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    assert "Traceback" not in done.stderr


def test_alerts_yaml_proposals_and_rules_files_refuse_anchors_too(workspace: MeasuredWorkspace) -> None:
    (workspace.root / "good.csv").write_text("id,name\n1,a\n2,b\n")
    workspace.define("good", f"table: good\nsource: {{type: file, path: '{workspace.root / 'good.csv'}'}}\n")
    alerts = workspace.root / "alerts.yaml"  # beside the tables folder
    alerts.write_text("channels:\n  ops: &hook {type: log}\n  ops2: *hook\n")
    proposals = workspace.proposals / "good.yaml"
    proposals.parent.mkdir(parents=True)
    proposals.write_text('table: good\nproposals:\n  - &p {name: a, rule: IsComplete "id"}\n  - *p\n')
    rules = workspace.root / "rules.yaml"
    rules.write_text('key: &k [id]\nrules:\n  - rule: IsUnique "id"\nextra: *k\n')

    validated = workspace.dq("validate")
    pending = workspace.dq("rules", "pending", "good")
    report = workspace.root / "report"
    profile = ["profile", str(workspace.root / "good.csv"), "--rules", str(rules), "--out", str(report)]
    profiled = workspace.dq(*profile, config=False, timeout=120)

    assert (validated.returncode, validated.stderr.splitlines()[0]) == (
        2,
        f"{alerts}:2: YAML anchors and aliases are not allowed",
    )
    assert (pending.returncode, pending.stderr.strip()) == (
        2,
        f"error: {proposals}:3: YAML anchors and aliases are not allowed",
    )
    assert (profiled.returncode, profiled.stderr.strip()) == (
        2,
        f"error: {rules}:1: YAML anchors and aliases are not allowed",
    )
    assert not report.exists()


# -- 14 and 15. impossible values and unterminated strings: refused by `dq validate`, by rule ------

IMPOSSIBLE = {
    # rule: what `dq validate` says about it
    'ColumnValues "name" in ["a", "b"] with threshold > 1.5': (
        "the threshold is a share of rows between 0 and 1, so '> 1.5' can never be met"
    ),
    'ColumnValues "name" in ["a", "b"] with threshold > -1': (
        "the threshold is a share of rows between 0 and 1, so '> -1' is always met "
        "and the rule can never fail"
    ),
    'Completeness "name" > 2': "Completeness is a share between 0 and 1, so '> 2' can never be met",
    "ColumnCount = 6.5": "ColumnCount is a whole number of at least 0, so '= 6.5' can never be met",
    'ColumnLength "name" = -3': "ColumnLength is a whole number of at least 0, so '= -3' can never be met",
    'ColumnLength "name" between -5 and -1': (
        "ColumnLength is a whole number of at least 0, so 'between -5 and -1' can never be met"
    ),
    'ColumnValues "name" in []': "'in []' lists no value, so it can never be met",
    "RowCount > 1e400": "1:12: the number 1e400 is too large for a 64-bit float",
    'ColumnValues "status" in ["a': '1:27: unterminated string: no closing " on this line',
    'IsComplete "email': '1:12: unterminated string: no closing " on this line',
}


@pytest.fixture(scope="module")
def impossible_rules(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str], dict[str, Any]]:
    """One table with every impossible rule (and one good one), validated and run once."""
    root = tmp_path_factory.mktemp("impossible")
    workspace = MeasuredWorkspace.create(root, timeout=ENDED_WITHIN)
    (root / "t.csv").write_text("id,name\n1,a\n2,b\n")
    entries = "".join(f"  - rule: '{rule}'\n" for rule in IMPOSSIBLE)
    path = workspace.define(
        "t",
        f"table: t\nsource: {{type: file, path: '{root / 't.csv'}'}}\nrules:\n{entries}"
        "  - name: two_rows\n    rule: RowCount = 2\n",
    )
    validated = workspace.dq("validate")
    _, output = workspace.run_json()
    return path, validated, output


@pytest.mark.parametrize("rule", list(IMPOSSIBLE))
def test_an_impossible_rule_is_refused_naming_its_place(
    rule: str, impossible_rules: tuple[Path, subprocess.CompletedProcess[str], dict[str, Any]]
) -> None:
    path, validated, output = impossible_rules
    said = IMPOSSIBLE[rule]
    where = said if said.startswith("1:") else f"1:1: {said}"
    expected = f"{path}:{line_of(path, rule)}: rule {rule!r}: {where}"

    assert validated.returncode == 2
    assert expected in validated.stderr.splitlines()
    # The table still runs: that rule's check is an error with the same message; the others go on.
    (check,) = [c for c in checks_of(output, "t").values() if c["metadata"].get("rule") == rule]
    assert (check["outcome"], check["description"]) == ("error", f"error: {expected}")
    assert checks_of(output, "t")["two_rows"]["outcome"] == "pass"


def test_validate_lists_every_impossible_rule_and_nothing_else(
    impossible_rules: tuple[Path, subprocess.CompletedProcess[str], dict[str, Any]],
) -> None:
    path, validated, _ = impossible_rules
    assert validated.stderr.splitlines()[-1] == f"{len(IMPOSSIBLE)} problem(s) in {path.parent}"
    assert len(validated.stderr.splitlines()) == len(IMPOSSIBLE) + 1
