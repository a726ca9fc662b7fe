"""The names dq gives its jobs, schedules, sensors and per-folder resources, all under one namespace.

Each set of definitions dq builds has a namespace: `dq` for the standalone code location, the
folder's name for a component (`defs/quality/` gives `quality`). Every job, schedule and sensor name
starts with it, so two dq components in one project, or dq beside anything else, never ask Dagster
for the same name twice: `quality_checks`, `quality_iceberg_every_30_minutes`,
`quality_freshness_sensor`. The standalone location keeps two names people and scripts already use:
the `propose_rules` job and the `dq_proposal_store` resource.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dq_assets.cron_words import cron_words

DEFAULT_NAMESPACE = "dq"
PROPOSAL_STORE_KEY = "dq_proposal_store"
PROPOSE_JOB = "propose_rules"


def namespace_for(name: str) -> str:
    """A name-safe namespace from a folder's name: `data-quality` gives `data_quality`."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", name.strip()) or DEFAULT_NAMESPACE
    return safe


@dataclass(frozen=True)
class QualityNames:
    """Every name of one namespace."""

    namespace: str = DEFAULT_NAMESPACE

    @property
    def checks_job(self) -> str:
        """The job that runs every table's checks (and nothing of the project's own assets)."""
        return f"{self.namespace}_checks"

    def scheduled_job(self, source_type: str, cron: str) -> str:
        """`<namespace>_<source>_<cron in words>`, e.g. `quality_sql_daily_at_06_00`."""
        return f"{self.namespace}_{source_type}_{cron_words(cron)}"

    @staticmethod
    def schedule(job_name: str) -> str:
        """Dagster's own convention: a schedule is named after its job."""
        return f"{job_name}_schedule"

    @property
    def freshness_sensor(self) -> str:
        """Re-checks a table when its freshness SLA comes due."""
        return f"{self.namespace}_freshness_sensor"

    @property
    def check_alert_sensor(self) -> str:
        """Turns failed check evaluations into alerts."""
        return f"{self.namespace}_check_alert_sensor"

    @property
    def run_failure_alert_sensor(self) -> str:
        """Turns failed runs into alerts."""
        return f"{self.namespace}_run_failure_alert_sensor"

    @property
    def reports_job(self) -> str:
        """Every table's report, on demand."""
        return f"{self.namespace}_reports"

    @property
    def propose_job(self) -> str:
        """Rules for one table from a request in plain language; the standalone's keeps its old name."""
        if self.namespace == DEFAULT_NAMESPACE:
            return PROPOSE_JOB
        return f"{self.namespace}_{PROPOSE_JOB}"

    @property
    def proposal_store_key(self) -> str:
        """The proposals folder is the namespace's own (beside its tables), so its resource key is too.

        Every other dq resource is the same for every namespace and is shared (see `dq_assets.build`).
        """
        if self.namespace == DEFAULT_NAMESPACE:
            return PROPOSAL_STORE_KEY
        return f"{PROPOSAL_STORE_KEY}_{self.namespace}"
