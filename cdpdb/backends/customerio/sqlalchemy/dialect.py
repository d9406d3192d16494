"""``customerio://[host[:port]]/?region=us&...``: the shared API dialect with Customer.io's URL, so
``DataFrame.to_sql("track", engine, if_exists="append", index=False)`` sends the rows.

The API key comes from ``CDPDB_CUSTOMERIO_API_KEY`` (or ``?api_key=``, or the URL's password
place, ``customerio://:KEY@host``; masked wherever the URL is shown); a host in the URL is an API
host of its own (a local Customer.io, ``?scheme=http`` for plain HTTP); ``customerio://local``
starts one in this process.

Writes take the fast route: SQLAlchemy sends a multi-row ``to_sql`` (``method=None``) as one
``executemany`` of ``INSERT ... VALUES (:a, :b)`` (``use_insertmanyvalues`` stays off: that would
turn it into long per-batch SQL text), which cdpdb turns into one Arrow table without SQL text per
row. ``method="multi"`` (one INSERT with many VALUES tuples) takes the same route.
"""

from __future__ import annotations

from typing import Any

from cdpdb.backends.customerio.settings import Settings
from cdpdb.sqlalchemy.catalog import HostedDialect


class CustomerIoDialect(HostedDialect):
    name = backend = "customerio"
    supports_statement_cache = True
    secrets = Settings.SECRETS | {"password"}
    secret_setting, secret_name, secret_placeholder = "api_key", "the API key", "KEY"
    local_title = "Customer.io"

    def do_ping(self, dbapi_connection: Any) -> bool:
        """Nothing can be read to ping with (SELECT is refused); a connection holds no server state."""
        return not dbapi_connection.closed


dialect = CustomerIoDialect
