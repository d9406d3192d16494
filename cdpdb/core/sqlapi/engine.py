"""Statements over declared tables: parse, push down, scan, and let DuckDB evaluate the rest."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Mapping

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from cdpdb.core.results.decode import columns_from_arrow
from cdpdb.core.results.fetch import Stopped, prefetch
from cdpdb.core.results.schema import Result
from cdpdb.core.sqlapi.duckdb_sql import CONFIG, TYPES, error_from_duckdb
from cdpdb.core.sqlapi.pushdown import TableUse, table_uses
from cdpdb.core.sqlapi.tables import Scan, Table
from cdpdb.exceptions import NotSupportedError, ProgrammingError

log = logging.getLogger(__name__)
PAGE_ROWS = 65_536  # rows per page handed to the cursor (DuckDB's record batches)


class Engine:
    """Runs one statement at a time over ``tables`` (name → declared table)."""

    def __init__(self, tables: Mapping[str, Table], page_rows: int = PAGE_ROWS, prefetch_pages: int = 1) -> None:
        self.tables, self.page_rows, self.prefetch_pages = tables, page_rows, prefetch_pages

    def plan(self, sql: str) -> tuple[exp.Expr, list[TableUse]]:
        """The parsed statement and, per table reference, what its scan will be asked."""
        try:
            statements = [s for s in sqlglot.parse(sql, read="duckdb") if s is not None]
        except ParseError as exc:
            raise syntax_error(sql, exc) from None
        if len(statements) != 1:
            raise ProgrammingError(f"give one statement, not {len(statements)}", sqlstate="42601")
        statement = statements[0]
        if not isinstance(statement, exp.Query):
            raise NotSupportedError(
                f"only queries run here, not {statement.key.upper()}: the API's tables are read with SELECT",
                sqlstate="0A000",
            )
        return statement, table_uses(statement, self.tables)

    def run(self, sql: str, stop: threading.Event) -> QueryResult:
        statement, uses = self.plan(sql)
        connection = duckdb.connect(config=CONFIG)
        failures: list[BaseException] = []  # what a scan raised: DuckDB only passes its text on
        try:
            for number, use in enumerate(uses):
                name = f"__cdpdb_scan_{number}"
                connection.register(name, _reader(use, stop, failures))
                if not use.node.alias:
                    use.node.set("alias", exp.TableAlias(this=exp.to_identifier(use.alias, quoted=True)))
                use.node.set("this", exp.to_identifier(name, quoted=True))
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("scan %s of %s: %s", number, use.table.name, _describe(use))
            text = statement.sql(dialect="duckdb")
            try:
                reader = connection.sql(text).to_arrow_reader(self.page_rows)
            except duckdb.Error as exc:
                raise _failure(failures, exc) from None
        except BaseException:
            connection.close()
            raise
        return QueryResult(connection, reader, stop, self.prefetch_pages, failures)


def _failure(failures: list[BaseException], exc: duckdb.Error) -> BaseException:
    """The scan's own exception (an API's error, with its class and data) when one failed, else
    DuckDB's error in the PEP 249 tree."""
    return failures[0] if failures else error_from_duckdb(exc)


def syntax_error(sql: str, exc: ParseError) -> ProgrammingError:
    """sqlglot's first error, with its place as a 1-based position in the statement."""
    first = exc.errors[0] if exc.errors else {}
    line, column = int(first.get("line") or 1), int(first.get("col") or 1)
    position = sum(len(text) + 1 for text in sql.split("\n")[: line - 1]) + column
    what = first.get("description") or "invalid syntax"
    return ProgrammingError(
        f"the statement failed at position {position}: {what} near {first.get('highlight', '')!r}",
        sqlstate="42601",
        position=position,
    )


def _describe(use: TableUse) -> str:
    pushed = ", ".join(f"{p.column} {p.op} {p.value!r}" for p in use.predicates) or "no predicate"
    extra = (f", order {[(o.column, o.descending) for o in use.order]}" if use.order else "") + (
        f", limit {use.limit}" if use.limit is not None else ""
    )
    return f"{pushed}{extra}"


def _reader(use: TableUse, stop: threading.Event, failures: list[BaseException]) -> pa.RecordBatchReader:
    """The table's scan as a stream DuckDB reads lazily, in the declared types."""
    wanted = [f for f in use.table.fields if use.columns is None or f.name in use.columns]
    schema = pa.schema([pa.field(f.name, f.type, f.nullable) for f in wanted])
    scan = Scan(tuple(schema.names), tuple(use.predicates), tuple(use.order), use.limit, stop)

    def batches() -> Iterator[pa.RecordBatch]:
        try:
            for batch in use.table.scan(scan):
                if stop.is_set():
                    return  # the cursor reports the cancel; DuckDB just sees the end of the rows
                table = pa.Table.from_batches([batch]).select(schema.names)
                yield from table.cast(schema).to_batches()
        except Exception as exc:
            failures.append(exc)
            raise

    return pa.RecordBatchReader.from_batches(schema, batches())


class QueryResult(Result):
    """DuckDB's answer, page by page; the connection lives until the last page is read."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        reader: pa.RecordBatchReader,
        stop: threading.Event,
        depth: int,
        failures: list[BaseException],
    ) -> None:
        self._connection, self._reader, self._stop, self._depth = connection, reader, stop, depth
        self._failures = failures
        self.schema = reader.schema
        self.columns = columns_from_arrow(reader.schema, TYPES)
        self.row_count = None

    def pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        return prefetch(self._pages(stop), self._depth, stop)

    def _pages(self, stop: threading.Event) -> Iterator[pa.Table]:
        try:
            while True:
                if stop.is_set():
                    self._connection.interrupt()
                    raise Stopped
                try:
                    batch = self._reader.read_next_batch()
                except StopIteration:
                    return
                except (duckdb.Error, pa.ArrowException) as exc:
                    if self._failures:
                        raise self._failures[0] from None
                    if isinstance(exc, duckdb.Error):
                        raise error_from_duckdb(exc) from None
                    raise
                yield pa.Table.from_batches([batch])
        finally:
            self._connection.close()
