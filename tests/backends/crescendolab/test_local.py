"""The local Crescendo Lab over raw HTTP: login, the import task life cycle and its limits, the
member list's filters and cursor, exports."""

from __future__ import annotations

import time

from cdpdb.backends.crescendolab import wire

from .conftest import call


def _import(server, data, key="line_uid"):
    return call(server, "POST", wire.IMPORT_PATH, json={wire.IMPORT_KEY: key, wire.DATA: data})


def _wait(server, task):
    for _ in range(200):
        status = call(server, "GET", wire.IMPORT_TASK_PATH.format(task_id=task)).json()
        if status["status"] == wire.DONE:
            return status
        time.sleep(0.02)
    raise AssertionError("task never finished")


def test_a_request_without_the_token_is_refused(crescendo):
    assert call(crescendo, "GET", wire.MEMBERS, token="wrong").status_code == 401
    assert _import(crescendo, []).request.headers["Authorization"].startswith("Bearer ")
    assert "detail" in call(crescendo, "GET", wire.MEMBERS, token="wrong").json()


def test_a_task_goes_pending_processing_done(crescendo):
    crescendo.faults.set_limits(task_seconds=0.4)
    answer = _import(crescendo, [{"line_uid": "U1", "display_name": "Ann"}])
    assert answer.status_code == 200
    task = answer.json()["id"]
    seen = []
    while not seen or seen[-1] != wire.DONE:
        seen.append(call(crescendo, "GET", wire.IMPORT_TASK_PATH.format(task_id=task)).json()["status"])
        time.sleep(0.05)
    assert seen[0] == wire.PENDING and wire.PROCESSING in seen
    final = _wait(crescendo, task)
    assert final["result"] == wire.SUCCESS
    assert final["report"] == {"total_num": 1, "created_num": 1, "updated_num": 0, "mismatch_num": 0}


def test_one_import_at_a_time(crescendo):
    crescendo.faults.set_limits(task_seconds=0.5)
    first = _import(crescendo, [{"line_uid": "U1"}])
    second = _import(crescendo, [{"line_uid": "U2"}])
    assert first.status_code == 200
    assert second.status_code == wire.BUSY_STATUS
    _wait(crescendo, first.json()["id"])
    third = _import(crescendo, [{"line_uid": "U2"}])
    assert third.status_code == 200
    _wait(crescendo, third.json()["id"])


def test_rows_bytes_and_rate_limits(crescendo):
    crescendo.faults.set_limits(max_import_rows=2, max_import_bytes=200, rate_requests=3)
    assert _import(crescendo, [{"line_uid": f"U{i}"} for i in range(3)]).status_code == 400
    assert _import(crescendo, [{"line_uid": "U" * 300}]).status_code == 413
    assert _import(crescendo, [{"line_uid": "U1"}]).status_code == 200
    time.sleep(0.05)
    limited = _import(crescendo, [{"line_uid": "U2"}])
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1


def test_blank_or_repeated_keys_fail_the_whole_task(crescendo):
    task = _import(crescendo, [{"line_uid": "U1"}, {"line_uid": "U1"}, {"display_name": "x"}]).json()["id"]
    status = _wait(crescendo, task)
    assert status["result"] == wire.FAILED
    assert status["report"] == {"duplicate_error": [1], "blank_error": [2]}
    assert crescendo.contacts.rows == {}


def test_mismatched_rows_are_reported_and_the_rest_applied(crescendo):
    task = _import(crescendo, [{"line_uid": "U1", "display_mobile": "0912"}, {"line_uid": "U2"}]).json()["id"]
    report = _wait(crescendo, task)["report"]
    assert report["mismatch_num"] == 1 and report["created_num"] == 1
    text = call(crescendo, "GET", report["mismatch_export_link"].removeprefix(crescendo.base_url)).text
    assert text.splitlines()[0] == "row,reason" and text.splitlines()[1].startswith("0,")
    assert crescendo.contacts.find("line_uid", "U2") and not crescendo.contacts.find("line_uid", "U1")


def test_member_list_filters_and_cursor(crescendo):
    crescendo.faults.set_limits(member_page_rows=2)
    for i in range(5):
        crescendo.contacts.add(line_uid=f"U{i}", display_email=f"u{i}@x.com", status="blocked" if i == 3 else "active")
    crescendo.contacts.add(display_name="no LINE id")
    seen, start = [], None
    while True:
        page = call(crescendo, "GET", wire.MEMBERS, params={"start": start} if start else {}).json()
        seen += [m["line_uid"] for m in page["results"]]
        start = page["next"]
        if not start:
            break
    assert seen == [f"U{i}" for i in range(5)]
    assert [
        m["line_uid"] for m in call(crescendo, "GET", wire.MEMBERS, params={"status": "blocked"}).json()["results"]
    ] == ["U3"]
    assert call(crescendo, "GET", wire.MEMBERS, params={"colour": "red"}).status_code == 400


def test_an_export_is_a_task_with_a_csv(crescendo):
    crescendo.contacts.add(line_uid="U1", display_name="Ann")
    task = call(crescendo, "POST", wire.EXPORT_PATH).json()["id"]
    for _ in range(100):
        status = call(crescendo, "GET", wire.EXPORT_TASK_PATH.format(task_id=task)).json()
        if status["status"] == wire.DONE:
            break
        time.sleep(0.02)
    csv = call(crescendo, "GET", status["download_url"].removeprefix(crescendo.base_url)).text
    assert csv.splitlines()[0].startswith("id,line_uid,display_name") and ",U1,Ann," in csv


def test_faults_come_from_the_kit(crescendo):
    crescendo.faults.add(path="/member/", status=503)
    assert call(crescendo, "GET", wire.MEMBERS).status_code == 503
    assert call(crescendo, "GET", wire.MEMBERS).status_code == 200
