"""Which quality dimension a rule scores towards."""

from __future__ import annotations

from dq_checks.dqdl.ast import Composite, RuleExpr, String, leaf_rules
from dq_checks.rules.types.detect_anomalies import learned_type
from dq_checks.rules.types.registry import RULE_TYPES
from dq_checks.rules.types.spec import Dimension


def dimension_of(rule: RuleExpr) -> Dimension:
    """The rule type's dimension; a composite rule takes its first rule's.

    DetectAnomalies scores towards the dimension of the rule whose metric it learns: an anomaly
    in Uniqueness is a uniqueness problem, one in RowCount a volume problem.
    """
    leaf = leaf_rules(rule)[0] if isinstance(rule, Composite) else rule
    name = leaf.rule_type
    if name == "DetectAnomalies" and leaf.params and isinstance(leaf.params[0], String):
        name = learned_type(leaf.params[0].value)
    spec = RULE_TYPES.get(name)
    return spec.dimension if spec is not None else Dimension.VALIDITY
