"""``crescendolab://[:TOKEN@][host[:port]]/?region=jp&...``: the shared API dialect with Crescendo
Lab's URL, so ``DataFrame.to_sql("contacts", engine, if_exists="append", index=False)`` imports.

The token comes from ``CDPDB_CRESCENDO_TOKEN`` (or ``?token=``, or the URL's password place, where
SQLAlchemy masks it); a host in the URL is an API host of its own (a local Crescendo Lab,
``?scheme=http`` for plain HTTP); ``crescendolab://local`` starts one in this process. Writes take
the shared fast route (one ``executemany`` → one Arrow table → import tasks).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc

from cdpdb.backends.base import emulator_hook
from cdpdb.backends.crescendolab.settings import Settings
from cdpdb.exceptions import NotSupportedError
from cdpdb.sqlalchemy.catalog import CatalogDialect

LOCAL_HOST = "local"


class CrescendoDialect(CatalogDialect):
    name = backend = "crescendolab"
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
            embedded = emulator_hook("crescendolab", "embedded_connect_args")
            if embedded is None:
                raise NotSupportedError(
                    "crescendolab://local needs the local Crescendo Lab: pip install 'cdpdb[local]'"
                )
            backend = kwargs.pop("backend")
            return args, {"backend": backend, **embedded(kwargs)}
        if url.host:
            port = f":{url.port}" if url.port else ""
            kwargs.setdefault("base_url", f"{scheme}://{url.host}{port}")
        if url.username:
            raise sa_exc.ArgumentError(
                "put the token in the URL's password place (crescendolab://:TOKEN@host), where it is masked; "
                "a user name would be shown wherever the URL is"
            )
        if url.password:
            kwargs.setdefault("token", url.password)
        return args, kwargs


dialect = CrescendoDialect
