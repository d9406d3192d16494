"""What adding an API backend takes: declare tables, and the vendor-free Connection, Cursor and
SQL layer do the rest — rows, Arrow, pandas, description, joins and aggregates (DuckDB), errors
with the backend's hint, read-only refusal, cancel — without a line of them knowing the backend."""

from __future__ import annotations

import pyarrow as pa
import pytest

import cdpdb
from cdpdb.connection import Connection
from cdpdb.core.sqlapi.session import ApiSession, ArrowResult
from cdpdb.core.sqlapi.tables import ArrowTable

PEOPLE = [{"id": i, "name": f"person {i}", "score": i * 1.5} for i in range(10)]


class StubSession(ApiSession):
    """The whole backend: one declared table over an in-memory list."""

    backend = "stub"

    def __init__(self) -> None:
        super().__init__({"people": ArrowTable("people", pa.Table.from_pylist(PEOPLE))}, prefetch_pages=1)
        self.engine.page_rows = 3  # several pages even for ten rows


@pytest.fixture
def conn():
    with Connection(StubSession()) as connection:
        yield connection


def test_rows_pages_and_description(conn):
    cur = conn.cursor()
    cur.execute("SELECT * FROM people ORDER BY id")
    assert [d[:2] for d in cur.description] == [("id", "BIGINT"), ("name", "VARCHAR"), ("score", "DOUBLE")]
    assert cur.fetchone() == (0, "person 0", 0.0)
    assert cur.fetchmany(4) == [tuple(p.values()) for p in PEOPLE[1:5]]  # across the 3-row pages
    assert cur.fetch_arrow_table().to_pylist() == PEOPLE[5:]
    assert cur.rowcount == 10  # exact once every row was read


def test_sql_the_api_cannot_run_is_evaluated_locally(conn):
    cur = conn.cursor()
    cur.execute(
        "SELECT p.id % 2 AS odd, count(*) AS n, sum(q.score) AS total FROM people p JOIN people q ON q.id = p.id "
        "WHERE p.id >= :low GROUP BY 1 ORDER BY 1",
        {"low": 2},
    )
    assert cur.fetchall() == [(0, 4, sum(i * 1.5 for i in (2, 4, 6, 8))), (1, 4, sum(i * 1.5 for i in (3, 5, 7, 9)))]
    cur.execute("SELECT * FROM people WHERE id < 0")
    assert cur.fetch_pandas_all().columns.tolist() == ["id", "name", "score"]  # typed even when empty


def test_errors_and_refusals(conn):
    cur = conn.cursor()
    with pytest.raises(cdpdb.ProgrammingError, match="the stub tables are: people") as unknown:
        cur.execute("SELECT * FROM nobody")
    assert unknown.value.sqlstate == "42P01"
    with pytest.raises(cdpdb.ProgrammingError, match="at position 7") as typo:
        cur.execute("SELEC 1")
    assert typo.value.position == 7
    with pytest.raises(cdpdb.NotSupportedError, match="read with SELECT"):
        cur.execute("INSERT INTO people VALUES (1, 'x', 1.0)")
    with pytest.raises(cdpdb.ProgrammingError, match="disabled") as files:
        cur.execute("SELECT * FROM read_csv('/etc/passwd')")  # the engine reads only the API's tables
    assert files.value.sqlstate == "42501"


def test_cancel_and_close(conn):
    cur = conn.cursor()
    cur.execute("SELECT * FROM people")
    cur.cancel()
    with pytest.raises(cdpdb.OperationalError, match="cancelled"):
        cur.fetchall()
    conn.close()
    assert cur.closed


class ProcedureSession(StubSession):
    """The stub with one procedure, as a backend adds them: ``bump(n, out)`` sets ``out`` to n + 1 and
    returns a row; ``touch(n)`` returns no result set."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, list]] = []

    def call(self, procedure, parameters):
        self.calls.append((procedure, list(parameters)))
        if procedure == "touch":
            return parameters, None
        if procedure != "bump":
            return super().call(procedure, parameters)
        n, _ = parameters
        return [n, n + 1], ArrowResult(pa.table({"id": [str(n + 1)]}))


def test_callproc_returns_parameters_and_a_result_set():
    session = ProcedureSession()
    with Connection(session) as conn:
        cur = conn.cursor()
        assert cur.callproc("bump", (41, None)) == (41, 42)  # a tuple in, a tuple out (PEP 249)
        assert [d[:2] for d in cur.description] == [("id", "VARCHAR")]
        assert cur.fetchall() == [("42",)]
        assert cur.rowcount == 1
        assert cur.callproc("bump", [1, None]) == [1, 2]
        assert cur.fetchone() == ("2",)
        assert cur.callproc("touch", [5]) == [5]
        assert cur.description is None  # no result set: the previous one is gone
        with pytest.raises(cdpdb.InterfaceError, match="procedure .touch. returned no result set"):
            cur.fetchall()
        assert session.calls == [("bump", [41, None]), ("bump", [1, None]), ("touch", [5])]


def test_callproc_refusals():
    with Connection(ProcedureSession()) as conn:
        cur = conn.cursor()
        with pytest.raises(cdpdb.NotSupportedError, match="stub backend has no stored procedures.*'other'"):
            cur.callproc("other")  # what ApiSession says for a name the backend does not know
        with pytest.raises(cdpdb.ProgrammingError, match="sequence"):
            cur.callproc("bump", {"n": 1})
        with pytest.raises(cdpdb.ProgrammingError, match="name of a procedure"):
            cur.callproc("  ")
    with pytest.raises(cdpdb.InterfaceError, match="closed"):
        cur.callproc("bump", [1, None])
