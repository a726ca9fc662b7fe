"""GX suite parameters (`{"$PARAMETER": "..."}`) that DQDL states exactly, as DQDL operands.

A suite parameter is an expression GX evaluates when the suite runs. Those about time have
a DQDL counterpart: `now()` is the time of the run in both; `now() - timedelta(days=3)` is
`now() - 3 days` (weeks become days; seconds and smaller have no DQDL unit); a fixed
`datetime(2003, 1, 1)` is the date `"2003-01-01"`. GX's `now()` reads the validating
machine's clock without a zone, dq's is UTC: on a timestamp column without a zone the two
agree where GX runs on UTC, as containers do. Any other parameter (a value looked up from
another run, arithmetic on numbers) is known only when GX runs it: SuiteParameterUnsupported.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from dq_checks.dqdl.ast import BinaryOp, Duration, Expr, Now, Number, String

_UNITS = {"weeks": ("days", 7), "days": ("days", 1), "hours": ("hours", 1), "minutes": ("minutes", 1)}


class SuiteParameterUnsupported(ValueError):
    """A suite parameter DQDL cannot state."""


def suite_parameter(value: Mapping[str, object], key: str) -> Expr:
    """The DQDL operand a `{"$PARAMETER": ...}` value means."""
    expression = value.get("$PARAMETER")
    if set(value) != {"$PARAMETER"} or not isinstance(expression, str):
        raise SuiteParameterUnsupported(f"{key} is a suite parameter, known only when the suite runs")
    try:
        node = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        raise SuiteParameterUnsupported(f"{key}: suite parameter {expression!r} does not parse") from None
    try:
        return _operand(node)
    except SuiteParameterUnsupported as reason:
        raise SuiteParameterUnsupported(
            f"{key}: suite parameter {expression!r} is known only when the suite runs ({reason})"
        ) from None


def _operand(node: ast.expr) -> Expr:
    if _is_call(node, "now") and not node.args and not node.keywords:  # type: ignore[attr-defined]
        return Now()
    if _is_call(node, "datetime"):
        return String(_fixed_instant(node))  # type: ignore[arg-type]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub) and _is_call(node.left, "now"):
        duration = _duration(node.right)
        return BinaryOp("+" if isinstance(node.op, ast.Add) else "-", Now(), duration)
    raise SuiteParameterUnsupported("only now(), now() +/- timedelta(...) and datetime(...) are converted")


def _is_call(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name


def _whole(node: ast.expr) -> int:
    """A whole number written as digits, possibly multiplied: `52*100`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _whole(node.left) * _whole(node.right)
    raise SuiteParameterUnsupported(f"{ast.unparse(node)!r} is not a whole number")


def _duration(node: ast.expr) -> Duration:
    if not _is_call(node, "timedelta") or node.args or len(node.keywords) != 1:  # type: ignore[attr-defined]
        raise SuiteParameterUnsupported("the offset must be timedelta(<unit>=<whole number>)")
    (keyword,) = node.keywords  # type: ignore[attr-defined]
    if keyword.arg not in _UNITS:
        raise SuiteParameterUnsupported(f"timedelta({keyword.arg}=...) has no DQDL unit")
    unit, factor = _UNITS[keyword.arg]
    return Duration(Number(_whole(keyword.value) * factor), unit)  # type: ignore[arg-type]


def _fixed_instant(node: ast.Call) -> str:
    if node.keywords or not 3 <= len(node.args) <= 6:
        raise SuiteParameterUnsupported("datetime(year, month, day[, hour, minute, second])")
    parts = [_whole(arg) for arg in node.args] + [0] * (6 - len(node.args))
    year, month, day, hour, minute, second = parts
    date = f"{year:04d}-{month:02d}-{day:02d}"
    return date if hour == minute == second == 0 else f"{date} {hour:02d}:{minute:02d}:{second:02d}"
