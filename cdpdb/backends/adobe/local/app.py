"""The local Adobe's ASGI app: the route table served by Starlette, errors in Adobe's shapes,
the request log, and the kit's fault middleware in front of everything."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.adobe.local.errors import error_body, overload_body
from cdpdb.backends.adobe.local.requestlog import RequestLogMiddleware
from cdpdb.backends.adobe.local.routes import ROUTES, TITLE
from cdpdb.backends.adobe.local.routes.common import Server
from cdpdb.local.errors import ApiError
from cdpdb.local.faults import FaultMiddleware
from cdpdb.local.routetable import openapi, starlette_routes

log = logging.getLogger(__name__)
ADMIN_PREFIX = "/__cdpdb"  # nothing is served there; the fault middleware exempts it


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    code = None if exc.code.isupper() and not exc.code.startswith(("UPS-", "XDM-")) else exc.code
    body = error_body(request.url.path, exc.status, exc.message, code)
    return Response(body, status_code=exc.status, media_type="application/json", headers=exc.headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    message = f"{request.method} {request.url.path} is not an endpoint of this server"
    if status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return Response(
        error_body(request.url.path, status, message, f"UPS-1404-{status}"),
        status_code=status,
        media_type="application/json",
    )


async def _crash(request: Request, exc: Exception) -> Response:
    log.exception("the local Adobe failed on %s %s", request.method, request.url.path)
    body = error_body(request.url.path, 500, "internal error in the local Adobe; see its log", "UPS-1500-500")
    return Response(body, status_code=500, media_type="application/json")


def spec() -> dict[str, object]:
    return openapi(ROUTES, TITLE)


def build_app(state: Server) -> Starlette:
    app = Starlette(
        routes=starlette_routes(ROUTES),
        exception_handlers={ApiError: _api_error, 404: _not_found, 405: _not_found, Exception: _crash},
    )
    app.state.server = state
    app.add_middleware(FaultMiddleware, plan=state.faults, error_body=overload_body, exempt=ADMIN_PREFIX)
    app.add_middleware(RequestLogMiddleware, log=state.log)
    return app
