"""Rules that compare one aggregate of the table with a condition: RowCount, Completeness, Mean, Sum, ...

Each type's grammar is here; how they become one aggregate of the shared scan, and are judged,
is in `engine.py`, imported only when a rule is compiled (it needs sqlglot; validation does not).
"""

from __future__ import annotations

from dq_checks.rules.domains import CORRELATION, COUNT, NON_NEGATIVE, SHARE
from dq_checks.rules.types.definition import RuleTypeDefinition, compiled_in
from dq_checks.rules.types.spec import ColumnParams, ConditionKind, Dimension, by_number, on_one_column

_NUMERIC = ConditionKind.NUMERIC

_COMPILE = compiled_in(f"{__name__}.engine", "compile_aggregate")

DEFINITIONS = tuple(
    RuleTypeDefinition(spec, _COMPILE)
    for spec in (
        by_number(
            "RowCount",
            Dimension.VOLUME,
            ColumnParams.TABLE,
            where=True,
            domain=COUNT,
            metric_name="RowCount",
            examples=("RowCount between 1000 and 5000",),
        ),
        on_one_column(
            "Completeness",
            _NUMERIC,
            Dimension.COMPLETENESS,
            domain=SHARE,
            metric_name="Completeness",
            examples=('Completeness "email" > 0.95',),
        ),
        on_one_column(
            "IsComplete",
            ConditionKind.NONE,
            Dimension.COMPLETENESS,
            metric_name="Completeness",
            examples=('IsComplete "order_id"',),
        ),
        on_one_column(
            "Mean", _NUMERIC, Dimension.VALIDITY, metric_name="Mean", examples=('Mean "x" between 10 and 20',)
        ),
        on_one_column("Sum", _NUMERIC, Dimension.VALIDITY, metric_name="Sum", examples=('Sum "amount" > 0',)),
        # Population statistics, as AWS defines them: never negative.
        on_one_column(
            "StandardDeviation",
            _NUMERIC,
            Dimension.VALIDITY,
            domain=NON_NEGATIVE,
            metric_name="StandardDeviation",
            examples=('StandardDeviation "x" < 50',),
        ),
        on_one_column(
            "Variance",
            _NUMERIC,
            Dimension.VALIDITY,
            domain=NON_NEGATIVE,
            metric_name="Variance",
            examples=('Variance "x" < 2500',),
        ),
        by_number(
            "ColumnCorrelation",
            Dimension.CONSISTENCY,
            ColumnParams.EVERY,
            params=(2, 2),
            param_help='"column" "column"',
            where=True,
            domain=CORRELATION,
            metric_name="ColumnCorrelation",
            examples=('ColumnCorrelation "h" "w" > 0.8',),
        ),
        on_one_column(
            "DistinctValuesCount",
            _NUMERIC,
            Dimension.UNIQUENESS,
            domain=COUNT,
            metric_name="DistinctValuesCount",
            examples=('DistinctValuesCount "state" > 3',),
        ),
    )
)
"""The aggregate rule types, each with its grammar."""
