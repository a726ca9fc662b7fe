"""`dq rules import-dqdl` and `dq rules export-dqdl`: whole Glue rulesets into and out of a table.

Import appends a ruleset's rules and analyzers to a table's YAML definition, comments intact,
with the ruleset's constants filled in and its DefaultLabels written onto each rule, so every
entry stands on its own. Export writes the table's rules (from `rules:` and `ruleset_file:`) and
analyzers back as one Glue ruleset. Both share `dq rules import-gx`'s table lookup, exit codes
and report style.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from dq_assets.cli.options import CONFIG_OPTION
from dq_assets.cli.rules_common import (
    EXIT_OK,
    EXIT_PARTIAL,
    defined_table,
    fail,
    load_definitions,
    output_option,
    write_output,
)
from dq_checks.config.loader import DefinedTable
from dq_checks.config.models import RuleEntry, RuleSeverity
from dq_checks.dqdl.ast import (
    Composite,
    ConstantRef,
    Labels,
    Matches,
    Rule,
    RuleExpr,
    Ruleset,
    String,
)

DQ_ONLY_FIELDS = ("name", "severity", "blocking")
"""Fields of a `rules:` entry that DQDL has no form for."""


@click.command("import-dqdl")
@click.argument("ruleset_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--table", "table_name", required=True, help="The monitored table whose definition gains the rules."
)
@CONFIG_OPTION
def import_dqdl(ruleset_file: Path, table_name: str, config_dir: Path | None) -> None:
    """Append a Glue ruleset's rules and analyzers to TABLE's definition.

    Constants are filled in and DefaultLabels written onto each rule. Rules and analyzers the
    table already has are skipped, and so are those that do not validate, each with the reason.
    Exit code 0 when everything was added or already present, 2 when something was skipped as
    invalid (the rest is still added), for a ruleset that does not parse or an unknown table.
    """
    from dq_checks.config.ruleset_files import read_ruleset
    from dq_checks.config.yaml_edit import append_rule_entries

    read = read_ruleset(ruleset_file)
    if read.ruleset is None:
        fail(read.problem or f"{ruleset_file}: not a readable ruleset")
    loaded = load_definitions(config_dir)
    defined = defined_table(loaded, table_name)
    plan = plan_import(read.ruleset, defined, [t.spec.table for t in loaded.tables])
    if plan.entries or plan.analyzers:
        try:
            append_rule_entries(defined.path, plan.entries, plan.analyzers)
        except (OSError, ValueError, RuntimeError) as error:
            fail(f"{defined.path}: could not append the rules: {error}")
    for _, line in sorted(plan.lines, key=lambda item: item[0]):
        click.echo(line)
    for section, value in (("Metadata", read.ruleset.metadata), ("DataSources", read.ruleset.data_sources)):
        if value is not None:
            click.echo(f"note: {section} is not imported: the definition names the table's source", err=True)
    added = f"{len(plan.entries)} rule(s) and {len(plan.analyzers)} analyzer(s)"
    click.echo(f"{table_name}: {added} added to {defined.path}")
    sys.exit(EXIT_PARTIAL if plan.invalid else EXIT_OK)


@dataclass
class ImportPlan:
    """What an import appends, and one report line per rule or analyzer (by line in the ruleset)."""

    entries: list[RuleEntry] = field(default_factory=list)
    analyzers: list[str] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)
    invalid: bool = False


def plan_import(ruleset: Ruleset, defined: DefinedTable, known_tables: list[str]) -> ImportPlan:
    """Decide each rule's and analyzer's fate: added, already present, or invalid (with why).

    A rule is present when the table has the same rule, labels aside (the loader would report the
    copy). Each one is checked exactly as the loader checks a rule of `rules:`.
    """
    from dq_checks.config.rule_entries import checked_rule, default_check_name
    from dq_checks.config.table_rules import rule_identity
    from dq_checks.dqdl.printer import rule_text

    plan = ImportPlan()
    constants = ruleset.constant_values()
    present = {rule_identity(d.rule): d.location for d in defined.rules if d.rule is not None}
    names = {d.check_name for d in defined.rules}
    for parsed in ruleset.rules:
        line = parsed.position.line if parsed.position is not None else 0
        labelled = _with_default_labels(parsed, ruleset.default_labels)
        rule, problem = checked_rule(labelled, constants, known_tables, set(defined.spec.deps))
        if rule is None:
            plan.invalid = True
            plan.lines.append((line, f"skipped: line {line}: {rule_text(parsed)}: {problem}"))
            continue
        text = rule_text(rule)
        if rule_identity(rule) in present:
            plan.lines.append(
                (line, f"skipped: line {line}: already present at {present[rule_identity(rule)]}: {text}")
            )
            continue
        name = default_check_name(text)
        if name in names:
            plan.invalid = True
            plan.lines.append((line, f"skipped: line {line}: check name {name!r} is taken: {text}"))
            continue
        present[rule_identity(rule)] = f"line {line}"
        names.add(name)
        plan.entries.append(RuleEntry(rule=text))
        plan.lines.append((line, f"added: {text}"))
    _plan_analyzers(plan, ruleset, defined)
    return plan


def _plan_analyzers(plan: ImportPlan, ruleset: Ruleset, defined: DefinedTable) -> None:
    """Each analyzer of the ruleset: added, already present, or invalid (with why)."""
    from dq_checks.analyzers.validate import analyzer_problems
    from dq_checks.dqdl.constants import UndefinedConstant, resolve_constants
    from dq_checks.dqdl.printer import analyzer_text, rule_text

    constants = ruleset.constant_values()
    analyzers_present = {analyzer_text(a.analyzer) for a in defined.analyzers if a.analyzer is not None}
    for parsed in ruleset.analyzers:
        line = parsed.position.line if parsed.position is not None else 0
        try:
            analyzer = resolve_constants(parsed, constants)
        except UndefinedConstant as error:
            plan.invalid = True
            plan.lines.append((line, f"skipped: line {line}: analyzer {rule_text(parsed)}: {error}"))
            continue
        problems = analyzer_problems(analyzer)
        if problems or not isinstance(analyzer, Rule):
            plan.invalid = True
            reason = "; ".join(problems)
            plan.lines.append((line, f"skipped: line {line}: analyzer {rule_text(parsed)}: {reason}"))
            continue
        text = analyzer_text(analyzer)
        if text in analyzers_present:
            plan.lines.append((line, f"skipped: line {line}: analyzer already present: {text}"))
            continue
        analyzers_present.add(text)
        plan.analyzers.append(text)
        plan.lines.append((line, f"added: analyzer {text}"))


def _with_default_labels(rule: RuleExpr, defaults: Labels | None) -> RuleExpr:
    """The rule with DefaultLabels under its own labels (its own value wins per key).

    A composite takes them as a whole, as AWS labels it, not each rule inside it.
    """
    if defaults is None or not defaults.pairs:
        return rule
    return replace(rule, labels=(rule.labels or Labels()).merged_over(defaults))


def _labelled(rule: RuleExpr, labels: Labels | None) -> RuleExpr:
    """The rule with `labels` as its own (a composite's as a whole), none on the rules inside it."""
    from dq_checks.config.rule_entries import unlabelled

    return replace(unlabelled(rule), labels=labels)


@click.command("export-dqdl")
@click.argument("table_name", metavar="TABLE")
@CONFIG_OPTION
@output_option("ruleset")
def export_dqdl(table_name: str, config_dir: Path | None, output: Path | None) -> None:
    """Write TABLE's rules, labels and analyzers as one AWS Glue ruleset.

    Numeric constants are written into the rules (Glue's variables are strings and lists only);
    fields with no DQDL form (a rule's name, severity, blocking) are named once on standard
    error. Rules and analyzers that do not validate are left out and named. Exit code 0 when
    everything was exported, 2 when something was left out or for an unknown table.
    """
    from dq_checks.dqdl.printer import ruleset_text

    defined = defined_table(load_definitions(config_dir), table_name)
    exported = export_ruleset(defined)
    text = ruleset_text(exported.ruleset)
    counts = f"{len(exported.ruleset.rules)} rule(s), {len(exported.ruleset.analyzers)} analyzer(s)"
    write_output(text, output, counts)
    if exported.lost_fields:
        lost = ", ".join(
            f"{name} ({count} rule{'s' if count != 1 else ''})"
            for name, count in exported.lost_fields.items()
        )
        click.echo(f"note: DQDL has no form for these fields, which are not exported: {lost}", err=True)
    for reason in exported.left_out:
        click.echo(f"not exported: {reason}", err=True)
    sys.exit(EXIT_PARTIAL if exported.left_out else EXIT_OK)


@dataclass
class ExportedRuleset:
    """The ruleset to write, what was left out (with why) and the dq-only fields it cannot carry."""

    ruleset: Ruleset
    left_out: list[str] = field(default_factory=list)
    lost_fields: dict[str, int] = field(default_factory=dict)


def export_ruleset(defined: DefinedTable) -> ExportedRuleset:
    """TABLE's rules and analyzers as a Glue ruleset that parses in AWS's grammar.

    String constants stay `$name` (inlined in `matches`, where AWS takes no variable); numbers and
    lists are written in place. DefaultLabels are the ruleset file's when every rule carries each
    of their keys; each rule then writes only the labels that differ, so the labels each rule ends
    up with are exactly those it has in dq.
    """
    from dq_checks.config.rule_entries import yaml_constants
    from dq_checks.config.ruleset_files import read_ruleset_file
    from dq_checks.config.table_rules import RULESET_FILE_CHECK
    from dq_checks.dqdl.constants import UndefinedConstant, resolve_constants
    from dq_checks.dqdl.parser import DQDLSyntaxError, parse_rule

    spec, left_out = defined.spec, []
    file_ruleset = None
    if spec.ruleset_file is not None:
        file_ruleset = read_ruleset_file(defined.path, spec.ruleset_file).ruleset
    constants = {**(file_ruleset.constant_values() if file_ruleset else {}), **yaml_constants(spec.constants)}
    kept = {name: ConstantRef(name) for name, value in constants.items() if isinstance(value, String)}
    rules: list[tuple[RuleExpr, dict[str, str]]] = []
    for definition in defined.rules:
        if definition.check_name == RULESET_FILE_CHECK or definition.rule is None:
            left_out.append(definition.problem or f"{definition.location}: {definition.text}")
            continue
        try:
            parsed = resolve_constants(parse_rule(definition.text), {**constants, **kept})
        except (DQDLSyntaxError, UndefinedConstant) as error:
            left_out.append(f"{definition.location}: {definition.text}: {error}")
            continue
        rules.append((_matches_inlined(parsed, constants), dict(definition.labels)))
    defaults = _default_labels(file_ruleset, [labels for _, labels in rules])
    exported_rules = tuple(_labelled(rule, _own_labels(labels, defaults)) for rule, labels in rules)
    analyzers = []
    for analyzer in defined.analyzers:
        if analyzer.analyzer is None:
            left_out.append(analyzer.problem or f"{analyzer.location}: analyzer {analyzer.text}")
        else:
            analyzers.append(analyzer.analyzer)
    used = _referenced(exported_rules, kept)
    ruleset = Ruleset(
        rules=exported_rules,
        constants=tuple((name, constants[name]) for name in used),
        analyzers=tuple(analyzers),
        default_labels=Labels(tuple(defaults.items())) if defaults else None,
    )
    return ExportedRuleset(ruleset, left_out, _lost_fields(defined))


def _matches_inlined(rule: RuleExpr, constants: dict[str, object]) -> RuleExpr:
    """`matches $x` written as `matches "..."`: AWS's grammar takes no variable there."""
    if isinstance(rule, Composite):
        return replace(rule, rules=tuple(_matches_inlined(r, constants) for r in rule.rules))
    assert isinstance(rule, Rule)
    condition = rule.condition
    if isinstance(condition, Matches) and isinstance(condition.pattern, ConstantRef):
        value = constants[condition.pattern.name]
        assert isinstance(value, String)
        return replace(rule, condition=replace(condition, pattern=value))
    return rule


def _default_labels(file_ruleset: Ruleset | None, labels: list[dict[str, str]]) -> dict[str, str]:
    """The ruleset file's DefaultLabels, when every exported rule carries each of their keys; else none."""
    if file_ruleset is None or file_ruleset.default_labels is None:
        return {}
    defaults = dict(file_ruleset.default_labels.pairs)
    if not labels or not all(set(defaults) <= set(own) for own in labels):
        return {}
    return defaults


def _own_labels(labels: dict[str, str], defaults: dict[str, str]) -> Labels | None:
    own = tuple((k, v) for k, v in labels.items() if defaults.get(k) != v)
    return Labels(own) if own else None


def _referenced(rules: tuple[RuleExpr, ...], kept: dict[str, ConstantRef]) -> list[str]:
    """The kept constants some exported rule refers to, in their definition order."""
    from dq_checks.dqdl.printer import rule_text

    text = "\n".join(rule_text(r) for r in rules)
    return [name for name in kept if re.search(rf"\${re.escape(name)}\b", text)]


def _lost_fields(defined: DefinedTable) -> dict[str, int]:
    """How many `rules:` entries give each field DQDL cannot carry a value of its own.

    A name counts when given; severity only when `warn` (a failing Glue rule is an error);
    blocking only when true.
    """
    counts: Counter[str] = Counter()
    for entry in defined.spec.rules:
        counts["name"] += entry.name is not None
        counts["severity"] += entry.severity is RuleSeverity.WARN
        counts["blocking"] += entry.blocking
    return {name: counts[name] for name in DQ_ONLY_FIELDS if counts[name]}
