"""GX `row_condition`s translated to the SQL of a DQDL `where`, only where the meaning is kept.

GX filters the rows before judging them; a DQDL `where` leaves rows outside it as passing,
which without `mostly` is the same (a row left out can fail nothing). Two parsers are read:

- `pandas` (GX runs it with `DataFrame.query`): comparisons of a column with a literal,
  joined by `&` / `|` / `~` or `and` / `or` / `not`. pandas compares NULL as false, except
  `!=`, which is true; each comparison is therefore made two-valued in SQL
  (`COALESCE("a" = 1, FALSE)`, `COALESCE("a" <> 1, TRUE)`), so `~` negates as pandas does.
- `great_expectations` (`col("a") > 5`): GX gives it to pandas or to SQL as the engine is;
  only `==`, `<`, `<=`, `>`, `>=` joined by `and` / `&` are read, where both agree that a
  NULL leaves the row out. `!=`, `or` and `not` are refused: there the engines differ.

Caveat, as GX's own pandas tests show: pandas never converts a literal (`x == "1"` is false
on a numeric `x`), SQL converts a quoted literal to the column's type. The translation is
exact when each literal has its column's type, which is what a row condition means to say.
Anything else (function calls, arithmetic, `spark` syntax, other parsers) raises
RowConditionUnsupported with the reason.
"""

from __future__ import annotations

import ast
import io
import tokenize

_SQL_OPS: dict[type[ast.cmpop], str] = {
    ast.Eq: "=",
    ast.NotEq: "<>",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
_PANDAS_WORDS = {"&": "and", "|": "or", "~": "not"}


class RowConditionUnsupported(ValueError):
    """A row condition that has no exact SQL translation here."""


def row_condition_sql(condition: str, parser: str | None) -> str:
    """The SQL predicate meaning `condition` as GX's `parser` reads it."""
    if parser == "pandas":
        return _Translator(two_valued=True).sql(_parse(_pandas_words(condition), condition))
    if parser in (None, "great_expectations", "great_expectations__experimental__"):
        return _Translator(two_valued=False).sql(_parse(_pandas_words(condition), condition))
    raise RowConditionUnsupported(f"condition_parser {parser!r} is not translated to SQL")


def _pandas_words(condition: str) -> str:
    """`&`, `|`, `~` as `and`, `or`, `not`: pandas gives them that precedence, Python does not."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(condition).readline))
    except (tokenize.TokenError, SyntaxError) as error:
        raise RowConditionUnsupported(f"row_condition {condition!r} does not parse: {error}") from None
    words = [
        (tokenize.NAME, _PANDAS_WORDS[t.string])
        if t.type == tokenize.OP and t.string in _PANDAS_WORDS
        else t[:2]
        for t in tokens
    ]
    return tokenize.untokenize(words)


def _parse(text: str, original: str) -> ast.expr:
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        raise RowConditionUnsupported(f"row_condition {original!r} does not parse") from None


class _Translator:
    """Python expression nodes to SQL text; `two_valued` makes each comparison TRUE or FALSE."""

    def __init__(self, *, two_valued: bool) -> None:
        self.two_valued = two_valued

    def sql(self, node: ast.expr) -> str:
        if isinstance(node, ast.BoolOp):
            if isinstance(node.op, ast.Or) and not self.two_valued:
                raise RowConditionUnsupported("'or' in a great_expectations row_condition is not translated")
            word = " AND " if isinstance(node.op, ast.And) else " OR "
            return "(" + word.join(self.sql(value) for value in node.values) + ")"
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            if not self.two_valued:
                raise RowConditionUnsupported("'not' in a great_expectations row_condition is not translated")
            return f"(NOT {self.sql(node.operand)})"
        if isinstance(node, ast.Compare):
            return self._comparison(node)
        raise RowConditionUnsupported(f"{ast.unparse(node)!r}: only comparisons of a column with a literal")

    def _comparison(self, node: ast.Compare) -> str:
        if len(node.ops) != 1 or type(node.ops[0]) not in _SQL_OPS:
            raise RowConditionUnsupported(
                f"{ast.unparse(node)!r}: one comparison at a time (==, !=, <, <=, >, >=)"
            )
        op = node.ops[0]
        left, right = node.left, node.comparators[0]
        if self._column(right) is not None and self._column(left) is None:
            left, right = right, left
            op = {ast.Lt: ast.Gt(), ast.LtE: ast.GtE(), ast.Gt: ast.Lt(), ast.GtE: ast.LtE()}.get(
                type(op), op
            )
        name = self._column(left)
        if name is None:
            raise RowConditionUnsupported(f"{ast.unparse(node)!r}: compare a column with a literal")
        if isinstance(op, ast.NotEq) and not self.two_valued:
            raise RowConditionUnsupported("'!=' in a great_expectations row_condition is not translated")
        comparison = f"{quote_identifier(name)} {_SQL_OPS[type(op)]} {_literal(right, node)}"
        if not self.two_valued:
            return f"({comparison})"
        # pandas: NULL != x is true, every other comparison with NULL is false
        return f"COALESCE({comparison}, {'TRUE' if isinstance(op, ast.NotEq) else 'FALSE'})"

    def _column(self, node: ast.expr) -> str | None:
        if self.two_valued:
            return (
                node.id if isinstance(node, ast.Name) and node.id not in ("True", "False", "None") else None
            )
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "col"
            and len(node.args) == 1
            and not node.keywords
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            return node.args[0].value
        return None


def _literal(node: ast.expr, whole: ast.Compare) -> str:
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
    ):
        return "-" + _literal(node.operand, whole)
    if isinstance(node, ast.Constant) and not isinstance(node.value, bool):
        if isinstance(node.value, str):
            return "'" + node.value.replace("'", "''") + "'"
        if isinstance(node.value, int | float):
            return repr(node.value)
    raise RowConditionUnsupported(f"{ast.unparse(whole)!r}: the literal must be a number or a string")


def quote_identifier(name: str) -> str:
    """A column name as an SQL identifier in double quotes, as every engine dq runs on reads it."""
    return '"' + name.replace('"', '""') + '"'
