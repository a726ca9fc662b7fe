"""Rules on the table's columns themselves: ColumnCount, ColumnExists, ColumnNamesMatchPattern.

Each type's grammar is here; how they are judged on the table's description is in `engine.py`.
"""

from __future__ import annotations

from dq_checks.rules.domains import COUNT
from dq_checks.rules.types.definition import RuleTypeDefinition, compiled_in
from dq_checks.rules.types.spec import (
    ONE_COLUMN,
    ColumnParams,
    ConditionKind,
    Dimension,
    RuleTypeSpec,
    by_number,
)

_COMPILE = compiled_in(f"{__name__}.engine", "compile_schema")

DEFINITIONS = tuple(
    RuleTypeDefinition(spec, _COMPILE)
    for spec in (
        by_number(
            "ColumnCount",
            Dimension.CONSISTENCY,
            ColumnParams.TABLE,
            domain=COUNT,
            metric_name="ColumnCount",
            examples=("ColumnCount >= 12",),
        ),
        RuleTypeSpec(
            name="ColumnExists",
            min_params=1,
            max_params=1,
            condition=ConditionKind.NONE,
            dimension=Dimension.CONSISTENCY,
            columns=ColumnParams.EXACT_NAME,
            param_help=ONE_COLUMN,
            examples=('ColumnExists "load_dt"',),
        ),
        RuleTypeSpec(
            name="ColumnNamesMatchPattern",
            min_params=1,
            max_params=1,
            condition=ConditionKind.NONE,
            dimension=Dimension.CONSISTENCY,
            columns=ColumnParams.TABLE,
            param_help='"regex"',
            examples=('ColumnNamesMatchPattern "^[a-z_]+$"',),
        ),
    )
)
"""The schema rule types, each with its grammar."""
