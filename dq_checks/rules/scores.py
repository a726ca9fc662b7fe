"""Quality scores: rules passed / rules evaluated, overall and per dimension.

Errors and skips are not evaluations: a rule that could not run says nothing about the
data's quality (it is reported as an error on its own check instead).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dq_checks.results.model import Outcome
from dq_checks.rules.types.spec import Dimension


@dataclass(frozen=True)
class Scores:
    """Overall and per-dimension scores, with their counts."""

    overall: float | None
    passed: int
    evaluated: int
    dimensions: dict[str, float] = field(default_factory=dict)

    def as_metadata(self) -> dict[str, float | int]:
        """Numeric metadata the UI plots over time."""
        numbers: dict[str, float | int] = {"rules_passed": self.passed, "rules_evaluated": self.evaluated}
        if self.overall is not None:
            numbers["quality_score"] = round(self.overall, 6)
        numbers.update({f"score.{name}": round(value, 6) for name, value in self.dimensions.items()})
        return numbers


def score(results: Sequence[tuple[Dimension | None, Outcome]]) -> Scores:
    """Score rule outcomes; a dimension appears once it has an evaluated rule."""
    evaluated = [(d, o) for d, o in results if o in (Outcome.PASS, Outcome.FAIL)]
    passed = sum(1 for _, o in evaluated if o is Outcome.PASS)
    dimensions: dict[str, float] = {}
    for dimension in Dimension:
        mine = [o for d, o in evaluated if d is dimension]
        if mine:
            dimensions[dimension.value] = sum(1 for o in mine if o is Outcome.PASS) / len(mine)
    overall = passed / len(evaluated) if evaluated else None
    return Scores(overall, passed, len(evaluated), dimensions)
