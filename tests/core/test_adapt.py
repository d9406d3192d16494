"""The value-adaptation registry (cdpdb.core.adapt): each Python type's kind, exact text and JSON
form; lookup along the MRO; limits a backend passes in; registering and overriding dumpers."""

from __future__ import annotations

import datetime as dt
import enum
import json
import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cdpdb
from cdpdb.core import adapt
from cdpdb.core.adapt import Adapters, Dumped, Dumper, Limits, adapters

UTC = dt.timezone.utc
PLUS5 = dt.timezone(dt.timedelta(hours=5))
MINUS5 = dt.timezone(dt.timedelta(hours=-5))
STRICT = Limits(
    system="Some CDP", bigint=(-(2**63), 2**63 - 1), numeric_precision=38, numeric_scale=38, nul_in_text=False
)
strict = Adapters(adapters, limits=STRICT)


class Color(enum.IntEnum):
    RED = 1


class Mood(str, enum.Enum):
    HAPPY = "happy"


@pytest.mark.parametrize(
    ("value", "kind", "text", "json_form"),
    [
        (None, "text", None, None),
        ("it's", "text", "it's", "it's"),
        ("", "text", "", ""),
        (Mood.HAPPY, "text", "happy", "happy"),
        (True, "boolean", "true", True),
        (False, "boolean", "false", False),
        (0, "bigint", "0", 0),
        (-(2**63), "bigint", "-9223372036854775808", -(2**63)),
        (Color.RED, "bigint", "1", 1),
        (0.1, "double", "0.1", 0.1),
        (-0.0, "double", "-0.0", -0.0),
        (5e-324, "double", "5e-324", 5e-324),
        (float("inf"), "double", "Infinity", "Infinity"),
        (float("-inf"), "double", "-Infinity", "-Infinity"),
        (Decimal("1E-7"), "numeric", "0.0000001", "0.0000001"),
        (Decimal("1E+2"), "numeric", "100", "100"),
        (Decimal("-0.00"), "numeric", "-0.00", "-0.00"),
        (dt.date(1, 1, 1), "date", "0001-01-01", "0001-01-01"),
        (dt.time(12, 34, 56, 789012), "time", "12:34:56.789012", "12:34:56.789012"),
        (dt.time(0), "time", "00:00:00", "00:00:00"),
        (dt.datetime(2020, 1, 2, 3, 4, 5, 6), "timestamp", "2020-01-02 03:04:05.000006", "2020-01-02 03:04:05.000006"),
        (
            dt.datetime(2020, 1, 1, 5, tzinfo=PLUS5),
            "timestamptz",
            "2020-01-01 00:00:00+00:00",
            "2020-01-01 00:00:00+00:00",
        ),
        (dt.datetime(1, 1, 1, tzinfo=PLUS5), "timestamptz", "0001-01-01 00:00:00+05:00", "0001-01-01 00:00:00+05:00"),
        (
            dt.datetime(9999, 12, 31, 23, tzinfo=MINUS5),
            "timestamptz",
            "9999-12-31 23:00:00-05:00",
            "9999-12-31 23:00:00-05:00",
        ),
    ],
)
def test_each_type_has_its_kind_text_and_json_form(value, kind, text, json_form):
    for registry in (adapters, strict):
        assert registry.dump(value) == Dumped(kind, text)
        out = registry.json(value)
        assert out == json_form and type(out) is type(json_form)
        json.dumps(out, allow_nan=False)  # always valid JSON


def test_nan_is_text_and_never_a_json_number():
    assert adapters.dump(float("nan")) == Dumped("double", "NaN")
    assert adapters.json(float("nan")) == "NaN"


def test_order_subtleties_are_the_mro():
    """bool is an int and datetime is a date, yet each finds its own dumper, whatever the order."""
    assert adapters.dump(True).kind == "boolean"
    assert adapters.dump(dt.datetime(2020, 1, 1)).kind == "timestamp"
    assert adapters.dump(dt.date(2020, 1, 1)).kind == "date"
    reverse = Adapters()
    for cls, dumper in (
        (dt.datetime, adapt.TimestampDumper),
        (dt.date, adapt.DateDumper),
        (int, adapt.IntDumper),
        (bool, adapt.BoolDumper),
    ):
        reverse.register(cls, dumper)
    assert reverse.dump(True).kind == "boolean" and reverse.dump(dt.datetime(2020, 1, 1)).kind == "timestamp"


def test_subclasses_use_their_base_types_dumper():
    class MyFloat(float):
        def __repr__(self) -> str:
            return "not a number text"

    assert adapters.dump(MyFloat(0.5)) == Dumped("double", "0.5")
    assert type(adapters.dump(Mood.HAPPY).text) is str


@pytest.mark.parametrize("value", [b"x", [1], (1,), {1}, {"a": 1}, object(), dt.timedelta(1), 1j])
def test_unsupported_types_are_programming_errors_naming_the_type(value):
    with pytest.raises(cdpdb.ProgrammingError, match=type(value).__name__) as caught:
        strict.dump(value)
    assert "Some CDP" in str(caught.value) and "Decimal" in str(caught.value)
    with pytest.raises(cdpdb.ProgrammingError):
        strict.json(value)
    assert strict.get_dumper(type(value)) is None


# -- limits: passed in by a backend, refused before sending, never altered -------------------------


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**40])
def test_an_integer_beyond_the_range_is_a_data_error(value):
    assert adapters.dump(value).text == str(value)  # no limit by default
    with pytest.raises(cdpdb.DataError, match=r"Some CDP's BIGINT .* NUMERIC of up to 38 digits"):
        strict.dump(value)
    with pytest.raises(cdpdb.DataError, match="BIGINT"):
        strict.json(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("1E-39"), "39 digits after the decimal point and Some CDP's NUMERIC holds at most 38"),
        (Decimal("123456789012345678901234567890123456789"), "39 digits and Some CDP's NUMERIC holds at most 38"),
        (Decimal("1E+38"), "39 digits"),
    ],
)
def test_a_decimal_beyond_the_numeric_is_a_data_error(value, message):
    assert Decimal(adapters.dump(value).text) == value  # no limit by default
    with pytest.raises(cdpdb.DataError, match=message):
        strict.dump(value)
    with pytest.raises(cdpdb.DataError, match=message):
        strict.json(value)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")])
@pytest.mark.parametrize("registry", [adapters, strict])
def test_a_decimal_that_is_not_finite_is_a_data_error(registry, value):
    with pytest.raises(cdpdb.DataError, match="only finite numbers"):
        registry.dump(value)


def test_nul_in_text_is_refused_only_where_the_limits_say():
    assert adapters.dump("a\x00b").text == "a\x00b"
    with pytest.raises(cdpdb.ProgrammingError, match="Some CDP cannot contain the NUL character"):
        strict.dump("a\x00b")


@pytest.mark.parametrize("registry", [adapters, strict])
def test_a_time_with_a_zone_is_a_programming_error(registry):
    with pytest.raises(cdpdb.ProgrammingError, match="TIME has no time zone"):
        registry.dump(dt.time(12, tzinfo=UTC))


# -- the registry: derive, register, override ------------------------------------------------------


def test_a_derived_registry_keeps_its_templates_dumpers_and_limits_unless_given():
    child = Adapters(strict)
    assert child.limits is STRICT
    assert Adapters(strict, limits=Limits()).dump(2**70).text == str(2**70)
    assert Adapters().get_dumper(int) is None  # an empty registry


def test_a_backend_can_register_and_override_without_touching_the_template():
    class UpperDumper(Dumper[str]):
        kind = "text"

        def text(self, value: str) -> str:
            return value.upper()

    class Money:
        def __init__(self, cents: int) -> None:
            self.cents = cents

    class MoneyDumper(Dumper[Money]):
        kind = "numeric"

        def text(self, value: Money) -> str:
            return adapt.decimal_text(Decimal(value.cents).scaleb(-2), self.limits)

    child = Adapters(adapters, limits=STRICT)
    assert child.dump("abc").text == "abc"  # looked up (and cached) before the override
    child.register(str, UpperDumper)
    child.register(Money, MoneyDumper)
    assert child.dump("abc") == Dumped("text", "ABC")
    assert child.dump(Mood.HAPPY).text == "HAPPY"  # a subclass finds the override too
    assert child.dump(Money(150)) == Dumped("numeric", "1.50")
    assert child.json(Money(150)) == "1.50"
    assert adapters.dump("abc").text == "abc"
    assert adapters.get_dumper(Money) is None


def test_supported_names_every_registered_type():
    assert adapters.supported() == "None, str, bool, int, float, Decimal, date, datetime, time"
    assert set(adapt.KINDS) == {
        "text",
        "boolean",
        "bigint",
        "double",
        "numeric",
        "timestamp",
        "timestamptz",
        "date",
        "time",
    }


def test_every_backend_spells_every_kind():
    """A kind added to the core must get a spelling in each backend's parameter module."""
    from cdpdb.backends.salesforce import params  # the only backend with parameters so far

    assert set(params.SPELLINGS) == set(adapt.KINDS)


# -- round trips -----------------------------------------------------------------------------------


@given(st.floats())
def test_float_text_and_json_read_back_exactly(value):
    for out in (adapters.dump(value).text, adapters.json(value)):
        back = float(out.replace("Infinity", "inf")) if isinstance(out, str) else out
        assert (math.isnan(value) and math.isnan(back)) or (
            back == value and math.copysign(1, back) == math.copysign(1, value)
        )
    out = adapters.json(value)
    assert json.loads(json.dumps(out, allow_nan=False)) == out


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_text_is_plain_digits_with_the_same_scale(value):
    text = adapters.dump(value).text
    assert text is not None and "E" not in text and "e" not in text
    back = Decimal(text)
    assert back == value and back.as_tuple().exponent == min(value.as_tuple().exponent, 0)
    assert adapters.json(value) == text


@given(st.integers())
def test_int_text_reads_back(value):
    assert int(adapters.dump(value).text) == value
    assert adapters.json(value) == value


@given(st.datetimes(timezones=st.sampled_from([UTC, PLUS5, MINUS5, dt.timezone(dt.timedelta(hours=-13, minutes=-7))])))
def test_an_aware_datetime_is_the_same_instant_in_utc_where_utc_can_say_it(value):
    dumped = adapters.dump(value)
    assert dumped.kind == "timestamptz" and dumped.text is not None
    back = dt.datetime.fromisoformat(dumped.text)
    assert back == value  # the same instant
    if dt.datetime.min.replace(tzinfo=UTC) <= value <= dt.datetime.max.replace(tzinfo=UTC):
        assert back.utcoffset() == dt.timedelta(0)
    else:
        assert back.utcoffset() == value.utcoffset()


@given(st.datetimes())
def test_a_naive_datetime_reads_back(value):
    dumped = adapters.dump(value)
    assert dumped.kind == "timestamp" and dt.datetime.fromisoformat(dumped.text) == value


@given(st.dates())
def test_a_date_reads_back(value):
    assert dt.date.fromisoformat(adapters.dump(value).text) == value


@given(st.times())
def test_a_naive_time_reads_back(value):
    assert dt.time.fromisoformat(adapters.json(value)) == value


@given(st.text())
def test_text_is_the_string_itself(value):
    assert adapters.dump(value).text == value and adapters.json(value) == value
