"""What the rule engine knows of one rule type: how it compiles, and which other tables it reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dq_checks.dqdl.ast import Rule
from dq_checks.dqdl.rule_types import RULE_TYPES, RuleTypeSpec
from dq_checks.rules.model import CompiledRule, TableContext

Compile = Callable[[Rule, TableContext], CompiledRule]
"""A parsed rule, for one table, as metrics and a judge; RuleError when the table cannot support it."""

TablesRead = Callable[[Rule, set[str]], dict[str, set[str] | None]]
"""The other monitored tables a rule reads (given those it may read), each with the columns it needs."""


@dataclass(frozen=True)
class RuleTypeDefinition:
    """One rule type, as its home module registers it.

    Its grammar (parameters, condition, `where`, `with threshold`, row-level, dimension) is the
    `RuleTypeSpec` of the same name: the parser and `dq validate` read that table without
    importing the engine. What the engine adds lives in the home module: `compile` builds the
    metrics and the judgement, `tables_read` names the other tables a rule reads.
    """

    name: str
    compile: Compile
    tables_read: TablesRead | None = None

    @property
    def spec(self) -> RuleTypeSpec:
        """The rule type's grammar."""
        return RULE_TYPES[self.name]


def defined(
    names: tuple[str, ...], compile: Compile, tables_read: TablesRead | None = None
) -> tuple[RuleTypeDefinition, ...]:
    """One definition per name, all compiled (and reading tables) the same way."""
    return tuple(RuleTypeDefinition(name, compile, tables_read) for name in names)
