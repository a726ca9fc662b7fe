"""Rules judged row by row: ColumnValues, ColumnLength, ColumnDataType, DataFreshness.

Each type's grammar is here; the predicate that says whether a row passes, and the sample of
failing rows, are in `engine.py`.
"""

from __future__ import annotations

from dq_checks.rules.domains import COUNT
from dq_checks.rules.types.definition import RuleTypeDefinition, compiled_in
from dq_checks.rules.types.spec import ConditionKind, Dimension, on_one_column

_VALIDITY = Dimension.VALIDITY

_COMPILE = compiled_in(f"{__name__}.engine", "compile_row_values")

DEFINITIONS = tuple(
    RuleTypeDefinition(spec, _COMPILE)
    for spec in (
        on_one_column("ColumnValues", ConditionKind.VALUE, _VALIDITY, threshold=True, row_level=True),
        on_one_column("ColumnLength", ConditionKind.NUMERIC, _VALIDITY, row_level=True, domain=COUNT),
        on_one_column("ColumnDataType", ConditionKind.TYPE_NAME, _VALIDITY, threshold=True, row_level=True),
        on_one_column("DataFreshness", ConditionKind.DURATION, Dimension.FRESHNESS, row_level=True),
    )
)
"""The row-level rule types, each with its grammar."""
