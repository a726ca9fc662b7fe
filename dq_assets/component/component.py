"""`dq.DataQualityComponent`: a folder of table definitions, as checks in the project around it.

A table definition with `asset:` attaches its checks to an asset the project already defines (a
dbt model, a Sling stream, a Python asset): dq defines no asset for it. One without `asset:` is a
table produced outside Dagster, and dq gives it a monitored-table asset of its own.

The component is a guest in the project: it sets no Definitions-level executor, every resource key
it adds starts with `dq_` (and equal resources are shared, so two dq components merge), every job,
schedule and sensor name starts with its namespace, and the extras (alert sensors, report and
proposal assets) are there only when `defs.yaml` switches them on.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster.components import Component, ComponentLoadContext, Model, Resolvable
from pydantic import Field

from dq_assets.build import QualityOptions, build_quality_definitions
from dq_assets.component.project_assets import project_asset_partitions
from dq_assets.component.scaffolder import DataQualityScaffolder
from dq_assets.job_names import namespace_for
from dq_checks.config.loader import ConfigError, ConfigProblem


@dg.scaffold_with(DataQualityScaffolder)
class DataQualityComponent(Component, Model, Resolvable):
    """Data-quality checks from one YAML file per table: exact profiles, anomalies, DQDL rules, freshness.

    Checks attach to the project's own assets (`asset: orders`) or to a monitored-table asset of
    dq's for a table produced outside Dagster.
    """

    tables: str = Field(
        default="tables",
        description="The folder of table definitions (one YAML file per table), relative to this "
        "defs.yaml's folder; '{{ project_root }}/...' works too.",
    )
    alerts: str | None = Field(
        default=None,
        description="An alerts.yaml (relative like `tables`): the alert sensors run only when it is set.",
    )
    proposals: bool = Field(
        default=False, description="A <table>_rule_proposals asset per table and a propose-rules job."
    )
    reports: bool = Field(
        default=False, description="A <table>_profile_report asset per table and a reports job."
    )
    schedules: bool = Field(
        default=True, description="A job and a schedule per cron and kind of source (tables with schedule:)."
    )
    freshness_sensor: bool = Field(
        default=True,
        description="Re-check a table when its freshness SLA comes due (tables with freshness:).",
    )
    name: str | None = Field(
        default=None,
        description="The first word of every job, schedule and sensor name; default: this folder's name.",
    )

    def build_defs(self, context: ComponentLoadContext) -> dg.Definitions:
        """Load the tables folder; invalid definitions stop the load with every `path:line: message`.

        An attached table's partitions are checked against its asset's, read from the rest of
        the project (`project_assets`); without `by:`, they are the asset's.
        """
        here = _folder_of(context)
        alerts_file = _relative(here, self.alerts) if self.alerts else None
        if alerts_file is not None and not alerts_file.is_file():
            raise ConfigError([ConfigProblem(_defs_yaml(here), None, f"alerts: no such file: {alerts_file}")])
        options = QualityOptions(
            schedules=self.schedules,
            freshness_sensor=self.freshness_sensor,
            alerts=alerts_file is not None,
            reports=self.reports,
            proposals=self.proposals,
            namespace=namespace_for(self.name or here.name),
        )
        return build_quality_definitions(
            _relative(here, self.tables),
            options,
            alerts_file=alerts_file,
            project_assets=lambda: project_asset_partitions(context),
        )


def _folder_of(context: ComponentLoadContext) -> Path:
    """The folder holding this component's defs.yaml."""
    path = context.path
    return path if path.is_dir() else path.parent


def _relative(folder: Path, configured: str) -> Path:
    """`configured` from `folder`, unless it is absolute (as a rendered `{{ project_root }}/...` is)."""
    return folder / Path(configured).expanduser()


def _defs_yaml(folder: Path) -> Path:
    for name in ("defs.yaml", "defs.yml"):
        if (folder / name).is_file():
            return folder / name
    return folder
