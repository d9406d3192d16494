"""Import this instead of ``salesforce_datacloud_connector`` (salesforce-datacloud-connector 2.0.0b1).

``import cdpdb.compat.datacloud_connector as sfdc`` and the script's ``sfdc.connect(...)``,
cursors, ``fetch_df``, ``list_tables`` and ``get_table_metadata`` keep working, with the PEP 249
exceptions and type objects under the same names. docs/migrating.md lists what changed and why.
"""

from cdpdb.backends.salesforce.compat.datacloud_connector import (
    ArgumentError,
    Connection,
    Cursor,
    apilevel,
    connect,
    paramstyle,
    threadsafety,
)
from cdpdb.backends.salesforce.compat.pg_tables import DataCloudTable, Field
from cdpdb.dbapi_types import BINARY, BOOLEAN, DATETIME, NUMBER, ROWID, STRING
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
    "ArgumentError",
    "Connection",
    "Cursor",
    "DataCloudTable",
    "DataError",
    "DatabaseError",
    "Error",
    "Field",
    "IntegrityError",
    "InterfaceError",
    "InternalError",
    "NotSupportedError",
    "OperationalError",
    "ProgrammingError",
    "Warning",
    "apilevel",
    "connect",
    "paramstyle",
    "threadsafety",
]
