"""Injected faults and limits, observed at the HTTP level."""

from __future__ import annotations

import concurrent.futures
import time

import pytest
import requests

from cdpdb.local import Fault

V2 = "/api/v2/query"
SQL = {"sql": "SELECT ssot__Id__c FROM ssot__Individual__dlm"}


def test_quiet_by_default(api, cloud):
    assert cloud.faults.faults == []
    assert cloud.faults.limits.latency_ms == 0
    assert api.direct("POST", V2, json=SQL).status_code == 200


def test_status_burst_then_recovery(api, cloud, token):
    with cloud.faults.inject(Fault(kind="status", status=503, count=2, path="^/api/v2/query$")):
        codes = [api.direct("POST", V2, token=token, json=SQL).status_code for _ in range(3)]
    assert codes == [503, 503, 200]


def test_429_carries_retry_after(api, cloud, token):
    with cloud.faults.inject(Fault(kind="status", status=429, retry_after=2, path="/api/v3/")):
        answer = api.direct("POST", "/api/v3/query", token=token, json={"sql": "SELECT 1"})
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "2"
    assert answer.json()["internalErrorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_skip_lets_requests_through_first(api, cloud, token):
    with cloud.faults.inject(Fault(kind="status", status=502, skip=1, path="/api/v1/metadata")):
        first = api.direct("GET", "/api/v1/metadata", token=token)
        second = api.direct("GET", "/api/v1/metadata", token=token)
    assert (first.status_code, second.status_code) == (200, 502)


def test_connection_reset_mid_body(api, cloud, token):
    with (
        cloud.faults.inject(Fault(kind="reset", path="/api/v1/metadata")),
        pytest.raises(requests.exceptions.ChunkedEncodingError),
    ):
        api.direct("GET", "/api/v1/metadata", token=token)
    assert api.direct("GET", "/api/v1/metadata", token=token).status_code == 200


def test_malformed_json(api, cloud, token):
    with cloud.faults.inject(Fault(kind="malformed", path="/api/v1/metadata")):
        answer = api.direct("GET", "/api/v1/metadata", token=token)
    assert answer.status_code == 200
    with pytest.raises(requests.exceptions.JSONDecodeError):
        answer.json()


def test_html_error_page(api, cloud, token):
    with cloud.faults.inject(Fault(kind="html", status=503, path=V2)):
        answer = api.direct("POST", V2, token=token, json=SQL)
    assert answer.status_code == 503
    assert answer.headers["content-type"].startswith("text/html")


def test_slow_body_and_delay(api, cloud, token):
    with cloud.faults.inject(Fault(kind="slow", seconds=0.05, path="/api/v1/metadata")):
        started = time.monotonic()
        answer = api.direct("GET", "/api/v1/metadata", token=token)
        assert time.monotonic() - started >= 0.5
    assert answer.json()["metadata"]
    with (
        cloud.faults.inject(Fault(kind="delay", seconds=2, path="/api/v1/metadata")),
        pytest.raises(requests.exceptions.ReadTimeout),
    ):
        api.http.get(f"{cloud.tenant_url}/api/v1/metadata", timeout=0.5, headers={"Authorization": f"Bearer {token}"})


def test_added_latency(api, cloud, token):
    with cloud.faults.inject(latency_ms=300):
        started = time.monotonic()
        api.direct("GET", "/api/v1/metadata", token=token)
        assert time.monotonic() - started >= 0.3


def test_more_than_15_concurrent_requests_get_429(api, cloud, token):
    with cloud.faults.inject(latency_ms=400), concurrent.futures.ThreadPoolExecutor(24) as pool:
        codes = list(pool.map(lambda _: api.direct("GET", "/api/v1/metadata", token=token).status_code, range(24)))
    assert codes.count(200) >= 15 - 1  # at most 15 in flight at once; a few may finish early
    assert codes.count(429) >= 1
    assert set(codes) <= {200, 429}


def test_tiny_pages(api, cloud, token):
    with cloud.faults.inject(page_rows=3):
        answer = api.direct("POST", "/api/v3/query", token=token, json={"sql": 'SELECT * FROM "ssot__Individual__dlm"'})
    assert answer.json()["returnedRows"] == 3


def test_admin_endpoint_sets_and_clears_faults(api, cloud, token):
    admin = {"X-Cdpdb-Admin": cloud.admin_key}
    url = f"{cloud.login_url}/__cdpdb/faults"
    assert api.http.post(url, json={"faults": [{"kind": "status", "status": 500}]}).status_code == 403
    answer = api.http.post(
        url,
        headers=admin,
        json={"faults": [{"kind": "status", "status": 500, "path": "metadata"}], "limits": {"v3_chunk_rows": 10}},
    )
    assert answer.status_code == 200 and answer.json()["limits"]["v3_chunk_rows"] == 10
    assert api.direct("GET", "/api/v1/metadata", token=token).status_code == 500
    bad = api.http.post(url, headers=admin, json={"limits": {"nope": 1}})
    assert bad.status_code == 400 and "nope" in bad.json()["message"]
    assert api.http.delete(url, headers=admin).json()["faults"] == []
    assert cloud.faults.limits.v3_chunk_rows == 100_000


def test_admin_expiry(api, cloud):
    token = api.dc_token()
    answer = api.http.post(
        f"{cloud.login_url}/__cdpdb/expire",
        headers={"X-Cdpdb-Admin": cloud.admin_key},
        json={"tokens": True, "results": False},
    )
    assert answer.status_code == 200
    assert api.direct("GET", "/api/v1/metadata", token=token).status_code == 401


def test_unknown_fault_kind_is_refused():
    with pytest.raises(ValueError, match="fault kind"):
        Fault(kind="explode")
