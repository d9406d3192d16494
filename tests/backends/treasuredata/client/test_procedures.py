"""Treasure Data's procedures through ``cursor.callproc`` against the local Treasure Data: each one
sends the API call it names (the client's request log), changes the server's store, answers the
object's id as a row, and keeps the ``segment_<id>`` tables in step."""

from __future__ import annotations

import json
import logging

import pytest

import cdpdb
from cdpdb.backends.treasuredata.local import serve
from cdpdb.local.faults import Fault
from tests.backends.treasuredata.local.conftest import CUSTOMERS_JP

HTTP_LOG = "cdpdb.core.http"


@pytest.fixture(scope="module")
def td():
    with serve(scale=300, seed=7) as server:
        yield server


@pytest.fixture
def conn(td):
    with cdpdb.connect(backend="treasuredata", **td.connect_args()) as connection:
        yield connection


def calls(caplog) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request the client sent (core.http's DEBUG log)."""
    out = []
    for record in caplog.records:
        if record.name == HTTP_LOG and " -> " in record.getMessage():
            method, path, _, status = record.getMessage().split()[:4]
            out.append((method, path.split("/", 3)[3], int(status)))
    return out


def count_where(td, where: str) -> int:
    sql = f"SELECT count(*) AS n FROM customers WHERE {where}"
    return td.engine.query_arrow(f"cdp_audience_{CUSTOMERS_JP}", sql).to_pylist()[0]["n"]


def test_create_segment_from_a_where_clause(td, conn, caplog):
    caplog.set_level(logging.DEBUG, logger=HTTP_LOG)
    cur = conn.cursor()
    params = [CUSTOMERS_JP, "thirties in Tokyo", "age BETWEEN 30 AND 39 AND prefecture = 'Tokyo'"]
    assert cur.callproc("create_segment", params) == params  # PEP 249: the parameters come back
    assert [d[:2] for d in cur.description] == [("id", "VARCHAR")]
    [(segment_id,)] = cur.fetchall()
    assert cur.rowcount == 1
    assert calls(caplog)[-1] == ("POST", f"audiences/{CUSTOMERS_JP}/segments", 200)
    assert ("GET", f"audiences/{CUSTOMERS_JP}/attributes", 200) in calls(caplog)  # the types the WHERE compiles with
    saved = td.store.segments[segment_id]
    assert saved.name == "thirties in Tokyo" and saved.folder_id == td.store.parents[CUSTOMERS_JP].folder_id
    assert [c.operator.type for c in saved.rule.conditions] == ["Between", "Equal"]
    expected = count_where(td, "age BETWEEN 30 AND 39 AND prefecture = 'Tokyo'")
    assert saved.population == expected > 0
    cur.execute(f"SELECT count(*) FROM segment_{segment_id}")  # its table exists at once
    assert cur.fetchone() == (expected,)


def test_create_segment_from_json_in_a_folder_then_update_and_delete(td, conn, caplog):
    caplog.set_level(logging.DEBUG, logger=HTTP_LOG)
    cur = conn.cursor()
    cur.callproc("create_folder", (CUSTOMERS_JP, "procedures", "made by a test"))
    [(folder_id,)] = cur.fetchall()
    folder = td.store.folders[folder_id]
    assert (folder.name, folder.description, folder.parent_id) == (
        "procedures",
        "made by a test",
        td.store.parents[CUSTOMERS_JP].folder_id,
    )
    rule = {
        "type": "And",
        "conditions": [
            {"type": "Value", "leftValue": {"name": "is_vip"}, "operator": {"type": "Equal", "rightValue": True}}
        ],
    }
    cur.callproc("create_segment", (CUSTOMERS_JP, "vips", json.dumps(rule), folder_id, "VIP profiles"))
    [(segment_id,)] = cur.fetchall()
    segment = td.store.segments[segment_id]
    assert (segment.folder_id, segment.description, segment.population) == (
        folder_id,
        "VIP profiles",
        count_where(td, "is_vip"),
    )

    cur.callproc("update_segment", (CUSTOMERS_JP, segment_id, "older vips", "is_vip = true AND age >= 50"))
    assert cur.fetchall() == [(segment_id,)]
    assert calls(caplog)[-1] == ("PUT", f"audiences/{CUSTOMERS_JP}/segments/{segment_id}", 200)
    assert segment.name == "older vips" and segment.description == "VIP profiles"  # None: unchanged
    older = count_where(td, "is_vip AND age >= 50")
    assert segment.population == older
    cur.execute(f"SELECT count(*) FROM segment_{segment_id}")  # the table replays the new rule
    assert cur.fetchone() == (older,)

    with pytest.raises(cdpdb.ProgrammingError, match="not empty") as busy:  # the server's 400, mapped
        cur.callproc("delete_folder", (CUSTOMERS_JP, folder_id))
    assert busy.value.status == 400

    cur.callproc("delete_segment", (CUSTOMERS_JP, segment_id))
    assert cur.fetchall() == [(segment_id,)]
    assert segment_id not in td.store.segments
    assert f"segment_{segment_id}" not in conn.session.tables
    with pytest.raises(cdpdb.ProgrammingError, match="42P01|Table with name"):
        cur.execute(f"SELECT * FROM segment_{segment_id}")
    cur.callproc("delete_folder", (CUSTOMERS_JP, folder_id))
    assert cur.fetchall() == [(folder_id,)] and folder_id not in td.store.folders
    assert calls(caplog)[-1] == ("DELETE", f"audiences/{CUSTOMERS_JP}/folders/{folder_id}", 200)


def test_run_activation(td, conn, caplog):
    caplog.set_level(logging.DEBUG, logger=HTTP_LOG)
    activation = td.store.activations[CUSTOMERS_JP][0]
    cur = conn.cursor()
    cur.callproc("run_activation", [CUSTOMERS_JP, activation["segmentId"], activation["id"]])
    [(session_id,)] = cur.fetchall()
    assert activation["lastExecution"]["workflowSessionId"] == session_id
    path = f"audiences/{CUSTOMERS_JP}/segments/{activation['segmentId']}/syndications/{activation['id']}/run"
    assert calls(caplog)[-1] == ("POST", path, 200)
    cur.execute(
        "SELECT lastExecution->>'$.status' FROM activations WHERE id = ? AND audienceId = ?",
        [activation["id"], CUSTOMERS_JP],
    )
    assert cur.fetchall() == [("running",)]  # the folder listing shows the run too


def test_refusals_name_the_cause_and_send_nothing(td, conn, caplog):
    cur = conn.cursor()
    with pytest.raises(cdpdb.ProgrammingError, match="no procedure 'make_segment'.*create_segment") as unknown:
        cur.callproc("make_segment", [CUSTOMERS_JP])
    assert unknown.value.sqlstate == "42883"
    with pytest.raises(cdpdb.ProgrammingError, match=r"create_segment\(audience_id, name.*needs name"):
        cur.callproc("create_segment", [CUSTOMERS_JP])
    with pytest.raises(cdpdb.ProgrammingError, match="at most 2 parameters"):
        cur.callproc("delete_segment", [CUSTOMERS_JP, "1", "2"])
    caplog.set_level(logging.DEBUG, logger=HTTP_LOG)
    before = len(td.store.segments)
    with pytest.raises(cdpdb.NotSupportedError, match="'age > 60 OR is_vip' has no segment rule condition") as orred:
        cur.callproc("create_segment", [CUSTOMERS_JP, "x", "age > 60 OR is_vip"])
    assert orred.value.sqlstate == "0A000"
    with pytest.raises(cdpdb.ProgrammingError, match="shoe_size: no such attribute") as column:
        cur.callproc("create_segment", [CUSTOMERS_JP, "x", "shoe_size > 40"])
    assert column.value.sqlstate == "42703"
    for bad, message in (("age >", "is not valid SQL"), ("age > 1 ORDER BY age", "give only a WHERE clause")):
        with pytest.raises(cdpdb.ProgrammingError, match=message) as syntax:
            cur.callproc("create_segment", [CUSTOMERS_JP, "x", bad])
        assert syntax.value.sqlstate == "42601"
    with pytest.raises(cdpdb.ProgrammingError, match="not a v5 segment rule"):
        cur.callproc("create_segment", [CUSTOMERS_JP, "x", '{"type": "Maybe", "conditions": []}'])
    assert not [c for c in calls(caplog) if c[0] != "GET"]  # nothing was written
    assert len(td.store.segments) == before
    with pytest.raises(cdpdb.ProgrammingError, match="HTTP 404.*segment 42 was not found") as missing:
        cur.callproc("delete_segment", [CUSTOMERS_JP, 42])
    assert missing.value.status == 404


def test_an_update_is_retried_after_a_503_and_a_create_is_not_lost(td, conn, caplog):
    caplog.set_level(logging.DEBUG, logger=HTTP_LOG)
    cur = conn.cursor()
    with td.faults.inject(Fault(kind="status", status=503, path="/segments$", method="POST")):
        cur.callproc("create_segment", [CUSTOMERS_JP, "after a 503", "age < 25"])
    [(segment_id,)] = cur.fetchall()
    posts = [c for c in calls(caplog) if c[0] == "POST"]
    assert [c[2] for c in posts] == [503, 200]  # 503: the server did not do it, so the POST may repeat
    assert [s.name for s in td.store.segments.values()].count("after a 503") == 1
    with td.faults.inject(Fault(kind="status", status=502, path=f"/segments/{segment_id}$", method="PUT")):
        cur.callproc("update_segment", [CUSTOMERS_JP, segment_id, "renamed"])
    assert [c[2] for c in calls(caplog) if c[0] == "PUT"] == [502, 200]
    assert td.store.segments[segment_id].name == "renamed"
    cur.callproc("delete_segment", [CUSTOMERS_JP, segment_id])


def test_salesforce_keeps_refusing_procedures():
    from cdpdb.local import serve as serve_datacloud

    with serve_datacloud() as cloud, cdpdb.connect(**cloud.connect_args()) as conn:
        with pytest.raises(cdpdb.NotSupportedError, match="salesforce backend has no stored procedures"):
            conn.cursor().callproc("create_segment", [])
