"""The asynchronous segment query life cycle: submit, running, success, pages to ``end``; kill
mid-run; expiry; ownership by the key's user; the request's own checks."""

from __future__ import annotations

import time

from tests.backends.treasuredata.local.conftest import CUSTOMERS_JP, rule, value
from tests.backends.treasuredata.local.test_routes import QUERY_FIELDS

BASE = f"/audiences/{CUSTOMERS_JP}/segments/queries"
TOKYO = rule(value("prefecture", "Equal", "Tokyo"))


def test_submit_run_and_page_to_the_end(http, td):
    td.faults.set_limits(query_seconds=0.4)
    columns = ["cdp_customer_id", "email", "age", "interests", "birthday", "last_purchase_at", "is_vip"]
    submitted = http.submit(TOKYO, columns=columns, pageSize=50)
    assert set(submitted) == QUERY_FIELDS
    assert submitted["status"] == "running" and submitted["id"] == submitted["queryId"] and submitted["count"] is None
    pending = http.ok("GET", f"{BASE}/{submitted['id']}/customers?page=1")
    assert pending["type"] == "pending" and pending["rows"] is None
    status = http.wait(submitted["id"])
    expected = http.direct("SELECT * FROM customers WHERE prefecture = 'Tokyo' ORDER BY cdp_customer_id")
    assert status["status"] == "success" and status["error"] is None
    assert status["count"] == len(expected) and status["maxPage"] == -(-len(expected) // 50)
    assert status["jobid"].isdigit() and status["countJobid"].isdigit()
    rows = []
    for page in range(1, status["maxPage"] + 1):
        answer = http.ok("GET", f"{BASE}/{submitted['id']}/customers?page={page}")
        assert answer["type"] == "rows" and answer["names"] == columns and answer["queryId"] == submitted["id"]
        assert len(answer["rows"]) == (50 if page < status["maxPage"] else len(expected) - 50 * (page - 1))
        rows += answer["rows"]
    end = http.ok("GET", f"{BASE}/{submitted['id']}/customers?page={status['maxPage'] + 1}")
    assert end["type"] == "end" and end["rows"] == []
    assert [r[0] for r in rows] == [e["cdp_customer_id"] for e in expected]
    first = dict(zip(columns, rows[0], strict=True))
    want = expected[0]
    assert first["email"] == want["email"] and first["age"] == want["age"] and first["interests"] == want["interests"]
    assert first["birthday"] == (want["birthday"].isoformat() if want["birthday"] else None)
    if want["last_purchase_at"]:
        assert first["last_purchase_at"] == want["last_purchase_at"].strftime("%Y-%m-%d %H:%M:%S.000")


def test_all_attributes_without_columns(http):
    status, names, rows = http.rows(TOKYO, pageSize=10_000)
    attributes = [a["name"] for a in http.ok("GET", f"/audiences/{CUSTOMERS_JP}/attributes")]
    assert names == ["cdp_customer_id", *attributes] and len(rows) == status["count"]


def test_max_page_caps_the_rows_not_the_count(http):
    status, _, rows = http.rows(TOKYO, columns=["cdp_customer_id"], pageSize=7, maxPage=3)
    assert len(rows) == 21 and status["maxPage"] == 3 and status["count"] > 21


def test_no_rule_is_every_profile(http):
    status, _, rows = http.rows(None, columns=["cdp_customer_id"])
    assert status["count"] == len(rows) == 1000


def test_filter_string(http):
    got = {r[0] for r in http.rows(None, columns=["cdp_customer_id"], filterString="SATO")[2]}
    expected = http.direct(
        "SELECT cdp_customer_id FROM customers WHERE contains(lower(email), 'sato') "
        "OR contains(lower(last_name), 'sato') OR contains(lower(first_name), 'sato')"
    )
    assert got == {r["cdp_customer_id"] for r in expected} and got


def test_kill_mid_run(http, td):
    td.faults.set_limits(query_seconds=30)
    query = http.submit(TOKYO)
    assert query["status"] == "running"
    started = time.monotonic()
    answer = http.ok("POST", f"{BASE}/{query['id']}/kill")
    assert "killed" in answer["message"] and time.monotonic() - started < 5
    status = http.ok("GET", f"{BASE}/{query['id']}")
    assert status["status"] == "killed" and status["count"] is None
    page = http.ok("GET", f"{BASE}/{query['id']}/customers?page=1")
    assert page["type"] == "killed" and page["rows"] is None
    assert query["id"] not in td.backend.running
    again = http.ok("POST", f"{BASE}/{query['id']}/kill")
    assert "already finished" in again["message"]


def test_killing_a_finished_query_changes_nothing(http):
    query = http.submit(TOKYO)
    http.wait(query["id"])
    assert "already finished" in http.ok("POST", f"{BASE}/{query['id']}/kill")["message"]
    assert http.ok("GET", f"{BASE}/{query['id']}")["status"] == "success"


def test_results_expire(http, td):
    query = http.submit(TOKYO)
    http.wait(query["id"])
    td.expire_results()
    for path in (f"{BASE}/{query['id']}", f"{BASE}/{query['id']}/customers?page=1"):
        answer = http.get(path)
        assert answer.status_code == 404 and "expired" in answer.json()["message"]


def test_results_expire_by_their_lifetime(http, td):
    td.faults.set_limits(result_lifetime_seconds=0.3)
    query = http.submit(TOKYO)
    http.wait(query["id"])
    time.sleep(0.5)
    assert http.get(f"{BASE}/{query['id']}").status_code == 404


def test_a_query_belongs_to_the_key_that_ran_it(http):
    query = http.submit(TOKYO)
    http.wait(query["id"])
    for path in (f"{BASE}/{query['id']}", f"{BASE}/{query['id']}/customers?page=1"):
        other = http.get(path, key="other")
        assert other.status_code == 404 and "not found" in other.json()["message"]
        assert http.get(path, key="write").status_code == 403
    assert http.post(f"{BASE}/{query['id']}/kill", key="other").status_code == 404
    assert http.get(f"/audiences/300002/segments/queries/{query['id']}").status_code == 404  # another parent


def test_request_checks(http):
    assert http.post(BASE, json={"pageSize": 0}).status_code == 400
    assert http.post(BASE, json={"pageSize": "10"}).status_code == 400
    assert http.post(BASE, json={"maxPage": 0}).status_code == 400
    assert http.post(BASE, json={"columns": "email"}).status_code == 400
    unknown = http.post(BASE, json={"columns": ["shoe_size"]})
    assert unknown.status_code == 422 and "columns[0]" in unknown.json()["message"]
    assert http.post(BASE, json={"kind": 1}).status_code == 422
    assert http.post(BASE, json={"kind": 9}).status_code == 400
    query = http.submit(None)
    assert http.get(f"{BASE}/{query['id']}/customers?page=0").status_code == 400
    assert http.get(f"{BASE}/{query['id']}/customers?page=x").status_code == 400
    assert http.get(f"{BASE}/00000000-0000-4000-8000-000000000000").status_code == 404


def test_an_engine_error_is_an_error_status(http, td):
    """A rule that compiles but fails in the engine (a regular expression DuckDB refuses) ends in
    ``error`` with the engine's message, and its pages say ``error``."""
    query = http.submit(rule(value("email", "Regexp", "(?<=a)b")))
    status = http.wait(query["id"])
    assert status["status"] == "error" and status["error"]
    page = http.ok("GET", f"{BASE}/{query['id']}/customers?page=1")
    assert page["type"] == "error" and page["error"]
