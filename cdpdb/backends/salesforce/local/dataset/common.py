"""What every family of the generated dataset shares: one random generator with vectorised value
makers, the pools values are drawn from, and the dataspaces objects live in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.catalog import Column, Entity

DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.org", "acme.co", "web.de")
DATA_SOURCE = "Salesforce_Home"
EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
SPAN_US = 3 * 365 * 86_400 * 1_000_000

MARKETING_DATASPACE = "marketing"
ALL_SPACES = frozenset({wire.DEFAULT_DATASPACE, MARKETING_DATASPACE})
DEFAULT_ONLY = frozenset({wire.DEFAULT_DATASPACE})


@dataclass
class GeneratedObject:
    entity: Entity
    table: pa.Table | None  # None for calculated insights, which are computed by SQL
    derived_sql: str | None = None


class Values:
    """Vectorised value makers sharing one random generator."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def pick(self, pool: Sequence[Any], n: int, weights: Sequence[float] | None = None) -> pa.Array:
        p = None if weights is None else np.asarray(weights, float) / sum(weights)
        return pa.array(pool).take(pa.array(self.rng.choice(len(pool), n, p=p)))

    def nulls(self, array: pa.Array, fraction: float) -> pa.Array:
        if fraction <= 0:
            return array
        mask = pa.array(self.rng.random(len(array)) < fraction)
        return pc.if_else(mask, pa.scalar(None, array.type), array)

    def timestamps(self, n: int) -> pa.Array:
        # Skew towards recent activity: squared uniform, mirrored.
        u = 1.0 - self.rng.random(n) ** 2
        micros = (EPOCH_US + (u * SPAN_US).astype(np.int64)) // 1000 * 1000
        return pa.array(micros, pa.timestamp("us", tz="UTC"))

    def dates(self, start: str, end: str, n: int) -> pa.Array:
        lo, hi = np.datetime64(start, "D").astype(int), np.datetime64(end, "D").astype(int)
        return pa.array(self.rng.integers(lo, hi, n).astype(np.int32), pa.date32())

    def money(self, n: int, mean: float) -> pa.Array:
        cents = np.round(self.rng.lognormal(np.log(mean), 0.9, n) * 100).astype(np.int64)
        return _cents_to_decimal(cents, 18, 2)

    def bools(self, n: int, p_true: float) -> pa.Array:
        return pa.array(self.rng.random(n) < p_true)


def _cents_to_decimal(cents: np.ndarray, precision: int, scale: int) -> pa.Array:
    text = pc.binary_join_element_wise(
        pa.array(cents // 100).cast(pa.string()),
        pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0"),
        ".",
    )
    return text.cast(pa.decimal128(precision, scale))


def ids(prefix: str, n: int, start: int = 1) -> pa.Array:
    digits = pc.utf8_lpad(pa.array(np.arange(start, start + n)).cast(pa.string()), 9, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def concat(*parts: Any) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def table_of(entity: Entity, arrays: dict[str, pa.Array]) -> pa.Table:
    return pa.table({c.name: arrays[c.name] for c in entity.columns})


def col(name: str, sql_type: str, business: str | None = None, nullable: bool = True, **kw: Any) -> Column:
    return Column(name, sql_type, nullable=nullable, business_type=business, **kw)
