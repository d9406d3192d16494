"""What adding a backend takes: a session over declared tables (here an in-memory list) is all
the vendor-free Connection and Cursor need — rows, Arrow, pandas, description, rowcount, cancel
and errors work without a line of either knowing the backend."""

from __future__ import annotations

import re
import threading
from typing import Any, ClassVar

import pyarrow as pa
import pytest

import cdpdb
from cdpdb.connection import Connection
from cdpdb.core.jobs import QueryControl
from cdpdb.core.results.decode import columns_from_arrow
from cdpdb.core.results.fetch import prefetch
from cdpdb.core.results.schema import Column, Result

PEOPLE = [{"id": i, "name": f"person {i}", "score": i * 1.5} for i in range(10)]


class StubTypes:
    def arrow(self, column: Column) -> pa.DataType:
        return {"BIGINT": pa.int64(), "DOUBLE": pa.float64()}.get(column.type_name, pa.string())

    def name_of(self, arrow_type: pa.DataType) -> str:
        return {pa.int64(): "BIGINT", pa.float64(): "DOUBLE"}.get(arrow_type, "VARCHAR")


class ListResult(Result):
    def __init__(self, table: pa.Table, page_rows: int) -> None:
        self.columns, self.row_count = columns_from_arrow(table.schema, StubTypes()), table.num_rows
        self._pages = [table.slice(i, page_rows) for i in range(0, table.num_rows, page_rows)]

    def pages(self, stop: threading.Event):
        return prefetch(iter(self._pages), 1, stop)


class StubSession:
    """The whole backend: declared tables, a scan, and no writes."""

    backend, types, supports_async, progress, read_only = "stub", StubTypes(), False, False, "the stub is read-only"
    tables: ClassVar[dict[str, pa.Table]] = {"people": pa.Table.from_pylist(PEOPLE)}

    def execute(self, sql: str, parameters: Any, control: QueryControl, **options: Any) -> Result:
        found = re.fullmatch(r"\s*SELECT \* FROM (\w+)\s*", sql, re.IGNORECASE)
        if not found or found.group(1) not in self.tables:
            raise cdpdb.ProgrammingError(f"the stub knows only SELECT * FROM {' | '.join(self.tables)}")
        return ListResult(self.tables[found.group(1)], page_rows=3)

    def explain(self, error: cdpdb.ProgrammingError, sql: str) -> cdpdb.ProgrammingError:
        return error.with_hint("try SELECT * FROM people")  # type: ignore[return-value]

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def conn():
    with Connection(StubSession()) as connection:  # type: ignore[arg-type]
        yield connection


def test_rows_pages_and_description(conn):
    cur = conn.cursor()
    cur.execute("SELECT * FROM people")
    assert [d[:2] for d in cur.description] == [("id", "BIGINT"), ("name", "VARCHAR"), ("score", "DOUBLE")]
    assert cur.rowcount == 10
    assert cur.fetchone() == (0, "person 0", 0.0)
    assert cur.fetchmany(4) == [tuple(p.values()) for p in PEOPLE[1:5]]  # across the 3-row pages
    assert cur.fetch_arrow_table().to_pylist() == PEOPLE[5:]


def test_pandas_and_errors_with_the_backend_hint(conn):
    cur = conn.cursor()
    cur.execute("SELECT * FROM people")
    assert cur.fetch_pandas_all()["score"].sum() == sum(p["score"] for p in PEOPLE)
    with pytest.raises(cdpdb.ProgrammingError, match="try SELECT"):
        cur.execute("SELECT * FROM nobody")
    with pytest.raises(cdpdb.NotSupportedError, match="stub is read-only"):
        cur.execute("INSERT INTO people VALUES (1)")


def test_cancel_and_close(conn):
    cur = conn.cursor()
    cur.execute("SELECT * FROM people")
    cur.cancel()
    with pytest.raises(cdpdb.OperationalError, match="cancelled"):
        cur.fetchall()
    conn.close()
    assert conn.session.closed and cur.closed
