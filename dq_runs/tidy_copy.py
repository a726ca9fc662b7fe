"""The tidy copy of one table run, for dashboards: written to the results store, never failing the checks.

A results store that is down never fails the checks (they are the product; the tidy copy can be
rebuilt), but it is never silent either: the caller logs the cause, the step's metadata says it,
and `dq run` prints it and exits 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from dq_checks.results.inspection import TableInspection
from dq_checks.results.model import CheckResult
from dq_checks.results.tidy import TidyRun, tidy_run, tidy_unreadable_run


class TidyRunStore(Protocol):
    """Where tidy runs are written (`dq_resources.results.resource.ResultsStoreResource`)."""

    def write_run(self, run: TidyRun) -> None:
        """Write one table run, replacing an earlier write of the same run."""
        ...


def save_tidy_copy(
    store: TidyRunStore,
    table: str,
    run_id: str,
    now: datetime,
    *,
    inspection: TableInspection | None,
    unreadable: Sequence[CheckResult] = (),
    partition: str | None = None,
) -> str | None:
    """Write the run (its inspection, or the error outcomes of an unreadable source); None, or why not.

    `partition` is the partition the run checked (None for an unpartitioned table), recorded on
    the run's `check_runs` row so a dashboard can tell one partition's run from another's.
    """
    try:
        if inspection is not None:
            run = tidy_run(table, run_id, now, inspection, partition=partition)
        else:
            run = tidy_unreadable_run(table, run_id, now, list(unreadable), partition=partition)
        store.write_run(run)
    except Exception as error:  # the checks are the product; the tidy copy can be rebuilt
        from dq_resources.sqlstore.unavailable import StoreUnavailable, cause_of

        return str(error) if isinstance(error, StoreUnavailable) else f"results store: {cause_of(error)}"
    return None
