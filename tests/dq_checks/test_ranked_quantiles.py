"""The window-function quantiles (for engines without a quantile aggregate) equal `percentile_cont`.

Both run in DuckDB here, on the same values: the ranked query's interpolation must give what
DuckDB's own exact quantiles give, edge cases included (no values, one, two, NULLs, ties).
MariaDB runs the same query for real in tests/e2e/test_rules_on_mariadb.py.
"""

from __future__ import annotations

import duckdb
import pytest
from sqlglot import exp

from dq_checks.metrics.ranked_quantiles import ranked_quantiles
from dq_checks.metrics.sql import column

FRACTIONS = (0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0)
CASES = {
    "no rows": [],
    "only NULL": [None, None],
    "one value": [7.0],
    "two values": [1.0, 4.0],
    "NULLs left out": [3.0, None, 1.0, 2.0, None],
    "ties": [5.0, 5.0, 5.0, 1.0],
    "negative and fractional": [-2.5, 0.125, 9.0, -7.75, 3.5, 3.5, 100.0],
    "many": [float((i * 37) % 101) / 3 for i in range(101)],
}


@pytest.mark.parametrize("values", CASES.values(), ids=CASES.keys())
def test_ranked_quantiles_equal_percentile_cont(values: list[float | None]) -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE t (x DOUBLE)")
    if values:
        connection.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    query = ranked_quantiles(column("x"), exp.table_("t"), FRACTIONS).sql(dialect="duckdb")
    (ranked,) = connection.execute(query).fetchall()
    wanted = ", ".join(str(f) for f in FRACTIONS)
    (exact,) = connection.execute(f"SELECT quantile_cont(x, [{wanted}]) FROM t").fetchone()
    if exact is None:  # no values: no quantiles
        assert list(ranked) == [None] * len(FRACTIONS)
    else:
        assert list(ranked) == pytest.approx(exact, rel=1e-12)
