"""Running queries on the engine for any emulator: on worker threads, cancellable, awaitable
from the event loop without holding a thread."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pyarrow as pa

from cdpdb.local.faults import FaultPlan
from cdpdb.local.results import CANCELLED, FAILED, FINISHED, QueryResult, ResultStore
from cdpdb.local.sqlengine import CANCELED, Engine, EngineError

log = logging.getLogger(__name__)

_CANCELED_MESSAGE = "canceling statement due to user request"


class QueryRunner:
    """Runs each query once for a :class:`QueryResult`, honouring the plan's ``query_seconds``."""

    def __init__(self, engine: Engine, faults: FaultPlan, results: ResultStore) -> None:
        self.engine, self.faults, self.results = engine, faults, results
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="cdpdb-query")
        #: Results whose statement the engine is executing right now (query id → result): what a
        #: cancel must stop, and what tests observe to see that abandoned work stopped.
        self.running: dict[str, QueryResult] = {}
        self._running_lock = threading.Lock()

    def has_dataspace(self, name: str) -> bool:
        return name in self.engine.dataspaces

    def submit(self, result: QueryResult, sql: str) -> QueryResult:
        """Start ``sql`` for ``result`` on a worker thread; the caller waits on ``result.done``."""
        cancelled = threading.Event()
        result.cancel_hook = cancelled.set
        self._executor.submit(self._run, result, sql, cancelled)
        return result

    def _run(self, result: QueryResult, sql: str, cancelled: threading.Event) -> None:
        try:
            if cancelled.wait(self.faults.limits.query_seconds):
                raise EngineError(CANCELED, _CANCELED_MESSAGE)

            def on_start(cancel: Callable[[], None]) -> None:
                result.cancel_hook = lambda: (cancelled.set(), cancel())
                if cancelled.is_set():  # cancelled while waiting for a connection: never start
                    raise EngineError(CANCELED, _CANCELED_MESSAGE)
                with self._running_lock:
                    self.running[result.query_id] = result

            table = self.engine.query_arrow(result.dataspace, sql, on_start=on_start)
            if cancelled.is_set():
                raise EngineError(CANCELED, _CANCELED_MESSAGE)
            result.table, result.state = table, FINISHED
        except EngineError as exc:
            if exc.position is not None and result.map_position is not None:
                exc = replace(exc, position=result.map_position(exc.position))
            result.error = exc
            result.state = CANCELLED if exc.sqlstate == CANCELED else FAILED
        except Exception as exc:  # the engine died or a bug: report it, never hang the client
            log.exception("query %s failed unexpectedly", result.query_id)
            result.error, result.state = EngineError("XX000", f"internal error: {type(exc).__name__}"), FAILED
        finally:
            with self._running_lock:
                self.running.pop(result.query_id, None)
            result.finished = time.monotonic()
            result.done.set()

    def cancel(self, result: QueryResult) -> None:
        """Stop ``result``'s statement in the engine (a cancel request on its connection); blocks briefly."""
        if result.cancel_hook is not None and not result.done.is_set():
            result.cancel_hook()

    async def wait(self, result: QueryResult, seconds: float) -> bool:
        """Wait without holding a worker thread: poll the done flag from the event loop."""
        deadline = time.monotonic() + max(seconds, 0)
        while not result.done.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await asyncio.sleep(min(0.005, remaining))
        return True

    def schema_of(self, dataspace: str, sql: str) -> pa.Schema:
        return self.engine.query_arrow(dataspace, f"SELECT * FROM ({sql}) AS q LIMIT 0").schema

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
