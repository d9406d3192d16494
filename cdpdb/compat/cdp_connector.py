"""Import this instead of ``salesforcecdpconnector.connection`` (salesforce-cdp-connector 1.0.20).

``SalesforceCDPConnection`` takes the same arguments and gives the same calls; the PEP 249
exceptions, type objects and constructors are here too, so ``except Error`` keeps catching
every failure. docs/migrating.md lists what changed and why.
"""

from cdpdb.backends.salesforce.compat.cdp_connector import (
    SalesforceCDPConnection,
    SalesforceCDPCursor,
    apilevel,
    paramstyle,
    threadsafety,
)
from cdpdb.backends.salesforce.compat.genie import Field, GenieTable, Index, PrimaryKeys, Relationship
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

__all__ = [
    "BINARY",
    "BOOLEAN",
    "DATETIME",
    "NUMBER",
    "ROWID",
    "STRING",
    "Binary",
    "DataError",
    "DatabaseError",
    "Date",
    "DateFromTicks",
    "Error",
    "Field",
    "GenieTable",
    "Index",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "PrimaryKeys",
    "ProgrammingError",
    "Relationship",
    "SalesforceCDPConnection",
    "SalesforceCDPCursor",
    "Time",
    "TimeFromTicks",
    "Timestamp",
    "TimestampFromTicks",
    "Warning",
    "apilevel",
    "paramstyle",
    "threadsafety",
]
