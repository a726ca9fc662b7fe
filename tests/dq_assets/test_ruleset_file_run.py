"""A table whose rules come from a Glue ruleset file, run with `dq run` on a real Iceberg table.

The ruleset is pasted from Glue unchanged: comments, a constant, DefaultLabels, a rule's own
labels, a composite rule and an Analyzers block. The table has planted defects, so each rule's
outcome, each analyzer's value and the labels on each check are known exactly.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import dagster as dg
import pyarrow as pa
from click.testing import CliRunner

from dq_assets.check_specs import check_specs
from dq_assets.cli.main import cli
from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.iceberg.catalogs import load_named_catalog
from tests.check_outcomes import outcome_by_check

ROWS = 100
RULESET = """\
# customers: the ruleset as Glue runs it
min_rows = 50
DefaultLabels = ["team"="crm", "tier"="silver"]

Rules = [
    RowCount > $min_rows,
    IsComplete "id",
    Completeness "email" > 0.95 labels=["tier"="gold"],
    ColumnValues "age" >= 0,
    (IsUnique "id") AND (ColumnValues "status" in ["active", "closed"]),
    Mean "ghost" > 1
]

Analyzers = [
    RowCount,
    Completeness AllColumns,
    Mean "age"
]
"""


def customers() -> pa.Table:
    """100 customers with planted defects: 10 NULL emails (ids 0-9), 5 negative ages (ids 95-99)."""
    ids = list(range(ROWS))
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "email": pa.array([None if i < 10 else f"c{i}@example.com" for i in ids], pa.string()),
            "age": pa.array([-5 if i >= 95 else 20 + i % 50 for i in ids], pa.int64()),
            "status": pa.array(["closed" if i % 5 == 0 else "active" for i in ids], pa.string()),
        }
    )


def define(folder: Path, catalog: str, yaml_rules: str = "") -> None:
    (folder / "customers.dqdl").write_text(RULESET)
    (folder / "customers.yaml").write_text(
        textwrap.dedent(
            f"""\
            table: customers
            source: {{type: iceberg, catalog: {catalog}, identifier: crm.customers}}
            ruleset_file: customers.dqdl   # the Glue ruleset, unchanged
            analyzers:
              - DistinctValuesCount "status"
            """
        )
        + yaml_rules
    )


def seed(catalog: str) -> None:
    warehouse = load_named_catalog(catalog)
    warehouse.create_namespace("crm")
    table = warehouse.create_table("crm.customers", schema=customers().schema)
    table.append(customers())


def test_dq_run_judges_the_ruleset_files_rules_and_reports_its_analyzers(
    scratch_catalog: str, tmp_path: Path
) -> None:
    seed(scratch_catalog)
    define(tmp_path, scratch_catalog, "rules:\n  - {name: enough_rows, rule: RowCount > 10}\n")
    result = CliRunner().invoke(cli, ["run", "--json", "--config", str(tmp_path)], catch_exceptions=False)
    payload = json.loads(result.output)
    (report,) = payload["tables"]
    checks = {c["name"]: c for c in report["checks"]}
    assert {name: c["outcome"] for name, c in checks.items()} == {
        "profile": "pass",
        "anomalies": "pass",  # 10% NULL emails is under the 20% null-rate limit: the rules' defects
        "enough_rows": "pass",  # from rules:, beside the ruleset file's
        "rowcount_min_rows": "pass",  # 100 > $min_rows (50), the ruleset's constant
        "iscomplete_id": "pass",
        "completeness_email_0_95": "fail",  # 0.9: the 10 planted NULL emails
        "columnvalues_age_0": "fail",  # the 5 planted negative ages
        "isunique_id_and_columnvalues_status_in_active_closed": "pass",
        "mean_ghost_1": "error",  # no column 'ghost': an error naming the ruleset file and line
        "quality_score": "fail",  # 4 passed of 6 evaluated (the error is no evaluation) < 0.8
        "volume": "skip",  # no earlier run
        "schema": "pass",
        "drift": "skip",  # no earlier data version
    }
    assert result.exit_code == 2  # a check errored
    assert checks["completeness_email_0_95"]["metadata"]["observed"] == 0.9
    assert checks["columnvalues_age_0"]["metadata"]["failed_count"] == 5
    assert checks["mean_ghost_1"]["metadata"]["error"] == (
        f"{tmp_path / 'customers.dqdl'}:11: column 'ghost' does not exist; "
        "the table has: id, email, age, status"
    )
    # DefaultLabels under each rule's own labels; rules of rules: have none of them.
    assert checks["completeness_email_0_95"]["metadata"]["labels"] == {"team": "crm", "tier": "gold"}
    assert checks["columnvalues_age_0"]["metadata"]["labels"] == {"team": "crm", "tier": "silver"}
    assert "labels" not in checks["enough_rows"]["metadata"]
    analyzers = {a["analyzer"]: (a["metric"], a["value"], a["error"]) for a in report["analyzers"]}
    assert analyzers == {
        'DistinctValuesCount "status"': ("Column.status.DistinctValuesCount", 2.0, None),
        "RowCount": ("Dataset.*.RowCount", 100.0, None),
        'Completeness "id"': ("Column.id.Completeness", 1.0, None),
        'Completeness "email"': ("Column.email.Completeness", 0.9, None),
        'Completeness "age"': ("Column.age.Completeness", 1.0, None),
        'Completeness "status"': ("Column.status.Completeness", 1.0, None),
        # ages 20 + id % 50 for ids 0-94 (sum 4,115), -5 for the 5 planted (sum -25): 4,090 / 100
        'Mean "age"': ("Column.age.Mean", 40.9, None),
    }


def test_readable_output_lists_the_analyzers_beside_the_checks(scratch_catalog: str, tmp_path: Path) -> None:
    seed(scratch_catalog)
    define(tmp_path, scratch_catalog)
    result = CliRunner().invoke(cli, ["run", "--config", str(tmp_path)], catch_exceptions=False)
    lines = result.output.splitlines()
    header = next(
        i for i, line in enumerate(lines) if line.split()[:4] == ["table", "analyzer", "metric", "value"]
    )
    assert lines[header + 2].split() == [
        "customers",
        "DistinctValuesCount",
        '"status"',
        "Column.status.DistinctValuesCount",
        "2",
    ]
    assert any(line.split()[-2:] == ["Column.age.Mean", "40.9"] for line in lines[header:])


def test_labels_are_metadata_of_each_rules_check_spec(scratch_catalog: str, tmp_path: Path) -> None:
    define(tmp_path, scratch_catalog)
    defined = load_table_specs(tmp_path).by_name("customers")
    specs = {spec.name: spec for spec in check_specs(defined)}
    gold = specs["completeness_email_0_95"].metadata
    assert gold["dq/labels"] == dg.MetadataValue.json({"team": "crm", "tier": "gold"})
    assert (gold["dq/label/team"], gold["dq/label/tier"]) == (
        dg.MetadataValue.text("crm"),
        dg.MetadataValue.text("gold"),
    )
    assert specs["profile"].metadata == {}


def test_a_later_rule_learns_from_the_analyzers_history(scratch_catalog: str, tmp_path: Path) -> None:
    """An analyzer records its metric under the key a rule on it uses; a dynamic rule added later reads it."""
    seed(scratch_catalog)
    instance = dg.DagsterInstance.ephemeral()

    def run(yaml_rules: str) -> dict[str, str]:
        define(tmp_path, scratch_catalog, yaml_rules)
        defined = load_table_specs(tmp_path).by_name("customers")
        asset = build_table_asset(defined, {"customers": defined})
        result = dg.materialize(
            [asset], instance=instance, resources=default_resources(), raise_on_error=False
        )
        return outcome_by_check(result)

    run("")  # the RowCount analyzer records Dataset.*.RowCount = 100; no rule reads it yet
    later = run("rules:\n  - {name: growing, rule: RowCount > avg(last(3)) * 1.5}\n")
    # The rule never ran before, yet its history is the analyzer's [100]: 100 > 150 fails.
    # Without it, last(3) would be [0.0] and the rule would pass.
    assert later["growing"] == "fail"


def test_a_broken_ruleset_file_is_an_error_check_and_the_other_rules_still_run(
    scratch_catalog: str, tmp_path: Path
) -> None:
    seed(scratch_catalog)
    define(tmp_path, scratch_catalog, "rules:\n  - {name: enough_rows, rule: RowCount > 10}\n")
    (tmp_path / "customers.dqdl").write_text(
        'Rules = [\n    RowCount > 1\n    IsComplete "id"\n]\n'
    )  # no comma
    result = CliRunner().invoke(cli, ["run", "--json", "--config", str(tmp_path)], catch_exceptions=False)
    (report,) = json.loads(result.output)["tables"]
    checks = {c["name"]: c for c in report["checks"]}
    assert result.exit_code == 2
    assert (checks["ruleset_file"]["outcome"], checks["enough_rows"]["outcome"]) == ("error", "pass")
    assert checks["ruleset_file"]["metadata"]["error"].startswith(f"{tmp_path / 'customers.dqdl'}:3:5: ")
    # The definition's own analyzer still runs; the ruleset's are unknown while it does not parse.
    assert [(a["analyzer"], a["value"]) for a in report["analyzers"]] == [
        ('DistinctValuesCount "status"', 2.0)
    ]


DISTRIBUTIONS = """\
Rules = [
    RowCount > 10
]

Analyzers = [
    Distribution "age" with bins = 5, rebin = false,
    Distribution "status",
    Distribution "email",
    Distribution "id" with bins = 25
]
"""


def test_a_pasted_distribution_analyzer_reports_its_histogram_and_top_values(
    scratch_catalog: str, tmp_path: Path
) -> None:
    """Glue's Distribution through `ruleset_file:`: histogram, top values, PII, a bad `bins` refused."""
    seed(scratch_catalog)
    (tmp_path / "customers.dqdl").write_text(DISTRIBUTIONS)
    (tmp_path / "customers.yaml").write_text(
        "table: customers\n"
        f"source: {{type: iceberg, catalog: {scratch_catalog}, identifier: crm.customers}}\n"
        "ruleset_file: customers.dqdl\npii_columns: [email]\n"
    )
    result = CliRunner().invoke(cli, ["run", "--json", "--config", str(tmp_path)], catch_exceptions=False)
    (report,) = json.loads(result.output)["tables"]
    analyzers = {a["analyzer"]: a for a in report["analyzers"]}
    age = analyzers['Distribution "age" with bins = 5, rebin = false']["distribution"]
    # ages -5 (ids 95-99) and 20..69: edges -5, 9.8, 24.6, 39.4, 54.2, 69 (width 14.8); 20..64 twice,
    # 65..69 once: [-5, 9.8) 5 | [9.8, 24.6) 20..24: 10 | 25..39: 30 | 40..54: 30 | [54.2, 69] 55..69: 25
    assert [b["count"] for b in age["bins"]] == [5, 10, 30, 30, 25]
    assert (age["bins"][0]["low"], age["bins"][-1]["high"]) == (-5.0, 69.0)
    assert (age["null_count"], age["rebin"], age["summary"]) == (0, False, "5 bins over [-5, 69], NULL 0")
    status = analyzers['Distribution "status"']["distribution"]
    assert status["top_values"] == [{"value": "active", "count": 80}, {"value": "closed", "count": 20}]
    email = analyzers['Distribution "email"']["distribution"]  # PII: counts stay, values go
    assert email["top_values"] == [{"value": "<redacted>", "count": 1}] * 20
    assert (email["distinct_count"], email["null_count"], email["redacted"]) == (90, 10, True)
    assert "example.com" not in result.output
    bad = analyzers['Distribution "id" with bins = 25']
    assert bad["error"] == (
        f"{tmp_path / 'customers.dqdl'}:9: analyzer 'Distribution \"id\" with bins = 25': "
        "Distribution: bins must be a whole number from 1 to 20 (got 25), as in `with bins = 10`"
    )
    assert result.exit_code == 2  # an analyzer that cannot be computed is an error, never dropped
    assert all(a["metric"] is None and a["value"] is None for a in analyzers.values())

    readable = CliRunner().invoke(cli, ["run", "--config", str(tmp_path)], catch_exceptions=False).output
    assert any(
        line.split()[:3] == ["customers", "Distribution", '"status"']
        and line.endswith('2 values: "active" 80, "closed" 20; NULL 0')
        for line in readable.splitlines()
    )
    assert any(line.endswith("5 bins over [-5, 69], NULL 0") for line in readable.splitlines())
