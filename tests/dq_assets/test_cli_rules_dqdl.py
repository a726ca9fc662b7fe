"""`dq rules import-dqdl` and `export-dqdl`, and `dq validate` on a table with a ruleset file.

Rulesets are written as Glue takes them; every exported ruleset is also parsed by AWS's own
published grammar (tests/dqdl_antlr.py), so what dq writes loads in Glue unchanged.
"""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner, Result

from dq_assets.cli.main import cli
from dq_checks.dqdl.ast import Labels, RuleExpr, Ruleset
from dq_checks.dqdl.constants import resolve_constants
from dq_checks.dqdl.parser import parse_ruleset
from dq_checks.dqdl.printer import analyzer_text, rule_text
from tests.dqdl_antlr import aws_grammar_errors

SOURCE = "{type: iceberg, catalog: demo, identifier: shop.orders}"

GLUE_RULESET = """\
# orders, as the Glue job checks them
Metadata = {"Version": "1.0"}
statuses = ["paid", "shipped", "returned"]
code_pattern = "[A-Z]{3}-[0-9]+"
currency = "EUR"
floor = 0
DefaultLabels = ["team"="shop", "tier"="silver"]

Rules = [
    RowCount > 1000,                                   # volume
    ColumnValues "status" in $statuses,
    ColumnValues "code" matches $code_pattern labels=["tier"="gold"],
    ColumnValues "currency" = $currency,
    (IsComplete "order_id") AND (ColumnValues "amount" >= $floor),
    Completeness "email" > 0.9 labels=["owner"="crm"]
]

Analyzers = [
    RowCount,
    Mean "amount",
    Completeness AllColumns
]
"""

DEFINITION = f"""\
# orders: the shop's promises
table: orders
source: {SOURCE}
rules:
  - name: has_orders   # a dq entry of its own
    rule: RowCount > 0
    severity: warn
  # more rules below
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def effective(ruleset: Ruleset) -> tuple[list[str], list[str]]:
    """Each rule as it runs (constants in, DefaultLabels under its own labels) and each analyzer."""

    def labelled(rule: RuleExpr) -> RuleExpr:
        merged = (rule.labels or Labels()).merged_over(ruleset.default_labels)
        return replace(rule, labels=Labels(tuple(sorted(merged.pairs))) if merged.pairs else None)

    constants = ruleset.constant_values()
    rules = [rule_text(labelled(resolve_constants(r, constants))) for r in ruleset.rules]
    analyzers = [analyzer_text(a) for a in ruleset.analyzers]  # type: ignore[arg-type]
    return rules, analyzers


def test_import_then_export_gives_the_same_rules_and_analyzers(tmp_path: Path) -> None:
    (tmp_path / "orders.yaml").write_text(DEFINITION)
    (tmp_path / "orders.dqdl").write_text(GLUE_RULESET)
    imported = invoke(
        "rules", "import-dqdl", str(tmp_path / "orders.dqdl"), "--table", "orders", "--config", str(tmp_path)
    )
    assert imported.exit_code == 0, imported.output
    assert imported.stdout.splitlines() == [
        'added: RowCount > 1000 labels=["team"="shop", "tier"="silver"]',
        'added: ColumnValues "status" in ["paid", "shipped", "returned"] '
        'labels=["team"="shop", "tier"="silver"]',
        'added: ColumnValues "code" matches "[A-Z]{3}-[0-9]+" labels=["team"="shop", "tier"="gold"]',
        'added: ColumnValues "currency" = "EUR" labels=["team"="shop", "tier"="silver"]',
        'added: ((IsComplete "order_id") and (ColumnValues "amount" >= 0)) '
        'labels=["team"="shop", "tier"="silver"]',
        'added: Completeness "email" > 0.9 labels=["team"="shop", "tier"="silver", "owner"="crm"]',
        "added: analyzer RowCount",
        'added: analyzer Mean "amount"',
        "added: analyzer Completeness AllColumns",
        f"orders: 6 rule(s) and 3 analyzer(s) added to {tmp_path / 'orders.yaml'}",
    ]
    text = (tmp_path / "orders.yaml").read_text()
    kept = DEFINITION.split("  # more rules below", maxsplit=1)[0]
    assert text.startswith(kept)  # the old lines, comments and all
    assert "# a dq entry of its own" in text
    assert text.rstrip().endswith('analyzers:\n  - RowCount\n  - Mean "amount"\n  - Completeness AllColumns')
    assert invoke("validate", "--config", str(tmp_path)).exit_code == 0

    exported = invoke("rules", "export-dqdl", "orders", "--config", str(tmp_path))
    assert exported.exit_code == 0
    assert aws_grammar_errors(exported.stdout) == []
    # The dq entry's name and severity have no DQDL form: named once, on standard error.
    assert exported.stderr == (
        "note: DQDL has no form for these fields, which are not exported: name (1 rule), severity (1 rule)\n"
    )
    ours, theirs = effective(parse_ruleset(exported.stdout)), effective(parse_ruleset(GLUE_RULESET))
    assert ours[0] == ["RowCount > 0", *theirs[0]]  # the dq entry first, then the ruleset's, as run
    assert ours[1] == theirs[1]
    # Importing the export again adds nothing: every rule and analyzer is already there.
    (tmp_path / "export.dqdl").write_text(exported.stdout)
    again = invoke(
        "rules", "import-dqdl", str(tmp_path / "export.dqdl"), "--table", "orders", "--config", str(tmp_path)
    )
    assert again.exit_code == 0
    assert (
        again.stdout.splitlines()[-1]
        == f"orders: 0 rule(s) and 0 analyzer(s) added to {tmp_path / 'orders.yaml'}"
    )


def test_export_of_a_ruleset_file_keeps_string_constants_and_default_labels(tmp_path: Path) -> None:
    (tmp_path / "orders.yaml").write_text(
        f"table: orders\nsource: {SOURCE}\nruleset_file: orders.dqdl\n"
        'analyzers:\n  - DistinctValuesCount "status"\n'
    )
    (tmp_path / "orders.dqdl").write_text(GLUE_RULESET)
    output = tmp_path / "out.dqdl"
    result = invoke("rules", "export-dqdl", "orders", "--config", str(tmp_path), "--output", str(output))
    assert result.exit_code == 0
    assert result.stderr == f"wrote 6 rule(s), 4 analyzer(s) to {output}\n"
    assert output.read_text() == textwrap.dedent(
        """\
        currency = "EUR"
        DefaultLabels = ["team"="shop", "tier"="silver"]
        Rules = [
            RowCount > 1000,
            ColumnValues "status" in ["paid", "shipped", "returned"],
            ColumnValues "code" matches "[A-Z]{3}-[0-9]+" labels=["tier"="gold"],
            ColumnValues "currency" = $currency,
            (IsComplete "order_id") and (ColumnValues "amount" >= 0),
            Completeness "email" > 0.9 labels=["owner"="crm"]
        ]
        Analyzers = [
            DistinctValuesCount "status",
            RowCount,
            Mean "amount",
            Completeness AllColumns
        ]
        """
    )
    assert aws_grammar_errors(output.read_text()) == []
    assert effective(parse_ruleset(output.read_text()))[0] == effective(parse_ruleset(GLUE_RULESET))[0]


def test_import_skips_what_is_present_or_invalid_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "orders.yaml").write_text(DEFINITION)
    (tmp_path / "bad.dqdl").write_text(
        "Rules = [\n"
        '    RowCount > 0 labels=["team"="x"],\n'  # the entry has_orders, labels aside
        '    Completeness "email" > 2,\n'  # planted: a share can never exceed 1
        '    IsUnique "id"\n'
        "]\n"
        "Analyzers = [\n"
        '    Distribution "amount" with bins = 25\n'  # planted: AWS allows at most 20 bins
        "]\n"
    )
    result = invoke(
        "rules", "import-dqdl", str(tmp_path / "bad.dqdl"), "--table", "orders", "--config", str(tmp_path)
    )
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [
        f'skipped: line 2: already present at {tmp_path / "orders.yaml"}:6: RowCount > 0 labels=["team"="x"]',
        'skipped: line 3: Completeness "email" > 2: 3:5: Completeness is a share between 0 and 1, '
        "so '> 2' can never be met",
        'added: IsUnique "id"',
        'skipped: line 7: analyzer Distribution "amount" with bins = 25: Distribution: bins must be a whole '
        "number from 1 to 20 (got 25), as in `with bins = 10`",
        f"orders: 1 rule(s) and 0 analyzer(s) added to {tmp_path / 'orders.yaml'}",
    ]


def test_import_of_a_ruleset_that_does_not_parse_names_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "orders.yaml").write_text(DEFINITION)
    (tmp_path / "broken.dqdl").write_text('Rules = [\n    RowCount > 0,\n    IsComplete "id" >\n]\n')
    result = invoke(
        "rules", "import-dqdl", str(tmp_path / "broken.dqdl"), "--table", "orders", "--config", str(tmp_path)
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'broken.dqdl'}:4:1: ")
    assert (tmp_path / "orders.yaml").read_text() == DEFINITION


def test_validate_reports_ruleset_file_problems_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "missing.yaml").write_text(f"table: missing\nsource: {SOURCE}\nruleset_file: nowhere.dqdl\n")
    (tmp_path / "syntax.yaml").write_text(f"table: syntax\nsource: {SOURCE}\nruleset_file: syntax.dqdl\n")
    (tmp_path / "syntax.dqdl").write_text("Rules = [\n    RowCount >> 5\n]\n")  # planted: '>>'
    (tmp_path / "rules.yaml").write_text(
        f"table: rules\nsource: {SOURCE}\nruleset_file: rules.dqdl\n"
        "analyzers:\n"
        '  - Median "amount"\n'  # planted: no such analyzer
        '  - Mean "amount" > 3\n'  # planted: an analyzer takes no condition
        "rules:\n"
        '  - rule: IsComplete "id"\n'
    )
    (tmp_path / "rules.dqdl").write_text(
        "Rules = [\n"
        '    IsComplete "id",\n'  # planted: already in rules:
        '    ColumnValues "amount" between 5 and 1\n'  # planted: min above max
        "]\n"
    )
    result = invoke("validate", "--config", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'rules.dqdl'}:2: rule 'IsComplete \"id\"' is already defined at "
        f"{tmp_path / 'rules.yaml'}:8; it runs once, as defined there",
        f"{tmp_path / 'missing.yaml'}:3: ruleset_file 'nowhere.dqdl': "
        f"no such file {tmp_path / 'nowhere.dqdl'}",
        f"{tmp_path / 'rules.dqdl'}:3: rule 'ColumnValues \"amount\" between 5 and 1': 3:5: "
        "between 5 and 1: the lower bound must be below the upper bound",
        f"{tmp_path / 'syntax.dqdl'}:2:15: unexpected '>'; expected '(', '-', NULL, EMPTY or "
        'WHITESPACES_ONLY, a "quoted string", a $constant, a number, a rule type or name',
        f"{tmp_path / 'rules.yaml'}:5: analyzer 'Median \"amount\"': unknown analyzer type 'Median'; "
        "did you mean Mean? (analyzers: ColumnCorrelation, ColumnCount, Completeness, DistinctValuesCount, "
        "Distribution, "
        "Entropy, Mean, RowCount, StandardDeviation, Sum, UniqueValueRatio, Uniqueness, Variance)",
        f"{tmp_path / 'rules.yaml'}:6: analyzer 'Mean \"amount\" > 3': Mean: an analyzer takes no condition; "
        "it records the metric and is never judged (write it under Rules to judge it)",
        f"6 problem(s) in {tmp_path}",
    ]
