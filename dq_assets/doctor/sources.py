"""Each monitored table's source, reached exactly as `dq sources test` reaches it, with a fix if it fails."""

from __future__ import annotations

from dq_assets.doctor.context import DoctorContext
from dq_assets.doctor.model import Finding, error, ok, skipped
from dq_assets.doctor.source_hints import source_fix

SOURCES = "sources"


def check_sources(context: DoctorContext) -> list[Finding]:
    """One finding per table: `test_connection` on its source, through `dq sources test`'s own probe."""
    from dq_assets.cli.sources import probe_source
    from dq_assets.source_resources import default_resources

    tables = context.loaded.tables
    if not tables:
        return [skipped(SOURCES, f"no valid table definitions in {context.config_dir}")]
    resources = default_resources()
    findings: list[Finding] = []
    for defined in tables:
        source = defined.spec.source
        name = f"source {defined.spec.table}"
        probe = probe_source(resources, source)
        shown = source.display()
        detail = probe.detail if probe.detail.startswith(shown) else f"{shown}: {probe.detail}"
        if probe.ok:
            findings.append(ok(name, detail))
            continue
        fix = source_fix(source, detail, defined.where("source"))
        findings.append(error(name, detail, fix))
    return findings
