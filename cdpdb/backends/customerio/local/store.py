"""What the local Customer.io received: every accepted call once per ``messageId``.

The service de-duplicates by ``messageId`` ("for de-duplication", the API reference says; how
long it remembers is not documented — the local one remembers for its lifetime, UNCONFIRMED).
A call whose id was already seen is counted as a duplicate and not kept again, so a test can
prove that retries delivered every row exactly once. Calls of a request not processed (a
non-strict request that was too big, badly authorised or malformed) are counted as dropped.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class Received:
    """``keep_calls=False`` keeps only the ids and the counts (a million-row benchmark's server
    would otherwise hold every call in memory)."""

    def __init__(self, keep_calls: bool = True) -> None:
        self.keep_calls = keep_calls
        self._lock = threading.Lock()
        self.calls: list[dict[str, Any]] = []
        self._ids: set[str] = set()
        self.stats: Counter[str] = Counter()

    def accept(self, calls: list[dict[str, Any]]) -> tuple[int, int]:
        """Keep the calls whose messageId is new; (kept, duplicates)."""
        kept = duplicates = 0
        with self._lock:
            for call in calls:
                message_id = call.get("messageId")
                if message_id is not None:
                    if message_id in self._ids:
                        duplicates += 1
                        continue
                    self._ids.add(message_id)
                if self.keep_calls:
                    self.calls.append(call)
                kept += 1
            self.stats["accepted"] += kept
            self.stats["duplicates"] += duplicates
        return kept, duplicates

    def count(self, what: str, n: int = 1) -> None:
        with self._lock:
            self.stats[what] += n

    def read(self, kind: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """The calls kept (of one type, or all), in arrival order, from position ``since``."""
        with self._lock:
            calls = self.calls[since:]
        return [c for c in calls if kind is None or c.get("type") == kind]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()
            self._ids.clear()
            self.stats.clear()
