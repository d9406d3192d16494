"""Adobe's error answers → the PEP 249 tree, matched by status and code, never by text.

Platform answers ``{"type": ".../errors/UPS-1001-400", "status", "title", "detail"?, "report"?}``
(the gateway ``{"error_code": "401013", "message"}``); IMS answers ``{"error", "error_description"}``.
``reason`` carries the code (``UPS-1001-400``, ``invalid_client``...) for callers to match on.
"""

from __future__ import annotations

from typing import Any

from cdpdb.core.http import bodiless_message
from cdpdb.exceptions import Error, InternalError, OperationalError, ProgrammingError


def _code_and_detail(body: Any) -> tuple[str | None, str | None]:
    if not isinstance(body, dict):
        return None, None
    if "error" in body and isinstance(body["error"], str):  # IMS
        return body["error"], body.get("error_description") or body["error"]
    if "error_code" in body:  # the API gateway
        return str(body["error_code"]), body.get("message")
    kind = body.get("type")
    code = kind.rsplit("/", 1)[-1] if isinstance(kind, str) and "/" in kind else None
    title, detail = body.get("title"), body.get("detail")
    text = f"{title}: {detail}" if title and detail else (title or detail or body.get("message"))
    return code, text


def error_from_response(
    status: int,
    body: Any,
    *,
    text: str = "",
    what: str = "request",
    request_id: str | None = None,
    query_id: str | None = None,
    attempts: int = 1,
) -> Error:
    code, message = _code_and_detail(body)
    if not message:
        message = bodiless_message(status, text)
    detail = f"{message} ({code})" if code else message
    data: dict[str, Any] = {"status": status, "request_id": request_id, "query_id": query_id}
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    if status in (401, 403) or code in ("invalid_client", "invalid_scope", "unauthorized_client"):
        fix = (
            "check client_id, client_secret and scopes of the OAuth Server-to-Server credential"
            if code in ("invalid_client", "invalid_scope", "unauthorized_client")
            else "check org_id and that the credential's product profile grants this sandbox and API"
        )
        return OperationalError(
            f"{what} was not authorised (HTTP {status}): {detail}; {fix}", reason=code or "unauthorised", **data
        )
    if status == 429:
        return OperationalError(
            f"{what} was rate-limited (HTTP 429){tried}: {detail}",
            retryable=True,
            reason=code or "rate_limited",
            **data,
        )
    if status >= 500:
        return InternalError(
            f"{what} failed on the server (HTTP {status}){tried}: {detail}",
            retryable=status in (502, 503, 504),
            reason=code,
            **data,
        )
    if status == 404:
        return ProgrammingError(f"{what} found nothing (HTTP 404): {detail}", sqlstate="42704", reason=code, **data)
    return ProgrammingError(f"{what} was refused (HTTP {status}): {detail}", reason=code, **data)
