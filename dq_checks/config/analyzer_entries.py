"""A table's analyzers: its `analyzers:` texts and its ruleset file's `Analyzers = [...]`, checked.

An analyzer that does not parse or cannot be computed does not stop the table: it is kept with
its problem, which `dq validate` reports and a run shows beside the analyzers that were computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dq_checks.analyzers.validate import analyzer_problems
from dq_checks.config.yaml_lines import line_of
from dq_checks.dqdl.ast import Rule, RuleExpr
from dq_checks.dqdl.constants import UndefinedConstant, resolve_constants
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_analyzer, parse_rule
from dq_checks.dqdl.printer import analyzer_text, rule_text


@dataclass(frozen=True)
class AnalyzerDefinition:
    """One analyzer of a table: its text, where it was written, the parsed analyzer or its problem."""

    text: str
    location: str
    analyzer: Rule | None
    problem: str | None = None


def yaml_analyzers(
    texts: tuple[str, ...], path: Path, document: object, constants: Mapping[str, Any]
) -> list[AnalyzerDefinition]:
    """The definition's own `analyzers:` entries."""
    found = []
    for index, text in enumerate(texts):
        location = f"{path}:{line_of(document, ('analyzers', index))}"
        try:
            parsed: RuleExpr = parse_analyzer(text)
        except DQDLSyntaxError as error:
            try:
                # Written as a rule (`Mean "x" > 3`): the check below says why it cannot be one.
                parsed = parse_rule(text)
            except DQDLSyntaxError:
                problem = f"{location}: analyzer {text!r}: {error.line}:{error.column}: {error.message}"
                found.append(AnalyzerDefinition(text, location, None, problem))
                continue
        found.append(checked_analyzer(parsed, text, location, constants))
    return found


def checked_analyzer(
    parsed: RuleExpr, text: str, location: str, constants: Mapping[str, Any]
) -> AnalyzerDefinition:
    """`parsed` with constants resolved and statically checked; its problem names `location`."""
    try:
        resolved = resolve_constants(parsed, constants)
    except UndefinedConstant as error:
        return AnalyzerDefinition(text, location, None, f"{location}: analyzer {text!r}: {error}")
    problems = analyzer_problems(resolved)
    if problems or not isinstance(resolved, Rule):
        problem = f"{location}: analyzer {text!r}: {'; '.join(problems)}"
        return AnalyzerDefinition(text, location, None, problem)
    return AnalyzerDefinition(text, location, resolved)


def ruleset_analyzer(parsed: RuleExpr, path: Path, constants: Mapping[str, Any]) -> AnalyzerDefinition:
    """An analyzer of a ruleset file, located by its line in that file."""
    line = parsed.position.line if parsed.position is not None else 1
    text = analyzer_text(parsed) if isinstance(parsed, Rule) else rule_text(parsed)
    return checked_analyzer(parsed, text, f"{path}:{line}", constants)
