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

HIDDEN = "<value>"

_QUOTED = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*\"""")
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
    text = str(error).strip()
    first = text.splitlines()[0] if text else type(error).__name__
    return without_values(first)


def without_values(message: str) -> str:
    """`message` with quoted literals replaced by `<value>`, quoted names kept."""
    parts: list[str] = []
    position = 0
    kept_last = False
    for match in _QUOTED.finditer(message):
        before = message[position : match.start()]
        is_name = _NAME_BEFORE.search(message[: match.start()]) is not None or (
            kept_last and _LIST_SEPARATOR.match(before) is not None
        )
        parts.append(before)
        parts.append(match.group(0) if is_name else HIDDEN)
        kept_last = is_name
        position = match.end()
    parts.append(message[position:])
    return _UNQUOTED_VALUE.sub(lambda m: f"{m.group(1)} {HIDDEN}", "".join(parts))
