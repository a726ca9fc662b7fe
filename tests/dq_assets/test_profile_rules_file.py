"""`dq profile FILE --rules rules.yaml` reads the rules file as a table definition's rules are read.

Its `ruleset_file:` (a Glue ruleset beside it) and `analyzers:` run too, not only `rules:`; before,
both keys were accepted and silently ignored.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from dq_assets.cli.main import cli

# 20 people: ages 10, 15, ..., 100 (ids 0-18) and 10 (id 19); id 7's age (45) is missing: the
# planted NULL. cities: 12 Oslo, 8 Bern.
AGES = [None if i == 7 else 10 + 5 * (i % 19) for i in range(20)]
RULESET = """\
Rules = [
    RowCount > 5,
    IsComplete "age"
]
Analyzers = [
    Distribution "age" with bins = 4, rebin = false,
    Distribution "city"
]
"""


def write_people(folder: Path) -> Path:
    path = folder / "people.csv"
    lines = ["id,age,city"]
    lines += [f"{i},{'' if a is None else a},{'Oslo' if i < 12 else 'Bern'}" for i, a in enumerate(AGES)]
    path.write_text("\n".join(lines) + "\n")
    return path


def dq_profile(*args: str) -> Result:
    return CliRunner().invoke(cli, ["profile", *args])


def test_the_ruleset_files_rules_and_the_analyzers_run(tmp_path: Path) -> None:
    path = write_people(tmp_path)
    (tmp_path / "people.dqdl").write_text(RULESET)
    rules = tmp_path / "rules.yaml"
    rules.write_text('ruleset_file: people.dqdl\nanalyzers:\n  - Mean "id"\n')
    result = dq_profile(str(path), "--rules", str(rules), "--out", str(tmp_path / "out"))
    lines = result.stdout.splitlines()
    outcomes = {
        line.split()[0]: line.split()[1]
        for line in lines
        if line.split()[:1] in (["rowcount_5"], ["iscomplete_age"])
    }
    assert outcomes == {"rowcount_5": "pass", "iscomplete_age": "fail"}  # id 7's planted NULL age
    assert result.exit_code == 1
    # ages over [10, 100]: 4 bins of 22.5; the ids average 9.5
    assert any(line.split()[:2] == ["Mean", '"id"'] and line.split()[-1] == "9.5" for line in lines)
    assert any(line.endswith("4 bins over [10, 100], NULL 1") for line in lines)
    assert any(line.endswith('2 values: "Oslo" 12, "Bern" 8; NULL 0') for line in lines)


def test_a_bad_analyzer_in_the_rules_file_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write_people(tmp_path)
    rules = tmp_path / "rules.yaml"
    rules.write_text('rules:\n  - rule: RowCount > 5\nanalyzers:\n  - Distribution "age" with bins = 25\n')
    result = dq_profile(str(path), "--rules", str(rules), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert (
        f"error: {rules}:4: analyzer 'Distribution \"age\" with bins = 25': Distribution: bins must be a "
        "whole number from 1 to 20 (got 25), as in `with bins = 10`"
    ) in result.output
