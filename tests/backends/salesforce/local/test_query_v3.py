"""Query API V3 over raw HTTP: ADAPTIVE and ASYNC, status, rows, chunks, metadata, cancel."""

from __future__ import annotations

import json
import threading
import time

import pyarrow as pa
import pytest

ARROW = "application/vnd.apache.arrow.stream"
ENGAGEMENT = '"ssot__EmailEngagement__dlm"'


def submit(api, token, sql: str, **body):
    return api.direct("POST", "/api/v3/query", token=token, json={"sql": sql, **body})


def status_header(answer) -> dict:
    return json.loads(answer.headers["x-hyperdb-status"])


def test_adaptive_returns_rows_inline_with_status_header(api, token):
    answer = submit(
        api, token, 'SELECT "ssot__Id__c", "ssot__GrandTotalAmount__c" FROM "ssot__SalesOrder__dlm" ORDER BY 1 LIMIT 4'
    )
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"data", "metadata", "returnedRows"}
    assert "status" not in body
    assert body["returnedRows"] == 4 == len(body["data"])
    assert body["metadata"]["columns"][1] == {
        "name": "ssot__GrandTotalAmount__c",
        "type": "Numeric",
        "nullable": True,
        "precision": 18,
        "scale": 2,
    }
    status = status_header(answer)
    assert set(status) == {
        "queryId",
        "completionStatus",
        "progress",
        "rowCount",
        "chunkCount",
        "expirationTime",
        "executionStats",
    }
    assert status["completionStatus"] == "FINISHED" and status["rowCount"] == 4 and status["chunkCount"] == 1
    assert isinstance(body["data"][0][1], str)  # decimals travel as exact strings


def test_unquoted_identifiers_fold_to_lower_case(api, token):
    answer = submit(api, token, "SELECT ssot__Id__c FROM ssot__Individual__dlm")
    assert answer.status_code == 400
    assert answer.json()["details"]["sqlState"] == "42P01"
    names = submit(api, token, 'SELECT 1 AS MixedCase, 2 AS "Quoted"').json()["metadata"]["columns"]
    assert [c["name"] for c in names] == ["mixedcase", "Quoted"]


def test_async_then_status_long_poll_then_rows(api, cloud, token):
    with cloud.faults.inject(query_seconds=0.5):
        answer = submit(api, token, f"SELECT * FROM {ENGAGEMENT}", transferMode="ASYNC")
        assert answer.status_code == 200
        status = status_header(answer)
        assert status["completionStatus"] == "RUNNING_OR_UNSPECIFIED"
        assert answer.json()["data"] == []
        query_id = status["queryId"]
        started = time.monotonic()
        polled = api.direct("GET", f"/api/v3/query/{query_id}", token=token, params={"waitTimeMs": 5000}).json()
        assert time.monotonic() - started < 4
    assert polled["completionStatus"] == "FINISHED"
    assert polled["rowCount"] == 5000
    rows = api.direct("GET", f"/api/v3/query/{query_id}/rows", token=token, params={"offset": 10, "limit": 5}).json()
    assert rows["returnedRows"] == 5
    expected = api.hyper(f"SELECT * FROM {ENGAGEMENT}").slice(10, 5).column(0).to_pylist()
    assert [r[0] for r in rows["data"]] == expected


def test_chunks_cover_every_row_once(api, cloud, token):
    sql = f'SELECT "ssot__Id__c", "ssot__EngagementDateTm__c" FROM {ENGAGEMENT} ORDER BY 1'
    with cloud.faults.inject(v3_chunk_rows=7):
        answer = submit(api, token, sql, transferMode="ASYNC")
        query_id = status_header(answer)["queryId"]
        status = api.direct("GET", f"/api/v3/query/{query_id}", token=token).json()
        assert status["chunkCount"] == -(-5000 // 7)
        ids = []
        for chunk in (0, 1, status["chunkCount"] - 1):
            body = api.direct("GET", f"/api/v3/query/{query_id}/chunks/{chunk}", token=token).json()
            ids += [r[0] for r in body["data"]]
        arrow = pa.concat_tables(
            pa.ipc.open_stream(
                api.direct(
                    "GET", f"/api/v3/query/{query_id}/chunks/{n}", token=token, headers={"Accept": ARROW}
                ).content
            ).read_all()
            for n in range(status["chunkCount"])
        )
        beyond = api.direct("GET", f"/api/v3/query/{query_id}/chunks/{status['chunkCount']}", token=token)
    expected = api.hyper(sql)
    assert arrow.equals(expected)
    assert ids == expected.column(0).to_pylist()[:14] + expected.column(0).to_pylist()[-(5000 % 7 or 7) :]
    assert beyond.status_code == 400 and "out of range" in beyond.json()["message"]


def test_rows_pages_by_bytes_and_out_of_range(api, token):
    answer = submit(api, token, f"SELECT * FROM {ENGAGEMENT} ORDER BY 1", transferMode="ASYNC")
    query_id = status_header(answer)["queryId"]
    offset, pages = 0, 0
    while True:
        page = api.direct(
            "GET",
            f"/api/v3/query/{query_id}/rows",
            token=token,
            params={"offset": offset, "byteLimit": 100_000, "omitSchema": "true"},
        )
        if page.status_code == 400:
            assert "out of range" in page.json()["message"]
            break
        body = page.json()
        assert "metadata" not in body
        assert len(page.content) <= 100_000 + 200
        offset += body["returnedRows"]
        pages += 1
    assert offset == 5000 and pages > 3
    missing = api.direct("GET", f"/api/v3/query/{query_id}/rows", token=token)
    assert missing.status_code == 400 and "offset" in missing.json()["message"]


def test_arrow_result_types(api, token):
    answer = api.direct(
        "POST",
        "/api/v3/query",
        token=token,
        headers={"Accept": ARROW},
        json={"sql": 'SELECT * FROM "ssot__SalesOrder__dlm"'},
    )
    assert answer.headers["content-type"] == ARROW
    table = pa.ipc.open_stream(answer.content).read_all()
    types = dict(zip(table.column_names, table.schema.types, strict=True))
    assert types["ssot__GrandTotalAmount__c"] == pa.decimal128(18, 2)
    assert types["ssot__OrderStartDate__c"] == pa.timestamp("us", tz="UTC")
    assert types["ssot__OrderDeliveredDate__c"] == pa.date32()
    assert types["ssot__TotalProductQuantity__c"] == pa.int64()
    assert types["ssot__DiscountRate__c"] == pa.float64()
    assert types["ssot__IsGift__c"] == pa.bool_()
    for name in table.column_names[1:]:
        assert table.column(name).null_count > 0, f"{name} should hold nulls"
    assert table.to_pylist()  # "UTC", not Hyper's "Utc": pyarrow can convert it


@pytest.mark.parametrize(
    ("style", "sql", "params"),
    [
        (
            "QUESTION_MARK",
            "SELECT ? AS a, ? AS b",
            [{"type": "varchar", "value": "it's"}, {"type": "bigint", "value": "7"}],
        ),
        (
            "NAMED",
            "SELECT :b AS a, :a AS b",
            [{"name": "a", "type": "bigint", "value": "7"}, {"name": "b", "type": "varchar", "value": "it's"}],
        ),
        (
            "DOLLARED",
            "SELECT $2 AS a, $1 AS b",
            [{"type": "bigint", "value": "7"}, {"type": "varchar", "value": "it's"}],
        ),
    ],
)
def test_parameters_in_all_three_styles(api, token, style, sql, params):
    body = submit(api, token, sql, paramStyle=style, parameters=params).json()
    assert body["data"] == [["it's", 7]]


def test_parameter_errors(api, token):
    few = submit(api, token, "SELECT ?, ?", parameters=[{"type": "varchar", "value": "x"}])
    assert few.status_code == 400 and "placeholders" in few.json()["message"]
    bad_type = submit(api, token, "SELECT ?", parameters=[{"type": "blob", "value": "x"}])
    assert bad_type.status_code == 400
    bad_value = submit(api, token, "SELECT ?", parameters=[{"type": "bigint", "value": "12x"}])
    assert bad_value.status_code == 400 and bad_value.json()["details"]["sqlState"] == "22P02"


def test_query_row_limit_and_result_range(api, token):
    schema_only = submit(api, token, f"SELECT * FROM {ENGAGEMENT}", queryRowLimit=0)
    assert status_header(schema_only)["rowCount"] == 0 and len(schema_only.json()["metadata"]["columns"]) == 10
    inline = submit(api, token, f"SELECT * FROM {ENGAGEMENT}", resultRange={"rowLimit": 25})
    assert inline.json()["returnedRows"] == 25 and status_header(inline)["rowCount"] == 5000


def test_metadata_endpoint(api, token):
    query_id = status_header(submit(api, token, "SELECT 1::bigint AS n, 'x' AS s"))["queryId"]
    body = api.direct("GET", f"/api/v3/query/{query_id}/metadata", token=token).json()
    assert [c["type"] for c in body["metadata"]["columns"]] == ["BigInt", "Varchar"]


def test_cancel_stops_a_running_query(api, cloud, token):
    with cloud.faults.inject(query_seconds=30):
        answer = submit(api, token, "SELECT 1", transferMode="ASYNC")
        query_id = status_header(answer)["queryId"]
        poll = {}
        thread = threading.Thread(
            target=lambda: poll.update(
                r=api.direct("GET", f"/api/v3/query/{query_id}", token=token, params={"waitTimeMs": 10_000})
            )
        )
        thread.start()
        time.sleep(0.3)
        assert api.direct("DELETE", f"/api/v3/query/{query_id}", token=token).status_code == 204
        thread.join(15)
    assert poll["r"].status_code in (400, 404)
    assert api.direct("GET", f"/api/v3/query/{query_id}", token=token).status_code == 404


def test_cancel_interrupts_the_engine(api, token):
    answer = submit(api, token, "SELECT count(*) FROM generate_series(1, 5000000000) a", transferMode="ASYNC")
    query_id = status_header(answer)["queryId"]
    time.sleep(0.3)
    started = time.monotonic()
    assert api.direct("DELETE", f"/api/v3/query/{query_id}", token=token).status_code == 204
    again = submit(api, token, "SELECT 1")
    assert again.status_code == 200 and time.monotonic() - started < 5


def test_sql_error_shape(api, token):
    answer = submit(api, token, 'SELECT "nope" FROM "ssot__Individual__dlm"')
    assert answer.status_code == 400
    body = answer.json()
    assert set(body) == {"timestamp", "error", "message", "path", "tenantId", "internalErrorCode", "details"}
    assert body["error"] == "Bad Request" and body["path"] == "/api/v3/query"
    assert body["details"] == {"sqlState": "42703", "position": 8, "hint": None}


def test_queries_belong_to_their_user_and_unknown_ids_404(api, token):
    assert api.direct("GET", "/api/v3/query/nope", token=token).status_code == 404
    assert api.direct("GET", "/api/v3/query/nope/rows", token=token, params={"offset": 0}).status_code == 404


def test_bad_transfer_mode_and_byte_limit(api, token):
    assert submit(api, token, "SELECT 1", transferMode="SYNC").status_code == 400
    assert submit(api, token, "SELECT 1", resultRange={"byteLimit": 10**9}).status_code == 400


@pytest.mark.parametrize(
    "sql",
    [
        'DELETE FROM "ssot__Individual__dlm"',
        "  -- hi\n DROP TABLE x",
        "/* c */ INSERT INTO t VALUES (1)",
        "CREATE TABLE t (x int)",
    ],
)
def test_v3_and_connect_are_read_only(api, token, sql):
    answer = submit(api, token, sql)
    assert answer.status_code == 400 and answer.json()["details"]["sqlState"] == "25006"
    assert "read-only" in answer.json()["message"]
    assert api.connect("POST", "", json={"sql": sql}).json()[0]["details"]["sqlState"] == "25006"
    assert submit(api, token, "  /* ok */ WITH a AS (SELECT 1 AS x) SELECT x FROM a").status_code == 200


def test_numeric_parameters_keep_their_scale(api, token):
    """Regression: Hyper's bare NUMERIC has scale 0 and rounded 1.25 to 1."""
    answer = submit(
        api,
        token,
        "SELECT ? AS a, ? AS b",
        parameters=[{"type": "numeric", "value": "1.25"}, {"type": "numeric", "value": "-12345678901234567890.123456"}],
    )
    assert answer.json()["data"] == [["1.25", "-12345678901234567890.123456"]]
