"""The peers' whole processes, as their users run them: `python bench/cold_peers.py OUT PEER ARGS...`.

`goals_bench.py` times such a process from its start to its exit (interpreter, imports, reading
the data, the checks), against the whole `dq run` process:

* `OUT soda DATA_SOURCE CONTRACT`: Soda Core 4 `verify_contract_locally` on DuckDB (soda-duckdb's
  file mode loads the Parquet file named in the data source);
* `OUT gx PARQUET SPECS`: pandas reads the Parquet file, GX 1.x validates the suite of the
  pickled specs (rule, expectation, kwargs, row condition) on it;
* `OUT ydata PARQUET`: pandas reads the Parquet file, `ProfileReport(minimal=True).to_json()`.

Each writes its raw outcomes as JSON to OUT; the benchmark maps them to rules afterwards, outside
the timed process. The YAML and spec files are written before the process starts, as a user's
configuration exists before they run a tool.

This module imports only the standard library at module level (every peer imports those modules
anyway), so the timed process pays for nothing of the benchmark's. `grid_contenders.py` uses its
GX and Soda helpers in-process for the check-step grid.
"""

from __future__ import annotations

import json
import pickle
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

Conjunction = tuple[tuple[str, str, Any], ...]  # (column, "==" | ">=" | "not_null", value), ANDed
GxSpec = tuple[str, str, dict[str, Any], Conjunction]  # (rule, expectation class, kwargs, row condition)
SODA_OUTCOMES = {"PASSED": "pass", "FAILED": "fail"}


# --------------------------------------------------------------------------- Great Expectations


def gx_condition(when: Conjunction) -> Any:
    """A GX row condition: the AND of the conjunction's terms."""
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


def gx_expectation(spec: GxSpec) -> Any:
    """The expectation object; its description keeps it apart from an equal one of another rule."""
    import great_expectations.expectations as gxe

    rule, expectation, kwargs, when = spec
    kwargs = dict(kwargs)
    if when:
        kwargs["row_condition"] = gx_condition(when)
    return getattr(gxe, expectation)(**kwargs, meta={"rule": rule}, description=rule)


def gx_validate(frame: Any, specs: Sequence[GxSpec]) -> Any:
    """GX 1.x: an ephemeral context, a pandas whole-DataFrame batch, the suite, `batch.validate`."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    batch = (
        context.data_sources.add_pandas("bench")
        .add_dataframe_asset("t")
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = gx.ExpectationSuite(name="grid_bench")
    for spec in specs:
        suite.add_expectation(gx_expectation(spec))
    return batch.validate(context.suites.add(suite))


def gx_raw_outcomes(result: Any) -> list[tuple[str, str, str]]:
    """(rule, pass | fail | error, the exception's first line or '') for every validated expectation."""
    found = []
    for item in result.results:
        info = item.exception_info or {}
        infos = [info] if "raised_exception" in info else list(info.values())
        raised = [
            str(one.get("exception_message", "exception")).splitlines()[0]
            for one in infos
            if isinstance(one, dict) and one.get("raised_exception")
        ]
        outcome = "error" if raised else ("pass" if item.success else "fail")
        found.append((item.expectation_config.meta["rule"], outcome, raised[0] if raised else ""))
    return found


# --------------------------------------------------------------------------- Soda


def soda_raw_outcomes(result: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """(qualifier, pass | fail | error) for every check Soda ran, and the session's errors."""
    found = [
        (str(check.check.qualifier or ""), SODA_OUTCOMES.get(check.outcome.name, "error"))
        for verification in result.contract_verification_results
        for check in verification.check_results
    ]
    errors = [" | ".join(result.get_errors_str().splitlines()[:3])] if result.has_errors else []
    return found, errors


def soda_verify(data_source: str, contract: str) -> Any:
    """`verify_contract_locally`, with Soda's per-check console table off."""
    import logging

    # the data source module first: importing it through Soda's plugin loader warns of a cycle
    import soda_duckdb.common.data_sources.duckdb_data_source  # noqa: F401
    from soda_core.contracts.api.verify_api import verify_contract_locally

    logging.getLogger("soda").setLevel(logging.WARNING)
    return verify_contract_locally(data_source_file_path=data_source, contract_file_path=contract)


# --------------------------------------------------------------------------- the processes


def soda_process(data_source: str, contract: str) -> dict[str, Any]:
    found, errors = soda_raw_outcomes(soda_verify(data_source, contract))
    return {"found": found, "errors": errors}


def gx_process(parquet: str, specs_file: str) -> dict[str, Any]:
    import pandas as pd

    specs = pickle.loads(Path(specs_file).read_bytes())  # written by the benchmark, just before
    return {"found": gx_raw_outcomes(gx_validate(pd.read_parquet(parquet), specs))}


def ydata_process(parquet: str) -> dict[str, Any]:
    import pandas as pd
    from ydata_profiling import ProfileReport

    ProfileReport(pd.read_parquet(parquet), minimal=True, progress_bar=False).to_json()
    return {}


PROCESSES = {"soda": soda_process, "gx": gx_process, "ydata": ydata_process}


def main(argv: Sequence[str]) -> int:
    out, peer, *args = argv
    Path(out).write_text(json.dumps(PROCESSES[peer](*args)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
