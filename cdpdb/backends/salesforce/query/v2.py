"""Query API V2: 8 MB batches chained by single-use ``nextBatchId``s."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.query.base import Protocol
from cdpdb.backends.salesforce.query.legacy import arrow_headers, bind, columns_of, page_of, refine_columns
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results.fetch import prefetch
from cdpdb.core.results.schema import Result
from cdpdb.core.retry import Deadline


class V2Result(Result):
    def __init__(self, protocol: V2Protocol, first: dict, headers: dict) -> None:
        self._protocol, self._first, self._headers = protocol, first, headers
        self.query_id = first.get("queryId")
        self.columns = columns_of(first)
        self.row_count = None  # V2 tells only each batch's count
        self._first_page = page_of(first, self.columns)
        self.columns = refine_columns(self.columns, self._first_page)

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        return prefetch(self._chain(), self._protocol.settings.prefetch, stop)

    def _chain(self) -> Iterator[pa.Table]:
        body, page = self._first, self._first_page
        self._first = self._first_page = None  # let the first batch be freed once consumed
        while True:
            yield page if page is not None else page_of(body, self.columns)
            page = None
            if body.get("done", True):
                return
            batch_id = body.get("nextBatchId")
            if not batch_id:
                return
            # A batch id is single-use: never repeat this call on a broken transfer (safe=False).
            body = self._protocol.http.call(
                "GET",
                self._protocol.url(f"{wire.V2_QUERY_PATH}/{batch_id}"),
                bearer=self._protocol.tokens.bearer,
                headers=self._headers,
                safe=False,
                what=f"fetching the next V2 batch of query {self.query_id}",
                query_id=self.query_id,
            )


class V2Protocol(Protocol):
    name = "v2"

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        headers = arrow_headers(self.settings)
        body = self.http.call(
            "POST",
            self.url(wire.V2_QUERY_PATH),
            json={"sql": bind(sql, parameters, control.edits)},
            bearer=self.tokens.bearer,
            headers=headers,
            what="the V2 query",
            deadline=Deadline.after(self.settings.query_timeout, "query_timeout"),
        )
        return V2Result(self, body, headers)
