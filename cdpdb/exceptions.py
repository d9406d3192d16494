"""The PEP 249 exception tree. Errors carry data — SQLSTATE, position, hint, whether a retry may
help, whether the connection is gone — so that no caller ever parses a message."""

from __future__ import annotations

from dataclasses import dataclass


class Warning(Exception):  # PEP 249 name
    """Important warnings, such as data truncation."""


class Error(Exception):
    """Base class of every cdpdb error.

    Attributes carry the server's diagnostics when there are any: ``status`` (HTTP),
    ``sqlstate``, ``position`` (1-based offset in the SQL), ``hint`` (how to fix it, when the
    server or the driver knows), ``query_id`` and ``request_id``; and what a caller may do about
    it: ``retryable`` (the same call may succeed later), ``disconnect`` (the connection cannot be
    used any more) and ``reason`` (a short code for the failure's kind, e.g. ``html_answer``,
    ``tls``, ``unknown_host``, ``unreachable``, ``broken_transfer``, ``deadline``, ``closed``).
    A write that failed part-way carries ``write``: a :class:`WriteReport` of what was accepted.
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
        retryable: bool = False,
        disconnect: bool = False,
        reason: str | None = None,
        write: WriteReport | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status, self.sqlstate, self.position, self.hint = status, sqlstate, position, hint
        self.query_id, self.request_id = query_id, request_id
        self.retryable, self.disconnect, self.reason = retryable, disconnect, reason
        self.write = write

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


@dataclass(frozen=True)
class WriteReport:
    """What a data-changing statement did before it failed, so nothing is lost in silence.

    Rows are numbered from 0 in the statement's order (the order of ``executemany``'s parameter
    sets, of a DataFrame's rows). ``accepted``: spans of rows the service accepted; ``rejected``:
    spans of rows not accepted, each with why (a row that cannot be sent, a request that failed
    after its retries, or a request never sent because an earlier one failed)."""

    total: int
    accepted: tuple[range, ...] = ()
    rejected: tuple[tuple[range, str], ...] = ()

    @property
    def accepted_count(self) -> int:
        return sum(len(span) for span in self.accepted)

    def accepted_rows(self) -> list[int]:
        return [row for span in self.accepted for row in span]

    def rejected_rows(self) -> list[int]:
        return [row for span, _ in self.rejected for row in span]

    def why(self, row: int) -> str | None:
        """Why ``row`` was not accepted (None: it was)."""
        return next((why for span, why in self.rejected if row in span), None)


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


def class_for_sqlstate(sqlstate: str) -> type[DatabaseError]:
    """The PEP 249 class of a SQLSTATE (the standard's classes, as PostgreSQL and Hyper use them)."""
    if sqlstate.startswith("22"):
        return DataError
    if sqlstate.startswith(("42", "0A", "25", "2B")):
        return NotSupportedError if sqlstate in ("0A000", "25006") else ProgrammingError
    if sqlstate.startswith(("57", "53", "08", "HY")):
        return OperationalError
    if sqlstate.startswith(("XX", "58")):
        return InternalError
    return DatabaseError
