"""Salesforce's error answers → the PEP 249 tree, keeping every diagnostic as data."""

from __future__ import annotations

from typing import Any

from cdpdb.core.http import bodiless_message
from cdpdb.exceptions import Error, InternalError, OperationalError, ProgrammingError, class_for_sqlstate


class OAuthError(OperationalError):
    """An answer in OAuth's error shape (``{"error": code, "error_description": text}``), keeping
    both as data so the login steps can say what to fix (:mod:`.loginerrors`) without reading text."""

    def __init__(self, message: str, *, error: str, description: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.error, self.description = error, description


def _oauth_body(body: Any) -> tuple[str, str] | None:
    if isinstance(body, dict) and isinstance(body.get("error"), str) and "error_description" in body:
        return body["error"], str(body.get("error_description") or "")
    return None


def _message_of(body: Any) -> tuple[str | None, dict]:
    """The best human message and the details object of any Salesforce error body shape."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    if not isinstance(body, dict):
        return None, {}
    message = body.get("message") or body.get("error_description") or body.get("error")
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    return (str(message) if message else None), details


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
    """Map an HTTP error answer to the PEP 249 class, keeping the server's diagnostics.
    ``attempts``: how many times the call was made (said in the message only when retried)."""
    oauth = _oauth_body(body)
    if oauth is not None and status < 500:
        return OAuthError(
            f"{what} was refused (HTTP {status}): {oauth[0]}: {oauth[1]}",
            error=oauth[0],
            description=oauth[1],
            status=status,
            request_id=request_id,
            reason="unauthorised",
        )
    message, details = _message_of(body)
    sqlstate = details.get("sqlState")
    position = details.get("position")
    hint = details.get("hint") or None
    if message is None:
        message = bodiless_message(status, text)
    kwargs = {
        "status": status,
        "sqlstate": sqlstate,
        "position": position,
        "request_id": request_id,
        "query_id": query_id,
    }
    if sqlstate:
        where = f" at position {position}" if position else ""
        error = class_for_sqlstate(sqlstate)(f"{what} failed{where}: {message}", **kwargs)
        return error.with_hint(hint) if hint else error
    if status in (401, 403):
        hint = (
            "check the credentials and the connected app's scopes (cdp_query_api, api)"
            if status == 403
            else "the token was rejected; cdpdb logs in again once, so this means the new "
            "token was refused too: check the credentials"
        )
        return OperationalError(
            f"{what} was not authorised (HTTP {status}): {message}; {hint}", reason="unauthorised", **kwargs
        )
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    if status == 429:
        return OperationalError(
            f"{what} was rate-limited (HTTP 429){tried}: {message}; lower the concurrency or raise retry_max_seconds",
            retryable=True,
            reason="rate_limited",
            **kwargs,
        )
    if status == 404:
        return OperationalError(f"{what} failed (HTTP 404): {message}", **kwargs)
    if status >= 500:
        return InternalError(
            f"{what} failed on the server (HTTP {status}){tried}: {message}",
            retryable=status in (502, 503, 504),
            **kwargs,
        )
    return ProgrammingError(f"{what} was refused (HTTP {status}): {message}", **kwargs)
