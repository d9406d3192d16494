"""The local Data Cloud as product code people run in shared CI: what a Query API caller must not
reach (files, other dataspaces, the server's catalogs), results that stay with their owner,
requests that cannot stall the server, abandoned queries that stop, and client mistakes that get
the documented 4xx instead of a 500. Everything over real HTTP against the real engine."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

from cdpdb.local.engine import EngineError

APIS = ["v1", "v2", "v3", "connect"]
INDIVIDUAL = '"ssot__Individual__dlm"'
SALES_ORDER = '"ssot__SalesOrder__dlm"'  # in dataspace default only
#: Hyper works on this for minutes unless cancelled (a cross join it cannot shortcut).
SLOW_SQL = "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b WHERE (a * b) % 7 = 3"


def ask(api, name: str, sql: str, dataspace: str | None = None, **extra) -> requests.Response:
    """POST ``sql`` to one query API, as a login scoped to ``dataspace`` (default: unscoped)."""
    body = {"sql": sql, **extra}
    if name == "connect":
        headers = {"dataspace": dataspace} if dataspace else {}
        return api.connect("POST", "", headers=headers, json=body)
    path = {"v1": "/api/v1/query", "v2": "/api/v2/query", "v3": "/api/v3/query"}[name]
    return api.direct("POST", path, token=api.dc_token(dataspace), json=body)


def error_of(answer: requests.Response) -> dict:
    """The documented error object of any API (Connect answers a list of one)."""
    body = answer.json()
    return body[0] if isinstance(body, list) else body


def hostile_statements(cloud) -> dict[str, str]:
    workdir = cloud.engine.workdir
    default_db = workdir / "default.hyper"
    tls_key = next(workdir.parent.glob("*key*.pem"), workdir.parent / "key.pem")
    csv = "FORMAT => 'csv', COLUMNS => DESCRIPTOR(line text), DELIMITER => '|'"
    return {
        "external() on /etc/passwd": f"SELECT * FROM external('/etc/passwd', {csv})",
        "external() on the TLS key": f"SELECT * FROM external('{tls_key}', {csv})",
        "external() relative path": f"SELECT * FROM external('../../../../etc/passwd', {csv})",
        "external() in a subquery": f"SELECT (SELECT count(*) FROM external('/etc/passwd', {csv}))",
        "external() in a CTE": f"WITH f AS (SELECT * FROM external('/etc/passwd', {csv})) SELECT * FROM f",
        "COPY FROM a file": f"COPY {INDIVIDUAL} FROM '/etc/passwd' WITH (FORMAT csv)",
        "COPY TO a file": "COPY (SELECT 1) TO '/tmp/cdpdb-hardening-out.csv' WITH (FORMAT csv)",
        "escape the COPY wrapper": "SELECT 1) TO STDOUT WITH (FORMAT arrowstream); "
        f"DROP TABLE {INDIVIDUAL}; COPY (SELECT 1",
        "two statements": f"SELECT 1; DROP TABLE {INDIVIDUAL}",
        "DROP TABLE": f"DROP TABLE {INDIVIDUAL}",
        "DELETE in a CTE": f"WITH d AS (DELETE FROM {INDIVIDUAL} RETURNING 1) SELECT * FROM d",
        "SELECT INTO": "SELECT 1 AS x INTO stolen",
        "INSERT": f"INSERT INTO {INDIVIDUAL} SELECT * FROM {INDIVIDUAL}",
        "ATTACH another dataspace": f'ATTACH DATABASE "{default_db}" AS other',
        "CREATE DATABASE": 'CREATE DATABASE "/tmp/cdpdb-hardening.hyper"',
        "another database by name": f'SELECT * FROM "{default_db}"."public".{SALES_ORDER}',
        "another dataspace's object": f"SELECT count(*) FROM {SALES_ORDER}",
        "pg_database (server paths)": "SELECT datname FROM pg_catalog.pg_database",
        "pg_settings": "SELECT * FROM pg_settings",
        "current_setting()": "SELECT current_setting('search_path')",
        "SET": "SET search_path = pg_catalog",
        "information_schema of another schema": "SELECT * FROM other_schema.tables",
    }


def _hostile_ids() -> list[str]:
    return list(hostile_statements(SimpleNamespace(engine=SimpleNamespace(workdir=Path("/nowhere/hyper")))))


@pytest.mark.parametrize("name", APIS)
@pytest.mark.parametrize("label", _hostile_ids())
def test_query_path_reads_only_the_callers_dataspace(api, cloud, name, label):
    sql = hostile_statements(cloud)[label]
    answer = ask(api, name, sql, dataspace="marketing")
    assert 400 <= answer.status_code < 500, (label, answer.status_code, answer.text[:300])
    error = error_of(answer)
    assert error["message"] and "details" in error, answer.text
    assert "root:" not in answer.text and "PRIVATE KEY" not in answer.text
    assert str(cloud.engine.workdir) not in answer.text and "cdpdb-" not in answer.text, answer.text
    assert cloud.engine.query_arrow("default", f"SELECT count(*) AS n FROM {INDIVIDUAL}").column(0)[0].as_py() > 0


@pytest.mark.parametrize("name", APIS)
def test_refusals_say_what_is_not_allowed(api, name):
    answer = ask(api, name, "SELECT * FROM external('/etc/passwd')", dataspace="marketing")
    assert answer.status_code == 400
    message = error_of(answer)["message"]
    assert "external" in message and "not allowed" in message, message
    details = error_of(answer)["details"]
    assert details["sqlState"] == "42501"
    # V1/V2 text is translated first; the position still points at the user's "external".
    assert details["position"] == len("SELECT * FROM ") + 1


def test_engine_itself_reads_no_files(cloud):
    """Second layer: even SQL that bypassed the query path's checks cannot read outside files."""
    csv = "FORMAT => 'csv', COLUMNS => DESCRIPTOR(line text), DELIMITER => '|'"
    with pytest.raises(EngineError) as refused:
        cloud.engine.query_arrow("marketing", f"SELECT * FROM external('/etc/passwd', {csv})")
    assert refused.value.sqlstate == "42501"
    with pytest.raises(EngineError):
        cloud.engine.execute("marketing", 'CREATE DATABASE "/tmp/cdpdb-hardening-engine.hyper"')


LEGITIMATE = {
    "CTE and window": f'WITH i AS (SELECT "ssot__Id__c" AS id FROM {INDIVIDUAL}) '
    "SELECT id, row_number() OVER (ORDER BY id) AS n FROM i ORDER BY id LIMIT 3",
    "VALUES and set operations": "SELECT x FROM (VALUES (1), (2)) AS v(x) UNION ALL SELECT 3 EXCEPT SELECT 2",
    "generate_series and unnest": "SELECT sum(g) AS s FROM generate_series(1, 10) AS g, unnest(ARRAY[1]) AS u(x)",
    "regexp": "SELECT regexp_replace('abc', 'b', 'x') AS r",
    "catalog of the own dataspace": "SELECT c.relname AS name FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON c.relnamespace = n.oid WHERE n.nspname = 'public' ORDER BY 1",
    "trailing semicolon and comment": "SELECT 1 AS x ;  -- done\n",
}


@pytest.mark.parametrize("name", APIS)
@pytest.mark.parametrize("label", list(LEGITIMATE))
def test_legitimate_queries_still_run(api, name, label):
    sql = LEGITIMATE[label]
    answer = ask(api, name, sql)
    assert answer.status_code == 200, (label, answer.text[:300])
    assert answer.json()["data"], answer.text[:300]


def test_admin_path_keeps_ddl_but_reads_no_files(api, cloud):
    headers = {"X-Cdpdb-Admin": cloud.admin_key}
    url = f"{cloud.tenant_url}/__cdpdb/execute"
    csv = "FORMAT => 'csv', COLUMNS => DESCRIPTOR(line text), DELIMITER => '|'"
    for sql in (
        "CREATE TABLE stolen AS SELECT * FROM external('/etc/passwd', " + csv + ")",
        "COPY stolen FROM '/etc/passwd' WITH (FORMAT csv, DELIMITER '|')",
        'CREATE DATABASE "/tmp/cdpdb-hardening-admin.hyper"',
    ):
        answer = api.http.post(url, headers=headers, json={"sql": sql, "dataspace": "marketing"}, timeout=30)
        assert 400 <= answer.status_code < 500, (sql, answer.text)
        assert "root:" not in answer.text and str(cloud.engine.workdir) not in answer.text
    made = api.http.post(
        url, headers=headers, json={"sql": "CREATE TABLE hardening_ok (a bigint)", "dataspace": "marketing"}, timeout=30
    )
    assert made.status_code == 200, made.text
    api.http.post(url, headers=headers, json={"sql": "DROP TABLE hardening_ok", "dataspace": "marketing"}, timeout=30)


# -- item 6: a result belongs to the login and the dataspace that ran it --------------------------


def test_results_do_not_cross_dataspaces_by_query_id(api, cloud):
    default_token, marketing_token = api.dc_token(), api.dc_token("marketing")
    sql = f'SELECT "ssot__Id__c" FROM {SALES_ORDER} ORDER BY 1 LIMIT 3'
    ran = api.direct("POST", "/api/v3/query", token=default_token, json={"sql": sql})
    query_id = json.loads(ran.headers["x-hyperdb-status"])["queryId"]
    for path in ("", "/rows?offset=0", "/chunks/0", "/metadata"):
        stolen = api.direct("GET", f"/api/v3/query/{query_id}{path}", token=marketing_token)
        assert stolen.status_code == 404, (path, stolen.text)
        assert "ssot__Id__c" not in stolen.text
    assert api.direct("DELETE", f"/api/v3/query/{query_id}", token=marketing_token).status_code == 404
    assert api.direct("GET", f"/api/v3/query/{query_id}/rows?offset=0", token=default_token).status_code == 200

    connect_id = api.connect("POST", "", json={"sql": sql}).json()["status"]["queryId"]
    for path in ("", "/rows"):
        stolen = api.connect("GET", f"/{connect_id}{path}", headers={"dataspace": "marketing"})
        assert stolen.status_code == 404, (path, stolen.text)
    assert api.connect("DELETE", f"/{connect_id}", headers={"dataspace": "marketing"}).status_code == 404
    assert api.connect("GET", f"/{connect_id}/rows").status_code == 200

    with cloud.faults.inject(v2_batch_rows=1):
        first = api.direct("POST", "/api/v2/query", token=default_token, json={"sql": sql}).json()
    stolen = api.direct("GET", f"/api/v2/query/{first['nextBatchId']}", token=marketing_token)
    assert stolen.status_code == 404 and "ssot__Id__c" not in stolen.text


# -- item 7: big parameter lists are linear and nothing stalls the server ---------------------------


def test_twenty_thousand_named_values_bind(api, token):
    names = [f"v{i}" for i in range(20_000)]
    sql = "SELECT count(*) AS n FROM generate_series(1, 30000) AS g WHERE g IN (" + ", ".join(f":{n}" for n in names)
    parameters = [{"name": n, "type": "bigint", "value": str(i * 2)} for i, n in enumerate(names)]
    answer = api.direct(
        "POST",
        "/api/v3/query",
        token=token,
        json={"sql": sql + ")", "paramStyle": "NAMED", "parameters": parameters},
    )
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["data"] == [[15_000]]  # 2, 4, ..., 30000 (0 is not in the series)


def _abandoned_v2(api, cloud, sql: str, read_timeout: float) -> None:
    """Send a V2 query and give up on it after ``read_timeout`` seconds, as a client timeout does."""
    session = requests.Session()
    session.trust_env = False
    headers = {"Authorization": f"Bearer {api.dc_token()}"}
    try:
        session.post(
            f"{cloud.tenant_url}/api/v2/query",
            json={"sql": sql},
            headers=headers,
            verify=cloud.ca_path,
            timeout=(10, read_timeout),
        )
    except requests.exceptions.ReadTimeout:
        pass
    finally:
        session.close()


def _wait_until(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_slow_v2_query_does_not_block_other_requests(api, cloud, token):
    slow = threading.Thread(target=_abandoned_v2, args=(api, cloud, SLOW_SQL, 8.0))
    slow.start()
    try:
        assert _wait_until(lambda: cloud.backend.running, 10), "the slow query never started"
        quick = api.http.post(
            f"{cloud.tenant_url}/api/v3/query",
            json={"sql": "SELECT 1 AS one"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,  # liveness, not a benchmark: before the fix this waited for the slow query
        )
        assert quick.status_code == 200 and quick.json()["data"] == [[1]]
    finally:
        slow.join()


# -- item 12: abandoned and cancelled queries stop in the engine -----------------------------------


def test_abandoned_v2_query_is_cancelled_in_the_engine(api, cloud):
    _abandoned_v2(api, cloud, SLOW_SQL, 1.5)
    # A few seconds of grace (liveness): without the cancel Hyper works on it for minutes.
    assert _wait_until(lambda: not cloud.backend.running, 5), list(cloud.backend.running)


def test_v3_and_connect_delete_stop_the_statement(api, cloud, token):
    ran = api.direct("POST", "/api/v3/query", token=token, json={"sql": SLOW_SQL, "transferMode": "ASYNC"})
    query_id = json.loads(ran.headers["x-hyperdb-status"])["queryId"]
    assert _wait_until(lambda: query_id in cloud.backend.running, 10)
    assert api.direct("DELETE", f"/api/v3/query/{query_id}", token=token).status_code == 204
    assert _wait_until(lambda: query_id not in cloud.backend.running, 5)

    with cloud.faults.inject(adaptive_wait_seconds=0.1):
        connect_id = api.connect("POST", "", json={"sql": SLOW_SQL}).json()["status"]["queryId"]
    assert _wait_until(lambda: connect_id in cloud.backend.running, 10)
    assert api.connect("DELETE", f"/{connect_id}").status_code == 204
    assert _wait_until(lambda: connect_id not in cloud.backend.running, 5)


# -- item 13: error positions in the user's SQL, no server paths, a trailing ';' -----------------------


@pytest.mark.parametrize("name", APIS)
def test_error_positions_point_into_the_users_sql(api, name):
    sql = f"SELECT  'x' AS a,\n   no_such_column FROM {INDIVIDUAL}"
    if name in ("v1", "v2"):
        sql = "SELECT  'x' AS a,\n   no_such_column FROM ssot__individual__dlm"
    answer = ask(api, name, sql)
    assert answer.status_code == 400, answer.text
    assert error_of(answer)["details"]["position"] == sql.index("no_such_column") + 1


def test_error_positions_skip_bound_parameters_and_row_limit(api, token):
    sql = f"SELECT ?, ?,   no_such_column FROM {INDIVIDUAL}"
    parameters = [{"type": "varchar", "value": "a fairly long value " * 5}, {"type": "bigint", "value": "7"}]
    for extra in ({}, {"queryRowLimit": 5}):
        answer = api.direct("POST", "/api/v3/query", token=token, json={"sql": sql, "parameters": parameters, **extra})
        assert answer.status_code == 400, answer.text
        assert answer.json()["details"]["position"] == sql.index("no_such_column") + 1, extra


@pytest.mark.parametrize("name", APIS)
def test_trailing_semicolons_work_everywhere(api, name):
    for sql in ("SELECT 1 AS x;", "SELECT 1 AS x ;\n", "SELECT 1 AS x; -- the end", "SELECT 1 AS x;; /* twice */"):
        answer = ask(api, name, sql)
        assert answer.status_code == 200, (sql, answer.text)
        assert answer.json()["data"] in ([[1]], [["1"]]), answer.text


# -- item 8: client mistakes and unusual types get answers, never a 500 ------------------------------


@pytest.mark.parametrize("name", APIS)
def test_interval_and_array_columns_in_json(api, name):
    sql = "SELECT INTERVAL '1 day' AS i, ARRAY[1, 2] AS a, CAST(NULL AS interval) AS n"
    answer = ask(api, name, sql)
    assert answer.status_code == 200, answer.text
    assert answer.json()["data"] == [["P1D", "[1,2]" if name in ("v3", "connect") else '["1","2"]', None]]


def test_malformed_fields_are_400s(api, token):
    cases = [
        {"sql": "SELECT 1", "resultRange": {"rowLimit": "x"}},
        {"sql": "SELECT 1", "resultRange": {"rowLimit": True}},
        {"sql": "SELECT :a", "paramStyle": "NAMED", "parameters": [{"name": [1], "type": "bigint", "value": "1"}]},
        {"sql": "SELECT ?", "paramStyle": ["x"], "parameters": [{"type": "bigint", "value": "1"}]},
        {"sql": "SELECT 1", "queryRowLimit": "5"},
    ]
    for body in cases:
        answer = api.direct("POST", "/api/v3/query", token=token, json=body)
        assert answer.status_code == 400, (body, answer.text)
        assert answer.json()["message"], answer.text
    named = [{"name": {"x": 1}, "type": "bigint", "value": "1"}]
    answer = api.connect("POST", "", json={"sql": "SELECT 1", "sqlParameters": named, "rowLimit": "x"})
    assert answer.status_code == 400, answer.text


def test_admin_mistakes_are_400s(api, cloud):
    headers = {"X-Cdpdb-Admin": cloud.admin_key}
    faults = f"{cloud.tenant_url}/__cdpdb/faults"
    for body in (
        {"faults": [{"path": "["}]},  # not a regular expression (was a 500)
        {"limits": {"max_concurrent": "x"}},  # accepted, then every later request was a 500
        {"limits": {"latency_ms": -5}},
        {"faults": [{"count": "x"}]},
        {"faults": 5},
    ):
        answer = api.http.post(faults, headers=headers, json=body, timeout=30)
        assert answer.status_code == 400, (body, answer.text)
        assert api.direct("GET", "/api/v1/metadata").status_code == 200
    execute = f"{cloud.tenant_url}/__cdpdb/execute"
    api.http.post(execute, headers=headers, json={"sql": "CREATE TABLE admin_q (a bigint)", "dataspace": "marketing"})
    try:
        for sql, parameters in (
            ("INSERT INTO admin_q VALUES (?)", [1, 2]),  # psycopg's count check has no SQLSTATE (was a 500)
            ("INSERT INTO admin_q VALUES (?)", [[1]]),  # psycopg cannot adapt a list here (was a 500)
            ("INSERT INTO admin_q VALUES (:a)", {"b": 1}),
        ):
            body = {"sql": sql, "parameters": parameters, "dataspace": "marketing"}
            answer = api.http.post(execute, headers=headers, json=body, timeout=30)
            assert answer.status_code == 400, (sql, parameters, answer.text)
    finally:
        api.http.post(execute, headers=headers, json={"sql": "DROP TABLE admin_q", "dataspace": "marketing"})
