"""Treasure Data's error answers → the PEP 249 tree: the REST paths' ``{"code", "message"}`` and the
JSON:API paths' (``/entities``) ``{"errors": [{"status", "code", "title", "detail", "source"}]}``,
read into the same message and code, so both map alike (by HTTP status, never by text)."""

from __future__ import annotations

from typing import Any

from cdpdb.backends.treasuredata import wire
from cdpdb.core.http import bodiless_message
from cdpdb.core.statuses import TRANSIENT, status_error
from cdpdb.exceptions import Error


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
    code, message = _read(body)
    if not message:
        message = bodiless_message(status, text)
    return status_error(
        status,
        f"{message} ({code})" if code else message,
        what=what,
        attempts=attempts,
        login_fix=(
            "give a master API key (apikey= or CDPDB_TD_APIKEY): write-only keys cannot read"
            if status == 403
            else "check the API key and the site (us01, jp01, eu01, ap02, ap03)"
        ),
        retryable_statuses=TRANSIENT,
        not_found_sqlstate="42P01",
        request_id=request_id,
        query_id=query_id,
    )


def _source(error: dict[str, Any]) -> str:
    """Where a JSON:API error points (``source``: a parameter, a JSON pointer, a header)."""
    source = error.get("source")
    if not isinstance(source, dict):
        return ""
    for key, what in (("parameter", "parameter"), ("pointer", "field"), ("header", "header")):
        if source.get(key):
            return f" ({what} {source[key]})"
    return ""


def _read(body: Any) -> tuple[str | None, str | None]:
    """The error code and message of any of TD's error shapes: REST ``{code, message}``; JSON:API
    ``{errors: [{code, detail, source, meta}]}`` (every error, joined by ``; ``), or a conflict's
    ``{errors: {field: [messages]}}``; a server error's ``{status, error, details}``."""
    if not isinstance(body, dict):
        return None, None
    errors = body.get(wire.JSONAPI_ERRORS)
    if isinstance(errors, list) and errors and all(isinstance(e, dict) for e in errors):
        parts = [f"{e.get('detail') or e.get('title') or 'error'}{_source(e)}{_meta(e)}" for e in errors]
        code = errors[0].get("code")
        return (str(code) if code else None), "; ".join(parts)
    if isinstance(errors, dict) and errors:
        parts = [f"{key}: {m}" for key, messages in errors.items() for m in _as_list(messages)]
        return None, "; ".join(parts)
    if body.get("error") and "message" not in body:
        details = body.get("details")
        return None, f"{body['error']}" + (f" ({details})" if details else "")
    code, message = body.get("code"), body.get("message")
    return (str(code) if code else None), (str(message) if message else None)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _meta(error: dict[str, Any]) -> str:
    """A JSON:API error's detailed code (``meta.validationCode`` / ``parameterCode`` / ``permissionCode``)."""
    meta = error.get("meta")
    if not isinstance(meta, dict):
        return ""
    found = [str(v) for k, v in meta.items() if k.endswith("Code") and v]
    return f" [{', '.join(found)}]" if found else ""
