"""The Connect REST API's ``query-sql`` on the core host: submit (answers inline when the query
is quick), status with long polling, rows by offset, cancel; a core token, not a Data Cloud one."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.encoding import modern_metadata
from cdpdb.backends.salesforce.local.results import QueryResult, hyper_query_id
from cdpdb.backends.salesforce.local.routes.common import (
    backend,
    bool_param,
    core_auth,
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
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import COMMON_ERRORS, Endpoint, Param

_SUBMIT = {
    "type": "object",
    "required": ["sql"],
    "properties": {
        "sql": {"type": "string"},
        "rowLimit": {"type": "integer"},
        "sqlParameters": {"type": "array", "items": PARAMETER},
        wire.DATASPACE_PARAM: {"type": "string"},
    },
}


def status(result: QueryResult, request: Request) -> dict[str, Any]:
    """V3's status in Connect's words."""
    found = v3_status(backend(request), result)
    found["completionStatus"] = "Finished" if found["completionStatus"] == "FINISHED" else "Running"
    found.pop("executionStats")
    if result.workload:
        found[wire.CONNECT_WORKLOAD_PARAM] = result.workload
    return found


def _body(request: Request, result: QueryResult, start: int, count: int, omit_schema: bool) -> Response:
    assert result.table is not None
    rows = result.json_rows("typed")
    parts = [b'{"data":', rows.array_bytes(start, start + count), b',"returnedRows":', str(count).encode()]
    if not omit_schema:
        parts += [b',"metadata":', orjson.dumps(modern_metadata(result.table.schema))]
    parts += [b',"status":', orjson.dumps(status(result, request)), b"}"]
    return JSON(b"".join(parts))


def _page(request: Request, result: QueryResult, offset: int, rows: int | None, omit_schema: bool) -> Response:
    count = page_count(backend(request), result, offset, rows, limits(request).connect_page_bytes, False)
    return _body(request, result, offset, count, omit_schema)


async def submit(request: Request) -> Response:
    body = await json_body(request)
    user, dataspace = core_auth(request, body)
    params = body.get("sqlParameters")
    named = isinstance(params, list) and params and all(isinstance(p, dict) and p.get("name") for p in params)
    sql, positions = await prepared_sql(
        request, body, dataspace, "sqlParameters", "NAMED" if named else "QUESTION_MARK"
    )
    rows = row_limit(body.get("rowLimit"), "rowLimit")
    runner = backend(request)
    result: QueryResult = runner.results.new(hyper_query_id(), dataspace, user)
    result.map_position = positions
    result.workload = next(
        (request.query_params[name] for name in wire.CONNECT_WORKLOAD_ALIASES if request.query_params.get(name)), None
    )
    runner.submit(result, sql)
    if not await runner.wait(result, limits(request).adaptive_wait_seconds):
        return JSON({"data": [], "metadata": [], "returnedRows": 0, "status": status(result, request)})
    raise_if_failed(result)
    return await off_loop(_page, request, result, 0, rows, False)


async def get_status(request: Request) -> Response:
    user, dataspace = core_auth(request)
    result = owned(request, request.path_params["query_id"], user, dataspace)
    wait_ms = int_param(request, "waitTimeMs", 0, 0)
    assert wait_ms is not None
    await backend(request).wait(result, min(wait_ms, wire.MAX_WAIT_MS) / 1000)
    raise_if_failed(result)
    return JSON({"status": status(result, request)})


async def rows(request: Request) -> Response:
    user, dataspace = core_auth(request)
    result = await finished_result(request, user, dataspace)
    offset = int_param(request, "offset", 0)
    assert offset is not None
    rows = int_param(request, "rowLimit", None, 1)
    out_of_range(result, offset)
    return await off_loop(_page, request, result, offset, rows, bool_param(request, "omitSchema"))


async def cancel(request: Request) -> Response:
    return await cancel_and_free(request, *core_auth(request))


async def data_spaces(request: Request) -> Response:
    """The org's data spaces (UNCONFIRMED shape, see wire.connect_data_spaces_path): every one the
    local Data Cloud holds, all active; a core token is required, as for the rest of Connect."""
    core_auth(request)
    names = sorted(backend(request).engine.dataspaces)
    spaces = [{"name": name, "label": name.title(), "status": "Active"} for name in names]
    return JSON({"dataSpaces": spaces, "totalSize": len(spaces)})


_PATH = wire.connect_query_path("{version}")
ENDPOINTS = [
    Endpoint("GET", wire.connect_data_spaces_path("{version}"), data_spaces, "Connect data spaces"),
    Endpoint(
        "POST",
        _PATH,
        submit,
        "Connect query-sql",
        params=tuple(Param(name) for name in wire.CONNECT_WORKLOAD_ALIASES),
        body=_SUBMIT,
    ),
    Endpoint(
        "GET", f"{_PATH}/{{query_id}}", get_status, "Connect status", params=(Param("waitTimeMs", kind="integer"),)
    ),
    Endpoint("DELETE", f"{_PATH}/{{query_id}}", cancel, "Connect cancel"),
    Endpoint(
        "GET",
        f"{_PATH}/{{query_id}}/rows",
        rows,
        "Connect rows",
        params=(
            Param("offset", kind="integer"),
            Param("rowLimit", kind="integer"),
            Param("omitSchema", kind="boolean"),
        ),
        errors=(*COMMON_ERRORS, 409),
    ),
]
