"""The Connect REST ``ssot/query-sql`` API, on the core host with the core token.

Its pages are read with orjson, not :mod:`cdpdb.core.results.jsontext`: they are typed (numbers
and booleans as JSON values, decimals as strings), so Python values convert to Arrow quickly and
exactly, and the text scan measured no faster (24.1 against 25.7 ms per 2 MB page, ~0.2 s more
client CPU per 1,000,000 rows; benchmarks/README.md, "JSON pages next to Arrow").
"""

from __future__ import annotations

from functools import partial
from typing import Any

import pyarrow as pa

from cdpdb.backends.salesforce import params, wire
from cdpdb.backends.salesforce.query.hyper import HyperProtocol, columns_from_meta, is_finished
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results.decode import decode_json_page
from cdpdb.core.results.pages import PagedResult
from cdpdb.core.results.schema import Column, Result
from cdpdb.exceptions import OperationalError


class ConnectProtocol(HyperProtocol):
    name = "connect"

    def _base(self) -> str:
        return self.url(wire.connect_query_path(self.settings.connect_api_version))

    def _query_url(self, query_id: str) -> str:
        return f"{self._base()}/{query_id}"

    def _status_of(self, body: dict) -> dict:
        return body.get("status") or {}

    def _headers(self) -> dict:
        return {wire.CONNECT_DATASPACE_HEADER: self.settings.dataspace} if self.settings.dataspace else {}

    def _post(self, sql: str, parameters: Any, deadline=None, edits: list | None = None) -> dict:
        sql, _, bound = params.server_side(sql, parameters, edits)
        body: dict[str, Any] = {"sql": sql}
        if bound:
            body["sqlParameters"] = [
                {"type": params.connect_type(p.type), "value": p.value, **({"name": p.name} if p.name else {})}
                for p in bound
            ]
        workload = self.settings.workload
        return self.http.call(
            "POST",
            self._base(),
            params={wire.CONNECT_WORKLOAD_PARAM: workload} if workload else None,
            json=body,
            headers=self._headers(),
            bearer=self.tokens.bearer,
            what="the Connect query-sql query",
            deadline=deadline,
        )

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        deadline = self.deadline()
        body = self._post(sql, parameters, deadline, control.edits)
        status = body.get("status") or {}
        query_id = control.query_id = status.get("queryId")
        if not query_id:
            raise OperationalError("the query-sql answer has no status.queryId; is login_url a Salesforce org?")
        columns = columns_from_meta(body.get("metadata"))
        first = decode_json_page(body.get("data") or [], columns, TYPES) if columns else None
        if not is_finished(status):
            status = self._wait(query_id, status, control, deadline)
            first = None
        rows = int(status.get("rowCount", 0))
        if first is not None and 0 < first.num_rows < rows:
            # the rest by offset, max_workers at once (every offset is known now: no page waits for
            # the one before), in pieces a little smaller than the first page (what the server's
            # byte limit let through): most then fit one page though rows differ in size
            piece = max(first.num_rows * 9 // 10, 1)
            read = partial(self._read_rows, query_id, columns)
            return self._rest_by_offset(query_id, rows, piece, first, columns, read, unit="page")
        return self._paged(query_id, status, first, columns)

    def _read_rows(self, query_id: str, columns: list[Column], offset: int, limit: int) -> pa.Table:
        """One ``/rows`` page: at most ``limit`` rows from ``offset`` (the server may send fewer)."""
        body = self._rows_page(query_id, offset, limit)
        return decode_json_page(body.get("data") or [], columns, TYPES)

    def _rows_page(self, query_id: str, offset: int, limit: int | None = None) -> dict:
        """The ``/rows`` answer from ``offset``: ``limit`` rows at most, else as many as one page
        holds with the schema (what a result read page after page learns its columns from)."""
        params: dict[str, Any] = {"offset": offset, "omitSchema": "true" if limit else "false"}
        if limit:
            params["rowLimit"] = limit
        span = f"rows {offset} to {offset + limit}" if limit else f"rows from {offset}"
        return self.http.call(
            "GET",
            f"{self._base()}/{query_id}/rows",
            headers=self._headers(),
            bearer=self.tokens.bearer,
            params=params,
            what=f"reading {span} of query {query_id}",
            query_id=query_id,
        )

    def _paged(self, query_id: str, status: dict, first: pa.Table | None, columns) -> PagedResult:
        def read_page(offset: int) -> pa.Table:
            body = self._rows_page(query_id, offset)
            result.columns = result.columns or columns_from_meta(body.get("metadata"))
            return decode_json_page(body.get("data") or [], result.columns or [], TYPES)

        result = PagedResult(
            query_id,
            columns,
            int(status.get("rowCount", 0)),
            first,
            read_page,
            depth=self.settings.prefetch,
        )
        return result

    def submit(self, sql: str, parameters: Any) -> str:
        return self._post(sql, parameters)["status"]["queryId"]

    def results(self, query_id: str, control: QueryControl) -> Result:
        status = self._wait(query_id, self.status(query_id), control, self.deadline())
        return self._paged(query_id, status, None, None)
