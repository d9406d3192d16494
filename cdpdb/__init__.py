"""cdpdb: Customer Data Platforms as SQL, the Python way — a PEP 249 driver per CDP.

``cdpdb.connect(**settings)`` opens Salesforce Data Cloud (the default backend);
``cdpdb.connect(backend="name", **settings)`` opens another installed backend.
"""

from __future__ import annotations

from typing import Any

from cdpdb._version import __version__
from cdpdb.backends.base import DEFAULT_BACKEND, opener
from cdpdb.connection import Connection
from cdpdb.cursor import Cursor
from cdpdb.dbapi_types import (
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
from cdpdb.exceptions import (
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

apilevel = "2.0"
threadsafety = 2  # threads may share the module and connections, not cursors
paramstyle = "named"  # :name with a mapping; ? with a sequence also works


def connect(backend: str = DEFAULT_BACKEND, **settings: Any) -> Connection:
    """Log in to a CDP and return a :class:`Connection`.

    ``settings`` are the backend's (each also a URL query parameter and a ``CDPDB_<NAME>``
    environment variable); for Data Cloud see :func:`cdpdb.backends.salesforce.connect`, whose
    signature lists them all. A wrong or missing setting raises ProgrammingError naming it.
    """
    return Connection(opener(backend)(settings))


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
    "__version__",
    "apilevel",
    "connect",
    "paramstyle",
    "threadsafety",
]
