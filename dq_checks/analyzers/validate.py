"""Static checks of an analyzer: a known type, the columns it takes, no condition, no judgement."""

from __future__ import annotations

from dq_checks.analyzers.distribution_settings import settings_problems
from dq_checks.analyzers.kinds import ALL_COLUMNS, ANALYZER_KINDS, DISTRIBUTION, NOT_YET
from dq_checks.dqdl.ast import Composite, Rule, RuleExpr, String
from dq_checks.suggestions import closest


def analyzer_problems(analyzer: RuleExpr) -> list[str]:
    """Why `analyzer` cannot be computed (empty when it can). Constants must already be resolved."""
    if isinstance(analyzer, Composite):
        return ["an analyzer is one rule type, not a composite of rules"]
    kind = ANALYZER_KINDS.get(analyzer.rule_type)
    if kind is None:
        return [_unknown(analyzer)]
    problems = []
    if analyzer.condition is not None:
        problems.append(
            f"{analyzer.rule_type}: an analyzer takes no condition; it records the metric and is never "
            "judged (write it under Rules to judge it)"
        )
    if analyzer.threshold is not None:
        problems.append(f"{analyzer.rule_type}: an analyzer takes no 'with threshold'")
    if analyzer.where is not None:
        problems.append(f"{analyzer.rule_type}: dq computes analyzers over the whole table; drop the where")
    if analyzer.rule_type == DISTRIBUTION:
        problems += settings_problems(analyzer)
    elif analyzer.tags:
        names = ", ".join(sorted({t.name for t in analyzer.tags}))
        problems.append(f"{analyzer.rule_type}: takes no 'with' options (got {names})")
    columns = _columns(analyzer)
    if columns is None:
        problems.append(f'{analyzer.rule_type}: columns are written as "quoted" names or AllColumns')
    elif ALL_COLUMNS in columns and (kind.columns != 1 or len(columns) != 1):
        problems.append(f"{analyzer.rule_type}: AllColumns stands alone, for an analyzer of one column")
    elif len(columns) != kind.columns:
        wanted = {0: "no column", 1: "one column", 2: "two columns"}[kind.columns]
        problems.append(f"{analyzer.rule_type} takes {wanted}; got {len(columns)}")
    return problems


def _columns(analyzer: Rule) -> tuple[str, ...] | None:
    if not all(isinstance(p, String) for p in analyzer.params):
        return None
    return tuple(p.value for p in analyzer.params)  # type: ignore[union-attr]


def _unknown(analyzer: Rule) -> str:
    name = analyzer.rule_type
    if name in NOT_YET:
        return f"{name} is not supported yet as an analyzer: it computes {NOT_YET[name]}"
    known = sorted(ANALYZER_KINDS)
    close = closest(name, known)
    hint = f"; did you mean {close}?" if close else ""
    return f"unknown analyzer type {name!r}{hint} (analyzers: {', '.join(known)})"
