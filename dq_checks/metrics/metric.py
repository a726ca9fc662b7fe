"""One aggregate metric: a named scalar computed by a single aggregate expression."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp


@dataclass(frozen=True)
class AggregateMetric:
    """A scalar aggregate over the table.

    `heavy` marks aggregates whose memory grows with the row count (exact distinct counts,
    exact quantiles); the plan spreads those over several queries on big tables so memory
    stays bounded. Two metrics with the same expression are the same metric: `key` is the
    expression's canonical SQL, so a metric that the profile and a rule both need is
    computed once.
    """

    expression: exp.Expression
    heavy: bool = False
    key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.expression.sql(dialect="duckdb"))
