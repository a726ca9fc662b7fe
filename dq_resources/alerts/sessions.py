"""The one session factory the alert store's parts share, and how they batch ids into IN lists."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

CHUNK = 500
"""Ids per IN (...) list: well inside every database's parameter limit."""

T = TypeVar("T")
Sessions = sessionmaker[Session]
"""`with sessions() as s` reads; `with sessions.begin() as s` is one transaction, committed on exit."""


def session_factory(engine: Engine) -> Sessions:
    """Sessions on `engine` whose rows stay readable after commit, so a part can snapshot what it wrote."""
    return sessionmaker(engine, expire_on_commit=False)


def in_chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """`items` in slices of at most CHUNK, one IN (...) list each."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]
