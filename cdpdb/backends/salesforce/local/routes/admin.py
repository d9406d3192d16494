"""The local server's own test hooks, behind the admin key ``cdpdb serve`` prints: faults and
limits, expiring tokens and results, writable mode (DDL/DML for fixtures), and the OpenAPI
description. Not Data Cloud APIs; the fault middleware lets them through."""

from __future__ import annotations

from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.admin import ADMIN_HEADER, ADMIN_PATH
from cdpdb.backends.salesforce.local.errors import sql_error
from cdpdb.backends.salesforce.local.routes.common import backend, existing, json_body, server, sql_of
from cdpdb.backends.salesforce.local.sqltext import BadRequest
from cdpdb.core.sqlscan import placeholders
from cdpdb.local.engine import EngineError
from cdpdb.local.errors import ApiError
from cdpdb.local.faulthook import BadFaults, change_faults, faults_body
from cdpdb.local.http import JSON
from cdpdb.local.routetable import COMMON_ERRORS, Endpoint, Param

#: Every test hook lives under this prefix (the fault middleware lets it through).
ADMIN_PREFIX = ADMIN_PATH.rsplit("/", 1)[0]
FAULTS_PATH = f"{ADMIN_PREFIX}/faults"
EXPIRE_PATH = f"{ADMIN_PREFIX}/expire"
OPENAPI_PATH = "/openapi.json"

#: The limits described (and so varied by the OpenAPI fuzz test); the hook accepts every field of
#: :class:`~cdpdb.backends.salesforce.local.limits.Limits`. Optional ones (None: no cap) are at least 1.
_OPTIONAL_LIMITS = ("page_rows", "v2_batch_rows")
_LIMITS = {
    "type": "object",
    "properties": {
        **{
            k: {"type": "number", "minimum": 0}
            for k in ("latency_ms", "retry_after_seconds", "query_seconds", "adaptive_wait_seconds")
        },
        **{
            k: {"type": "integer", "minimum": 0}
            for k in ("max_concurrent", "v1_max_rows", "v2_batch_bytes", "v3_chunk_rows", "v3_max_byte_limit")
        },
        **{k: {"type": "integer", "minimum": 1, "nullable": True} for k in _OPTIONAL_LIMITS},
    },
    "additionalProperties": False,
}
_FAULTS_BODY = faults_body(_LIMITS)
_EXECUTE_BODY = {
    "type": "object",
    "required": ["sql"],
    "properties": {
        "sql": {"type": "string"},
        "dataspace": {"type": "string"},
        "parameters": {"oneOf": [{"type": "array", "items": {}}, {"type": "object", "additionalProperties": {}}]},
    },
}
_EXPIRE_BODY = {"type": "object", "properties": {"tokens": {"type": "boolean"}, "results": {"type": "boolean"}}}
_KEY = (Param(ADMIN_HEADER, "header", required=True),)
_ERRORS = (*COMMON_ERRORS, 403)


def _admin(request: Request) -> None:
    if request.headers.get(ADMIN_HEADER) != server(request).admin_key:
        raise ApiError(403, f"the admin endpoints need the {ADMIN_HEADER} header printed by 'cdpdb serve'")


async def faults(request: Request) -> Response:
    _admin(request)
    body = await json_body(request) if request.method == "POST" else None
    try:
        return JSON(change_faults(backend(request).faults, request.method, body))
    except BadFaults as exc:
        raise ApiError(400, str(exc), "INVALID_INPUT") from None


def _check_parameters(sql: str, parameters: Any) -> None:
    """Writable-mode parameters: scalars, as many as the SQL's ``?`` (a list) or every ``:name``
    of the SQL (an object). psycopg refuses anything else without a SQLSTATE, which was a 500."""
    if parameters is None:
        return
    if not isinstance(parameters, (list, dict)):
        raise BadRequest("parameters must be a list (for ?) or an object (for :name)")
    values = parameters if isinstance(parameters, list) else list(parameters.values())
    if not all(v is None or isinstance(v, (str, int, float, bool)) for v in values):
        raise BadRequest("parameter values must be strings, numbers, booleans or null")
    if not parameters:
        return
    style = "QUESTION_MARK" if isinstance(parameters, list) else "NAMED"
    found = [match for _, _, match in placeholders(sql, style)]
    if isinstance(parameters, list) and len(found) != len(parameters):
        raise BadRequest(f"the SQL has {len(found)} ? placeholder(s) but {len(parameters)} parameter(s) were given")
    missing = sorted({m.group(1) for m in found} - set(parameters)) if isinstance(parameters, dict) else []
    if missing:
        raise BadRequest(f"no value was given for the named parameter(s) {', '.join(':' + m for m in missing)}")


async def execute(request: Request) -> Response:
    """Writable mode for tests: DDL/DML with bind parameters, on the admin path only."""
    _admin(request)
    body = await json_body(request)
    sql = sql_of(body)
    dataspace = existing(request, body.get("dataspace") or wire.DEFAULT_DATASPACE)
    parameters = body.get("parameters")
    try:
        _check_parameters(sql, parameters)
    except BadRequest as exc:
        raise ApiError(400, str(exc), "INVALID_PARAMETERS") from None
    try:
        rowcount = await anyio.to_thread.run_sync(backend(request).write, dataspace, sql, parameters)
    except EngineError as exc:
        raise sql_error(exc) from None
    return JSON({"rowcount": rowcount})


async def expire(request: Request) -> Response:
    _admin(request)
    body = await json_body(request)
    if body.get("tokens", True):
        backend(request).identity.expire_all()
    if body.get("results", True):
        backend(request).results.expire_all()
    return JSON({"expired": True})


async def openapi(request: Request) -> Response:
    return JSON(server(request).openapi)


ENDPOINTS = [
    Endpoint("GET", FAULTS_PATH, faults, "Faults and limits now", params=_KEY, errors=_ERRORS),
    Endpoint("POST", FAULTS_PATH, faults, "Add faults, change limits", params=_KEY, body=_FAULTS_BODY, errors=_ERRORS),
    Endpoint("DELETE", FAULTS_PATH, faults, "Clear faults and limits", params=_KEY, errors=_ERRORS),
    Endpoint("POST", EXPIRE_PATH, expire, "Expire tokens and results", params=_KEY, body=_EXPIRE_BODY, errors=_ERRORS),
    Endpoint(
        "POST", ADMIN_PATH, execute, "Writable mode: one DDL/DML", params=_KEY, body=_EXECUTE_BODY, errors=_ERRORS
    ),
    Endpoint("GET", OPENAPI_PATH, openapi, "This description", errors=()),
]
