"""DQDL rules converted to a Great Expectations 1.x expectation suite, as plain JSON dicts.

The reverse of `to_dqdl`, and just as strict: a rule becomes expectations only when they
mean exactly the same, otherwise `NoEquivalent` says why. DQDL `between` is exclusive, so
it becomes GX between with `strict_min` and `strict_max`; a whole-value `matches` becomes a
GX search anchored where it needs to be.

NULLs. GX column-map expectations leave NULLs out; a DQDL ColumnValues fails a NULL (but
for `!=` and `not in`) and ColumnLength reads it as length 0. A rule `where` its column
`IS NOT NULL` (as the import writes it) is the expectation alone; a rule without `where`
whose condition fails a NULL is the expectation and `expect_column_values_to_not_be_null`.

Shares. `with threshold >= m` on ColumnValues or ColumnLength is the passing share of the
rows in scope; GX's `mostly: m` is the passing share of the non-NULL values (success when
there are none, as a rule with no row in scope passes). So a thresholded rule `where` its
column `IS NOT NULL` is the expectation with `mostly: m`; without that `where` its share
counts the NULL rows too, which no GX expectation does, and it is refused. Completeness and
Uniqueness keep `mostly`: they are the same shares in both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Comparison,
    Composite,
    Condition,
    Duration,
    Expr,
    InList,
    Matches,
    Now,
    Number,
    Rule,
    RuleExpr,
    String,
)
from dq_checks.dqdl.constants import ConstantValue, UndefinedConstant, resolve_constants
from dq_checks.dqdl.parser import DQDLSyntaxError, parse_rule
from dq_checks.gx.to_dqdl import (
    ends_with_anchor,
    ends_with_any,
    has_top_level_alternation,
    outer_group_end,
    split_inline_flags,
)

Expectation = dict[str, Any]

_GX_SEVERITY = {"error": "critical", "warn": "warning"}

_NO_EQUIVALENT = {
    "ReferentialIntegrity": "it compares with another table; a GX suite validates one batch",
    "DatasetMatch": "it compares with another table; a GX suite validates one batch",
    "RowCountMatch": "it compares with another table; a GX suite validates one batch",
    "SchemaMatch": "it compares with another table; a GX suite validates one batch",
    "AggregateMatch": "it compares with another table; a GX suite validates one batch",
    "CustomSql": "GX has no core expectation for a scalar SQL query or a query of passing rows",
    "DetectAnomalies": "it learns its bounds from the rule's own history",
    "DataFreshness": "its bound is relative to the time of the run",
    "StandardDeviation": (
        "DQDL's is the population standard deviation (divided by n), as AWS defines it; "
        "GX's expect_column_stdev_to_be_between the sample one (n - 1)"
    ),
}


class NoEquivalent(Exception):
    """A rule that no combination of GX core expectations states exactly."""


@dataclass(frozen=True)
class RuleToExport:
    """One rule from a table definition: its DQDL text, optional name and severity."""

    rule: str
    name: str | None = None
    severity: str = "error"


@dataclass(frozen=True)
class UnconvertedRule:
    """A rule left out of the suite, and why."""

    number: int
    rule: str
    name: str | None
    reason: str

    @property
    def label(self) -> str:
        """`name (rule)` when named, else the rule text."""
        return f"{self.name} ({self.rule})" if self.name else self.rule


@dataclass(frozen=True)
class SuiteExport:
    """The suite, ready for `json.dumps`, and the rules it could not include."""

    suite: dict[str, Any]
    unconverted: tuple[UnconvertedRule, ...]


def rules_to_suite(
    name: str, rules: Iterable[RuleToExport], constants: Mapping[str, str | int | float] | None = None
) -> SuiteExport:
    """A GX 1.x suite named `name` holding the expectations of every rule that has them.

    `$constants` are replaced by the table's values first, since GX has no such notion.
    Each expectation's `meta` keeps the rule's name (read back by the import) and its DQDL.
    """
    values = {key: _constant(value) for key, value in (constants or {}).items()}
    expectations: list[Expectation] = []
    unconverted: list[UnconvertedRule] = []
    for number, entry in enumerate(rules, start=1):
        try:
            converted = rule_to_expectations(resolve_constants(parse_rule(entry.rule), values))
        except DQDLSyntaxError as error:
            unconverted.append(UnconvertedRule(number, entry.rule, entry.name, f"does not parse: {error}"))
            continue
        except (UndefinedConstant, NoEquivalent) as reason:
            unconverted.append(UnconvertedRule(number, entry.rule, entry.name, str(reason)))
            continue
        meta = {"name": entry.name} if entry.name else {}
        for expectation in converted:
            expectation["meta"] = {**meta, "dqdl": entry.rule}
            expectation["severity"] = _GX_SEVERITY.get(str(entry.severity), "critical")
            expectations.append(expectation)
    suite = {"name": name, "id": None, "expectations": expectations, "meta": {}, "notes": None}
    return SuiteExport(suite, tuple(unconverted))


def _constant(value: str | int | float) -> ConstantValue:
    return String(value) if isinstance(value, str) else Number(value)


def rule_to_expectations(rule: RuleExpr) -> list[Expectation]:
    """The expectations (`{"type", "kwargs"}`) that together mean `rule`; constants must be resolved.

    An `and` composite is every one of its parts, so it becomes their expectations (each
    once); a two-sided range written as `(X >= a) and (X <= b)` becomes a single GX between.
    """
    if isinstance(rule, Composite):
        if rule.op == "or":
            raise NoEquivalent("GX has no 'or' of expectations")
        every = [e for child in rule.rules for e in rule_to_expectations(child)]
        return _merged_ranges([e for i, e in enumerate(every) if e not in every[:i]])
    converter = _CONVERTERS.get(rule.rule_type)
    if converter is None:
        reason = _NO_EQUIVALENT.get(rule.rule_type, "GX has no core expectation for it")
        raise NoEquivalent(f"{rule.rule_type} has no GX equivalent: {reason}")
    if rule.threshold is not None and rule.rule_type != "ColumnValues":
        raise NoEquivalent(f"{rule.rule_type} takes no 'with threshold' in DQDL")
    if rule.where is not None and rule.rule_type not in _TAKE_WHERE:
        raise NoEquivalent("where: only a where that the rule's columns are not NULL has a GX form")
    return converter(rule)


def _not_null_columns(where: String | None) -> frozenset[str] | None:
    """The columns a `where` says are not NULL (`"a" IS NOT NULL AND ...`); None for any other where."""
    if where is None:
        return frozenset()
    # sqlglot only for a rule with a where, as `dq validate` does
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError

    try:
        predicate = sqlglot.parse_one(where.value, read="duckdb")
    except ParseError:
        return None
    parts = list(predicate.flatten()) if isinstance(predicate, exp.And) else [predicate]
    names: set[str] = set()
    for part in parts:
        match part:
            case exp.Not(this=exp.Is(this=exp.Column() as column, expression=exp.Null())) if not column.table:
                names.add(column.name)
            case _:
                return None
    return frozenset(names)


def _nulls_left_out(rule: Rule, columns: list[str]) -> bool:
    """Whether the rule's `where` is exactly that its columns are not NULL (False: no where at all)."""
    named = _not_null_columns(rule.where)
    if named is None or (named and named != frozenset(columns)):
        raise NoEquivalent("where: only a where that the rule's columns are not NULL has a GX form")
    return bool(named)


def _merged_ranges(expectations: list[Expectation]) -> list[Expectation]:
    """A lower-bound and an upper-bound GX between on the same thing, as one GX between."""
    merged = list(expectations)
    for i, first in enumerate(merged):
        for j in range(i + 1, len(merged)):
            pair = _merged_range(first, merged[j])
            if pair is not None:
                merged[i] = pair
                del merged[j]
                return _merged_ranges(merged)
    return merged


def _merged_range(first: Expectation, second: Expectation) -> Expectation | None:
    if first["type"] != second["type"] or not first["type"].endswith("_to_be_between"):
        return None
    lower, upper = (first, second) if "min_value" in first["kwargs"] else (second, first)
    low_keys, high_keys = set(lower["kwargs"]), set(upper["kwargs"])
    if "min_value" not in low_keys or "max_value" not in high_keys:
        return None
    if "max_value" in low_keys or "min_value" in high_keys or "mostly" in low_keys | high_keys:
        # not one lower and one upper bound, or each bound has its own share: two shares that
        # each reach mostly are not one share of values within both bounds
        return None
    domain = {k: v for k, v in lower["kwargs"].items() if k not in ("min_value", "strict_min")}
    if domain != {k: v for k, v in upper["kwargs"].items() if k not in ("max_value", "strict_max")}:
        return None
    return {"type": lower["type"], "kwargs": {**lower["kwargs"], **upper["kwargs"]}}


def _expectation(expectation_type: str, **kwargs: Any) -> Expectation:
    return {"type": expectation_type, "kwargs": kwargs}


def _columns(rule: Rule) -> list[str]:
    names = [p.value for p in rule.params if isinstance(p, String)]
    if len(names) != len(rule.params) or not names:
        raise NoEquivalent(f"{rule.rule_type} needs quoted column names")
    return names


def _column(rule: Rule) -> str:
    names = _columns(rule)
    if len(names) != 1:
        raise NoEquivalent(f"{rule.rule_type} takes one column")
    return names[0]


def _literal(expr: Expr) -> int | float | str | dict[str, str]:
    if isinstance(expr, Number | String):
        return expr.value
    parameter = _time_parameter(expr)
    if parameter is not None:
        return {"$PARAMETER": parameter}
    raise NoEquivalent(
        f"{type(expr).__name__} operands (NULL, durations, dynamic expressions) are not converted"
    )


def _time_parameter(expr: Expr) -> str | None:
    """`now()` and `now() - 3 days` as the GX suite parameters `to_dqdl` reads back."""
    match expr:
        case Now():
            return "now()"
        case BinaryOp(
            op="+" | "-" as op, left=Now(), right=Duration(amount=Number(value=int() as n), unit=unit)
        ):
            return f"now() {op} timedelta({unit}={n})"
    return None


def _numeric(expr: Expr) -> int | float:
    value = _literal(expr)
    if isinstance(value, str | dict):
        raise NoEquivalent(f"the bound {value!r} is not a number")
    return value


def _fraction(condition: Condition | None, what: str) -> float | None:
    """`>= x` as GX `mostly` (an inclusive minimum share); None when it asks for every row."""
    if condition is None:
        return None
    if isinstance(condition, Comparison) and condition.op in (">=", "="):
        value = _numeric(condition.operand)
        if value == 1:
            return None
        if condition.op == ">=" and 0 <= value < 1:
            return value
    raise NoEquivalent(f"{what}: only '>= x' (0 <= x <= 1) maps to GX mostly")


def _bounds(condition: Condition | None, literal: Callable[[Expr], Any]) -> dict[str, Any] | None:
    """GX between kwargs for an ordering condition; None for any other condition."""
    match condition:
        case Comparison(op=">=" | ">"):
            strict = {"strict_min": True} if condition.op == ">" else {}
            return {"min_value": literal(condition.operand), **strict}
        case Comparison(op="<=" | "<"):
            strict = {"strict_max": True} if condition.op == "<" else {}
            return {"max_value": literal(condition.operand), **strict}
        case Between(negated=False):
            # DQDL between is exclusive
            low, high = literal(condition.low), literal(condition.high)
            return {"min_value": low, "max_value": high, "strict_min": True, "strict_max": True}
    return None


def _unsupported_condition(rule: Rule) -> NoEquivalent:
    return NoEquivalent(f"{rule.rule_type}: this condition has no GX equivalent")


# --- one converter per rule type ---------------------------------------------------------


def _column_exists(rule: Rule) -> list[Expectation]:
    return [_expectation("expect_column_to_exist", column=_column(rule))]


def _is_complete(rule: Rule) -> list[Expectation]:
    return [_expectation("expect_column_values_to_not_be_null", column=_column(rule))]


def _completeness(rule: Rule) -> list[Expectation]:
    fraction = _fraction(rule.condition, "Completeness")
    mostly = {} if fraction is None else {"mostly": fraction}
    return [_expectation("expect_column_values_to_not_be_null", column=_column(rule), **mostly)]


def _unique(columns: list[str], mostly: dict[str, float], where: String | None = None) -> Expectation:
    """GX uniqueness; a `where` that every key is present is GX's `any_value_is_missing`."""
    nulls_left_out = _not_null_columns(where)
    if nulls_left_out is None or (nulls_left_out and nulls_left_out != frozenset(columns)):
        raise NoEquivalent("where: only a where that the key columns are not NULL has a GX form")
    if len(columns) == 1:  # GX and dq both leave a single column's NULLs out
        return _expectation("expect_column_values_to_be_unique", column=columns[0], **mostly)
    ignore = {"ignore_row_if": "any_value_is_missing"} if nulls_left_out else {}
    return _expectation("expect_compound_columns_to_be_unique", column_list=columns, **ignore, **mostly)


def _is_unique(rule: Rule) -> list[Expectation]:
    return [_unique(_columns(rule), {}, rule.where)]


def _uniqueness(rule: Rule) -> list[Expectation]:
    fraction = _fraction(rule.condition, "Uniqueness")
    return [_unique(_columns(rule), {} if fraction is None else {"mostly": fraction}, rule.where)]


def _is_primary_key(rule: Rule) -> list[Expectation]:
    if rule.where is not None:
        raise NoEquivalent("IsPrimaryKey with where has no GX form")
    columns = _columns(rule)
    not_null = [_expectation("expect_column_values_to_not_be_null", column=c) for c in columns]
    return [_unique(columns, {}), *not_null]


WITH_NULLS = (
    "with threshold without a where that the column IS NOT NULL: the share counts the NULL rows, "
    "GX's mostly only the non-NULL values"
)


def _with_nulls(rule: Rule, column: str, expectation: Expectation, nulls_fail: bool) -> list[Expectation]:
    """The expectation GX judges on non-NULL values, and what the rule says of NULLs.

    `where` the column `IS NOT NULL`, NULL rows are out of the rule's scope as GX leaves them
    out: the expectation alone, with the rule's threshold as its `mostly`. Without `where`, a
    NULL that fails the rule needs its own expectation that there is none, and a threshold,
    a share that counts the NULL rows, has no GX form.
    """
    nulls_left_out = _nulls_left_out(rule, [column])
    if rule.threshold is not None:
        if not nulls_left_out:
            raise NoEquivalent(WITH_NULLS)
        mostly = _fraction(rule.threshold, "with threshold")
        if mostly is not None:
            expectation["kwargs"]["mostly"] = mostly
    if nulls_left_out or not nulls_fail:
        return [expectation]
    return [expectation, _expectation("expect_column_values_to_not_be_null", column=column)]


def _column_values(rule: Rule) -> list[Expectation]:
    column, condition = _column(rule), rule.condition
    bounds = _bounds(condition, _literal)
    if bounds is not None:
        between = _expectation("expect_column_values_to_be_between", column=column, **bounds)
        return _with_nulls(rule, column, between, nulls_fail=True)
    match condition:
        case Comparison(op="=", operand=Number()):
            value = condition.operand.value
            between = _expectation(
                "expect_column_values_to_be_between", column=column, min_value=value, max_value=value
            )
            return _with_nulls(rule, column, between, nulls_fail=True)
        case Comparison(op="=" | "!="):
            negated = condition.op == "!="
            in_set = _in_set(column, [_literal(condition.operand)], negated)
            return _with_nulls(rule, column, in_set, nulls_fail=not negated)
        case InList():
            values = [_literal(v) for v in condition.values]
            return _with_nulls(
                rule, column, _in_set(column, values, condition.negated), not condition.negated
            )
        case Matches(pattern=String()):
            expectation_type = (
                "expect_column_values_to_not_match_regex"
                if condition.negated
                else "expect_column_values_to_match_regex"
            )
            regex = full_match_to_search(condition.pattern.value)
            matches = _expectation(expectation_type, column=column, regex=regex)
            return _with_nulls(rule, column, matches, nulls_fail=True)
    raise _unsupported_condition(rule)


def _in_set(column: str, values: list[Any], negated: bool) -> Expectation:
    expectation_type = (
        "expect_column_values_to_not_be_in_set" if negated else "expect_column_values_to_be_in_set"
    )
    return _expectation(expectation_type, column=column, value_set=values)


def _column_length(rule: Rule) -> list[Expectation]:
    column = _column(rule)
    bounds = _bounds(rule.condition, _numeric)
    if bounds is not None:
        lengths = _expectation("expect_column_value_lengths_to_be_between", column=column, **bounds)
    elif isinstance(rule.condition, Comparison) and rule.condition.op == "=":
        value = _numeric(rule.condition.operand)
        lengths = _expectation("expect_column_value_lengths_to_equal", column=column, value=value)
    else:
        raise _unsupported_condition(rule)
    # DQDL reads a NULL's length as 0: it fails the rule exactly when 0 fails the condition
    return _with_nulls(rule, column, lengths, nulls_fail=not _holds_for_zero(rule.condition))


def _holds_for_zero(condition: Condition | None) -> bool:
    match condition:
        case Comparison(op=op, operand=operand):
            bound = _numeric(operand)
            return {">=": bound <= 0, ">": bound < 0, "<=": bound >= 0, "<": bound > 0, "=": bound == 0}[op]
        case Between(low=low, high=high, negated=False):
            return _numeric(low) < 0 < _numeric(high)
    raise NoEquivalent("ColumnLength: this condition has no GX equivalent")


def _table_count(between: str, equal: str, *, strict: bool) -> Callable[[Rule], list[Expectation]]:
    def convert(rule: Rule) -> list[Expectation]:
        if rule.params:
            raise NoEquivalent(f"{rule.rule_type} takes no parameters")
        bounds = _bounds(rule.condition, _numeric)
        if bounds is not None:
            if not strict and ("strict_min" in bounds or "strict_max" in bounds):
                raise NoEquivalent(f"{rule.rule_type}: {between} has no strict bounds; use >= or <=")
            return [_expectation(between, **bounds)]
        if isinstance(rule.condition, Comparison) and rule.condition.op == "=":
            return [_expectation(equal, value=_numeric(rule.condition.operand))]
        raise _unsupported_condition(rule)

    return convert


def _column_aggregate(expectation_type: str) -> Callable[[Rule], list[Expectation]]:
    def convert(rule: Rule) -> list[Expectation]:
        column = _column(rule)
        bounds = _bounds(rule.condition, _numeric)
        if bounds is None and isinstance(rule.condition, Comparison) and rule.condition.op == "=":
            value = _numeric(rule.condition.operand)
            bounds = {"min_value": value, "max_value": value}
        if bounds is None:
            raise _unsupported_condition(rule)
        return [_expectation(expectation_type, column=column, **bounds)]

    return convert


_CONVERTERS: dict[str, Callable[[Rule], list[Expectation]]] = {
    "ColumnExists": _column_exists,
    "IsComplete": _is_complete,
    "Completeness": _completeness,
    "IsUnique": _is_unique,
    "Uniqueness": _uniqueness,
    "IsPrimaryKey": _is_primary_key,
    "ColumnValues": _column_values,
    "ColumnLength": _column_length,
    "RowCount": _table_count(
        "expect_table_row_count_to_be_between", "expect_table_row_count_to_equal", strict=True
    ),
    "ColumnCount": _table_count(
        "expect_table_column_count_to_be_between", "expect_table_column_count_to_equal", strict=False
    ),
    "Mean": _column_aggregate("expect_column_mean_to_be_between"),
    "Sum": _column_aggregate("expect_column_sum_to_be_between"),
    "DistinctValuesCount": _column_aggregate("expect_column_unique_value_count_to_be_between"),
}


# Rule types whose converter reads `where` (a where that the rule's columns are not NULL).
_TAKE_WHERE = frozenset({"ColumnValues", "ColumnLength", "IsUnique", "Uniqueness"})


def full_match_to_search(pattern: str) -> str:
    """A GX (search) regex that finds a match exactly when `pattern` matches the whole value.

    Undoes `search_to_full_match`: a leading or trailing `.*` is dropped rather than
    anchored, so `.*abc.*` goes back to `abc`; otherwise `^` and `$` are added where the
    pattern has none, grouping a top-level alternation first.
    """
    flags, body = split_inline_flags(pattern)
    if has_top_level_alternation(body):
        return f"{flags}^(?:{body})$"
    lead = body.startswith(".*") and body[2:3] not in ("?", "+", "*", "{")
    core = body[2:] if lead else body
    trail = ends_with_any(core)
    core = core[:-2] if trail else core
    if lead and trail and outer_group_end(core) == len(core) - 1 and core.startswith("(?:"):
        return f"{flags}{core[3:-1]}"  # `.*(?:a|b).*` is a search for `a|b`
    head = "" if lead or core.startswith("^") else "^"
    tail = "" if trail or ends_with_anchor(core) else "$"
    return f"{flags}{head}{core}{tail}"
