"""Crescendo Lab's error answers → the PEP 249 tree.

The OpenAPI shows no error body; its trailing-slash paths look like Django REST framework, so a
JSON object's ``detail`` (or ``message``, ``error``) is read when present (UNCONFIRMED), else the
body's first characters."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.crescendolab import wire
from cdpdb.core.http import bodiless_message
from cdpdb.exceptions import DataError, Error, InternalError, OperationalError, ProgrammingError


def _message(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            if isinstance(body.get(key), str):
                return str(body[key])
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
    data: dict[str, Any] = {"status": status, "request_id": request_id, "query_id": query_id}
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    if status in (401, 403):
        return OperationalError(
            f"{what} was not authorised (HTTP {status}): {message}; check the token (token= or "
            "CDPDB_CRESCENDO_TOKEN) and the region (tw, th, jp)",
            reason="unauthorised",
            **data,
        )
    if status == 429:
        return OperationalError(
            f"{what} was rate-limited (HTTP 429){tried}: {message}; lower rate_limit or share the token less",
            retryable=True,
            reason="rate_limited",
            **data,
        )
    if status == wire.BUSY_STATUS:
        return OperationalError(
            f"{what} was refused (HTTP {status}): {message}; one import and one export may run at a time "
            "per account: wait for the other task (another program using the same token?) and run it again",
            retryable=True,
            reason="busy",
            **data,
        )
    if status >= 500:
        return InternalError(f"{what} failed on the server (HTTP {status}){tried}: {message}", retryable=True, **data)
    if status in (400, 413, 422):
        return DataError(f"{what} was refused (HTTP {status}): {message}", reason="refused", **data)
    if status == 404:
        return ProgrammingError(
            f"{what}: not found (HTTP 404): {message}; the CAAC paths are settings (import_path, export_path...): "
            "check them against the spec Crescendo Lab gave you",
            reason="not_found",
            **data,
        )
    return ProgrammingError(f"{what} was refused (HTTP {status}): {message}", **data)
