"""CustomSql: a vetted SELECT over `primary` (and named monitored tables).

Its grammar and its checks before any table is read are here; how the statement runs and is
judged is in `engine.py`. Both vet the statement with sqlglot, imported only for a CustomSql rule.
"""

from __future__ import annotations

from dq_checks.dqdl.ast import Rule
from dq_checks.rules.types.definition import RuleTypeDefinition, TablesInReach, compiled_in
from dq_checks.rules.types.spec import ColumnParams, ConditionKind, Dimension, RuleTypeSpec


def _tables_read(rule: Rule, readable: set[str]) -> dict[str, set[str] | None]:
    from dq_checks.rules.types.custom_sql.engine import custom_sql_tables

    return custom_sql_tables(rule, readable)


def _statement_problems(rule: Rule, reach: TablesInReach) -> list[str]:
    from dq_checks.rules.types.custom_sql.engine import statement_problems

    [statement] = rule.param_values
    return statement_problems(statement, reach.readable_by_sql, returns_rows=rule.condition is None)


_COMPILE = compiled_in(f"{__name__}.engine", "compile_custom_sql")

DEFINITIONS = (
    RuleTypeDefinition(
        RuleTypeSpec(
            name="CustomSql",
            min_params=1,
            max_params=1,
            condition=ConditionKind.NUMERIC_OR_THRESHOLD,
            dimension=Dimension.VALIDITY,
            columns=ColumnParams.NONE,
            threshold=True,
            param_help='"select ..."',
            examples=('CustomSql "select count(*) from primary" between 10 and 20',),
            hint=(
                "(the table is `primary`; one read-only SELECT over `primary` and the tables listed in "
                "`reference_keys`, calling only pure aggregate, arithmetic, text, date and conditional "
                "functions; anything else is refused)"
            ),
        ),
        _COMPILE,
        _tables_read,
        _statement_problems,
    ),
)
"""CustomSql: its grammar, how it compiles, the tables its statement reads, and the statement vetted
before any table is read."""
