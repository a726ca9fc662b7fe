"""The `drift` check's result: what the comparison with the baseline found, and the sketch kept for the next.

Outcome: FAIL (WARN) when a column drifted, its errored columns named too; ERROR when nothing could
be compared, or when a column could not be (its type changed, the engine refused its query) and
none drifted; SKIP when there is no baseline yet; PASS otherwise. The metadata holds a number per
column and measure for the UI to plot across runs (`amount.ks_distance`, `status.psi`) and the
whole comparison. This run's summarized sketch, the next data version's baseline, rides on the
`profile` check (`dq/drift_sketch`), which evaluates at every run: a skipped check records nothing.
"""

from __future__ import annotations

from typing import Any

from dq_checks.drift.model import TableDrift
from dq_checks.drift.sketch import TableSketch
from dq_checks.results.model import CheckResult, CheckSeverity, Markdown, Outcome
from dq_checks.results.names import DRIFT_CHECK

DRIFT_SKETCH_KEY = "dq/drift_sketch"
DRIFT_BASELINE_KEY = "dq/drift_baseline"
SHOWN_REASONS = 3


def drift_result(drift: TableDrift) -> CheckResult:
    """The check's result for a comparison."""
    metadata: dict[str, Any] = {DRIFT_BASELINE_KEY: drift.baseline_label}
    if drift.error is not None:
        return CheckResult(
            DRIFT_CHECK,
            Outcome.ERROR,
            f"error: {drift.error}",
            CheckSeverity.ERROR,
            {
                **metadata,
                "error": drift.error,
            },
        )
    for column in drift.columns:
        metadata.update(column.plotted())
    metadata["drift"] = Markdown(drift_markdown(drift))
    metadata["dq/drift"] = drift.to_dict()
    drifted, errors = drift.drifted, drift.errors
    compared = len(drift.columns) - len(errors)
    against = f"against {drift.baseline_label}"
    if drifted:
        said = "; ".join(c.reason for c in drifted[:SHOWN_REASONS])
        more = f" (and {len(drifted) - SHOWN_REASONS} more)" if len(drifted) > SHOWN_REASONS else ""
        errored = (
            f"; {len(errors)} could not be compared: " + "; ".join(c.reason for c in errors) if errors else ""
        )
        description = f"{len(drifted)} of {compared} columns drifted {against}: {said}{more}{errored}"
        return CheckResult(DRIFT_CHECK, Outcome.FAIL, description, CheckSeverity.WARN, metadata)
    if errors:
        message = f"{len(errors)} column(s) could not be compared {against}: " + "; ".join(
            c.reason for c in errors
        )
        return CheckResult(
            DRIFT_CHECK,
            Outcome.ERROR,
            f"error: {message}",
            CheckSeverity.ERROR,
            {
                **metadata,
                "error": message,
            },
        )
    schema = f"; schema: {drift.schema.describe()}" if drift.schema.changed else ""
    rows = f"{drift.baseline_rows:,} -> {drift.current_rows:,} rows"
    description = f"no drift in {compared} columns {against} ({rows}){schema}"
    return CheckResult(DRIFT_CHECK, Outcome.PASS, description, None, metadata)


def drift_skipped(reason: str) -> CheckResult:
    """No baseline to compare with (the first run)."""
    return CheckResult(DRIFT_CHECK, Outcome.SKIP, reason)


def drift_error(message: str) -> CheckResult:
    """The comparison could not run at all (an unreadable baseline, a refused sample)."""
    return CheckResult(
        DRIFT_CHECK, Outcome.ERROR, f"error: {message}", CheckSeverity.ERROR, {"error": message}
    )


def kept_sketch_metadata(kept: TableSketch) -> dict[str, Any]:
    """The profile check's metadata that keeps this run's sketch, summarized, for the next run's baseline."""
    return {DRIFT_SKETCH_KEY: kept.summary().to_dict()}


def drift_markdown(drift: TableDrift) -> str:
    """A table of the compared columns: status, kinds, the test, its effect and the PSI."""
    lines = [
        f"Baseline: {drift.baseline_label} ({drift.baseline_rows:,} rows); now: {drift.current_label} "
        f"({drift.current_rows:,} rows)",
        "",
        "| column | status | kinds | test | effect | PSI | sampled |",
        "|---|---|---|---|---|---|---|",
    ]
    order = {"drifted": 0, "error": 1, "skipped": 2, "stable": 3}
    for c in sorted(drift.columns, key=lambda c: order[c.status]):
        test = c.distribution
        effect = f"{test.effect_name.replace('_', ' ')} {test.effect:.3f}" if test is not None else ""
        sizes = f"{c.sample_sizes[0]:,} / {c.sample_sizes[1]:,}" if c.sample_sizes is not None else ""
        psi = f"{c.psi:.3f}" if c.psi is not None else ""
        kinds = ", ".join(k.value for k in c.kinds)
        name = test.test if test else ""
        lines.append(f"| {_cell(c.column)} | {c.status} | {kinds} | {name} | {effect} | {psi} | {sizes} |")
    if drift.schema.changed:
        lines += ["", f"Schema: {_cell(drift.schema.describe())}"]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
