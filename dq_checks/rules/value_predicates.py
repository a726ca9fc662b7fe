"""Row-level conditions as SQL predicates that say whether each row *passes*.

DQDL's NULL rules: a NULL fails every operator except `!=` and `not in`, which pass it;
`in [..., NULL]` and `= NULL` accept it explicitly. The predicates never evaluate to
NULL, so `COUNT_IF(NOT passes)` counts exactly the failing rows.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlglot import exp

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Comparison,
    Condition,
    Duration,
    Expr,
    InList,
    Keyword,
    Matches,
    Now,
    Number,
    String,
)
from dq_checks.metrics.sql import number
from dq_checks.rules.dynamic import evaluate_number
from dq_checks.rules.model import RuleError, no_history
from dq_checks.schema import ColumnInfo, ColumnKind

_COMPARE = {"=": exp.EQ, "!=": exp.NEQ, ">": exp.GT, ">=": exp.GTE, "<": exp.LT, "<=": exp.LTE}


def _false_if_null(predicate: exp.Expression) -> exp.Expression:
    return exp.func("COALESCE", exp.paren(predicate), exp.false())


def _is_null(value: exp.Expression) -> exp.Expression:
    return exp.Is(this=value.copy(), expression=exp.Null())


def _not_null(value: exp.Expression) -> exp.Expression:
    return exp.Not(this=_is_null(value))


def _keyword_predicate(keyword: Keyword, value: exp.Expression) -> exp.Expression:
    """True for rows whose value *is* the keyword (NULL, '' or only whitespace)."""
    if keyword.name == "NULL":
        return _is_null(value)
    if keyword.name == "EMPTY":
        return _false_if_null(exp.EQ(this=value.copy(), expression=exp.Literal.string("")))
    # Any whitespace counts (tabs and line breaks too), and there must be at least one character.
    only_spaces = exp.RegexpLike(this=value.copy(), expression=exp.Literal.string(r"^\s+$"))
    return _false_if_null(only_spaces)


def pass_predicate(
    condition: Condition, column: ColumnInfo, value: exp.Expression, now: datetime | None
) -> exp.Expression:
    """The predicate a row must satisfy to pass `ColumnValues "<column>" <condition>`."""
    match condition:
        case Comparison():
            return _comparison(condition, column, value, now)
        case Between():
            low, high = literal(condition.low, column, now), literal(condition.high, column, now)
            if condition.negated:
                outside = exp.or_(
                    exp.LTE(this=value.copy(), expression=low), exp.GTE(this=value.copy(), expression=high)
                )
                return _false_if_null(outside)
            inside = exp.and_(
                exp.GT(this=value.copy(), expression=low), exp.LT(this=value.copy(), expression=high)
            )
            return _false_if_null(inside)
        case InList():
            return _in_list(condition, column, value, now)
        case Matches():
            return _matches(condition, column, value)
    raise TypeError(condition)


def _comparison(
    condition: Comparison, column: ColumnInfo, value: exp.Expression, now: datetime | None
) -> exp.Expression:
    operand = condition.operand
    if isinstance(operand, Keyword):
        if condition.op not in ("=", "!="):
            raise RuleError(f"{operand.name} can only be compared with = or !=")
        if operand.name != "NULL":
            _require_text(column, operand.name)
        is_keyword = _keyword_predicate(operand, value)
        if condition.op == "=":
            return is_keyword
        if operand.name == "NULL":
            return _not_null(value)
        return exp.or_(_is_null(value), exp.Not(this=exp.paren(is_keyword)))
    target = literal(operand, column, now)
    compared = _COMPARE[condition.op](this=value.copy(), expression=target)
    if condition.op == "!=":
        return exp.or_(_is_null(value), compared)
    return _false_if_null(compared)


def _in_list(
    condition: InList, column: ColumnInfo, value: exp.Expression, now: datetime | None
) -> exp.Expression:
    keywords = [v for v in condition.values if isinstance(v, Keyword)]
    literals = [literal(v, column, now) for v in condition.values if not isinstance(v, Keyword)]
    for keyword in keywords:
        if keyword.name != "NULL":
            _require_text(column, keyword.name)
    member: exp.Expression | None = None
    if literals:
        member = _false_if_null(exp.In(this=value.copy(), expressions=literals))
    for keyword in keywords:
        is_keyword = _keyword_predicate(keyword, value)
        member = is_keyword if member is None else exp.or_(member, is_keyword)
    if member is None:
        member = exp.false()
    if not condition.negated:
        return member
    # `not in` passes NULL unless NULL is listed.
    listed_null = any(k.name == "NULL" for k in keywords)
    not_member = exp.Not(this=exp.paren(member))
    return not_member if listed_null else exp.or_(_is_null(value), not_member)


def _matches(condition: Matches, column: ColumnInfo, value: exp.Expression) -> exp.Expression:
    _require_text(column, "matches")
    if not isinstance(condition.pattern, String):
        raise RuleError("matches takes a quoted regular expression")
    try:
        re.compile(condition.pattern.value)
    except re.error as error:
        raise RuleError(f"regex {condition.pattern.value!r} does not compile: {error}") from None
    # DQDL matches the whole value; the engines' regexp functions search, so anchor the pattern.
    anchored = exp.Literal.string(f"^(?:{condition.pattern.value})$")
    found = exp.RegexpLike(this=value.copy(), expression=anchored)
    return _false_if_null(exp.Not(this=found) if condition.negated else found)


def _require_text(column: ColumnInfo, what: str) -> None:
    if column.kind is not ColumnKind.STRING:
        raise RuleError(f"{what} applies to text, but {column.name!r} is {column.data_type}")


def literal(expr: Expr, column: ColumnInfo, now: datetime | None) -> exp.Expression:
    """An operand as a SQL literal of the column's type, or a RuleError when they do not fit."""
    kind = column.kind
    if kind is ColumnKind.NUMERIC:
        if isinstance(expr, String | Keyword | Now | Duration):
            raise RuleError(
                f"{column.name!r} is numeric ({column.data_type}); it cannot be compared with {_text(expr)}"
            )
        if isinstance(expr, Number):
            return number(expr.value)  # an integer literal stays exact, whatever its size
        return number(evaluate_number(expr, no_history))
    if kind is ColumnKind.STRING:
        if not isinstance(expr, String):
            raise RuleError(f"{column.name!r} is text; compare it with a quoted string, not {_text(expr)}")
        return exp.Literal.string(expr.value)
    if kind is ColumnKind.TEMPORAL:
        return _instant(expr, column, now)
    if kind is ColumnKind.BOOLEAN:
        if isinstance(expr, String) and expr.value.lower() in ("true", "false"):
            return exp.true() if expr.value.lower() == "true" else exp.false()
        raise RuleError(f'{column.name!r} is boolean; compare it with "true" or "false"')
    raise RuleError(f"{column.name!r} has type {column.data_type}, which ColumnValues cannot compare")


def instant_value(expr: Expr, now: datetime | None) -> datetime | date:
    """A date operand's value: a date string, now(), or now() plus or minus a duration."""
    match expr:
        case String():
            try:
                parsed = datetime.fromisoformat(expr.value)
            except ValueError:
                raise RuleError(f"{expr.value!r} is not a date or timestamp (use YYYY-MM-DD)") from None
            if len(expr.value) == 10:
                return parsed.date()
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        case Now():
            return _now(now)
        case BinaryOp() if isinstance(expr.right, Duration) and expr.op in ("+", "-"):
            base = instant_value(expr.left, now)
            if not isinstance(base, datetime):
                base = datetime(base.year, base.month, base.day, tzinfo=UTC)
            delta = timedelta(seconds=expr.right.seconds)
            return base - delta if expr.op == "-" else base + delta
    raise RuleError(f'{_text(expr)} is not a date; use "YYYY-MM-DD", now() or (now() - 3 days)')


def _now(now: datetime | None) -> datetime:
    if now is None:
        raise RuleError("now() needs the evaluation time")
    return now


def _instant(expr: Expr, column: ColumnInfo, now: datetime | None) -> exp.Expression:
    value = instant_value(expr, now)
    if isinstance(value, datetime):
        if "tz" in column.data_type.lower() or "zone" in column.data_type.lower():
            return exp.cast(
                exp.Literal.string(value.astimezone(UTC).isoformat()), exp.DataType.build("timestamptz")
            )
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return exp.cast(exp.Literal.string(naive.isoformat(sep=" ")), exp.DataType.build("timestamp"))
    return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"))


def freshness_predicate(
    condition: Condition, column: ColumnInfo, value: exp.Expression, now: datetime | None
) -> exp.Expression:
    """DataFreshness: a row passes when its age (now - value) meets the duration condition; NULL fails."""
    if column.kind is not ColumnKind.TEMPORAL:
        raise RuleError(
            f"DataFreshness needs a date or timestamp column; {column.name!r} is {column.data_type}"
        )
    moment = _now(now)

    def cutoff(duration: Expr) -> exp.Expression:
        assert isinstance(duration, Duration)
        return _instant(BinaryOp("-", Now(), duration), column, moment)

    # age OP d  <=>  value (reversed OP) now - d
    reversed_ops = {"<=": exp.GTE, "<": exp.GT, ">=": exp.LTE, ">": exp.LT, "=": exp.EQ, "!=": exp.NEQ}
    if isinstance(condition, Comparison):
        compared = reversed_ops[condition.op](this=value.copy(), expression=cutoff(condition.operand))
        return _false_if_null(compared)
    if isinstance(condition, Between):
        younger_than_high = exp.GT(this=value.copy(), expression=cutoff(condition.high))
        older_than_low = exp.LT(this=value.copy(), expression=cutoff(condition.low))
        inside = exp.and_(younger_than_high, older_than_low)
        return _false_if_null(exp.Not(this=exp.paren(inside)) if condition.negated else inside)
    raise RuleError("DataFreshness compares ages with a comparison or between")


def _text(expr: Expr) -> str:
    from dq_checks.dqdl.printer import expr_text

    return expr_text(expr)
