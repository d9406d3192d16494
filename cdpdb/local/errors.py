"""Error bodies of the local Data Cloud, in the shape each API family documents."""

from __future__ import annotations

import re
import tempfile
from datetime import datetime, timezone
from http import HTTPStatus

import orjson

from cdpdb.local.engine import EngineError
from cdpdb.local.oauth import ORG_ID

#: Server file paths an engine message may carry: a database (``hyper.file:/…/default.hyper``)
#: or anything in the server's temporary folders. A caller learns nothing from them but the
#: server's layout, so they are cut out of every SQL error.
_PATHS = re.compile(
    r"(?:hyper\.file:)?" + re.escape(tempfile.gettempdir().rstrip("/")) + r"/[^\s\"'()]*|hyper\.file:[^\s\"'()]*"
)


def scrub_paths(text: str | None) -> str | None:
    return _PATHS.sub("<server file>", text) if text else text


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        details: dict | None = None,
        headers: dict | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message = status, message
        self.code = code or HTTPStatus(status).phrase.upper().replace(" ", "_")
        self.details, self.headers = details, headers or {}

    @classmethod
    def from_sql(cls, error: EngineError) -> ApiError:
        details = {"sqlState": error.sqlstate, "position": error.position, "hint": error.hint}
        status = 400
        code = "SQL_ERROR"
        if error.sqlstate == "57014":
            code = "QUERY_CANCELLED"
        elif error.sqlstate.startswith(("53", "XX", "58")):
            status, code = 500, "ENGINE_ERROR"
        details["hint"] = scrub_paths(error.hint)
        return cls(status, f"{scrub_paths(error.message)} (SQLSTATE {error.sqlstate})", code, details)


def family(path: str) -> str:
    if path.startswith(("/services/oauth2", "/services/a360")):
        return "oauth"
    if path.startswith("/services/data"):
        return "connect"
    if path.startswith("/api/v3"):
        return "v3"
    return "direct"


def error_body(path: str, status: int, message: str, code: str, details: dict | None = None) -> bytes:
    kind = family(path)
    if kind == "oauth":
        body = {"error": code.lower(), "error_description": message}
    elif kind == "connect":  # Salesforce REST: a list of {errorCode, message}
        item = {"errorCode": code, "message": message}
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


HTML_ERROR_PAGE = b"""<!DOCTYPE html>
<html><head><title>Service Unavailable</title></head>
<body><h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your request. Please try again later.</p>
</body></html>
"""

HTML_REDIRECT_PAGE = b"""<html><head><meta http-equiv="refresh" content="0; url=/secur/frontdoor.jsp">
<script>window.location.href='/secur/frontdoor.jsp';</script></head>
<body>Redirecting...</body></html>
"""
