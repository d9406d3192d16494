"""The ``cdp`` dialect: URLs, connection arguments, statements routed to their dataspace, and
reflection from the Data Cloud Metadata API (never from guesses). Read-only semantics come from
the shared base in cdpdb.sqlalchemy; SQLAlchemy 1.4 differences from cdpdb.sqlalchemy.compat."""

from __future__ import annotations

from typing import Any, ClassVar

from sqlalchemy import exc as sa_exc
from sqlalchemy import schema as sa_schema
from sqlalchemy.engine.url import URL

from cdpdb.backends.base import emulator_hook
from cdpdb.backends.salesforce import metadata as md
from cdpdb.backends.salesforce import wire
from cdpdb.backends.salesforce.settings import SECRETS
from cdpdb.backends.salesforce.sqlalchemy.compiler import HyperCompiler, HyperIdentifierPreparer, HyperTypeCompiler
from cdpdb.backends.salesforce.sqlalchemy.routing import statement_dataspace
from cdpdb.backends.salesforce.sqlalchemy.types import BIND_CASTS, column_type
from cdpdb.exceptions import NotSupportedError, OperationalError
from cdpdb.sqlalchemy.base import ReadOnlyDialect
from cdpdb.sqlalchemy.compat import RENDER_CASTS, dbapi_connection, reflection_cache
from cdpdb.sqlalchemy.url import settings_of

LOCAL_HOST = "local"
#: URL query parameter: the login host's scheme, ``https`` (every Salesforce org) or ``http``
#: (a local server such as ``cdpdb serve``). Read by the dialect, not a connect() setting.
SCHEME_PARAMETER = "scheme"


class CDPDialect(ReadOnlyDialect):
    secrets = SECRETS
    name = "cdp"
    supports_statement_cache = True
    statement_compiler = HyperCompiler
    type_compiler_cls = HyperTypeCompiler
    preparer = HyperIdentifierPreparer
    default_paramstyle = "named"
    bind_typing = RENDER_CASTS  # :p::TYPE (on SQLAlchemy 1.4: by the cast types' bind_expression)
    colspecs: ClassVar[dict] = BIND_CASTS
    supports_native_boolean = True
    supports_native_decimal = True
    cte_follows_insert = True  # Hyper: INSERT INTO t WITH c AS (...) SELECT ...
    supports_native_uuid = False  # Data Cloud has no UUID type: Uuid columns are CHAR(32)
    supports_sane_rowcount = False
    supports_alter = False
    supports_sequences = False
    supports_comments = True
    supports_default_values = False
    supports_empty_insert = False
    postfetch_lastrowid = False
    supports_server_side_cursors = True  # the driver streams every result
    requires_name_normalize = False
    legacy_sql = False
    _backslash_escapes = False  # Hyper's strings are standard-conforming: '' escapes, \ is a character
    # Reflected extras: a relationship's cardinality; an object's Data Cloud type and category.
    construct_arguments: ClassVar[list] = [
        (sa_schema.ForeignKeyConstraint, {"cardinality": None}),
        (sa_schema.Table, {"entity_type": None, "category": None}),
    ]

    # -- connecting ------------------------------------------------------------------------------

    def create_connect_args(self, url: URL) -> tuple[list, dict]:
        """``cdp://user:password@host[:port]/dataspace?client_id=...&api=v3`` or ``cdp://local``.

        The host is the login host, ``https://host[:port]`` (``scheme=http`` for a local server
        such as ``cdpdb serve``; ``login_url=`` overrides it whole). Every ``connect()`` setting
        may be a query parameter (``ca_bundle`` for a server with its own CA); secrets may also
        come from the ``CDPDB_*`` environment variables.
        """
        options = settings_of(url)
        scheme = str(options.pop(SCHEME_PARAMETER, "https")).lower()
        if scheme not in ("https", "http"):
            raise sa_exc.ArgumentError(f"the URL's scheme= must be https or http, not {scheme!r}")
        if url.host == LOCAL_HOST:
            embedded = emulator_hook("salesforce", "embedded_connect_args")
            if embedded is None:
                raise NotSupportedError("cdp://local needs the local Data Cloud: pip install 'cdpdb[local]'")
            args = embedded(options)
        else:
            args = options
            if url.host:
                port = f":{url.port}" if url.port else ""
                args.setdefault("login_url", f"{scheme}://{url.host}{port}")
            if url.username:
                args["username"] = url.username
            if url.password:
                args["password"] = url.password
        if url.database:
            args["dataspace"] = url.database
        self.legacy_sql = str(args.get("api", "v3")).lower() in ("v1", "v2")
        return [], args

    def _get_default_schema_name(self, connection):
        return self._dataspace(connection)

    # -- running statements in their dataspace --------------------------------------------------

    def do_execute(self, cursor, statement, parameters, context=None) -> None:
        cursor.execute(statement, parameters, **self._routing(cursor, context))

    def do_execute_no_params(self, cursor, statement, context=None) -> None:
        cursor.execute(statement, **self._routing(cursor, context))

    def _routing(self, cursor, context) -> dict[str, Any]:
        """The driver's ``dataspace`` option for a statement whose tables live in another
        dataspace than the connection's (routing.py); nothing for the connection's own."""
        if context is None:
            return {}
        compiled = context.compiled
        schemas: set[str | None] = set(getattr(compiled, "dataspaces", ()))
        if context.isddl and compiled is not None:
            schemas.add(getattr(getattr(compiled.statement, "element", None), "schema", None))
        own = cursor.connection.settings.dataspace or wire.DEFAULT_DATASPACE
        writes = bool(context.isddl or context.isinsert or context.isupdate or context.isdelete)
        dataspace = statement_dataspace(schemas, context.execution_options, own, writes)
        return {"dataspace": dataspace} if dataspace else {}

    # -- reflection from the Metadata API --------------------------------------------------------

    @staticmethod
    def _dbapi(connection):
        return dbapi_connection(connection)

    def _dataspace(self, connection) -> str:
        return self._dbapi(connection).settings.dataspace or wire.DEFAULT_DATASPACE

    def _entities(self, connection, schema: str | None, info_cache: dict | None = None) -> dict[str, md.Entity]:
        """All objects of a dataspace: one Metadata API request per Inspector (its ``info_cache``,
        emptied by ``clear_cache()``); a call outside an Inspector always asks afresh, so that
        ``create_all``/``drop_all`` never act on a stale answer."""
        own = self._dataspace(connection)
        dataspace = None if schema in (None, own) else schema
        key = ("cdp_entities", dataspace)
        if info_cache is not None and key in info_cache:
            return info_cache[key]
        cache = self._dbapi(connection).metadata
        cache.refresh()
        try:
            entities = cache.entities(dataspace)
        except OperationalError as exc:
            if dataspace is None or exc.status not in (400, 403, 404):
                raise
            # An unknown dataspace (the token exchange for it answers 400, the Metadata API 404)
            # or one this login may not read (403) shows no tables.
            entities = {}
        if info_cache is not None:
            info_cache[key] = entities
        return entities

    def _entity(self, connection, table_name: str, schema: str | None, info_cache=None, **kw) -> md.Entity:
        entity = self._entities(connection, schema, info_cache).get(table_name)
        if entity is None:
            raise sa_exc.NoSuchTableError(f"{schema + '.' if schema else ''}{table_name}")
        return entity

    @reflection_cache
    def get_schema_names(self, connection, **kw) -> list[str]:
        """The dataspaces this login can see (the session asks Data Cloud; see docs/sqlalchemy.md)."""
        own = self._dataspace(connection)
        return sorted(set(self._dbapi(connection).session.dataspace_names()) | {own})

    def has_table(self, connection, table_name, schema=None, info_cache=None, **kw) -> bool:
        return table_name in self._entities(connection, schema, info_cache)

    @reflection_cache
    def get_table_names(self, connection, schema=None, info_cache=None, **kw) -> list[str]:
        return sorted(self._entities(connection, schema, info_cache))

    def get_view_names(self, connection, schema=None, **kw) -> list[str]:
        return []  # Data Cloud objects are all tables to SQL

    def get_temp_table_names(self, connection, schema=None, **kw) -> list[str]:
        return []

    def get_sequence_names(self, connection, schema=None, **kw) -> list[str]:
        return []

    @reflection_cache
    def get_columns(self, connection, table_name, schema=None, **kw) -> list[dict]:
        entity = self._entity(connection, table_name, schema, **kw)
        return [
            {
                "name": f.name,
                "type": column_type(f),
                "nullable": f.nullable,
                "default": None,
                "comment": f.display_name if f.display_name != f.name else None,
            }
            for f in entity.fields
        ]

    @reflection_cache
    def get_pk_constraint(self, connection, table_name, schema=None, **kw) -> dict:
        entity = self._entity(connection, table_name, schema, **kw)
        return {"constrained_columns": list(entity.primary_keys), "name": None}

    @reflection_cache
    def get_foreign_keys(self, connection, table_name, schema=None, **kw) -> list[dict]:
        entity = self._entity(connection, table_name, schema, **kw)
        keys = []
        for r in entity.relationships:
            if r.from_entity != entity.name or not r.from_attribute or not r.to_attribute:
                continue  # calculated insights name only the entities, not the columns
            keys.append(
                {
                    "name": None,
                    "constrained_columns": [r.from_attribute],
                    "referred_schema": schema,
                    "referred_table": r.to_entity,
                    "referred_columns": [r.to_attribute],
                    "options": {"cdp_cardinality": r.cardinality} if r.cardinality else {},
                }
            )
        return keys

    def get_indexes(self, connection, table_name, schema=None, **kw) -> list[dict]:
        self._entity(connection, table_name, schema, **kw)
        return []

    def get_unique_constraints(self, connection, table_name, schema=None, **kw) -> list[dict]:
        return []

    def get_check_constraints(self, connection, table_name, schema=None, **kw) -> list[dict]:
        return []

    @reflection_cache
    def get_table_comment(self, connection, table_name, schema=None, **kw) -> dict:
        entity = self._entity(connection, table_name, schema, **kw)
        return {"text": entity.display_name if entity.display_name != entity.name else None}

    def get_table_options(self, connection, table_name, schema=None, **kw) -> dict:
        entity = self._entity(connection, table_name, schema, **kw)
        return {"cdp_entity_type": entity.entity_type, "cdp_category": entity.category}


dialect = CDPDialect
