"""DetectAnomalies: a metric judged against its own history instead of a fixed condition.

Its grammar and the check of the learned rule's parameters are here; how the metric is observed
and judged is in `engine.py`.
"""

from __future__ import annotations

from dq_checks.dqdl.ast import Rule
from dq_checks.rules.types.definition import RuleTypeDefinition, TablesInReach, compiled_in
from dq_checks.rules.types.spec import (
    ANOMALY_ALIASES,
    ANOMALY_METRICS,
    ColumnParams,
    ConditionKind,
    Dimension,
    RuleTypeSpec,
)


def _learned_rule_problems(rule: Rule, reach: TablesInReach) -> list[str]:
    """A metric DetectAnomalies cannot learn, or one given the wrong parameters for its rule type."""
    from dq_checks.rules.types.registry import definition_of  # which registers this module

    metric, *arguments = rule.param_values
    metric = ANOMALY_ALIASES.get(metric, metric)
    if metric not in ANOMALY_METRICS:
        return [f"DetectAnomalies cannot learn {metric!r}; it learns {', '.join(ANOMALY_METRICS)}"]
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
        ),
        _COMPILE,
        check_statically=_learned_rule_problems,
    ),
)
"""DetectAnomalies: its grammar, and the learned rule's own parameters checked before any table is read."""
