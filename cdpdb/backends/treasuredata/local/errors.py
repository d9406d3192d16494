"""Error bodies of the local Treasure Data: ``{code, message}`` on the REST paths (the OpenAPI's
Error schema), ``{errors: [{code, status, detail}]}`` on the JSON:API paths under ``/entities``.

The codes are the HTTP phrase in snake case (``not_found``): TD documents the fields, not the
values (UNCONFIRMED)."""

from __future__ import annotations

from http import HTTPStatus

import orjson

from cdpdb.backends.treasuredata import wire


def code_for(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def error_body(path: str, status: int, message: str, code: str | None = None) -> bytes:
    code = code or code_for(status)
    if path.startswith(wire.ENTITIES_PREFIX):
        return orjson.dumps({"errors": [{"code": code, "status": str(status), "detail": message}]})
    return orjson.dumps({"code": code, "message": message})


def overload_body(path: str, status: int, message: str) -> bytes:
    """What the kit's fault middleware sends (429 when busy, injected statuses)."""
    return error_body(path, status, message)
