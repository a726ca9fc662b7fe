"""Rules judged row by row: ColumnValues, ColumnLength, ColumnDataType, DataFreshness.

Each type's grammar is here; the predicate that says whether a row passes, and the sample of
failing rows, are in `engine.py`.
"""

from __future__ import annotations

from dq_checks.rules.domains import COUNT
from dq_checks.rules.types.definition import RuleTypeDefinition, compiled_in
from dq_checks.rules.types.spec import DATA_TYPES, ConditionKind, Dimension, on_one_column

_VALIDITY = Dimension.VALIDITY

_COMPILE = compiled_in(f"{__name__}.engine", "compile_row_values")

DEFINITIONS = tuple(
    RuleTypeDefinition(spec, _COMPILE)
    for spec in (
        on_one_column(
            "ColumnValues",
            ConditionKind.VALUE,
            _VALIDITY,
            threshold=True,
            row_level=True,
            examples=(
                'ColumnValues "country" in ["US", "CA"]',
                'ColumnValues "email" matches "^[^@]+@[^@]+$"',
                'ColumnValues "ts" > (now() - 3 days)',
                'ColumnValues "qty" between 0 and 101',
            ),
        ),
        on_one_column(
            "ColumnLength",
            ConditionKind.NUMERIC,
            _VALIDITY,
            row_level=True,
            domain=COUNT,
            examples=('ColumnLength "zip" = 5',),
        ),
        on_one_column(
            "ColumnDataType",
            ConditionKind.TYPE_NAME,
            _VALIDITY,
            threshold=True,
            row_level=True,
            examples=('ColumnDataType "c" = "INTEGER" with threshold > 0.9',),
            hint=f"({', '.join(DATA_TYPES)})",
        ),
        on_one_column(
            "DataFreshness",
            ConditionKind.DURATION,
            Dimension.FRESHNESS,
            row_level=True,
            examples=('DataFreshness "updated_at" <= 24 hours',),
        ),
    )
)
"""The row-level rule types, each with its grammar."""
