"""Read YAML that people write: table definitions, alerts.yaml, proposals files, rules files.

YAML can say much more than a definition needs, and some of it is a weapon. Anchors and
aliases let 580 bytes name a billion strings (the "billion laughs"): ruamel shares the aliased
nodes, but anything that walks the document (turning it into plain dicts, validating it)
expands them. A definition never needs them, so they are refused before the document is
built, while its events stream past, at the line where they appear. Nesting is capped for the
same reason: ruamel builds a document recursively, and a file of ten thousand `[` would end in
a RecursionError. A file that is not UTF-8 is named with the first bad byte and its line.
"""

from __future__ import annotations

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent

MAX_NESTING = 64  # a table definition nests about 5 deep; no reader needs more than this


class YamlProblem(ValueError):
    """YAML a reader refuses. `line` is 1-based, or None when the problem is the whole file's."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"{line}: {message}")
        self.message = message
        self.line = line


def decode_utf8(data: bytes) -> str:
    """`data` as text; a file in another encoding is refused, naming the first bad byte's line."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise YamlProblem(f"not UTF-8 (byte 0x{data[error.start]:02x} at line {line})") from None


def load_yaml_text(text: str) -> object:
    """The round-trip document of `text` (its nodes remember their lines), or YamlProblem.

    Anchors, aliases (and so merge keys, `<<: *base`) and nesting deeper than MAX_NESTING are
    refused; so is anything that is not valid YAML.
    """
    return _load(text, "rt")


def load_plain_yaml(text: str) -> object:
    """`text` as plain dicts, lists and scalars (timestamps as datetimes), with the same refusals."""
    return _load(text, "safe")


def _load(text: str, typ: str) -> object:
    try:
        _refuse_expansion(text)
        return YAML(typ=typ).load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlProblem(f"invalid YAML: {error.problem or error.context}", line) from None
    except YAMLError as error:
        raise YamlProblem(f"invalid YAML: {error}", 1) from None


def _refuse_expansion(text: str) -> None:
    """Walk the parser's events, which cost memory in the size of the text, never of an expansion."""
    depth = 0
    for event in YAML(typ="rt").parse(text):
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise YamlProblem("YAML anchors and aliases are not allowed", event.start_mark.line + 1)
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise YamlProblem(f"YAML nested deeper than {MAX_NESTING} levels", event.start_mark.line + 1)
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
