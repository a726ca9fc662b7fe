"""Reports people open, built from the demo: the report asset writes HTML, JSON and Excel with an
executive summary; the HTML renders in a real headless Chromium; every run lands in the results store.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import dagster as dg
import openpyxl
import pytest

from dq_assets.definitions import build_definitions
from dq_checks.config.paths import PACKAGED_TABLES_DIR
from tests.table_runs import run_table_checks

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def customers_report(
    demo_warehouse: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dg.DagsterInstance, dict[str, dg.MetadataValue], Path]:
    folder = tmp_path / "tables"
    folder.mkdir()
    shutil.copy(PACKAGED_TABLES_DIR / "customers.yaml", folder / "customers.yaml")
    artifacts = tmp_path / "artifacts"
    monkeypatch.setenv("DQ_ARTIFACTS_DIR", str(artifacts))
    monkeypatch.setenv("DQ_RESULTS_URL", f"sqlite:///{tmp_path / 'results.db'}")
    defs = build_definitions(folder)
    with dg.DagsterInstance.ephemeral() as instance:
        assert run_table_checks(defs, "customers", instance).success
        assert defs.resolve_job_def("dq_reports").execute_in_process(instance=instance).success
        event = instance.get_latest_materialization_event(dg.AssetKey("customers_profile_report"))
        yield instance, event.asset_materialization.metadata, tmp_path


def opened(metadata: dict, key: str) -> Path:
    """The file a report link opens: the link is an absolute file:// URL a browser follows."""
    url = metadata[key].value
    assert url.startswith("file:///"), url
    path = Path(url2pathname(urlparse(url).path))
    assert path.is_absolute() and path.is_file()
    return path


def test_the_report_asset_writes_html_json_and_excel_with_a_summary(customers_report: tuple) -> None:
    _, metadata, tmp_path = customers_report
    assert opened(metadata, "report_html").is_relative_to(tmp_path / "artifacts")
    summary = metadata["summary"].value
    assert metadata["summary_written_by"].value == "template"  # no ANTHROPIC_API_KEY
    assert "customers" in summary and "phone_mostly_present" in summary  # the failing rule, by name
    html = opened(metadata, "report_html").read_text()
    assert summary.split(".")[0].replace("**", "")[:30] in html.replace("<strong>", "").replace(
        "</strong>", ""
    )
    for column in ("customer_id", "email", "full_name", "phone", "country", "signup_date", "segment"):
        assert column in html
    assert "@example" not in html  # pii_columns: e-mail values never appear (sensitive report)
    report = json.loads(opened(metadata, "report_json").read_text())
    assert set(report["variables"]) == {
        "customer_id",
        "email",
        "full_name",
        "phone",
        "country",
        "signup_date",
        "segment",
    }
    assert metadata["sample_rows"].value == 5_000
    workbook = openpyxl.load_workbook(opened(metadata, "report_xlsx"), read_only=True)
    assert workbook.sheetnames == ["summary", "columns", "anomalies", "rule results", "failing rows"]
    outcomes = {row[0]: row[1] for row in workbook["rule results"].iter_rows(min_row=2, values_only=True)}
    assert outcomes["phone_mostly_present"] == "fail" and outcomes["customer_id_is_primary_key"] == "pass"


def test_every_run_lands_in_the_results_store(customers_report: tuple) -> None:
    from dq_resources.results.store import ResultsStore

    _, _, tmp_path = customers_report
    store = ResultsStore.connect(f"sqlite:///{tmp_path / 'results.db'}")
    (run,) = store.read_table("check_runs")
    assert (run["table_name"], run["row_count"], run["column_count"]) == ("customers", 5_000, 7)
    profiles = {r["column_name"]: r for r in store.read_table("column_profiles")}
    assert profiles["phone"]["null_count"] == 1_400  # the planted missing phones
    assert profiles["phone"]["min_value"] == "<redacted>"
    rules = {r["check_name"]: r["outcome"] for r in store.read_table("rule_results")}
    assert rules["phone_mostly_present"] == "fail"
    overall = next(r for r in store.read_table("quality_scores") if r["dimension"] == "overall")
    assert overall["rules_passed"] == 5 and overall["rules_evaluated"] == 6
    store.dispose()


@pytest.mark.skipif(
    CHROMIUM is None and os.environ.get("DQ_REQUIRE_CHROMIUM") != "1",
    reason="Debian's chromium package is not installed (.ci/run installs it)",
)
def test_the_html_renders_in_headless_chromium(customers_report: tuple, tmp_path: Path) -> None:
    assert CHROMIUM is not None, "DQ_REQUIRE_CHROMIUM=1 but chromium is not installed"
    _, metadata, _ = customers_report
    done = subprocess.run(
        [
            CHROMIUM,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'chromium'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            metadata["report_html"].value,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    # The rendered page lists every column in its variables section.
    for column in ("customer_id", "email", "phone", "country", "segment"):
        assert f">{column}<" in dom or f">{column} " in dom, column


def test_the_llm_writes_the_summary_when_configured_and_the_template_when_it_fails(
    demo_warehouse: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fake_anthropic import FakeAnthropic, overloaded_reply, text_reply

    server = FakeAnthropic().start()
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
    monkeypatch.setenv("DQ_ARTIFACTS_DIR", str(tmp_path / "artifacts"))
    folder = tmp_path / "tables"
    folder.mkdir()
    shutil.copy(PACKAGED_TABLES_DIR / "products.yaml", folder / "products.yaml")
    defs = build_definitions(folder)
    job = dg.define_asset_job("report", selection=[dg.AssetKey("products_profile_report")])
    reports = dg.Definitions(assets=list(defs.assets), jobs=[job], resources=defs.resources)
    try:
        # the first report gets a summary; the second, an overloaded API (on every retry)
        server.script(
            text_reply("**products** is healthy apart from its stale snapshot."), overloaded_reply()
        )
        with dg.DagsterInstance.ephemeral() as instance:
            assert reports.resolve_job_def("report").execute_in_process(instance=instance).success
            metadata = instance.get_latest_materialization_event(
                dg.AssetKey("products_profile_report")
            ).asset_materialization.metadata
        assert metadata["summary"].value == "**products** is healthy apart from its stale snapshot."
        assert metadata["summary_written_by"].value == "claude-sonnet-5-5"
        content = server.bodies()[0]["messages"][0]["content"]
        assert "<report_facts>" in content and '"table": "products"' in content

        with dg.DagsterInstance.ephemeral() as instance:
            assert reports.resolve_job_def("report").execute_in_process(instance=instance).success
            metadata = instance.get_latest_materialization_event(
                dg.AssetKey("products_profile_report")
            ).asset_materialization.metadata
        assert metadata["summary_written_by"].value.startswith("template (the LLM failed: ")
        assert metadata["summary"].value.startswith("**products** has 500 rows")
    finally:
        server.stop()
