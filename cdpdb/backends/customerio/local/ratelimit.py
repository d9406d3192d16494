"""The local Customer.io's rate: requests counted in a sliding window; above the limit, 429."""

from __future__ import annotations

import threading
import time
from collections import deque


class Window:
    def __init__(self) -> None:
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def admit(self, requests: int, seconds: float) -> float | None:
        """None if one more request fits in the last ``seconds``; else how long until one does."""
        now = time.monotonic()
        with self._lock:
            while self._starts and self._starts[0] <= now - seconds:
                self._starts.popleft()
            if len(self._starts) >= requests:
                return self._starts[0] + seconds - now
            self._starts.append(now)
            return None
