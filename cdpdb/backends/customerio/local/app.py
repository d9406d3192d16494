"""The local Customer.io's ASGI app: the Pipelines API's paths, its auth, sizes, rate and strict
mode; the test hooks (received calls, faults) behind the admin key; the kit's fault middleware
in front of everything but the test hooks."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.customerio import wire
from cdpdb.backends.customerio.local.limits import Limits
from cdpdb.backends.customerio.local.ratelimit import Window
from cdpdb.backends.customerio.local.store import Received
from cdpdb.backends.customerio.local.validate import Refused, calls_of, key_of
from cdpdb.local.faulthook import BadFaults, change_faults, faults_body
from cdpdb.local.faults import FaultMiddleware, FaultPlan
from cdpdb.local.http import JSON, off_loop
from cdpdb.local.routetable import Endpoint, Param, openapi, starlette_routes

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/__cdpdb"  # the local server's test hooks: not a Customer.io API, so not in wire.py
ADMIN_HEADER = "X-Cdpdb-Admin"
RECEIVED_PATH = f"{ADMIN_PREFIX}/received"
FAULTS_PATH = f"{ADMIN_PREFIX}/faults"


@dataclass
class Server:
    keys: set[str]
    admin_key: str
    faults: FaultPlan
    received: Received
    window: Window

    @property
    def limits(self) -> Limits:
        assert isinstance(self.faults.limits, Limits)
        return self.faults.limits


def error_body(path: str, status: int, message: str) -> bytes:
    """Error answers as ``{"errors": [{"message": ...}]}`` (UNCONFIRMED: the docs show no error body)."""
    return orjson.dumps({"errors": [{"status": status, "message": message}]})


def _server(request: Request) -> Server:
    server: Server = request.app.state.server
    return server


async def receive_calls(request: Request) -> Response:
    server = _server(request)
    strict = request.headers.get(wire.STRICT_HEADER) == wire.STRICT_ON
    limits = server.limits
    wait = server.window.admit(limits.rate_requests, limits.rate_window_seconds)
    if wait is not None:
        server.received.count("rate_limited")
        message = f"more than {limits.rate_requests} requests in {limits.rate_window_seconds:g} s"
        headers = {"Retry-After": str(max(round(wait + 0.5), 1))}
        return Response(error_body(request.url.path, 429, message), 429, headers, "application/json")
    if strict:
        server.received.count("strict_requests")
    raw = await request.body()
    try:
        key_of(request.headers.get("authorization"), server.keys)
        checked = await off_loop(calls_of, request.url.path, raw, limits.max_call_bytes, limits.max_batch_bytes)
        if strict and checked.invalid:
            number, why = checked.invalid[0]
            more = f" ({len(checked.invalid)} invalid calls)" if len(checked.invalid) > 1 else ""
            raise Refused(400, f"call {number}: {why}{more}")
    except Refused as exc:
        if strict:
            server.received.count("rejected")
            return Response(error_body(request.url.path, exc.status, exc.message), exc.status, None, "application/json")
        server.received.count("dropped_requests")  # the permissive 200: not processed, nobody told
        return JSON({})
    if checked.invalid:
        server.received.count("dropped_calls", len(checked.invalid))
    if server.received.keep_calls:
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        for call in checked.valid:
            call["receivedAt"] = now
    server.received.accept(checked.valid)
    server.received.count("requests_processed")
    return JSON({})


def _admin(request: Request) -> Response | None:
    if request.headers.get(ADMIN_HEADER) != _server(request).admin_key:
        message = f"the admin endpoints need the {ADMIN_HEADER} header of the local server"
        return Response(error_body(request.url.path, 403, message), 403, None, "application/json")
    return None


async def received(request: Request) -> Response:
    refused = _admin(request)
    if refused:
        return refused
    server = _server(request)
    if request.method == "DELETE":
        server.received.clear()
        return JSON({"cleared": True})
    kind = request.query_params.get("type")
    since = int(request.query_params.get("since", "0"))
    only_count = request.query_params.get("count") == "1"
    calls: list[Any] = [] if only_count else server.received.read(kind, since)
    return JSON({"stats": dict(server.received.stats), "count": server.received.stats["accepted"], "calls": calls})


async def faults(request: Request) -> Response:
    refused = _admin(request)
    if refused:
        return refused
    body = orjson.loads(await request.body() or b"{}") if request.method == "POST" else None
    try:
        return JSON(change_faults(_server(request).faults, request.method, body))
    except BadFaults as exc:
        return Response(error_body(request.url.path, 400, str(exc)), 400, None, "application/json")


async def spec(request: Request) -> Response:
    return JSON(request.app.state.openapi)


_CALL = {"type": "object"}
_BATCH = {
    "type": "object",
    "required": ["batch"],
    "properties": {"batch": {"type": "array", "items": _CALL}, "context": _CALL, "integrations": _CALL},
}
_STRICT = (Param(wire.STRICT_HEADER, "header"),)
_ADMIN = (Param(ADMIN_HEADER, "header", required=True),)
_LIMITS = {"type": "object", "properties": {"rate_requests": {"type": "integer"}, "latency_ms": {"type": "number"}}}
ROUTES = [
    *(
        Endpoint("POST", path, receive_calls, f"Send one {kind} call", _STRICT, body=_CALL)
        for kind, path in wire.CALL_PATHS.items()
    ),
    Endpoint("POST", wire.BATCH, receive_calls, "Send a batch of calls", _STRICT, body=_BATCH),
    Endpoint("GET", RECEIVED_PATH, received, "Calls received (test hook)", _ADMIN, errors=(403,)),
    Endpoint("DELETE", RECEIVED_PATH, received, "Forget calls received (test hook)", _ADMIN, errors=(403,)),
    Endpoint("GET", FAULTS_PATH, faults, "Faults and limits now", _ADMIN, errors=(400, 403)),
    Endpoint("POST", FAULTS_PATH, faults, "Add faults, change limits", _ADMIN, body=faults_body(_LIMITS)),
    Endpoint("DELETE", FAULTS_PATH, faults, "Clear faults and limits", _ADMIN, errors=(403,)),
    Endpoint("GET", "/openapi.json", spec, "This description", errors=()),
]


def build_app(server: Server) -> Starlette:
    app = Starlette(routes=starlette_routes(ROUTES))
    app.state.server = server
    app.state.openapi = openapi(
        ROUTES, "local Customer.io Data Pipelines API", {"basicAuth": {"type": "http", "scheme": "basic"}}
    )
    app.add_middleware(FaultMiddleware, plan=server.faults, error_body=error_body, exempt=ADMIN_PREFIX)
    return app
