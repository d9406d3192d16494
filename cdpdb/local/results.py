"""Query results held by the local Data Cloud between the calls that page through them.

A query runs once; its result stays as an Arrow table until it expires, and every paging
style (V1 offsets, V2 single-use batch ids, V3 rows and chunks, Connect rows) reads from it.
"""

from __future__ import annotations

import base64
import itertools
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow as pa

from cdpdb.local.encoding import JsonRows
from cdpdb.local.engine import EngineError

RUNNING, FINISHED, FAILED, CANCELLED = "RUNNING", "FINISHED", "FAILED", "CANCELLED"
_sequence = itertools.count(1)


def trino_query_id() -> str:
    """V1/V2 ids look like Trino's: ``20211006_133630_00059_9adm3``."""
    now = datetime.now(timezone.utc)
    suffix = base64.b32encode(os.urandom(5)).decode().lower()[:5]
    return f"{now:%Y%m%d_%H%M%S}_{next(_sequence) % 100000:05d}_{suffix}"


def hyper_query_id() -> str:
    """V3 / Connect ids look like ``MTAuMjcuMTgxLjE0OTo3NDg0_1cfc8d35``."""
    host = base64.urlsafe_b64encode(b"127.0.0.1:7484").decode().rstrip("=")
    return f"{host}_{uuid.uuid4().hex[:8]}{next(_sequence):x}"


@dataclass
class QueryResult:
    query_id: str
    dataspace: str
    owner: str
    expires_at: float
    aggregates: tuple[bool, ...] | None = None
    table: pa.Table | None = None
    error: EngineError | None = None
    state: str = RUNNING
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None
    done: threading.Event = field(default_factory=threading.Event)
    cancel_hook: Callable[[], None] | None = None
    #: Maps an error position in the SQL sent to Hyper back to the client's own SQL text.
    map_position: Callable[[int], int | None] | None = None
    _json: dict[str, JsonRows] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def row_count(self) -> int:
        return self.table.num_rows if self.table is not None else 0

    def json_rows(self, style: str) -> JsonRows:
        """Rows encoded once per wire style ('legacy' or 'typed'), shared by all pages."""
        with self._lock:
            if style not in self._json:
                assert self.table is not None
                if style == "legacy":
                    flags = self.aggregates or (False,) * self.table.num_columns
                    modes = ["number" if f else "string" for f in flags]
                else:
                    modes = ["typed"] * self.table.num_columns
                self._json[style] = JsonRows(self.table, modes)
            return self._json[style]

    def expiration_iso(self) -> str:
        remaining = self.expires_at - time.monotonic()
        return (
            datetime.fromtimestamp(time.time() + remaining, timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")
        )


@dataclass
class Batch:
    """One V2 batch: rows ``[start, stop)`` of a result, usable once before ``expires_at``."""

    query_id: str
    start: int
    number: int
    expires_at: float


class ResultStore:
    def __init__(self, lifetime_seconds: float = 3600.0) -> None:
        self.lifetime = lifetime_seconds
        self._results: dict[str, QueryResult] = {}
        self._batches: dict[str, Batch] = {}
        self._spent: set[str] = set()
        self._lock = threading.Lock()

    def new(self, query_id: str, dataspace: str, owner: str) -> QueryResult:
        result = QueryResult(query_id, dataspace, owner, time.monotonic() + self.lifetime)
        with self._lock:
            self._sweep()
            self._results[query_id] = result
        return result

    def get(self, query_id: str) -> QueryResult | None:
        with self._lock:
            return self._results.get(query_id)

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

    # -- V2 batch ids ------------------------------------------------------------------------

    def issue_batch(self, query_id: str, start: int, number: int) -> str:
        batch_id = f"{query_id}_{uuid.uuid4()}_{number}"
        with self._lock:
            self._batches[batch_id] = Batch(query_id, start, number, time.monotonic() + self.lifetime)
        return batch_id

    def take_batch(self, batch_id: str) -> Batch | str:
        """Consume a batch id; returns the batch, or why it cannot be used."""
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
        for key in [k for k, r in self._results.items() if r.expires_at + 60 < now]:
            del self._results[key]
        for key in [k for k, b in self._batches.items() if b.expires_at + 60 < now]:
            del self._batches[key]
        if len(self._spent) > 100_000:
            self._spent.clear()
