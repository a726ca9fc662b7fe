"""`<table>_profile_report`: the report people open, downstream of the table's checks.

It is its own asset (and its own job, `dq_reports`), so the checks stay fast: a ydata-profiling
report on 100,000 rows takes far longer than the exact profile of the whole table.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext

from dq_assets.source_resources import CLOCK_RESOURCE_KEY, open_table, source_resource_key
from dq_assets.table_asset import asset_key
from dq_checks.config.loader import DefinedTable

ARTIFACTS_RESOURCE_KEY = "dq_artifacts"
SUMMARY_WRITER_KEY = "dq_rule_proposer"
"""The LLM resource, when one is configured, also writes the executive summary."""
REPORT_SUFFIX = "_profile_report"
REPORTS_JOB = "dq_reports"


def report_asset_key(table: str) -> dg.AssetKey:
    """`shop/orders` gives AssetKey(['shop', 'orders_profile_report'])."""
    key = asset_key(table)
    return dg.AssetKey([*key.path[:-1], key.path[-1] + REPORT_SUFFIX])


def build_report_asset(defined: DefinedTable, catalog: Mapping[str, DefinedTable]) -> dg.AssetsDefinition:
    """The table's HTML, JSON and Excel reports with an executive summary, linked in metadata."""
    spec = defined.spec
    sources = {source_resource_key(t.spec.source) for t in catalog.values()}

    @dg.asset(
        key=report_asset_key(spec.table),
        deps=[asset_key(spec.table)],
        group_name=spec.group or "default",
        owners=list(spec.owners),
        description=f"ydata-profiling HTML and JSON on a sample of {spec.table}, an Excel workbook of its "
        "checks and failing rows, and an executive summary.",
        required_resource_keys={ARTIFACTS_RESOURCE_KEY, CLOCK_RESOURCE_KEY, SUMMARY_WRITER_KEY, *sources},
        kinds={"dq", "excel"},
    )
    def _profile_report(context: AssetExecutionContext) -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata=_report(context, defined, catalog))

    return _profile_report


def _report(
    context: AssetExecutionContext, defined: DefinedTable, catalog: Mapping[str, DefinedTable]
) -> dict[str, dg.MetadataValue]:
    from dq_assets.drift_baselines import drift_baseline
    from dq_assets.instance_table_history import read_past_runs
    from dq_assets.reports.build import REPORT_FAILING_ROWS, REPORT_SAMPLE_ROWS, write_reports
    from dq_resources.source_contract import OpenedTable, SourceError
    from dq_runs.inspect import inspect_table

    resources = context.resources
    now = getattr(resources, CLOCK_RESOURCE_KEY).now()

    def open_defined(target: DefinedTable) -> Any:
        return open_table(getattr(resources, source_resource_key(target.spec.source)), target.spec.source)

    def open_reference(name: str) -> OpenedTable:
        if name not in catalog:
            raise SourceError(f"{name!r} is not a monitored table")
        return open_defined(catalog[name])

    spec = defined.spec
    try:
        opened = open_defined(defined)
        baseline = drift_baseline(
            defined,
            context.instance,
            asset_key(spec.table),
            partition=None,
            open_own=lambda: open_defined(defined),
            resources=resources,
        )
        inspection = inspect_table(
            defined,
            opened,
            open_reference=open_reference,
            now=now,
            sample_limit=REPORT_FAILING_ROWS,
            drift_baseline=baseline,
        )
        sample = opened.sample(REPORT_SAMPLE_ROWS)
    except SourceError as error:
        raise dg.Failure(description=f"{spec.table}: cannot build the report: {error}") from error
    past = read_past_runs(context.instance, asset_key(spec.table), limit=2)
    previous = next((run for run in past if run.data_version != inspection.description.data_version), None)
    summary, source = _llm_summary(context, spec.table, inspection, previous)
    files = write_reports(
        table=spec.table,
        inspection=inspection,
        sample=sample,
        pii_columns=inspection.redacted_columns,
        previous=previous,
        store=getattr(resources, ARTIFACTS_RESOURCE_KEY),
        prefix=f"{spec.slug}/{now:%Y%m%dT%H%M%SZ}",
        summary=summary,
        drift=inspection.drift,
    )
    return {
        "summary": dg.MetadataValue.md(files.summary),
        "summary_written_by": dg.MetadataValue.text(source),
        "report_html": dg.MetadataValue.url(files.links["html"]),
        "report_json": dg.MetadataValue.url(files.links["json"]),
        "report_xlsx": dg.MetadataValue.url(files.links["xlsx"]),
        "report_location": _link(files.html.rsplit("/", 1)[0]),
        "sample_rows": dg.MetadataValue.int(files.sample_rows),
    }


def _llm_summary(
    context: AssetExecutionContext, table: str, inspection: Any, previous: Any
) -> tuple[str | None, str]:
    """The LLM's summary when one is configured, else None (the template writes it).

    A model that fails leaves the template's summary in place, and says so: the report is still useful.
    """
    from dq_checks.proposing.model import ProposerError
    from dq_checks.reports.summary import summary_facts

    writer = getattr(context.resources, SUMMARY_WRITER_KEY)
    summarize = getattr(writer, "summarize", None)
    if summarize is None:
        return None, "template"
    try:
        text, usage = summarize(summary_facts(table, inspection, previous))
    except ProposerError as error:
        context.log.warning(f"{table}: the LLM summary failed, the template's is used: {error}")
        return None, f"template (the LLM failed: {error})"
    if usage:
        context.instance.add_run_tags(
            context.run.run_id, {f"dq/llm_summary_{k}": str(v) for k, v in usage.items()}
        )
    return text, writer.proposed_by


def _link(location: str) -> dg.MetadataValue:
    return dg.MetadataValue.url(location) if "://" in location else dg.MetadataValue.path(location)


def build_reports_job(
    tables: list[DefinedTable], name: str = REPORTS_JOB
) -> "dg.UnresolvedAssetJobDefinition":
    """`dq_reports`: every table's report, on demand (or on a schedule a team adds)."""
    return dg.define_asset_job(
        name=name,
        selection=dg.AssetSelection.assets(*(report_asset_key(t.spec.table) for t in tables)),
        description="Build every monitored table's report: HTML, JSON, Excel and an executive summary.",
    )
