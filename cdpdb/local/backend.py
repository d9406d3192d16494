"""Running queries for every API: the part of the local Data Cloud that is not HTTP."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import pyarrow as pa

from cdpdb.local import writable
from cdpdb.local.catalog import Catalog, Entity, entity_type_for_name
from cdpdb.local.engine import EngineError, HyperEngine, quote_ident
from cdpdb.local.faults import FaultPlan
from cdpdb.local.oauth import IdentityProvider
from cdpdb.local.results import CANCELLED, FAILED, FINISHED, QueryResult, ResultStore
from cdpdb.local.sqlguard import check_admin, check_query
from cdpdb.local.sqltext import Translated, translate_legacy

log = logging.getLogger(__name__)

CANCELED_STATE = "57014"


@dataclass
class Backend:
    engine: HyperEngine
    catalog: Catalog
    faults: FaultPlan
    identity: IdentityProvider
    results: ResultStore

    def __post_init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="cdpdb-query")
        #: Results whose statement Hyper is executing right now (query id → result): what a
        #: cancel must stop, and what tests observe to see that abandoned work stopped.
        self.running: dict[str, QueryResult] = {}
        self._running_lock = threading.Lock()

    def has_dataspace(self, name: str) -> bool:
        return name in self.engine.dataspaces

    def translate(self, sql: str, dataspace: str) -> Translated:
        return translate_legacy(sql, self.catalog.names_ci(dataspace))

    def check(self, sql: str, dataspace: str) -> None:
        """Refuse anything but one read query over the objects of ``dataspace`` (see sqlguard)."""
        check_query(sql, (entity.name for entity in self.catalog.visible(dataspace)), dataspace)

    # -- running ------------------------------------------------------------------------------

    def submit(self, result: QueryResult, sql: str) -> QueryResult:
        """Start ``sql`` for ``result`` on a worker thread; the caller waits on ``result.done``."""
        cancelled = threading.Event()
        result.cancel_hook = cancelled.set
        self._executor.submit(self._run, result, sql, cancelled)
        return result

    def _run(self, result: QueryResult, sql: str, cancelled: threading.Event) -> None:
        try:
            if cancelled.wait(self.faults.limits.query_seconds):
                raise EngineError(CANCELED_STATE, "canceling statement due to user request")

            def on_start(cancel) -> None:
                result.cancel_hook = lambda: (cancelled.set(), cancel())
                if cancelled.is_set():  # cancelled while waiting for a connection: never start
                    raise EngineError(CANCELED_STATE, "canceling statement due to user request")
                with self._running_lock:
                    self.running[result.query_id] = result

            table = self.engine.query_arrow(result.dataspace, sql, on_start=on_start)
            if cancelled.is_set():
                raise EngineError(CANCELED_STATE, "canceling statement due to user request")
            result.table, result.state = table, FINISHED
        except EngineError as exc:
            if exc.position is not None and result.map_position is not None:
                exc = replace(exc, position=result.map_position(exc.position))
            result.error = exc
            result.state = CANCELLED if exc.sqlstate == CANCELED_STATE else FAILED
        except Exception as exc:  # the engine died or a bug: report it, never hang the client
            log.exception("query %s failed unexpectedly", result.query_id)
            result.error, result.state = EngineError("XX000", f"internal error: {type(exc).__name__}"), FAILED
        finally:
            with self._running_lock:
                self.running.pop(result.query_id, None)
            result.finished = time.monotonic()
            result.done.set()

    def cancel(self, result: QueryResult) -> None:
        """Stop ``result``'s statement in Hyper (a cancel request on its connection); blocks briefly."""
        if result.cancel_hook is not None and not result.done.is_set():
            result.cancel_hook()

    async def wait(self, result: QueryResult, seconds: float) -> bool:
        """Wait without holding a worker thread: poll the done flag from the event loop."""
        deadline = time.monotonic() + max(seconds, 0)
        while not result.done.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            await asyncio.sleep(min(0.005, remaining))
        return True

    def schema_of(self, dataspace: str, sql: str) -> pa.Schema:
        return self.engine.query_arrow(dataspace, f"SELECT * FROM ({sql}) AS q LIMIT 0").schema

    # -- loading ------------------------------------------------------------------------------

    def load(self, entity: Entity, table: pa.Table | None, derived_sql: str | None = None) -> None:
        """Create an object in every dataspace it belongs to, from rows or from a query."""
        if table is not None:  # Hyper's COPY wants Arrow nullability to match the columns' NOT NULL
            table = table.select([c.name for c in entity.columns])
            table = table.cast(
                pa.schema([f.with_nullable(c.nullable) for f, c in zip(table.schema, entity.columns, strict=True)])
            )
        for dataspace in sorted(entity.dataspaces):
            if not self.has_dataspace(dataspace):
                self.engine.create_database(dataspace)
            if table is not None:
                self.engine.load_arrow(dataspace, entity.name, table, entity.ddl())
            else:
                name = quote_ident(entity.name)
                columns = ", ".join(quote_ident(c.name) for c in entity.columns)
                self.engine.execute(dataspace, f"DROP TABLE IF EXISTS {name}")
                self.engine.execute(dataspace, f"CREATE TABLE {name} ({entity.ddl()})")
                self.engine.execute(dataspace, f"INSERT INTO {name} ({columns}) {derived_sql}")
        self.catalog.add(entity)

    # -- writable mode (local only: test fixtures such as SQLAlchemy's compliance suite) ---------

    def write(self, dataspace: str, sql: str, parameters) -> int:
        check_admin(sql)
        return writable.write(self.engine, self.catalog, dataspace, sql, parameters)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def entity_from_arrow(name: str, table: pa.Table, *, category: str | None, primary_keys, dataspaces) -> Entity:
    """Describe a user-supplied table in Data Cloud terms (types from its Arrow schema)."""
    from cdpdb.local.catalog import Column

    columns = tuple(Column(f.name, sql_type_of(f.type), nullable=f.name not in primary_keys) for f in table.schema)
    missing = set(primary_keys) - {c.name for c in columns}
    if missing:
        raise ValueError(f"primary key column(s) {sorted(missing)} are not in the data")
    kind = entity_type_for_name(name)
    return Entity(name, kind, category, columns, tuple(primary_keys), dataspaces=frozenset(dataspaces))


def sql_type_of(arrow_type: pa.DataType) -> str:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "text"
    if pa.types.is_integer(arrow_type):
        return "bigint"
    if pa.types.is_floating(arrow_type):
        return "double precision"
    if pa.types.is_decimal(arrow_type):
        return f"numeric({min(arrow_type.precision, 38)},{arrow_type.scale})"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamptz" if arrow_type.tz else "timestamp"
    raise ValueError(f"columns of Arrow type {arrow_type} cannot be loaded; convert them to text first")


def arrow_for_load(table: pa.Table) -> pa.Table:
    """Cast loadable columns to the exact Arrow types Hyper's COPY expects."""
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_integer(t):
            t = pa.int64()
        elif pa.types.is_floating(t):
            t = pa.float64()
        elif pa.types.is_large_string(t) or pa.types.is_dictionary(t):
            t = pa.string()
        elif pa.types.is_date(t):
            t = pa.date32()
        elif pa.types.is_timestamp(t):
            t = pa.timestamp("us", tz="UTC" if t.tz else None)
        fields.append(pa.field(f.name, t))
    return table.cast(pa.schema(fields))
