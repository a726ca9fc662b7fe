"""A rule whose dynamic bound cannot be computed yet still records the metric it measured.

`index(last(10), 2)` needs three earlier values. Before, the rule's error outcome carried no
observed value, so the history never grew and the rule stayed an error forever while a sibling
rule on the same metric collected a point per run. Now the error carries the metric, and from
the fourth run on the bound is computed. Run on sqlite and on a real PostgreSQL instance.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pyarrow as pa

from dq_assets.source_resources import default_resources
from dq_assets.table_asset import build_table_asset
from dq_checks.config.loader import load_table_specs
from dq_resources.iceberg.catalogs import load_named_catalog
from tests.check_outcomes import observed_values, outcome_by_check


def test_an_errored_bound_still_grows_the_history(
    backend: tuple[dg.DagsterInstance, str], scratch_catalog: str, tmp_path: Path
) -> None:
    instance, _ = backend
    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("ns")
    table = catalog.create_table("ns.events", schema=pa.schema([("id", pa.int64())]))
    (tmp_path / "events.yaml").write_text(
        f"table: events\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: ns.events}}\n"
        "rules:\n"
        "  - {name: third_back, rule: 'RowCount >= index(last(10), 2)'}\n"
        "  - {name: sibling, rule: 'RowCount > 0'}\n"
    )
    defined = load_table_specs(tmp_path).by_name("events")
    asset = build_table_asset(defined, {"events": defined})

    seen = []
    for rows in (100, 110, 120, 130, 90):
        table.append(pa.table({"id": pa.array(range(rows), pa.int64())}))  # the table grows by `rows`
        result = dg.materialize([asset], instance=instance, resources=default_resources())
        outcomes, observed = outcome_by_check(result), observed_values(result)
        seen.append((outcomes["third_back"], observed.get("third_back"), outcomes["sibling"]))

    assert seen == [
        ("error", 100.0, "pass"),  # no earlier value
        ("error", 210.0, "pass"),  # one: 100
        ("error", 330.0, "pass"),  # two: 210, 100
        ("pass", 460.0, "pass"),  # three: 330, 210, 100 -> 460 >= 100
        ("pass", 550.0, "pass"),  # 550 >= 210
    ]
