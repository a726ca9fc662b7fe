"""Schedules grouped by cron and kind of source: one job, one schedule and one run per group.

Why grouped (measured by `bench/fleet_bench.py`, see the README's "Many tables"):
- a job per table costs the code location a job snapshot per table on every load (and every run
  worker reloads the code location), and a schedule per table one evaluation per table per tick;
- a run per table costs a run worker per table: a process (on ECS, a Fargate task) that imports
  everything and loads the code location before checking one table. At 200 tables that start-up,
  not the checks, is most of the time.
One run per group checks its tables in forked step processes (`dq_assets/executor.py`): one
table's step failing or erroring leaves the others' alone, and a retry re-runs only what failed.
A table never shares a run with a table it depends on (`deps:`): in one run, Dagster would skip
the downstream table's checks when the upstream's source cannot be read. Such a group's tick asks
for one run per dependency level instead ("waves"); most groups are one wave.
Grouping by kind of source too keeps the run queue's per-source limits (`dq/source`) meaningful.
A table's own run (the freshness sensor's, `dq run`) is still one table, in process.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import dagster as dg

from dq_assets.executor import IN_PROCESS_RUN_CONFIG
from dq_assets.proposals.definitions import proposals_asset_key
from dq_assets.run_tags import SOURCE_TAG, table_run_tags
from dq_assets.table_asset import asset_key
from dq_checks.config.models import TableSpec

_CRON_WORDS = (("*/", "every"), ("*", "x"), (",", "and"), ("-", "to"), (" ", "_"))


@dataclass(frozen=True)
class ScheduleGroup:
    """The tables checked on one cron that live in one kind of source."""

    cron: str
    source_type: str
    specs: tuple[TableSpec, ...]

    @property
    def slug(self) -> str:
        """`<source>_<cron slug>`, e.g. 'iceberg_every30_x_x_x_x'."""
        return f"{self.source_type}_{cron_slug(self.cron)}"

    @property
    def job_name(self) -> str:
        """`dq_checks_<source>_<cron slug>`."""
        return f"dq_checks_{self.slug}"

    def waves(self) -> list[tuple[TableSpec, ...]]:
        """The group's tables by dependency level in the group: no table shares a wave with its upstream."""
        members = {spec.table: spec for spec in self.specs}
        levels: dict[str, int] = {}

        def level(table: str) -> int:
            if table not in levels:
                upstream = [dep for dep in members[table].deps if dep in members]
                levels[table] = 1 + max((level(dep) for dep in upstream), default=-1)
            return levels[table]

        by_level: dict[int, list[TableSpec]] = {}
        for spec in self.specs:  # deps are acyclic: the loader rejects a cycle
            by_level.setdefault(level(spec.table), []).append(spec)
        return [tuple(by_level[n]) for n in sorted(by_level)]


def cron_slug(cron: str) -> str:
    """A name-safe spelling of a cron: '*/30 * * * *' -> 'every30_x_x_x_x'."""
    slug = cron.strip()
    for symbol, word in _CRON_WORDS:
        slug = slug.replace(symbol, word)
    return re.sub(r"[^A-Za-z0-9_]", "_", slug)


def table_selection(table: str) -> list[dg.AssetKey]:
    """What checking one table materializes: its check step, then proposals for uncovered columns."""
    return [asset_key(table), proposals_asset_key(table)]


def table_run_request(spec: TableSpec, run_key: str | None, **tags: str) -> dg.RunRequest:
    """A run of one table's checks, in process, inside whichever job holds the table's assets."""
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=table_selection(spec.table),
        run_config=IN_PROCESS_RUN_CONFIG,  # two steps, one after the other: no second process
        tags={**table_run_tags(spec), **tags},
    )


def schedule_groups(specs: Sequence[TableSpec]) -> list[ScheduleGroup]:
    """The tables that have a `schedule:`, grouped by it and by their kind of source."""
    groups: dict[tuple[str, str], list[TableSpec]] = {}
    for spec in specs:
        if spec.schedule is not None:
            groups.setdefault((spec.schedule, spec.source.type), []).append(spec)
    return [ScheduleGroup(cron, source, tuple(members)) for (cron, source), members in groups.items()]


def build_scheduled_job(group: ScheduleGroup) -> dg.UnresolvedAssetJobDefinition:
    """One job over every table of the group, tagged with their kind of source for the run queue."""
    keys = [key for spec in group.specs for key in table_selection(spec.table)]
    return dg.define_asset_job(
        name=group.job_name,
        selection=dg.AssetSelection.assets(*keys),
        tags={SOURCE_TAG: group.source_type},
        description=(
            f"Profile and check the {len(group.specs)} {group.source_type} table(s) scheduled on "
            f"'{group.cron}', in one run"
        ),
    )


def build_schedule(group: ScheduleGroup, job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
    """The group's schedule, in UTC: each tick, one run per wave (one, unless tables depend on others)."""
    waves = group.waves()

    @dg.schedule(
        name=f"dq_schedule_{group.slug}",
        job=job,
        cron_schedule=group.cron,
        execution_timezone="UTC",
        description=f"Check {', '.join(s.table for s in group.specs)} on '{group.cron}'",
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        if len(waves) == 1:
            return [dg.RunRequest(run_key="all")]  # the whole job: no subset to plan
        # The run key makes a retried tick ask for nothing twice (Dagster keys it by tick time).
        return [
            dg.RunRequest(
                run_key=f"wave{number}",
                asset_selection=[key for spec in wave for key in table_selection(spec.table)],
            )
            for number, wave in enumerate(waves, start=1)
        ]

    return _schedule
