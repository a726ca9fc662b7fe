"""The report as people read it: a table of check | status | detail, then a `fix:` line per problem."""

from __future__ import annotations

from tabulate import tabulate

from dq_assets.doctor.model import DoctorReport, Status

DETAIL_WIDTH = 100


def render_text(report: DoctorReport) -> str:
    """The table, each non-ok finding's full detail with its fix (and notes), then the counts."""
    rows = [(f.check, f.status.value, _cut(f.detail)) for f in report.findings]
    lines = [tabulate(rows, headers=("check", "status", "detail"))]
    problems = [f for f in report.findings if f.status not in (Status.OK, Status.SKIPPED)]
    if problems:
        lines.append("")
    for finding in problems:
        lines.append(f"{finding.check} ({finding.status.value}): {finding.detail}")
        lines += [f"  {note}" for note in finding.notes]
        if finding.fix:
            lines.append(f"  fix: {finding.fix}")
    counts = report.counts()
    summary = ", ".join(f"{counts[s.value]} {s.value}" for s in Status)
    lines += ["", f"{len(report.findings)} checks: {summary}"]
    return "\n".join(lines)


def _cut(text: str) -> str:
    return text if len(text) <= DETAIL_WIDTH else text[: DETAIL_WIDTH - 1] + "…"
