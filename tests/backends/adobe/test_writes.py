"""The Profile API's writes as SQL: profile deletion, delete requests, merge policies."""

from __future__ import annotations

import pytest

import cdpdb
from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local import serve
from cdpdb.backends.adobe.local.dataset import identity
from tests.backends.adobe.conftest import rows


@pytest.fixture
def own():
    """A server of its own: these tests change its data."""
    with serve(scale=60, seed=11) as server:
        with cdpdb.connect(backend="adobe", **server.connect_args()) as conn:
            server.requests.clear()
            yield server, conn


def test_delete_profiles_by_identity(own):
    server, conn = own
    gone = [identity("email", n, "prod") for n in (1, 2, 3)]
    cursor = conn.cursor()
    cursor.execute(
        "DELETE FROM profiles WHERE namespace = 'email' AND identity IN (?, ?, ?, 'ghost@example.com')",
        gone,
    )
    assert cursor.rowcount == 3  # exactly what was deleted; the ghost found nothing
    calls = server.requests.find("DELETE", wire.ENTITIES)
    assert sorted(c.query[wire.P_ENTITY_ID] for c in calls) == sorted([*gone, "ghost@example.com"])
    assert {(c.query[wire.P_SCHEMA], c.query[wire.P_ENTITY_NS], c.sandbox) for c in calls} == {
        (wire.PROFILE_SCHEMA, "email", "prod")
    }
    listed = ", ".join(f"'{v}'" for v in gone)
    assert rows(conn, f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity IN ({listed})") == []
    kept = identity("email", 4, "prod")
    assert rows(conn, f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity = '{kept}'") == [(kept,)]


def test_delete_in_another_sandbox_and_refusals(own):
    server, conn = own
    dev = identity("crmId", 2, "dev")
    cursor = conn.cursor()
    cursor.execute(f"DELETE FROM dev.profiles WHERE namespace = 'crmId' AND identity = '{dev}'")
    assert cursor.rowcount == 1 and server.requests.find("DELETE", wire.ENTITIES)[0].sandbox == "dev"
    for sql in (
        "DELETE FROM profiles",
        "DELETE FROM profiles WHERE namespace = 'email'",
        "DELETE FROM profiles WHERE namespace = 'email' AND identity LIKE 'user%'",
        "DELETE FROM profiles WHERE namespace = 'email' OR identity = 'a'",
        "UPDATE profiles SET identity = 'x' WHERE namespace = 'email' AND identity = 'y'",
        "DELETE FROM experience_events WHERE namespace = 'ECID' AND identity = '1'",
    ):
        with pytest.raises(cdpdb.NotSupportedError):
            cursor.execute(sql)
    assert len(server.requests.find("DELETE", wire.ENTITIES)) == 1  # nothing else was sent


def test_insert_into_profile_system_jobs_creates_delete_requests(own):
    server, conn = own
    web = next(d["id"] for d in server.store.sandboxes["prod"].datasets.values() if d["name"] == "Web Sign-ups")
    cursor = conn.cursor()
    cursor.execute("INSERT INTO profile_system_jobs (dataSetId) VALUES (?)", [web])
    assert cursor.rowcount == 1
    cursor.execute("INSERT INTO profile_system_jobs (batchId) VALUES ('batch-1'), ('batch-2')")
    assert cursor.rowcount == 2
    assert [c.body for c in server.requests.find("POST", wire.SYSTEM_JOBS)] == [
        {"dataSetId": web},
        {"batchId": "batch-1"},
        {"batchId": "batch-2"},
    ]
    got = rows(conn, "SELECT dataSetId, batchId, jobType FROM profile_system_jobs ORDER BY batchId NULLS FIRST")
    assert got == [(web, None, "DELETE"), (None, "batch-1", "DELETE"), (None, "batch-2", "DELETE")]
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        cursor.execute("INSERT INTO profile_system_jobs (dataSetId) VALUES ('not-a-dataset')")
    assert caught.value.reason == wire.UPS_NOT_FOUND
    with pytest.raises(cdpdb.ProgrammingError):  # checked before anything is sent
        cursor.execute("INSERT INTO profile_system_jobs (dataSetId, batchId) VALUES ('a', 'b')")


def test_merge_policies_created_and_deleted(own):
    server, conn = own
    data = server.store.sandboxes["prod"]
    crm = next(d["id"] for d in data.datasets.values() if d["name"] == "CRM Profiles")
    web = next(d["id"] for d in data.datasets.values() if d["name"] == "Web Sign-ups")
    cursor = conn.cursor()
    cursor.execute(
        "INSERT INTO merge_policies (name, attributeMerge_type, attributeMerge_order) VALUES ('Web wins', "
        f"'dataSetPrecedence', '{web},{crm}')"
    )
    assert cursor.rowcount == 1
    ((policy,),) = rows(conn, "SELECT id FROM merge_policies WHERE name = 'Web wins'")
    assert server.requests.find("POST", wire.MERGE_POLICIES)[0].body["attributeMerge"] == {
        "type": "dataSetPrecedence",
        "order": [web, crm],
    }
    email = identity("email", 4, "prod")  # every 4th profile's web name is upper case
    sql = f"SELECT person_name_firstName FROM profiles WHERE namespace = 'email' AND identity = '{email}'"
    web_name = rows(conn, sql + f" AND merge_policy_id = '{policy}'")[0][0]
    assert web_name == web_name.upper()
    cursor.execute(
        f"UPDATE merge_policies SET attributeMerge_order = '{crm},{web}', name = 'CRM wins' WHERE id = ?", [policy]
    )
    assert cursor.rowcount == 1
    (patch,) = server.requests.find("PATCH", wire.MERGE_POLICY.format(id=policy))
    assert patch.body == [
        {"op": "add", "path": "/attributeMerge/order", "value": [crm, web]},
        {"op": "add", "path": "/name", "value": "CRM wins"},
    ]
    crm_name = rows(conn, sql + f" AND merge_policy_id = '{policy}'")[0][0]
    assert crm_name != web_name and crm_name.upper() == web_name
    assert rows(conn, f"SELECT name, version FROM merge_policies WHERE id = '{policy}'") == [("CRM wins", 2)]
    with pytest.raises(cdpdb.ProgrammingError):
        cursor.execute(f"UPDATE merge_policies SET colour = 'blue' WHERE id = '{policy}'")
    with pytest.raises(cdpdb.NotSupportedError):
        cursor.execute("UPDATE merge_policies SET name = 'x'")  # no WHERE id
    cursor.execute(f"DELETE FROM merge_policies WHERE id = '{policy}'")
    assert cursor.rowcount == 1
    assert rows(conn, "SELECT count(*) FROM merge_policies WHERE name IN ('Web wins', 'CRM wins')") == [(0,)]
    default = next(p["id"] for p in data.merge_policies.values() if p["default"])
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        cursor.execute(f"DELETE FROM merge_policies WHERE id = '{default}'")
    assert caught.value.reason == wire.UPS_BAD_REQUEST


def test_export_job_started_and_awaited_asynchronously(own):
    server, conn = own
    server.faults.set_limits(job_seconds=0.5)
    data = server.store.sandboxes["prod"]
    policy = next(p["id"] for p in data.merge_policies.values() if p["name"] == "CRM first")
    cursor = conn.cursor()
    query_id = cursor.execute_async("SELECT * FROM export_profiles(?, 'person.name,homeAddress', ?)", ["ds-1", policy])
    assert query_id.startswith("prod:")
    assert conn.query_status(query_id)["status"] in ("NEW", "PROCESSING")
    (post,) = server.requests.find("POST", wire.EXPORT_JOBS)
    assert post.body["destination"]["datasetId"] == "ds-1" and post.body["mergePolicy"] == {"id": policy}
    assert post.body["fields"] == "person.name,homeAddress"
    cursor.get_results(query_id)
    names = [d[0] for d in cursor.description]
    (row,) = cursor.fetchall()
    job = dict(zip(names, row, strict=True))
    assert (job["status"], job["destination_datasetId"], job["profileInstancesCount"]) == (
        "SUCCEEDED",
        "ds-1",
        len(data.profiles),
    )
    assert conn.query_status(query_id)["status"] == "SUCCEEDED"
    with pytest.raises(cdpdb.NotSupportedError):
        cursor.execute_async("SELECT * FROM merge_policies")
    dev = cursor.execute_async("SELECT * FROM dev.export_profiles('ds-2')")
    assert dev.startswith("dev:") and server.requests.find("POST", wire.EXPORT_JOBS)[-1].sandbox == "dev"
