"""When to try a call again and how long to wait: backoff with jitter, ``Retry-After`` (seconds or
an HTTP date), a bound on attempts and on time, and deadlines that span every attempt."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from cdpdb.exceptions import OperationalError

T = TypeVar("T")

RETRY_STATUSES = frozenset({429, 502, 503, 504})  # the server did not do the work: any call may repeat


@dataclass(frozen=True)
class Deadline:
    """When a whole operation (every attempt, every wait) must be over, and the setting that set it."""

    at: float  # time.monotonic()
    setting: str  # named in the error, e.g. "query_timeout=2 s"

    @classmethod
    def after(cls, seconds: float | None, name: str) -> Deadline | None:
        return None if seconds is None else cls(time.monotonic() + seconds, f"{name}={seconds:g} s")

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired(self, what: str, query_id: str | None = None) -> OperationalError:
        return OperationalError(f"{what} did not finish within {self.setting}", query_id=query_id, reason="deadline")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date (RFC 9110)."""
    if value is None:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


@dataclass(frozen=True)
class RetryPolicy:
    """At most ``max_retries`` repeats and ``max_seconds`` in all, waiting as the server asks
    (``Retry-After``) or with exponential backoff and jitter."""

    max_retries: int = 5
    max_seconds: float = 60.0
    backoff_base: float = 0.2
    backoff_max: float = 8.0
    jitter: float = 0.5

    def retrying(
        self,
        should_retry: Callable[[BaseException], bool],
        hinted: Callable[[BaseException | None], float | None],
        deadline: Deadline | None = None,
    ) -> Retrying:
        """The retry loop of one call. ``hinted(error)``: the server's own wait, if it gave one."""
        return Retrying(self, should_retry, hinted, deadline)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based) when the server did
        not say: ``backoff_base`` doubled per attempt, plus up to ``jitter``, at most ``backoff_max``."""
        try:
            grown = self.backoff_base * 2.0 ** (attempt - 1)
        except OverflowError:
            grown = self.backoff_max
        return min(grown + random.uniform(0, self.jitter), self.backoff_max)


class Retrying:
    """Runs one call with the policy's retries: ``retrying(fn, *args, **kwargs)`` returns what
    ``fn`` returns, or raises the last error once the attempts, ``max_seconds`` or the deadline
    run out (or at once for an error ``should_retry`` refuses). ``attempts`` counts the tries.

    Why not tenacity's ``Retrying`` (which this replaced): it keeps each call's state in a
    ``threading.local`` that sits in a reference cycle (the state holds bound methods of the
    retrying object), so every call left a ``threading.local`` for the cyclic garbage collector.
    On CPython 3.11 before the fix of gh-106883 (3.11.7 here; 3.10.13, 3.12.1 and 3.13.0 did not
    reproduce it), a collection that starts inside ``sys._current_frames()`` deadlocks the whole
    process while it holds the GIL: the collector frees the ``threading.local``, whose clean-up
    waits for the interpreter's thread-list lock that ``sys._current_frames()`` already holds. Dask's worker
    profiler calls ``sys._current_frames()`` every 10 ms, so a Dask worker downloading thousands of
    chunks froze, silently (issue 19). This loop holds no thread-local state and builds no cycle:
    everything it allocates is freed by reference counting when the call returns.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        should_retry: Callable[[BaseException], bool],
        hinted: Callable[[BaseException | None], float | None],
        deadline: Deadline | None = None,
    ) -> None:
        self.policy, self.should_retry, self.hinted, self.deadline = policy, should_retry, hinted, deadline
        self.attempts = 0

    def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        started = time.monotonic()
        self.attempts = 0
        while True:
            self.attempts += 1
            try:
                return fn(*args, **kwargs)
            except Exception as error:
                if not self.should_retry(error) or self._out_of_tries(started):
                    raise
                delay = self._delay(error, started)
            time.sleep(delay)

    def _out_of_tries(self, started: float) -> bool:
        policy, deadline = self.policy, self.deadline
        return (
            self.attempts > policy.max_retries
            or time.monotonic() - started >= policy.max_seconds
            or (deadline is not None and deadline.remaining() <= 0)
        )

    def _delay(self, error: BaseException, started: float) -> float:
        """The server's wait if it gave one, else the backoff; never past ``max_seconds`` or the deadline."""
        asked = self.hinted(error)
        delay = asked if asked is not None else self.policy.backoff(self.attempts)
        delay = min(delay, self.policy.max_seconds - (time.monotonic() - started))
        if self.deadline is not None:
            delay = min(delay, self.deadline.remaining())
        return max(delay, 0.0)
