"""Error bodies of the local Treasure Data: ``{code, message}`` on the REST paths (the OpenAPI's
Error schema), JSON:API error objects on the paths under ``/entities``:
``{errors: [{code, status, detail, source?, meta?}]}`` with the OpenAPI's codes
(``bad-parameter-error``, ``permission-error``, ``record-not-found-error``, ``conflict-error``);
a wrong query parameter is named in ``source: {parameter}`` (JSON:API's member for it) with
``meta: {parameterCode: INVALID_FORMAT}``.

REST codes are the HTTP phrase in snake case (``not_found``): TD documents the fields, not the
values (UNCONFIRMED)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson

from cdpdb.backends.treasuredata import wire

JSONAPI_CODES = {
    400: "bad-parameter-error",
    403: "permission-error",
    404: "record-not-found-error",
    409: "conflict-error",
}


def code_for(status: int) -> str:
    return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")


def error_body(
    path: str, status: int, message: str, code: str | None = None, source: dict[str, Any] | None = None
) -> bytes:
    if path.startswith(wire.ENTITIES_PREFIX):
        error: dict[str, Any] = {
            "code": code or JSONAPI_CODES.get(status) or code_for(status),
            "status": str(status),
            "detail": message,
        }
        if source:
            error["source"] = source
            error["meta"] = {"parameterCode": "INVALID_FORMAT"}
        return orjson.dumps({wire.JSONAPI_ERRORS: [error]})
    return orjson.dumps({"code": code or code_for(status), "message": message})


def overload_body(path: str, status: int, message: str) -> bytes:
    """What the kit's fault middleware sends (429 when busy, injected statuses)."""
    return error_body(path, status, message)
