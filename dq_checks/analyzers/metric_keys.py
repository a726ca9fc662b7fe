"""The name under which a metric is recorded in a table's history, as Glue names it.

Glue reports `Dataset.*.RowCount`, `Column.email.Completeness`,
`Multicolumn.a,b.ColumnCorrelation`. A rule and an analyzer on the same metric share the key,
so a dynamic rule (`avg(last(10))`, `DetectAnomalies`) learns from every run that measured it,
whichever rule or analyzer did. A rule with `where` measures another population and has none.
"""

from __future__ import annotations

from dq_checks.dqdl.ast import Rule, RuleExpr, String
from dq_checks.rules.types.registry import RULE_TYPES
from dq_checks.rules.types.spec import ColumnParams


def metric_key(rule_type: str, columns: tuple[str, ...]) -> str | None:
    """`Column.email.Completeness` for ("Completeness", ("email",)); None for a type with no metric.

    The metric's name is the rule type's `metric_name` (IsComplete observes Completeness); an
    analyzer of the same name records the same metric.
    """
    spec = RULE_TYPES.get(rule_type)
    name = spec.metric_name if spec is not None else None
    if name is None:
        return None
    if spec is not None and spec.columns is ColumnParams.TABLE:
        return f"Dataset.*.{name}"
    if len(columns) == 1:
        return f"Column.{columns[0]}.{name}"
    return f"Multicolumn.{','.join(columns)}.{name}"


def rule_metric_key(rule: RuleExpr) -> str | None:
    """The metric a (resolved) rule observes, or None: composites, `where`, row-level rules.

    `DetectAnomalies "Completeness" "email"` observes `Column.email.Completeness`.
    """
    if not isinstance(rule, Rule) or rule.where is not None:
        return None
    params = rule.params
    if not all(isinstance(p, String) for p in params):
        return None
    values = tuple(p.value for p in params)  # type: ignore[union-attr]
    if rule.rule_type == "DetectAnomalies":
        return metric_key(values[0], values[1:]) if values else None
    if rule.threshold is not None:
        return None
    return metric_key(rule.rule_type, values)
