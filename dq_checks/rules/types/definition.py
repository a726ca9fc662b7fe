"""What dq knows of one rule type: its grammar, how it compiles, what it reads, what it refuses early."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dq_checks.dqdl.ast import Rule
from dq_checks.rules.types.spec import RuleTypeSpec

if TYPE_CHECKING:  # the engine's types: importing them would load sqlglot
    from dq_checks.rules.model import CompiledRule, TableContext

Compile = Callable[[Rule, "TableContext"], "CompiledRule"]
"""A parsed rule, for one table, as metrics and a judge; RuleError when the table cannot support it."""

TablesRead = Callable[[Rule, set[str]], dict[str, set[str] | None]]
"""The other monitored tables a rule reads (given those it may read), each with the columns it needs."""


@dataclass(frozen=True)
class TablesInReach:
    """The tables a rule may name when it is validated.

    `monitored` are the tables a reference (`"orders.id"`, `SchemaMatch "orders"`) may name;
    `readable_by_sql` the ones a CustomSql statement may read besides `primary`: the table's
    `deps`, or every monitored table when it declares none.
    """

    monitored: Collection[str]
    readable_by_sql: Collection[str]


CheckStatically = Callable[[Rule, TablesInReach], list[str]]
"""Problems of a well-formed rule's parameters known before any table is read: a reference to a
table that is not monitored, unsafe SQL. It may raise ValueError, which is reported the same way."""


@dataclass(frozen=True)
class RuleTypeDefinition:
    """One rule type, as its home module registers it.

    `spec` is its grammar (parameters, condition, `where`, `with threshold`, row-level,
    dimension, the domain of its metric), which `dq validate` checks every rule against.
    `compile` builds the metrics and the judgement; `tables_read` names the other tables a
    rule reads; `check_statically` refuses what the grammar alone cannot.
    """

    spec: RuleTypeSpec
    compile: Compile
    tables_read: TablesRead | None = None
    check_statically: CheckStatically | None = None

    @property
    def name(self) -> str:
        """The rule type's DQDL name."""
        return self.spec.name


def compiled_in(engine_module: str, function: str) -> Compile:
    """The family engine's compiler, imported when a rule is first compiled.

    A family's definitions are read by `dq validate` and by loading the definitions, which must
    stay light; its engine builds SQL with sqlglot (about 0.1 s to import), so it is loaded late.
    """

    def compile_with_engine(rule: Rule, context: TableContext) -> CompiledRule:
        return getattr(importlib.import_module(engine_module), function)(rule, context)

    return compile_with_engine
