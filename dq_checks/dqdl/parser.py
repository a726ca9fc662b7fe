"""Parse DQDL text into the typed syntax tree, with errors that say `line:column` and what was expected."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from dq_checks.dqdl.ast import (
    Between,
    BinaryOp,
    Call,
    Comparison,
    Composite,
    ConstantRef,
    Duration,
    InList,
    Keyword,
    Labels,
    Matches,
    Negate,
    Now,
    Number,
    Position,
    Rule,
    RuleExpr,
    Ruleset,
    String,
)

GRAMMAR = Path(__file__).with_name("grammar.lark")

# Readable names for the terminals an error may say were expected.
_EXPECTED_NAMES = {
    "NAME": "a rule type or name",
    "STRING": 'a "quoted string"',
    "NUMBER": "a number",
    "CONSTANT": "a $constant",
    "COMPARATOR": "a comparison (= != > >= < <=)",
    "KEYWORD": "NULL, EMPTY or WHITESPACES_ONLY",
    "TIME_UNIT": "days, hours or minutes",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COMMA": "','",
    "COLON": "':'",
    "EQUAL": "'='",
    "MINUS": "'-'",
    "PLUS": "'+'",
    "TIMES": "'*'",
    "DIVIDE": "'/'",
    "$END": "end of input",
    "_AND": "'and'",
    "_OR": "'or'",
}


class DQDLSyntaxError(ValueError):
    """DQDL that does not parse. `line` and `column` are 1-based, within the parsed text."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


@cache
def _parser() -> Lark:
    return Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        start=["document", "rule_entry"],
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
    )


def parse_ruleset(text: str) -> Ruleset:
    """Parse a whole ruleset document (`Rules = [...]`, constants, Analyzers, Metadata...)."""
    return _parse(text, "document")


def parse_rule(text: str) -> RuleExpr:
    """Parse one rule, as written in a table definition's `rule:`."""
    return _parse(text, "rule_entry")


def _parse(text: str, start: str) -> Any:
    try:
        tree = _parser().parse(text, start=start)
        return _ToAst().transform(tree)
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    except VisitError as error:
        if isinstance(error.orig_exc, DQDLSyntaxError):
            raise error.orig_exc from None
        raise


def _syntax_error(error: UnexpectedInput, text: str) -> DQDLSyntaxError:
    line, column = getattr(error, "line", 1) or 1, getattr(error, "column", 1) or 1
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        found = "end of input"
        line, column = _end_position(text)
    elif isinstance(error, UnexpectedToken):
        found = repr(str(error.token))
    elif isinstance(error, UnexpectedCharacters):
        if text[error.pos_in_stream : error.pos_in_stream + 1] == '"':
            # A quote the STRING terminal cannot close: the string runs into the end of its line.
            return DQDLSyntaxError('unterminated string: no closing " on this line', line, column)
        found = repr(text[error.pos_in_stream]) if error.pos_in_stream < len(text) else "end of input"
    else:
        found = "input"
    candidates = getattr(error, "expected", None) or getattr(error, "allowed", None) or ()
    expected = sorted({_EXPECTED_NAMES.get(name, _literal(name)) for name in candidates})
    hint = f"; expected {', '.join(expected)}" if expected else ""
    return DQDLSyntaxError(f"unexpected {found}{hint}", line, column)


def _literal(terminal: str) -> str:
    """Lark names keyword terminals after their text: BETWEEN -> 'between'."""
    return f"'{terminal.lower()}'" if terminal.isupper() else terminal


def _end_position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def _unquote(token: Token) -> str:
    body = str(token)[1:-1]
    out, index = [], 0
    while index < len(body):
        char = body[index]
        if char == "\\" and index + 1 < len(body) and body[index + 1] in '"\\':
            out.append(body[index + 1])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


def _number(token: Token) -> Number:
    text = str(token)
    if not math.isfinite(float(text)):
        # `1e400`, or 400 digits: no 64-bit float holds it, and every engine compares in them.
        raise DQDLSyntaxError(
            f"the number {_shortened(text)} is too large for a 64-bit float",
            token.line or 1,
            token.column or 1,
        )
    if "." in text or "e" in text.lower():
        return Number(float(text))
    return Number(int(text))


def _shortened(text: str, keep: int = 12) -> str:
    return text if len(text) <= 2 * keep else f"{text[:keep]}...{text[-keep:]} ({len(text)} characters)"


def _position(meta: Any) -> Position | None:
    return Position(meta.line, meta.column) if getattr(meta, "line", None) is not None else None


class _Pairs(tuple):  # type: ignore[type-arg]
    """The key-value pairs of a `{...}` dictionary, told apart from a `[...]` list."""


def _labels(value: tuple[Any, ...]) -> Labels:
    if isinstance(value, _Pairs):
        return Labels(pairs=tuple(value))
    return Labels(values=tuple(value))


class _ToAst(Transformer):
    """Lark parse tree -> dq_checks.dqdl.ast nodes."""

    # --- atoms
    def number(self, items: list[Token]) -> Number:
        return _number(items[0])

    def string(self, items: list[Token]) -> String:
        return String(_unquote(items[0]))

    def keyword(self, items: list[Token]) -> Keyword:
        return Keyword(str(items[0]))  # type: ignore[arg-type]

    def now(self, _items: list[Any]) -> Now:
        return Now()

    def constant_ref(self, items: list[Token]) -> ConstantRef:
        return ConstantRef(str(items[0])[1:])

    def duration(self, items: list[Any]) -> Duration:
        return Duration(items[0], str(items[1]))  # type: ignore[arg-type]

    def call(self, items: list[Any]) -> Call:
        return Call(str(items[0]), tuple(items[1:]))

    def binary(self, items: list[Any]) -> BinaryOp:
        return BinaryOp(str(items[1]), items[0], items[2])  # type: ignore[arg-type]

    def negative_number(self, items: list[Number]) -> Number:
        return Number(-items[0].value)

    def negate(self, items: list[Any]) -> Number | Negate:
        operand = items[0]
        if isinstance(operand, Number):
            return Number(-operand.value)
        return Negate(operand)

    # --- conditions
    def comparison(self, items: list[Any]) -> Comparison:
        return Comparison(str(items[0]), items[1])  # type: ignore[arg-type]

    def between(self, items: list[Any]) -> Between:
        return Between(items[0], items[1])

    def not_between(self, items: list[Any]) -> Between:
        return Between(items[0], items[1], negated=True)

    def in_list(self, items: list[Any]) -> InList:
        return InList(tuple(items))

    def not_in_list(self, items: list[Any]) -> InList:
        return InList(tuple(items), negated=True)

    def matches(self, items: list[Any]) -> Matches:
        return Matches(items[0])

    def not_matches(self, items: list[Any]) -> Matches:
        return Matches(items[0], negated=True)

    # --- rules
    def where(self, items: list[Any]) -> tuple[str, String]:
        return ("where", items[0])

    def threshold(self, items: list[Any]) -> tuple[str, Any]:
        return ("threshold", items[0])

    def labels(self, items: list[Any]) -> tuple[str, Labels]:
        return ("labels", _labels(items[0]))

    @v_args(meta=True)
    def rule(self, meta: Any, items: list[Any]) -> Rule:
        rule_type, *rest = items
        params = tuple(item for item in rest if isinstance(item, String | ConstantRef))
        conditions = [item for item in rest if isinstance(item, Comparison | Between | InList | Matches)]
        clauses = dict(item for item in rest if isinstance(item, tuple))
        return Rule(
            rule_type=str(rule_type),
            params=params,
            condition=conditions[0] if conditions else None,
            where=clauses.get("where"),
            threshold=clauses.get("threshold"),
            labels=clauses.get("labels"),
            position=_position(meta),
        )

    def group(self, items: list[Any]) -> RuleExpr:
        return items[0]

    @v_args(meta=True)
    def all_of(self, meta: Any, items: list[Any]) -> Composite:
        return Composite("and", tuple(items), _position(meta))

    @v_args(meta=True)
    def any_of(self, meta: Any, items: list[Any]) -> Composite:
        return Composite("or", tuple(items), _position(meta))

    def rule_entry(self, items: list[Any]) -> RuleExpr:
        return items[0]

    # --- document
    def string_list(self, items: list[String]) -> tuple[str, ...]:
        return tuple(item.value for item in items)

    def pair(self, items: list[Any]) -> tuple[str, Any]:
        key, value = items
        return (key.value, value.value if isinstance(value, String) else value)

    def dict(self, items: list[tuple[str, Any]]) -> _Pairs:
        return _Pairs(items)

    def constant(self, items: list[Any]) -> tuple[str, tuple[str, Any]]:
        return ("constant", (str(items[0]), items[1]))

    def rules_section(self, items: list[Any]) -> tuple[str, tuple[RuleExpr, ...]]:
        return ("rules", tuple(items))

    def analyzers_section(self, items: list[Any]) -> tuple[str, tuple[RuleExpr, ...]]:
        return ("analyzers", tuple(items))

    def metadata_section(self, items: list[Any]) -> tuple[str, Any]:
        return ("metadata", items[0])

    def sources_section(self, items: list[Any]) -> tuple[str, Any]:
        return ("data_sources", items[0])

    def labels_section(self, items: list[Any]) -> tuple[str, Labels]:
        return ("default_labels", _labels(items[0]))

    @v_args(meta=True)
    def document(self, meta: Any, items: list[tuple[str, Any]]) -> Ruleset:
        sections: dict[str, Any] = {}
        constants: list[tuple[str, Any]] = []
        for kind, value in items:
            if kind == "constant":
                constants.append(value)
            elif kind in sections:
                raise DQDLSyntaxError(f"the {kind} section appears twice", meta.line or 1, meta.column or 1)
            else:
                sections[kind] = value
        for key in ("metadata", "data_sources"):
            if key in sections:
                sections[key] = tuple(sections[key])
        return Ruleset(constants=tuple(constants), **sections)
