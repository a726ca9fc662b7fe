"""An engine's refusal of a rule's query as one line of text that carries no data values.

Drivers quote the values they choke on: Postgres says `invalid input syntax for type integer:
"alice@example.com"`, DuckDB `Could not convert string 'alice@example.com' to INT32`. Those
values come from the table, and a rule's message goes to the CLI, the event log, the results
store and every alert. So quoted literals are replaced by `<value>`, except where the engine
quotes a name (`column "ghost" does not exist`, `relation "x"`, `near "selct"`): the names come
from the definition, and they are what tells the engineer which part of the rule to fix.
"""

from __future__ import annotations

import re

from dq_checks.error_text import first_line

HIDDEN = "<value>"

_QUOTES = "'\""
_NAME_BEFORE = re.compile(
    r"\b(column|columns|relation|table|tables|schema|function|type|operator|database|constraint|index|"
    r"view|sequence|role|alias|field|attribute|catalog|near|bindings:|binding|identifier|reference|"
    r"entry for table)\s*$",
    re.IGNORECASE,
)
_LIST_SEPARATOR = re.compile(r"^\s*,\s*$")
_UNQUOTED_VALUE = re.compile(r"\b(value|values)\s+-?\d[\w.+-]*", re.IGNORECASE)


def engine_error_text(error: BaseException) -> str:
    """The first line of the engine's message, with the data values it quoted hidden."""
    return without_values(first_line(error))


def without_values(message: str) -> str:
    """`message` with quoted data values replaced by `<value>`, quoted names kept.

    Engines do not escape the quotes inside a value they quote (DuckDB writes `'a customer's
    note'`), so a value runs to the *last* quote of the message that can close it: more may be
    hidden than the value, never less. A name (after `column`, `relation`...) ends at its next
    quote. An apostrophe inside a word (`can't`) opens nothing.
    """
    parts: list[str] = []
    position = 0
    kept_last = False
    while (start := _next_quote(message, position)) is not None:
        before = message[position:start]
        is_name = _NAME_BEFORE.search(message[:start]) is not None or (
            kept_last and _LIST_SEPARATOR.match(before) is not None
        )
        quote = message[start]
        if is_name:
            end = message.find(quote, start + 1)
            end = len(message) - 1 if end < 0 else end
            parts += [before, message[start : end + 1]]
        else:
            end = _last_closing(message, quote, start)
            parts += [before, HIDDEN]
        kept_last = is_name
        position = end + 1
    parts.append(message[position:])
    return _UNQUOTED_VALUE.sub(lambda m: f"{m.group(1)} {HIDDEN}", "".join(parts))


def _next_quote(message: str, position: int) -> int | None:
    """The next quote that opens a literal: not an apostrophe inside a word (`can't`)."""
    for index in range(position, len(message)):
        if message[index] in _QUOTES and (index == 0 or not message[index - 1].isalnum()):
            return index
    return None


def _last_closing(message: str, quote: str, start: int) -> int:
    """The last `quote` after `start` that can close a literal (not followed by a letter), else the end."""
    for index in range(len(message) - 1, start, -1):
        if message[index] == quote and (index + 1 == len(message) or not message[index + 1].isalnum()):
            return index
    return len(message) - 1
