"""Parse and check the `rules:` of a table definition.

A rule that does not parse or validate does not stop the table from loading: it becomes
a check whose outcome is always *error*, with the message, so the other rules and the
profile keep running. `dq validate` still reports it and exits 2. Duplicate check names
are different: they would make two checks indistinguishable, so they fail the load.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dq_checks.analyzers.metric_keys import rule_metric_key
from dq_checks.config.models import RuleScope, RuleSeverity, TableSpec
from dq_checks.config.yaml_lines import line_of
from dq_checks.dqdl.ast import Composite, Labels, Number, RuleExpr, String, leaf_rules
from dq_checks.dqdl.constants import UndefinedConstant, resolve_constants
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_rule
from dq_checks.dqdl.printer import rule_text
from dq_checks.rules.dimensions import dimension_of
from dq_checks.rules.naming import RESERVED_CHECK_NAMES, slug
from dq_checks.rules.types.spec import Dimension
from dq_checks.rules.validate import validate_rule


@dataclass(frozen=True)
class RuleDefinition:
    """One rule of a table, ready to become an asset check."""

    check_name: str
    text: str
    severity: RuleSeverity
    blocking: bool
    location: str
    rule: RuleExpr | None
    problem: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    """The rule's labels, its ruleset's DefaultLabels merged under them (its own value wins per key)."""
    whole_table: bool = False
    """A partitioned table's rule with `scope: table`: it judges every partition at once."""

    @property
    def metric_key(self) -> str | None:
        """The history key of the metric the rule observes (`Column.email.Completeness`), if one."""
        return rule_metric_key(self.rule) if self.rule is not None else None

    @property
    def dimension(self) -> Dimension | None:
        """The dimension the rule scores towards (None when it did not parse)."""
        return dimension_of(self.rule) if self.rule is not None else None


@dataclass(frozen=True)
class NameClash:
    """Two rules of one table with the same check name (or a ruleset file's problem of the same kind).

    `path` is the file the line is in when it is not the definition itself (a ruleset file).
    """

    line: int
    message: str
    path: Path | None = None


def rule_definitions(
    spec: TableSpec,
    path: Path,
    document: object,
    known_tables: Collection[str],
    more_constants: Mapping[str, Any] | None = None,
) -> tuple[tuple[RuleDefinition, ...], list[NameClash]]:
    """Every rule of `spec`'s `rules:`, parsed, with constants resolved and statically checked.

    `more_constants` (a ruleset file's) are visible too; the definition's own win.
    """
    constants = {**(more_constants or {}), **yaml_constants(spec.constants)}
    definitions: list[RuleDefinition] = []
    clashes: list[NameClash] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(spec.rules):
        line = line_of(document, ("rules", index, "rule"))
        name = entry.name or default_check_name(entry.rule)
        if name in RESERVED_CHECK_NAMES:
            clashes.append(
                NameClash(line, f"rules.{index}: check name {name!r} is reserved; give the rule a name:")
            )
            continue
        if name in seen:
            clashes.append(
                NameClash(
                    line, f"rules.{index}: duplicate check name {name!r}, already used at line {seen[name]}"
                )
            )
            continue
        seen[name] = line
        rule, problem = _parse(entry.rule, constants, known_tables, set(spec.deps))
        location = f"{path}:{line}"
        if problem is not None:
            problem = f"{location}: rule {entry.rule!r}: {problem}"
        definitions.append(
            RuleDefinition(
                name,
                entry.rule,
                entry.severity,
                entry.blocking,
                location,
                rule,
                problem,
                rule_labels(rule),
                whole_table=entry.scope is RuleScope.TABLE,
            )
        )
    return tuple(definitions), clashes


def default_check_name(text: str) -> str:
    """The check name of a rule that does not name itself: a slug of its text, labels left out.

    Labels are metadata: changing them must not rename the check (and so cut its history).
    """
    try:
        parsed = parse_rule(text)
    except DQDLSyntaxError:
        return slug(text)
    if parsed.labels is None and not any(leaf.labels is not None for leaf in leaf_rules(parsed)):
        return slug(text)
    return slug(rule_text(unlabelled(parsed)))


def unlabelled(rule: RuleExpr) -> RuleExpr:
    """The rule without labels: a composite's own, and those of every rule inside it."""
    if isinstance(rule, Composite):
        return replace(rule, rules=tuple(unlabelled(r) for r in rule.rules), labels=None)
    return replace(rule, labels=None)


def rule_labels(rule: RuleExpr | None, defaults: Labels | None = None) -> tuple[tuple[str, str], ...]:
    """A rule's labels over `defaults`; of a composite, its own over those of the rules inside it.

    Per key, a composite's own label (written after it) wins, then the rules' inside it (left to
    right), then the defaults.
    """
    merged = dict(defaults.pairs) if defaults is not None else {}
    for leaf in leaf_rules(rule) if rule is not None else []:
        if leaf.labels is not None:
            merged.update(leaf.labels.pairs)
    if rule is not None and rule.labels is not None:
        merged.update(rule.labels.pairs)
    return tuple(merged.items())


def yaml_constants(values: Mapping[str, str | int | float]) -> dict[str, Number | String]:
    """A definition's `constants:` as DQDL literals."""
    return {k: String(v) if isinstance(v, str) else Number(v) for k, v in values.items()}


def _parse(
    text: str, constants: Mapping[str, Any], known_tables: Collection[str], sql_tables: set[str]
) -> tuple[RuleExpr | None, str | None]:
    try:
        parsed = parse_rule(text)
    except DQDLSyntaxError as error:
        return None, f"{error.line}:{error.column}: {error.message}"
    return checked_rule(parsed, constants, known_tables, sql_tables)


def checked_rule(
    parsed: RuleExpr, constants: Mapping[str, Any], known_tables: Collection[str], sql_tables: set[str]
) -> tuple[RuleExpr | None, str | None]:
    """`parsed` with its constants resolved and statically checked, or the problem that stops it."""
    try:
        parsed = resolve_constants(parsed, constants)
    except UndefinedConstant as error:
        return None, str(error)
    problems = validate_rule(parsed, known_tables=known_tables, sql_tables=sql_tables)
    if problems:
        return None, "; ".join(p.where() + p.message for p in problems)
    return parsed, None
