"""The ``cdp`` dialect: URLs, connection arguments, read-only semantics, and reflection from the
Data Cloud Metadata API (never from guesses)."""

from __future__ import annotations

import atexit
import threading
from typing import Any, ClassVar

from sqlalchemy import exc as sa_exc
from sqlalchemy import schema as sa_schema
from sqlalchemy.engine import default, interfaces, reflection
from sqlalchemy.engine.url import URL

from .. import metadata as md
from ..exceptions import OperationalError
from .compiler import HyperCompiler, HyperIdentifierPreparer, HyperTypeCompiler
from .types import BIND_CASTS, column_type
from .url import masked

LOCAL_HOST = "local"
_local_lock = threading.Lock()
_local_clouds: dict[tuple, Any] = {}


def embedded_local(scale: int = 10_000, seed: int = 42, dataset: bool = True):
    """One local Data Cloud per (scale, seed, dataset) in this process, started on first use."""
    key = (scale, seed, dataset)
    with _local_lock:
        if key not in _local_clouds:
            from ..local import LocalDataCloud

            cloud = LocalDataCloud(scale=scale, seed=seed, dataset=dataset)
            atexit.register(cloud.close)
            _local_clouds[key] = cloud
        return _local_clouds[key]


class CDPDialect(default.DefaultDialect):
    name = "cdp"
    driver = "cdpdb"
    supports_statement_cache = True
    statement_compiler = HyperCompiler
    type_compiler_cls = HyperTypeCompiler
    preparer = HyperIdentifierPreparer
    default_paramstyle = "named"
    bind_typing = interfaces.BindTyping.RENDER_CASTS
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

    @classmethod
    def import_dbapi(cls):
        import cdpdb

        return cdpdb

    # -- connecting ------------------------------------------------------------------------------

    def create_connect_args(self, url: URL) -> tuple[list, dict]:
        """``cdp://user:password@host[:port]/dataspace?client_id=...&api=v3`` or ``cdp://local``.

        Every ``connect()`` setting may be a query parameter; secrets may also come from the
        ``CDPDB_*`` environment variables.
        """
        options: dict[str, Any] = dict(url.query)
        if url.host == LOCAL_HOST:
            flag = lambda name, default: str(options.pop(name, default)).lower() in ("1", "true", "yes")  # noqa: E731
            cloud = embedded_local(
                int(options.pop("scale", 10_000)), int(options.pop("seed", 42)), flag("dataset", "true")
            )
            writable = flag("writable", "false")
            args = cloud.connect_args(**options)
            if writable:  # test fixtures may create tables: writes go to the local admin path
                args["admin_key"] = cloud.admin_key
        else:
            args = options
            if url.host:
                port = f":{url.port}" if url.port else ""
                args.setdefault("login_url", f"https://{url.host}{port}")
            if url.username:
                args["username"] = url.username
            if url.password:
                args["password"] = url.password
        if url.database:
            args["dataspace"] = url.database
        self.legacy_sql = str(args.get("api", "v3")).lower() in ("v1", "v2")
        return [], args

    @classmethod
    def engine_created(cls, engine) -> None:
        engine.url = masked(engine.url)  # repr(engine) and str(engine.url) show no secret

    def on_connect(self):
        return None

    def _get_server_version_info(self, connection):
        return (1, 0)

    def _get_default_schema_name(self, connection):
        return self._dataspace(connection)

    def get_default_isolation_level(self, dbapi_conn):
        return "AUTOCOMMIT"

    def get_isolation_level(self, dbapi_connection):
        return "AUTOCOMMIT"

    def set_isolation_level(self, dbapi_connection, level):
        if level != "AUTOCOMMIT":
            raise sa_exc.ArgumentError("Data Cloud is read-only and has no transactions: only AUTOCOMMIT")

    def do_begin(self, dbapi_connection):
        pass

    def do_commit(self, dbapi_connection):
        pass

    def do_rollback(self, dbapi_connection):
        pass  # nothing to roll back; pools call this on every check-in

    def do_ping(self, dbapi_connection) -> bool:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        finally:
            cursor.close()
        return True

    def is_disconnect(self, e, connection, cursor) -> bool:
        import cdpdb

        if isinstance(e, cdpdb.InterfaceError):
            return "closed" in str(e)
        if isinstance(e, cdpdb.OperationalError):
            text = str(e)
            return "cannot reach" in text or ("connection" in text and "broke" in text)
        return False

    # -- reflection from the Metadata API --------------------------------------------------------

    @staticmethod
    def _dbapi(connection):
        return connection.connection.dbapi_connection

    def _dataspace(self, connection) -> str:
        return self._dbapi(connection).settings.dataspace or "default"

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
            if dataspace is None or exc.status not in (403, 404):
                raise
            entities = {}  # an unknown (or, for a scoped login, unreachable) dataspace shows no tables
        if info_cache is not None:
            info_cache[key] = entities
        return entities

    def _entity(self, connection, table_name: str, schema: str | None, info_cache=None, **kw) -> md.Entity:
        entity = self._entities(connection, schema, info_cache).get(table_name)
        if entity is None:
            raise sa_exc.NoSuchTableError(f"{schema + '.' if schema else ''}{table_name}")
        return entity

    def get_schema_names(self, connection, **kw) -> list[str]:
        return [self._dataspace(connection)]

    def has_table(self, connection, table_name, schema=None, info_cache=None, **kw) -> bool:
        return table_name in self._entities(connection, schema, info_cache)

    @reflection.cache
    def get_table_names(self, connection, schema=None, info_cache=None, **kw) -> list[str]:
        return sorted(self._entities(connection, schema, info_cache))

    def get_view_names(self, connection, schema=None, **kw) -> list[str]:
        return []  # Data Cloud objects are all tables to SQL

    def get_temp_table_names(self, connection, schema=None, **kw) -> list[str]:
        return []

    def get_sequence_names(self, connection, schema=None, **kw) -> list[str]:
        return []

    @reflection.cache
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

    @reflection.cache
    def get_pk_constraint(self, connection, table_name, schema=None, **kw) -> dict:
        entity = self._entity(connection, table_name, schema, **kw)
        return {"constrained_columns": list(entity.primary_keys), "name": None}

    @reflection.cache
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

    @reflection.cache
    def get_table_comment(self, connection, table_name, schema=None, **kw) -> dict:
        entity = self._entity(connection, table_name, schema, **kw)
        return {"text": entity.display_name if entity.display_name != entity.name else None}

    def get_table_options(self, connection, table_name, schema=None, **kw) -> dict:
        entity = self._entity(connection, table_name, schema, **kw)
        return {"cdp_entity_type": entity.entity_type, "cdp_category": entity.category}


dialect = CDPDialect
