"""The local Data Cloud's ASGI app: the route table served by Starlette, errors in each API's
shape, and the fault middleware in front of everything but the test hooks."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.salesforce.local.backend import Backend
from cdpdb.backends.salesforce.local.errors import error_body, overload_body
from cdpdb.backends.salesforce.local.openapi import spec
from cdpdb.backends.salesforce.local.routes import ROUTES
from cdpdb.backends.salesforce.local.routes.admin import ADMIN_PREFIX
from cdpdb.backends.salesforce.local.routes.common import Server
from cdpdb.local.errors import ApiError
from cdpdb.local.faults import FaultMiddleware
from cdpdb.local.routetable import starlette_routes


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    body = error_body(request.url.path, exc.status, exc.message, exc.code, exc.details)
    return Response(body, status_code=exc.status, media_type="application/json", headers=exc.headers)


async def _not_found(request: Request, exc: Exception) -> Response:
    status = getattr(exc, "status_code", 404)
    message = f"{request.method} {request.url.path} is not an endpoint of this server"
    if status == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return Response(
        error_body(request.url.path, status, message, "NOT_FOUND" if status == 404 else "METHOD_NOT_ALLOWED"),
        status_code=status,
        media_type="application/json",
    )


async def _crash(request: Request, exc: Exception) -> Response:
    body = error_body(request.url.path, 500, "internal error in the local Data Cloud; see its log", "UNKNOWN_EXCEPTION")
    return Response(body, status_code=500, media_type="application/json")


def build_app(backend: Backend, *, tenant_address: str, admin_key: str) -> Starlette:
    """The ASGI app. ``tenant_address`` is what the a360 exchange returns as ``instance_url``."""
    app = Starlette(
        routes=starlette_routes(ROUTES),
        exception_handlers={ApiError: _api_error, 404: _not_found, 405: _not_found, Exception: _crash},
    )
    app.state.server = Server(backend, tenant_address, admin_key, spec())
    app.add_middleware(FaultMiddleware, plan=backend.faults, error_body=overload_body, exempt=ADMIN_PREFIX)
    return app
