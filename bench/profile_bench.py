"""Benchmark our exact profile + anomaly detection against ydata-profiling and DuckDB SUMMARIZE.

Usage: `python bench/profile_bench.py ROWS [--skip-ydata] [--repeat N]`

The script writes one deterministic table of ROWS rows x 10 columns to an Iceberg table in
a throw-away pyiceberg SQL catalog (sqlite + local files), one data file per 1,000,000 rows,
then times three contenders on that same data:

* ours: open the table through `IcebergCatalogResource`, describe it, profile it exactly
  (`profile_table`) and run the anomaly detectors (`detect_anomalies`);
* ydata: `ProfileReport(df, minimal=True).to_json()` on a pandas DataFrame of the table
  (building the DataFrame is not timed);
* summarize: DuckDB's `SUMMARIZE` over the same Arrow stream of the Iceberg table that our
  profile reads (`stream_table`), in a fresh DuckDB connection.

Each contender runs in its own child process (this script again, with the hidden flag
`--only NAME`), so its peak RSS (`ru_maxrss`) is its own and nothing is cached between
runs. The table is built in a child process too: Linux carries the spawning process's
peak RSS over into a child's `ru_maxrss` across fork/exec, so the parent stays small
(standard library only) to keep the children's numbers clean. The timer,
`time.perf_counter` in the child, covers only the contender's work: not the imports, not
the data generation. This is a benchmark, not a test: the targets are printed with
PASS/MISS and never change the exit code.
"""

# Heavy libraries are imported inside the functions that use them: each child process loads
# only its own contender's libraries (anything more would count in its peak RSS), and
# pyiceberg and ydata_profiling are imported only after configure_environment().

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.table import Table

CATALOG = "bench"
NAMESPACE = "bench"
IDENTIFIER = f"{NAMESPACE}.t"
CHUNK_ROWS = 1_000_000
SEED = 20240601
RESULT_MARKER = "BENCH-RESULT "
CONTENDERS = ("ours", "ydata", "summarize")
LABELS = {
    "ours": "ours (profile + anomalies)",
    "ydata": "ydata-profiling minimal",
    "summarize": "DuckDB SUMMARIZE",
}
TARGET_YDATA_SPEEDUP = 30.0  # at 1M rows: ours at least this many times faster than ydata minimal
TARGET_SUMMARIZE_RATIO = 2.0  # at 1M rows: ours at most this many times SUMMARIZE's time
TARGET_RSS_MIB = 1024.0  # at 10M rows: our peak RSS under 1 GiB
TIMES = "\N{MULTIPLICATION SIGN}"


# --------------------------------------------------------------------------- environment


def configure_environment(workdir: Path) -> None:
    """Point pyiceberg at the temporary catalog and silence ydata's analytics.

    Must run before pyiceberg or ydata_profiling is imported: both read their settings
    from the environment. Child processes inherit it.
    """
    warehouse = workdir / "warehouse"
    warehouse.mkdir(parents=True, exist_ok=True)
    prefix = f"PYICEBERG_CATALOG__{CATALOG.upper()}__"
    os.environ[f"{prefix}TYPE"] = "sql"
    os.environ[f"{prefix}URI"] = f"sqlite:///{workdir / 'catalog.db'}"
    os.environ[f"{prefix}WAREHOUSE"] = warehouse.as_uri()
    os.environ["YDATA_PROFILING_NO_ANALYTICS"] = "True"


def peak_rss_kib() -> int:
    """The peak resident set size of the current process so far (KiB on Linux)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


# --------------------------------------------------------------------------- data


STATUSES = ("active", "pending", "shipped", "cancelled", "returned")
STATUS_WEIGHTS = (0.5, 0.2, 0.2, 0.07, 0.03)
CITY_COUNT = 1000
EMAIL_DOMAINS = ("example.com", "mail.test", "shop.test", "corp.test", "inbox.test")


def generate_chunk(start: int, rows: int) -> pa.Table:
    """Rows `start`..`start + rows` of the benchmark table; the same for any total size."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng([SEED, start])
    ids = np.arange(start, start + rows, dtype=np.int64)

    score_nulls = rng.random(rows) < 0.01
    city_nulls = rng.random(rows) < 0.005
    city_weights = 1.0 / np.arange(1, CITY_COUNT + 1) ** 0.8
    city_codes = rng.choice(CITY_COUNT, size=rows, p=city_weights / city_weights.sum()).astype(np.int32)
    cities = pa.array([f"city_{i:04d}" for i in range(CITY_COUNT)], pa.string())
    statuses = pa.array(STATUSES, pa.string())
    status_codes = rng.choice(len(STATUSES), size=rows, p=STATUS_WEIGHTS).astype(np.int8)

    user = pc.cast(pa.array(rng.integers(0, max(rows, CHUNK_ROWS) * 10, size=rows)), pa.string())
    domains = pa.array(EMAIL_DOMAINS, pa.string())
    domain = pa.DictionaryArray.from_arrays(
        pa.array(rng.integers(0, len(EMAIL_DOMAINS), size=rows).astype(np.int8)), domains
    ).dictionary_decode()
    email = pc.binary_join_element_wise("user", user, "@", domain, "")

    epoch = np.datetime64("2024-01-01T00:00:00", "us")
    year_us = 365 * 24 * 3600 * 1_000_000
    created = epoch + rng.integers(0, year_us, size=rows).astype("timedelta64[us]")

    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "amount": pa.array(rng.lognormal(mean=3.0, sigma=1.0, size=rows), pa.float64()),
            "quantity": pa.array((rng.poisson(3.0, size=rows) + 1).astype(np.int32), pa.int32()),
            "score": pa.array(rng.normal(50.0, 10.0, size=rows), pa.float64(), mask=score_nulls),
            "price": pa.array(np.round(rng.uniform(1.0, 500.0, size=rows), 2), pa.float64()),
            "status": pa.DictionaryArray.from_arrays(pa.array(status_codes), statuses).dictionary_decode(),
            "city": pa.DictionaryArray.from_arrays(
                pa.array(city_codes, mask=city_nulls), cities
            ).dictionary_decode(),
            "email": email,
            "created_at": pa.array(created, pa.timestamp("us")),
            "is_member": pa.array(rng.random(rows) < 0.7, pa.bool_()),
        }
    )


def build_table(rows: int) -> dict[str, Any]:
    """Write the benchmark table, one append (one data file) per chunk."""
    from dq_resources.iceberg.catalogs import load_named_catalog

    began = time.perf_counter()
    catalog = load_named_catalog(CATALOG)
    catalog.create_namespace(NAMESPACE)
    table: Table | None = None
    for start in range(0, rows, CHUNK_ROWS):
        chunk = generate_chunk(start, min(CHUNK_ROWS, rows - start))
        if table is None:
            table = catalog.create_table(IDENTIFIER, schema=chunk.schema)
        table.append(chunk)
    if table is None:
        raise SystemExit("ROWS must be positive")
    files = sum(1 for _ in table.scan().plan_files())
    return {"seconds": time.perf_counter() - began, "files": files}


# --------------------------------------------------------------------------- contenders (child side)


def load_table() -> Table:
    from dq_resources.iceberg.catalogs import load_named_catalog

    return load_named_catalog(CATALOG).load_table(IDENTIFIER)


def run_ours() -> dict[str, Any]:
    """Open, describe, profile and check the Iceberg table the way the product does."""
    import pyiceberg.catalog.sql
    import pyiceberg.io.pyarrow  # noqa: F401  (imported here so the timer does not pay for it)

    from dq_checks.anomalies import detect_anomalies
    from dq_checks.config.models import AnomalySettings, IcebergSourceSpec
    from dq_checks.profile.profiler import profile_table
    from dq_resources.iceberg import IcebergCatalogResource

    before = peak_rss_kib()
    start = time.perf_counter()
    source = IcebergSourceSpec(type="iceberg", catalog=CATALOG, identifier=IDENTIFIER)
    opened = IcebergCatalogResource().open(source)
    desc = opened.describe()
    opened_at = time.perf_counter()
    with opened.query_runner() as runner:
        loaded_at = time.perf_counter()
        profile = profile_table(runner, desc.columns, AnomalySettings(), row_count_hint=desc.row_count)
        profiled_at = time.perf_counter()
    closed_at = time.perf_counter()
    anomalies = detect_anomalies(profile, AnomalySettings())
    end = time.perf_counter()
    return {
        "seconds": end - start,
        "rss_before_kib": before,
        "rows": profile.row_count,
        "anomalies": len(anomalies),
        "anomaly_kinds": sorted({f"{a.column}:{a.type}" for a in anomalies}),
        "queries": profile.queries,
        "phases": {
            "open + describe": opened_at - start,
            "load into DuckDB": loaded_at - opened_at,
            "profile queries": profiled_at - loaded_at,
            "close": closed_at - profiled_at,
            "detect anomalies": end - closed_at,
        },
    }


def run_ydata() -> dict[str, Any]:
    """ydata-profiling's minimal report, serialised to JSON, on a DataFrame of the table."""
    from dq_resources.iceberg.reader import stream_table

    frame = stream_table(load_table()).read_all().to_pandas()
    from ydata_profiling import ProfileReport

    before = peak_rss_kib()
    start = time.perf_counter()
    ProfileReport(frame, minimal=True).to_json()
    end = time.perf_counter()
    return {"seconds": end - start, "rss_before_kib": before, "rows": len(frame)}


def run_summarize() -> dict[str, Any]:
    """DuckDB SUMMARIZE over the Iceberg table's Arrow stream, in a fresh connection."""
    import duckdb
    import pyiceberg.catalog.sql
    import pyiceberg.io.pyarrow  # noqa: F401  (imported here so the timer does not pay for it)

    from dq_resources.iceberg.reader import stream_table

    before = peak_rss_kib()
    start = time.perf_counter()
    reader = stream_table(load_table())
    connection = duckdb.connect(":memory:")
    try:
        connection.register("reader", reader)
        summary = connection.execute("SUMMARIZE SELECT * FROM reader").fetchall()
    finally:
        connection.close()
    end = time.perf_counter()
    rows = max(int(row[-2]) for row in summary)  # SUMMARIZE's count column
    return {"seconds": end - start, "rss_before_kib": before, "rows": rows}


RUNNERS: dict[str, Callable[[], dict[str, Any]]] = {
    "ours": run_ours,
    "ydata": run_ydata,
    "summarize": run_summarize,
}


def child_main(name: str, rows: int, workdir: Path) -> int:
    configure_environment(workdir)
    result = build_table(rows) if name == "build" else RUNNERS[name]()
    result["peak_rss_kib"] = peak_rss_kib()
    print(RESULT_MARKER + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------- parent side


@dataclass
class Measurement:
    """The best of N runs of one contender."""

    name: str
    seconds: float
    peak_rss_mib: float
    rss_before_mib: float
    extra: dict[str, Any] = field(default_factory=dict)


def run_child(script: Path, rows: int, name: str, workdir: Path) -> dict[str, Any]:
    command = [sys.executable, str(script), str(rows), "--only", name, "--workdir", str(workdir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout[-5000:] + done.stderr[-5000:])
        raise SystemExit(f"{name}: child process failed with exit code {done.returncode}")
    return json.loads(lines[-1].removeprefix(RESULT_MARKER))


def measure(script: Path, rows: int, name: str, workdir: Path, repeat: int) -> Measurement:
    """Run `name` `repeat` times, each in a fresh process; keep the fastest time and the highest peak."""
    runs = [run_child(script, rows, name, workdir) for _ in range(repeat)]
    best = min(runs, key=lambda run: float(run["seconds"]))
    return Measurement(
        name=name,
        seconds=float(best["seconds"]),
        peak_rss_mib=max(int(run["peak_rss_kib"]) for run in runs) / 1024,
        rss_before_mib=max(int(run["rss_before_kib"]) for run in runs) / 1024,
        extra=best,
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(rows: int, files: int, build_seconds: float, results: dict[str, Measurement], repeat: int) -> None:
    header = ("contender", "seconds", "peak RSS MiB", "RSS before work MiB")
    table = [header] + [
        (LABELS[m.name], f"{m.seconds:.2f}", f"{m.peak_rss_mib:,.0f}", f"{m.rss_before_mib:,.0f}")
        for m in results.values()
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print()
    print(f"rows: {rows:,} x 10 columns in {files} data file(s); table built in {build_seconds:.1f} s")
    print(f"timing: best of {repeat} run(s), each contender in a fresh process")
    print()
    for i, row in enumerate(table):
        numbers = (cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True))
        cells = [row[0].ljust(widths[0]), *numbers]
        print("  ".join(cells))
        if i == 0:
            print("  ".join("-" * w for w in widths))

    ours = results["ours"]
    print()
    print(f"rows profiled by ours: {int(ours.extra['rows']):,} in {ours.extra['queries']} queries")
    kinds = ", ".join(ours.extra["anomaly_kinds"]) or "-"
    print(f"anomalies found by ours: {ours.extra['anomalies']} ({kinds})")
    phases = ", ".join(f"{phase} {seconds:.2f} s" for phase, seconds in ours.extra["phases"].items())
    print(f"ours, by phase: {phases}")

    print()
    print("ratios and targets (informational; they do not change the exit code):")
    if "ydata" in results:
        speedup = results["ydata"].seconds / ours.seconds
        line = f"ours is {speedup:.1f}{TIMES} faster than ydata-profiling minimal"
        target = f"target at 1M rows: >= {TARGET_YDATA_SPEEDUP:g}{TIMES}"
        print(f"  {line:<55} {target:<34} {verdict(speedup >= TARGET_YDATA_SPEEDUP)}")
    else:
        print("  ydata-profiling minimal: skipped (--skip-ydata)")
    ratio = ours.seconds / results["summarize"].seconds
    line = f"ours takes {ratio:.2f}{TIMES} SUMMARIZE's time"
    target = f"target at 1M rows: <= {TARGET_SUMMARIZE_RATIO:g}{TIMES}"
    print(f"  {line:<55} {target:<34} {verdict(ratio <= TARGET_SUMMARIZE_RATIO)}")
    line = f"peak RSS of ours: {ours.peak_rss_mib:,.0f} MiB"
    target = "target at 10M rows: < 1 GiB"
    print(f"  {line:<55} {target:<34} {verdict(ours.peak_rss_mib < TARGET_RSS_MIB)}")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("rows", type=int, help="number of rows in the benchmark table")
    parser.add_argument(
        "--skip-ydata", action="store_true", help="do not run ydata-profiling (many minutes on big tables)"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="run each contender N times in fresh processes, keep the best"
    )
    parser.add_argument("--only", choices=(*CONTENDERS, "build"), help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.rows <= 0 or args.repeat <= 0:
        parser.error("ROWS and --repeat must be positive")
    if args.only is not None and args.workdir is None:
        parser.error("--only needs --workdir")
    return args


def main(argv: Sequence[str]) -> int:
    args = parse_args(argv)
    if args.only is not None:
        return child_main(args.only, args.rows, args.workdir)

    script = Path(__file__).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="dq-profile-bench-"))
    try:
        configure_environment(workdir)
        print(f"building {args.rows:,} rows into iceberg table {CATALOG}:{IDENTIFIER} ...", flush=True)
        built = run_child(script, args.rows, "build", workdir)
        results: dict[str, Measurement] = {}
        for name in CONTENDERS:
            if name == "ydata" and args.skip_ydata:
                continue
            print(f"running {LABELS[name]} ...", flush=True)
            results[name] = measure(script, args.rows, name, workdir, args.repeat)
        report(args.rows, int(built["files"]), float(built["seconds"]), results, args.repeat)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
