"""A Data Cloud session: settings, tokens, HTTP, the protocol of the chosen Query API, the
Metadata API and the typed API clients — everything below the vendor-free DB-API."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from cdpdb.backends.base import emulator_hook
from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.auth import token_cache
from cdpdb.backends.salesforce.errors import error_from_response
from cdpdb.backends.salesforce.ingest_sql import ingest
from cdpdb.backends.salesforce.metadata import UNDEFINED_NAME_STATES, MetadataCache, case_hint
from cdpdb.backends.salesforce.query import protocol_for
from cdpdb.backends.salesforce.query.dataspaces import Dataspaces
from cdpdb.backends.salesforce.settings import Settings
from cdpdb.backends.salesforce.types import TYPES
from cdpdb.core.auth import TokenCache
from cdpdb.core.chores import Chores
from cdpdb.core.http import HttpClient
from cdpdb.core.jobs import QueryControl, Status
from cdpdb.core.results.arrow import ARROW_STREAM, read_stream
from cdpdb.core.results.partitions import Partitions
from cdpdb.core.results.schema import Result
from cdpdb.exceptions import Error, NotSupportedError, ProgrammingError

log = logging.getLogger(__name__)

READ_ONLY = (
    "the Data Cloud Query API is read-only: INSERT rows through an Ingestion API source by connecting "
    "with ingestion_source=<its name> (docs/datacloud-apis.md), or use cdpdb.apis.IngestionClient"
)


def open_session(arguments: Mapping[str, Any]) -> DataCloudSession:
    """The backend's entry point: ``connect()``'s keyword arguments → a logged-in session."""
    return DataCloudSession(Settings.from_arguments(arguments))


def active_dataspaces(body: Any) -> list[str]:
    """The names of the active data spaces in a data spaces answer (one with no status counts)."""
    spaces = body.get("dataSpaces") if isinstance(body, dict) else None
    return [
        str(space["name"])
        for space in spaces or []
        if isinstance(space, dict) and space.get("name") and str(space.get("status", "Active")).lower() == "active"
    ]


class DataCloudSession:
    backend = "salesforce"
    types = TYPES

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http = HttpClient(settings.http_options(), error_from_response, {ARROW_STREAM: read_stream})
        self.chores = Chores("revoke")  # spent core tokens are revoked off the caller's path
        self.tokens = token_cache(settings, self.http, self.chores)
        self.protocol = protocol_for(settings, self.http, self.tokens)
        self.dataspaces = Dataspaces(settings, self.http, self.tokens, self.protocol, self.chores)
        self._metadata: MetadataCache | None = None
        self._core_tokens: TokenCache | None = None
        self._writer = self._admin_writer() if settings.admin_key else None
        try:
            self.tokens.token()  # log in now: wrong credentials fail at connect(), not at the first query
        except BaseException:
            self.close()
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
        return None if self._writer is not None or self.settings.ingestion_source else READ_ONLY

    def execute(
        self, sql: str, parameters: Any, control: QueryControl, *, dataspace: str | None = None, **options: Any
    ) -> Result:
        """Run a query; ``dataspace``: run it in that dataspace instead of the connection's own
        (Data Cloud takes the dataspace per request; SQLAlchemy's schemas are dataspaces)."""
        protocol = self.dataspaces.protocol(dataspace)
        protocol.check_options(options)
        return protocol.execute(sql, parameters, control, **options)

    def execute_partitions(
        self,
        sql: str,
        parameters: Any,
        control: QueryControl,
        partitions: int | None,
        *,
        dataspace: str | None = None,
        **options: Any,
    ) -> Partitions:
        """Run a query once and split its V3 chunks into partitions other processes read."""
        return self.dataspaces.protocol(dataspace).execute_partitions(sql, parameters, control, partitions, **options)

    def submit(self, sql: str, parameters: Any) -> str:
        return self.protocol.submit(sql, parameters)

    def results(self, query_id: str, control: QueryControl) -> Result:
        """Attach to a query by id (V3, Connect), or continue a V2 result from its continuation."""
        return self.protocol.results(query_id, control)

    def status(self, query_id: str, wait_ms: int = 0) -> Status:
        return self.protocol.status(query_id, wait_ms)

    def cancel(self, query_id: str) -> None:
        self.protocol.cancel(query_id)
        for other in self.dataspaces.others():  # a query routed to another dataspace lives there
            other.cancel(query_id)  # an id unknown there is a 404, which cancel() ignores

    def write(self, sql: str, parameters: Any) -> int:
        if self._writer is not None:
            return int(self._writer(sql, parameters))
        if self.settings.ingestion_source:
            return ingest(self, sql, None if parameters is None else [parameters])
        raise NotSupportedError(READ_ONLY)

    def write_many(self, sql: str, parameter_sets: Any) -> int:
        """``executemany``: through the Ingestion API, every parameter set in one statement (few
        requests); the local Data Cloud's admin writes, one by one."""
        if self._writer is None and self.settings.ingestion_source:
            return ingest(self, sql, list(parameter_sets))
        return sum(max(self.write(sql, parameters), 0) for parameters in parameter_sets)

    def call(self, procedure: str, parameters: Sequence[Any]) -> tuple[Sequence[Any], Result | None]:
        raise NotSupportedError(
            f"the salesforce backend has no stored procedures (callproc {procedure!r}): Data Cloud's APIs "
            "offer none to call"
        )

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
        self.chores.settle()
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
        self,
        path: str,
        params: dict[str, Any] | None,
        what: str,
        headers: dict[str, str] | None = None,
        dataspace: str | None = None,
    ) -> Any:
        """GET on the tenant's Direct API, in ``dataspace`` (None: the connection's own) with a
        Data Cloud token for it (see query/dataspaces.py; api='connect' logs in once more)."""
        tokens = self.dataspaces.direct_tokens(dataspace)
        return self.http.call(
            "GET", tokens.base_url() + path, params=params, bearer=tokens.bearer, headers=headers or {}, what=what
        )

    def direct_get_bytes(self, path: str, params: dict[str, Any] | None, what: str) -> bytes:
        """The body of a Direct API GET as sent, for callers that parse numbers exactly."""
        body: bytes = self.direct_call("GET", path, what=what, params=params, expect="bytes")
        return body

    def direct_call(self, method: str, path: str, *, what: str, safe: bool = True, **kwargs: Any) -> Any:
        """Any call on the tenant's Direct API in the connection's dataspace (Ingestion, jobs...)."""
        tokens = self.dataspaces.direct_tokens(None)
        return self.http.call(method, tokens.base_url() + path, bearer=tokens.bearer, what=what, safe=safe, **kwargs)

    def dataspace_names(self) -> list[str]:
        """The dataspaces this login can see, from the Connect API's data spaces resource (on the
        core host, with a core token: one more login unless api='connect'). Where there is no
        such resource (404), no right to read it (403) or no core login (a ``token`` given
        directly), only the connection's own dataspace is known."""
        own = self.dataspaces.own
        if self.settings.auth == "token":
            return [own]
        if self._core_tokens is None:
            connect = self.settings.api == "connect"
            self._core_tokens = (
                self.tokens if connect else token_cache(replace(self.settings, api="connect"), self.http, self.chores)
            )
        tokens = self._core_tokens
        path = wire.connect_data_spaces_path(self.settings.connect_api_version)
        try:
            body = self.http.call("GET", tokens.base_url() + path, bearer=tokens.bearer, what="the data spaces list")
        except Error as exc:
            if getattr(exc, "status", None) not in (403, 404):
                raise
            log.debug("no data spaces list (HTTP %s): only the connection's dataspace is known", exc.status)
            return [own]
        return active_dataspaces(body) or [own]

    def _metadata_answer(self, dataspace: str | None) -> Any:
        other = not self.dataspaces.is_own(dataspace)
        headers = {wire.DATASPACE_HEADER: dataspace} if other and dataspace else {}
        return self.direct_get(wire.METADATA_PATH, None, "the Metadata API", headers, dataspace if other else None)

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
