"""Errors in the API's shape with the right statuses, and the kit's faults and limits on the
local Treasure Data: 401, 403, 404, 405, 429 with Retry-After, 5xx, resets, malformed bodies."""

from __future__ import annotations

import concurrent.futures

import pytest
import requests

from cdpdb.backends.treasuredata import wire
from cdpdb.local import Fault
from tests.backends.treasuredata.local.conftest import CUSTOMERS_JP

PATH = f"/audiences/{CUSTOMERS_JP}/segments"


@pytest.mark.parametrize("header", [None, "", "TD1", "TD1 not-a-key", "Bearer x", "td1 KEY"])
def test_401_says_a_master_key_is_expected(http, td, header):
    headers = {} if header is None else {"Authorization": header.replace("KEY", td.apikey)}
    answer = http.call("GET", PATH, key=None, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"code": "unauthorized", "message": wire.UNAUTHORIZED_MESSAGE}
    assert "Master API Key" in answer.json()["message"]


def test_403_for_a_write_only_key(http):
    for method, path in (("GET", PATH), ("GET", "/audiences"), ("POST", f"{PATH}/queries")):
        answer = http.call(method, path, key="write", json={})
        assert answer.status_code == 403 and "write-only" in answer.json()["message"]


def test_404s(http):
    for path in ("/audiences/999", "/audiences/999/segments", f"{PATH}/1", "/nowhere"):
        answer = http.get(path)
        assert answer.status_code == 404 and set(answer.json()) == {"code", "message"}, path
    assert http.get("/audiences/abc").status_code == 400
    assert http.call("PATCH", PATH).status_code == 405


def test_bad_bodies(http):
    assert http.post(PATH, data=b"{not json", headers={"Content-Type": "application/json"}).status_code == 400
    assert http.post(PATH, json=[1, 2]).status_code == 400
    assert http.post(PATH, json={"name": ""}).status_code == 400
    assert http.post(PATH, json={"name": "x", "segmentFolderId": 800011}).status_code == 400  # B2B's folder
    assert http.post(f"{PATH}/query", json={"format": "json"}).status_code == 400


def test_injected_429_carries_retry_after(http, td):
    with td.faults.inject(Fault(kind="status", status=429, retry_after=3, path="/segments$")):
        answer = http.get(PATH)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == "3"
    assert set(answer.json()) == {"code", "message"} and answer.json()["code"] == "too_many_requests"
    assert http.get(PATH).status_code == 200


def test_concurrency_limit_answers_429(http, td):
    with td.faults.inject(latency_ms=300, max_concurrent=3), concurrent.futures.ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: http.get("/audiences").status_code, range(8)))
    assert codes.count(429) >= 1 and set(codes) <= {200, 429}


@pytest.mark.parametrize("status", [500, 502, 503])
def test_injected_server_errors_then_recovery(http, td, status):
    with td.faults.inject(Fault(kind="status", status=status, count=2, path="/attributes")):
        codes = [http.get(f"/audiences/{CUSTOMERS_JP}/attributes").status_code for _ in range(3)]
    assert codes == [status, status, 200]


def test_reset_malformed_html(http, td):
    with (
        td.faults.inject(Fault(kind="reset", path="/attributes")),
        pytest.raises(requests.exceptions.ChunkedEncodingError),
    ):
        http.get(f"/audiences/{CUSTOMERS_JP}/attributes")
    with td.faults.inject(Fault(kind="malformed", path="/attributes")):
        with pytest.raises(requests.exceptions.JSONDecodeError):
            http.get(f"/audiences/{CUSTOMERS_JP}/attributes").json()
    with td.faults.inject(Fault(kind="html", status=503, path="/attributes")):
        answer = http.get(f"/audiences/{CUSTOMERS_JP}/attributes")
    assert answer.status_code == 503 and answer.headers["content-type"].startswith("text/html")


def test_entities_errors_are_jsonapi(http, td):
    with td.faults.inject(Fault(kind="status", status=503, path="^/entities/")):
        answer = http.get("/entities/parent_segments")
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["status"] == "503"


def test_admin_hooks(http, td):
    url = f"{td.site_url}/__cdpdb/faults"
    session = http.session
    assert session.post(url, json={"faults": [{"kind": "status"}]}).status_code == 403
    admin = {"X-Cdpdb-Admin": td.admin_key}
    planted = session.post(
        url,
        headers=admin,
        json={"faults": [{"kind": "status", "status": 500, "path": "/behaviors"}], "limits": {"page_size": 5}},
    )
    assert planted.status_code == 200 and planted.json()["limits"]["page_size"] == 5
    assert http.get(f"/audiences/{CUSTOMERS_JP}/behaviors").status_code == 500
    assert session.post(url, headers=admin, json={"limits": {"nope": 1}}).status_code == 400
    assert session.delete(url, headers=admin).json()["faults"] == []
    assert td.faults.limits.page_size == wire.DEFAULT_PAGE_SIZE
    query = http.submit(None)
    http.wait(query["id"])
    assert session.post(f"{td.site_url}/__cdpdb/expire", headers=admin).status_code == 200
    assert http.get(f"{PATH}/queries/{query['id']}").status_code == 404
    spec = session.get(f"{td.site_url}/openapi.json").json()
    assert "/audiences/{audience_id}/segments/queries/{query_id}/customers" in spec["paths"]


def test_page_size_limit_is_the_default_page(http, td):
    td.faults.set_limits(page_size=9)
    status, _, rows = http.rows(None, columns=["cdp_customer_id"])
    assert status["maxPage"] == -(-1000 // 9) and len(rows) == 1000


def test_restart_keeps_queries(http, td):
    query = http.submit(None)
    http.wait(query["id"])
    td.restart()
    http.session.close()
    assert http.ok("GET", f"{PATH}/queries/{query['id']}")["status"] == "success"


@pytest.mark.parametrize("kind", [[1], {"a": 1}, "0", 1.5])
def test_a_kind_that_is_no_integer_is_a_400_not_a_500(http, kind):
    """A list or object ``kind`` raised TypeError in the kind check (found by the OpenAPI fuzz test)."""
    for path in ("/audiences/300001/segments/query", "/audiences/300001/segments/queries"):
        answer = http.post(path, json={"kind": kind, "format": "sql"})
        assert answer.status_code == 400, (path, answer.status_code, answer.text[:200])
