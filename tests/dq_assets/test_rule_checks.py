"""Rules become asset checks: names, severities, blocking, and the shared scan."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

from dq_assets.table_asset import check_specs
from dq_checks.config.loader import load_table_specs
from dq_checks.config.models import AnomalySettings
from dq_checks.dqdl.parser import parse_rule
from dq_checks.profile.profiler import profile_and_measure
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import RuleError, TableContext
from dq_checks.schema import ColumnInfo, ColumnKind, TableDescription
from tests.runners import duckdb_over

HEADER = "table: t\nsource: {type: iceberg, catalog: demo, identifier: shop.t}\n"


def write(folder: Path, rules: str) -> Path:
    path = folder / "t.yaml"
    path.write_text(HEADER + textwrap.dedent(rules))
    return path


def test_names_severities_and_blocking_become_check_specs(tmp_path: Path) -> None:
    write(
        tmp_path,
        """\
        rules:
          - name: key
            rule: IsPrimaryKey "id"
            blocking: true
          - rule: ColumnValues "amount" between 0 and 100
            severity: warn
        """,
    )
    defined = load_table_specs(tmp_path).by_name("t")
    specs = {spec.name: spec for spec in check_specs(defined)}
    assert list(specs) == [
        "profile",
        "anomalies",
        "key",
        "columnvalues_amount_between_0_and_100",
        "quality_score",
        "volume",
        "schema",
        "drift",
    ]
    assert specs["key"].blocking is True
    assert specs["columnvalues_amount_between_0_and_100"].blocking is False
    assert specs["key"].description == 'IsPrimaryKey "id"'
    assert [r.severity.value for r in defined.rules] == ["error", "warn"]


def test_duplicate_and_reserved_check_names_fail_the_load_with_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        rules:
          - rule: IsComplete "a"
          - rule: IsComplete "a"
          - name: profile
            rule: IsComplete "b"
        """,
    )
    problems = [str(p) for p in load_table_specs(tmp_path).problems]
    assert problems == [
        f"{path}:5: rules.1: duplicate check name 'iscomplete_a', already used at line 4",
        f"{path}:7: rules.2: check name 'profile' is reserved; give the rule a name:",
    ]


def test_a_metric_the_profile_and_a_rule_both_need_is_computed_once() -> None:
    table = pa.table({"id": pa.array(range(10), pa.int64()), "amount": pa.array([1.0] * 10)})
    columns = (
        ColumnInfo("id", "long", ColumnKind.NUMERIC),
        ColumnInfo("amount", "double", ColumnKind.NUMERIC, floating=True),
    )
    description = TableDescription(columns, 10, None, None)
    with duckdb_over(table) as engine:
        context = TableContext(description, engine.relation)
        alone = profile_and_measure(engine, columns, AnomalySettings())
        # Each of these rules needs only aggregates the profile computes already.
        shared = [
            compile_rule(parse_rule(r), context)
            for r in ("RowCount > 1", 'Mean "amount" > 0', 'IsComplete "id"')
        ]
        together = profile_and_measure(engine, columns, AnomalySettings(), extra=[r.metrics for r in shared])
        # A rule with a metric of its own adds exactly one aggregate to the same scan.
        extra = compile_rule(parse_rule('Sum "amount" > 0'), context)
        plus_one = profile_and_measure(engine, columns, AnomalySettings(), extra=[extra.metrics])
    assert len(together.values) == len(alone.values)
    assert together.profile.queries == alone.profile.queries
    assert len(plus_one.values) == len(alone.values) + 1
    assert plus_one.profile.queries == alone.profile.queries


def test_where_columns_are_matched_as_glue_matches_them_and_quoted() -> None:
    table = pa.table({"Region": pa.array(["eu", "us", "eu"]), "v": pa.array([1, 2, 3], pa.int64())})
    columns = (ColumnInfo("Region", "string", ColumnKind.STRING), ColumnInfo("v", "long", ColumnKind.NUMERIC))
    with duckdb_over(table) as engine:
        context = TableContext(TableDescription(columns, 3, None, None), engine.relation)
        rule = compile_rule(parse_rule("RowCount = 2 where \"Region = 'eu'\""), context)
        assert '"Region"' in rule.metrics[0].key
        # Glue (Spark) resolves column names ignoring case: `region` is the column Region, quoted
        # as written in the table.
        other_case = compile_rule(parse_rule("RowCount = 2 where \"region = 'eu'\""), context)
        assert '"Region"' in other_case.metrics[0].key
        # A name that is no column in any case is still an error, never a silent filter.
        with pytest.raises(RuleError, match="column 'regio' does not exist"):
            compile_rule(parse_rule("RowCount = 2 where \"regio = 'eu'\""), context)
