"""`incremental: true`: each check of an append-only Iceberg table reads the rows appended since the last.

A real unpartitioned Iceberg table (pyiceberg's SqlCatalog on sqlite) grows by three appends of
100 rows each; the table is checked after each lands, on one Dagster instance, so every check
finds the previous one's snapshot in the history. Each check must count exactly its append's
100 rows and name the snapshots it read; a defect planted in one append fails that append's
check alone; a `scope: table` rule still reads every append; and a snapshot that is not an
append (an overwrite) makes the next check read the whole table, saying why.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa
import pytest
from pyiceberg.table import Table

from dq_assets.attached_checks import build_whole_table_checks
from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import DefinedTable, load_table_specs
from dq_checks.config.models import IcebergSourceSpec
from dq_checks.partitions.scopes import per_partition, whole_table
from dq_resources.iceberg import IcebergCatalogResource
from dq_resources.iceberg.catalogs import load_named_catalog
from dq_resources.iceberg.resource import IcebergTable

IDENTIFIER = "ns.orders"
SCHEMA = pa.schema([pa.field("id", pa.int64()), pa.field("amount", pa.float64())])
RULES = (
    "rules:\n"
    '  - name: amount_positive\n    rule: ColumnValues "amount" > 0\n'
    '  - name: id_unique_in_append\n    rule: IsUnique "id"\n'
    '  - name: id_unique_everywhere\n    rule: IsUnique "id"\n    scope: table\n'
)


def rows(ids: list[int], *, negative_at: int | None = None) -> pa.Table:
    """One append: amount 1.0 per row, but -5.0 for the id `negative_at` (the planted defect)."""
    amounts = [-5.0 if i == negative_at else 1.0 for i in ids]
    return pa.Table.from_pydict({"id": ids, "amount": amounts}, schema=SCHEMA)


def create_table(catalog: str) -> Table:
    iceberg = load_named_catalog(catalog)
    iceberg.create_namespace_if_not_exists("ns")
    return iceberg.create_table(IDENTIFIER, schema=SCHEMA)


def define(folder: Path, catalog: str) -> DefinedTable:
    folder.mkdir(exist_ok=True)
    (folder / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: iceberg, catalog: {catalog}, identifier: {IDENTIFIER}}}\n"
        f"incremental: true\n{RULES}",
        encoding="utf-8",
    )
    loaded = load_table_specs(folder)
    loaded.raise_for_problems()
    defined = loaded.by_name("orders")
    assert defined is not None
    return defined


class Checker:
    """Checks the table (its appends and its whole-table rules) on one instance, run after run."""

    def __init__(self, defined: DefinedTable, instance: dg.DagsterInstance) -> None:
        view = whole_table(defined)
        assert view is not None
        catalog = {"orders": defined}
        self.definitions = dg.Definitions(
            assets=[build_table_asset(per_partition(defined), catalog)],
            asset_checks=[build_whole_table_checks(view, catalog)],
            resources=default_resources(),
        )
        self.instance = instance

    def check(self) -> tuple[dict[str, dg.AssetCheckEvaluation], list[str]]:
        """Every check's evaluation by name, and the run's log messages."""
        job = self.definitions.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=self.instance, raise_on_error=False)
        evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
        messages = [e.message for e in self.instance.all_logs(result.run_id)]
        return evaluations, messages


def outcome(evaluation: dg.AssetCheckEvaluation) -> str:
    return str(evaluation.metadata["dq/outcome"].value)


def rule_outcomes(evaluations: dict[str, dg.AssetCheckEvaluation]) -> tuple[str, str, str]:
    names = ("amount_positive", "id_unique_in_append", "id_unique_everywhere")
    return tuple(outcome(evaluations[n]) for n in names)  # type: ignore[return-value]


def profiled(evaluations: dict[str, dg.AssetCheckEvaluation]) -> str:
    return evaluations["profile"].description or ""


def slice_of(evaluations: dict[str, dg.AssetCheckEvaluation]) -> str | None:
    entry = evaluations["profile"].metadata.get("dq/slice")
    return None if entry is None else str(entry.value)


def test_each_append_is_checked_alone_and_whole_table_rules_see_every_append(
    scratch_catalog: str, tmp_path: Path
) -> None:
    table = create_table(scratch_catalog)
    defined = define(tmp_path / "defs", scratch_catalog)
    snapshots: list[int] = []
    checked = []
    with dg.DagsterInstance.ephemeral() as instance:
        checker = Checker(defined, instance)
        appends = [
            rows(list(range(100))),
            rows(list(range(100, 200)), negative_at=150),  # the second append alone holds a defect
            rows([5, *range(201, 300)]),  # the third repeats id 5 of the first
        ]
        for append in appends:
            table.append(append)
            snapshots.append(table.current_snapshot().snapshot_id)  # type: ignore[union-attr]
            checked.append(checker.check()[0])
        rechecked, _ = checker.check()  # the third snapshot again, unchanged

    assert [profiled(c).startswith("profiled 100 rows") for c in checked] == [True, True, True]
    assert [slice_of(c) for c in checked] == [
        None,  # the first check has no earlier snapshot: the whole table, 100 rows
        f"appended by snapshots {snapshots[1]}..{snapshots[1]} (1 append, 1 data file)",
        f"appended by snapshots {snapshots[2]}..{snapshots[2]} (1 append, 1 data file)",
    ]
    assert [rule_outcomes(c) for c in checked] == [
        ("pass", "pass", "pass"),
        ("fail", "pass", "pass"),  # one negative amount in the second append
        ("pass", "pass", "fail"),  # id 5 is in appends 1 and 3: unique in each, not in the table
    ]
    assert checked[1]["amount_positive"].metadata["failed_count"].value == 1
    # Re-checking the unchanged third snapshot re-checks the same append.
    assert profiled(rechecked).startswith("profiled 100 rows")
    assert slice_of(rechecked) == slice_of(checked[2])
    assert rule_outcomes(rechecked) == ("pass", "pass", "fail")
    # ...from the query cache, keyed by the slice as well as the snapshot: the whole-table rule,
    # on the same snapshot, was not answered from the append's cached scan (it still fails).
    reused = rechecked["profile"].metadata["dq/reused_metrics_of"].value
    assert reused["data_version"] == str(snapshots[2])  # type: ignore[index]


def test_an_overwrite_between_checks_makes_the_next_check_read_the_whole_table(
    scratch_catalog: str, tmp_path: Path
) -> None:
    table = create_table(scratch_catalog)
    defined = define(tmp_path / "defs", scratch_catalog)
    with dg.DagsterInstance.ephemeral() as instance:
        checker = Checker(defined, instance)
        table.append(rows(list(range(100))))
        checker.check()
        table.append(rows(list(range(100, 200))))
        appended, _ = checker.check()
        table.overwrite(rows(list(range(1000, 1050))))  # replaces every row: nothing is "appended"
        table.append(rows(list(range(2000, 2030))))
        after_overwrite, messages = checker.check()
        table.append(rows(list(range(3000, 3020))))
        next_append, _ = checker.check()

    assert profiled(appended).startswith("profiled 100 rows")
    assert profiled(after_overwrite).startswith("profiled 80 rows")  # the whole table: 50 + 30
    assert slice_of(after_overwrite) is None
    reasons = [m for m in messages if "incremental: checking the whole table" in m]
    assert len(reasons) == 1
    assert "not an append: earlier rows may have changed" in reasons[0]
    # Appends after the overwrite are sliced again, from the snapshot the whole-table check saw.
    assert profiled(next_append).startswith("profiled 20 rows")
    assert slice_of(next_append) is not None
    assert slice_of(next_append).endswith("(1 append, 1 data file)")  # type: ignore[union-attr]


def open_orders(catalog: str, *, in_place: bool) -> IcebergTable:
    source = IcebergSourceSpec(type="iceberg", catalog=catalog, identifier=IDENTIFIER)
    return IcebergCatalogResource(scan_in_place=in_place).open(source)


@pytest.mark.parametrize("in_place", [True, False])
def test_appended_since_reads_the_files_of_every_append_after_the_snapshot(
    scratch_catalog: str, tmp_path: Path, in_place: bool
) -> None:
    table = create_table(scratch_catalog)
    for first in (0, 100, 200):
        table.append(rows(list(range(first, first + 100))))
    first, second, third = [s.snapshot_id for s in table.snapshots()]
    opened = open_orders(scratch_catalog, in_place=in_place)

    appended = opened.appended_since(str(first))
    assert isinstance(appended, IcebergTable)
    description = appended.describe()
    assert (description.row_count, description.data_version) == (200, str(third))
    assert description.extra["slice"] == f"appended by snapshots {second}..{third} (2 appends, 2 data files)"
    ids = appended.arrow_stream(["id"]).read_all().column("id").to_pylist()
    assert sorted(ids) == list(range(100, 300))
    assert len(appended.sample(5)) == 5
    plan = appended.in_place_plan(lambda: tmp_path / "scratch")
    assert getattr(plan, "row_count", None) == 200
    assert opened.describe().row_count == 300  # the table itself is untouched

    gone = opened.appended_since("12345")
    assert isinstance(gone, str)
    assert "is not an ancestor of the current snapshot" in gone
    not_a_snapshot = "the last checked data version 'latest' is not an Iceberg snapshot id"
    assert opened.appended_since("latest") == not_a_snapshot


def test_incremental_on_a_file_source_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "orders.yaml").write_text(
        f"# orders, from a file\ntable: orders\nsource: {{type: file, path: {tmp_path / 'o.parquet'}}}\n"
        "incremental: true\n",
        encoding="utf-8",
    )
    [problem] = load_table_specs(folder).problems
    assert str(problem).startswith(f"{folder / 'orders.yaml'}:4: ")
    assert "incremental: true needs an iceberg source" in str(problem)
    assert "this source is file" in str(problem)


def test_incremental_with_a_partition_block_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "orders.yaml").write_text(
        "table: orders\nsource: {type: iceberg, catalog: demo, identifier: ns.orders}\n"
        "partition: {column: day, by: day, start: '2026-01-01'}\n"
        "incremental: true\n",
        encoding="utf-8",
    )
    [problem] = load_table_specs(folder).problems
    assert str(problem).startswith(f"{folder / 'orders.yaml'}:4: ")
    assert "incremental: true and partition: cannot go together" in str(problem)


def test_scope_table_is_accepted_on_an_incremental_table_and_split_off(tmp_path: Path) -> None:
    defined = define(tmp_path / "defs", "demo")
    view = whole_table(defined)
    assert view is not None
    assert (view.spec.incremental, view.rules_only) == (False, True)
    assert [r.check_name for r in view.rules] == ["id_unique_everywhere"]
    assert [r.check_name for r in per_partition(defined).rules] == ["amount_positive", "id_unique_in_append"]
