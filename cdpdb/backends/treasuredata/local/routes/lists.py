"""The small lists of a parent segment: funnels, predictive segments, Profiles API tokens, and
journeys (JSON:API, ``/entities/journeys?folder_id=``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from cdpdb.backends.treasuredata import wire
from cdpdb.backends.treasuredata.local.routes.common import AUDIENCE, ERRORS, backend, int_param, parent, user
from cdpdb.backends.treasuredata.local.routes.parents import JSONAPI
from cdpdb.local.errors import ApiError
from cdpdb.local.http import JSON
from cdpdb.local.routetable import Endpoint, Param


def _per_parent(attribute: str):  # type: ignore[no-untyped-def]
    async def handler(request: Request) -> Response:
        user(request)
        return JSON(getattr(backend(request).store, attribute).get(parent(request).id, []))

    handler.__name__ = f"list_{attribute}"
    return handler


async def journeys(request: Request) -> Response:
    user(request)
    store = backend(request).store
    folder = int_param(request, "folder_id", 0, 0)
    permission = request.query_params.get("permission")
    if permission not in (None, "view", "edit"):
        raise ApiError(
            400, f"permission must be view or edit, not {permission!r}", details={"source": {"parameter": "permission"}}
        )
    items = [j for per in store.journeys.values() for j in per]
    if folder:
        tree = store.folder_tree(str(folder))
        items = [j for j in items if j["relationships"]["parentFolder"]["data"]["id"] in tree]
    return JSONAPI({"data": items, "included": []})


ENDPOINTS = [
    Endpoint("GET", wire.FUNNELS, _per_parent("funnels"), "Funnels", (AUDIENCE,), errors=ERRORS),
    Endpoint(
        "GET", wire.PREDICTIVE_SEGMENTS, _per_parent("predictive"), "Predictive segments", (AUDIENCE,), errors=ERRORS
    ),
    Endpoint("GET", wire.TOKENS, _per_parent("tokens"), "Profiles API tokens", (AUDIENCE,), errors=ERRORS),
    Endpoint(
        "GET",
        wire.JOURNEYS,
        journeys,
        "Journeys (JSON:API)",
        (Param("folder_id", kind="integer"), Param("permission")),
        errors=ERRORS,
    ),
]
