"""Query API V3: submit (ADAPTIVE answers inline when the query is quick, ASYNC never), status
with long polling, rows by offset, chunks, the result's schema and cancel; JSON or Arrow."""

from __future__ import annotations

import math
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.encoding import arrow_ipc, arrow_messages, modern_metadata
from cdpdb.backends.salesforce.local.results import QueryResult, hyper_query_id
from cdpdb.backends.salesforce.local.routes.common import (
    DIRECT_ERRORS,
    backend,
    bool_param,
    direct_auth,
    int_param,
    json_body,
    limits,
    owned,
    raise_if_failed,
    row_limit,
)
from cdpdb.backends.salesforce.local.routes.parameters import PARAMETER
from cdpdb.backends.salesforce.local.routes.queries import (
    cancel_and_free,
    finished_result,
    out_of_range,
    page_count,
    prepared_sql,
    v3_status,
)
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param

TRANSFER_MODES = ("ADAPTIVE", "ASYNC")
_SUBMIT = {
    "type": "object",
    "required": ["sql"],
    "properties": {
        "sql": {"type": "string"},
        "transferMode": {"type": "string", "enum": list(TRANSFER_MODES)},
        "paramStyle": {"type": "string", "enum": ["QUESTION_MARK", "NAMED", "DOLLARED"]},
        "parameters": {"type": "array", "items": PARAMETER},
        "resultRange": {
            "type": "object",
            "properties": {"rowLimit": {"type": "integer"}, "byteLimit": {"type": "integer"}},
        },
        "queryRowLimit": {"type": "integer"},
    },
}
_RESULT_ERRORS = (*DIRECT_ERRORS, 409)


def _wants_arrow(request: Request) -> bool:
    return wire.ARROW_MEDIA_TYPE in request.headers.get("accept", "")


def _status_header(status: dict[str, Any]) -> dict[str, str]:
    return {wire.STATUS_HEADER: orjson.dumps(status).decode()}


def rows_body(
    request: Request,
    result: QueryResult,
    start: int,
    count: int,
    omit_schema: bool,
    headers: dict[str, str] | None = None,
) -> Response:
    assert result.table is not None
    if _wants_arrow(request):
        return Response(arrow_ipc(result.table.slice(start, count)), media_type=wire.ARROW_MEDIA_TYPE, headers=headers)
    rows = result.json_rows("typed")
    parts = [b'{"data":', rows.array_bytes(start, start + count), b',"returnedRows":', str(count).encode()]
    if not omit_schema:
        parts += [b',"metadata":', orjson.dumps({"columns": modern_metadata(result.table.schema)})]
    parts.append(b"}")
    return JSON(b"".join(parts), headers=headers)


def _byte_limit(value: Any, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= max(limit, wire.V3_MAX_BYTE_LIMIT):
        raise ApiError(400, f"resultRange.byteLimit must be between 1 and {limit}", "INVALID_INPUT")
    return value


async def submit(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    body = await json_body(request)
    style = body.get("paramStyle") or "QUESTION_MARK"
    if not isinstance(style, str):
        raise ApiError(400, f"paramStyle must be a string, not {style!r}", "INVALID_PARAMETERS")
    sql, positions = await prepared_sql(request, body, dataspace, "parameters", style)
    mode = str(body.get("transferMode") or "ADAPTIVE").upper()
    if mode not in TRANSFER_MODES:
        raise ApiError(400, f"transferMode must be ADAPTIVE or ASYNC, not {mode!r}", "INVALID_INPUT")
    query_rows = row_limit(body.get("queryRowLimit"), "queryRowLimit")
    if query_rows is not None:
        head = "SELECT * FROM ("
        sql, positions = f"{head}{sql}\n) AS q LIMIT {query_rows}", positions.wrapped(len(head))
    result_range = body.get("resultRange") or {}
    if not isinstance(result_range, dict):
        raise ApiError(400, "resultRange must be an object with rowLimit and byteLimit", "INVALID_INPUT")
    current = limits(request)
    asked_bytes = result_range.get("byteLimit", current.v3_max_byte_limit)
    inline_rows = row_limit(result_range.get("rowLimit"), "resultRange.rowLimit")
    byte_limit = _byte_limit(asked_bytes, current.v3_max_byte_limit)
    runner = backend(request)
    result: QueryResult = runner.results.new(hyper_query_id(), dataspace, user)
    result.map_position = positions
    runner.submit(result, sql)
    if mode == "ASYNC" or not await runner.wait(result, current.adaptive_wait_seconds):
        return JSON({"data": [], "returnedRows": 0}, headers=_status_header(v3_status(runner, result)))
    raise_if_failed(result)
    return await off_loop(_first_page, request, result, inline_rows, byte_limit)


def _first_page(request: Request, result: QueryResult, inline_rows: int | None, byte_limit: int) -> Response:
    runner = backend(request)
    count = page_count(runner, result, 0, inline_rows, byte_limit, _wants_arrow(request))
    return rows_body(request, result, 0, count, False, _status_header(v3_status(runner, result)))


async def get_status(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    result = owned(request, request.path_params["query_id"], user, dataspace)
    wait_ms = int_param(request, "waitTimeMs", wire.MAX_WAIT_MS, 0)
    assert wait_ms is not None
    await backend(request).wait(result, min(wait_ms, wire.MAX_WAIT_MS) / 1000)
    raise_if_failed(result)
    status = v3_status(backend(request), result)
    return JSON(status, headers=_status_header(status))


async def rows(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    result = await finished_result(request, user, dataspace)
    if "offset" not in request.query_params:
        raise ApiError(400, "query parameter offset is required", "INVALID_INPUT")
    offset = int_param(request, "offset", 0)
    assert offset is not None
    limit = int_param(request, "limit", None, 1)
    most = limits(request).v3_max_byte_limit
    byte_limit = int_param(request, "byteLimit", most, 1, max(most, wire.V3_MAX_BYTE_LIMIT))
    assert byte_limit is not None
    out_of_range(result, offset)
    return await off_loop(_page, request, result, offset, limit, byte_limit)


def _page(request: Request, result: QueryResult, offset: int, limit: int | None, byte_limit: int) -> Response:
    count = page_count(backend(request), result, offset, limit, byte_limit, _wants_arrow(request))
    return rows_body(request, result, offset, count, bool_param(request, "omitSchema"))


async def chunk(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    result = await finished_result(request, user, dataspace)
    assert result.table is not None
    chunk_rows = limits(request).v3_chunk_rows
    chunk_count = max(1, math.ceil(result.row_count / chunk_rows))
    try:
        number = int(request.path_params["chunk"])
    except ValueError:
        raise ApiError(400, "chunk id must be an integer", "INVALID_INPUT") from None
    if not 0 <= number < chunk_count:
        raise ApiError(
            400, f"Request out of range: chunk {number} does not exist (chunkCount {chunk_count})", "OUT_OF_RANGE"
        )
    start = number * chunk_rows
    count = max(min(chunk_rows, result.row_count - start), 0)
    if _wants_arrow(request):
        return StreamingResponse(arrow_messages(result.table.slice(start, count)), media_type=wire.ARROW_MEDIA_TYPE)
    return await off_loop(rows_body, request, result, start, count, bool_param(request, "omitSchema"))


async def metadata(request: Request) -> Response:
    user, dataspace = direct_auth(request)
    result = await finished_result(request, user, dataspace)
    assert result.table is not None
    return JSON({"metadata": {"columns": modern_metadata(result.table.schema)}})


async def cancel(request: Request) -> Response:
    return await cancel_and_free(request, *direct_auth(request))


_QUERY = f"{wire.V3_QUERY_PATH}/{{query_id}}"
ENDPOINTS = [
    Endpoint("POST", wire.V3_QUERY_PATH, submit, "Query API V3 submit", body=_SUBMIT, errors=DIRECT_ERRORS),
    Endpoint(
        "GET", _QUERY, get_status, "V3 status", params=(Param("waitTimeMs", kind="integer"),), errors=DIRECT_ERRORS
    ),
    Endpoint("DELETE", _QUERY, cancel, "V3 cancel", errors=DIRECT_ERRORS),
    Endpoint(
        "GET",
        f"{_QUERY}/rows",
        rows,
        "V3 rows",
        params=(
            Param("offset", kind="integer", required=True),
            Param("limit", kind="integer"),
            Param("byteLimit", kind="integer"),
            Param("omitSchema", kind="boolean"),
        ),
        errors=_RESULT_ERRORS,
    ),
    Endpoint(
        "GET",
        f"{_QUERY}/chunks/{{chunk}}",
        chunk,
        "V3 chunk",
        params=(Param("chunk", "path", "integer"), Param("omitSchema", kind="boolean")),
        errors=_RESULT_ERRORS,
    ),
    Endpoint("GET", f"{_QUERY}/metadata", metadata, "V3 result schema", errors=_RESULT_ERRORS),
]
