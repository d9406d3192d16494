"""The PEP 249 Connection: settings, token provider, HTTP session, cursor factory."""

from __future__ import annotations

import logging
import weakref
from dataclasses import replace
from typing import Any

from . import exceptions
from .auth import TokenProvider
from .cursor import Cursor
from .exceptions import Error, InterfaceError, NotSupportedError, ProgrammingError
from .http import HttpClient
from .metadata import UNDEFINED_NAME_STATES, MetadataCache, case_hint
from .protocol import protocol_for
from .settings import Settings

log = logging.getLogger(__name__)


class Connection:
    """A logged-in session with Data Cloud. Safe to share between threads (one cursor per thread)."""

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

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http = HttpClient(settings)
        self._tokens = TokenProvider(settings, self._http)
        self._protocol = protocol_for(settings, self._http, self._tokens)
        self._closed = False
        self._metadata: MetadataCache | None = None
        self._direct_tokens: TokenProvider | None = None
        self._cursors: weakref.WeakSet[Cursor] = weakref.WeakSet()
        try:
            self._tokens.token()  # log in now: wrong credentials fail at connect(), not at the first query
        except BaseException:
            self._http.close()
            raise
        log.debug("connected (api %s, auth %s)", settings.api, settings.auth)

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the connection is closed; connect again with cdpdb.connect()")

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def _track(self, cursor: Cursor) -> None:
        self._cursors.add(cursor)

    def commit(self) -> None:
        """Nothing to commit: the Query API is read-only."""
        self._check_open()

    def rollback(self) -> None:
        self._check_open()
        raise NotSupportedError("the Data Cloud Query API has no transactions to roll back (it is read-only)")

    def query_status(self, query_id: str, wait_ms: int = 0) -> dict:
        """Status of a V3 / Connect query: completionStatus, rowCount, chunkCount, expirationTime..."""
        self._check_open()
        return self._protocol.status(query_id, wait_ms)

    def cancel_query(self, query_id: str) -> None:
        self._check_open()
        if not self._protocol.supports_async:
            raise NotSupportedError(f"cancelling by query id needs api='v3' or 'connect', not {self.settings.api}")
        self._protocol.cancel(query_id)

    @property
    def metadata(self) -> MetadataCache:
        """The Metadata API's entities (DLOs, DMOs, calculated insights), cached per connection."""
        self._check_open()
        if self._metadata is None:
            self._metadata = MetadataCache(self)
        return self._metadata

    def _with_name_hint(self, error: ProgrammingError, sql: str) -> ProgrammingError:
        """An unknown table or column that exists with other letter case gets a hint saying so."""
        if error.sqlstate not in UNDEFINED_NAME_STATES:
            return error
        try:
            hint = case_hint(sql, self.metadata.entities(self.settings.dataspace))
        except Error as lookup:  # the hint is a courtesy: the query's own error is what matters
            log.debug("no name hint: the Metadata API failed (%s)", lookup)
            return error
        return error.with_hint(hint) if hint else error

    def _direct_get(self, path: str, params: dict | None, what: str, headers: dict | None = None) -> dict:
        """GET on the tenant's Direct API. The Connect API's core token cannot call it, so a
        connection on api='connect' logs in once more for a Data Cloud token."""
        tokens = self._tokens
        if self.settings.api == "connect":
            if self._direct_tokens is None:
                self._direct_tokens = TokenProvider(replace(self.settings, api="v3"), self._http)
            tokens = self._direct_tokens
        return self._http.call(
            "GET", tokens.base_url() + path, params=params, bearer=tokens.bearer, headers=headers or {}, what=what
        )

    def _metadata_call(self, dataspace: str | None) -> dict:
        headers = {"ctx-dataspace-ds_name": dataspace} if dataspace and dataspace != self.settings.dataspace else {}
        return self._direct_get("/api/v1/metadata", None, "the Metadata API", headers)

    def close(self) -> None:
        """Close the connection, from any thread: queries being fetched stop with an error."""
        if not self._closed:
            self._closed = True
            for cursor in list(self._cursors):
                cursor._abort("stopped because its connection was closed", on_server=False)
            self._http.close()

    def __enter__(self) -> Connection:
        self._check_open()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<cdpdb.Connection api={self.settings.api} login_url={self.settings.login_url!r} {state}>"
