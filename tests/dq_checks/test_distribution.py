"""The Distribution analyzer on planted data, on a real DuckDB and a real PostgreSQL.

A numeric column gets an equal-width histogram from its minimum to its maximum: each bin holds
[low, high), the last [low, high] (numpy's convention). A value on an inner edge belongs to the
bin above it; the maximum to the last bin. Every other column gets its 20 most frequent values,
ties by value ascending. NULLs are counted apart, NaN and infinities too.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy
from sqlglot import exp

from dq_checks.analyzers.compute import AnalyzerResult, compute_analyzers, plan_analyzers
from dq_checks.analyzers.redaction import redact_analyzers
from dq_checks.config.analyzer_entries import checked_analyzer
from dq_checks.config.models import AnomalySettings, ProfileLevel
from dq_checks.dqdl.parser import parse_ruleset
from dq_checks.dqdl.printer import analyzer_text
from dq_checks.metrics import QueryRunner
from dq_checks.profile.profiler import profile_and_measure
from dq_checks.redaction import REDACTED
from dq_checks.rules.model import TableContext
from dq_resources.engines.sql_runner import SqlRunner
from tests.dq_checks.rule_harness import NOW, RuleBench, description_of

NULL = None
# age: 11 values and 3 NULLs, range [0, 90]. With bins = 10 the edges are 0, 9, 18, ..., 81, 90.
# Planted: 9 and 18 sit on inner edges (they count in the bin above), 90 is the maximum (the
# last bin, closed, holds it), 0 the minimum (the first bin).
AGE = [0, 0, 8, 9, 17, 18, 45, 81, 89, 90, 90, NULL, NULL, NULL]
# [0,9): 0 0 8 | [9,18): 9 17 | [18,27): 18 | [45,54): 45 | [81,90]: 81 89 90 90
AGE_BINS_OF_10 = [3, 2, 1, 0, 0, 1, 0, 0, 0, 4]
# city: ties planted: Oslo and Paris 3 each, Athens and Bern 2 each, by value ascending.
CITY = ["Paris", "Oslo", "Paris", "Oslo", "Paris", "Oslo", "Bern", "Athens", "Bern", "Athens"]
CITY += ["Zurich", NULL, NULL, NULL]
# score: a double with one NaN and one infinity (in no bin, counted apart) and one NULL.
SCORE = [0.5, 1.5, math.nan, math.inf, 2.5, NULL, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
# level: a constant column (and 2 NULLs): one bin, whatever bins says.
LEVEL = [7] * 12 + [NULL, NULL]
# ghost: no value at all: no bins.
GHOST = [NULL] * 14
# flag: 10 true, 3 false, 1 NULL.
FLAG = [True, False, True, True, NULL, True, False, True, True, True, False, True, True, True]


def planted() -> pa.Table:
    return pa.table(
        {
            "age": pa.array(AGE, pa.int64()),
            "city": pa.array(CITY, pa.string()),
            "score": pa.array(SCORE, pa.float64()),
            "level": pa.array(LEVEL, pa.int32()),
            "ghost": pa.array(GHOST, pa.float64()),
            "flag": pa.array(FLAG, pa.bool_()),
        }
    )


class CountingRunner:
    """The real engine, counting the queries sent after the shared scan (it answers every one)."""

    def __init__(self, runner: QueryRunner) -> None:
        self._runner = runner
        self.dialect, self.relation, self.heavy_apart = runner.dialect, runner.relation, runner.heavy_apart
        self.sent: list[str] = []

    def fetch_rows(self, query: exp.Query) -> list[tuple[Any, ...]]:
        self.sent.append(query.sql(dialect=self.dialect))
        return self._runner.fetch_rows(query)

    def heavy_metrics_per_query(self, row_count: int) -> int:
        return self._runner.heavy_metrics_per_query(row_count)


def analyze(
    runner: QueryRunner, context: TableContext, ruleset: str, level: ProfileLevel = ProfileLevel.EXACT
) -> dict[str, AnalyzerResult]:
    """The ruleset's analyzers as the inspect step computes them: in the rules' scan, then apart."""
    definitions = [
        checked_analyzer(a, analyzer_text(a), f"ruleset.dqdl:{a.position.line if a.position else 1}", {})
        for a in parse_ruleset(ruleset).analyzers
    ]
    assert [d.problem for d in definitions] == [None] * len(definitions)
    planned = plan_analyzers(definitions, context)
    measured = profile_and_measure(
        runner,
        context.description.columns,
        AnomalySettings(),
        extra=[p.metrics for p in planned],
        level=level,
    )
    assert measured.failed_groups == {}
    results = compute_analyzers(planned, measured.values, runner, profile=measured.profile)
    return {r.analyzer: r for r in results}


@pytest.fixture(scope="module")
def bench() -> Iterator[RuleBench]:
    with RuleBench(planted()) as opened:
        yield opened


def bins(result: AnalyzerResult) -> list[tuple[float | None, float | None, int]]:
    assert result.error is None, result.error
    assert result.distribution is not None
    return [(b.low, b.high, b.count) for b in result.distribution.bins]


def test_a_histogram_counts_each_bin_exactly_with_the_last_bin_closed(bench: RuleBench) -> None:
    results = analyze(
        bench.engine, bench.context, 'Analyzers = [ Distribution "age" with bins = 10, rebin = false ]'
    )
    result = results['Distribution "age" with bins = 10, rebin = false']
    assert bins(result) == [(float(9 * i), float(9 * i + 9), n) for i, n in enumerate(AGE_BINS_OF_10)]
    distribution = result.distribution
    assert distribution is not None
    assert (distribution.null_count, distribution.non_finite_count) == (3, 0)
    assert (distribution.bins_requested, distribution.rebin) == (10, False)
    assert (result.metric, result.value) == (None, None)  # not a scalar: no history key
    assert distribution.summary == "10 bins over [0, 90], NULL 3"


def test_default_bins_nan_and_infinity_a_constant_and_an_empty_column(bench: RuleBench) -> None:
    results = analyze(
        bench.engine,
        bench.context,
        'Analyzers = [ Distribution "score", Distribution "level" with bins = 5, Distribution "ghost" ]',
    )
    score = results['Distribution "score"']
    # 20 bins of 0.1 over [0.5, 2.5]: 0.5 in the first, eight 1.0s in [1.0, 1.1), 1.5 in [1.5, 1.6), 2.5 last.
    counts = [count for _, _, count in bins(score)]
    assert len(counts) == 20
    assert {i: n for i, n in enumerate(counts) if n} == {0: 1, 5: 8, 10: 1, 19: 1}
    assert score.distribution is not None
    assert (score.distribution.null_count, score.distribution.non_finite_count) == (1, 2)
    assert score.distribution.summary == "20 bins over [0.5, 2.5], NULL 1, NaN/infinite 2"
    assert bins(results['Distribution "level" with bins = 5']) == [(7.0, 7.0, 12)]  # one value: one bin
    ghost = results['Distribution "ghost"']
    assert bins(ghost) == []
    assert ghost.distribution is not None
    assert (ghost.distribution.null_count, ghost.distribution.summary) == (14, "no values; NULL 14")


def test_top_values_by_count_with_ties_by_value(bench: RuleBench) -> None:
    results = analyze(bench.engine, bench.context, 'Analyzers = [ Distribution "city" with bins = 3 ]')
    distribution = results['Distribution "city" with bins = 3'].distribution  # bins: no effect on text
    assert distribution is not None
    assert [(v.value, v.count) for v in distribution.top_values] == [
        ("Oslo", 3),
        ("Paris", 3),
        ("Athens", 2),
        ("Bern", 2),
        ("Zurich", 1),
    ]
    assert (distribution.kind, distribution.null_count, distribution.distinct_count) == ("top_values", 3, 5)
    assert distribution.summary == '5 values: "Oslo" 3, "Paris" 3, "Athens" 2, …; NULL 3'


def test_only_the_twenty_most_frequent_values() -> None:
    # planted: 25 distinct codes; c24 three times, c23 twice, the rest once: the top 20 are
    # c24, c23, then c00..c17 (the ties by value ascending); c18..c22 are left out.
    codes = [f"c{i:02d}" for i in range(25)] + ["c24", "c24", "c23"]
    with RuleBench(pa.table({"code": pa.array(codes, pa.string())})) as bench:
        distribution = analyze(bench.engine, bench.context, 'Analyzers = [ Distribution "code" ]')[
            'Distribution "code"'
        ].distribution
    assert distribution is not None
    assert [(v.value, v.count) for v in distribution.top_values] == [
        ("c24", 3),
        ("c23", 2),
        *((f"c{i:02d}", 1) for i in range(18)),
    ]
    assert distribution.distinct_count == 25
    assert distribution.summary == 'top 20 of 25 values: "c24" 3, "c23" 2, "c00" 1, …; NULL 0'


def test_all_columns_gives_one_distribution_per_column_in_table_order(bench: RuleBench) -> None:
    results = analyze(bench.engine, bench.context, "Analyzers = [ Distribution AllColumns with bins = 10 ]")
    assert list(results) == [
        'Distribution "age" with bins = 10',
        'Distribution "city" with bins = 10',
        'Distribution "score" with bins = 10',
        'Distribution "level" with bins = 10',
        'Distribution "ghost" with bins = 10',
        'Distribution "flag" with bins = 10',
    ]
    kinds = {name: r.distribution.kind for name, r in results.items() if r.distribution is not None}
    assert list(kinds.values()) == [
        "histogram",
        "top_values",
        "histogram",
        "histogram",
        "histogram",
        "top_values",
    ]
    assert [c for _, _, c in bins(results['Distribution "age" with bins = 10'])] == AGE_BINS_OF_10
    flag = results['Distribution "flag" with bins = 10'].distribution
    assert flag is not None
    assert [(v.value, v.count) for v in flag.top_values] == [(True, 10), (False, 3)]
    assert flag.null_count == 1


def test_every_histogram_of_a_table_is_one_query_after_the_scan(bench: RuleBench) -> None:
    counting = CountingRunner(bench.engine)
    ruleset = 'Analyzers = [ Distribution "age", Distribution "score" with bins = 4, Distribution "level" ]'
    # profile off: only the row count is profiled, yet the histograms still get their min and max.
    scan_only = analyze(counting, bench.context, "Analyzers = [ RowCount ]", level=ProfileLevel.OFF)
    assert scan_only["RowCount"].value == 14
    before = len(counting.sent)
    results = analyze(counting, bench.context, ruleset, level=ProfileLevel.OFF)
    after_scan = counting.sent[before + 1 :]  # the first is the shared scan
    assert len(after_scan) == 1  # three histograms, one aggregate query
    assert [c for _, _, c in bins(results['Distribution "score" with bins = 4'])] == [1, 8, 1, 1]


def test_a_pii_column_keeps_its_counts_and_loses_its_values_and_edges(bench: RuleBench) -> None:
    results = analyze(bench.engine, bench.context, 'Analyzers = [ Distribution "city", Distribution "age" ]')
    redacted = {r.analyzer: r for r in redact_analyzers(list(results.values()), ["city", "age"])}
    city = redacted['Distribution "city"'].to_dict()["distribution"]
    assert city["top_values"] == [{"value": REDACTED, "count": n} for n in (3, 3, 2, 2, 1)]
    assert city["summary"] == '5 values: "<redacted>" 3, "<redacted>" 3, "<redacted>" 2, …; NULL 3'
    age = redacted['Distribution "age"'].to_dict()["distribution"]
    assert {(b["low"], b["high"]) for b in age["bins"]} == {(REDACTED, REDACTED)}
    assert sum(b["count"] for b in age["bins"]) == 11
    assert age["summary"] == "20 bins (range redacted: PII), NULL 3"
    assert redact_analyzers(list(results.values()), ["score"]) == list(results.values())


def test_the_json_shape(bench: RuleBench) -> None:
    result = analyze(bench.engine, bench.context, 'Analyzers = [ Distribution "age" with bins = 2 ]')[
        'Distribution "age" with bins = 2'
    ]
    assert result.to_dict() == {
        "analyzer": 'Distribution "age" with bins = 2',
        "metric": None,
        "value": None,
        "error": None,
        "location": "ruleset.dqdl:1",
        "distribution": {
            "column": "age",
            "kind": "histogram",
            "null_count": 3,
            "summary": "2 bins over [0, 90], NULL 3",
            "redacted": False,
            "bins_requested": 2,
            "rebin": True,
            "bins": [{"low": 0.0, "high": 45.0, "count": 6}, {"low": 45.0, "high": 90.0, "count": 5}],
            "non_finite_count": 0,
        },
    }


def test_an_unknown_column_is_an_error_naming_the_file_line(bench: RuleBench) -> None:
    result = analyze(
        bench.engine, bench.context, 'Analyzers = [\n  Distribution "AGE",\n  Distribution "agee"\n]'
    )
    assert result['Distribution "AGE"'].distribution is not None  # columns match ignoring case
    assert result['Distribution "agee"'].error == (
        "ruleset.dqdl:3: Distribution \"agee\": column 'agee' does not exist; "
        "the table has: age, city, score, level, ghost, flag; did you mean 'age'?"
    )


def _postgres_results(url: str, table: pa.Table, ruleset: str) -> dict[str, AnalyzerResult]:
    engine = sqlalchemy.create_engine(url)
    try:
        frame = table.to_pandas()
        frame.to_sql("planted", engine, index=False)
        runner = SqlRunner(engine, exp.table_(exp.to_identifier("planted", quoted=True)), "postgres")
        context = TableContext(description_of(table), runner.relation, (), NOW)
        return analyze(runner, context, ruleset)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_postgres_gives_the_same_distributions(postgres_database: str, bench: RuleBench) -> None:
    # pandas writes NaN to the database as NULL, so score's planted NaN would not arrive: left out.
    table = planted().drop_columns(["score"])
    ruleset = "Analyzers = [ Distribution AllColumns with bins = 10 ]"
    on_postgres = _postgres_results(postgres_database, table, ruleset)
    with RuleBench(table) as duck:
        on_duckdb = analyze(duck.engine, duck.context, ruleset)
    assert _plain(on_postgres.values()) == _plain(on_duckdb.values())
    assert [c for _, _, c in bins(on_postgres['Distribution "age" with bins = 10'])] == AGE_BINS_OF_10


def _plain(results: Sequence[AnalyzerResult] | Any) -> list[dict[str, Any]]:
    return [r.to_dict() for r in results]
