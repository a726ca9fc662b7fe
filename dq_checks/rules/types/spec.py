"""The vocabulary of a rule type's grammar: what it accepts, before any table is read.

A rule type's own spec is built from these shapes in its home module (`on_one_column`,
`on_key_columns`, `by_number`, or a `RuleTypeSpec` of its own) and registered with its
compiler in `dq_checks/rules/types/registry.py`. The names here that are not one type's
(the File* rules, the functions of a dynamic bound, ColumnDataType's type names) are the
grammar's own constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dq_checks.rules.domains import Domain


class Dimension(StrEnum):
    """The quality dimension a rule scores towards."""

    COMPLETENESS = "completeness"
    VALIDITY = "validity"
    UNIQUENESS = "uniqueness"
    CONSISTENCY = "consistency"
    FRESHNESS = "freshness"
    VOLUME = "volume"


class ConditionKind(StrEnum):
    """Which condition a rule type takes."""

    NONE = "none"  # IsComplete "c"
    NUMERIC = "numeric"  # Completeness "c" > 0.95
    VALUE = "value"  # ColumnValues: numbers, strings, dates, lists, regex, NULL/EMPTY
    DURATION = "duration"  # DataFreshness "c" <= 24 hours
    TYPE_NAME = "type name"  # ColumnDataType "c" = "INTEGER"
    NUMERIC_OR_THRESHOLD = "numeric, or a threshold"  # CustomSql: scalar query, or rows with a threshold


class ColumnParams(StrEnum):
    """What a rule type's parameters say about the table's columns (their spelling, proposals' coverage)."""

    EVERY = "every parameter names a column"  # matched ignoring case: Completeness "c", IsUnique "a" "b"
    EXACT_NAME = "its parameter is a column name, compared exactly"  # ColumnExists, as deequ does
    LISTED_FIRST = "the first parameter lists columns"  # ReferentialIntegrity "a,b" "t.{x,y}"
    OF_LEARNED_RULE = "the learned rule's parameters name columns"  # DetectAnomalies "Mean" "c"
    TABLE = "the rule is about the whole table"  # RowCount, ColumnCount, SchemaMatch "t"
    NONE = "its parameters name no column of the table"  # CustomSql, DatasetMatch, AggregateMatch


@dataclass(frozen=True, kw_only=True)
class RuleTypeSpec:
    """The shape one rule type accepts: its grammar, checked before any table is read.

    `dq validate` reads it (through the registry) to refuse a rule whose shape is wrong, and
    `domain`, when set, to refuse a condition its metric can never meet or never fail.
    `metric_name` is the name Glue records the rule's one metric under (`Column.email.Completeness`;
    IsComplete records Completeness), None for a type with no one metric: a rule's history and an
    analyzer's are shared by it. `examples` (each must pass `dq validate`) and `hint` are what the
    rule proposer's prompt shows of the type.
    """

    name: str
    min_params: int
    max_params: int | None
    condition: ConditionKind
    dimension: Dimension
    columns: ColumnParams
    where: bool = False
    threshold: bool = False
    row_level: bool = False
    param_help: str = ""
    domain: Domain | None = None
    metric_name: str | None = None
    examples: tuple[str, ...] = ()
    hint: str = ""


ONE_COLUMN = '"column"'
KEY_COLUMNS = '"column" ["column" ...]'


def on_one_column(
    name: str,
    condition: ConditionKind,
    dimension: Dimension,
    *,
    threshold: bool = False,
    row_level: bool = False,
    domain: Domain | None = None,
    metric_name: str | None = None,
    examples: tuple[str, ...] = (),
    hint: str = "",
) -> RuleTypeSpec:
    """A rule over one column of the table, which `where` may filter."""
    return RuleTypeSpec(
        name=name,
        min_params=1,
        max_params=1,
        condition=condition,
        dimension=dimension,
        columns=ColumnParams.EVERY,
        where=True,
        threshold=threshold,
        row_level=row_level,
        param_help=ONE_COLUMN,
        domain=domain,
        metric_name=metric_name,
        examples=examples,
        hint=hint,
    )


def on_key_columns(
    name: str,
    condition: ConditionKind,
    *,
    domain: Domain | None = None,
    metric_name: str | None = None,
    examples: tuple[str, ...] = (),
) -> RuleTypeSpec:
    """A uniqueness rule over one or more key columns, which `where` may filter."""
    return RuleTypeSpec(
        name=name,
        min_params=1,
        max_params=None,
        condition=condition,
        dimension=Dimension.UNIQUENESS,
        columns=ColumnParams.EVERY,
        where=True,
        param_help=KEY_COLUMNS,
        domain=domain,
        metric_name=metric_name,
        examples=examples,
    )


def by_number(
    name: str,
    dimension: Dimension,
    columns: ColumnParams,
    *,
    params: tuple[int, int | None] = (0, 0),
    param_help: str = "",
    where: bool = False,
    domain: Domain | None = None,
    metric_name: str | None = None,
    examples: tuple[str, ...] = (),
    hint: str = "",
) -> RuleTypeSpec:
    """A rule whose one number (a count, a share, a ratio) is compared with a numeric condition."""
    fewest, most = params
    return RuleTypeSpec(
        name=name,
        min_params=fewest,
        max_params=most,
        condition=ConditionKind.NUMERIC,
        dimension=dimension,
        columns=columns,
        where=where,
        param_help=param_help,
        domain=domain,
        metric_name=metric_name,
        examples=examples,
        hint=hint,
    )


FILE_RULE_TYPES = ("FileFreshness", "FileSize", "FileMatch", "FileUniqueness")

DATA_TYPES: dict[str, str] = {
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "INTEGER": "int",
    "DOUBLE": "double",
    "FLOAT": "float",
    "LONG": "bigint",
}
"""The type names ColumnDataType accepts, each with the plain SQL type a value must cast to."""

DYNAMIC_FUNCTIONS = ("avg", "median", "max", "min", "sum", "std", "abs", "index", "last")
AGGREGATE_FUNCTIONS = ("avg", "median", "max", "min", "sum", "std")
"""The functions that reduce `last(k)` to one number."""

RULE_TAGS: dict[str, frozenset[str]] = {}
"""The `with <name> ...` tags each rule type acts on, besides `with threshold`: none yet.

AWS's parser keeps any tag; dq refuses one it would silently ignore.
"""
