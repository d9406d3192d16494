"""Fetch scheduling: pages read ahead in a background thread, chunks downloaded in parallel and
delivered in order, both with bounded memory.

Every schedule watches a ``stop`` event that any thread may set (``cancel()``, ``close()``):
the consumer then gets :class:`Stopped` within :data:`POLL_SECONDS`, and every helper thread
ends as soon as the call it is in returns, dropping the pages it held. No helper thread ever
blocks forever on a consumer that went away, and with a :class:`Patience` no consumer waits
forever on a download that stopped making progress: it raises the error the caller gave, which
names what it waited for.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures import wait as wait_for
from dataclasses import dataclass
from typing import TypeVar, cast

import pyarrow as pa

POLL_SECONDS = 0.05  # how often a waiting consumer or helper looks at the stop event
Page = TypeVar("Page")  # what a prefetched iterator yields: a table, or what one is read from


class Stopped(Exception):
    """The fetch was stopped from outside (``cancel()``, ``close()``) before the result ended."""


@dataclass(frozen=True)
class Patience:
    """How long the consumer waits for the next item (seconds) before it gives up, and the error
    it raises then: ``late(n, seconds)`` for item ``n``, naming what was waited for and the
    setting that bounds it. A bound on waiting, not on work: a wait ends as soon as the item is
    there, so it should exceed everything the fetch itself may legitimately take (its retries)."""

    seconds: float
    late: Callable[[int, float], Exception]


_DONE = object()


def prefetch(pages: Iterator[Page], depth: int, stop: threading.Event) -> Iterator[Page]:
    """Read up to ``depth`` pages ahead in a background thread while the caller consumes."""
    if depth <= 0:
        yield from _checked(pages, stop)
        return
    slots: queue.Queue[object] = queue.Queue(maxsize=depth)
    halt = threading.Event()  # set when this generator ends, whatever the reason

    def halted() -> bool:
        return halt.is_set() or stop.is_set()

    def offer(item: object) -> bool:
        while not halted():
            try:
                slots.put(item, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        try:
            for page in pages:
                if not offer(page):
                    return
            offer(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            offer(exc)
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()  # this thread is the one running ``pages``: it may close it

    worker = threading.Thread(target=pump, name="cdpdb-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            if stop.is_set():
                raise Stopped
            try:
                item = slots.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(Page, item)  # anything else in the slots is a page pump() offered
    finally:
        halt.set()
        _drain(slots)  # the pages read ahead are not wanted any more: free them now


def _checked(pages: Iterator[Page], stop: threading.Event) -> Iterator[Page]:
    for page in pages:
        if stop.is_set():
            raise Stopped
        yield page


def _drain(slots: queue.Queue[object]) -> None:
    while True:
        try:
            slots.get_nowait()
        except queue.Empty:
            return


def ordered_parallel(
    fetch: Callable[[int], pa.Table],
    count: int,
    workers: int,
    in_flight: int,
    stop: threading.Event,
    patience: Patience | None = None,
) -> Iterator[pa.Table]:
    """``fetch(0..count-1)`` on a pool of ``workers`` threads, yielded in order, with at most
    ``in_flight`` results fetched ahead of the consumer (so memory stays bounded). With
    ``patience``, the consumer waits at most ``patience.seconds`` for each result. With one
    worker the consumer fetches itself, so only the fetch's own timeouts bound it. Either way
    Ctrl-C ends the program at once: downloads under way do not hold it (see :class:`_Downloads`)."""
    if workers <= 1 or count <= 1:
        yield from _checked((fetch(n) for n in range(count)), stop)
        return
    pool = _Downloads(min(workers, count))
    pending: deque[Future[pa.Table]] = deque()
    submitted = 0
    try:
        while submitted < count or pending:
            while submitted < count and len(pending) < max(in_flight, 1):
                pending.append(pool.submit(fetch, submitted))
                submitted += 1
            number = submitted - len(pending)  # of the oldest download, the one yielded next
            yield _result_unless_stopped(pending.popleft(), stop, patience, number)
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown()  # downloads under way end on their own


class _Downloads:
    """A pool of daemon threads. ``ThreadPoolExecutor``'s threads are joined when the interpreter
    exits, so after Ctrl-C a program would wait for every download under way — up to
    ``read_timeout`` each, minutes on a stalled network. A download abandoned here is not
    wanted by anyone; the process may end without it."""

    def __init__(self, workers: int) -> None:
        self._tasks: queue.SimpleQueue[tuple[Future[pa.Table], Callable[[int], pa.Table], int] | None] = (
            queue.SimpleQueue()
        )
        self._workers = workers
        for n in range(workers):
            threading.Thread(target=self._work, name=f"cdpdb-fetch-{n}", daemon=True).start()

    def submit(self, fetch: Callable[[int], pa.Table], number: int) -> Future[pa.Table]:
        future: Future[pa.Table] = Future()
        self._tasks.put((future, fetch, number))
        return future

    def shutdown(self) -> None:
        """Each thread ends after the download it is in (queued ones were cancelled by the caller)."""
        for _ in range(self._workers):
            self._tasks.put(None)

    def _work(self) -> None:
        while (task := self._tasks.get()) is not None:
            future, fetch, number = task
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fetch(number))
            except BaseException as exc:  # handed to the consumer, raised there
                future.set_exception(exc)


def _result_unless_stopped(
    future: Future[pa.Table], stop: threading.Event, patience: Patience | None, number: int
) -> pa.Table:
    give_up = None if patience is None else time.monotonic() + patience.seconds
    while not wait_for([future], timeout=POLL_SECONDS).done:
        if stop.is_set():
            raise Stopped
        if give_up is not None and time.monotonic() >= give_up:
            assert patience is not None
            raise patience.late(number, patience.seconds)
    if stop.is_set():
        raise Stopped
    return future.result()
