"""When to try a call again and how long to wait: backoff with jitter, ``Retry-After`` (seconds or
an HTTP date), a bound on attempts and on time, and deadlines that span every attempt."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, stop_after_delay
from tenacity.stop import stop_base
from tenacity.wait import wait_exponential_jitter

from cdpdb.exceptions import OperationalError

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
        """A tenacity loop for one call. ``hinted(error)``: the server's own wait, if it gave one."""
        backoff = wait_exponential_jitter(multiplier=self.backoff_base, max=self.backoff_max, jitter=self.jitter)

        def wait(state: RetryCallState) -> float:
            error = state.outcome.exception() if state.outcome else None
            asked = hinted(error)
            delay = asked if asked is not None else backoff(state)
            delay = min(delay, self.max_seconds - (time.monotonic() - state.start_time))
            if deadline is not None:
                delay = min(delay, deadline.remaining())
            return max(delay, 0.0)

        return Retrying(
            stop=stop_after_attempt(self.max_retries + 1) | stop_after_delay(self.max_seconds) | _StopAt(deadline),
            wait=wait,
            retry=retry_if_exception(should_retry),
            reraise=True,
        )


class _StopAt(stop_base):
    def __init__(self, deadline: Deadline | None) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.deadline is not None and self.deadline.remaining() <= 0
