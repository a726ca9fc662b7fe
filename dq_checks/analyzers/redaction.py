"""Analyzer results with the values of PII columns hidden, as the profile hides them.

A Distribution of a PII column keeps its counts and loses its values: its top values become
`<redacted>` (as the profile's top values do) and its bin edges go, since the first and last
edges are the column's minimum and maximum, which the profile hides too. Scalar analyzers
(Mean, Completeness, ...) are statistics the profile shows for PII columns as well.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace

from dq_checks.analyzers.compute import AnalyzerResult


def redact_analyzers(results: Sequence[AnalyzerResult], pii_columns: Collection[str]) -> list[AnalyzerResult]:
    """`results` with every Distribution of a column in `pii_columns` redacted."""
    hidden = set(pii_columns)
    return [
        replace(r, distribution=r.distribution.redact())
        if r.distribution is not None and r.distribution.column in hidden
        else r
        for r in results
    ]
