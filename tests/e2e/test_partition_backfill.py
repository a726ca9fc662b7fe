"""A backfill of 30 daily partitions, launched as the UI launches it, checks each partition once.

The UI's "Materialize" dialog sends the GraphQL mutation `launchPartitionBackfill`; the backfill
daemon then requests the runs, and the run launcher runs them. This test sends that mutation to
Dagster's own GraphQL schema, runs the daemon's iterations until the backfill is done, and reads
every check evaluation back from the instance's Postgres storage. The runs execute in this
process (Dagster's SyncInMemoryRunLauncher), the one part that differs from a deployment.

The data: `events.parquet` holds 4 events a day for 2026-11-01..30, read in place by the local
engine. One negative amount is planted on 2026-11-17, and 2026-11-23 holds a fifth event.

- `events`: a table produced outside Dagster, so dq gives it a monitored-table asset of its own.
  Dagster's default backfill of a partitioned asset is one run per partition: 30 runs.
- `shop_events`: the user's asset, whose loader takes a range of days at once
  (`BackfillPolicy.single_run()`): one run covers all 30 partitions, and dq's checks, attached
  with `asset: shop_events`, judge each partition of the range on its own rows.
"""

from __future__ import annotations

import logging
import textwrap
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dagster._core.execution.backfill import BulkActionStatus
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.workspace.context import WorkspaceProcessContext, WorkspaceRequestContext
from dagster._core.workspace.load_target import PythonFileTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster_graphql.test.utils import execute_dagster_graphql
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.postgres

DAYS = [date(2026, 11, 1) + timedelta(days=n) for n in range(30)]
NEGATIVE_DAY = "2026-11-17"  # planted: one negative amount
FIFTH_EVENT_DAY = "2026-11-23"  # planted: 5 events where every other day has 4

TABLE = """\
{head}
source: {{type: file, path: "{data}"}}
partition: {{column: event_date, by: day, start: "2026-11-01"}}
rules:
  - name: amount_positive
    rule: ColumnValues "amount" > 0
  - name: four_events_a_day
    rule: RowCount = 4
"""

CODE_LOCATION = '''
"""A shop whose loader takes a range of days at once, with dq's checks from the tables folder."""

from pathlib import Path

import dagster as dg

from dq_assets.build import QualityOptions, build_quality_definitions

DAILY = dg.DailyPartitionsDefinition(start_date="2026-11-01")


@dg.asset(partitions_def=DAILY, backfill_policy=dg.BackfillPolicy.single_run())
def shop_events(context: dg.AssetExecutionContext) -> None:
    """The shop's loader: the file already holds every day, so a range run only records it."""
    context.log.info(f"loaded {context.partition_key_range}")


quality = build_quality_definitions(
    Path(__file__).parent / "tables",
    QualityOptions(schedules=False, freshness_sensor=False, namespace="quality"),
)
defs = dg.Definitions.merge(
    dg.Definitions(assets=[shop_events], executor=dg.in_process_executor), quality
)
'''

LAUNCH_PARTITION_BACKFILL = """
mutation LaunchPartitionBackfill($backfillParams: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $backfillParams) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on UnauthorizedError { message }
  }
}
"""

RULE_CHECKS = ("amount_positive", "four_events_a_day")


@pytest.fixture
def location(tmp_path: Path, postgres_database: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The code location file, its tables folder and the data; the results store on Postgres too."""
    counts = [5 if day.isoformat() == FIFTH_EVENT_DAY else 4 for day in DAYS]
    event_dates = [day for day, count in zip(DAYS, counts, strict=True) for _ in range(count)]
    amounts = [10.0] * len(event_dates)
    amounts[event_dates.index(date.fromisoformat(NEGATIVE_DAY))] = -1.0  # the planted negative amount
    rows = pa.table(
        {
            "event_id": pa.array(range(len(event_dates)), pa.int64()),
            "event_date": pa.array(event_dates, pa.date32()),
            "amount": pa.array(amounts, pa.float64()),
        }
    )
    data = tmp_path / "events.parquet"
    pq.write_table(rows, data)
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "events.yaml").write_text(TABLE.format(head="table: events", data=data))
    attached = TABLE.format(head="table: shop_events_table\nasset: shop_events", data=data)
    (tables / "shop_events.yaml").write_text(attached)
    code = tmp_path / "shop_location.py"
    code.write_text(textwrap.dedent(CODE_LOCATION))
    monkeypatch.setenv("DQ_RESULTS_URL", postgres_database)
    return code


@pytest.fixture
def instance(tmp_path: Path, postgres_database: str) -> dg.DagsterInstance:
    """Dagster's storage on Postgres; each run launched in process as soon as it is submitted."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    launcher = SyncInMemoryRunLauncher.__module__
    (home / "dagster.yaml").write_text(
        f'storage:\n  postgres:\n    postgres_url: "{postgres_database}"\n'
        f"run_launcher:\n  module: {launcher}\n  class: SyncInMemoryRunLauncher\n"
        "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: DefaultRunCoordinator\n"
        "telemetry:\n  enabled: false\n"
    )
    with dg.DagsterInstance.from_config(str(home)) as opened:
        yield opened


def backfill_from_the_ui(instance: dg.DagsterInstance, location: Path, asset: str) -> str:
    """Launch the backfill of `asset`'s 30 November partitions the way the UI does, and run it to the end."""
    target = PythonFileTarget(
        python_file=str(location),
        attribute="defs",
        working_directory=str(location.parent),
        location_name="shop",
    )
    with WorkspaceProcessContext(instance, target) as process_context:
        request = process_context.create_request_context()
        assert isinstance(request, WorkspaceRequestContext)
        launched = execute_dagster_graphql(
            request,
            LAUNCH_PARTITION_BACKFILL,
            {
                "backfillParams": {
                    "partitionNames": [day.isoformat() for day in DAYS],
                    "assetSelection": [{"path": [asset]}],
                }
            },
        )
        answer = launched.data["launchPartitionBackfill"]
        assert answer["__typename"] == "LaunchBackfillSuccess", answer
        backfill_id = answer["backfillId"]
        for _ in range(100):  # each iteration requests what is ready; runs finish as they are launched
            errors = [
                e for e in execute_backfill_iteration(process_context, logging.getLogger("backfill")) if e
            ]
            assert not errors, errors
            backfill = instance.get_backfill(backfill_id)
            assert backfill is not None
            if backfill.status != BulkActionStatus.REQUESTED:
                break
    assert backfill.status == BulkActionStatus.COMPLETED_SUCCESS, backfill.status
    return backfill_id


def rule_outcomes(instance: dg.DagsterInstance, asset: str) -> dict[tuple[str, str], bool]:
    """(partition, rule check) -> passed, for every rule check evaluation on `asset`; each once."""
    found: dict[tuple[str, str], bool] = {}
    records = instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=1000
    )
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if evaluation.asset_key == dg.AssetKey(asset) and evaluation.check_name in RULE_CHECKS:
            key = (evaluation.partition, evaluation.check_name)
            assert key not in found, f"{key} was checked twice"
            found[key] = evaluation.passed
    return found


def evaluations_of(instance: dg.DagsterInstance, asset: str, check: str) -> list[str]:
    """The partitions `check` on `asset` was evaluated on (a skipped check records none)."""
    records = instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=1000
    )
    found = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return sorted(e.partition for e in found if e.asset_key == dg.AssetKey(asset) and e.check_name == check)


def passed_by_partition(instance: dg.DagsterInstance, asset: str, check: str) -> dict[str, bool]:
    """Partition -> whether `check` on `asset` passed there, for each partition it was evaluated on."""
    records = instance.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION), limit=1000
    )
    found = [r.event_log_entry.dagster_event.event_specific_data for r in records]
    return {
        e.partition: e.passed for e in found if e.asset_key == dg.AssetKey(asset) and e.check_name == check
    }


def expected_drift() -> dict[str, bool]:
    """Each partition's drift baseline is the partition checked before it: the first has none and skips
    (no evaluation). Every day holds the same events of amount 10, so none drifts: the planted -1.0 is
    one value of 4, and the fifth event a count, not a shape."""
    return {day.isoformat(): True for day in DAYS[1:]}


def expected_outcomes() -> dict[tuple[str, str], bool]:
    """Every partition passes both rules, but for the two planted days."""
    outcomes = {(day.isoformat(), check): True for day in DAYS for check in RULE_CHECKS}
    outcomes[(NEGATIVE_DAY, "amount_positive")] = False
    outcomes[(FIFTH_EVENT_DAY, "four_events_a_day")] = False
    return outcomes


def backfill_runs(instance: dg.DagsterInstance, backfill_id: str) -> list[dg.DagsterRun]:
    return list(instance.get_runs(filters=dg.RunsFilter(tags={"dagster/backfill": backfill_id})))


def test_a_backfill_of_dqs_own_asset_checks_each_of_30_partitions_once_in_a_run_each(
    instance: dg.DagsterInstance, location: Path
) -> None:
    backfill_id = backfill_from_the_ui(instance, location, "events")

    runs = backfill_runs(instance, backfill_id)
    assert len(runs) == 30  # Dagster's default for a partitioned asset: one run per partition
    assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs)
    assert rule_outcomes(instance, "events") == expected_outcomes()
    # Volume needs 7 earlier partitions: from the 8th day on, each day is judged against the days before.
    assert evaluations_of(instance, "events", "volume") == [day.isoformat() for day in DAYS[7:]]
    assert passed_by_partition(instance, "events", "drift") == expected_drift()
    materialized = instance.get_materialized_partitions(dg.AssetKey("events"))
    assert materialized == {day.isoformat() for day in DAYS}


def test_a_single_run_backfill_of_the_users_asset_checks_each_partition_of_its_range_on_its_own(
    instance: dg.DagsterInstance, location: Path, postgres_database: str
) -> None:
    backfill_id = backfill_from_the_ui(instance, location, "shop_events")

    runs = backfill_runs(instance, backfill_id)
    assert len(runs) == 1  # the user's single-run policy: one run over the whole range
    assert rule_outcomes(instance, "shop_events") == expected_outcomes()
    # In one run too, each partition's history holds the partitions checked before it in that run.
    assert evaluations_of(instance, "shop_events", "volume") == [day.isoformat() for day in DAYS[7:]]

    # The results store holds one tidy run per partition of the range, each naming its partition.
    engine = create_engine(postgres_database)
    with engine.connect() as connection:
        partitions = connection.execute(
            text("SELECT partition_key FROM check_runs WHERE table_name = 'shop_events_table'")
        ).scalars()
        failed_rules = connection.execute(
            text(
                "SELECT c.partition_key, r.check_name FROM rule_results r JOIN check_runs c"
                " ON c.run_id = r.run_id AND c.table_name = r.table_name"
                " WHERE r.table_name = 'shop_events_table' AND r.is_rule AND r.outcome = 'fail'"
            )
        ).all()
        assert sorted(partitions) == [day.isoformat() for day in DAYS]
    engine.dispose()
    assert sorted(failed_rules) == [(NEGATIVE_DAY, "amount_positive"), (FIFTH_EVENT_DAY, "four_events_a_day")]
    assert passed_by_partition(instance, "shop_events", "drift") == expected_drift()
