"""``adobe://[client_id[:client_secret]@][host[:port]]/[sandbox]?org_id=...``: the shared API
dialect with Adobe's URL, shaped like ``treasuredata://``.

A host in the URL is a Platform host of its own (a local Adobe; ``scheme=http`` for plain HTTP);
none means platform.adobe.io. The database part is the default sandbox. The secret is best left
out of the URL: ``CDPDB_CLIENT_SECRET`` (masked wherever the URL is shown). ``adobe://local``
starts a local Adobe in this process. Sandboxes are the schemas: ``inspect().get_schema_names()``
lists them and ``Table(..., schema="dev")`` reads that sandbox.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc

from cdpdb.backends.adobe.settings import Settings
from cdpdb.backends.base import emulator_hook
from cdpdb.exceptions import NotSupportedError
from cdpdb.sqlalchemy.catalog import CatalogDialect
from cdpdb.sqlalchemy.compat import reflection_cache

LOCAL_HOST = "local"


class AdobeDialect(CatalogDialect):
    name = backend = "adobe"
    supports_statement_cache = True
    secrets = Settings.SECRETS

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = super().create_connect_args(url)
        scheme = str(kwargs.pop("scheme", "https")).lower()
        if scheme not in ("https", "http"):
            raise sa_exc.ArgumentError(f"the URL's scheme= must be https or http, not {scheme!r}")
        if url.host == LOCAL_HOST:
            embedded = emulator_hook("adobe", "embedded_connect_args")
            if embedded is None:
                raise NotSupportedError("adobe://local needs the local Adobe: pip install 'cdpdb[local]'")
            backend = kwargs.pop("backend")
            kwargs = {"backend": backend, **embedded(kwargs)}
        elif url.host:
            port = f":{url.port}" if url.port else ""
            kwargs.setdefault("platform_url", f"{scheme}://{url.host}{port}")
        if url.username:
            kwargs.setdefault("client_id", url.username)
        if url.password:
            kwargs.setdefault("client_secret", url.password)
        if url.database:
            kwargs.setdefault("sandbox", url.database)
        return args, kwargs

    @staticmethod
    def _session(connection: Any) -> Any:
        return connection.connection.dbapi_connection.session

    def _get_default_schema_name(self, connection: Any) -> str | None:
        return str(self._session(connection).settings.sandbox)

    def _tables_of(self, connection: Any, schema: str | None) -> dict[str, Any]:
        session = self._session(connection)
        if schema is not None and schema not in session.sandboxes:
            return {}
        tables = dict(session.tables_of(schema))
        if schema is None or schema == session.settings.sandbox:
            tables["sandboxes"] = session.tables["sandboxes"]
        return tables

    def _table_in(self, connection: Any, table_name: str, schema: str | None) -> Any:
        table = self._tables_of(connection, schema).get(table_name)
        if table is None:
            raise sa_exc.NoSuchTableError(f"{schema}.{table_name}" if schema else table_name)
        return table

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        return list(self._session(connection).sandboxes)

    def has_table(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> bool:
        return table_name in self._tables_of(connection, schema)

    @reflection_cache
    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return sorted(self._tables_of(connection, schema))

    @reflection_cache
    def get_columns(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[Any]:
        from cdpdb.sqlalchemy.catalog import column_type

        return [
            {"name": f.name, "type": column_type(f.type), "nullable": f.nullable, "default": None, "comment": f.comment}
            for f in self._table_in(connection, table_name, schema).fields
        ]

    def get_pk_constraint(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        return {"constrained_columns": list(self._table_in(connection, table_name, schema).primary_key), "name": None}

    def get_foreign_keys(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[Any]:
        self._table_in(connection, table_name, schema)
        return []

    def get_indexes(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[Any]:
        self._table_in(connection, table_name, schema)
        return []

    def get_table_comment(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        return {"text": self._table_in(connection, table_name, schema).comment}


dialect = AdobeDialect
