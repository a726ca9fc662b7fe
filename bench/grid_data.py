"""The grid benchmark's data: one deterministic table of ROWS rows and 10 or 50 columns.

The 10 columns have the kinds and distributions of `profile_bench.py`'s table (an int64 id, a
lognormal amount, a small-int quantity, a normal score with NULLs, a uniform price, a 5-value
status, a ~1,000-value city with NULLs, a high-cardinality email, a timestamp and a boolean).
The 50-column table repeats that block five times; the copies are named with a suffix
(`amount_2`, ..., `is_member_5`) and drawn from their own random streams, so no two columns
are equal. Columns 1 to 10 of the 50-column table are the 10-column table.

Two things differ from `profile_bench.py`, on purpose:

* emails are `user<n>@<domain>` with n drawn from [0, 10^12), so duplicates stay negligible at
  any size (profile_bench's draws repeat more as the table grows);
* planted defects, which make known rules fail at every size of the grid (rules are in
  `grid_rules.py`):
  1. `score*` is NULL in 1% of rows (Completeness >= 0.995 fails);
  2. `email*` is malformed (no `@`: `user<n>.<domain>`) in 0.1% of rows (the email regex fails);
  3. the tail of `quantity*` (Poisson(3) + 1 exceeds 8 in about 1.2% of rows, also among the
     `cancelled` rows: `ColumnValues "quantity" <= 8 where status = 'cancelled'` fails);
  4. `amount*` (lognormal(3, 1)) is at most 50 in only about 82% of rows
     (`ColumnValues "amount" <= 50 with threshold >= 0.9` fails).
  The other columns have no defect. `city*` is NULL in 0.5% of rows, which its rule allows.

The generator is numpy `default_rng` seeded with (SEED, first row, copy), one chunk of at
most 1,000,000 rows at a time, so a row's values do not depend on the table's total size.
"""

# Heavy libraries are imported inside the functions, as in profile_bench.py: the parent
# process imports this module too and must stay small.

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import profile_bench as pb

if TYPE_CHECKING:
    import pyarrow as pa
    from pyiceberg.table import Table

SEED = 20251130
BLOCK = 10  # columns per copy of the block
KINDS = (
    "id",
    "amount",
    "quantity",
    "score",
    "price",
    "status",
    "city",
    "email",
    "created_at",
    "is_member",
)
STATUSES = pb.STATUSES
STATUS_WEIGHTS = pb.STATUS_WEIGHTS
CITY_COUNT = pb.CITY_COUNT
EMAIL_DOMAINS = pb.EMAIL_DOMAINS
SCORE_NULL_SHARE = 0.01  # planted defect 1
CITY_NULL_SHARE = 0.005
MALFORMED_EMAIL_SHARE = 0.001  # planted defect 2
EMAIL_USER_RANGE = 10**12
ID_STRIDE = 10**12  # id_k = id + (k - 1) * ID_STRIDE: unique in every copy
PARQUET_NAME = "t.parquet"  # Soda reads this file; its stem is the table name Soda creates


def suffix(copy: int) -> str:
    """'' for the first copy of the block, '_2' to '_5' for the others."""
    return "" if copy == 1 else f"_{copy}"


def copies_for(cols: int) -> int:
    if cols % BLOCK or cols <= 0:
        raise ValueError(f"columns must be a positive multiple of {BLOCK}, not {cols}")
    return cols // BLOCK


def column_names(cols: int) -> list[str]:
    return [f"{kind}{suffix(copy)}" for copy in range(1, copies_for(cols) + 1) for kind in KINDS]


def generate_block(start: int, rows: int, copy: int) -> dict[str, pa.Array]:
    """One copy of the 10 columns for rows `start`..`start + rows`."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    rng = np.random.default_rng([SEED, start, copy])
    s = suffix(copy)
    ids = np.arange(start, start + rows, dtype=np.int64) + (copy - 1) * ID_STRIDE

    score_nulls = rng.random(rows) < SCORE_NULL_SHARE
    city_nulls = rng.random(rows) < CITY_NULL_SHARE
    city_weights = 1.0 / np.arange(1, CITY_COUNT + 1) ** 0.8
    city_codes = rng.choice(CITY_COUNT, size=rows, p=city_weights / city_weights.sum()).astype(np.int32)
    cities = pa.array([f"city_{i:04d}" for i in range(CITY_COUNT)], pa.string())
    statuses = pa.array(STATUSES, pa.string())
    status_codes = rng.choice(len(STATUSES), size=rows, p=STATUS_WEIGHTS).astype(np.int8)

    user = pc.cast(pa.array(rng.integers(0, EMAIL_USER_RANGE, size=rows)), pa.string())
    domain = pa.DictionaryArray.from_arrays(
        pa.array(rng.integers(0, len(EMAIL_DOMAINS), size=rows).astype(np.int8)),
        pa.array(EMAIL_DOMAINS, pa.string()),
    ).dictionary_decode()
    well_formed = pc.binary_join_element_wise("user", user, "@", domain, "")
    malformed = pc.binary_join_element_wise("user", user, ".", domain, "")  # planted defect 2: no '@'
    email = pc.if_else(pa.array(rng.random(rows) < MALFORMED_EMAIL_SHARE), malformed, well_formed)

    epoch = np.datetime64("2024-01-01T00:00:00", "us")
    year_us = 365 * 24 * 3600 * 1_000_000
    created = epoch + rng.integers(0, year_us, size=rows).astype("timedelta64[us]")

    return {
        f"id{s}": pa.array(ids, pa.int64()),
        f"amount{s}": pa.array(rng.lognormal(mean=3.0, sigma=1.0, size=rows), pa.float64()),
        f"quantity{s}": pa.array((rng.poisson(3.0, size=rows) + 1).astype(np.int32), pa.int32()),
        f"score{s}": pa.array(rng.normal(50.0, 10.0, size=rows), pa.float64(), mask=score_nulls),
        f"price{s}": pa.array(np.round(rng.uniform(1.0, 500.0, size=rows), 2), pa.float64()),
        f"status{s}": pa.DictionaryArray.from_arrays(pa.array(status_codes), statuses).dictionary_decode(),
        f"city{s}": pa.DictionaryArray.from_arrays(
            pa.array(city_codes, mask=city_nulls), cities
        ).dictionary_decode(),
        f"email{s}": email,
        f"created_at{s}": pa.array(created, pa.timestamp("us")),
        f"is_member{s}": pa.array(rng.random(rows) < 0.7, pa.bool_()),
    }


def generate_chunk(start: int, rows: int, cols: int) -> pa.Table:
    import pyarrow as pa

    columns: dict[str, pa.Array] = {}
    for copy in range(1, copies_for(cols) + 1):
        columns.update(generate_block(start, rows, copy))
    return pa.table(columns)


def build_table(
    rows: int, cols: int, workdir: Path, *, chunk_rows: int = pb.CHUNK_ROWS, parquet: bool = True
) -> dict[str, Any]:
    """Write the Iceberg table (one append per `chunk_rows` rows), then Soda's Parquet copy if `parquet`.

    The Parquet file is written from the Iceberg table as our check step reads it
    (`stream_table`), so every contender sees the same rows with the same types. A chunk of
    1M rows x 1,000 columns would take about 10 GB to generate: wide tables take smaller chunks
    (another chunking draws other values, equally deterministic).
    """
    import pyarrow.parquet as pq

    from dq_resources.iceberg.catalogs import load_named_catalog
    from dq_resources.iceberg.reader import stream_table

    began = time.perf_counter()
    catalog = load_named_catalog(pb.CATALOG)
    catalog.create_namespace(pb.NAMESPACE)
    table: Table | None = None
    for start in range(0, rows, chunk_rows):
        chunk = generate_chunk(start, min(chunk_rows, rows - start), cols)
        if table is None:
            table = catalog.create_table(pb.IDENTIFIER, schema=chunk.schema)
        table.append(chunk)
    if table is None:
        raise SystemExit("rows must be positive")
    built_at = time.perf_counter()
    files = sum(1 for _ in table.scan().plan_files())
    built = {"seconds": built_at - began, "files": files, "columns": len(table.schema().fields)}
    if not parquet:
        return {**built, "parquet_seconds": 0.0, "parquet_rows": 0, "parquet_mib": 0.0}

    reader = stream_table(table)
    written = 0
    with pq.ParquetWriter(workdir / PARQUET_NAME, reader.schema, compression="zstd") as writer:
        for batch in reader:
            writer.write_batch(batch)
            written += batch.num_rows
    return {
        **built,
        "parquet_seconds": time.perf_counter() - built_at,
        "parquet_rows": written,
        "parquet_mib": (workdir / PARQUET_NAME).stat().st_size / 2**20,
    }


def load_table() -> Table:
    return pb.load_table()


def load_frame() -> Any:
    """The table as a pandas DataFrame (for ydata-profiling and GX), read like our step reads it."""
    from dq_resources.iceberg.reader import stream_table

    return stream_table(load_table()).read_all().to_pandas()
