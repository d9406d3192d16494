"""The PEP 249 Connection: a backend session and the cursors opened on it. Vendor-free: what a
CDP needs (URLs, logins, tokens) is the session's business (:mod:`cdpdb.backends.base`)."""

from __future__ import annotations

import weakref
from typing import Any

from cdpdb import exceptions
from cdpdb.backends.base import Session
from cdpdb.core.jobs import Status
from cdpdb.cursor import Cursor
from cdpdb.exceptions import InterfaceError, NotSupportedError


class Connection:
    """A logged-in session with a CDP. Safe to share between threads (one cursor per thread)."""

    Warning = exceptions.Warning
    Error = exceptions.Error
    InterfaceError = exceptions.InterfaceError
    DatabaseError = exceptions.DatabaseError
    DataError = exceptions.DataError
    OperationalError = exceptions.OperationalError
    IntegrityError = exceptions.IntegrityError
    InternalError = exceptions.InternalError
    ProgrammingError = exceptions.ProgrammingError
    NotSupportedError = exceptions.NotSupportedError

    def __init__(self, session: Session) -> None:
        self.session = session
        self._closed = False
        self._cursors: weakref.WeakSet[Cursor] = weakref.WeakSet()

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def settings(self) -> Any:
        """The backend's settings (secrets masked in their repr)."""
        return getattr(self.session, "settings", None)

    @property
    def metadata(self) -> Any:
        """The backend's catalog (Data Cloud: the Metadata API's entities), cached per connection."""
        self._check_open()
        catalog = getattr(self.session, "catalog", None)
        if catalog is None:
            raise NotSupportedError(f"the {self.session.backend} backend has no catalog")
        return catalog

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the connection is closed; connect again with cdpdb.connect()", reason="closed")

    def cursor(self) -> Cursor:
        self._check_open()
        cursor = Cursor(self)
        self._cursors.add(cursor)
        return cursor

    def commit(self) -> None:
        """Nothing to commit: every statement commits on its own."""
        self._check_open()

    def rollback(self) -> None:
        self._check_open()
        why = self.session.read_only
        raise NotSupportedError(
            f"there is no transaction to roll back: {why}" if why else "this backend has no transactions to roll back"
        )

    def query_status(self, query_id: str, wait_ms: int = 0) -> Status:
        """Status of an asynchronous query (Data Cloud V3 / Connect: completionStatus, rowCount...)."""
        self._check_open()
        return self.session.status(query_id, wait_ms)

    def cancel_query(self, query_id: str) -> None:
        self._check_open()
        self.session.cancel(query_id)

    def close(self) -> None:
        """Close the connection, from any thread: queries being fetched stop with an error."""
        if not self._closed:
            self._closed = True
            for cursor in list(self._cursors):
                cursor._abort("stopped because its connection was closed", on_server=False)
            self.session.close()

    def __enter__(self) -> Connection:
        self._check_open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<cdpdb.Connection {self.session!r} {state}>"
