"""Map a path inside a YAML document to the line it was written on.

ruamel.yaml's round-trip loader remembers where each key and item came from; pydantic
reports errors by path (`('source', 'identifier')`). Together they give `path:line`.
"""

from __future__ import annotations

from collections.abc import Sequence

from ruamel.yaml.comments import CommentedMap, CommentedSeq


def line_of(document: object, location: Sequence[str | int]) -> int:
    """The 1-based line of the deepest part of `location` that exists in `document`.

    A missing key reports the line of the mapping that should have held it.
    """
    line = _own_line(document)
    node = document
    for part in location:
        if isinstance(node, CommentedMap) and part in node:
            line = node.lc.key(part)[0] + 1
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lc.item(part)[0] + 1
            node = node[part]
        else:
            break
    return line


def _own_line(node: object) -> int:
    lc = getattr(node, "lc", None)
    return (lc.line + 1) if lc is not None and lc.line is not None else 1
