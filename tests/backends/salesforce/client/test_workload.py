"""The ``workload`` setting: sent with each Connect API query, as Salesforce's 2.0.0b1 connector
sent it (``?workload=``); the local Data Cloud echoes it in the query's status."""

from __future__ import annotations

import pytest

import cdpdb


def test_the_workload_travels_with_each_connect_query(cloud, api, connect):
    conn = connect(api="connect", workload="nightly_batch")
    cur = conn.cursor()
    cur.execute('SELECT count(*) FROM "ssot__Individual__dlm"')
    assert cur.fetchone() == (1000,)
    status = api.connect("GET", f"/{cur.query_id}").json()["status"]
    assert status["workload"] == "nightly_batch"
    plain = connect(api="connect").cursor()
    plain.execute("SELECT 1")
    assert "workload" not in api.connect("GET", f"/{plain.query_id}").json()["status"]


def test_the_workload_name_alias_is_accepted_too(api):
    answer = api.connect("POST", "?workloadName=adhoc", json={"sql": "SELECT 1"})
    assert answer.status_code == 200 and answer.json()["status"]["workload"] == "adhoc"


def test_workload_is_refused_on_the_direct_apis(cloud):
    with pytest.raises(cdpdb.ProgrammingError, match="api='connect'"):
        cdpdb.connect(**cloud.connect_args(workload="nightly"))
