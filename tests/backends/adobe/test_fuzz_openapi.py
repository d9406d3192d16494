"""Fuzzing the local Adobe from its own OpenAPI description (schemathesis's strategies driven by
hypothesis): bodies, query, header and path parameters, valid and schema-breaking. Whatever
arrives, the answer is never a 5xx and never carries a traceback."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from cdpdb.backends.adobe import wire
from cdpdb.backends.adobe.local import serve
from cdpdb.backends.adobe.local.app import spec
from tests.backends.adobe.conftest import Http
from tests.conftest import ISSUED_SECRETS

OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in schemathesis.openapi.from_dict(spec()).get_all_operations())
}


@pytest.fixture(scope="module")
def fuzzed():
    """A server of its own: fuzzed deletes and creates must not change what other tests read."""
    with serve(scale=50, seed=1) as server:
        ISSUED_SECRETS.update({server.credential.client_secret, server.prod_only_credential.client_secret})
        http = Http(server)
        token = http.token()
        ISSUED_SECRETS.add(token)
        yield server, token


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(fuzzed, label):
    server, token = fuzzed
    operation = OPERATIONS[label]
    session = requests.Session()
    session.trust_env = False
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=strategy, pick=st.integers(0, 3))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case, pick):
        headers = {}
        if pick:  # most calls pass the gateway, so that requests reach the handlers
            headers = {
                wire.AUTHORIZATION: f"Bearer {token}",
                wire.API_KEY: server.credential.client_id,
                wire.ORG_ID: server.org_id,
                wire.SANDBOX: "prod" if pick < 3 else "dev",
            }
        response = case.call(base_url=server.url, session=session, headers=headers, timeout=30, verify=server.ca_path)
        assert response.status_code < 500, (label, case.body, case.query, response.status_code, response.text[:300])
        assert "Traceback" not in response.text

    fuzz()
