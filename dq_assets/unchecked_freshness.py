"""Freshness of tables that were never checked: the sensor looks at their data itself.

The freshness sensor re-checks a table when its last `freshness` evaluation says the data has
turned stale since. A table never checked has no evaluation: on a fresh install with the
schedules stopped, a table five days old would stay silent until someone ran it. So the sensor
asks the source when the data was last updated (`describe()`: metadata, no scan), judges that
against the SLA, and asks for a run of the table's checks when the data is already past it. The
run then records the breach the usual way, and the table is a checked one from then on.

A fresh table's last update is kept in the sensor's cursor, so later ticks judge it again
without asking the source; a run is asked for once the SLA comes due. Where `describe()` cannot
answer (the data time is a column's maximum, the table is known only inside a run, the source
cannot be reached) the sensor asks for one run: it measures the data as every run does and
records an error outcome when the source fails, rather than the sensor guessing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from dq_assets.run_tags import TRIGGER_TAG
from dq_assets.schedules import QualityJobs
from dq_assets.source_resources import open_table, source_resource_key
from dq_checks.config.loader import DefinedTable
from dq_checks.freshness import judge_freshness
from dq_checks.results.model import Outcome

UNCHECKED_RUN_KEY = "freshness:{table}:unchecked:{why}"
"""One run per table and reason, ever: Dagster launches a sensor's run key once."""


@dataclass
class UncheckedCursor:
    """The last update of each never-checked table, as `describe()` said it (epoch seconds)."""

    last_updated: dict[str, float] = field(default_factory=dict)

    @classmethod
    def parse(cls, cursor: str | None) -> UncheckedCursor:
        """The cursor a sensor kept; an unreadable or foreign one starts afresh (it is only a cache)."""
        try:
            data = json.loads(cursor) if cursor else {}
        except ValueError:
            return cls()
        known = data.get("unchecked_last_updated") if isinstance(data, dict) else None
        if not isinstance(known, dict):
            return cls()
        return cls({str(k): float(v) for k, v in known.items() if isinstance(v, int | float)})

    def serialize(self) -> str:
        """The cursor to keep, tables sorted so an unchanged cursor reads the same."""
        return json.dumps({"unchecked_last_updated": dict(sorted(self.last_updated.items()))})


def unchecked_run_requests(
    tables: Sequence[DefinedTable],
    resources: Mapping[str, Any],
    cursor: UncheckedCursor,
    now: datetime,
    jobs: QualityJobs,
) -> list[dg.RunRequest]:
    """A run request for each never-checked table whose data is past its SLA, or cannot be judged here.

    `tables` are the never-checked ones with a `freshness:` SLA; `resources` maps resource keys to
    the source resources. `cursor` is updated in place: a table judged fresh keeps its last update.
    """
    requests = []
    still_unchecked = set()
    for table in tables:
        name = table.spec.table
        still_unchecked.add(name)
        known = cursor.last_updated.get(name)
        if known is not None:
            last_updated: datetime | None = datetime.fromtimestamp(known, tz=UTC)
        else:
            last_updated, unjudged = _last_update(table, resources)
            if unjudged is not None:
                requests.append(_request(table, unjudged, jobs))
                continue
        spec = table.spec.freshness
        assert spec is not None
        verdict = judge_freshness(spec, last_updated, now)
        if last_updated is not None:  # kept until the table is checked: a warning may turn into a failure
            cursor.last_updated[name] = last_updated.timestamp()
        if verdict.outcome is Outcome.PASS:
            continue
        level = verdict.severity.value if verdict.severity is not None else "ERROR"
        requests.append(_request(table, level, jobs))
    for gone in set(cursor.last_updated) - still_unchecked:  # checked since, or no longer defined
        del cursor.last_updated[gone]
    return requests


def _last_update(table: DefinedTable, resources: Mapping[str, Any]) -> tuple[datetime | None, str | None]:
    """The data's last update from `describe()`, or why it cannot be told without a run."""
    spec = table.spec
    assert spec.freshness is not None
    if spec.freshness.timestamp_column is not None:
        return None, "column-time"  # max(column) takes a query: the run's profile measures it
    resource = resources.get(source_resource_key(spec.source))
    if resource is None:
        return None, "no-resource"
    try:
        return open_table(resource, spec.source).describe().last_updated, None
    except Exception:  # the run records the source's failure as an error outcome, with its message
        return None, "unreachable"


def _request(table: DefinedTable, why: str, jobs: QualityJobs) -> dg.RunRequest:
    run_key = UNCHECKED_RUN_KEY.format(table=table.spec.table, why=why)
    return jobs.run_request(table, run_key, **{TRIGGER_TAG: "freshness_sensor"})
