"""The name under which a metric is recorded in a table's history, as Glue names it.

Glue reports `Dataset.*.RowCount`, `Column.email.Completeness`,
`Multicolumn.a,b.ColumnCorrelation`. A rule and an analyzer on the same metric share the key,
so a dynamic rule (`avg(last(10))`, `DetectAnomalies`) learns from every run that measured it,
whichever rule or analyzer did. A rule with `where` measures another population and has none.
"""

from __future__ import annotations

from dq_checks.dqdl.ast import Rule, RuleExpr, String

_DATASET = frozenset({"RowCount", "ColumnCount"})
_SAME_METRIC = {"IsComplete": "Completeness"}
"""Rule types that observe another type's metric: IsComplete observes the completeness."""
KEYED = frozenset(
    {
        "RowCount",
        "ColumnCount",
        "Completeness",
        "Mean",
        "Sum",
        "StandardDeviation",
        "Variance",
        "DistinctValuesCount",
        "Uniqueness",
        "UniqueValueRatio",
        "Entropy",
        "ColumnCorrelation",
    }
)


def metric_key(rule_type: str, columns: tuple[str, ...]) -> str | None:
    """`Column.email.Completeness` for ("Completeness", ("email",)); None for a type with no metric."""
    rule_type = _SAME_METRIC.get(rule_type, rule_type)
    if rule_type not in KEYED:
        return None
    if rule_type in _DATASET:
        return f"Dataset.*.{rule_type}"
    if len(columns) == 1:
        return f"Column.{columns[0]}.{rule_type}"
    return f"Multicolumn.{','.join(columns)}.{rule_type}"


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
