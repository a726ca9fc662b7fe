"""The grid benchmark's contenders, each run in its own child process by `grid_bench.py --only NAME`.

Every runner returns a dict with `seconds` (wall, `perf_counter` around the contender's work
only), `cpu_seconds` (every thread of the process, same span), `rss_before_kib` (the peak
before the work started) and, when it judges rules, `checks`: one outcome per rule name
(`pass`, `fail` or `error`). The child adds its `peak_rss_kib` (`ru_maxrss`).
"""

# Heavy libraries are imported inside the functions, before the timer starts.

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cold_peers as cp
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


def by_rule(names: Sequence[str], found: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Each rule's outcome from its parts' (rule, outcome); a rule of `names` without a part is an error."""
    parts: dict[str, list[str]] = {name: [] for name in names}
    for rule, outcome in found:
        parts.setdefault(rule, []).append(outcome)
    return {name: worst(outcomes) for name, outcomes in parts.items()}


# --------------------------------------------------------------------------- ours


def write_definition(
    rows: int, cols: int, count: int, folder: Path, profile: str | None = None
) -> list[gr.GridRule]:
    """Our table definition with the first `count` rules in a new `folder`; the rules."""
    rules = gr.grid_rules(rows, cols, count, utc_now())
    folder.mkdir(parents=True)
    (folder / f"{TABLE_NAME}.yaml").write_text(
        gr.definition_yaml(TABLE_NAME, rules, pb.CATALOG, pb.IDENTIFIER, profile), encoding="utf-8"
    )
    return rules


def run_ours(rows: int, cols: int, count: int, workdir: Path, profile: str | None = None) -> dict[str, Any]:
    """The check step as production runs it: open the Iceberg table, `inspect_table` with the rules.

    `profile` is the table's profile level (`exact`, `approximate`, `off`); None leaves the
    definition without the key (the default level).
    """
    import duckdb  # noqa: F401  (imported here so the timer does not pay for it)
    import pyiceberg.catalog.sql
    import pyiceberg.io.pyarrow  # noqa: F401

    from dq_checks.config.loader import load_table_specs
    from dq_resources.iceberg import IcebergCatalogResource
    from dq_runs.inspect import inspect_table

    folder = workdir / f"ours-{os.getpid()}"
    rules = write_definition(rows, cols, count, folder, profile)
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


def gx_specs(rows: int, cols: int, count: int) -> list[cp.GxSpec]:
    """The suite of the first `count` rules (0: the baseline), as plain (rule, expectation, kwargs, when)."""
    rules = gr.grid_rules(rows, cols, count, utc_now())
    if not rules:
        return [("baseline", spec.expectation, spec.kwargs, spec.when) for spec in gr.baseline_gx(rows, cols)]
    return [(rule.name, spec.expectation, spec.kwargs, spec.when) for rule in rules for spec in rule.gx]


def gx_checks(specs: Sequence[cp.GxSpec], found: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    """The result fields of GX's raw outcomes: expectations validated, outcome and error by rule."""
    return {
        "expectations": len(found),
        "checks": by_rule([spec[0] for spec in specs], [(rule, outcome) for rule, outcome, _ in found]),
        "errors": {rule: error for rule, _, error in found if error},
    }


def run_gx(rows: int, cols: int, count: int) -> dict[str, Any]:
    """GX 1.x: an ephemeral context, a pandas whole-DataFrame batch, the suite, `batch.validate`."""
    frame = gd.load_frame()
    # imported here so the timer does not pay for them
    import great_expectations.expectations  # noqa: F401
    from great_expectations.data_context.types.base import ProgressBarsConfig  # noqa: F401

    specs = gx_specs(rows, cols, count)
    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = cp.gx_validate(frame, specs)
    end, cpu_end = time.perf_counter(), time.process_time()
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        "rows": len(frame),
        **gx_checks(specs, cp.gx_raw_outcomes(result)),
    }


# --------------------------------------------------------------------------- Soda


def write_soda_files(
    rows: int, cols: int, count: int, workdir: Path
) -> tuple[Path, Path, list[tuple[str, gr.Soda]]]:
    """Soda's data source (the Parquet copy) and contract for the first `count` rules; and its checks."""
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
    return data_source, contract, checks


def soda_checks_by_rule(
    checks: Sequence[tuple[str, gr.Soda]], found: Sequence[tuple[str, str]], errors: Sequence[str]
) -> dict[str, Any]:
    """The result fields of Soda's raw outcomes: checks run, outcome by rule, the session's error."""
    names = list(dict.fromkeys(qualifier.split("__")[0] for qualifier, _ in checks))
    return {
        "soda_checks": len(found),
        "checks": by_rule(names, [(qualifier.split("__", 1)[0], outcome) for qualifier, outcome in found]),
        "errors": {"(session)": errors[0]} if errors else {},
    }


def run_soda(rows: int, cols: int, count: int, workdir: Path) -> dict[str, Any]:
    """Soda Core 4 contract verification on DuckDB, reading the table's Parquet copy.

    soda-duckdb's file mode: the data source's `database` is the Parquet file, which Soda
    loads into an in-memory DuckDB table (`CREATE TABLE t AS SELECT * FROM read_parquet(...)`)
    when it connects, then it runs the contract's queries there. The timer covers
    `verify_contract_locally`: parsing the contract, connecting (the load), every query
    and the evaluation. Writing the two YAML files is not timed.
    """
    data_source, contract, checks = write_soda_files(rows, cols, count, workdir)

    import duckdb  # noqa: F401  (imported here so the timer does not pay for it)
    import soda_duckdb.common.data_sources.duckdb_data_source  # noqa: F401
    from soda_core.contracts.api.verify_api import verify_contract_locally  # noqa: F401

    before = pb.peak_rss_kib()
    start, cpu_start = time.perf_counter(), time.process_time()
    result = cp.soda_verify(str(data_source), str(contract))
    end, cpu_end = time.perf_counter(), time.process_time()
    found, errors = cp.soda_raw_outcomes(result)
    return {
        "seconds": end - start,
        "cpu_seconds": cpu_end - cpu_start,
        "rss_before_kib": before,
        **soda_checks_by_rule(checks, found, errors),
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
