"""Static validation of a proposed rule: it parses, it is safe, and it fits the table's real schema.

The same checks an engineer's own rule gets, so a proposal that passes here could be approved
and run. The model's repair turn is given exactly these messages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from sqlglot import exp

from dq_checks.dqdl.ast import Rule
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_rule
from dq_checks.dqdl.validate import validate_rule
from dq_checks.proposing.model import CandidateCheck, RuleCandidate
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import ReferenceTable, RuleError, TableContext
from dq_checks.rules.references import reference_needs
from dq_checks.schema import TableDescription

Describe = Callable[[str], TableDescription | None]
"""A monitored table's description by name; None when it cannot be read."""


def static_check(
    description: TableDescription,
    known_tables: Collection[str],
    deps: Collection[str],
    describe: Describe,
    now: datetime,
) -> CandidateCheck:
    """A check for candidates of the table `description` describes."""

    def check(candidate: RuleCandidate) -> str | None:
        try:
            parsed = parse_rule(candidate.rule)
        except DQDLSyntaxError as error:
            return f"{error.line}:{error.column}: {error.message}"
        problems = validate_rule(parsed, known_tables=known_tables, sql_tables=set(deps))
        if problems:
            return "; ".join(p.where() + p.message for p in problems)
        if isinstance(parsed, Rule) and parsed.rule_type != candidate.rule_type:
            return f"rule_type {candidate.rule_type!r} does not match the rule, which is {parsed.rule_type}"
        references = {}
        for name in reference_needs([parsed], set(known_tables)):
            described = describe(name)
            if described is None:
                return f"reference table {name!r} cannot be read"
            references[name] = ReferenceTable(name, exp.to_table(f"reference_{len(references)}"), described)
        context = TableContext(description, exp.to_table("primary"), now=now, references=references)
        try:
            compile_rule(parsed, context)
        except RuleError as error:
            return str(error)
        return None

    return check
