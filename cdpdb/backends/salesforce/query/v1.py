"""Query API V1: synchronous pages of at most 49,999 rows, paged with limit/offset/orderby.

Each page is the query run again with ``offset``, so paging is exact only over a total order:
a sort on a column with ties may put a tied row on two pages and another on none. cdpdb pages
over the user's ``orderby`` followed by every other result column. Rows that still tie are equal
in every column, so which of them lands on which page cannot change the result: while the data
does not change between pages, the pages hold every row exactly once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.query.base import Protocol
from cdpdb.backends.salesforce.query.legacy import arrow_headers, bind, columns_of, page_of
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results import jsontext
from cdpdb.core.results.fetch import prefetch
from cdpdb.core.results.schema import Column, Result
from cdpdb.core.retry import Deadline
from cdpdb.exceptions import ProgrammingError

MAX_ROWS = wire.V1_MAX_ROWS
MAX_ORDERBY_CHARS = wire.V1_MAX_ORDERBY_CHARS
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def total_order(orderby: str | None, columns: list[Column]) -> str:
    """``orderby`` followed by every result column it does not name: a total order up to rows
    equal in every column (see the module docstring)."""
    terms = [term.strip() for term in orderby.split(",") if term.strip()] if orderby else []
    named = {term.split()[0].strip('"').lower() for term in terms}
    awkward = [c.name for c in columns if not _PLAIN_NAME.match(c.name)]
    if awkward:
        raise ProgrammingError(
            f"the result has more rows than one V1 call returns, and paging it exactly orders by every column, "
            f"but V1's orderby cannot name the column(s) {', '.join(map(repr, awkward))}: give them plain "
            "aliases (AS name), add LIMIT, or use api='v2' or 'v3'"
        )
    terms += [c.name for c in columns if c.name.lower() not in named]
    text = ", ".join(terms)
    if len(text) > MAX_ORDERBY_CHARS:
        raise ProgrammingError(
            f"the result has more rows than one V1 call returns, and paging it exactly orders by all "
            f"{len(columns)} columns, which is too long for V1's orderby ({len(text):,} characters): "
            "select fewer columns, add LIMIT, or use api='v2' or 'v3'"
        )
    return text


class V1Result(Result):
    def __init__(self, protocol: V1Protocol, sql: str, orderby: str | None, first: dict, limit: int) -> None:
        self._protocol, self._sql, self._orderby, self._first, self._limit = protocol, sql, orderby, first, limit
        self.query_id = first.get("queryId")
        self.columns = columns_of(first)

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        whole = self._first is not None and self._first.get("done", True)  # then no reader thread
        return prefetch(self._pages(), 0 if whole else self._protocol.settings.prefetch, stop)

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
    options = frozenset({"orderby", "page_rows"})

    def page(self, sql: str, orderby: str | None, offset: int, limit: int) -> dict:
        """One page: the query run with limit/offset, bounded by ``query_timeout`` (each page is a run)."""
        query: dict[str, Any] = {"limit": limit, "offset": offset}
        if orderby:
            query["orderby"] = orderby
        return self.http.call(
            "POST",
            self.url(wire.V1_QUERY_PATH),
            params=query,
            json={"sql": sql},
            headers=arrow_headers(self.settings),
            bearer=self.tokens.bearer,
            what="the V1 query",
            deadline=Deadline.after(self.settings.query_timeout, "query_timeout"),
            parse=jsontext.loads,
        )

    def execute(
        self,
        sql: str,
        parameters: Any,
        control: QueryControl,
        *,
        orderby: str | None = None,
        page_rows: int = MAX_ROWS,
    ) -> Result:
        """One call when the result fits a page; otherwise page 0 again in the total order that
        every later page uses (the first call's order may differ from it)."""
        sql = bind(sql, parameters, control.edits)
        first = self.page(sql, orderby, 0, page_rows)
        if first.get("done", True):
            return V1Result(self, sql, orderby, first, page_rows)
        order = total_order(orderby, columns_of(first))
        if order != orderby:
            first = self.page(sql, order, 0, page_rows)
        return V1Result(self, sql, order, first, page_rows)
