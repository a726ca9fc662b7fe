"""Parse the parameters that name other tables and columns: `"a,b"`, `"t.{x,y}"`, `"sum(t.col)"`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BRACED = re.compile(r"^(?P<table>[^.{}]+)\.\{(?P<columns>[^{}]+)\}$")
_DOTTED = re.compile(r"^(?P<table>[^.{}]+)\.(?P<column>[^.{}]+)$")
_AGGREGATE = re.compile(r"^\s*(?P<function>sum|avg)\s*\(\s*(?P<target>[^()]+?)\s*\)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnsRef:
    """Columns of a named table, e.g. `customers.{customer_id}`."""

    table: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class AggregateRef:
    """`sum(amount)` on the primary table, or `sum(reference.amount)` on another."""

    function: str
    table: str | None
    column: str


def column_list(text: str) -> tuple[str, ...]:
    """`"city,state"` -> ('city', 'state')."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def columns_ref(text: str) -> ColumnsRef:
    """`"customers.{id,region}"` or `"customers.id"`."""
    braced = _BRACED.match(text.strip())
    if braced:
        return ColumnsRef(braced["table"].strip(), column_list(braced["columns"]))
    dotted = _DOTTED.match(text.strip())
    if dotted:
        return ColumnsRef(dotted["table"].strip(), (dotted["column"].strip(),))
    raise ValueError(f"{text!r} must name a table and its columns, like 'customers.{{customer_id}}'")


def aggregate_ref(text: str) -> AggregateRef:
    """`"sum(amount)"`, `"avg(reference.amount)"`."""
    match = _AGGREGATE.match(text)
    if match is None:
        raise ValueError(f"{text!r} must be sum(column) or avg(column), optionally table.column")
    target = match["target"]
    table, _, column = target.rpartition(".")
    return AggregateRef(match["function"].lower(), table or None, column)


def key_mapping(text: str) -> tuple[tuple[str, str], ...]:
    """`"id->ref_id,a->ref_a"` -> (('id', 'ref_id'), ('a', 'ref_a')); a plain `"ID"` is ('ID', 'ID').

    AWS writes the arrow only where the two tables name a column differently, so a plain name
    maps to the same name in the reference (`DatasetMatch "reference" "ID" >= 0.9`).
    """
    pairs = []
    for part in column_list(text):
        left, arrow, right = (side.strip() for side in part.partition("->"))
        if not arrow:
            pairs.append((left, left))
            continue
        if not left or not right or "->" in right:
            raise ValueError(f"{part!r} must map a column to a reference column, like 'id->ref_id' or 'id'")
        pairs.append((left, right))
    return tuple(pairs)
