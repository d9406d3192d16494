"""Retry policy (vendor-free): Retry-After in both its forms, bounded attempts, deadlines."""

from __future__ import annotations

import email.utils
import itertools
import time

import pytest
from tenacity import RetryError

from cdpdb.core.retry import Deadline, RetryPolicy, retry_after


@pytest.mark.parametrize(("value", "seconds"), [("3", 3.0), ("0.5", 0.5), ("-2", 0.0), (" 7 ", 7.0)])
def test_retry_after_in_seconds(value, seconds):
    assert retry_after(value) == seconds


def test_retry_after_as_an_http_date():
    now = 1_700_000_000.0
    in_ten = email.utils.formatdate(now + 10, usegmt=True)
    assert retry_after(in_ten, now=now) == pytest.approx(10.0)
    assert retry_after(email.utils.formatdate(now - 10, usegmt=True), now=now) == 0.0  # already past


@pytest.mark.parametrize("value", [None, "", "soon", "Mon, 99 Foo 2026"])
def test_retry_after_that_means_nothing_is_ignored(value):
    assert retry_after(value) is None


def test_attempts_are_bounded_and_the_servers_wait_is_used():
    calls: list[float] = []

    def flaky() -> None:
        calls.append(time.monotonic())
        raise ConnectionError("down")

    policy = RetryPolicy(max_retries=2, max_seconds=5)
    retrying = policy.retrying(lambda e: isinstance(e, ConnectionError), lambda e: 0.05)
    with pytest.raises(ConnectionError):
        retrying(flaky)
    assert len(calls) == 3
    assert all(b - a >= 0.04 for a, b in itertools.pairwise(calls))


def test_a_deadline_stops_retrying_before_the_attempts_run_out():
    deadline = Deadline.after(0.2, "query_timeout")
    assert deadline is not None and deadline.setting == "query_timeout=0.2 s"
    retrying = RetryPolicy(max_retries=100, max_seconds=60).retrying(lambda e: True, lambda e: 0.05, deadline)
    started = time.monotonic()
    with pytest.raises((ValueError, RetryError)):
        retrying(lambda: (_ for _ in ()).throw(ValueError("again")))
    assert time.monotonic() - started < 1.0
    error = deadline.expired("the query", "q1")
    assert error.reason == "deadline" and error.query_id == "q1" and "query_timeout=0.2 s" in str(error)
