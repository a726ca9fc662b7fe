"""What fits in the local engine's memory: size settings, row groups, and how much one query may carry.

A wide table is the hard case. DuckDB's memory for one query grows with the number of
aggregates in it, not only with the number of rows, and a table's row group is buffered
whole while it is written. Measured with DuckDB 2.0 on two threads:

- an exact `COUNT(DISTINCT x)` holds a hash table of its own per thread: about 2 MiB each
  before the first row, plus about 32 bytes per distinct value, and a bit more per aggregate
  the more of them share a query (10 in one query took 18 MB, 100 took 430 MB: a 10-row,
  100-column table ran out of a 400 MB limit with its 100 distinct counts in one SELECT);
- a SELECT of thousands of aggregates binds slowly and keeps an input vector per aggregate
  and thread (8,000 aggregates over 100,000 rows took 16.6 s in one query);
- while a table is written, DuckDB buffers a row group (122,880 rows by default) of every
  column: 1,000 float columns need about 1 GB before anything is compressed or spilled.

So distinct counts go a few at a time (as many as the query memory allows), every query
carries at most `AGGREGATES_PER_QUERY` aggregates, and a copy on disk gets row groups small
enough that one of them, of every column, fits in a quarter of the load limit.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

QUERY_SHARE = 0.5
"""The share of `memory_limit` one query's distinct-count hash tables may plan to use."""
DISTINCT_BYTES_PER_THREAD = 3 * 2**20
"""A distinct count's fixed cost per thread (2 MiB measured, with room for the growth above)."""
DISTINCT_BYTES_PER_ROW = 40
"""A distinct count's cost per row when every value is distinct (32 bytes measured)."""
AGGREGATES_PER_QUERY = 1_000
"""At most this many aggregates in one SELECT (about 125 numeric columns' light profile)."""
HEAVY_BYTES_PER_CELL = 24
"""What an exact quantile or distinct count holds per row: 400 MB then carries 8M rows' worth."""
LOAD_SHARE = 0.25
"""The share of `load_memory_limit` one row group of every column may take while it is written."""
VECTOR_ROWS = 2_048
"""DuckDB's vector: row groups hold whole vectors."""
DEFAULT_ROW_GROUP_ROWS = 122_880
"""DuckDB's own row group size, kept for narrow tables."""


def distinct_per_query(memory_limit_bytes: float, threads: int, rows: int) -> int:
    """How many exact distinct counts one query may hold, by the memory their hash tables need."""
    each = max(threads, 1) * DISTINCT_BYTES_PER_THREAD + DISTINCT_BYTES_PER_ROW * max(rows, 0)
    return max(1, int(memory_limit_bytes * QUERY_SHARE // each))


def row_group_rows(load_limit_bytes: float, bytes_per_row: float) -> int:
    """Rows per row group so that one row group of every column fits in `LOAD_SHARE` of the load limit."""
    rows = int(load_limit_bytes * LOAD_SHARE // max(bytes_per_row, 1.0)) // VECTOR_ROWS * VECTOR_ROWS
    return min(max(rows, VECTOR_ROWS), DEFAULT_ROW_GROUP_ROWS)


AUTO = "auto"
"""The memory setting that asks for a limit derived from the machine (`auto_memory_limit`)."""
MACHINE_SHARE = 1 / 24
"""The share of the machine's (or the container's) memory one table's scan may use."""
AUTO_FLOOR_BYTES = 256 * 2**20
AUTO_CEILING_BYTES = 8 * 2**30
"""A scan under 256 MiB spills on ordinary tables; above 8 GiB a limit protects nothing."""
_CGROUP_LIMITS = (Path("/sys/fs/cgroup/memory.max"), Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"))


def machine_memory_bytes() -> int:
    """The memory this process may use: the machine's RAM, or its container's limit when lower.

    A pod limited to 2 GiB on a 64 GiB node must plan for 2 GiB: its cgroup says so (v2's
    `memory.max`, v1's `memory.limit_in_bytes`; "max" or a huge number means no limit).
    """
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for path in _CGROUP_LIMITS:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < physical:
            return int(text)
    return int(physical)


def auto_memory_limit(machine_bytes: int | None = None) -> str:
    """A twenty-fourth of the machine's memory, between 256 MiB and 8 GiB, as a DuckDB setting.

    Why so small a share: the scan shares the machine with Dagster's daemon, the webserver and
    other steps, and a code location may run several tables at once; the engine spills past
    its limit instead of failing, and reading Parquet in place needs no memory for the table
    itself. A step's peak RSS is about the limit plus 300 MiB of interpreter and libraries:
    24 GiB gives a 1 GiB limit, and 10M rows x 50 columns peaked at 1.3 GiB.
    """
    total = machine_memory_bytes() if machine_bytes is None else machine_bytes
    chosen = min(max(int(total * MACHINE_SHARE), AUTO_FLOOR_BYTES), AUTO_CEILING_BYTES)
    return f"{chosen // 2**20}MiB"


def resolved_limit(setting: str) -> str:
    """A memory setting as DuckDB takes it: `auto` derived from the machine, else the size given."""
    if setting.strip().lower() == AUTO:
        return auto_memory_limit()
    return size_setting(setting)


_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)\s*", re.IGNORECASE)
_UNIT_BYTES = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_UNIT_BYTES |= {f"{unit}i": 2 ** (10 * power) for power, unit in enumerate("kmgt", start=1)}


def size_setting(text: str) -> str:
    """Accept only sizes like '512MB' or '2GiB', so the setting cannot smuggle SQL."""
    number, unit = _parse_size(text)
    return f"{number}{unit}"


def size_bytes(text: str) -> float:
    """A size setting in bytes, read as DuckDB reads it ('MB' is 10^6, 'MiB' is 2^20)."""
    number, unit = _parse_size(text)
    return float(number) * _UNIT_BYTES[unit[:-1].lower()]


def _parse_size(text: str) -> tuple[str, str]:
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"memory_limit must look like '512MB' or '2GiB', got {text!r}")
    return match.group(1), match.group(2)
