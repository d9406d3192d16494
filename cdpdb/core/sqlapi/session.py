"""A backend session over declared tables: the backend contract for APIs that are not SQL.

An API backend subclasses :class:`ApiSession`, names itself, lists its tables, and overrides
what its API adds (asynchronous jobs, procedures); everything else — parameters, pushdown,
evaluation, INSERT into tables that declare ``writable`` (:mod:`~cdpdb.core.sqlapi.writes`),
errors — is shared. A session whose tables are all read-only refuses writes with ``read_only``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa

from cdpdb.core import binding
from cdpdb.core.jobs import QueryControl, Status
from cdpdb.core.results.decode import columns_from_arrow
from cdpdb.core.results.fetch import Stopped
from cdpdb.core.results.schema import Result, TypeTable
from cdpdb.core.sqlapi.duckdb_sql import TYPES, literal
from cdpdb.core.sqlapi.engine import Engine
from cdpdb.core.sqlapi.tables import Table
from cdpdb.core.sqlapi.writes import Writer
from cdpdb.exceptions import NotSupportedError, ProgrammingError

UNDEFINED_TABLE = "42P01"


class ApiSession:
    backend = "api"
    supports_async = False
    progress = False

    def __init__(self, tables: Mapping[str, Table], read_only: str | None = None, prefetch_pages: int = 1) -> None:
        self.tables = dict(tables)
        writable = any(table.writable for table in self.tables.values())
        default = None if writable else f"the {self.backend} API's tables are read with SELECT; nothing is written"
        self._read_only = read_only or default
        self.engine = Engine(self.tables, prefetch_pages=prefetch_pages)
        self.writer = Writer(self.tables, self.engine)

    @property
    def types(self) -> TypeTable:
        return TYPES

    @property
    def read_only(self) -> str | None:
        return self._read_only

    @property
    def catalog(self) -> Mapping[str, Table]:
        return self.tables

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        if options:
            raise ProgrammingError(f"unknown execute() option(s) for {self.backend}: {', '.join(sorted(options))}")
        bound = binding.inline(sql, parameters, literal, control.edits)
        return self.engine.run(bound, control.stop)

    def submit(self, sql: str, parameters: Any) -> str:
        raise NotSupportedError(f"the {self.backend} backend has no asynchronous queries")

    def results(self, query_id: str, control: QueryControl) -> Result:
        raise NotSupportedError(f"the {self.backend} backend has no asynchronous queries")

    def status(self, query_id: str, wait_ms: int = 0) -> Status:
        raise NotSupportedError(f"the {self.backend} backend has no asynchronous queries")

    def cancel(self, query_id: str) -> None:
        raise NotSupportedError(f"the {self.backend} backend has no asynchronous queries")

    def write(self, sql: str, parameters: Any) -> int:
        """One INSERT (``parameters``: one set, or None); the rows the table accepted."""
        if self._read_only:
            raise NotSupportedError(self._read_only)
        return self.writer.run(sql, None if parameters is None else [parameters])

    def write_many(self, sql: str, parameter_sets: Sequence[Any]) -> int:
        """One INSERT with every parameter set at once: one Arrow table, one hand-over to the table."""
        if self._read_only:
            raise NotSupportedError(self._read_only)
        return self.writer.run(sql, parameter_sets if isinstance(parameter_sets, Sequence) else list(parameter_sets))

    def call(self, procedure: str, parameters: Sequence[Any]) -> tuple[Sequence[Any], Result | None]:
        """Named procedures: none unless the backend overrides this."""
        raise NotSupportedError(f"the {self.backend} backend has no stored procedures (callproc {procedure!r})")

    def catalog_changed(self) -> None:
        """Declared tables do not change under a session."""

    def explain(self, error: ProgrammingError, sql: str) -> ProgrammingError:
        if error.sqlstate != UNDEFINED_TABLE:
            return error
        names = ", ".join(sorted(self.tables)) or "(none)"
        return error.with_hint(f"the {self.backend} tables are: {names}")  # type: ignore[return-value]

    def close(self) -> None:
        """Nothing to release: each statement's engine closes with its result."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.backend}: {len(self.tables)} tables>"


class ArrowResult(Result):
    """A result already in memory (a procedure's row): one page, its columns named in the engine's types."""

    def __init__(self, table: pa.Table, query_id: str | None = None) -> None:
        self._table, self.query_id = table, query_id
        self.schema = table.schema
        self.columns = columns_from_arrow(table.schema, TYPES)
        self.row_count = table.num_rows

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        if stop.is_set():
            raise Stopped
        yield self._table
