"""Query results held by an emulator between the calls that page through them.

A query runs once; its result stays as an Arrow table until it expires, and every paging style
of a backend (offsets, single-use batch ids, rows and chunks) reads from it. A result belongs to
the login that ran it, in the dataspace it ran in: :meth:`ResultStore.owned` is the one check.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

import pyarrow as pa

from cdpdb.local.sqlengine import EngineError

RUNNING, FINISHED, FAILED, CANCELLED = "RUNNING", "FINISHED", "FAILED", "CANCELLED"
#: How long an expired result or batch id is still told apart from an unknown one.
_GRACE_SECONDS = 60


@dataclass
class QueryResult:
    query_id: str
    dataspace: str
    owner: str
    expires_at: float
    table: pa.Table | None = None
    error: EngineError | None = None
    state: str = RUNNING
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    cancel_hook: Callable[[], None] | None = None
    #: Maps an error position in the SQL sent to the engine back to the client's own SQL text.
    map_position: Callable[[int], int | None] | None = None
    _encoded: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def row_count(self) -> int:
        return self.table.num_rows if self.table is not None else 0

    def encoded(self, key: str, encode: Callable[[pa.Table], Any]) -> Any:
        """The table encoded once per wire style (``key``), shared by every page read from it."""
        with self._lock:
            if key not in self._encoded:
                assert self.table is not None
                self._encoded[key] = encode(self.table)
            return self._encoded[key]

    def expiration_iso(self) -> str:
        remaining = self.expires_at - time.monotonic()
        return (
            datetime.fromtimestamp(time.time() + remaining, timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )


@dataclass
class Batch:
    """A single-use page id: rows from ``start`` of a result, usable once before ``expires_at``."""

    query_id: str
    start: int
    number: int
    expires_at: float


class ResultNotFound(LookupError):
    """No result of this id for this login and dataspace: never existed, freed, or someone else's."""


class ResultExpired(LookupError):
    """The result existed for this login but its lifetime is over."""


R = TypeVar("R", bound=QueryResult)


class ResultStore(Generic[R]):
    """Results by query id; ``result_type`` lets a backend keep its own facts on each result."""

    def __init__(self, lifetime_seconds: float = 3600.0, result_type: type[R] = QueryResult) -> None:  # type: ignore[assignment]
        self.lifetime = lifetime_seconds
        self._type = result_type
        self._results: dict[str, R] = {}
        self._batches: dict[str, Batch] = {}
        self._spent: set[str] = set()
        self._lock = threading.Lock()

    def new(self, query_id: str, dataspace: str, owner: str) -> R:
        result = self._type(query_id, dataspace, owner, time.monotonic() + self.lifetime)
        with self._lock:
            self._sweep()
            self._results[query_id] = result
        return result

    def get(self, query_id: str) -> R | None:
        with self._lock:
            return self._results.get(query_id)

    def owned(self, query_id: str, user: str, dataspace: str) -> R:
        """The result of ``query_id`` if ``user`` ran it in ``dataspace``. Anyone else gets the same
        :class:`ResultNotFound` as for an id that never existed: an id reveals nothing about other
        users' queries. :class:`ResultExpired` once its lifetime is over."""
        result = self.get(query_id)
        if result is None or result.owner != user or result.dataspace != dataspace:
            raise ResultNotFound(query_id)
        if result.expires_at <= time.monotonic():
            raise ResultExpired(query_id)
        return result

    def drop(self, query_id: str) -> None:
        with self._lock:
            self._results.pop(query_id, None)

    def expire_all(self) -> None:
        """Fault switch: every result and batch id expires now."""
        with self._lock:
            for result in self._results.values():
                result.expires_at = 0
            for batch in self._batches.values():
                batch.expires_at = 0

    # -- single-use batch ids ----------------------------------------------------------------

    def issue_batch(self, query_id: str, start: int, number: int) -> str:
        batch_id = f"{query_id}_{uuid.uuid4()}_{number}"
        with self._lock:
            self._batches[batch_id] = Batch(query_id, start, number, time.monotonic() + self.lifetime)
        return batch_id

    def take_batch(self, batch_id: str) -> Batch | str:
        """Consume a batch id; returns the batch, or why it cannot be used ("unknown", "used", "expired")."""
        with self._lock:
            batch = self._batches.pop(batch_id, None)
            if batch is None:
                return "used" if batch_id in self._spent else "unknown"
            self._spent.add(batch_id)
        if batch.expires_at <= time.monotonic():
            return "expired"
        return batch

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, r in self._results.items() if r.expires_at + _GRACE_SECONDS < now]:
            del self._results[key]
        for key in [k for k, b in self._batches.items() if b.expires_at + _GRACE_SECONDS < now]:
            del self._batches[key]
        if len(self._spent) > 100_000:
            self._spent.clear()
