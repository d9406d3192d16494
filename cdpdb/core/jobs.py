"""Asynchronous jobs of any API: what a running query shares with ``cancel()``, and polling a
job's status until it is done, within a deadline, stoppable from another thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cdpdb.core.results.fetch import Stopped
from cdpdb.core.retry import Deadline
from cdpdb.exceptions import OperationalError


@dataclass
class QueryControl:
    """What a query being run shares with ``cancel()`` from another thread: the event that stops
    it and, as soon as the server has given one, its id (so the server can be told too)."""

    stop: threading.Event = field(default_factory=threading.Event)
    query_id: str | None = None
    edits: list[tuple[int, int, int]] = field(default_factory=list)  # how binding rewrote the SQL


Status = dict[str, Any]


def wait_until_done(
    status: Status,
    done: Callable[[Status], bool],
    poll: Callable[[int], Status],
    cancel: Callable[[], None],
    deadline: Deadline | None,
    stop: threading.Event,
    job_id: str,
    longest_wait_ms: int,
) -> Status:
    """Poll (``poll(wait_ms)``, a long poll where the API has one) until ``done(status)``; past
    the deadline cancel the job and raise. ``stop`` set from another thread ends the wait with
    :class:`Stopped` (``cancel()`` also cancels on the server, which ends a long poll at once)."""
    while not done(status):
        if stop.is_set():
            raise Stopped
        wait_ms = longest_wait_ms
        if deadline is not None:
            remaining = deadline.remaining()
            if remaining <= 0:
                cancel()
                raise OperationalError(
                    f"query {job_id} did not finish within {deadline.setting}; it was cancelled on the server",
                    query_id=job_id,
                    reason="deadline",
                )
            wait_ms = max(min(wait_ms, int(remaining * 1000)), 1)
        status = poll(wait_ms)
    return status
