"""Fuzzing the local Treasure Data from its own OpenAPI description (schemathesis's strategies
driven by hypothesis): bodies, query and path parameters, valid (positive) and schema-breaking
(negative). Whatever arrives, the answer is never a 5xx and never carries a traceback."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from cdpdb.backends.treasuredata.local import serve
from cdpdb.backends.treasuredata.local.openapi import spec
from tests.conftest import ISSUED_SECRETS

#: Expiring every result only repeats test_errors_faults.py's test.
NOT_FUZZED = {"POST /__cdpdb/expire"}
OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in schemathesis.openapi.from_dict(spec()).get_all_operations())
    if f"{op.method.upper()} {op.path}" not in NOT_FUZZED
}
#: Real ids, so that generated requests also reach the handlers behind the 404s.
IDS = {"audience_id": ["300001", "300002"], "segment_id": ["1500001", "1500101"], "folder_id": ["800001", "800011"]}


@pytest.fixture(scope="module")
def td():
    """A server of its own: fuzzed creates and updates must not change the dataset other tests read."""
    with serve(scale=200, seed=42) as server:
        ISSUED_SECRETS.update({server.apikey, server.other_apikey, server.write_only_apikey, server.admin_key})
        yield server


@pytest.fixture
def fuzz_session(td):
    session = requests.Session()
    session.trust_env = False
    session.verify = td.ca_path
    return session


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_server_errors(td, fuzz_session, label):
    operation = OPERATIONS[label]
    admin = operation.path.startswith("/__cdpdb")
    strategy = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )

    @given(case=strategy, pick=st.integers(0, 3))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case, pick):
        valid = pick != 0  # most calls carry a valid key, so that requests reach the handlers
        headers = {"Authorization": f"TD1 {td.apikey}"} if valid else {}
        if admin and valid:
            headers["X-Cdpdb-Admin"] = td.admin_key
        if pick >= 2 and isinstance(case.path_parameters, dict):
            for name, choices in IDS.items():
                if name in case.path_parameters:
                    case.path_parameters[name] = choices[pick % 2]
        if isinstance(case.body, dict) and "limits" in case.body and isinstance(case.body["limits"], dict):
            case.body["limits"].pop("latency_ms", None)  # a fuzzed latency would only slow the run
        response = case.call(base_url=td.site_url, session=fuzz_session, headers=headers, timeout=30, verify=td.ca_path)
        assert response.status_code < 500, (label, case.body, case.query, response.status_code, response.text[:300])
        assert "Traceback" not in response.text
        td.faults.clear()  # a fuzzed fault or limit must not hit the next request

    fuzz()
