"""Every path of Arrow → Python rows gives exactly the values and types a per-value conversion
gives: datetimes rebuilt from numpy-made states (any year 1–9999, every unit, naive or zoned),
one object per distinct value for repeating columns, and rows made block by block."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cdpdb
from cdpdb.core.results import rows
from cdpdb.core.results.rows import python_rows

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1)
LOW, HIGH = -62_135_596_800_000_000, 253_402_300_799_999_999  # 0001-01-01 and 9999-12-31T23:59:59.999999
micros = st.integers(min_value=LOW, max_value=HIGH)


def exact(value: int | None, zone: dt.tzinfo | None) -> dt.datetime | None:
    return None if value is None else (EPOCH + dt.timedelta(microseconds=value)).replace(tzinfo=zone)


def column_values(column: pa.Array) -> list:
    return [row[0] for row in python_rows(pa.table({"x": column}))]


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.none() | micros | st.sampled_from([LOW, HIGH, -1, 0, 1, 86_399_999_999]), max_size=60))
def test_datetimes_exact_at_any_date_naive_and_zoned(values):
    for zone, tz in ((UTC, "UTC"), (None, None)):
        got = column_values(pa.array(values, pa.int64()).cast(pa.timestamp("us", tz=tz)))
        assert got == [exact(v, zone) for v in values]
        assert all(v is None or (type(v) is dt.datetime and v.tzinfo is zone) for v in got)


@pytest.mark.parametrize("unit, per", [("s", 10**6), ("ms", 10**3), ("ns", None)])
def test_every_unit(unit, per):
    base = [LOW // 10**6 * 10**6, -1_000_000, 0, 1_700_000_000_123_000, HIGH // 10**6 * 10**6, None]
    if per is None:  # nanoseconds: within what int64 nanoseconds hold, microseconds kept, the rest cut
        values = [-(2**62), -1_000, 0, 1_700_000_000_123_456_789, 2**62, None]
        expected = [None if v is None else exact(v // 1000 if v >= 0 else -(-v // 1000), UTC) for v in values]
    else:
        values = [None if v is None else v // per for v in base]
        expected = [exact(None if v is None else v * per, UTC) for v in values]
    assert column_values(pa.array(values, pa.int64()).cast(pa.timestamp(unit, tz="UTC"))) == expected


def test_an_instant_python_cannot_hold_is_a_data_error():
    for value in (LOW - 1, HIGH + 1):
        with pytest.raises(cdpdb.DataError, match="years 1 to 9999"):
            python_rows(pa.table({"t": pa.array([0, value], pa.int64()).cast(pa.timestamp("us", tz="UTC"))}))


def repeating(values: list, size: int = 5_000) -> list:
    return [values[i % len(values)] for i in range(size)]


CASES = {
    "text": (pa.string(), ["", "a", "é\u2028", "x" * 300, None]),
    "large text": (pa.large_string(), ["", "b", None]),
    "date": (pa.date32(), [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(1970, 1, 1), None]),
    "decimal": (pa.decimal128(18, 2), [Decimal("-0.01"), Decimal("0.00"), Decimal("-9999999999999999.99"), None]),
    "timestamp": (pa.timestamp("us", tz="UTC"), [exact(LOW, UTC), exact(HIGH, UTC), exact(0, UTC), None]),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("distinct", [True, False])
def test_repeating_and_distinct_columns_give_the_same_values(name, distinct):
    kind, values = CASES[name]
    data = repeating(values)
    if not distinct:  # no repeats: the per-value path
        data = data[: len(values)] if kind != pa.string() else [f"{i}" for i in range(5_000)]
    got = column_values(pa.array(data, kind))
    expected = pa.array(data, kind).to_pylist()
    assert got == expected
    assert [type(v) for v in got] == [type(v) for v in expected]
    assert [str(v) for v in got] == [str(v) for v in expected]  # a decimal's scale too: 0.00 stays 0.00


def test_repeating_values_share_one_object_and_the_path_is_taken(monkeypatch):
    data = repeating([Decimal("1.50"), None, Decimal("-2.25")])
    converted: list[int] = []
    real = rows._decimals
    monkeypatch.setattr(rows, "_decimals", lambda column: converted.append(len(column)) or real(column))
    got = column_values(pa.array(data, pa.decimal128(10, 2)))
    assert got == data and converted == [2] * -(-len(data) // rows.BLOCK_ROWS)  # 2 distinct values per block
    assert got[0] is got[3]


@settings(max_examples=50, deadline=None)
@given(size=st.integers(min_value=0, max_value=3 * 16_384 + 7))
def test_blocks_cover_every_row_once(size):
    table = pa.table(
        {
            "i": pa.array(range(size), pa.int64()),
            "f": pa.array([[math.nan, math.inf, -math.inf, -0.0, None][i % 5] for i in range(size)], pa.float64()),
            "b": pa.array([[True, False, None][i % 3] for i in range(size)], pa.bool_()),
        }
    )
    got = python_rows(table)
    assert [r[0] for r in got] == list(range(size))
    expected = table.column("f").to_pylist()
    assert all(
        (a is None and b is None) or (a == b or (math.isnan(a) and math.isnan(b)))
        for (_, a, _), b in zip(got, expected, strict=True)
    )
    assert [r[2] for r in got] == table.column("b").to_pylist()
    assert all(type(r) is tuple and len(r) == 3 for r in got)
