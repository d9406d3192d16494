"""Pacing requests under an API's rate: at most N request starts in any window of T seconds.

A sliding window (the start times of the last N requests), shared by the threads of a session:
an API that counts requests per window (3,000 per 3 s, say) never sees more from us, so
its 429s (and, where it does not say 429, its silent throttling) are not provoked at all.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


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
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds spent waiting in all (reported by benchmarks)

    def wait(self) -> float:
        """Block until one more request may start within the rate; the seconds waited."""
        waited = 0.0
        with self._lock:
            while True:
                now = self._clock()
                while self._starts and self._starts[0] <= now - self.window:
                    self._starts.popleft()
                if len(self._starts) < self.requests:
                    self._starts.append(now)
                    self.waited += waited
                    return waited
                pause = self._starts[0] + self.window - now
                self._sleep(pause)
                waited += pause
