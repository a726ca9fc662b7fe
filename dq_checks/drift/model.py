"""What a drift comparison found: per column a verdict, its kinds, tests and evidence; schema changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from dq_checks.drift.statistics import TestResult

ColumnStatus = Literal["drifted", "stable", "skipped", "error"]


class DriftKind(StrEnum):
    """What changed in a drifted column."""

    LOCATION = "location"
    """Numbers or times moved: the median shifted more than the spread changed."""
    SCALE = "scale"
    """Numbers or times spread out or narrowed more than they moved."""
    MIX = "mix"
    """The shares of the categories the baseline had changed."""
    NEW_CATEGORY = "new_category"
    """Values the baseline never had hold a share of the rows."""
    NULL_RATE = "null_rate"
    """The share of NULLs moved."""


@dataclass(frozen=True)
class Histogram:
    """Both sides' shares over the same bins, for the reports' overlaid charts.

    Numbers and times: `labels` are the bins' lower edges, equal-width over both samples' range.
    Categories: the most frequent values of either side, and "(other)".
    """

    labels: tuple[str, ...]
    baseline: tuple[float, ...]
    current: tuple[float, ...]
    numeric: bool

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "labels": list(self.labels),
            "baseline": [round(v, 6) for v in self.baseline],
            "current": [round(v, 6) for v in self.current],
            "numeric": self.numeric,
        }


@dataclass(frozen=True)
class ColumnDrift:
    """One column compared: its status, the kinds of change, one sentence, and the numbers behind it."""

    column: str
    compared_as: str
    status: ColumnStatus
    reason: str
    kinds: tuple[DriftKind, ...] = ()
    null_rates: tuple[float, float] | None = None
    null_test: TestResult | None = None
    distribution: TestResult | None = None
    psi: float | None = None
    sample_sizes: tuple[int, int] | None = None
    """Values compared on each side (baseline, current): sampled values, or counted rows."""
    new_categories: tuple[tuple[str, int], ...] = ()
    vanished_categories: tuple[tuple[str, int], ...] = ()
    new_share: float | None = None
    centres: tuple[float, float] | None = None
    """Medians (baseline, current) of numbers and times."""
    histogram: Histogram | None = None

    def plotted(self) -> dict[str, float]:
        """The numbers the UI plots across runs, keyed `<column>.<measure>`."""
        numbers: dict[str, float] = {}
        if self.null_test is not None:
            numbers[f"{self.column}.null_rate_change"] = round(self.null_test.effect, 6)
        if self.distribution is not None:
            numbers[f"{self.column}.{self.distribution.effect_name}"] = round(self.distribution.effect, 6)
        if self.psi is not None:
            numbers[f"{self.column}.psi"] = round(self.psi, 6)
        if self.new_share is not None:
            numbers[f"{self.column}.new_category_share"] = round(self.new_share, 6)
        return numbers

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the reports' and `--json`'s shape)."""
        return {
            "column": self.column,
            "compared_as": self.compared_as,
            "status": self.status,
            "kinds": [k.value for k in self.kinds],
            "reason": self.reason,
            "null_rate": None
            if self.null_rates is None
            else {"baseline": self.null_rates[0], "current": self.null_rates[1]},
            "null_test": None if self.null_test is None else self.null_test.to_dict(),
            "distribution_test": None if self.distribution is None else self.distribution.to_dict(),
            "psi": self.psi,
            "sample_size": None
            if self.sample_sizes is None
            else {"baseline": self.sample_sizes[0], "current": self.sample_sizes[1]},
            "new_categories": [{"value": v, "count": c} for v, c in self.new_categories],
            "vanished_categories": [{"value": v, "count": c} for v, c in self.vanished_categories],
            "new_category_share": self.new_share,
            "median": None
            if self.centres is None
            else {"baseline": self.centres[0], "current": self.centres[1]},
            "histogram": None if self.histogram is None else self.histogram.to_dict(),
        }


@dataclass(frozen=True)
class SchemaDifference:
    """Columns added, removed and re-typed between the baseline and now."""

    added: tuple[tuple[str, str], ...] = ()
    removed: tuple[tuple[str, str], ...] = ()
    retyped: tuple[tuple[str, str, str], ...] = ()
    """(column, baseline type, current type)."""

    @property
    def changed(self) -> bool:
        """Whether any column was added, removed or re-typed."""
        return bool(self.added or self.removed or self.retyped)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "added": [{"column": n, "type": t} for n, t in self.added],
            "removed": [{"column": n, "type": t} for n, t in self.removed],
            "retyped": [{"column": n, "baseline": b, "current": c} for n, b, c in self.retyped],
        }

    def describe(self) -> str:
        """One clause per kind of change, or '' when nothing changed."""
        parts = []
        if self.added:
            parts.append("added " + ", ".join(f"{n} ({t})" for n, t in self.added))
        if self.removed:
            parts.append("removed " + ", ".join(f"{n} ({t})" for n, t in self.removed))
        if self.retyped:
            parts.append("re-typed " + ", ".join(f"{n} ({b} -> {c})" for n, b, c in self.retyped))
        return "; ".join(parts)


@dataclass(frozen=True)
class TableDrift:
    """A comparison of the current data with a baseline: the schema's changes and each common column.

    `error` is set when nothing could be compared (no column in common); each column's own
    error is its `ColumnDrift` with status "error".
    """

    baseline_label: str
    current_label: str
    baseline_rows: int
    current_rows: int
    schema: SchemaDifference
    columns: list[ColumnDrift] = field(default_factory=list)
    error: str | None = None

    @property
    def drifted(self) -> list[ColumnDrift]:
        """The columns that drifted."""
        return [c for c in self.columns if c.status == "drifted"]

    @property
    def errors(self) -> list[ColumnDrift]:
        """The columns that could not be compared because of an error."""
        return [c for c in self.columns if c.status == "error"]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "baseline": self.baseline_label,
            "current": self.current_label,
            "rows": {"baseline": self.baseline_rows, "current": self.current_rows},
            "schema": self.schema.to_dict(),
            "error": self.error,
            "drifted": [c.column for c in self.drifted],
            "columns": [c.to_dict() for c in self.columns],
        }
