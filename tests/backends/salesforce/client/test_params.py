"""Value adaptation and decoding as pure functions: each Python value's exact text, the V1/V2
literal built from it, and JSON-page decoding back to the same value (the HTTP round trips are in
tests/test_exact_types.py)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cdpdb
from cdpdb.backends.salesforce import params
from cdpdb.backends.salesforce.local.sqltext import (
    BadRequest,
    Parameter,
    numeric_scale,
    render_parameter,
    translate_legacy,
)
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.results.decode import decode_column, decode_json_page
from cdpdb.core.results.rows import python_rows
from cdpdb.core.results.schema import Column
from cdpdb.local.engine import EngineError


def _fits_numeric(value: Decimal) -> bool:
    _, digits, exponent = value.as_tuple()
    scale = max(-exponent, 0)
    whole = max(len(digits) + exponent, 0) if any(digits) else 0
    return scale <= 38 and whole + scale <= 38


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_text_is_the_same_number_with_the_same_scale_or_a_data_error(value):
    if not _fits_numeric(value):
        with pytest.raises(cdpdb.DataError, match="NUMERIC holds at most 38"):
            params.decimal_text(value)
        return
    text = params.decimal_text(value)
    assert "E" not in text and "e" not in text
    assert Decimal(text) == value
    assert numeric_scale(text) == max(-value.as_tuple().exponent, 0)  # the local server reads the same scale


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("0.0000001"), "0.0000001"),
        (Decimal("1E-37"), "0." + "0" * 36 + "1"),
        (Decimal("1E+5"), "100000"),
        (Decimal("-0.00"), "-0.00"),
        (Decimal("12345678901234567890123456789012345678"), "12345678901234567890123456789012345678"),
    ],
)
def test_decimal_text_examples(value, text):
    assert params.decimal_text(value) == text


@given(st.floats())
def test_float_text_reads_back_exactly(value):
    text = params.float_text(value)
    back = float(text.replace("Infinity", "inf"))
    assert (math.isnan(value) and math.isnan(back)) or (
        back == value and math.copysign(1, back) == math.copysign(1, value)
    )
    assert params.render_literal(value) == f"CAST('{text}' AS DOUBLE)"


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (-0.0, "CAST('-0.0' AS DOUBLE)"),
        (float("nan"), "CAST('NaN' AS DOUBLE)"),
        (Decimal("1E-7"), "CAST('0.0000001' AS DECIMAL(38, 7))"),
        (
            Decimal("0.12345678901234567890123456789012345678"),
            "CAST('0.12345678901234567890123456789012345678' AS DECIMAL(38, 38))",
        ),
        (dt.datetime(1, 1, 1, 0, 0, 0, 1), "TIMESTAMP '0001-01-01 00:00:00.000001'"),
        (dt.time(12, 34, 56, 789012), "TIME '12:34:56.789012'"),
        (
            dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            "CAST('0001-01-01 00:00:00+05:00' AS TIMESTAMP WITH TIME ZONE)",
        ),
        (
            dt.datetime(2020, 1, 1, 5, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            "CAST('2020-01-01 00:00:00+00:00' AS TIMESTAMP WITH TIME ZONE)",
        ),
        ("it's", "'it''s'"),
        (None, "NULL"),
        (True, "TRUE"),
    ],
)
def test_literals(value, literal):
    assert params.render_literal(value) == literal


@pytest.mark.parametrize(
    "literal",
    [
        "TIMESTAMP '2020-01-02 03:04:05.678901'",
        "TIME '12:34:56.789012'",
        "DATE '2020-01-02'",
        "DOUBLE '-0.0'",
        "DECIMAL '1.50'",
        "TIMESTAMP '2020-01-02 03:04:05.6+05:00'",
    ],
)
def test_trino_typed_literals_become_hyper_casts_without_precision(literal):
    out = translate_legacy(f"SELECT {literal} AS v", {}).sql
    assert out.startswith("SELECT CAST(") and "(6)" not in out and "(0)" not in out and "(1)" not in out


def test_only_a_decimal_literal_gets_its_own_scale():
    out = translate_legacy("SELECT DECIMAL '1.50' AS a, CAST('1.50' AS DECIMAL) AS b, DECIMAL '1E-7' AS c", {}).sql
    assert out == (
        "SELECT CAST('1.50' AS DECIMAL(38, 2)) AS \"a\", CAST('1.50' AS DECIMAL) AS \"b\", "
        "CAST('1E-7' AS DECIMAL(38, 7)) AS \"c\""
    )


@pytest.mark.parametrize(
    ("text", "cast"),
    [("1E-7", "numeric(38,7)"), ("0.10", "numeric(38,2)"), ("1E+3", "numeric(38,0)"), ("abc", "numeric(38,0)")],
)
def test_the_local_server_types_a_numeric_parameter_by_its_scale(text, cast):
    assert render_parameter(Parameter(text, "numeric")) == f"CAST('{text}' AS {cast})"


@pytest.mark.parametrize("text", ["1E-39", "1" * 39, "0." + "1" * 39])
def test_the_local_server_refuses_a_numeric_it_cannot_hold(text):
    with pytest.raises(BadRequest, match="at most 38"):
        render_parameter(Parameter(text, "numeric"))


# -- names for expanded lists ------------------------------------------------------------------


@given(
    st.dictionaries(
        st.from_regex(r"[a-z](_?[a-z0-9])*(__[0-9]){0,2}_?", fullmatch=True),
        st.one_of(st.integers(0, 9), st.lists(st.integers(0, 9), min_size=1, max_size=3)),
        min_size=1,
        max_size=6,
    )
)
def test_expanded_names_are_unique_and_never_a_given_name(given_params):
    sql = "SELECT " + ", ".join(f":{name}" for name in given_params)
    _, _, bound = params.server_side(sql, given_params)
    names = [p.name for p in bound]
    assert len(names) == len(set(names))
    for name, value in given_params.items():
        if isinstance(value, list):
            assert name not in names
        else:
            assert [p.value for p in bound if p.name == name] == [str(value)]


def test_expanded_names_skip_the_users_own():
    sql, _, bound = params.server_side("SELECT :a__0, :a", {"a": [1, 2], "a__0": 3})
    assert sql == "SELECT :a__0, (:a___0, :a___1)"
    assert [(p.name, p.value) for p in bound] == [("a__0", "3"), ("a___0", "1"), ("a___1", "2")]


# -- decoding JSON pages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            ["12:34:56.789012", "00:00:00", "23:59:59.5", None],
            [dt.time(12, 34, 56, 789012), dt.time(0), dt.time(23, 59, 59, 500000), None],
        ),
    ],
)
def test_time_columns_decode_from_json_text(values, expected):
    array = decode_column(values, Column("t", "Time"), TYPES)
    assert array.to_pylist() == expected


def test_a_v1_v2_decimal_in_scientific_text_keeps_its_scale():
    array = decode_column(["1E-7", "2.5", None], Column("d", "DECIMAL"), TYPES)
    assert array.to_pylist() == [Decimal("0.0000001"), Decimal("2.5000000"), None]


@pytest.mark.parametrize("column", [Column("x", "Double"), Column("x", "DOUBLE")])
def test_doubles_decode_from_numbers_and_spelled_out_text(column):
    array = decode_column([-0.0, "Infinity", "-Infinity", "NaN", 5e-324, None], column, TYPES)
    values = array.to_pylist()
    assert math.copysign(1, values[0]) == -1 and values[1:3] == [math.inf, -math.inf]
    assert math.isnan(values[3]) and values[4:] == [5e-324, None]


@pytest.mark.parametrize("text", ["0000-12-31T19:00:00.000000+00:00", "10000-01-01T04:59:59.999999+00:00"])
def test_instants_outside_pythons_range_are_data_errors(text):
    with pytest.raises(cdpdb.DataError, match="years 1 to 9999"):
        python_rows(decode_json_page([[text]], [Column("ts", "TimestampTZ")], TYPES))


def test_a_decimal_literal_beyond_numeric_is_an_sql_error():
    with pytest.raises(EngineError, match="at most 38") as caught:
        translate_legacy("SELECT DECIMAL '1E-40' AS v", {})
    assert caught.value.sqlstate == "22003"
