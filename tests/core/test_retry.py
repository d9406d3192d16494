"""Retry policy (vendor-free): Retry-After in both its forms, bounded attempts, deadlines."""

from __future__ import annotations

import email.utils
import gc
import itertools
import time

import pytest

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
    with pytest.raises(ValueError):
        retrying(lambda: (_ for _ in ()).throw(ValueError("again")))
    assert time.monotonic() - started < 1.0
    error = deadline.expired("the query", "q1")
    assert error.reason == "deadline" and error.query_id == "q1" and "query_timeout=0.2 s" in str(error)


def test_an_error_the_policy_refuses_is_raised_at_once():
    calls = []

    def broken() -> None:
        calls.append(1)
        raise KeyError("not retryable")

    retrying = RetryPolicy(max_retries=5).retrying(lambda e: isinstance(e, ConnectionError), lambda e: 0.0)
    with pytest.raises(KeyError):
        retrying(broken)
    assert calls == [1] and retrying.attempts == 1


def test_the_backoff_grows_and_stays_under_its_cap():
    policy = RetryPolicy(backoff_base=0.2, backoff_max=1.0, jitter=0.1)
    assert 0.2 <= policy.backoff(1) <= 0.3
    assert 0.4 <= policy.backoff(2) <= 0.5
    assert policy.backoff(10) == 1.0 and policy.backoff(5000) == 1.0


def test_a_retry_loop_leaves_no_thread_local_to_the_cyclic_collector():
    """Issue 19: every call's retry state sat in a threading.local inside a reference cycle, so
    the cyclic collector freed thousands of them; on CPython 3.11 a collection that starts inside
    sys._current_frames() (Dask's profiler, every 10 ms) deadlocks freeing one. Nothing of a
    finished call (succeeded, retried, given up) may be left for the collector."""
    policy = RetryPolicy(max_retries=2, max_seconds=5)
    tries = iter([ConnectionError("first"), None, ConnectionError("a"), ConnectionError("b"), ConnectionError("c")])

    def flaky() -> str:
        error = next(tries)
        if error is not None:
            raise error
        return "ok"

    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert policy.retrying(lambda e: isinstance(e, ConnectionError), lambda e: 0.0)(lambda: "ok") == "ok"
        assert policy.retrying(lambda e: isinstance(e, ConnectionError), lambda e: 0.0)(flaky) == "ok"
        with pytest.raises(ConnectionError):
            policy.retrying(lambda e: isinstance(e, ConnectionError), lambda e: 0.0)(flaky)
        gc.collect()
        left = [type(o).__module__ + "." + type(o).__qualname__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not [name for name in left if name.startswith(("_thread.", "cdpdb.", "tenacity."))], left
