"""Definition keys that name columns must name columns the table really has."""

from __future__ import annotations

from dataclasses import dataclass

from dq_checks.config.loader import DefinedTable
from dq_checks.schema import TableDescription
from dq_checks.suggestions import did_you_mean


@dataclass(frozen=True)
class ColumnProblems:
    """Unknown columns, split by the check they break."""

    profile: tuple[str, ...]
    anomalies: tuple[str, ...]


def unknown_columns(defined: DefinedTable, description: TableDescription) -> ColumnProblems:
    """Messages, each with `path:line`, for every named column the table lacks.

    A misspelt PII column would leave the real one unredacted, so it is an error on the
    profile check (and every column's values are hidden meanwhile); a misspelt anomaly
    override would silently not apply, so it is an error on the anomalies check.
    """
    present = dict.fromkeys(c.name for c in description.columns)
    spec = defined.spec

    def missing(key: str, names: list[str], consequence: str = "") -> list[str]:
        return [
            f"{defined.where(key, index)}: {key}: {name!r} is not a column of the table{consequence}"
            + did_you_mean(name, present)
            for index, name in enumerate(names)
            if name not in present
        ]

    redacted = "; every column's values are redacted until it is fixed"
    profile = missing("pii_columns", list(spec.pii_columns), redacted) + missing("key", list(spec.key))
    anomaly_columns = [
        f"{defined.where('anomalies', 'columns', name)}: anomalies.columns: "
        f"{name!r} is not a column of the table{did_you_mean(name, present)}"
        for name in spec.anomalies.columns
        if name not in present
    ]
    return ColumnProblems(tuple(profile), tuple(anomaly_columns))
