"""The Profile, Calculated Insights and Universal ID Lookup clients against the local Data Cloud:
every endpoint, typed exactly as SQL returns the same values, paging past the 4,999-row cap, and
the per-call limits checked before any request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

import cdpdb
from cdpdb.apis import InsightsClient, ProfileClient, UniversalIdClient
from cdpdb.local.faults import Fault

INDIVIDUAL = "ssot__Individual__dlm"


def sql(conn, text, *params):
    cur = conn.cursor()
    cur.execute(text, params or None)
    return cur.fetch_arrow_table().to_pylist()


def counter(cloud, path):
    """A no-op fault that counts the requests whose path matches (it lets 10,000 through)."""
    return cloud.faults.add(Fault(kind="delay", count=0, path=path, skip=10_000))


def sent(fault):
    return 10_000 - fault.skip


@pytest.fixture(scope="module")
def person(cloud):
    """An individual who has orders, e-mail addresses and insight rows."""
    conn = cdpdb.connect(**cloud.connect_args())
    row = sql(
        conn,
        'SELECT i."ssot__Id__c" AS id FROM "ssot__Individual__dlm" i '
        'JOIN "ssot__ContactPointEmail__dlm" e ON e."ssot__PartyId__c" = i."ssot__Id__c" '
        'JOIN "Customer_Lifetime_Value__cio" c ON c."CustomerId__c" = i."ssot__Id__c" '
        "ORDER BY 1 LIMIT 1",
    )
    conn.close()
    return row[0]["id"]


def test_search_is_typed_like_sql(connect):
    conn = connect()
    fields = ["ssot__Id__c", "ssot__BirthDate__c", "ssot__CreatedDate__c"]
    got = ProfileClient(conn).search(INDIVIDUAL, {"ssot__CountryId__c": "DE"}, fields=fields, limit=None)
    want = sql(
        conn,
        'SELECT "ssot__Id__c", "ssot__BirthDate__c", "ssot__CreatedDate__c" FROM "ssot__Individual__dlm" '
        "WHERE \"ssot__CountryId__c\" = 'DE' ORDER BY 1",
    )
    same_types(got, want)
    assert len(got) > 10
    assert got.to_arrow().schema.field("ssot__CreatedDate__c").type == pa.timestamp("us", tz="UTC")
    assert isinstance(got[0]["ssot__BirthDate__c"], dt.date | None)
    frame = got.to_pandas()
    assert list(frame.columns) == fields and len(frame) == len(want)


def test_search_reads_past_the_row_cap_in_key_order(cloud, connect):
    rows = 12_001
    cloud.load(
        "Many__dlm",
        pa.table(
            {
                "Id__c": [f"k{i:05}" for i in range(rows)],
                "Group__c": ["g"] * rows,
                "Amount__c": [Decimal(i) / 100 for i in range(rows)],
            }
        ),
        category="Profile",
        primary_keys=["Id__c"],
    )
    calls = counter(cloud, r"/api/v1/profile/Many__dlm$")
    got = ProfileClient(connect()).search("Many__dlm", {"Group__c": "g"}, fields=["Id__c", "Amount__c"], limit=None)
    assert [r["Id__c"] for r in got] == [f"k{i:05}" for i in range(rows)]  # none repeated, none skipped
    assert got[12_000]["Amount__c"] == Decimal("120.00")
    assert sent(calls) == 3  # 4,999 + 4,999 + 2,003
    limited = ProfileClient(connect()).search("Many__dlm", {"Group__c": "g"}, fields=["Id__c"], limit=7, offset=5)
    assert [r["Id__c"] for r in limited] == [f"k{i:05}" for i in range(5, 12)]


def test_profile_metadata(connect):
    profiles = ProfileClient(connect()).metadata()
    names = {e.name for e in profiles}
    assert {INDIVIDUAL, "UnifiedIndividual__dlm", "ssot__ContactPointEmail__dlm"} <= names
    assert "ssot__SalesOrder__dlm" not in names  # an engagement object, not a profile
    (one,) = ProfileClient(connect()).metadata(INDIVIDUAL)
    assert one.primary_keys == ("ssot__Id__c",) and one.field("ssot__BirthDate__c").type == "DATE"
    with pytest.raises(cdpdb.Error, match="404|not a profile"):
        ProfileClient(connect()).metadata("ssot__SalesOrder__dlm")


def test_get_by_primary_key_and_by_search_key(connect, person):
    conn = connect()
    client = ProfileClient(conn)
    (record,) = client.get(INDIVIDUAL, person, fields=["ssot__Id__c", "ssot__FirstName__c", "ssot__BirthDate__c"])
    want = sql(
        conn,
        'SELECT "ssot__Id__c", "ssot__FirstName__c", "ssot__BirthDate__c" FROM "ssot__Individual__dlm" '
        'WHERE "ssot__Id__c" = ?',
        person,
    )
    assert [record] == want
    by_name = client.get(
        INDIVIDUAL, record["ssot__FirstName__c"], search_key="ssot__FirstName__c", fields=["ssot__Id__c"], limit=None
    )
    assert person in {r["ssot__Id__c"] for r in by_name}
    assert len(client.get(INDIVIDUAL, "no such id ?&#%")) == 0
    with pytest.raises(cdpdb.ProgrammingError, match="search"):
        client.get(INDIVIDUAL, "a/b")


def test_children_of_a_profile(connect, person):
    conn = connect()
    got = ProfileClient(conn).children(
        INDIVIDUAL,
        person,
        "ssot__ContactPointEmail__dlm",
        fields=["ssot__Id__c", "ssot__EmailAddress__c", "ssot__CreatedDate__c"],
        orderby="ssot__Id__c ASC",
    )
    want = sql(
        conn,
        'SELECT "ssot__Id__c", "ssot__EmailAddress__c", "ssot__CreatedDate__c" FROM "ssot__ContactPointEmail__dlm" '
        'WHERE "ssot__PartyId__c" = ? ORDER BY 1',
        person,
    )
    assert got.rows == want and want


def test_insight_of_a_profile_is_exact(connect, person):
    conn = connect()
    got = ProfileClient(conn).insight(
        INDIVIDUAL,
        person,
        "Customer_Lifetime_Value__cio",
        dimensions=["Currency__c"],
        measures=["TotalSpend__c", "OrderCount__c"],
        orderby="Currency__c ASC",
    )
    want = sql(
        conn,
        'SELECT "Currency__c", "TotalSpend__c", "OrderCount__c" FROM "Customer_Lifetime_Value__cio" '
        'WHERE "CustomerId__c" = ? ORDER BY 1',
        person,
    )
    same_types(got, want)
    assert want and isinstance(got[0]["TotalSpend__c"], Decimal)


def same_types(got, want):
    """Values equal and of the same Python type (Decimal('170') == 170, but a user sees the difference)."""
    assert got.rows == want
    assert [[type(v) for v in row.values()] for row in got] == [[type(v) for v in row.values()] for row in want]
    assert all(v.tzinfo is dt.timezone.utc for row in got for v in row.values() if isinstance(v, dt.datetime))


def test_insights_query_typed_and_complete(connect):
    conn = connect()
    measures = ["TotalSpend__c", "OrderCount__c", "AverageDiscount__c", "LastOrderDate__c"]
    got = InsightsClient(conn).query(
        "Customer_Lifetime_Value__cio", measures=measures, dimensions=["CustomerId__c", "Currency__c"]
    )
    want = sql(
        conn,
        'SELECT "CustomerId__c", "Currency__c", "TotalSpend__c", "OrderCount__c", "AverageDiscount__c", '
        '"LastOrderDate__c" FROM "Customer_Lifetime_Value__cio" ORDER BY 1, 2',
    )
    same_types(got, want)
    assert len(want) > 100


def test_insights_time_granularity(connect):
    conn = connect()
    got = InsightsClient(conn).query(
        "Email_Engagement_Monthly__cio",
        dimensions=["EngagementMonth__c"],
        measures=["Opens__c", "Clicks__c"],
        time_granularity="quarter",
        orderby="EngagementMonth__c ASC",
        limit=None,
    )
    want = sql(
        conn,
        "SELECT CAST(DATE_TRUNC('quarter', \"EngagementMonth__c\") AS date) AS m, "
        'CAST(SUM("Opens__c") AS bigint) AS o, '
        'CAST(SUM("Clicks__c") AS bigint) AS c FROM "Email_Engagement_Monthly__cio" GROUP BY 1 ORDER BY 1',
    )
    assert [(r["EngagementMonth__c"], r["Opens__c"], r["Clicks__c"]) for r in got] == [
        (r["m"], r["o"], r["c"]) for r in want
    ]
    assert all(r["EngagementMonth__c"].month in (1, 4, 7, 10) for r in got)
    with pytest.raises(cdpdb.ProgrammingError, match="cannot be rolled up"):
        InsightsClient(conn).query(
            "Email_Engagement_Monthly__cio", measures=["ClickThroughRate__c"], time_granularity="YEAR"
        )


def test_insight_limits_are_checked_before_any_request(cloud, connect):
    client = InsightsClient(connect())
    calls = counter(cloud, r"/api/v1/insight/")
    with pytest.raises(cdpdb.ProgrammingError, match="at most 10"):
        client.query("Customer_Lifetime_Value__cio", dimensions=[f"D{i}__c" for i in range(11)])
    with pytest.raises(cdpdb.ProgrammingError, match="at most 5"):
        client.query("Customer_Lifetime_Value__cio", measures=[f"M{i}__c" for i in range(6)])
    with pytest.raises(cdpdb.ProgrammingError, match="HOUR"):
        client.query("Customer_Lifetime_Value__cio", time_granularity="fortnight")
    assert sent(calls) == 0


def test_insight_metadata(connect):
    insights = {e.name: e for e in InsightsClient(connect()).metadata()}
    clv = insights["Customer_Lifetime_Value__cio"]
    assert {f.name: f.role for f in clv.fields}["TotalSpend__c"] == "measure"
    (one,) = InsightsClient(connect()).metadata("Email_Engagement_Monthly__cio")
    assert [f.name for f in one.fields if f.role == "dimension"] == ["IndividualId__c", "EngagementMonth__c"]


def test_universal_id_lookup_returns_every_linked_record(connect):
    conn = connect()
    (link,) = sql(
        conn,
        'SELECT "UnifiedRecordId__c" AS u, "SourceRecordId__c" AS s, "ssot__DataSourceId__c" AS d, '
        '"ssot__DataSourceObjectId__c" AS o FROM "IndividualIdentityLink__dlm" WHERE "UnifiedRecordId__c" IN '
        '(SELECT "UnifiedRecordId__c" FROM "IndividualIdentityLink__dlm" '
        "GROUP BY 1 HAVING COUNT(*) > 1) ORDER BY 1, 2 LIMIT 1",
    )
    got = UniversalIdClient(conn).lookup(link["d"], link["o"], link["s"])
    want = sql(
        conn,
        'SELECT "SourceRecordId__c", "UnifiedRecordId__c", "ssot__DataSourceObjectId__c", "ssot__DataSourceId__c" '
        'FROM "IndividualIdentityLink__dlm" WHERE "UnifiedRecordId__c" = ? ORDER BY 3, 1',
        link["u"],
    )
    assert got.rows == want and len(want) > 1
    assert len(UniversalIdClient(conn).lookup(link["d"], link["o"], "nobody")) == 0


def test_documented_errors(connect):
    conn = connect()
    with pytest.raises(cdpdb.ProgrammingError, match="Bogus__c"):
        ProfileClient(conn).get(INDIVIDUAL, "x", fields=["Bogus__c"])
    with pytest.raises(cdpdb.Error, match="not related"):
        ProfileClient(conn).children(INDIVIDUAL, "x", "UnifiedIndividual__dlm")
    with pytest.raises(cdpdb.Error, match="404|not a"):
        InsightsClient(conn).query("Nope__cio")
    with pytest.raises(cdpdb.Error, match="identity link"):
        UniversalIdClient(conn).lookup("a", "b", "c", entity=INDIVIDUAL)


def test_metadata_filters(connect):
    metadata = connect().metadata
    profiles = {e.name for e in metadata.find(entity_type="DataModelObject", category="Profile")}
    assert {INDIVIDUAL, "UnifiedIndividual__dlm"} <= profiles and "ssot__SalesOrder__dlm" not in profiles
    assert [e.name for e in metadata.find(name="Customer_%__cio")] == ["Customer_Lifetime_Value__cio"]
    assert {e.entity_type for e in metadata.find(name="%__dll")} == {"DataLakeObject"}
    order = metadata.entity("ssot__SalesOrder__dlm")
    assert order.relationships[0].to_entity == INDIVIDUAL and order.primary_keys == ("ssot__Id__c",)
    with pytest.raises(cdpdb.ProgrammingError, match="DataModelObject"):
        metadata.find(entity_type="dmo")
