"""The `partition:` block of a table definition: which column holds the partition, and the partitions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from dq_checks.config.strict import StrictModel


class PartitionGrain(StrEnum):
    """How the table's partitions are cut: a time window each, or one listed value each."""

    HOUR = "hour"
    DAY = "day"
    MONTH = "month"
    VALUE = "value"

    @property
    def is_time(self) -> bool:
        """A window of time, rather than a listed value."""
        return self is not PartitionGrain.VALUE


class PartitionSpec(StrictModel):
    """One partition of the table is checked at a time: the rows whose `column` falls in it.

    `by: day` (or `hour`, `month`) with `start:` makes Dagster's daily (hourly, monthly)
    partitions from that date; partition `2026-11-30` holds the rows with
    `2026-11-30 <= column < 2026-12-01` in `timezone`. `by: value` with `values:` makes one
    partition per value; its rows are those with `column = value`. The filter is pushed down to
    where the data lives, so a check reads the partition's rows only.

    Without `by:`, an attached table (`asset:`) takes the partitions of the asset it is attached
    to: the component reads them from the project's definitions (`dq_assets.asset_partitions`).
    """

    column: str = Field(min_length=1)
    by: PartitionGrain | None = Field(
        default=None, description="hour, day, month or value; without it, the partitions of the asset: asset"
    )
    start: str | None = Field(
        default=None, description="the first partition: 2026-01-01, or 2026-01-01-00:00 for hours"
    )
    values: tuple[str, ...] = ()
    timezone: str = "UTC"
    arrives_within_hours: float | None = Field(
        default=None, gt=0, description="a partition is late when it has no rows this long after it ends"
    )
    whole_table_schedule: str | None = Field(
        default=None, description="a five-field cron (UTC) for the rules with scope: table"
    )

    @field_validator("whole_table_schedule")
    @classmethod
    def _whole_table_cron(cls, value: str | None) -> str | None:
        from dq_checks.config.models import validate_cron  # models holds this model: imported late

        return None if value is None else validate_cron(value)

    @field_validator("values")
    @classmethod
    def _distinct_values(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"values are listed twice: {', '.join(repeated)}")
        return values

    @property
    def from_asset(self) -> bool:
        """The partitions are the attached asset's, still to be read from the project's definitions."""
        return self.by is None

    @model_validator(mode="after")
    def _partitions_given(self) -> PartitionSpec:
        if self.by is None:
            given = sorted(set(self.model_fields_set) & {"start", "values", "timezone"})
            if given:
                raise ValueError(
                    f"{', '.join(given)} without by: (without by:, the partitions are the asset's own)"
                )
            return self  # arrives_within_hours is checked once the asset's partitions are known
        if self.by.is_time:
            if self.start is None:
                raise ValueError(f"by: {self.by.value} needs start: the first partition, like 2026-01-01")
            if self.values:
                raise ValueError(f"by: {self.by.value} takes start:, not values:")
            first_partition_start(self.by, self.start)
        else:
            if self.arrives_within_hours is not None:
                raise ValueError("arrives_within_hours is for partitions of time (by: hour, day or month)")
            if not self.values:
                raise ValueError("by: value needs values: the partitions, like [eu, us]")
            if self.start is not None:
                raise ValueError("by: value takes values:, not start:")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {self.timezone!r}") from None
        return self


START_FORMATS = {
    PartitionGrain.HOUR: "%Y-%m-%d-%H:%M",
    PartitionGrain.DAY: "%Y-%m-%d",
    PartitionGrain.MONTH: "%Y-%m-%d",
}
"""The format of `start:` and of each partition key, as Dagster writes them for each grain."""


def first_partition_start(grain: PartitionGrain, start: str) -> datetime:
    """`start:` as a datetime; ValueError naming the format the grain expects."""
    pattern = START_FORMATS[grain]
    try:
        parsed = datetime.strptime(start, pattern)
    except ValueError:
        example = "2026-01-01-00:00" if grain is PartitionGrain.HOUR else "2026-01-01"
        raise ValueError(f"start {start!r} is not a {grain.value} like {example}") from None
    if grain is PartitionGrain.MONTH and parsed.date() != date(parsed.year, parsed.month, 1):
        raise ValueError(f"start {start!r} must be the first day of a month for by: month")
    return parsed
