"""The local Adobe's HTTP surface; :data:`ROUTES` feeds both the Starlette app and the OpenAPI
description (served at ``/openapi.json``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.adobe.local.routes import config, entities, ims
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint, openapi

TITLE = "Local Adobe Experience Platform (IMS, Real-Time Customer Profile)"
OPENAPI_PATH = "/openapi.json"


async def openapi_json(request: Request) -> Response:
    return JSON(openapi(ROUTES, TITLE))


ROUTES: list[Endpoint] = [
    *ims.ENDPOINTS,
    *entities.ENDPOINTS,
    *config.ENDPOINTS,
    Endpoint("GET", OPENAPI_PATH, openapi_json, "This description", errors=()),
]
