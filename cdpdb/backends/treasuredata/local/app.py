"""The local Treasure Data's ASGI app: the route table served by Starlette, errors in the API's
shapes, and the fault middleware in front of everything but the test hooks."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata.local.admin import ADMIN_PREFIX
from cdpdb.backends.treasuredata.local.backend import Backend
from cdpdb.backends.treasuredata.local.errors import error_body, overload_body
from cdpdb.backends.treasuredata.local.openapi import spec
from cdpdb.backends.treasuredata.local.routes import ROUTES
from cdpdb.backends.treasuredata.local.routes.common import Server
from cdpdb.local.errors import ApiError
from cdpdb.local.faults import FaultMiddleware
from cdpdb.local.routetable import starlette_routes

log = logging.getLogger(__name__)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    code = None if exc.code.isupper() else exc.code
    body = error_body(request.url.path, exc.status, exc.message, code, (exc.details or {}).get("source"))
    return Response(body, status_code=exc.status, media_type="application/json", headers=exc.headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    message = f"{request.method} {request.url.path} is not an endpoint of this server"
    if status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return Response(error_body(request.url.path, status, message), status_code=status, media_type="application/json")


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("the local Treasure Data failed on %s %s", request.method, request.url.path)
    body = error_body(request.url.path, 500, "internal error in the local Treasure Data; see its log")
    return Response(body, status_code=500, media_type="application/json")


def build_app(backend: Backend, *, admin_key: str) -> Starlette:
    app = Starlette(
        routes=starlette_routes(ROUTES),
        exception_handlers={ApiError: _api_error, 404: _not_found, 405: _not_found, Exception: _crash},
    )
    app.state.server = Server(backend, admin_key, spec())
    app.add_middleware(FaultMiddleware, plan=backend.faults, error_body=overload_body, exempt=ADMIN_PREFIX)
    return app
