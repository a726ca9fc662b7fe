"""Great Expectations' own test cases (tests/data/gx_test_definitions), read as data.

GX runs each JSON case file against every engine it supports. A file names one expectation
type and holds datasets: the columns' values (`data`), column types per engine (`schemas`)
and the cases run on them (`tests`: the expectation's kwargs in `in`, the result in `out`).

Which cases run here. DuckDB is not one of GX's engines. A case runs here when GX itself runs
it on its `postgresql` backend (DuckDB's SQL follows PostgreSQL's) or on `pandas` (GX's
reference engine, the only one where it runs `row_condition` and boolean means), by GX's own
rule (`should_we_generate_this_test`): not named by `suppress_test_for` (directly or as
`sqlalchemy`), and named by `only_for` when that is given. Cases GX runs only on other engines
(snowflake, bigquery, spark, mssql...) pin those engines' quirks and are left out, with why.
Column types are the dataset's `postgresql` schema, else its `sqlite` or `spark` one, else what pandas
infers from the values (GX loads a SQL table from a pandas frame: an all-NULL column is text).
Numbers written as JSON text ("1", "2") stay text, as pandas holds them: GX's cases on such
columns are about comparing text with numbers, which GX refuses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

DEFINITIONS = Path(__file__).parents[1] / "data" / "gx_test_definitions"
BACKENDS = ("postgresql", "pandas")

_SQL_TYPES: dict[str, pa.DataType] = {
    "INTEGER": pa.int64(),
    "BIGINT": pa.int64(),
    "SMALLINT": pa.int64(),
    "INT": pa.int64(),
    "FLOAT": pa.float64(),
    "REAL": pa.float64(),
    "DOUBLE_PRECISION": pa.float64(),
    "NUMERIC": pa.float64(),
    "DECIMAL": pa.float64(),
    "TEXT": pa.string(),
    "VARCHAR": pa.string(),
    "CHAR": pa.string(),
    "BOOLEAN": pa.bool_(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATETIME": pa.timestamp("us"),
    "DATE": pa.date32(),
}
_SPARK_TYPES: dict[str, pa.DataType] = {
    "IntegerType": pa.int64(),
    "LongType": pa.int64(),
    "DoubleType": pa.float64(),
    "FloatType": pa.float64(),
    "StringType": pa.string(),
    "BooleanType": pa.bool_(),
    "TimestampType": pa.timestamp("us"),
    "DateType": pa.date32(),
}


@dataclass(frozen=True)
class Dataset:
    """One dataset of a case file: a table name unique across files, its Arrow table."""

    name: str
    table: pa.Table


@dataclass(frozen=True)
class Case:
    """One GX test case: the expectation, its kwargs, what GX says, and the data it runs on."""

    file: str
    expectation_type: str
    title: str
    dataset: Dataset
    kwargs: Mapping[str, Any]
    out: Mapping[str, Any]
    raises: bool
    on_postgresql: bool
    """Whether GX runs it on PostgreSQL too, not only on pandas."""

    @property
    def label(self) -> str:
        """`file: title`, as a failure message names the case."""
        return f"{self.file}: {self.title}"

    @property
    def unexpected_count(self) -> int | None:
        """How many rows GX reports unexpected, when the case says (its full unexpected list)."""
        listed = self.out.get("unexpected_list")
        if listed is None and isinstance(self.out.get("result"), Mapping):
            listed = self.out["result"].get("unexpected_list")
        return len(listed) if isinstance(listed, list) else None


@dataclass(frozen=True)
class Skipped:
    """A case GX itself would not run on a PostgreSQL-like engine."""

    file: str
    title: str
    reason: str


def runs_here(*entries: Mapping[str, Any]) -> str | None:
    """Why GX would run this case (its dataset, then the case) on none of BACKENDS; None when it would."""
    reasons = [why for backend in BACKENDS if (why := _not_on(backend, entries)) is not None]
    return (
        None if len(reasons) < len(BACKENDS) else f"GX runs it on neither postgresql nor pandas: {reasons[0]}"
    )


def _not_on(backend: str, entries: Sequence[Mapping[str, Any]]) -> str | None:
    sql = backend != "pandas"
    for entry in entries:
        suppressed = entry.get("suppress_test_for") or []
        if backend in suppressed or (sql and "sqlalchemy" in suppressed):
            return f"suppress_test_for {suppressed}"
        only = entry.get("only_for") or []
        if only and backend not in only and not (sql and "sqlalchemy" in only):
            return f"only_for {only}"
    return None


def load_cases(types: Sequence[str]) -> tuple[list[Case], list[Skipped]]:
    """Every case of every file whose expectation type is in `types`, and those not for this engine."""
    cases: list[Case] = []
    skipped: list[Skipped] = []
    for path in sorted(DEFINITIONS.rglob("*.json")):
        document = json.loads(path.read_text())
        expectation_type = document["expectation_type"]
        if expectation_type not in types:
            continue
        file = str(path.relative_to(DEFINITIONS))
        for number, data in enumerate(document["datasets"], start=1):
            dataset = Dataset(f"{path.stem}_{number}", _table(data))
            for test in data["tests"]:
                reason = runs_here(data, test)
                if reason is not None:
                    skipped.append(Skipped(file, test["title"], reason))
                    continue
                on_postgresql = _not_on("postgresql", (data, test)) is None
                cases.append(_case(file, expectation_type, dataset, test, on_postgresql))
    return cases, skipped


def _case(
    file: str, expectation_type: str, dataset: Dataset, test: Mapping[str, Any], on_postgresql: bool
) -> Case:
    given = test["in"]
    if isinstance(given, list):  # positional: the column (the only positional use in these files)
        given = {"column": given[0], **(test.get("kwargs") or {})}
    out = test.get("out") or {}
    raises = "error" in test or "traceback_substring" in out
    return Case(file, expectation_type, test["title"], dataset, dict(given), out, raises, on_postgresql)


def _table(data: Mapping[str, Any]) -> pa.Table:
    schemas = data.get("schemas") or {}
    declared = schemas.get("postgresql") or schemas.get("sqlite") or {}
    columns: dict[str, pa.Array] = {}
    for name, values in data["data"].items():
        sql_type = declared.get(name)
        arrow_type = _SQL_TYPES.get(sql_type.upper()) if isinstance(sql_type, str) else None
        arrow_type = arrow_type or _SPARK_TYPES.get((schemas.get("spark") or {}).get(name, ""))
        if any(isinstance(v, str) for v in values) and arrow_type is not None and not _texty(arrow_type):
            arrow_type = None  # text in a column declared otherwise stays text, as pandas holds it
        columns[name] = _array(values, arrow_type or _inferred(values))
    return pa.table(columns)


def _array(values: Sequence[Any], arrow_type: pa.DataType) -> pa.Array:
    if pa.types.is_timestamp(arrow_type):
        # as pandas reads them when GX loads the table ("1/1/2016", "2016-01-01T00:00:00Z")
        values = [None if v is None else pd.Timestamp(v).tz_localize(None).to_pydatetime() for v in values]
    if pa.types.is_string(arrow_type):
        values = [None if v is None else str(v) for v in values]
    if pa.types.is_floating(arrow_type):
        values = [None if v is None else float(v) for v in values]
    return pa.array(values, type=arrow_type)


def _texty(arrow_type: pa.DataType) -> bool:
    """Types written as text in JSON: strings, dates and timestamps."""
    return bool(
        pa.types.is_string(arrow_type) or pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type)
    )


def _inferred(values: Sequence[Any]) -> pa.DataType:
    """The type pandas gives such a column, as GX's SQL loader writes it."""
    present = [v for v in values if v is not None]
    if not present:
        return pa.string()  # pandas holds it as objects, which GX's SQL loader writes as TEXT
    if all(isinstance(v, bool) for v in present):
        return pa.bool_()
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return pa.int64()
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return pa.float64()
    return pa.string()


def datasets(cases: Sequence[Case]) -> Iterator[Dataset]:
    """Each dataset the cases use, once."""
    seen: dict[str, Dataset] = {}
    for case in cases:
        seen.setdefault(case.dataset.name, case.dataset)
    yield from seen.values()
