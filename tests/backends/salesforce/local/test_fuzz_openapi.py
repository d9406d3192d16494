"""Fuzzing the local Data Cloud's HTTP API from its own OpenAPI description (schemathesis's
strategies driven by hypothesis): request bodies, query, path and header parameters, valid ones
(positive) and ones that break the schema (negative, e.g. ``rowLimit: "x"``). Whatever arrives,
the answer is never a 5xx and never carries a traceback."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from cdpdb.backends.salesforce.local.openapi import spec
from cdpdb.local import serve
from tests.conftest import Api

#: Expiring every token would leave the rest of the session's tests logged out; its body is two
#: booleans, covered by tests/test_faults.py.
NOT_FUZZED = {"POST /__cdpdb/expire"}
ALL = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in schemathesis.openapi.from_dict(spec()).get_all_operations())
    if f"{op.method.upper()} {op.path}" not in NOT_FUZZED
}
#: The Ingestion API changes the objects other tests read: fuzzed on a private local Data Cloud.
INGESTION = {label: op for label, op in ALL.items() if op.path.startswith("/api/v1/ingest")}
OPERATIONS = {label: op for label, op in ALL.items() if label not in INGESTION}


def session_for(api):
    session = requests.Session()
    session.trust_env = False
    session.verify = api.cloud.ca_path
    return session, api.dc_token(), api.core_token()


@pytest.fixture(scope="module")
def private_api():
    with serve(scale=50, seed=11) as cloud:
        yield Api(cloud)


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(api, label):
    fuzz_operation(api.cloud, session_for(api), OPERATIONS[label], label)


@pytest.mark.parametrize("label", sorted(INGESTION))
def test_no_server_errors_in_ingestion(private_api, label):
    fuzz_operation(private_api.cloud, session_for(private_api), INGESTION[label], label)


def fuzz_operation(cloud, fuzz_session, operation, label):
    session, dc_token, core_token = fuzz_session
    path = operation.path
    token = core_token if path.startswith("/services/data") else dc_token
    base = cloud.login_url if path.startswith("/services") else cloud.tenant_url
    admin = path.startswith("/__cdpdb")
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=strategy)
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case):
        # Half the calls carry valid credentials, so that requests reach the handlers, not only the auth check.
        valid = len(repr(case.body)) % 2 == 0
        headers = {"Authorization": f"Bearer {token}"} if valid else {}
        if admin and valid:
            headers["X-Cdpdb-Admin"] = cloud.admin_key
        if admin and isinstance(case.body, dict) and "dataspace" in case.body:
            case.body["dataspace"] = "marketing"  # fuzzed DDL stays away from the dataset other tests read
        response = case.call(base_url=base, session=session, headers=headers, timeout=30, verify=cloud.ca_path)
        assert response.status_code < 500, (label, case.body, case.query, response.status_code, response.text[:300])
        assert "Traceback" not in response.text
        cloud.faults.clear()  # a fuzzed fault or limit must not hit the next request

    fuzz()
