"""The rows of one partition, as a predicate the engine can push down to where the data lives.

A time partition is a half-open window, `start <= column < end`: a range on the column itself,
which a database answers from the column's index or its partitions and an Iceberg scan from its
partition values and file statistics. Comparing `CAST(column AS DATE) = '2026-11-30'` would read
every row. A value partition is `column = value`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlglot import exp

from dq_checks.schema import ColumnInfo, ColumnKind
from dq_checks.suggestions import did_you_mean


class SliceError(ValueError):
    """The partition cannot be cut from this table: no such column, or one of the wrong type."""


@dataclass(frozen=True)
class RowSlice:
    """The rows of partition `key`: `column` within [start, end), or equal to `value`.

    `start` and `end` are naive, in the partition's own timezone `zone`: the wall-clock time a
    DATE or TIMESTAMP column holds. A column with a time zone is compared with the instants they
    are in `zone`, whatever the engine's own session time zone.
    """

    column: str
    key: str
    start: datetime | None = None
    end: datetime | None = None
    value: str | None = None
    zone: str = "UTC"

    def instant(self, moment: datetime) -> datetime:
        """A naive bound as the instant it is in the partition's time zone."""
        return moment.replace(tzinfo=ZoneInfo(self.zone))

    @property
    def is_window(self) -> bool:
        """A time window, rather than one value."""
        return self.start is not None

    def describe(self) -> str:
        """`order_date in [2026-11-30, 2026-12-01)` or `region = 'eu'`, for messages and metadata."""
        if self.start is not None and self.end is not None:
            return f"{self.column} in [{_shown(self.start)}, {_shown(self.end)})"
        return f"{self.column} = {self.value!r}"

    def predicate(self, column: ColumnInfo) -> exp.Expression:
        """The filter over `column`, as the table describes it; SliceError when its type cannot hold it."""
        reference = exp.column(column.name, quoted=True)
        if self.start is None or self.end is None:
            return exp.EQ(this=reference, expression=_value(self.value or "", column))
        if column.kind is not ColumnKind.TEMPORAL:
            raise SliceError(
                f"partition column {column.name!r} is {column.data_type}: a time partition needs a "
                "DATE or TIMESTAMP column"
            )
        low, high = self._bound(self.start, column), self._bound(self.end, column)
        return exp.and_(
            exp.GTE(this=reference, expression=low), exp.LT(this=reference.copy(), expression=high)
        )

    def _bound(self, moment: datetime, column: ColumnInfo) -> exp.Expression:
        """A DATE literal for a DATE column at midnight; an instant for a column with a time zone."""
        if _is_date_only(column) and moment.time() == datetime.min.time():
            return exp.cast(exp.Literal.string(moment.date().isoformat()), exp.DataType.Type.DATE)
        if _has_time_zone(column):
            instant = self.instant(moment).isoformat(sep=" ")
            return exp.cast(exp.Literal.string(instant), exp.DataType.Type.TIMESTAMPTZ)
        return exp.cast(exp.Literal.string(moment.isoformat(sep=" ")), exp.DataType.Type.TIMESTAMP)


def column_for(columns: tuple[ColumnInfo, ...], name: str) -> ColumnInfo:
    """The partition column, matched as the rules match names (ignoring case); SliceError when absent."""
    exact = [c for c in columns if c.name == name]
    if exact:
        return exact[0]
    folded = [c for c in columns if c.name.lower() == name.lower()]
    if len(folded) == 1:
        return folded[0]
    if folded:
        raise SliceError(f"partition column {name!r} matches {', '.join(c.name for c in folded)}")
    names = [c.name for c in columns]
    hint = did_you_mean(name, names)
    raise SliceError(
        f"partition column {name!r} is not a column of the table (it has {', '.join(names)}){hint}"
    )


def _has_time_zone(column: ColumnInfo) -> bool:
    """`timestamptz`, `timestamp with time zone`, `TIMESTAMP WITH TIME ZONE`: an instant, not a wall-clock."""
    data_type = column.data_type.lower()
    return "time zone" in data_type or "tz" in data_type


def _is_date_only(column: ColumnInfo) -> bool:
    return column.data_type.lower().startswith("date") and "time" not in column.data_type.lower()


def _value(value: str, column: ColumnInfo) -> exp.Expression:
    """A listed value, typed as the column compares: a number for a numeric column, else a string."""
    if column.kind is ColumnKind.NUMERIC:
        try:
            float(value)
        except ValueError:
            raise SliceError(
                f"partition value {value!r} is not a number, and {column.name!r} is numeric"
            ) from None
        return exp.Literal.number(value)
    if column.kind is ColumnKind.TEMPORAL:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise SliceError(
                f"partition value {value!r} is not a date, and {column.name!r} is a date"
            ) from None
        return exp.cast(exp.Literal.string(value), exp.DataType.Type.DATE)
    return exp.Literal.string(value)


def _shown(moment: datetime) -> str:
    return moment.date().isoformat() if moment.time() == datetime.min.time() else moment.isoformat(sep=" ")
