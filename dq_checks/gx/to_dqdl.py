"""Great Expectations 1.x expectations, as plain JSON dicts, converted to DQDL rules.

Only exact equivalents are produced. An expectation whose meaning DQDL cannot state
exactly (an unknown type, an option with no counterpart, arguments GX itself refuses)
raises `Unsupported` with the reason, and a suite import lists it as skipped.

Differences in meaning handled here rather than glossed over:

- NULLs. GX column-map expectations (between, in set, regex, lengths, unique) leave NULLs
  out; DQDL ColumnValues fails a NULL for every operator but `!=` / `not in`, and
  ColumnLength reads a NULL as length 0. The rule therefore gets a `where` that the column
  IS NOT NULL (quoted as an SQL identifier): rows outside `where` never fail, as GX's
  left-out rows do.
- `mostly`. GX succeeds when (non-NULL rows - unexpected rows) / non-NULL rows >= mostly,
  and always when there is no non-NULL row (`ColumnMapExpectation._validate`); its row
  condition narrows both counts. DQDL's `with threshold` on a row-level rule is the passing
  share of the rows in scope (rows outside `where` are not counted), 1.0 when none is, as
  AWS's engine computes it. So `mostly: m` is `where "<column>" IS NOT NULL with threshold
  >= m`, the NOT NULL part written even for `not in`, which passes NULLs: they must not be
  counted. One rule must state the whole pass predicate, so a range inclusive at an end
  with both bounds set is refused: DQDL's `between` is exclusive and an `and` of two
  thresholded rules is two shares, not the share within both bounds. ColumnLength takes no
  threshold (AWS lists none for it), so `mostly` on lengths is refused. `mostly` on
  not-NULL is Completeness (the share of the rows in scope), on uniqueness Uniqueness (a
  share of the grouped, non-NULL rows in both).
- DQDL `between a and b` is exclusive, GX bounds are inclusive unless `strict_min` /
  `strict_max`; inclusive bounds become `>=` / `<=`, two of them an `and` composite when
  every row must pass.
- GX `regex` is a search (the pattern may match anywhere in the value) while DQDL
  `matches` must match the whole value; `search_to_full_match` rewrites the pattern.
- `row_condition` becomes the rule's `where` when `row_condition.row_condition_sql` can
  translate it exactly; time suite parameters become `now()` forms (`suite_parameters`).
- Compound uniqueness: GX's default `ignore_row_if="all_values_are_missing"` is dq's
  multi-column uniqueness (rows with every key NULL are left out, NULLs group together);
  `any_value_is_missing` adds a `where` that every key is present; `never` is refused.
- Arguments GX raises on (min above max, bounds of two types, no bounds at all where GX
  has nothing to check) are refused with the reason, never turned into a rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Comparison,
    Composite,
    Condition,
    Expr,
    InList,
    Matches,
    Now,
    Number,
    Param,
    Rule,
    RuleExpr,
    String,
)
from dq_checks.dqdl.printer import rule_text
from dq_checks.gx.row_condition import RowConditionUnsupported, quote_identifier, row_condition_sql
from dq_checks.gx.suite_parameters import SuiteParameterUnsupported, suite_parameter
from dq_checks.rules.domains import COUNT, domain_problem
from dq_checks.rules.types.registry import RULE_TYPES

Severity = Literal["error", "warn"]

# GX options that change how a result is reported, never whether it passes.
_REPORTING_OPTIONS = frozenset({"result_format", "catch_exceptions", "include_config", "batch_id"})
# GX 1.x's default for expect_compound_columns_to_be_unique.
_COMPOUND_DEFAULT_IGNORE = "all_values_are_missing"
MOSTLY_ON_LENGTHS = "mostly on lengths: DQDL's ColumnLength takes no 'with threshold' (AWS lists none for it)"
MOSTLY_ON_A_RANGE = (
    "mostly on a range inclusive at an end: DQDL's between is exclusive, and an 'and' of two "
    "rules with a threshold each is two shares, not the share of values within both bounds"
)
_INLINE_FLAGS = re.compile(r"^\(\?[aiLmsux]+\)")


class SuiteFormatError(ValueError):
    """The JSON is not a Great Expectations expectation suite."""


class Unsupported(Exception):
    """An expectation, or one of its options, that has no exact DQDL equivalent."""


@dataclass(frozen=True)
class ImportedRule:
    """One expectation converted: its 1-based place in the suite and the DQDL it became."""

    number: int
    expectation_type: str
    rule: RuleExpr
    name: str | None
    severity: Severity

    @property
    def text(self) -> str:
        """The rule as DQDL text."""
        return rule_text(self.rule)


@dataclass(frozen=True)
class SkippedExpectation:
    """An expectation left out, and why."""

    number: int
    expectation_type: str
    reason: str


@dataclass(frozen=True)
class SuiteImport:
    """A whole suite converted: the rules, in suite order, and the expectations skipped."""

    name: str | None
    rules: tuple[ImportedRule, ...]
    skipped: tuple[SkippedExpectation, ...]


def suite_to_dqdl(suite: object) -> SuiteImport:
    """Convert every expectation of a GX suite (as `ExpectationSuite.to_json_dict()` writes it).

    Raises SuiteFormatError when the document is not a suite at all; an expectation that
    cannot be converted is reported in `skipped` instead.
    """
    if not isinstance(suite, Mapping):
        raise SuiteFormatError("an expectation suite is a JSON object with an 'expectations' list")
    expectations = suite.get("expectations")
    if not isinstance(expectations, list):
        raise SuiteFormatError("the suite has no 'expectations' list")
    rules: list[ImportedRule] = []
    skipped: list[SkippedExpectation] = []
    for number, expectation in enumerate(expectations, start=1):
        expectation_type, kwargs = _parts(expectation, number)
        try:
            rule = expectation_to_dqdl(expectation_type, kwargs)
        except Unsupported as reason:
            skipped.append(SkippedExpectation(number, expectation_type, str(reason)))
            continue
        meta = expectation.get("meta")
        name = meta.get("name") if isinstance(meta, Mapping) else None
        rules.append(
            ImportedRule(
                number=number,
                expectation_type=expectation_type,
                rule=rule,
                name=name if isinstance(name, str) and name else None,
                severity=gx_severity_to_dq(expectation.get("severity")),
            )
        )
    name = suite.get("name", suite.get("expectation_suite_name"))
    return SuiteImport(name if isinstance(name, str) else None, tuple(rules), tuple(skipped))


def _parts(expectation: object, number: int) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(expectation, Mapping):
        raise SuiteFormatError(f"expectation {number} is not a JSON object")
    # GX 1.x writes `type`; 0.x suites said `expectation_type`.
    expectation_type = expectation.get("type", expectation.get("expectation_type"))
    if not isinstance(expectation_type, str) or not expectation_type:
        raise SuiteFormatError(f"expectation {number} has no 'type'")
    kwargs = expectation.get("kwargs", {})
    if not isinstance(kwargs, Mapping):
        raise SuiteFormatError(f"expectation {number} ({expectation_type}): 'kwargs' is not an object")
    return expectation_type, kwargs


def gx_severity_to_dq(severity: object) -> Severity:
    """GX 1.x `critical` (the default) fails the check; `warning` and `info` only warn."""
    return "warn" if severity in ("warning", "info") else "error"


def expectation_to_dqdl(expectation_type: str, kwargs: Mapping[str, Any]) -> RuleExpr:
    """The DQDL rule that means exactly what the expectation means; raises Unsupported otherwise."""
    converter = _CONVERTERS.get(expectation_type)
    if converter is None:
        raise Unsupported("unsupported expectation type: it has no DQDL equivalent")
    options = _Kwargs(kwargs)
    rule = converter(options)
    options.reject_unused()
    return rule


class _Kwargs:
    """An expectation's kwargs, read one by one; whatever nobody read makes it Unsupported.

    An option the converter does not understand may change the result, so it is never
    silently dropped.
    """

    def __init__(self, kwargs: Mapping[str, Any]) -> None:
        self._kwargs = dict(kwargs)
        self._read = set(_REPORTING_OPTIONS)
        self.row_condition: str | None = None
        condition, parser = self.get("row_condition"), self.get("condition_parser")
        if condition not in (None, ""):
            if not isinstance(condition, str) or not (parser is None or isinstance(parser, str)):
                raise Unsupported("row_condition and condition_parser must be strings")
            try:
                self.row_condition = row_condition_sql(condition, parser)
            except RowConditionUnsupported as reason:
                raise Unsupported(f"row_condition: {reason}") from None
        if self.get("windows") is not None:
            raise Unsupported("windows (dynamic bounds from past runs) are not converted")

    def get(self, key: str) -> Any:
        self._read.add(key)
        value = self._kwargs.get(key)
        if isinstance(value, Mapping):
            raise Unsupported(f"{key} is a suite parameter, known only when the suite runs")
        return value

    def bound(self, key: str) -> object:
        """A bound, which may be a time suite parameter (`now()`, `now() - timedelta(...)`)."""
        self._read.add(key)
        value = self._kwargs.get(key)
        if isinstance(value, Mapping):
            try:
                return suite_parameter(value, key)
            except SuiteParameterUnsupported as reason:
                raise Unsupported(str(reason)) from None
        return value

    def no_row_condition(self, what: str) -> None:
        """Refuse a row_condition where a `where` would not mean the same."""
        if self.row_condition is not None:
            raise Unsupported(f"row_condition on {what} is not converted")

    def where(self, *present: String) -> String | None:
        """The rule's `where`: the row condition, and that each of `present` is not NULL."""
        parts = [self.row_condition] if self.row_condition else []
        parts += [f"{quote_identifier(c.value)} IS NOT NULL" for c in present]
        return String(" AND ".join(parts)) if parts else None

    def reject_unused(self) -> None:
        unused = sorted(set(self._kwargs) - self._read)
        if unused:
            raise Unsupported(f"unsupported option(s): {', '.join(unused)}")

    def column(self, key: str = "column") -> String:
        value = self.get(key)
        if not isinstance(value, str) or not value:
            raise Unsupported(f"{key} must be a column name")
        return String(value)

    def columns(self) -> tuple[String, ...]:
        value = self.get("column_list")
        if not isinstance(value, list) or not value or not all(isinstance(c, str) and c for c in value):
            raise Unsupported("column_list must be a list of column names")
        return tuple(String(c) for c in value)

    def flag(self, key: str) -> bool:
        value = self.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise Unsupported(f"{key} must be true or false")
        return value

    def threshold(self) -> Condition | None:
        """`mostly` as `with threshold >= mostly`; None when every row must pass."""
        value = self.get("mostly")
        if value is None:
            return None
        mostly = number(value, "mostly")
        if not 0 <= mostly.value <= 1:
            raise Unsupported("mostly must be between 0 and 1 (GX raises)")
        if mostly.value == 0:
            raise Unsupported("nothing to check: every share meets mostly 0 (GX always passes)")
        return None if mostly.value == 1 else Comparison(">=", mostly)

    def share_of_non_null(self, column: String) -> tuple[Condition | None, String | None]:
        """`mostly` on a column-map expectation, and the rule's `where`.

        GX's share is of the non-NULL rows (in the row condition), so with `mostly` the
        `where` always leaves the column's NULLs out: DQDL's threshold is then a share of
        exactly those rows. Without it, `where` is the row condition alone.
        """
        threshold = self.threshold()
        return threshold, (self.where(column) if threshold is not None else self.where())


def number(value: object, key: str) -> Number:
    """A JSON number as a DQDL literal; whole floats print as integers (GX writes 1.0 for 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unsupported(f"{key} must be a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Unsupported(f"{key} must be a finite number")
        if value.is_integer() and abs(value) < 2**53:
            return Number(int(value))
    return Number(value)


def _value(value: object, key: str) -> Number | String:
    if isinstance(value, str):
        return String(value)
    return number(value, key)


# --- one converter per expectation type ----------------------------------------------------


def _column_exists(k: _Kwargs) -> RuleExpr:
    column = k.column()
    k.no_row_condition("a column's existence")
    if k.get("column_index") is not None:
        raise Unsupported("column_index (the column's position) has no DQDL equivalent")
    return Rule("ColumnExists", (column,))


def _not_null(k: _Kwargs) -> RuleExpr:
    column, threshold, where = k.column(), k.threshold(), k.where()
    if threshold is None:
        return Rule("IsComplete", (column,), where=where)
    # Both are the share of the rows the condition keeps, and pass when it keeps none
    return Rule("Completeness", (column,), condition=threshold, where=where)


def _unique(k: _Kwargs) -> RuleExpr:
    # Both leave NULLs out, and both take the share of the remaining rows.
    return _uniqueness((k.column(),), k.threshold(), k.where())


def _compound_unique(k: _Kwargs) -> RuleExpr:
    columns = k.columns()
    ignore = k.get("ignore_row_if")
    if ignore in (None, _COMPOUND_DEFAULT_IGNORE):
        where = k.where()  # dq's own multi-column uniqueness leaves out rows with every key NULL
    elif ignore == "any_value_is_missing":
        where = k.where(*columns)
    elif ignore == "never":
        raise Unsupported(
            "ignore_row_if 'never' groups rows whose keys are all NULL; dq's uniqueness leaves them out"
        )
    else:
        raise Unsupported(f"ignore_row_if {ignore!r} is not one of GX's options")
    return _uniqueness(columns, k.threshold(), where)


def _uniqueness(columns: tuple[String, ...], threshold: Condition | None, where: String | None) -> RuleExpr:
    if threshold is None:
        return Rule("IsUnique", columns, where=where)
    return Rule("Uniqueness", columns, condition=threshold, where=where)


def _in_set(k: _Kwargs, *, negated: bool) -> RuleExpr:
    column = k.column()
    values = k.get("value_set")
    if not isinstance(values, list):
        raise Unsupported("value_set must be a list (GX raises)")
    # GX leaves NULL rows out, so a None in the set matches nothing
    listed = tuple(_value(v, "value_set") for v in values if v is not None)
    threshold, where = k.share_of_non_null(column)
    if not listed:
        if negated:
            raise Unsupported("nothing to check: no value is excluded (GX always passes)")
        raise Unsupported("value_set is empty: DQDL has no empty list")
    # `not in` passes a NULL already; `in` fails it, so NULL rows are left out
    where = where if negated else k.where(column)
    condition = InList(listed, negated=negated)
    return Rule("ColumnValues", (column,), condition=condition, where=where, threshold=threshold)


def _regex(k: _Kwargs, *, negated: bool) -> RuleExpr:
    column = k.column()
    regex = k.get("regex")
    if not isinstance(regex, str):
        raise Unsupported("regex must be a string")
    threshold = k.threshold()
    pattern = String(search_to_full_match(regex))
    condition = Matches(pattern, negated=negated)
    return Rule("ColumnValues", (column,), condition=condition, where=k.where(column), threshold=threshold)


def _values_between(k: _Kwargs) -> RuleExpr:
    column = k.column()
    bounds = _Bounds.read(k, _value, parameters=True)
    return bounds.rule("ColumnValues", (column,), k.where(column), k.threshold())


def _lengths_between(k: _Kwargs) -> RuleExpr:
    column = k.column()
    bounds = _Bounds.read(k, number)
    for bound in (bounds.low, bounds.high):
        if isinstance(bound, Number) and not isinstance(bound.value, int):
            raise Unsupported("a length bound must be a whole number (GX raises)")
    if k.threshold() is not None:
        raise Unsupported(MOSTLY_ON_LENGTHS)
    return bounds.rule("ColumnLength", (column,), k.where(column))


def _lengths_equal(k: _Kwargs) -> RuleExpr:
    column = k.column()
    value = number(k.get("value"), "value")
    if k.threshold() is not None:
        raise Unsupported(MOSTLY_ON_LENGTHS)
    return Rule("ColumnLength", (column,), condition=Comparison("=", value), where=k.where(column))


def _equal(rule_type: str, *, column: bool) -> Callable[[_Kwargs], RuleExpr]:
    def convert(k: _Kwargs) -> RuleExpr:
        params = (k.column(),) if column else ()
        k.no_row_condition(rule_type)
        return Rule(rule_type, params, condition=Comparison("=", number(k.get("value"), "value")))

    return convert


def _aggregate(rule_type: str, *, column: bool, strict: bool = True) -> Callable[[_Kwargs], RuleExpr]:
    def convert(k: _Kwargs) -> RuleExpr:
        params = (k.column(),) if column else ()
        k.no_row_condition(rule_type)
        return _Bounds.read(k, number, strict=strict).rule(rule_type, params, None)

    return convert


def _stdev(k: _Kwargs) -> RuleExpr:
    k.column()
    raise Unsupported(
        "GX's standard deviation is the sample one (divided by n - 1), DQDL's StandardDeviation "
        "the population one (divided by n), as AWS defines it"
    )


_Literal = Callable[[object, str], Number | String]


@dataclass(frozen=True)
class _Bounds:
    """`min_value` / `max_value` with their strictness, as GX's *_to_be_between take them."""

    low: Expr | None
    high: Expr | None
    strict_low: bool
    strict_high: bool

    @classmethod
    def read(cls, k: _Kwargs, literal: _Literal, *, strict: bool = True, parameters: bool = False) -> _Bounds:
        """The bounds; Unsupported where GX raises or has nothing to check."""
        low, high = (k.bound(key) if parameters else k.get(key) for key in ("min_value", "max_value"))
        if low is None and high is None:
            raise Unsupported("nothing to check: neither min_value nor max_value is set")
        bounds = cls(
            low=_bound(low, "min_value", literal),
            high=_bound(high, "max_value", literal),
            strict_low=k.flag("strict_min") if strict else False,
            strict_high=k.flag("strict_max") if strict else False,
        )
        bounds.check_order()
        return bounds

    def check_order(self) -> None:
        """GX raises on bounds of two types and on min_value above max_value; so does the import."""
        low, high = self.low, self.high
        if not (isinstance(low, Number | String) and isinstance(high, Number | String)):
            return
        if type(low) is not type(high):
            raise Unsupported("min_value and max_value are of different types (GX raises)")
        if _ordered(low) > _ordered(high):
            raise Unsupported("min_value is above max_value (GX raises)")

    def rule(
        self,
        rule_type: str,
        params: tuple[Param, ...],
        where: String | None,
        threshold: Condition | None = None,
    ) -> RuleExpr:
        """The rule for these bounds. DQDL `between` is exclusive, so it only fits two strict bounds.

        `threshold` (GX's `mostly`) must be the share of one pass predicate: a range with
        both bounds set and one of them inclusive is Unsupported with it. On a count, a
        minimum every count meets is left out, and bounds no count meets are Unsupported:
        dq refuses such a condition (`RowCount >= 0`) as a mistake.
        """
        domain = RULE_TYPES[rule_type].domain
        bounds = self._on_counts(rule_type) if domain is COUNT else self
        rule = bounds._rule(rule_type, params, where, threshold)
        parts = rule.rules if isinstance(rule, Composite) else (rule,)
        for part in parts if domain is not None else ():
            assert isinstance(part, Rule) and part.condition is not None
            problem = domain_problem(part.condition, domain, rule_type)
            if problem is not None:
                raise Unsupported(f"{problem}; dq refuses a rule that cannot pass")
        return rule

    def _on_counts(self, rule_type: str) -> _Bounds:
        """A minimum every count (a whole number of at least 0) meets checks nothing: it goes."""
        low = self.low
        if isinstance(low, Number) and (low.value < 0 or (low.value == 0 and not self.strict_low)):
            if self.high is None:
                raise Unsupported(
                    f"nothing to check: {rule_type} is at least 0, so min_value {low.value} is always "
                    "met and there is no max_value (GX always passes)"
                )
            return replace(self, low=None, strict_low=False)
        return self

    def _rule(
        self, rule_type: str, params: tuple[Param, ...], where: String | None, threshold: Condition | None
    ) -> RuleExpr:
        lower = None if self.low is None else Comparison(">" if self.strict_low else ">=", self.low)
        upper = None if self.high is None else Comparison("<" if self.strict_high else "<=", self.high)

        def single(condition: Condition) -> Rule:
            return Rule(rule_type, params, condition=condition, where=where, threshold=threshold)

        if self.low is None or self.high is None:
            one = lower or upper
            assert one is not None, "read() refuses bounds with neither side set"
            return single(one)
        if self.strict_low and self.strict_high:
            return single(Between(self.low, self.high))
        if self.low == self.high and not (self.strict_low or self.strict_high):
            return single(Comparison("=", self.low))
        if threshold is not None:
            raise Unsupported(MOSTLY_ON_A_RANGE)
        # Every row within both bounds <=> every row within each: an `and` of two rules is exact.
        return Composite(
            "and", (Rule(rule_type, params, lower, where=where), Rule(rule_type, params, upper, where=where))
        )


def _bound(value: object, key: str, literal: _Literal) -> Expr | None:
    """None, an operand a suite parameter became, or a JSON value as a DQDL literal."""
    if value is None or isinstance(value, Now | BinaryOp | String):
        return value  # type: ignore[return-value]
    return literal(value, key)


def _ordered(value: Number | String) -> Any:
    """A bound's value for ordering: numbers as they are, dates and times as instants."""
    if isinstance(value, Number):
        return value.value
    try:
        return datetime.fromisoformat(value.value).replace(tzinfo=None)
    except ValueError:
        return value.value


_CONVERTERS: dict[str, Callable[[_Kwargs], RuleExpr]] = {
    "expect_column_to_exist": _column_exists,
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_unique": _unique,
    "expect_compound_columns_to_be_unique": _compound_unique,
    "expect_column_values_to_be_between": _values_between,
    "expect_column_values_to_be_in_set": lambda k: _in_set(k, negated=False),
    "expect_column_values_to_not_be_in_set": lambda k: _in_set(k, negated=True),
    "expect_column_values_to_match_regex": lambda k: _regex(k, negated=False),
    "expect_column_values_to_not_match_regex": lambda k: _regex(k, negated=True),
    "expect_column_value_lengths_to_be_between": _lengths_between,
    "expect_column_value_lengths_to_equal": _lengths_equal,
    "expect_table_row_count_to_be_between": _aggregate("RowCount", column=False),
    "expect_table_row_count_to_equal": _equal("RowCount", column=False),
    "expect_table_column_count_to_be_between": _aggregate("ColumnCount", column=False, strict=False),
    "expect_table_column_count_to_equal": _equal("ColumnCount", column=False),
    "expect_column_mean_to_be_between": _aggregate("Mean", column=True),
    "expect_column_sum_to_be_between": _aggregate("Sum", column=True),
    "expect_column_stdev_to_be_between": _stdev,
    "expect_column_unique_value_count_to_be_between": _aggregate("DistinctValuesCount", column=True),
}

SUPPORTED_EXPECTATIONS: tuple[str, ...] = tuple(_CONVERTERS)

# --- regular expressions: GX searches, DQDL matches the whole value --------------------------


def search_to_full_match(regex: str) -> str:
    """A pattern that matches a whole value exactly when `regex` matches somewhere inside it.

    `.*` is added on each side the pattern leaves open, so an anchored `^[a-z]+$` stays as
    it is and `abc` becomes `.*abc.*`; a top-level alternation is grouped first, since
    `.*a|b.*` would mean something else. Caveat: `.` does not match a line break, so a
    value spanning several lines may match in GX and not in DQDL.
    """
    flags, body = split_inline_flags(regex)
    if has_top_level_alternation(body):
        return f"{flags}.*(?:{body}).*"
    head = "" if body.startswith("^") else ".*"
    tail = "" if ends_with_anchor(body) or ends_with_any(body) else ".*"
    return f"{flags}{head}{body}{tail}"


def split_inline_flags(regex: str) -> tuple[str, str]:
    """`(?i)abc` -> (`(?i)`, `abc`): global flags must stay at the very start of a pattern."""
    match = _INLINE_FLAGS.match(regex)
    return (match.group(), regex[match.end() :]) if match else ("", regex)


def has_top_level_alternation(regex: str) -> bool:
    """Whether `regex` has a `|` outside every group and character class."""
    return any(char == "|" and depth == 0 for _, char, depth in structure(regex))


def outer_group_end(regex: str) -> int | None:
    """Where the group opened by `regex[0]` closes, or None if `regex` does not start with one."""
    if not regex.startswith("("):
        return None
    return next((i for i, char, depth in structure(regex) if char == ")" and depth == 1), None)


def ends_with_anchor(regex: str) -> bool:
    """Whether `regex` ends with an unescaped `$`."""
    return regex.endswith("$") and not is_escaped(regex, len(regex) - 1)


def ends_with_any(regex: str) -> bool:
    """Whether `regex` ends with an unescaped `.*` (anything, to the end)."""
    return regex.endswith(".*") and not is_escaped(regex, len(regex) - 2)


def is_escaped(regex: str, index: int) -> bool:
    """Whether the character at `index` follows an odd number of backslashes."""
    backslashes = len(regex[:index]) - len(regex[:index].rstrip("\\"))
    return backslashes % 2 == 1


def structure(regex: str) -> Iterator[tuple[int, str, int]]:
    """Each unescaped character outside character classes: (index, char, group depth before it)."""
    depth, index, class_start = 0, 0, -1
    in_class = False
    while index < len(regex):
        char = regex[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            # `]` straight after `[` or `[^` is a literal, not the end of the class
            in_class = not (char == "]" and index != class_start)
        elif char == "[":
            in_class = True
            class_start = index + (2 if regex[index + 1 : index + 2] == "^" else 1)
        else:
            yield index, char, depth
            depth += {"(": 1, ")": -1}.get(char, 0)
        index += 1
