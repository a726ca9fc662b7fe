"""Parse DQDL text into the typed syntax tree, with errors that say `line:column` and what was expected."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from dq_checks.dqdl.ast import (
    GRAMMAR_KEYWORDS,
    MAX_LABEL_KEY_LENGTH,
    MAX_LABEL_VALUE_LENGTH,
    MAX_LABELS_PER_RULE,
    Between,
    BinaryOp,
    Boolean,
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
    Size,
    String,
    Tag,
    ValueList,
)
from dq_checks.dqdl.printer import quote

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
    "SIZE_UNIT": "B, KB, MB, GB or TB",
    "SETTING_VALUE": 'a number, "string", true or false',
    "EQUAL": "'='",
    "_OF": "'of'",
    "_TAG_SEPARATOR": "','",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "COMMA": "','",
    "COLON": "':'",
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
        start=["document", "rule_entry", "analyzer_entry"],
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


def parse_analyzer(text: str) -> Rule:
    """Parse one analyzer, as written in a table definition's `analyzers:`.

    An analyzer's settings are comma-separated (`with bins = 10, rebin = false`), which a rule's
    `with` tags are not, so analyzers have a start rule of their own.
    """
    return _parse(text, "analyzer_entry")


def _parse(text: str, start: str) -> Any:
    try:
        tree = _parser().parse(text, start=start)
        return _ToAst(text).transform(tree)
    except UnexpectedInput as error:
        raise _syntax_error(error, text) from None
    except VisitError as error:
        if isinstance(error.orig_exc, DQDLSyntaxError):
            raise error.orig_exc from None
        raise


def _syntax_error(error: UnexpectedInput, text: str) -> DQDLSyntaxError:
    misspelt = _misspelt_keyword(error, text)
    if misspelt is not None:
        return misspelt
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


_WORD_BEFORE = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*$")


def _misspelt_keyword(error: UnexpectedInput, text: str) -> DQDLSyntaxError | None:
    """`ColumnValues "x" betwen 0 and 1`: name the misspelt keyword, not the `0` after it.

    Since unquoted parameters are allowed, `betwen` parses as a column name and the error only
    shows at the next token; the word before it is what the writer got wrong.
    """
    offset = getattr(error, "pos_in_stream", None)
    if isinstance(error, UnexpectedToken):
        offset = error.token.start_pos
    if offset is None:
        return None
    word = _WORD_BEFORE.search(text[:offset])
    if isinstance(error, UnexpectedToken) and error.token.type == "NAME":
        word = _WORD_BEFORE.search(text[: error.token.end_pos])  # the unexpected word itself
    if word is None or word.group(1) in GRAMMAR_KEYWORDS:
        return None
    close = difflib.get_close_matches(word.group(1), GRAMMAR_KEYWORDS, n=1, cutoff=0.75)
    if not close:
        return None
    line = text.count("\n", 0, word.start(1)) + 1
    column = word.start(1) - (text.rfind("\n", 0, word.start(1)) + 1) + 1
    return DQDLSyntaxError(f"unexpected {word.group(1)!r}: did you mean {close[0]!r}?", line, column)


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


def _untokened(items: list[Any]) -> list[Any]:
    """The children that are not bare punctuation (`=` is kept as a token in the tree)."""
    return [item for item in items if not (isinstance(item, Token) and item.type == "EQUAL")]


def _label_problem(pairs: list[tuple[str, str]]) -> str | None:
    """What AWS's parser refuses in a label list, in its words' sense; None when it is fine."""
    if not pairs:
        return "labels must have at least one label"
    if len(pairs) > MAX_LABELS_PER_RULE:
        return f"{len(pairs)} labels: a rule takes at most {MAX_LABELS_PER_RULE}"
    keys = [key for key, _ in pairs]
    if len(set(keys)) < len(keys):
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        return f"label key {quote(repeated[0])} appears twice: keys must be unique"
    for key, value in pairs:
        if not key or not value:
            return "a label's key and value cannot be empty"
        if len(key) > MAX_LABEL_KEY_LENGTH:
            return f"a label key has {len(key)} characters; at most {MAX_LABEL_KEY_LENGTH} are allowed"
        if len(value) > MAX_LABEL_VALUE_LENGTH:
            return f"a label value has {len(value)} characters; at most {MAX_LABEL_VALUE_LENGTH} are allowed"
    return None


def _check_label_count(rule: RuleExpr, defaults: Labels | None) -> None:
    """A rule's labels with the ruleset's DefaultLabels stay within AWS's limit per rule."""
    if rule.labels is not None and defaults is not None:
        count = len(rule.labels.merged_over(defaults).pairs)
        if count > MAX_LABELS_PER_RULE:
            where = rule.position or Position(1, 1)
            message = f"{count} labels with DefaultLabels: a rule takes at most {MAX_LABELS_PER_RULE}"
            raise DQDLSyntaxError(message, where.line, where.column)
    if isinstance(rule, Composite):
        for child in rule.rules:
            _check_label_count(child, defaults)


def _setting_value(token: Token) -> Number | String | Boolean:
    """`10`, `"x"` or `true`: an analyzer setting's value."""
    text = str(token)
    if text in ("true", "false"):
        return Boolean(text == "true")
    if text.startswith('"'):
        return String(_unquote(token))
    return _number(token)


class _Spread(ConstantRef):
    """`in $name`, told apart from `in [$name]` until the InList is built."""


def _in_list(items: list[Any], *, negated: bool) -> InList:
    if len(items) == 1 and isinstance(items[0], _Spread):
        return InList((ConstantRef(items[0].name),), negated=negated, spread=True)
    return InList(tuple(items), negated=negated)


def _rule(meta: Any, items: list[Any]) -> Rule:
    rule_type, *rest = _untokened(items)
    params = tuple(item for item in rest if isinstance(item, String | ConstantRef))
    conditions = [item for item in rest if isinstance(item, Comparison | Between | InList | Matches)]
    tags = [item for item in rest if isinstance(item, Tag)]
    clauses: dict[str, Any] = {}
    for item in rest:
        if isinstance(item, tuple):
            name, value = item
            if name in clauses:
                where = _position(meta) or Position(1, 1)
                raise DQDLSyntaxError(f"a rule takes one {_CLAUSE_WORDS[name]}", where.line, where.column)
            clauses[name] = value
    tags.extend(clauses.pop("tags", ()))
    return Rule(
        rule_type=str(rule_type),
        params=params,
        condition=conditions[0] if conditions else None,
        where=clauses.get("where"),
        threshold=clauses.get("threshold"),
        labels=clauses.get("labels"),
        tags=tuple(tags),
        position=_position(meta),
    )


_CLAUSE_WORDS = {"where": "where clause", "threshold": "threshold", "labels": "labels clause", "tags": "with"}


class _Section(NamedTuple):
    """One top-level statement of a document, with where it starts."""

    kind: str
    value: Any
    position: Position | None


_SECTION_TITLES = {
    "rules": "Rules",
    "analyzers": "Analyzers",
    "metadata": "Metadata",
    "data_sources": "DataSources",
    "default_labels": "DefaultLabels",
}


class _ToAst(Transformer):
    """Lark parse tree -> dq_checks.dqdl.ast nodes."""

    def __init__(self, text: str | None = None) -> None:
        super().__init__()
        self._text = text

    # --- atoms
    def number(self, items: list[Token]) -> Number:
        return _number(items[0])

    def string(self, items: list[Token]) -> String:
        return String(_unquote(items[0]))

    def keyword(self, items: list[Token]) -> Keyword:
        # AWS's grammar takes `null` as well as `NULL`; the tree keeps the one spelling.
        return Keyword(str(items[0]).upper())  # type: ignore[arg-type]

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
    def size(self, items: list[Any]) -> Size:
        return Size(items[0], str(items[1]))  # type: ignore[arg-type]

    def comparison(self, items: list[Any]) -> Comparison:
        return Comparison(str(items[0]), items[1])  # type: ignore[arg-type]

    def between(self, items: list[Any]) -> Between:
        return Between(items[0], items[1])

    def not_between(self, items: list[Any]) -> Between:
        return Between(items[0], items[1], negated=True)

    def spread(self, items: list[ConstantRef]) -> _Spread:
        return _Spread(items[0].name)

    def in_list(self, items: list[Any]) -> InList:
        return _in_list(items, negated=False)

    def not_in_list(self, items: list[Any]) -> InList:
        return _in_list(items, negated=True)

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
        return ("labels", _untokened(items)[0])

    @v_args(meta=True)
    def label_list(self, meta: Any, items: list[Any]) -> Labels:
        pairs = list(items[0].items()) if len(items) == 1 and isinstance(items[0], dict) else items
        problem = _label_problem(pairs)
        if problem:
            where = _position(meta) or Position(1, 1)
            raise DQDLSyntaxError(problem, where.line, where.column)
        return Labels(pairs=tuple(pairs))

    def label(self, items: list[Any]) -> tuple[str, str]:
        key, value = _untokened(items)
        return (key.value, value.value)

    def tag(self, items: list[Any]) -> Tag:
        return Tag(str(items[0]), items[1])

    def analyzer_tag(self, items: list[Any]) -> Tag:
        name, value = _untokened(items)
        return Tag(str(name), Comparison("=", _setting_value(value)))

    def analyzer_tags(self, items: list[Tag]) -> tuple[str, tuple[Tag, ...]]:
        return ("tags", tuple(items))

    def bare_param(self, items: list[Token]) -> String:
        return String(str(items[0]))

    @v_args(meta=True)
    def rule(self, meta: Any, items: list[Any]) -> Rule:
        return _rule(meta, items)

    @v_args(meta=True)
    def analyzer(self, meta: Any, items: list[Any]) -> Rule:
        return _rule(meta, items)

    def group(self, items: list[Any]) -> RuleExpr:
        inner, *rest = items
        if not rest:
            return inner
        # AWS's parser gives the group's labels to the rule inside; they win over its own per key.
        _, labels = rest[0]
        return replace(inner, labels=labels.merged_over(inner.labels))

    @v_args(meta=True)
    def all_of(self, meta: Any, items: list[Any]) -> Composite:
        return Composite("and", tuple(items), _position(meta))

    @v_args(meta=True)
    def any_of(self, meta: Any, items: list[Any]) -> Composite:
        return Composite("or", tuple(items), _position(meta))

    def rule_entry(self, items: list[Any]) -> RuleExpr:
        return items[0]

    def analyzer_entry(self, items: list[Any]) -> Rule:
        return items[0]

    # --- document
    def string_list(self, items: list[String]) -> tuple[str, ...]:
        return tuple(item.value for item in items)

    def pair(self, items: list[Any]) -> tuple[str, Any]:
        key, value = items
        return (key.value, value.value if isinstance(value, String) else value)

    def dict(self, items: list[tuple[str, Any]]) -> dict[str, Any]:
        return dict(items)

    def value_list(self, items: list[Any]) -> ValueList:
        return ValueList(tuple(items))

    @v_args(meta=True)
    def constant(self, meta: Any, items: list[Any]) -> _Section:
        name, value = _untokened(items)
        return _Section("constant", (str(name), value), _position(meta))

    @v_args(meta=True)
    def rules_section(self, meta: Any, items: list[Any]) -> _Section:
        return _Section("rules", tuple(_untokened(items)), _position(meta))

    @v_args(meta=True)
    def analyzers_section(self, meta: Any, items: list[Any]) -> _Section:
        return _Section("analyzers", tuple(_untokened(items)), _position(meta))

    @v_args(meta=True)
    def metadata_section(self, meta: Any, items: list[Any]) -> _Section:
        return _Section("metadata", tuple(_untokened(items)[0].items()), _position(meta))

    @v_args(meta=True)
    def sources_section(self, meta: Any, items: list[Any]) -> _Section:
        return _Section("data_sources", tuple(_untokened(items)[0].items()), _position(meta))

    @v_args(meta=True)
    def labels_section(self, meta: Any, items: list[Any]) -> _Section:
        return _Section("default_labels", _untokened(items)[0], _position(meta))

    @v_args(meta=True)
    def document(self, meta: Any, items: list[_Section]) -> Ruleset:
        sections: dict[str, Any] = {}
        constants: dict[str, Any] = {}
        for section in items:
            where = section.position or Position(1, 1)
            if section.kind == "constant":
                name, value = section.value
                if name in constants:
                    raise DQDLSyntaxError(f"${name} is defined twice", where.line, where.column)
                constants[name] = value
            elif section.kind in sections:
                title = _SECTION_TITLES[section.kind]
                raise DQDLSyntaxError(f"the {title} section appears twice", where.line, where.column)
            else:
                sections[section.kind] = section.value
        if "rules" not in sections and "analyzers" not in sections:
            # AWS's grammar requires one of them; a file without either is almost surely not a ruleset.
            line, column = _end_position(self._text) if self._text is not None else (1, 1)
            raise DQDLSyntaxError("a ruleset needs Rules = [...] or Analyzers = [...]", line, column)
        for rule in sections.get("rules", ()):
            _check_label_count(rule, sections.get("default_labels"))
        return Ruleset(constants=tuple(constants.items()), **sections)
