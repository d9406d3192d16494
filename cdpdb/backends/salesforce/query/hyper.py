"""What Query API V3 and Connect ``query-sql`` share: query ids, long-poll status, cancel, and
reading a result's rows after its first page by offset, in pieces downloaded in parallel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.query.base import Protocol
from cdpdb.backends.salesforce.query.patience import chunk_patience
from cdpdb.core.jobs import QueryControl, Status, wait_until_done
from cdpdb.core.results.pages import ChunkedResult
from cdpdb.core.results.schema import Column, Result
from cdpdb.core.retry import Deadline
from cdpdb.exceptions import InternalError, OperationalError


def is_finished(status: Status) -> bool:
    return str(status.get("completionStatus", "")).upper().replace("_", "") in ("FINISHED", "RESULTSPRODUCED")


def columns_from_meta(meta: list[dict[str, Any]] | None) -> list[Column] | None:
    """V3 ``metadata.columns`` / Connect ``metadata``: name, type, nullable, precision, scale."""
    if not meta:
        return None
    return [Column(c["name"], c["type"], c.get("precision"), c.get("scale"), c.get("nullable")) for c in meta]


class HyperProtocol(Protocol):
    """What V3 and Connect share: asynchronous queries with a long-poll status and cancel."""

    supports_async = True

    def _query_url(self, query_id: str) -> str:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        return {}

    def _status_of(self, body: dict[str, Any]) -> Status:
        """The status object of a status answer (V3: the body itself; Connect: body["status"])."""
        return body

    def status(self, query_id: str, wait_ms: int = 0) -> Status:
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

    def _wait(self, query_id: str, status: Status, control: QueryControl, deadline: Deadline | None) -> Status:
        control.query_id = query_id
        return wait_until_done(
            status,
            is_finished,
            lambda wait_ms: self.status(query_id, wait_ms),
            lambda: self.cancel(query_id),
            deadline,
            control.stop,
            query_id,
            wire.MAX_WAIT_MS,
        )

    # -- the rows after the first page, by offset ------------------------------------------------

    def _rest_by_offset(
        self,
        query_id: str,
        row_count: int,
        piece: int,
        first: pa.Table,
        columns: list[Column] | None,
        read_rows: RowsReader,
        unit: str,
    ) -> Result:
        """``first``, then the rows after it in pieces of ``piece`` rows (the pieces after the first
        follow the bounds of ``piece``), ``max_workers`` downloads at once, delivered in order: an
        offset is known for every piece, so none waits for the one before (a page chain would).
        ``read_rows(offset, limit)`` is one ``/rows`` page: at most ``limit`` rows from ``offset``."""
        boundary = -(-first.num_rows // piece) * piece
        starts = ([first.num_rows] if first.num_rows < boundary else []) + list(range(boundary, row_count, piece))
        stops = [*starts[1:], row_count]
        workers = self.settings.max_workers
        return ChunkedResult(
            query_id,
            row_count,
            len(starts),
            lambda n: _rows(read_rows, query_id, starts[n], stops[n]),
            columns,
            workers=workers,
            in_flight=workers + self.settings.prefetch,
            first=first,
            patience=chunk_patience(self.settings, query_id, first.num_rows // piece, unit),
        )


RowsReader = Callable[[int, int], pa.Table]


def _rows(read_rows: RowsReader, query_id: str, start: int, stop: int) -> pa.Table:
    """Rows ``[start, stop)``, in as many ``/rows`` pages as the server's byte limit needs."""
    pages, offset = [], start
    while offset < stop:
        page = read_rows(offset, stop - offset)
        if page.num_rows == 0:
            raise InternalError(
                f"the server returned no rows at offset {offset} of {stop} for query {query_id}", query_id=query_id
            )
        pages.append(page)
        offset += page.num_rows
    return pa.concat_tables(pages) if len(pages) > 1 else pages[0]
