"""`Distribution "col" with bins = 10, rebin = false`: the two settings AWS documents, checked.

`bins` is the number of equal-width bins of a numeric column's histogram, a whole number from
1 to 20 (AWS's default and maximum is 20); it has no effect on other columns. `rebin` is true or
false. AWS keeps a histogram's bin edges from run to run and `rebin = false` freezes them; dq
keeps no edges between runs (each run bins its own minimum to maximum), so `rebin` is accepted
for a pasted ruleset, recorded beside the histogram, and changes nothing (see docs/dqdl.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from dq_checks.dqdl.ast import Boolean, Comparison, Condition, Expr, Number, Rule
from dq_checks.dqdl.printer import condition_text, expr_text

DEFAULT_BINS = 20
MAX_BINS = 20


@dataclass(frozen=True)
class DistributionSettings:
    """A Distribution analyzer's settings, with AWS's defaults."""

    bins: int = DEFAULT_BINS
    rebin: bool = True


def settings_problems(analyzer: Rule) -> list[str]:
    """Why the analyzer's `with` settings cannot be used (empty when they can)."""
    problems, seen = [], set()
    for tag in analyzer.tags:
        if tag.name in seen:
            problems.append(f"Distribution: {tag.name} is set twice")
        seen.add(tag.name)
        condition = tag.condition
        value = condition.operand if isinstance(condition, Comparison) and condition.op == "=" else None
        if tag.name == "bins" and not _whole_bins(value):
            problems.append(
                f"Distribution: bins must be a whole number from 1 to {MAX_BINS} "
                f"(got {_written(value, condition)}), as in `with bins = 10`"
            )
        elif tag.name == "rebin" and not isinstance(value, Boolean):
            problems.append(
                f"Distribution: rebin must be true or false (got {_written(value, condition)}), "
                "as in `with rebin = false`"
            )
        elif tag.name not in ("bins", "rebin"):
            problems.append(f"Distribution: unknown setting {tag.name!r} (settings: bins, rebin)")
    return problems


def distribution_settings(analyzer: Rule) -> DistributionSettings:
    """The settings of an analyzer whose `settings_problems` are empty."""
    settings = DistributionSettings()
    for tag in analyzer.tags:
        assert isinstance(tag.condition, Comparison)
        operand = tag.condition.operand
        if tag.name == "bins" and isinstance(operand, Number):
            settings = DistributionSettings(int(operand.value), settings.rebin)
        elif tag.name == "rebin" and isinstance(operand, Boolean):
            settings = DistributionSettings(settings.bins, operand.value)
    return settings


def _whole_bins(value: object) -> bool:
    if not isinstance(value, Number) or isinstance(value.value, bool) or not isinstance(value.value, int):
        return False
    return 1 <= value.value <= MAX_BINS


def _written(value: Expr | None, condition: Condition) -> str:
    """The value as written, for the message: `25`, `2.5`, `"x"`, or the condition, `> 10`."""
    return condition_text(condition) if value is None else expr_text(value)
