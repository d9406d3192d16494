"""Results read page by page: by offset (with an optional first page that came inline), or as
numbered chunks downloaded in parallel. Both check that every announced row arrived."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pyarrow as pa

from cdpdb.core.results.fetch import Patience, ordered_parallel, prefetch
from cdpdb.core.results.schema import Column, Result
from cdpdb.exceptions import InternalError


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
        self._total = row_count
        self._first, self._read_page, self._depth = first, read_page, depth

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        # a result that came whole needs no reader thread (a thread per small query costs ~0.1 ms)
        whole = self._read_page is None or (self._first is not None and self._first.num_rows >= self._total)
        return prefetch(self._pages(), 0 if whole else self._depth, stop)

    def _pages(self) -> Iterator[pa.Table]:
        offset = 0
        if self._first is not None:
            first, self._first = self._first, None
            offset = first.num_rows
            yield first
        while offset < self._total:
            if self._read_page is None:
                break  # the first page was the whole result, or the check below says it was not
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
    """Rows read chunk by chunk (``read_chunk(n)``): ``workers`` downloads at once, delivered in
    order, at most ``in_flight`` chunks held ahead of the consumer, each waited for at most as
    long as ``patience`` says; after ``first``, the rows that came with the query's answer, when
    there are any."""

    def __init__(
        self,
        query_id: str,
        row_count: int,
        chunk_count: int,
        read_chunk: Callable[[int], pa.Table],
        columns: list[Column] | None,
        workers: int = 1,
        in_flight: int = 1,
        first: pa.Table | None = None,
        patience: Patience | None = None,
    ) -> None:
        self.query_id, self.row_count, self._chunk_count = query_id, row_count, chunk_count
        self._read_chunk, self.columns = read_chunk, columns
        self._workers, self._in_flight, self._first, self._patience = workers, in_flight, first, patience

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        total = 0
        if self._first is not None:
            first, self._first = self._first, None
            total = first.num_rows
            yield first
        chunks = ordered_parallel(
            self._read_chunk, self._chunk_count, self._workers, self._in_flight, stop, self._patience
        )
        for page in chunks:
            total += page.num_rows
            yield page
        if total != self.row_count:
            raise InternalError(
                f"query {self.query_id} announced {self.row_count} rows but its "
                f"{self._chunk_count} chunks held {total}",
                query_id=self.query_id,
            )
