"""Which DQDL rule types dq computes as analyzers, and what each takes.

An analyzer is a rule type written without a condition (`Mean "price"`, `RowCount`): Glue
records its metric and passes no judgement. dq computes the types whose metric its rule engine
already observes, so an analyzer costs what a rule on the same metric costs, and `Distribution`
(a histogram or the top values of a column; see `distribution.py`), which is not a rule type.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL_COLUMNS = "AllColumns"
"""Written unquoted in place of a column: the analyzer runs on every column it can take."""
DISTRIBUTION = "Distribution"
"""The one analyzer that is no rule type: a histogram of a numeric column, the top values of another."""


@dataclass(frozen=True)
class AnalyzerKind:
    """What an analyzer type takes: how many columns, and whether they must be numeric."""

    columns: int
    numeric: bool = False
    settings: tuple[str, ...] = ()
    """The `with <name> = <value>` settings it takes (`Distribution "age" with bins = 10`)."""


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
    DISTRIBUTION: AnalyzerKind(1, settings=("bins", "rebin")),
}

NOT_YET: dict[str, str] = {
    "AllStatistics": "a bundle of metrics, which dq does not compute yet; list the analyzers it stands for",
    "ColumnLength": "the minimum and maximum length, which dq does not compute as an analyzer yet",
    "ColumnValues": "the minimum and maximum value, which dq does not compute as an analyzer yet",
    "CustomSql": "a statement's result, which dq does not compute as an analyzer yet",
}
"""Glue analyzer types dq refuses, each with what it would have computed."""
