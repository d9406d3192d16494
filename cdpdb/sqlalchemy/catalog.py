"""The dialect base of API backends: SQL as DuckDB reads it (PostgreSQL's compiler fits), and
reflection from the tables the backend declares (``session.catalog``), never from guesses."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from sqlalchemy import exc as sa_exc
from sqlalchemy import types as sqltypes
from sqlalchemy.dialects.postgresql.base import PGCompiler, PGIdentifierPreparer, PGTypeCompiler

from cdpdb.backends.base import emulator_hook
from cdpdb.exceptions import NotSupportedError
from cdpdb.sqlalchemy.base import ReadOnlyDialect
from cdpdb.sqlalchemy.compat import reflection_cache
from cdpdb.sqlalchemy.url import settings_of


def column_type(arrow_type: pa.DataType) -> sqltypes.TypeEngine[Any]:
    """The SQLAlchemy type of a declared column's Arrow type."""
    if pa.types.is_decimal(arrow_type):
        return sqltypes.Numeric(arrow_type.precision, arrow_type.scale, asdecimal=True)
    if pa.types.is_timestamp(arrow_type):
        return sqltypes.DateTime(timezone=arrow_type.tz is not None)
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return sqltypes.ARRAY(column_type(arrow_type.value_type))
    for check, kind in _TYPES:
        if check(arrow_type):
            return kind()
    return sqltypes.String()


_TYPES: list[tuple[Any, Any]] = [
    (pa.types.is_boolean, sqltypes.Boolean),
    (pa.types.is_int64, sqltypes.BigInteger),
    (pa.types.is_int32, sqltypes.Integer),
    (lambda t: pa.types.is_int16(t) or pa.types.is_int8(t), sqltypes.SmallInteger),
    (pa.types.is_floating, lambda: sqltypes.Float(precision=53)),
    (pa.types.is_date, sqltypes.Date),
    (pa.types.is_time, sqltypes.Time),
    (lambda t: pa.types.is_binary(t) or pa.types.is_large_binary(t), sqltypes.LargeBinary),
]


class CatalogDialect(ReadOnlyDialect):
    """Base of the API backends' dialects: ``backend`` names the cdpdb backend to open."""

    backend = ""
    supports_statement_cache = True
    statement_compiler = PGCompiler
    type_compiler_cls = PGTypeCompiler
    preparer = PGIdentifierPreparer
    default_paramstyle = "named"
    supports_native_boolean = True
    supports_native_decimal = True
    supports_sane_rowcount = False
    supports_alter = False
    supports_sequences = False
    supports_comments = True
    postfetch_lastrowid = False
    requires_name_normalize = False

    def create_connect_args(self, url: Any) -> tuple[list[Any], dict[str, Any]]:
        """``<backend>://[host]?setting=value...``: every query parameter is a ``connect()`` setting."""
        return [], {"backend": self.backend, **settings_of(url)}

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return (1, 0)

    def _get_default_schema_name(self, connection: Any) -> str | None:
        return None

    @staticmethod
    def _catalog(connection: Any) -> Any:
        return connection.connection.dbapi_connection.session.catalog

    def _table(self, connection: Any, table_name: str) -> Any:
        table = self._catalog(connection).get(table_name)
        if table is None:
            raise sa_exc.NoSuchTableError(table_name)
        return table

    def get_schema_names(self, connection: Any, **kw: Any) -> list[str]:
        return []

    def has_table(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> bool:
        return schema is None and table_name in self._catalog(connection)

    @reflection_cache
    def get_table_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return sorted(self._catalog(connection)) if schema is None else []

    def get_view_names(self, connection: Any, schema: str | None = None, **kw: Any) -> list[str]:
        return []

    @reflection_cache
    def get_columns(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[Any]:
        return [
            {
                "name": f.name,
                "type": column_type(f.type),
                "nullable": f.nullable,
                "default": None,
                "comment": f.comment,
            }
            for f in self._table(connection, table_name).fields
        ]

    def get_pk_constraint(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        return {"constrained_columns": list(self._table(connection, table_name).primary_key), "name": None}

    def get_foreign_keys(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[Any]:
        self._table(connection, table_name)
        return []

    def get_indexes(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> list[Any]:
        self._table(connection, table_name)
        return []

    def get_table_comment(self, connection: Any, table_name: str, schema: str | None = None, **kw: Any) -> Any:
        return {"text": self._table(connection, table_name).comment}


LOCAL_HOST = "local"  # <backend>://local: the backend's emulator, started in this process


class HostedDialect(CatalogDialect):
    """Base of the dialects whose URL names an API host and carries one secret in the password
    place: ``<backend>://[:SECRET@][host[:port]]/?setting=...``. A host is an API host of its own
    (a local emulator; ``?scheme=http`` for plain HTTP); ``<backend>://local`` starts the backend's
    emulator in this process (found through the ``cdpdb.local`` entry points). A user name is
    refused: it would be shown wherever the URL is, and the secret belongs where it is masked.

    Writes take the shared fast route: ``to_sql`` (``method=None`` or ``"multi"``) is one
    ``executemany`` → one Arrow table (``use_insertmanyvalues`` off: it would make long SQL text)."""

    secret_setting = ""  # the connect() setting the URL's password fills: "token", "api_key"
    secret_name = ""  # how messages call it: "the token", "the API key"
    secret_placeholder = ""  # how the URL shape shows it: "TOKEN", "KEY"
    host_setting = "base_url"  # the connect() setting a host in the URL fills
    local_title = ""  # the emulator's name in messages: "<backend>://local needs the local <title>"
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
            embedded = emulator_hook(self.backend, "embedded_connect_args")
            if embedded is None:
                raise NotSupportedError(
                    f"{self.backend}://local needs the local {self.local_title}: pip install 'cdpdb[local]'"
                )
            backend = kwargs.pop("backend")
            return args, {"backend": backend, **embedded(kwargs)}
        if url.host:
            port = f":{url.port}" if url.port else ""
            kwargs.setdefault(self.host_setting, f"{scheme}://{url.host}{port}")
        if url.username:
            shape = f"{self.backend}://:{self.secret_placeholder}@host"
            raise sa_exc.ArgumentError(
                f"put {self.secret_name} in the URL's password place ({shape}), where it is masked; "
                "a user name would be shown wherever the URL is"
            )
        if url.password:
            kwargs.setdefault(self.secret_setting, url.password)
        return args, kwargs
