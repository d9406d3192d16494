"""Arrow → Python rows: the fast paths (dates through numpy, decimals through their text, the
collector paused) give exactly pyarrow's own values, nulls and edges included."""

from __future__ import annotations

import datetime as dt
import gc
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cdpdb
from cdpdb.core.results.rows import python_rows

dates = st.lists(st.none() | st.dates(), max_size=50)
decimals = st.lists(
    st.none() | st.decimals(min_value=-(10**20), max_value=10**20, places=6, allow_nan=False), max_size=50
)


@settings(max_examples=200, deadline=None)
@given(dates=dates, values=decimals)
def test_same_values_as_pyarrow(dates, values):
    size = min(len(dates), len(values))
    table = pa.table(
        {
            "date": pa.array(dates[:size], pa.date32()),
            "decimal": pa.array(values[:size], pa.decimal128(38, 6)),
            "text": pa.array([None if d is None else str(d) for d in dates[:size]], pa.string()),
        }
    )
    expected = list(zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True))
    got = python_rows(table)
    assert got == expected
    assert [str(r[1]) for r in got] == [str(r[1]) for r in expected]  # the scale too: 1.500000 stays 1.500000


def test_edges_and_types():
    table = pa.table(
        {
            "d": pa.array([dt.date(1, 1, 1), dt.date(9999, 12, 31), None]),
            "n": pa.array(
                [Decimal("-0.000001"), Decimal("99999999999999999999999999999999.999999"), None], pa.decimal128(38, 6)
            ),
        }
    )
    rows = python_rows(table)
    assert rows[0] == (dt.date(1, 1, 1), Decimal("-0.000001")) and type(rows[0][0]) is dt.date
    assert rows[1][1] == Decimal("99999999999999999999999999999999.999999") and rows[2] == (None, None)


def test_a_date_python_cannot_hold_is_a_data_error():
    days = pa.array([-800_000], pa.int32()).cast(pa.date32())
    with pytest.raises(cdpdb.DataError, match="years 1 to 9999"):
        python_rows(pa.table({"x": days}))


def test_the_collector_is_left_as_it_was():
    assert gc.isenabled()
    python_rows(pa.table({"x": [1, 2]}))
    assert gc.isenabled()
    gc.disable()
    try:
        python_rows(pa.table({"x": [1, 2]}))
        assert not gc.isenabled()
    finally:
        gc.enable()


@settings(max_examples=300, deadline=None)
@given(
    micros=st.lists(
        st.none()
        | st.integers(min_value=-(2**32) * 10**6 + 1, max_value=2**32 * 10**6 - 1)
        | st.sampled_from([0, -1, 1, 999_999, -999_999, 2**32 * 10**6 - 1, 1_700_000_000_123_456]),
        max_size=40,
    ),
    far=st.booleans(),
)
def test_timestamps_exact_to_the_microsecond(micros, far):
    """The fast path (float seconds) and the exact one (timedelta) agree on every microsecond."""
    if far:
        micros = [*micros, 253_402_300_799_999_999]  # 9999-12-31 23:59:59.999999: the exact path
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    expected = [None if v is None else epoch + dt.timedelta(microseconds=v) for v in micros]
    column = pa.array(micros, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    assert [r[0] for r in python_rows(pa.table({"t": column}))] == expected
    seconds = pa.array([None if v is None else v // 10**6 for v in micros], pa.int64()).cast(
        pa.timestamp("s", tz="UTC")
    )
    assert [r[0] for r in python_rows(pa.table({"t": seconds}))] == [
        None if v is None else epoch + dt.timedelta(seconds=v // 10**6) for v in micros
    ]
