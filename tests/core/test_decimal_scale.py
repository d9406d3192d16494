"""The scale a V1/V2 DECIMAL column is read at (its metadata gives none): the most digits after
the point, exponents counted — the plain-text path and the exponent path agree with Python."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cdpdb.core.results.decode import _decimal_scale

plain = st.from_regex(r"\A-?[0-9]{1,12}(\.[0-9]{0,12})?\Z")
scientific = st.from_regex(r"\A-?[0-9]{1,5}(\.[0-9]{1,5})?[eE][+-]?[0-9]{1,2}\Z")


def expected(values: list[str | None]) -> int:
    def digits(text: str) -> int:
        mantissa = text.lower().split("e")[0]
        after = len(mantissa.split(".")[1]) if "." in mantissa else 0
        return max(after, -Decimal(text).as_tuple().exponent) if "e" in text.lower() else after

    return max([0, *(digits(v) for v in values if v is not None)])


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.none() | plain, max_size=30), more=st.lists(scientific, max_size=3))
def test_scale_of_plain_and_scientific_text(values, more):
    assert _decimal_scale(pa.array(values, pa.string())) == expected(values)
    mixed = values + more
    assert _decimal_scale(pa.array(mixed, pa.string())) == expected(mixed)


def test_edges():
    assert _decimal_scale(pa.array(["1.", "-0.000", None, "12"], pa.string())) == 3
    assert _decimal_scale(pa.array([None, None], pa.string())) == 0
    assert _decimal_scale(pa.array(["1E-7", "2.5"], pa.string())) == 7
