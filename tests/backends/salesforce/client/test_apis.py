"""Profile and Calculated Insights clients against the local Data Cloud; the filter encoder
round-trips hostile values exactly."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cdpdb
from cdpdb.apis import InsightsClient, ProfileClient, encode_filters
from cdpdb.backends.salesforce.local.profile import FilterSyntaxError, parse_filters


def test_profile_search_matches_hyper(api, connect):
    rows = ProfileClient(connect()).search(
        "ssot__Individual__dlm",
        {"ssot__CountryId__c": "DE", "ssot__GenderId__c": "Female"},
        fields=["ssot__Id__c", "ssot__FirstName__c"],
        limit=4999,
        orderby="ssot__Id__c",
    )
    expected = api.hyper(
        'SELECT "ssot__Id__c", "ssot__FirstName__c" FROM "ssot__Individual__dlm" '
        "WHERE \"ssot__CountryId__c\" = 'DE' AND \"ssot__GenderId__c\" = 'Female' ORDER BY 1"
    )
    assert rows == expected.to_pylist() and rows


def test_insights_query_dimensions_measures_filters(api, connect):
    rows = InsightsClient(connect()).query(
        "Customer_Lifetime_Value__cio",
        dimensions=["CustomerId__c"],
        measures=["OrderCount__c"],
        filters={"Currency__c": "EUR"},
        orderby="CustomerId__c ASC",
        limit=50,
    )
    expected = api.hyper(
        'SELECT "CustomerId__c", "OrderCount__c" FROM "Customer_Lifetime_Value__cio" '
        "WHERE \"Currency__c\" = 'EUR' ORDER BY 1 LIMIT 50"
    )
    assert rows == expected.to_pylist() and len(rows) == 50


def test_api_errors(connect):
    profile = ProfileClient(connect())
    with pytest.raises(cdpdb.OperationalError, match="404"):
        profile.search("Nope__dlm", {"A__c": "x"})
    with pytest.raises(cdpdb.ProgrammingError, match="Bogus__c"):
        profile.search("ssot__Individual__dlm", {"Bogus__c": "x"})
    with pytest.raises(cdpdb.ProgrammingError, match="field name"):
        encode_filters({"A__c]=1,[B": "x"})
    with pytest.raises(cdpdb.ProgrammingError, match="NUL"):
        encode_filters({"A__c": "a\x00b"})


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("[A__c=1]", [("A__c", "1")]),
        ('[A__c="x, y",B__c=2]', [("A__c", "x, y"), ("B__c", "2")]),
        (r'[A__c="q\"uo\\te]"]', [("A__c", 'q"uo\\te]')]),
        ("[A__c=]", [("A__c", "")]),
    ],
)
def test_parse_filters(text, parsed):
    assert parse_filters(text) == parsed


@pytest.mark.parametrize("text", ["A__c=1", "[]", "[A__c]", '[A__c="open]', "[A__c=1,]", "[1x=2]"])
def test_parse_filters_refuses_malformed(text):
    with pytest.raises(FilterSyntaxError):
        parse_filters(text)


hostile = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=300
) | st.sampled_from(
    ["a,b", "[x]", "k=v", '"', "\\", '\\"', '"]', "'; DROP TABLE x; --", "é\u202e\U0001f600", "x" * 5000]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile)
def test_hostile_filter_values_reach_the_server_exactly(cloud, connect, value):
    cloud.load("Echo__dlm", pa.table({"Key__c": ["k"], "Value__c": [value]}), category="Profile")
    rows = ProfileClient(connect()).search("Echo__dlm", {"Value__c": value}, fields=["Key__c", "Value__c"])
    assert rows == [{"Key__c": "k", "Value__c": value}]


def test_filter_values_use_the_adaptation_registry():
    """Filters get the same exact text as query parameters (one registry): an aware datetime as
    its UTC instant, a Decimal as plain digits, a float's NaN spelled as Data Cloud reads it;
    a filter value has no type, so integers beyond BIGINT are sent as they are."""
    import datetime as dt
    from decimal import Decimal

    from cdpdb.backends.salesforce.apis import encode_filters

    plus_two = dt.timezone(dt.timedelta(hours=2))
    assert encode_filters({"A": dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=plus_two)}) == '[A="2020-01-02 01:04:05+00:00"]'
    assert encode_filters({"B": 2**70, "C": Decimal("1E+2"), "D": float("nan")}) == (
        '[B="1180591620717411303424",C="100",D="NaN"]'
    )


def test_admin_writes_send_exact_json_for_any_mapping():
    from decimal import Decimal
    from types import MappingProxyType

    from cdpdb.backends.salesforce.local.hooks import _jsonable

    assert _jsonable(MappingProxyType({"a": Decimal("1.50"), "b": float("inf")})) == {"a": "1.50", "b": "Infinity"}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=hostile)
def test_hostile_filter_values_reach_every_api_that_takes_filters(cloud, connect, value):
    """Lookup by key, Universal ID Lookup and Calculated Insights send filters the same way."""
    from cdpdb.apis import UniversalIdClient

    link = {
        "ssot__Id__c": ["l1"],
        "SourceRecordId__c": ["s1"],
        "UnifiedRecordId__c": ["u1"],
        "ssot__DataSourceId__c": ["ds"],
        "ssot__DataSourceObjectId__c": ["dso"],
        "Value__c": [value],
    }
    cloud.load("EchoLink__dlm", pa.table(link), category="Profile", primary_keys=["ssot__Id__c"])  # as Echo__dlm
    cloud.load(
        "Echo__dlm", pa.table({"Key__c": ["k"], "Value__c": [value]}), category="Profile", primary_keys=["Key__c"]
    )
    conn = connect()
    got = ProfileClient(conn).get("Echo__dlm", "k", fields=["Key__c", "Value__c"], filters={"Value__c": value})
    assert got.rows == [{"Key__c": "k", "Value__c": value}]
    found = UniversalIdClient(conn).lookup("ds", "dso", "s1", entity="EchoLink__dlm", filters={"Value__c": value})
    assert [r["SourceRecordId__c"] for r in found] == ["s1"]
    assert len(InsightsClient(conn).query("Customer_Lifetime_Value__cio", filters={"Currency__c": value})) == 0
