"""Every documented type round-trips exactly on every Query API, as a parameter and as a result.

Each value goes out through the driver's parameter path (server-side parameters on V3/Connect,
client-side literals on V1/V2), is evaluated by the local Data Cloud's Hyper engine and comes back
through the API's wire format (Arrow or JSON). "Exactly" means: the same Python type, the same
value, the sign of zero, NaN, the decimal's scale and a timestamp's microseconds.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cdpdb
from cdpdb.local import serve

UTC = dt.timezone.utc
PLUS5 = dt.timezone(dt.timedelta(hours=5))
MINUS5 = dt.timezone(dt.timedelta(hours=-5))

# (api, arrow): every API with its default wire format, plus V3 and V1/V2 over JSON pages.
TARGETS = [("v3", True), ("v3", False), ("connect", False), ("v2", True), ("v2", False), ("v1", True), ("v1", False)]
TARGET_IDS = [f"{a}-{'arrow' if arrow else 'json'}" for a, arrow in TARGETS]

VALUES = [
    "",
    "it's",
    "é 測試 😀 \\ \" '' -- ; /* */ ? :v $1",
    "line\nbreak\ttab",
    0,
    2**63 - 1,
    -(2**63 - 1),
    -(2**63),
    0.1,
    -0.0,
    0.0,
    float("inf"),
    float("-inf"),
    float("nan"),
    5e-324,
    2.2250738585072014e-308,
    1e308,
    -1.7976931348623157e308,
    1 / 3,
    Decimal("0.0000001"),
    Decimal("1E-37"),
    Decimal("-1E-38"),
    Decimal("12345678901234567890123456789012345678"),
    Decimal("-0.12345678901234567890123456789012345678"),
    Decimal("1234567890123456789012345678901234567.8"),
    Decimal("-123.450"),
    Decimal("0.00"),
    Decimal("0"),
    Decimal("1E+5"),
    True,
    False,
    None,
    dt.date(1, 1, 1),
    dt.date(9999, 12, 31),
    dt.date(2020, 2, 29),
    dt.datetime(1, 1, 1),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    dt.datetime(2020, 1, 2, 3, 4, 5, 678901),
    dt.datetime(1, 1, 1, tzinfo=UTC),
    dt.datetime(1, 1, 1, 5, 0, 0, 1, tzinfo=PLUS5),
    dt.datetime(9999, 12, 31, 18, 59, 59, 999999, tzinfo=MINUS5),
    dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    dt.datetime(2020, 6, 30, 12, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
    dt.time(0, 0),
    dt.time(12, 34, 56, 789012),
    dt.time(23, 59, 59, 999999),
]


def expected_on(value, api: str, arrow: bool):
    """What the API can carry: V1/V2 JSON pages write timestamps with milliseconds (their documented
    text, ``2020-09-28T00:00:00.000+00:00``), so microseconds are cut there and only there."""
    if api in ("v1", "v2") and not arrow and isinstance(value, dt.datetime):
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def mismatch(got, want) -> str | None:
    """Why ``got`` is not exactly ``want`` (None when it is)."""
    if type(got) is not type(want):
        return f"type {type(got).__name__}, wanted {type(want).__name__}"
    if isinstance(want, float):
        if math.isnan(want):
            return None if math.isnan(got) else "not NaN"
        if got != want or math.copysign(1, got) != math.copysign(1, want):
            return "different float or sign of zero"
        return None
    if isinstance(want, Decimal):  # the scale is kept; a positive exponent comes back as scale 0
        scale = max(-want.as_tuple().exponent, 0)
        return None if got == want and -got.as_tuple().exponent == scale else "different value or scale"
    if isinstance(want, dt.datetime) and want.utcoffset() is not None:
        return None if got == want and got.tzinfo is UTC else "different instant or not in UTC"
    return None if got == want else "different value"


def check_row(row: tuple, wanted: list) -> None:
    problems = [
        f"{want!r} came back as {got!r}: {why}"
        for got, want in zip(row, wanted, strict=True)
        if (why := mismatch(got, want)) is not None
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("api_name", "arrow"), TARGETS, ids=TARGET_IDS)
def test_every_type_round_trips_as_qmark_parameters(connect, api_name, arrow):
    cur = connect(api=api_name, arrow=arrow).cursor()
    cur.execute("SELECT " + ", ".join(f"? AS c{i}" for i in range(len(VALUES))), VALUES)
    check_row(cur.fetchone(), [expected_on(v, api_name, arrow) for v in VALUES])


@pytest.mark.parametrize(("api_name", "arrow"), TARGETS, ids=TARGET_IDS)
def test_every_type_round_trips_as_named_parameters(connect, api_name, arrow):
    cur = connect(api=api_name, arrow=arrow).cursor()
    named = {f"v{i}": v for i, v in enumerate(VALUES)}
    cur.execute("SELECT " + ", ".join(f":{name} AS {name}" for name in named), named)
    check_row(cur.fetchone(), [expected_on(v, api_name, arrow) for v in VALUES])


@pytest.mark.parametrize(("api_name", "arrow"), TARGETS, ids=TARGET_IDS)
def test_each_value_alone_keeps_its_type(connect, api_name, arrow):
    """One column per query: a page holding a single value must still decode it exactly (V1/V2 JSON
    infers a decimal's scale from the page's text)."""
    cur = connect(api=api_name, arrow=arrow).cursor()
    for value in VALUES:
        cur.execute("SELECT :v AS v", {"v": value})
        check_row(cur.fetchone(), [expected_on(value, api_name, arrow)])


@pytest.mark.parametrize(("api_name", "arrow"), TARGETS, ids=TARGET_IDS)
def test_result_columns_of_every_type(connect, api_name, arrow):
    """Typed expressions, not parameters: TIME, REAL, DECIMAL(p, s) and the timestamp kinds."""
    cur = connect(api=api_name, arrow=arrow).cursor()
    cur.execute(
        "SELECT CAST('12:34:56.789012' AS TIME) AS t, CAST('00:00:00' AS TIME) AS midnight, "
        "CAST('0.5' AS REAL) AS r, CAST('-1.50' AS DECIMAL(10, 2)) AS d, CAST('2024-02-29' AS DATE) AS day, "
        "CAST('2024-03-22 05:47:10.123' AS TIMESTAMP) AS ts"
    )
    check_row(
        cur.fetchone(),
        [
            dt.time(12, 34, 56, 789012),
            dt.time(0, 0),
            0.5,
            Decimal("-1.50"),
            dt.date(2024, 2, 29),
            dt.datetime(2024, 3, 22, 5, 47, 10, 123000),
        ],
    )
    assert cur.description[0][1] == cdpdb.DATETIME


TABLE_ROWS = {
    "Text__c": ["", "é 測試 😀 'x'", None],
    "Count__c": [2**63 - 1, -(2**63), None],
    "Ratio__c": [-0.0, 5e-324, None],
    "Amount__c": [
        Decimal("0.00000000000000000000000000000000000001"),
        Decimal("-0.99999999999999999999999999999999999999"),
        None,
    ],
    "Flag__c": [True, False, None],
    "Day__c": [dt.date(1, 1, 1), dt.date(9999, 12, 31), None],
    "Local__c": [dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999999), None],
    "Stamp__c": [dt.datetime(1, 1, 1, tzinfo=UTC), dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), None],
}
TABLE_TYPES = {
    "Text__c": pa.string(),
    "Count__c": pa.int64(),
    "Ratio__c": pa.float64(),
    "Amount__c": pa.decimal128(38, 38),
    "Flag__c": pa.bool_(),
    "Day__c": pa.date32(),
    "Local__c": pa.timestamp("us"),
    "Stamp__c": pa.timestamp("us", tz="UTC"),
}


@pytest.fixture(scope="module")
def typed_cloud():
    """A Data Cloud of its own holding the object: what the shared server lists stays as other
    tests (the Metadata API's) expect it."""
    table = pa.table({name: pa.array(values, TABLE_TYPES[name]) for name, values in TABLE_ROWS.items()})
    with serve(dataset=False) as private:
        private.load("ExactTypes__dll", table.append_column("Row__c", pa.array([1, 2, 3])))
        yield private


@pytest.mark.parametrize(("api_name", "arrow"), TARGETS, ids=TARGET_IDS)
def test_table_columns_at_their_limits_decode_exactly(typed_cloud, api_name, arrow):
    cur = cdpdb.connect(**typed_cloud.connect_args(api=api_name, arrow=arrow)).cursor()
    names = list(TABLE_ROWS)
    columns = ", ".join(f'"{name}"' for name in names)
    cur.execute(f'SELECT {columns} FROM "ExactTypes__dll" ORDER BY "Row__c"')
    rows = cur.fetchall()
    assert len(rows) == 3
    for i, row in enumerate(rows):
        check_row(row, [expected_on(TABLE_ROWS[name][i], api_name, arrow) for name in names])
    cur.connection.close()


# -- values the server can hold but Python cannot, and values Data Cloud cannot hold ------------


@pytest.mark.parametrize(("api_name", "arrow"), TARGETS, ids=TARGET_IDS)
def test_instants_beyond_pythons_utc_range_are_sent_exactly_and_refused_on_reading(connect, api_name, arrow):
    """0001-01-01 00:00+05:00 is 0000-12-31 19:00 UTC: Data Cloud holds it, a UTC datetime cannot."""
    early = dt.datetime(1, 1, 1, tzinfo=PLUS5)
    late = dt.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=MINUS5)
    cur = connect(api=api_name, arrow=arrow).cursor()
    cur.execute(
        "SELECT ? < ? AS a, ? > ? AS b",
        [early, dt.datetime(1, 1, 1, tzinfo=UTC), late, dt.datetime.max.replace(tzinfo=UTC)],
    )
    assert cur.fetchone() == (True, True)
    for value in (early, late):
        with pytest.raises(cdpdb.DataError, match="UTC"):
            cur.execute("SELECT ? AS v", [value])
            cur.fetchall()


@pytest.mark.parametrize("api_name", ["v3", "connect", "v2", "v1"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("1E-39"), "39 digits after the decimal point"),
        (Decimal("1E-40"), "40 digits after the decimal point"),
        (Decimal("123456789012345678901234567890123456789"), "39 digits"),
        (Decimal("0.000000000000000000000000000000000000012"), "digits after the decimal point"),
        (Decimal("1E+38"), "39 digits"),
        (Decimal("NaN"), "finite"),
        (Decimal("-Infinity"), "finite"),
        (2**63, "BIGINT"),
        (-(2**63) - 1, "BIGINT"),
    ],
)
def test_values_data_cloud_cannot_hold_are_refused_before_sending(connect, api_name, value, message):
    cur = connect(api=api_name).cursor()
    with pytest.raises(cdpdb.DataError, match=message):
        cur.execute("SELECT ?", [value])


@pytest.mark.parametrize("api_name", ["v3", "connect", "v2", "v1"])
def test_a_time_with_a_zone_is_refused(connect, api_name):
    with pytest.raises(cdpdb.ProgrammingError, match="TIME has no time zone"):
        connect(api=api_name).cursor().execute("SELECT ?", [dt.time(12, 0, tzinfo=UTC)])


# -- list expansion names (issue #10 item 14) -------------------------------------------------


@pytest.mark.parametrize("api_name", ["v3", "connect", "v2", "v1"])
def test_expanded_list_names_never_collide_with_given_names(connect, api_name):
    cur = connect(api=api_name).cursor()
    cur.execute("SELECT :a__0 AS x, :a__1 AS y, 1 IN :a AS z, 3 IN :a AS w", {"a": [1, 2], "a__0": 3, "a__1": "s"})
    assert cur.fetchall() == [(3, "s", True, False)]
    cur.execute("SELECT :a__0__0 AS x, 2 IN :a__0 AS y, 9 IN :a AS z", {"a": [9], "a__0": [2], "a__0__0": 7})
    assert cur.fetchall() == [(7, True, True)]


# -- many values per type, through both parameter paths --------------------------------------

_INT64 = st.integers(-(2**63), 2**63 - 1)
_DECIMALS = st.decimals(allow_nan=False, allow_infinity=False).filter(
    lambda d: (
        max(-d.as_tuple().exponent, 0) <= 38 and len(format(d, "f").lstrip("-").replace(".", "").lstrip("0")) <= 38
    )
)
_AWARE = st.datetimes(timezones=st.sampled_from([UTC, PLUS5, MINUS5])).filter(
    lambda v: dt.datetime.min.replace(tzinfo=UTC) <= v <= dt.datetime.max.replace(tzinfo=UTC)
)
_VALUES = st.one_of(
    st.text().filter(lambda s: "\x00" not in s),
    _INT64,
    st.floats(),
    _DECIMALS,
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    _AWARE,
    st.times(),
)


@pytest.mark.parametrize("api_name", ["v3", "v2"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(_VALUES, min_size=1, max_size=8))
def test_any_values_round_trip(connect, api_name, values):
    cur = _cursor(connect, api_name)
    cur.execute("SELECT " + ", ".join(f"? AS c{i}" for i in range(len(values))), values)
    check_row(cur.fetchone(), values)


_CURSORS: dict = {}


def _cursor(connect, api_name: str):
    """One cursor per test run for all of hypothesis's examples (each example would log in again);
    keyed by the ``connect`` factory, which lives exactly as long as the run."""
    key = (connect, api_name)
    if key not in _CURSORS:
        _CURSORS.clear()
        _CURSORS[key] = connect(api=api_name).cursor()
    return _CURSORS[key]
