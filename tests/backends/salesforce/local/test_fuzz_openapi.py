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

#: Expiring every token would leave the rest of the session's tests logged out; its body is two
#: booleans, covered by tests/test_faults.py.
NOT_FUZZED = {"POST /__cdpdb/expire"}
OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in schemathesis.openapi.from_dict(spec()).get_all_operations())
    if f"{op.method.upper()} {op.path}" not in NOT_FUZZED
}


@pytest.fixture
def fuzz_session(api):
    session = requests.Session()
    session.trust_env = False
    session.verify = api.cloud.ca_path
    return session, api.dc_token(), api.core_token()


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(cloud, fuzz_session, label):
    session, dc_token, core_token = fuzz_session
    operation = OPERATIONS[label]
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
