"""Schedules grouped by cron and kind of source: one job, one schedule and one run per group.

Why grouped (measured by `bench/fleet_bench.py`, see docs/operations.md, "Many tables"):
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

Names are read by people: `quality_iceberg_every_30_minutes`, its schedule
`quality_iceberg_every_30_minutes_schedule` (`dq_assets/job_names.py`, `dq_assets/cron_words.py`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import dagster as dg

from dq_assets.cron_words import cron_words
from dq_assets.executor import IN_PROCESS_RUN_CONFIG
from dq_assets.job_names import QualityNames
from dq_assets.job_selection import AttachedTarget, QualityJobSelection
from dq_assets.partitions import latest_partition, partitions_words
from dq_assets.proposals.definitions import proposals_asset_key
from dq_assets.run_tags import SOURCE_TAG, table_run_tags
from dq_assets.table_asset import asset_key, check_keys_of, is_attached, target_asset_key
from dq_checks.config.loader import DefinedTable


@dataclass(frozen=True)
class TableTargets:
    """What checking one table runs: dq's own assets (its table, its proposals) and its checks."""

    assets: tuple[dg.AssetKey, ...]
    checks: tuple[dg.AssetCheckKey, ...]


def table_targets(defined: DefinedTable, *, proposals: bool) -> TableTargets:
    """The table's check step, then (when proposals are on) the proposals for its uncovered columns.

    A table attached to the project's own asset adds no asset of dq's: only its checks run, and the
    project's asset is not rematerialized.
    """
    checks = tuple(check_keys_of(defined))
    if is_attached(defined) or defined.rules_only:  # a whole-table view: its rules' checks alone
        return TableTargets(assets=(), checks=checks)
    extras = (proposals_asset_key(defined.spec.table),) if proposals else ()
    return TableTargets(assets=(asset_key(defined.spec.table), *extras), checks=checks)


def table_selection(table: str) -> list[dg.AssetKey]:
    """What checking one monitored table of dq's own materializes: its step, then its proposals."""
    return [asset_key(table), proposals_asset_key(table)]


def attached_target(defined: DefinedTable) -> AttachedTarget | None:
    """The project's asset an attached table's checks sit on, for the load-time existence check."""
    if not is_attached(defined):
        return None
    return AttachedTarget(key=target_asset_key(defined), where=defined.where("asset"))


@dataclass(frozen=True)
class ScheduleGroup:
    """The tables checked on one cron (or crons that mean the same) that live in one kind of source."""

    cron: str
    source_type: str
    tables: tuple[DefinedTable, ...]
    partitions: str | None = None
    """The tables' partitions in words (`daily_from_2026_11_01`), when they are partitioned."""

    def waves(self) -> list[tuple[DefinedTable, ...]]:
        """The group's tables by dependency level in the group: no table shares a wave with its upstream."""
        members = {table.spec.table: table for table in self.tables}
        levels: dict[str, int] = {}

        def level(name: str) -> int:
            if name not in levels:
                upstream = [dep for dep in members[name].spec.deps if dep in members]
                levels[name] = 1 + max((level(dep) for dep in upstream), default=-1)
            return levels[name]

        by_level: dict[int, list[DefinedTable]] = {}
        for table in self.tables:  # deps are acyclic: the loader rejects a cycle
            by_level.setdefault(level(table.spec.table), []).append(table)
        return [tuple(by_level[n]) for n in sorted(by_level)]


@dataclass(frozen=True)
class QualityJobs:
    """What the jobs of one namespace need to know: its names, its options, its job executor."""

    names: QualityNames
    proposals: bool
    executor: dg.ExecutorDefinition | None

    def targets(self, tables: Iterable[DefinedTable]) -> TableTargets:
        """Every target of `tables`, in order, without repeats."""
        assets: dict[dg.AssetKey, None] = {}
        checks: dict[dg.AssetCheckKey, None] = {}
        for table in tables:
            targets = table_targets(table, proposals=self.proposals)
            assets.update(dict.fromkeys(targets.assets))
            checks.update(dict.fromkeys(targets.checks))
        return TableTargets(tuple(assets), tuple(checks))

    def selection(self, tables: Sequence[DefinedTable]) -> QualityJobSelection:
        """The tables' targets; resolving it proves every attached table's asset exists."""
        targets = self.targets(tables)
        attached = [target for target in map(attached_target, tables) if target is not None]
        return QualityJobSelection(asset_keys=targets.assets, check_keys=targets.checks, targets=attached)

    def checks_job_name(self, table: DefinedTable) -> str:
        """`<namespace>_checks`, or for a partitioned table `<namespace>_checks_<its partitions>`."""
        words = partitions_words(table)
        return self.names.checks_job if words is None else f"{self.names.checks_job}_{words}"

    def checks_jobs(self, tables: Sequence[DefinedTable]) -> list[dg.UnresolvedAssetJobDefinition]:
        """Every table's checks, and nothing of the project's own assets: one job per kind of partitions.

        A Dagster job holds assets of one partitions definition only, so the unpartitioned tables
        share `<namespace>_checks` and the tables of each partitions definition a job of their own.
        """
        members: dict[str, list[DefinedTable]] = {}
        for table in tables:
            members.setdefault(self.checks_job_name(table), []).append(table)
        return [
            dg.define_asset_job(
                name=name,
                selection=self.selection(chosen),
                executor_def=self.executor,
                description=f"Check {len(chosen)} table(s) of {self.names.namespace}: dq's own table assets "
                "and the checks dq attaches to the project's assets (which are not rematerialized).",
            )
            for name, chosen in members.items()
        ]

    def scheduled_job(self, group: ScheduleGroup) -> dg.UnresolvedAssetJobDefinition:
        """One job over every table of the group, tagged with their kind of source for the run queue."""
        name = self.names.scheduled_job(group.source_type, group.cron)
        return dg.define_asset_job(
            name=name if group.partitions is None else f"{name}_{group.partitions}",
            selection=self.selection(group.tables),
            executor_def=self.executor,
            tags={SOURCE_TAG: group.source_type},
            description=(
                f"Profile and check the {len(group.tables)} {group.source_type} table(s) scheduled on "
                f"'{group.cron}', in one run"
            ),
        )

    def schedule(self, group: ScheduleGroup, job: dg.UnresolvedAssetJobDefinition) -> dg.ScheduleDefinition:
        """The group's schedule, in UTC: each tick, one run per wave (one, unless tables depend on others)."""
        waves = group.waves()
        requests = [self.targets(wave) for wave in waves]
        crons = sorted({table.spec.schedule or group.cron for table in group.tables})

        @dg.schedule(
            name=self.names.schedule(job.name),
            job=job,
            cron_schedule=group.cron,
            execution_timezone="UTC",
            description=f"Check {', '.join(t.spec.table for t in group.tables)} on {' = '.join(crons)}",
        )
        def _schedule(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest] | dg.SkipReason:
            # A partitioned group checks its latest complete partition (yesterday, for days).
            partition = latest_partition(group.tables[0]) if group.partitions is not None else None
            if group.partitions is not None and partition is None:
                return dg.SkipReason("no partition has ended yet")
            if len(waves) == 1:
                return [dg.RunRequest(run_key="all", partition_key=partition)]  # the whole job: no subset
            # The run key makes a retried tick ask for nothing twice (Dagster keys it by tick time).
            return [
                dg.RunRequest(
                    run_key=f"wave{number}",
                    asset_selection=list(wave.assets),
                    asset_check_keys=list(wave.checks),
                    partition_key=partition,
                )
                for number, wave in enumerate(requests, start=1)
            ]

        return _schedule

    def run_request(
        self, table: DefinedTable, run_key: str | None, partition_key: str | None = None, **tags: str
    ) -> dg.RunRequest:
        """A run of one table's checks, in process, in its checks job; of `partition_key`, else its latest."""
        targets = table_targets(table, proposals=self.proposals)
        return dg.RunRequest(
            run_key=run_key,
            job_name=self.checks_job_name(table),
            partition_key=partition_key or latest_partition(table),
            asset_selection=list(targets.assets),
            asset_check_keys=list(targets.checks),
            run_config=IN_PROCESS_RUN_CONFIG,  # one table's steps run one after the other: no second process
            tags={**table_run_tags(table.spec), **tags},
        )


def schedule_groups(tables: Sequence[DefinedTable]) -> list[ScheduleGroup]:
    """The tables that have a `schedule:`, grouped by what the cron means and by their kind of source.

    Grouping by the cron's words puts `0 6 * * 1` and `0 6 * * mon` in one group: one job name, one run.
    """
    groups: dict[tuple[str, str, str | None], list[DefinedTable]] = {}
    for table in tables:
        if table.spec.schedule is not None:
            key = (cron_words(table.spec.schedule), table.spec.source.type, partitions_words(table))
            groups.setdefault(key, []).append(table)
    return [
        ScheduleGroup(members[0].spec.schedule or "", source, tuple(members), partitions)
        for (_, source, partitions), members in groups.items()
    ]
