"""``salesforce-datacloud-connector`` 2.0.0b1, on cdpdb: ``connect()``, its Connection and Cursor.

The same arguments and calls, over the same API by default (Connect ``query-sql`` on the core
host with the core token, so a connected app that worked keeps working); correct where the old
one was wrong: NUMERIC is always an exact ``Decimal``, TIMESTAMP and TIME are parsed, rows are
streamed instead of polled with fixed sleeps, ``rowcount`` is the real count, and a closed
connection closes its cursors. docs/migrating.md lists every difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from cdpdb.backends.salesforce.compat.pg_tables import DataCloudTable, table, tables
from cdpdb.backends.salesforce.compat.wrapped import WrappedCursor
from cdpdb.backends.salesforce.session import open_session
from cdpdb.connection import Connection as NativeConnection
from cdpdb.exceptions import InterfaceError, ProgrammingError

apilevel = "2.0"
threadsafety = 1
paramstyle = "named"

# auth_type → cdpdb's login flow, and what each needs (the old checks, the old order).
AUTH_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "username_password": ("password", ("username", "password", "client_id", "client_secret")),
    "jwt": ("jwt", ("username", "client_id", "jwt_private_key")),
    "refresh_token": ("refresh_token", ("client_id", "client_secret", "refresh_token")),
    "client_credentials": ("client_credentials", ("client_id", "client_secret")),  # new: what new orgs use
}
_CDPDB_NAMES = {"jwt_private_key": "private_key"}


class ArgumentError(ProgrammingError, ValueError):
    """A wrong or missing ``connect()`` argument: the PEP 249 ProgrammingError, and still the
    ``ValueError`` the old connector raised, so existing ``except ValueError`` keeps working."""


class Cursor(WrappedCursor):
    """The new connector's cursor: ``execute`` returns the cursor, rows are tuples."""

    def execute(self, operation: str, parameters: Mapping[str, Any] | None = None) -> Cursor:
        """Run ``operation``; ``:name`` placeholders take ``parameters`` (sent to the server)."""
        self._native.execute(operation, parameters)
        return self

    def executemany(self, operation: str, seq_of_parameters: Iterable[Mapping[str, Any]]) -> None:
        """Run the query once per parameter set (as the old connector did); the last result stays."""
        for parameters in seq_of_parameters:
            self.execute(operation, parameters)

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        return self._native.fetchmany(size)

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._native.fetchall()

    def fetch_df(self) -> Any:
        """The rest of the result as a DataFrame with exact, nullable dtypes (via Arrow)."""
        return self._native.fetch_pandas_all()


class Connection:
    """The new connector's Connection, over a cdpdb connection (``native``)."""

    def __init__(self, native: NativeConnection, dataspace: str | None = None, workload: str | None = None) -> None:
        self._native, self._dataspace, self._workload = native, dataspace, workload

    @property
    def native(self) -> NativeConnection:
        return self._native

    @property
    def dataspace(self) -> str | None:
        return self._dataspace

    @property
    def workload(self) -> str | None:
        return self._workload

    @property
    def closed(self) -> bool:
        return self._native.closed

    def _check_open(self) -> None:
        if self._native.closed:
            raise InterfaceError("Connection is closed", reason="closed")

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self._native.cursor())

    def close(self) -> None:
        self._native.close()

    def commit(self) -> None:
        """Nothing to commit (read-only); fails only on a closed connection, as before."""
        self._check_open()

    def rollback(self) -> None:
        """Nothing to roll back (read-only); fails only on a closed connection, as before."""
        self._check_open()

    def list_tables(
        self,
        schema_pattern: str | None = None,
        table_name_pattern: str | None = None,
        table_types: Sequence[str] | None = None,
    ) -> list[DataCloudTable]:
        """Tables and their columns from pg_catalog; patterns are SQL ``LIKE`` patterns."""
        self._check_open()
        with self._native.cursor() as cursor:
            return tables(
                cursor, self._dataspace, schema=schema_pattern, name=table_name_pattern, table_types=table_types
            )

    def get_table_metadata(self, table_name: str, schema: str | None = None) -> DataCloudTable | None:
        """The table named exactly ``table_name`` (or ``schema.table``), or ``None``."""
        self._check_open()
        with self._native.cursor() as cursor:
            return table(cursor, self._dataspace, table_name, schema)

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<cdpdb.compat datacloud Connection {self._native!r}>"


def connect(
    login_url: str = "https://login.salesforce.com",
    auth_type: str = "username_password",
    username: str | None = None,
    password: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    jwt_private_key: str | None = None,
    refresh_token: str | None = None,
    dataspace: str | None = None,
    workload: str | None = None,
    **settings: Any,
) -> Connection:
    """Log in as ``salesforce_datacloud_connector.connect()`` did, and return a :class:`Connection`.

    ``settings``: any further :func:`cdpdb.connect` setting (``api``, ``connect_timeout``,
    ``read_timeout``, ``max_retries``, ``verify``, ``ca_bundle``, ``proxies``...), which the old
    connector hard-coded; they are also read from ``CDPDB_<NAME>`` variables.
    """
    given = {
        "username": username,
        "password": password,
        "client_id": client_id,
        "client_secret": client_secret,
        "jwt_private_key": jwt_private_key,
        "refresh_token": refresh_token,
    }
    if auth_type not in AUTH_TYPES:
        raise ArgumentError(f"Invalid auth_type: {auth_type!r}. Must be one of {', '.join(map(repr, AUTH_TYPES))}")
    flow, required = AUTH_TYPES[auth_type]
    missing = [name for name in required if not given[name]]
    if missing:
        raise ArgumentError(f"{auth_type} auth requires: {', '.join(required)} (missing: {', '.join(missing)})")
    arguments: dict[str, Any] = {_CDPDB_NAMES.get(name, name): given[name] for name in required}
    arguments.update(login_url=login_url, auth=flow, dataspace=dataspace, api="connect", workload=workload)
    arguments.update(settings)
    native = NativeConnection(open_session({k: v for k, v in arguments.items() if v is not None}))
    return Connection(native, dataspace, workload)
