"""Query API V1: synchronous pages of at most 49,999 rows, paged with limit/offset/orderby."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from ..exceptions import ProgrammingError
from ..fetch import prefetch
from .base import Protocol, Result
from .legacy import bind, columns_of, page_of

MAX_ROWS = 49_999


class V1Result(Result):
    def __init__(self, protocol: V1Protocol, sql: str, orderby: str | None, first: dict, limit: int) -> None:
        self._protocol, self._sql, self._orderby, self._first, self._limit = protocol, sql, orderby, first, limit
        self.query_id = first.get("queryId")
        self.columns = columns_of(first)

    def pages(self) -> Iterator[pa.Table]:
        return prefetch(self._pages(), depth=self._protocol.settings.prefetch)

    def _pages(self) -> Iterator[pa.Table]:
        body, offset = self._first, 0
        self._first = None
        while True:
            page = page_of(body, self.columns)
            yield page
            offset += page.num_rows
            if body.get("done", True) or page.num_rows == 0:
                return
            body = self._protocol.page(self._sql, self._orderby, offset, self._limit)


class V1Protocol(Protocol):
    name = "v1"

    def page(self, sql: str, orderby: str | None, offset: int, limit: int) -> dict:
        query = {"limit": limit, "offset": offset}
        if orderby:
            query["orderby"] = orderby
        headers = {"enable-arrow-stream": "true"} if self.settings.arrow else {}
        return self.http.call(
            "POST",
            self.url("/api/v1/query"),
            params=query,
            json={"sql": sql},
            headers=headers,
            bearer=self.tokens.bearer,
            what="the V1 query",
        )

    def execute(
        self, sql: str, parameters: Any, *, orderby: str | None = None, page_rows: int = MAX_ROWS, **options: Any
    ) -> Result:
        sql = bind(sql, parameters)
        first = self.page(sql, orderby, 0, page_rows)
        if not first.get("done", True) and not orderby:
            returned = first.get("rowCount", page_rows)
            raise ProgrammingError(
                f"the result has more rows than the {returned:,} one V1 call returned; paging through it needs a "
                "stable order, or rows would be duplicated or lost: pass orderby='Field__c ASC, ...' to execute(), "
                "add LIMIT, or use api='v2' or 'v3'"
            )
        return V1Result(self, sql, orderby, first, page_rows)
