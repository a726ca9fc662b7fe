"""`dq rules import-gx` / `dq rules export-gx`, run through click as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from dq_assets.cli.rules import rules_group
from dq_checks.config.loader import load_table_specs

# GX leaves NULLs out of column-map expectations; the imported rule does too, with this where
NN_EMAIL = ' where "\\"email\\" IS NOT NULL"'
NN_AMOUNT = ' where "\\"amount\\" IS NOT NULL"'

MINIMAL = "table: t\nsource: {type: iceberg, catalog: demo, identifier: shop.t}\n"

COMMENTED = """\
# The orders table.
table: t   # inline note
source: {type: iceberg, catalog: demo, identifier: shop.t}
rules:
  # hand-written rules
  - name: id_set
    rule: IsComplete "id"   # the key
  - rule: 'ColumnValues "amount" >= 0 where "\\"amount\\" IS NOT NULL"'
    severity: warn
# everything below is about anomalies

anomalies:
  columns:
    email: {skip: [high_cardinality]}   # unique by design
"""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(rules_group, [str(a) for a in args], catch_exceptions=False)


def write_suite(path: Path, *expectations: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"name": "suite", "expectations": list(expectations), "meta": {}}))
    return path


def expectation(expectation_type: str, **kwargs: Any) -> dict[str, Any]:
    return {"type": expectation_type, "kwargs": kwargs, "meta": {}, "severity": "critical"}


@pytest.fixture
def table_file(tmp_path: Path) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(COMMENTED)
    return path


def test_import_appends_under_existing_rules_and_keeps_every_comment(
    tmp_path: Path, table_file: Path
) -> None:
    suite = write_suite(
        tmp_path / "suite.json",
        expectation("expect_column_values_to_be_unique", column="id") | {"meta": {"name": "id_unique"}},
        expectation("expect_column_values_to_match_regex", column="email", regex="@")
        | {"severity": "warning"},
    )
    result = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert result.exit_code == 0
    assert result.stdout == (
        'added: id_unique: IsUnique "id"\n'
        'added: ColumnValues "email" matches ".*@.*"' + NN_EMAIL + "\n"
        f"t: 2 rule(s) added to {table_file}\n"
    )
    assert table_file.read_text() == COMMENTED.replace(
        "    severity: warn\n",
        "    severity: warn\n"
        "  - name: id_unique\n"
        '    rule: IsUnique "id"\n'
        "    severity: error\n"
        '  - rule: ColumnValues "email" matches ".*@.*"' + NN_EMAIL + "\n"
        "    severity: warn\n",
    )
    (table,) = load_table_specs(tmp_path).tables
    assert [(r.name, r.rule, str(r.severity)) for r in table.spec.rules] == [
        ("id_set", 'IsComplete "id"', "error"),
        (None, 'ColumnValues "amount" >= 0' + NN_AMOUNT, "warn"),
        ("id_unique", 'IsUnique "id"', "error"),
        (None, 'ColumnValues "email" matches ".*@.*"' + NN_EMAIL, "warn"),
    ]


def test_import_adds_a_rules_key_when_there_is_none(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(MINIMAL)
    suite = write_suite(
        tmp_path / "suite.json",
        expectation("expect_column_values_to_not_be_null", column="id"),
        expectation("expect_column_values_to_be_between", column="amount", min_value=0.0, max_value=10.0),
    )
    result = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert result.exit_code == 0
    assert path.read_text() == MINIMAL + (
        "rules:\n"
        '  - rule: IsComplete "id"\n'
        "    severity: error\n"
        '  - rule: (ColumnValues "amount" >= 0'
        + NN_AMOUNT
        + ') and (ColumnValues "amount" <= 10'
        + NN_AMOUNT
        + ")\n"
        "    severity: error\n"
    )


@pytest.mark.parametrize(
    ("original", "appended"),
    [
        # lists written flush with their key stay that way
        (
            "table: t\nsource:\n  type: iceberg\n  catalog: demo\n  identifier: shop.t\nowners:\n- team:x\n"
            'rules:\n- rule: IsUnique "id"\n',
            '- rule: IsComplete "id"\n  severity: error\n',
        ),
        # four-space indentation stays four spaces
        (
            "table: t\nsource:\n    type: iceberg\n    catalog: demo\n    identifier: shop.t\n"
            'rules:\n    -   rule: IsUnique "id"\n',
            '    -   rule: IsComplete "id"\n        severity: error\n',
        ),
        # an empty flow list becomes a block list
        (MINIMAL + "rules: []\n", None),
        # an explicit document start survives
        ("---\n" + MINIMAL, None),
    ],
)
def test_import_keeps_the_files_layout(tmp_path: Path, original: str, appended: str | None) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(original)
    suite = write_suite(
        tmp_path / "suite.json", expectation("expect_column_values_to_not_be_null", column="id")
    )
    assert invoke("import-gx", suite, "--table", "t", "--config", tmp_path).exit_code == 0
    text = path.read_text()
    if appended is not None:
        assert text == original + appended
    elif original.startswith("---"):
        assert text == original + 'rules:\n  - rule: IsComplete "id"\n    severity: error\n'
    else:
        assert text == MINIMAL + 'rules:\n  - rule: IsComplete "id"\n    severity: error\n'


def test_import_skips_rules_already_present(tmp_path: Path, table_file: Path) -> None:
    suite = write_suite(
        tmp_path / "suite.json",
        expectation("expect_column_values_to_not_be_null", column="id"),
        expectation("expect_column_values_to_be_between", column="amount", min_value=0),
        expectation("expect_column_values_to_be_unique", column="id"),
        expectation("expect_column_values_to_be_unique", column="id"),
    )
    first = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert first.exit_code == 0
    assert first.stdout == (
        'skipped: #1 expect_column_values_to_not_be_null: already present as IsComplete "id"\n'
        "skipped: #2 expect_column_values_to_be_between: already present as "
        'ColumnValues "amount" >= 0' + NN_AMOUNT + "\n"
        'added: IsUnique "id"\n'
        'skipped: #4 expect_column_values_to_be_unique: already present as IsUnique "id"\n'
        f"t: 1 rule(s) added to {table_file}\n"
    )
    after_first = table_file.read_text()
    second = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert second.exit_code == 0
    assert second.stdout.endswith(f"t: 0 rule(s) added to {table_file}\n")
    assert "added:" not in second.stdout
    assert table_file.read_text() == after_first


def test_a_rule_written_with_constants_counts_as_present(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    original = (
        MINIMAL
        + "constants: {col: amount, low: 0}\nrules:\n"
        + """  - rule: 'ColumnValues $col >= $low where "\\"amount\\" IS NOT NULL"'\n"""
    )
    path.write_text(original)
    suite = write_suite(
        tmp_path / "suite.json",
        expectation("expect_column_values_to_be_between", column="amount", min_value=0),
    )
    result = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "skipped: #1 expect_column_values_to_be_between: already present as "
        'ColumnValues "amount" >= 0' + NN_AMOUNT
    )
    assert path.read_text() == original


def test_import_reports_unsupported_expectations_and_exits_2(tmp_path: Path, table_file: Path) -> None:
    suite = write_suite(
        tmp_path / "suite.json",
        expectation("expect_column_values_to_be_of_type", column="id", type_="INT"),
        expectation("expect_column_values_to_be_unique", column="id"),
        expectation(
            "expect_column_values_to_not_be_null", column="x", row_condition="y > 1", condition_parser="spark"
        ),
        # mostly on an inclusive two-sided range: no single DQDL condition (between is exclusive)
        expectation("expect_column_values_to_be_between", column="x", min_value=1, max_value=2, mostly=0.9),
    )
    result = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert result.exit_code == 2  # some input had no equivalent
    assert result.stdout.splitlines() == [
        "skipped: #1 expect_column_values_to_be_of_type: "
        "unsupported expectation type: it has no DQDL equivalent",
        'added: IsUnique "id"',
        "skipped: #3 expect_column_values_to_not_be_null: "
        "row_condition: condition_parser 'spark' is not translated to SQL",
        "skipped: #4 expect_column_values_to_be_between: "
        "mostly on a range inclusive at an end: DQDL's between is exclusive, and an 'and' of two "
        "rules with a threshold each is two shares, not the share of values within both bounds",
        f"t: 1 rule(s) added to {table_file}",
    ]
    assert 'rule: IsUnique "id"' in table_file.read_text()


def test_import_skips_a_conversion_the_validator_rejects(tmp_path: Path, table_file: Path) -> None:
    suite = write_suite(
        tmp_path / "suite.json",
        expectation("expect_column_values_to_match_regex", column="c", regex="("),
    )
    result = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert result.exit_code == 2  # some input had no equivalent
    assert result.stdout.startswith(
        "skipped: #1 expect_column_values_to_match_regex: "
        "converts to an invalid rule: regex '.*(.*' does not compile"
    )
    assert table_file.read_text() == COMMENTED


def test_import_keeps_only_usable_unique_names(tmp_path: Path, table_file: Path) -> None:
    suite = write_suite(
        tmp_path / "suite.json",
        expectation("expect_column_to_exist", column="a") | {"meta": {"name": "has a space"}},
        expectation("expect_column_to_exist", column="b") | {"meta": {"name": "id_set"}},  # taken in the file
        expectation("expect_column_to_exist", column="c") | {"meta": {"name": "c_exists"}},
        expectation("expect_column_to_exist", column="d") | {"meta": {"name": "c_exists"}},  # taken just now
    )
    result = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:4] == [
        'added: ColumnExists "a"',
        'added: ColumnExists "b"',
        'added: c_exists: ColumnExists "c"',
        'added: ColumnExists "d"',
    ]
    (table,) = load_table_specs(tmp_path).tables
    assert [r.name for r in table.spec.rules] == ["id_set", None, None, None, "c_exists", None]


def test_import_uses_dq_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "t.yaml").write_text(MINIMAL)
    suite = write_suite(tmp_path / "suite.json", expectation("expect_column_to_exist", column="a"))
    monkeypatch.setenv("DQ_CONFIG_DIR", str(tmp_path))
    assert invoke("import-gx", suite, "--table", "t").exit_code == 0
    assert 'ColumnExists "a"' in (tmp_path / "t.yaml").read_text()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable expectation suite: Expecting property name"),
        ("[]", "not a readable expectation suite: an expectation suite is a JSON object"),
        ('{"expectations": [{"kwargs": {}}]}', "expectation 1 has no 'type'"),
        (None, "not a readable expectation suite: [Errno 2]"),
    ],
)
def test_import_of_a_bad_suite_exits_2(
    tmp_path: Path, table_file: Path, content: str | None, message: str
) -> None:
    suite = tmp_path / "suite.json"
    if content is not None:
        suite.write_text(content)
    result = invoke("import-gx", suite, "--table", "t", "--config", tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {suite}: ")
    assert message in result.stderr
    assert table_file.read_text() == COMMENTED


def test_import_into_an_unknown_table_exits_2(tmp_path: Path, table_file: Path) -> None:
    suite = write_suite(tmp_path / "suite.json", expectation("expect_column_to_exist", column="a"))
    result = invoke("import-gx", suite, "--table", "nope", "--config", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "error: unknown table 'nope'; defined tables: t\n"
    assert table_file.read_text() == COMMENTED


# --- export ---------------------------------------------------------------------------------

EXPORTABLE = (
    MINIMAL
    + """\
constants: {low: 0}
rules:
  - name: id_set
    rule: IsComplete "id"
  - rule: ColumnValues "amount" between $low and 100
    severity: warn
"""
)


def test_export_prints_a_suite_named_after_the_table(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(EXPORTABLE)
    result = invoke("export-gx", "t", "--config", tmp_path)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert json.loads(result.stdout) == {
        "name": "t",
        "id": None,
        "expectations": [
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "id"},
                "meta": {"name": "id_set", "dqdl": 'IsComplete "id"'},
                "severity": "critical",
            },
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {
                    "column": "amount",
                    "min_value": 0,
                    "max_value": 100,
                    "strict_min": True,
                    "strict_max": True,
                },
                "meta": {"dqdl": 'ColumnValues "amount" between $low and 100'},
                "severity": "warning",
            },
            # the DQDL rule fails a NULL amount; GX's between leaves NULLs out
            {
                "type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "amount"},
                "meta": {"dqdl": 'ColumnValues "amount" between $low and 100'},
                "severity": "warning",
            },
        ],
        "meta": {},
        "notes": None,
    }


def test_export_names_rules_without_equivalent_and_exits_2(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        MINIMAL
        + "rules:\n"
        + '  - rule: IsComplete "id"\n'
        + "  - name: known_customer\n"
        + '    rule: ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0\n'
        + '  - rule: CustomSql "select count(*) from primary" > 0\n'
    )
    output = tmp_path / "suite.json"
    result = invoke("export-gx", "t", "--config", tmp_path, "--output", output)
    assert result.exit_code == 2  # some input had no equivalent
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"wrote 1 expectation(s) to {output}",
        "no GX equivalent: known_customer "
        '(ReferentialIntegrity "customer_id" "customers.customer_id" = 1.0): '
        "ReferentialIntegrity has no GX equivalent: it compares with another table; "
        "a GX suite validates one batch",
        'no GX equivalent: CustomSql "select count(*) from primary" > 0: CustomSql has no GX equivalent: '
        "GX has no core expectation for a scalar SQL query or a query of passing rows",
    ]
    suite = json.loads(output.read_text())
    assert [e["type"] for e in suite["expectations"]] == ["expect_column_values_to_not_be_null"]


def test_export_of_an_unknown_table_exits_2(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(MINIMAL)
    result = invoke("export-gx", "nope", "--config", tmp_path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: unknown table 'nope'; defined tables: t\n"


def test_export_of_a_table_without_rules_is_an_empty_suite(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(MINIMAL)
    result = invoke("export-gx", "t", "--config", tmp_path)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["expectations"] == []


# --- both ways -----------------------------------------------------------------------------


def test_a_great_expectations_suite_survives_import_then_export(tmp_path: Path) -> None:
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite

    original = ExpectationSuite(
        name="orders",
        expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="order_id", meta={"name": "order_id_set"}),
            gx.expectations.ExpectColumnValuesToNotBeNull(column="email", mostly=0.9),
            gx.expectations.ExpectColumnValuesToBeUnique(column="order_id"),
            gx.expectations.ExpectCompoundColumnsToBeUnique(column_list=["order_id", "line"]),
            gx.expectations.ExpectColumnValuesToBeBetween(column="amount", min_value=0, max_value=1000),
            # mostly on a column-map expectation comes back: `where` the column is not NULL
            # `with threshold >= mostly` on import, mostly again on export
            gx.expectations.ExpectColumnValuesToMatchRegex(column="email", regex="@", mostly=0.95),
            gx.expectations.ExpectColumnValuesToNotBeInSet(column="status", value_set=["void"], mostly=0.99),
            # (mostly on an inclusive two-sided range or on lengths, and the sample standard
            # deviation, are not imported: see dq_checks/gx/to_dqdl.py)
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="qty", min_value=0, max_value=10, strict_min=True, strict_max=True
            ),
            gx.expectations.ExpectCompoundColumnsToBeUnique(
                column_list=["order_id", "line"], ignore_row_if="any_value_is_missing"
            ),
            gx.expectations.ExpectColumnValuesToBeInSet(column="status", value_set=["new", "paid"]),
            gx.expectations.ExpectColumnValuesToMatchRegex(
                column="sku", regex="^SKU-\\d+$", severity="warning"
            ),
            gx.expectations.ExpectColumnValuesToMatchRegex(column="note", regex="ok"),
            gx.expectations.ExpectColumnValueLengthsToBeBetween(column="zip", min_value=4, max_value=10),
            gx.expectations.ExpectTableRowCountToBeBetween(min_value=1),
            gx.expectations.ExpectColumnMeanToBeBetween(column="amount", min_value=1, max_value=500),
            gx.expectations.ExpectColumnSumToBeBetween(column="amount", max_value=10**9),
            gx.expectations.ExpectColumnToExist(column="load_dt"),
        ],
    ).to_json_dict()
    suite_file = tmp_path / "orders.json"
    suite_file.write_text(json.dumps(original))
    (tmp_path / "orders.yaml").write_text(MINIMAL.replace("table: t", "table: orders"))

    imported = invoke("import-gx", suite_file, "--table", "orders", "--config", tmp_path)
    assert imported.exit_code == 0, imported.output
    exported = invoke("export-gx", "orders", "--config", tmp_path)
    assert exported.exit_code == 0, exported.output

    def comparable(suite: dict[str, Any]) -> list[tuple[Any, ...]]:
        defaults = {"strict_min": False, "strict_max": False, "mostly": 1}
        return [
            (
                e["type"],
                {k: v for k, v in e["kwargs"].items() if defaults.get(k, object()) != v},
                e["meta"].get("name"),
                e["severity"],
            )
            for e in suite["expectations"]
        ]

    reloaded = ExpectationSuite(**json.loads(exported.stdout)).to_json_dict()
    assert comparable(reloaded) == comparable(original)
