"""Load every table definition in a folder, collecting each problem as `path:line: message`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from dq_checks.config.analyzer_entries import AnalyzerDefinition
from dq_checks.config.model_keys import accepted_keys
from dq_checks.config.models import TableSpec
from dq_checks.config.relative_paths import anchored
from dq_checks.config.rule_entries import RuleDefinition
from dq_checks.config.safe_yaml import YamlProblem, decode_utf8, load_yaml_text
from dq_checks.config.table_rules import table_rules
from dq_checks.config.yaml_lines import line_of
from dq_checks.suggestions import did_you_mean

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with one definition file. `line` is None when the problem is the whole file's."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """Raised when definitions do not validate; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[ConfigProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid check definitions:\n" + "\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class DefinedTable:
    """A validated table definition and the file it came from."""

    spec: TableSpec
    path: Path
    document: object = field(repr=False, compare=False)
    rules: tuple[RuleDefinition, ...] = ()
    analyzers: tuple[AnalyzerDefinition, ...] = ()
    rules_only: bool = False
    """A partitioned table's whole-table rules (`dq_checks.partitions.scopes.whole_table`): its only
    checks are those rules, beside the checks each partition has."""

    def line_of(self, *location: str | int) -> int:
        """The line in `path` where `location` (e.g. 'source', 'identifier') was written."""
        return line_of(self.document, location)

    def where(self, *location: str | int) -> str:
        """`path:line` of `location`, for messages."""
        return f"{self.path}:{self.line_of(*location)}"


@dataclass(frozen=True)
class LoadedConfig:
    """The tables that validated, and the problems of those that did not."""

    tables: tuple[DefinedTable, ...]
    problems: tuple[ConfigProblem, ...]

    @property
    def rule_problems(self) -> tuple[str, ...]:
        """Rules and analyzers that fail to parse or validate; their tables still load (the check errors)."""
        rules = [r.problem for t in self.tables for r in t.rules if r.problem is not None]
        analyzers = [a.problem for t in self.tables for a in t.analyzers if a.problem is not None]
        return (*rules, *analyzers)

    @property
    def specs(self) -> tuple[TableSpec, ...]:
        """Just the validated specs."""
        return tuple(t.spec for t in self.tables)

    def raise_for_problems(self) -> None:
        """Raise ConfigError listing every problem, if there is any."""
        if self.problems:
            raise ConfigError(self.problems)

    def by_name(self, table: str) -> DefinedTable | None:
        """The definition whose `table:` is `table`."""
        return next((t for t in self.tables if t.spec.table == table), None)


def load_table_specs(directory: Path) -> LoadedConfig:
    """Parse and validate every `*.yaml` in `directory`, then check the files against each other."""
    if not directory.is_dir():
        return LoadedConfig((), (ConfigProblem(directory, None, "definitions folder does not exist"),))
    tables: list[DefinedTable] = []
    problems: list[ConfigProblem] = []
    for path in sorted(p for p in directory.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file()):
        table, file_problems = _load_file(path)
        problems.extend(file_problems)
        if table is not None:
            tables.append(table)
    accepted, cross_problems = _check_across_files(tables)
    return LoadedConfig(tuple(accepted), tuple(problems + cross_problems))


def read_yaml_document(path: Path) -> tuple[object | None, list[ConfigProblem]]:
    """The round-trip document of `path` (which remembers lines), or the problem that stops it.

    Every YAML file a user writes is read through here (or through `load_yaml_text`), so none of
    them may use anchors and aliases, nest without bound, or be in another encoding than UTF-8.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        return None, [ConfigProblem(path, None, f"cannot read: {error.strerror or error}")]
    try:
        return load_yaml_text(decode_utf8(data)), []
    except YamlProblem as problem:
        return None, [ConfigProblem(path, problem.line, problem.message)]


def validation_problems(
    path: Path, document: object, error: ValidationError, model: type[BaseModel]
) -> list[ConfigProblem]:
    """Each pydantic error as `path:line: message`, the line found from the error's location.

    An unknown key names the accepted key closest to it (`model` says which keys are accepted).
    """
    problems = []
    for detail in error.errors():
        hint = _key_hint(model, detail) if detail["type"] == "extra_forbidden" else ""
        detail["loc"] = _document_location(document, detail["loc"])
        problems.append(ConfigProblem(path, line_of(document, detail["loc"]), _describe(detail) + hint))
    return problems


def _key_hint(model: type[BaseModel], detail: ErrorDetails) -> str:
    *parent, key = detail["loc"]
    return did_you_mean(str(key), accepted_keys(model, parent))


def _document_location(document: object, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """`loc` without the tags pydantic inserts for a tagged union (`channels.ops.slack.colour`).

    Such a tag is no key of the YAML: it is the value of the mapping's discriminator key, and more
    of the location (inside the chosen model) follows it.
    """
    kept: list[str | int] = []
    node = document
    for index, part in enumerate(loc):
        is_tag = isinstance(node, dict) and part not in node and part in _string_values(node)
        if is_tag and index < len(loc) - 1:
            continue
        kept.append(part)
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    return tuple(kept)


def _string_values(mapping: dict) -> set[str]:
    return {value for value in mapping.values() if isinstance(value, str)}


def plain(node: object) -> object:
    """Ruamel's commented containers as plain dicts and lists, for pydantic."""
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    return node


def _load_file(path: Path) -> tuple[DefinedTable | None, list[ConfigProblem]]:
    document, problems = read_yaml_document(path)
    if problems:
        return None, problems
    if not isinstance(document, dict):
        return None, [ConfigProblem(path, 1, "a table definition must be a YAML mapping with a 'table:' key")]
    try:
        spec = TableSpec.model_validate(plain(document))
    except ValidationError as error:
        return None, _with_asset_hint(validation_problems(path, document, error, TableSpec), path, document)
    defined = DefinedTable(anchored(spec, path), path, document)
    problems = attachment_problems(defined)
    return (None, problems) if problems else (defined, [])


OWN_ASSET_KEYS = ("deps", "group", "owners")
"""Keys that describe the asset dq defines; with `asset:` the user's own definition sets them."""


def attachment_problems(defined: DefinedTable) -> list[ConfigProblem]:
    """What only one kind of definition may say.

    A table with `asset:` has no asset of dq's to describe, and only such a table may leave a sql
    source's `table:` to its asset's `dagster/table_name`.
    """
    spec, problems = defined.spec, []
    if spec.attached:
        for key in OWN_ASSET_KEYS:
            if key in spec.model_fields_set:
                problems.append(
                    ConfigProblem(
                        defined.path,
                        defined.line_of(key),
                        f"{key}: is set by the asset's own definition; dq defines no asset for a table "
                        "with asset:",
                    )
                )
    elif spec.source.table_from_asset:
        problems.append(
            ConfigProblem(
                defined.path,
                defined.line_of("source"),
                "missing required key 'source.table' (it may be left out only with asset:, whose "
                "dagster/table_name metadata then names the table)",
            )
        )
    return problems


def _with_asset_hint(problems: list[ConfigProblem], path: Path, document: object) -> list[ConfigProblem]:
    """A missing `table:` beside an `asset:` whose key is no table name says why it did not default."""
    if not isinstance(document, dict) or "asset" not in document:
        return problems
    hint = ConfigProblem(
        path,
        line_of(document, ("asset",)),
        "missing required key 'table': the asset key is no table name (letters, digits and "
        "underscores, '/' between parts), so name the table that rules and deps refer to",
    )
    return [hint if p.message == "missing required key 'table'" else p for p in problems]


def _describe(detail: ErrorDetails) -> str:
    location = ".".join(str(part) for part in detail["loc"])
    kind = detail["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{location}'"
    if kind == "missing":
        return f"missing required key '{location}'"
    message = detail["msg"].removeprefix("Value error, ")
    return f"{location}: {message}" if location else message


def _check_across_files(tables: list[DefinedTable]) -> tuple[list[DefinedTable], list[ConfigProblem]]:
    problems: list[ConfigProblem] = []
    first_by_name: dict[str, DefinedTable] = {}
    first_by_asset: dict[tuple[str, ...], DefinedTable] = {}
    accepted: list[DefinedTable] = []
    for table in tables:
        name = table.spec.table
        if name in first_by_name:
            first = first_by_name[name]
            problems.append(
                ConfigProblem(
                    table.path,
                    table.line_of("table"),
                    f"duplicate table name '{name}', already defined at {first.where('table')}",
                )
            )
            continue
        asset = table.spec.asset_path
        if asset in first_by_asset:
            first = first_by_asset[asset]
            problems.append(
                ConfigProblem(
                    table.path,
                    table.line_of("asset" if table.spec.attached else "table"),
                    f"asset '{'/'.join(asset)}' already has dq's checks from "
                    f"{first.where('asset' if first.spec.attached else 'table')}",
                )
            )
            continue
        first_by_name[name] = table
        first_by_asset[asset] = table
        accepted.append(table)
    for table in accepted:
        for index, dep in enumerate(table.spec.deps):
            if dep not in first_by_name:
                problems.append(
                    ConfigProblem(
                        table.path,
                        table.line_of("deps", index),
                        f"deps: '{dep}' is not a monitored table{did_you_mean(dep, first_by_name)}",
                    )
                )
    problems.extend(_dependency_cycles(accepted))
    known = set(first_by_name)
    with_rules = []
    for table in accepted:
        found = table_rules(table.spec, table.path, table.document, known)
        problems.extend(
            ConfigProblem(clash.path or table.path, clash.line, clash.message) for clash in found.clashes
        )
        with_rules.append(replace(table, rules=found.rules, analyzers=found.analyzers))
    return with_rules, problems


def _dependency_cycles(tables: list[DefinedTable]) -> list[ConfigProblem]:
    graph = {t.spec.table: set(t.spec.deps) for t in tables}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as error:
        cycle: list[str] = list(reversed(error.args[1]))
        table = next(t for t in tables if t.spec.table == cycle[0])
        return [ConfigProblem(table.path, table.line_of("deps"), "deps form a cycle: " + " -> ".join(cycle))]
    return []
