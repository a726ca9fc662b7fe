"""Rule outcomes and quality scores as check results."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from dq_checks.config.models import RuleSeverity
from dq_checks.config.rule_entries import RuleDefinition
from dq_checks.redaction import redact_rows
from dq_checks.render.markdown import markdown_table
from dq_checks.results.model import CheckResult, CheckSeverity, Markdown, Outcome
from dq_checks.results.names import QUALITY_SCORE_CHECK
from dq_checks.rules.model import RuleOutcome
from dq_checks.rules.scores import Scores

_SEVERITY = {RuleSeverity.ERROR: CheckSeverity.ERROR, RuleSeverity.WARN: CheckSeverity.WARN}
_SAMPLES = ("failed_sample", "duplicate_sample", "missing_sample")


def _table(rows: list[dict[str, Any]]) -> str:
    header = list(rows[0])
    return markdown_table(header, [["NULL" if r[h] is None else str(r[h]) for h in header] for r in rows])


def rule_result(
    definition: RuleDefinition, outcome: RuleOutcome, pii_columns: Collection[str] = ()
) -> CheckResult:
    """One rule's check result: observed value, condition, counts and samples in metadata.

    Sample rows keep their PII columns' NULLs but not their values, like the profile.
    """
    metadata: dict[str, Any] = {"rule": definition.text}
    if definition.dimension is not None:
        metadata["dimension"] = definition.dimension.value
    if outcome.observed is not None:
        metadata["observed"] = outcome.observed
    for key, value in outcome.details.items():
        if key in _SAMPLES and value:
            rows = redact_rows(value, pii_columns)
            metadata[key] = rows
            metadata[f"{key}_table"] = Markdown(_table(rows))
        else:
            metadata[key] = value
    if outcome.outcome is Outcome.ERROR:
        metadata["error"] = outcome.message
        return CheckResult(
            definition.check_name, outcome.outcome, f"error: {outcome.message}", CheckSeverity.ERROR, metadata
        )
    severity = _SEVERITY[definition.severity] if outcome.outcome is Outcome.FAIL else None
    return CheckResult(definition.check_name, outcome.outcome, outcome.message, severity, metadata)


def quality_score_result(scores: Scores, minimum: float) -> CheckResult:
    """Fails (WARN) when the overall score is below `minimum`; skips when no rule was evaluated."""
    metadata: dict[str, Any] = {**scores.as_metadata(), "minimum": minimum}
    if scores.overall is None:
        return CheckResult(QUALITY_SCORE_CHECK, Outcome.SKIP, "no rule was evaluated", None, metadata)
    dimensions = ", ".join(f"{k} {v:.2f}" for k, v in scores.dimensions.items())
    text = f"score {scores.overall:.2f} ({scores.passed} of {scores.evaluated} rules passed; {dimensions})"
    if scores.overall < minimum:
        return CheckResult(
            QUALITY_SCORE_CHECK, Outcome.FAIL, f"{text} is below {minimum:.2f}", CheckSeverity.WARN, metadata
        )
    return CheckResult(QUALITY_SCORE_CHECK, Outcome.PASS, text, None, metadata)
