"""What Query API V3 and Connect ``query-sql`` share: query ids, long-poll status, row paging."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import pyarrow as pa

from ..exceptions import InternalError, OperationalError
from ..fetch import Stopped, ordered_parallel, prefetch
from ..http import Deadline
from .base import Column, Protocol, QueryControl, Result

log = logging.getLogger(__name__)
MAX_WAIT_MS = 10_000


def is_finished(status: dict) -> bool:
    return str(status.get("completionStatus", "")).upper().replace("_", "") in ("FINISHED", "RESULTSPRODUCED")


def wait_until_finished(
    status: dict,
    poll: Callable[[int], dict],
    cancel: Callable[[], None],
    deadline: Deadline | None,
    stop: threading.Event,
    query_id: str,
) -> dict:
    """Long-poll ``status`` until the query finished; past the deadline cancel it and raise.
    ``cancel()`` from another thread cancels on the server, which ends the long poll at once."""
    while not is_finished(status):
        if stop.is_set():
            raise Stopped
        wait_ms = MAX_WAIT_MS
        if deadline is not None:
            remaining = deadline.remaining()
            if remaining <= 0:
                cancel()
                raise OperationalError(
                    f"query {query_id} did not finish within {deadline.setting}; it was cancelled on the server",
                    query_id=query_id,
                )
            wait_ms = max(min(wait_ms, int(remaining * 1000)), 1)
        status = poll(wait_ms)
    return status


def columns_from_meta(meta: list[dict] | None) -> list[Column] | None:
    """V3 ``metadata.columns`` / Connect ``metadata``: name, type, nullable, precision, scale."""
    if not meta:
        return None
    return [Column(c["name"], c["type"], c.get("precision"), c.get("scale"), c.get("nullable")) for c in meta]


class HyperProtocol(Protocol):
    """What V3 and Connect share: asynchronous queries with a long-poll status and cancel."""

    supports_async = True

    def _query_url(self, query_id: str) -> str:
        raise NotImplementedError

    def _headers(self) -> dict:
        return {}

    def _status_of(self, body: dict) -> dict:
        """The status object of a status answer (V3: the body itself; Connect: body["status"])."""
        return body

    def status(self, query_id: str, wait_ms: int = 0) -> dict:
        body = self.http.call(
            "GET",
            self._query_url(query_id),
            params={"waitTimeMs": wait_ms},
            headers=self._headers(),
            bearer=self.tokens.bearer,
            timeout=self.settings.read_timeout + wait_ms / 1000,
            what=f"the status of query {query_id}",
            query_id=query_id,
        )
        return self._status_of(body)

    def cancel(self, query_id: str) -> None:
        try:
            self.http.call(
                "DELETE",
                self._query_url(query_id),
                headers=self._headers(),
                bearer=self.tokens.bearer,
                expect="none",
                what=f"cancelling query {query_id}",
            )
        except OperationalError as exc:
            if exc.status != 404:  # already finished and freed: nothing to cancel
                raise

    def deadline(self) -> Deadline | None:
        return Deadline.after(self.settings.query_timeout, "query_timeout")

    def _wait(self, query_id: str, status: dict, control: QueryControl, deadline: Deadline | None) -> dict:
        control.query_id = query_id
        return wait_until_finished(
            status,
            lambda wait_ms: self.status(query_id, wait_ms),
            lambda: self.cancel(query_id),
            deadline,
            control.stop,
            query_id,
        )


class PagedResult(Result):
    """Rows ``[0, row_count)``: the inline first page, then pages read by offset."""

    def __init__(
        self,
        query_id: str,
        columns: list[Column] | None,
        row_count: int,
        first: pa.Table | None,
        read_page: Callable[[int], pa.Table] | None,
        depth: int = 1,
    ) -> None:
        self.query_id, self.columns, self.row_count = query_id, columns, row_count
        self._first, self._read_page, self._depth = first, read_page, depth

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        return prefetch(self._pages(), self._depth, stop)

    def _pages(self) -> Iterator[pa.Table]:
        offset = 0
        if self._first is not None:
            first, self._first = self._first, None
            offset = first.num_rows
            yield first
        while offset < self.row_count:
            page = self._read_page(offset)
            if page.num_rows == 0:
                raise InternalError(
                    f"the server returned no rows at offset {offset} of {self.row_count} for query {self.query_id}",
                    query_id=self.query_id,
                )
            offset += page.num_rows
            yield page
        if offset != self.row_count:
            raise InternalError(
                f"query {self.query_id} announced {self.row_count} rows but {offset} arrived", query_id=self.query_id
            )


class ChunkedResult(Result):
    """Rows read chunk by chunk (``/chunks/{n}``): ``workers`` downloads at once, delivered in
    order, at most ``in_flight`` chunks held ahead of the consumer."""

    def __init__(
        self,
        query_id: str,
        row_count: int,
        chunk_count: int,
        read_chunk: Callable[[int], pa.Table],
        columns: list[Column] | None,
        workers: int = 1,
        in_flight: int = 1,
    ) -> None:
        self.query_id, self.row_count, self._chunk_count = query_id, row_count, chunk_count
        self._read_chunk, self.columns = read_chunk, columns
        self._workers, self._in_flight = workers, in_flight

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        total = 0
        for page in ordered_parallel(self._read_chunk, self._chunk_count, self._workers, self._in_flight, stop):
            total += page.num_rows
            yield page
        if total != self.row_count:
            raise InternalError(
                f"query {self.query_id} announced {self.row_count} rows but its "
                f"{self._chunk_count} chunks held {total}",
                query_id=self.query_id,
            )
