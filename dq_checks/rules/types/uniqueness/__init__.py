"""Uniqueness rules: IsUnique, IsPrimaryKey, Uniqueness, UniqueValueRatio and Entropy.

Each type's grammar is here; their SQL, the table grouped by the key columns, and how each is
judged from that one query, are in `engine.py`.
"""

from __future__ import annotations

from dq_checks.rules.domains import NON_NEGATIVE, SHARE
from dq_checks.rules.types.definition import RuleTypeDefinition, compiled_in
from dq_checks.rules.types.spec import ConditionKind, Dimension, on_key_columns, on_one_column

_COMPILE = compiled_in(f"{__name__}.engine", "compile_uniqueness")

DEFINITIONS = tuple(
    RuleTypeDefinition(spec, _COMPILE)
    for spec in (
        on_key_columns("IsUnique", ConditionKind.NONE, examples=('IsUnique "order_id"',)),
        on_key_columns("IsPrimaryKey", ConditionKind.NONE, examples=('IsPrimaryKey "order_id"',)),
        on_key_columns(
            "Uniqueness",
            ConditionKind.NUMERIC,
            domain=SHARE,
            metric_name="Uniqueness",
            examples=('Uniqueness "a" "b" = 1.0',),
        ),
        on_one_column(
            "UniqueValueRatio",
            ConditionKind.NUMERIC,
            Dimension.UNIQUENESS,
            domain=SHARE,
            metric_name="UniqueValueRatio",
            examples=('UniqueValueRatio "c" between 0 and 0.5',),
        ),
        on_one_column(
            "Entropy",
            ConditionKind.NUMERIC,
            Dimension.VALIDITY,
            domain=NON_NEGATIVE,
            metric_name="Entropy",
            examples=('Entropy "c" > 1',),
        ),
    )
)
"""The uniqueness rule types, each with its grammar."""
