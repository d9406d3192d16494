"""Error bodies of the local Treasure Data: ``{code, message}`` on the REST paths (the OpenAPI's
Error schema), JSON:API error objects on the paths under ``/entities``:
``{errors: [{code, status, title, detail, source?}]}`` (``title``: the HTTP phrase; ``source``:
``{parameter}`` or ``{pointer}`` naming what was wrong, when one thing was).

The codes are the HTTP phrase in snake case (``not_found``): TD documents the fields, not the
values (UNCONFIRMED)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson

from cdpdb.backends.treasuredata import wire


def code_for(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def error_body(
    path: str, status: int, message: str, code: str | None = None, source: dict[str, Any] | None = None
) -> bytes:
    code = code or code_for(status)
    if path.startswith(wire.ENTITIES_PREFIX):
        error: dict[str, Any] = {
            "code": code,
            "status": str(status),
            "title": HTTPStatus(status).phrase,
            "detail": message,
        }
        if source:
            error["source"] = source
        return orjson.dumps({wire.JSONAPI_ERRORS: [error]})
    return orjson.dumps({"code": code, "message": message})


def overload_body(path: str, status: int, message: str) -> bytes:
    """What the kit's fault middleware sends (429 when busy, injected statuses)."""
    return error_body(path, status, message)
