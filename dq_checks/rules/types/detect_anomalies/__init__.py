"""DetectAnomalies: a metric judged against its own history instead of a fixed condition.

Its grammar and the check of the learned rule's parameters are here; how the metric is observed
and judged is in `engine.py`.
"""

from __future__ import annotations

from dq_checks.dqdl.ast import Rule
from dq_checks.rules.types.definition import RuleTypeDefinition, TablesInReach, compiled_in
from dq_checks.rules.types.spec import ColumnParams, ConditionKind, Dimension, RuleTypeSpec

LEARNED_RULE_TYPES: tuple[str, ...] = (
    *("RowCount", "Completeness", "Uniqueness", "Mean", "Sum", "StandardDeviation", "Entropy"),
    *("DistinctValuesCount", "UniqueValueRatio", "ColumnLength", "ColumnValues", "ColumnCorrelation"),
    *("CustomSql", "ColumnCount"),
)
"""The rules DetectAnomalies learns from, as AWS lists them; each takes the parameters its rule type takes."""

_AWS_SPELLINGS = {"CustomSQL": "CustomSql"}
"""AWS's DetectAnomalies page spells the rule `CustomSQL`; the rule type itself is `CustomSql`."""


def learned_type(name: str) -> str:
    """The rule type `DetectAnomalies "<name>"` learns, with AWS's spelling `CustomSQL` read as CustomSql."""
    return _AWS_SPELLINGS.get(name, name)


def is_aws_spelling(name: str) -> bool:
    """`CustomSQL`: a name that is DetectAnomalies' spelling of a rule type, not a rule type itself."""
    return name in _AWS_SPELLINGS


def _learned_rule_problems(rule: Rule, reach: TablesInReach) -> list[str]:
    """A metric DetectAnomalies cannot learn, or one given the wrong parameters for its rule type."""
    from dq_checks.rules.types.registry import definition_of  # which registers this module

    metric, *arguments = rule.param_values
    metric = learned_type(metric)
    if metric not in LEARNED_RULE_TYPES:
        return [f"DetectAnomalies cannot learn {metric!r}; it learns {', '.join(LEARNED_RULE_TYPES)}"]
    spec, given = definition_of(metric).spec, len(arguments)
    if given < spec.min_params or (spec.max_params is not None and given > spec.max_params):
        needs = spec.param_help or "no parameters"
        return [f"DetectAnomalies {metric!r} takes what {metric} takes: {needs}; got {given}"]
    if metric == "CustomSql":  # learned as one number, so it must compute one
        from dq_checks.rules.types.custom_sql.engine import statement_problems

        return statement_problems(arguments[0], reach.readable_by_sql, returns_rows=False)
    return []


_COMPILE = compiled_in(f"{__name__}.engine", "compile_detect_anomalies")

DEFINITIONS = (
    RuleTypeDefinition(
        RuleTypeSpec(
            name="DetectAnomalies",
            min_params=1,
            max_params=None,
            condition=ConditionKind.NONE,
            # In fact the learned rule's dimension: see dq_checks/rules/dimensions.py.
            dimension=Dimension.VOLUME,
            columns=ColumnParams.OF_LEARNED_RULE,
            param_help='"RuleType" [its parameters]',
            examples=('DetectAnomalies "RowCount"', 'DetectAnomalies "Completeness" "email"'),
        ),
        _COMPILE,
        check_statically=_learned_rule_problems,
    ),
)
"""DetectAnomalies: its grammar, and the learned rule's own parameters checked before any table is read."""
