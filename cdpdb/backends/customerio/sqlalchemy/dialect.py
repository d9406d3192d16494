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

from sqlalchemy import exc as sa_exc

from cdpdb.backends.base import emulator_hook
from cdpdb.backends.customerio.settings import Settings
from cdpdb.exceptions import NotSupportedError
from cdpdb.sqlalchemy.catalog import CatalogDialect

LOCAL_HOST = "local"


class CustomerIoDialect(CatalogDialect):
    name = backend = "customerio"
    supports_statement_cache = True
    secrets = Settings.SECRETS | {"password"}
    use_insertmanyvalues = False
    supports_multivalues_insert = True
    supports_sane_rowcount = True
    supports_sane_multi_rowcount = True

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = super().create_connect_args(url)
        scheme = str(kwargs.pop("scheme", "https")).lower()
        if scheme not in ("https", "http"):
            raise sa_exc.ArgumentError(f"the URL's scheme= must be https or http, not {scheme!r}")
        if url.host == LOCAL_HOST:
            embedded = emulator_hook("customerio", "embedded_connect_args")
            if embedded is None:
                raise NotSupportedError("customerio://local needs the local Customer.io: pip install 'cdpdb[local]'")
            backend = kwargs.pop("backend")
            return args, {"backend": backend, **embedded(kwargs)}
        if url.host:
            port = f":{url.port}" if url.port else ""
            kwargs.setdefault("base_url", f"{scheme}://{url.host}{port}")
        if url.username:
            raise sa_exc.ArgumentError(
                "put the API key in the URL's password place (customerio://:KEY@host), where it is masked; "
                "a user name would be shown wherever the URL is"
            )
        if url.password:
            kwargs.setdefault("api_key", url.password)
        return args, kwargs

    def do_ping(self, dbapi_connection: Any) -> bool:
        """Nothing can be read to ping with (SELECT is refused); a connection holds no server state."""
        return not dbapi_connection.closed


dialect = CustomerIoDialect
