"""`dq profile NEW --baseline OLD` as a user runs it: two files in, the drift in the terminal and reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
from click.testing import CliRunner, Result

from dq_assets.cli.main import cli

ROWS = 20_000


def orders(seed: int, *, shifted: bool = False) -> pa.Table:
    """amount ~ N(100, 15), four statuses, three notes 5% NULL; `shifted` plants three defects."""
    rng = np.random.default_rng(seed)
    amount = rng.normal(100, 15, ROWS)
    status = rng.choice(["paid", "shipped", "pending", "cancelled"], ROWS, p=[0.5, 0.3, 0.15, 0.05]).astype(
        object
    )
    note = rng.choice(["ok", "late", "gift"], ROWS).astype(object)
    note[rng.random(ROWS) < 0.05] = None
    if shifted:
        amount = amount + 8  # planted: location, about half a standard deviation
        status[rng.random(ROWS) < 0.05] = "refunded"  # planted: a new category on 5% of rows
        note[rng.random(ROWS) < 0.3] = None  # planted: a NULL burst, 30% more rows
    return pa.table(
        {
            "order_id": pa.array(np.arange(ROWS), pa.int64()),
            "amount": pa.array(amount),
            "status": pa.array(status, pa.string()),
            "note": pa.array(note, pa.string()),
        }
    )


def dq_profile(*args: str) -> Result:
    return CliRunner().invoke(cli, ["profile", *args])


def test_three_planted_shifts_are_named_in_the_terminal_and_the_reports(tmp_path: Path) -> None:
    pq.write_table(orders(1), tmp_path / "old.parquet")
    pq.write_table(orders(2, shifted=True), tmp_path / "new.parquet")
    out = tmp_path / "out"
    result = dq_profile(
        str(tmp_path / "new.parquet"), "--baseline", str(tmp_path / "old.parquet"), "--out", str(out)
    )
    assert result.exit_code == 1, result.output  # a column drifted
    text = result.stdout
    assert f"drift against file {tmp_path / 'old.parquet'} (20,000 rows)" in text
    assert re.search(r"amount\s+drifted\s+location\s", text)
    assert re.search(r"status\s+drifted\s+new_category\s", text)
    assert re.search(r"note\s+drifted\s+null_rate\s", text)
    assert re.search(r"order_id\s+stable\s", text)  # all distinct integers: NULLs only, never drifting
    assert "status: new values 'refunded' (" in text
    assert re.search(r"10,000 / 10,000", text)  # the sample size is stated
    report = json.loads((out / "report.json").read_text())
    assert report["drift"]["drifted"] == ["amount", "status", "note"]
    assert "drift" in openpyxl.load_workbook(out / "report.xlsx").sheetnames
    html = (out / "report.html").read_text()
    assert html.count("<svg") >= 3  # an overlaid histogram per drifted column


def test_the_same_distributions_do_not_drift(tmp_path: Path) -> None:
    pq.write_table(orders(1), tmp_path / "old.parquet")
    pq.write_table(orders(2), tmp_path / "new.parquet")  # a fresh draw of the same distributions
    result = dq_profile(
        str(tmp_path / "new.parquet"),
        "--baseline",
        str(tmp_path / "old.parquet"),
        "--out",
        str(tmp_path / "o"),
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"drift\s+pass\s+no drift in 4 columns", result.stdout)


def test_baseline_faults_are_clear_errors(tmp_path: Path) -> None:
    pq.write_table(orders(2), tmp_path / "new.parquet")
    new = str(tmp_path / "new.parquet")
    missing = dq_profile(new, "--baseline", str(tmp_path / "gone.parquet"), "--out", str(tmp_path / "a"))
    assert missing.exit_code == 2
    assert f"error: {tmp_path / 'gone.parquet'}: no such file\n" in missing.output
    unknown = dq_profile(new, "--baseline", "gone", "--out", str(tmp_path / "a"))
    assert unknown.exit_code == 2
    assert "gone: no such file, and unknown table 'gone'; defined tables: customers," in unknown.output

    # Planted: a baseline with no column in common.
    pq.write_table(pa.table({"sku": ["a", "b"], "qty": [1, 2]}), tmp_path / "other.parquet")
    unrelated = dq_profile(new, "--baseline", str(tmp_path / "other.parquet"), "--out", str(tmp_path / "b"))
    assert unrelated.exit_code == 2
    assert (
        "have no column in common (now: order_id, amount, status, note; baseline: sku, qty)"
        in unrelated.output
    )

    # Planted: amount was text in the baseline; the other columns are still compared.
    old = orders(1)
    texts = old.set_column(1, "amount", pa.array([f"{v:.2f}" for v in old["amount"].to_pylist()]))
    pq.write_table(texts, tmp_path / "texts.parquet")
    retyped = dq_profile(new, "--baseline", str(tmp_path / "texts.parquet"), "--out", str(tmp_path / "c"))
    assert retyped.exit_code == 2
    assert re.search(r"amount\s+error\s", retyped.stdout)
    assert "amount: type changed from string to double" in retyped.stdout
    assert re.search(r"status\s+stable\s", retyped.stdout)
    assert re.search(r"note\s+stable\s", retyped.stdout)


def test_a_monitored_iceberg_table_against_its_own_earlier_snapshot(
    scratch_catalog: str, tmp_path: Path
) -> None:
    from dq_resources.iceberg.catalogs import load_named_catalog

    catalog = load_named_catalog(scratch_catalog)
    catalog.create_namespace("shop")
    table = catalog.create_table("shop.orders", schema=orders(1).schema)
    table.append(orders(1))
    snapshot = table.current_snapshot()
    assert snapshot is not None
    first = snapshot.snapshot_id
    table.overwrite(orders(2, shifted=True))  # planted: today's data has the three shifts
    config = tmp_path / "defs"
    config.mkdir()
    (config / "orders.yaml").write_text(
        f"table: orders\nsource: {{type: iceberg, catalog: {scratch_catalog}, identifier: shop.orders}}\n"
    )
    out = str(tmp_path / "out")
    result = dq_profile("orders", "--baseline", f"orders@{first}", "--config", str(config), "--out", out)
    assert result.exit_code == 1, result.output
    assert f"drift against orders at snapshot {first} (20,000 rows) -> orders (20,000 rows)" in result.stdout
    assert re.search(r"amount\s+drifted\s+location\s", result.stdout)
    assert re.search(r"note\s+drifted\s+null_rate\s", result.stdout)
    same = dq_profile("orders", "--baseline", "orders", "--config", str(config), "--out", out)
    assert same.exit_code == 1, same.output  # the anomalies check flags the 35% NULL notes
    assert re.search(
        r"drift\s+pass\s+no drift in 4 columns against orders \(20,000 -> 20,000 rows\)", same.stdout
    )
    gone = dq_profile("orders", "--baseline", "orders@42", "--config", str(config), "--out", out)
    assert gone.exit_code == 2
    assert "snapshot 42 not found (expired or never existed)" in gone.output
    early = dq_profile(
        "orders", "--baseline", "orders@2001-01-01T00:00:00Z", "--config", str(config), "--out", out
    )
    assert early.exit_code == 2
    assert "before the table's first snapshot" in early.output
