"""Planted tables for the drift tests: an orders table drawn from fixed distributions, and its sketches.

`orders(seed)` is one day of the table; two seeds are two independent draws of the same
distributions, so any difference between their sketches is sampling noise. Each `plant_*`
function returns a copy of a day with exactly one change, in one column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import pyarrow as pa
from scipy.stats import norm

from dq_checks.config.drift import DriftSettings
from dq_checks.drift.draw import draw_sketch
from dq_checks.drift.sketch import TableSketch
from dq_checks.schema import ColumnInfo, ColumnKind
from tests.runners import duckdb_over

ROWS = 50_000
AMOUNT_MEAN, AMOUNT_SD = 100.0, 15.0
PRICE_MU, PRICE_SIGMA = 3.0, 0.5
STATUSES = ("paid", "shipped", "pending", "cancelled")
STATUS_SHARES = (0.5, 0.3, 0.15, 0.05)
COUNTRIES = ("DE", "FR", "NL", "ES", "IT", "PL")
COUNTRY_SHARES = (0.3, 0.25, 0.15, 0.12, 0.1, 0.08)
NOTES = ("gift", "express", "fragile", "call first", "leave at door", "no invoice", "repeat order")
NOTE_NULLS = 0.05
SECONDS_PER_DAY = 86_400
TAIL_SHARE = 0.1

COLUMNS = (
    ColumnInfo("amount", "DOUBLE", ColumnKind.NUMERIC, floating=True),
    ColumnInfo("price", "DOUBLE", ColumnKind.NUMERIC, floating=True),
    ColumnInfo("status", "VARCHAR", ColumnKind.STRING),
    ColumnInfo("country", "VARCHAR", ColumnKind.STRING),
    ColumnInfo("created_at", "TIMESTAMP", ColumnKind.TEMPORAL),
    ColumnInfo("note", "VARCHAR", ColumnKind.STRING),
)


def orders(seed: int, rows: int = ROWS, day: int = 0) -> dict[str, np.ndarray]:
    """One day of orders, column -> values; `note` is None in NOTE_NULLS of the rows (exactly)."""
    rng = np.random.default_rng(seed)
    midnight = np.datetime64(datetime(2026, 3, 2)) + np.timedelta64(day, "D")
    seconds = rng.integers(0, SECONDS_PER_DAY * 1_000_000, rows)
    note = rng.choice(np.array(NOTES, dtype=object), rows)
    note[rng.choice(rows, round(rows * NOTE_NULLS), replace=False)] = None
    return {
        "amount": rng.normal(AMOUNT_MEAN, AMOUNT_SD, rows),
        "price": rng.lognormal(PRICE_MU, PRICE_SIGMA, rows),
        "status": rng.choice(np.array(STATUSES, dtype=object), rows, p=STATUS_SHARES),
        "country": rng.choice(np.array(COUNTRIES, dtype=object), rows, p=COUNTRY_SHARES),
        "created_at": midnight.astype("datetime64[us]") + seconds.astype("timedelta64[us]"),
        "note": note,
    }


def rows_of(data: dict[str, np.ndarray], share: float, seed: int) -> np.ndarray:
    """The positions of exactly `share` of the rows, at random."""
    rows = len(next(iter(data.values())))
    return np.random.default_rng(seed).choice(rows, round(rows * share), replace=False)


def plant_location(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """`amount` moved up by half a standard deviation."""
    return {**data, "amount": data["amount"] + 0.5 * AMOUNT_SD}


def plant_scale(data: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """`amount` spread twice as wide around the same mean."""
    return {**data, "amount": AMOUNT_MEAN + 2 * (data["amount"] - AMOUNT_MEAN)}


def plant_mix(data: dict[str, np.ndarray], seed: int = 11) -> dict[str, np.ndarray]:
    """`status` drawn with its shares reversed (paid 5%, cancelled 50%): the same four values."""
    rng = np.random.default_rng(seed)
    flipped = rng.choice(np.array(STATUSES, dtype=object), len(data["status"]), p=STATUS_SHARES[::-1])
    return {**data, "status": flipped}


def plant_new_category(data: dict[str, np.ndarray], seed: int = 12) -> dict[str, np.ndarray]:
    """5% of the rows, at random, get the status 'refunded', which the baseline never had."""
    status = data["status"].copy()
    status[rows_of(data, 0.05, seed)] = "refunded"
    return {**data, "status": status}


def plant_null_burst(data: dict[str, np.ndarray], seed: int = 13) -> dict[str, np.ndarray]:
    """`note` NULL in 30% of the rows (5% before), at random, so its values keep their shares."""
    note = data["note"].copy()
    valued = np.flatnonzero(np.array([v is not None for v in note]))
    wanted = round(len(note) * 0.30) - (len(note) - len(valued))
    note[np.random.default_rng(seed).choice(valued, wanted, replace=False)] = None
    return {**data, "note": note}


def plant_midnight(data: dict[str, np.ndarray], seed: int = 14) -> dict[str, np.ndarray]:
    """40% of `created_at`, at random, moved to 00:00:00 of its own day (a time lost in a load)."""
    created = data["created_at"].copy()
    picked = rows_of(data, 0.40, seed)
    created[picked] = created[picked].astype("datetime64[D]").astype("datetime64[us]")
    return {**data, "created_at": created}


def plant_halved_median(data: dict[str, np.ndarray], seed: int = 15) -> dict[str, np.ndarray]:
    """`price` with half its median and the same mean: a lower lognormal bulk (90%) and a heavy tail (10%).

    The bulk's mu puts the mixture's median at half the baseline's: 0.9 x Phi((ln(m/2) - mu) / sigma)
    = 0.5. The tail's mean is what the bulk leaves of the baseline's mean.
    """
    rng = np.random.default_rng(seed)
    rows = len(data["price"])
    tail = rng.random(rows) < TAIL_SHARE
    median, mean = math.exp(PRICE_MU), math.exp(PRICE_MU + PRICE_SIGMA**2 / 2)
    bulk_mu = math.log(median / 2) - PRICE_SIGMA * float(norm.ppf(0.5 / (1 - TAIL_SHARE)))
    tail_mean = (mean - (1 - TAIL_SHARE) * math.exp(bulk_mu + PRICE_SIGMA**2 / 2)) / TAIL_SHARE
    tail_mu = math.log(tail_mean) - PRICE_SIGMA**2 / 2
    price = np.where(
        tail, rng.lognormal(tail_mu, PRICE_SIGMA, rows), rng.lognormal(bulk_mu, PRICE_SIGMA, rows)
    )
    return {**data, "price": price}


def arrow(data: dict[str, np.ndarray]) -> pa.Table:
    """The columns as an Arrow table: numbers DOUBLE, text VARCHAR (None is NULL), times TIMESTAMP."""
    types = {"amount": pa.float64(), "price": pa.float64(), "created_at": pa.timestamp("us")}
    return pa.table(
        {
            name: pa.array(values if name in types else values.tolist(), types.get(name, pa.string()))
            for name, values in data.items()
        }
    )


def sketch(
    table: pa.Table,
    label: str,
    settings: DriftSettings | None = None,
    columns: Sequence[ColumnInfo] = COLUMNS,
) -> TableSketch:
    """The sketch DuckDB draws of `table` (asserting no column failed)."""
    with duckdb_over(table) as runner:
        drawn, errors = draw_sketch(runner, columns, settings or DriftSettings(), label=label)
    assert errors == {}, errors
    return drawn
