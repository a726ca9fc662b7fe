"""Rules that compare the table with another monitored table.

ReferentialIntegrity, DatasetMatch, SchemaMatch, RowCountMatch and AggregateMatch. Each type's
grammar is here, with the other table (and its columns) each reads: the step makes those
available, and `dq validate` requires them to be monitored. The joins are built in `engine.py`.
"""

from __future__ import annotations

from dq_checks.dqdl.ast import Rule
from dq_checks.dqdl.references import aggregate_ref, columns_ref, key_mapping
from dq_checks.rules.domains import NON_NEGATIVE, SHARE
from dq_checks.rules.types.definition import RuleTypeDefinition, compiled_in
from dq_checks.rules.types.spec import ColumnParams, Dimension, by_number


def _referential_integrity_reads(rule: Rule, _readable: set[str]) -> dict[str, set[str] | None]:
    ref = columns_ref(rule.param_values[1])
    return {ref.table: set(ref.columns)}


def _dataset_match_reads(rule: Rule, _readable: set[str]) -> dict[str, set[str] | None]:
    reference, keys, *compared = rule.param_values
    key_columns = {r for _, r in key_mapping(keys)}  # parsed either way: ValueError names a bad mapping
    if compared:
        return {reference: key_columns | {r for _, r in key_mapping(compared[0])}}
    return {reference: None}  # every column the two tables share is compared


def _description_only(rule: Rule, _readable: set[str]) -> dict[str, set[str] | None]:
    """SchemaMatch and RowCountMatch need only the reference's description (an empty set)."""
    return {rule.param_values[0]: set()}


def _aggregate_match_reads(rule: Rule, _readable: set[str]) -> dict[str, set[str] | None]:
    needs: dict[str, set[str] | None] = {}
    for text in rule.param_values:
        ref = aggregate_ref(text)
        if ref.table not in (None, "primary"):
            columns = needs.setdefault(ref.table, set())
            assert columns is not None
            columns.add(ref.column)
    return needs


_REFERENCE = '"reference"'

_COMPILE = compiled_in(f"{__name__}.engine", "compile_cross_table")

DEFINITIONS = (
    RuleTypeDefinition(
        by_number(
            "ReferentialIntegrity",
            Dimension.CONSISTENCY,
            ColumnParams.LISTED_FIRST,
            params=(2, 2),
            param_help='"columns" "table.{columns}"',
            domain=SHARE,
            examples=('ReferentialIntegrity "customer_id" "customers.{id}" = 1.0',),
            hint="(only with a table and column listed in `reference_keys`)",
        ),
        _COMPILE,
        _referential_integrity_reads,
    ),
    RuleTypeDefinition(
        by_number(
            "DatasetMatch",
            Dimension.CONSISTENCY,
            ColumnParams.NONE,
            params=(2, 3),
            param_help='"reference" "key->ref_key" ["col->ref_col,..."]',
            domain=SHARE,
            examples=('DatasetMatch "reference" "id->ref_id" "a->ref_a" >= 0.9',),
        ),
        _COMPILE,
        _dataset_match_reads,
    ),
    RuleTypeDefinition(
        by_number(
            "SchemaMatch",
            Dimension.CONSISTENCY,
            ColumnParams.TABLE,
            params=(1, 1),
            param_help=_REFERENCE,
            domain=SHARE,
            examples=('SchemaMatch "reference" = 1.0',),
        ),
        _COMPILE,
        _description_only,
    ),
    RuleTypeDefinition(
        # A share of the reference's rows: above 1 when this table has more.
        by_number(
            "RowCountMatch",
            Dimension.VOLUME,
            ColumnParams.TABLE,
            params=(1, 1),
            param_help=_REFERENCE,
            domain=NON_NEGATIVE,
            examples=('RowCountMatch "reference" >= 0.95',),
        ),
        _COMPILE,
        _description_only,
    ),
    RuleTypeDefinition(
        # The first aggregate divided by the second: any number, above 1 or below 0.
        by_number(
            "AggregateMatch",
            Dimension.CONSISTENCY,
            ColumnParams.NONE,
            params=(2, 2),
            param_help='"sum(column)" "sum(reference.column)"',
            examples=('AggregateMatch "sum(amount)" "sum(reference.amount)" >= 0.95',),
        ),
        _COMPILE,
        _aggregate_match_reads,
    ),
)
"""Each cross-table rule type: its grammar, and the other table (with its columns) it reads."""
