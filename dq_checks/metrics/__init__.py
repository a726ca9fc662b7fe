"""Metrics own their SQL: each is a sqlglot expression, de-duplicated and batched into few scans."""

from dq_checks.metrics.metric import AggregateMetric
from dq_checks.metrics.plan import MetricValues, compute_aggregates
from dq_checks.metrics.runner import QueryBudget, QueryRunner

__all__ = ["AggregateMetric", "MetricValues", "QueryBudget", "QueryRunner", "compute_aggregates"]
