"""Pacing requests under an API's rate: at most N requests in any window of T seconds.

A sliding window over the last N requests, shared by the threads of a session: an API that
counts requests per window (3,000 per 3 s, say) never sees more from us, so its 429s (and, where
it does not say 429, its silent throttling) are not provoked at all. A request counts from its
answer, not from its start: the server counted it when it arrived, somewhere between the two,
and only the answer bounds that from above. Counting from starts let a request that was slow to
arrive and a later one that was quick fall in one of the server's windows (a 429 under load).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

IN_FLIGHT_POLL = 0.01  # how often a waiter looks again while the oldest request has no answer yet


class Pacer:
    def __init__(
        self,
        requests: int,
        window_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests < 1 or window_seconds <= 0:
            raise ValueError("a pace needs at least 1 request per a positive window")
        self.requests, self.window = requests, window_seconds
        self._clock, self._sleep = clock, sleep
        self._answered: deque[list[float]] = deque()  # per request: when its answer came (inf: not yet)
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting in all (reported by benchmarks)

    @contextmanager
    def slot(self) -> Iterator[float]:
        """Wait until one more request may go within the rate (yields the seconds waited); send
        it inside the block. Leaving the block, with an answer or an error, is when it counts."""
        answered, waited = self._take()
        try:
            yield waited
        finally:
            answered[0] = self._clock()  # one store: no lock needed, a waiter reads it next time round

    def _take(self) -> tuple[list[float], float]:
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                while self._answered and self._answered[0][0] <= now - self.window:
                    self._answered.popleft()
                if len(self._answered) < self.requests:
                    answered = [math.inf]
                    self._answered.append(answered)
                    self.waited += waited
                    return answered, waited
                oldest = self._answered[0][0]
                if oldest == math.inf:  # no answer yet: it may still arrive at any moment
                    self._sleep(IN_FLIGHT_POLL)
                    waited += IN_FLIGHT_POLL
                    continue
                pause = oldest + self.window - now
                if pause > 0:
                    self._sleep(pause)
                    waited += pause
                self._answered.popleft()  # its window has passed (no second look at the clock: rounding)
