"""Two queries at once: the check step's outcomes are those of one query at a time, rule by rule.

The local engine runs as many queries at once as DuckDB has threads (`parallel_queries`), and
the rules that query the engine themselves (uniqueness, failing-row samples, CustomSql) are
judged at the same time. Nothing about a rule's outcome may depend on that: the same file
and rules, inspected with one thread and with two, give the same checks in the same order.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dq_checks.config.loader import load_table_specs
from dq_checks.results.inspection import TableInspection
from dq_resources.files import FileSourceResource
from dq_runs.inspect import inspect_table

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ROWS = 2_000
DUPLICATE_IDS = (7, 8)  # planted: rows 1000 and 1001 repeat these ids
BAD_EMAILS = (3, 40, 500)  # planted: "user<i>-at-example" at these rows
NEGATIVE_AMOUNTS = range(100, 105)  # planted: 5 negative amounts
UNKNOWN_STATUS_ROW = 1999  # planted: one status outside the domain

RULES = """\
rules:
  - {name: id_key, rule: 'IsPrimaryKey "id"'}
  - {name: email_unique, rule: 'Uniqueness "email" > 0.99'}
  - {name: email_format, rule: 'ColumnValues "email" matches "^user[0-9]+@example[.]com$"'}
  - {name: amount_positive, rule: 'ColumnValues "amount" >= 0'}
  - {name: status_complete, rule: 'IsComplete "status"'}
  - {name: status_domain, rule: 'ColumnValues "status" in ["new", "paid", "sent"]'}
  - {name: status_count, rule: 'DistinctValuesCount "status" = 4'}
  - {name: rows, rule: 'RowCount = 2000'}
  - {name: negatives, rule: 'CustomSql "select count(*) from primary where amount < 0" = 5'}
  - {name: ghost_sql, rule: 'CustomSql "select count(ghost) from primary" > 0'}
"""


RULES_IN_ORDER = [
    "id_key",
    "email_unique",
    "email_format",
    "amount_positive",
    "status_complete",
    "status_domain",
    "status_count",
    "rows",
    "negatives",
    "ghost_sql",
]


def planted(folder: Path) -> Path:
    ids = list(range(ROWS))
    ids[1000], ids[1001] = DUPLICATE_IDS
    emails = [f"user{i}-at-example" if i in BAD_EMAILS else f"user{i}@example.com" for i in range(ROWS)]
    amounts = [-1.0 - i if i in NEGATIVE_AMOUNTS else float(i % 50) for i in range(ROWS)]
    statuses = [("new", "paid", "sent")[i % 3] for i in range(ROWS)]
    statuses[UNKNOWN_STATUS_ROW] = "lost"
    path = folder / "orders.parquet"
    pq.write_table(
        pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "email": pa.array(emails),
                "amount": pa.array(amounts, pa.float64()),
                "status": pa.array(statuses),
            }
        ),
        path,
    )
    return path


def inspect_with(folder: Path, threads: int) -> TableInspection:
    folder.mkdir()
    data = planted(folder)
    (folder / "orders.yaml").write_text(f"table: orders\nsource: {{type: file, path: {data}}}\n" + RULES)
    loaded = load_table_specs(folder)
    assert loaded.problems == ()
    defined = loaded.by_name("orders")
    assert defined is not None
    return inspect_table(defined, FileSourceResource(scan_threads=threads).open(defined.spec.source), now=NOW)


def test_two_queries_at_once_judge_every_rule_as_one_at_a_time(tmp_path: Path) -> None:
    alone = inspect_with(tmp_path / "one", threads=1)
    together = inspect_with(tmp_path / "two", threads=2)

    def judged(inspection: TableInspection) -> list[tuple[str, str, str]]:
        # The profile's description holds its duration; every other check is compared whole, but
        # for the folder an error names its rule's file in.
        return [
            (
                c.name,
                c.outcome.value,
                c.description.replace(str(tmp_path / "one"), "").replace(str(tmp_path / "two"), ""),
            )
            for c in inspection.checks
            if c.name != "profile"
        ]

    assert judged(together) == judged(alone)
    outcomes = {name: outcome for name, outcome, _ in judged(together)}
    assert {name: outcomes[name] for name in RULES_IN_ORDER} == {
        "id_key": "fail",  # ids 7 and 8 twice
        "email_unique": "pass",  # 2,000 distinct emails
        "email_format": "fail",  # 3 planted
        "amount_positive": "fail",  # 5 planted
        "status_complete": "pass",
        "status_domain": "fail",  # "lost"
        "status_count": "pass",  # new, paid, sent, lost
        "rows": "pass",
        "negatives": "pass",  # CustomSql counts the 5 planted
        "ghost_sql": "error",  # no such column: an error of its own, the rest goes on
    }
    descriptions = {name: text for name, _, text in judged(together)}
    assert "3 of 2,000 rows fail" in descriptions["email_format"]
    assert "5 of 2,000 rows fail" in descriptions["amount_positive"]
    assert "ghost" in descriptions["ghost_sql"]
    assert [c.name for c in together.checks][2 : 2 + len(RULES_IN_ORDER)] == RULES_IN_ORDER
    assert together.profile.queries > alone.profile.queries  # each pass spread over two queries
