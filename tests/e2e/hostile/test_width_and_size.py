"""Issue points 9, 10 and 7 (local engine): wide tables, huge values, runaway statements.

Every test runs `dq run --json` as a user runs it, in a process of its own, with a fresh
DAGSTER_HOME and results store, on a real Parquet file read by the real file source into the
real local DuckDB engine, with the engine's default memory settings.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from dq_checks.profile.values import MAX_VALUE_CHARS
from tests.e2e.hostile.workspace import Workspace, checks_by_name, outcomes

ENDED_WITHIN = 600
"""Seconds a command may take before the test calls it hung."""


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    monkeypatch.delenv("DQ_CONFIG_DIR", raising=False)
    return Workspace.create(tmp_path, timeout=ENDED_WITHIN)


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


# -- point 9: a table of 100 or more columns is checked -----------------------------------------


def test_a_hundred_float_columns_of_ten_rows_are_checked(workspace: Workspace) -> None:
    # The reproduction: 10 rows x 100 double columns made every check an error, DuckDB
    # out of memory on 100 exact distinct counts in one SELECT. Column c{i} holds i, i + 0.1, ...
    # i + 0.9: evenly spaced, so no outlier and no anomaly; nothing is missing.
    data = workspace.root / "wide.parquet"
    pq.write_table(pa.table({f"c{i}": [i + k / 10 for k in range(10)] for i in range(100)}), data)
    workspace.define(
        "wide",
        f"table: wide\nsource: {{type: file, path: '{data}'}}\n"
        'rules:\n  - rule: RowCount = 10\n  - rule: IsComplete "c99"\n',
    )

    done, output = workspace.run_json()

    (report,) = output["tables"]
    assert outcomes(report) == {
        "profile": "pass",
        "anomalies": "pass",
        "rowcount_10": "pass",
        "iscomplete_c99": "pass",
        "quality_score": "pass",
        "volume": "skip",  # no earlier run to learn from
        "schema": "pass",  # no earlier run to compare with
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    assert done.returncode == 0
    assert checks_by_name(report)["profile"]["description"].startswith("profiled 10 rows x 100 columns")
    columns = report["profile"]["columns"]
    assert len(columns) == 100
    for i in range(100):
        column = columns[f"c{i}"]
        assert (column["null_count"], column["distinct_count"]) == (0, 10)
        assert (column["min"], column["max"]) == (i, i + 0.9)
        assert column["mean"] == pytest.approx(i + 0.45, rel=1e-12)


WIDE_ROWS = 100_000
WIDE_COLUMNS = 1_000
WIDE_SEED = 20261202


def wide_table() -> pa.Table:
    """1,000 columns x 100,000 rows, deterministic, with planted facts.

    The columns cycle through six kinds: doubles rounded to cents, int64s, short strings from a
    vocabulary of 20 to 49 words, timestamps, booleans and unique int64 ids (100,000 distinct
    values each: the worst case for an exact distinct count). Column i has exactly
    (i % 11) * 37 NULLs, at random rows; ids have none. Planted as well: `all_null` (a double
    column without a single value) and `constant` (7 in every row).
    """
    rng = np.random.default_rng(WIDE_SEED)
    columns: dict[str, pa.Array] = {
        "all_null": pa.nulls(WIDE_ROWS, pa.float64()),
        "constant": pa.array(np.full(WIDE_ROWS, 7), pa.int64()),
    }
    for i in range(2, WIDE_COLUMNS):
        kind = i % 6
        if kind == 5:
            columns[f"id_{i}"] = pa.array(rng.permutation(WIDE_ROWS), pa.int64())
            continue
        nulls = np.zeros(WIDE_ROWS, dtype=bool)
        nulls[rng.choice(WIDE_ROWS, size=(i % 11) * 37, replace=False)] = True
        if kind == 0:
            columns[f"amount_{i}"] = pa.array(rng.normal(i, 25.0, WIDE_ROWS).round(2), mask=nulls)
        elif kind == 1:
            columns[f"count_{i}"] = pa.array(rng.integers(-500, 5_000 + i, WIDE_ROWS), pa.int64(), mask=nulls)
        elif kind == 2:
            words = pa.array([f"word {n:02d} of column {i}" for n in range(20 + i % 30)])
            codes = pa.array(rng.integers(0, len(words), WIDE_ROWS).astype(np.int32), mask=nulls)
            columns[f"label_{i}"] = pa.DictionaryArray.from_arrays(codes, words).cast(pa.string())
        elif kind == 3:
            seconds = rng.integers(0, 365 * 86_400, WIDE_ROWS).astype("timedelta64[s]")
            columns[f"at_{i}"] = pa.array(np.datetime64("2025-01-01T00:00:00") + seconds, mask=nulls)
        else:
            columns[f"flag_{i}"] = pa.array(rng.random(WIDE_ROWS) < 0.3, mask=nulls)
    return pa.table(columns)


def oracle(values: pa.ChunkedArray) -> dict[str, Any]:
    """What plain pyarrow says of a column: NULLs, distinct values, min, max and mean.

    Rounding gives some -0.0 among the doubles. SQL counts -0.0 and 0.0 as one value (they are
    equal), pyarrow's hash as two; adding 0.0 turns every -0.0 into 0.0 and changes nothing else.
    """
    distinct = pc.add(values, 0.0) if pa.types.is_floating(values.type) else values
    plain: dict[str, Any] = {
        "null_count": values.null_count,
        "distinct_count": pc.count_distinct(distinct).as_py(),
    }
    if pa.types.is_boolean(values.type):
        return plain  # a boolean's profile is its two values' counts
    extremes = pc.min_max(values)
    low, high = extremes["min"].as_py(), extremes["max"].as_py()
    if isinstance(low, dt.datetime):
        low, high = low.isoformat(), high.isoformat()
    plain |= {"min": low, "max": high}
    if pa.types.is_integer(values.type) or pa.types.is_floating(values.type):
        plain["mean"] = pc.mean(values).as_py()
    return plain


def test_a_thousand_columns_by_a_hundred_thousand_rows_profile_exactly(workspace: Workspace) -> None:
    table = wide_table()
    data = workspace.root / "wide.parquet"
    pq.write_table(table, data, row_group_size=50_000)
    workspace.define(
        "wide",
        f"table: wide\nsource: {{type: file, path: '{data}'}}\n"
        "rules:\n"
        f"  - rule: RowCount = {WIDE_ROWS}\n"
        '  - rule: IsComplete "constant"\n'
        '  - rule: IsUnique "id_5"\n'
        '  - rule: ColumnValues "constant" = 7\n',
    )

    done, output = workspace.run_json()

    (report,) = output["tables"]
    checks = checks_by_name(report)
    assert checks["profile"]["outcome"] == "pass", checks["profile"]["description"]
    assert checks["profile"]["description"].startswith(
        f"profiled {WIDE_ROWS:,} rows x {WIDE_COLUMNS} columns"
    )
    for rule in ("rowcount_100000", "iscomplete_constant", "isunique_id_5", "columnvalues_constant_7"):
        assert checks[rule]["outcome"] == "pass", checks[rule]["description"]
    assert "error" not in outcomes(report).values()
    # the planted NULLs may raise warnings among the anomalies; nothing errors
    assert done.returncode in (0, 1)

    columns = report["profile"]["columns"]
    assert list(columns) == table.column_names
    mismatches = []
    for name in table.column_names:
        expected = oracle(table[name])
        profiled = columns[name]
        for statistic, value in expected.items():
            ours = profiled[statistic]
            same = (
                ours == pytest.approx(value, rel=1e-9)
                if statistic == "mean" and value is not None
                else ours == value
            )
            if not same:
                mismatches.append(f"{name}.{statistic}: ours {ours!r}, pyarrow {value!r}")
    assert mismatches == []

    # The planted facts, as planted.
    assert (columns["all_null"]["null_count"], columns["all_null"]["distinct_count"]) == (WIDE_ROWS, 0)
    assert (
        columns["constant"]["min"],
        columns["constant"]["max"],
        columns["constant"]["distinct_count"],
    ) == (7, 7, 1)
    assert columns["id_5"]["distinct_count"] == WIDE_ROWS
    assert columns["amount_12"]["null_count"] == (12 % 11) * 37


def test_an_engine_failure_in_the_profile_is_the_description_of_every_check(workspace: Workspace) -> None:
    # Every statement of this table may run one millisecond; its first aggregate query reads two
    # million rows of three columns, which takes many times that. The cause of the failure must
    # reach every check's description, not only the event log.
    rows = 2_000_000
    data = workspace.root / "long.parquet"
    rng = np.random.default_rng(7)
    pq.write_table(
        pa.table({"id": np.arange(rows), "x": rng.normal(0, 1, rows), "y": rng.integers(0, 10**9, rows)}),
        data,
    )
    workspace.define(
        "long",
        f"table: long\nsource: {{type: file, path: '{data}', timeout_seconds: 0.001}}\n"
        "rules:\n  - rule: RowCount > 0\n",
    )

    done, output = workspace.run_json()

    (report,) = output["tables"]
    assert done.returncode == 2
    assert set(outcomes(report).values()) == {"error"}
    cause = "the engine could not profile the table: exceeded timeout_seconds (0.001 s) and was cancelled"
    for check in report["checks"]:
        assert cause in check["description"], check


# -- point 10: huge values are cut wherever they are stored or printed ---------------------------

HUGE_CHARS = 5 * 2**20
"""Each value of the huge column: 5 MB of one letter."""
MARKER = f"…[cut: {HUGE_CHARS:,} chars]"


def test_huge_values_are_cut_and_their_rules_evaluate(workspace: Workspace) -> None:
    # 20 rows of 5 MB strings. Rows 0-9 hold the same value, 'a' x 5 MB (planted: 10 rows match
    # ^a+$, and one value 10 times); rows 10-19 hold 'b' ... 'k' x 5 MB, one each (planted: 10 rows
    # fail the pattern, 11 distinct values). Every value is longer than 100 characters.
    letters = ["a"] * 10 + [chr(ord("b") + i) for i in range(10)]
    data = workspace.root / "huge.parquet"
    pq.write_table(
        pa.table({"id": list(range(20)), "blob": [letter * HUGE_CHARS for letter in letters]}), data
    )
    workspace.define(
        "huge",
        f"table: huge\nkey: [id]\nsource: {{type: file, path: '{data}'}}\n"
        "rules:\n"
        '  - rule: ColumnLength "blob" <= 100\n'
        f'  - rule: ColumnLength "blob" = {HUGE_CHARS}\n'
        '  - rule: ColumnValues "blob" matches "^a+$"\n'
        "  - rule: RowCount = 20\n",
    )

    done, output = workspace.run_json()

    (report,) = output["tables"]
    checks = checks_by_name(report)
    assert outcomes(report) == {
        "profile": "pass",
        "anomalies": "pass",
        "columnlength_blob_100": "fail",
        f"columnlength_blob_{HUGE_CHARS}": "pass",
        "columnvalues_blob_matches_a": "fail",
        "rowcount_20": "pass",
        "quality_score": "fail",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    assert done.returncode == 1
    too_long = checks["columnlength_blob_100"]["metadata"]
    assert (too_long["failed_count"], too_long["evaluated_count"]) == (20, 20)
    not_a = checks["columnvalues_blob_matches_a"]["metadata"]
    assert (not_a["failed_count"], not_a["evaluated_count"]) == (10, 20)
    # The failing rows' samples show the key and the cut value.
    assert not_a["failed_sample"][0] == {"id": 10, "blob": "b" * MAX_VALUE_CHARS + MARKER}
    assert [row["id"] for row in not_a["failed_sample"]] == list(range(10, 20))

    blob = report["profile"]["columns"]["blob"]
    assert blob["distinct_count"] == 11
    assert blob["min"] == "a" * MAX_VALUE_CHARS + MARKER
    assert blob["max"] == "k" * MAX_VALUE_CHARS + MARKER
    assert blob["top_values"][0] == {"value": "a" * MAX_VALUE_CHARS + MARKER, "count": 10}
    assert [v["count"] for v in blob["top_values"]] == [10] + [1] * 9

    # Nothing downstream holds a whole value: not the output, the instance or the results store.
    assert len(done.stdout.encode()) < 1_000_000
    assert folder_bytes(workspace.home) < 20_000_000
    assert workspace.results.stat().st_size < 5_000_000
    whole = ("a" * (MAX_VALUE_CHARS + 1)).encode()
    assert whole not in done.stdout.encode()
    stored = [
        f for f in [*workspace.home.rglob("*"), workspace.results] if f.is_file() and whole in f.read_bytes()
    ]
    assert stored == []


# -- point 7 (local engine): a runaway statement is cut off, the rest goes on ---------------------


def test_a_runaway_custom_sql_is_an_error_and_the_rest_of_the_table_is_checked(workspace: Workspace) -> None:
    # 20,000 rows in 7 groups: the three-way self-join on the group has about 1.6e11 rows, hours
    # of work. The table allows 2 s per statement.
    rows = 20_000
    data = workspace.root / "orders.parquet"
    pq.write_table(pa.table({"id": np.arange(rows), "g": np.arange(rows) % 7}), data)
    workspace.define(
        "orders",
        f"table: orders\nsource: {{type: file, path: '{data}', timeout_seconds: 2}}\n"
        "rules:\n"
        '  - rule: CustomSql "select count(*) from primary a join primary b on a.g = b.g '
        'join primary c on b.g = c.g" > 0\n'
        "  - rule: RowCount = 20000\n"
        '  - rule: IsUnique "id"\n',
    )

    done, output = workspace.run_json()

    (report,) = output["tables"]
    checks = checks_by_name(report)
    runaway = next(name for name in checks if name.startswith("customsql_"))
    assert {name: c["outcome"] for name, c in checks.items() if name != runaway} == {
        "profile": "pass",
        "anomalies": "pass",
        "rowcount_20000": "pass",
        "isunique_id": "pass",
        "quality_score": "pass",
        "volume": "skip",
        "schema": "pass",
        "drift": "skip",  # the first run: this data version is the next run's baseline
    }
    assert checks[runaway]["outcome"] == "error"
    cause = "the engine could not evaluate the rule: exceeded timeout_seconds (2 s) and was cancelled"
    assert checks[runaway]["description"].endswith(f"orders.yaml:4: {cause}")
    assert done.returncode == 2
