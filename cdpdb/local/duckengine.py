"""A second engine for the emulator kit: DuckDB, in process, one schema per dataspace.

Why a second engine: Hyper does not store array columns ("Data type not allowed for persisted
tables"), and some CDPs' profiles have them (lists of tags, of scores) with rules that match
element by element. DuckDB stores lists natively, evaluates lambdas over them, runs each query on
its own cursor and stops it on ``interrupt()``: the cancellation the runner needs.

Errors carry a SQLSTATE chosen from DuckDB's exception class (DuckDB has no SQLSTATEs of its own),
so handlers treat both engines' errors alike.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from cdpdb.core.results.arrow import normalise_arrow
from cdpdb.local.sqlengine import CANCELED, EngineError, quote_ident, quote_literal

#: DuckDB's exception classes → the SQLSTATE class PostgreSQL would report for the same mistake.
_SQLSTATES: tuple[tuple[type[Exception], str], ...] = (
    (duckdb.InterruptException, CANCELED),
    (duckdb.ParserException, "42601"),
    (duckdb.CatalogException, "42P01"),
    (duckdb.BinderException, "42703"),
    (duckdb.ConversionException, "22018"),
    (duckdb.OutOfRangeException, "22003"),
    (duckdb.InvalidInputException, "22023"),
    (duckdb.OutOfMemoryException, "53200"),
    (duckdb.PermissionException, "42501"),
)


def engine_error(exc: duckdb.Error) -> EngineError:
    for kind, sqlstate in _SQLSTATES:
        if isinstance(exc, kind):
            return EngineError(sqlstate, str(exc).strip())
    return EngineError("XX000", str(exc).strip())


class DuckEngine:
    """One DuckDB database (in memory, or a file in ``workdir``) with one schema per dataspace."""

    def __init__(self, workdir: str | Path | None = None, threads: int = 2) -> None:
        database = str(Path(workdir) / "engine.duckdb") if workdir is not None else ":memory:"
        if workdir is not None:
            Path(workdir).mkdir(parents=True, exist_ok=True)
        # No extension loading and no file access from SQL: queries read the tables loaded here only.
        self._db = duckdb.connect(database, config={"threads": threads, "autoinstall_known_extensions": False})
        self._db.execute("SET TimeZone = 'UTC'")
        self._db.execute("SET enable_external_access = false")
        self._schemas: list[str] = []
        self._lock = threading.Lock()

    @property
    def dataspaces(self) -> list[str]:
        return list(self._schemas)

    def create_database(self, dataspace: str) -> None:
        """Create (or empty) the schema that holds one dataspace's tables."""
        with self._lock:
            self._db.execute(f"DROP SCHEMA IF EXISTS {quote_ident(dataspace)} CASCADE")
            self._db.execute(f"CREATE SCHEMA {quote_ident(dataspace)}")
            if dataspace not in self._schemas:
                self._schemas.append(dataspace)

    def _cursor(self, dataspace: str) -> duckdb.DuckDBPyConnection:
        if dataspace not in self._schemas:
            raise EngineError("3F000", f"dataspace {dataspace!r} does not exist")
        with self._lock:
            cursor = self._db.cursor()
        cursor.execute(f"SET schema = {quote_literal(dataspace)}")
        return cursor

    def execute(self, dataspace: str, sql: str) -> None:
        """Run a statement that returns no rows (DDL, loading)."""
        cursor = self._cursor(dataspace)
        try:
            cursor.execute(sql)
        except duckdb.Error as exc:
            raise engine_error(exc) from None
        finally:
            cursor.close()

    def query_arrow(
        self, dataspace: str, sql: str, on_start: Callable[[Callable[[], None]], None] | None = None
    ) -> pa.Table:
        """Run a query and return its whole result as an Arrow table; ``on_start`` receives a
        callable that stops the running statement."""
        cursor = self._cursor(dataspace)
        try:
            if on_start is not None:
                on_start(cursor.interrupt)
            return normalise_arrow(cursor.sql(sql).to_arrow_table())
        except duckdb.Error as exc:
            raise engine_error(exc) from None
        finally:
            cursor.close()

    def load_arrow(self, dataspace: str, name: str, table: pa.Table, ddl_columns: str | None = None) -> None:
        """Create table ``name`` from an Arrow table (with ``ddl_columns`` if given, else its own types)."""
        cursor = self._cursor(dataspace)
        target = f"{quote_ident(dataspace)}.{quote_ident(name)}"
        try:
            cursor.register("cdpdb_load", table)
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            if ddl_columns:
                cursor.execute(f"CREATE TABLE {target} ({ddl_columns})")
                cursor.execute(f"INSERT INTO {target} SELECT * FROM cdpdb_load")
            else:
                cursor.execute(f"CREATE TABLE {target} AS SELECT * FROM cdpdb_load")
        except duckdb.Error as exc:
            raise engine_error(exc) from None
        finally:
            cursor.unregister("cdpdb_load")
            cursor.close()

    def close(self) -> None:
        with self._lock:
            self._db.close()
