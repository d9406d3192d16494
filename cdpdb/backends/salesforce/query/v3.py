"""Query API V3 (``/api/v3/query``): asynchronous queries, long-poll status, rows and chunks, Arrow."""

from __future__ import annotations

import contextlib
from functools import partial
from typing import Any

import orjson
import pyarrow as pa

from cdpdb.backends.salesforce import params, wire
from cdpdb.backends.salesforce.query.chunks import decode_v3, read_chunk, v3_headers
from cdpdb.backends.salesforce.query.hyper import HyperProtocol, columns_from_meta, is_finished
from cdpdb.backends.salesforce.query.partitions import split_result
from cdpdb.backends.salesforce.query.patience import chunk_patience
from cdpdb.core.http import Answer
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results.pages import ChunkedResult, PagedResult
from cdpdb.core.results.partitions import Partitions
from cdpdb.core.results.schema import Column, Result
from cdpdb.exceptions import OperationalError


class V3Protocol(HyperProtocol):
    name = "v3"

    def _query_url(self, query_id: str) -> str:
        return self.url(f"{wire.V3_QUERY_PATH}/{query_id}")

    def _headers(self) -> dict:
        return v3_headers(self.settings)

    def _body(self, sql: str, parameters: Any, mode: str, edits: list | None = None) -> dict:
        sql, style, bound = params.server_side(sql, parameters, edits)
        body: dict[str, Any] = {"sql": sql, "transferMode": mode}
        if bound:
            body["paramStyle"] = style
            body["parameters"] = [
                {"type": p.type, "value": p.value, **({"name": p.name} if p.name else {})} for p in bound
            ]
        return body

    def _decode(self, answer: Answer) -> tuple[pa.Table, list[Column] | None]:
        return decode_v3(answer)

    def _status_from(self, answer: Answer) -> dict:
        raw = answer.headers.get(wire.STATUS_HEADER)
        if not raw:
            raise OperationalError("the V3 answer has no x-hyperdb-status header; is this a Data Cloud tenant host?")
        return orjson.loads(raw)

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        """ADAPTIVE with the largest inline budget (20 MB): a result up to that size arrives in
        this one call. The rest of a larger one is read by offset (``/rows``) in pieces of the
        server's chunk size, ``max_workers`` at once, after the inline rows (which chunks could not
        continue from: their row ranges are not announced). With ``query_timeout`` the query is
        submitted ASYNC and read as chunks: an ADAPTIVE call waits on the server for some seconds
        before it answers, which would overrun a shorter timeout with no query id to cancel."""
        deadline = self.deadline()
        body = self._body(sql, parameters, "ASYNC" if deadline else "ADAPTIVE", control.edits)
        if not deadline:
            body["resultRange"] = {"byteLimit": wire.V3_INLINE_BYTES}
        answer = self.http.call(
            "POST",
            self.url(wire.V3_QUERY_PATH),
            json=body,
            headers=self._headers(),
            bearer=self.tokens.bearer,
            expect="answer",
            what="the V3 query",
            deadline=deadline,
        )
        status = self._status_from(answer)
        query_id = control.query_id = status["queryId"]
        first, columns = self._decode(answer)
        if is_finished(status) and first.num_rows == int(status.get("rowCount", 0)) and first.num_columns:
            return PagedResult(query_id, columns, first.num_rows, first, None)
        status = self._wait(query_id, status, control, deadline)
        if first.num_rows and first.num_columns:
            rows, chunks = int(status["rowCount"]), max(int(status.get("chunkCount", 1)), 1)
            piece = max(-(-rows // chunks), 1)  # the server's chunk size: what it thinks one download should carry
            read = partial(self._read_rows, query_id)
            return self._rest_by_offset(query_id, rows, piece, first, columns, read, unit="chunk")
        return self._chunked(query_id, status, columns if first.num_columns else None)

    def _read_rows(self, query_id: str, offset: int, limit: int) -> pa.Table:
        answer = self.http.call(
            "GET",
            f"{self._query_url(query_id)}/rows",
            params={"offset": offset, "limit": limit, "byteLimit": wire.V3_BYTE_LIMIT},
            headers=self._headers(),
            bearer=self.tokens.bearer,
            expect="answer",
            what=f"reading rows {offset} to {offset + limit} of query {query_id}",
            query_id=query_id,
        )
        return self._decode(answer)[0]

    def schema(self, query_id: str) -> list[Column]:
        body = self.http.call(
            "GET",
            self.url(f"{wire.V3_QUERY_PATH}/{query_id}/metadata"),
            headers=self._headers(),
            bearer=self.tokens.bearer,
            what=f"reading the schema of query {query_id}",
        )
        return columns_from_meta(body["metadata"]["columns"]) or []

    def submit(self, sql: str, parameters: Any) -> str:
        response = self.http.call(
            "POST",
            self.url(wire.V3_QUERY_PATH),
            json=self._body(sql, parameters, "ASYNC"),
            headers=self._headers(),
            bearer=self.tokens.bearer,
            expect="answer",
            what="submitting the V3 query",
        )
        return self._status_from(response)["queryId"]

    def results(self, query_id: str, control: QueryControl) -> Result:
        status = self._wait(query_id, self.status(query_id), control, self.deadline())
        return self._chunked(query_id, status, None)

    def read_chunk(self, query_id: str, number: int) -> pa.Table:
        """Chunk ``number`` (0-based) of a finished query, with the session's retries and errors."""
        return read_chunk(self.settings, self.http, self.tokens, query_id, number)

    def execute_partitions(
        self, sql: str, parameters: Any, control: QueryControl, partitions: int | None, **options: Any
    ) -> Partitions:
        """Submit ASYNC (no inline rows: every row is in a chunk, so every chunk can go to a worker),
        wait until the result is stored, read its schema, split its chunks. Whatever interrupts the
        wait (Ctrl-C, cancel(), a deadline, an error) cancels the query on the server."""
        self.check_options(options)
        deadline = self.deadline()
        answer = self.http.call(
            "POST",
            self.url(wire.V3_QUERY_PATH),
            json=self._body(sql, parameters, "ASYNC", control.edits),
            headers=self._headers(),
            bearer=self.tokens.bearer,
            expect="answer",
            what="submitting the V3 query",
            deadline=deadline,
        )
        status = self._status_from(answer)
        query_id = control.query_id = status["queryId"]
        try:
            status = self._wait(query_id, status, control, deadline)
            columns = self.schema(query_id)
        except BaseException:
            with contextlib.suppress(Exception):  # the original failure is what the caller must see
                self.cancel(query_id)
            raise
        return split_result(query_id, status, columns, partitions, self.settings, self.tokens.token())

    def _chunked(self, query_id: str, status: dict, columns: list[Column] | None) -> Result:
        workers = self.settings.max_workers
        return ChunkedResult(
            query_id,
            int(status["rowCount"]),
            int(status["chunkCount"]),
            lambda n: self.read_chunk(query_id, n),
            columns or self.schema(query_id),
            workers=workers,
            in_flight=workers + self.settings.prefetch,
            patience=chunk_patience(self.settings, query_id),
        )
