"""cdpdb: Salesforce Data Cloud (CDP, Data 360) as SQL, the Python way — a PEP 249 driver."""

from __future__ import annotations

__version__ = "0.1.0.dev0"

from typing import Any

from .connection import Connection
from .cursor import Cursor
from .exceptions import (
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
)
from .settings import Settings
from .types import (
    BINARY,
    BOOLEAN,
    DATETIME,
    NUMBER,
    ROWID,
    STRING,
    Binary,
    Date,
    DateFromTicks,
    Time,
    TimeFromTicks,
    Timestamp,
    TimestampFromTicks,
)

apilevel = "2.0"
threadsafety = 2  # threads may share the module and connections, not cursors
paramstyle = "named"  # :name with a mapping; ? with a sequence also works


def connect(**kwargs: Any) -> Connection:
    """Log in to Data Cloud and return a :class:`Connection`.

    Credentials (one flow): ``username``/``password``/``client_id``/``client_secret``;
    ``username``/``client_id``/``private_key`` or ``private_key_file`` (JWT);
    ``refresh_token``/``client_id``[/``client_secret``]; ``client_id``/``client_secret``
    (client credentials); or a Data Cloud ``token`` with its ``tenant_url``.
    Others: ``login_url``, ``dataspace``, ``api`` (``v3`` default, ``v2``, ``v1``, ``connect``),
    ``connect_timeout``, ``read_timeout``, ``query_timeout``, ``max_retries``,
    ``retry_max_seconds``, ``verify``, ``ca_bundle``, ``proxies``, ``user_agent``,
    ``revoke_core_token``, ``arrow``. Any may come from a ``CDPDB_<NAME>`` environment variable.
    """
    return Connection(Settings.from_arguments(kwargs))


__all__ = [
    "BINARY",
    "BOOLEAN",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "Connection",
    "Cursor",
    "DataError",
    "DatabaseError",
    "Date",
    "DateFromTicks",
    "Error",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "Warning",
    "apilevel",
    "connect",
    "paramstyle",
    "threadsafety",
]
