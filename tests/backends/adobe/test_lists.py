"""The configuration tables: merge policies, computed attributes, profile system jobs and export
jobs (and their life cycles), the preview sample status and its reports, the sandboxes."""

from __future__ import annotations

import time

import cdpdb
from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local import serve
from cdpdb.backends.adobe.local.dataset import identity
from tests.backends.adobe.conftest import Http, rows


def test_merge_policies(adobe, conn):
    got = rows(
        conn,
        'SELECT id, name, attributeMerge_type, attributeMerge_order, "default", imsOrgId '
        "FROM merge_policies ORDER BY name",
    )
    policies = adobe.store.sandboxes["prod"].merge_policies.values()
    assert [(r[0], r[1], r[2], r[4]) for r in got] == sorted(
        ((p["id"], p["name"], p["attributeMerge"]["type"], p["default"]) for p in policies), key=lambda r: r[1]
    )
    assert {r[5] for r in got} == {adobe.org_id}
    crm_first = next(r for r in got if r[1] == "CRM first")
    assert crm_first[3].startswith("[")  # the precedence order, as JSON
    assert [e.path for e in adobe.requests.entries] == [wire.MERGE_POLICIES]


def test_dev_merge_policies_are_the_dev_sandboxes(adobe, conn):
    got = {r[0] for r in rows(conn, "SELECT id FROM dev.merge_policies")}
    assert got == set(adobe.store.sandboxes["dev"].merge_policies)
    assert {e.sandbox for e in adobe.requests.entries} == {"dev"}


def test_computed_attributes(adobe, conn):
    got = rows(conn, "SELECT name, type, mergeFunction, status FROM computed_attributes ORDER BY name")
    want = sorted(
        (c["name"], c["type"], c["mergeFunction"]["value"], c["status"])
        for c in adobe.store.sandboxes["prod"].computed_attributes
    )
    assert got == want


def test_preview_sample_status_and_reports(adobe, conn):
    data = adobe.store.sandboxes["prod"]
    ((total, fragments, running),) = rows(
        conn, "SELECT totalRows, totalFragmentCount, sampleJobRunning FROM preview_sample_status"
    )
    assert (total, running) == (len(data.profiles), False)
    assert fragments == sum(len(p.fragments) for p in data.profiles.values())
    report = rows(conn, "SELECT name, value, sandboxName FROM preview_sample_dataset_report ORDER BY name")
    assert [r[0] for r in report] == sorted(d["name"] for d in data.datasets.values())
    assert sum(r[1] for r in report) == fragments and {r[2] for r in report} == {"prod"}
    namespaces = dict(rows(conn, "SELECT code, fullIDsCount FROM preview_sample_namespace_report"))
    assert namespaces["email"] == namespaces["ECID"] == len(data.profiles)
    assert namespaces["phone"] == sum(1 for p in data.profiles.values() if "phone" in p.identities)


def test_sandboxes_table(adobe, conn):
    assert rows(conn, "SELECT name, isDefault FROM sandboxes ORDER BY name") == [("dev", False), ("prod", True)]


def _wait_for(conn, sql: str, want: object, seconds: float = 10) -> list:
    deadline = time.monotonic() + seconds
    while True:
        got = rows(conn, sql)
        if got == want or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_system_job_life_cycle_deletes_the_dataset(tmp_path):
    """A delete request (made through the API) goes NEW → PROCESSING → COMPLETED in the table,
    and then the profiles no longer show that dataset's values."""
    with serve(scale=40, seed=3, limits=None) as server:
        server.faults.set_limits(job_seconds=4.0)  # NEW for 2 s: a loaded machine's first look must still see it
        http = Http(server)
        web = next(d for d in server.store.sandboxes["prod"].datasets.values() if d["name"] == "Web Sign-ups")
        with cdpdb.connect(backend="adobe", **server.connect_args()) as conn:
            email = identity("email", 2, "prod")
            lookup = f"SELECT personalEmail_address FROM profiles WHERE namespace = 'email' AND identity = '{email}'"
            assert rows(conn, lookup) == [(email,)]
            created = http.call("POST", wire.SYSTEM_JOBS, json={"dataSetId": web["id"]})
            assert created.status_code == 200, created.text
            job = created.json()["id"]
            sql = f"SELECT status, dataSetId, jobType FROM profile_system_jobs WHERE id = '{job}'"
            assert rows(conn, sql) == [("NEW", web["id"], "DELETE")]
            assert _wait_for(conn, sql, [("PROCESSING", web["id"], "DELETE")]) == [("PROCESSING", web["id"], "DELETE")]
            assert _wait_for(conn, sql, [("COMPLETED", web["id"], "DELETE")]) == [("COMPLETED", web["id"], "DELETE")]
            assert rows(conn, lookup) == [(None,)]


def test_export_jobs_and_list_paging(adobe, conn, http):
    """Export jobs (more than one page of the list) reach SUCCEEDED with the profile count."""
    dev = adobe.store.sandboxes["dev"]
    for n in range(23):
        answer = http.call(
            "POST",
            wire.EXPORT_JOBS,
            sandbox="dev",
            json={"destination": {"datasetId": f"export-{n}"}, "fields": "person.name"},
        )
        assert answer.status_code == 200, answer.text
    adobe.requests.clear()
    got = rows(
        conn, "SELECT destination_datasetId, status, profileInstancesCount, mergePolicy_id FROM dev.profile_export_jobs"
    )
    default = next(p["id"] for p in dev.merge_policies.values() if p["default"])
    assert sorted(got) == sorted((f"export-{n}", "SUCCEEDED", len(dev.profiles), default) for n in range(23))
    pages = adobe.requests.find("GET", wire.EXPORT_JOBS)
    assert [p.query.get(wire.P_START) for p in pages] == [None, "20"]
