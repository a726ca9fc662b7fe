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
    computed once. `counts_distinct` is read from the expression itself (a `COUNT(DISTINCT ...)`
    anywhere in it), so no caller can forget to say it: an engine may hold each such count in
    a hash table of its own, with a fixed cost however few rows the table has.
    """

    expression: exp.Expression
    heavy: bool = False
    key: str = field(init=False)
    counts_distinct: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", self.expression.sql(dialect="duckdb"))
        distinct = any(isinstance(node.this, exp.Distinct) for node in self.expression.find_all(exp.Count))
        object.__setattr__(self, "counts_distinct", distinct)
