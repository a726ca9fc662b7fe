"""What each DQDL rule type accepts: parameters, condition, `where`, `with threshold`, dimension."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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

    This table is the one description of a rule type's grammar. The parser and `dq validate`
    read it without importing the rule engine (or sqlglot); the engine's side of each type,
    its metrics and judgement, is registered in `dq_checks.rules.types.registry` by name.
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


ONE_COLUMN = '"column"'
KEY_COLUMNS = '"column" ["column" ...]'


def _on_one_column(
    name: str,
    condition: ConditionKind,
    dimension: Dimension,
    *,
    threshold: bool = False,
    row_level: bool = False,
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
    )


def _on_key_columns(name: str, condition: ConditionKind) -> RuleTypeSpec:
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
    )


def _by_number(
    name: str,
    dimension: Dimension,
    columns: ColumnParams,
    *,
    params: tuple[int, int | None] = (0, 0),
    param_help: str = "",
    where: bool = False,
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
    )


RULE_TYPES: dict[str, RuleTypeSpec] = {
    spec.name: spec
    for spec in (
        _by_number("RowCount", Dimension.VOLUME, ColumnParams.TABLE, where=True),
        _by_number(
            "RowCountMatch", Dimension.VOLUME, ColumnParams.TABLE, params=(1, 1), param_help='"reference"'
        ),
        _by_number("ColumnCount", Dimension.CONSISTENCY, ColumnParams.TABLE),
        RuleTypeSpec(
            name="ColumnExists",
            min_params=1,
            max_params=1,
            condition=ConditionKind.NONE,
            dimension=Dimension.CONSISTENCY,
            columns=ColumnParams.EXACT_NAME,
            param_help=ONE_COLUMN,
        ),
        RuleTypeSpec(
            name="ColumnNamesMatchPattern",
            min_params=1,
            max_params=1,
            condition=ConditionKind.NONE,
            dimension=Dimension.CONSISTENCY,
            columns=ColumnParams.TABLE,
            param_help='"regex"',
        ),
        _on_one_column(
            "ColumnDataType", ConditionKind.TYPE_NAME, Dimension.VALIDITY, threshold=True, row_level=True
        ),
        _on_one_column("Completeness", ConditionKind.NUMERIC, Dimension.COMPLETENESS),
        _on_one_column("IsComplete", ConditionKind.NONE, Dimension.COMPLETENESS),
        _on_key_columns("Uniqueness", ConditionKind.NUMERIC),
        _on_key_columns("IsUnique", ConditionKind.NONE),
        _on_key_columns("IsPrimaryKey", ConditionKind.NONE),
        _on_one_column("DistinctValuesCount", ConditionKind.NUMERIC, Dimension.UNIQUENESS),
        _on_one_column("UniqueValueRatio", ConditionKind.NUMERIC, Dimension.UNIQUENESS),
        _on_one_column("Mean", ConditionKind.NUMERIC, Dimension.VALIDITY),
        _on_one_column("Sum", ConditionKind.NUMERIC, Dimension.VALIDITY),
        _on_one_column("StandardDeviation", ConditionKind.NUMERIC, Dimension.VALIDITY),
        _on_one_column("Variance", ConditionKind.NUMERIC, Dimension.VALIDITY),
        _on_one_column("Entropy", ConditionKind.NUMERIC, Dimension.VALIDITY),
        _by_number(
            "ColumnCorrelation",
            Dimension.CONSISTENCY,
            ColumnParams.EVERY,
            params=(2, 2),
            param_help='"column" "column"',
            where=True,
        ),
        _on_one_column("ColumnLength", ConditionKind.NUMERIC, Dimension.VALIDITY, row_level=True),
        _on_one_column(
            "ColumnValues", ConditionKind.VALUE, Dimension.VALIDITY, threshold=True, row_level=True
        ),
        _on_one_column("DataFreshness", ConditionKind.DURATION, Dimension.FRESHNESS, row_level=True),
        RuleTypeSpec(
            name="CustomSql",
            min_params=1,
            max_params=1,
            condition=ConditionKind.NUMERIC_OR_THRESHOLD,
            dimension=Dimension.VALIDITY,
            columns=ColumnParams.NONE,
            threshold=True,
            param_help='"select ..."',
        ),
        _by_number(
            "ReferentialIntegrity",
            Dimension.CONSISTENCY,
            ColumnParams.LISTED_FIRST,
            params=(2, 2),
            param_help='"columns" "table.{columns}"',
        ),
        _by_number(
            "DatasetMatch",
            Dimension.CONSISTENCY,
            ColumnParams.NONE,
            params=(2, 3),
            param_help='"reference" "key->ref_key" ["col->ref_col,..."]',
        ),
        _by_number(
            "SchemaMatch", Dimension.CONSISTENCY, ColumnParams.TABLE, params=(1, 1), param_help='"reference"'
        ),
        _by_number(
            "AggregateMatch",
            Dimension.CONSISTENCY,
            ColumnParams.NONE,
            params=(2, 2),
            param_help='"sum(column)" "sum(reference.column)"',
        ),
        RuleTypeSpec(
            name="DetectAnomalies",
            min_params=1,
            max_params=None,
            condition=ConditionKind.NONE,
            dimension=Dimension.VOLUME,
            columns=ColumnParams.OF_LEARNED_RULE,
            param_help='"RuleType" [its parameters]',
        ),
    )
}

FILE_RULE_TYPES = ("FileFreshness", "FileSize", "FileMatch", "FileUniqueness")

ANOMALY_METRICS: tuple[str, ...] = (
    *("RowCount", "Completeness", "Uniqueness", "Mean", "Sum", "StandardDeviation", "Entropy"),
    *("DistinctValuesCount", "UniqueValueRatio", "ColumnLength", "ColumnValues", "ColumnCorrelation"),
    *("CustomSql", "ColumnCount"),
)
"""The rules DetectAnomalies learns from, as AWS lists them; each takes the parameters its rule type takes."""
ANOMALY_ALIASES = {"CustomSQL": "CustomSql"}
"""AWS's DetectAnomalies page spells the rule `CustomSQL`; the rule type itself is `CustomSql`."""

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
