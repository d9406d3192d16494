"""The fault matrix: every Query API × every fault. Each cell returns the fault-free result row for
row, or raises the right exception with a clear message within the time bound. The matrix is
printed at the end of the test run (and kept in docs/reliability.md)."""

from __future__ import annotations

import time

import pytest

import cdpdb
from cdpdb.local import Fault
from tests.conftest import V3_READS

SQL = 'SELECT * FROM "ssot__SalesOrder__dlm" ORDER BY "ssot__Id__c"'
TIME_BOUND = 30.0
MATRIX: dict[tuple[str, str], str] = {}

# Where each API fetches its second and later pages, and the limits that make many pages.
PAGES = {
    "v1": ("^/api/v1/query$", {"v1_max_rows": 500}),
    "v2": ("^/api/v2/query/", {"v2_batch_rows": 500}),
    "v3": (V3_READS, {"v3_chunk_rows": 500, "page_rows": 10}),
    "connect": ("/rows$", {"connect_page_bytes": 20_000}),
}
FAULTS = [
    "429 + Retry-After",
    "503 burst",
    "reset mid-body",
    "read timeout",
    "token expiry (401)",
    "batch/chunk expired",
    "malformed JSON",
    "HTML error page",
    "truncated Arrow",
    "server restart",
]
UNSAFE = "not safe to repeat, run the query again"
EXPECTED = {  # anything not listed: the complete, fault-free result
    ("v2", "reset mid-body"): UNSAFE,
    ("v2", "read timeout"): UNSAFE,
    ("v2", "malformed JSON"): UNSAFE,
    ("v2", "HTML error page"): UNSAFE,
    ("v2", "truncated Arrow"): UNSAFE,
    ("v2", "batch/chunk expired"): "has expired",
    ("v3", "batch/chunk expired"): "have expired",
    ("connect", "batch/chunk expired"): "have expired",
}
NOT_APPLICABLE = {("connect", "truncated Arrow")}  # the Connect API has no Arrow format
MATRIX.update({cell: "n/a (no Arrow)" for cell in NOT_APPLICABLE})


def _fault(name: str, path: str) -> Fault | None:
    return {
        "429 + Retry-After": Fault(kind="status", status=429, retry_after=1, count=2, skip=1, path=path),
        "503 burst": Fault(kind="status", status=503, count=3, skip=1, path=path),
        "reset mid-body": Fault(kind="reset", count=1, skip=1, path=path),
        "read timeout": Fault(kind="delay", seconds=3, count=1, skip=1, path=path),
        "malformed JSON": Fault(kind="malformed", count=1, skip=1, path=path),
        "HTML error page": Fault(kind="html", status=200, count=1, skip=1, path=path),
        "truncated Arrow": Fault(kind="malformed", count=1, skip=1, path=path),
    }.get(name)


@pytest.fixture(scope="module")
def expected_rows(api):
    return [tuple(r.values()) for r in api.hyper(SQL).to_pylist()]


@pytest.mark.parametrize(
    ("api_name", "fault_name"),
    [(api, fault) for api in PAGES for fault in FAULTS if (api, fault) not in NOT_APPLICABLE],
)
def test_fault_matrix(cloud, connect, expected_rows, api_name, fault_name):
    expectation = EXPECTED.get((api_name, fault_name), "ok")
    path, limits = PAGES[api_name]
    conn = connect(
        api=api_name,
        arrow=fault_name != "malformed JSON",
        prefetch=0,
        max_workers=1,
        read_timeout=1.0,
        max_retries=3,
        retry_max_seconds=10,
    )
    fault = _fault(fault_name, path)
    started = time.monotonic()
    outcome = "ok"
    with cloud.faults.inject(*([fault] if fault else []), **limits):
        cur = conn.cursor()
        try:
            cur.execute(SQL, **({"orderby": "ssot__Id__c", "page_rows": 500} if api_name == "v1" else {}))
            rows = cur.fetchmany(10)
            if fault_name == "token expiry (401)":
                cloud.expire_tokens()
            elif fault_name == "batch/chunk expired":
                cloud.expire_results()
            elif fault_name == "server restart":
                cloud.restart(downtime=0.5)
            rows += cur.fetchall()
            assert rows == expected_rows, "rows were lost, duplicated or changed"
        except cdpdb.Error as exc:
            outcome = f"{type(exc).__name__}: {exc}"
    elapsed = time.monotonic() - started
    MATRIX[(api_name, fault_name)] = (
        "complete result" if outcome == "ok" else outcome.split(":")[0]
    ) + f" ({elapsed:.1f} s)"
    assert elapsed < TIME_BOUND
    if expectation == "ok":
        assert outcome == "ok"
    else:
        assert outcome.startswith("OperationalError") and expectation in outcome, outcome
