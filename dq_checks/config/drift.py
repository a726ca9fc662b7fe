"""The `drift:` block of a table definition: what the `drift` check compares, and when it says drifted.

Why the verdict rests on effect sizes: the tests' p-values measure how sure we are that two
samples differ at all, not by how much. With the thousands of values a sample holds, a shift
too small to matter (a median moved by 0.3%) is already "significant" at p < 0.01, and a table
compared daily would be flagged every day. So a column drifts only when its change is both
significant (p below `p_value`) and large: a Kolmogorov-Smirnov distance of at least `ks`, a
population stability index of at least `psi`, a Cramér's V of at least `cramers_v`, a null
rate that moved by at least `null_rate`, or new categories holding at least `new_categories`
of the values. The defaults are the usual readings of those measures: a KS distance of 0.1
(the two CDFs 10 points apart somewhere), a PSI of 0.2 (the common "significant shift" mark;
0.1 is "moderate"), a Cramér's V of 0.1 (a small but real association).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from dq_checks.config.strict import StrictModel

DEFAULT_SAMPLE_SIZE = 10_000
MAX_SAMPLE_SIZE = 1_000_000
DEFAULT_CATEGORIES = 100


class DriftThresholds(StrictModel):
    """When a column has drifted: a significant test AND an effect at least this large."""

    p_value: float = Field(default=0.01, gt=0, lt=1, description="a test's p-value must be below this")
    ks: float = Field(default=0.1, gt=0, le=1, description="Kolmogorov-Smirnov distance (numbers, times)")
    psi: float = Field(default=0.2, gt=0, description="population stability index (numbers and categories)")
    cramers_v: float = Field(
        default=0.1, gt=0, le=1, description="Cramér's V of the chi-square test (categories)"
    )
    null_rate: float = Field(default=0.05, gt=0, le=1, description="absolute change of the share of NULLs")
    new_categories: float = Field(
        default=0.01, gt=0, le=1, description="share of today's values in categories the baseline never had"
    )


class ColumnDriftSettings(StrictModel):
    """One column's overrides of the table's thresholds, or `skip: true` to leave it out."""

    skip: bool = False
    p_value: float | None = Field(default=None, gt=0, lt=1)
    ks: float | None = Field(default=None, gt=0, le=1)
    psi: float | None = Field(default=None, gt=0)
    cramers_v: float | None = Field(default=None, gt=0, le=1)
    null_rate: float | None = Field(default=None, gt=0, le=1)
    new_categories: float | None = Field(default=None, gt=0, le=1)


class PinnedBaseline(StrictModel):
    """A fixed baseline: an Iceberg snapshot (by id or by time) of the table itself, or a file.

    Exactly one key. `snapshot_id` and `as_of` read the table's own earlier snapshot through
    Iceberg time travel; `file` is a CSV, Parquet, JSON or Excel file, local or s3://, relative
    paths read from the definition's folder.
    """

    snapshot_id: int | None = None
    as_of: datetime | None = None
    file: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> PinnedBaseline:
        given = [k for k in ("snapshot_id", "as_of", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of snapshot_id, as_of or file")
        if self.as_of is not None and self.as_of.utcoffset() is None:
            raise ValueError("as_of needs a time zone, e.g. 2026-11-01T00:00:00Z")
        return self

    def describe(self) -> str:
        """How results name the baseline: `snapshot 123`, `as of 2026-11-01T00:00:00+00:00`, `file x.csv`."""
        if self.snapshot_id is not None:
            return f"snapshot {self.snapshot_id}"
        if self.as_of is not None:
            return f"the snapshot as of {self.as_of.isoformat()}"
        return f"file {self.file}"


class DriftSettings(DriftThresholds):
    """The `drift` check of one table: its baseline, its sample, its thresholds and per-column overrides."""

    enabled: bool = True
    baseline: Literal["previous"] | PinnedBaseline = "previous"
    sample_size: int = Field(
        default=DEFAULT_SAMPLE_SIZE,
        ge=100,
        le=MAX_SAMPLE_SIZE,
        description="rows drawn at random, in the engine, to compare numbers and times",
    )
    categories: int = Field(
        default=DEFAULT_CATEGORIES,
        ge=2,
        le=10_000,
        description="most frequent values counted per text or boolean column",
    )
    columns: dict[str, ColumnDriftSettings] = Field(default_factory=dict)

    def for_column(self, column: str) -> DriftThresholds:
        """The thresholds for `column`: the table's, overridden by the column's own keys."""
        table_level = DriftThresholds(**self.model_dump(include=set(DriftThresholds.model_fields)))
        override = self.columns.get(column)
        if override is None:
            return table_level
        given = override.model_dump(exclude_unset=True, exclude={"skip"}, exclude_none=True)
        return table_level.model_copy(update=given)

    def skipped(self, column: str) -> bool:
        """Whether the definition leaves `column` out of the comparison."""
        override = self.columns.get(column)
        return override is not None and override.skip
