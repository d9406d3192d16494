"""Crescendo Lab's error answers → the PEP 249 tree.

The OpenAPI shows no error body; its trailing-slash paths look like Django REST framework, so a
JSON object's ``detail`` (or ``message``, ``error``) is read when present (UNCONFIRMED), else the
body's first characters."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.crescendolab import wire
from cdpdb.core.http import bodiless_message
from cdpdb.core.statuses import status_error
from cdpdb.exceptions import Error, OperationalError, ProgrammingError

REFUSED_DATA = (400, 413, 422)  # the data was refused: DataError


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
    message = _message(body) or bodiless_message(status, text)
    data: dict[str, Any] = {"status": status, "request_id": request_id, "query_id": query_id}
    if status == wire.BUSY_STATUS:
        return OperationalError(
            f"{what} was refused (HTTP {status}): {message}; one import and one export may run at a time "
            "per account: wait for the other task (another program using the same token?) and run it again",
            retryable=True,
            reason="busy",
            **data,
        )
    if status == 404:
        return ProgrammingError(
            f"{what}: not found (HTTP 404): {message}; the CAAC paths are settings (import_path, export_path...): "
            "check them against the spec Crescendo Lab gave you",
            reason="not_found",
            **data,
        )
    return status_error(
        status,
        message,
        what=what,
        attempts=attempts,
        login_fix="check the token (token= or CDPDB_CRESCENDO_TOKEN) and the region (tw, th, jp)",
        rate_fix="lower rate_limit or share the token less",
        data_statuses=REFUSED_DATA,
        request_id=request_id,
        query_id=query_id,
    )
