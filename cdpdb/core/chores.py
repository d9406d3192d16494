"""Work a connection owes the server but the caller need not wait for (revoking a spent login
token): each chore runs in a background thread at once, and closing the connection gives the
chores still running a short time to finish, so a short script still does them."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

SETTLE_SECONDS = 5.0  # how long close() waits for chores still running


class Chores:
    def __init__(self, name: str) -> None:
        self._name = name
        self._running: list[threading.Thread] = []
        self._lock = threading.Lock()

    def run(self, chore: Callable[[], None]) -> None:
        """Start ``chore`` now in the background; it must catch its own errors."""
        thread = threading.Thread(target=chore, name=f"cdpdb-{self._name}", daemon=True)
        with self._lock:
            self._running = [t for t in self._running if t.is_alive()]
            self._running.append(thread)
        thread.start()

    def settle(self, seconds: float = SETTLE_SECONDS) -> None:
        """Wait up to ``seconds`` in all for the chores still running; the rest are left to end
        on their own (they are hygiene, never a reason to keep a closing program waiting)."""
        with self._lock:
            running, self._running = self._running, []
        deadline = time.monotonic() + seconds
        for thread in running:
            thread.join(max(deadline - time.monotonic(), 0))
            if thread.is_alive():
                log.debug("%s still running after %.0f s; left behind", thread.name, seconds)
                return
