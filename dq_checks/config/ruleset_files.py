"""Read the Glue ruleset a table definition names with `ruleset_file:`.

The file is DQDL exactly as Glue takes it (`Rules = [...]`, `Analyzers = [...]`, constants,
`DefaultLabels`, `Metadata`, `DataSources`). Its path is relative to the definition that names
it, so a folder of definitions and rulesets moves as one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from dq_checks.config.safe_yaml import YamlProblem, decode_utf8
from dq_checks.dqdl.ast import Ruleset
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_ruleset

MAX_RULESET_BYTES = 1 << 20
"""A ruleset is text a person writes: 1 MiB holds thousands of rules, and bounds what a hostile file costs."""


@dataclass(frozen=True)
class RulesetFile:
    """A ruleset file as read: its rules, or the problem that stops them, naming the file."""

    path: Path
    ruleset: Ruleset | None
    problem: str | None = None


def read_ruleset_file(definition: Path, relative: str) -> RulesetFile:
    """Read and parse the ruleset `relative` to the definition file `definition`.

    A missing or unreadable file, one that is not UTF-8 or too big, and a syntax error are the
    problem (`file:line:column: message` for a syntax error), never an exception.
    """
    read = read_ruleset(definition.parent / relative)
    if read.ruleset is None and read.problem is not None and not read.problem.startswith(str(read.path)):
        return replace(read, problem=f"ruleset_file {relative!r}: {read.problem}")
    return read


def read_ruleset(path: Path) -> RulesetFile:
    """Read and parse the ruleset at `path`; its problem, if any, names the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return RulesetFile(path, None, f"no such file {path}")
    except OSError as error:
        return RulesetFile(path, None, f"cannot read {path}: {error.strerror or error}")
    if len(data) > MAX_RULESET_BYTES:
        size = f"{len(data):,} bytes; at most {MAX_RULESET_BYTES:,}"
        return RulesetFile(path, None, f"{path}: ruleset file too big ({size})")
    try:
        text = decode_utf8(data)
    except YamlProblem as problem:
        return RulesetFile(path, None, f"{path}: {problem.message}")
    try:
        return RulesetFile(path, parse_ruleset(text))
    except DQDLSyntaxError as error:
        return RulesetFile(path, None, f"{path}:{error.line}:{error.column}: {error.message}")
