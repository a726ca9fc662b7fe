"""What the drift tests compare: a small sketch of a table's data, drawn by its engine.

A table is never pulled whole. Per column the sketch holds the exact row and NULL counts, and:

* for numbers and times, the values of a bounded random sample of rows, drawn in the engine
  (`dq_checks.drift.draw`); times are compared by their time of day, dates by their weekday,
  because an ever-advancing date range would otherwise "drift" every day;
* for text and booleans, the engine's exact counts of the most frequent values, with the count
  of all the others and the number of distinct values.

A sketch kept for a later run (the `drift` check's baseline for the next data version) is
*summarized*: each sample is replaced by its quantiles at `SUMMARY_POINTS` evenly spaced
probabilities. The empirical CDF of those points is within 1/(2 x SUMMARY_POINTS) of the
sample's own, far below the smallest distance the check reports, and the sample's real size is
kept so the p-values use it. That keeps a stored sketch to a few KB per column.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np

from dq_checks.schema import ColumnKind

SUMMARY_POINTS = 200
SIGNIFICANT_DIGITS = 7

ComparedAs = Literal["values", "time of day", "weekday", "categories", "nulls only"]


@dataclass(frozen=True)
class Sample:
    """A column's sampled non-NULL values as compared (numbers, or times as seconds of the day), sorted.

    `size` is how many values the sample held; `values` has exactly that many unless the sample
    was summarized into its quantiles.
    """

    values: tuple[float, ...]
    size: int

    @property
    def summarized(self) -> bool:
        """Whether `values` are the sample's quantiles rather than the sample itself."""
        return len(self.values) != self.size

    def summary(self, points: int = SUMMARY_POINTS) -> Sample:
        """The sample as its quantiles at (i + 0.5) / points, when it has more values than that."""
        if len(self.values) <= points:
            return self
        probabilities = (np.arange(points) + 0.5) / points
        quantiles = np.quantile(np.asarray(self.values), probabilities, method="inverted_cdf")
        return Sample(tuple(_rounded(float(v)) for v in quantiles), self.size)


@dataclass(frozen=True)
class Frequencies:
    """The most frequent values of a column with their exact counts, most frequent first.

    `other` counts the non-NULL rows holding any other value; `distinct` is the number of
    distinct values. The table is `complete` when it lists every value: only then can a value
    absent from it be said to be absent from the data.
    """

    counts: tuple[tuple[str, int], ...]
    other: int
    distinct: int

    @property
    def complete(self) -> bool:
        """Whether every distinct value is listed."""
        return len(self.counts) >= self.distinct

    def as_dict(self) -> dict[str, int]:
        """Value -> count."""
        return dict(self.counts)


@dataclass(frozen=True)
class ColumnSketch:
    """One column's counts and, by its kind, its sample or its value frequencies."""

    name: str
    data_type: str
    kind: ColumnKind
    rows: int
    nulls: int
    compared_as: ComparedAs
    sample: Sample | None = None
    frequencies: Frequencies | None = None

    @property
    def null_rate(self) -> float:
        """NULLs as a share of rows (0 for an empty table)."""
        return self.nulls / self.rows if self.rows else 0.0

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, compact: what a stored baseline holds."""
        data: dict[str, Any] = {
            "type": self.data_type,
            "kind": self.kind.value,
            "rows": self.rows,
            "nulls": self.nulls,
            "compared_as": self.compared_as,
        }
        if self.sample is not None:
            data["sample"] = {"size": self.sample.size, "values": list(self.sample.values)}
        if self.frequencies is not None:
            data["frequencies"] = {
                "counts": [[value, count] for value, count in self.frequencies.counts],
                "other": self.frequencies.other,
                "distinct": self.frequencies.distinct,
            }
        return data

    @classmethod
    def from_dict(cls, name: str, data: Mapping[str, Any]) -> ColumnSketch:
        """The inverse of `to_dict`."""
        sample = data.get("sample")
        frequencies = data.get("frequencies")
        return cls(
            name=name,
            data_type=str(data["type"]),
            kind=ColumnKind(data["kind"]),
            rows=int(data["rows"]),
            nulls=int(data["nulls"]),
            compared_as=data["compared_as"],
            sample=None
            if sample is None
            else Sample(tuple(float(v) for v in sample["values"]), int(sample["size"])),
            frequencies=None
            if frequencies is None
            else Frequencies(
                tuple((str(v), int(c)) for v, c in frequencies["counts"]),
                int(frequencies["other"]),
                int(frequencies["distinct"]),
            ),
        )


@dataclass(frozen=True)
class TableSketch:
    """Every compared column's sketch, the table's row count, and what the data is (for messages)."""

    rows: int
    columns: dict[str, ColumnSketch] = field(default_factory=dict)
    label: str = "the data"
    """How results name this data: `snapshot 123`, `data version abc`, `file old.csv`."""
    sample_rows: int = 0
    """Rows the random sample drew (0 when no column needed one)."""

    def summary(self) -> TableSketch:
        """The sketch with every sample summarized: what is kept for a later comparison."""
        columns = {
            name: c if c.sample is None else replace(c, sample=c.sample.summary())
            for name, c in self.columns.items()
        }
        return replace(self, columns=columns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "rows": self.rows,
            "label": self.label,
            "sample_rows": self.sample_rows,
            "columns": {name: c.to_dict() for name, c in self.columns.items()},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TableSketch:
        """The inverse of `to_dict`: a baseline read back from an earlier run's metadata."""
        return cls(
            rows=int(data["rows"]),
            columns={name: ColumnSketch.from_dict(name, c) for name, c in data["columns"].items()},
            label=str(data.get("label", "the data")),
            sample_rows=int(data.get("sample_rows", 0)),
        )


def _rounded(value: float) -> float:
    """`value` to SIGNIFICANT_DIGITS significant digits: a stored summary needs no more."""
    return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
