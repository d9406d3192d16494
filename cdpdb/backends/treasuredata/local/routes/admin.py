"""The local server's own test hooks, behind the admin key: faults and limits, expiring query
results, and the OpenAPI description. Not Treasure Data APIs; the fault middleware lets them through."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata.local.admin import ADMIN_HEADER, ADMIN_PREFIX
from cdpdb.backends.treasuredata.local.routes.common import backend, json_body, server
from cdpdb.local.errors import ApiError
from cdpdb.local.faulthook import BadFaults, change_faults, faults_body
from cdpdb.local.http import JSON
from cdpdb.local.routetable import COMMON_ERRORS, Endpoint, Param

FAULTS_PATH = f"{ADMIN_PREFIX}/faults"
EXPIRE_PATH = f"{ADMIN_PREFIX}/expire"
OPENAPI_PATH = "/openapi.json"

_LIMITS = {
    "type": "object",
    "properties": {
        **{k: {"type": "number", "minimum": 0} for k in ("latency_ms", "retry_after_seconds", "query_seconds")},
        **{
            k: {"type": "integer", "minimum": 1}
            for k in (
                "max_concurrent",
                "page_size",
                "max_page_size",
                "activation_page_size",
                "max_activation_page_size",
            )
        },
        "result_lifetime_seconds": {"type": "number", "minimum": 1},
    },
    "additionalProperties": False,
}
_FAULTS_BODY = faults_body(_LIMITS)
_KEY = (Param(ADMIN_HEADER, "header", required=True),)
_ERRORS = (*COMMON_ERRORS, 403)


def _admin(request: Request) -> None:
    if request.headers.get(ADMIN_HEADER) != server(request).admin_key:
        raise ApiError(403, f"the admin endpoints need the {ADMIN_HEADER} header of the local server")


async def faults(request: Request) -> Response:
    _admin(request)
    body = await json_body(request) if request.method == "POST" else None
    try:
        return JSON(change_faults(backend(request).faults, request.method, body))
    except BadFaults as exc:
        raise ApiError(400, str(exc)) from None


async def expire(request: Request) -> Response:
    _admin(request)
    backend(request).results.expire_all()
    return JSON({"expired": True})


async def openapi(request: Request) -> Response:
    return JSON(server(request).openapi)


ENDPOINTS = [
    Endpoint("GET", FAULTS_PATH, faults, "Faults and limits now", _KEY, errors=_ERRORS),
    Endpoint("POST", FAULTS_PATH, faults, "Add faults, change limits", _KEY, body=_FAULTS_BODY, errors=_ERRORS),
    Endpoint("DELETE", FAULTS_PATH, faults, "Clear faults and limits", _KEY, errors=_ERRORS),
    Endpoint("POST", EXPIRE_PATH, expire, "Expire every segment query's results", _KEY, errors=_ERRORS),
    Endpoint("GET", OPENAPI_PATH, openapi, "This description", errors=()),
]
