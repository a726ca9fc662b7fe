"""A generated fleet of monitored tables: N table definitions and, on request, their Iceberg data.

The many-tables test and `bench/fleet_bench.py` share it, so the load the test checks for
correctness is the load the benchmark times.

Every table has the same shape and the same planted defects, so a run over the whole fleet has
known outcomes per table:
- `id` is unique and complete;
- `amount` has exactly `NULL_AMOUNTS` NULLs (rule `amount_complete` fails);
- `status` holds one value outside the allowed set on exactly `BAD_STATUSES` rows
  (rule `status_is_known` fails);
- `quantity` is within 1..9 on every row (rule `quantity_in_range` passes);
- the row count is within the `RowCount` bounds (rule `row_count_in_bounds` passes).
Every tenth table also references the table before it (`ReferentialIntegrity`, passes: the ids
overlap completely), to give the lineage graph edges.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CRONS = ("0 * * * *", "0 */2 * * *", "0 */6 * * *", "0 0 * * *")  # all four fire at midnight
ROWS_PER_TABLE = 2_000
NULL_AMOUNTS = 7  # planted: rows 0, 300, 600, ... 1800 have a NULL amount
BAD_STATUSES = 3  # planted: rows 5, 10 and 15 have status 'lost'
RULES_PER_TABLE = 5
FAILING_RULES_PER_TABLE = 2  # amount_complete and status_is_known


@dataclass(frozen=True)
class Fleet:
    """Where a generated fleet lives."""

    config_dir: Path
    catalog: str
    tables: tuple[str, ...]

    def cron_of(self, table: str) -> str:
        """The cron a table was given (round-robin over CRONS)."""
        return CRONS[self.tables.index(table) % len(CRONS)]


def table_name(index: int) -> str:
    """`fleet_t000` ... : sortable names."""
    return f"fleet_t{index:03d}"


def _definition(index: int, catalog: str) -> str:
    name = table_name(index)
    lines = [
        f"# Generated table {index}: {NULL_AMOUNTS} NULL amounts, {BAD_STATUSES} bad statuses.",
        f"table: {name}",
        "source:",
        "  type: iceberg",
        f"  catalog: {catalog}",
        f"  identifier: fleet.{name}",
        f"description: Generated table {index} of the fleet",
        "owners: [team:data-eng]",
        f"group: fleet_{index % 8}",
        f'schedule: "{CRONS[index % len(CRONS)]}"',
        "key: [id]",
    ]
    if index % 2 == 0:
        lines.append("freshness: {max_age_hours: 24}")
    references_previous = index % 10 == 9
    if references_previous:
        lines.append(f"deps: [{table_name(index - 1)}]")
    lines += [
        "rules:",
        "  - name: id_is_primary_key",
        '    rule: IsPrimaryKey "id"',
        "  - name: amount_complete           # fails: NULL_AMOUNTS planted NULLs",
        '    rule: IsComplete "amount"',
        "  - name: status_is_known           # fails: BAD_STATUSES rows say 'lost'",
        '    rule: ColumnValues "status" in ["new", "paid", "shipped"]',
        "  - name: quantity_in_range",
        '    rule: ColumnValues "quantity" between 0 and 10',
        "  - name: row_count_in_bounds",
        f"    rule: RowCount between {ROWS_PER_TABLE // 2} and {ROWS_PER_TABLE * 2}",
    ]
    if references_previous:
        lines += [
            "  - name: id_exists_upstream",
            f'    rule: ReferentialIntegrity "id" "{table_name(index - 1)}.id" = 1.0',
        ]
    return "\n".join(lines) + "\n"


def write_fleet_definitions(config_dir: Path, count: int, catalog: str = "fleet") -> Fleet:
    """Write `count` table definitions into `config_dir` (no data is touched)."""
    config_dir.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        (config_dir / f"{table_name(index)}.yaml").write_text(_definition(index, catalog))
    return Fleet(config_dir, catalog, tuple(table_name(i) for i in range(count)))


def seed_fleet_data(fleet: Fleet) -> None:
    """Create every fleet table in its (already configured) Iceberg catalog, with the planted defects."""
    import pyarrow as pa

    from dq_resources.iceberg.catalogs import load_named_catalog

    catalog = load_named_catalog(fleet.catalog)  # reads PYICEBERG_CATALOG__* now, not at import
    catalog.create_namespace_if_not_exists("fleet")
    rows = range(ROWS_PER_TABLE)
    data = pa.table(
        {
            "id": pa.array(list(rows), pa.int64()),
            "amount": pa.array([None if i % 300 == 0 else float(i % 97) + 0.5 for i in rows], pa.float64()),
            "status": pa.array(
                ["lost" if i in (5, 10, 15) else ("new", "paid", "shipped")[i % 3] for i in rows], pa.string()
            ),
            "quantity": pa.array([1 + i % 9 for i in rows], pa.int32()),
            "note": pa.array([f"note {i % 50}" for i in rows], pa.string()),
        }
    )
    for name in fleet.tables:
        identifier = f"fleet.{name}"
        if catalog.table_exists(identifier):
            catalog.drop_table(identifier)
        catalog.create_table(identifier, schema=data.schema).append(data)
