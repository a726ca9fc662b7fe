"""The grid benchmark's contenders, each run in its own child process by `grid_bench.py --only NAME`.

Every runner returns a dict with `seconds` (wall, `perf_counter` around the contender's work
only), `cpu_seconds` (every thread of the process, same span), `rss_before_kib` (the peak
before the work started) and, when it judges rules, `checks`: one outcome per rule name
(`pass`, `fail` or `error`). The child adds its `peak_rss_kib` (`ru_maxrss`).
"""

# Heavy libraries are imported inside the functions, before the timer starts.

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grid_data as gd
import grid_rules as gr
import profile_bench as pb
import rules_bench as rb

TABLE_NAME = "t"


def utc_now() -> datetime:
    """Now as naive UTC, comparable with the table's naive timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def configure_environment(workdir: Path) -> None:
    """The temporary Iceberg catalog, and every contender's telemetry off; before any import of them."""
    pb.configure_environment(workdir)  # also YDATA_PROFILING_NO_ANALYTICS=True
    os.environ["GX_ANALYTICS_ENABLED"] = "False"
    os.environ["SODA_CORE_TELEMETRY_ENABLED"] = "false"  # read by soda_core's EnvConfigHelper


def worst(outcomes: Sequence[str]) -> str:
    """A rule's outcome from its parts: error beats fail beats pass; no part at all is an error."""
    if not outcomes or "error" in outcomes:
        return "error"
    return "fail" if "fail" in outcomes else "pass"


# --------------------------------------------------------------------------- ours


def run_ours(rows: int, cols: int, count: int, workdir: Path) -> dict[str, Any]:
    """The check step as production runs it: open the Iceberg table, `inspect_table` with the rules."""
    import duckdb  # noqa: F401  (imported here so the timer does not pay for it)
    import pyiceberg.catalog.sql
    import pyiceberg.io.pyarrow  # noqa: F401

    from dq_assets.steps.inspect import inspect_table
    from dq_checks.config import load_table_specs
    from dq_resources.iceberg import IcebergCatalogResource

    rules = gr.grid_rules(rows, cols, count, utc_now())
    folder = workdir / f"ours-{os.getpid()}"
    folder.mkdir(parents=True)
    (folder / f"{TABLE_NAME}.yaml").write_text(
        gr.definition_yaml(TABLE_NAME, rules, pb.CATALOG, pb.IDENTIFIER), encoding="utf-8"
    )
    began = time.perf_counter()
    loaded = load_table_specs(folder)
    if loaded.problems != () or loaded.rule_problems != ():
        problems = [str(p) for p in loaded.problems] + list(loaded.rule_problems)
        raise SystemExit("the benchmark definition does not load:\n" + "\n".join(problems))
    defined = loaded.by_name(TABLE_NAME)
    if defined is None or len(defined.rules) != len(rules):
        raise SystemExit(f"expected {len(rules)} rules in the definition")
    config_seconds = time.perf_counter() - began
    clock = rb.instrument()

    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    opened = IcebergCatalogResource().open(defined.spec.source)
    inspection = inspect_table(defined, opened)
    end, cpu_end = time.perf_counter(), time.process_time()

    names = {rule.name for rule in rules}
    checks = {c.name: c.outcome.value for c in inspection.checks if c.name in names}
    errors = {
        c.name: c.description for c in inspection.checks if c.name in names and c.outcome.value == "error"
    }
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "config_seconds": config_seconds,
        "rows": inspection.profile.row_count,
        "checks": checks,
        "errors": errors,
        "anomalies": len(inspection.anomalies),
        "phases": {name: round(seconds, 3) for name, seconds in clock.seconds.items()},
        "queries": sum(clock.queries.values()),
    }


# --------------------------------------------------------------------------- Great Expectations


def gx_condition(when: gr.Conjunction) -> Any:
    from great_expectations.expectations.row_conditions import Column

    condition = None
    for name, op, value in when:
        if op == "==":
            part = Column(name) == value
        elif op == ">=":
            part = Column(name) >= value
        elif op == "not_null":
            part = Column(name).is_not_null()
        else:
            raise ValueError(f"unknown row condition operator {op!r}")
        condition = part if condition is None else condition & part
    return condition


def gx_expectation(spec: gr.Gx, rule: str) -> Any:
    """The expectation object; its description keeps it apart from an equal one of another rule."""
    import great_expectations.expectations as gxe

    kwargs = dict(spec.kwargs)
    if spec.when:
        kwargs["row_condition"] = gx_condition(spec.when)
    return getattr(gxe, spec.expectation)(**kwargs, meta={"rule": rule}, description=rule)


def run_gx(rows: int, cols: int, count: int) -> dict[str, Any]:
    """GX 1.x: an ephemeral context, a pandas whole-DataFrame batch, the suite, `batch.validate`."""
    frame = gd.load_frame()
    import great_expectations as gx
    import great_expectations.expectations  # imported here so the timer does not pay for it
    from great_expectations.data_context.types.base import ProgressBarsConfig

    rules = gr.grid_rules(rows, cols, count, utc_now())
    specs = [(rule.name, spec) for rule in rules for spec in rule.gx]
    if not rules:
        specs = [("baseline", spec) for spec in gr.baseline_gx(rows, cols)]

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
    suite = gx.ExpectationSuite(name="grid_bench")
    for name, spec in specs:
        suite.add_expectation(gx_expectation(spec, name))
    suite = context.suites.add(suite)
    result = batch.validate(suite)
    end, cpu_end = time.perf_counter(), time.process_time()

    parts: dict[str, list[str]] = {name: [] for name, _ in specs}
    errors: dict[str, str] = {}
    for item in result.results:
        name = item.expectation_config.meta["rule"]
        info = item.exception_info or {}
        infos = [info] if "raised_exception" in info else list(info.values())
        raised = [
            str(one.get("exception_message", "exception")).splitlines()[0]
            for one in infos
            if isinstance(one, dict) and one.get("raised_exception")
        ]
        if raised:
            errors[name] = raised[0]
        parts[name].append("error" if raised else ("pass" if item.success else "fail"))
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "rows": len(frame),
        "expectations": len(result.results),
        "checks": {name: worst(found) for name, found in parts.items()},
        "errors": errors,
    }


# --------------------------------------------------------------------------- Soda


def run_soda(rows: int, cols: int, count: int, workdir: Path) -> dict[str, Any]:
    """Soda Core 4 contract verification on DuckDB, reading the table's Parquet copy.

    soda-duckdb's file mode: the data source's `database` is the Parquet file, which Soda
    loads into an in-memory DuckDB table (`CREATE TABLE t AS SELECT * FROM read_parquet(...)`)
    when it connects, then it runs the contract's queries there. The timer covers
    `verify_contract_locally`: parsing the contract, connecting (the load), every query
    and the evaluation. Writing the two YAML files is not timed.
    """
    rules = gr.grid_rules(rows, cols, count, utc_now())
    checks = (
        gr.soda_checks(rules)
        if rules
        else [(f"baseline__{i}", c) for i, c in enumerate(gr.baseline_soda(rows))]
    )
    folder = workdir / f"soda-{os.getpid()}"
    folder.mkdir(parents=True)
    data_source = folder / "data_source.yml"
    contract = folder / "contract.yml"
    data_source.write_text(gr.soda_data_source(str(workdir / gd.PARQUET_NAME)), encoding="utf-8")
    contract.write_text(gr.soda_contract(cols, checks), encoding="utf-8")

    import duckdb  # noqa: F401  (imported here so the timer does not pay for it)
    import soda_duckdb.common.data_sources.duckdb_data_source  # noqa: F401
    from soda_core.contracts.api.verify_api import verify_contract_locally

    logging.getLogger("soda").setLevel(logging.WARNING)  # no per-check console table
    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = verify_contract_locally(data_source_file_path=str(data_source), contract_file_path=str(contract))
    end, cpu_end = time.perf_counter(), time.process_time()

    outcomes = {"PASSED": "pass", "FAILED": "fail"}
    parts: dict[str, list[str]] = {qualifier.split("__")[0]: [] for qualifier, _ in checks}
    found = 0
    for verification in result.contract_verification_results:
        for check in verification.check_results:
            qualifier = str(check.check.qualifier or "")
            parts.setdefault(qualifier.split("__", 1)[0], []).append(
                outcomes.get(check.outcome.name, "error")
            )
            found += 1
    errors = {}
    if result.has_errors:
        errors["(session)"] = " | ".join(result.get_errors_str().splitlines()[:3])
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "soda_checks": found,
        "checks": {name: worst(found_parts) for name, found_parts in parts.items()},
        "errors": errors,
    }


# --------------------------------------------------------------------------- ydata-profiling


def run_ydata() -> dict[str, Any]:
    """`ProfileReport(df, minimal=True).to_json()`; building the DataFrame is not timed."""
    frame = gd.load_frame()
    from ydata_profiling import ProfileReport

    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    ProfileReport(frame, minimal=True, progress_bar=False).to_json()
    end, cpu_end = time.perf_counter(), time.process_time()
    return {"seconds": end - start, "cpu_seconds": cpu_end - cpu_start, "rss_before_kib": before}


def child_main(name: str, rows: int, cols: int, count: int, workdir: Path) -> int:
    configure_environment(workdir)
    if name == "build":
        result = gd.build_table(rows, cols, workdir)
    elif name == "ours":
        result = run_ours(rows, cols, count, workdir)
    elif name == "gx":
        result = run_gx(rows, cols, count)
    elif name == "soda":
        result = run_soda(rows, cols, count, workdir)
    elif name == "ydata":
        result = run_ydata()
    else:
        raise SystemExit(f"unknown contender {name!r}")
    result["peak_rss_kib"] = pb.peak_rss_kib()
    print(pb.RESULT_MARKER + json.dumps(result, default=str), flush=True)
    return 0
