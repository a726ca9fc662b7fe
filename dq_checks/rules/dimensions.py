"""Which quality dimension a rule scores towards."""

from __future__ import annotations

from dq_checks.dqdl.ast import Composite, RuleExpr, String, leaf_rules
from dq_checks.dqdl.rule_types import RULE_TYPES, Dimension

_ANOMALY_DIMENSIONS = {
    "RowCount": Dimension.VOLUME,
    "ColumnCount": Dimension.CONSISTENCY,
    "Completeness": Dimension.COMPLETENESS,
    "DistinctValuesCount": Dimension.UNIQUENESS,
}


def dimension_of(rule: RuleExpr) -> Dimension:
    """The rule type's dimension; a composite rule takes its first rule's."""
    leaf = leaf_rules(rule)[0] if isinstance(rule, Composite) else rule
    if leaf.rule_type == "DetectAnomalies" and leaf.params and isinstance(leaf.params[0], String):
        return _ANOMALY_DIMENSIONS.get(leaf.params[0].value, Dimension.VALIDITY)
    spec = RULE_TYPES.get(leaf.rule_type)
    return spec.dimension if spec is not None else Dimension.VALIDITY
