"""``crescendolab://[:TOKEN@][host[:port]]/?region=jp&...``: the shared API dialect with Crescendo
Lab's URL, so ``DataFrame.to_sql("contacts", engine, if_exists="append", index=False)`` imports.

The token comes from ``CDPDB_CRESCENDO_TOKEN`` (or ``?token=``, or the URL's password place, where
SQLAlchemy masks it); a host in the URL is an API host of its own (a local Crescendo Lab,
``?scheme=http`` for plain HTTP); ``crescendolab://local`` starts one in this process. Writes take
the shared fast route (one ``executemany`` → one Arrow table → import tasks).
"""

from __future__ import annotations

from cdpdb.backends.crescendolab.settings import Settings
from cdpdb.sqlalchemy.catalog import HostedDialect


class CrescendoDialect(HostedDialect):
    name = backend = "crescendolab"
    supports_statement_cache = True
    secrets = Settings.SECRETS | {"password"}
    secret_setting, secret_name, secret_placeholder = "token", "the token", "TOKEN"
    local_title = "Crescendo Lab"


dialect = CrescendoDialect
