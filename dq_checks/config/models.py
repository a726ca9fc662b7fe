"""Pydantic models for one monitored table's YAML definition (the README's "Defining a monitored table")."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from croniter import croniter
from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from dq_checks.alerts.model import AlertSeverity
from dq_checks.config.drift import DriftSettings
from dq_checks.config.partitions import PartitionSpec
from dq_checks.config.sources import (
    AthenaSourceSpec,
    FileSourceSpec,
    IcebergSourceSpec,
    RedshiftSourceSpec,
    SourceSpec,
    SqlSourceSpec,
)
from dq_checks.config.strict import StrictModel
from dq_checks.suggestions import did_you_mean

TABLE_NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z_][A-Za-z0-9_]*)*$")
ASSET_KEY_PART_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
"""One part of a Dagster asset key as projects write them (dbt and Sling keys included)."""
GROUP_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


__all__ = [
    "AthenaSourceSpec",
    "FileSourceSpec",
    "IcebergSourceSpec",
    "RedshiftSourceSpec",
    "SourceSpec",
    "SqlSourceSpec",
    "StrictModel",
]


class FreshnessSpec(StrictModel):
    """A freshness SLA on the data's own last-update time."""

    max_age_hours: float = Field(gt=0)
    warn_after_hours: float | None = Field(default=None, gt=0)
    timestamp_column: str | None = None
    deadline_cron: str | None = None
    timezone: str = "UTC"

    @model_validator(mode="after")
    def _warn_before_fail(self) -> FreshnessSpec:
        if self.warn_after_hours is not None and self.warn_after_hours >= self.max_age_hours:
            raise ValueError("warn_after_hours must be smaller than max_age_hours")
        if self.max_age_hours < 1 / 60:
            raise ValueError(
                "max_age_hours must be at least one minute (Dagster's smallest freshness window)"
            )
        if self.deadline_cron is not None:
            validate_cron(self.deadline_cron)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            hint = did_you_mean(self.timezone, sorted(available_timezones()))
            raise ValueError(f"unknown timezone {self.timezone!r}{hint}") from None
        return self


class RuleSeverity(StrEnum):
    """How a failing rule is reported: error maps to ERROR, warn to WARN."""

    ERROR = "error"
    WARN = "warn"


class ProfileLevel(StrEnum):
    """How much of each column the profile measures, and how.

    `exact` measures everything exactly; `approximate` counts distinct values with HyperLogLog
    and takes quantiles from a sketch where the engine has them (bounded memory, small
    documented error); `off` measures the row count only, and the rules their own metrics.
    """

    EXACT = "exact"
    APPROXIMATE = "approximate"
    OFF = "off"


ColumnMetric = Literal["null_pct", "distinct_count", "mean"]


class HistorySettings(StrictModel):
    """How a table's own history judges today's metrics (row count, null rates, distinct counts, means)."""

    window: int = Field(default=28, ge=3, description="earlier runs (one per data version) to learn from")
    min_points: int = Field(
        default=7, ge=3, description="no verdict before this many earlier runs (the spread needs three)"
    )
    threshold: float = Field(
        default=3.5, gt=0, description="robust z-score beyond which a value is anomalous"
    )
    seasonality: Literal["none", "day_of_week", "day_of_month", "hour_of_day"] = Field(
        default="none",
        description="compare a run only with earlier runs on the same weekday, day of the month or hour",
    )
    column_metrics: tuple[Literal["null_pct", "distinct_count", "mean"], ...] = (
        "null_pct",
        "distinct_count",
        "mean",
    )


class VolumeSettings(StrictModel):
    """The `volume` check: the row count against the table's history.

    `ratio` is the simple rule (below 50% or above 200% of the mean of the last 7
    runs); `robust` is the median/MAD detector of `history:`; `either` fails when one does.
    """

    method: Literal["robust", "ratio", "either"] = "robust"
    ratio_runs: int = Field(default=7, ge=1)
    ratio_low: float = Field(default=0.5, gt=0)
    ratio_high: float = Field(default=2.0, gt=1)


class SchemaChangeSettings(StrictModel):
    """The `schema` check's severity per kind of change against the previous run."""

    added: RuleSeverity = RuleSeverity.WARN
    retyped: RuleSeverity = RuleSeverity.WARN
    removed: RuleSeverity = RuleSeverity.ERROR


class RuleScope(StrEnum):
    """Which rows a rule of a partitioned table judges: the checked partition's, or the whole table's."""

    PARTITION = "partition"
    TABLE = "table"


class RuleEntry(StrictModel):
    """One DQDL rule in a table's `rules:` list.

    `scope: table` is for a partitioned table's rules that must see every partition at once (a key
    unique across partitions, referential integrity): they run on their own, unpartitioned.
    """

    name: str | None = Field(default=None, pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=100)
    rule: str = Field(min_length=1)
    severity: RuleSeverity = RuleSeverity.ERROR
    blocking: bool = False
    scope: RuleScope = RuleScope.PARTITION


class AlertRouting(StrictModel):
    """Where a table's alerts go: `alerts: {channels: [...], min_severity: warn}`.

    Channel names refer to `alerts.yaml`; `log` is built in.
    """

    channels: tuple[str, ...] = ("log",)
    min_severity: AlertSeverity = AlertSeverity.WARN


class Detector(StrEnum):
    """The anomaly detectors that look at a single profile."""

    ZSCORE = "zscore_outliers"
    IQR = "iqr_outliers"
    NULL_RATE = "null_rate"
    HIGH_CARDINALITY = "high_cardinality"
    DOMINANCE = "single_value_dominance"
    ISOLATED_EXTREME = "isolated_extreme"
    NON_FINITE = "non_finite_values"
    HISTORY_DRIFT = "history_drift"


class AnomalyThresholds(StrictModel):
    """Thresholds of the single-profile detectors. Defaults are the thresholds docs/anomalies.md lists."""

    zscore_threshold: float = Field(default=3.0, gt=0)
    zscore_max_fraction: float = Field(default=0.05, ge=0, le=1)
    iqr_multiplier: float = Field(default=1.5, gt=0)
    iqr_max_fraction: float = Field(default=0.10, ge=0, le=1)
    null_rate_max: float = Field(default=0.20, ge=0, le=1)
    cardinality_max_ratio: float = Field(default=0.90, ge=0, le=1)
    cardinality_min_distinct: int = Field(default=100, ge=0)
    dominance_max_share: float = Field(default=0.95, ge=0, le=1)
    isolation_min_gap_ratio: float = Field(
        default=10.0,
        gt=1,
        description="an extreme must sit this many times farther from the median than the next value",
    )
    isolation_min_robust_z: float = Field(
        default=10.0,
        gt=0,
        description="and this many robust standard deviations (IQR/1.349) from the median",
    )
    skip: tuple[Detector, ...] = ()


class AnomalySettings(AnomalyThresholds):
    """Table-level thresholds plus per-column overrides of any of them."""

    columns: dict[str, AnomalyThresholds] = Field(default_factory=dict)

    def for_column(self, column: str) -> AnomalyThresholds:
        """The thresholds that apply to `column`: the table's, overridden by the column's own keys."""
        table_level = AnomalyThresholds(**self.model_dump(exclude={"columns"}))
        override = self.columns.get(column)
        if override is None:
            return table_level
        return table_level.model_copy(update=override.model_dump(exclude_unset=True))


def _owner(owner: str) -> str:
    if not (owner.startswith("team:") and len(owner) > 5) and not EMAIL_PATTERN.match(owner):
        raise ValueError(f"owner {owner!r} must be an email address or 'team:<name>'")
    return owner


Owner = Annotated[str, AfterValidator(_owner)]
"""A Dagster owner: an email address or `team:<name>`; validated item by item for exact lines."""


def validate_cron(expression: str) -> str:
    """Accept the five-field cron expressions that Dagster schedules take."""
    if len(expression.split()) != 5 or not croniter.is_valid(expression):
        raise ValueError(f"{expression!r} is not a valid five-field cron expression")
    return expression


def asset_key_parts(value: object) -> object:
    """`orders`, `analytics/orders` or `[analytics, orders]` as a tuple of key parts.

    Anything else is returned as given, for pydantic to reject with its own message.
    """
    if isinstance(value, str):
        return tuple(value.split("/"))
    if isinstance(value, list | tuple):
        return tuple(value)
    return value


def _asset_key_part(part: str) -> str:
    if not ASSET_KEY_PART_PATTERN.match(part):
        raise ValueError(
            f"{part!r} is not an asset key part: use letters, digits, '_', '-' and '.', "
            "and '/' (or a list) between parts"
        )
    return part


AssetKeyPart = Annotated[str, AfterValidator(_asset_key_part)]


class TableSpec(StrictModel):
    """One monitored table: where it lives, who owns it, and how it is checked.

    With `asset:`, the checks attach to an asset the user's project defines (their dbt model,
    their Python asset) and dq defines no asset; `table:` then defaults to the asset key's path
    and stays the name rules and `deps:` use. Without it, dq gives the table an asset of its own.
    """

    table: str
    asset: tuple[AssetKeyPart, ...] | None = None
    source: SourceSpec
    description: str | None = None
    owners: tuple[Owner, ...] = ()
    group: str | None = None
    deps: tuple[str, ...] = ()
    schedule: str | None = None
    freshness: FreshnessSpec | None = None
    partition: PartitionSpec | None = None
    incremental: bool = Field(
        default=False,
        description=(
            "check only the rows appended since the last checked snapshot (Iceberg only); "
            "rules with scope: table still read the whole table"
        ),
    )
    pii_columns: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    rules: tuple[RuleEntry, ...] = ()
    ruleset_file: str | None = Field(
        default=None,
        min_length=1,
        description="a Glue ruleset text file, relative to this definition; its rules run as if in rules:",
    )
    analyzers: tuple[Annotated[str, Field(min_length=1)], ...] = Field(
        default=(), description="DQDL analyzers: statistics computed in the same scan, never judged"
    )
    constants: dict[str, str | int | float] = Field(default_factory=dict)
    min_quality_score: float = Field(default=0.8, ge=0, le=1)
    profile: ProfileLevel = ProfileLevel.EXACT
    anomalies: AnomalySettings = Field(default_factory=AnomalySettings)
    history: HistorySettings = Field(default_factory=HistorySettings)
    volume: VolumeSettings = Field(default_factory=VolumeSettings)
    schema_change: SchemaChangeSettings = Field(default_factory=SchemaChangeSettings)
    drift: DriftSettings = Field(default_factory=DriftSettings)
    alerts: AlertRouting | None = None

    @model_validator(mode="before")
    @classmethod
    def _table_from_asset(cls, data: object) -> object:
        """An attached definition's `table:` defaults to its asset key's path, when that is a valid name."""
        if not isinstance(data, dict) or "table" in data or data.get("asset") is None:
            return data
        parts = asset_key_parts(data["asset"])
        if isinstance(parts, tuple) and all(isinstance(p, str) for p in parts):
            name = "/".join(parts)
            if TABLE_NAME_PATTERN.match(name):
                return {**data, "table": name}
        return data

    @field_validator("asset", mode="before")
    @classmethod
    def _asset_parts(cls, value: object) -> object:
        parts = asset_key_parts(value)
        if parts == ():
            raise ValueError("give the asset key: a name, a/b path or a list of parts")
        return parts

    @field_validator("table")
    @classmethod
    def _table_name(cls, value: str) -> str:
        if not TABLE_NAME_PATTERN.match(value):
            raise ValueError(
                f"{value!r} is not a valid table name: use letters, digits and underscores, "
                "with '/' between key parts (e.g. shop/orders)"
            )
        return value

    @field_validator("group")
    @classmethod
    def _group_name(cls, value: str | None) -> str | None:
        if value is not None and not GROUP_PATTERN.match(value):
            raise ValueError(f"{value!r} is not a valid group name: use letters, digits and underscores")
        return value

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None) -> str | None:
        return None if value is None else validate_cron(value)

    @field_validator("partition")
    @classmethod
    def _asset_partitions_need_an_asset(
        cls, value: PartitionSpec | None, info: ValidationInfo
    ) -> PartitionSpec | None:
        """Without `by:` the partitions are the attached asset's: a table of dq's own has none to take."""
        if value is not None and value.from_asset and info.data.get("asset") is None:
            raise ValueError(
                "partition: needs by: (hour, day, month or value); only a table attached to an asset "
                "(asset:) can leave it out and take the asset's partitions"
            )
        return value

    @field_validator("incremental")
    @classmethod
    def _incremental_iceberg_only(cls, value: bool, info: ValidationInfo) -> bool:
        """Appended rows are told apart by Iceberg snapshots alone, and a partition already is a slice."""
        if not value:
            return value
        source = info.data.get("source")
        if source is not None and not isinstance(source, IcebergSourceSpec):
            raise ValueError(
                f"incremental: true needs an iceberg source (it reads the data files appended since the "
                f"last checked snapshot); this source is {source.type}"
            )
        if info.data.get("partition") is not None:
            raise ValueError(
                "incremental: true and partition: cannot go together: a partitioned table is checked "
                "one partition at a time already"
            )
        return value

    @field_validator("drift")
    @classmethod
    def _snapshot_baseline_iceberg_only(cls, value: DriftSettings, info: ValidationInfo) -> DriftSettings:
        """A baseline snapshot is read through Iceberg time travel, which only an Iceberg table has."""
        baseline = value.baseline
        source = info.data.get("source")
        pinned_snapshot = not isinstance(baseline, str) and baseline.file is None
        if pinned_snapshot and source is not None and not isinstance(source, IcebergSourceSpec):
            raise ValueError(
                f"baseline: {baseline.describe()} is read through Iceberg time travel and needs an iceberg "
                f"source; this source is {source.type} (pin a file instead: baseline: {{file: <path>}})"
            )
        return value

    @model_validator(mode="after")
    def _table_scope_needs_partitions(self) -> TableSpec:
        if self.partition is None and not self.incremental:
            for entry in self.rules:
                if entry.scope is RuleScope.TABLE:
                    raise ValueError(
                        f"rule {entry.name or entry.rule!r} has scope: table, which is for a partitioned "
                        "table's rules (or an incremental table's); this table has no partition: block "
                        "and is not incremental: true"
                    )
        return self

    @property
    def profile_needs(self) -> tuple[str, ...]:
        """Columns other checks read from the profile, which it measures at every level.

        Freshness on `timestamp_column` reads the column's max from the profile, so even
        `profile: off` measures that column's count, min and max.
        """
        if self.freshness is None or self.freshness.timestamp_column is None:
            return ()
        return (self.freshness.timestamp_column,)

    @property
    def key_path(self) -> tuple[str, ...]:
        """The table name's parts: 'shop/orders' gives ('shop', 'orders')."""
        return tuple(self.table.split("/"))

    @property
    def attached(self) -> bool:
        """The checks sit on an asset the user's project defines (`asset:` is set)."""
        return self.asset is not None

    @property
    def asset_path(self) -> tuple[str, ...]:
        """The key of the asset the checks sit on: `asset:`, else the table name's parts."""
        return self.asset if self.asset is not None else self.key_path

    @property
    def slug(self) -> str:
        """A name safe for Dagster job and schedule names."""
        return "__".join(self.key_path)
