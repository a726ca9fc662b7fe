"""The documentation holds together: every relative link resolves, and the README's CLI table is true.

A link to a file must name a file of the repository; a link with `#anchor` into a Markdown file
must name one of its headings, as GitHub renders it. Every command in the README's CLI table must
exist: `dq <command> --help` exits 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt
from markdown_it.token import Token

from dq_assets.cli.main import cli

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_FOLDERS = {".venv", "node_modules", "__pycache__"}
"""Folders whose Markdown is not ours (besides hidden ones and tests/data)."""
CLI_SECTION = "The `dq` CLI"

MARKDOWN = MarkdownIt("commonmark").enable("table")


def markdown_files(root: Path = ROOT) -> list[Path]:
    """The repository's own Markdown files: hidden folders, virtualenvs and test data left out."""
    found = []
    for path in sorted(root.rglob("*.md")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in SKIPPED_FOLDERS for p in parts[:-1]):
            continue
        if parts[:2] == ("tests", "data"):
            continue
        found.append(path)
    return found


def _inline_tokens(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        if token.children:
            yield from token.children


def _plain_text(inline: Token) -> str:
    """A heading's text as GitHub renders it: text and code spans, markup dropped."""
    return "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))


def heading_anchors(text: str) -> set[str]:
    """The anchors GitHub gives the headings of a Markdown text (duplicates get -1, -2, ...)."""
    tokens = MARKDOWN.parse(text)
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for opening, inline in pairwise(tokens):
        if opening.type != "heading_open":
            continue
        slug = re.sub(r"[^\w\- ]", "", _plain_text(inline).strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def link_targets(text: str) -> list[str]:
    """Every link and image target of a Markdown text (code spans and blocks are not links)."""
    targets = []
    for token in _inline_tokens(MARKDOWN.parse(text)):
        if token.type == "link_open":
            targets.append(str(token.attrs["href"]))
        elif token.type == "image":
            targets.append(str(token.attrs["src"]))
    return targets


def broken_links(path: Path) -> list[str]:
    """Each relative link of the file at `path` that names no file, or no heading of its file."""
    problems = []
    for target in link_targets(path.read_text(encoding="utf-8")):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue
        linked = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if not linked.exists():
            problems.append(f"{path}: {target}: no such file")
            continue
        anchors = heading_anchors(linked.read_text(encoding="utf-8")) if linked.suffix == ".md" else None
        if parts.fragment and anchors is not None and unquote(parts.fragment) not in anchors:
            problems.append(f"{path}: {target}: no such heading")
    return problems


def readme_cli_commands(readme: Path = ROOT / "README.md") -> list[list[str]]:
    """The command words (`["rules", "approve"]`) of each row of the README's CLI table."""
    text = readme.read_text(encoding="utf-8")
    section = text.split(f"## {CLI_SECTION}", 1)[1].split("\n## ", 1)[0]
    commands = []
    for cell in re.findall(r"^\| `dq ([^`]*)`", section, flags=re.MULTILINE):
        words = []
        for word in cell.split():
            if not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                break
            words.append(word)
        commands.append(words)
    return commands


def test_the_repository_has_its_documents() -> None:
    """The checker sees the documents the links run between (a wrong root would check nothing)."""
    names = {p.relative_to(ROOT).as_posix() for p in markdown_files()}
    assert {"README.md", "docs/architecture.md", "bench/README.md", "deploy/README.md"} <= names
    assert not any(name.startswith(("tests/data/", ".venv/")) for name in names)


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(path: Path) -> None:
    """A reader who follows a link lands on a file, and on the heading it names."""
    assert broken_links(path) == []


def test_a_planted_broken_link_is_found(tmp_path: Path) -> None:
    """The checker fails on a missing file, a missing heading and a missing heading of this file."""
    (tmp_path / "other.md").write_text("# Other page\n\n## `dq doctor`: checks\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n## A section\n\n"
        "[fine](other.md#dq-doctor-checks) [fine too](#a-section) [web](https://example.com/x.md)\n"
        "| table | cell |\n|---|---|\n| [gone](missing.md) | x |\n\n"
        "[no heading](other.md#nope) [no local heading](#nope) `[code](not-a-link.md)`\n",
        encoding="utf-8",
    )
    assert broken_links(page) == [
        f"{page}: missing.md: no such file",
        f"{page}: other.md#nope: no such heading",
        f"{page}: #nope: no such heading",
    ]


def test_the_readme_lists_cli_commands() -> None:
    """The table is found and holds the commands' groups (an empty parse would prove nothing)."""
    commands = readme_cli_commands()
    assert ["run"] in commands and ["rules", "approve"] in commands and ["alerts", "sync"] in commands


@pytest.mark.parametrize("words", readme_cli_commands(), ids=" ".join)
def test_every_readme_cli_command_exists(words: list[str]) -> None:
    """`dq <command> --help` exits 0 for every command the README lists."""
    result = CliRunner().invoke(cli, [*words, "--help"])
    assert result.exit_code == 0, result.output


# A repository path written in a code span: `dq_checks/rules/types/uniqueness/engine.py`, `docs/dqdl.md`.
REPOSITORY_PATH = re.compile(
    r"(?<![\w/.])(?:dq|dq_\w+|tests|bench|deploy|docs|examples)/[\w./-]*\w\.(?:py|md|yaml|yml|lark|toml|json|g4)"
)


def missing_code_paths(text: str) -> list[str]:
    """Each repository file a Markdown text names in a code span that is not in the repository.

    "Where things live" is only worth reading while its paths are true: a moved module must
    take the documents that name it along.
    """
    named = [
        found
        for token in _inline_tokens(MARKDOWN.parse(text))
        if token.type == "code_inline"
        for found in REPOSITORY_PATH.findall(token.content)
    ]
    return [f"`{name}`: no such file" for name in named if not (ROOT / name).exists()]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_a_document_names_exists(path: Path) -> None:
    """A path in a code span names a file of the repository."""
    assert missing_code_paths(path.read_text(encoding="utf-8")) == []


def test_a_planted_stale_path_is_found() -> None:
    text = (
        "See `dq_checks/rules/kinds/grouped.py`, `docs/dqdl.md`, [a](x.md), `SELECT a/b.py` and "
        "`/dq/config/alerts.yaml` (a path in a container, not in the repository).\n"
    )
    assert missing_code_paths(text) == ["`dq_checks/rules/kinds/grouped.py`: no such file"]
