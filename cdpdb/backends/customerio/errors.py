"""Customer.io's error answers (strict mode) → the PEP 249 tree.

The Pipelines API documents its error statuses, not its error bodies: a JSON object whose
``message`` or ``error`` (or ``errors[0].message``) is read when present (UNCONFIRMED), else
the body's first characters."""

from __future__ import annotations

from typing import Any

from cdpdb.core.http import bodiless_message
from cdpdb.exceptions import DataError, Error, InternalError, OperationalError, ProgrammingError


def _message(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    for key in ("message", "error"):
        if isinstance(body.get(key), str):
            return str(body[key])
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or errors[0])
    return None


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
    message = _message(body)
    if not message:
        message = bodiless_message(status, text)
    data = {"status": status, "request_id": request_id, "query_id": query_id}
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    if status in (401, 403):
        return OperationalError(
            f"{what} was not authorised (HTTP {status}): {message}; check the API key (api_key= or "
            "CDPDB_CUSTOMERIO_API_KEY) and the region (us, eu)",
            reason="unauthorised",
            **data,
        )
    if status == 429:
        return OperationalError(
            f"{what} was rate-limited (HTTP 429){tried}: {message}; lower rate_limit",
            retryable=True,
            reason="rate_limited",
            **data,
        )
    if status >= 500:
        return InternalError(f"{what} failed on the server (HTTP {status}){tried}: {message}", retryable=True, **data)
    if status in (400, 413, 422):
        return DataError(f"{what} was refused (HTTP {status}): {message}", reason="refused", **data)
    return ProgrammingError(f"{what} was refused (HTTP {status}): {message}", **data)
