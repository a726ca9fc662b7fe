"""One run over tables in five kinds of source, three of them broken on purpose: each broken table
gets *error* outcomes that name its source and cause, and the healthy ones are checked as usual.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from dq_assets.cli.main import cli
from dq_checks.config.paths import PACKAGED_TABLES_DIR


def test_broken_sources_error_alone(
    demo_warehouse: dict[str, int],
    tmp_path: Path,
    moto_url: str,
    aws_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    folder = tmp_path / "tables"
    folder.mkdir()
    shutil.copy(PACKAGED_TABLES_DIR / "products.yaml", folder / "products.yaml")  # healthy (but stale)
    good_csv = tmp_path / "rates.csv"
    good_csv.write_text("currency,rate\nEUR,1.0\nUSD,1.08\n")
    bad_csv = tmp_path / "broken.csv"
    bad_csv.write_text("id,amount\n1,2.5\n2,3.5,extra\n3,4.5\n")  # planted: line 3 has a field too many
    (folder / "rates.yaml").write_text(f"table: rates\nsource: {{type: file, path: '{good_csv}'}}\n")
    (folder / "broken_file.yaml").write_text(
        f"table: broken_file\nsource: {{type: file, path: '{bad_csv}'}}\n"
    )
    # planted: the Glue database has no such table
    (folder / "lake.yaml").write_text(
        "table: lake\nsource: {type: athena, database: nowhere, table: orders, output_location: 's3://r/'}\n"
    )
    # planted: nothing listens on port 1, and the password must not show
    (folder / "warehouse.yaml").write_text(
        "table: warehouse\n"
        "source: {type: sql, url: 'postgresql://dq:hunter2@127.0.0.1:1/shop', table: public.t}\n"
    )

    result = CliRunner().invoke(cli, ["run", "--json", "--config", str(folder)])
    assert result.exit_code == 2
    assert "hunter2" not in result.output
    reports = {t["table"]: t for t in json.loads(result.output)["tables"]}
    outcomes = {name: {c["name"]: c["outcome"] for c in r["checks"]} for name, r in reports.items()}

    for broken, cause in [
        ("broken_file", "line 3"),
        ("lake", "athena:nowhere.orders"),
        ("warehouse", "sql:postgresql/public.t"),
    ]:
        assert set(outcomes[broken].values()) == {"error"}, broken
        profile = next(c for c in reports[broken]["checks"] if c["name"] == "profile")
        assert cause in profile["description"], profile["description"]

    assert outcomes["rates"]["profile"] == "pass"
    assert reports["rates"]["row_count"] == 2
    assert outcomes["products"]["product_id_is_primary_key"] == "pass"
    assert outcomes["products"]["freshness"] == "fail"  # the planted stale snapshot, as always
