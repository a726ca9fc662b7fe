"""Samples a failing rule shows: its failing rows, or repeated keys, never a huge text value whole."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlglot import exp

from dq_checks.metrics import QueryRunner
from dq_checks.metrics.sql import column, select_from, text_length, text_start
from dq_checks.profile.values import MAX_VALUE_CHARS, cut_text
from dq_checks.rules.model import TableContext, rows_as_dicts
from dq_checks.schema import ColumnKind


def sample_rows(
    runner: QueryRunner,
    context: TableContext,
    shown: Sequence[str],
    condition: exp.Expression,
) -> list[dict[str, Any]]:
    """Up to `context.sample_limit` rows matching `condition`, with the table's key columns first."""
    names = [*dict.fromkeys([*(k for k in context.key_columns if context.description.column(k)), *shown])]
    values = ShownValues(names, context)
    query = select_from(values.projections(), context.relation, where=condition).order_by(*values.order())
    return values.rows(runner.fetch_rows(query.limit(context.sample_limit)))


class ShownValues:
    """Columns whose values a rule shows, fetched so that a huge text value never leaves the engine whole.

    A text column is fetched as its first MAX_VALUE_CHARS characters and its length, and is
    ordered by them too: sorting twenty 5 MB strings ran DuckDB out of memory. The rows come
    back as dicts whose long texts carry the cut marker (`plain` leaves them as they are).
    """

    def __init__(self, names: Sequence[str], context: TableContext, extra: Sequence[str] = ()) -> None:
        self.names = list(names)
        self.extra = list(extra)
        self._text = {
            n for n in names if (info := context.description.column(n)) and info.kind is ColumnKind.STRING
        }

    def projections(self) -> list[exp.Expression]:
        """What to select, in order: each column, or a text column's start and length."""
        selected: list[exp.Expression] = []
        for name in self.names:
            if name in self._text:
                selected += [text_start(column(name), MAX_VALUE_CHARS), text_length(column(name))]
            else:
                selected.append(column(name))
        return selected

    def order(self) -> list[exp.Expression]:
        """Sort keys for the columns, text by its start and length rather than by its whole value."""
        keys: list[exp.Expression] = []
        for name in self.names:
            if name in self._text:
                keys += [text_start(column(name), MAX_VALUE_CHARS), text_length(column(name))]
            else:
                keys.append(column(name))
        return keys

    def rows(self, rows: Sequence[tuple[Any, ...]]) -> list[dict[str, Any]]:
        """The fetched rows as dicts keyed by column (then by `extra`), long texts cut with their marker."""
        shown = []
        for row in rows:
            cells, position = [], 0
            for name in self.names:
                if name in self._text:
                    start, length = row[position], row[position + 1]
                    cells.append(cut_text(start, length) if isinstance(start, str) else start)
                    position += 2
                else:
                    cells.append(row[position])
                    position += 1
            shown.append((*cells, *row[position:]))
        return rows_as_dicts([*self.names, *self.extra], shown)
