"""The PEP 249 exception tree, and the one function that maps a Data Cloud answer to it."""

from __future__ import annotations

from typing import Any


class Warning(Exception):  # PEP 249 name
    """Important warnings, such as data truncation."""


class Error(Exception):
    """Base class of every cdpdb error.

    Attributes carry the server's diagnostics when there are any: ``status`` (HTTP),
    ``sqlstate``, ``position`` (1-based offset in the SQL), ``hint`` (how to fix it, when the
    server or the driver knows), ``query_id`` and ``request_id``.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        sqlstate: str | None = None,
        position: int | None = None,
        query_id: str | None = None,
        request_id: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status, self.sqlstate, self.position, self.hint = status, sqlstate, position, hint
        self.query_id, self.request_id = query_id, request_id

    def moved_to(self, position: int) -> Error:
        """The same error with its position (and the message's "at position N") changed."""
        if self.position is not None and position != self.position:
            self.message = self.message.replace(f"at position {self.position}", f"at position {position}", 1)
            self.args = (self.message, *self.args[1:])
            self.position = position
        return self

    def with_hint(self, hint: str) -> Error:
        """The same error with ``hint`` added to its data and its message."""
        self.hint = hint if not self.hint else f"{self.hint}; {hint}"
        self.message = f"{self.message} (hint: {hint})"
        self.args = (self.message, *self.args[1:])
        return self


class InterfaceError(Error):
    """Misuse of the driver itself (a closed cursor, fetching before executing)."""


class DatabaseError(Error):
    """Errors reported by Data Cloud."""


class DataError(DatabaseError):
    """A value could not be processed (division by zero, bad cast)."""


class OperationalError(DatabaseError):
    """Authentication, network, limits, timeouts and expiry: not the SQL's fault."""


class IntegrityError(DatabaseError):
    """Relational integrity (never raised by the read-only Query API; here for PEP 249)."""


class InternalError(DatabaseError):
    """Data Cloud's own failure (HTTP 5xx that persists, engine internal errors)."""


class ProgrammingError(DatabaseError):
    """Errors in the SQL: syntax, unknown tables or columns, wrong parameters."""


class NotSupportedError(DatabaseError):
    """What Data Cloud's Query API cannot do (writes, transactions, executemany)."""


def _sqlstate_class(sqlstate: str) -> type[DatabaseError]:
    if sqlstate.startswith("22"):
        return DataError
    if sqlstate.startswith(("42", "0A", "25", "2B")):
        return NotSupportedError if sqlstate in ("0A000", "25006") else ProgrammingError
    if sqlstate.startswith(("57", "53", "08", "HY")):
        return OperationalError
    if sqlstate.startswith(("XX", "58")):
        return InternalError
    return DatabaseError


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
    message, details = _message_of(body)
    sqlstate = details.get("sqlState")
    position = details.get("position")
    hint = details.get("hint") or None
    if message is None:
        snippet = " ".join(text.split())[:200]
        message = f"HTTP {status} with no JSON error body" + (f": {snippet}" if snippet else "")
    kwargs = {
        "status": status,
        "sqlstate": sqlstate,
        "position": position,
        "request_id": request_id,
        "query_id": query_id,
    }
    if sqlstate:
        where = f" at position {position}" if position else ""
        error = _sqlstate_class(sqlstate)(f"{what} failed{where}: {message}", **kwargs)
        return error.with_hint(hint) if hint else error
    if status in (401, 403):
        hint = (
            "check the credentials and the connected app's scopes (cdp_query_api, api)"
            if status == 403
            else "the token was rejected; cdpdb logs in again once, so this means the new "
            "token was refused too: check the credentials"
        )
        return OperationalError(f"{what} was not authorised (HTTP {status}): {message}; {hint}", **kwargs)
    tried = f" after {attempts} attempts" if attempts > 1 else ""
    if status == 429:
        return OperationalError(
            f"{what} was rate-limited (HTTP 429){tried}: {message}; lower the concurrency or raise retry_max_seconds",
            **kwargs,
        )
    if status == 404:
        return OperationalError(f"{what} failed (HTTP 404): {message}", **kwargs)
    if status >= 500:
        return InternalError(f"{what} failed on the server (HTTP {status}){tried}: {message}", **kwargs)
    return ProgrammingError(f"{what} was refused (HTTP {status}): {message}", **kwargs)
