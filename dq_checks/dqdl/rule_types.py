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


@dataclass(frozen=True)
class RuleTypeSpec:
    """The shape one rule type accepts."""

    name: str
    min_params: int
    max_params: int | None
    condition: ConditionKind
    dimension: Dimension
    where: bool = False
    threshold: bool = False
    row_level: bool = False
    param_help: str = ""


def _spec(*args: object, **kwargs: object) -> RuleTypeSpec:
    return RuleTypeSpec(*args, **kwargs)  # type: ignore[arg-type]


N, V, D, T, NT, NONE = (
    ConditionKind.NUMERIC,
    ConditionKind.VALUE,
    ConditionKind.DURATION,
    ConditionKind.TYPE_NAME,
    ConditionKind.NUMERIC_OR_THRESHOLD,
    ConditionKind.NONE,
)
C, VA, U, CO, F, VO = (
    Dimension.COMPLETENESS,
    Dimension.VALIDITY,
    Dimension.UNIQUENESS,
    Dimension.CONSISTENCY,
    Dimension.FRESHNESS,
    Dimension.VOLUME,
)

RULE_TYPES: dict[str, RuleTypeSpec] = {
    spec.name: spec
    for spec in (
        _spec("RowCount", 0, 0, N, VO, where=True),
        _spec("RowCountMatch", 1, 1, N, VO, param_help='"reference"'),
        _spec("ColumnCount", 0, 0, N, CO),
        _spec("ColumnExists", 1, 1, NONE, CO, param_help='"column"'),
        _spec("ColumnNamesMatchPattern", 1, 1, NONE, CO, param_help='"regex"'),
        _spec(
            "ColumnDataType", 1, 1, T, VA, where=True, threshold=True, row_level=True, param_help='"column"'
        ),
        _spec("Completeness", 1, 1, N, C, where=True, param_help='"column"'),
        _spec("IsComplete", 1, 1, NONE, C, where=True, param_help='"column"'),
        _spec("Uniqueness", 1, None, N, U, where=True, param_help='"column" ["column" ...]'),
        _spec("IsUnique", 1, None, NONE, U, where=True, param_help='"column" ["column" ...]'),
        _spec("IsPrimaryKey", 1, None, NONE, U, where=True, param_help='"column" ["column" ...]'),
        _spec("DistinctValuesCount", 1, 1, N, U, where=True, param_help='"column"'),
        _spec("UniqueValueRatio", 1, 1, N, U, where=True, param_help='"column"'),
        _spec("Mean", 1, 1, N, VA, where=True, param_help='"column"'),
        _spec("Sum", 1, 1, N, VA, where=True, param_help='"column"'),
        _spec("StandardDeviation", 1, 1, N, VA, where=True, param_help='"column"'),
        _spec("Variance", 1, 1, N, VA, where=True, param_help='"column"'),
        _spec("Entropy", 1, 1, N, VA, where=True, param_help='"column"'),
        _spec("ColumnCorrelation", 2, 2, N, CO, where=True, param_help='"column" "column"'),
        _spec("ColumnLength", 1, 1, N, VA, where=True, row_level=True, param_help='"column"'),
        _spec("ColumnValues", 1, 1, V, VA, where=True, threshold=True, row_level=True, param_help='"column"'),
        _spec("DataFreshness", 1, 1, D, F, where=True, row_level=True, param_help='"column"'),
        _spec("CustomSql", 1, 1, NT, VA, threshold=True, param_help='"select ..."'),
        _spec("ReferentialIntegrity", 2, 2, N, CO, param_help='"columns" "table.{columns}"'),
        _spec("DatasetMatch", 2, 3, N, CO, param_help='"reference" "key->ref_key" ["col->ref_col,..."]'),
        _spec("SchemaMatch", 1, 1, N, CO, param_help='"reference"'),
        _spec("AggregateMatch", 2, 2, N, CO, param_help='"sum(column)" "sum(reference.column)"'),
        _spec("DetectAnomalies", 1, None, NONE, VO, param_help='"RuleType" [its parameters]'),
    )
}

FILE_RULE_TYPES = ("FileFreshness", "FileSize", "FileMatch", "FileUniqueness")

# The rules DetectAnomalies learns from, as AWS lists them, and how many parameters each takes
# after the rule's name (its columns, or CustomSql's statement): (fewest, most; None: any).
ANOMALY_METRICS: dict[str, tuple[int, int | None]] = {
    "RowCount": (0, 0),
    "Completeness": (1, 1),
    "Uniqueness": (1, None),
    "Mean": (1, 1),
    "Sum": (1, 1),
    "StandardDeviation": (1, 1),
    "Entropy": (1, 1),
    "DistinctValuesCount": (1, 1),
    "UniqueValueRatio": (1, 1),
    "ColumnLength": (1, 1),
    "ColumnValues": (1, 1),
    "ColumnCorrelation": (2, 2),
    "CustomSql": (1, 1),
    "ColumnCount": (0, 0),
}
ANOMALY_ALIASES = {"CustomSQL": "CustomSql"}
"""AWS's DetectAnomalies page spells the rule `CustomSQL`; the rule type itself is `CustomSql`."""

DYNAMIC_FUNCTIONS = ("avg", "median", "max", "min", "sum", "std", "abs", "index", "last")
AGGREGATE_FUNCTIONS = ("avg", "median", "max", "min", "sum", "std")
"""The functions that reduce `last(k)` to one number."""

RULE_TAGS: dict[str, frozenset[str]] = {}
"""The `with <name> ...` tags each rule type acts on, besides `with threshold`: none yet.

AWS's parser keeps any tag; dq refuses one it would silently ignore.
"""
