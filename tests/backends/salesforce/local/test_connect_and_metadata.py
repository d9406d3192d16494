"""Connect query-sql and the Metadata API over raw HTTP; dataspaces."""

from __future__ import annotations

import socket

import pytest

from cdpdb.local.server import bind


def test_connect_submit_shape(api):
    answer = api.connect(
        "POST",
        "",
        json={
            "sql": 'SELECT "ssot__Id__c", "ssot__IsGift__c" FROM "ssot__SalesOrder__dlm" ORDER BY 1 LIMIT 3',
            "rowLimit": 2,
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"data", "metadata", "returnedRows", "status"}
    assert body["returnedRows"] == 2 == len(body["data"])
    assert body["metadata"] == [
        {"name": "ssot__Id__c", "type": "Varchar", "nullable": False, "precision": None, "scale": None},
        {"name": "ssot__IsGift__c", "type": "Boolean", "nullable": True, "precision": None, "scale": None},
    ]
    status = body["status"]
    assert set(status) == {"queryId", "completionStatus", "progress", "rowCount", "chunkCount", "expirationTime"}
    assert status["completionStatus"] == "Finished" and status["rowCount"] == 3


def test_connect_status_rows_cancel(api, cloud):
    token = api.core_token()
    with cloud.faults.inject(connect_page_bytes=10_000):
        body = api.connect(
            "POST", "", token=token, json={"sql": 'SELECT * FROM "ssot__Individual__dlm" ORDER BY 1'}
        ).json()
        query_id = body["status"]["queryId"]
        status = api.connect("GET", f"/{query_id}", token=token, params={"waitTimeMs": 1000}).json()
        assert status["status"]["completionStatus"] == "Finished"
        ids = [r[0] for r in body["data"]]
        while len(ids) < status["status"]["rowCount"]:
            page = api.connect(
                "GET",
                f"/{query_id}/rows",
                token=token,
                params={"offset": len(ids), "rowLimit": 1_000_000, "omitSchema": "true"},
            ).json()
            assert "metadata" not in page and page["returnedRows"] > 0
            ids += [r[0] for r in page["data"]]
        end = api.connect("GET", f"/{query_id}/rows", token=token, params={"offset": len(ids)})
    assert end.status_code == 400 and "out of range" in end.text
    assert ids == api.hyper('SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" ORDER BY 1').column(0).to_pylist()
    assert api.connect("DELETE", f"/{query_id}", token=token).status_code == 204
    assert api.connect("GET", f"/{query_id}", token=token).status_code == 404


def test_connect_named_parameters(api):
    params = [{"name": "country", "type": "Varchar", "value": "US"}, {"name": "n", "type": "Numeric", "value": 3}]
    sql = (
        'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" WHERE "ssot__CountryId__c" = :country '
        'AND "ssot__ChildrenCount__c" >= :n ORDER BY 1'
    )
    body = api.connect("POST", "", json={"sql": sql, "sqlParameters": params}).json()
    expected = api.hyper(sql.replace(":country", "'US'").replace(":n", "3"))
    assert [r[0] for r in body["data"]] == expected.column(0).to_pylist()
    assert 0 < len(body["data"]) < 1000


def test_connect_error_shape_is_a_salesforce_error_list(api):
    answer = api.connect("POST", "", json={"sql": "SELECT * FROM nowhere"})
    assert answer.status_code == 400
    [error] = answer.json()
    assert error["errorCode"] == "SQL_ERROR" and "nowhere" in error["message"]
    assert error["details"]["sqlState"] == "42P01"
    expired = api.connect("POST", "", token="00Dbogus!token", json={"sql": "SELECT 1"})
    assert expired.status_code == 401 and expired.json() == [
        {"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}
    ]


def test_metadata_lists_every_object_with_keys_and_relationships(api):
    body = api.direct("GET", "/api/v1/metadata").json()
    by_name = {e["name"]: e for e in body["metadata"]}
    for name in (
        "ssot__Individual__dlm",
        "ssot__ContactPointEmail__dlm",
        "ssot__ContactPointPhone__dlm",
        "ssot__SalesOrder__dlm",
        "ssot__EmailEngagement__dlm",
        "UnifiedIndividual__dlm",
        "IndividualIdentityLink__dlm",
        "CRM_Contact__dll",
        "Ecommerce_Order__dll",
        "Customer_Lifetime_Value__cio",
        "Email_Engagement_Monthly__cio",
    ):
        assert name in by_name
    individual = by_name["ssot__Individual__dlm"]
    assert individual["category"] == "Profile"
    assert individual["primaryKeys"] == [{"name": "ssot__Id__c", "displayName": "Id", "indexOrder": "1"}]
    order = by_name["ssot__SalesOrder__dlm"]
    assert order["relationships"] == [
        {
            "fromEntity": "ssot__SalesOrder__dlm",
            "toEntity": "ssot__Individual__dlm",
            "fromEntityAttribute": "ssot__SoldToCustomerId__c",
            "toEntityAttribute": "ssot__Id__c",
            "cardinality": "NTOONE",
        }
    ]
    types = {f["name"]: f["type"] for f in order["fields"]}
    assert types["ssot__GrandTotalAmount__c"] == "NUMBER" and types["ssot__OrderStartDate__c"] == "DATE_TIME"
    assert types["ssot__OrderDeliveredDate__c"] == "DATE" and types["ssot__IsGift__c"] == "BOOLEAN"
    clv = by_name["Customer_Lifetime_Value__cio"]
    assert "fields" not in clv and "category" not in clv
    assert [d["name"] for d in clv["dimensions"]] == ["CustomerId__c", "Currency__c"]
    rollupable = {m["name"]: m["rollupable"] for m in clv["measures"]}  # an average rate does not add up
    assert rollupable == {
        "TotalSpend__c": True,
        "OrderCount__c": True,
        "AverageDiscount__c": False,
        "LastOrderDate__c": True,
    }
    assert {e["category"] for e in body["metadata"] if "category" in e} == {"Profile", "Engagement", "Related"}


def test_metadata_fields_match_the_engine(api):
    body = api.direct("GET", "/api/v1/metadata").json()
    for entity in body["metadata"]:
        columns = entity.get("fields") or entity["dimensions"] + entity["measures"]
        schema = api.hyper(f'SELECT * FROM "{entity["name"]}" LIMIT 0').schema
        assert [c["name"] for c in columns] == schema.names
        engine_rows = api.hyper(f'SELECT count(*) AS n FROM "{entity["name"]}"').column(0)[0].as_py()
        assert engine_rows > 0, entity["name"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"entityType": "CalculatedInsight"}, {"Customer_Lifetime_Value__cio", "Email_Engagement_Monthly__cio"}),
        ({"entityType": "DataLakeObject"}, {"CRM_Contact__dll", "Ecommerce_Order__dll"}),
        ({"entityCategory": "Related"}, {"IndividualIdentityLink__dlm"}),
        ({"entityName": "UnifiedIndividual__dlm"}, {"UnifiedIndividual__dlm"}),
        (
            {"entityType": "DataModelObject", "entityCategory": "Engagement"},
            {"ssot__SalesOrder__dlm", "ssot__EmailEngagement__dlm"},
        ),
    ],
)
def test_metadata_filters(api, token, params, expected):
    body = api.direct("GET", "/api/v1/metadata", token=token, params=params).json()
    assert {e["name"] for e in body["metadata"]} == expected


def test_metadata_bad_filters(api, token):
    assert api.direct("GET", "/api/v1/metadata", token=token, params={"entityType": "Table"}).status_code == 400
    assert api.direct("GET", "/api/v1/metadata", token=token, params={"entityCategory": "X"}).status_code == 400
    unknown = api.direct("GET", "/api/v1/metadata", token=token, params={"entityName": "Nope__dlm"})
    assert unknown.status_code == 404 and "Nope__dlm" in unknown.json()["message"]


def test_dataspaces_see_different_objects(api):
    marketing = api.dc_token(dataspace="marketing")
    names = {e["name"] for e in api.direct("GET", "/api/v1/metadata", token=marketing).json()["metadata"]}
    assert "ssot__EmailEngagement__dlm" in names and "ssot__SalesOrder__dlm" not in names
    hidden = api.direct("POST", "/api/v3/query", token=marketing, json={"sql": 'SELECT 1 FROM "ssot__SalesOrder__dlm"'})
    assert hidden.status_code == 400 and hidden.json()["details"]["sqlState"] == "42P01"
    seen = api.direct(
        "POST", "/api/v3/query", token=marketing, json={"sql": 'SELECT count(*) FROM "ssot__EmailEngagement__dlm"'}
    ).json()
    assert seen["data"] == [[5000]]


def test_scoped_token_cannot_switch_dataspace_and_unknown_dataspace(api):
    marketing = api.dc_token(dataspace="marketing")
    refused = api.direct("GET", "/api/v1/metadata", token=marketing, headers={"ctx-dataspace-ds_name": "default"})
    assert refused.status_code == 403
    unknown = api.direct("GET", "/api/v1/metadata", headers={"ctx-dataspace-ds_name": "nowhere"})
    assert unknown.status_code == 404 and "nowhere" in unknown.json()["message"]
    core = api.connect("POST", "", headers={"dataspace": "nowhere"}, json={"sql": "SELECT 1"})
    assert core.status_code == 404
    chosen = api.connect(
        "POST", "", headers={"dataspace": "marketing"}, json={"sql": 'SELECT count(*) FROM "ssot__SalesOrder__dlm"'}
    )
    assert chosen.status_code == 400


def test_unknown_routes_and_methods(api, cloud):
    assert api.direct("GET", "/api/v9/query").status_code == 404
    wrong = api.direct("PUT", "/api/v2/query", json={"sql": "SELECT 1"})
    assert wrong.status_code == 405 and wrong.json()["message"]


def test_openapi_description_lists_the_routes(api, cloud):
    spec = api.http.get(f"{cloud.login_url}/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v2/query", "/api/v3/query/{query_id}/chunks/{chunk}", "/api/v1/metadata"} <= set(spec["paths"])


def test_listeners_are_tcp_sockets_so_nodelay_applies():
    sock = bind()
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
