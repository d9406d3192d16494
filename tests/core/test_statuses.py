"""The shared status → exception ladder (a pure function): each rung, and the data a backend hands in."""

from __future__ import annotations

import pytest

from cdpdb.core.statuses import TRANSIENT, status_error
from cdpdb.exceptions import DataError, InternalError, OperationalError, ProgrammingError


def error(status: int, **options):
    return status_error(status, "it said no", what="reading x", login_fix="check the key", **options)


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_login_names_the_fix(status):
    e = error(status, request_id="r1", query_id="q1")
    assert isinstance(e, OperationalError) and e.reason == "unauthorised" and not e.retryable
    assert e.message == f"reading x was not authorised (HTTP {status}): it said no; check the key"
    assert (e.status, e.request_id, e.query_id) == (status, "r1", "q1")


def test_a_code_that_means_a_refused_login_at_another_status():
    e = error(400, unauthorised=True, code="invalid_client")
    assert isinstance(e, OperationalError) and e.reason == "invalid_client"


def test_a_rate_limit_is_retryable_and_says_the_attempts_and_the_fix():
    e = error(429, attempts=3, rate_fix="lower rate_limit")
    assert isinstance(e, OperationalError) and e.retryable and e.reason == "rate_limited"
    assert e.message == "reading x was rate-limited (HTTP 429) after 3 attempts: it said no; lower rate_limit"
    assert error(429).message == "reading x was rate-limited (HTTP 429): it said no"


def test_server_failures_are_retryable_as_the_backend_says():
    assert all(isinstance(error(s), InternalError) and error(s).retryable for s in (500, 501, 503))
    assert [error(s, retryable_statuses=TRANSIENT).retryable for s in (500, 502, 503, 504)] == [False, True, True, True]


def test_refusals_of_the_data_and_the_rest():
    assert (
        isinstance(error(422, data_statuses=(422,)), DataError) and error(422, data_statuses=(422,)).reason == "refused"
    )
    plain = error(422)
    assert type(plain) is ProgrammingError and plain.reason is None
    assert plain.message == "reading x was refused (HTTP 422): it said no"


def test_not_found_has_its_sqlstate_only_when_the_backend_gives_one():
    found = error(404, not_found_sqlstate="42P01", code="E404")
    assert found.sqlstate == "42P01" and found.reason == "E404" and "found nothing (HTTP 404)" in found.message
    assert error(404).sqlstate is None and "was refused (HTTP 404)" in error(404).message
