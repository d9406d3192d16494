"""Error bodies of the local Data Cloud, in the shape each API family documents."""

from __future__ import annotations

from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any

import orjson

from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.local.identity import ORG_ID
from cdpdb.local.engine import CANCELED, EngineError
from cdpdb.local.errors import ApiError, scrub_paths


def sql_error(error: EngineError) -> ApiError:
    """An engine error as the Query APIs report it: 400 for the query's fault, 500 for the engine's."""
    details = {"sqlState": error.sqlstate, "position": error.position, "hint": scrub_paths(error.hint)}
    status = 400
    code = "SQL_ERROR"
    if error.sqlstate == CANCELED:
        code = "QUERY_CANCELLED"
    elif error.sqlstate.startswith(("53", "XX", "58")):
        status, code = 500, "ENGINE_ERROR"
    return ApiError(status, f"{scrub_paths(error.message)} (SQLSTATE {error.sqlstate})", code, details)


def family(path: str) -> str:
    """Which error shape a path answers in: OAuth, Connect (core REST), V3, or the other Direct APIs."""
    if path.startswith((wire.OAUTH_PREFIX, wire.EXCHANGE_PREFIX)):
        return "oauth"
    if path.startswith(wire.CONNECT_PREFIX):
        return "connect"
    if path.startswith(wire.V3_PREFIX):
        return "v3"
    return "direct"


def error_body(path: str, status: int, message: str, code: str, details: dict[str, Any] | None = None) -> bytes:
    kind = family(path)
    body: Any
    if kind == "oauth":
        body = {"error": code.lower(), "error_description": message}
    elif kind == "connect":  # Salesforce REST: a list of {errorCode, message}
        item: dict[str, Any] = {"errorCode": code, "message": message}
        if details:
            item["details"] = details
        body = [item]
    elif kind == "v3":
        body = {
            "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "error": HTTPStatus(status).phrase,
            "message": message,
            "path": path,
            "tenantId": ORG_ID,
            "internalErrorCode": code,
            "details": details or {},
        }
    else:
        body = {"error": message, "errorCode": code, "message": message}
        if details:
            body["details"] = details
    return orjson.dumps(body)


def overload_body(path: str, status: int, message: str) -> bytes:
    """What the fault middleware sends for a refused or failed request: Salesforce says
    REQUEST_LIMIT_EXCEEDED for 429 and SERVICE_UNAVAILABLE otherwise."""
    return error_body(path, status, message, "REQUEST_LIMIT_EXCEEDED" if status == 429 else "SERVICE_UNAVAILABLE")


HTML_REDIRECT_PAGE = b"""<html><head><meta http-equiv="refresh" content="0; url=/secur/frontdoor.jsp">
<script>window.location.href='/secur/frontdoor.jsp';</script></head>
<body>Redirecting...</body></html>
"""
