"""Fuzzing the local Data Cloud's HTTP API from its own OpenAPI description (schemathesis's
strategies driven by hypothesis): whatever arrives, the answer is never a 5xx and never carries a
traceback."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from cdpdb.local.openapi import spec

OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in schemathesis.openapi.from_dict(spec()).get_all_operations())
}


@pytest.fixture(scope="module")
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

    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case):
        # Half the calls carry a valid token, so that requests reach the handlers, not only the auth check.
        headers = {"Authorization": f"Bearer {token}"} if len(repr(case.body)) % 2 == 0 else {}
        response = case.call(base_url=base, session=session, headers=headers, timeout=30, verify=cloud.ca_path)
        assert response.status_code < 500, (label, case.body, response.status_code, response.text[:300])
        assert "Traceback" not in response.text

    fuzz()
