"""What the query APIs share: SQL checked and bound for a dataspace (V3, Connect), how many rows
fit a page, the V3 status both V3 and Connect report, and reading or cancelling a result by id."""

from __future__ import annotations

import math
import time
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.results import QueryResult
from cdpdb.backends.salesforce.local.routes.common import backend, owned, prepare, raise_if_failed, sql_of
from cdpdb.backends.salesforce.local.sqlguard import PositionMap, strip_terminator
from cdpdb.backends.salesforce.local.sqltext import BadRequest, bind_mapped, ensure_query, parse_parameters
from cdpdb.local.engine import EngineError
from cdpdb.local.errors import ApiError
from cdpdb.local.http import off_loop
from cdpdb.local.results import FINISHED

#: The longest a rows, chunk or metadata call waits for a query to finish before answering 409.
FINISH_WAIT_SECONDS = 60


def page_count(
    backend: Backend,
    result: QueryResult,
    start: int,
    row_limit: int | None,
    byte_limit: int,
    arrow: bool,
    style: str = "typed",
) -> int:
    """Rows from ``start`` that fit one page: within the row caps and about ``byte_limit`` bytes."""
    caps = [result.row_count - start, row_limit, backend.faults.limits.page_rows]
    rows_cap = max(min(x for x in caps if x is not None), 0)
    if rows_cap == 0:
        return 0
    if arrow:
        assert result.table is not None
        per_row = max(result.table.nbytes / max(result.row_count, 1), 1)
        return min(rows_cap, max(int(byte_limit // per_row), 1))
    return result.json_rows(style).rows_within(start, byte_limit, rows_cap)


def v3_status(backend: Backend, result: QueryResult) -> dict[str, Any]:
    done = result.done.is_set()
    finished = done and result.state == FINISHED
    chunk_rows = backend.faults.limits.v3_chunk_rows  # type: ignore[attr-defined]
    return {
        "queryId": result.query_id,
        "completionStatus": "FINISHED" if finished else "RUNNING_OR_UNSPECIFIED",
        "progress": 1.0 if done else 0.0,
        "rowCount": result.row_count,
        "chunkCount": max(1, math.ceil(result.row_count / chunk_rows)) if finished else 0,
        "expirationTime": result.expiration_iso(),
        "executionStats": {
            "wallClockTime": round(((result.finished or time.monotonic()) - result.started) * 1000),
            "rowsProcessed": result.row_count,
        },
    }


def _check_parameter_names(raw: Any) -> None:
    """A parameter's ``name`` is text or absent; anything else is the client's mistake (was a 500)."""
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        if isinstance(item, dict) and item.get("name") is not None and not isinstance(item["name"], str):
            raise BadRequest(f"parameter {i + 1} has a 'name' that is not a string: {item['name']!r}")


def checked_sql(backend: Backend, sql: str, dataspace: str, raw_params: Any, style: str) -> tuple[str, PositionMap]:
    """V3/Connect SQL with its parameters bound, checked for the dataspace, and where each
    piece came from. Runs off the event loop: binding and parsing are linear but not free."""
    sql = strip_terminator(sql)
    ensure_query(sql)
    positions = PositionMap()
    if raw_params:
        _check_parameter_names(raw_params)
        params = parse_parameters(raw_params, named=style.upper() == "NAMED")
        sql, positions = bind_mapped(sql, style, params)
    try:
        backend.check(sql, dataspace)
    except EngineError as exc:
        raise replace(exc, position=exc.position and positions(exc.position)) from None
    return sql, positions


async def prepared_sql(
    request: Request, body: dict[str, Any], dataspace: str, params_key: str, style: str
) -> tuple[str, PositionMap]:
    sql = sql_of(body)
    return await prepare(
        checked_sql, backend(request), sql, dataspace, body.get(params_key), style, code="INVALID_PARAMETERS"
    )


def out_of_range(result: QueryResult, offset: int) -> None:
    if offset >= result.row_count and not (offset == 0 and result.row_count == 0):
        raise ApiError(
            400,
            f"Request out of range: offset {offset} is past the last row (rowCount {result.row_count})",
            "OUT_OF_RANGE",
        )


async def finished_result(request: Request, user: str, dataspace: str) -> QueryResult:
    result = owned(request, request.path_params["query_id"], user, dataspace)
    if not await backend(request).wait(result, FINISH_WAIT_SECONDS):
        raise ApiError(409, "the query is still running; poll its status before reading rows", "QUERY_NOT_FINISHED")
    raise_if_failed(result)
    return result


async def cancel_and_free(request: Request, user: str, dataspace: str) -> Response:
    """DELETE: stop the statement in Hyper now (not when it would have ended) and free the result."""
    result = owned(request, request.path_params["query_id"], user, dataspace)
    backend(request).results.drop(result.query_id)
    await off_loop(backend(request).cancel, result)
    return Response(status_code=204)
