"""The profile of a table: plain values, ready for detectors, metadata and JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from dq_checks.schema import ColumnKind

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class ValueCount:
    """One of a column's most frequent values."""

    value: Scalar
    count: int


@dataclass(frozen=True)
class OutlierStats:
    """Second-pass counts for a numeric column, computed over every row.

    The extremes lists hold the largest values (descending) and the smallest values
    (ascending), duplicates included, so a detector can see how isolated the tails are.
    """

    zscore_threshold: float
    zscore_count: int
    # None once redacted: together the two bounds give away q1 and q3.
    iqr_lower_bound: float | None
    iqr_upper_bound: float | None
    iqr_count: int
    largest: tuple[float, ...]
    smallest: tuple[float, ...]


@dataclass(frozen=True)
class ColumnProfile:
    """Exact statistics of one column over the whole table."""

    name: str
    data_type: str
    kind: ColumnKind
    row_count: int
    null_count: int
    distinct_count: int | None
    min: Scalar = None
    max: Scalar = None
    mean: float | None = None
    median: float | None = None
    std: float | None = None
    q1: float | None = None
    q3: float | None = None
    zeros: int | None = None
    negatives: int | None = None
    non_finite: int | None = None
    top_values: tuple[ValueCount, ...] = ()
    outliers: OutlierStats | None = None
    approximate: tuple[str, ...] = ()
    """The fields above that the engine only approximated (`distinct_count`, `q1`, `median`, `q3`).

    Set by `profile: approximate` where the engine has the approximate aggregate; empty when
    every number is exact. Reports mark these numbers with "≈".
    """

    @property
    def non_null_count(self) -> int:
        """Rows where the column has a value."""
        return self.row_count - self.null_count

    @property
    def null_pct(self) -> float:
        """Share of rows that are NULL, in percent."""
        return 100.0 * self.null_count / self.row_count if self.row_count else 0.0

    @property
    def distinct_pct(self) -> float | None:
        """Distinct values as a percentage of non-NULL values."""
        if self.distinct_count is None:
            return None
        return 100.0 * self.distinct_count / self.non_null_count if self.non_null_count else 0.0

    @property
    def iqr(self) -> float | None:
        """Interquartile range, when the column has quartiles."""
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the `dq run --json` shape)."""
        data = asdict(self)
        data["type"] = data.pop("data_type")
        data["kind"] = self.kind.value
        data["null_pct"] = round(self.null_pct, 4)
        data["distinct_pct"] = None if self.distinct_pct is None else round(self.distinct_pct, 4)
        data["top_values"] = [{"value": v.value, "count": v.count} for v in self.top_values]
        data["approximate"] = list(self.approximate)
        return data

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> ColumnProfile:
        """The inverse of `to_dict` (derived percentages are dropped and recomputed)."""
        fields = {
            k: v for k, v in data.items() if k not in ("type", "kind", "null_pct", "distinct_pct", "name")
        }
        outliers = fields.pop("outliers", None)
        return cls(
            name=name,
            data_type=data["type"],
            kind=ColumnKind(data["kind"]),
            **{
                **fields,
                "top_values": tuple(ValueCount(v["value"], v["count"]) for v in data.get("top_values", ())),
                "approximate": tuple(data.get("approximate", ())),
            },
            outliers=None
            if outliers is None
            else OutlierStats(
                **{**outliers, "largest": tuple(outliers["largest"]), "smallest": tuple(outliers["smallest"])}
            ),
        )


EXACT_LEVEL = "exact"
APPROXIMATE_LEVEL = "approximate"
OFF_LEVEL = "off"


@dataclass(frozen=True)
class TableProfile:
    """The profile of every column, with the row count the scan saw.

    `level` is the table's `profile:` setting (`exact`, `approximate` or `off`; see
    `dq_checks.config.models.ProfileLevel`). At `off`, `columns` holds only the columns another
    check reads (freshness's timestamp column), with their count, min and max.
    """

    row_count: int
    columns: dict[str, ColumnProfile] = field(default_factory=dict)
    queries: int = 0
    level: str = EXACT_LEVEL
    table_columns: int | None = None
    """The table's width when `columns` holds fewer than all of its columns (`profile: off`)."""
    engine: str | None = None
    """The SQL dialect of the engine that computed it (`duckdb`, `athena`, ...): whose sketches an
    approximate number comes from, and so which error bound applies."""

    @property
    def column_count(self) -> int:
        """How many columns the table has, whether or not the profile measured each."""
        return len(self.columns) if self.table_columns is None else self.table_columns

    @property
    def approximate_metrics(self) -> dict[str, list[str]]:
        """Column -> the statistics the engine only approximated; empty when every number is exact."""
        return {name: list(c.approximate) for name, c in self.columns.items() if c.approximate}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "row_count": self.row_count,
            "level": self.level,
            "column_count": self.column_count,
            "engine": self.engine,
            "columns": {name: column.to_dict() for name, column in self.columns.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableProfile:
        """The inverse of `to_dict`: a profile read back from a materialization's metadata."""
        columns = {name: ColumnProfile.from_dict(name, column) for name, column in data["columns"].items()}
        width = data.get("column_count")
        return cls(
            row_count=data["row_count"],
            columns=columns,
            level=data.get("level", EXACT_LEVEL),
            engine=data.get("engine"),
            table_columns=width if isinstance(width, int) and width != len(columns) else None,
        )
