"""Append rule entries to a table definition file, keeping its comments and layout.

The file is edited through ruamel.yaml's round-trip mode, which keeps comments, quoting and
flow style. Two things it does not keep on its own are handled here: the file's indentation
(ruamel re-indents every block with one configured style, so the style is read from the
file first) and full-line comments after the last rule (ruamel would leave them above the
new entries, so they move below them, where they were relative to the rest of the file).
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from dq_checks.config.models import RuleEntry
from dq_checks.config.safe_yaml import load_yaml_text

_WIDTH = 1 << 16  # never fold a long rule onto a second line


def append_rule_entries(path: Path, entries: Sequence[RuleEntry], analyzers: Sequence[str] = ()) -> None:
    """Append `entries` to the `rules:` list of the definition at `path`, adding the key if missing.

    `analyzers` (DQDL analyzer texts) go to its `analyzers:` list likewise. The file is replaced
    atomically, so a concurrent reader sees the old or the new file.
    """
    text = path.read_text(encoding="utf-8")
    updated = with_rule_entries(text, entries, analyzers)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(updated)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def with_rule_entries(text: str, entries: Sequence[RuleEntry], analyzers: Sequence[str] = ()) -> str:
    """`text`, a table definition, with `entries` appended to its `rules:` list (and `analyzers`).

    Raises YamlProblem for what the loader refuses (anchors and aliases, deep nesting).
    """
    load_yaml_text(text)
    yaml = _round_trip(text)
    document = yaml.load(text)
    if not isinstance(document, CommentedMap):
        raise ValueError("a table definition must be a YAML mapping")
    before = _plain(document)
    new = [_entry_map(entry) for entry in entries]
    if new or not analyzers:
        rules = _block_list(document, "rules")
        if rules and new:
            _move_comment_after(rules[-1], new[-1])
        rules.extend(new)
    if analyzers:
        _block_list(document, "analyzers").extend(analyzers)
    stream = io.StringIO()
    yaml.dump(document, stream)
    updated = stream.getvalue()
    touched = {"rules": [_plain(m) for m in new]} if new or not analyzers else {}
    if analyzers:
        touched["analyzers"] = list(analyzers)
    _check(before, updated, touched)
    return updated


def _block_list(document: CommentedMap, key: str) -> CommentedSeq:
    """The document's list under `key`, added when missing; an empty one becomes a block list."""
    found = document.get(key)
    if found is None:
        found = CommentedSeq()
        document[key] = found
    elif not isinstance(found, CommentedSeq):
        raise ValueError(f"'{key}' must be a list")
    if not found:
        found.fa.set_block_style()  # `rules: []` becomes a block list, one entry per line
    return found


def _entry_map(entry: RuleEntry) -> CommentedMap:
    """The entry as YAML, keys in the documented order; defaults other than severity are left out."""
    mapping = CommentedMap()
    if entry.name is not None:
        mapping["name"] = entry.name
    mapping["rule"] = entry.rule
    mapping["severity"] = str(entry.severity)
    if entry.blocking:
        mapping["blocking"] = True
    return mapping


def _round_trip(text: str) -> YAML:
    """A round-trip YAML configured with the indentation `text` already uses."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = _WIDTH
    mapping = _mapping_indent(text)
    _, sequence, offset = load_yaml_guess_indent(text)
    if offset is None or sequence is None:
        # no block list yet: the style of the documented example, `  - rule: ...`
        sequence, offset = 2 * mapping, mapping
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    yaml.explicit_start = _first_content_line(text) == "---"
    return yaml


def _mapping_indent(text: str) -> int:
    """How far a nested mapping's keys sit right of their parent key; 2 when nothing is nested."""
    previous: tuple[int, str] | None = None
    for line in text.splitlines():
        content = line.split(" #", 1)[0].rstrip()
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        indent = len(content) - len(content.lstrip(" "))
        body = content.lstrip(" ")
        if previous is not None:
            parent_indent, parent = previous
            opens_mapping = parent.endswith(":") and not parent.startswith("-") and not body.startswith("-")
            if opens_mapping and indent > parent_indent:
                return indent - parent_indent
        previous = (indent, body)
    return 2


def _first_content_line(text: str) -> str | None:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return stripped
    return None


def _move_comment_after(old_last: object, new_last: CommentedMap) -> None:
    """Full-line comments after the old last entry follow the new last entry instead.

    ruamel stores them with the old entry's last value, after its end-of-line comment.
    """
    if not isinstance(old_last, CommentedMap) or not old_last:
        return
    slot = old_last.ca.items.get(list(old_last)[-1])
    token = slot[2] if slot and len(slot) > 2 else None
    if not isinstance(token, CommentToken) or "\n" not in token.value:
        return
    own_line, rest = token.value.split("\n", 1)
    if not rest:
        return
    token.value = own_line + "\n"
    new_last.ca.items[list(new_last)[-1]] = [
        None,
        None,
        CommentToken("\n" + rest, CommentMark(0), None),
        None,
    ]


def _plain(node: object) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _check(before: dict[str, Any], updated: str, added: dict[str, list[Any]]) -> None:
    """Reading the new text back gives the old document plus the new entries, nothing else."""
    after = _plain(YAML(typ="rt").load(updated))
    expected = dict(before)
    for key, items in added.items():
        expected[key] = [*(before.get(key) or []), *items]
    if after != expected:
        raise RuntimeError(
            "appending rules would change the definition in unexpected ways; file left as it was"
        )
