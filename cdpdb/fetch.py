"""Fetch scheduling: pages read ahead in a background thread, chunks downloaded in parallel and
delivered in order, both with bounded memory."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

import pyarrow as pa


def prefetch(pages: Iterator[pa.Table], depth: int = 1) -> Iterator[pa.Table]:
    """Fetch up to ``depth`` pages ahead in a background thread while the caller consumes."""
    if depth <= 0:
        yield from pages
        return
    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def pump() -> None:
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        slots.put(page, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            slots.put(exc)

    worker = threading.Thread(target=pump, name="cdpdb-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item = slots.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()


def ordered_parallel(fetch, count: int, workers: int, in_flight: int) -> Iterator[pa.Table]:
    """``fetch(0..count-1)`` on a pool of ``workers`` threads, yielded in order, with at most
    ``in_flight`` results fetched ahead of the consumer (so memory stays bounded)."""
    if workers <= 1 or count <= 1:
        for n in range(count):
            yield fetch(n)
        return
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cdpdb-fetch")
    pending: deque = deque()
    submitted = 0
    try:
        while submitted < count or pending:
            while submitted < count and len(pending) < max(in_flight, 1):
                pending.append(pool.submit(fetch, submitted))
                submitted += 1
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
