"""The SQL engine of the emulators: Tableau Hyper, one database file per dataspace (a backend's
namespace of tables).

Hyper is started with ``tableauhyperapi`` (which owns the ``hyperd`` process and creates the
database files) but queried over its PostgreSQL wire protocol with psycopg, because that path
gives us what the Hyper API hides: SQLSTATE codes, error positions, cancellation, and
``COPY ... TO STDOUT WITH (FORMAT arrowstream)`` streamed straight into pyarrow.
"""

from __future__ import annotations

import logging
import queue
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.ipc as ipc
from tableauhyperapi import Connection, CreateMode, HyperProcess, Telemetry

from cdpdb.core.results.arrow import normalise_arrow
from cdpdb.local.sqlengine import CANCELED, EngineError, quote_ident, quote_literal

__all__ = ["CANCELED", "EngineError", "HyperEngine", "engine_error", "quote_ident", "quote_literal"]

log = logging.getLogger(__name__)

#: Prefix placed before a user's query so that error positions can be mapped back to it.
_COPY_HEAD = "COPY (\n"
_COPY_TAIL = "\n) TO STDOUT WITH (FORMAT arrowstream)"


class HyperEngine:
    """One ``hyperd`` process with one database file per dataspace."""

    def __init__(self, workdir: str | Path | None = None, pool_size: int = 8) -> None:
        self._own_dir = workdir is None
        self.workdir = Path(workdir or tempfile.mkdtemp(prefix="cdpdb-hyper-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        no_files = self.workdir / "no-external-files"
        no_files.mkdir(exist_ok=True)
        self._process = HyperProcess(
            Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU,
            parameters={
                "log_config": "",
                "log_dir": str(self.workdir),
                "listen_connection": "tab.tcp://127.0.0.1:auto",
                "default_database_version": "3",  # 3 adds 128-bit NUMERIC (precision up to 38)
                # Confinement, whatever SQL arrives: external(), COPY FROM/TO a file and
                # http_location may only touch this empty folder (data is loaded through COPY FROM
                # STDIN), and databases may only be created or attached in the work folder.
                "external_file_root": str(no_files),
                "database_dir_whitelist": str(self.workdir),
            },
        )
        descriptor = self._process.endpoint.connection_descriptor  # tab.tcp://127.0.0.1:PORT
        host, port = descriptor.split("//", 1)[1].rsplit(":", 1)
        self._host, self._port = host, int(port)
        self._pool_size = pool_size
        self._pools: dict[str, queue.LifoQueue[psycopg.Connection]] = {}
        self._all: list[psycopg.Connection] = []
        self._lock = threading.Lock()

    # -- databases -----------------------------------------------------------------------------

    def database_path(self, dataspace: str) -> Path:
        return self.workdir / f"{dataspace}.hyper"

    def create_database(self, dataspace: str) -> None:
        """Create (or replace) the database file that holds one dataspace's objects."""
        with Connection(
            self._process.endpoint,
            str(self.database_path(dataspace)),
            CreateMode.CREATE_AND_REPLACE,
        ):
            pass
        with self._lock:
            self._pools.setdefault(dataspace, queue.LifoQueue())

    @property
    def dataspaces(self) -> list[str]:
        return list(self._pools)

    @contextmanager
    def connection(self, dataspace: str) -> Iterator[psycopg.Connection]:
        """Borrow a connection to one dataspace's database; a connection serves one query at once."""
        pool = self._pools[dataspace]
        try:
            conn = pool.get_nowait()
        except queue.Empty:
            conn = psycopg.connect(
                host=self._host,
                port=self._port,
                user="tableau_internal_user",
                dbname=str(self.database_path(dataspace)),
                autocommit=True,
                # No automatic prepared statements: a plan prepared before a table is replaced
                # fails afterwards with SQLSTATE 40001.
                prepare_threshold=None,
            )
            with self._lock:
                self._all.append(conn)
        broken = False
        try:
            yield conn
        except psycopg.OperationalError:
            broken = True
            raise
        finally:
            if broken or conn.closed or pool.qsize() >= self._pool_size:
                conn.close()
            else:
                pool.put(conn)

    # -- statements ----------------------------------------------------------------------------

    def execute(self, dataspace: str, sql: str) -> None:
        """Run a statement that returns no rows (DDL, loading)."""
        with self.connection(dataspace) as conn:
            try:
                conn.execute(sql)
            except psycopg.Error as exc:
                raise engine_error(exc, offset=0) from None

    def query_arrow(self, dataspace: str, sql: str, on_start=None) -> pa.Table:
        """Run a query and return its whole result as an Arrow table with client-friendly types.

        ``on_start`` receives a callable that cancels the running statement (for DELETE).
        """
        statement = _COPY_HEAD + sql + _COPY_TAIL
        with self.connection(dataspace) as conn:
            if on_start is not None:
                on_start(conn.cancel_safe)
            buffer = bytearray()
            try:
                with conn.cursor().copy(statement) as copy:
                    for block in copy:
                        buffer += block
            except psycopg.Error as exc:
                raise engine_error(exc, offset=len(_COPY_HEAD)) from None
        table = ipc.open_stream(pa.py_buffer(buffer)).read_all()
        return normalise_arrow(table)

    def load_arrow(self, dataspace: str, name: str, table: pa.Table, ddl_columns: str) -> None:
        """Create table ``name`` with ``ddl_columns`` and fill it from an Arrow table.

        The rows go over the wire (``COPY FROM STDIN``): Hyper may not read files (see ``__init__``).
        """
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        quoted = quote_ident(name)
        self.execute(dataspace, f"DROP TABLE IF EXISTS {quoted}")
        self.execute(dataspace, f"CREATE TABLE {quoted} ({ddl_columns})")
        with self.connection(dataspace) as conn:
            try:
                with conn.cursor().copy(f"COPY {quoted} FROM STDIN WITH (FORMAT arrowstream)") as copy:
                    copy.write(sink.getvalue())
            except psycopg.Error as exc:
                raise engine_error(exc, offset=0) from None

    def upsert_arrow(self, dataspace: str, name: str, table: pa.Table, keys: list[str]) -> None:
        """Rows into an existing table, replacing those with the same ``keys`` (all rows appended
        when there are none), in one transaction: a reader sees the table before or after."""
        sink = pa.BufferOutputStream()
        with ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        quoted, staging = quote_ident(name), quote_ident(f"__staging_{secrets.token_hex(6)}")
        columns = ", ".join(quote_ident(c) for c in table.column_names)
        with self.connection(dataspace) as conn:
            try:  # Hyper runs DDL outside transactions: stage the rows first, then swap them in
                conn.execute(f"CREATE TEMPORARY TABLE {staging} AS SELECT {columns} FROM {quoted} WHERE FALSE")
                try:
                    with conn.cursor().copy(f"COPY {staging} FROM STDIN WITH (FORMAT arrowstream)") as copy:
                        copy.write(sink.getvalue())
                    with conn.transaction():
                        if keys:
                            match = " AND ".join(f"t.{quote_ident(k)} = s.{quote_ident(k)}" for k in keys)
                            conn.execute(
                                f"DELETE FROM {quoted} t WHERE EXISTS (SELECT 1 FROM {staging} s WHERE {match})"
                            )
                        conn.execute(f"INSERT INTO {quoted} ({columns}) SELECT {columns} FROM {staging}")
                finally:
                    conn.execute(f"DROP TABLE IF EXISTS {staging}")
            except psycopg.Error as exc:
                raise engine_error(exc, offset=0) from None

    def delete_keys(self, dataspace: str, name: str, key: str, values: list[str]) -> int:
        """Delete the rows whose ``key`` is one of ``values``; how many went."""
        if not values:
            return 0
        with self.connection(dataspace) as conn:
            try:
                listed = ", ".join(quote_literal(v) for v in values)
                cursor = conn.execute(
                    f"DELETE FROM {quote_ident(name)} WHERE CAST({quote_ident(key)} AS text) IN ({listed})"
                )
                return int(cursor.rowcount)
            except psycopg.Error as exc:
                raise engine_error(exc, offset=0) from None

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._process.close()
        if self._own_dir:
            shutil.rmtree(self.workdir, ignore_errors=True)


def engine_error(exc: psycopg.Error, offset: int) -> EngineError:
    diag = exc.diag
    position = None
    if diag.statement_position:
        position = int(diag.statement_position) - offset
        if position < 1:
            position = None
    message = diag.message_primary or str(exc).strip()
    return EngineError(exc.sqlstate or "XX000", message, position, diag.message_hint)
