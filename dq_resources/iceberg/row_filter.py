"""One partition's rows (a RowSlice) as a pyiceberg row filter, so a scan plans only their files.

pyiceberg keeps a data file when its partition values or column statistics can hold a row the
filter matches, and skips the rest: checking one day of a table partitioned by day reads that
day's files only. The caller still applies the slice's exact predicate to what is read, so a
filter here may match more rows than the slice, never fewer. Where no such filter can be said
(no such column, a type the bounds do not fit), there is none and every file is read.

Literals are typed as the column is: a DATE column compares with dates, a TIMESTAMP column with
naive timestamps, a TIMESTAMPTZ column with the instants the slice's bounds are in its time
zone, and a value slice on an int or long column with a number.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from dq_checks.partitions.row_slice import SliceError, column_for
from dq_resources.iceberg.types import columns_of

if TYPE_CHECKING:
    from pyiceberg.expressions import BooleanExpression
    from pyiceberg.schema import Schema
    from pyiceberg.types import IcebergType, NestedField

    from dq_checks.partitions.row_slice import RowSlice


def slice_filter(schema: Schema, row_slice: RowSlice) -> BooleanExpression | None:
    """A filter matching at least the slice's rows of a table of `schema`; None when none can be said."""
    field = _field_for(schema, row_slice.column)
    if field is None:
        return None
    if row_slice.start is not None and row_slice.end is not None:
        expression = _window(field, row_slice.start, row_slice.end, row_slice.zone)
    elif row_slice.value is not None:
        expression = _equal(field, row_slice.value)
    else:
        expression = None
    if expression is None or not _binds(schema, expression):
        return None
    return expression


def _field_for(schema: Schema, name: str) -> NestedField | None:
    """The top-level field named `name`, matched as dq matches a partition column (ignoring case)."""
    try:
        column = column_for(columns_of(schema), name)
    except SliceError:
        return None
    return next(field for field in schema.fields if field.name == column.name)


def _window(field: NestedField, start: datetime, end: datetime, zone: str) -> BooleanExpression | None:
    """`start <= field < end`, the bounds as the field's type takes them; None for any other type."""
    from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan

    low, high = _bound(start, field.field_type, zone), _bound(end, field.field_type, zone)
    if low is None or high is None:
        return None
    return And(GreaterThanOrEqual(field.name, low), LessThan(field.name, high))


def _bound(moment: datetime, field_type: IcebergType, zone: str = "UTC") -> str | None:
    """A window's bound as an ISO literal of `field_type`; None when the type is not a date or time.

    A DATE compares with a timestamp as its midnight does, so `day >= 09:00 on the 1st` holds from
    the 2nd and `day < 09:00 on the 5th` up to the 5th: both bounds round up to the next midnight.
    """
    from pyiceberg.types import DateType, TimestampType, TimestamptzType

    if isinstance(field_type, DateType):
        return _next_midnight(moment).isoformat()
    if isinstance(field_type, TimestampType):
        return moment.isoformat()
    if isinstance(field_type, TimestamptzType):
        return (moment if moment.tzinfo is not None else moment.replace(tzinfo=ZoneInfo(zone))).isoformat()
    return None


def _next_midnight(moment: datetime) -> date:
    """The day of `moment` if it is a midnight, else the day after."""
    day = moment.date()
    return day if moment.time() == time.min else day + timedelta(days=1)


def _equal(field: NestedField, value: str) -> BooleanExpression | None:
    """`field = value`, the value as the field's type takes it; None for a type or value that does not fit."""
    from pyiceberg.expressions import EqualTo
    from pyiceberg.types import DateType, IntegerType, LongType, StringType

    field_type = field.field_type
    try:
        if isinstance(field_type, StringType):
            return EqualTo(field.name, value)
        if isinstance(field_type, IntegerType | LongType):
            return EqualTo(field.name, int(value))
        if isinstance(field_type, DateType):
            return EqualTo(field.name, date.fromisoformat(value).isoformat())
    except ValueError:  # not a number, not a date: the caller's exact filter says so
        return None
    return None


def _binds(schema: Schema, expression: BooleanExpression) -> bool:
    """Whether pyiceberg accepts the filter over `schema`: checked here, not when the scan is planned."""
    from pyiceberg.exceptions import ResolveError
    from pyiceberg.expressions.visitors import bind

    try:
        bind(schema, expression, case_sensitive=True)
    except (ResolveError, ValueError, TypeError):
        return False
    return True
