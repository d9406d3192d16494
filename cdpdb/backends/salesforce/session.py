"""A Data Cloud session: settings, tokens, HTTP, the protocol of the chosen Query API, the
Metadata API and the typed API clients — everything below the vendor-free DB-API."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cdpdb.backends.base import emulator_hook
from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.auth import token_cache
from cdpdb.backends.salesforce.errors import error_from_response
from cdpdb.backends.salesforce.metadata import UNDEFINED_NAME_STATES, MetadataCache, case_hint
from cdpdb.backends.salesforce.query import protocol_for
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.auth import TokenCache
from cdpdb.core.http import HttpClient
from cdpdb.core.jobs import QueryControl, Status
from cdpdb.core.results.arrow import ARROW_STREAM, read_stream
from cdpdb.core.results.schema import Result
from cdpdb.exceptions import Error, NotSupportedError, ProgrammingError

log = logging.getLogger(__name__)

READ_ONLY = (
    "the Data Cloud Query API is read-only: load or change data with the Ingestion API "
    "(https://developer.salesforce.com/docs/data/data-cloud-int/references/data-cloud-ingestionapi-ref)"
)


def open_session(arguments: Mapping[str, Any]) -> DataCloudSession:
    """The backend's entry point: ``connect()``'s keyword arguments → a logged-in session."""
    return DataCloudSession(Settings.from_arguments(arguments))


class DataCloudSession:
    backend = "salesforce"
    types = TYPES

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http = HttpClient(settings.http_options(), error_from_response, {ARROW_STREAM: read_stream})
        self.tokens = token_cache(settings, self.http)
        self.protocol = protocol_for(settings, self.http, self.tokens)
        self._metadata: MetadataCache | None = None
        self._direct_tokens: TokenCache | None = None
        self._writer = self._admin_writer() if settings.admin_key else None
        try:
            self.tokens.token()  # log in now: wrong credentials fail at connect(), not at the first query
        except BaseException:
            self.http.close()
            raise
        log.debug("connected (api %s, auth %s)", settings.api, settings.auth)

    # -- the backend contract ----------------------------------------------------------------------

    @property
    def supports_async(self) -> bool:
        return self.protocol.supports_async

    @property
    def progress(self) -> bool:
        return self.settings.progress

    @property
    def read_only(self) -> str | None:
        return None if self._writer is not None else READ_ONLY

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        return self.protocol.execute(sql, parameters, control, **options)

    def submit(self, sql: str, parameters: Any) -> str:
        return self.protocol.submit(sql, parameters)

    def results(self, query_id: str, control: QueryControl) -> Result:
        return self.protocol.results(query_id, control)

    def status(self, query_id: str, wait_ms: int = 0) -> Status:
        return self.protocol.status(query_id, wait_ms)

    def cancel(self, query_id: str) -> None:
        self.protocol.cancel(query_id)

    def write(self, sql: str, parameters: Any) -> int:
        if self._writer is None:
            raise NotSupportedError(READ_ONLY)
        return int(self._writer(sql, parameters))

    def catalog_changed(self) -> None:
        if self._metadata is not None:
            self._metadata.refresh()

    def explain(self, error: ProgrammingError, sql: str) -> ProgrammingError:
        """An unknown table or column that exists with other letter case gets a hint saying so."""
        if error.sqlstate not in UNDEFINED_NAME_STATES:
            return error
        try:
            hint = case_hint(sql, self.metadata.entities(self.settings.dataspace))
        except Error as lookup:  # the hint is a courtesy: the query's own error is what matters
            log.debug("no name hint: the Metadata API failed (%s)", lookup)
            return error
        return error.with_hint(hint) if hint else error  # type: ignore[return-value]

    def close(self) -> None:
        self.http.close()

    # -- Data Cloud's own APIs -------------------------------------------------------------------

    @property
    def metadata(self) -> MetadataCache:
        """The Metadata API's entities (DLOs, DMOs, calculated insights), cached per session."""
        if self._metadata is None:
            self._metadata = MetadataCache(self._metadata_answer)
        return self._metadata

    catalog = metadata

    def direct_get(
        self, path: str, params: dict[str, Any] | None, what: str, headers: dict[str, str] | None = None
    ) -> Any:
        """GET on the tenant's Direct API. The Connect API's core token cannot call it, so a
        session on api='connect' logs in once more for a Data Cloud token."""
        tokens = self.tokens
        if self.settings.api == "connect":
            if self._direct_tokens is None:
                self._direct_tokens = token_cache(replace(self.settings, api="v3"), self.http)
            tokens = self._direct_tokens
        return self.http.call(
            "GET", tokens.base_url() + path, params=params, bearer=tokens.bearer, headers=headers or {}, what=what
        )

    def _metadata_answer(self, dataspace: str | None) -> Any:
        other = dataspace and dataspace != self.settings.dataspace
        headers = {wire.DATASPACE_HEADER: dataspace} if other else {}
        return self.direct_get(wire.METADATA_PATH, None, "the Metadata API", headers)

    def _admin_writer(self) -> Any:
        """Writes go to a local Data Cloud's admin path (test fixtures): its emulator supplies them."""
        make = emulator_hook(self.backend, "admin_writer")
        if make is None:
            raise NotSupportedError(
                "admin_key is a setting of the local Data Cloud, which is not installed: pip install 'cdpdb[local]'"
            )
        return make(self.settings, self.http)

    def __repr__(self) -> str:
        return f"<DataCloudSession api={self.settings.api} login_url={self.settings.login_url!r}>"
