"""The generated CDP dataset and loading users' own data."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cdpdb.backends.salesforce.local.dataset import generate
from cdpdb.local import serve


def by_name(objects):
    return {o.entity.name: o for o in objects}


def test_same_seed_same_data_other_seed_other_data():
    first, again, other = by_name(generate(300, seed=1)), by_name(generate(300, seed=1)), by_name(generate(300, seed=2))
    for name, obj in first.items():
        if obj.table is not None:
            assert obj.table.equals(again[name].table), name
    assert not first["ssot__Individual__dlm"].table.equals(other["ssot__Individual__dlm"].table)


def test_sizes_follow_the_scale():
    objects = by_name(generate(2000, seed=5))
    assert objects["ssot__Individual__dlm"].table.num_rows == 2000
    assert objects["ssot__SalesOrder__dlm"].table.num_rows == 6000
    assert objects["ssot__EmailEngagement__dlm"].table.num_rows == 10_000
    assert 1500 < objects["UnifiedIndividual__dlm"].table.num_rows < 2000  # identity resolution merges some


def test_every_type_with_nulls_and_realistic_values(api):
    orders = api.hyper('SELECT * FROM "ssot__SalesOrder__dlm"')
    kinds = {str(t) for t in orders.schema.types}
    assert {"string", "decimal128(18, 2)", "int64", "double", "bool", "date32[day]", "timestamp[us, tz=UTC]"} <= kinds
    for name in orders.column_names[1:]:
        assert 0 < orders.column(name).null_count < orders.num_rows, name
    emails = (
        api.hyper(
            'SELECT "ssot__EmailAddress__c" FROM "ssot__ContactPointEmail__dlm" '
            'WHERE "ssot__EmailAddress__c" IS NOT NULL'
        )
        .column(0)
        .to_pylist()
    )
    assert all("@" in e and " " not in e for e in emails)
    phones = (
        api.hyper(
            'SELECT "ssot__FormattedE164PhoneNumber__c" FROM "ssot__ContactPointPhone__dlm" '
            'WHERE "ssot__FormattedE164PhoneNumber__c" IS NOT NULL'
        )
        .column(0)
        .to_pylist()
    )
    assert all(p.startswith("+1") and len(p) == 12 for p in phones)


def test_skew_in_countries_and_customers(api):
    countries = api.hyper(
        'SELECT "ssot__CountryId__c", count(*) AS n FROM "ssot__Individual__dlm" GROUP BY 1 ORDER BY 2 DESC'
    ).to_pylist()
    assert countries[0]["ssot__CountryId__c"] == "US" and countries[0]["n"] > 4 * countries[5]["n"]
    top = (
        api.hyper(
            'SELECT count(*) AS n FROM "ssot__SalesOrder__dlm" GROUP BY "ssot__SoldToCustomerId__c" '
            "ORDER BY 1 DESC LIMIT 1"
        )
        .column(0)[0]
        .as_py()
    )
    assert top > 30  # a few customers place many orders


def test_relationships_hold_in_the_data(api):
    orphans = api.hyper(
        'SELECT count(*) FROM "ssot__SalesOrder__dlm" o LEFT JOIN "ssot__Individual__dlm" i '
        'ON o."ssot__SoldToCustomerId__c" = i."ssot__Id__c" '
        'WHERE o."ssot__SoldToCustomerId__c" IS NOT NULL AND i."ssot__Id__c" IS NULL'
    )
    assert orphans.column(0)[0].as_py() == 0
    links = api.hyper(
        'SELECT count(*) FROM "IndividualIdentityLink__dlm" l LEFT JOIN "UnifiedIndividual__dlm" u '
        'ON l."UnifiedRecordId__c" = u."ssot__Id__c" WHERE u."ssot__Id__c" IS NULL'
    )
    assert links.column(0)[0].as_py() == 0


def test_calculated_insights_are_real_aggregates(api):
    clv = api.hyper('SELECT sum("OrderCount__c") AS n FROM "Customer_Lifetime_Value__cio"').column(0)[0].as_py()
    orders = api.hyper('SELECT count(*) FROM "ssot__SalesOrder__dlm" WHERE "ssot__SoldToCustomerId__c" IS NOT NULL')
    assert clv == orders.column(0)[0].as_py()


@pytest.mark.slow
def test_a_million_rows_generate_in_seconds():
    import time

    started = time.perf_counter()
    objects = by_name(generate(200_000, seed=9))
    elapsed = time.perf_counter() - started
    assert objects["ssot__EmailEngagement__dlm"].table.num_rows == 1_000_000
    print(
        f"generated {sum(o.table.num_rows for o in objects.values() if o.table is not None):,} rows in {elapsed:.1f} s"
    )


def test_users_load_their_own_data(tmp_path):
    import pandas as pd

    frame = pd.DataFrame(
        {
            "Id__c": ["a", "b"],
            "Score__c": [1.5, None],
            "Seen__c": pd.to_datetime(["2024-01-01T00:00:00Z", "2024-06-01T12:30:00Z"]),
        }
    )
    csv = tmp_path / "visits.csv"
    csv.write_text("Visit__c,Pages__c\nv1,3\nv2,\n")
    parquet = tmp_path / "plans.parquet"
    pq.write_table(pa.table({"Plan__c": ["gold"], "Price__c": pa.array(["9.99"]).cast(pa.decimal128(10, 2))}), parquet)
    with serve(dataset=False) as cloud:
        cloud.load("Scores__dlm", frame, category="Engagement", primary_keys=["Id__c"])
        cloud.load("Visits__dll", csv, dataspaces=["default", "marketing"])
        cloud.load("Plans__dll", parquet)
        cloud.load("Arrow__dll", pa.table({"x": [1, 2, 3]}))
        from tests.conftest import Api

        api = Api(cloud)
        metadata = {e["name"]: e for e in api.direct("GET", "/api/v1/metadata").json()["metadata"]}
        assert metadata["Scores__dlm"]["primaryKeys"][0]["name"] == "Id__c"
        assert metadata["Scores__dlm"]["category"] == "Engagement"
        body = api.direct("POST", "/api/v3/query", json={"sql": 'SELECT * FROM "Scores__dlm" ORDER BY 1'}).json()
        assert body["data"] == [
            ["a", 1.5, "2024-01-01T00:00:00.000000+00:00"],
            ["b", None, "2024-06-01T12:30:00.000000+00:00"],
        ]
        assert api.hyper('SELECT * FROM "Visits__dll"', "marketing").to_pylist() == [
            {"Visit__c": "v1", "Pages__c": 3},
            {"Visit__c": "v2", "Pages__c": None},
        ]
        assert str(api.hyper('SELECT * FROM "Plans__dll"').column(1)[0].as_py()) == "9.99"
        assert api.hyper('SELECT sum(x) FROM "Arrow__dll"').column(0)[0].as_py() == 6
        with pytest.raises(ValueError, match="primary key"):
            cloud.load("Bad__dll", frame, primary_keys=["Nope__c"])


def test_an_object_can_be_replaced_many_times(cloud):
    """Regression: psycopg's automatic prepared statements broke the sixth reload (SQLSTATE 40001)."""
    for i in range(8):
        cloud.engine.load_arrow("default", "Reloaded__dll", pa.table({"v": [i]}), '"v" bigint')
        assert cloud.engine.query_arrow("default", 'SELECT v FROM "Reloaded__dll"').column(0).to_pylist() == [i]
