"""JSON text → Arrow instants: the same result as the first implementation (kept below as the
reference), for zoned text, unzoned text read as UTC, TD's ``... UTC`` form and nulls; a mix of
zoned and unzoned text is still refused."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cdpdb.core.results.decode import decode_column
from cdpdb.core.results.schema import Column
from cdpdb.exceptions import DataError

UTC = pa.timestamp("us", tz="UTC")


class Types:
    def arrow(self, column: Column) -> pa.DataType:
        return UTC

    def name_of(self, arrow_type: pa.DataType) -> str:
        return "timestamp"


def reference(values: list) -> pa.Array:
    """The decoder before the fast path: zoned cast, else (no offset anywhere) assume UTC."""
    text = pc.replace_substring(pa.array(values, pa.string()), " UTC", "+00:00")
    try:
        return pc.cast(text, UTC)
    except pa.ArrowInvalid:
        if pc.any(pc.match_substring_regex(text, r"(Z|[+-]\d\d(:?\d\d)?)$")).as_py():
            raise
        return pc.assume_timezone(pc.cast(text, pa.timestamp("us")), "UTC")


def decode(values: list) -> pa.Array:
    return decode_column(values, Column("t", "timestamp"), Types())


CASES = [
    ["2025-07-26 15:21:13.000", None, "2024-02-29 00:00:00.123"],  # TD's /customers form
    [None, None, "2025-07-26T15:21:13"],
    [None, None],
    [],
    ["2024-03-22 05:47:10.000 UTC", None],
    ["2019-08-24T14:15:22Z", "2019-08-24T14:15:22+09:00", None, "2019-08-24T14:15:22.5-0530"],
    [None, "1970-01-01T00:00:00Z"],
]


@pytest.mark.parametrize("values", CASES)
def test_instants_are_unchanged(values):
    got = decode(values)
    assert got.type == UTC
    assert got.equals(reference(values))


MOMENTS = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1))
OFFSETS = st.sampled_from(["", "Z", "+00:00", "+09:00", "-0530", " UTC"])


@given(st.lists(st.one_of(st.none(), MOMENTS), max_size=20), OFFSETS, st.sampled_from([" ", "T"]))
def test_instants_match_the_reference(moments, offset, sep):
    values = [None if m is None else m.isoformat(sep=sep, timespec="microseconds") + offset for m in moments]
    assert decode(values).equals(reference(values))


@pytest.mark.parametrize(
    "values",
    [
        ["2025-07-26 15:21:13", "2025-07-26 15:21:13Z"],
        ["2025-07-26T15:21:13+09:00", None, "2025-07-26 15:21:13"],
        ["not a time"],
        ["2025-07-26 15:21:13", "yesterday"],
    ],
)
def test_a_mix_or_garbage_is_refused(values):
    with pytest.raises(DataError, match="could not be read as timestamp"):
        decode(values)
    with pytest.raises(pa.ArrowInvalid):
        reference(values)
