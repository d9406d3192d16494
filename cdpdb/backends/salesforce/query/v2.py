"""Query API V2: 8 MB batches chained by single-use ``nextBatchId``s.

A result can be left part-read and continued by another process: ``execute(sql, max_batches=N)``
reads N batches and leaves ``cursor.continuation`` (the next batch id); ``get_results(that id)``
reads the rest, anywhere, within the hour Salesforce keeps it. Each batch id works once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.query.base import Protocol
from cdpdb.backends.salesforce.query.legacy import arrow_headers, bind, columns_of, page_of, refine_columns
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results import jsontext
from cdpdb.core.results.fetch import prefetch
from cdpdb.core.results.schema import Result
from cdpdb.core.retry import Deadline
from cdpdb.exceptions import InterfaceError, ProgrammingError


class V2Result(Result):
    def __init__(self, protocol: V2Protocol, first: dict, headers: dict, max_batches: int | None = None) -> None:
        self._protocol, self._first, self._headers = protocol, first, headers
        self._max_batches = max_batches
        self._ended = False
        self._continuation: str | None = None
        self.query_id = first.get("queryId")
        self.columns = columns_of(first)
        self.row_count = None  # V2 tells only each batch's count
        self._first_page = page_of(first, self.columns)
        self.columns = refine_columns(self.columns, self._first_page)

    @property
    def continuation(self) -> str | None:
        """The batch id the rest of the result continues from (None: nothing is left). Single use."""
        if not self._ended:
            raise InterfaceError("read every row of the batches asked for first; the continuation is known after them")
        return self._continuation

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        whole = self._first is not None and self._first.get("done", True)  # then no reader thread
        # The reader thread fetches the batches, reading only what chains them (nextBatchId); their
        # rows are read here, by the consumer, while the next batch downloads.
        answers = prefetch(self._chain(), 0 if whole else self._protocol.settings.prefetch, stop)
        try:
            for answer in answers:
                yield answer if isinstance(answer, pa.Table) else page_of(answer, self.columns)
        finally:
            answers.close()

    def _chain(self) -> Iterator[pa.Table | dict]:
        body, page = self._first, self._first_page
        self._first = self._first_page = None  # let the first batch be freed once consumed
        read = 0
        while True:
            yield page if page is not None else body
            read += 1
            page = None
            batch_id = None if body.get("done", True) else body.get("nextBatchId")
            if not batch_id:
                self._ended = True
                return
            if self._max_batches is not None and read >= self._max_batches:
                self._continuation, self._ended = batch_id, True
                return
            body = self._protocol.batch(batch_id, self._headers, self.query_id)


class V2Protocol(Protocol):
    name = "v2"
    options = frozenset({"max_batches"})

    def execute(self, sql: str, parameters: Any, control: QueryControl, *, max_batches: int | None = None) -> Result:
        if max_batches is not None and (not isinstance(max_batches, int) or max_batches < 1):
            raise ProgrammingError(f"max_batches must be a whole number of batches, at least 1, not {max_batches!r}")
        headers = arrow_headers(self.settings)
        body = self.http.call(
            "POST",
            self.url(wire.V2_QUERY_PATH),
            json={"sql": bind(sql, parameters, control.edits)},
            bearer=self.tokens.bearer,
            headers=headers,
            what="the V2 query",
            deadline=Deadline.after(self.settings.query_timeout, "query_timeout"),
            parse=jsontext.loads,
        )
        return V2Result(self, body, headers, max_batches)

    def results(self, query_id: str, control: QueryControl) -> Result:
        """The rest of a V2 result from its continuation (a ``nextBatchId``), in any process."""
        headers = arrow_headers(self.settings)
        return V2Result(self, self.batch(query_id, headers, None), headers)

    def batch(self, batch_id: str, headers: dict, query_id: str | None) -> dict:
        # A batch id is single-use: never repeat this call on a broken transfer (safe=False).
        body: dict = self.http.call(
            "GET",
            self.url(f"{wire.V2_QUERY_PATH}/{batch_id}"),
            bearer=self.tokens.bearer,
            headers=headers,
            safe=False,
            what=f"fetching V2 batch {batch_id}" + (f" of query {query_id}" if query_id else ""),
            query_id=query_id,
            parse=jsontext.envelope,  # the rows are read by the consumer: V2Result.pages
        )
        return body
