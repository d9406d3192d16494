"""What every family of the generated dataset shares: one random generator with vectorised value
makers, the dataset's day (every time is before it, and the server's "now" is pinned to it so
that sliding windows select the same profiles on every run), and the users who own things."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.treasuredata.local.model import User

#: The dataset's "today": event times fall in the three years before it.
ANCHOR = datetime(2025, 12, 31, tzinfo=timezone.utc)
SPAN_SECONDS = 3 * 365 * 86_400

ADMIN = User("1", "1001", "Demo Admin")
MARKETER = User("2", "1002", "Mina Marketer")
WRITER = User("3", "1003", "Import Bot")  # the write-only key's user
USERS = (ADMIN, MARKETER)


@dataclass
class Table:
    """Rows for one engine table, with the DuckDB column types to create it with."""

    name: str
    data: pa.Table
    ddl: str


class Values:
    """Vectorised value makers sharing one random generator (one seed fixes every value)."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def pick(self, pool: Sequence[Any], n: int, weights: Sequence[float] | None = None) -> pa.Array:
        p = None if weights is None else np.asarray(weights, float) / sum(weights)
        return pa.array(pool).take(pa.array(self.rng.choice(len(pool), n, p=p)))

    def nulls(self, array: pa.Array, fraction: float) -> pa.Array:
        mask = pa.array(self.rng.random(len(array)) < fraction)
        return pc.if_else(mask, pa.scalar(None, array.type), array)

    def epochs(self, n: int) -> np.ndarray:
        """Unix seconds before the anchor, skewed towards recent activity."""
        u = self.rng.random(n) ** 2
        return (ANCHOR.timestamp() - u * SPAN_SECONDS).astype(np.int64)

    def timestamps(self, n: int) -> pa.Array:
        return pa.array(self.epochs(n) * 1_000_000, pa.timestamp("us", tz="UTC"))

    def dates(self, start: str, end: str, n: int) -> pa.Array:
        lo, hi = np.datetime64(start, "D").astype(int), np.datetime64(end, "D").astype(int)
        return pa.array(self.rng.integers(lo, hi, n).astype(np.int32), pa.date32())

    def bools(self, n: int, p_true: float) -> pa.Array:
        return pa.array(self.rng.random(n) < p_true)

    def lists(self, pool: Sequence[Any], n: int, max_len: int, value_type: pa.DataType) -> pa.Array:
        """Lists of 0..max_len items drawn from ``pool`` with replacement (an item may repeat, as tags do)."""
        lengths = self.rng.integers(0, max_len + 1, n)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        values = pa.array(pool, value_type).take(pa.array(self.rng.integers(0, len(pool), int(offsets[-1]))))
        return pa.ListArray.from_arrays(pa.array(offsets), values)

    def numbers(self, n: int, mean: float, digits: int = 2) -> pa.Array:
        return pa.array(np.round(self.rng.lognormal(np.log(mean), 0.8, n), digits))


def ids(prefix: str, n: int) -> pa.Array:
    digits = pc.utf8_lpad(pa.array(np.arange(1, n + 1)).cast(pa.string()), 8, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def days_ago(days: float) -> datetime:
    return ANCHOR - timedelta(days=days)
