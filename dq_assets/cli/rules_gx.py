"""`dq rules import-gx` and `dq rules export-gx`: Great Expectations suites to and from DQDL rules.

Great Expectations itself is never imported: suites are read and written as JSON. The
converters are imported by the commands that use them, like the other `dq` commands do.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError

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
from dq_checks.config.models import RuleEntry
from dq_checks.dqdl.ast import Number, String
from dq_checks.dqdl.constants import UndefinedConstant, resolve_constants
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_rule
from dq_checks.dqdl.printer import rule_text

if TYPE_CHECKING:
    from dq_checks.gx.to_dqdl import ImportedRule, SuiteImport


@click.command("import-gx")
@click.argument("suite_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--table", "table_name", required=True, help="The monitored table whose definition gains the rules."
)
@CONFIG_OPTION
def import_gx(suite_file: Path, table_name: str, config_dir: Path | None) -> None:
    """Append the DQDL equivalents of a Great Expectations 1.x suite to TABLE's definition.

    Expectations already present as the same rule are skipped, and so are those with no
    exact DQDL equivalent, each with the reason. Exit code 0 when everything converted,
    2 when some expectations were unsupported (the others are still added), an unreadable
    suite or an unknown table.
    """
    from dq_checks.config.yaml_edit import append_rule_entries
    from dq_checks.gx.to_dqdl import SuiteFormatError, suite_to_dqdl

    try:
        converted = suite_to_dqdl(json.loads(suite_file.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, SuiteFormatError) as error:
        fail(f"{suite_file}: not a readable expectation suite: {error}")
    loaded = load_definitions(config_dir)
    defined = defined_table(loaded, table_name)
    plan = _plan_import(converted, defined, [t.spec.table for t in loaded.tables])
    if plan.entries:
        try:
            append_rule_entries(defined.path, plan.entries)
        except (OSError, ValueError, RuntimeError) as error:
            fail(f"{defined.path}: could not append the rules: {error}")
    for _, line in sorted(plan.lines, key=lambda item: item[0]):
        click.echo(line)
    click.echo(f"{table_name}: {len(plan.entries)} rule(s) added to {defined.path}")
    sys.exit(EXIT_PARTIAL if plan.unsupported else EXIT_OK)


@dataclass
class _ImportPlan:
    """What an import will append, and one report line per expectation (by suite position)."""

    entries: list[RuleEntry] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)
    unsupported: bool = False


def _plan_import(converted: SuiteImport, defined: DefinedTable, known_tables: list[str]) -> _ImportPlan:
    """Decide each expectation's fate: skipped (unsupported, invalid, already present) or added.

    A converted rule is also run through the static validator, so a GX pattern that Python's
    `re` cannot compile is reported here rather than at the next run.
    """
    from dq_checks.rules.validate import validate_rule

    plan = _ImportPlan(unsupported=bool(converted.skipped))
    plan.lines = [
        (s.number, f"skipped: #{s.number} {s.expectation_type}: {s.reason}") for s in converted.skipped
    ]
    present = {text for r in defined.spec.rules for text in _normalized(r.rule, defined.spec.constants)}
    names = {r.name for r in defined.spec.rules if r.name}
    for imported in converted.rules:
        source, text = f"#{imported.number} {imported.expectation_type}", imported.text
        problems = validate_rule(imported.rule, known_tables=known_tables)
        if problems:
            plan.unsupported = True
            reason = "; ".join(p.message for p in problems)
            plan.lines.append((imported.number, f"skipped: {source}: converts to an invalid rule: {reason}"))
        elif text in present:
            plan.lines.append((imported.number, f"skipped: {source}: already present as {text}"))
        else:
            entry = _entry(imported, names)
            present.add(text)
            if entry.name:
                names.add(entry.name)
            plan.entries.append(entry)
            label = f"{entry.name}: " if entry.name else ""
            plan.lines.append((imported.number, f"added: {label}{text}"))
    return plan


@click.command("export-gx")
@click.argument("table_name", metavar="TABLE")
@CONFIG_OPTION
@output_option("suite")
def export_gx(table_name: str, config_dir: Path | None, output: Path | None) -> None:
    """Write TABLE's DQDL rules as a Great Expectations 1.x suite (JSON) named after the table.

    Rules with no exact GX equivalent are left out and named on standard error with the
    reason. Exit code 0 when every rule converted, 2 when some did not (the suite holds the
    others) or for an unknown table.
    """
    from dq_checks.gx.from_dqdl import RuleToExport, rules_to_suite

    defined = defined_table(load_definitions(config_dir), table_name)
    spec = defined.spec
    rules = [RuleToExport(rule=r.rule, name=r.name, severity=str(r.severity)) for r in spec.rules]
    exported = rules_to_suite(spec.table, rules, spec.constants)
    text = json.dumps(exported.suite, indent=2) + "\n"
    write_output(text, output, f"{len(exported.suite['expectations'])} expectation(s)")
    for rule in exported.unconverted:
        click.echo(f"no GX equivalent: {rule.label}: {rule.reason}", err=True)
    sys.exit(EXIT_PARTIAL if exported.unconverted else EXIT_OK)


def _normalized(text: str, constants: Mapping[str, str | int | float]) -> set[str]:
    """The rule's canonical text, as written and with `$constants` filled in.

    An imported rule is a duplicate when it equals either, whatever the spacing.
    """
    try:
        rule = parse_rule(text)
    except DQDLSyntaxError:
        return {text.strip()}
    values = {k: String(v) if isinstance(v, str) else Number(v) for k, v in constants.items()}
    try:
        return {rule_text(rule), rule_text(resolve_constants(rule, values))}
    except UndefinedConstant:
        return {rule_text(rule)}


def _entry(imported: ImportedRule, taken_names: set[str]) -> RuleEntry:
    """The YAML entry for a converted rule; the expectation's name is kept only if valid and unused."""
    if imported.name and imported.name not in taken_names:
        try:
            return RuleEntry(name=imported.name, rule=imported.text, severity=imported.severity)
        except ValidationError:
            pass
    return RuleEntry(rule=imported.text, severity=imported.severity)
