"""Customer.io's error answers (strict mode) → the PEP 249 tree.

The Pipelines API documents its error statuses, not its error bodies: a JSON object whose
``message`` or ``error`` (or ``errors[0].message``) is read when present (UNCONFIRMED), else
the body's first characters."""

from __future__ import annotations

from typing import Any

from cdpdb.core.http import bodiless_message
from cdpdb.core.statuses import status_error
from cdpdb.exceptions import Error

REFUSED_DATA = (400, 413, 422)  # the data was refused: DataError


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
    return status_error(
        status,
        _message(body) or bodiless_message(status, text),
        what=what,
        attempts=attempts,
        login_fix="check the API key (api_key= or CDPDB_CUSTOMERIO_API_KEY) and the region (us, eu)",
        rate_fix="lower rate_limit",
        data_statuses=REFUSED_DATA,
        request_id=request_id,
        query_id=query_id,
    )
