"""``treasuredata://[host[:port]]/?site=us01&...``: the shared API dialect with Treasure Data's URL.

The API key comes from ``CDPDB_TD_APIKEY`` or ``TD_API_KEY`` (or ``?apikey=``, masked wherever the
URL is shown); a host in the URL is an Audience API host of its own (a local Treasure Data).
"""

from __future__ import annotations

from typing import Any

from cdpdb.backends.treasuredata.settings import Settings
from cdpdb.sqlalchemy.catalog import CatalogDialect


class TreasureDataDialect(CatalogDialect):
    name = backend = "treasuredata"
    supports_statement_cache = True
    secrets = Settings.SECRETS

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = super().create_connect_args(url)
        if url.host:
            port = f":{url.port}" if url.port else ""
            kwargs.setdefault("site_url", f"{kwargs.pop('scheme', 'https')}://{url.host}{port}")
        if url.password:
            kwargs.setdefault("apikey", url.password)
        return args, kwargs


dialect = TreasureDataDialect
