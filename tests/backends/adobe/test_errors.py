"""Every documented error: IMS's, the gateway's and the Profile API's bodies, each reaching the
caller as a PEP 249 error carrying its code as ``reason``; faults injected by the local Adobe."""

from __future__ import annotations

import pytest

import cdpdb
from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local.dataset import identity
from cdpdb.local.faults import Fault
from tests.backends.adobe.conftest import entity_calls, rows

ONE = f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity = '{identity('email', 1, 'prod')}'"


# -- raw bodies, as the local Adobe sends them ----------------------------------------------------


def test_ims_errors(adobe, http):
    url = adobe.url + wire.IMS_TOKEN
    good = {
        "grant_type": "client_credentials",
        "client_id": adobe.credential.client_id,
        "client_secret": adobe.credential.client_secret,
        "scope": wire.DEFAULT_SCOPES,
    }
    bad_secret = http.session.post(url, data={**good, "client_secret": "wrong"}, timeout=30)
    assert (bad_secret.status_code, bad_secret.json()["error"]) == (401, wire.IMS_INVALID_CLIENT)
    no_scope = http.session.post(url, data={**good, "scope": ""}, timeout=30)
    assert (no_scope.status_code, no_scope.json()["error"]) == (400, wire.IMS_INVALID_SCOPE)
    jwt = http.session.post(url, data={**good, "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer"}, timeout=30)
    assert (jwt.status_code, jwt.json()["error"]) == (400, "unsupported_grant_type")
    ok = http.session.post(url, data=good, timeout=30).json()
    assert ok["token_type"] == "bearer" and ok["expires_in"] == wire.TOKEN_LIFETIME_SECONDS


@pytest.mark.parametrize(
    "override, status, code",
    [
        ({wire.AUTHORIZATION: "Bearer not-a-token"}, 401, wire.PLATFORM_UNAUTHORIZED),
        ({wire.API_KEY: "someone-else"}, 403, wire.GATEWAY_BAD_API_KEY),
        ({wire.ORG_ID: "0000@AdobeOrg"}, 403, wire.PLATFORM_FORBIDDEN),
        ({wire.SANDBOX: "nowhere"}, 403, wire.PLATFORM_FORBIDDEN),
    ],
)
def test_gateway_errors(adobe, http, override, status, code):
    answer = http.call("GET", wire.MERGE_POLICIES, headers=http.headers(**override))
    assert (answer.status_code, answer.json()["error_code"]) == (status, code)


def test_missing_sandbox_header_is_a_platform_error(adobe, http):
    headers = http.headers()
    del headers[wire.SANDBOX]
    answer = http.call("GET", wire.MERGE_POLICIES, headers=headers)
    body = answer.json()
    assert answer.status_code == 400
    assert body["type"] == wire.ERROR_TYPE.format(code=wire.UPS_MISSING_HEADER) and body["status"] == 400


@pytest.mark.parametrize(
    "params, status, code",
    [
        ({}, 400, wire.UPS_BAD_REQUEST),  # no schema.name
        ({wire.P_SCHEMA: wire.PROFILE_SCHEMA}, 400, wire.UPS_BAD_REQUEST),  # no entityId
        (
            {wire.P_SCHEMA: wire.PROFILE_SCHEMA, wire.P_ENTITY_ID: "x@y", wire.P_ENTITY_NS: "email"},
            404,
            wire.UPS_NOT_FOUND,
        ),
        (
            {
                wire.P_SCHEMA: wire.PROFILE_SCHEMA,
                wire.P_ENTITY_ID: "user1@example.com",
                wire.P_ENTITY_NS: "email",
                wire.P_MERGE_POLICY: "nope",
            },
            404,
            wire.UPS_POLICY_NOT_FOUND,
        ),
        ({wire.P_SCHEMA: "_xdm.context.opportunity", wire.P_ENTITY_ID: "1"}, 400, wire.UPS_BAD_REQUEST),
        (
            {
                wire.P_SCHEMA: wire.EVENT_SCHEMA,
                wire.P_RELATED_SCHEMA: wire.PROFILE_SCHEMA,
                wire.P_RELATED_ENTITY_ID: "1",
                wire.P_LIMIT: "5000",
            },
            400,
            wire.UPS_BAD_REQUEST,
        ),
    ],
)
def test_entity_errors(adobe, http, params, status, code):
    answer = http.call("GET", wire.ENTITIES, params=params)
    assert answer.status_code == status
    assert answer.json()["type"].endswith("/" + code)


def test_batch_errors(adobe, http):
    too_many = [{"entityId": str(n), "entityIdNS": {"code": "ECID"}} for n in range(wire.MAX_BATCH_IDENTITIES + 1)]
    answer = http.call("POST", wire.ENTITIES, json={"schema": {"name": wire.PROFILE_SCHEMA}, "identities": too_many})
    assert answer.status_code == 400 and answer.json()["type"].endswith(wire.UPS_TOO_MANY)
    empty = http.call("POST", wire.ENTITIES, json={"schema": {"name": wire.PROFILE_SCHEMA}, "identities": []})
    assert empty.status_code == 400 and empty.json()["type"].endswith(wire.UPS_BAD_REQUEST)


def test_job_errors(adobe, http):
    both = http.call("POST", wire.SYSTEM_JOBS, json={"dataSetId": "a", "batchId": "b"})
    assert both.status_code == 400 and both.json()["type"].endswith(wire.UPS_BAD_REQUEST)
    unknown = http.call("POST", wire.SYSTEM_JOBS, json={"dataSetId": "not-a-dataset"})
    assert unknown.status_code == 404 and unknown.json()["type"].endswith(wire.UPS_NOT_FOUND)
    no_destination = http.call("POST", wire.EXPORT_JOBS, json={"fields": "person.name"})
    assert no_destination.status_code == 400
    missing = http.call("GET", wire.SYSTEM_JOB.format(id="job-0"))
    assert missing.status_code == 404


# -- the same errors through the driver -------------------------------------------------------


def test_bad_secret_fails_at_connect_naming_the_fix(adobe):
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(backend="adobe", **adobe.connect_args(client_secret="p8e-wrong-secret"))
    assert caught.value.reason == wire.IMS_INVALID_CLIENT and caught.value.status == 401
    assert "client_secret" in str(caught.value) and "p8e-wrong-secret" not in str(caught.value)


def test_wrong_organisation(adobe):
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(backend="adobe", **adobe.connect_args(org_id="0000@AdobeOrg"))
    assert caught.value.reason == wire.PLATFORM_FORBIDDEN and caught.value.status == 403


def test_a_sandbox_the_credential_may_not_use(adobe):
    with cdpdb.connect(backend="adobe", **adobe.connect_args(prod_only=True)) as conn:
        assert rows(conn, ONE)  # prod is granted
        assert rows(conn, "SELECT name FROM sandboxes") == [("prod",)]
        with pytest.raises(cdpdb.ProgrammingError) as caught:
            rows(conn, "SELECT count(*) FROM dev.merge_policies")
        assert caught.value.reason == "unknown_sandbox"  # not listed for this credential: not a schema
    with pytest.raises(cdpdb.OperationalError) as refused:  # the gateway refuses the sandbox header itself
        cdpdb.connect(backend="adobe", **adobe.connect_args(prod_only=True, sandbox="dev"))
    assert refused.value.reason == wire.PLATFORM_FORBIDDEN and "sandbox" in str(refused.value)


def test_a_sandbox_that_does_not_exist(adobe):
    with pytest.raises(cdpdb.OperationalError) as caught:
        cdpdb.connect(backend="adobe", **adobe.connect_args(sandbox="staging"))
    assert caught.value.reason == wire.PLATFORM_FORBIDDEN and "staging" in str(caught.value)


def test_unknown_merge_policy_is_an_error_not_an_empty_result(adobe, conn):
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        rows(conn, ONE + " AND merge_policy_id = 'no-such-policy'")
    assert caught.value.reason == wire.UPS_POLICY_NOT_FOUND and caught.value.status == 404


def test_the_server_batch_limit_is_reported(adobe):
    adobe.faults.set_limits(max_batch_identities=5)
    with cdpdb.connect(backend="adobe", **adobe.connect_args()) as conn:
        wanted = ", ".join(repr(identity("email", n, "prod")) for n in range(1, 10))
        with pytest.raises(cdpdb.ProgrammingError) as caught:
            rows(conn, f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity IN ({wanted})")
    assert caught.value.reason == wire.UPS_TOO_MANY


def test_expired_token_logs_in_again(adobe, conn):
    assert rows(conn, ONE)
    logins = conn.session.api.tokens.logins
    adobe.ims.expire_all()
    assert rows(conn, ONE)
    assert conn.session.api.tokens.logins == logins + 1
    assert [e.path for e in adobe.requests.entries].count(wire.IMS_TOKEN) == 1


def test_rate_limit_is_retried(adobe, conn):
    adobe.faults.add(Fault(kind="status", status=429, path=wire.ENTITIES, retry_after=0))
    assert rows(conn, ONE)
    assert len(entity_calls(adobe)) == 2
    assert adobe.faults.stats["faults_injected"] == 1


def test_broken_batch_answer_is_fetched_again(adobe, conn):
    """The batch POST only reads, so a truncated answer is safe to ask for again."""
    adobe.faults.add(Fault(kind="malformed", path=wire.ENTITIES, method="POST"))
    wanted = [identity("email", n, "prod") for n in range(1, 6)]
    got = rows(
        conn,
        f"SELECT identity FROM profiles WHERE namespace = 'email' AND identity IN ({', '.join(map(repr, wanted))})",
    )
    assert sorted(r[0] for r in got) == sorted(wanted)
    assert len(entity_calls(adobe, "POST")) == 2


def test_server_failure_after_retries(adobe):
    adobe.faults.add(Fault(kind="status", status=503, path=wire.ENTITIES, count=-1))
    with cdpdb.connect(backend="adobe", **adobe.connect_args(max_retries=1, retry_max_seconds=2)) as conn:
        adobe.requests.clear()
        with pytest.raises(cdpdb.InternalError) as caught:
            rows(conn, ONE)
    assert caught.value.retryable and caught.value.status == 503
    assert len(entity_calls(adobe)) == 2


def test_html_error_page(adobe, conn):
    """A proxy's HTML page instead of Adobe's JSON: the status is kept, the page's text is quoted."""
    adobe.faults.add(Fault(kind="html", status=400, path=wire.MERGE_POLICIES, count=-1))
    with pytest.raises(cdpdb.ProgrammingError) as caught:
        rows(conn, "SELECT count(*) FROM merge_policies")
    assert caught.value.status == 400 and caught.value.reason is None
    assert "no JSON error body" in str(caught.value)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", wire.MERGE_POLICIES, {"name": "x", "attributeMerge": ["timestampOrdered"]}),
        ("POST", wire.MERGE_POLICIES, {"name": "x", "attributeMerge": {"type": "dataSetPrecedence", "order": [{}]}}),
        ("POST", wire.SYSTEM_JOBS, {"dataSetId": {"id": "x"}}),
        ("POST", wire.EXPORT_JOBS, {"destination": {"datasetId": "d"}, "mergePolicy": ["x"]}),
        ("POST", wire.EXPORT_JOBS, {"destination": {"datasetId": "d"}, "mergePolicy": {"id": {"x": 1}}}),
        (
            "POST",
            wire.ENTITIES,
            {"schema": {"name": wire.PROFILE_SCHEMA}, "identities": [{"entityId": "1", "entityIdNS": []}]},
        ),
        (
            "POST",
            wire.ENTITIES,
            {"schema": {"name": wire.PROFILE_SCHEMA}, "identities": [{"entityId": "1"}], "mergePolicyId": 7},
        ),
    ],
)
def test_malformed_bodies_are_refused_not_crashed_on(adobe, http, method, path, body):
    """Shapes the fuzz test found (or could): each is a 400 in Platform's shape, never a 500."""
    answer = http.call(method, path, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"].endswith(wire.UPS_BAD_REQUEST)


def test_an_export_job_id_of_other_digits(adobe, http):
    answer = http.call("GET", wire.EXPORT_JOB.format(id="²"))
    assert answer.status_code == 404
