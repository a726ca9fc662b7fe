"""What a Distribution analyzer measured: a histogram or the top values, and its NULLs.

Bins are equal-width from the column's minimum to its maximum in this run. Each bin holds the
values from its low edge up to, not including, its high edge; the last bin holds its high edge
(the maximum) too, as numpy's histogram does. A column of one value has one bin.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from dq_checks.profile.model import Scalar, ValueCount
from dq_checks.redaction import REDACTED
from dq_checks.render.numbers import format_number

SHOWN_TOP_VALUES = 3
"""Top values the one-line summary names; the JSON has all of them."""


@dataclass(frozen=True)
class HistogramBin:
    """Values in [low, high) (the last bin [low, high]); edges are None once redacted."""

    low: float | None
    high: float | None
    count: int


@dataclass(frozen=True)
class ColumnDistribution:
    """A column's distribution: `histogram` for a numeric column, `top_values` for any other."""

    column: str
    kind: Literal["histogram", "top_values"]
    null_count: int
    bins_requested: int
    rebin: bool
    bins: tuple[HistogramBin, ...] = ()
    non_finite_count: int = 0
    """NaN and infinities of a floating-point column: in no bin, counted apart."""
    top_values: tuple[ValueCount, ...] = ()
    distinct_count: int | None = None
    redacted: bool = False
    """The column is PII: bin edges and values are hidden, counts are kept."""

    def redact(self) -> ColumnDistribution:
        """The same counts without a value of the column: edges give its min and max away."""
        bins = tuple(HistogramBin(None, None, b.count) for b in self.bins)
        top = tuple(ValueCount(REDACTED, v.count) for v in self.top_values)
        return replace(self, bins=bins, top_values=top, redacted=True)

    @property
    def summary(self) -> str:
        """One line for `dq run`: `10 bins over [0, 90], NULL 3` or `2 values: "a" 8, "b" 2; NULL 0`."""
        nulls = f"NULL {format_number(self.null_count)}"
        if self.kind == "histogram":
            if not self.bins:
                return f"no values; {nulls}"
            count = f"{len(self.bins)} bin{'s' if len(self.bins) != 1 else ''}"
            low, high = self.bins[0].low, self.bins[-1].high
            where = "(range redacted: PII)" if self.redacted else f"over [{_edge(low)}, {_edge(high)}]"
            odd = f", NaN/infinite {format_number(self.non_finite_count)}" if self.non_finite_count else ""
            return f"{count} {where}, {nulls}{odd}"
        if not self.top_values:
            return f"no values; {nulls}"
        first = self.top_values[:SHOWN_TOP_VALUES]
        shown = ", ".join(f"{_value(v.value)} {format_number(v.count)}" for v in first)
        more = ", …" if len(self.top_values) > SHOWN_TOP_VALUES else ""
        distinct = self.distinct_count if self.distinct_count is not None else len(self.top_values)
        head = (
            f"{distinct:,} values"
            if distinct == len(self.top_values)
            else (f"top {len(self.top_values)} of {distinct:,} values")
        )
        return f"{head}: {shown}{more}; {nulls}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape under an analyzer's `distribution` in `dq run --json` and `dq/analyzers`."""
        data: dict[str, Any] = {
            "column": self.column,
            "kind": self.kind,
            "null_count": self.null_count,
            "summary": self.summary,
            "redacted": self.redacted,
        }
        if self.kind == "histogram":
            data.update(
                bins_requested=self.bins_requested,
                rebin=self.rebin,
                bins=[
                    {"low": _json_edge(b.low, self), "high": _json_edge(b.high, self), "count": b.count}
                    for b in self.bins
                ],
                non_finite_count=self.non_finite_count,
            )
        else:
            data.update(
                top_values=[{"value": v.value, "count": v.count} for v in self.top_values],
                distinct_count=self.distinct_count,
            )
        return data


def _edge(value: float | None) -> str:
    return format_number(value).replace(",", "")


def _json_edge(value: float | None, distribution: ColumnDistribution) -> float | str | None:
    return REDACTED if distribution.redacted else value


def _value(value: Scalar) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value)
