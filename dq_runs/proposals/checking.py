"""Static validation of a proposed rule: it parses, it is safe, and it fits the table's real schema.

A candidate goes through `rule_definitions`, the very function that reads an engineer's `rules:`
for `dq validate` and the code location (constants, DQDL syntax, CustomSql vetting against the
table's own `deps`), and is then compiled against the table's real schema as a run would. So a
proposal that passes here could be approved and run, and one that does not is never executed,
not even as a dry run. The model's repair turn is given exactly these messages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from pydantic import ValidationError
from sqlglot import exp

from dq_checks.config.loader import DefinedTable
from dq_checks.config.models import RuleEntry
from dq_checks.config.rule_entries import rule_definitions
from dq_checks.dqdl.ast import Rule, RuleExpr
from dq_checks.proposing.model import CandidateCheck, RuleCandidate
from dq_checks.rules.compile import compile_rule
from dq_checks.rules.model import ReferenceTable, RuleError, TableContext
from dq_checks.rules.naming import RESERVED_CHECK_NAMES
from dq_checks.rules.references import reference_needs
from dq_checks.schema import TableDescription

Describe = Callable[[str], TableDescription | None]
"""A monitored table's description by name; None when it cannot be read."""

PROBE_NAME = "proposed_rule"
"""The check name a nameless candidate is validated under (its real name is chosen when stored)."""


def validate_as_definition(
    defined: DefinedTable, candidate: RuleCandidate, known_tables: Collection[str]
) -> tuple[RuleExpr | None, str | None]:
    """The candidate read exactly as if an engineer had added it to the table's `rules:`.

    Returns the parsed rule (constants resolved), or the problem `dq validate` would report.
    """
    if candidate.name in RESERVED_CHECK_NAMES:
        return None, f"check name {candidate.name!r} is reserved for a built-in check"
    try:
        entry = RuleEntry(name=candidate.name or PROBE_NAME, rule=candidate.rule, severity=candidate.severity)
    except ValidationError as error:
        return None, "; ".join(
            f"{'.'.join(str(part) for part in e['loc'])}: {e['msg']}" for e in error.errors()
        )
    spec = defined.spec.model_copy(update={"rules": (entry,)})
    (definition,), _ = rule_definitions(spec, defined.path, None, known_tables)
    if definition.problem is None:
        return definition.rule, None
    # The problem names the definition file, which the candidate is not in (yet): keep the message.
    prefix = f"{definition.location}: rule {candidate.rule!r}: "
    problem = definition.problem
    return None, problem[len(prefix) :] if problem.startswith(prefix) else problem


def static_check(
    defined: DefinedTable,
    description: TableDescription,
    known_tables: Collection[str],
    describe: Describe,
    now: datetime,
) -> CandidateCheck:
    """A check for candidates of `defined`, whose source `description` describes."""

    def check(candidate: RuleCandidate) -> str | None:
        parsed, problem = validate_as_definition(defined, candidate, known_tables)
        if parsed is None:
            return problem
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
