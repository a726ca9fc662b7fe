"""Benchmark our whole check step (profile, anomalies and 25 DQDL rules) against Great Expectations.

Usage: `python bench/rules_bench.py [ROWS] [--repeat N] [--skip-gx] [--skip-ydata] [--show-queries N]`

The table is the one `profile_bench.py` builds (ROWS rows x 10 columns, default 1,000,000,
written to an Iceberg table in a throw-away pyiceberg SQL catalog); this script imports its
data generator, catalog set-up and child-process helpers. Four contenders run on that data:

* ours: the check step as production runs it. A YAML definition with the 25 rules below is
  loaded with `load_table_specs` (not timed: a code location does it once), then the timer
  covers `IcebergCatalogResource().open(source)` and `inspect_table(defined, opened)`:
  describe, load into DuckDB, profile, anomalies, every rule and the quality score;
* ours without rules: the same step for a definition without `rules:` (profile and
  anomalies only), so that the cost of the rules shows as a share of the profile's time;
* gx: Great Expectations 1.x validating the equivalent expectation suite on a pandas
  DataFrame of the table (building the DataFrame is not timed; the ephemeral context, the
  batch, the suite and the validation are);
* ydata: `ProfileReport(df, minimal=True).to_json()`, as in `profile_bench.py`.

Each contender runs in its own child process (this script again, with the hidden flag
`--only NAME`), so its peak RSS is its own; the parent imports only the standard library.
`--repeat N` runs N rounds of all contenders (interleaved, so that a burst of other work
on a shared machine does not hit every run of one contender) and keeps each one's fastest.
Besides wall time, each child reports its CPU seconds (all threads) for the timed work.
Phases of our step are timed by wrapping the functions `inspect_table` calls (and
`LocalDuckDB.fetch_rows`, to count queries), which costs microseconds.

The rules and their GX counterparts. DQDL `between` is exclusive, hence GX `strict_min` and
`strict_max`; `with threshold >= x` and `Completeness >= x` become GX `mostly`. GX ignores
NULLs in column-value expectations, so row-level rules here use columns without NULLs.

| # | DQDL rule | GX expectation(s), `expect_...` | planted |
| --- | --- | --- | --- |
| 1 | `RowCount = ROWS` | `table_row_count_to_equal` | pass |
| 2 | `IsComplete "id"` | `column_values_to_not_be_null` | pass |
| 3 | `Completeness "score" >= 0.995` | `column_values_to_not_be_null`, mostly | fail |
| 4 | `IsUnique "id"` | `column_values_to_be_unique` | pass |
| 5 | `IsPrimaryKey "id"` | `column_values_to_be_unique` + `column_values_to_not_be_null` | pass |
| 6 | `Uniqueness "email" >= 0.95` | `column_values_to_be_unique`, mostly | pass |
| 7 | `DistinctValuesCount "status" = 5` | `column_unique_value_count_to_be_between` | pass |
| 8 | `ColumnValues "price" between 0 and 501` | `column_values_to_be_between` | pass |
| 9 | `ColumnValues "status" in [...]` | `column_values_to_be_in_set` | pass |
| 10 | `ColumnValues "email" matches "..."` | `column_values_to_match_regex`, anchored | pass |
| 11 | `ColumnValues "amount" > 0` | `column_values_to_be_between` | pass |
| 12 | `ColumnLength "status" between 5 and 10` | `column_value_lengths_to_be_between` | pass |
| 13 | `Mean "price" between 240 and 260` | `column_mean_to_be_between` | pass |
| 14 | `Sum "quantity" > 0` | `column_sum_to_be_between` | pass |
| 15 | `StandardDeviation "score" between 9 and 11` | `column_stdev_to_be_between` | pass |
| 16 | `ColumnExists "created_at"` | `column_to_exist` | pass |
| 17 | `ColumnCount = 10` | `table_column_count_to_equal` | pass |
| 18 | `ColumnCorrelation "price" "amount" between -0.05 and 0.05` | none in GX core | pass |
| 19 | `Entropy "status" between 1.0 and 1.5` | `column_kl_divergence_to_be_less_than` (*) | pass |
| 20 | `UniqueValueRatio "city" < 0.1` | `column_proportion_of_unique_values_...` (*) | pass |
| 21 | `DataFreshness "created_at" <= 5000 days` | `column_values_to_be_between`, min now-5000 d | pass |
| 22 | `CustomSql "select max(quantity) from primary" <= 30` | `column_max_to_be_between` | pass |
| 23 | `(IsComplete "status") and (ColumnValues "price" >= 1)` | `..._not_be_null` + `..._be_between` | pass |
| 24 | `ColumnValues "quantity" <= 8 where "status = 'cancelled'"` | `..._be_between`, row_condition | fail |
| 25 | `ColumnValues "amount" <= 50 with threshold >= 0.9` | `column_values_to_be_between`, mostly | fail |

For the 18 rules that the product's exporter (`dq_checks.gx.rule_to_expectations`) converts,
the expectations are exactly its output; rules 18-22 and 24 have no exact GX equivalent.

(*) The nearest GX core expectation, not the same measure: the KL divergence of `status`
from its generating weights (< 0.01) stands for its entropy, and GX's proportion of unique
values (distinct / non-null) for UniqueValueRatio (values seen once / distinct). GX has no
correlation expectation, so ColumnCorrelation has no counterpart (GX does less work).

The planted failures come from the generator's distributions: `score` has 1% NULLs, a
Poisson(3)+1 `quantity` exceeds 8 in ~1.2% of rows, and a lognormal(3, 1) `amount` is at
most 50 in ~82% of rows. At other sizes some outcomes may differ (email duplicates grow).
This is a benchmark, not a test: the targets print PASS/MISS and never change the exit code.
"""

# Heavy libraries are imported inside the functions that use them, as in profile_bench.py.

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import profile_bench as pb

if TYPE_CHECKING:
    from dq_checks.config.loader import DefinedTable

DEFAULT_ROWS = 1_000_000
CONTENDERS = ("ours", "ours_plain", "gx", "ydata")
LABELS = {
    "ours": "ours: check step, 25 rules",
    "ours_plain": "ours: profile + anomalies, no rules",
    "gx": "Great Expectations suite",
    "ydata": "ydata-profiling minimal",
}
TABLE_NAME = "t"
TARGET_GX_SPEEDUP = 5.0  # at 1M rows: GX takes at least this many times our check step's time
TARGET_RULES_OVERHEAD = 0.50  # the rules add at most this share to the profile + anomalies time
FRESHNESS_DAYS = 5000
TIMES = pb.TIMES


# --------------------------------------------------------------------------- the rules


@dataclass(frozen=True)
class RowsWhere:
    """A GX row condition `Column(column) == value`, built in the GX child."""

    column: str
    value: str


@dataclass(frozen=True)
class Gx:
    """One GX expectation: its class in `great_expectations.expectations` and its arguments."""

    expectation: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BenchRule:
    """One DQDL rule, the GX expectations that state it, and the outcome the data plants."""

    name: str
    dqdl: str
    gx: tuple[Gx, ...]
    planted: str


STATUS_SET = list(pb.STATUSES)


def bench_rules(rows: int, now: datetime) -> tuple[BenchRule, ...]:
    """The 25 rules for a table of `rows` rows, judged at `now` (naive UTC, for DataFreshness in GX)."""
    statuses = ", ".join(f'"{s}"' for s in pb.STATUSES)
    strict = {"strict_min": True, "strict_max": True}
    return (
        BenchRule(
            "row_count", f"RowCount = {rows}", (Gx("ExpectTableRowCountToEqual", {"value": rows}),), "pass"
        ),
        BenchRule(
            "id_complete", 'IsComplete "id"', (Gx("ExpectColumnValuesToNotBeNull", {"column": "id"}),), "pass"
        ),
        BenchRule(
            "score_completeness",
            'Completeness "score" >= 0.995',
            (Gx("ExpectColumnValuesToNotBeNull", {"column": "score", "mostly": 0.995}),),
            "fail",
        ),
        BenchRule(
            "id_unique", 'IsUnique "id"', (Gx("ExpectColumnValuesToBeUnique", {"column": "id"}),), "pass"
        ),
        BenchRule(
            "id_primary_key",
            'IsPrimaryKey "id"',
            (
                Gx("ExpectColumnValuesToBeUnique", {"column": "id"}),
                Gx("ExpectColumnValuesToNotBeNull", {"column": "id"}),
            ),
            "pass",
        ),
        BenchRule(
            "email_uniqueness",
            'Uniqueness "email" >= 0.95',
            (Gx("ExpectColumnValuesToBeUnique", {"column": "email", "mostly": 0.95}),),
            "pass",
        ),
        BenchRule(
            "status_distinct",
            'DistinctValuesCount "status" = 5',
            (
                Gx(
                    "ExpectColumnUniqueValueCountToBeBetween",
                    {"column": "status", "min_value": 5, "max_value": 5},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "price_range",
            'ColumnValues "price" between 0 and 501',
            (
                Gx(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "price", "min_value": 0, "max_value": 501, **strict},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "status_domain",
            f'ColumnValues "status" in [{statuses}]',
            (Gx("ExpectColumnValuesToBeInSet", {"column": "status", "value_set": STATUS_SET}),),
            "pass",
        ),
        BenchRule(
            "email_format",
            'ColumnValues "email" matches "user[0-9]+@[a-z]+[.](com|test)"',
            (
                Gx(
                    "ExpectColumnValuesToMatchRegex",
                    {"column": "email", "regex": "^user[0-9]+@[a-z]+[.](com|test)$"},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "amount_positive",
            'ColumnValues "amount" > 0',
            (Gx("ExpectColumnValuesToBeBetween", {"column": "amount", "min_value": 0, "strict_min": True}),),
            "pass",
        ),
        BenchRule(
            "status_length",
            'ColumnLength "status" between 5 and 10',
            (
                Gx(
                    "ExpectColumnValueLengthsToBeBetween",
                    {"column": "status", "min_value": 5, "max_value": 10, **strict},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "price_mean",
            'Mean "price" between 240 and 260',
            (
                Gx(
                    "ExpectColumnMeanToBeBetween",
                    {"column": "price", "min_value": 240, "max_value": 260, **strict},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "quantity_sum",
            'Sum "quantity" > 0',
            (Gx("ExpectColumnSumToBeBetween", {"column": "quantity", "min_value": 0, "strict_min": True}),),
            "pass",
        ),
        BenchRule(
            "score_stddev",
            'StandardDeviation "score" between 9 and 11',
            (
                Gx(
                    "ExpectColumnStdevToBeBetween",
                    {"column": "score", "min_value": 9, "max_value": 11, **strict},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "created_at_exists",
            'ColumnExists "created_at"',
            (Gx("ExpectColumnToExist", {"column": "created_at"}),),
            "pass",
        ),
        BenchRule(
            "column_count", "ColumnCount = 10", (Gx("ExpectTableColumnCountToEqual", {"value": 10}),), "pass"
        ),
        BenchRule(
            "price_amount_corr", 'ColumnCorrelation "price" "amount" between -0.05 and 0.05', (), "pass"
        ),
        BenchRule(
            "status_entropy",
            'Entropy "status" between 1.0 and 1.5',
            (
                Gx(
                    "ExpectColumnKLDivergenceToBeLessThan",
                    {
                        "column": "status",
                        "partition_object": {"values": STATUS_SET, "weights": list(pb.STATUS_WEIGHTS)},
                        "threshold": 0.01,
                    },
                ),
            ),
            "pass",
        ),
        BenchRule(
            "city_unique_ratio",
            'UniqueValueRatio "city" < 0.1',
            (
                Gx(
                    "ExpectColumnProportionOfUniqueValuesToBeBetween",
                    {"column": "city", "max_value": 0.1, "strict_max": True},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "created_at_fresh",
            f'DataFreshness "created_at" <= {FRESHNESS_DAYS} days',
            (
                Gx(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "created_at", "min_value": now - timedelta(days=FRESHNESS_DAYS)},
                ),
            ),
            "pass",
        ),
        BenchRule(
            "max_quantity_sql",
            'CustomSql "select max(quantity) from primary" <= 30',
            (Gx("ExpectColumnMaxToBeBetween", {"column": "quantity", "max_value": 30}),),
            "pass",
        ),
        BenchRule(
            "status_and_price",
            '(IsComplete "status") and (ColumnValues "price" >= 1)',
            (
                Gx("ExpectColumnValuesToNotBeNull", {"column": "status"}),
                Gx("ExpectColumnValuesToBeBetween", {"column": "price", "min_value": 1}),
            ),
            "pass",
        ),
        BenchRule(
            "cancelled_quantity",
            'ColumnValues "quantity" <= 8 where "status = \'cancelled\'"',
            (
                Gx(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "quantity", "max_value": 8, "row_condition": RowsWhere("status", "cancelled")},
                ),
            ),
            "fail",
        ),
        BenchRule(
            "amount_mostly_small",
            'ColumnValues "amount" <= 50 with threshold >= 0.9',
            (Gx("ExpectColumnValuesToBeBetween", {"column": "amount", "max_value": 50, "mostly": 0.9}),),
            "fail",
        ),
    )


def utc_now() -> datetime:
    """Now in UTC as a naive datetime, comparable with the table's naive `created_at`."""
    return datetime.now(UTC).replace(tzinfo=None)


def definition_yaml(rules: Sequence[BenchRule]) -> str:
    """The table definition production would read; JSON strings are valid YAML scalars."""
    lines = [
        f"table: {TABLE_NAME}",
        f"source: {{type: iceberg, catalog: {pb.CATALOG}, identifier: {pb.IDENTIFIER}}}",
        "key: [id]",
    ]
    if rules:
        lines.append("rules:")
        lines.extend(f"  - {{name: {rule.name}, rule: {json.dumps(rule.dqdl)}}}" for rule in rules)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- contenders (child side)


class PhaseClock:
    """Times the functions `inspect_table` calls, and counts and times each engine query."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.queries: dict[str, int] = {}
        self.slowest: list[tuple[float, str, str]] = []
        self._stack: list[str] = []

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        """`function`, adding its wall time to `phase`."""
        self.seconds.setdefault(phase, 0.0)
        self.queries.setdefault(phase, 0)

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._stack.append(phase)
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[phase] += time.perf_counter() - began
                self._stack.pop()

        return timed

    def wrap_query(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """`LocalDuckDB.fetch_rows`, counted towards the phase that runs it."""

        @functools.wraps(function)
        def timed(engine: Any, query: Any) -> Any:
            began = time.perf_counter()
            try:
                return function(engine, query)
            finally:
                phase = self._stack[-1] if self._stack else "other"
                self.queries[phase] = self.queries.get(phase, 0) + 1
                sql = query.sql(dialect="duckdb")
                self.slowest.append((time.perf_counter() - began, phase, sql))

        return timed


def instrument() -> PhaseClock:
    """Wrap the steps of `inspect_table` (in this child process only) with a PhaseClock."""
    import dq_runs.inspect as inspect_module
    from dq_resources.engines.local_duckdb import LocalDuckDB
    from dq_resources.iceberg.resource import IcebergTable

    clock = PhaseClock()
    IcebergTable.describe = clock.wrap("describe", IcebergTable.describe)  # type: ignore[method-assign]
    LocalDuckDB.load = clock.wrap("load into DuckDB", LocalDuckDB.load)  # type: ignore[method-assign]
    inspect_module.plan_rules = clock.wrap("compile rules", inspect_module.plan_rules)
    inspect_module.profile_and_measure = clock.wrap(
        "profile + rule metrics scan", inspect_module.profile_and_measure
    )
    inspect_module.judge_rules = clock.wrap("judge rules", inspect_module.judge_rules)
    inspect_module.detect_anomalies = clock.wrap("detect anomalies", inspect_module.detect_anomalies)
    LocalDuckDB.fetch_rows = clock.wrap_query(LocalDuckDB.fetch_rows)  # type: ignore[method-assign]
    return clock


def load_definition(folder: Path, rules: Sequence[BenchRule]) -> DefinedTable:
    """Write the YAML and load it as production does; any problem stops the benchmark."""
    from dq_checks.config.loader import load_table_specs

    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{TABLE_NAME}.yaml").write_text(definition_yaml(rules), encoding="utf-8")
    loaded = load_table_specs(folder)
    if loaded.problems != () or loaded.rule_problems != ():
        problems = [str(p) for p in loaded.problems] + list(loaded.rule_problems)
        raise SystemExit("the benchmark definition does not load:\n" + "\n".join(problems))
    defined = loaded.by_name(TABLE_NAME)
    if defined is None:
        raise SystemExit(f"table {TABLE_NAME!r} is missing from {folder}")
    if len(defined.rules) != len(rules):
        raise SystemExit(f"expected {len(rules)} rules, loaded {len(defined.rules)}")
    return defined


def run_ours(rows: int, workdir: Path, *, with_rules: bool) -> dict[str, Any]:
    """Open the table and run `inspect_table`, with or without the 25 rules."""
    import duckdb  # noqa: F401  (imported here so the timer does not pay for it)
    import pyiceberg.catalog.sql
    import pyiceberg.io.pyarrow  # noqa: F401

    from dq_resources.iceberg import IcebergCatalogResource
    from dq_runs.inspect import inspect_table

    rules = bench_rules(rows, utc_now()) if with_rules else ()
    began = time.perf_counter()
    defined = load_definition(
        workdir / ("with-rules" if with_rules else "no-rules") / str(os.getpid()), rules
    )
    config_seconds = time.perf_counter() - began
    clock = instrument()

    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    opened = IcebergCatalogResource().open(defined.spec.source)
    opened_at = time.perf_counter()
    inspection = inspect_table(defined, opened)
    end, cpu_end = time.perf_counter(), time.process_time()

    phases = {"open": (opened_at - start, 0)}
    phases.update({name: (seconds, clock.queries[name]) for name, seconds in clock.seconds.items()})
    other = max(0.0, (end - start) - sum(seconds for seconds, _ in phases.values()))
    phases["other (engine set-up, results, close)"] = (other, clock.queries.get("other", 0))
    rule_names = {rule.name for rule in rules}
    checks = [
        {"name": c.name, "outcome": c.outcome.value, "description": c.description}
        for c in inspection.checks
        if c.name in rule_names
    ]
    others = {c.name: c.outcome.value for c in inspection.checks if c.name not in rule_names}
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "config_seconds": config_seconds,
        "rows": inspection.profile.row_count,
        "anomalies": sorted(f"{a.column}:{a.type}" for a in inspection.anomalies),
        "checks": checks,
        "other_checks": others,
        "phases": phases,
        "slowest": sorted(clock.slowest, reverse=True),
    }


def gx_expectation(spec: Gx, rule: str) -> Any:
    """The GX expectation object for `spec`, tagged with its rule's name."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    kwargs = dict(spec.kwargs)
    condition = kwargs.get("row_condition")
    if isinstance(condition, RowsWhere):
        kwargs["row_condition"] = Column(condition.column) == condition.value
    # The description keeps a rule's expectation apart from an equal one of another rule
    # (IsPrimaryKey repeats IsUnique's and IsComplete's): a suite drops "equalish" duplicates.
    return getattr(gxe, spec.expectation)(**kwargs, meta={"rule": rule}, description=rule)


def gx_outcome(successes: list[bool], errors: list[str]) -> tuple[str, str]:
    """A rule's outcome from its expectations' results: error beats fail beats pass."""
    if errors:
        return "error", "; ".join(errors)
    if not successes:
        return "error", "the suite returned no result for this rule's expectations"
    return ("pass" if all(successes) else "fail"), ""


def run_gx(rows: int) -> dict[str, Any]:
    """Validate the equivalent GX suite on a pandas DataFrame of the table."""
    from dq_resources.iceberg.reader import stream_table

    frame = stream_table(pb.load_table()).read_all().to_pandas()
    import great_expectations as gx
    import great_expectations.expectations  # imported here so the timer does not pay for it
    from great_expectations.data_context.types.base import ProgressBarsConfig

    rules = bench_rules(rows, utc_now())
    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas("bench")
        .add_dataframe_asset("t")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name="rules_bench")
    for rule in rules:
        for spec in rule.gx:
            suite.add_expectation(gx_expectation(spec, rule.name))
    suite = context.suites.add(suite)
    built_at = time.perf_counter()
    result = batch.validate(suite)
    end, cpu_end = time.perf_counter(), time.process_time()

    successes: dict[str, list[bool]] = {rule.name: [] for rule in rules if rule.gx}
    errors: dict[str, list[str]] = {name: [] for name in successes}
    for item in result.results:
        name = item.expectation_config.meta["rule"]
        successes[name].append(bool(item.success))
        info = item.exception_info or {}
        infos = [info] if "raised_exception" in info else list(info.values())
        for one in infos:
            if isinstance(one, dict) and one.get("raised_exception"):
                errors[name].append(str(one.get("exception_message", "exception")).splitlines()[0])
    checks = []
    for name, found in successes.items():
        outcome, message = gx_outcome(found, errors[name])
        checks.append({"name": name, "outcome": outcome, "description": message})
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "rows": len(frame),
        "expectations": len(result.results),
        "checks": checks,
        "phases": {"context + batch + suite": (built_at - start, 0), "validate": (end - built_at, 0)},
    }


def run_ydata() -> dict[str, Any]:
    """profile_bench's ydata contender, plus the CPU time of the timed work."""
    from dq_resources.iceberg.reader import stream_table

    frame = stream_table(pb.load_table()).read_all().to_pandas()
    from ydata_profiling import ProfileReport

    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    ProfileReport(frame, minimal=True).to_json()
    end, cpu_end = time.perf_counter(), time.process_time()
    return {"seconds": end - start, "cpu_seconds": cpu_end - cpu_start, "rss_before_kib": before}


def child_main(name: str, rows: int, workdir: Path) -> int:
    configure_environment(workdir)
    if name == "build":
        result = pb.build_table(rows)
    elif name == "ours":
        result = run_ours(rows, workdir, with_rules=True)
    elif name == "ours_plain":
        result = run_ours(rows, workdir, with_rules=False)
    elif name == "gx":
        result = run_gx(rows)
    else:
        result = run_ydata()
    result["peak_rss_kib"] = pb.peak_rss_kib()
    print(pb.RESULT_MARKER + json.dumps(result), flush=True)
    return 0


def configure_environment(workdir: Path) -> None:
    """profile_bench's catalog and ydata settings, and GX's analytics off; before any import of them."""
    pb.configure_environment(workdir)
    os.environ["GX_ANALYTICS_ENABLED"] = "False"


# --------------------------------------------------------------------------- parent side


def outcome_counts(checks: Sequence[dict[str, Any]]) -> str:
    """`22 pass, 3 fail, 0 error`."""
    counts = {outcome: 0 for outcome in ("pass", "fail", "error")}
    for check in checks:
        counts[check["outcome"]] = counts.get(check["outcome"], 0) + 1
    return ", ".join(f"{n} {outcome}" for outcome, n in counts.items())


def print_table(rows: Sequence[Sequence[str]], right_from: int = 1) -> None:
    """Columns padded to their widest cell; columns from `right_from` on are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        cells = [
            cell.rjust(width) if i >= right_from else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  " + "  ".join(cells).rstrip())
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def print_phases(label: str, measurement: pb.Measurement) -> None:
    phases = measurement.extra.get("phases", {})
    parts = [
        f"{phase} {seconds:.2f} s" + (f" ({queries} queries)" if queries else "")
        for phase, (seconds, queries) in phases.items()
    ]
    print(f"{label}, by phase: " + ", ".join(parts))


def report(
    rows: int,
    built: dict[str, Any],
    results: dict[str, pb.Measurement],
    *,
    repeat: int,
    show_queries: int,
    load: tuple[float, float],
) -> None:
    print()
    print(
        f"rows: {rows:,} x 10 columns in {built['files']} data file(s); "
        f"table built in {built['seconds']:.1f} s"
    )
    rounds = f"best of {repeat} interleaved rounds" if repeat > 1 else "one run"
    print(f"timing: {rounds}, each run of each contender in a fresh process")
    print(
        f"load average (1 min) before / after the runs: {load[0]:.2f} / {load[1]:.2f} "
        f"on {os.cpu_count()} CPUs; CPU seconds: every thread of the contender's process, timed work only"
    )
    print()
    table = [("contender", "seconds", "CPU seconds", "peak RSS MiB", "RSS before work MiB")]
    table += [
        (
            LABELS[m.name],
            f"{m.seconds:.2f}",
            f"{m.extra['cpu_seconds']:.2f}",
            f"{m.peak_rss_mib:,.0f}",
            f"{m.rss_before_mib:,.0f}",
        )
        for m in results.values()
    ]
    print_table(table)

    ours, plain = results["ours"], results["ours_plain"]
    print()
    print(
        f"config load of the 25 rules (YAML + DQDL parse, not timed): {ours.extra['config_seconds']:.2f} s; "
        f"rows checked: {int(ours.extra['rows']):,}"
    )
    for name in ("ours", "ours_plain", "gx"):
        if name in results:
            print_phases(LABELS[name], results[name])

    rules = bench_rules(rows, utc_now())
    gx_checks = {c["name"]: c for c in results["gx"].extra["checks"]} if "gx" in results else {}
    our_checks = {c["name"]: c for c in ours.extra["checks"]}
    print()
    print("rule outcomes:")
    table = [("#", "check", "DQDL rule", "planted", "ours", "GX")]
    for number, rule in enumerate(rules, start=1):
        ours_outcome = our_checks.get(rule.name, {}).get("outcome", "missing")
        gx_outcome_text = gx_checks.get(rule.name, {}).get("outcome", "-" if "gx" in results else "skipped")
        text = rule.dqdl if len(rule.dqdl) <= 62 else rule.dqdl[:59] + "..."
        table.append((str(number), rule.name, text, rule.planted, ours_outcome, gx_outcome_text))
    print_table(table, right_from=6)

    print()
    print(f"ours: {len(our_checks)} rules evaluated: {outcome_counts(list(our_checks.values()))}")
    others = ", ".join(f"{name} {outcome}" for name, outcome in ours.extra["other_checks"].items())
    print(f"ours, other checks: {others}; anomalies: {', '.join(ours.extra['anomalies']) or '-'}")
    errors = [c for c in our_checks.values() if c["outcome"] == "error"]
    for check in errors:
        print(f"  ERROR {check['name']}: {check['description']}")
    surprises = [r.name for r in rules if our_checks.get(r.name, {}).get("outcome") != r.planted]
    print(f"ours, outcomes other than planted: {', '.join(surprises) or 'none'}")
    if "gx" in results:
        gx = results["gx"]
        no_equivalent = [r.name for r in rules if not r.gx]
        print(
            f"GX: {len(gx_checks)} rules ({gx.extra['expectations']} expectations) evaluated: "
            f"{outcome_counts(list(gx_checks.values()))}; no GX equivalent: {', '.join(no_equivalent)}"
        )
        for check in gx_checks.values():
            if check["outcome"] == "error":
                print(f"  GX ERROR {check['name']}: {check['description']}")
        disagree = [
            name
            for name, check in gx_checks.items()
            if check["outcome"] != our_checks.get(name, {}).get("outcome")
        ]
        print(f"rules where GX and ours disagree: {', '.join(disagree) or 'none'}")

    if show_queries:
        print()
        print(f"ours (with rules), the {show_queries} slowest queries:")
        for seconds, phase, sql in ours.extra["slowest"][:show_queries]:
            print(f"  {seconds:6.3f} s  [{phase}]  {sql[:150]}")

    print()
    print("ratios and targets (informational; they do not change the exit code):")
    line = f"rule errors in our check step: {len(errors)}"
    print(f"  {line:<58} {'target: 0':<30} {pb.verdict(not errors)}")
    if "gx" in results:
        speedup = results["gx"].seconds / ours.seconds
        line = f"GX takes {speedup:.1f}{TIMES} our check step's time"
        target = f"target at 1M rows: >= {TARGET_GX_SPEEDUP:g}{TIMES}"
        print(f"  {line:<58} {target:<30} {pb.verdict(speedup >= TARGET_GX_SPEEDUP)}")
        cpu_ratio = float(results["gx"].extra["cpu_seconds"]) / float(ours.extra["cpu_seconds"])
        line = f"  in CPU seconds: GX takes {cpu_ratio:.1f}{TIMES} ours"
        print(f"  {line:<58} {'(ours runs on every core)'}")
    else:
        print("  Great Expectations: skipped (--skip-gx)")
    overhead = (ours.seconds - plain.seconds) / plain.seconds
    line = f"rules add {overhead:.0%} to the profile's time ({ours.seconds - plain.seconds:+.2f} s)"
    target = f"target: <= {TARGET_RULES_OVERHEAD:.0%}"
    print(f"  {line:<58} {target:<30} {pb.verdict(overhead <= TARGET_RULES_OVERHEAD)}")
    ours_cpu, plain_cpu = float(ours.extra["cpu_seconds"]), float(plain.extra["cpu_seconds"])
    cpu_overhead = (ours_cpu - plain_cpu) / plain_cpu
    line = f"  in CPU seconds: rules add {cpu_overhead:.0%} ({ours_cpu - plain_cpu:+.2f} s)"
    print(f"  {line:<58} {'(less sensitive to other load)'}")
    if "ydata" in results:
        ratio = results["ydata"].seconds / ours.seconds
        line = f"ydata-profiling minimal takes {ratio:.1f}{TIMES} our check step's time"
        print(f"  {line:<58} {'(no target)'}")
    else:
        print("  ydata-profiling minimal: skipped (--skip-ydata)")


def measure_interleaved(
    script: Path, rows: int, names: Sequence[str], workdir: Path, repeat: int
) -> dict[str, pb.Measurement]:
    """Like `profile_bench.measure`, but round by round (A B C, A B C, ...), not A A A, B B B.

    On a shared machine a burst of other work then slows one run of each contender rather
    than every run of one, which matters most for the with/without-rules pair.
    """
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for round_number in range(1, repeat + 1):
        for name in names:
            suffix = f" (round {round_number} of {repeat})" if repeat > 1 else ""
            print(f"running {LABELS[name]}{suffix} ...", flush=True)
            runs[name].append(pb.run_child(script, rows, name, workdir))
    results = {}
    for name, done in runs.items():
        best = min(done, key=lambda run: float(run["seconds"]))
        results[name] = pb.Measurement(
            name=name,
            seconds=float(best["seconds"]),
            peak_rss_mib=max(int(run["peak_rss_kib"]) for run in done) / 1024,
            rss_before_mib=max(int(run["rss_before_kib"]) for run in done) / 1024,
            extra=best,
        )
    return results


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "rows",
        type=int,
        nargs="?",
        default=DEFAULT_ROWS,
        help=f"rows in the table (default {DEFAULT_ROWS:,})",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run N interleaved rounds of every contender, each run in a fresh process; keep the best",
    )
    parser.add_argument("--skip-gx", action="store_true", help="do not run Great Expectations")
    parser.add_argument(
        "--skip-ydata", action="store_true", help="do not run ydata-profiling (many minutes on big tables)"
    )
    parser.add_argument(
        "--show-queries", type=int, default=0, metavar="N", help="print our N slowest queries (with rules)"
    )
    parser.add_argument("--only", choices=(*CONTENDERS, "build"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows <= 0 or args.repeat <= 0 or args.show_queries < 0:
        parser.error("ROWS and --repeat must be positive, --show-queries not negative")
    if args.only is not None and args.workdir is None:
        parser.error("--only needs --workdir")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.only is not None:
        return child_main(args.only, args.rows, args.workdir)

    script = Path(__file__).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="dq-rules-bench-"))
    try:
        configure_environment(workdir)
        print(f"building {args.rows:,} rows into iceberg table {pb.CATALOG}:{pb.IDENTIFIER} ...", flush=True)
        built = pb.run_child(script, args.rows, "build", workdir)
        skipped = {name for name, skip in (("gx", args.skip_gx), ("ydata", args.skip_ydata)) if skip}
        load_before = os.getloadavg()[0]
        names = [name for name in CONTENDERS if name not in skipped]
        results = measure_interleaved(script, args.rows, names, workdir, args.repeat)
        load = (load_before, os.getloadavg()[0])
        report(args.rows, built, results, repeat=args.repeat, show_queries=args.show_queries, load=load)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
