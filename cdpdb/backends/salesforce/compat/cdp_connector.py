"""``salesforce-cdp-connector`` 1.0.20, on cdpdb: ``SalesforceCDPConnection`` and its cursor.

Same constructor, methods and row shapes (rows are lists; ``description`` names types as Query
API V2 does, which it still speaks by default); correct where the old one was wrong: values keep
their types (DECIMAL is a ``Decimal``, BIGINT an ``int``, DATE a ``date``), errors are the PEP
249 class that fits, parameters work, TLS is verified, nothing is patched process-wide.
docs/migrating.md lists every difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from cdpdb.backends.salesforce.compat.genie import GenieTable, list_tables
from cdpdb.backends.salesforce.compat.wrapped import WrappedCursor
from cdpdb.backends.salesforce.session import DataCloudSession, open_session
from cdpdb.connection import Connection
from cdpdb.exceptions import InterfaceError

apilevel = "2.0"
threadsafety = 2
paramstyle = "named"  # the old connector refused every parameter (paramstyle None)

# Which credentials each login reads, in the old connector's order of precedence when several
# are given: a refresh token first, then a password, then a JWT key, then client credentials.
_FLOWS: dict[str, tuple[str, ...]] = {
    "refresh_token": ("refresh_token", "client_id", "client_secret"),
    "password": ("username", "password", "client_id", "client_secret"),
    "jwt": ("username", "client_id", "private_key"),
    "client_credentials": ("client_id", "client_secret"),
}
# The old connector sent every query to V2 whatever ``api`` said; v3 and connect opt into cdpdb's newer APIs.
_OLD_APIS = {"v1": "v2", "v2": "v2"}


def _flow(credentials: dict[str, Any]) -> str | None:
    if credentials["refresh_token"]:
        return "refresh_token"
    if credentials["password"]:
        return "password"
    if credentials["private_key"]:
        return "jwt"
    if credentials["client_id"] and credentials["client_secret"]:
        return "client_credentials"
    return None  # cdpdb says which credentials are missing


class SalesforceCDPCursor(WrappedCursor):
    """The old cursor: ``execute`` returns ``None``, rows are lists; no-op ``commit``/``rollback``."""

    def execute(self, query: str, params: Any = None) -> None:
        """Run ``query``; ``params`` (``:name`` with a mapping, ``?`` with a sequence) are bound
        as safe literals (the old connector raised on any parameter)."""
        self._native.execute(query, params)

    def executemany(self, operation: str, seq_of_parameters: Sequence[Any]) -> None:
        self._native.executemany(operation, seq_of_parameters)  # NotSupportedError: read-only, as before

    def fetchone(self) -> list[Any] | None:
        row = self._native.fetchone()
        return None if row is None else list(row)

    def fetchmany(self, size: int | None = None) -> list[list[Any]]:
        return [list(row) for row in self._native.fetchmany(size)]

    def fetchall(self) -> list[list[Any]]:
        return [list(row) for row in self._native.fetchall()]

    def commit(self) -> None:
        """Nothing to commit (kept: the old cursor had it)."""

    def rollback(self) -> None:
        """Nothing to roll back (kept: the old cursor had it)."""

    def setinputsizes(self, *sizes: Any) -> None:
        """Accepted and ignored."""

    def setoutputsize(self, *size: Any) -> None:
        """Accepted and ignored."""


class SalesforceCDPConnection:
    """``salesforcecdpconnector.connection.SalesforceCDPConnection``, logged in at construction.

    ``settings``: any further :func:`cdpdb.connect` setting (``ca_bundle``, ``verify``,
    ``read_timeout``, ``proxies``...), also readable from ``CDPDB_<NAME>`` variables.
    """

    def __init__(
        self,
        login_url: str,
        username: str | None = None,
        password: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        api: str = "v2",
        core_token: str | None = None,
        refresh_token: str | None = None,
        private_key: str | None = None,
        max_retries: int = 3,
        dataspace: str | None = None,
        **settings: Any,
    ) -> None:
        credentials = {
            "username": username,
            "password": password,
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
            "private_key": private_key,
        }
        flow = _flow(credentials)
        used = _FLOWS[flow] if flow else tuple(credentials)
        arguments: dict[str, Any] = {name: credentials[name] for name in used if credentials[name] is not None}
        arguments.update(
            login_url=login_url,
            auth=flow,
            api=_OLD_APIS.get(str(api).lower(), api),
            max_retries=max_retries,
            dataspace=dataspace,
        )
        arguments.update(settings)
        # core_token: the old connector only tried it before its refresh token; the refresh token logs in.
        self.login_url, self.username, self.client_id = login_url, username, client_id
        self.api, self.max_retries, self.dataspace = api, max_retries, dataspace
        self._native = Connection(open_session({k: v for k, v in arguments.items() if v is not None}))

    @property
    def native(self) -> Connection:
        """The cdpdb connection underneath (Arrow, pandas with exact dtypes, query ids, metadata)."""
        return self._native

    @property
    def closed(self) -> bool:
        return self._native.closed

    def _check_open(self, what: str) -> None:
        if self._native.closed:
            raise InterfaceError(f"cannot {what}: the connection is closed", reason="closed")

    def cursor(self) -> SalesforceCDPCursor:
        self._check_open("create a cursor")
        return SalesforceCDPCursor(self._native.cursor())

    def get_pandas_dataframe(self, query: str) -> Any:
        """The whole result as a DataFrame with exact, nullable dtypes (DECIMAL stays decimal)."""
        self._check_open("create a dataframe")
        with self._native.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetch_pandas_all()

    def list_tables(
        self, table_name: str | None = None, table_category: str | None = None, table_type: str | None = None
    ) -> list[GenieTable]:
        """Objects of the Metadata API (``table_category``: Profile, Engagement, Related...;
        ``table_type``: DataLakeObject, DataModelObject, CalculatedInsight)."""
        self._check_open("list tables")
        session = cast(DataCloudSession, self._native.session)
        return list_tables(session, table_name=table_name, table_category=table_category, table_type=table_type)

    def close(self) -> None:
        self._native.close()

    def commit(self) -> None:
        """Nothing to commit: Data Cloud's Query API is read-only."""

    def rollback(self) -> None:
        """Nothing to roll back (kept a no-op, as before, so cleanup code never fails here)."""

    def __enter__(self) -> SalesforceCDPConnection:
        self._check_open("enter the connection")
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<cdpdb.compat SalesforceCDPConnection {self._native!r}>"
