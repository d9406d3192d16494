"""Query API V1 and V2 over raw HTTP: shapes, paging, dialect, errors."""

from __future__ import annotations

import base64
import json

import pyarrow as pa
import pytest

ORDERS = "ssot__SalesOrder__dlm"


def rows_by_place(body: dict) -> list[str]:
    """Column names in ``placeInOrder`` order, never in JSON key order."""
    return [name for name, _ in sorted(body["metadata"].items(), key=lambda kv: kv[1]["placeInOrder"])]


def v2_all(api, sql: str, token: str, headers: dict | None = None) -> tuple[list, list[dict]]:
    answer = api.direct("POST", "/api/v2/query", token=token, json={"sql": sql}, headers=headers or {})
    assert answer.status_code == 200, answer.text
    bodies = [answer.json()]
    while not bodies[-1]["done"]:
        answer = api.direct("GET", f"/api/v2/query/{bodies[-1]['nextBatchId']}", token=token, headers=headers or {})
        assert answer.status_code == 200, answer.text
        bodies.append(answer.json())
    rows = [row for body in bodies for row in body["data"]]
    return rows, bodies


def test_v2_batch_shape_field_by_field(api, token):
    answer = api.direct("POST", "/api/v2/query", token=token, json={"sql": f"SELECT * FROM {ORDERS} LIMIT 5"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"data", "startTime", "endTime", "rowCount", "queryId", "done", "metadata"}
    assert body["rowCount"] == len(body["data"]) == 5
    assert body["done"] is True
    assert body["queryId"].count("_") == 3  # Trino-style 20211006_133630_00059_9adm3
    meta = body["metadata"]
    assert meta["ssot__GrandTotalAmount__c"] == {"type": "DECIMAL", "placeInOrder": 4, "typeCode": 3}
    assert meta["ssot__OrderStartDate__c"] == {"type": "TIMESTAMP WITH TIME ZONE", "placeInOrder": 2, "typeCode": 93}
    assert meta["ssot__TotalProductQuantity__c"]["type"] == "BIGINT"
    assert meta["ssot__DiscountRate__c"]["type"] == "DOUBLE"
    assert meta["ssot__IsGift__c"]["type"] == "BOOLEAN"
    assert meta["ssot__OrderDeliveredDate__c"]["type"] == "DATE"
    assert sorted(m["placeInOrder"] for m in meta.values()) == list(range(10))
    for row in body["data"]:
        assert all(value is None or isinstance(value, str) for value in row)  # non-aggregates are strings


def test_v2_values_match_hyper(api, token):
    sql = f'SELECT * FROM "{ORDERS}" ORDER BY "ssot__Id__c"'
    rows, bodies = v2_all(api, sql, token)
    columns = rows_by_place(bodies[0])
    expected = api.hyper(sql)
    assert len(rows) == expected.num_rows == 3000
    assert columns == expected.column_names
    first = dict(zip(columns, rows[0], strict=True))
    reference = expected.slice(0, 1).to_pylist()[0]
    assert first["ssot__Id__c"] == reference["ssot__Id__c"]
    assert first["ssot__GrandTotalAmount__c"] == str(reference["ssot__GrandTotalAmount__c"])
    stamp = reference["ssot__OrderStartDate__c"]
    assert (
        first["ssot__OrderStartDate__c"]
        == stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}+00:00"
    )
    assert first["ssot__IsGift__c"] in ("true", "false", None)


def test_v2_aggregates_are_numbers_and_names_echo_the_select(api, token):
    sql = (
        "SELECT ssot__salesorderstatusid__c, COUNT(*) AS Orders, SUM(ssot__GrandTotalAmount__c), "
        "upper(ssot__OrderCurrencyIsoCode__c) FROM ssot__salesorder__dlm GROUP BY 1, 4 ORDER BY 1, 4"
    )
    answer = api.direct("POST", "/api/v2/query", token=token, json={"sql": sql}).json()
    assert rows_by_place(answer) == ["ssot__salesorderstatusid__c", "Orders", "_col2", "_col3"]
    status, count, total, currency = answer["data"][0]
    assert isinstance(status, str) and isinstance(currency, str)
    assert isinstance(count, int) and isinstance(total, (int, float))


def test_v2_many_batches_lose_nothing(api, cloud, token):
    sql = f'SELECT "ssot__Id__c" FROM "{ORDERS}" ORDER BY 1'
    with cloud.faults.inject(v2_batch_rows=333):
        rows, bodies = v2_all(api, sql, token)
    assert len(bodies) == 10
    assert [b["rowCount"] for b in bodies] == [333] * 9 + [3]
    assert len({b["queryId"] for b in bodies}) == 1
    ids = [r[0] for r in rows]
    assert ids == sorted(set(ids)) and len(ids) == 3000


def test_v2_batches_are_capped_by_bytes(api, cloud, token):
    with cloud.faults.inject(v2_batch_bytes=20_000):
        rows, bodies = v2_all(api, f"SELECT * FROM {ORDERS}", token)
    assert len(rows) == 3000
    assert len(bodies) > 5
    for body in bodies:
        assert len(json.dumps(body["data"], separators=(",", ":"), ensure_ascii=False).encode()) <= 20_000 + 400


def test_v2_batch_ids_are_single_use(api, cloud, token):
    with cloud.faults.inject(v2_batch_rows=1000):
        first = api.direct("POST", "/api/v2/query", token=token, json={"sql": f"SELECT * FROM {ORDERS}"}).json()
        batch = first["nextBatchId"]
        assert batch.startswith(first["queryId"] + "_")
        assert api.direct("GET", f"/api/v2/query/{batch}", token=token).status_code == 200
        again = api.direct("GET", f"/api/v2/query/{batch}", token=token)
    assert again.status_code == 404
    assert "already used" in again.json()["message"]


def test_v2_unknown_and_expired_batch_ids(api, cloud, token):
    unknown = api.direct("GET", "/api/v2/query/nope_1234_1", token=token)
    assert unknown.status_code == 404 and unknown.json()["errorCode"] == "BATCH_NOT_FOUND"
    with cloud.faults.inject(v2_batch_rows=1000):
        first = api.direct("POST", "/api/v2/query", token=token, json={"sql": f"SELECT * FROM {ORDERS}"}).json()
    cloud.expire_results()
    expired = api.direct("GET", f"/api/v2/query/{first['nextBatchId']}", token=token)
    assert expired.status_code == 404
    assert "expired" in expired.json()["message"]


def test_v2_arrow_stream_per_batch(api, cloud, token):
    sql = f'SELECT * FROM "{ORDERS}" ORDER BY "ssot__Id__c"'
    with cloud.faults.inject(v2_batch_rows=700):
        _, bodies = v2_all(api, sql, token, headers={"enable-arrow-stream": "true"})
    tables = [pa.ipc.open_stream(base64.b64decode(b["arrowStream"])).read_all() for b in bodies]
    assert [t.num_rows for t in tables] == [b["rowCount"] for b in bodies]
    combined = pa.concat_tables(tables)
    assert combined.equals(api.hyper(sql))
    assert combined.schema.field("ssot__OrderStartDate__c").type == pa.timestamp("us", tz="UTC")
    assert combined.schema.field("ssot__OrderDeliveredDate__c").type == pa.date32()


@pytest.mark.parametrize(
    ("sql", "state"),
    [
        ("SELECT * FROM no_such_table", "42P01"),
        ("SELECT no_such_column FROM ssot__Individual__dlm", "42703"),
        ("SELEC 1", "42601"),
        ("SELECT 1/0", "22012"),
        ("DELETE FROM ssot__Individual__dlm", "25006"),
    ],
)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_legacy_sql_errors(api, token, version, sql, state):
    answer = api.direct("POST", f"/api/{version}/query", token=token, json={"sql": sql})
    assert answer.status_code == 400
    body = answer.json()
    assert body["details"]["sqlState"] == state
    assert body["message"] == body["error"]
    assert state in body["message"]


@pytest.mark.parametrize("payload", [b"{not json", b"[1, 2]", b'{"sql": ""}', b'{"query": "SELECT 1"}'])
def test_bad_request_bodies(api, token, payload):
    answer = api.direct(
        "POST", "/api/v2/query", token=token, data=payload, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["message"]


def test_v1_pages_with_limit_offset_orderby(api, token):
    sql = "SELECT ssot__Id__c, ssot__FirstName__c FROM ssot__Individual__dlm"
    seen = []
    offset = 0
    while True:
        answer = api.direct(
            "POST",
            "/api/v1/query",
            token=token,
            json={"sql": sql},
            params={"limit": 300, "offset": offset, "orderby": "ssot__Id__c DESC"},
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["rowCount"] == len(body["data"])
        seen += [row[0] for row in body["data"]]
        offset += body["rowCount"]
        if body["done"]:
            break
    assert len(seen) == 1000 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_v1_limit_bounds_and_orderby_validation(api, token):
    sql = {"sql": "SELECT ssot__Id__c FROM ssot__Individual__dlm"}
    too_big = api.direct("POST", "/api/v1/query", token=token, json=sql, params={"limit": 50_000})
    assert too_big.status_code == 400 and "49999" in too_big.json()["message"]
    injection = api.direct(
        "POST", "/api/v1/query", token=token, json=sql, params={"orderby": "ssot__Id__c; DROP TABLE x"}
    )
    assert injection.status_code == 400
    unknown = api.direct("POST", "/api/v1/query", token=token, json=sql, params={"orderby": "nope ASC"})
    assert unknown.status_code == 400 and "nope" in unknown.json()["message"]


def test_v1_default_limit_is_49999(api, cloud, token):
    with cloud.faults.inject(v1_max_rows=400):
        body = api.direct(
            "POST", "/api/v1/query", token=token, json={"sql": "SELECT ssot__Id__c FROM ssot__Individual__dlm"}
        ).json()
    assert body["rowCount"] == 400 and body["done"] is False


def test_legacy_dialect_is_case_insensitive_and_trino_like(api, token):
    sql = (
        "SELECT i.SSOT__ID__C AS id FROM SSOT__INDIVIDUAL__DLM i "
        "WHERE i.ssot__countryid__c = 'US' ORDER BY 1 OFFSET 5 LIMIT 3"
    )
    body = api.direct("POST", "/api/v2/query", token=token, json={"sql": sql}).json()
    expected = api.hyper(
        'SELECT "ssot__Id__c" FROM "ssot__Individual__dlm" WHERE "ssot__CountryId__c" = \'US\' '
        "ORDER BY 1 LIMIT 3 OFFSET 5"
    )
    assert [r[0] for r in body["data"]] == expected.column(0).to_pylist()
    assert list(body["metadata"]) == ["id"]


def test_v1_is_not_done_when_a_page_cap_cut_the_page(api, cloud, token):
    """Regression: a page cut by the server's page size said done=true and lost the rest."""
    with cloud.faults.inject(page_rows=600):
        body = api.direct(
            "POST", "/api/v1/query", token=token, json={"sql": "SELECT ssot__Id__c FROM ssot__SalesOrder__dlm"}
        ).json()
    assert body["rowCount"] == 600 and body["done"] is False
