"""Everything a table runs besides its built-in checks: its `rules:`, its ruleset file's, its analyzers.

A ruleset file's rules run exactly as if written in `rules:`: the same parsing, constants, static
checks and error handling, each located by its line in the ruleset file. Its constants resolve as
`$name` in every rule of the table (a definition's own `constants:` win for its own rules), and its
`DefaultLabels` go under each of its rules' own labels. A rule written in both places runs once:
the ruleset file's copy is reported and left out, never silently doubled. A ruleset file that
cannot be read or parsed becomes one check, `ruleset_file`, whose outcome is always *error*, so
the run says so while the table's other rules still run.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dq_checks.config.analyzer_entries import AnalyzerDefinition, ruleset_analyzer, yaml_analyzers
from dq_checks.config.models import RuleSeverity, TableSpec
from dq_checks.config.rule_entries import (
    NameClash,
    RuleDefinition,
    checked_rule,
    default_check_name,
    rule_definitions,
    rule_labels,
    unlabelled,
    yaml_constants,
)
from dq_checks.config.ruleset_files import read_ruleset_file
from dq_checks.config.yaml_lines import line_of
from dq_checks.dqdl.ast import RuleExpr, Ruleset
from dq_checks.dqdl.printer import rule_text
from dq_checks.rules.naming import RESERVED_CHECK_NAMES

RULESET_FILE_CHECK = "ruleset_file"
"""The check that stands for a ruleset file that could not be read or parsed."""


@dataclass(frozen=True)
class TableRules:
    """A table's rules and analyzers, and what is wrong across them."""

    rules: tuple[RuleDefinition, ...] = ()
    analyzers: tuple[AnalyzerDefinition, ...] = ()
    clashes: list[NameClash] = field(default_factory=list)


def table_rules(spec: TableSpec, path: Path, document: object, known_tables: Collection[str]) -> TableRules:
    """The rules of `rules:` and of `ruleset_file:`, and the analyzers of both, checked."""
    ruleset, file_rules, clashes = None, [], []
    if spec.ruleset_file is not None:
        read = read_ruleset_file(path, spec.ruleset_file)
        ruleset = read.ruleset
        if ruleset is None:
            line = line_of(document, ("ruleset_file",))
            location = f"{path}:{line}"
            problem = read.problem or "the ruleset file could not be read"
            if not problem.startswith(str(read.path)):
                problem = f"{location}: {problem}"
            broken = (RULESET_FILE_CHECK, spec.ruleset_file, RuleSeverity.ERROR, False, location, None)
            file_rules.append(RuleDefinition(*broken, problem))
    file_constants = ruleset.constant_values() if ruleset is not None else {}
    own_constants = yaml_constants(spec.constants)
    for name, value in file_constants.items():
        if name in own_constants and own_constants[name] != value:
            clashes.append(
                NameClash(
                    line_of(document, ("constants", name)),
                    f"constants.{name}: also defined, with another value, in the ruleset file "
                    f"{spec.ruleset_file}; each set of rules uses its own",
                )
            )
    yaml_rules, yaml_clashes = rule_definitions(spec, path, document, known_tables, file_constants)
    clashes += yaml_clashes
    analyzers = yaml_analyzers(spec.analyzers, path, document, {**file_constants, **own_constants})
    if ruleset is not None:
        ruleset_path = path.parent / (spec.ruleset_file or "")
        constants = {**own_constants, **file_constants}
        more, more_clashes = _ruleset_rules(ruleset, ruleset_path, constants, yaml_rules, known_tables, spec)
        file_rules += more
        clashes += more_clashes
        analyzers += [ruleset_analyzer(a, ruleset_path, constants) for a in ruleset.analyzers]
    analyzers, analyzer_clashes = _distinct_analyzers(analyzers)
    return TableRules((*yaml_rules, *file_rules), tuple(analyzers), clashes + analyzer_clashes)


def _ruleset_rules(  # noqa: PLR0917 (one call site)
    ruleset: Ruleset,
    path: Path,
    constants: Mapping[str, Any],
    earlier: tuple[RuleDefinition, ...],
    known_tables: Collection[str],
    spec: TableSpec,
) -> tuple[list[RuleDefinition], list[NameClash]]:
    """The ruleset's rules as definitions; one already in `rules:` (or earlier in the file) is reported."""
    seen = {rule_identity(d.rule): d.location for d in earlier if d.rule is not None}
    names = {d.check_name: d.location for d in earlier}
    definitions, clashes = [], []
    for parsed in ruleset.rules:
        line = parsed.position.line if parsed.position is not None else 1
        location, text = f"{path}:{line}", rule_text(parsed)
        rule, problem = checked_rule(parsed, constants, known_tables, set(spec.deps))
        identity = rule_identity(rule) if rule is not None else None
        name = default_check_name(text)
        if identity is not None and identity in seen:
            message = f"rule {text!r} is already defined at {seen[identity]}; it runs once, as defined there"
            clashes.append(NameClash(line, message, path))
            continue
        if name in RESERVED_CHECK_NAMES or name in names:
            where = f" by {names[name]}" if name in names else ""
            message = f"rule {text!r}: check name {name!r} is already used{where}"
            clashes.append(NameClash(line, message, path))
            continue
        if identity is not None:
            seen[identity] = location
        names[name] = location
        if problem is not None:
            problem = f"{location}: rule {text!r}: {problem}"
        labels = rule_labels(parsed, ruleset.default_labels)
        definitions.append(
            RuleDefinition(name, text, RuleSeverity.ERROR, False, location, rule, problem, labels)
        )
    return definitions, clashes


def _distinct_analyzers(
    analyzers: list[AnalyzerDefinition],
) -> tuple[list[AnalyzerDefinition], list[NameClash]]:
    """Each analyzer once; a repeated one is reported at its own file and line."""
    kept, clashes, seen = [], [], {}
    for analyzer in analyzers:
        key = rule_text(analyzer.analyzer) if analyzer.analyzer is not None else analyzer.text
        if key in seen:
            where, _, line = analyzer.location.rpartition(":")
            message = f"analyzer {analyzer.text!r} is already defined at {seen[key]}; it runs once"
            clashes.append(NameClash(int(line), message, Path(where)))
            continue
        seen[key] = analyzer.location
        kept.append(analyzer)
    return kept, clashes


def rule_identity(rule: RuleExpr) -> str:
    """What makes two resolved rules the same check: their text without labels."""
    return rule_text(unlabelled(rule))
