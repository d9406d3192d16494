"""Query API V3 (``/api/v3/query``): asynchronous queries, long-poll status, rows and chunks, Arrow."""

from __future__ import annotations

from typing import Any

import orjson
import pyarrow as pa

from .. import params
from ..exceptions import OperationalError
from ..http import Answer
from ..results import columns_from_arrow, decode_json_page, normalise_arrow
from .base import Column, Protocol, Result
from .hyper import ChunkedResult, PagedResult, is_finished, wait_until_finished

ARROW = "application/vnd.apache.arrow.stream"
BYTE_LIMIT = 20_000_000


class V3Protocol(Protocol):
    name = "v3"
    supports_async = True

    def _headers(self) -> dict:
        headers = {"Accept": ARROW if self.settings.arrow else "application/json"}
        if self.settings.dataspace:
            headers["ctx-dataspace-ds_name"] = self.settings.dataspace
        return headers

    def _body(self, sql: str, parameters: Any, mode: str) -> dict:
        sql, style, bound = params.server_side(sql, parameters)
        body: dict[str, Any] = {"sql": sql, "transferMode": mode}
        if bound:
            body["paramStyle"] = style
            body["parameters"] = [
                {"type": p.type, "value": p.value, **({"name": p.name} if p.name else {})} for p in bound
            ]
        return body

    def _decode(self, answer: Answer) -> tuple[pa.Table, list[Column] | None]:
        if answer.table is not None:
            table = normalise_arrow(answer.table)
            return table, columns_from_arrow(table.schema)
        body = answer.json
        meta = (body.get("metadata") or {}).get("columns")
        columns = (
            [Column(c["name"], c["type"], c.get("precision"), c.get("scale"), c.get("nullable")) for c in meta]
            if meta
            else None
        )
        return decode_json_page(body.get("data") or [], columns or []), columns

    def _status_from(self, answer: Answer) -> dict:
        raw = answer.headers.get("x-hyperdb-status")
        if not raw:
            raise OperationalError("the V3 answer has no x-hyperdb-status header; is this a Data Cloud tenant host?")
        return orjson.loads(raw)

    def execute(self, sql: str, parameters: Any, **options: Any) -> Result:
        response = self.http.call(
            "POST",
            self.url("/api/v3/query"),
            json=self._body(sql, parameters, "ADAPTIVE"),
            headers=self._headers(),
            bearer=self.tokens.bearer,
            expect="answer",
            what="the V3 query",
        )
        status = self._status_from(response)
        query_id = status["queryId"]
        first, columns = self._decode(response)
        if not is_finished(status):
            status = self._wait(query_id, status)
            first = None
        return self._paged(query_id, status, first, columns)

    def _paged(self, query_id: str, status: dict, first: pa.Table | None, columns) -> PagedResult:
        state = {"columns": columns}

        def read_page(offset: int) -> pa.Table:
            response = self.http.call(
                "GET",
                self.url(f"/api/v3/query/{query_id}/rows"),
                headers=self._headers(),
                bearer=self.tokens.bearer,
                params={"offset": offset, "byteLimit": BYTE_LIMIT, "omitSchema": "false"},
                expect="answer",
                what=f"reading rows of query {query_id}",
                query_id=query_id,
            )
            table, found = self._decode(response)
            state["columns"] = state["columns"] or found
            return table

        result = PagedResult(
            query_id, columns, int(status.get("rowCount", 0)), first, read_page, lambda: self.cancel(query_id)
        )
        if result.columns is None:
            result.columns = self.schema(query_id)
        return result

    def schema(self, query_id: str) -> list[Column]:
        body = self.http.call(
            "GET",
            self.url(f"/api/v3/query/{query_id}/metadata"),
            headers=self._headers(),
            bearer=self.tokens.bearer,
            what=f"reading the schema of query {query_id}",
        )
        return [
            Column(c["name"], c["type"], c.get("precision"), c.get("scale"), c.get("nullable"))
            for c in body["metadata"]["columns"]
        ]

    def _wait(self, query_id: str, status: dict) -> dict:
        return wait_until_finished(
            status,
            lambda wait_ms: self.status(query_id, wait_ms),
            lambda: self.cancel(query_id),
            self.settings.query_timeout,
            query_id,
        )

    def status(self, query_id: str, wait_ms: int = 0) -> dict:
        return self.http.call(
            "GET",
            self.url(f"/api/v3/query/{query_id}"),
            params={"waitTimeMs": wait_ms},
            headers=self._headers(),
            bearer=self.tokens.bearer,
            timeout=self.settings.read_timeout + wait_ms / 1000,
            what=f"the status of query {query_id}",
            query_id=query_id,
        )

    def cancel(self, query_id: str) -> None:
        try:
            self.http.call(
                "DELETE",
                self.url(f"/api/v3/query/{query_id}"),
                headers=self._headers(),
                bearer=self.tokens.bearer,
                expect="none",
                what=f"cancelling query {query_id}",
            )
        except OperationalError as exc:
            if exc.status != 404:  # already finished and freed: nothing to cancel
                raise

    def submit(self, sql: str, parameters: Any) -> str:
        response = self.http.call(
            "POST",
            self.url("/api/v3/query"),
            json=self._body(sql, parameters, "ASYNC"),
            headers=self._headers(),
            bearer=self.tokens.bearer,
            expect="answer",
            what="submitting the V3 query",
        )
        return self._status_from(response)["queryId"]

    def results(self, query_id: str) -> Result:
        status = self._wait(query_id, self.status(query_id))
        columns = self.schema(query_id)

        def read_chunk(n: int) -> pa.Table:
            response = self.http.call(
                "GET",
                self.url(f"/api/v3/query/{query_id}/chunks/{n}"),
                headers=self._headers(),
                bearer=self.tokens.bearer,
                expect="answer",
                what=f"reading chunk {n} of query {query_id}",
                query_id=query_id,
            )
            return self._decode(response)[0]

        result = ChunkedResult(
            query_id, int(status["rowCount"]), int(status["chunkCount"]), read_chunk, lambda: self.cancel(query_id)
        )
        result.columns = columns
        return result
