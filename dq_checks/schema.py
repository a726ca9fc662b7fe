"""What a source tells us about a table before any data is read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class ColumnKind(StrEnum):
    """The family a column belongs to; it decides which metrics and detectors apply."""

    NUMERIC = "numeric"
    STRING = "string"
    BOOLEAN = "boolean"
    TEMPORAL = "temporal"
    OTHER = "other"

    @property
    def is_categorical(self) -> bool:
        """Strings and booleans are profiled by their value frequencies."""
        return self in (ColumnKind.STRING, ColumnKind.BOOLEAN)


@dataclass(frozen=True)
class ColumnInfo:
    """One column as the source's metadata describes it."""

    name: str
    data_type: str
    kind: ColumnKind
    nullable: bool = True
    floating: bool = False
    """A floating-point type, which can hold NaN and infinities besides NULL."""


@dataclass(frozen=True)
class TableDescription:
    """A table described from metadata alone, without scanning data.

    `last_updated` is the data's own last-modified time (for Iceberg, the current
    snapshot's commit time), never the time we looked at it. `data_version` changes
    whenever the data does (for Iceberg, the snapshot id).
    """

    columns: tuple[ColumnInfo, ...]
    row_count: int | None
    last_updated: datetime | None
    data_version: str | None
    extra: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> ColumnInfo | None:
        """Return the column called `name`, or None when the table has none."""
        return next((c for c in self.columns if c.name == name), None)
