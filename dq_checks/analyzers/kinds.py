"""Which DQDL rule types dq computes as analyzers, and what each takes.

An analyzer is a rule type written without a condition (`Mean "price"`, `RowCount`): Glue
records its metric and passes no judgement. dq computes the types whose metric its rule engine
already observes, so an analyzer costs what a rule on the same metric costs.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_COLUMNS = "AllColumns"
"""Written unquoted in place of a column: the analyzer runs on every column it can take."""


@dataclass(frozen=True)
class AnalyzerKind:
    """What an analyzer type takes: how many columns, and whether they must be numeric."""

    columns: int
    numeric: bool = False


ANALYZER_KINDS: dict[str, AnalyzerKind] = {
    "RowCount": AnalyzerKind(0),
    "ColumnCount": AnalyzerKind(0),
    "Completeness": AnalyzerKind(1),
    "Mean": AnalyzerKind(1, numeric=True),
    "Sum": AnalyzerKind(1, numeric=True),
    "StandardDeviation": AnalyzerKind(1, numeric=True),
    "Variance": AnalyzerKind(1, numeric=True),
    "DistinctValuesCount": AnalyzerKind(1),
    "Uniqueness": AnalyzerKind(1),
    "UniqueValueRatio": AnalyzerKind(1),
    "Entropy": AnalyzerKind(1),
    "ColumnCorrelation": AnalyzerKind(2, numeric=True),
}

NOT_YET: dict[str, str] = {
    "Distribution": "a histogram or top-values metric, which dq does not compute yet",
    "AllStatistics": "a bundle of metrics, which dq does not compute yet; list the analyzers it stands for",
    "ColumnLength": "the minimum and maximum length, which dq does not compute as an analyzer yet",
    "ColumnValues": "the minimum and maximum value, which dq does not compute as an analyzer yet",
    "CustomSql": "a statement's result, which dq does not compute as an analyzer yet",
}
"""Glue analyzer types dq refuses, each with what it would have computed."""
