"""Adobe's error answers → the PEP 249 tree, matched by status and code, never by text.

Platform answers ``{"type": ".../errors/UPS-1001-400", "status", "title", "detail"?, "report"?}``
(the gateway ``{"error_code": "401013", "message"}``); IMS answers ``{"error", "error_description"}``.
``reason`` carries the code (``UPS-1001-400``, ``invalid_client``...) for callers to match on.
"""

from __future__ import annotations

from typing import Any

from cdpdb.core.http import bodiless_message
from cdpdb.core.statuses import TRANSIENT, status_error
from cdpdb.exceptions import Error

CREDENTIAL_CODES = ("invalid_client", "invalid_scope", "unauthorized_client")  # IMS: the credential is wrong


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
    credential = code in CREDENTIAL_CODES
    return status_error(
        status,
        f"{message} ({code})" if code else message,
        what=what,
        attempts=attempts,
        login_fix=(
            "check client_id, client_secret and scopes of the OAuth Server-to-Server credential"
            if credential
            else "check org_id and that the credential's product profile grants this sandbox and API"
        ),
        unauthorised=credential,
        retryable_statuses=TRANSIENT,
        not_found_sqlstate="42704",
        code=code,
        request_id=request_id,
        query_id=query_id,
    )
