"""Query API V1 and V2: synchronous, Trino-like SQL translated for Hyper, JSON rows as text
(aggregates as numbers) or base64 Arrow, V1 paged by offset and V2 by single-use batch ids."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import anyio
import orjson
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.encoding import arrow_base64, legacy_metadata
from cdpdb.backends.salesforce.local.results import QueryResult, trino_query_id
from cdpdb.backends.salesforce.local.routes.common import (
    DIRECT_ERRORS,
    backend,
    direct_auth,
    int_param,
    json_body,
    limits,
    owned,
    prepare,
    raise_if_failed,
    sql_of,
)
from cdpdb.backends.salesforce.local.routes.queries import page_count
from cdpdb.backends.salesforce.local.sqlguard import strip_terminator, token_position
from cdpdb.backends.salesforce.local.sqltext import Translated, order_by_clause
from cdpdb.local.engine import EngineError
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param

#: How often a synchronous (V1/V2) request checks that its client is still there.
DISCONNECT_POLL_SECONDS = 0.1
_SQL_BODY = {"type": "object", "required": ["sql"], "properties": {"sql": {"type": "string"}}}
_WRAP = "SELECT * FROM ("  # V1 pages the user's query from the outside


def _iso(moment: float | None = None) -> str:
    stamp = datetime.fromtimestamp(moment or time.time(), timezone.utc)
    return stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")


def _wants_arrow(request: Request) -> bool:
    return request.headers.get(wire.ARROW_STREAM_HEADER, "").lower() == "true"


def legacy_page(
    backend: Backend,
    result: QueryResult,
    start: int,
    arrow: bool,
    byte_limit: int,
    row_limit: int | None,
    chain: Callable[[int], dict[str, Any]],
) -> bytes:
    """One V1/V2 response; ``chain(stop)`` gives ``done`` and ``nextBatchId``."""
    assert result.table is not None
    count = page_count(backend, result, start, row_limit, byte_limit, arrow, "legacy")
    data = b"[]" if arrow else result.json_rows("legacy").array_bytes(start, start + count)
    head = {
        "startTime": _iso(),
        "endTime": _iso(),
        "rowCount": count,
        "queryId": result.query_id,
        **chain(start + count),
        "metadata": legacy_metadata(result.table.schema),
    }
    if arrow:
        head["arrowStream"] = arrow_base64(result.table.slice(start, count))
    return b'{"data":' + data + b"," + orjson.dumps(head)[1:]


def legacy_query(
    backend: Backend, sql: str, dataspace: str, head: str = ""
) -> tuple[Translated, Callable[[int], int | None]]:
    """V1/V2 SQL → checked Hyper SQL, and a map from positions in ``head + hyper_sql`` back to ``sql``."""
    sql = strip_terminator(sql)
    translated = backend.translate(sql, dataspace)  # its syntax errors point into ``sql`` already

    def to_user(position: int) -> int | None:
        inner = position - len(head)
        return token_position(sql, "trino", translated.sql, inner) if inner >= 1 else None

    try:
        backend.check(translated.sql, dataspace)
    except EngineError as exc:
        raise replace(exc, position=exc.position and to_user(exc.position + len(head))) from None
    return translated, to_user


def v1_statement(
    backend: Backend, sql: str, dataspace: str, orderby: str | None, limit: int, offset: int
) -> tuple[str, Translated, Callable[[int], int | None]]:
    translated, to_user = legacy_query(backend, sql, dataspace, _WRAP)
    order = ""
    if orderby:
        columns = backend.schema_of(dataspace, translated.sql).names
        order = f" ORDER BY {order_by_clause(orderby, columns)}"
    # One row beyond the page tells whether the result is done.
    statement = f"{_WRAP}{translated.sql}) AS q{order} LIMIT {limit + 1} OFFSET {offset}"
    return statement, translated, to_user


async def run_attached(request: Request, result: QueryResult, sql: str) -> bool:
    """Run a V1/V2 query while its client waits for the answer (these APIs are synchronous).

    If the client goes away (a read timeout, a closed connection) or the request is
    abandoned, the statement is cancelled in Hyper at once: nobody will read its result.
    Returns whether the client is still there.
    """
    runner = backend(request)
    runner.submit(result, sql)
    try:
        while not await runner.wait(result, DISCONNECT_POLL_SECONDS):
            if await request.is_disconnected():
                return False
        return True
    finally:
        if not result.done.is_set():
            with anyio.CancelScope(shield=True):
                await off_loop(runner.cancel, result)
            runner.results.drop(result.query_id)


async def v1_query(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    body = await json_body(request)
    sql = sql_of(body)
    max_rows = limits(request).v1_max_rows
    limit = int_param(request, "limit", max_rows, 1, max_rows)
    assert limit is not None
    offset = int_param(request, "offset", 0)
    orderby = request.query_params.get("orderby")
    statement, translated, to_user = await prepare(
        v1_statement, backend(request), sql, dataspace, orderby, limit, offset
    )
    result: QueryResult = backend(request).results.new(trino_query_id(), dataspace, user)
    result.aggregates, result.map_position = translated.aggregates, to_user
    if not await run_attached(request, result, statement):
        return Response(status_code=499)  # nobody is listening
    backend(request).results.drop(result.query_id)
    raise_if_failed(result)
    assert result.table is not None
    more = result.table.num_rows > limit
    result.table = result.table.slice(0, limit)
    page = await off_loop(
        legacy_page,
        backend(request),
        result,
        0,
        _wants_arrow(request),
        1 << 62,
        None,
        lambda stop: {"done": not more and stop >= result.row_count},
    )
    return JSON(page)


async def v2_query(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    sql = sql_of(await json_body(request))
    translated, to_user = await prepare(legacy_query, backend(request), sql, dataspace)
    result: QueryResult = backend(request).results.new(trino_query_id(), dataspace, user)
    result.aggregates, result.map_position = translated.aggregates, to_user
    if not await run_attached(request, result, translated.sql):
        return Response(status_code=499)  # nobody is listening
    raise_if_failed(result)
    return await off_loop(v2_batch, request, result, 0, 0)


def v2_batch(request: Request, result: QueryResult, start: int, number: int) -> Response:
    runner, batch = backend(request), limits(request)

    def chain(stop: int) -> dict[str, Any]:
        if stop >= result.row_count:
            return {"done": True}
        return {"nextBatchId": runner.results.issue_batch(result.query_id, stop, number + 1), "done": False}

    page = legacy_page(runner, result, start, _wants_arrow(request), batch.v2_batch_bytes, batch.v2_batch_rows, chain)
    return JSON(page)


_BATCH_UNUSABLE = {
    "unknown": "is not a batch id this server issued",
    "used": "was already used: batch ids are single-use, so the query must be run again",
    "expired": "has expired (batch ids live one hour): run the query again",
}


async def v2_next(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    batch_id = request.path_params["batch_id"]
    batch = backend(request).results.take_batch(batch_id)
    if isinstance(batch, str):
        raise ApiError(404, f"nextBatchId {batch_id!r} {_BATCH_UNUSABLE[batch]}", "BATCH_NOT_FOUND")
    result = owned(request, batch.query_id, user, dataspace)
    return await off_loop(v2_batch, request, result, batch.start, batch.number)


ENDPOINTS = [
    Endpoint(
        "POST",
        wire.V1_QUERY_PATH,
        v1_query,
        "Query API V1",
        params=(Param("limit", kind="integer"), Param("offset", kind="integer"), Param("orderby")),
        body=_SQL_BODY,
        errors=DIRECT_ERRORS,
    ),
    Endpoint("POST", wire.V2_QUERY_PATH, v2_query, "Query API V2", body=_SQL_BODY, errors=DIRECT_ERRORS),
    Endpoint("GET", f"{wire.V2_QUERY_PATH}/{{batch_id}}", v2_next, "Next V2 batch", errors=DIRECT_ERRORS),
    Endpoint("POST", f"{wire.V2_QUERY_PATH}/{{batch_id}}", v2_next, "Next V2 batch", errors=DIRECT_ERRORS),
]
